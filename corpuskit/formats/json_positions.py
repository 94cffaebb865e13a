"""Source positions of JSON values, by JSON pointer.

Run only on documents that failed a check: the fast path never pays for it. The scanner
assumes text that a JSON parser has already accepted.
"""

from __future__ import annotations

import re

import msgspec

from corpuskit.formats import escape_pointer_token

_WS = re.compile(r"[ \t\n\r]*")
# Unrolled ("normal* (special normal*)*"): a 30 MB string is one fast run, not 30 M alternations.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null|NaN|-?Infinity")
#: Beyond this depth, values are attributed to their nearest recorded ancestor.
_MAX_DEPTH = 200


class Extent(msgspec.Struct, frozen=True):
    """Where a value sits: character offsets of the member's key (if any) and of the value."""

    key_start: int | None
    start: int
    end: int


class JsonPositions:
    """Maps JSON pointers to the character extents of their keys and values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.extents: dict[str, Extent] = {}
        #: (pointer, offset of the key) of every key seen twice in one object.
        self.duplicates: list[tuple[str, int]] = []
        try:
            end = self._value(_WS.match(text, 0).end(), "", None, 0)  # type: ignore[union-attr]
        except (IndexError, AttributeError, ValueError):
            end = len(text)  # a failed scan still leaves the extents found so far
        self.extents.setdefault("", Extent(None, 0, end))

    def _value(self, i: int, pointer: str, key_start: int | None, depth: int) -> int:
        ch = self.text[i]
        start = i
        if ch == "{" or ch == "[":
            i = self._container(i, pointer, depth)
        elif ch == '"':
            m = _STRING.match(self.text, i)
            if m is None:
                raise ValueError("unterminated string")
            i = m.end()
        else:
            m = _SCALAR.match(self.text, i)
            if m is None:
                raise ValueError("unexpected character")
            i = m.end()
        self.extents[pointer] = Extent(key_start, start, i)
        return i

    def _container(self, i: int, pointer: str, depth: int) -> int:
        closing = "}" if self.text[i] == "{" else "]"
        is_object = closing == "}"
        i = self._skip(i + 1)
        index = 0
        keys: set[str] = set()
        while self.text[i] != closing:
            key_start = None
            if is_object:
                m = _STRING.match(self.text, i)
                if m is None:
                    raise ValueError("expected a key")
                key_start = i
                key = _decode_key(m.group())
                if key in keys:
                    self.duplicates.append((f"{pointer}/{escape_pointer_token(key)}", i))
                keys.add(key)
                i = self._skip(m.end())
                i = self._skip(i + 1)  # the colon
                child = f"{pointer}/{escape_pointer_token(key)}"
            else:
                child = f"{pointer}/{index}"
            if depth < _MAX_DEPTH:
                i = self._value(i, child, key_start, depth + 1)
            else:
                i = self._skip_value(i)
            i = self._skip(i)
            if self.text[i] == ",":
                i = self._skip(i + 1)
            index += 1
        return i + 1

    def _skip_value(self, i: int) -> int:
        depth = 0
        while True:
            ch = self.text[i]
            if ch == '"':
                m = _STRING.match(self.text, i)
                if m is None:
                    raise ValueError("unterminated string")
                i = m.end()
                if depth == 0:
                    return i
                continue
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif depth == 0 and ch in ",":
                return i
            i += 1
            if depth == 0 and (i >= len(self.text) or self.text[i] in ",]}"):
                return i

    def _skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def find(self, pointer: str, *, key: bool = False) -> tuple[str, Extent] | None:
        """The extent of ``pointer``, or of its nearest ancestor that exists."""
        while True:
            extent = self.extents.get(pointer)
            if extent is not None:
                if key and extent.key_start is not None:
                    return pointer, Extent(extent.key_start, extent.key_start, extent.end)
                return pointer, extent
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    import json

    value: str = json.loads(token)
    return value
