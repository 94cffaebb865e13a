"""JSON <-> XML without loss: property tests over generated documents and fixture pairs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import CORPUS, POSITIVE
from corpuskit.engine import check_bytes
from corpuskit.formats import json_format, xml_format
from corpuskit.model import Document, Fragment, Mention, Metadata, text_sha256
from strategies import documents

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(documents())
def test_json_and_xml_round_trip_byte_for_byte(doc: Document) -> None:
    as_json = json_format.dumps(doc)
    as_xml = xml_format.dumps(doc)
    from_json = json_format.loads(as_json)
    from_xml = xml_format.loads(as_xml)
    assert from_json == doc
    assert from_xml == doc
    # JSON -> XML -> JSON and XML -> JSON -> XML give the same bytes.
    assert json_format.dumps(xml_format.loads(xml_format.dumps(from_json))) == as_json
    assert xml_format.dumps(json_format.loads(json_format.dumps(from_xml))) == as_xml


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_validate_without_errors_in_both_formats(doc: Document) -> None:
    for name, data in (("d.json", json_format.dumps(doc)), ("d.xml", xml_format.dumps(doc))):
        report = check_bytes(data.encode("utf-8"), name)
        # NFC is not generated on purpose (e + U+0301 is drawn); everything else must hold.
        assert [
            d.code for d in report.diagnostics if d.severity.value == "error" and d.code != "O005"
        ] == []


@pytest.mark.parametrize(
    "json_path",
    # Twin pairs only: the corpus may also hold documents in one format.
    [
        p
        for p in (*sorted(CORPUS.glob("*.json")), POSITIVE / "minimal.json")
        if p.with_suffix(".xml").exists()
    ],
    ids=lambda p: Path(p).name,
)
def test_fixture_pairs_convert_to_each_other(json_path: Path) -> None:
    xml_path = json_path.with_suffix(".xml")
    json_bytes, xml_bytes = json_path.read_bytes(), xml_path.read_bytes()
    assert json_format.loads(json_bytes) == xml_format.loads(xml_bytes)
    assert xml_format.dumps(json_format.loads(json_bytes)).encode("utf-8") == xml_bytes
    assert json_format.dumps(xml_format.loads(xml_bytes)).encode("utf-8") == json_bytes


def test_crlf_cr_and_tab_survive_json_xml_json() -> None:
    text = "a\r\nb\rc\td\n"
    doc = Document(
        id="d",
        meta=Metadata(title="t\r\n\tx", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(Mention("m1", "X", (Fragment(0, 4, "a\r\nb"),), note="n\r\t"),),
    )
    xml = xml_format.dumps(doc)
    assert "&#13;" in xml
    assert xml_format.loads(xml) == doc
    assert json_format.loads(json_format.dumps(xml_format.loads(xml))) == doc
