"""Rules, findings and diagnostics: the records every check produces and every reporter reads.

A check yields a :class:`Finding` (which rule, what, where in the document record). The engine
stamps it into a :class:`Diagnostic` with the rule's code and severity and a source position.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

from corpuskit.fixes import Fix


class Severity(StrEnum):
    """How bad a diagnostic is: errors fail the run, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class Rule(msgspec.Struct, frozen=True):
    """A check with a stable code; its ``doc`` is the user documentation (with examples)."""

    #: Stable code, a family letter and three digits, e.g. ``O003``.
    code: str
    #: kebab-case name, e.g. ``span-text-mismatch``.
    name: str
    severity: Severity
    #: One line saying what the rule checks.
    summary: str
    #: Longer documentation with a failing and a passing example.
    doc: str
    fixable: bool = False
    #: Reported unless deselected; a rule that is off by default is reported only when selected.
    default: bool = True
    #: Codes of rules this one replaces where it applies (its check decides where): their
    #: findings are dropped for a document this rule is checked on, so a problem is said once.
    supersedes: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        """The family letter (``P`` parse, ``S`` schema, ``O`` offsets, ``R`` references)."""
        return self.code[0]


class Finding(msgspec.Struct, frozen=True):
    """What a check yields: the rule, the message and where in the document it applies."""

    rule: Rule
    message: str
    #: JSON pointer into the document record (the same for JSON and XML documents).
    pointer: str = ""
    #: Point at the member's key rather than its value (e.g. an unknown property).
    key: bool = False
    annotation_id: str | None = None
    #: How to fix it, or what the evidence suggests.
    hint: str | None = None
    #: A [start, end) range of the document text to show beside the message.
    text_range: tuple[int, int] | None = None
    #: A source position known directly (parse errors), 1-based (line, column).
    position: tuple[int, int] | None = None
    #: How to repair it, when the rule knows.
    fix: Fix | None = None


class Excerpt(msgspec.Struct, frozen=True):
    """A piece of the document text around a span: before, the span itself, after."""

    start: int
    end: int
    before: str
    covered: str
    after: str


class Diagnostic(msgspec.Struct, frozen=True):
    """One problem in one file, with its rule code, severity and source position."""

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Severity
    message: str
    end_line: int | None = None
    end_column: int | None = None
    hint: str | None = None
    pointer: str | None = None
    annotation_id: str | None = None
    document_id: str | None = None
    #: The source line the position points into (for a caret display); a long line is cut
    #: to a window around the column.
    source_line: str | None = None
    excerpt: Excerpt | None = None
    fix: Fix | None = None
    #: Characters of the real source line cut before ``source_line`` (0: it starts the line).
    source_offset: int = 0

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, then position, then code."""
        return (self.path, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """A plain-data form for machine-readable reports."""
        out: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "rule": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "pointer": self.pointer,
            "annotation_id": self.annotation_id,
            "document_id": self.document_id,
        }
        if self.excerpt is not None:
            out["text_range"] = [self.excerpt.start, self.excerpt.end]
        out["fixable"] = self.fix is not None and self.fix.safe
        if self.fix is not None:
            out["fix"] = {"description": self.fix.description, "safe": self.fix.safe}
        return out


def close_matches(word: str, options: list[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """Suggestions for a misspelt name (difflib's, imported only when a message needs one)."""
    import difflib

    return difflib.get_close_matches(word, options, n=n, cutoff=cutoff)


class CorpuskitError(Exception):
    """Base of the errors the library raises on purpose (bad configuration, unusable input)."""


class DocumentError(CorpuskitError):
    """A document could not be loaded; ``findings`` say why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        first = findings[0].message if findings else "invalid document"
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        super().__init__(first + more)
