"""corpuskit's diagnostics as LSP diagnostics: exact ranges in the client's encoding, the rule
code with a link to its documentation, the help line, and related locations (the annotation a
reference names, the other holders of a duplicate id, the scheme line that sets a constraint).
"""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types as lsp

import corpuskit
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.server.buffers import Buffer
from corpuskit.server.index import DocumentIndex, Extent

SOURCE = "corpuskit"
#: At most this many related locations per diagnostic.
MAX_RELATED = 5
_SCHEME_LINE = re.compile(r"(?P<path>[\w./\\~-]+\.toml):(?P<line>\d+)")


def default_rules_url() -> str | None:
    """The rules page of the corpuskit source tree (a checkout or editable install), if any."""
    page = Path(corpuskit.__file__).resolve().parents[1] / "docs" / "rules.md"
    return page.as_uri() if page.is_file() else None


def rule_href(base: str | None, code: str, name: str) -> str | None:
    """The link to a rule's section of the rules page (its heading's anchor)."""
    return f"{base}#{code.lower()}-{name}" if base else None


def to_range(buf: Buffer, start: int, end: int) -> lsp.Range:
    """An LSP range of code-point offsets [start, end) of the buffer."""
    line, char = buf.position_of(start)
    end_line, end_char = buf.position_of(max(start, end))
    return lsp.Range(lsp.Position(line, char), lsp.Position(end_line, end_char))


def engine_range(buf: Buffer, d: Diagnostic) -> lsp.Range:
    """The buffer range of a corpuskit diagnostic (never empty where the text allows)."""
    start = buf.engine_offset(d.line, d.column)
    end = start
    if d.end_line is not None and d.end_column is not None:
        end = buf.engine_offset(d.end_line, d.end_column)
    if end <= start:
        end = min(start + 1, buf.line_end(buf.position_of(start)[0]))
    return to_range(buf, start, end)


def message(d: Diagnostic) -> str:
    """The message with its help line and, for a span, the text it covers."""
    lines = [d.message]
    if d.excerpt is not None:
        e = d.excerpt
        lines.append(f"text[{e.start}:{e.end}]: …{e.before}⟦{e.covered}⟧{e.after}…")
    if d.hint:
        lines.append(f"help: {d.hint}")
    return "\n".join(lines)


def to_lsp(
    report: FileReport, buf: Buffer, index: DocumentIndex | None, rules_url: str | None
) -> list[lsp.Diagnostic]:
    """Every diagnostic of a buffer's report, in the buffer's positions."""
    out = []
    for k, d in enumerate(report.diagnostics):
        href = rule_href(rules_url, d.code, d.name)
        out.append(
            lsp.Diagnostic(
                range=engine_range(buf, d),
                message=message(d),
                severity=lsp.DiagnosticSeverity.Error
                if d.severity is Severity.ERROR
                else lsp.DiagnosticSeverity.Warning,
                code=d.code,
                code_description=lsp.CodeDescription(href=href) if href else None,
                source=SOURCE,
                related_information=related(d, buf, index) or None,
                # Which of the report's diagnostics this is: code actions find its fix by it.
                data={"version": buf.version, "index": k},
            )
        )
    return out


def location(buf: Buffer, extent: Extent) -> lsp.Location:
    """A location in the buffer."""
    return lsp.Location(uri=buf.uri, range=to_range(buf, extent.start, extent.end))


def related(
    d: Diagnostic, buf: Buffer, index: DocumentIndex | None
) -> list[lsp.DiagnosticRelatedInformation]:
    """Places that explain a diagnostic: referenced annotations, other holders of its id, the
    scheme line it names."""
    out: list[lsp.DiagnosticRelatedInformation] = []
    if index is not None and d.pointer:
        pointer = d.pointer
        depth = pointer.count("/")
        for ref in index.references:
            if depth < 2 or not (
                ref.pointer == pointer
                or ref.pointer.startswith(pointer + "/")
                or pointer.startswith(ref.pointer + "/")
            ):
                continue
            for target in index.by_id.get(ref.target, []):
                extent = index.extents.get(target.pointer)
                if extent is not None:
                    what = f"{ref.field} {ref.target}: {index.describe(target)}"
                    out.append(lsp.DiagnosticRelatedInformation(location(buf, extent), what))
        if d.code == "R001" and d.annotation_id:
            for other in index.by_id.get(d.annotation_id, []):
                extent = index.extents.get(other.pointer)
                if extent is not None and other.pointer != "/".join(pointer.split("/")[:3]):
                    what = f"{other.pointer} has the id {d.annotation_id} too"
                    out.append(lsp.DiagnosticRelatedInformation(location(buf, extent), what))
    for m in _SCHEME_LINE.finditer(d.message):
        path = Path(m.group("path"))
        if path.is_file():
            line = max(int(m.group("line")) - 1, 0)
            where = lsp.Range(lsp.Position(line, 0), lsp.Position(line + 1, 0))
            out.append(
                lsp.DiagnosticRelatedInformation(
                    lsp.Location(uri=path.resolve().as_uri(), range=where),
                    "the scheme sets this here",
                )
            )
    return out[:MAX_RELATED]
