"""The fast paths of the offset checks decide nothing on their own: the survey's happy-path
filter only lets through what its detailed loop would count as good, and the C-speed screen
for characters XML cannot carry agrees with the regex that places the finding."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable

import pytest

from corpuskit.model import (
    Claim,
    Document,
    Entity,
    Event,
    Fragment,
    Mention,
    Metadata,
    Provenance,
    Quote,
    text_sha256,
    xml_forbidden,
)
from corpuskit.rules import CheckInput, offsets

# Words, spaces of several kinds, curly quotes, a combining accent, a ZWJ sequence, flags,
# a skin-tone modifier, CR LF, Cyrillic and digits: every kind of edge the survey tests.
TEXTS = (
    "Iran sent “missiles” to Russia.",
    "cafe\u0301 👩\u200d💻 🇺🇦🇫🇷 👍🏽x",
    "a\r\nb\tc\u00a0d Москва 42",
    " x ",
)


def _fragments(text: str) -> list[Fragment]:
    """Every fragment over ``text`` (and just outside it) with its covered text, a wrong one,
    one padded with whitespace, and an empty one."""
    out = []
    positions = range(-2, len(text) + 3)
    for start, end in itertools.product(positions, positions):
        covered = text[start:end]
        out.append(Fragment(start, end, covered or "x"))
        out.append(Fragment(start, end, covered + " "))
        out.append(Fragment(start, end, "X" + covered[1:]))
        if start == end:
            out.append(Fragment(start, end, ""))
    return out


def _document(text: str, frags: list[Fragment]) -> Document:
    """Every kind of span: mentions of one fragment, discontinuous mentions in and out of
    order, quotes and claims with and without cues, event triggers."""
    pairs = list(zip(frags[::2], frags[1::2], strict=False))
    return Document(
        id="d",
        meta=Metadata("t", "en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(
            *(Mention(f"m{i}", "X", (f,)) for i, f in enumerate(frags)),
            *(Mention(f"d{i}", "X", pair) for i, pair in enumerate(pairs)),
        ),
        quotes=tuple(
            Quote(f"q{i}", (a,), "direct", cue=(b,) if i % 2 else ())
            for i, (a, b) in enumerate(pairs)
        ),
        claims=tuple(Claim(f"c{i}", (b,), cue=(a,)) for i, (a, b) in enumerate(pairs[:50])),
        events=tuple(Event(f"e{i}", "X", (f,)) for i, f in enumerate(frags[:50])),
    )


def _facts(found: offsets.Survey) -> tuple[object, ...]:
    def where(located: offsets._Located) -> tuple[object, ...]:
        return (located.pointer, located.annotation_id, located.fragment)

    return (
        found.index.changed,
        [id(f) for f in found.good],
        [
            (where(f.located), f.j, f.span, f.unordered, f.empty, f.beyond, f.mismatch)
            for f in found.flagged
        ],
        [(where(located), beyond) for located, beyond in found.mismatched],
        found.empty,
        [(where(located), edge) for located, edge in found.word_splits],
    )


def _detailed(doc: Document, monkeypatch: pytest.MonkeyPatch) -> offsets.Survey:
    """The survey with every fragment sent through its detailed loop."""
    with monkeypatch.context() as patch:
        patch.setattr(offsets, "_suspects", lambda text, spans, fragments: range(len(spans)))
        return offsets.survey(doc)


@pytest.mark.parametrize("text", TEXTS)
def test_the_happy_path_agrees_with_the_detailed_loop(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    frags = _fragments(text)
    # All at once (a few fragments flagged among many good ones) and one by one.
    good = [f for f in frags if text[max(f.start, 0) : f.end] == f.text and f.start >= 0]
    docs = [_document(text, frags), _document(text, good)]
    docs += [_document(text, [f]) for f in frags]
    # Each among fragments that pass (so that the survey walks the flagged spans only).
    clean = [f for f in good if not _detailed(_document(text, [f]), monkeypatch).flagged]
    assert clean
    padding = (clean * 20)[:20]
    docs += [_document(text, [*padding[:10], f, *padding[10:]]) for f in frags]
    for doc in docs:
        assert _facts(offsets.survey(doc)) == _facts(_detailed(doc, monkeypatch))


def test_a_document_whose_spans_are_all_good_flags_nothing() -> None:
    text = TEXTS[0]
    words = [Fragment(m, m + len(w), w) for w, m in (("Iran", 0), ("missiles", 11), ("Russia", 24))]
    found = offsets.survey(_document(text, words))
    assert found.flagged == [] and found.word_splits == [] and found.broken == 0


def test_the_order_of_a_discontinuous_span_is_checked() -> None:
    text = TEXTS[0]
    iran, sent = Fragment(0, 4, "Iran"), Fragment(5, 9, "sent")
    doc = Document(
        id="d",
        meta=Metadata("t", "en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(Mention("m1", "X", (sent, iran)), Mention("m2", "X", (iran, sent))),
    )
    flagged = offsets.survey(doc).flagged
    assert [(f.located.pointer, f.unordered) for f in flagged] == [("/mentions/0/span/1", True)]


def _check_text(doc: Document) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (f.rule.code, f.message, f.pointer, f.annotation_id)
        for f in offsets.check_text(CheckInput(doc, None, {}))
    ]


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x0b", "\x0c", "\x1f", "\ud800", "\udfff", "\ufffe", "\uffff"]
)
def test_a_forbidden_character_is_found_wherever_it_is(char: str) -> None:
    text = "Iran “sent” missiles\t\r\n"
    plain = Document(
        id="d",
        meta=Metadata("t", "en"),
        text=text,
        text_sha256="",
        mentions=(Mention("m1", "X", (Fragment(0, 4, "Iran"),)),),
    )
    assert _check_text(plain) == []
    code = f"U+{ord(char):04X}"
    in_text = Document(id="d", meta=Metadata("t", "en"), text=text + char + "é", text_sha256="")
    assert _check_text(in_text) == [
        (
            "O007",
            f"text contains {code} at character {len(text)}, which XML 1.0 cannot carry",
            "/text",
            None,
        )
    ]
    in_note = Document(
        id="d",
        meta=Metadata("t", "en", provenance=Provenance(annotators=("a", "b" + char))),
        text=text,
        text_sha256="",
        entities=(Entity("e1", "X", ("m1",), name="Iran"), Entity("e2", "X", ("m1",), note=char)),
    )
    assert _check_text(in_note) == [
        (
            "O007",
            f"1 contains {code}, which XML 1.0 cannot carry",
            "/meta/provenance/annotators/1",
            None,
        ),
        ("O007", f"note contains {code}, which XML 1.0 cannot carry", "/entities/1/note", "e2"),
    ]


def test_the_screen_agrees_with_the_regex_on_every_character() -> None:
    for code in range(0x110000):
        char = chr(code)
        for value in (char, f"ab{char}“"):
            assert offsets._xml_safe(value, offsets._utf8(value)) is (
                xml_forbidden().search(value) is None
            ), hex(code)


#: What a text may hold for the C-speed passes to prove it NFC and fit for XML.
PLAIN = [chr(c) for c in range(0x300) if c >= 0x20 or c in (0x09, 0x0A, 0x0D)]
PLAIN += [chr(c) for c in range(0x2002, 0x2040)]


def test_the_plain_screen_is_exact_on_every_character() -> None:
    plain = set(PLAIN)
    for code in range(0x110000):
        char = chr(code)
        assert offsets._plain(offsets._utf8(f"a{char}“b")) is (char in plain), hex(code)


def test_a_text_of_plain_characters_is_nfc() -> None:
    # No two compose or reorder, so no longer text of them can either.
    for a, b in itertools.product(PLAIN, PLAIN):
        assert unicodedata.normalize("NFC", a + b) == a + b, (hex(ord(a)), hex(ord(b)))


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("x “e\u0301”", 4),
        ("a\u2000b “c”", 1),
        ("a\u2001b", 1),
        ("“\u212b”", 1),
        ("Москва\u0306", 6),
    ],
)
def test_a_text_that_is_not_nfc_is_reported(text: str, at: int) -> None:
    doc = Document(id="d", meta=Metadata("t", "en"), text=text, text_sha256="")
    ((code, message, pointer, _),) = _check_text(doc)
    assert (code, pointer) == ("O005", "/text")
    assert message.startswith(f"text is not NFC-normalised (first at character {at},")


@pytest.mark.parametrize(
    "frag",
    [
        Fragment(0.0, 0, "x"),  # type: ignore[arg-type]
        Fragment(2, 1.5, "x"),  # type: ignore[arg-type]
        Fragment(0, 4, None),  # type: ignore[arg-type]
        Fragment(0, 4, 7),  # type: ignore[arg-type]
    ],
)
def test_a_fragment_a_program_built_wrong_is_surveyed_as_before(
    frag: Fragment, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _document(TEXTS[0], [Fragment(0, 4, "Iran"), frag])

    def outcome(make: Callable[[], offsets.Survey]) -> object:
        try:
            return _facts(make())
        except Exception as error:  # the same error, where the detailed loop raises one
            return type(error), str(error)

    assert outcome(lambda: offsets.survey(doc)) == outcome(lambda: _detailed(doc, monkeypatch))


@pytest.mark.parametrize("text", [*TEXTS, "Iran \ud800 sent"])
@pytest.mark.parametrize("stored", ["right", "wrong", "missing"])
def test_the_hash_check_reads_the_text_checks_utf8_as_its_own(text: str, stored: str) -> None:
    # The text check's UTF-8 becomes the hash check's digest: the same findings whether the
    # text check ran first or not; a lone surrogate is left to text_sha256 (which refuses it).
    sha = {"right": None, "wrong": "0" * 64, "missing": ""}[stored]
    if sha is None:
        sha = text_sha256(text) if "\ud800" not in text else "1" * 64
    doc = Document(id="d", meta=Metadata("t", "en"), text=text, text_sha256=sha)

    def hash_findings(text_first: bool) -> list[tuple[str, str, str | None]] | str:
        given = CheckInput(doc, None, {})
        if text_first:
            list(offsets.check_text(given))
        try:
            return [(f.rule.code, f.message, f.hint) for f in offsets.check_hash(given)]
        except UnicodeEncodeError as exc:
            return type(exc).__name__

    alone = hash_findings(text_first=False)
    assert hash_findings(text_first=True) == alone
    if "\ud800" in text:
        assert alone == "UnicodeEncodeError"
    elif stored == "right":
        assert alone == []
    else:
        assert alone and text_sha256(text) in str(alone)
