"""The overlap sweep (rules.scheme._may_overlap) never says "nothing" where the exact search
(C012) finds a problem: it only lets documents without overlaps skip that search."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from corpuskit.model import Document, Fragment, Mention, Metadata, text_sha256
from corpuskit.rules import scheme as rules
from corpuskit.scheme import Scheme

TEXT = "abcdefghijklmnopqrstuvwxyz" * 2


@st.composite
def mentions(draw: st.DrawFn) -> tuple[Mention, ...]:
    out = []
    for i in range(draw(st.integers(0, 8))):
        starts = sorted(draw(st.lists(st.integers(0, len(TEXT) - 1), min_size=1, max_size=3)))
        frags = []
        for start in starts:
            end = draw(st.integers(start + 1, min(len(TEXT), start + 12)))
            frags.append(Fragment(start, end, TEXT[start:end]))
        out.append(Mention(f"m{i}", "T", tuple(frags)))
    return tuple(out)


@settings(max_examples=500, deadline=None)
@given(mentions(), st.sampled_from(["none", "nested"]))
def test_the_sweep_never_hides_an_overlap(found: tuple[Mention, ...], policy: str) -> None:
    doc = Document("d", Metadata("t", "en"), TEXT, text_sha256(TEXT), mentions=found)
    scheme = replace(Scheme(path="s.toml", name="s", version="1", types={}), mention_overlap=policy)
    exact = list(rules._overlaps(doc, scheme, policy))
    assert not exact or rules._may_overlap(doc, policy)
    assert list(rules._check_overlaps(doc, scheme)) == exact
