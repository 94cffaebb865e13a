"""brat standoff and annotation.conf: import, export, round trips and every lossy case."""

from __future__ import annotations

import itertools
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
from corpuskit.diagnostics import Finding, Severity
from corpuskit.formats import json_format
from corpuskit.interop.brat import (
    brat_to_document,
    canonical,
    equivalences,
    parse_ann,
    read_brat,
    write_brat,
)
from corpuskit.interop.bratconf import BratConf, convert_conf, find_upward
from corpuskit.interop.common import ImportStamper, scheme_from_text, validate_imported
from corpuskit.model import (
    Argument,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Fragment,
    KBLink,
    Mention,
    Metadata,
    Quote,
    Relation,
    text_sha256,
)
from corpuskit.scheme import Scheme

BRAT = ROOT / "tests" / "interop" / "brat"
GENIA = BRAT / "genia"
CLI_APP = ROOT / "tests" / "interop" / "cli_app.py"


def codes(findings: list[Finding]) -> list[str]:
    return [f.rule.code for f in findings]


def run_app(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The interop commands through a real subprocess (tests/interop/cli_app.py)."""
    return subprocess.run(
        [sys.executable, str(CLI_APP), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture(scope="module")
def converted() -> tuple[str, BratConf, list[Finding], Scheme]:
    toml_text, conf, findings = convert_conf(
        (BRAT / "annotation.conf").read_text("utf-8"),
        "annotation.conf",
        (BRAT / "tools.conf").read_text("utf-8"),
        "tools.conf",
    )
    return toml_text, conf, findings, scheme_from_text(toml_text, "scheme.toml")


# --------------------------------------------------------------------------- annotation.conf


def test_annotation_conf_becomes_a_scheme_that_loads(
    converted: tuple[str, BratConf, list[Finding], Scheme],
) -> None:
    _, conf, findings, scheme = converted
    assert findings == []
    # Hierarchy: a plain parent is a parent, a !category a union of its children.
    assert scheme.types["Drug"].parent == "Chemical"
    assert scheme.types["Biological_entity"].union == ("Cell_type", "Organism")
    assert not scheme.usable("Biological_entity", "mention")
    # Cardinalities: none = exactly one, ?, *, +; macros and <EVENT> expanded.
    binding = scheme.events["Binding"].roles
    assert (binding["Theme"].cardinality.text, binding["Site"].cardinality.text) == ("+", "*")
    regulation = scheme.events["Positive_regulation"].roles
    assert regulation["Theme"].types == ("Protein", "EVENT")
    assert regulation["Theme"].cardinality.text == "1"
    assert regulation["Cause"].types == ("Protein", "EVENT", "Cell_type")
    # The !Regulation category is flattened away; the equivalence is no relation type.
    assert "Regulation" not in scheme.events and "Equiv" not in scheme.relations
    assert conf.equivalences == ["Equiv"]
    assert scheme.relations["Interacts"].symmetric
    assert scheme.relations["Part-of"].roles["Arg2"].types == ("Protein", "Cell_type")
    # Attributes: binary ones are booleans, Value: lists an enumeration.
    assert scheme.attributes["Negation"].datatype == "boolean"
    assert scheme.attributes["Negation"].on == frozenset({"events"})
    assert scheme.attributes["Confidence"].values == ("Low", "Medium", "High")
    species = scheme.attributes["Species"]
    assert (species.on, species.types) == (frozenset({"mentions"}), ("Protein", "Cell_type"))
    # tools.conf [normalization] gives the knowledge bases; <OVERLAP> the overlap policy.
    assert scheme.knowledge_bases["UniProt"].url == "https://www.uniprot.org/uniprot/{id}"
    assert scheme.mention_overlap == "nested"
    assert conf.roles["Binding"] == {"Theme", "Site"}


def test_conf_lines_the_scheme_cannot_express_are_reported_with_their_line() -> None:
    conf_text = "\n".join(
        [
            "[entities]",
            "Protein",
            "[relations]",
            "Part-of\tArg1:Protein, Arg2:Organelle",
            "Before\tArg1:<EVENT>, Arg2:<EVENT>, <REL-TYPE>:transitive",
            "<OVERLAP>\tArg1:Protein, Arg2:Protein, <OVL-TYPE>:cross",
            "[events]",
            "Binding\tTheme{1-3}:Protein, Site:<UNKNOWN>",
            "[visual]",
            "Protein\tbgcolor:#7fa2ff",
        ]
    )
    toml_text, _, findings = convert_conf(conf_text, "a.conf")
    scheme = scheme_from_text(toml_text, "s.toml")
    reported = {(f.position[0] if f.position else 0, f.rule.code) for f in findings}
    assert reported == {(4, "I011"), (5, "I011"), (6, "I011"), (8, "I011"), (9, "I011")}
    assert scheme.events["Binding"].roles["Theme"].cardinality.text == "1-3"
    assert scheme.events["Binding"].roles["Site"].types == ("*",)
    assert scheme.relations["Part-of"].roles["Arg2"].types == ("*",)


def test_conf_is_picked_up_from_the_folder_or_its_parents(tmp_path: Path) -> None:
    (tmp_path / "annotation.conf").write_text("[entities]\nX\n", "utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_upward(deep, "annotation.conf") == (tmp_path / "annotation.conf").resolve()
    (deep / "annotation.conf").write_text("[entities]\nY\n", "utf-8")
    assert find_upward(deep, "annotation.conf") == (deep / "annotation.conf").resolve()


# --------------------------------------------------------------------------- the fixture folder


@pytest.mark.parametrize("stem", ["il2-stat5", "crlf-catenin"])
def test_fixture_imports_validates_under_the_converted_scheme_and_exports_back_equal(
    stem: str, converted: tuple[str, BratConf, list[Finding], Scheme]
) -> None:
    _, conf, _, scheme = converted
    imported = read_brat(GENIA / f"{stem}.txt", conf=conf)
    assert imported.findings == []
    _, report = validate_imported(imported, "json", scheme)
    assert report is not None and report.diagnostics == ()
    assert imported.document is not None
    exported = write_brat(imported.document)
    assert exported.findings == []
    assert exported.files[".txt"].encode("utf-8") == (GENIA / f"{stem}.txt").read_bytes()
    original, _ = parse_ann((GENIA / f"{stem}.ann").read_text("utf-8"))
    again, problems = parse_ann(exported.files[".ann"])
    assert problems == []
    assert canonical(again) == canonical(original)  # ids, types, offsets, arguments, values
    assert equivalences(again) == equivalences(original)


def test_every_brat_annotation_kind_maps_as_documented(
    converted: tuple[str, BratConf, list[Finding], Scheme],
) -> None:
    doc = read_brat(GENIA / "il2-stat5.txt", conf=converted[1]).document
    assert doc is not None
    mentions = {m.id: m for m in doc.mentions}
    # Triggers are not mentions; a discontinuous span keeps both fragments and its note.
    assert "T2" not in mentions and "T6" not in mentions
    assert [f.text for f in mentions["T8"].span] == ["IL-2", "receptors"]
    assert mentions["T8"].note == "discontinuous: IL-2 ... receptors"
    events = {e.id: e for e in doc.events}
    # E1 and E2 share one trigger; Theme2 and Theme3 are repeated Theme arguments.
    assert events["E1"].trigger == events["E2"].trigger == (Fragment(14, 23, "activates"),)
    assert [a.role for a in events["E3"].args] == ["Theme", "Theme", "Theme"]
    assert events["E4"].args[0] == Argument("Theme", "E3")
    attributes = {a.id: (a.target, a.name, a.value) for a in doc.attributes}
    assert attributes == {
        "A1": ("E5", "Negation", True),
        "A2": ("E4", "Confidence", "High"),
        "M1": ("E1", "Speculation", True),
        "A3": ("T5", "Species", "Human"),
    }
    stat5a = next(e for e in doc.entities if e.id == "T3.entity")
    assert stat5a.mentions == ("T3", "T7")
    assert stat5a.links == (KBLink("UniProt", "P42229"),)
    assert stat5a.name == "Signal transducer and activator of transcription 5A"
    assert [e.id for e in doc.entities] == ["T3.entity", "T4.entity", "T11.entity"]


def test_crlf_text_is_kept_and_offsets_count_code_points() -> None:
    doc = read_brat(GENIA / "crlf-catenin.txt").document
    assert doc is not None
    assert "\r\n" in doc.text
    apc = next(m for m in doc.mentions if m.id == "T5")
    # After "🧬" (one code point, two UTF-16 units) and a CRLF: brat counts characters.
    assert apc.span == (Fragment(116, 119, "APC"),)
    assert doc.text[116:119] == "APC"
    e2 = next(e for e in doc.events if e.id == "E2")
    assert (
        e2.note
        == "APC is part of the destruction complex;\nthe text says degrades, so Negative_regulation"
    )


# --------------------------------------------------------------------------- import problems


TEXT = "Iran sent 400 missiles to Russia.\n"


def test_malformed_lines_are_reported_at_their_line_and_left_out() -> None:
    ann = "T1\tGPE 0 4\tIran\nT2\tGPE zero 4\tIran\nQ1\tWhat\nT1\tGPE 26 32\tRussia\nno tab here\n"
    imported = brat_to_document(TEXT, ann, "d")
    found = [(f.position, f.rule.code) for f in imported.findings]
    assert found == [((2, 1), "I002"), ((3, 1), "I002"), ((4, 1), "I002"), ((5, 1), "I002")]
    assert imported.document is not None
    assert [m.id for m in imported.document.mentions] == ["T1"]


def test_a_span_whose_text_does_not_match_gets_the_validate_diagnosis_at_its_line() -> None:
    imported = brat_to_document(
        TEXT, "T1\tGPE 0 4\tIran\nT2\tGPE 25 31\tRussia\n", "d", ann_file="d.ann"
    )
    _, report = validate_imported(imported)
    assert report is not None
    stamper = ImportStamper(imported)
    (diagnostic,) = [stamper.validation(d) for d in report.diagnostics]
    assert (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code) == (
        "d.ann",
        2,
        8,
        "O003",
    )
    assert diagnostic.hint is not None and "at [26, 32) (+1)" in diagnostic.hint


def test_utf16_counted_offsets_are_detected_and_converted() -> None:
    text = "🚀 Iran sent missiles to Russia 🇷🇺.\n"
    ann = "T1\tGPE 3 7\tIran\nT2\tGPE 26 32\tRussia\n"  # counted in UTF-16 code units
    imported = brat_to_document(text, ann, "d")
    assert "I003" in codes(imported.findings)
    assert "--offset-unit utf16" in (
        next(f.hint for f in imported.findings if f.rule.code == "I003") or ""
    )
    fixed = brat_to_document(text, ann, "d", unit="utf16")
    assert fixed.findings == []
    assert fixed.document is not None
    assert [m.span[0].text for m in fixed.document.mentions] == ["Iran", "Russia"]


def test_an_offset_inside_a_character_is_an_error() -> None:
    imported = brat_to_document("αβγ Iran\n", "T1\tX 1 4\tβγ\n", "d", unit="utf8")
    assert codes(imported.findings) == ["I003"]
    assert imported.errors == 1


def test_references_to_triggers_go_to_their_event_and_notes_too() -> None:
    ann = (
        "T1\tProtein 0 4\tIran\nT2\tBinding 5 9\tsent\nE1\tBinding:T2 Theme:T1\n"
        "A1\tNegation T2\n#1\tAnnotatorNotes T2\tnote on the trigger\n"
    )
    imported = brat_to_document(TEXT, ann, "d")
    assert imported.document is not None
    assert imported.document.attributes == (Attribute("A1", "E1", "Negation", True),)
    assert imported.document.events[0].note == "note on the trigger"
    assert codes(imported.findings).count("I009") == 2


def test_what_a_round_trip_would_change_is_named() -> None:
    ann = (
        "T1\tGPE 0 4\tIran\nT3\tGPE 26 32\tRussia\nT7\tMove 5 9\tsent\nE1\tMove:T7 To:T3\n"
        "N4\tReference T3 Wikidata:Q159\tRussia\n#9\tNote T1\tfirst\n*\tCoref T1 T3\n"
    )
    imported = brat_to_document(TEXT, ann, "d")
    assert imported.document is not None
    # Trigger, normalisation and note ids, the note type and the * type are kept (issue 17):
    # nothing is left for I010 to name, and the file comes back as it was.
    assert [f.message for f in imported.findings if f.rule.code == "I010"] == []
    written = write_brat(imported.document).files[".ann"]
    assert sorted(written.splitlines()) == sorted(ann.splitlines())  # grouped by kind
    # What does change is named at its line: a note on an annotation that is left out.
    lost = brat_to_document(TEXT, ann.replace("#9\tNote T1", "#9\tNote N4"), "d")
    assert [(f.rule.code, f.position) for f in lost.findings] == [("I008", (6, 1))]


def test_numbered_roles_stay_when_the_conf_declares_them() -> None:
    conf = BratConf("annotation.conf", roles={"Swap": {"Participant", "Participant2"}})
    ann = "T1\tX 0 4\tIran\nT3\tX 26 32\tRussia\nT2\tSwap 5 9\tsent\nE1\tSwap:T2 Participant:T1 Participant2:T3\n"
    doc = brat_to_document(TEXT, ann, "d", conf).document
    assert doc is not None
    assert [a.role for a in doc.events[0].args] == ["Participant", "Participant2"]
    plain = brat_to_document(TEXT, ann, "d").document
    assert plain is not None
    assert [a.role for a in plain.events[0].args] == ["Participant", "Participant"]


def test_a_missing_text_file_is_unreadable_and_a_missing_ann_is_no_annotations(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.ann").write_text("T1\tX 0 1\ta\n", "utf-8")
    assert codes(read_brat(tmp_path / "a.txt").findings) == ["I001"]
    (tmp_path / "b.txt").write_text("plain text\n", "utf-8")
    alone = read_brat(tmp_path / "b.txt")
    assert alone.findings == [] and alone.document is not None
    assert alone.document.mentions == ()


# --------------------------------------------------------------------------- export losses


def _doc(**kinds: Any) -> Document:
    text = "Iran sent 400 missiles\nto Russia, an official said.\n"
    return Document(
        id="d",
        meta=Metadata(title="d", language="und"),
        text=text,
        text_sha256=text_sha256(text),
        **kinds,
    )


IRAN = Mention("m1", "GPE", (Fragment(0, 4, "Iran"),))
RUSSIA = Mention("m2", "GPE", (Fragment(26, 32, "Russia"),))
MISSILES = Mention("m3", "WEAPON", (Fragment(14, 25, "missiles\nto"),))


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({"mentions": (IRAN, MISSILES)}, ["I006", "I009"]),  # renamed; split at the line break
        (
            {
                "mentions": (IRAN,),
                "attributes": (
                    Attribute("a1", "m1", "negated", False),
                    Attribute("a2", "m1", "score", 0.5),
                    Attribute("a3", "m1", "label", "two words"),
                ),
            },
            ["I006", "I008", "I008", "I009"],
        ),
        (
            {
                "mentions": (IRAN, RUSSIA),
                "relations": (Relation("r1", "between", (Argument("a", "m1"),)),),
            },
            ["I006", "I008"],
        ),
        (
            {
                "mentions": (IRAN, RUSSIA),
                "entities": (Entity("e1", "GPE", ("m1",), name="Iran"),),
                "relations": (Relation("r1", "near", (Argument("a", "e1"), Argument("b", "m2"))),),
            },
            ["I006", "I008", "I009"],
        ),
        (
            {
                "mentions": (IRAN, RUSSIA),
                "quotes": (Quote("q1", (Fragment(34, 42, "official"),), "direct", speaker="m1"),),
                "claims": (Claim("c1", (Fragment(5, 9, "sent"),), source="m2"),),
            },
            ["I006", "I009", "I009"],
        ),
        ({"mentions": (Mention("T1", "GPE", (Fragment(0, 4, "Iran"),), note="a\rb"),)}, ["I009"]),
    ],
    ids=["line-break", "attribute-values", "unary-relation", "entity", "quote-claim", "note-cr"],
)
def test_export_names_every_annotation_brat_cannot_carry(
    kinds: dict[str, object], expected: list[str]
) -> None:
    exported = write_brat(_doc(**kinds))
    assert sorted(codes(exported.findings)) == expected
    parse_ann(exported.files[".ann"])  # still valid brat


def test_metadata_is_reported_lost_unless_it_is_what_import_would_give() -> None:
    plain = write_brat(_doc(mentions=(Mention("T1", "GPE", (Fragment(0, 4, "Iran"),)),)))
    assert plain.findings == []
    doc = _doc()
    titled = replace(doc, meta=Metadata("A title", "en"))
    assert [(f.rule.code, f.pointer) for f in write_brat(titled).findings] == [("I008", "/meta")]


def test_the_bundled_corpus_exports_with_every_loss_named() -> None:
    doc = json_format.load(CORPUS / "iran-russia-missiles.json")
    exported = write_brat(doc)
    standoff, problems = parse_ann(exported.files[".ann"])
    assert problems == []
    assert len(standoff.textbounds) >= len(doc.mentions) + len(doc.quotes) + len(doc.claims)
    quoted = {f.annotation_id for f in exported.findings if f.rule.code == "I009"}
    assert {q.id for q in doc.quotes} <= quoted
    assert all(f.rule.severity is Severity.WARNING for f in exported.findings)


def test_a_claims_cue_is_written_as_a_cue_textbound_and_relation() -> None:
    # tests/fixtures/claim-cue.json: "Numerous sources informed Reuters that ...".
    doc = json_format.load(ROOT / "tests" / "fixtures" / "claim-cue.json")
    exported = write_brat(doc)
    lines = exported.files[".ann"].splitlines()
    (claim,) = [line.split("\t")[0] for line in lines if "\tClaim " in line]
    (cue,) = [line.split("\t") for line in lines if "\tCue " in line and line.startswith("T")]
    assert cue[1:] == ["Cue 17 25", "informed"]
    assert any(line.split("\t")[1] == f"Cue Arg1:{claim} Arg2:{cue[0]}" for line in lines)
    (told,) = [f.message for f in exported.findings if f.rule.code == "I009"]
    assert "with Source, Channel and Cue relations" in told
    # Read back, the cue is a Cue mention tied to the claim's mention by a Cue relation.
    back = brat_to_document(doc.text, exported.files[".ann"], "claim-cue").document
    assert back is not None
    (cue_mention,) = [m for m in back.mentions if m.type == "Cue"]
    assert cue_mention.span == doc.claims[0].cue
    (link,) = [r for r in back.relations if r.type == "Cue"]
    assert link.args[1].ref == cue_mention.id


# --------------------------------------------------------------------------- round-trip property


_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
chars = st.characters(
    min_codepoint=0x09, max_codepoint=0x10FFFF, exclude_categories=("Cs",)
).filter(lambda c: c not in "\ufffe\uffff" and (c >= " " or c in "\t\n\r"))
texts = st.lists(
    st.one_of(chars, st.sampled_from(["\r\n", "🧬", "β", "e\u0301"])), min_size=4, max_size=50
).map("".join)
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,6}", fullmatch=True)
# Few role names, so that events repeat roles (brat numbers them: Theme, Theme2 ...).
roles = st.one_of(
    st.sampled_from(["Theme", "Cause", "Site"]),
    # brat strips the digits of every role (Theme1 is Theme): roles ending in one are not
    # carried exactly.
    names.filter(lambda r: not re.fullmatch(r".+?[0-9]+", r)),
)
values = st.one_of(st.just(True), st.from_regex(r"[A-Za-z0-9_.-]{1,8}", fullmatch=True))
notes = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r"), max_size=12),
)


@st.composite
def line_spans(draw: st.DrawFn, text: str) -> tuple[Fragment, ...]:
    """Sorted fragments that never cross a line break (brat splits those)."""
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=6))))
    pairs = [(a, b) for a, b in itertools.pairwise(cuts) if b > a and not _BREAKS.search(text[a:b])]
    if not pairs:
        return ()
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=3, unique=True))
    return tuple(Fragment(a, b, text[a:b]) for a, b in sorted(chosen))


@st.composite
def brat_documents(draw: st.DrawFn) -> Document:
    """Documents inside what brat carries exactly: brat ids, binary relations, true or
    one-word attribute values, entities named after their first mention, no metadata."""
    text = draw(texts)
    numbers = draw(st.lists(st.integers(1, 40), min_size=1, max_size=6, unique=True))
    mentions = []
    for n in numbers:
        span = draw(line_spans(text))
        if span:
            mentions.append(Mention(f"T{n}", draw(names), span, draw(notes)))
    if not mentions:
        return _plain(draw(names), text)
    ids = [m.id for m in mentions]
    events = []
    for i in range(draw(st.integers(0, 3))):
        trigger = draw(line_spans(text))
        if trigger:
            refs = [*ids, *(e.id for e in events)]
            args = tuple(
                Argument(draw(roles), draw(st.sampled_from(refs)))
                for _ in range(draw(st.integers(0, 3)))
            )
            events.append(Event(f"E{i + 1}", draw(names), trigger, args, draw(notes)))
    nodes = [*ids, *(e.id for e in events)]
    relations = tuple(
        Relation(
            f"R{i + 1}",
            draw(names),
            (
                Argument(draw(roles), draw(st.sampled_from(nodes))),
                Argument(draw(roles), draw(st.sampled_from(nodes))),
            ),
            draw(notes),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    targets = [*nodes, *(r.id for r in relations)]
    attributes = tuple(
        Attribute(
            f"{draw(st.sampled_from('AM'))}{i + 1}",
            draw(st.sampled_from(targets)),
            draw(names),
            draw(values),
            draw(notes),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    by_id = {m.id: m for m in mentions}
    free = list(ids)
    entities = []
    while free and draw(st.booleans()):
        members = free[: draw(st.integers(1, 3))]
        free = free[len(members) :]
        kb_links = tuple(
            KBLink(draw(names), draw(st.from_regex(r"[A-Z][0-9]{1,5}", fullmatch=True)))
            for _ in range(draw(st.integers(0 if len(members) > 1 else 1, 2)))
        )
        name = (
            draw(
                st.one_of(
                    st.none(),
                    st.text(
                        st.characters(
                            exclude_categories=("Cs",),
                            exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
                        ),
                        min_size=1,
                        max_size=8,
                    ),
                )
            )
            if kb_links
            else None
        )
        entities.append(
            Entity(f"{members[0]}.entity", by_id[members[0]].type, tuple(members), name, kb_links)
        )
    return _plain(
        draw(names), text, tuple(mentions), tuple(entities), tuple(events), relations, attributes
    )


def _plain(
    doc_id: str,
    text: str,
    mentions: tuple[Mention, ...] = (),
    entities: tuple[Entity, ...] = (),
    events: tuple[Event, ...] = (),
    relations: tuple[Relation, ...] = (),
    attributes: tuple[Attribute, ...] = (),
) -> Document:
    """A document with the metadata a brat import gives (title = id, language und)."""
    return Document(
        id=doc_id,
        meta=Metadata(title=doc_id, language="und"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=mentions,
        entities=entities,
        events=events,
        relations=relations,
        attributes=attributes,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(brat_documents(), st.sampled_from(["codepoint", "utf16", "utf8"]))
def test_corpuskit_to_brat_to_corpuskit_is_exact_where_brat_can_carry_it(
    doc: Document, unit: str
) -> None:
    exported = write_brat(doc, unit)
    assert exported.findings == []
    back = brat_to_document(exported.files[".txt"], exported.files[".ann"], doc.id, unit=unit)
    assert back.findings == []
    assert back.document == doc


# --------------------------------------------------------------------------- the CLI


def test_cli_imports_the_folder_validates_it_and_exports_it_back_equal(tmp_path: Path) -> None:
    out, back = tmp_path / "corpus", tmp_path / "brat"
    result = run_app("import", "brat", str(BRAT), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Imported 3 files" in result.stdout and "0 errors, 0 warnings" in result.stdout
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "genia/crlf-catenin.json",
        "genia/il2-stat5.json",
        "scheme.toml",
    ]
    validated = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpuskit",
            "validate",
            "--scheme",
            str(out / "scheme.toml"),
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    result = run_app("export", "brat", str(out / "genia"), "-o", str(back))
    assert result.returncode == 0, result.stdout + result.stderr
    for stem in ("il2-stat5", "crlf-catenin"):
        assert (back / f"{stem}.txt").read_bytes() == (GENIA / f"{stem}.txt").read_bytes()
        original, _ = parse_ann((GENIA / f"{stem}.ann").read_text("utf-8"))
        again, _ = parse_ann((back / f"{stem}.ann").read_text("utf-8"))
        assert canonical(again) == canonical(original)
        assert equivalences(again) == equivalences(original)


def test_cli_bad_input_gives_diagnostics_and_the_rest_still_converts(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(TEXT, "utf-8")
    (src / "good.ann").write_text("T1\tGPE 0 4\tIran\n", "utf-8")
    (src / "bad.txt").write_text(TEXT, "utf-8")
    (src / "bad.ann").write_text("T1\tGPE 0 4\tIran\nT2\tGPE 25 31\tRussia\nT3\tGPE x\n", "utf-8")
    (src / "latin1.txt").write_bytes("Zürich\n".encode("latin-1"))
    out = tmp_path / "out"
    result = run_app(
        "import",
        "brat",
        str(src),
        str(tmp_path / "missing.ann"),
        "-o",
        str(out),
        "--format",
        "concise",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(re.match(r".*bad\.ann:2:8: O003 covered text \"Russia\"", line) for line in lines), (
        lines
    )
    assert any(re.match(r".*bad\.ann:3:1: I002 ", line) for line in lines)
    assert any(re.match(r".*latin1\.txt:1:1: I001 ", line) for line in lines)
    assert any(re.match(r".*missing\.ann:1:1: I001 ", line) for line in lines)
    assert sorted(p.name for p in out.iterdir()) == ["good.json"]


@pytest.mark.parametrize(
    "args",
    [
        ["import", "nope", "x", "-o", "out"],
        ["import", "brat", "x", "-o", "out", "--offset-unit", "utf32"],
        ["import", "brat", "x"],
        # Every reporter of the registry is a choice (tests/test_plugin_registries.py).
        ["export", "brat", "x", "-o", "out", "--format", "nope"],
    ],
    ids=["format", "unit", "no-output", "output-format"],
)
def test_cli_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = run_app(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr


def test_a_trigger_span_problem_points_at_the_trigger_line() -> None:
    ann = "T1\tGPE 0 4\tIran\nT2\tMove 5 8\tsent\nE1\tMove:T2 Theme:T1\n"
    imported = brat_to_document(TEXT, ann, "d", ann_file="d.ann")
    _, report = validate_imported(imported)
    assert report is not None
    stamper = ImportStamper(imported)
    (diagnostic,) = [stamper.validation(d) for d in report.diagnostics]
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (2, 9, "O003")


def test_cli_reports_conf_lines_and_writes_xml_on_request(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "docs").mkdir(parents=True)
    (src / "annotation.conf").write_text(
        "[entities]\nGPE\n[relations]\nNear\tArg1:GPE, Arg2:Place\n[events]\n[attributes]\n",
        "utf-8",
    )
    (src / "docs" / "a.txt").write_text(TEXT, "utf-8")
    (src / "docs" / "a.ann").write_text("T1\tGPE 0 4\tIran\nT2\tGPE 26 32\tRussia\n", "utf-8")
    out = tmp_path / "out"
    result = run_app(
        "import", "brat", str(src), "-o", str(out), "--to", "xml", "--format", "concise"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(
        r"annotation\.conf:4:1: I011 argument type \"Place\" is not declared", result.stdout
    )
    assert (out / "scheme.toml").is_file()
    assert (out / "docs" / "a.xml").read_text("utf-8").startswith("<?xml")


def test_cli_export_reports_a_broken_document_and_exports_the_others(tmp_path: Path) -> None:
    broken = ROOT / "tests" / "examples" / "negative" / "S001-missing-property.json"
    corpus = CORPUS / "iran-russia-missiles.json"
    result = run_app(
        "export", "brat", str(broken), str(corpus), "-o", str(tmp_path), "--format", "concise"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"S001-missing-property\.json:\d+:\d+: S001 ", result.stdout)
    assert re.search(r"iran-russia-missiles\.json:\d+:\d+: I009 quote q1 ", result.stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "iran-russia-missiles.ann",
        "iran-russia-missiles.txt",
    ]
