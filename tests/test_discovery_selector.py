"""Discovery's per-folder selector agrees with ``Config.selects`` on every file it is asked about.

``Config.selector`` works a folder's place relative to the configuration out once per folder
instead of once per file; it must give exactly ``selects``' answer for every (folder, name) a
listing can yield: folders below the configuration, the configuration's own folder, folders
outside it, folders reached through a symbolic link, names whose suffix is upper-case.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuskit.config import Config
from corpuskit.io import remembered_folders

NAMES = st.sampled_from(
    ["a.json", "b.xml", "C.JSON", "d.Xml", "notes.txt", "x y.json", "é.json", "sub", "proj"]
)
GLOBS = st.sampled_from(
    [
        "*",
        "*.json",
        "*.xml",
        "*.JSON",
        "sub/*",
        "sub/*.json",
        "sub/a.json",
        "sub/?.json",
        "sub",
        "deep/er/*.json",
        "deep",
        "*/a.json",
        "a.json",
        "out/*",
        "?.xml",
    ]
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """outside/proj (the configuration's folder) with sub/, deep/er/, a link inside to sub/ and
    a link to a folder outside the project."""
    top = tmp_path_factory.mktemp("sel")
    proj = top / "proj"
    for folder in (proj / "sub", proj / "deep" / "er", top / "out"):
        folder.mkdir(parents=True)
    (proj / "via-link").symlink_to(proj / "sub")
    (proj / "out-link").symlink_to(top / "out")
    return top


FOLDERS = st.sampled_from(
    [
        "proj",
        "proj/sub",
        "proj/deep/er",
        "proj/via-link",
        "proj/out-link",
        "out",
        ".",
        "proj/../proj/sub",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    folders=st.lists(FOLDERS, min_size=1, max_size=6),
    names=st.lists(NAMES, min_size=1, max_size=4),
    include=st.lists(GLOBS, min_size=1, max_size=3),
    exclude=st.lists(GLOBS, max_size=2),
    absolute=st.booleans(),
)
def test_selector_agrees_with_selects(
    tree: Path,
    folders: list[str],
    names: list[str],
    include: list[str],
    exclude: list[str],
    absolute: bool,
) -> None:
    config = Config(root=tree / "proj", include=tuple(include), exclude=tuple(exclude))
    old = os.getcwd()
    os.chdir(tree)
    try:
        with remembered_folders():
            select = config.selector()
            for folder in folders:
                where = str(tree / folder) if absolute else folder
                for name in names:
                    expected = config.selects(os.path.join(where, name))
                    assert select(where, name) == expected, (where, name)
    finally:
        os.chdir(old)


def test_the_configuration_folder_itself_named_from_its_parent(tree: Path) -> None:
    """A listing of the configuration's parent yields the configuration's own folder as a name:
    ``selects`` calls that "." (selector gives the same answer)."""
    config = Config(root=tree / "proj", include=(".",))
    assert config.selects(str(tree / "proj")) is True
    assert config.selector()(str(tree), "proj") is True
    assert config.selector()(str(tree), "other") is False
