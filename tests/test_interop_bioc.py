"""BioC XML and JSON: import, export, offset units, round trips and every lossy case."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from conftest import CORPUS, ROOT
from corpuskit.diagnostics import Finding
from corpuskit.formats import json_format
from corpuskit.interop.bioc import (
    collection_json,
    collection_xml,
    read_bioc,
    read_bioc_json,
    read_bioc_xml,
    to_collection,
    write_bioc_json,
    write_bioc_xml,
)
from corpuskit.interop.bioc_layout import layout_of
from corpuskit.interop.common import Imported, ImportStamper, scheme_from_text, validate_imported
from corpuskit.model import (
    Argument,
    Attribute,
    Document,
    Event,
    Fragment,
    KBLink,
    Mention,
    Metadata,
    Relation,
    text_sha256,
)
from corpuskit.scheme import Scheme
from strategies import interchange_documents

BIOC = ROOT / "tests" / "interop" / "bioc"
CLI_APP = ROOT / "tests" / "interop" / "cli_app.py"
CORPUS_DOC = CORPUS / "iran-russia-missiles.json"


def codes(findings: list[Finding]) -> list[str]:
    return [f.rule.code for f in findings]


def run_app(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CLI_APP), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def unlaid(doc: Document | None) -> Document | None:
    """``doc`` without its provenance (where the BioC layout record is kept)."""
    return None if doc is None else replace(doc, meta=replace(doc.meta, provenance=None))


def only(imported: list[Imported]) -> Document:
    (one,) = imported
    assert one.document is not None
    return one.document


# --------------------------------------------------------------------------- reading fixtures


def test_pubtator_collection_gives_one_document_each_in_xml_and_json() -> None:
    from_xml = read_bioc_xml((BIOC / "pubtator.xml").read_bytes(), "pubtator.xml")
    from_json = read_bioc_json((BIOC / "pubtator.json").read_bytes(), "pubtator.json")
    assert [i.document for i in from_xml] == [i.document for i in from_json]
    first, second = (i.document for i in from_xml)
    assert first is not None and second is not None
    # Passages are placed at their offsets: the title, a line break, the abstract.
    assert first.text.startswith(
        "Metformin lowers HbA1c in patients with type 2 diabetes.\nIn a trial"
    )
    assert first.id == "doc-31210001" and first.meta.title.startswith("Metformin lowers")
    assert [(m.id, m.type, m.span[0].text) for m in first.mentions][:2] == [
        ("a1", "Chemical", "Metformin"),
        ("a2", "Gene", "HbA1c"),
    ]
    # infons other than type become attributes; nodes become arguments.
    assert Attribute("a1.identifier", "a1", "identifier", "MESH:D008687") in first.attributes
    assert first.relations == (
        Relation("R1", "Treatment", (Argument("Chemical", "a4"), Argument("Disease", "a3"))),
    )
    assert (second.meta.title, second.meta.language) == ("Zoledronsäure nach Brustkrebs", "de")


def test_sentence_level_ids_are_scoped_to_their_sentence() -> None:
    second = read_bioc_xml((BIOC / "pubtator.xml").read_bytes(), "pubtator.xml")[1].document
    assert second is not None
    # Both sentences use ids "1" and "2"; each relation points into its own sentence.
    spans = {m.id: m.span[0].text for m in second.mentions}
    treatment = next(r for r in second.relations if r.type == "Treatment")
    assert [spans[a.ref] for a in treatment.args] == ["Zoledronsäure", "Brustkrebs"]
    inhibition = next(r for r in second.relations if r.type == "Inhibition")
    assert [spans[a.ref] for a in inhibition.args] == ["Zoledronsäure", "Osteoklasten"]
    assert [m.span[0].start for m in second.mentions if m.type == "Chemical"] == [0, 82]


def test_what_pubtator_files_hold_beyond_corpuskit_is_reported() -> None:
    first = read_bioc_xml((BIOC / "pubtator.xml").read_bytes(), "pubtator.xml")[0]
    messages = {f.rule.code: [] for f in first.findings}  # type: dict[str, list[str]]
    for f in first.findings:
        messages[f.rule.code].append(f.message)
    # Passages, infons and the collection's fields are kept (the layout record): the relation
    # without nodes is the one thing the model cannot hold as such.
    assert sorted(messages) == ["I006", "I009"]
    assert any("1 relation without nodes (R2)" in m for m in messages["I009"])
    assert any("'31210001' becomes 'doc-31210001'" in m for m in messages["I006"])
    _, report = validate_imported(first)
    assert report is not None and report.diagnostics == ()


@pytest.mark.parametrize(
    ("name", "fmt", "unit"),
    [("bytes.xml", "xml", "utf8"), ("utf16.json", "json", "utf16")],
)
def test_a_producer_counting_another_unit_is_detected_and_converted(
    name: str, fmt: str, unit: str
) -> None:
    data = (BIOC / name).read_bytes()
    plain = read_bioc(data, name, fmt)
    problems = [f for i in plain for f in i.findings if f.rule.code == "I003"]
    assert problems and all(f.hint == f"re-run with --offset-unit {unit}" for f in problems)
    converted = read_bioc(data, name, fmt, unit)
    assert all("I003" not in codes(i.findings) for i in converted)
    for imported in converted:
        _, report = validate_imported(imported)
        assert report is not None and report.diagnostics == ()
    reference = read_bioc_json((BIOC / "pubtator.json").read_bytes(), "pubtator.json")
    # The layout records differ only in the unit and the collection's source.
    assert [unlaid(i.document) for i in converted] == [unlaid(i.document) for i in reference][
        -len(converted) :
    ]


def test_mismatches_are_diagnosed_at_the_annotation_element() -> None:
    imported = read_bioc_xml((BIOC / "bytes.xml").read_bytes(), "bytes.xml")[0]
    _, report = validate_imported(imported)
    assert report is not None
    stamper = ImportStamper(imported)
    (diagnostic,) = [stamper.validation(d) for d in report.diagnostics]
    assert (diagnostic.path, diagnostic.line, diagnostic.code) == ("bytes.xml", 49, "O003")
    assert diagnostic.hint is not None and "counted in UTF-8 bytes" in diagnostic.hint


def test_an_offset_inside_a_character_is_an_error() -> None:
    data = _collection(
        '<annotation id="x"><infon key="type">T</infon><location offset="1" length="2"/><text>β</text></annotation>',
        "αβ",
    )
    imported = read_bioc_xml(data, "c.xml", "utf8")[0]
    assert "I003" in codes(imported.findings) and imported.errors


def _collection(annotations: str, text: str, relations: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE collection SYSTEM "BioC.dtd">'
        "<collection><source></source><date></date><key></key><document><id>d1</id>"
        f"<passage><offset>0</offset><text>{text}</text>{annotations}{relations}</passage>"
        "</document></collection>"
    ).encode()


def test_malformed_elements_are_reported_and_left_out() -> None:
    data = _collection(
        '<annotation id="a"><infon key="type">T</infon><location offset="x" length="2"/><text>ab</text></annotation>'
        '<annotation id="b"><infon key="type">T</infon><location offset="0" length="0"/><text></text></annotation>'
        '<annotation id="c"><infon key="type">T</infon><location offset="0" length="2"/><text>ab</text></annotation>',
        "abc",
    )
    imported = read_bioc_xml(data, "c.xml")[0]
    assert codes(imported.findings) == ["I002", "I008"]
    assert imported.document is not None
    assert [m.id for m in imported.document.mentions] == ["c"]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"<collection><document>", "xml"),
        (b"<passage/>", "xml"),
        (b'{"documents": [', "json"),
        (b'{"source": "x"}', "json"),
        ("<collection/>".encode("utf-16"), "xml"),
    ],
    ids=["truncated-xml", "wrong-root", "truncated-json", "no-documents", "utf16-file"],
)
def test_unreadable_collections_are_one_finding(data: bytes, fmt: str) -> None:
    (imported,) = read_bioc(data, "c", fmt)
    assert imported.document is None
    assert codes(imported.findings) == ["I001"]


def test_entities_are_never_expanded() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE collection [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><collection><source>&b;</source>'
        b"<date/><key/><document><id>d</id><passage><offset>0</offset><text>plain</text>"
        b"</passage></document></collection>"
    )
    (imported,) = read_bioc_xml(data, "c.xml")
    assert imported.document is not None and imported.document.text == "plain"


def test_the_scheme_types_infon_values() -> None:
    scheme = scheme_from_text(
        '[scheme]\nname = "s"\nversion = "1"\n[types.T]\ndescription = "t"\n'
        '[attributes.negated]\ndescription = "n"\non = ["mentions"]\ndatatype = "boolean"\n'
        '[attributes.count]\ndescription = "c"\non = ["mentions"]\ndatatype = "integer"\n',
        "s.toml",
    )
    data = _collection(
        '<annotation id="a"><infon key="type">T</infon><infon key="negated">true</infon>'
        '<infon key="count">3</infon><infon key="label">x</infon>'
        '<location offset="0" length="2"/><text>ab</text></annotation>',
        "abc",
    )
    doc = only(read_bioc_xml(data, "c.xml", scheme=scheme))
    assert [a.value for a in doc.attributes] == [True, 3, "x"]
    untyped = only(read_bioc_xml(data, "c.xml"))
    assert [a.value for a in untyped.attributes] == ["true", "3", "x"]


def test_foreign_events_with_a_trigger_node_become_events() -> None:
    data = _collection(
        '<annotation id="t"><infon key="type">Phosphorylation</infon><location offset="0" length="4"/><text>Phos</text></annotation>'
        '<annotation id="p"><infon key="type">Protein</infon><location offset="5" length="4"/><text>STAT</text></annotation>',
        "Phos STAT",
        '<relation id="e1"><node refid="t" role="Trigger"/><node refid="p" role="Theme"/></relation>',
    )
    doc = only(read_bioc_xml(data, "c.xml"))
    assert [m.id for m in doc.mentions] == ["p"]
    assert doc.events == (
        Event("e1", "Phosphorylation", (Fragment(0, 4, "Phos"),), (Argument("Theme", "p"),)),
    )


# --------------------------------------------------------------------------- writing


def test_the_bundled_corpus_goes_through_bioc_byte_for_byte() -> None:
    doc = json_format.load(CORPUS_DOC)
    for write, fmt, suffix in (
        (write_bioc_xml, "xml", ".bioc.xml"),
        (write_bioc_json, "json", ".bioc.json"),
    ):
        for unit in ("codepoint", "utf8", "utf16"):
            exported = write(doc, unit)
            assert exported.findings == []
            back = only(read_bioc(exported.files[suffix].encode(), "c", fmt))
            assert json_format.dumps(back) == CORPUS_DOC.read_text("utf-8")


def test_written_xml_follows_the_dtd_order_and_escapes_carriage_returns() -> None:
    text = "a\r\nb"
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=(Mention("m1", "X", (Fragment(0, 1, "a"),)),),
    )
    xml = write_bioc_xml(doc).files[".bioc.xml"]
    assert xml.startswith(
        "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE collection SYSTEM \"BioC.dtd\">"
    )
    assert "<text>a&#13;\nb</text>" in xml
    order = [
        m.group(1)
        for m in re.finditer(
            r"<(source|date|key|infon|document|id|passage|offset|text|annotation)\b", xml
        )
    ]
    assert order[:5] == ["source", "date", "key", "infon", "document"]
    assert only(read_bioc_xml(xml.encode(), "c.xml")).text == text


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        (Attribute("a1", "m1", "type", "x"), 'the infon "type" of m1 is taken'),
        (Attribute("a2", "a9", "x", "y"), "which has no BioC element"),
    ],
)
def test_attributes_bioc_cannot_carry_are_named(attribute: Attribute, message: str) -> None:
    text = "abc"
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=(Mention("m1", "X", (Fragment(0, 1, "a"),)),),
        attributes=(Attribute("a9", "m1", "ok", True), attribute),
    )
    (finding,) = write_bioc_xml(doc).findings
    assert finding.rule.code == "I008" and message in finding.message
    assert finding.annotation_id == attribute.id and finding.pointer == "/attributes/1"


# --------------------------------------------------------------------------- round-trip property


chars = st.characters(
    min_codepoint=0x09, max_codepoint=0x10FFFF, exclude_categories=("Cs",)
).filter(lambda c: c not in "\ufffe\uffff" and (c >= " " or c in "\t\n\r"))
texts = st.lists(
    st.one_of(chars, st.sampled_from(["\r\n", "🧬", "β", "&<>", "]]>"])), min_size=1, max_size=40
).map("".join)
free = st.one_of(st.none(), st.lists(chars, max_size=10).map("".join))
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.:-]{0,7}", fullmatch=True).filter(
    lambda n: n != "type" and not n.startswith("corpuskit:")
)
values = st.one_of(
    st.lists(chars, max_size=8).map("".join),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)


def documents() -> st.SearchStrategy[Document]:
    """The shared interchange documents, with BioC's alphabets and infon-named attributes."""
    return interchange_documents(texts, names, values, free, derived_attribute_ids=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents(), st.sampled_from(["codepoint", "utf16", "utf8"]), st.sampled_from(["xml", "json"])
)
def test_corpuskit_to_bioc_to_corpuskit_is_exact(doc: Document, unit: str, fmt: str) -> None:
    collection, findings = to_collection(doc, unit)
    assert findings == []
    data = (collection_xml if fmt == "xml" else collection_json)(collection).encode("utf-8")
    (imported,) = read_bioc(data, "c", fmt)
    assert imported.findings == []
    assert imported.document == doc


CLAIM_CUE = ROOT / "tests" / "fixtures" / "claim-cue.json"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_claims_cue_is_a_cue_annotation_naming_the_claim(fmt: str) -> None:
    doc = json_format.load(CLAIM_CUE)
    collection, findings = to_collection(doc, "codepoint")
    assert findings == []
    annotations = [a for p in collection.documents[0].passages for a in p.annotations]
    (cue,) = [a for a in annotations if a.infons.get("corpuskit:kind") == "cue"]
    assert (cue.id, cue.text, cue.locations) == ("c1.cue", "informed", [(17, 8)])
    assert cue.infons["corpuskit:claim"] == "c1" and "corpuskit:quote" not in cue.infons
    data = (collection_xml if fmt == "xml" else collection_json)(collection).encode("utf-8")
    (back,) = read_bioc(data, "c", fmt)
    assert back.findings == [] and back.document == doc


def _cue_collection(cue_infons: str) -> bytes:
    """BioC XML: "Iran said Russia informed Reuters." with quote q1, claim c1 and one cue."""
    return (
        "<collection><document><id>d</id><passage><offset>0</offset>"
        "<text>Iran said Russia informed Reuters.</text>"
        '<annotation id="q1"><infon key="corpuskit:kind">quote</infon>'
        '<location offset="0" length="4"/><text>Iran</text></annotation>'
        '<annotation id="c1"><infon key="corpuskit:kind">claim</infon>'
        '<location offset="10" length="6"/><text>Russia</text></annotation>'
        f'<annotation id="x"><infon key="corpuskit:kind">cue</infon>{cue_infons}'
        '<location offset="17" length="8"/><text>informed</text></annotation>'
        "</passage></document></collection>"
    ).encode()


def test_a_cue_naming_what_is_no_claim_is_named_and_left_out() -> None:
    (imported,) = read_bioc(_cue_collection('<infon key="corpuskit:claim">q1</infon>'), "c")
    assert imported.document is not None
    assert [c.cue for c in imported.document.claims] == [()]
    assert [q.cue for q in imported.document.quotes] == [()]
    (lost,) = [f for f in imported.findings if f.rule.code == "I008"]
    assert "cue x belongs to q1, which is not a claim; left out" in lost.message


def test_a_cue_naming_a_quote_and_a_claim_is_the_cue_of_both() -> None:
    both = '<infon key="corpuskit:quote">q1</infon><infon key="corpuskit:claim">c1</infon>'
    (imported,) = read_bioc(_cue_collection(both), "c")
    assert imported.document is not None and imported.findings == []
    informed = (Fragment(17, 25, "informed"),)
    assert imported.document.quotes[0].cue == informed
    assert imported.document.claims[0].cue == informed


# --------------------------------------------------------------------------- the CLI


def test_cli_exports_and_imports_the_corpus_without_loss(tmp_path: Path) -> None:
    for fmt, suffix in (("bioc-xml", ".bioc.xml"), ("bioc-json", ".bioc.json")):
        out, back = tmp_path / f"{fmt}-out", tmp_path / f"{fmt}-back"
        result = run_app("export", fmt, str(CORPUS_DOC), "-o", str(out), "--offset-unit", "utf8")
        assert result.returncode == 0, result.stdout + result.stderr
        assert (out / f"iran-russia-missiles{suffix}").is_file()
        result = run_app("import", fmt, str(out), "-o", str(back))
        assert result.returncode == 0, result.stdout + result.stderr
        assert (back / "iran-russia-missiles.json").read_bytes() == CORPUS_DOC.read_bytes()


def test_cli_reports_a_bad_collection_and_still_converts_the_good_one(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<collection><document>", "utf-8")
    out = tmp_path / "out"
    result = run_app(
        "import",
        "bioc-xml",
        str(tmp_path / "broken.xml"),
        str(BIOC / "pubtator.xml"),
        "-o",
        str(out),
        "--format",
        "concise",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"broken\.xml:1:\d+: I001 not well-formed XML", result.stdout), result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["PMC7000001.json", "doc-31210001.json"]
    result = run_app(
        "import",
        "bioc-xml",
        str(BIOC / "bytes.xml"),
        "-o",
        str(tmp_path / "bytes"),
        "--format",
        "concise",
    )
    assert result.returncode == 1
    assert (
        "I003 offsets of document 31210001 read as code points match the text for 5 of 6 spans"
        in result.stdout
    )
    assert not (tmp_path / "bytes").exists() or not any((tmp_path / "bytes").iterdir())
    result = run_app(
        "import",
        "bioc-xml",
        str(BIOC / "bytes.xml"),
        "-o",
        str(tmp_path / "bytes"),
        "--offset-unit",
        "utf8",
    )
    assert result.returncode == 0, result.stdout


def test_collection_json_is_the_layout_bioc_tools_read() -> None:
    doc = json_format.load(CORPUS_DOC)
    data = json.loads(write_bioc_json(doc).files[".bioc.json"])
    assert sorted(data) == ["date", "documents", "infons", "key", "source"]
    passage = data["documents"][0]["passages"][0]
    assert sorted(passage) == ["annotations", "infons", "offset", "relations", "sentences", "text"]
    assert passage["annotations"][0] == {
        "id": "m1",
        "infons": {"type": "GPE"},
        "text": "Iran",
        "locations": [{"offset": 0, "length": 4}],
    }


# --------------------------------------------------------------------------- the layout record

LAYOUT = BIOC / "layout.xml"


def _layout_scheme() -> Scheme:
    return scheme_from_text((BIOC / "layout.toml").read_text("utf-8"), "layout.toml")


def _bioc_view(collection: Any) -> dict[str, Any]:
    """What the bioc package reads from a collection, corpuskit's unit infon aside."""

    def annotations(found: Any) -> list[Any]:
        return [
            (a.id, a.infons, [(x.offset, x.length) for x in a.locations], a.text) for a in found
        ]

    def relations(found: Any) -> list[Any]:
        return [(r.id, r.infons, [(n.refid, n.role) for n in r.nodes]) for r in found]

    def passage(p: Any) -> dict[str, Any]:
        return {
            "offset": p.offset,
            "infons": p.infons,
            # The bioc package reads a missing <text> as "" from XML, as null from JSON.
            "text": p.text or "",
            "sentences": [passage(s) for s in getattr(p, "sentences", [])],
            "annotations": annotations(p.annotations),
            "relations": relations(p.relations),
        }

    infons = {k: v for k, v in collection.infons.items() if k != "corpuskit:offset_unit"}
    return {
        "collection": (collection.source, collection.date, collection.key, infons),
        "documents": [
            {
                "id": d.id,
                "infons": d.infons,
                "passages": [passage(p) for p in d.passages],
                "annotations": annotations(d.annotations),
                "relations": relations(d.relations),
            }
            for d in collection.documents
        ],
    }


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_bioc_document_comes_back_as_the_bioc_package_reads_it(fmt: str) -> None:
    from bioc import biocjson, biocxml

    original = biocxml.loads(LAYOUT.read_text("utf-8"))
    (imported,) = read_bioc_xml(LAYOUT.read_bytes(), "layout.xml", scheme=_layout_scheme())
    assert imported.document is not None
    if fmt == "xml":
        written = write_bioc_xml(imported.document)
        back = biocxml.loads(written.files[".bioc.xml"])
    else:
        written = write_bioc_json(imported.document)
        back = biocjson.loads(written.files[".bioc.json"])
    assert written.findings == []
    assert _bioc_view(back) == _bioc_view(original)


def test_passages_are_joined_not_padded_and_their_offsets_kept() -> None:
    (imported,) = read_bioc_xml(LAYOUT.read_bytes(), "layout.xml")
    doc = imported.document
    assert doc is not None
    # The title at offset 27 starts the text; a line break before the next passage, a space
    # between sentences; nothing else.
    assert doc.text == "Aspirin and stroke.\nAspirin lowers risk. Stroke fell by 9 %."
    assert [m.span[0].start for m in doc.mentions] == [0, 20, 41, 56]
    layout, problem = layout_of(doc.meta)
    assert problem is None and layout is not None
    assert [(p.gap, p.infons) for p in layout.passages] == [
        (27, {"type": "title", "section_type": "TITLE"}),
        (4, {"type": "abstract"}),
    ]
    assert [(s.gap, s.start, s.end, s.infons) for s in layout.passages[1].sentences] == [
        (4, 20, 40, {"n": "1"}),
        (1, 41, 60, {"n": "2"}),
    ]
    assert layout.collection["infons"] == {"release": "2024-05"}
    assert layout.infons == {"journal": "J Test (fictional)"}
    # The relation with nodes is a corpuskit relation and stays at document level on export.
    assert layout.items == ["R1"]
    assert [r.id for r in doc.relations] == ["R1"]
    assert validate_imported(imported)[1].diagnostics == ()  # type: ignore[union-attr]


def test_identifier_infons_become_links_where_exactly_one_declared_kb_fits() -> None:
    (imported,) = read_bioc_xml(LAYOUT.read_bytes(), "layout.xml", scheme=_layout_scheme())
    doc = imported.document
    assert doc is not None
    # Mentions of one type and identifier are one entity, linked to the declared base.
    assert [(e.type, e.mentions, e.links) for e in doc.entities] == [
        ("Chemical", ("a1", "a2"), (KBLink("MESH", "D001241"),)),
        ("Disease", ("a3",), (KBLink("MESH", "D020521"),)),
    ]
    # A bare 9 fits ncbigene and taxonomy: not guessed, both named, kept as an attribute.
    assert [a.value for a in doc.attributes if a.target == "a4"] == ["9"]
    (ambiguous,) = [f.message for f in imported.findings if "several knowledge bases" in f.message]
    assert "ncbigene:9 or taxonomy:9" in ambiguous
    assert validate_imported(imported)[1].diagnostics == ()  # type: ignore[union-attr]
    # Without a scheme no knowledge base is declared: the identifiers stay attributes.
    (plain,) = read_bioc_xml(LAYOUT.read_bytes(), "layout.xml")
    assert plain.document is not None and plain.document.entities == ()
    assert len([a for a in plain.document.attributes if a.name == "identifier"]) == 4


def test_an_edited_entity_is_written_as_an_entity_not_as_the_identifier() -> None:
    (imported,) = read_bioc_xml(LAYOUT.read_bytes(), "layout.xml", scheme=_layout_scheme())
    doc = imported.document
    assert doc is not None
    first = doc.entities[0]
    edited = replace(
        doc, entities=(replace(first, links=(KBLink("MESH", "D000001"),)), *doc.entities[1:])
    )
    xml = write_bioc_xml(edited).files[".bioc.xml"]
    assert xml.count("MESH:D001241") == 1  # only in the relation without nodes
    assert '<infon key="corpuskit:links">MESH=D000001</infon>' in xml
    (back,) = read_bioc_xml(xml.encode(), "e.xml", scheme=_layout_scheme())
    assert back.document is not None
    assert back.document.entities[0].links == (KBLink("MESH", "D000001"),)


def test_a_layout_record_that_no_longer_fits_the_text_is_reported() -> None:
    (imported,) = read_bioc_xml(LAYOUT.read_bytes(), "layout.xml")
    doc = imported.document
    assert doc is not None
    short = "Aspirin."
    cut = replace(doc, text=short, text_sha256=text_sha256(short), mentions=(), relations=())
    cut = replace(cut, attributes=())
    exported = write_bioc_xml(cut)
    (finding,) = exported.findings
    assert finding.rule.code == "I008" and "does not fit the text" in finding.message
    assert only(read_bioc_xml(exported.files[".bioc.xml"].encode(), "c.xml")).text == short


def test_provenance_given_as_a_huge_number_is_reported_and_left_out() -> None:
    # Fuzzer, seed 41, bioc-json case 83598: a number too long for the schema engine in the
    # corpuskit:provenance infon crashed the import.
    collection = {
        "source": "s",
        "date": "",
        "key": "k",
        "infons": {},
        "documents": [
            {
                "id": "d1",
                "infons": {"title": "t", "corpuskit:provenance": "1" + "0" * 400},
                "passages": [{"offset": 0, "infons": {}, "text": "Iran", "annotations": []}],
                "relations": [],
            }
        ],
    }
    (imported,) = read_bioc(json.dumps(collection).encode(), "doc.bioc.json", "json")
    assert imported.document is not None
    provenance = imported.document.meta.provenance  # the importer's own layout record only
    assert provenance is not None and provenance.tool is None and not provenance.annotators
    assert any("corpuskit:provenance infon" in f.message for f in imported.findings)
