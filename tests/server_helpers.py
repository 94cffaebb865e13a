"""Shared pieces of the language server's end-to-end tests: a test project, an LSP client that
records each diagnostics version, and position arithmetic written independently of the server
(the oracle its conversions are checked against)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from corpuskit.formats import json_format, xml_format
from corpuskit.model import text_sha256

EXAMPLES = Path(__file__).parent / "examples"
SERVER = [sys.executable, "-m", "corpuskit", "server"]
RULES_URL = "https://docs.example/corpuskit/rules.md"
TIMEOUT = 20


def make_client() -> LanguageClient:
    """A pytest-lsp client that also keeps every published diagnostics list by version."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.setdefault(params.uri, {})[params.version] = params.diagnostics  # type: ignore[attr-defined]

    register_lsp_features(
        client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish}
    )
    return client


async def diagnostics(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for this version of a document."""

    async def wait() -> list[types.Diagnostic]:
        while version not in client.published.get(uri, {}):  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
        return list(client.published[uri][version])  # type: ignore[attr-defined]

    return await asyncio.wait_for(wait(), TIMEOUT)


async def republished(
    client: LanguageClient, uri: str, version: int, code: str
) -> types.Diagnostic:
    """The ``code`` diagnostic of a version once it has related locations in the document
    itself (the server publishes at once, and again when indexing the buffer adds them)."""

    async def wait() -> types.Diagnostic:
        while True:
            for d in client.published.get(uri, {}).get(version, ()):  # type: ignore[attr-defined]
                if d.code == code and any(
                    r.location.uri == uri for r in d.related_information or ()
                ):
                    return d
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), TIMEOUT)


def write_project(root: Path) -> dict[str, Path]:
    """A project with a scheme, the minimal document in JSON and XML, a draft, and a JSON
    file that is no corpuskit document."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "scheme.toml").write_text((EXAMPLES / "scheme.toml").read_text("utf-8"), "utf-8")
    config = 'paths = ["."]\nexclude = ["package.json"]\nscheme = "scheme.toml"\n'
    (root / "corpuskit.toml").write_text(config, "utf-8")
    minimal = (EXAMPLES / "positive" / "minimal.json").read_text("utf-8")
    files = {
        "json": root / "doc.json",
        "xml": root / "doc.xml",
        "draft": root / "draft.json",
        "astral": root / "astral.json",
        "other": root / "package.json",
    }
    files["json"].write_text(minimal, "utf-8")
    files["xml"].write_text(xml_format.dumps(json_format.loads(minimal)), "utf-8")
    draft = (EXAMPLES / "negative" / "O008-unanchored-span.json").read_text("utf-8")
    files["draft"].write_text(draft, "utf-8")
    files["astral"].write_text(astral_document(), "utf-8")
    files["other"].write_text('{"name": "not-a-document", "version": "1.0.0"}\n', "utf-8")
    # A folder whose own configuration names a scheme that is not TOML (yet).
    files["nested"] = root / "nested" / "doc.json"
    files["nested"].parent.mkdir()
    (root / "nested" / "corpuskit.toml").write_text('scheme = "bad.toml"\n', "utf-8")
    (root / "nested" / "bad.toml").write_text("[types\n", "utf-8")
    files["nested"].write_text(minimal, "utf-8")
    return files


def astral_document() -> str:
    """A valid document whose annotation lines hold astral characters (U+1F680, 2 UTF-16
    units, 4 UTF-8 bytes) before the values the tests point at."""
    text = "🚀🚀 Iran sent 🛰️ missiles to Russia."
    doc: dict[str, Any] = json.loads((EXAMPLES / "positive" / "minimal.json").read_text("utf-8"))
    doc.update(text=text, text_sha256=text_sha256(text))
    doc["mentions"] = [
        {"id": "m1", "type": "OTHER", "span": [{"start": 0, "end": 2, "text": "🚀🚀"}]},
        {
            "id": "m2",
            "type": "GPE",
            "span": [{"start": 0, "end": 1, "text": "🚀"}, {"start": 3, "end": 7, "text": "Iran"}],
        },
        {"id": "m3", "type": "WEAPON", "span": [{"start": 16, "end": 24, "text": "missiles"}]},
    ]
    doc["entities"] = [{"id": "e1", "type": "GPE", "name": "Iran 🚀", "mentions": ["m2"]}]
    for kind in ("quotes", "claims", "events", "relations", "attributes"):
        doc[kind] = []
    return json_format.dumps_record(doc)


# --- positions, computed here without the server's code -------------------------------------


def _units(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    if encoding == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return 1


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]


def position(text: str, offset: int, encoding: str = "utf-16") -> types.Position:
    """The LSP position of a code-point offset."""
    starts = _line_starts(text)
    line = max(i for i, s in enumerate(starts) if s <= offset)
    units = sum(_units(c, encoding) for c in text[starts[line] : offset])
    return types.Position(line=line, character=units)


def offset(text: str, pos: types.Position, encoding: str = "utf-16") -> int:
    """The code-point offset of an LSP position."""
    at = _line_starts(text)[pos.line]
    used = 0
    while used < pos.character:
        used += _units(text[at], encoding)
        at += 1
    return at


def position_after(
    text: str, needle: str, encoding: str = "utf-16", nth: int = 0
) -> types.Position:
    """The position just after the ``nth`` occurrence of ``needle``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return position(text, at + len(needle), encoding)


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    """``text`` with LSP text edits applied, as an editor applies them (all against the old
    text, from the last to the first)."""
    spans = [
        (offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e)
        for e in edits
    ]
    for start, end, edit in sorted(spans, key=lambda s: s[0], reverse=True):
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits a workspace edit makes to one document."""
    if edit.document_changes:
        return [
            e
            for change in edit.document_changes
            if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
            for e in change.edits
            if isinstance(e, types.TextEdit)
        ]
    return list((edit.changes or {}).get(uri, []))
