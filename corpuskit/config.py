"""Corpus configuration: ``[tool.corpuskit]`` in pyproject.toml, or a corpuskit.toml.

Searched upward from the working directory (and, for the scheme, from each document); the
nearest file that has the table wins, and paths in it are relative to that file's folder.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from corpuskit.diagnostics import CorpuskitError
from corpuskit.formats import name_suffix
from corpuskit.io import found_folder, found_name, found_path
from corpuskit.scheme import Scheme, load_scheme

if TYPE_CHECKING:
    from corpuskit.engine import Settings

#: Where the corpus is when nothing says otherwise.
DEFAULT_PATHS = ("corpus",)
#: Keys allowed in the configuration, with what each holds (the README lists them too).
KEYS = {
    "paths": "folders or files to check when no path is given (list of strings)",
    "include": 'globs a document must match, relative to the configuration (default ["*.json", "*.xml"])',
    "exclude": "globs of documents never to check (list of strings)",
    "scheme": "the annotation scheme (a TOML file) the corpus follows (string)",
    "format": "the default output format (string)",
    "select": "rule codes, families or names to report (default: all)",
    "ignore": "rule codes, families or names never to report",
    "severity": 'per-rule severity, e.g. { O102 = "error", R101 = "warning" }',
    "per-file-ignores": 'codes to ignore per glob, e.g. { "corpus/legacy/*" = ["O101"] }',
    "strict": "treat warnings as failures (boolean)",
    "cache-dir": 'where results are cached (string, default ".corpuskit_cache")',
    "max-file-size": "files larger than this many bytes are not read (integer, default 64 MiB)",
}
SEVERITIES = ("error", "warning")


class ConfigError(CorpuskitError):
    """The configuration is unusable (exit code 2)."""


def _posix(path: Path | str) -> str:
    """``Path(path).as_posix()``, without a Path for a name already in that form (discovery's
    names outside the project: one a file)."""
    if (
        isinstance(path, str)
        and os.sep == "/"
        and path
        and path != "."
        and "//" not in path
        and "/./" not in path
        and not path.startswith("./")
        and not path.endswith(("/", "/."))
    ):
        return path
    return Path(path).as_posix()


class Config(msgspec.Struct, frozen=True):
    """The configuration in force and the file it came from (None: built-in defaults)."""

    root: Path
    source: Path | None = None
    paths: tuple[str, ...] = DEFAULT_PATHS
    include: tuple[str, ...] = ("*.json", "*.xml")
    exclude: tuple[str, ...] = ()
    scheme: str | None = None
    format: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    strict: bool = False
    cache_dir: str = ".corpuskit_cache"
    max_file_size: int = 64 * 1024 * 1024

    def scheme_path(self) -> Path | None:
        """The configured scheme file, relative to the configuration's folder."""
        return self.root / self.scheme if self.scheme else None

    def resolved_paths(self) -> list[Path]:
        """The configured paths, relative to the configuration's folder; ConfigError for one
        that leads out of the project (a configuration may come from a pull request, and the
        reports quote what they check)."""
        project = Path(os.path.realpath(self.root))
        out = []
        for given in self.paths:
            path = self.root / given
            real = Path(os.path.realpath(path))
            if not (real == project or real.is_relative_to(project)):
                where = f" ({self.source})" if self.source else ""
                raise ConfigError(
                    f'paths: "{given}" leads outside the project ({project}){where}; name a '
                    "folder outside the project on the command line if you mean it"
                )
            out.append(path)
        return out

    def cache_folder(self, checked: list[Path]) -> Path:
        """The cache folder, confined: inside the project (or the user's cache folder), and
        never where documents are looked for; ConfigError otherwise."""
        return confined_cache_folder(self.root, self.root / self.cache_dir, checked)

    def relative(self, path: Path | str) -> str:
        """``path`` relative to the configuration's folder, POSIX-style (for glob matching)."""
        # Strings, not Paths: this runs for every discovered file.
        found, root = found_name(path), os.fspath(self.root)
        if found == root:
            return "."
        prefix = root if root.endswith(os.sep) else root + os.sep
        if found.startswith(prefix):
            return found[len(prefix) :].replace(os.sep, "/")
        return _posix(path)

    def relative_name(self, path: str) -> str:
        """A reported path relative to the configuration's folder (for baselines)."""
        return self.relative(Path(path))

    def selects(self, path: Path | str) -> bool:
        """Whether include/exclude let ``path`` be checked (``*`` also matches ``/``)."""
        rel = self.relative(path)
        if isinstance(path, Path):
            name, suffix = path.name, path.suffix
        else:
            name = os.path.basename(path)
            suffix = name_suffix(name)
        return self._selected(rel, name, suffix)

    def selector(self) -> Callable[[str, str], bool]:
        """:meth:`selects` for discovery's (folder, name) pairs, a listing's names: the
        folder's place relative to the configuration is worked out once per folder, not once
        per file (a run may list tens of thousands)."""
        root = os.fspath(self.root)
        prefix = root if root.endswith(os.sep) else root + os.sep
        # The folder last seen and its relative name with a trailing "/" (None: not below the
        # configuration's folder, whose files each take selects' own way).
        last: list[Any] = [None, None]

        def select(folder: str, name: str) -> bool:
            if folder != last[0]:
                found = found_folder(folder)
                last[:] = [
                    folder,
                    ""
                    if found == root
                    else found[len(prefix) :].replace(os.sep, "/") + "/"
                    if found.startswith(prefix)
                    else None,
                ]
            below = last[1]
            if below is None:
                return self.selects(os.path.join(folder, name))
            return self._selected(below + name, name, name_suffix(name))

        return select

    def _selected(self, rel: str, name: str, suffix: str) -> bool:
        names = [rel, name]
        if suffix != suffix.lower():
            # B.JSON is a document to discovery (formats ignore the suffix's case): globs too.
            names += [rel[: -len(suffix)] + suffix.lower(), name[: -len(suffix)] + suffix.lower()]
        if not any(fnmatch.fnmatchcase(n, g) for n in names for g in self.include):
            return False
        return not self._excludes(rel)

    def excludes(self, path: Path) -> bool:
        """Whether an exclude glob (or a folder named by one) covers ``path``."""
        return self._excludes(self.relative(path))

    def _excludes(self, rel: str) -> bool:
        return any(
            fnmatch.fnmatchcase(rel, g) or rel.startswith(g.rstrip("/") + "/") for g in self.exclude
        )


#: The largest max-file-size a configuration may set.
MAX_FILE_SIZE_CAP = 1 << 40
#: A configuration file larger than this is not read.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


def user_cache_root() -> Path:
    """The user's own cache folder for corpuskit (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "corpuskit"


def confined_cache_folder(root: Path, folder: Path, checked: list[Path]) -> Path:
    """``folder`` (resolved) if a cache may live there, else ConfigError.

    A configuration may come from a pull request: its cache-dir must not reach outside the
    project (``../elsewhere``), nor sit among the documents, where whatever a pull request
    commits there would be read as cached results.
    """
    real = Path(os.path.realpath(folder))
    project = Path(os.path.realpath(root))
    allowed = [project, Path(os.path.realpath(user_cache_root()))]
    if not any(real == a or real.is_relative_to(a) for a in allowed):
        raise ConfigError(
            f'cache-dir "{folder}" is outside the project ({project}) and the user cache '
            f"folder ({allowed[1]}); choose a folder inside the project, or use --no-cache"
        )
    if real == project:
        raise ConfigError(
            f'cache-dir "{folder}" is the project folder itself; use a folder of its own, such as '
            '".corpuskit_cache"'
        )
    for given in checked:
        place = Path(os.path.realpath(given))
        if place.is_relative_to(real):
            raise ConfigError(
                f'cache-dir "{folder}" contains the checked path {given}; use a folder of its own'
            )
        if not os.path.isdir(place) or not (real == place or real.is_relative_to(place)):
            continue
        below = real.relative_to(place).parts
        # Discovery never enters hidden folders, so a hidden cache folder is not among documents.
        if not any(part.startswith(".") for part in below):
            raise ConfigError(
                f'cache-dir "{folder}" is inside the checked folder {given}; use a hidden '
                "folder (its name starting with a dot) or one outside the checked paths"
            )
    return real


def _table(path: Path) -> dict[str, Any] | None:
    from corpuskit.io import read_text_input

    try:
        data = tomllib.loads(read_text_input(path, root=path.parent, limit=MAX_CONFIG_BYTES))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("corpuskit") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else None
    return data


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{path}: "{key}" must be a list of strings, e.g. {key} = ["corpus"]')
    return tuple(value)


def _parse(path: Path, folder: Path, table: dict[str, Any]) -> Config:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        # A [tool.corpuskit] table copied from a pyproject.toml into corpuskit.toml
        headed = unknown[0] == "tool" and path.name != "pyproject.toml"
        hint = "; in corpuskit.toml, leave out the [tool.corpuskit] header" if headed else ""
        raise ConfigError(
            f'{path}: unknown configuration key "{unknown[0]}" (allowed: {", ".join(KEYS)}){hint}'
        )
    values: dict[str, Any] = {}
    for key in ("paths", "include", "exclude", "select", "ignore"):
        if key in table:
            values[key] = _strings(path, key, table[key])
    for key in ("scheme", "format", "cache-dir"):
        if key in table:
            if not isinstance(table[key], str) or not table[key]:
                raise ConfigError(f'{path}: "{key}" must be a non-empty string')
            values[key.replace("-", "_")] = table[key]
    if "max-file-size" in table:
        size = table["max-file-size"]
        if (
            not isinstance(size, int)
            or isinstance(size, bool)
            or not 1 <= size <= MAX_FILE_SIZE_CAP
        ):
            raise ConfigError(
                f'{path}: "max-file-size" must be a number of bytes from 1 to '
                f"{MAX_FILE_SIZE_CAP} (1 TiB)"
            )
        values["max_file_size"] = size
    if "strict" in table:
        if not isinstance(table["strict"], bool):
            raise ConfigError(f'{path}: "strict" must be true or false')
        values["strict"] = table["strict"]
    if "severity" in table:
        severity = table["severity"]
        if not isinstance(severity, dict) or not all(v in SEVERITIES for v in severity.values()):
            raise ConfigError(f'{path}: "severity" must map rule codes to "error" or "warning"')
        values["severity"] = tuple((str(k), str(v)) for k, v in severity.items())
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f'{path}: "per-file-ignores" must map globs to lists of codes')
        values["per_file_ignores"] = tuple(
            (str(glob), _strings(path, f"per-file-ignores.{glob}", codes))
            for glob, codes in pfi.items()
        )
    return Config(root=folder, source=path, **values)


def load_config_file(path: Path) -> Config:
    """The configuration in ``path`` (``--config``): a corpuskit.toml, or a pyproject.toml with a
    ``[tool.corpuskit]`` table; its paths are relative to its folder. ConfigError otherwise."""
    if not os.path.lexists(path):
        raise ConfigError(f"--config {path}: no such file or folder")
    if not path.is_file():
        raise ConfigError(f"--config {path}: not a file")
    absolute = Path(os.path.abspath(path))
    table = _table(absolute)
    if table is None:
        raise ConfigError(f"--config {path}: no [tool.corpuskit] table in it")
    return _parse(absolute, Path(os.path.realpath(absolute.parent)), table)


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
            return _parse(candidate, folder, table)
    return Config(root=here)


def rule_code(name: str) -> str:
    """The code of a rule given by code or name (any case); other names upper-cased."""
    from corpuskit.rules import find_rule

    rule = find_rule(name)
    return rule.code if rule else name.upper()


def rule_codes(values: Iterable[str] | None) -> frozenset[str]:
    """Codes from comma-separated codes, family letters or rule names (any case)."""
    return frozenset(
        rule_code(item.strip())
        for value in values or ()
        for item in value.split(",")
        if item.strip()
    )


def build_settings(
    config: Config,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    scheme: Scheme | None = None,
    extend_select: Iterable[str] | None = None,
    *,
    discover_scheme: bool = True,
) -> Settings:
    """The engine settings a configuration gives, with command-line ``select``/``ignore``,
    ``extend_select`` and ``scheme`` on top; ConfigError names the first code that is no rule.

    ``discover_scheme=False`` (``--config``, ``--isolated``) stops documents from taking the
    scheme of a configuration found above them.

    ``validate``, ``fix`` and the language server all build their settings here, so that an
    editor reports exactly what the command line does.
    """
    from corpuskit.diagnostics import Severity
    from corpuskit.engine import Settings

    settings = Settings(
        select=rule_codes(select) or rule_codes(config.select),
        ignore=rule_codes(ignore) | rule_codes(config.ignore),
        extend_select=rule_codes(extend_select),
        severity={rule_code(code): Severity(level) for code, level in config.severity},
        scheme=scheme,
        discover_scheme=discover_scheme,
        max_file_size=config.max_file_size,
        root=config.root,
        per_file_ignores=tuple(
            (str(config.root / glob), rule_codes(codes)) for glob, codes in config.per_file_ignores
        ),
    )
    unknown = settings.check_codes()
    if unknown:
        where = f" (command line or {config.source})" if config.source else ""
        raise ConfigError(
            f"unknown rule code or family {unknown[0]!r}{where}; see 'corpuskit rules'"
        )
    return settings


class SchemeFinder:
    """The scheme each document follows: from the nearest configuration above it, loaded once."""

    def __init__(self, project: Path | None = None) -> None:
        #: Schemes named by configurations inside this folder must lie inside it too.
        self.project = Path(os.path.realpath(project or Path.cwd()))
        self._configs: dict[Path, Config] = {}
        self._schemes: dict[Path, Scheme] = {}
        #: The scheme of each configuration met (None: it names none).
        self._by_config: dict[int, tuple[Config, Scheme | None]] = {}

    def config_for(self, path: Path) -> Config:
        """The configuration that applies to a document (searched from its folder)."""
        folder = found_path(path).parent
        config = self._configs.get(folder)
        if config is None:
            config = self._configs[folder] = load_config(folder)
        return config

    def for_document(self, path: Path) -> Scheme | None:
        """The scheme configured for ``path``'s folder, or None; SchemeError if it is unusable."""
        config = self.config_for(path)
        known = self._by_config.get(id(config))
        if known is not None and known[0] is config:
            return known[1]
        scheme_path = config.scheme_path()
        scheme = None
        if scheme_path is not None:
            root = Path(os.path.realpath(config.root))
            # A nested configuration may name a scheme higher up in the project, never outside.
            project = self.project if root.is_relative_to(self.project) else root
            scheme = self.load(scheme_path, project)
        self._by_config[id(config)] = (config, scheme)
        return scheme

    def load(self, scheme_path: Path, project: Path | None = None) -> Scheme:
        """Load a scheme file once (one a configuration names must lie inside ``project``)."""
        key = Path(os.path.realpath(scheme_path))
        if key not in self._schemes:
            self._schemes[key] = load_scheme(scheme_path, _display(scheme_path), project=project)
        return self._schemes[key]


def _display(path: Path) -> str:
    try:
        return str(Path(os.path.realpath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)
