"""Rewrite the tables of docs/ that are made from registries: ``python docs/generate.py``.

docs/ci.md's ``--format`` table comes from the reporter registry (``corpuskit.reporters``),
docs/interop.md's format table from the interop registry (``corpuskit.interop.registry``).
Each sits between ``<!-- begin: NAME (python docs/generate.py) -->`` and ``<!-- end: NAME -->``;
tests/test_plugin_registries.py fails while a table differs from its registry.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from corpuskit.interop.registry import markdown_table as format_table
from corpuskit.reporters import markdown_table as reporter_table

DOCS = Path(__file__).resolve().parent
#: Generated block name -> (file under docs/, the function that makes the table).
TABLES: dict[str, tuple[str, Callable[[], str]]] = {
    "reporters": ("ci.md", reporter_table),
    "interop-formats": ("interop.md", format_table),
}


def block(name: str) -> re.Pattern[str]:
    """The generated block ``name``: its begin marker, the table (group 1), its end marker."""
    begin = re.escape(f"<!-- begin: {name} (python docs/generate.py) -->")
    return re.compile(rf"^{begin}\n(.*?)^<!-- end: {re.escape(name)} -->$", re.M | re.S)


def rewrite(text: str, name: str, table: str) -> str:
    """``text`` with the generated block ``name`` holding ``table``; ValueError when absent."""
    pattern = block(name)
    found = pattern.search(text)
    if found is None:
        raise ValueError(f"no generated block {name!r}")
    return text[: found.start(1)] + table + text[found.end(1) :]


def main() -> int:
    """Rewrite every generated table; print what changed."""
    for name, (file, make) in TABLES.items():
        path = DOCS / file
        old = path.read_text("utf-8")
        new = rewrite(old, name, make())
        if new != old:
            path.write_text(new, "utf-8")
            print(f"docs/{file}: {name} table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
