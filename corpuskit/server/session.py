"""The server's state: open buffers, their debounced checks and the analyses features read.

Every check, index and fix runs on one worker thread, in order: the engine's XML parser and
schema objects are shared and not thread-safe, and the event loop stays free to take in edits
(a check whose buffer changed meanwhile is dropped, never published).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

import corpuskit
from corpuskit.engine import FileReport, Settings
from corpuskit.rules.parse import TOO_LARGE
from corpuskit.scheme import Scheme
from corpuskit.server.buffers import Buffer
from corpuskit.server.convert import SOURCE, default_rules_url, to_lsp
from corpuskit.server.index import DocumentIndex
from corpuskit.server.project import XML_NAMESPACE, Project, buffer_format

#: Seconds of quiet after an edit before the buffer is checked (initializationOptions
#: ``debounceMs`` changes it): short, because a check of a whole article takes ~20-50 ms.
DEBOUNCE = 0.03
log = logging.getLogger("corpuskit.server")
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Analysis:
    """One version of a buffer, checked: its report, index, LSP diagnostics and settings."""

    buffer: Buffer
    fmt: str | None
    #: The name the engine saw (picks the format; per-file ignores match the real path).
    name: str = ""
    report: FileReport | None = None
    index: DocumentIndex | None = None
    diagnostics: tuple[lsp.Diagnostic, ...] = ()
    settings: Settings | None = None
    setup_problem: str | None = None

    @property
    def scheme(self) -> Scheme | None:
        """The scheme the document follows, if any."""
        return self.settings.scheme if self.settings is not None else None


class CorpuskitProtocol(LanguageServerProtocol):
    """pygls's protocol, minus its own copy of each buffer: the server keeps one, with exact
    positions in every encoding (pygls splits lines at U+2028 and rounds some positions)."""

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: lsp.DidOpenTextDocumentParams) -> Generator[Any]:
        """Hand the opened buffer to the server's handler."""
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: lsp.DidChangeTextDocumentParams
    ) -> Generator[Any]:
        """Hand the edits to the server's handler."""
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: lsp.DidCloseTextDocumentParams
    ) -> Generator[Any]:
        """Hand the closing to the server's handler."""
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


def fs_path(uri: str) -> Path | None:
    """The file a ``file:`` URI names (None for unsaved buffers and other schemes)."""
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


class CorpuskitServer(LanguageServer):
    """corpuskit's language server: one per editor session, many buffers."""

    def __init__(self, rules_url: str | None = None) -> None:
        super().__init__(
            "corpuskit",
            corpuskit.__version__,
            protocol_cls=CorpuskitProtocol,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
        )
        self.buffers: dict[str, Buffer] = {}
        self.analyses: dict[str, Analysis] = {}
        #: The last index each buffer had (completion goes on while the text does not parse).
        self.last_index: dict[str, DocumentIndex] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="corpuskit-check")
        self.project = Project(Path.cwd())
        self.encoding = "utf-16"
        self.rules_url = rules_url or default_rules_url()
        self.debounce = DEBOUNCE
        self.versioned_edits = False
        self.markdown = False
        self.resolve_edits = False

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``fn`` on the worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, functools.partial(fn, *args, **kwargs))

    def analyse(self, buf: Buffer) -> Analysis:
        """Check one version of a buffer (on the worker thread)."""
        path = fs_path(buf.uri)
        fmt = buffer_format(path, buf.language_id)
        if fmt is None or not self.project.wants(path, buf.text, fmt):
            return Analysis(buf, None)
        checked = self.project.check(buf.text, path, fmt)
        return Analysis(
            buf,
            fmt,
            checked.report.path,
            checked.report,
            None,
            self._diagnostics(buf, checked.report, None, checked.setup_problem),
            checked.settings,
            checked.setup_problem,
        )

    def indexed(self, analysis: Analysis) -> Analysis:
        """The analysis with the buffer's index, and diagnostics with their related locations
        (on the worker thread; indexing costs about as much as the check)."""
        report = analysis.report
        if analysis.fmt is None or report is None or report.unreadable:
            return analysis
        if any(d.code == TOO_LARGE.code for d in report.diagnostics):
            return analysis  # over max-file-size: the engine did not read it, nor do we
        buf = analysis.buffer
        try:
            index = DocumentIndex.build(buf.text, analysis.fmt)
        except Exception:  # the engine reported what is wrong; features just have no index
            log.exception("indexing %s failed", buf.uri)
            return analysis
        diagnostics = self._diagnostics(buf, report, index, analysis.setup_problem)
        return replace(analysis, index=index, diagnostics=diagnostics)

    def _diagnostics(
        self, buf: Buffer, report: FileReport, index: DocumentIndex | None, problem: str | None
    ) -> tuple[lsp.Diagnostic, ...]:
        found = to_lsp(report, buf, index, self.rules_url)
        if problem:  # an unusable configuration or scheme: said where the user looks
            start = lsp.Position(line=0, character=0)
            where = lsp.Range(start=start, end=start)
            error = lsp.DiagnosticSeverity.Error
            found.insert(0, lsp.Diagnostic(where, problem, severity=error, source=SOURCE))
        return tuple(found)

    def warm_up(self) -> None:
        """Check a broken JSON and XML document once, so that the first edit a person makes
        does not pay for compiling schemas, loading the XSD and the scheme."""
        broken = {"json": '{"corpuskit": "1.0"}', "xml": f'<document xmlns="{XML_NAMESPACE}"/>'}
        try:
            for fmt, text in broken.items():
                self.project.check(text, None, fmt)
                DocumentIndex.build(text, fmt)
        except Exception:  # only a warm-up: the real checks report what is wrong
            log.exception("warm-up failed")

    def schedule(self, uri: str, delay: float) -> None:
        """Check a buffer after ``delay`` seconds without further edits."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.refresh(uri)

    async def refresh(self, uri: str) -> Analysis | None:
        """Check the buffer's current version, publish its diagnostics at once, then index it
        (and publish again if the index adds related locations)."""
        buf = self.buffers.get(uri)
        if buf is None:
            return None
        snapshot = buf.snapshot()
        try:
            checked = await self.run(self.analyse, snapshot)
            if not self._current(uri, snapshot):
                return None  # edited meanwhile: the next check publishes
            self._publish(checked)
            analysis = await self.run(self.indexed, checked)
        except Exception:  # never let one buffer take the server down
            log.exception("checking %s failed", uri)
            checked = analysis = Analysis(snapshot, None)
        if not self._current(uri, snapshot):
            return None
        self.analyses[uri] = analysis
        if analysis.index is not None:
            self.last_index[uri] = analysis.index
        if analysis.diagnostics != checked.diagnostics:
            self._publish(analysis)
        return analysis

    def _current(self, uri: str, snapshot: Buffer) -> bool:
        found = self.buffers.get(uri)
        return found is not None and found.version == snapshot.version

    def _publish(self, analysis: Analysis) -> None:
        buf = analysis.buffer
        params = lsp.PublishDiagnosticsParams(
            uri=buf.uri, diagnostics=list(analysis.diagnostics), version=buf.version
        )
        self.text_document_publish_diagnostics(params)

    async def current(self, uri: str) -> Analysis | None:
        """The analysis of the buffer as it is now (checked at once if an edit is pending)."""
        buf = self.buffers.get(uri)
        if buf is None:
            return None
        found = self.analyses.get(uri)
        if found is not None and found.buffer.version == buf.version:
            return found
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        return await self.refresh(uri)
