"""Corpus configuration: ``[tool.corpuskit]`` in pyproject.toml, or a corpuskit.toml.

Searched upward from the working directory; the nearest file that has the table wins, and
paths in it are relative to that file's folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuskit.diagnostics import CorpuskitError
from corpuskit.scheme import Scheme, load_scheme

#: Where the corpus is when nothing says otherwise.
DEFAULT_PATHS = ("corpus",)
#: Keys allowed in the configuration, with what each holds.
KEYS = {
    "paths": "folders or files to check when no path is given",
    "select": "rule codes or families to report (default: all)",
    "ignore": "rule codes or families never to report",
    "scheme": "the annotation scheme (a TOML file) the corpus follows",
}


class ConfigError(CorpuskitError):
    """The configuration is unusable (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Config:
    """The configuration in force and the file it came from (None: built-in defaults)."""

    root: Path
    source: Path | None = None
    paths: tuple[str, ...] = DEFAULT_PATHS
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = field(default_factory=tuple)
    scheme: str | None = None

    def scheme_path(self) -> Path | None:
        """The configured scheme file, relative to the configuration's folder."""
        return self.root / self.scheme if self.scheme else None

    def resolved_paths(self) -> list[Path]:
        """The configured paths, relative to the configuration's folder."""
        return [self.root / p for p in self.paths]


def _table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("corpuskit") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else None
    return data


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{path}: "{key}" must be a list of strings, e.g. {key} = ["corpus"]')
    return tuple(value)


def load_config(start: Path | None = None) -> Config:
    """The nearest configuration at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("corpuskit.toml", "pyproject.toml"):
            candidate = folder / name
            if not candidate.is_file():
                continue
            table = _table(candidate)
            if table is None:
                continue
            unknown = sorted(set(table) - set(KEYS))
            if unknown:
                allowed = ", ".join(KEYS)
                raise ConfigError(
                    f'{candidate}: unknown configuration key "{unknown[0]}" (allowed: {allowed})'
                )
            scheme = table.pop("scheme", None)
            if scheme is not None and not isinstance(scheme, str):
                raise ConfigError(
                    f'{candidate}: "scheme" must be a path, e.g. scheme = "corpus/scheme.toml"'
                )
            values = {k: _strings(candidate, k, v) for k, v in table.items()}
            return Config(root=folder, source=candidate, scheme=scheme, **values)
    return Config(root=here)


class SchemeFinder:
    """The scheme each document follows: from the nearest configuration above it, loaded once."""

    def __init__(self) -> None:
        self._configs: dict[Path, Config] = {}
        self._schemes: dict[Path, Scheme] = {}

    def for_document(self, path: Path) -> Scheme | None:
        """The scheme configured for ``path``'s folder, or None; SchemeError if it is unusable."""
        folder = path.resolve().parent
        config = self._configs.get(folder)
        if config is None:
            config = self._configs[folder] = load_config(folder)
        scheme_path = config.scheme_path()
        return self.load(scheme_path) if scheme_path else None

    def load(self, scheme_path: Path) -> Scheme:
        """Load a scheme file once."""
        key = scheme_path.resolve()
        if key not in self._schemes:
            self._schemes[key] = load_scheme(scheme_path, _display(scheme_path))
        return self._schemes[key]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
