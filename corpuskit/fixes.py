"""Fixes as data: a small closed set of edits, attached to diagnostics, applied by one function.

Rules never write. A rule that knows how to repair what it found attaches a :class:`Fix` to its
finding; ``corpuskit validate`` shows it and ``corpuskit fix`` applies exactly those fixes to the
document record, then writes the document in the canonical layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec


class SetValue(msgspec.Struct, frozen=True):
    """Set the value at a JSON pointer of the document record (the member must exist or be new)."""

    pointer: str
    value: Any


#: The edit kinds. One so far: everything corpuskit repairs is a value at a pointer, and the
#: canonical layout is what writing a record produces anyway.
Edit = SetValue


class Fix(msgspec.Struct, frozen=True):
    """A repair: what it does (for people), whether it is safe, and its edits."""

    description: str
    edits: tuple[Edit, ...]
    #: Safe fixes are applied by ``corpuskit fix``; unsafe ones only with ``--unsafe-fixes``.
    safe: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for reports and the cache)."""
        return {
            "description": self.description,
            "safe": self.safe,
            "edits": [{"pointer": e.pointer, "value": e.value} for e in self.edits],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        """The inverse of ``to_dict``."""
        edits = tuple(SetValue(e["pointer"], e["value"]) for e in data["edits"])
        return cls(data["description"], edits, bool(data["safe"]))


class FixConflict(Exception):
    """Two fixes want different values at one pointer."""


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _set(record: Any, pointer: str, value: Any) -> None:
    tokens = _tokens(pointer)
    if not tokens:
        raise ValueError("cannot replace the whole document")
    node = record
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    last = tokens[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _settable(record: Any, pointer: str) -> bool:
    """Whether the parent of ``pointer`` exists and can take the value."""
    tokens = _tokens(pointer)
    if not tokens:
        return False
    node = record
    try:
        for token in tokens[:-1]:
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        return False
    if isinstance(node, list):
        return tokens[-1].isdigit() and int(tokens[-1]) < len(node)
    return isinstance(node, dict)


def apply_fixes(record: dict[str, Any], fixes: Iterable[Fix]) -> tuple[dict[str, Any], int]:
    """A copy of ``record`` with ``fixes`` applied, and how many were applied.

    A fix whose edits clash with an earlier fix's (another value at the same pointer) is
    skipped whole, so that no fix is ever half-applied.
    """
    import copy  # only fixing needs it, not a check (copy brings weakref: ~1 ms of start-up)

    out = copy.deepcopy(record)
    written: dict[str, Any] = {}
    applied = 0
    for fix in fixes:
        if any(e.pointer in written and written[e.pointer] != e.value for e in fix.edits):
            continue
        if not all(_settable(out, e.pointer) for e in fix.edits):
            continue  # the record is not shaped as the fix expects: leave it to a person
        for edit in fix.edits:
            _set(out, edit.pointer, edit.value)
            written[edit.pointer] = edit.value
        applied += 1
    return out, applied
