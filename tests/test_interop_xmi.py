"""UIMA CAS XMI (INCEpTION, WebAnno) through dkpro-cassis: layers, UTF-16 offsets, losses.

Fixtures: tests/interop/multikind/newsroom.json (every annotation kind, an astral character
before most spans, a nested and a discontinuous mention), tests/interop/xmi/inception.xmi (the
shape of INCEpTION's own test CAS tsv3-suite/testSimpleChain/reference.xmi in
inception-project/inception, with named entities and an astral character added; offsets in
UTF-16 units) and its TypeSystem.xml, as INCEpTION writes one beside exported documents.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from cassis import load_cas_from_xmi, load_typesystem
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from corpuskit.formats import json_format
from corpuskit.interop.common import validate_imported
from corpuskit.interop.xmi import CHAIN, CLAIM, NE, QUOTE, RELATION, read_xmi, write_xmi
from corpuskit.model import Document, Fragment, Mention, Metadata, text_sha256
from strategies import texts

HERE = Path(__file__).parent / "interop"
NEWSROOM = HERE / "multikind" / "newsroom.json"
XMI = HERE / "xmi"
CLAIM_CUE = Path(__file__).parent / "fixtures" / "claim-cue.json"


def _newsroom() -> Document:
    return json_format.loads(NEWSROOM.read_bytes())


def _round_trip(doc: Document) -> tuple[Document, list[str], list[str]]:
    """The document written and read back; the codes of export and import findings."""
    exported = write_xmi(doc)
    files = exported.files
    imported = read_xmi(files[".xmi"].encode(), files[".typesystem.xml"].encode(), "d.xmi", "d")
    assert imported.document is not None, imported.findings
    return (
        imported.document,
        [f.rule.code for f in exported.findings],
        [f.rule.code for f in imported.findings],
    )


def test_cassis_reads_the_layers_inception_uses_with_utf16_offsets() -> None:
    doc = _newsroom()
    files = write_xmi(doc).files
    cas = load_cas_from_xmi(
        io.BytesIO(files[".xmi"].encode()),
        typesystem=load_typesystem(io.BytesIO(files[".typesystem.xml"].encode())),
    )
    assert cas.sofa_string == doc.text
    # cassis gives code points; the file itself counts UTF-16 units: "Reuters" follows 🗳.
    reuters = next(fs for fs in cas.select(NE) if fs.get_covered_text() == "Reuters")
    assert (reuters.begin, reuters.end) == (54, 61)
    assert (
        'begin="55" end="62" value="ORG" identifier="http://www.wikidata.org/entity/Q130879"'
        in files[".xmi"]
    )
    (chain_lisbon,) = [c for c in cas.select(CHAIN) if c.first.referenceType == "GPE"]
    assert [chain_lisbon.first.get_covered_text(), chain_lisbon.first.next.get_covered_text()] == [
        "Lisbon",
        "Lisbon",
    ]
    (quote,) = cas.select(QUOTE)
    roles = {link.role: link.target.get_covered_text() for link in quote.roles.elements}
    assert (quote.mode, roles) == ("direct", {"speaker": "Ana Silva", "cue": "said"})
    (relation,) = cas.select(RELATION)
    assert (relation.label, relation.Governor.get_covered_text()) == ("mayor_of", "Ana Silva")


def test_a_claims_cue_is_a_cue_role_cassis_reads_and_comes_back() -> None:
    doc = json_format.load(CLAIM_CUE)
    files = write_xmi(doc).files
    typesystem = load_typesystem(io.BytesIO(files[".typesystem.xml"].encode()))
    cas = load_cas_from_xmi(io.BytesIO(files[".xmi"].encode()), typesystem=typesystem)
    (claim,) = cas.select(CLAIM)
    roles = {link.role: link.target.get_covered_text() for link in claim.roles.elements}
    assert roles == {"source": "Numerous sources", "channel": "Reuters", "cue": "informed"}
    back, _, read = _round_trip(doc)
    assert back.claims[0].cue == doc.claims[0].cue and read == []


def test_round_trip_keeps_every_kind_and_reports_what_uima_cannot_hold() -> None:
    doc = _newsroom()
    back, lost, read = _round_trip(doc)
    assert back.text == doc.text and back.id == "newsroom" and back.meta.language == "en"
    assert [(m.type, m.span[0]) for m in back.mentions] == [
        (m.type, m.span[0]) for m in doc.mentions
    ]
    assert [(e.type, e.mentions, e.links) for e in back.entities] == [
        (e.type, e.mentions, e.links) for e in doc.entities
    ]
    assert back.quotes[0].speaker == "e1" and back.quotes[0].cue == doc.quotes[0].cue
    assert (back.claims[0].source, back.claims[0].cue) == ("e3", doc.claims[0].cue)
    assert [e.args for e in back.events] == [e.args for e in doc.events]
    # A relation layer joins named entities: the entity arguments come back as first mentions.
    assert [(a.role, a.ref) for a in back.relations[0].args] == [("person", "m1"), ("place", "m2")]
    # Attributes keep their types (boolean, integer) as UIMA features.
    assert {(a.target, a.name, a.value) for a in back.attributes} == {
        ("ev1", "realis", "actual"),
        ("m5", "plural", False),
        ("ev2", "count", 1),
    }
    assert read == []
    # Every loss is named: m9's second fragment, entity names, the url, the note, the relation
    # redirected, the attribute ids.
    assert sorted(lost) == ["I006", "I008", "I008", "I008", "I008", "I009"]
    _, report = validate_imported(read_xmi(*_files(doc), "d.xmi", "d"))
    assert report is not None and [d.code for d in report.diagnostics] == []


def _files(doc: Document) -> tuple[bytes, bytes]:
    files = write_xmi(doc).files
    return files[".xmi"].encode(), files[".typesystem.xml"].encode()


def test_a_discontinuous_mention_is_reported_per_mention() -> None:
    findings = write_xmi(_newsroom()).findings
    (split,) = [f for f in findings if f.annotation_id == "m9"]
    assert split.pointer == "/mentions/8/span" and "'is final' not carried" in split.message


def test_an_inception_cas_reads_chains_kb_links_and_reports_other_layers() -> None:
    imported = read_xmi(
        (XMI / "inception.xmi").read_bytes(), (XMI / "TypeSystem.xml").read_bytes(), "i.xmi", "i"
    )
    doc = imported.document
    assert doc is not None and doc.id == "doc" and doc.meta.language == "und"
    spans = [(m.type, m.span[0].text) for m in doc.mentions]
    # UTF-16 offsets 20-23 and 27-33 follow 😀: code points 19-22 and 26-32.
    assert spans[:3] == [("PER", "This"), ("untyped", "Ada"), ("LOC", "Berlin")]
    chain = doc.entities[0]
    assert [doc.mentions[int(m[1:]) - 1].span[0].text for m in chain.mentions] == [
        "This",
        "is",
        "a",
    ]
    assert chain.links[0].kb == "wikidata" and chain.links[0].id == "Q42"
    messages = " | ".join(f.message for f in imported.findings)
    assert (
        "5 de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token annotations are not read"
        in messages
    )
    assert "has no value; typed untyped" in messages
    assert 'kept as a link to the knowledge base "iri"' in messages


def test_an_offset_inside_a_surrogate_pair_is_an_offset_unit_error() -> None:
    imported = read_xmi(
        (XMI / "split-surrogate.xmi").read_bytes(), (XMI / "TypeSystem.xml").read_bytes(), "s", "s"
    )
    assert [f.rule.code for f in imported.findings] == ["I003"]
    assert imported.errors == 1


def test_unreadable_inputs_are_findings_not_tracebacks() -> None:
    types = (XMI / "TypeSystem.xml").read_bytes()
    for xmi, ts in (
        (b"<not xmi", types),
        (b"", types),
        ((XMI / "inception.xmi").read_bytes(), b"<x"),
    ):
        imported = read_xmi(xmi, ts, "bad.xmi", "bad")
        assert imported.document is None
        assert [f.rule.code for f in imported.findings] == ["I001"]


@settings(max_examples=40, deadline=None)
@given(texts, st.data())
def test_spans_survive_the_utf16_conversion(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    doc = Document(
        id="p",
        meta=Metadata(title="t", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(Mention("m1", "X", (Fragment(start, end, text[start:end]),)),),
    )
    back, _, read = _round_trip(doc)
    assert back.text == text
    assert back.mentions == doc.mentions
    assert read == []


def test_cli_exports_and_imports_xmi(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(NEWSROOM, tmp_path / "in")
    out = run_cli("export", "xmi", "in", "-o", "xmi", "--format", "concise", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "xmi" / "newsroom.typesystem.xml").exists()
    assert " I008 " in out.stdout and "Traceback" not in out.stderr
    back = run_cli("import", "xmi", "xmi", "-o", "back", "--format", "concise", cwd=tmp_path)
    assert back.returncode == 0, back.stdout + back.stderr
    doc = json_format.loads((tmp_path / "back" / "newsroom.json").read_bytes())
    assert doc.text == _newsroom().text and len(doc.mentions) == 9
    # Without its type system an XMI cannot be read: I001, exit 1, nothing written.
    (tmp_path / "xmi" / "newsroom.typesystem.xml").unlink()
    alone = run_cli("import", "xmi", "xmi", "-o", "alone", "--format", "concise", cwd=tmp_path)
    assert alone.returncode == 1 and " I001 " in alone.stdout
    assert "no type system beside it" in alone.stdout
    assert not (tmp_path / "alone" / "newsroom.json").exists()
