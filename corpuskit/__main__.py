"""``python -m corpuskit``."""

from corpuskit.entry import main

main()
