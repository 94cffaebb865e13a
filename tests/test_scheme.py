"""The annotation scheme: loading and its errors, and every constraint on a copy of the corpus."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import CORPUS, ROOT, run_cli
from corpuskit.scheme import Cardinality, SchemeError, load_scheme
from corpuskit.toml_positions import TomlPositions

SCHEME = CORPUS / "scheme.toml"
DOC = "iran-russia-missiles.json"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A scratch project: corpus/ with the document and its scheme, and a corpuskit.toml."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    (tmp_path / "corpuskit.toml").write_text('paths = ["corpus"]\nscheme = "corpus/scheme.toml"\n')
    return tmp_path


def scheme_line(needle: str) -> int:
    """The line of the scheme that contains needle (found without corpuskit)."""
    for number, line in enumerate(SCHEME.read_text("utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


# (code, old text, new text, anchor in the broken file, column offset in the anchor, scheme line needle)
CASES = [
    (
        "C001",
        '"id": "m6", "type": "LOC"',
        '"id": "m6", "type": "REGION"',
        '"REGION"',
        0,
        "[types.PER]",
    ),
    (
        "C002",
        '{"role": "quantity", "ref": "m9"}',
        '{"role": "amount", "ref": "m9"}',
        '"amount"',
        0,
        "[events.transfer]",
    ),
    (
        "C003",
        '"args": [{"role": "theme", "ref": "ev7"}, {"role": "time"',
        '"args": [{"role": "time"',
        '{"id": "ev8"',
        0,
        'roles.theme = { types = ["EVENT"], cardinality = "1" }',
    ),
    (
        "C004",
        '{"role": "quantity", "ref": "m9"}',
        '{"role": "quantity", "ref": "m10"}',
        '{"role": "quantity", "ref": "m10"}',
        28,
        'roles.quantity = { types = ["QUANTITY"]',
    ),
    (
        "C005",
        '"target": "m37", "name": "metonymy"',
        '"target": "ev1", "name": "metonymy"',
        '"target": "ev1", "name": "metonymy"',
        10,
        "[attributes.metonymy]",
    ),
    (
        "C006",
        '"target": "ev2", "name": "realis", "value": "actual"',
        '"target": "ev2", "name": "realis", "value": "certain"',
        '"certain"',
        0,
        "[attributes.realis]",
    ),
    (
        "C008",
        '{"kb": "wikidata", "id": "Q794"}',
        '{"kb": "wikipedia", "id": "Q794"}',
        '"wikipedia"',
        0,
        None,
    ),
    (
        "C009",
        '{"kb": "wikidata", "id": "Q794"}',
        '{"kb": "wikidata", "id": "794"}',
        '"794"',
        0,
        "[knowledge_bases.wikidata]",
    ),
    ("C011", '"speaker": "e26"', '"speaker": "m10"', '"speaker": "m10"', 11, "[quotes]"),
    (
        "C013",
        '{"start": 0, "end": 4, "text": "Iran"}',
        '{"start": 0, "end": 3, "text": "Ira"}',
        '{"start": 0, "end": 3',
        20,
        "word_boundaries = true",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_breaking_a_scheme_constraint_in_a_corpus_copy(
    corpus_dir: Path, case: tuple[str, str, str, str, int, str | None]
) -> None:
    code, old, new, anchor, offset, needle = case
    doc = corpus_dir / "corpus" / DOC
    text = doc.read_text("utf-8")
    assert old in text, old
    broken = text.replace(old, new, 1)
    doc.write_text(broken, "utf-8")
    (corpus_dir / "corpus" / DOC.replace(".json", ".xml")).unlink()
    result = run_cli("validate", "--format", "concise", cwd=corpus_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    at = broken.index(anchor) + offset
    line = broken.count("\n", 0, at) + 1
    col = at - (broken.rfind("\n", 0, at) + 1) + 1
    lines = result.stdout.splitlines()
    assert any(f"{DOC}:{line}:{col}: {code} " in x for x in lines), result.stdout
    assert {re.search(r": ([A-Z]\d{3}) ", x).group(1) for x in lines} == {code}  # type: ignore[union-attr]
    if needle is not None:
        assert f"scheme.toml:{scheme_line(needle)}" in result.stdout, result.stdout


def test_the_same_break_in_xml_gives_the_same_code(corpus_dir: Path) -> None:
    xml = corpus_dir / "corpus" / DOC.replace(".json", ".xml")
    text = xml.read_text("utf-8")
    broken = text.replace('<arg role="quantity" ref="m9"/>', '<arg role="amount" ref="m9"/>', 1)
    assert broken != text
    xml.write_text(broken, "utf-8")
    result = run_cli("validate", "--format", "concise", str(xml), cwd=corpus_dir)
    assert result.returncode == 1
    line = broken[: broken.index('role="amount"')].count("\n") + 1
    assert re.search(rf":{line}:\d+: C002 role \"amount\"", result.stdout), result.stdout


def test_corpus_scheme_is_valid_for_the_reference_engine_too() -> None:
    schema = json.loads((ROOT / "schema" / "scheme.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = tomllib.loads(SCHEME.read_text("utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []


BAD_SCHEMES = [
    ("unknown key", '[types.PER]\ndescription = "p"\ncolour = "red"\n', 6, 'unknown key "colour"'),
    (
        "bad cardinality",
        '[types.PER]\ndescription = "p"\n[events.e]\ndescription = "e"\nroles.a = { types = ["PER"], cardinality = "many" }\n',
        8,
        "cardinality",
    ),
    (
        "unknown type in a role",
        '[types.PER]\ndescription = "p"\n[events.e]\ndescription = "e"\nroles.a = { types = ["PERSON"] }\n',
        8,
        'unknown type "PERSON"',
    ),
    (
        "invalid regex",
        '[types.PER]\ndescription = "p"\n[knowledge_bases.kb]\nid_pattern = "(unclosed"\n',
        7,
        "invalid regular expression",
    ),
    (
        "union of unknown types",
        '[types.A]\ndescription = "a"\nunion = ["B"]\n',
        4,
        'unknown type "B"',
    ),
    (
        "parent cycle",
        '[types.A]\ndescription = "a"\nparent = "B"\n[types.B]\ndescription = "b"\nparent = "A"\n',
        6,
        "cycle",
    ),
    (
        "name used twice",
        '[types.x]\ndescription = "a"\n[events.x]\ndescription = "e"\n',
        6,
        "declared twice",
    ),
    (
        "values not of the datatype",
        '[types.A]\ndescription = "a"\n[attributes.n]\ndescription = "n"\non = ["events"]\ndatatype = "boolean"\nvalues = ["yes"]\n',
        10,
        "datatype boolean",
    ),
    (
        "a TOML date where a string belongs",
        '[types.A]\ndescription = "a"\nadded = 2024-01-01\n',
        6,
        "invalid scheme at types.A.added: a TOML date or time",
    ),
    (
        "a TOML time in an array",
        '[types.A]\ndescription = "a"\n[attributes.n]\ndescription = "n"\non = ["events"]\ndatatype = "string"\nvalues = ["x", 07:32:00]\n',
        10,
        "invalid scheme at attributes.n.values.1: a TOML date or time",
    ),
]


@pytest.mark.parametrize(
    ("what", "body", "line", "message"), BAD_SCHEMES, ids=[b[0] for b in BAD_SCHEMES]
)
def test_an_unusable_scheme_is_exit_2_with_its_line(
    tmp_path: Path, what: str, body: str, line: int, message: str
) -> None:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text('[scheme]\nname = "s"\nversion = "1"\n' + body)
    with pytest.raises(SchemeError, match=re.escape(message)) as caught:
        load_scheme(scheme)
    assert f"scheme.toml:{line}:" in str(caught.value)
    result = run_cli("validate", "--scheme", str(scheme), str(CORPUS))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_invalid_toml_is_exit_2(tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text("[scheme\nname = 1\n")
    result = run_cli("validate", "--scheme", str(scheme), str(CORPUS))
    assert result.returncode == 2 and "invalid TOML" in result.stderr


def test_scheme_resolution_unions_parents_and_special_names() -> None:
    scheme = load_scheme(SCHEME)
    assert scheme.accepts(("AGENT",), "GPE", "entities")
    assert not scheme.accepts(("AGENT",), "WEAPON", "mentions")
    assert scheme.accepts(("PLACE",), "LOC", "mentions")
    assert scheme.accepts(("EVENT",), "transfer", "events")
    assert not scheme.accepts(("EVENT",), "alliance", "relations")
    assert scheme.accepts(("*",), "anything", "relations")
    assert not scheme.usable("AGENT", "mention")  # a union is for constraints only
    assert not scheme.usable("DATE", "entity")


def test_parent_types_accept_their_subtypes(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[scheme]\nname = "s"\nversion = "1"\n[types.ORG]\ndescription = "o"\n[types.MEDIA]\ndescription = "m"\nparent = "ORG"\n'
    )
    scheme = load_scheme(path)
    assert scheme.accepts(("ORG",), "MEDIA", "entities")
    assert not scheme.accepts(("MEDIA",), "ORG", "entities")


@pytest.mark.parametrize(
    ("text", "low", "high", "words"),
    [
        ("1", 1, 1, "exactly 1"),
        ("?", 0, 1, "at most 1"),
        ("*", 0, None, "any number"),
        ("+", 1, None, "at least 1"),
        ("2", 2, 2, "exactly 2"),
        ("1-3", 1, 3, "1 to 3"),
    ],
)
def test_cardinalities(text: str, low: int, high: int | None, words: str) -> None:
    card = Cardinality.parse(text)
    assert (card.low, card.high, card.describe()) == (low, high, words)


def test_toml_positions_cover_headers_dotted_and_inline_keys() -> None:
    inline = 'roles.r = { types = ["T"], cardinality = "?" }'
    positions = TomlPositions(f"[a]\nx = 1\n[b.c]\n{inline}\n")
    assert positions.locate("/a/x") == (2, 1)
    assert positions.locate("/b") == (3, 1)
    assert positions.locate("/b/c/roles/r") == (4, 1)
    assert positions.locate("/b/c/roles/r/cardinality") == (4, inline.index("cardinality") + 1)
    assert positions.locate("/missing") == (1, 1)


def test_a_constraint_names_its_scheme_line_also_in_a_copy_sent_to_a_worker() -> None:
    scheme = load_scheme(SCHEME)
    kb = next(iter(scheme.knowledge_bases.values()))
    expected = f"{SCHEME}:{scheme_line(f'[knowledge_bases.{kb.name}]')}"
    for where in (kb.where, pickle.loads(pickle.dumps(scheme)).knowledge_bases[kb.name].where):
        assert str(where) == expected
    assert scheme.where_types is not None
    assert scheme.where_types.line == scheme_line("[types")


def test_toml_positions_of_quoted_keys_spaces_and_comments() -> None:
    text = '# a comment\n\n  [ "t/1" . u ]  # note\n\ta . "b~c" = 1\n"[x]" = { k = 2 }\n[[arr]]\n'
    positions = TomlPositions(text)
    assert positions.positions == {
        "/t~11": (3, 3),
        "/t~11/u": (3, 3),
        "/t~11/u/a/b~0c": (4, 2),
        "/t~11/u/a": (4, 2),
        "/t~11/u/[x]": (5, 1),
        "/t~11/u/[x]/k": (5, 11),
    }


def _c001(tmp_path: Path, kind: str, index: int, written: str) -> dict[str, Any]:
    """validate --select C001 --format json of the minimal example with one type rewritten
    (the examples' scheme): the parsed report."""
    doc = json.loads((ROOT / "tests" / "examples" / "positive" / "minimal.json").read_text())
    doc[kind][index]["type"] = written
    (tmp_path / "d.json").write_text(json.dumps(doc), "utf-8")
    scheme = ROOT / "tests" / "examples" / "scheme.toml"
    result = run_cli(
        "validate", "--no-cache", "--format", "json", "--select", "C001", "--scheme",
        str(scheme), str(tmp_path / "d.json"),
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    ("kind", "index", "message"),
    [
        ("entities", 2, 'entity type "QUANTITY" cannot be used on an entity in the scheme'),
        ("mentions", 4, None),
    ],
)
def test_a_type_declared_for_other_kinds_says_which_kind_it_cannot_be(
    tmp_path: Path, kind: str, index: int, message: str | None
) -> None:
    # QUANTITY is declared with kinds = ["mention"]: fine on a mention, not on an entity.
    found = [d["message"] for d in _c001(tmp_path, kind, index, "QUANTITY")["diagnostics"]]
    assert found == ([] if message is None else [found[0]])
    assert message is None or found[0].startswith(message)


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("WEAPONS", 'did you mean "WEAPON"?'),
        ("gpe", 'did you mean "GPE"?'),  # another case
        ("BOGUS", "declared: GPE, OTHER, PER, QUANTITY, WEAPON"),  # nothing close
        ("COUNTRY", "declared: GPE, OTHER, PER, QUANTITY, WEAPON"),  # was "QUANTITY"
    ],
)
def test_an_undeclared_type_gets_a_suggestion_only_when_one_is_likely(
    tmp_path: Path, written: str, hint: str
) -> None:
    (diagnostic,) = _c001(tmp_path, "mentions", 2, written)["diagnostics"]
    assert diagnostic["hint"] == hint
