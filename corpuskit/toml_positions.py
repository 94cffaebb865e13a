"""Line and column of the keys of a TOML file, by JSON pointer.

tomllib gives values but no positions; scheme messages must name the line that sets a
constraint. This scanner understands the TOML a scheme uses: ``[table.headers]``,
``key = value`` lines (dotted and quoted keys) and one-line inline tables.
"""

from __future__ import annotations

import re

from corpuskit.formats.json_positions import escape_pointer_token

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> list[str]:
    return [p[1:-1] if p[:1] in "\"'" else p for p in re.findall(rf"{_BARE}|{_QUOTED}", dotted)]


def _pointer(parts: list[str]) -> str:
    return "".join("/" + escape_pointer_token(p) for p in parts)


class TomlPositions:
    """Maps the pointer of every table and key to its 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.positions: dict[str, tuple[int, int]] = {}
        self.lines = text.splitlines()
        table: list[str] = []
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER.match(line)
            if header:
                table = _parts(header.group(1))
                # [types.PER] also opens the implicit table "types" where it first appears.
                for prefix in range(1, len(table) + 1):
                    self.positions.setdefault(
                        _pointer(table[:prefix]), (number, line.index("[") + 1)
                    )
                continue
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            key = [*table, *_parts(assign.group(1))]
            self.positions.setdefault(_pointer(key), (number, assign.start(1) + 1))
            for prefix in range(len(table) + 1, len(key)):
                self.positions.setdefault(_pointer(key[:prefix]), (number, assign.start(1) + 1))
            rest = line[assign.end() :]
            if rest.lstrip().startswith("{"):
                offset = assign.end()
                for inner in _INLINE_KEY.finditer(rest):
                    inner_key = [*key, *_parts(inner.group(1))]
                    self.positions.setdefault(
                        _pointer(inner_key), (number, offset + inner.start(1) + 1)
                    )

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
