"""A claim's cue: the words that attribute it ("informed", "concluded", "according to").

PARC 3.0 annotates every attribution as source, cue and content; a claim without its cue loses
the verb that says how the source stands to the content, so claims carry an optional ``cue``
span like quotes do, in both schemas.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from corpuskit.engine import check_bytes
from corpuskit.formats import json_format, xml_format
from corpuskit.model import Document, spans_of
from strategies import documents, spans

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "claim-cue.json"


@st.composite
def documents_with_claim_cues(draw: st.DrawFn) -> Document:
    """Generated documents whose claims each carry a cue."""
    doc = draw(documents())
    claims = tuple(replace(c, cue=draw(spans(doc.text))) for c in doc.claims)
    return replace(doc, claims=claims)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_with_claim_cues())
def test_a_claim_cue_survives_json_and_xml_byte_for_byte(doc: Document) -> None:
    as_json = json_format.dumps(doc)
    as_xml = xml_format.dumps(doc)
    assert json_format.loads(as_json) == doc
    assert xml_format.loads(as_xml) == doc
    assert json_format.dumps(xml_format.loads(as_xml)) == as_json


def test_the_fixture_with_a_claim_cue_passes_in_both_formats() -> None:
    data = FIXTURE.read_bytes()
    doc = json_format.loads(data.decode("utf-8"))
    (claim,) = doc.claims
    assert [f.text for f in claim.cue] == ["informed"]
    # The cue is one of the claim's spans, so span-wide checks (word boundaries, views) see it.
    assert ("cue", claim.cue) in spans_of(claim)
    for name, body in (("c.json", data), ("c.xml", xml_format.dumps(doc).encode("utf-8"))):
        report = check_bytes(body, name)
        assert [d.code for d in report.diagnostics] == [], name


def test_both_schemas_reject_a_claim_cue_that_is_not_a_span() -> None:
    record = json.loads(FIXTURE.read_text("utf-8"))
    record["claims"][0]["cue"] = "informed"
    report = check_bytes(json.dumps(record).encode("utf-8"), "c.json")
    assert [d.code for d in report.diagnostics] == ["S003"]
    good = xml_format.dumps(json_format.loads(FIXTURE.read_text("utf-8")))
    # In XML the cue is an element after the span; a second one is outside the XSD.
    cue = good[good.index("<cue>") : good.index("</cue>") + len("</cue>")]
    bad = good.replace(cue, cue + cue)
    report = check_bytes(bad.encode("utf-8"), "c.xml")
    assert [d.code for d in report.diagnostics] == ["S002"]


def test_a_claim_cue_whose_offsets_miss_its_text_is_an_o003() -> None:
    record = json.loads(FIXTURE.read_text("utf-8"))
    cue = record["claims"][0]["cue"][0]
    cue["start"] += 1
    cue["end"] += 1
    report = check_bytes(json.dumps(record).encode("utf-8"), "c.json")
    assert "O003" in [d.code for d in report.diagnostics]
