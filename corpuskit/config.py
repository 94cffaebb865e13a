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

#: Where the corpus is when nothing says otherwise.
DEFAULT_PATHS = ("corpus",)
#: Keys allowed in the configuration, with what each holds.
KEYS = {
    "paths": "folders or files to check when no path is given",
    "select": "rule codes or families to report (default: all)",
    "ignore": "rule codes or families never to report",
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
            values = {k: _strings(candidate, k, v) for k, v in table.items()}
            return Config(root=folder, source=candidate, **values)
    return Config(root=here)
