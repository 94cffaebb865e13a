"""Imports run one way: model -> formats -> scheme -> rules -> engine -> runner/reporters/tools
-> views/interop/server -> cli. A lower layer never imports a higher one, not even inside a
function (the way import cycles used to be dodged)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "corpuskit"

#: Module (dotted, or a package prefix ending in ".") -> layer; the longest match wins.
LAYERS = {
    "corpuskit": 0,
    "corpuskit.model": 0,
    "corpuskit.diagnostics": 0,
    "corpuskit.fixes": 0,
    "corpuskit.io": 0,
    "corpuskit.texts": 0,
    "corpuskit.formats.": 1,
    "corpuskit.formats": 1,
    "corpuskit.scheme": 2,
    "corpuskit.toml_positions": 2,
    "corpuskit.rules.": 3,
    "corpuskit.rules": 3,
    "corpuskit.engine": 4,
    "corpuskit.config": 5,
    "corpuskit.runner": 5,
    "corpuskit.executors": 5,
    "corpuskit.cache": 5,
    "corpuskit.baseline": 5,
    "corpuskit.fixer": 5,
    "corpuskit.reanchor": 5,
    "corpuskit.reanchor_plan": 5,
    "corpuskit.authoring": 5,
    "corpuskit.reporters.": 5,
    "corpuskit.reporters": 5,
    "corpuskit.views.": 6,
    "corpuskit.views": 6,
    "corpuskit.interop.": 6,
    "corpuskit.interop": 6,
    "corpuskit.server.": 6,
    "corpuskit.server": 6,
    "corpuskit.cli": 7,
    "corpuskit.cli_validate": 7,
    "corpuskit.__main__": 7,
    "corpuskit.entry": 7,
}


def layer(module: str) -> int:
    """The layer of a module: its own entry, else its package's."""
    if module in LAYERS:
        return LAYERS[module]
    prefixes = [p for p in LAYERS if p.endswith(".") and module.startswith(p)]
    assert prefixes, f"{module} has no layer: add it to LAYERS"
    return LAYERS[max(prefixes, key=len)]


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("corpuskit"):
            found.add(node.module)
            for alias in node.names:  # from corpuskit.rules import offsets: the submodule
                candidate = f"{node.module}.{alias.name}"
                if (ROOT / (candidate.replace(".", "/") + ".py")).exists():
                    found.add(candidate)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("corpuskit"))
    return found


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _name(path)
        for imported in sorted(_imports(path)):
            if layer(imported) > layer(here):
                wrong.append(f"{here} (layer {layer(here)}) imports {imported} ({layer(imported)})")
    assert wrong == []


def test_the_layer_test_sees_function_level_imports(tmp_path: Path) -> None:
    probe = PACKAGE / "formats" / "json_format.py"
    assert "corpuskit.formats.schema" in _imports(probe)
    assert layer("corpuskit.rules.offsets") > layer("corpuskit.formats.records")
