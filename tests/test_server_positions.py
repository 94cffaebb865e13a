"""Position encodings, end to end: the server negotiates UTF-16 (the default), UTF-8 or UTF-32
and converts exactly on a document whose lines hold astral characters, in both directions."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from server_helpers import (
    SERVER,
    apply_edits,
    diagnostics,
    edits_of,
    make_client,
    position,
    position_after,
    write_project,
)

#: Each client's capabilities, and the encoding the server must choose for it.
CLIENTS = {
    "utf-16": client_capabilities("visual-studio-code"),  # offers none: UTF-16
    "utf-8": client_capabilities("neovim"),  # offers utf-8 first
    "utf-32": types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=["utf-32", "utf-16"])
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_project(tmp_path_factory.mktemp("lsp-positions"))


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    params=list(CLIENTS),
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, project):  # type: ignore[no-untyped-def]
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=CLIENTS[request.param],
            root_uri=project["json"].parent.as_uri(),
            initialization_options={"debounceMs": 10},
        )
    )
    lsp_client.encoding = request.param  # type: ignore[attr-defined]
    lsp_client.negotiated = result.capabilities.position_encoding  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_positions_are_exact_in_every_encoding(client: LanguageClient, project) -> None:
    enc: str = client.encoding  # type: ignore[attr-defined]
    assert client.negotiated == enc  # type: ignore[attr-defined]
    path = project["astral"]
    uri, text = path.as_uri(), path.read_text("utf-8")
    item = types.TextDocumentItem(uri=uri, language_id="json", version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    assert await diagnostics(client, uri, 1) == []

    # An incremental edit after astral characters on its line (the client's units), then a
    # diagnostic whose range lies after them (the server's units).
    old = '{"start": 3, "end": 7, "text": "Iran"}'
    at = text.index(old)
    new_text = text[:at] + '{"start": 4, "end": 8, "text": "Iran"}' + text[at + len(old) :]
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=position(text, at, enc), end=position(text, at + len(old), enc)),
        text='{"start": 4, "end": 8, "text": "Iran"}',
    )
    document = types.VersionedTextDocumentIdentifier(uri=uri, version=2)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(text_document=document, content_changes=[change])
    )
    (o003,) = await diagnostics(client, uri, 2)
    assert o003.code == "O003"
    assert o003.range == types.Range(
        start=position(new_text, at, enc), end=position(new_text, at + len(old), enc)
    )
    line = new_text.splitlines()[o003.range.start.line]
    assert "🚀" in line[: line.index('{"start": 4')]  # the range really follows astral characters

    # The quick fix's edit, applied in the client's units, restores the document.
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=o003.range,
        context=types.CodeActionContext(diagnostics=[o003]),
    )
    actions = await client.text_document_code_action_async(params)
    (fix,) = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.kind == "quickfix"]
    assert apply_edits(new_text, edits_of(fix.edit, uri), enc) == text

    # Hover and go to definition on a reference that follows astral characters.
    where = position_after(new_text, '"name": "Iran 🚀", "mentions": ["m', enc)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=where)
    )
    assert hover is not None and "**m2**" in hover.contents.value
    (target,) = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=where)
    )
    m2 = new_text.index('{"id": "m2"')
    end = new_text.index("}]}", m2) + 3
    assert target.range == types.Range(
        start=position(new_text, m2, enc), end=position(new_text, end, enc)
    )
    # A completion's edit replaces exactly what was typed, after an astral character.
    typed = '"name": "Iran 🚀", "mentions": ["m'
    items = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_after(new_text, typed, enc),
        )
    )
    edit = next(i.text_edit for i in items.items if i.label == "m3")
    start = new_text.index(typed) + len(typed) - 1
    assert edit.range.start == position(new_text, start, enc) and edit.new_text == "m3"
