"""The engine: check one document as a pure function of (bytes, settings), stamp diagnostics.

Documents are checked one at a time and never kept: ``validate`` streams file reports. Source
positions and excerpts are worked out only for documents that have findings.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from corpuskit.diagnostics import Diagnostic, Excerpt, Finding, Rule, Severity
from corpuskit.fixes import Fix, SetValue
from corpuskit.formats import format_module, format_of, typed
from corpuskit.formats.common import LineIndex, Locator, Position
from corpuskit.io import RefusedPath, TooLarge, found_path, read_input, resolved_target
from corpuskit.model import ANNOTATION_KINDS, Document
from corpuskit.rules import (
    CHECKS,
    FAMILIES,
    RULE_BY_CODE,
    RULES,
    Check,
    CheckInput,
    layout,
    offsets,
    references,
)
from corpuskit.rules import parse as P
from corpuskit.rules.base import PARTS
from corpuskit.scheme import Scheme

#: Characters of document text shown on each side of a span.
EXCERPT_CONTEXT = 30
#: Characters of a span's own text kept in an excerpt (the middle of a longer one is cut).
EXCERPT_COVERED = 200
#: Characters of a source line kept around the column: a whole 30 MB line must not be
#: copied into every diagnostic (and every cache entry and report).
SOURCE_WINDOW = 240


class Settings(msgspec.Struct, frozen=True):
    """What to check and how: rule selection and severity overrides."""

    #: Codes or family letters to report; empty means every rule.
    select: frozenset[str] = frozenset()
    #: Codes or family letters never to report.
    ignore: frozenset[str] = frozenset()
    #: Codes or family letters to report in addition (e.g. the off-by-default L001).
    extend_select: frozenset[str] = frozenset()
    #: Code -> severity, overriding the rule's default.
    severity: Mapping[str, Severity] = msgspec.field(default_factory=dict)
    #: The annotation scheme to enforce; None: none (or discovered per document by ``validate``).
    scheme: Scheme | None = None
    #: Look for each document's scheme in the configuration above it (when ``scheme`` is None).
    discover_scheme: bool = True
    #: Files larger than this many bytes are not read (P009).
    max_file_size: int = 64 * 1024 * 1024
    #: (glob, codes) pairs: codes ignored in documents whose path matches the glob.
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    #: The project root: links leading out of it are not followed (None: the current folder).
    root: Path | None = None

    def ignored_for(self, path: str) -> frozenset[str]:
        """Codes ignored for one document: ``ignore`` plus the per-file ignores that match."""
        extra = [codes for glob, codes in self.per_file_ignores if fnmatch.fnmatchcase(path, glob)]
        return self.ignore.union(*extra) if extra else self.ignore

    def fingerprint(self) -> str:
        """A stable text of everything that changes results (for the cache key)."""
        return repr(
            (
                sorted(self.select),
                sorted(self.ignore),
                sorted(self.extend_select),
                sorted((k, v.value) for k, v in self.severity.items()),
                sorted((g, sorted(c)) for g, c in self.per_file_ignores),
                self.scheme.digest if self.scheme else None,
                self.max_file_size,
            )
        )

    def wants(self, rule: Rule, ignored: frozenset[str] | None = None) -> bool:
        """Whether ``rule`` is selected and not ignored (``ignored`` overrides ``ignore``)."""
        ignored = self.ignore if ignored is None else ignored
        if rule.code in ignored or rule.family in ignored:
            return False
        chosen = self.select | self.extend_select
        if rule.code in chosen or rule.family in chosen:
            return True
        return rule.default and not self.select

    def check_codes(self) -> list[str]:
        """Codes or families in select/ignore/severity/per-file-ignores that name no rule (for
        configuration errors: a misspelt code must not silently ignore nothing)."""
        per_file = [code for _, codes in self.per_file_ignores for code in sorted(codes)]
        names = [*self.select, *self.ignore, *self.extend_select, *self.severity, *per_file]
        return [n for n in names if n not in RULE_BY_CODE and n not in FAMILIES]


class FileReport(msgspec.Struct, frozen=True):
    """The outcome for one file."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    document_id: str | None = None
    #: The file could not be read at all (exit code 2).
    unreadable: bool = False

    @property
    def errors(self) -> int:
        """Number of error diagnostics."""
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """Number of warning diagnostics."""
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def _kept_indices(record: dict[str, Any], skip: set[tuple[str, int]]) -> dict[str, list[int]]:
    return {
        kind: [i for i in range(len(record.get(kind, ()))) if (kind, i) not in skip]
        for kind in ANNOTATION_KINDS
    }


def _remap_pointer(pointer: str, kept: dict[str, list[int]]) -> str:
    parts = pointer.split("/")
    if len(parts) > 2 and parts[1] in kept and parts[2].isdigit():
        parts[2] = str(kept[parts[1]][int(parts[2])])
    return "/".join(parts)


def _remap(finding: Finding, kept: dict[str, list[int]]) -> Finding:
    """Rewrite model pointers (of the finding and of its fix's edits) into record pointers
    when annotations were left out of the model."""
    fix = finding.fix
    if fix is not None:
        edits = tuple(SetValue(_remap_pointer(e.pointer, kept), e.value) for e in fix.edits)
        fix = Fix(fix.description, edits, fix.safe)
    return Finding(
        **{**_fields(finding), "pointer": _remap_pointer(finding.pointer, kept), "fix": fix}
    )


def _fields(finding: Finding) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in Finding.__struct_fields__}


def _skipped_ids(record: dict[str, Any], skip: set[tuple[str, int]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, index in skip:
        item = record[kind][index]
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, str):
            out[ident] = kind
    return out


class Problems(msgspec.Struct, frozen=True):
    """What checking one document's bytes found."""

    findings: list[Finding]
    #: The document as read, when it could be: its record (the full path) ...
    record: dict[str, Any] | None
    #: ... or its model (the typed decode of a valid JSON document, which builds no record).
    document: Document | None
    #: Whether the document was checked beyond parse and schema.
    checked: bool

    @property
    def document_id(self) -> str | None:
        """The document's id, when it has a string one."""
        if self.document is not None:
            return self.document.id
        ident = self.record.get("id") if isinstance(self.record, dict) else None
        return ident if isinstance(ident, str) else None

    @property
    def text(self) -> str | None:
        """The document's text, when it has a string one."""
        if self.document is not None:
            return self.document.text
        text = self.record.get("text") if isinstance(self.record, dict) else None
        return text if isinstance(text, str) else None


def _read(
    data: bytes, fmt: str
) -> tuple[
    list[Finding],
    dict[str, Any] | None,
    Document | None,
    set[tuple[str, int]] | None,
    dict[str, Any],
]:
    """Findings of reading, the record (full path), the model, the annotations left out, and
    what the reading learnt that the checks would work out again (their memo's first facts).

    A valid document takes the typed decode of its format, which gives the model at once (no
    JSON Schema or XSD run); anything else the full path, which says what is wrong where.
    """
    if fmt == "json":
        read = typed.decode_with_strings(data)
        if read is not None:
            facts = {offsets.ANNOTATION_STRINGS: read[1], PARTS: read[2]}
            return [], None, read[0], set(), facts
    else:  # lxml is imported only for a run that reads XML
        from corpuskit.formats import xml_typed

        document = xml_typed.decode(data)
        if document is not None:
            return [], None, document, set(), {}
    return (*_read_fully(data, fmt), {})


def _read_fully(
    data: bytes, fmt: str
) -> tuple[list[Finding], dict[str, Any] | None, Document | None, set[tuple[str, int]] | None]:
    """The full path: parse, schema, model (annotations that fail are left out), drafts."""
    # Only a document the typed decode refuses takes this path: its modules are not imported
    # by a run of valid documents (a one-document run in a fresh process pays for each).
    from corpuskit.formats import schema as S
    from corpuskit.formats.records import DraftError, from_dict

    parsed = format_module(fmt).parse(data)
    findings: list[Finding] = list(parsed.findings)
    record = parsed.record
    if record is None:
        return findings, None, None, None
    if not parsed.structural:
        findings.extend(S.check_record(record))
    skip = S.skipped_annotations(findings)
    if skip is None:
        return findings, record, None, None
    try:
        document = from_dict(record, skip)
    except DraftError:
        # A draft (spans given by their text, annotations without id): reported with the fixes
        # that complete it, and left out of the model as schema failures are.
        drafts = [*offsets.check_anchors(record, skip), *references.check_ids(record, skip)]
        findings.extend(drafts)
        skip = skip | (S.skipped_annotations(drafts) or set())
        document = from_dict(record, skip)
    return findings, record, document, skip


def strict_document(data: bytes, fmt: str) -> Document | None:
    """The model the full path builds when it finds no parse or schema problem and no draft
    part: what a typed decode must agree with whenever it returns a document."""
    findings, _, document, skip = _read_fully(data, fmt)
    return document if document is not None and not findings and not skip else None


def find_problems(
    data: bytes,
    fmt: str,
    scheme: Scheme | None = None,
    wanted: Callable[[Rule], bool] | None = None,
) -> Problems:
    """All findings for one document's bytes, and the document as read.

    A check of the registry runs only when ``wanted`` (default: every rule) accepts one of its
    rules; a rule that supersedes others drops their findings where it applies.
    """
    findings, record, document, skip, facts = _read(data, fmt)
    if document is None or skip is None:
        return Problems(findings, record, None, False)
    skipped = _skipped_ids(record, skip) if skip and record else {}
    given = CheckInput(document, scheme, skipped, facts)
    semantic: list[Finding] = []
    superseded: set[str] = set()
    plan = wanted.plan if isinstance(wanted, _Wanted) else _plan(wanted)
    for check, superseding in plan:
        if check.needs_scheme and scheme is None:
            continue
        semantic.extend(check.run(given))
        for rule in superseding:
            if check.applies(rule, given):
                superseded.update(rule.supersedes)
    if superseded:
        semantic = [f for f in semantic if f.rule.code not in superseded]
    if skip and record is not None:
        kept = _kept_indices(record, skip)
        semantic = [_remap(f, kept) for f in semantic]
    findings.extend(semantic)
    return Problems(findings, record, document, True)


def _layout(data: bytes, fmt: str, found: Problems) -> list[Finding]:
    """L001 for a readable, schema-valid document that is not in the canonical layout."""
    if any(f.rule.family in "PS" for f in found.findings):
        return []
    # The typed decode builds no record: the layout rule (off by default) reads it again.
    record = found.record if found.record is not None else format_module(fmt).parse(data).record
    if record is None:
        return []
    from corpuskit.formats.records import canonical_record

    canonical = format_module(fmt).dumps_record(canonical_record(record))
    finding = layout.check(data.decode("utf-8"), canonical)
    return [finding] if finding else []


def _excerpt(text: str, span: tuple[int, int]) -> Excerpt:
    start, end = span
    covered = text[start:end]
    if len(covered) > EXCERPT_COVERED:
        half = EXCERPT_COVERED // 2
        covered = f"{covered[:half]}…{covered[-half:]}"
    return Excerpt(
        start,
        end,
        text[max(0, start - EXCERPT_CONTEXT) : start],
        covered,
        text[end : end + EXCERPT_CONTEXT],
    )


def source_window(line: str | None, column: int) -> tuple[str | None, int]:
    """A long source line cut to :data:`SOURCE_WINDOW` characters around ``column`` (1-based),
    and how many characters were cut before it."""
    if line is None or len(line) <= SOURCE_WINDOW:
        return line, 0
    start = max(0, min(column - 1 - SOURCE_WINDOW // 3, len(line) - SOURCE_WINDOW))
    return line[start : start + SOURCE_WINDOW], start


#: A plan: the checks of the registry to run, in order (those with a wanted rule), each with
#: its wanted rules that supersede others.
Plan = tuple[tuple[Check, tuple[Rule, ...]], ...]


def _plan(wanted: Callable[[Rule], bool] | None) -> Plan:
    """The checks that ``wanted`` (None: every rule) runs, and their superseding rules."""
    if wanted is None:
        return tuple((check, tuple(r for r in check.rules if r.supersedes)) for check in CHECKS)
    return tuple(
        (check, tuple(rule for rule in check.rules if rule.supersedes and wanted(rule)))
        for check in CHECKS
        if any(map(wanted, check.rules))
    )


class _Wanted:
    """``settings.wants(rule, ignored)`` answered from a table made once per settings, with the
    plan of checks it makes: every document of a run asks the same questions."""

    __slots__ = ("ignored", "plan", "settings", "table")

    def __init__(self, settings: Settings, ignored: frozenset[str]) -> None:
        self.settings = settings
        self.ignored = ignored
        self.table = {r.code: settings.wants(r, ignored) for r in RULES}
        self.plan = _plan(self)

    def __call__(self, rule: Rule) -> bool:
        answer = self.table.get(rule.code)
        return self.settings.wants(rule, self.ignored) if answer is None else answer


#: (id of a Settings, codes ignored) -> its _Wanted (which holds the Settings, so the id stays
#: its own while the entry lives).
_WANTED: dict[tuple[int, frozenset[str]], _Wanted] = {}


def _wanted(settings: Settings, ignored: frozenset[str]) -> _Wanted:
    """The rules wanted for a document (see _Wanted), made once per settings and ignores."""
    key = (id(settings), ignored)
    known = _WANTED.get(key)
    if known is None or known.settings is not settings:
        if len(_WANTED) >= 256:
            _WANTED.clear()
        known = _WANTED[key] = _Wanted(settings, ignored)
    return known


def check_bytes(
    data: bytes, path: str, settings: Settings | None = None, *, match_path: str | None = None
) -> FileReport:
    """Check one document given as bytes; ``path`` names it and picks the format.

    ``match_path`` (default ``path``) is what per-file ignores are matched against.
    """
    settings = settings or Settings()
    fmt = format_of(path) or "json"
    ignored = settings.ignored_for(match_path or path)
    wanted = _wanted(settings, ignored)
    try:
        found = find_problems(data, fmt, settings.scheme, wanted)
    except RecursionError:
        rule = P.JSON_SYNTAX if fmt == "json" else P.XML_SYNTAX
        found = Problems(
            [Finding(rule, "document is nested too deeply", position=(1, 1))], None, None, False
        )
    findings, checked = found.findings, found.checked
    if checked and settings.wants(layout.NOT_CANONICAL):
        findings.extend(_layout(data, fmt, found))
    # A problem that kept the document from being checked is never filtered out: with
    # select = ["O"], a truncated file must still fail.
    findings = [f for f in findings if wanted(f.rule) or (not checked and f.rule.family in "PS")]
    doc_id = found.document_id
    if not findings:
        return FileReport(path, (), doc_id)
    text = found.text
    locator: Locator | None = None
    lines: LineIndex | None = None
    out = []
    for f in findings:
        position: Position | None = None
        if f.position is not None:
            if lines is None:
                lines = LineIndex(data.decode("utf-8", errors="replace"))
            line, col = f.position
            position = Position(line, col, line, col + 1, lines.line_text(line))
        else:
            if locator is None:
                locator = format_module(fmt).locator(data)
            position = locator.locate(f.pointer, key=f.key)
        severity = settings.severity.get(f.rule.code, f.rule.severity)
        excerpt = (
            _excerpt(text, f.text_range)
            if f.text_range is not None and isinstance(text, str)
            else None
        )
        column = position.column if position else 1
        source_line, source_offset = source_window(
            position.source_line if position else None, column
        )
        out.append(
            Diagnostic(
                path=path,
                line=position.line if position else 1,
                column=position.column if position else 1,
                end_line=position.end_line if position else None,
                end_column=position.end_column if position else None,
                code=f.rule.code,
                name=f.rule.name,
                severity=severity,
                message=f.message,
                hint=f.hint,
                pointer=f.pointer if f.position is None else None,
                annotation_id=f.annotation_id,
                document_id=doc_id,
                source_line=source_line,
                excerpt=excerpt,
                fix=f.fix,
                source_offset=source_offset,
            )
        )
    out.sort(key=Diagnostic.sort_key)
    return FileReport(path, tuple(out), doc_id)


def _whole_file(
    path: str, rule: Rule, message: str, hint: str | None = None, *, unreadable: bool = False
) -> FileReport:
    """A report with one diagnostic about the file as a whole (line 1, column 1)."""
    diagnostic = Diagnostic(
        path=path,
        line=1,
        column=1,
        code=rule.code,
        name=rule.name,
        severity=Severity.ERROR,
        message=message,
        hint=hint,
    )
    return FileReport(path, (diagnostic,), unreadable=unreadable)


def internal_error(path: str, exc: BaseException) -> FileReport:
    """The report of a file corpuskit itself failed on (P999, exit code 2)."""
    message = f"corpuskit failed on this file ({type(exc).__name__}: {exc}); this is a bug"
    return _whole_file(
        path, P.INTERNAL_ERROR, message, "please report it with the file attached", unreadable=True
    )


def too_large(path: str, size: int, limit: int) -> FileReport:
    """The report of a file over ``max-file-size`` (P009); it was not read whole."""
    message = f"file is {size:,} bytes or more, over the limit of {limit:,} (max-file-size)"
    hint = "raise max-file-size in the configuration if the file really is a document"
    return _whole_file(path, P.TOO_LARGE, message, hint)


def _unreadable(path: str, message: str) -> FileReport:
    return _whole_file(path, P.UNREADABLE, message, unreadable=True)


def read_document(
    path: Path | str,
    settings: Settings | None = None,
    display: str | None = None,
    *,
    stamped: list[os.stat_result] | None = None,
    found: str | None = None,
) -> bytes | FileReport:
    """A document's bytes, or the report saying why they cannot be read.

    Reads go through :func:`corpuskit.io.read_input`: only regular files, no link out of the
    project (``settings.root``), never more than ``max_file_size`` + 1 bytes. ``stamped``
    receives the file's status when it is opened, ``found`` is the file's found name when
    the caller has it (see read_input).
    """
    settings = settings or Settings()
    name = display or str(path)
    try:
        if format_of(path) is None:
            # A link out of the project is refused whatever its name says (a link to a folder
            # too); read_input refuses the others.
            resolved_target(path, settings.root)
            return _unreadable(name, "not a .json or .xml file: corpuskit cannot tell its format")
        return read_input(
            path, root=settings.root, limit=settings.max_file_size, stamped=stamped, found=found
        )
    except TooLarge as exc:
        return too_large(name, exc.size, exc.limit)
    except RefusedPath as exc:
        return _whole_file(name, P.REFUSED, f"not read: {exc.reason}")
    except OSError as exc:
        return _unreadable(name, f"cannot read file: {exc.strerror or exc}")


def check_file(
    path: Path, settings: Settings | None = None, display: str | None = None
) -> FileReport:
    """Read and check one file; never raises for bad input."""
    data = read_document(path, settings, display)
    if isinstance(data, FileReport):
        return data
    return check_data(data, path, settings, display)


def check_data(
    data: bytes, path: Path, settings: Settings | None = None, display: str | None = None
) -> FileReport:
    """Check the bytes read from ``path``; a bug becomes P999, never an exception."""
    name = display or str(path)
    try:
        return check_bytes(data, name, settings, match_path=str(found_path(path)))
    except Exception as exc:  # a bug must not stop the run or print a traceback
        return internal_error(name, exc)


def iter_documents(paths: Iterable[Path], root: Path | None = None) -> Iterator[Path]:
    """Files to check: the given files, and every *.json / *.xml under the given folders, sorted.

    A link to a folder inside the project (``root``, default the current folder) is followed,
    each real folder once (no loops); a link to a folder outside it is yielded itself, so that
    reading it is refused with P010 instead of its documents being skipped in silence.
    """
    for folder, name in document_entries(paths, root):
        yield Path(os.path.join(folder, name))


def document_entries(paths: Iterable[Path], root: Path | None = None) -> Iterator[tuple[str, str]]:
    """:func:`iter_documents` as (folder, name) strings, ``os.path.join`` of which is the path.

    Lazy, one folder's listing at a time, and each name is the listing's own string: a run
    that keeps every name (runner.PathList) keeps no second copy of any.
    """
    fence = os.path.realpath(root if root is not None else os.getcwd())
    for path in paths:
        if not os.path.isdir(path):  # not Path.is_dir: it raises on a name too long
            yield os.path.split(os.fspath(path))
            continue
        top = os.fspath(path)
        yield from _walk_sorted(top, fence, {os.path.realpath(top)})


def _walk_sorted(folder: str, fence: str, seen: set[str]) -> Iterator[tuple[str, str]]:
    # Path order (by components): a folder's entries sorted by name, a subfolder's documents
    # at its name's place. Every subfolder of a folder is claimed (``seen``) before any is
    # entered, as a top-down os.walk does, so which of two ways into one real folder wins is
    # the same as it always was.
    # A folder's names are held until sorted: as UTF-8 bytes (surrogates passed through), a
    # third smaller than strs at 50,000 files in one folder. Bytes sort as their code points.
    dirs: list[str] = []
    files: list[bytes] = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                name = entry.name
                if is_dir:
                    dirs.append(name)
                elif format_of(name) and not name.startswith("."):
                    files.append(name.encode("utf-8", "surrogatepass"))
    except OSError:
        return  # an unreadable folder is skipped, as os.walk skips it
    kept: list[bytes] = []
    for name in sorted(d for d in dirs if not d.startswith(".")):
        joined = os.path.join(folder, name)
        real = os.path.realpath(joined)
        inside = real == fence or real.startswith(fence + os.sep)
        if os.path.islink(joined) and not inside:
            files.append(name.encode("utf-8", "surrogatepass"))  # refused when read: P010
            continue
        if real in seen:
            continue  # a loop, or a folder reached twice
        seen.add(real)
        kept.append(name.encode("utf-8", "surrogatepass"))
    del dirs
    files.sort()
    i = j = 0
    while i < len(files) or j < len(kept):
        if j == len(kept) or (i < len(files) and files[i] < kept[j]):
            yield folder, files[i].decode("utf-8", "surrogatepass")
            i += 1
        else:
            below = os.path.join(folder, kept[j].decode("utf-8", "surrogatepass"))
            yield from _walk_sorted(below, fence, seen)
            j += 1
