"""brat import and export in linear time, with the output they had (corpuskit/interop/brat.py).

The id numbers (``_Numbers``), the queues of kept lines (``_KeptLines``) and the matching of
equivalences and normalisations used to rescan what they had handed out; each is checked
here against the simple algorithm it replaced, random documents against the digest of what
the old code wrote for them, and hostile inputs (where the old code took seconds) for their
result.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.formats import json_format
from corpuskit.interop.brat import _KeptLines, _Numbers, brat_to_document, write_brat
from corpuskit.model import Attribute, Document, Event, Fragment, Mention, Metadata, text_sha256
from corpuskit.rules import interop as I

# --------------------------------------------------------------------------- the pieces


class _ScanNumbers:
    """The old ``_Numbers``: a gap searched from 1, the next number from ``max``."""

    def __init__(self) -> None:
        self.used: set[int] = set()

    def keep(self, n: int) -> None:
        self.used.add(n)

    def gap(self) -> int:
        n = 1
        while n in self.used:
            n += 1
        self.used.add(n)
        return n

    def next(self) -> int:
        n = max(self.used, default=0) + 1
        self.used.add(n)
        return n


number_ops = st.lists(
    st.one_of(
        st.tuples(st.just("keep"), st.integers(0, 40)),
        st.tuples(st.just("gap"), st.just(0)),
        st.tuples(st.just("next"), st.just(0)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(number_ops)
def test_numbers_are_those_the_scan_gave(ops: list[tuple[str, int]]) -> None:
    """Kept numbers, gaps and next numbers in any order: the same numbers as the scan."""
    fast, scan = _Numbers(), _ScanNumbers()
    for op, n in ops:
        if op == "keep":
            fast.keep(n)
            scan.keep(n)
        else:
            assert getattr(fast, op)() == getattr(scan, op)()
    assert fast.used == scan.used


kept_ops = st.lists(
    st.tuples(st.sampled_from(["append", "take", "remove", "first"]), st.sampled_from("abcd")),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(kept_ops)
def test_kept_lines_behave_as_the_list_they_were(ops: list[tuple[str, str]]) -> None:
    """append, pop(0), remove of the first copy, [0], ``in`` and truth, as on a list."""
    fast, plain = _KeptLines(), list[str]()
    for op, line in ops:
        if op == "append":
            fast.append(line)
            plain.append(line)
        elif op == "remove":
            assert fast.remove(line) == (line in plain)
            if line in plain:
                plain.remove(line)
        elif plain:
            assert (fast.first() if op == "first" else fast.take()) == plain[0]
            if op == "take":
                plain.pop(0)
        assert bool(fast) == bool(plain)
        assert all((x in fast) == (x in plain) for x in "abcd")


# --------------------------------------------------------------------------- whole documents

_WORDS = ["hit", "Iran", "fire", "Kyiv", "sent"]


def _random_brat(r: random.Random) -> tuple[str, str]:
    """A small brat document: ids out of the writer's order, shared triggers, events on
    triggers of another type, repeated and odd equivalences, normalisations sharing links,
    notes of two types."""
    words = [r.choice(_WORDS) for _ in range(r.randint(1, 12))]
    spans, at = [], 0
    for w in words:
        spans.append((at, at + len(w), w))
        at += len(w) + 1
    lines, kinds = [], {}
    for t in r.sample(range(1, 30), r.randint(0, 10)):
        a, b, w = r.choice(spans)
        kinds[f"T{t}"] = r.choice(["GPE", "Attack", "PER"])
        lines.append(f"T{t}\t{kinds[f'T{t}']} {a} {b}\t{w}")
    tb = list(kinds)
    if tb:
        for e in r.sample(range(1, 12), r.randint(0, 6)):
            trigger = r.choice(tb)
            kind = kinds[trigger] if r.random() < 0.8 else "Attack"
            roles = ["Theme", "Theme2", "Target"]
            args = " ".join(f"{r.choice(roles)}:{r.choice(tb)}" for _ in range(r.randint(0, 2)))
            lines.append(
                f"E{e}\t{kind}:{trigger} {args}".rstrip() + ("" if r.random() < 0.7 else " ")
            )
        for i in r.sample(range(1, 8), r.randint(0, 3)):
            lines.append(f"R{i}\tRel Arg1:{r.choice(tb)} Arg2:{r.choice(tb)}")
        for i in r.sample(range(1, 8), r.randint(0, 3)):
            value = f" v{r.randint(1, 2)}" if r.random() < 0.5 else ""
            lines.append(f"A{i}\tNeg {r.choice(tb)}{value}")
        for _ in range(r.randint(0, 3)):
            lines.append("*\tEquiv " + " ".join(r.choice(tb) for _ in range(r.randint(1, 4))))
        for i in r.sample(range(1, 9), r.randint(0, 5)):
            link = r.choice(["wiki:Q1", "wiki:Q2", "geo:1"])
            lines.append(f"N{i}\tReference {r.choice(tb)} {link}\t{r.choice(['Iran', '', 'x'])}")
        for i in r.sample(range(1, 9), r.randint(0, 3)):
            kind = r.choice(["AnnotatorNotes", "Lemma"])
            lines.append(f"#{i}\t{kind} {r.choice(tb)}\tnote {i}")
    r.shuffle(lines)
    return " ".join(words), "\n".join(lines) + "\n"


def _edited(r: random.Random, doc: Document) -> Document:
    """``doc`` with kept lines copied onto other annotations, one attribute dropped, or the
    attributes shuffled: kept lines that no longer match, shared by several owners."""
    attributes = list(doc.attributes)
    kept = [a for a in attributes if a.name == "brat:line"]
    ids = [a.id for _, _, a in doc.annotations()]
    for k in range(r.randint(0, 6)):
        if not kept or not ids:
            break
        source = r.choice(kept)
        target = r.choice(ids + [source.target] * 3)
        attributes.append(Attribute(f"x{k}.brat", target, "brat:line", source.value))
    if attributes and r.random() < 0.3:
        attributes.pop(r.randrange(len(attributes)))
    if r.random() < 0.3:
        r.shuffle(attributes)
    fields: dict[str, Any] = {
        kind: getattr(doc, kind) for kind in ("mentions", "entities", "events", "relations")
    }
    return Document(
        id=doc.id,
        meta=doc.meta,
        text=doc.text,
        text_sha256=doc.text_sha256,
        attributes=tuple(attributes),
        **fields,
    )


#: What the quadratic code (before the commit that added this file) gave for the 400
#: documents below: imported documents and findings, their export and an edited one's.
#: A deliberate change to the brat output changes it: recompute it then with the same loop.
_OLD_DIGEST = "c200a97572e79587e2df5fa8111d1f6960d106b87b8d13a908c749f7994f7f8b"


def test_random_documents_give_what_the_old_code_gave() -> None:
    """Import, export, and export after edits of 400 random documents: the old output."""
    digest = hashlib.sha256()
    for seed in range(400):
        r = random.Random(seed)
        text, ann = _random_brat(r)
        imported = brat_to_document(text, ann, "d")
        digest.update(json_format.dumps(imported.document).encode() if imported.document else b"-")
        for f in imported.findings:
            digest.update(f"{f.rule.code}|{f.message}|{f.position}\n".encode())
        if imported.document is None:
            continue
        for doc in (imported.document, _edited(r, imported.document)):
            exported = write_brat(doc)
            digest.update(exported.files[".ann"].encode())
            for f in exported.findings:
                digest.update(f"{f.rule.code}|{f.message}|{f.pointer}|{f.annotation_id}\n".encode())
    assert digest.hexdigest() == _OLD_DIGEST


def test_an_equivalence_naming_members_twice_names_each_once_in_order() -> None:
    """Members listed twice are named once each, sorted (as the set the old code built)."""
    ann = "T1\tGPE 0 4\tIran\nT2\tGPE 5 9\tIran\n*\tEquiv T2 T1 T2 T1 T2\n"
    found = brat_to_document("Iran Iran", ann, "d").findings
    flagged = [f.message for f in found if f.rule is I.BRAT_FLAGGED]
    assert flagged == [
        "the equivalence T2 T1 T2 T1 T2 lists T1, T2 more than once; it says nothing "
        "(brat accepts it); it is kept as it is"
    ]


# --------------------------------------------------------------------------- hostile sizes


def test_an_equivalence_of_ten_thousand_members() -> None:
    """One ``*`` line of 10,000 members and one repeated (old: ``list.count`` per member)."""
    n = 10_000
    tb = [f"T{i + 1}\tGPE {5 * i} {5 * i + 4}\tIran" for i in range(n)]
    ann = "\n".join([*tb, "*\tEquiv " + " ".join(f"T{i + 1}" for i in range(n)) + " T7"]) + "\n"
    imported = brat_to_document("Iran " * n, ann, "d")
    assert imported.document is not None
    assert [len(e.mentions) for e in imported.document.entities] == [n + 1]
    assert [f.message.split(";")[0] for f in imported.findings if f.rule is I.BRAT_FLAGGED] == [
        f"the equivalence {' '.join(f'T{i + 1}' for i in range(n))} T7 lists T7 more than once"
    ]


def test_two_thousand_events_on_trigger_ids_the_writer_would_not_pick() -> None:
    """Kept trigger lines for 2,000 events (old: every kept list scanned per trigger, every
    kept line per kept line): the .ann is written back exactly."""
    n = 2_000
    lines = [f"T{2 * i + 7}\tAttack {4 * i} {4 * i + 3}\thit" for i in range(n)]
    lines += [f"E{i + 1}\tAttack:T{2 * i + 7}" for i in range(n)]
    ann = "\n".join(lines) + "\n"
    imported = brat_to_document("hit " * n, ann, "d")
    assert imported.document is not None and not imported.findings
    assert write_brat(imported.document).files[".ann"] == ann


def test_two_thousand_normalisations_kept_on_other_members() -> None:
    """2,000 N lines of one link on one entity's members, in reverse (old: every member
    tried for each link): each is written back as it was read."""
    n = 2_000
    lines = [f"T{i + 1}\tGPE {5 * i} {5 * i + 4}\tIran" for i in range(n)]
    lines.append("*\tEquiv " + " ".join(f"T{i + 1}" for i in range(n)))
    lines += [f"N{i + 1}\tReference T{n - i} wiki:Q1\tIran" for i in range(n)]
    ann = "\n".join(lines) + "\n"
    imported = brat_to_document("Iran " * n, ann, "d")
    assert imported.document is not None and not imported.findings
    written = write_brat(imported.document).files[".ann"]
    assert sorted(written.splitlines()) == sorted(lines)


def _events_document(n: int) -> Document:
    text = "hit " * n
    events = tuple(
        Event(f"E{i + 1}", "attack", (Fragment(4 * i, 4 * i + 3, "hit"),)) for i in range(n)
    )
    meta = Metadata(title="t", language="en")
    return Document(id="x", meta=meta, text=text, text_sha256=text_sha256(text), events=events)


def test_ten_thousand_events_with_triggers_of_their_own() -> None:
    """Each trigger numbered in a gap and given its first event (old: both from the start)."""
    n = 10_000
    lines = write_brat(_events_document(n)).files[".ann"].splitlines()
    assert lines[:2] == ["T1\tattack 0 3\thit", "T2\tattack 4 7\thit"]
    assert lines[n - 1] == f"T{n}\tattack {4 * n - 4} {4 * n - 1}\thit"
    assert lines[n:] == [f"E{i + 1}\tattack:T{i + 1} " for i in range(n)]


def test_twenty_thousand_mentions_renumbered() -> None:
    """Mentions m0..m19999 become T1..T20000 (old: ``max`` of the numbers per id)."""
    n = 20_000
    text = "Iran " * n
    mentions = tuple(
        Mention(f"m{i}", "GPE", (Fragment(5 * i, 5 * i + 4, "Iran"),)) for i in range(n)
    )
    meta = Metadata(title="t", language="en")
    doc = Document(id="x", meta=meta, text=text, text_sha256=text_sha256(text), mentions=mentions)
    exported = write_brat(doc)
    lines = exported.files[".ann"].splitlines()
    assert lines == [f"T{i + 1}\tGPE {5 * i} {5 * i + 4}\tIran" for i in range(n)]
