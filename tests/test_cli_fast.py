"""``validate`` read without typer (corpuskit/cli_validate.py) reads exactly what typer reads.

The entry point reads common ``validate`` command lines itself and hands every other one to the
typer application. Whatever it reads must give the same options as typer would: the option
table is checked against typer's declarations, and command lines (hand-picked and generated)
are read both ways and compared. Typer's reading is caught where both paths meet, at
``cli_validate.validate``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT
from corpuskit import cli_validate
from corpuskit.cli import app
from corpuskit.cli_validate import (
    VALIDATE_ENVVARS,
    VALIDATE_OPTIONS,
    ValidateArgs,
    parse_validate,
)

ENV_NAMES = tuple(VALIDATE_ENVVARS.values())


def typer_reading(argv: list[str], env: dict[str, str]) -> ValidateArgs | None:
    """What the typer application passes to ``validate`` for ``argv`` (None: it refused the
    command line, or never got there)."""
    caught: list[ValidateArgs] = []

    def catch(args: ValidateArgs) -> int:
        caught.append(args)
        return 0

    original = cli_validate.validate
    cli_validate.validate = catch  # type: ignore[assignment]
    try:
        CliRunner().invoke(app, argv, env={name: env.get(name) for name in ENV_NAMES})
    finally:
        cli_validate.validate = original
    return caught[0] if caught else None


def fast_reading(argv: list[str], env: dict[str, str]) -> ValidateArgs | None:
    """What the entry point reads from ``argv`` with ``env`` set."""
    saved = {name: os.environ.pop(name, None) for name in ENV_NAMES}
    try:
        os.environ.update({k: v for k, v in env.items() if k in ENV_NAMES})
        return parse_validate(argv)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def test_the_table_is_typers_declaration_of_validate() -> None:
    # Typer carries its own copy of click: its classes are read by what they declare.
    command = typer.main.get_command(app)
    declared: dict[str, tuple[str, object]] = {}
    envvars = {}
    for param in command.commands["validate"].params:  # type: ignore[attr-defined]
        if param.param_type_name == "argument":
            assert param.name == "paths" and param.nargs == -1
            continue
        assert param.param_type_name == "option" and param.name is not None
        if param.envvar:
            envvars[param.name] = param.envvar
        if param.is_flag:
            declared.update({opt: (param.name, True) for opt in param.opts})
            declared.update({opt: (param.name, False) for opt in param.secondary_opts})
            continue
        if param.multiple:
            kind = "list"
        elif param.type.name == "int range":
            assert param.type.min == 1 and param.type.max is None
            kind = "count"
        elif param.type.name == "path":
            kind = "path"
        else:
            assert param.type.name in ("text", "str")  # typer names them so
            kind = "text"
        declared.update({opt: (param.name, kind) for opt in param.opts})
    assert declared == VALIDATE_OPTIONS
    assert envvars == VALIDATE_ENVVARS
    assert set(ValidateArgs.__struct_fields__) == {f for f, _ in declared.values()} | {"paths"}


AGREED = [
    ["validate"],
    ["validate", "a.json"],
    ["validate", "-"],
    ["validate", "a.json", "corpus", "--no-cache"],
    ["validate", "--no-cache", "-j", "2", "corpus"],
    ["validate", "--jobs=3", "--format", "json", "x.xml"],
    ["validate", "--format=sarif", "--output-file", "out.sarif", "--quiet"],
    ["validate", "-q", "--strict", "--color", "--exit-zero", "--statistics"],
    ["validate", "--no-strict", "--no-color", "--isolated", "--show-files"],
    ["validate", "--select", "O", "--select=R001", "--ignore", "S", "--extend-select", "W"],
    ["validate", "--config", "c.toml", "--scheme", "s.toml", "--cache-dir", ".c"],
    ["validate", "--changed-since", "HEAD~1", "--baseline", "b.json", "--show-settings"],
    ["validate", "--write-baseline", "b.json", "--executor", "dask", "--scheduler", "tcp://h:1"],
    ["validate", "-", "--stdin-filename", "corpus/a.json"],
    ["validate", "--jobs", "123456"],
]
HANDED_ON = [
    [],
    ["--help"],
    ["validate", "--help"],
    ["fix", "a.json"],
    ["validate", "--", "a.json"],
    ["validate", "--jobs", "0"],
    ["validate", "--baseline", "json", "\x00"],  # a NUL in a path (hypothesis found it)
    ["validate", "--jobs", "02"],
    ["validate", "--jobs", "+2"],
    ["validate", "--jobs", "1234567"],
    ["validate", "-j2"],
    ["validate", "-qj", "2"],
    ["validate", "--format"],
    ["validate", "--format", "-q"],
    ["validate", "--format="],
    ["validate", "--format", "json", "--format", "text"],
    ["validate", "--quiet", "--quiet"],
    ["validate", "--strict", "--no-strict"],
    ["validate", "--quiet=yes"],
    ["validate", "--forma", "json"],
    ["validate", ""],
]


@pytest.mark.parametrize("argv", AGREED, ids=" ".join)
def test_command_lines_read_here_are_read_as_typer_reads_them(argv: list[str]) -> None:
    fast = fast_reading(argv, {})
    assert fast is not None
    assert fast == typer_reading(argv, {})


@pytest.mark.parametrize("argv", HANDED_ON, ids=" ".join)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fast_reading(argv, {}) is None


@pytest.mark.parametrize(
    "env",
    [
        {"CORPUSKIT_OUTPUT_FORMAT": "json"},
        {"CORPUSKIT_OUTPUT_FORMAT": ""},
        {"CORPUSKIT_CACHE_DIR": ".cache/x"},
        {"CORPUSKIT_CACHE_DIR": "", "CORPUSKIT_OUTPUT_FORMAT": "github"},
    ],
)
@pytest.mark.parametrize("argv", [["validate", "a.json"], ["validate", "--format", "text"]])
def test_environment_variables_as_typer_reads_them(argv: list[str], env: dict[str, str]) -> None:
    fast = fast_reading(argv, env)
    assert fast is not None
    assert fast == typer_reading(argv, env)


def _option_tokens(name: str) -> st.SearchStrategy[list[str]]:
    kind = VALIDATE_OPTIONS[name][1]
    if isinstance(kind, bool):
        return st.just([name])
    values = st.one_of(
        st.sampled_from(["json", "a.json", "3", "0", "-x", "", "=", "x=y", "-", "12", " 1"]),
        st.text(max_size=4),
    )
    return values.flatmap(
        lambda v: st.sampled_from([[name, v], [f"{name}={v}"]] if name[:2] == "--" else [[name, v]])
    )


TOKENS = st.one_of(
    st.sampled_from(sorted(VALIDATE_OPTIONS)).flatmap(_option_tokens),
    st.sampled_from([["a.json"], ["-"], ["--"], ["--nope"], ["-x"], ["dir/"], ["--help"]]),
    st.text(max_size=5).map(lambda t: [t]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(TOKENS, max_size=6), st.sampled_from([{}, {"CORPUSKIT_OUTPUT_FORMAT": "json"}]))
def test_generated_command_lines_agree(parts: list[list[str]], env: dict[str, str]) -> None:
    argv = ["validate", *(token for part in parts for token in part)]
    fast = fast_reading(argv, env)
    if fast is not None:
        assert fast == typer_reading(argv, env), argv


def test_validate_does_not_import_typer(tmp_path: Path) -> None:
    document = ROOT / "tests" / "fixtures" / "seed" / "iran-russia-missiles.json"
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "corpuskit",
            "validate",
            "--no-cache",
            "-q",
            str(document),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "typer" not in imported and "click" not in imported
    assert "corpuskit.cli_validate" in imported


def test_a_usage_error_read_here_exits_2_with_the_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "nope", "a.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("corpuskit: error: unknown format 'nope'")
    assert "Traceback" not in result.stderr
