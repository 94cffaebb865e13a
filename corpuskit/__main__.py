"""``python -m corpuskit``."""

from corpuskit.entry import command

command()
