"""The scheme's typed decode (scheme.typed_valid) and the JSON Schema (jsonschema-rs) agree.

The typed decode may refuse a valid scheme (the schema validator then decides, only slower),
but whatever it accepts the schema must accept too, and the loaded scheme must be the same
whichever way it was vouched for: that is what lets load_scheme skip jsonschema_rs. Checked on
every scheme file in the repository, on every leaf of the seed scheme set to odd values, and
on random mutations of the seed (wrong types, unknown, missing and renamed keys, bad names,
empty strings, big and non-finite numbers, dates, duplicates).
"""

from __future__ import annotations

import copy
import datetime
import math
import random
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuskit import scheme as scheme_module
from corpuskit.scheme import MAX_DECLARATIONS, SchemeError, load_scheme, typed_valid

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed" / "scheme.toml"
SCHEMES = sorted(
    p
    for folder in (ROOT / "tests", ROOT / "corpus")
    for p in folder.rglob("scheme*.toml")
    if "node_modules" not in p.parts
)


@cache
def _validator() -> Any:
    from corpuskit.formats.schema import compile_schema

    return compile_schema(scheme_module._scheme_schema())


def agree(data: dict[str, Any]) -> bool:
    """Assert the agreement for one table; the typed verdict."""
    fast = typed_valid(data)
    if fast:
        assert _validator().is_valid(data), "the typed decode accepted what the schema refuses"
    return fast


def _load_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The scheme (or its SchemeError message) loaded by the typed path and by the schema."""

    def load() -> Any:
        try:
            return load_scheme(path)
        except SchemeError as exc:
            return str(exc)

    fast = load()
    with monkeypatch.context() as patched:
        patched.setattr(scheme_module, "typed_valid", lambda data: False)
        slow = load()
    return fast, slow


def test_the_scheme_files_are_found() -> None:
    assert SEED in SCHEMES and len(SCHEMES) >= 3


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_scheme_file_takes_the_typed_decode_and_loads_the_same(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every scheme in the repository is valid: the typed decode must vouch for each (else it
    # is dead code), and the scheme must be the one the schema path builds.
    assert agree(tomllib.loads(path.read_text("utf-8")))
    fast, slow = _load_both(path, monkeypatch)
    assert fast == slow and fast.digest == slow.digest


def test_a_valid_scheme_loads_without_jsonschema_rs() -> None:
    code = (
        "import sys; from pathlib import Path; from corpuskit.scheme import load_scheme; "
        f"load_scheme(Path({str(SEED)!r})); print('jsonschema_rs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _seed() -> dict[str, Any]:
    return tomllib.loads(SEED.read_text("utf-8"))


ODD: list[Any] = [
    "",
    " ",
    "x",
    "1a",
    "a\n",
    "\n",
    "é",
    "A b",
    "a:b.c-d",
    "PER",
    "ORG",
    "*",
    "mention",
    "entity",
    "mentions",
    "events",
    "required",
    "optional",
    "nested",
    "none",
    "string",
    "integer",
    "1",
    "0-3",
    "3-",
    "+",
    "*?",
    "https://example.org/{id}",
    "https://exa mple.org/{id}",
    "https://example.org/\u00e9/{id}",
    "https://example.org/\u2003{id}",
    "https://example.org/{id}\n",
    "ftp://example.org/{id}",
    0,
    -1,
    1,
    1.0,
    -0.0,
    2**53,
    2**53 - 1,
    2**63,
    -(2**70),
    1.5,
    math.nan,
    math.inf,
    True,
    False,
    [],
    {},
    ["x"],
    ["x", "x"],
    ["PER", "ORG"],
    ["mentions", "mentions"],
    [1, 1.0],
    [True, 1],
    [0.0, -0.0],
    {"description": "d"},
    datetime.date(2024, 1, 1),
    datetime.datetime(2024, 1, 1, 12, 0),
    datetime.time(12, 0),
]
NAMES = ["description", "types", "roles", "kinds", "union", "parent", "url", "Bad Name", "1x"]
NAMES += ["x\n", "", "ok_name", "é", "symmetric", "values", "datatype", "on", "cardinality"]


def _places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the table: the path to each table, array and leaf."""
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _places(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _places(v, (*path, i))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _mutate(data: dict[str, Any], rng: random.Random) -> None:
    """One annotator-like (or hostile) change somewhere in the table."""
    path = rng.choice(list(_places(data)))
    if not path:
        holder, key = None, None
    else:
        holder, key = _at(data, path[:-1]), path[-1]
    node = _at(data, path)
    op = rng.randrange(6)
    if op == 0 and holder is not None:  # a value of another type, or an odd one
        holder[key] = copy.deepcopy(rng.choice(ODD))
    elif op == 1 and isinstance(holder, dict):  # a key left out
        del holder[key]
    elif op == 2 and isinstance(node, dict):  # a key added (known elsewhere, or unknown)
        node[rng.choice(NAMES)] = copy.deepcopy(rng.choice(ODD))
    elif op == 3 and isinstance(holder, dict):  # a key renamed
        holder[rng.choice(NAMES)] = holder.pop(key)
    elif op == 4 and isinstance(node, list) and node:  # an item duplicated
        node.append(copy.deepcopy(rng.choice(node)))
    elif op == 5 and isinstance(node, list):  # an item added
        node.append(copy.deepcopy(rng.choice(ODD)))
    elif holder is not None:
        holder[key] = copy.deepcopy(rng.choice(ODD))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_mutations_of_the_seed_agree(seed: int, changes: int) -> None:
    rng = random.Random(seed)
    data = _seed()
    for _ in range(changes):
        _mutate(data, rng)
    agree(data)


def test_mutations_reach_both_verdicts() -> None:
    # Otherwise the property above would be vacuous (all refused) or blind (all accepted).
    verdicts = []
    for seed in range(300):
        rng = random.Random(seed)
        data = _seed()
        _mutate(data, rng)
        verdicts.append(agree(data))
    assert 20 < sum(verdicts) < 280


def test_every_leaf_of_the_seed_set_to_an_odd_value_agrees() -> None:
    data = _seed()
    accepted = places = 0
    for path in list(_places(data)):
        if not path:
            continue
        places += 1
        holder, key = _at(data, path[:-1]), path[-1]
        original = holder[key]
        for odd in ODD:
            holder[key] = copy.deepcopy(odd)
            accepted += agree(data)
        holder[key] = original
    assert places > 100 and accepted > 0


# Each is valid TOML the schema refuses (or, for the value types, that the typed decode leaves
# to the schema): the typed decode must refuse it, and the schema path words the problem.
HEADER = '[scheme]\nname = "s"\nversion = "1"\n[types.A]\ndescription = "a"\n'
REFUSED = {
    "unknown top-level key": "[extra]\nx = 1\n",
    "unknown key in a type": '[types.B]\ndescription = "b"\ncolour = "red"\n',
    "bad type name": '[types."1B"]\ndescription = "b"\n',
    "type name ending in a line break": '[types."B\\n"]\ndescription = "b"\n',
    "empty description": '[types.B]\ndescription = ""\n',
    "missing description": '[types.B]\nparent = "A"\n',
    "empty kinds": '[types.B]\ndescription = "b"\nkinds = []\n',
    "repeated kind": '[types.B]\ndescription = "b"\nkinds = ["mention", "mention"]\n',
    "unknown kind": '[types.B]\ndescription = "b"\nkinds = ["word"]\n',
    "relation without roles": '[relations.R]\ndescription = "r"\n',
    "bad cardinality": (
        '[events.E]\ndescription = "e"\n[events.E.roles.r]\ntypes = ["A"]\ncardinality = "2-"\n'
    ),
    "url without {id}": (
        '[knowledge_bases.K]\nid_pattern = "Q[0-9]+"\nurl = "https://example.org/"\n'
    ),
    "integer version": "",  # set below: the header's version replaced
    "non-finite value": ('[attributes.x]\ndescription = "x"\non = ["mentions"]\nvalues = [nan]\n'),
    "equal numbers": '[attributes.x]\ndescription = "x"\non = ["mentions"]\nvalues = [1, 1.0]\n',
    "a date value": (
        '[attributes.x]\ndescription = "x"\non = ["mentions"]\nvalues = [2024-01-01]\n'
    ),
    "unknown overlap policy": '[policies]\nmention_overlap = "some"\n',
    "boolean as a string": '[policies]\nword_boundaries = "yes"\n',
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_typed_decode_refuses(name: str) -> None:
    text = HEADER + REFUSED[name]
    if name == "integer version":
        text = text.replace('version = "1"', "version = 1")
    assert not typed_valid(tomllib.loads(text))


def test_the_declaration_limit_is_the_schemas() -> None:
    data = _seed()
    data["types"] = {f"T{i}": {"description": "t"} for i in range(MAX_DECLARATIONS)}
    assert agree(data)
    data["types"]["one_more"] = {"description": "t"}
    assert not typed_valid(data) and not _validator().is_valid(data)


def test_a_refused_scheme_is_worded_by_the_schema(tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(HEADER + REFUSED["unknown key in a type"], "utf-8")
    with pytest.raises(
        SchemeError, match=r"invalid scheme at types.B.colour: unknown key \"colour\""
    ):
        load_scheme(scheme)


@pytest.mark.parametrize("where", ["values", "description", "unknown"])
def test_a_deeply_nested_table_is_still_refused_as_too_deep(tmp_path: Path, where: str) -> None:
    # The depth walk runs only for a table the typed decode refuses: a deep one always is.
    deep = "[" * 40 + "1" + "]" * 40
    body = {
        "values": f'[attributes.x]\ndescription = "x"\non = ["mentions"]\nvalues = {deep}\n',
        "description": f"[types.B]\ndescription = {deep}\n",
        "unknown": f"[policies]\nextra = {deep}\n",
    }[where]
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(HEADER + body, "utf-8")
    assert not typed_valid(tomllib.loads(HEADER + body))
    with pytest.raises(SchemeError, match="nested more than 32 deep"):
        load_scheme(scheme)
