"""The JSON form of a document, with the ``json``-module API: load, loads, dump, dumps.

Canonical layout (what ``dumps`` writes): two-space indent, keys in a fixed order, metadata one
field per line, and one annotation per line so that a diff of an annotation change is one line.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from corpuskit.diagnostics import DocumentError, Finding
from corpuskit.formats import escape_pointer_token
from corpuskit.formats import problems as P
from corpuskit.formats import schema as S
from corpuskit.formats import schema_rules as SR
from corpuskit.formats.common import LineIndex, Parsed, Position, decode_utf8
from corpuskit.formats.json_positions import JsonPositions
from corpuskit.formats.records import Record, to_dict
from corpuskit.model import ANNOTATION_KINDS, Document

_one_line = partial(json.dumps, ensure_ascii=False, allow_nan=False)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _syntax_finding(exc: orjson.JSONDecodeError, text: str) -> Finding:
    line, col = LineIndex(text).line_col(min(exc.pos, len(text)))
    message = exc.msg
    rule = P.JSON_SYNTAX
    hint = None
    snippet = text[exc.pos : exc.pos + 9]
    if "infinity" in message or snippet.startswith(("NaN", "Infinity", "-Infinity")):
        rule = P.NON_FINITE
        message = "number is NaN, Infinity or too large for a double"
        hint = "JSON has no NaN or Infinity; write a finite number"
    elif "zero-length" in message or not text.strip():
        message = "file is empty"
        hint = "a document is a JSON object: {...}"
    elif "depth limit" in message or "recursion" in message:
        message = "values are nested deeper than 1,024 levels"
        hint = "a corpuskit document nests a few levels at most"
    elif "surrogate" in message:
        message = f"invalid string escape: {message}"
        hint = "text must not contain lone surrogates (\\ud800-\\udfff)"
    return Finding(rule, message, position=(line, col), hint=hint)


def _duplicate_finding(text: str) -> Finding | None:
    positions = JsonPositions(text)
    if not positions.duplicates:
        return None
    pointer, key_start = positions.duplicates[0]
    line, col = LineIndex(text).line_col(key_start)
    key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return Finding(
        P.DUPLICATE_KEY,
        f'duplicate key "{key}": a JSON reader keeps only the last one',
        pointer=pointer,
        position=(line, col),
        hint="merge the two members into one",
    )


def _may_have_duplicates(data: bytes, record: Any) -> bool:
    """Whether a key may have been dropped by the parser (then an exact check follows).

    A dropped member takes at least its key's two quote characters with it, so re-serialising
    what was parsed gives fewer quotes than the source. Without \\u escapes (which could
    spell a quote differently) equal counts prove that nothing was dropped; this costs a few
    percent of the exact check.
    """
    if b"\\u" in data:
        return True
    try:
        return orjson.dumps(record).count(b'"') != data.count(b'"')
    except (TypeError, orjson.JSONEncodeError):
        return True


def parse(data: bytes) -> Parsed:
    """Read JSON bytes into a document record, or report why it is not readable."""
    text, problem = decode_utf8(data)
    if text is None:
        return Parsed(None, [problem] if problem else [])
    try:
        record = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Parsed(None, [_syntax_finding(exc, text)])
    if _may_have_duplicates(data, record):
        try:
            # orjson, like the stdlib, silently keeps the last of two equal keys.
            json.loads(text, object_pairs_hook=_no_duplicates)
        except _DuplicateKey:
            found = _duplicate_finding(text)
            if found is not None:
                return Parsed(None, [found])
        except (ValueError, RecursionError):
            pass  # orjson accepted it; the stdlib's stricter limits are not ours
    if not isinstance(record, dict):
        return Parsed(
            None,
            [
                Finding(
                    SR.WRONG_TYPE,
                    f"a document must be a JSON object, not {S.type_name(record)}",
                    position=(1, 1 + len(text) - len(text.lstrip())),
                    hint='a corpuskit document is {"corpuskit": "1.0", "id": ..., "meta": ..., ...}',
                )
            ],
        )
    big = _inexact_integer(record, text, data)
    if big is not None:
        return Parsed(None, [big])
    return Parsed(record)


# Every digit becomes "0" and everything else " ": sixteen zeros in a row mean a long number.
# bytes.translate and a substring search run at C speed, ten times faster than a regex here.
_DIGITS_ONLY = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_SIXTEEN_DIGITS = b"0" * 16
_EXACT = 2**53


def _inexact_integer(record: Any, text: str, data: bytes) -> Finding | None:
    """An integer literal too large to be stored exactly (orjson reads it as a float)."""
    if _SIXTEEN_DIGITS not in data.translate(_DIGITS_ONLY):
        return None  # the common case: no literal is long enough to matter
    stack: list[tuple[str, Any]] = [("", record)]
    locator: JsonLocator | None = None
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{pointer}/{escape_pointer_token(k)}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(value))
        elif (
            isinstance(value, float | int) and not isinstance(value, bool) and abs(value) >= _EXACT
        ):
            locator = locator or JsonLocator(text.encode("utf-8"))
            found = locator.positions.find(pointer)
            literal = text[found[1].start : found[1].end] if found else ""
            if any(c in literal for c in ".eE"):
                continue  # a floating-point literal is stored as written
            located = locator.locate(pointer)
            return Finding(
                P.NUMBER_RANGE,
                f"number at {pointer or '/'} is beyond ±2^53 and cannot be stored exactly",
                pointer=pointer,
                position=(located.line, located.column) if located else (1, 1),
                hint="integers must lie within ±9007199254740991; write large values as strings",
            )
    return None


class JsonLocator:
    """Source positions in a JSON document, computed on demand (failing documents only)."""

    def __init__(self, data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        self.lines = LineIndex(text)
        self.positions = JsonPositions(text)

    def locate(self, pointer: str, *, key: bool = False) -> Position | None:
        """The position of ``pointer`` or of its nearest ancestor."""
        found = self.positions.find(pointer, key=key)
        if found is None:
            return None
        _, extent = found
        line, col = self.lines.line_col(extent.start)
        end_line, end_col = self.lines.line_col(extent.end)
        return Position(line, col, end_line, end_col, self.lines.line_text(line))


def locator(data: bytes) -> JsonLocator:
    """A locator for the document in ``data``."""
    return JsonLocator(data)


def dumps_record(record: Record) -> str:
    """Write a record in the canonical layout."""
    out = ["{"]
    items = list(record.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        name = _one_line(key)
        if key == "meta" and isinstance(value, dict) and value:
            out.append(f"  {name}: {{")
            fields = list(value.items())
            for m, (k, v) in enumerate(fields):
                sep = "," if m < len(fields) - 1 else ""
                out.append(f"    {_one_line(k)}: {_one_line(v)}{sep}")
            out.append("  }" + comma)
        elif key in ANNOTATION_KINDS and isinstance(value, list) and value:
            out.append(f"  {name}: [")
            last = len(value) - 1
            out.extend(f"    {_one_line(a)}{',' if i < last else ''}" for i, a in enumerate(value))
            out.append("  ]" + comma)
        else:
            out.append(f"  {name}: {_one_line(value)}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


def dumps(doc: Document) -> str:
    """The document as canonical JSON text."""
    return dumps_record(to_dict(doc))


def loads(data: bytes | str) -> Document:
    """Parse JSON and check it against the schema; raise DocumentError when it is not a document."""
    from corpuskit.formats.schema import build_document

    raw = data.encode("utf-8") if isinstance(data, str) else data
    parsed = parse(raw)
    return build_document(parsed)


def load(path: str | Path) -> Document:
    """Read a JSON document file."""
    return loads(Path(path).read_bytes())


def dump(doc: Document, path: str | Path) -> None:
    """Write a document as canonical JSON, atomically."""
    from corpuskit.io import write_atomic

    write_atomic(Path(path), dumps(doc))


__all__ = ["DocumentError", "JsonLocator", "dump", "dumps", "escape_pointer_token", "load", "loads"]
