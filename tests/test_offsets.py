"""Offset rules in process: the diagnosis of mismatched spans and the boundary checks."""

from __future__ import annotations

import msgspec.structs
import pytest

from corpuskit.model import Document, Fragment, Mention, Metadata, text_sha256
from corpuskit.rules import offsets

# Astral characters before the spans make code-point, UTF-16 and UTF-8 offsets differ.
TEXT = "🚀🚀 Iran sent missiles to Russia; Russia paid Iran. ¡Olé! Iran"


def doc_with(*frags: Fragment, text: str = TEXT) -> Document:
    mentions = tuple(Mention(f"m{i}", "X", (f,)) for i, f in enumerate(frags))
    return Document(
        id="d",
        meta=Metadata("t", "en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=mentions,
    )


def at(needle: str, nth: int = 1, text: str = TEXT) -> Fragment:
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    return Fragment(start, start + len(needle), needle)


def utf16(f: Fragment, text: str = TEXT) -> Fragment:
    def units(i: int) -> int:
        return len(text[:i].encode("utf-16-le")) // 2

    return Fragment(units(f.start), units(f.end), f.text)


def utf8(f: Fragment, text: str = TEXT) -> Fragment:
    return Fragment(len(text[: f.start].encode()), len(text[: f.end].encode()), f.text)


def findings(doc: Document) -> list[offsets.Finding]:
    return list(offsets.check(doc))


def test_correct_spans_give_nothing() -> None:
    assert findings(doc_with(at("Iran"), at("Russia", 2), at("Olé"))) == []


def test_utf16_counting_is_diagnosed_for_the_whole_document() -> None:
    result = findings(doc_with(utf16(at("Iran")), utf16(at("Russia"))))
    assert [f.rule.code for f in result] == ["O003", "O003"]
    for f in result:
        assert "counted in UTF-16 code units" in (f.hint or "")
        assert "explains all 2 mismatched spans" in (f.hint or "")
    assert "[3, 7)" in (result[0].hint or "")


def test_utf8_counting_is_diagnosed_even_past_the_end() -> None:
    last = at("Iran", 3)
    result = findings(doc_with(utf8(at("Iran")), utf8(last)))
    assert {f.rule.code for f in result} == {"O002", "O003"}
    assert all("counted in UTF-8 bytes" in (f.hint or "") for f in result)


def test_inclusive_end_is_diagnosed() -> None:
    f = at("Russia")
    (finding,) = findings(doc_with(Fragment(f.start, f.end - 1, f.text)))
    assert finding.rule.code == "O003"
    assert "written with an inclusive end" in (finding.hint or "")


def test_constant_shift_that_fixes_every_span_is_found() -> None:
    shifted = [
        msgspec.structs.replace(f, start=f.start - 3, end=f.end - 3)
        for f in (at("sent"), at("missiles"), at("paid"))
    ]
    result = findings(doc_with(*shifted))
    assert len(result) == 3
    assert all(
        "shifting by +3 makes all 3 mismatched spans match" in (f.hint or "") for f in result
    )


def test_nearest_occurrence_unique_multiple_and_missing() -> None:
    only = at("paid")
    (unique,) = findings(doc_with(Fragment(only.start + 1, only.end + 1, "paid")))
    assert '"paid" occurs once in the text, at' in (unique.hint or "")
    (several,) = findings(doc_with(Fragment(1, 5, "Iran")))
    assert '"Iran" occurs 3 times; the nearest is at [3, 7) (+2)' in (several.hint or "")
    (missing,) = findings(doc_with(Fragment(3, 7, "Iraq")))
    assert '"Iraq" occurs nowhere in the text' in (missing.hint or "")


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(7, 7, "O001"), (9, 5, "O001"), (60, 200, "O002")],
)
def test_range_problems(start: int, end: int, code: str) -> None:
    (finding,) = findings(doc_with(Fragment(start, end, "x")))
    assert finding.rule.code == code


def test_text_level_checks() -> None:
    nfd = "Cafe\u0301"
    doc = doc_with(text=nfd)
    assert [f.rule.code for f in findings(doc)] == ["O005"]
    bad = doc_with(text="a\x00b")
    assert [f.rule.code for f in findings(bad)] == ["O007"]
    stale = msgspec.structs.replace(doc_with(), text_sha256="0" * 64)
    (hash_finding,) = findings(stale)
    assert hash_finding.rule.code == "O006" and text_sha256(TEXT) in (hash_finding.hint or "")


@pytest.mark.parametrize(
    ("text", "pos", "splits"),
    [
        ("e\u0301x", 1, True),  # before a combining accent
        ("👩\u200d💻", 1, True),  # before the ZWJ
        ("👩\u200d💻", 2, True),  # after the ZWJ
        ("🇺🇦🇫🇷", 1, True),  # inside a flag
        ("🇺🇦🇫🇷", 2, False),  # between two flags
        ("🇺🇦🇫🇷", 3, True),
        ("a\r\nb", 2, True),  # between CR and LF
        ("👍🏽x", 1, True),  # before a skin-tone modifier
        ("ab", 1, False),
    ],
)
def test_grapheme_boundaries(text: str, pos: int, splits: bool) -> None:
    assert offsets.splits_grapheme(text, pos) is splits


def test_fragment_order_and_word_warnings() -> None:
    a, b = at("sent"), at("Iran")
    doc = Document(
        id="d",
        meta=Metadata("t", "en"),
        text=TEXT,
        text_sha256=text_sha256(TEXT),
        mentions=(
            Mention("m1", "X", (a, b)),
            Mention("m2", "X", (Fragment(a.start, a.end - 1, "sen"),)),
        ),
    )
    codes = sorted(f.rule.code for f in offsets.check(doc))
    assert codes == ["O004", "O102"]


def test_a_knowledge_base_id_xml_cannot_carry_is_o007() -> None:
    """A KB link's id is any run of non-space characters: U+FFFE passed validate, and then
    `convert` could not write the document as XML (fuzz convert case 50467, seed 79)."""
    from corpuskit.model import Entity, KBLink

    base = doc_with()
    entity = Entity("e1", "GPE", ("m1",), links=(KBLink("wikidata", "Q1\ufffe"),))
    bad = msgspec.structs.replace(base, entities=(entity,))
    (finding,) = [f for f in findings(bad) if f.rule.code == "O007"]
    assert finding.pointer == "/entities/0/links/0/id"
    assert finding.message == "id contains U+FFFE, which XML 1.0 cannot carry"
    good = msgspec.structs.replace(bad, entities=(msgspec.structs.replace(entity, links=()),))
    assert [f for f in findings(good) if f.rule.code == "O007"] == []
