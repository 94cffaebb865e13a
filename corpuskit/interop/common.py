"""What every interop format shares: results, source positions, id and name fitting, validation.

An importer returns :class:`Imported` (a document or None, findings, and where each annotation
came from, so that the offset and scheme checks of the imported document point back into the
original files); an exporter returns :class:`Exported` (file contents by suffix, and findings
that point into the corpuskit document by JSON pointer).
"""

from __future__ import annotations

import json
import re
import reprlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace as struct_replace

from corpuskit.diagnostics import Diagnostic, Finding, Severity
from corpuskit.formats.common import LineIndex
from corpuskit.model import LANGUAGE_TAG, Document, Metadata, xml_forbidden
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.engine import FileReport
    from corpuskit.scheme import Scheme

#: What corpuskit accepts as an id and as a type, role, attribute or knowledge-base name.
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_MAX_NAME = 200
#: Language of imported documents whose format records none (BCP 47 "undetermined").
UNDETERMINED = "und"

#: Offsets and lengths of more digits than this are refused: no text is that long, and Python
#: will not even convert a number of 4,300 digits.
MAX_DIGITS = 15
#: The deepest nesting of arrays and objects accepted in a JSON input (BioC and Web Annotation
#: files nest about ten levels); deeper input is refused before any recursive code sees it.
MAX_JSON_DEPTH = 64
_WHOLE = re.compile(r"\s*([+-]?)0*([0-9]+)\s*")
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlevel = 2


class SourceFinding(Finding, frozen=True):
    """A finding at a position in a file other than a corpuskit document."""

    #: The file ``position`` refers to (None: the input the finding is reported for).
    file: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an annotation was read: file, line, column and that line's text."""

    file: str
    line: int
    column: int = 1
    source_line: str | None = None
    #: Columns of each fragment's offsets on the line (brat), to point at one fragment.
    fragment_columns: tuple[int, ...] = ()


@dataclass(slots=True)
class Imported:
    """One document read from another format, or None when it could not be built."""

    #: Output path without suffix, relative to the output folder (e.g. ``genia/PMID-1``).
    name: str
    #: The input the findings belong to (shown in diagnostics).
    source: str
    document: Document | None
    findings: list[Finding] = field(default_factory=list)
    #: Annotation id -> where it was read (``id/trigger``: where its trigger span was read).
    origins: dict[str, Origin] = field(default_factory=dict)
    #: The file the document text was read from, when positions in it can be shown (brat .txt).
    text_file: str | None = None

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(f.rule.severity is Severity.ERROR for f in self.findings)


@dataclass(slots=True)
class Exported:
    """One document written in another format: file contents by suffix, and findings."""

    #: Suffix (".ann", ".bioc.xml" ...) -> file content.
    files: dict[str, str]
    #: Findings pointing into the corpuskit document record (JSON pointers).
    findings: list[Finding] = field(default_factory=list)


def fit_name(raw: str, fallback: str = "untyped") -> str:
    """``raw`` as a valid corpuskit name: invalid characters become ``_``."""
    if NAME_PATTERN.fullmatch(raw) and len(raw) <= _MAX_NAME:
        return raw
    fitted = re.sub(r"[^A-Za-z0-9_.:-]", "_", raw.strip())[:_MAX_NAME]
    if not fitted.strip("_"):
        return fallback
    return fitted if NAME_PATTERN.fullmatch(fitted) else ("_" + fitted)[:_MAX_NAME]


def shorten(value: object) -> str:
    """``value`` as a short repr for a message (a 5,000-digit offset is not worth showing)."""
    return _SHORT.repr(value)


def whole_number(value: str, what: str = "offset") -> int:
    """``value`` (ASCII digits, leading zeros and a sign allowed) as an int; ValueError why not."""
    m = _WHOLE.fullmatch(value)
    if m is None:
        raise ValueError(f"{what} {shorten(value)} is not a whole number")
    digits = m.group(2)
    if len(digits) > MAX_DIGITS:
        raise ValueError(
            f"{what} {shorten(value)} has {len(digits):,} digits; no text is that long"
        )
    return int(m.group(1) + digits)


def bounded(value: int, what: str = "offset") -> int:
    """``value`` when it has at most MAX_DIGITS digits; ValueError otherwise."""
    if abs(value) >= 10**MAX_DIGITS:
        raise ValueError(f"{what} {shorten(value)} is larger than any text")
    return value


class HugeNumber(str):
    """A JSON integer too long to be worth converting, kept as its digits."""


class InputProblem(Exception):
    """A file that cannot be read as its format at all (I001), with where the problem is."""

    def __init__(self, message: str, position: tuple[int, int] = (1, 1)) -> None:
        super().__init__(message)
        self.position = position


def _parse_int(digits: str) -> int | str:
    # Converting thousands of digits is slow and fails past 4,300: keep such numbers as text.
    return int(digits) if len(digits) <= 100 else HugeNumber(digits)


#: A \\uD800-\\uDFFF escape that is not half of a well-formed surrogate pair.
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def _too_deep_at(text: str) -> int:
    """The offset where nesting first goes deeper than MAX_JSON_DEPTH (run on failure only)."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return m.start()
        elif token in "]}":
            depth -= 1
    return 0


def _walk_json(value: Any) -> Iterator[tuple[Any, int]]:
    """Every value and key inside ``value`` with its depth, without recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def load_json(data: bytes) -> tuple[Any, str, list[Finding]]:
    """Parse a JSON input that may be hostile: (value, its text, warnings).

    Raises :class:`InputProblem` for what cannot be read at all: not UTF-8, not JSON, nested
    deeper than MAX_JSON_DEPTH, or a string holding a lone surrogate (an escape such as
    ``\\ud800`` that is no character: no file can hold it). Integers of more than 100 digits
    come back as :class:`HugeNumber`. A member given twice in one object is a warning (I008):
    the earlier value is not kept.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputProblem(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        out = dict(items)
        repeated = repeated or len(out) != len(items)
        return out

    lines = LineIndex(text)
    too_deep = f"nested more than {MAX_JSON_DEPTH} levels deep"
    try:
        value = json.loads(text, parse_int=_parse_int, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise InputProblem(f"not valid JSON: {exc.msg}", (exc.lineno, exc.colno)) from None
    except RecursionError:
        raise InputProblem(too_deep, lines.line_col(_too_deep_at(text))) from None
    for item, depth in _walk_json(value):
        if depth > MAX_JSON_DEPTH:
            raise InputProblem(too_deep, lines.line_col(_too_deep_at(text)))
        if isinstance(item, str) and _SURROGATE.search(item):
            bad = _LONE_SURROGATE.search(text)
            at = bad.start() if bad else 0
            escape = bad.group() if bad else "\\ud800"
            raise InputProblem(
                f"the escape {escape} is half of a surrogate pair, not a character; "
                "the string holding it cannot be written to any file",
                lines.line_col(at),
            )
    findings: list[Finding] = []
    if repeated:
        from corpuskit.formats.json_positions import JsonPositions

        for pointer, offset in JsonPositions(text).duplicates:
            name = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            findings.append(
                Finding(
                    I.NOT_CARRIED,
                    f"member {shorten(name)} appears twice in one object; the earlier value is "
                    "not kept (JSON readers keep the last)",
                    position=lines.line_col(offset),
                )
            )
    return value, text, findings


def unwritable_characters(document: Document, xml: bool, skip: Iterable[str] = ()) -> list[Finding]:
    """I013 for each string of ``document`` holding a character its output cannot carry.

    XML 1.0 has no form for most C0 controls, U+FFFE and U+FFFF (``xml``); no UTF-8 file can
    hold a lone surrogate. ``skip`` names top-level members another rule reports (the text).
    """
    from corpuskit.formats.records import to_dict

    pattern = xml_forbidden() if xml else _SURROGATE
    where = "in XML 1.0" if xml else "in UTF-8"
    out: list[Finding] = []
    record = to_dict(document)
    stack: list[tuple[str, Any]] = [
        (f"/{key}", value) for key, value in record.items() if key not in set(skip)
    ]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{pointer}/{k}", v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(value))
        elif isinstance(value, str) and (bad := pattern.search(value)) is not None:
            out.append(
                Finding(
                    I.OUTPUT_UNWRITABLE,
                    f"U+{ord(bad.group()):04X} at character {bad.start()} of {pointer} cannot be "
                    f"written {where}; the document is not written",
                    pointer=pointer,
                    hint="remove or replace the character"
                    + (", or write JSON (--to json)" if xml else ""),
                )
            )
    return sorted(out, key=lambda f: f.pointer)


class IdPool:
    """Hands out unique corpuskit ids, keeping valid ones and renaming the rest."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        #: Valid ids still to come: no renamed or new id may take one.
        self.reserved: set[str] = set()
        #: (original, new) for every id that had to change.
        self.renamed: list[tuple[str, str]] = []
        #: base -> the next number to try in ``fresh`` (a thousand clashes cost no more than one).
        self._next: dict[str, int] = {}

    def reserve(self, ids: Iterable[str | None]) -> None:
        """Set valid ids aside first, so that a renamed id never takes a real one."""
        self.reserved.update(i for i in ids if i is not None and valid_id(i))

    def take(self, raw: str | None, prefix: str) -> str:
        """A unique id for ``raw``: itself when valid and free, else a fitted variant.

        A missing id gets ``prefix`` and a number; a changed id is recorded in ``renamed``.
        """
        if not raw:
            n = self._next.get(prefix, 1)
            while f"{prefix}{n}" in self.used or f"{prefix}{n}" in self.reserved:
                n += 1
            self._next[prefix] = n
            self.used.add(f"{prefix}{n}")
            return f"{prefix}{n}"
        if valid_id(raw) and raw not in self.used:
            self.used.add(raw)
            return raw
        fitted = re.sub(r"[^A-Za-z0-9_.-]", "_", raw)[:190]
        base = fitted if ID_PATTERN.fullmatch(fitted) else f"{prefix}{fitted}"
        new = self.fresh(base)
        self.renamed.append((raw, new))
        return new

    def fresh(self, base: str) -> str:
        """A new id derived from ``base`` (``base``, ``base-2`` ...), no renaming recorded."""
        n = self._next.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self.used or candidate in self.reserved:
            n += 1
            candidate = f"{base}-{n}"
        self._next[base] = n
        self.used.add(candidate)
        return candidate


def valid_id(value: object) -> bool:
    """Whether ``value`` is a valid corpuskit id (a string; inputs may hold anything)."""
    return isinstance(value, str) and bool(ID_PATTERN.fullmatch(value)) and len(value) <= _MAX_NAME


def renamed_finding(renamed: list[tuple[str, str]], what: str) -> Finding | None:
    """One I006 warning listing every renamed id, or None."""
    if not renamed:
        return None
    shown = ", ".join(f"{old} → {new}" for old, new in renamed[:20])
    more = f" and {len(renamed) - 20} more" if len(renamed) > 20 else ""
    return Finding(
        I.ID_RENAMED,
        f"{len(renamed)} id{'s' if len(renamed) != 1 else ''} renamed {what}: {shown}{more}",
        hint="references follow the new ids",
    )


def document_id(stem: str) -> str:
    """A document id from a file name or a foreign id (``12345`` -> ``doc-12345``)."""
    if valid_id(stem):
        return stem
    fitted = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)[:190]
    return fitted if ID_PATTERN.fullmatch(fitted) else f"doc-{fitted}"


def plain_metadata(title: str, language: str | None = None) -> Metadata:
    """Metadata for a format that records none: a title and an undetermined language."""
    lang = language if language and LANGUAGE_TAG.fullmatch(language) else UNDETERMINED
    return Metadata(title=title or "untitled", language=lang)


def checked_metadata(meta: Any) -> tuple[Metadata | None, str | None]:
    """A metadata record another format carried, as Metadata when the schema accepts it.

    Returns (metadata, None), or (None, the schema's first objection): such a record is input
    like any other, and a list where a string belongs must not reach the writers.
    """
    from corpuskit.formats.records import from_dict
    from corpuskit.formats.schema import check_record
    from corpuskit.model import text_sha256

    record = {
        "corpuskit": "1.0",
        "id": "imported",
        "meta": meta,
        "offset_unit": "codepoint",
        "text": "",
        "text_sha256": text_sha256(""),
    }
    if _holds_huge_number(meta):
        # The schema engine cannot take such a value at all (it would answer for the whole
        # document): say what it is.
        return None, "a number too long to be any value of the metadata"
    problems = check_record(record)
    if problems:
        # The rest of the record is fixed and valid: whatever is wrong is the metadata's.
        return None, problems[0].message
    return from_dict(record).meta, None


def _holds_huge_number(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, HugeNumber):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def scheme_from_text(toml_text: str, display: str) -> Scheme:
    """Load a scheme from TOML text (checked as any scheme file); SchemeError when unusable."""
    from corpuskit.io import write_atomic
    from corpuskit.scheme import load_scheme

    with tempfile.TemporaryDirectory(prefix="corpuskit-scheme-") as folder:
        path = Path(folder, "scheme.toml")
        write_atomic(path, toml_text, root=Path(folder))
        return load_scheme(path, display)


# --------------------------------------------------------------------------- diagnostics


def _diagnostic(
    finding: Finding, path: str, line: int, column: int, source_line: str | None
) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=line,
        column=column,
        code=finding.rule.code,
        name=finding.rule.name,
        severity=finding.rule.severity,
        message=finding.message,
        hint=finding.hint,
        annotation_id=finding.annotation_id,
        source_line=source_line,
    )


def _fragment_index(pointer: str | None) -> int | None:
    parts = (pointer or "").split("/")
    for i, part in enumerate(parts[:-1]):
        if part in ("span", "trigger", "cue") and parts[i + 1].isdigit():
            return int(parts[i + 1])
    return None


def _annotation_of_pointer(doc: Document | None, pointer: str | None) -> str | None:
    parts = (pointer or "").split("/")
    if doc is None or len(parts) < 3 or not parts[2].isdigit():
        return None
    items = getattr(doc, parts[1], None)
    if not isinstance(items, tuple) or int(parts[2]) >= len(items):
        return None
    ident = getattr(items[int(parts[2])], "id", None)
    return ident if isinstance(ident, str) else None


class ImportStamper:
    """Turns findings about an imported document into diagnostics placed in its source files."""

    def __init__(self, imported: Imported) -> None:
        self.imported = imported
        self._text_lines: LineIndex | None = None

    def _origin_position(
        self, annotation_id: str | None, pointer: str | None
    ) -> tuple[str, int, int, str | None] | None:
        ident = annotation_id or _annotation_of_pointer(self.imported.document, pointer) or ""
        # A span read from another line than its annotation (a brat trigger) has its own origin.
        field = next((f for f in ("trigger", "cue", "span") if f"/{f}" in (pointer or "")), None)
        origin = self.imported.origins.get(f"{ident}/{field}") or self.imported.origins.get(ident)
        if origin is None:
            return None
        column = origin.column
        j = _fragment_index(pointer)
        if j is not None and j < len(origin.fragment_columns):
            column = origin.fragment_columns[j]
        return origin.file, origin.line, column, origin.source_line

    def _text_position(self, start: int) -> tuple[str, int, int, str | None] | None:
        doc, text_file = self.imported.document, self.imported.text_file
        if doc is None or text_file is None:
            return None
        if self._text_lines is None:
            self._text_lines = LineIndex(doc.text)
        line, column = self._text_lines.line_col(max(0, min(start, len(doc.text))))
        return text_file, line, column, self._text_lines.line_text(line)

    def finding(self, finding: Finding) -> Diagnostic:
        """A conversion finding as a diagnostic."""
        if isinstance(finding, SourceFinding) and finding.position is not None:
            line, column = finding.position
            return _diagnostic(finding, finding.file or self.imported.source, line, column, None)
        if finding.position is not None:
            line, column = finding.position
            return _diagnostic(finding, self.imported.source, line, column, None)
        found = self._origin_position(finding.annotation_id, finding.pointer or None)
        if found is None and finding.text_range is not None:
            found = self._text_position(finding.text_range[0])
        path, line, column, source_line = found or (self.imported.source, 1, 1, None)
        return _diagnostic(finding, path, line, column, source_line)

    def validation(self, diagnostic: Diagnostic) -> Diagnostic:
        """A diagnostic of the imported document, moved to where its annotation was read.

        Only the fields that still hold are kept: a fix would edit a file that is not there.
        """
        found = self._origin_position(diagnostic.annotation_id, diagnostic.pointer)
        if found is None and diagnostic.excerpt is not None:
            found = self._text_position(diagnostic.excerpt.start)
        path, line, column, source_line = found or (self.imported.source, 1, 1, None)
        return Diagnostic(
            path=path,
            line=line,
            column=column,
            code=diagnostic.code,
            name=diagnostic.name,
            severity=diagnostic.severity,
            message=diagnostic.message,
            hint=diagnostic.hint,
            pointer=diagnostic.pointer,
            annotation_id=diagnostic.annotation_id,
            document_id=diagnostic.document_id,
            source_line=source_line,
            excerpt=diagnostic.excerpt,
        )


def validate_imported(
    imported: Imported, fmt: str = "json", scheme: Scheme | None = None
) -> tuple[str | None, FileReport | None]:
    """The imported document in corpuskit form (``fmt``) and its check report.

    The document is checked exactly as ``corpuskit validate`` would check the written file,
    under ``scheme`` when one is given. Never raises for what the document holds: when ``fmt``
    (or UTF-8) cannot carry a character, the text is None and the report names the problem.
    """
    from corpuskit.engine import Settings, check_bytes
    from corpuskit.formats import format_module

    if imported.document is None:
        return None, None
    try:
        written = format_module(fmt).dumps(imported.document)
    except ValueError:
        # A character XML 1.0 cannot carry: the document is checked in its JSON form (O007
        # names the character) and there is no text to write, as `corpuskit import` does.
        if fmt == "json":
            raise
        return None, validate_imported(imported, "json", scheme)[1]
    text: str | None = written
    try:
        data = written.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate no UTF-8 file can hold: checked as written (an encoding error),
        # nothing to write.
        data, text = written.encode("utf-8", "surrogatepass"), None
    report = check_bytes(
        data, f"{imported.name}.{fmt}", Settings(scheme=scheme, discover_scheme=False)
    )
    return text, report


def export_diagnostics(
    findings: Iterable[Finding], path: str, data: bytes, fmt: str
) -> list[Diagnostic]:
    """Export findings as diagnostics placed in the corpuskit document they are about."""
    from corpuskit.formats import format_module

    findings = list(findings)
    if not findings:
        return []
    locator = format_module(fmt).locator(data)
    out = []
    for f in findings:
        position = locator.locate(f.pointer) if f.pointer else None
        out.append(
            struct_replace(
                _diagnostic(
                    f,
                    path,
                    position.line if position else 1,
                    position.column if position else 1,
                    position.source_line if position else None,
                ),
                end_line=position.end_line if position else None,
                end_column=position.end_column if position else None,
                pointer=f.pointer or None,
            )
        )
    return out
