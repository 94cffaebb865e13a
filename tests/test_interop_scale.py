"""Importers and exporters stay linear on hostile sizes, and their output is what it was.

Each rewrite of a quadratic path is checked twice: on small inputs against the old simple
algorithm (kept here as the reference), and on an input whose size took the old code seconds
or more (the result is asserted, not the time: timings belong in benchmarks).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.diagnostics import Finding
from corpuskit.interop import conll, labelstudio
from corpuskit.interop.conll import flat_mentions, tokens, write_conll
from corpuskit.interop.labelstudio import read_labelstudio
from corpuskit.interop.xmi import CHAIN, LINK, NE, STRING, _cassis, _Reader, read_xmi, type_system
from corpuskit.model import Document, Entity, Fragment, Mention, Metadata, text_sha256
from corpuskit.rules import interop as I
from strategies import documents

# --------------------------------------------------------------------------- XMI: chains


def _old_read_chains(self: Any) -> None:
    """The chain reader as it was: every chain copied the first links and rebuilt the index of
    mentions (quadratic in chains); the reference for what the rewrite must read."""
    by_span: dict[tuple[int, int], list[Mention]] = {}
    for m in self.mentions:
        by_span.setdefault((m.span[0].start, m.span[0].end), []).append(m)
    chained: set[str] = set()
    self.select(LINK)
    for chain in self.select(CHAIN):
        ident = f"e{len(self.entities) + 1}"
        members: list[str] = []
        kinds: list[str] = []
        link, seen = chain.get("first"), set()
        while link is not None and link.xmiID not in seen:
            seen.add(link.xmiID)
            kinds.append(self.name_of(link.get("referenceType"), "coreference type", ""))
            members.append(self.chain_mention(link, by_span, kinds[-1], ident).id)
            self.ids.setdefault(link.xmiID, ident)
            if len(members) == 1:
                self.first_links = {**self.first_links, link.xmiID: ident}
            link = link.get("next")
        if not members:
            continue
        chained.update(members)
        mentions = {m.id: m for m in self.mentions}
        kind = next((k for k in kinds if k), mentions[members[0]].type)
        self.entities.append(Entity(ident, kind, tuple(members), links=self.links(members)))
    for m in self.mentions:
        if m.id in self.identifiers and m.id not in chained:
            ident = f"e{len(self.entities) + 1}"
            self.entities.append(Entity(ident, m.type, (m.id,), links=self.links([m.id])))


def _both_readers(xmi: bytes, types: bytes) -> tuple[Any, Any]:
    new = read_xmi(xmi, types, "h.xmi", "h")
    with mock.patch.object(_Reader, "read_chains", _old_read_chains):
        old = read_xmi(xmi, types, "h.xmi", "h")
    return new, old


# Few places, so that links land on named entities, on several, and on none.
_PLACES = [(0, 4), (5, 9), (0, 9), (10, 14), (15, 19)]
_TYPES = st.sampled_from([None, "", "PER", "GPE", "not a name"])
_IDENTIFIERS = st.sampled_from([None, "http://www.wikidata.org/entity/Q1", "no kb here"])


@st.composite
def _chain_cases(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A CAS (XMI, type system) of named entities and coreference chains: links on one named
    entity, on several, on none, without a type, with a feature to carry, chains that loop."""
    ts = type_system({LINK: {"salience": STRING}})
    cas = _cassis().Cas(typesystem=ts)
    cas.sofa_string = "Anna Bert Cara Dora and the rest"
    ne, link_type, chain_type = ts.get_type(NE), ts.get_type(LINK), ts.get_type(CHAIN)
    for begin, end in draw(st.lists(st.sampled_from(_PLACES), max_size=6)):
        fs = ne(begin=begin, end=end)
        fs.set("value", draw(_TYPES))
        fs.set("identifier", draw(_IDENTIFIERS))
        cas.add(fs)
    for places in draw(st.lists(st.lists(st.sampled_from(_PLACES), max_size=4), max_size=5)):
        links = []
        for begin, end in places:
            link = link_type(begin=begin, end=end)
            link.set("referenceType", draw(_TYPES))
            link.set("salience", draw(st.sampled_from([None, "high"])))
            cas.add(link)
            links.append(link)
        for a, b in itertools.pairwise(links):
            a.set("next", b)
        if links and draw(st.booleans()):
            links[-1].set("next", links[draw(st.integers(0, len(links) - 1))])
        cas.add(chain_type(first=links[0] if links else None))
    return cas.to_xmi().encode(), ts.to_xml().encode()


@settings(max_examples=60, deadline=None)
@given(_chain_cases())
def test_xmi_chains_read_as_the_old_reader_read_them(case: tuple[bytes, bytes]) -> None:
    new, old = _both_readers(*case)
    assert new.document == old.document
    assert new.findings == old.findings


@settings(max_examples=15, deadline=None)
@given(documents())
def test_xmi_exports_read_back_as_the_old_reader_read_them(doc: Document) -> None:
    from corpuskit.interop.xmi import write_xmi

    files = write_xmi(doc).files
    new, old = _both_readers(files[".xmi"].encode(), files[".typesystem.xml"].encode())
    assert new.document == old.document
    assert new.findings == old.findings


def _one_mention_chains(k: int) -> bytes:
    """The tester's probe (/tmp/hunt/p10_xmi.py) as XMI: k named entities, each the one link of
    its own chain (2.8 s for 8,000 before, 62 s for 32,000)."""
    rows = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" '
        'xmlns:ner="http:///de/tudarmstadt/ukp/dkpro/core/api/ner/type.ecore" '
        'xmlns:coref="http:///de/tudarmstadt/ukp/dkpro/core/api/coref/type.ecore" '
        'xmi:version="2.0">',
        '<cas:NULL xmi:id="0"/>',
    ]
    for i in range(k):
        at, ident = 5 * i, 10 + 3 * i
        rows.append(
            f'<ner:NamedEntity xmi:id="{ident}" sofa="1" begin="{at}" end="{at + 4}" value="GPE"/>'
            f'<coref:CoreferenceLink xmi:id="{ident + 1}" sofa="1" begin="{at}" end="{at + 4}" '
            f'referenceType="GPE"/><coref:CoreferenceChain xmi:id="{ident + 2}" sofa="1" '
            f'first="{ident + 1}"/>'
        )
    members = " ".join(str(10 + n) for n in range(3 * k))
    rows.append(
        f'<cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text/plain" '
        f'sofaString="{"Iran " * k}"/><cas:View sofa="1" members="{members}"/></xmi:XMI>'
    )
    return "\n".join(rows).encode()


def test_xmi_thousands_of_chains_are_read() -> None:
    k = 8_000
    imported = read_xmi(_one_mention_chains(k), type_system().to_xml().encode(), "p.xmi", "p")
    doc = imported.document
    assert doc is not None and imported.findings == []
    assert len(doc.mentions) == len(doc.entities) == k
    assert doc.entities[-1] == Entity(f"e{k}", "GPE", (f"m{k}",))
    assert doc.mentions[-1].span == (Fragment(5 * k - 5, 5 * k - 1, "Iran"),)


# --------------------------------------------------------------------------- CoNLL export


def _old_flat_mentions(doc: Document) -> tuple[list[Mention], list[Finding]]:
    """The old flat layer: each mention compared with every mention kept before it."""
    kept: list[Mention] = []
    findings: list[Finding] = []
    index = {m.id: i for i, m in enumerate(doc.mentions)}
    ordered = sorted(doc.mentions, key=lambda m: (m.span[0].start, -m.span[-1].end, index[m.id]))
    taken: list[tuple[int, int, str]] = []
    for m in ordered:
        pointer = f"/mentions/{index[m.id]}"
        if len(m.span) > 1:
            message = (
                f"mention {m.id} ({m.type}) is not written: it has {len(m.span)} fragments and "
                "BIO tags mark contiguous tokens"
            )
            findings.append(Finding(I.NOT_CARRIED, message, pointer + "/span", annotation_id=m.id))
            continue
        f = m.span[0]
        clash = next((other for a, b, other in taken if a < f.end and f.start < b), None)
        if clash is not None:
            message = (
                f"mention {m.id} ({m.type}, {f.text!r}) is not written: it overlaps {clash}, and "
                "BIO tags one mention per token"
            )
            findings.append(Finding(I.NOT_CARRIED, message, pointer, annotation_id=m.id))
            continue
        taken.append((f.start, f.end, m.id))
        kept.append(m)
    kept.sort(key=lambda m: index[m.id])
    return kept, findings


def _old_tokens(text: str, cuts: set[int]) -> Iterator[tuple[int, int]]:
    """The old tokenizer: every cut looked at for every token."""
    for match in conll._TOKEN.finditer(text):
        start = match.start()
        for cut in sorted(c for c in cuts if match.start() < c < match.end()):
            yield start, cut
            start = cut
        yield start, match.end()


def _old_write_conll(doc: Document) -> tuple[str, list[Finding]]:
    """The old writer's lines (pending mentions popped from the front) on the old helpers."""
    with (
        mock.patch.object(conll, "flat_mentions", _old_flat_mentions),
        mock.patch.object(conll, "tokens", _old_tokens),
    ):
        kept, findings = conll.flat_mentions(doc)
        pending = sorted(kept, key=lambda m: m.span[0].start)
        cuts = {offset for m in kept for offset in (m.span[0].start, m.span[0].end)}
        tagged: set[str] = set()
        inside: Mention | None = None
        lines = [conll.DOCSTART, ""]
        sentence: list[str] = []
        previous_end = 0
        docstart_tokens = 0
        for start, end in conll.tokens(doc.text, cuts):
            while pending and pending[0].span[0].end <= start:
                pending.pop(0)
            current = pending[0] if pending and pending[0].span[0].start <= start else None
            if sentence and current is None and "\n" in doc.text[previous_end:start]:
                lines.extend([*sentence, ""])
                sentence = []
            tag = "O"
            if current is not None:
                tag = f"{'I' if current is inside else 'B'}-{current.type}"
                tagged.add(current.id)
            inside = current
            token = doc.text[start:end]
            docstart_tokens += token == "-DOCSTART-"
            sentence.append(f"{token} _ _ {tag}")
            previous_end = end
            if token in conll._SENTENCE_END and (current is None or end >= current.span[0].end):
                lines.extend([*sentence, ""])
                sentence = []
        if sentence:
            lines.extend([*sentence, ""])
        index = {m.id: i for i, m in enumerate(doc.mentions)}
        for m in kept:
            if m.id not in tagged:
                message = (
                    f"mention {m.id} ({m.type}) is not written: it covers no token, only whitespace"
                )
                findings.append(
                    Finding(I.NOT_CARRIED, message, f"/mentions/{index[m.id]}", annotation_id=m.id)
                )
        findings.extend(conll._losses(doc, docstart_tokens))
        return "\n".join(lines) + "\n", findings


_CONLL_TEXT = "Ana Silva said. The mayor\nof Lisbon -DOCSTART- met Rui-Costa! ok?  end"


@st.composite
def _overlapping_documents(draw: st.DrawFn) -> Document:
    """Mentions anywhere: nested, overlapping, equal, empty, inside words, discontinuous."""
    text = _CONLL_TEXT
    mentions = []
    for i in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, len(text)))
        spans = [(start, draw(st.integers(start, min(len(text), start + 20))))]
        if draw(st.integers(0, 5)) == 0 and spans[0][1] < len(text):
            after = draw(st.integers(spans[0][1], len(text)))
            spans.append((after, draw(st.integers(after, len(text)))))
        fragments = tuple(Fragment(a, b, text[a:b]) for a, b in spans)
        mentions.append(Mention(f"m{i}", draw(st.sampled_from(["PER", "GPE"])), fragments))
    return Document(
        id="c",
        meta=Metadata(title="t", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=tuple(mentions),
    )


@settings(max_examples=300, deadline=None)
@given(_overlapping_documents())
def test_conll_writes_what_the_old_writer_wrote(doc: Document) -> None:
    exported = write_conll(doc)
    assert (exported.files[".conll"], exported.findings) == _old_write_conll(doc)
    assert flat_mentions(doc) == _old_flat_mentions(doc)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(-3, len(_CONLL_TEXT) + 3)))
def test_conll_tokens_cut_where_the_old_tokens_cut(cuts: set[int]) -> None:
    assert list(tokens(_CONLL_TEXT, cuts)) == list(_old_tokens(_CONLL_TEXT, cuts))


def test_conll_thousands_of_mentions_are_written() -> None:
    # The tester's probe (/tmp/hunt/p3_brat_export.py): 0.43 s for 2,000 before, 5.2 s for 8,000.
    k = 20_000
    text = "Iran " * k
    mentions = tuple(
        Mention(f"m{i}", "GPE", (Fragment(5 * i, 5 * i + 4, "Iran"),)) for i in range(k)
    )
    doc = Document(
        id="x",
        meta=Metadata(title="t", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=mentions,
    )
    exported = write_conll(doc)
    lines = exported.files[".conll"].splitlines()
    assert lines[2:] == ["Iran _ _ B-GPE"] * k + [""]
    assert [f.pointer for f in exported.findings] == ["/meta"]


# --------------------------------------------------------------------------- Label Studio import


def _task(text: str, annotations: list[Any], **more: Any) -> dict[str, Any]:
    return {"id": more.pop("id", 1), "data": {"text": text}, "annotations": annotations, **more}


def _region(ident: str, start: int, end: int, text: str) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": text[start:end], "labels": ["PER"]}
    return {"id": ident, "type": "labels", "from_name": "label", "to_name": "text", "value": value}


def test_labelstudio_tasks_within_the_budget_read_as_before() -> None:
    text = "Ana met Rui."
    tasks = [
        _task(text, [{"id": 7, "result": [_region("a", 0, 3, text)]}, {"id": 8, "result": []}]),
        _task(text, [{"id": 9, "result": [], "was_cancelled": True}], id=2),
        _task(text, [], id=3),
    ]
    out = read_labelstudio(json.dumps(tasks).encode(), "t.json", "t")
    assert [(i.name, i.document is not None, i.errors) for i in out] == [
        ("t-1-7", True, 0),
        ("t-1-8", True, 0),
        ("t-2", True, 0),
        ("t-3", True, 0),
    ]
    assert out[0].document is not None and out[0].document.mentions[0].span[0].text == "Ana"
    assert "1 cancelled annotation(s) are not read" in out[2].findings[0].message


def test_labelstudio_stops_where_the_budget_ends_and_says_how_much_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "x" * 100
    tasks = [
        _task(text, [{"id": n} for n in range(3)]),
        _task(text, [{"id": 5}, {"id": 6, "was_cancelled": True}, "junk"], id=2),
        {"id": 3, "data": {"text": "y"}},
        "not a task",
    ]
    data = json.dumps(tasks).encode()
    monkeypatch.setattr(labelstudio, "TEXT_FACTOR", 0)

    def read(budget: int) -> tuple[list[str], str]:
        monkeypatch.setattr(labelstudio, "MIN_TEXT_BUDGET", budget)
        out = read_labelstudio(data, "t.json", "t")
        assert all(i.document is not None for i in out[:-1])
        last = out[-1]
        if last.document is not None or last.name == "t-4":
            return [i.name for i in out], ""
        (finding,) = last.findings
        assert finding.rule is I.INPUT_UNREADABLE and finding.hint
        return [i.name for i in out[:-1]], finding.message

    # Room for task 1 only: task 2's document is the first not made.
    names, message = read(350)
    assert names == ["t-1-0", "t-1-1", "t-1-2"]
    assert message == (
        "the rest of the input is not read (from 't-2' on: 1 annotation(s) of 3 task(s)): "
        "each annotation is a document holding its task's whole text, and the documents of "
        "one input hold at most 350 characters of text (0 times its size, at least 350)"
    )
    # Inside a task: its annotations not read yet are counted with the later tasks' ones.
    names, message = read(250)
    assert names == ["t-1-0", "t-1-1"]
    assert "(from 't-1-2' on: 2 annotation(s) of 4 task(s))" in message
    # A task without annotations is a document too, and counts.
    names, message = read(400)
    assert names == ["t-1-0", "t-1-1", "t-1-2", "t-2"]
    assert "(from 't-3' on: 0 annotation(s) of 2 task(s))" in message
    # Just enough: everything is read, the task that is not an object refused as before.
    names, message = read(401)
    assert names == ["t-1-0", "t-1-1", "t-1-2", "t-2", "t-3", "t-4"] and message == ""


def test_labelstudio_many_empty_annotations_on_a_long_text_are_cut_short() -> None:
    # The tester's probe (/tmp/hunt/p11_ls.py 1000000 K), larger: every {"id": N} was a
    # document holding the whole text (100,000 of them on 200,000 characters: 20 GB).
    text = ("lorem ipsum " * 20_000)[:200_000]
    data = json.dumps([_task(text, [{"id": n} for n in range(100_000)])]).encode()
    out = read_labelstudio(data, "p.json", "p")
    made = labelstudio.MIN_TEXT_BUDGET // len(text)
    assert len(out) == made + 1
    assert all(i.document is not None and i.document.text == text for i in out[:-1])
    assert out[-1].document is None
    assert f"(from 'p-{made}' on: {100_000 - made:,} annotation(s) of 1 task(s))" in (
        out[-1].findings[0].message
    )


def test_xmi_links_on_a_span_of_many_named_entities_name_the_first_ten() -> None:
    """50 links of one chain on a span carrying 30 named entities: each says so, naming ten
    (the message once listed every id, so output grew as links x entities)."""
    ts = type_system()
    cas = _cassis().Cas(typesystem=ts)
    cas.sofa_string = "Anna Bert Cara Dora and the rest"
    ne, link_type, chain_type = ts.get_type(NE), ts.get_type(LINK), ts.get_type(CHAIN)
    for _ in range(30):
        fs = ne(begin=0, end=4)
        fs.set("value", "PER")
        cas.add(fs)
    links = []
    for _ in range(50):
        link = link_type(begin=0, end=4)
        link.set("referenceType", "PER")
        cas.add(link)
        links.append(link)
    for a, b in itertools.pairwise(links):
        a.set("next", b)
    cas.add(chain_type(first=links[0]))
    imported = read_xmi(cas.to_xmi().encode(), ts.to_xml().encode(), "h.xmi", "h")
    said = [f.message for f in imported.findings if "stands on" in f.message]
    assert len(said) == 50
    assert (
        "stands on 30 named entities (m1, m2, m3, m4, m5, m6, m7, m8, m9, m10 and 20 more)"
        in (said[0])
    )
