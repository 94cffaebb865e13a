"""``python -m corpuskit``."""

from corpuskit.cli_validate import main

main()
