"""The project an editor has open: its configuration, each document's scheme and settings, and
the check of a buffer, exactly as ``corpuskit validate`` does it for a file on disk.

Configuration and schemes are re-read when their files change (checked by stat before each
check), so editing ``scheme.toml`` takes effect on the next keystroke in a document.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from msgspec.structs import replace as struct_replace

from corpuskit.config import Config, SchemeFinder, build_settings, load_config
from corpuskit.diagnostics import CorpuskitError
from corpuskit.engine import FileReport, Settings, check_bytes, internal_error, too_large
from corpuskit.formats import format_of

#: How much of a buffer is read to tell whether it declares itself a corpuskit document.
SNIFF_CHARS = 4096
JSON_MARK = '"corpuskit"'
XML_NAMESPACE = "https://corpuskit.dev/ns/document/1.0"


@dataclass(frozen=True, slots=True)
class Checked:
    """A buffer's report, and the problem with the configuration or scheme if there is one
    (the check then ran without it, and the editor shows why)."""

    report: FileReport
    settings: Settings
    setup_problem: str | None = None


def buffer_format(path: Path | None, language_id: str) -> str | None:
    """``json`` or ``xml`` from the file name, else from the editor's language id."""
    found = format_of(path) if path is not None else None
    if found is None and language_id in ("json", "jsonc", "xml"):
        found = "xml" if language_id == "xml" else "json"
    return found


class Project:
    """Settings for the documents under one folder (the editor's workspace root)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        #: Every configuration and scheme file read so far -> its modification time.
        self._stamps: dict[Path, int | None] = {}
        self._loaded: tuple[Config, SchemeFinder] | CorpuskitError | None = None

    @staticmethod
    def _stamp(path: Path) -> int | None:
        try:
            return os.stat(path).st_mtime_ns
        except OSError:
            return None

    def _watch(self, *paths: Path | None) -> None:
        for path in paths:
            if path is not None and path not in self._stamps:
                self._stamps[path] = self._stamp(path)

    def _fresh(self) -> tuple[Config, SchemeFinder]:
        """The configuration and scheme finder, loaded again when a configuration or scheme
        file read so far changed; an unusable configuration raises its error until edited."""
        if self._loaded is None or any(self._stamp(p) != t for p, t in self._stamps.items()):
            self._stamps = {}
            self._watch(self.root / "corpuskit.toml", self.root / "pyproject.toml")
            try:
                config = load_config(self.root)
                self._loaded = (config, SchemeFinder(self.root))
                self._watch(config.source, config.scheme_path())
            except CorpuskitError as exc:
                self._loaded = exc
        if isinstance(self._loaded, CorpuskitError):
            raise self._loaded
        return self._loaded

    def wants(self, path: Path | None, source: str, fmt: str) -> bool:
        """Whether a buffer is a corpuskit document: it declares itself one (the ``corpuskit``
        key, the XML namespace), or it is a file the configured corpus includes."""
        try:
            config: Config | None = self._fresh()[0]
        except CorpuskitError:
            config = None  # shown by check(); a document that says what it is is still checked
        if path is not None and config is not None and config.excludes(path):
            return False  # "never checked", as validate has it
        if (JSON_MARK if fmt == "json" else XML_NAMESPACE) in source[:SNIFF_CHARS]:
            return True
        if path is None or config is None:
            return False
        real = path.resolve()
        inside = any(real.is_relative_to(p.resolve()) for p in config.resolved_paths())
        return inside and config.selects(path)

    def settings_for(self, path: Path | None) -> tuple[Settings, str | None]:
        """The settings ``validate`` would use for ``path``, and why they lack the project's
        configuration or scheme if they do (an unusable file)."""
        try:
            config, finder = self._fresh()
            settings = build_settings(config)
        except CorpuskitError as exc:
            return Settings(root=self.root), f"configuration not used: {exc}"
        if path is None:
            path = self.root / "untitled.json"
        try:
            nearest = finder.config_for(path)  # a folder's own configuration may name a scheme
            self._watch(nearest.source, nearest.scheme_path())
            scheme = finder.for_document(path)
        except CorpuskitError as exc:
            return settings, f"scheme not used: {exc}"
        return (struct_replace(settings, scheme=scheme) if scheme is not None else settings), None

    def check(self, source: str, path: Path | None, fmt: str) -> Checked:
        """Check a buffer's text as ``validate`` checks the file (never raises)."""
        settings, problem = self.settings_for(path)
        name = str(path) if path is not None else f"untitled.{fmt}"
        display = self.display(path) if path is not None else name
        # The engine picks the format by the name's suffix: keep it right for odd file names.
        if format_of(display) != fmt:
            display = f"{display}.{fmt}"
        data = source.encode("utf-8", "surrogatepass")
        if len(data) > settings.max_file_size:
            return Checked(too_large(display, len(data), settings.max_file_size), settings, problem)
        try:
            report = check_bytes(data, display, settings, match_path=str(Path(name).resolve()))
        except Exception as exc:  # a bug must not take the server down
            report = internal_error(display, exc)
        return Checked(report, settings, problem)

    def display(self, path: Path) -> str:
        """A path as messages show it: relative to the project when inside it."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
