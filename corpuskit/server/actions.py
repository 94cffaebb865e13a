"""Code actions: every fix the engine attaches to a diagnostic, as a workspace edit, and "fix all
safe problems" (``corpuskit fix`` on the buffer). Edits are computed, never written: the editor
applies them to the buffer, and the person saves.

A fix is applied to the buffer's record and the document rendered as ``corpuskit fix`` writes
it (the canonical layout, the file's line ends kept); the edit sent is the line-level
difference, so a fix in a canonical document touches only its line.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from lsprotocol import types as lsp

from corpuskit.diagnostics import Diagnostic
from corpuskit.engine import Settings
from corpuskit.fixer import fix_bytes, keep_conventions
from corpuskit.fixes import Fix, apply_fixes
from corpuskit.formats import format_module
from corpuskit.formats import schema as S
from corpuskit.formats.records import canonical_record
from corpuskit.model import ANNOTATION_KINDS
from corpuskit.server.buffers import Buffer
from corpuskit.server.convert import to_range

FIX_ALL_KIND = "source.fixAll.corpuskit"
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


def fix_title(d: Diagnostic) -> str:
    """What the action says: the fix's own description, and "unsafe" when it needs judgement."""
    assert d.fix is not None
    text = d.fix.description
    # O008's fix is what annotators ask for by name: anchoring a fragment given by its text.
    text = f"Anchor this fragment: {text}" if d.code == "O008" else text[:1].upper() + text[1:]
    return f"{text} ({d.code})" if d.fix.safe else f"{text} ({d.code}; unsafe: check the result)"


def _count(record: dict[str, Any]) -> int:
    return sum(len(record.get(kind) or ()) for kind in ANNOTATION_KINDS)


def fixed_text(source: str, fmt: str, fix: Fix) -> str | None:
    """The buffer with one fix applied, or None when it no longer applies, would not pass the
    schema, or would lose an annotation (as ``corpuskit fix`` refuses those)."""
    data = source.encode("utf-8", "surrogatepass")
    module = format_module(fmt)
    record = module.parse(data).record
    if not isinstance(record, dict):
        return None
    new, applied = apply_fixes(record, [fix])
    if not applied or S.check_record(new) or _count(new) != _count(record):
        return None
    text: str = module.dumps_record(canonical_record(new))
    return keep_conventions(data, text)


def fix_all_text(source: str, name: str, settings: Settings) -> str | None:
    """The buffer after every safe fix ``corpuskit fix`` would make, or None if none applies."""
    data = source.encode("utf-8", "surrogatepass")
    outcome = fix_bytes(data, name, settings)
    if outcome.fixed_text is None or outcome.refused:
        return None
    return keep_conventions(data, outcome.fixed_text)


def text_edits(buf: Buffer, new: str) -> list[lsp.TextEdit]:
    """Line edits that turn the buffer's text into ``new`` (only the lines that differ)."""
    old_lines, new_lines = _LINE.findall(buf.text), _LINE.findall(new)
    starts = [0]
    for line in old_lines:
        starts.append(starts[-1] + len(line))
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return [
        lsp.TextEdit(to_range(buf, starts[i1], starts[i2]), "".join(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def workspace_edit(buf: Buffer, new: str, versioned: bool) -> lsp.WorkspaceEdit:
    """The edit turning the buffer into ``new``; versioned where the client allows, so that it
    refuses the edit if the buffer changed meanwhile."""
    edits = text_edits(buf, new)
    if not versioned:
        return lsp.WorkspaceEdit(changes={buf.uri: edits})
    document = lsp.OptionalVersionedTextDocumentIdentifier(uri=buf.uri, version=buf.version)
    return lsp.WorkspaceEdit(
        document_changes=[lsp.TextDocumentEdit(text_document=document, edits=list(edits))]
    )
