"""Regenerate the example documents: ``python tests/examples/generate.py``.

positive/: small valid documents. negative/: one file per rule code, each a copy of the
positive document broken in exactly one way, and ``negative/expected.json`` saying which code
must be reported at which LINE:COL. The position comes from an anchor string searched in the
fixture itself, not from corpuskit's own locator, so the tests check the locator too.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import msgspec.structs

from corpuskit.formats import json_format, xml_format
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
    Provenance,
    Quote,
    Relation,
    text_sha256,
)

HERE = Path(__file__).parent
TEXT = "Iran sent roughly 400 missiles to Russia, an official said.\n“More will come,” he said."


def frag(text: str, needle: str, nth: int = 1) -> tuple[Fragment, ...]:
    """A one-fragment span covering the nth occurrence of needle."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return (Fragment(at, at + len(needle), needle),)


def base(text: str = TEXT) -> Document:
    """The small valid document every negative example starts from."""
    return Document(
        id="minimal",
        meta=Metadata(
            title="A minimal corpuskit document",
            language="en",
            source="corpuskit examples",
            published="2024-02-21",
            provenance=Provenance(("corpuskit maintainers",), "corpuskit", "0.1.0"),
        ),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(
            Mention("m1", "GPE", frag(text, "Iran")),
            Mention("m2", "QUANTITY", frag(text, "roughly 400")),
            Mention("m3", "WEAPON", frag(text, "missiles")),
            Mention("m4", "GPE", frag(text, "Russia")),
            Mention("m5", "PER", frag(text, "an official")),
            Mention("m6", "PER", frag(text, "he")),
        ),
        entities=(
            Entity("e1", "GPE", ("m1",), "Iran", (KBLink("wikidata", "Q794"),)),
            Entity("e2", "GPE", ("m4",), "Russia", (KBLink("wikidata", "Q159"),)),
            Entity("e3", "PER", ("m5", "m6"), "Iranian official"),
        ),
        quotes=(Quote("q1", frag(text, "More will come,"), "direct", "e3", frag(text, "said", 2)),),
        claims=(Claim("c1", frag(text, "Iran sent roughly 400 missiles to Russia"), "e3"),),
        events=(
            Event(
                "ev1",
                "transfer",
                frag(text, "sent"),
                (Argument("agent", "e1"), Argument("artifact", "m3"), Argument("recipient", "e2")),
            ),
        ),
        relations=(
            Relation(
                "r1", "affiliation", (Argument("person", "e3"), Argument("organization", "e1"))
            ),
        ),
        attributes=(Attribute("a1", "ev1", "realis", "actual"),),
    )


def with_text(text: str, **changes: object) -> Document:
    """The base document with another text (hash recomputed) and other fields replaced."""

    doc = base()
    return msgspec.structs.replace(doc, text=text, text_sha256=text_sha256(text), **changes)


Case = tuple[str, str, Callable[[], bytes], str, int]
J = json_format.dumps
X = xml_format.dumps


def _j(doc: Document, old: str = "", new: str = "") -> bytes:
    out = J(doc)
    if old:
        assert old in out, old
        out = out.replace(old, new, 1)
    return out.encode("utf-8")


def _x(doc: Document, old: str = "", new: str = "") -> bytes:
    out = X(doc)
    if old:
        assert old in out, old
        out = out.replace(old, new, 1)
    return out.encode("utf-8")


NFD = (
    "Iran sent roughly 400 missiles to Russia, an official said.\n“More will come,” he said. Caf"
    + unicodedata.normalize("NFD", "é")
)
EMOJI = TEXT + " 👩\u200d💻"
M1 = '{"id": "m1", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]}'

#: (file name, code, bytes, anchor, offset of the reported column within the anchor)
CASES: list[Case] = [
    (
        "P001-json-syntax.json",
        "P001",
        lambda: _j(base(), M1 + ",", M1 + ",,"),
        M1 + ",,",
        len(M1) + 1,
    ),
    (
        "P002-invalid-encoding.json",
        "P002",
        lambda: _j(base()).replace(b"minimal corpuskit", b"minimal corpuskit \xe9"),
        '"title"',
        30,
    ),
    ("P003-byte-order-mark.json", "P003", lambda: b"\xef\xbb\xbf" + _j(base()), "\ufeff", 0),
    (
        "P004-duplicate-key.json",
        "P004",
        lambda: _j(
            base(),
            '"type": "GPE", "span": [{"start": 0',
            '"type": "GPE", "type": "ORG", "span": [{"start": 0',
        ),
        '"type": "ORG"',
        0,
    ),
    (
        "P005-non-finite-number.json",
        "P005",
        lambda: _j(base(), '"value": "actual"', '"value": NaN'),
        "NaN",
        0,
    ),
    (
        "P006-xml-syntax.xml",
        "P006",
        lambda: _x(base(), "<title>A minimal corpuskit document</title>", "<title>AT&T</title>"),
        "&T<",
        2,
    ),
    (
        "P007-xml-forbidden-construct.xml",
        "P007",
        lambda: _x(base()).replace(
            b"<document ", b'<!DOCTYPE document [<!ENTITY e "x">]>\n<document ', 1
        ),
        "<!DOCTYPE",
        0,
    ),
    (
        "S001-missing-property.json",
        "S001",
        lambda: _j(base(), '{"id": "m3", "type": "WEAPON", ', '{"id": "m3", '),
        '{"id": "m3"',
        0,
    ),
    (
        "S001-missing-property.xml",
        "S001",
        lambda: _x(base(), '<mention id="m3" type="WEAPON">', '<mention id="m3">'),
        '<mention id="m3">',
        0,
    ),
    (
        "S002-unknown-property.json",
        "S002",
        lambda: _j(base(), '"id": "m3", "type"', '"id": "m3", "tpye": "x", "type"'),
        '"tpye"',
        0,
    ),
    (
        "S002-unknown-property.xml",
        "S002",
        lambda: _x(base(), 'id="m3" type="WEAPON"', 'id="m3" type="WEAPON" tpye="x"'),
        'tpye="x"',
        0,
    ),
    (
        "S003-wrong-type.json",
        "S003",
        lambda: _j(base(), '"start": 0, "end": 4', '"start": "0", "end": 4'),
        '"0"',
        0,
    ),
    (
        "S003-wrong-type.xml",
        "S003",
        lambda: _x(base(), 'start="0" end="4"', 'start="zero" end="4"'),
        'start="zero"',
        0,
    ),
    (
        "S004-invalid-value.json",
        "S004",
        lambda: _j(base(), '"offset_unit": "codepoint"', '"offset_unit": "utf16"'),
        '"utf16"',
        0,
    ),
    (
        "S004-invalid-value.xml",
        "S004",
        lambda: _x(base(), 'offset_unit="codepoint"', 'offset_unit="utf16"'),
        'offset_unit="utf16"',
        0,
    ),
    (
        "O001-invalid-range.json",
        "O001",
        lambda: _j(base(), '"start": 0, "end": 4', '"start": 4, "end": 4'),
        '"end": 4',
        7,
    ),
    (
        "O002-out-of-range.json",
        "O002",
        lambda: _j(base(), '"start": 81, "end": 85', '"start": 81, "end": 850'),
        "850",
        0,
    ),
    (
        "O003-span-text-mismatch.json",
        "O003",
        lambda: _j(
            base(),
            '{"start": 34, "end": 40, "text": "Russia"}',
            '{"start": 35, "end": 41, "text": "Russia"}',
        ),
        '{"start": 35',
        0,
    ),
    (
        "O003-span-text-mismatch.xml",
        "O003",
        lambda: _x(base(), 'start="34" end="40"', 'start="35" end="41"'),
        '<frag start="35"',
        0,
    ),
    (
        "O004-fragments-unordered.json",
        "O004",
        lambda: _j(
            base(),
            '"span": [{"start": 0, "end": 4, "text": "Iran"}]',
            '"span": [{"start": 5, "end": 9, "text": "sent"}, {"start": 0, "end": 4, "text": "Iran"}]',
        ),
        '"start": 0',
        9,
    ),
    ("O005-text-not-nfc.json", "O005", lambda: _j(with_text(NFD)), '"text": "Iran', 8),
    (
        "O006-text-hash-mismatch.json",
        "O006",
        lambda: _j(base(), text_sha256(TEXT), "0" * 64),
        '"' + "0" * 64,
        0,
    ),
    (
        "O007-forbidden-character.json",
        "O007",
        lambda: _j(with_text(TEXT + "\x07")),
        '"text": "Iran',
        8,
    ),
    (
        "O008-unanchored-span.json",
        "O008",
        lambda: _j(
            base(),
            '"cue": [{"start": 81, "end": 85, "text": "said"}]',
            '"cue": [{"text": "said", "prefix": "he "}]',
        ),
        '{"text": "said", "prefix"',
        0,
    ),
    (
        "O008-unanchored-span.xml",
        "O008",
        lambda: _x(
            base(),
            '<cue><frag start="81" end="85">said</frag>',
            '<cue><frag prefix="he ">said</frag>',
        ),
        '<frag prefix="he "',
        0,
    ),
    (
        "O101-span-whitespace.json",
        "O101",
        lambda: _j(
            base(), '"start": 0, "end": 4, "text": "Iran"', '"start": 0, "end": 5, "text": "Iran "'
        ),
        '"start": 0, "end": 5',
        9,
    ),
    (
        "O102-span-splits-word.json",
        "O102",
        lambda: _j(
            base(), '"start": 0, "end": 4, "text": "Iran"', '"start": 0, "end": 3, "text": "Ira"'
        ),
        '"end": 3',
        7,
    ),
    (
        "O103-span-splits-grapheme.json",
        "O103",
        lambda: _j(
            with_text(EMOJI, mentions=(*base().mentions, Mention("m7", "OTHER", frag(EMOJI, "👩"))))
        ),
        '"end": 88',
        7,
    ),
    (
        "R001-duplicate-id.json",
        "R001",
        lambda: _j(base(), '{"id": "r1"', '{"id": "ev1"'),
        '{"id": "ev1", "type": "affiliation"',
        7,
    ),
    (
        "R002-dangling-reference.json",
        "R002",
        lambda: _j(base(), '"speaker": "e3"', '"speaker": "e33"'),
        '"e33"',
        0,
    ),
    (
        "R003-wrong-reference-kind.json",
        "R003",
        lambda: _j(base(), '"speaker": "e3"', '"speaker": "ev1"'),
        '"ev1"',
        0,
    ),
    (
        "R004-reference-cycle.json",
        "R004",
        lambda: _j(
            base(),
            '{"role": "organization", "ref": "e1"}',
            '{"role": "organization", "ref": "e1"}, {"role": "since", "ref": "r1"}',
        ),
        '{"id": "r1"',
        0,
    ),
    (
        "R005-missing-id.json",
        "R005",
        lambda: _j(base(), '{"id": "m2", "type": "QUANTITY"', '{"type": "QUANTITY"'),
        '{"type": "QUANTITY"',
        0,
    ),
    (
        "R005-missing-id.xml",
        "R005",
        lambda: _x(base(), '<mention id="m2" type="QUANTITY">', '<mention type="QUANTITY">'),
        '<mention type="QUANTITY">',
        0,
    ),
    (
        "R101-mention-in-several-entities.json",
        "R101",
        lambda: _j(base(), '"mentions": ["m4"]', '"mentions": ["m4", "m1"]'),
        '"m4", "m1"]',
        6,
    ),
    (
        "R102-duplicate-mention.json",
        "R102",
        lambda: _j(
            _with(mentions=(*base().mentions, Mention("m7", "WEAPON", frag(TEXT, "missiles"))))
        ),
        '{"id": "m7"',
        0,
    ),
]


def _with(**changes: object) -> Document:

    return msgspec.structs.replace(base(), **changes)


def _quote_without_speaker() -> Document:

    doc = base()
    return msgspec.structs.replace(
        doc, quotes=(msgspec.structs.replace(doc.quotes[0], speaker=None),)
    )


CASES.append(
    (
        "P008-number-out-of-range.json",
        "P008",
        lambda: _j(base(), '"value": "actual"', '"value": 99999999999999999999'),
        "99999999999999999999",
        0,
    )
)

SCHEME_CASES: list[Case] = [
    (
        "C001-unknown-type.json",
        "C001",
        lambda: _j(base(), '"type": "WEAPON"', '"type": "WEAPONS"'),
        '"WEAPONS"',
        0,
    ),
    (
        "C002-role-not-allowed.json",
        "C002",
        lambda: _j(base(), '"role": "recipient"', '"role": "destination"'),
        '"destination"',
        0,
    ),
    (
        "C003-role-cardinality.json",
        "C003",
        lambda: _j(base(), '{"role": "artifact", "ref": "m3"}, ', ""),
        '{"id": "ev1"',
        0,
    ),
    (
        "C004-argument-type.json",
        "C004",
        lambda: _j(base(), '{"role": "agent", "ref": "e1"}', '{"role": "agent", "ref": "m3"}'),
        '{"role": "agent", "ref": "m3"}',
        25,
    ),
    (
        "C005-attribute-not-allowed.json",
        "C005",
        lambda: _j(
            _with(attributes=(*base().attributes, Attribute("a2", "m1", "realis", "actual")))
        ),
        '"id": "a2", "target": "m1"',
        22,
    ),
    (
        "C006-attribute-value.json",
        "C006",
        lambda: _j(base(), '"value": "actual"', '"value": "maybe"'),
        '"maybe"',
        0,
    ),
    ("C007-attribute-missing.json", "C007", lambda: _j(_with(attributes=())), '{"id": "ev1"', 0),
    (
        "C008-unknown-knowledge-base.json",
        "C008",
        lambda: _j(base(), '"kb": "wikidata", "id": "Q794"', '"kb": "wikipedia", "id": "Q794"'),
        '"wikipedia"',
        0,
    ),
    (
        "C009-invalid-kb-id.json",
        "C009",
        lambda: _j(base(), '"id": "Q794"', '"id": "Q0794"'),
        '"Q0794"',
        0,
    ),
    ("C010-speaker-missing.json", "C010", lambda: _j(_quote_without_speaker()), '{"id": "q1"', 0),
    (
        "C011-speaker-type.json",
        "C011",
        lambda: _j(base(), '"speaker": "e3"', '"speaker": "m3"'),
        '"speaker": "m3"',
        11,
    ),
    (
        "C012-mention-overlap.json",
        "C012",
        lambda: _j(
            _with(
                mentions=(*base().mentions, Mention("m7", "QUANTITY", frag(TEXT, "400 missiles")))
            )
        ),
        '{"start": 18',
        0,
    ),
    (
        "C014-entity-mention-type.json",
        "C014",
        lambda: _j(base(), '"mentions": ["m4"]', '"mentions": ["m4", "m3"]'),
        '"m4", "m3"]',
        6,
    ),
    (
        "C015-cue-contains-speaker.json",
        "C015",
        lambda: _j(
            base(),
            '"cue": [{"start": 81, "end": 85, "text": "said"}]',
            '"cue": [{"start": 78, "end": 85, "text": "he said"}]',
        ),
        '"cue": [{"start": 78',
        8,
    ),
]
CASES += SCHEME_CASES


def position(data: bytes, anchor: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of anchor + offset in data."""
    text = data.decode("utf-8", errors="replace")
    at = text.index(anchor) + offset
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def main() -> None:
    """Write positive/ and negative/ examples and the expectations."""
    (HERE / "positive").mkdir(exist_ok=True)
    (HERE / "negative").mkdir(exist_ok=True)
    (HERE / "positive" / "minimal.json").write_text(J(base()), "utf-8")
    (HERE / "positive" / "minimal.xml").write_text(X(base()), "utf-8")
    expected: dict[str, list[object]] = {}
    for name, code, make, anchor, offset in CASES:
        data = make()
        (HERE / "negative" / name).write_bytes(data)
        line, col = position(data, anchor, offset)
        expected[name] = [code, line, col]
    with open(HERE / "negative" / "expected.json", "w", encoding="utf-8") as out:
        json.dump(expected, out, indent=2)
        out.write("\n")


if __name__ == "__main__":
    main()
