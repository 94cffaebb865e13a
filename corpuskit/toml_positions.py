"""Line and column of the keys of a TOML file, by JSON pointer.

tomllib gives values but no positions; scheme messages must name the line that sets a
constraint. This scanner understands the TOML a scheme uses: ``[table.headers]``,
``key = value`` lines (dotted and quoted keys) and one-line inline tables.
"""

from __future__ import annotations

import re

from corpuskit.formats import escape_pointer_token

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


_PART = re.compile(rf"{_BARE}|{_QUOTED}")


def _tokens(dotted: str) -> list[str]:
    """The escaped pointer tokens of a dotted key."""
    if '"' not in dotted and "'" not in dotted:
        # Bare keys only (the usual): split at the dots; a bare key needs no escaping.
        return [part.strip() for part in dotted.split(".")]
    return [escape_pointer_token(p[1:-1] if p[:1] in "\"'" else p) for p in _PART.findall(dotted)]


class TomlPositions:
    """Maps the pointer of every table and key to its 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.positions: dict[str, tuple[int, int]] = {}
        self.lines = text.splitlines()
        known = self.positions.setdefault
        table = ""  # the pointer of the table the lines are in
        for number, line in enumerate(self.lines, start=1):
            first = line.lstrip()[:1]
            if not first or first == "#":
                continue  # neither pattern can match a blank or comment line
            if first == "[":
                header = _HEADER.match(line)
                if header:
                    # [types.PER] also opens the implicit table "types" where it first appears.
                    where = (number, line.index("[") + 1)
                    table = ""
                    for token in _tokens(header.group(1)):
                        table += "/" + token
                        known(table, where)
                continue  # an assignment cannot start with "["
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            where = (number, assign.start(1) + 1)
            prefixes = [table]
            for token in _tokens(assign.group(1)):
                prefixes.append(prefixes[-1] + "/" + token)
            key = prefixes[-1]
            known(key, where)
            for prefix in prefixes[1:-1]:  # a dotted key's intermediate tables
                known(prefix, where)
            rest = line[assign.end() :]
            if rest.lstrip().startswith("{"):
                offset = assign.end()
                for inner in _INLINE_KEY.finditer(rest):
                    inner_key = key + "".join("/" + t for t in _tokens(inner.group(1)))
                    known(inner_key, (number, offset + inner.start(1) + 1))

    def locate(self, pointer: str) -> tuple[int, int]:
        """The position of ``pointer`` or its nearest ancestor; (1, 1) when none is known."""
        while pointer:
            if pointer in self.positions:
                return self.positions[pointer]
            pointer = pointer.rsplit("/", 1)[0]
        return (1, 1)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line."""
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""
