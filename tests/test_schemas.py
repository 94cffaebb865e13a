"""The published schemas: valid themselves, agreeing with each other and across engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import orjson
import pytest

from conftest import NEGATIVE, POSITIVE
from corpuskit.formats import schema as S
from corpuskit.formats import schema_dir, xml_format
from corpuskit.formats.json_format import dumps_record

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"


def _reference_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "document.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _parsing_json_fixtures() -> list[Path]:
    """JSON examples that parse (the others get no schema verdict)."""
    out = []
    for path in sorted([*POSITIVE.glob("*.json"), *NEGATIVE.glob("*.json")]):
        if path.name == "expected.json":
            continue
        try:
            orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            continue
        out.append(path)
    return out


def test_json_schema_is_a_valid_2020_12_schema_with_a_versioned_id() -> None:
    schema = json.loads((SCHEMA_DIR / "document.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith("/1.0/document.schema.json")


def test_packaged_schemas_are_the_published_ones() -> None:
    assert (schema_dir() / "document.schema.json").read_bytes() == (
        SCHEMA_DIR / "document.schema.json"
    ).read_bytes()
    assert (schema_dir() / "document.xsd").read_bytes() == (
        SCHEMA_DIR / "document.xsd"
    ).read_bytes()


@pytest.mark.parametrize("path", _parsing_json_fixtures(), ids=lambda p: p.name)
def test_jsonschema_and_jsonschema_rs_agree_on_every_fixture(path: Path) -> None:
    instance = orjson.loads(path.read_bytes())
    reference = {
        "/".join(map(str, e.absolute_path)) for e in _reference_validator().iter_errors(instance)
    }
    fast = jsonschema_rs.validator_for(S.json_schema(), validate_formats=True)
    assert fast.is_valid(instance) == (not reference)
    assert {"/".join(map(str, e.instance_path)) for e in fast.iter_errors(instance)} == reference


def _base_record() -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads((POSITIVE / "minimal.json").read_bytes())
    return loaded


def _set(record: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    node: Any = record
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return record


# Mutations both schemas must reject. Each stays writable as XML, so the same document can be
# put to the XSD.
MUTATIONS: list[tuple[str, list[Any], Any]] = [
    ("version", ["corpuskit"], "2.0"),
    ("offset unit", ["offset_unit"], "utf16"),
    ("document id with a space", ["id"], "a b"),
    ("mention id starting with a digit", ["mentions", 0, "id"], "1m"),
    ("negative start", ["mentions", 0, "span", 0, "start"], -1),
    ("empty covered text", ["mentions", 0, "span", 0, "text"], ""),
    ("quote mode", ["quotes", 0, "mode"], "said"),
    ("hash not hex", ["text_sha256"], "xyz"),
    ("impossible date", ["meta", "published"], "2023-02-30"),
    ("language tag", ["meta", "language"], "english!"),
    ("kb id with a space", ["entities", 0, "links", 0, "id"], "Q 794"),
    ("empty title", ["meta", "title"], ""),
    ("type name with a space", ["events", 0, "type"], "arms transfer"),
    ("role name empty", ["events", 0, "args", 0, "role"], ""),
    ("offset too large", ["mentions", 0, "span", 0, "end"], 2**31),
]


def _xsd_rejects(record: dict[str, Any]) -> bool:
    parsed = xml_format.parse(dumps_record_xml(record))
    return bool(parsed.findings) and all(f.rule.family == "S" for f in parsed.findings)


def dumps_record_xml(record: dict[str, Any]) -> bytes:
    """The record as XML bytes."""
    return xml_format.dumps_record(record).encode("utf-8")


def test_both_schemas_accept_the_valid_base() -> None:
    record = _base_record()
    assert S.check_record(record) == []
    assert xml_format.parse(dumps_record_xml(record)).findings == []
    assert _reference_validator().is_valid(record)


@pytest.mark.parametrize(("what", "path", "value"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_both_schemas_and_both_engines_reject_the_same_mutation(
    what: str, path: list[Any], value: Any
) -> None:
    record = _set(_base_record(), path, value)
    assert S.check_record(record), f"JSON Schema accepted: {what}"
    assert not _reference_validator().is_valid(record), f"reference engine accepted: {what}"
    assert _xsd_rejects(record), f"XSD accepted: {what}"


def test_json_twins_of_the_xml_negative_schema_examples_fail_the_same_rule() -> None:
    for xml_path in sorted(NEGATIVE.glob("S*.xml")):
        json_twin = xml_path.with_suffix(".json")
        assert json_twin.exists()
        xml_codes = {f.rule.code for f in xml_format.parse(xml_path.read_bytes()).findings}
        json_codes = {f.rule.code for f in S.check_record(orjson.loads(json_twin.read_bytes()))}
        assert xml_codes == json_codes == {xml_path.name[:4]}


def test_pattern_edges_agree_across_engines() -> None:
    # Python's re.search lets "$" match before a final newline; the patterns are written so that
    # both engines reject it.
    record = _set(_base_record(), ["mentions", 0, "id"], "m1\n")
    assert S.check_record(record)
    assert not _reference_validator().is_valid(record)


def test_canonical_json_writer_is_stable_on_records() -> None:
    text = (POSITIVE / "minimal.json").read_text("utf-8")
    assert dumps_record(orjson.loads(text)) == text
