"""Document formats, one module each, every one with load/loads/dump/dumps, parse and a locator.

Modules are imported on first use so that checking JSON never imports lxml.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

#: File suffix -> format name.
FORMAT_BY_SUFFIX = {".json": "json", ".xml": "xml"}
_MODULES = {"json": "corpuskit.formats.json_format", "xml": "corpuskit.formats.xml_format"}


def format_module(name: str) -> ModuleType:
    """The module implementing format ``name`` (``json`` or ``xml``)."""
    module = _MODULES[name]
    __import__(module)  # not importlib.import_module: importing importlib costs a start ~1 ms
    return sys.modules[module]


def format_of(path: str | Path) -> str | None:
    """The format of a file, from its suffix, or None when corpuskit does not read it."""
    name = os.path.basename(path)
    if not name:  # "folder/": what Path makes of it
        return FORMAT_BY_SUFFIX.get(Path(path).suffix.lower())
    return FORMAT_BY_SUFFIX.get(name_suffix(name).lower())


def name_suffix(name: str) -> str:
    """``Path(name).suffix`` of a file name, without making a Path (it runs once a file):
    from the last dot, when that dot is neither first nor last."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def escape_pointer_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def schema_dir() -> Path:
    """The folder holding the published schemas (inside the installed package).

    Here, not in :mod:`corpuskit.formats.schema`: the cache fingerprints the schemas in every
    cached run, which need none of the JSON-Schema helpers."""
    # A plain folder first: importlib.resources costs a run ~5 ms of imports (zipfile).
    installed = Path(__file__).resolve().parents[1] / "schema"
    if (installed / "document.schema.json").is_file():
        return installed
    checkout = Path(__file__).resolve().parents[2] / "schema"
    if (checkout / "document.schema.json").is_file():
        return checkout
    from importlib import resources

    try:
        folder = Path(str(resources.files("corpuskit.schema")))
        if (folder / "document.schema.json").is_file():
            return folder
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "schema"
