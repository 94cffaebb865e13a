"""A scheme may come from a pull request: its type graph and its tables must not hang, exhaust
memory or crash the loader. Layered unions, long parent chains and cycles are handled in time
linear in the scheme; more than MAX_DECLARATIONS entries in a table is a scheme error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import POSITIVE, ROOT
from corpuskit.scheme import MAX_DECLARATIONS, SchemeError, load_scheme

HEADER = '[scheme]\nname = "s"\nversion = "1"\n'
DOC = str(POSITIVE / "minimal.json")
#: A subprocess that takes longer than this has hung (the old loader took minutes or hours).
HANG = 30


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``corpuskit validate`` in a subprocess, failing the test (not hanging it) after HANG s."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    try:
        return subprocess.run(
            [sys.executable, "-m", "corpuskit", "validate", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=HANG,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"corpuskit validate {' '.join(args)} took more than {HANG} s")


def write(tmp_path: Path, body: str) -> Path:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(HEADER + body, "utf-8")
    return scheme


def union_dag(layers: int) -> str:
    """U{i}A and U{i}B both stand for U{i+1}A and U{i+1}B: 2**layers paths, 2*layers+2 types."""
    out = []
    for i in range(layers):
        for side in "AB":
            out.append(
                f'[types.U{i}{side}]\ndescription = "u"\nunion = ["U{i + 1}A", "U{i + 1}B"]\n'
            )
    out += [f'[types.U{layers}{side}]\ndescription = "leaf"\n' for side in "AB"]
    return "".join(out)


def parent_chain(length: int, *, ring: bool = False) -> str:
    """P{i}.parent = P{i-1}; with ``ring``, P0.parent = the last one (a cycle through all)."""
    first = f'parent = "P{length - 1}"\n' if ring else ""
    out = [f'[types.P0]\ndescription = "p"\n{first}']
    out += [f'[types.P{i}]\ndescription = "p"\nparent = "P{i - 1}"\n' for i in range(1, length)]
    return "".join(out)


def timed_load(scheme: Path) -> float:
    start = time.perf_counter()
    load_scheme(scheme)
    return time.perf_counter() - start


def assert_usable(scheme: Path) -> None:
    """The CLI loads the scheme and checks the document: C diagnostics at most, no traceback."""
    result = cli("--scheme", str(scheme), DOC)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "error:" not in result.stderr


def assert_unusable(scheme: Path, line: int, message: str) -> str:
    """load_scheme raises a SchemeError naming the line; the CLI exits 2 with a short message."""
    with pytest.raises(SchemeError, match=re.escape(message)) as caught:
        load_scheme(scheme)
    assert f"scheme.toml:{line}:" in str(caught.value)
    result = cli("--scheme", str(scheme), DOC)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"scheme.toml:{line}:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr) < 2000
    return result.stderr


def test_layered_unions_load_in_linear_time(tmp_path: Path) -> None:
    # 30 layers: 2**30 paths from the top, 62 types, 5 KB (the old expansion never finished).
    scheme = write(tmp_path, union_dag(30))
    assert_usable(scheme)
    assert timed_load(scheme) < 2
    loaded = load_scheme(scheme)
    assert loaded.expand("U0A") == {"U0A"} | {f"U{i}{s}" for i in range(1, 31) for s in "AB"}
    assert loaded.accepts(("U0B",), "U30A", "mentions")
    assert not loaded.accepts(("U1A",), "U0A", "mentions")


def test_a_long_parent_chain_loads_in_linear_time_without_recursion(tmp_path: Path) -> None:
    # 3,000 subtypes, each of the previous one (the old loader hit the recursion limit).
    scheme = write(tmp_path, parent_chain(3000))
    assert_usable(scheme)
    assert timed_load(scheme) < 2
    loaded = load_scheme(scheme)
    assert loaded.accepts(("P0",), "P2999", "entities")
    assert loaded.accepts(("P1500",), "P2999", "entities")
    assert not loaded.accepts(("P2999",), "P0", "entities")
    assert len(loaded.expand("P0")) == 3000 and loaded.expand("P2999") == {"P2999"}


def test_a_diamond_is_not_a_cycle(tmp_path: Path) -> None:
    # A stands for B, and B is a subtype of A: two links from A to B, no cycle.
    scheme = write(
        tmp_path,
        '[types.A]\ndescription = "a"\nunion = ["B", "C"]\n'
        '[types.B]\ndescription = "b"\nparent = "A"\n'
        '[types.C]\ndescription = "c"\nparent = "B"\n',
    )
    loaded = load_scheme(scheme)
    assert loaded.expand("A") == {"A", "B", "C"} and loaded.expand("B") == {"B", "C"}


CYCLES = [
    (
        "parent cycle",
        '[types.A]\ndescription = "a"\nparent = "B"\n[types.B]\ndescription = "b"\nparent = "A"\n',
        6,
        'type hierarchy of "A" has a cycle: A is a subtype of B, B is a subtype of A',
    ),
    (
        "own parent",
        '[types.A]\ndescription = "a"\nparent = "A"\n',
        6,
        'type hierarchy of "A" has a cycle: A is a subtype of A',
    ),
    (
        "union cycle",
        '[types.A]\ndescription = "a"\nunion = ["B"]\n'
        '[types.B]\ndescription = "b"\nunion = ["C", "A"]\n[types.C]\ndescription = "c"\n',
        6,
        'type hierarchy of "A" has a cycle: A stands for B (union), B stands for A (union)',
    ),
    (
        "union of a supertype",
        '[types.A]\ndescription = "a"\n[types.B]\ndescription = "b"\nparent = "A"\n'
        '[types.C]\ndescription = "c"\nparent = "B"\n[types.D]\ndescription = "d"\nunion = ["A"]\n'
        'parent = "C"\n',
        8,
        'type hierarchy of "B" has a cycle: B is a subtype of A, C is a subtype of B, '
        "D is a subtype of C, D stands for A (union)",
    ),
]


@pytest.mark.parametrize(("what", "body", "line", "message"), CYCLES, ids=[c[0] for c in CYCLES])
def test_a_cycle_is_a_scheme_error_with_its_line(
    tmp_path: Path, what: str, body: str, line: int, message: str
) -> None:
    assert_unusable(write(tmp_path, body), line, message)


def test_a_cycle_through_thousands_of_types_is_reported_briefly(tmp_path: Path) -> None:
    scheme = write(tmp_path, parent_chain(5000, ring=True))
    stderr = assert_unusable(scheme, 6, 'type hierarchy of "P0" has a cycle: P0 is a subtype of')
    assert "(4994 more)" in stderr


def declarations(table: str, count: int) -> str:
    """``count`` entries in ``table`` (roles: of one event), each valid on its own."""
    if table == "types":
        return "".join(f'[types.T{i}]\ndescription = "t"\n' for i in range(count))
    out = '[types.T]\ndescription = "t"\n'
    if table == "knowledge_bases":
        return out + "".join(f'[knowledge_bases.k{i}]\nid_pattern = "^Q$"\n' for i in range(count))
    if table == "attributes":
        return out + "".join(
            f'[attributes.a{i}]\ndescription = "a"\non = ["events"]\n' for i in range(count)
        )
    if table == "roles":
        return (
            out
            + '[events.e]\ndescription = "e"\n'
            + "".join(f'roles.r{i} = {{ types = ["T"] }}\n' for i in range(count))
        )
    roles = 'roles.r = { types = ["T"] }\n' if table == "relations" else ""
    return out + "".join(f'[{table}.x{i}]\ndescription = "x"\n{roles}' for i in range(count))


#: table -> the line of the first entry, where an over-long table is reported.
TABLES = {
    "types": 4,
    "knowledge_bases": 6,
    "events": 6,
    "relations": 6,
    "attributes": 6,
    "roles": 8,
}


@pytest.mark.parametrize("table", list(TABLES))
def test_more_than_the_limit_of_declarations_is_exit_2(tmp_path: Path, table: str) -> None:
    scheme = write(tmp_path, declarations(table, MAX_DECLARATIONS + 1))
    stderr = assert_unusable(
        scheme,
        TABLES[table],
        f"{MAX_DECLARATIONS + 1} entries, more than the limit of {MAX_DECLARATIONS}",
    )
    assert "help: a scheme declares at most 10,000 of each" in stderr


def test_the_limit_itself_is_allowed(tmp_path: Path) -> None:
    scheme = write(tmp_path, declarations("types", MAX_DECLARATIONS))
    assert len(load_scheme(scheme).types) == MAX_DECLARATIONS


def test_the_schema_publishes_the_same_limit() -> None:
    schema = json.loads((ROOT / "schema" / "scheme.schema.json").read_text("utf-8"))
    tables = [schema["properties"][t] for t in TABLES if t != "roles"]
    for table in [*tables, schema["$defs"]["roles"]]:
        assert table["maxProperties"] == MAX_DECLARATIONS
