"""End-to-end tests of ``corpuskit server``: a real LSP client (pytest-lsp) drives the server
over stdio, with Visual Studio Code's client capabilities, on a small project of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from server_helpers import (
    EXAMPLES,
    RULES_URL,
    SERVER,
    apply_edits,
    diagnostics,
    edits_of,
    make_client,
    position,
    position_after,
    republished,
    write_project,
)

from corpuskit.config import build_settings, load_config
from corpuskit.engine import check_bytes
from corpuskit.scheme import load_scheme

pytestmark = pytest.mark.asyncio(loop_scope="module")
SHIFTED = '"start": 35, "end": 41, "text": "Russia"'


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_project(tmp_path_factory.mktemp("lsp"))


@pytest_lsp.fixture(
    scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=make_client)
)
async def client(lsp_client: LanguageClient, project: dict[str, Path]):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=project["json"].parent.as_uri(),
            initialization_options={"rulesUrl": RULES_URL, "debounceMs": 20},
        )
    )
    yield
    await lsp_client.shutdown_session()


class Doc:
    """An open document: its text and version as the client sees them."""

    def __init__(self, client: LanguageClient, path: Path, text: str | None = None) -> None:
        self.client, self.uri = client, path.as_uri()
        self.text = path.read_text("utf-8") if text is None else text
        self.version = 1
        self.language = "xml" if path.suffix == ".xml" else "json"

    async def open(self) -> list[types.Diagnostic]:
        self.client.published.pop(self.uri, None)  # type: ignore[attr-defined]
        item = types.TextDocumentItem(self.uri, self.language, self.version, self.text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))
        return await diagnostics(self.client, self.uri, self.version)

    async def replace(self, old: str, new: str) -> list[types.Diagnostic]:
        """Type ``new`` over the first ``old`` (an incremental change)."""
        at = self.text.index(old)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(position(self.text, at), position(self.text, at + len(old))),
            text=new,
        )
        self.text = self.text[:at] + new + self.text[at + len(old) :]
        return await self.change([change])

    async def set(self, text: str) -> list[types.Diagnostic]:
        self.text = text
        return await self.change([types.TextDocumentContentChangeWholeDocument(text=text)])

    async def change(
        self, changes: list[types.TextDocumentContentChangeEvent]
    ) -> list[types.Diagnostic]:
        self.version += 1
        document = types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(document, changes))
        return await diagnostics(self.client, self.uri, self.version)

    def close(self) -> None:
        document = types.TextDocumentIdentifier(self.uri)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(document))

    def at(self, needle: str, nth: int = 0) -> types.Position:
        return position_after(self.text, needle, nth=nth)

    async def actions(
        self, diags: list[types.Diagnostic], only: list[str] | None = None
    ) -> list[types.CodeAction]:
        where = diags[0].range if diags else types.Range(types.Position(0, 0), types.Position(0, 0))
        params = types.CodeActionParams(
            types.TextDocumentIdentifier(self.uri),
            where,
            types.CodeActionContext(diagnostics=diags, only=only),
        )
        found = await self.client.text_document_code_action_async(params)
        return [a for a in found or [] if isinstance(a, types.CodeAction)]

    async def apply(self, action: types.CodeAction) -> list[types.Diagnostic]:
        assert action.edit is not None
        return await self.set(apply_edits(self.text, edits_of(action.edit, self.uri)))

    async def hover(self, pos: types.Position) -> str | None:
        params = types.HoverParams(types.TextDocumentIdentifier(self.uri), pos)
        found = await self.client.text_document_hover_async(params)
        return (
            found.contents.value
            if found and isinstance(found.contents, types.MarkupContent)
            else None
        )

    async def complete(self, pos: types.Position) -> list[types.CompletionItem]:
        params = types.CompletionParams(types.TextDocumentIdentifier(self.uri), pos)
        found = await self.client.text_document_completion_async(params)
        return list(found.items if isinstance(found, types.CompletionList) else found or [])


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n")


async def test_diagnostics_as_you_type_match_validate(client: LanguageClient, project) -> None:
    doc = Doc(client, project["json"])
    assert await doc.open() == []
    found = await doc.replace('"start": 34, "end": 40, "text": "Russia"', SHIFTED)
    (o003,) = found
    assert (o003.code, o003.severity, o003.source) == (
        "O003",
        types.DiagnosticSeverity.Error,
        "corpuskit",
    )
    assert o003.code_description.href == f"{RULES_URL}#o003-span-text-mismatch"
    start = doc.text.index('{"start": 35')
    end = doc.text.index("}", start) + 1
    assert o003.range == types.Range(position(doc.text, start), position(doc.text, end))
    assert "help:" in o003.message and "[34, 40)" in o003.message
    # A constraint of the scheme: related locations show the argument and the scheme's line.
    found = await doc.replace('{"role": "agent", "ref": "e1"}', '{"role": "agent", "ref": "m3"}')
    c004 = await republished(client, doc.uri, doc.version, "C004")
    related = {
        (r.location.uri, r.location.range.start.line) for r in c004.related_information or []
    }
    assert (doc.uri, _line_of(doc.text, '{"id": "m3"')) in related
    scheme = project["json"].parent / "scheme.toml"
    assert any(uri == scheme.as_uri() for uri, _ in related)
    # The same findings as validate: one code path, one configuration.
    root = project["json"].parent
    settings = build_settings(load_config(root), scheme=load_scheme(scheme))
    report = check_bytes(doc.text.encode("utf-8"), str(project["json"]), settings)
    assert sorted((d.code, d.line - 1, d.column - 1) for d in report.diagnostics) == sorted(
        (d.code, d.range.start.line, d.range.start.character) for d in found
    )
    doc.close()


async def test_xml_diagnostics_and_quick_fix(client: LanguageClient, project) -> None:
    doc = Doc(client, project["xml"])
    assert await doc.open() == []
    (o003,) = await doc.replace(
        '<frag start="34" end="40">Russia', '<frag start="35" end="41">Russia'
    )
    assert o003.code == "O003"
    assert o003.range.start == position(doc.text, doc.text.index('<frag start="35"'))
    (fix,) = [a for a in await doc.actions([o003]) if a.kind == types.CodeActionKind.QuickFix]
    assert fix.is_preferred and "O003" in fix.title
    assert await doc.apply(fix) == []
    assert '<frag start="34" end="40">Russia' in doc.text
    doc.close()


async def test_quick_fix_makes_the_diagnostic_disappear(client: LanguageClient, project) -> None:
    on_disk = project["json"].read_bytes()
    doc = Doc(client, project["json"])
    await doc.open()
    (o003,) = await doc.replace('"start": 34, "end": 40, "text": "Russia"', SHIFTED)
    (fix,) = [a for a in await doc.actions([o003]) if a.kind == types.CodeActionKind.QuickFix]
    assert list(fix.diagnostics or []) == [o003] and fix.is_preferred
    edits = edits_of(fix.edit, doc.uri)  # a canonical document: the fix touches one line
    assert len(edits) == 1 and edits[0].range.start.line == _line_of(doc.text, SHIFTED)
    assert await doc.apply(fix) == []
    assert project["json"].read_bytes() == on_disk  # the server never writes files
    doc.close()


async def test_anchor_this_fragment(client: LanguageClient, project) -> None:
    doc = Doc(client, project["draft"])
    (o008,) = await doc.open()
    assert o008.code == "O008"
    (anchor,) = [a for a in await doc.actions([o008]) if a.title.startswith("Anchor this fragment")]
    assert anchor.is_preferred and "[81, 85)" in anchor.title
    assert await doc.apply(anchor) == []
    assert '"cue": [{"start": 81, "end": 85, "text": "said"}]' in doc.text
    doc.close()


async def test_fix_all_safe_problems(client: LanguageClient, project) -> None:
    doc = Doc(client, project["json"])
    await doc.open()
    await doc.replace('"start": 34, "end": 40, "text": "Russia"', SHIFTED)
    await doc.replace(
        '"start": 0, "end": 4, "text": "Iran"', '"start": 1, "end": 5, "text": "Iran"'
    )
    found = await doc.replace(
        '"end": 21, "text": "roughly 400"', '"end": 22, "text": "roughly 400 "'
    )
    assert sorted(d.code for d in found) == ["O003", "O003", "O101"]
    o101 = next(d for d in found if d.code == "O101")
    (trim,) = [a for a in await doc.actions([o101]) if a.kind == types.CodeActionKind.QuickFix]
    assert "unsafe" in trim.title and not trim.is_preferred
    (fix_all,) = await doc.actions([], only=[types.CodeActionKind.SourceFixAll])
    assert fix_all.kind == "source.fixAll.corpuskit" and fix_all.edit is None  # resolved lazily
    resolved = await client.code_action_resolve_async(fix_all)
    assert [d.code for d in await doc.apply(resolved)] == ["O101"]  # unsafe fixes wait
    doc.close()


async def test_hover(client: LanguageClient, project) -> None:
    doc = Doc(client, project["json"])
    await doc.open()
    fragment = await doc.hover(doc.at('"start": 3'))
    assert fragment is not None and "text[34:40]" in fragment and "⟦Russia⟧" in fragment
    assert "✓ matches" in fragment
    speaker = await doc.hover(doc.at('"speaker": "e'))
    assert speaker is not None and "**e3**" in speaker and "Iranian official" in speaker
    assert "Something changes hands." in (await doc.hover(doc.at('"type": "tr')) or "")
    assert "A country or city." in (await doc.hover(doc.at('"type": "G')) or "")
    await doc.replace('"start": 34, "end": 40, "text": "Russia"', SHIFTED)
    shifted = await doc.hover(doc.at(SHIFTED[:12]))
    assert shifted is not None and "⟦ussia,⟧" in shifted and "✗ differs" in shifted
    doc.close()


async def test_definition_references_and_outline(client: LanguageClient, project) -> None:
    doc = Doc(client, project["json"])
    await doc.open()
    speaker = types.DefinitionParams(types.TextDocumentIdentifier(doc.uri), doc.at('"speaker": "e'))
    (target,) = await client.text_document_definition_async(speaker)
    assert target.range.start == position(doc.text, doc.text.index('{"id": "e3"'))
    on_e3 = doc.at('{"id": "e', nth=2)  # on the id of the third entity
    params = types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(doc.uri),
        position=on_e3,
        context=types.ReferenceContext(include_declaration=False),
    )
    uses = await client.text_document_references_async(params)
    lines = sorted(u.range.start.line for u in uses)
    assert lines == sorted(
        _line_of(doc.text, s) for s in ('"id": "q1"', '"id": "c1"', '"id": "r1"')
    )
    params.context = types.ReferenceContext(True)
    assert len(await client.text_document_references_async(params)) == 4
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(doc.uri))
    )
    assert [s.name for s in outline] == [
        "mentions",
        "entities",
        "quotes",
        "claims",
        "events",
        "relations",
        "attributes",
    ]
    mentions = {c.name: c.detail for c in outline[0].children or []}
    assert mentions["m1 Iran"] == "GPE" and mentions["m2 roughly 400"] == "QUANTITY"
    assert [c.name for c in outline[1].children or []][2] == "e3 Iranian official"
    doc.close()


async def test_completion(client: LanguageClient, project) -> None:
    doc = Doc(client, project["json"])
    await doc.open()

    async def labels(needle: str, nth: int = 0) -> list[str]:
        return [i.label for i in await doc.complete(doc.at(needle, nth))]

    assert sorted(await labels('{"id": "m2", "type": "')) == [
        "GPE",
        "OTHER",
        "PER",
        "QUANTITY",
        "WEAPON",
    ]
    assert sorted(await labels('{"id": "e1", "type": "')) == ["GPE", "PER", "WEAPON"]
    assert sorted(await labels('{"role": "')) == ["agent", "artifact", "recipient"]
    assert await labels('"name": "', nth=3) == ["realis"]  # the attribute's name
    assert await labels('"value": "') == ["actual", "future"]
    assert await labels('"kb": "') == ["wikidata"]
    speakers = await labels('"speaker": "')
    assert sorted(speakers) == ["e1", "e2", "e3", "m1", "m2", "m3", "m4", "m5", "m6"]
    event_args = await labels('{"role": "agent", "ref": "')
    assert "e1" in event_args and "ev1" not in event_args  # not itself
    relation_args = await labels('{"role": "person", "ref": "')
    assert "ev1" in relation_args and "r1" not in relation_args and "a1" not in relation_args
    members = await labels('"mentions": ["')
    assert members and all(x.startswith("m") for x in members)
    (gpe,) = [i for i in await doc.complete(doc.at('{"id": "m1", "type": "G')) if i.label == "GPE"]
    start = doc.text.index('{"id": "m1", "type": "G') + len('{"id": "m1", "type": "')
    assert (
        gpe.text_edit.range.start == position(doc.text, start) and gpe.text_edit.new_text == "GPE"
    )
    doc.close()
    xml = Doc(client, project["xml"])
    await xml.open()
    items = await xml.complete(xml.at('<arg role="'))
    assert sorted(i.label for i in items) == ["agent", "artifact", "recipient"]
    xml.close()


async def test_half_typed_document_never_breaks_the_server(client: LanguageClient, project) -> None:
    doc = Doc(client, project["json"])
    await doc.open()
    cut = doc.text[: doc.text.index('{"id": "e2"')] + '{"id": "e2", "type": "'
    (p001,) = await doc.set(cut)
    assert p001.code == "P001"
    assert await doc.hover(doc.at('"type": "G')) is None
    # Completion goes on from what the document held before it broke.
    assert "PER" in [i.label for i in await doc.complete(position(doc.text, len(doc.text)))]
    # Edits out of range, control characters and an empty buffer are diagnostics, not crashes.
    far = types.Position(10_000, 10_000)
    assert await doc.change(
        [types.TextDocumentContentChangePartial(range=types.Range(far, far), text="\x00\ud83d")]
    )
    assert [d.code for d in await doc.set("")] == ["P001"]
    assert await doc.set(project["json"].read_text("utf-8")) == []
    doc.close()


async def test_every_prefix_of_a_document_gets_diagnostics(client: LanguageClient, project) -> None:
    for key in ("json", "xml"):
        full = project[key].read_text("utf-8")
        doc = Doc(client, project[key])
        await doc.open()
        for cut in range(0, len(full), len(full) // 12):
            found = await doc.set(full[:cut])  # published for every version: no crash, no hang
            assert found and all(d.source == "corpuskit" for d in found)
            await doc.complete(position(doc.text, len(doc.text)))
            await doc.hover(position(doc.text, len(doc.text) // 2))
        assert await doc.set(full) == []
        doc.close()


async def test_scheme_problems_are_shown_and_scheme_edits_used(
    client: LanguageClient, project
) -> None:
    doc = Doc(client, project["nested"])
    (problem,) = await doc.open()
    assert problem.range.start == types.Position(line=0, character=0)
    assert "scheme not used" in problem.message and "bad.toml" in problem.message
    scheme = project["nested"].parent / "bad.toml"
    scheme.write_text((EXAMPLES / "scheme.toml").read_text("utf-8"), "utf-8")
    found = await doc.replace('"type": "WEAPON"', '"type": "SHIP"')
    assert [d.code for d in found] == ["C001"]  # checked against the scheme now
    scheme.write_text("[types\n", "utf-8")  # broken again: seen at the next check
    found = await doc.replace('"type": "SHIP"', '"type": "WEAPON"')
    assert len(found) == 1 and "scheme not used" in found[0].message
    doc.close()


async def test_other_json_files_are_left_alone(client: LanguageClient, project) -> None:
    doc = Doc(client, project["other"])
    assert await doc.open() == []
    assert await doc.complete(types.Position(0, 10)) == []
    doc.close()
