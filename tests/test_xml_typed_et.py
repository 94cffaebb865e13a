"""The typed XML decode reads with expat (ElementTree), the full path with lxml: the prescan
(``xml_typed._plain``) refuses every input on which the two parsers could read otherwise.

One case per refusal: the typed decode refuses it, and the full path still answers it with
the findings it gave when the typed decode parsed with lxml (a P finding at the same place, or
none at all and the canonical document: then the refusal only costs speed).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from agreement import agree

from corpuskit.engine import check_bytes, strict_document
from corpuskit.formats import xml_typed

MINIMAL = (Path(__file__).resolve().parent / "examples" / "positive" / "minimal.xml").read_text(
    "utf-8"
)
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
ROOT = '<document xmlns="https://corpuskit.dev/ns/document/1.0"'
LONG = "p" * 60_000


def _minimal(old: str, new: str) -> bytes:
    assert old in MINIMAL, old
    return MINIMAL.replace(old, new, 1).encode("utf-8")


def _long_prefix() -> bytes:
    # A prefix over libxml2's 50,000 characters for a name: expat reads the document.
    opened = _minimal(
        ROOT, f'<{LONG}:document xmlns:{LONG}="https://corpuskit.dev/ns/document/1.0"'
    )
    return opened.replace(b"</document>", f"</{LONG}:document>".encode())


#: Refused, and the full path reports (code, line, message).
REPORTED = {
    "doctype": (
        _minimal("<document", "<!DOCTYPE document>\n<document"),
        ("P007", 2, "DOCTYPE declarations are not allowed in corpuskit documents"),
    ),
    "comment": (
        _minimal("<meta>", "<meta><!-- c -->"),
        ("P007", 3, "comment not allowed in corpuskit documents"),
    ),
    "comment after the root": (
        MINIMAL.encode("utf-8") + b"<!-- c -->\n",
        ("P007", 41, "only the <document> element may stand at the top level"),
    ),
    "processing instruction": (
        _minimal("<meta>", "<meta><?pi x?>"),
        ("P007", 3, "processing instruction not allowed in corpuskit documents"),
    ),
    "comment after many question marks": (
        _minimal('type="GPE">', 'type="GPE" note="' + "?!" * 40 + '"><!-- c -->'),
        ("P007", 13, "comment not allowed in corpuskit documents"),
    ),
    "namespace name that is no URI": (
        _minimal(ROOT, ROOT + ' xmlns:x="a b %zz"'),
        ("P006", 2, "xmlns:x: 'a b %zz' is not a valid URI"),
    ),
    "name over libxml2's limit": (_long_prefix(), ("P006", 2, "Name too long: NCName")),
}

#: Refused, and valid as the full path reads them: the canonical document, only slower.
ONLY_SLOWER = {
    "CDATA": _minimal(">Iran</frag>", "><![CDATA[Iran]]></frag>"),
    "standalone": _minimal(HEAD, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'),
    "version 1.1": _minimal(HEAD, '<?xml version="1.1" encoding="UTF-8"?>'),
    "encoding utf8": _minimal(HEAD, '<?xml version="1.0" encoding="utf8"?>'),
    "CR LF line ends": MINIMAL.replace("\n", "\r\n").encode("utf-8"),
    "a prefix declared": _minimal(ROOT, ROOT + ' xmlns:x="https://example.org/x"'),
}


@pytest.mark.parametrize("name", sorted(REPORTED))
def test_refused_and_reported(name: str) -> None:
    data, (code, line, message) = REPORTED[name]
    assert xml_typed.decode(data) is None
    first = check_bytes(data, "d.xml").diagnostics[0]
    assert (first.code, first.line, first.message) == (code, line, message)


@pytest.mark.parametrize("name", sorted(ONLY_SLOWER))
def test_refused_and_valid(name: str) -> None:
    data = ONLY_SLOWER[name]
    assert xml_typed.decode(data) is None
    assert not check_bytes(data, "d.xml").diagnostics
    assert strict_document(data, "xml") == xml_typed.decode(MINIMAL.encode("utf-8"))


def test_refused_by_size() -> None:
    # Near libxml2's limits for one text or value (10**7 bytes) only: layout that fills 9 MB.
    data = _minimal("<meta>", " " * (xml_typed._LARGEST + 1) + "<meta>")
    assert xml_typed.decode(data) is None
    assert not check_bytes(data, "d.xml").diagnostics
    assert strict_document(data, "xml") == xml_typed.decode(MINIMAL.encode("utf-8"))


def test_plain_documents_are_read() -> None:
    # The declaration in the spacing and quotes XML allows, none at all, and many "?" and "!"
    # (the search for "<?" and "<!" past the first few dozen): still the typed decode.
    canonical = xml_typed.decode(MINIMAL.encode("utf-8"))
    assert canonical is not None
    spaced = _minimal(HEAD, "<?xml version = '1.0'\tencoding='utf-8' ?>")
    assert agree(spaced, "xml") == canonical
    assert agree(_minimal(HEAD + "\n", ""), "xml") == canonical
    marks = _minimal('type="GPE">', 'type="GPE" note="' + "?!:" * 40 + '">')
    assert agree(marks, "xml") is not None


def test_marked_is_the_pair_search() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        data = bytes(rng.choice(b"<!?:xmlns a") for _ in range(rng.randrange(120)))
        start = rng.randrange(5)
        for mark, before in ((b"!", b"<"), (b"?", b"<"), (b":", b"xmlns")):
            found = data.find(before + mark, start) >= 0
            assert xml_typed._marked(data, start, mark, before) == found, (data, start)


#: Malformed UTF-8 (a lone or wrong continuation byte, overlong forms, surrogates, beyond
#: U+10FFFF, a truncated sequence) in every place a byte can stand: the typed decode has no
#: UTF-8 decode of its own, expat refuses them all.
MALFORMED = [
    b"\xff",
    b"\x80",
    b"\xc0\x80",
    b"\xe0\x9f\xbf",
    b"\xed\xa0\x80",
    b"\xf0\x8f\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xc3",
    b"\xe2\x28\xa1",
]
PLACES = {
    "text": (">Iran</frag>", ">IrXan</frag>"),
    "attribute value": ('type="GPE"', 'type="GXPE"'),
    "element name": ("<span>", "<spanX>"),
    "attribute name": ('type="GPE"', 'typeX="GPE"'),
    "between elements": ("</mention>\n", "</mention>X\n"),
    "before the root": (ROOT, "X" + ROOT),
    "after the root": ("</document>", "</document>X"),
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_malformed_utf8_is_refused(place: str) -> None:
    old, new = PLACES[place]
    for sequence in MALFORMED:
        data = _minimal(old, new).replace(b"X", sequence)
        assert xml_typed.decode(data) is None, (place, sequence)
    assert check_bytes(data, "d.xml").diagnostics


def test_the_parse_counts_line_breaks() -> None:
    canonical = MINIMAL.encode("utf-8")
    for data in (
        canonical,
        canonical.rstrip(b"\n"),
        canonical + b"\n \n\n",
        _minimal(HEAD, '<?xml version="1.0"\n  encoding="UTF-8"?>\n\n'),
        _minimal(ROOT, "\n\n" + ROOT),
    ):
        parsed = xml_typed._parse(data)
        assert parsed is not None
        assert parsed[1] == data.count(b"\n")
    # Anything after the root, or a root left open: refused.
    assert xml_typed._parse(canonical + b"<") is None
    assert xml_typed._parse(canonical + b"x") is None
    assert xml_typed._parse(canonical.replace(b"</document>", b"")) is None


#: Raw line breaks where the full path reports no P007: in a tag between attributes, in
#: character data that looks like an attribute. The line breaks outside the character data
#: are counted, and the candidate search decides: still the typed decode.
LINE_BREAKS = {
    "between attributes": _minimal(
        '<mention id="m1" type="GPE">', '<mention\n id="m1"\ntype="GPE">'
    ),
    "before the end of a tag": _minimal("<span>", "<span\n>"),
    "in an end tag": _minimal("</mention>", "</mention\n>"),
    "text that looks like an attribute": _minimal("Iran sent", 'Iran x="a\nb" sent'),
}


@pytest.mark.parametrize("name", sorted(LINE_BREAKS))
def test_line_breaks_outside_values_are_read(name: str) -> None:
    assert agree(LINE_BREAKS[name], "xml") is not None


def test_a_line_break_in_a_value_beside_character_references() -> None:
    # A character reference in the text: the line breaks are not counted, the search runs.
    data = _minimal("Iran sent", "Iran&#10;sent").replace(
        b'type="GPE"', b'type="GPE" note="a\nb"', 1
    )
    assert xml_typed.decode(data) is None
    assert [d.code for d in check_bytes(data, "d.xml").diagnostics][:1] == ["P007"]
