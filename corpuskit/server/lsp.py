"""The language server over stdio (pygls): the LSP handlers, each a thin layer over the
session's analysis of a buffer and the feature modules."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from lsprotocol import types as lsp
from pygls.capabilities import ServerCapabilitiesBuilder

from corpuskit.server import actions, features
from corpuskit.server.buffers import ENCODINGS, Buffer
from corpuskit.server.context import completion_context
from corpuskit.server.project import Project
from corpuskit.server.session import Analysis, CorpuskitServer, fs_path

log = logging.getLogger("corpuskit.server")
R = TypeVar("R")

server = CorpuskitServer()
H = TypeVar("H")


def guarded(
    fn: Callable[[CorpuskitServer, H], Awaitable[R | None]],
) -> Callable[[CorpuskitServer, H], Awaitable[R | None]]:
    """A handler that logs its failure and answers nothing, rather than failing the request:
    a half-typed document must never break the editor's session."""

    @functools.wraps(fn)
    async def wrapper(ls: CorpuskitServer, params: H) -> R | None:
        try:
            return await fn(ls, params)
        except Exception:
            log.exception("%s failed", fn.__name__)
            return None

    return wrapper


@server.feature(lsp.INITIALIZE)
def initialize(ls: CorpuskitServer, params: lsp.InitializeParams) -> None:
    """Take the workspace root, position encoding and options."""
    chosen = ServerCapabilitiesBuilder.choose_position_encoding(params.capabilities)
    ls.encoding = str(chosen) if str(chosen) in ENCODINGS else "utf-16"
    root = fs_path(params.root_uri) if params.root_uri else None
    if params.workspace_folders:
        root = fs_path(params.workspace_folders[0].uri) or root
    if root is not None and root.is_dir():
        ls.project = Project(root)
    options = params.initialization_options
    if isinstance(options, dict):
        if isinstance(options.get("rulesUrl"), str):
            ls.rules_url = options["rulesUrl"] or None
        if isinstance(options.get("debounceMs"), int | float):
            ls.debounce = max(0.0, float(options["debounceMs"]) / 1000)
    caps = params.capabilities
    edit = caps.workspace.workspace_edit if caps.workspace else None
    ls.versioned_edits = bool(edit and edit.document_changes)
    hover_caps = caps.text_document.hover if caps.text_document else None
    formats = (hover_caps.content_format if hover_caps else None) or ()
    ls.markdown = lsp.MarkupKind.Markdown in formats
    action = caps.text_document.code_action if caps.text_document else None
    ls.resolve_edits = bool(
        action and action.resolve_support and "edit" in action.resolve_support.properties
    )


@server.feature(lsp.INITIALIZED)
def initialized(ls: CorpuskitServer, params: lsp.InitializedParams) -> None:
    """Warm the engine up on the worker thread while the editor opens its first buffer."""
    ls.worker.submit(ls.warm_up)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CorpuskitServer, params: lsp.DidOpenTextDocumentParams) -> None:
    """Keep the buffer and check it at once."""
    doc = params.text_document
    ls.buffers[doc.uri] = Buffer(doc.uri, doc.text, doc.version, doc.language_id, ls.encoding)
    ls.schedule(doc.uri, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CorpuskitServer, params: lsp.DidChangeTextDocumentParams) -> None:
    """Apply the edits in order, then check once typing pauses."""
    buf = ls.buffers.get(params.text_document.uri)
    if buf is None:
        return
    for change in params.content_changes:
        if isinstance(change, lsp.TextDocumentContentChangePartial):
            start = buf.offset_at(change.range.start.line, change.range.start.character)
            end = buf.offset_at(change.range.end.line, change.range.end.character)
            buf.replace(start, end, change.text)
        else:
            buf.set_text(change.text)
    buf.version = params.text_document.version
    ls.schedule(buf.uri, ls.debounce)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CorpuskitServer, params: lsp.DidCloseTextDocumentParams) -> None:
    """Forget the buffer and clear its diagnostics."""
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    for table in (ls.buffers, ls.analyses, ls.last_index):
        table.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: CorpuskitServer, params: lsp.DidSaveTextDocumentParams) -> None:
    """Check again: a saved scheme or configuration may change what the buffer gets."""
    if params.text_document.uri in ls.buffers:
        ls.schedule(params.text_document.uri, 0)


def _offset(analysis: Analysis, position: lsp.Position) -> int:
    return analysis.buffer.offset_at(position.line, position.character)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
@guarded
async def hover(ls: CorpuskitServer, params: lsp.HoverParams) -> lsp.Hover | None:
    """The covered text of a fragment, the annotation a reference names, a type's description."""
    a = await ls.current(params.text_document.uri)
    if a is None or a.index is None:
        return None
    text = features.hover(a.index, _offset(a, params.position), a.scheme)
    if text is None:
        return None
    kind = lsp.MarkupKind.Markdown if ls.markdown else lsp.MarkupKind.PlainText
    return lsp.Hover(contents=lsp.MarkupContent(kind=kind, value=text))


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
@guarded
async def definition(ls: CorpuskitServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    """The annotation a reference names."""
    a = await ls.current(params.text_document.uri)
    if a is None or a.index is None:
        return []
    return features.definition(a.index, a.buffer, _offset(a, params.position))


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
@guarded
async def references(ls: CorpuskitServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    """Every reference to the annotation under the cursor."""
    a = await ls.current(params.text_document.uri)
    if a is None or a.index is None:
        return []
    declaration = params.context.include_declaration
    return features.references(a.index, a.buffer, _offset(a, params.position), declaration)


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded
async def document_symbols(
    ls: CorpuskitServer, params: lsp.DocumentSymbolParams
) -> list[lsp.DocumentSymbol]:
    """An outline of the annotations by kind."""
    a = await ls.current(params.text_document.uri)
    if a is None or a.index is None:
        return []
    return features.symbols(a.index, a.buffer)


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=['"', "'"]))
@guarded
async def completion(ls: CorpuskitServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    """Types, roles, attribute names and values, knowledge bases and ids of the right kind."""
    empty = lsp.CompletionList(is_incomplete=False, items=[])
    a = await ls.current(params.text_document.uri)
    if a is None or a.fmt is None:
        return empty
    cursor = _offset(a, params.position)
    ctx = completion_context(a.buffer.text, cursor, a.fmt)
    if ctx is None:
        return empty
    index = a.index or ls.last_index.get(params.text_document.uri)
    found = features.completions(ctx, index, a.scheme)
    items = features.completion_items(ctx, a.buffer, cursor, a.fmt, found)
    return lsp.CompletionList(is_incomplete=False, items=items)


def _wants(only: list[str] | None, kind: str) -> bool:
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll],
        resolve_provider=True,
    ),
)
@guarded
async def code_action(ls: CorpuskitServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    """The fixes of the diagnostics at the cursor, and "fix all safe problems"."""
    a = await ls.current(params.text_document.uri)
    if a is None or a.report is None or a.fmt is None:
        return []
    # Kinds as plain strings: an enum member formats as its name, not its value.
    only = [str(getattr(k, "value", k)) for k in params.context.only or ()] or None
    out: list[lsp.CodeAction] = []
    if _wants(only, lsp.CodeActionKind.QuickFix.value):
        chosen = {
            d.data["index"]
            for d in params.context.diagnostics
            if isinstance(d.data, dict) and d.data.get("version") == a.buffer.version
        }
        chosen |= {k for k, d in enumerate(a.diagnostics) if _overlaps(d.range, params.range)}
        for k in sorted(i for i in chosen if isinstance(i, int) and i < len(a.report.diagnostics)):
            d = a.report.diagnostics[k]
            if d.fix is None:
                continue
            new = await ls.run(actions.fixed_text, a.buffer.text, a.fmt, d.fix)
            if new is None:
                continue
            out.append(
                lsp.CodeAction(
                    title=actions.fix_title(d),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[a.diagnostics[k]],
                    is_preferred=d.fix.safe,
                    edit=actions.workspace_edit(a.buffer, new, ls.versioned_edits),
                )
            )
    safe = any(d.fix is not None and d.fix.safe for d in a.report.diagnostics)
    if safe and _wants(only, actions.FIX_ALL_KIND):
        action = lsp.CodeAction(
            title="Fix all safe problems (corpuskit fix)",
            kind=actions.FIX_ALL_KIND,
            data={"uri": a.buffer.uri, "version": a.buffer.version},
        )
        out.append(action if ls.resolve_edits else await _resolve(ls, action))
    return out


@server.feature(lsp.CODE_ACTION_RESOLVE)
@guarded
async def resolve_code_action(ls: CorpuskitServer, action: lsp.CodeAction) -> lsp.CodeAction:
    """Compute the edit of "fix all" when it is chosen (it runs the whole fixer)."""
    return await _resolve(ls, action)


async def _resolve(ls: CorpuskitServer, action: lsp.CodeAction) -> lsp.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    a = await ls.current(str(data.get("uri", "")))
    if a is None or a.settings is None or a.buffer.version != data.get("version"):
        return action  # the buffer changed: no edit rather than a stale one
    new = await ls.run(actions.fix_all_text, a.buffer.text, a.name, a.settings)
    if new is not None:
        action.edit = actions.workspace_edit(a.buffer, new, ls.versioned_edits)
    return action


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: CorpuskitServer, params: None) -> None:
    """Stop the worker thread (pending checks are dropped)."""
    for task in ls.pending.values():
        task.cancel()
    ls.worker.shutdown(wait=False, cancel_futures=True)


def serve(rules_url: str | None = None) -> None:
    """Run the server on standard input and output until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="corpuskit server: %(message)s")
    if rules_url:
        server.rules_url = rules_url
    server.start_io()
