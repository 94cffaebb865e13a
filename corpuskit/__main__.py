"""``python -m corpuskit``."""

from corpuskit.cli import main

main()
