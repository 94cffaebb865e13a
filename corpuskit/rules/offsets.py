"""Offset rules (family O): the text and the spans that point into it.

A span whose covered text does not match gets a diagnosis, not only a symptom: where the
expected text does occur, and whether UTF-16 or UTF-8 counting, an inclusive end or one
constant shift would explain every mismatch in the document.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from corpuskit.diagnostics import Finding, Rule, Severity
from corpuskit.fixes import Fix, SetValue
from corpuskit.model import (
    XML_FORBIDDEN,
    Claim,
    Document,
    Event,
    Fragment,
    Mention,
    Quote,
    Span,
    spans_of,
    text_sha256,
)

E, W = Severity.ERROR, Severity.WARNING

INVALID_RANGE = Rule(
    "O001",
    "invalid-range",
    E,
    "A fragment's end is not after its start.",
    """Offsets are half-open [start, end): `end` is one past the last character, so an empty or
inverted fragment (`end <= start`) covers nothing.

Fails: `{"start": 10, "end": 10, "text": "Iran"}`
Passes: `{"start": 10, "end": 14, "text": "Iran"}`""",
    fixable=True,
)
OUT_OF_RANGE = Rule(
    "O002",
    "out-of-range",
    E,
    "A fragment ends beyond the end of the text.",
    """`end` may be at most the length of the text in code points. Offsets past the end often
come from counting UTF-8 bytes; the message says when that explains them.

Fails: `{"start": 2620, "end": 2640, ...}` in a text of 2,627 characters.
Passes: offsets within the text.""",
    fixable=True,
)
TEXT_MISMATCH = Rule(
    "O003",
    "span-text-mismatch",
    E,
    "A fragment's covered text differs from the document text at its offsets.",
    """Every fragment repeats the text it covers, so that a shifted offset is caught. The message
says where the covered text does occur (nearest occurrence, unique or not) and whether
UTF-16 code units, UTF-8 bytes, an inclusive end or a constant shift explains the offsets.

Fails: text "Iran sent", fragment `{"start": 1, "end": 5, "text": "Iran"}`
Passes: `{"start": 0, "end": 4, "text": "Iran"}`""",
    fixable=True,
)
FRAGMENT_ORDER = Rule(
    "O004",
    "fragments-unordered",
    E,
    "The fragments of a discontinuous span are unsorted or overlap.",
    """A span's fragments are listed in text order and do not overlap, so that each span has
exactly one spelling.

Fails: `[{"start": 20, "end": 25, ...}, {"start": 0, "end": 4, ...}]`
Passes: `[{"start": 0, "end": 4, ...}, {"start": 20, "end": 25, ...}]`""",
)
NOT_NFC = Rule(
    "O005",
    "text-not-nfc",
    E,
    "The text is not in Unicode normalisation form C.",
    """The same visible text can be spelled with precomposed or combining characters (é or
e + U+0301), which changes every offset after it. corpuskit stores NFC.

Fails: a text containing "e\\u0301".
Passes: the same text with "\\u00e9".""",
    fixable=True,
)
HASH_MISMATCH = Rule(
    "O006",
    "text-hash-mismatch",
    E,
    "text_sha256 is not the sha256 of the text.",
    """The hash catches a tool that silently changed the text (re-encoding, whitespace, line
endings). If the text change is intended, re-anchor the spans and update the hash.

Fails: a text edited after the hash was computed.
Passes: `text_sha256` equal to sha256(text encoded as UTF-8).""",
    fixable=True,
)
FORBIDDEN_CHARACTER = Rule(
    "O007",
    "forbidden-character",
    E,
    "The text contains a character XML 1.0 cannot carry.",
    """C0 control characters other than tab, LF and CR, lone surrogates and U+FFFE/U+FFFF have no
XML form, so a document holding them could not be converted. Remove or replace them.

Fails: a text containing U+0007 (BEL).
Passes: the same text without it.""",
)
SPAN_WHITESPACE = Rule(
    "O101",
    "span-whitespace",
    W,
    "A fragment starts or ends with whitespace.",
    """Spans usually cover the words alone; surrounding spaces are a sign of an off-by-one.

Fails: `{"start": 4, "end": 10, "text": " Iran "}`
Passes: `{"start": 5, "end": 9, "text": "Iran"}`""",
    fixable=True,
)
SPLITS_WORD = Rule(
    "O102",
    "span-splits-word",
    W,
    "A fragment starts or ends inside a word.",
    """A boundary between two letters or digits usually means the offsets are off by a few
characters. (Spans of part of a word are allowed; this is a warning.)

Fails: `"ran"` taken out of "Iran".
Passes: `"Iran"`.""",
)
SPLITS_GRAPHEME = Rule(
    "O103",
    "span-splits-grapheme",
    W,
    "A fragment boundary falls inside a user-perceived character.",
    """A boundary before a combining mark, inside an emoji ZWJ sequence, between the two halves of
a flag, before a variation selector or skin-tone modifier, or between CR and LF cuts a
character in two. The check approximates Unicode extended grapheme clusters (UAX #29).

Fails: a span ending between "👩" and "\\u200d💻".
Passes: a span ending after the whole "👩\\u200d💻".""",
)

RULES = (
    INVALID_RANGE,
    OUT_OF_RANGE,
    TEXT_MISMATCH,
    FRAGMENT_ORDER,
    NOT_NFC,
    HASH_MISMATCH,
    FORBIDDEN_CHARACTER,
    SPAN_WHITESPACE,
    SPLITS_WORD,
    SPLITS_GRAPHEME,
)

_ZWJ = "\u200d"


def _extends(ch: str) -> bool:
    """Whether ``ch`` attaches to the character before it (so no boundary may precede it)."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def splits_grapheme(text: str, pos: int) -> bool:
    """Whether a boundary at ``pos`` falls inside an extended grapheme cluster (approximation)."""
    if pos <= 0 or pos >= len(text):
        return False
    before, after = text[pos - 1], text[pos]
    if after < "\u0300" and before != "\r":
        return False  # nothing below U+0300 extends a cluster, and most text is there
    if before == "\r" and after == "\n":
        return True
    if _extends(after) or before == _ZWJ:
        return True
    if _regional(before) and _regional(after):
        run = 0
        i = pos - 1
        while i >= 0 and _regional(text[i]):
            run += 1
            i -= 1
        return run % 2 == 1
    return False


def _word_char(ch: str) -> bool:
    return ch.isalnum()


@dataclass(frozen=True, slots=True)
class _Located:
    pointer: str
    annotation_id: str
    fragment: Fragment


# Characters at or after which a boundary may split a cluster: anything from U+0300 on (combining
# marks, ZWJ, selectors, modifiers, regional indicators) and LF (after CR).
_MAYBE_EXTENDING = re.compile("[\n\u0300-\U0010ffff]")


def _cluster_interiors(text: str) -> frozenset[int]:
    """Positions inside an extended grapheme cluster (a boundary there splits a character).

    Found with one C-speed scan for candidates, so plain text costs next to nothing.
    """
    return frozenset(
        m.start() for m in _MAYBE_EXTENDING.finditer(text) if splits_grapheme(text, m.start())
    )


def _fragment_findings(
    text: str,
    located: _Located,
    j: int,
    span: Span,
    mismatched: list[tuple[_Located, bool]],
    good: list[Fragment],
    counted: bool,
) -> Iterator[Finding]:
    """Everything to say about one fragment the fast loop flagged (rare)."""
    frag = located.fragment
    pointer, ident = located.pointer, located.annotation_id
    length = len(text)
    if j > 0 and frag.start < span[j - 1].end:
        yield Finding(
            FRAGMENT_ORDER,
            f"fragment {j + 1} starts at {frag.start}, before the previous fragment ends "
            f"({span[j - 1].end})",
            pointer=f"{pointer}/start",
            annotation_id=ident,
            hint="list fragments in text order, without overlaps",
        )
    if frag.end <= frag.start:
        yield Finding(
            INVALID_RANGE,
            f"fragment [{frag.start}, {frag.end}) is empty or inverted: end must be greater than start",
            pointer=f"{pointer}/end",
            annotation_id=ident,
            hint=f"for {_quote(frag.text)} the end would be {frag.start + len(frag.text)}",
            fix=_range_fix(text, frag, pointer),
        )
        return
    if frag.end > length:
        mismatched.append((located, True))
        return
    covered = text[frag.start : frag.end]
    if covered != frag.text:
        mismatched.append((located, False))
        return
    if not counted:
        good.append(frag)
    if covered != covered.strip():
        yield Finding(
            SPAN_WHITESPACE,
            f"fragment {_quote(covered)} starts or ends with whitespace",
            pointer=f"{pointer}/start",
            annotation_id=ident,
            text_range=(frag.start, frag.end),
            hint="move the offsets to cover the words alone",
            fix=_trim_fix(frag, pointer),
        )
    for edge, pos in (("starts", frag.start), ("ends", frag.end)):
        if 0 < pos < length and _word_char(text[pos - 1]) and _word_char(text[pos]):
            yield Finding(
                SPLITS_WORD,
                f"fragment {_quote(covered)} {edge} inside a word",
                pointer=f"{pointer}/{'start' if edge == 'starts' else 'end'}",
                annotation_id=ident,
                text_range=(frag.start, frag.end),
                hint="check the offsets; extend the span to the whole word if it was meant",
            )
        elif splits_grapheme(text, pos):
            yield Finding(
                SPLITS_GRAPHEME,
                f"fragment {_quote(covered)} {edge} inside a user-perceived character "
                f"(before U+{ord(text[pos]):04X})",
                pointer=f"{pointer}/{'start' if edge == 'starts' else 'end'}",
                annotation_id=ident,
                text_range=(frag.start, frag.end),
                hint="move the boundary so that combining marks, ZWJ sequences and flags stay whole",
            )


def _quote(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return '"' + shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def _range_fix(text: str, frag: Fragment, pointer: str) -> Fix | None:
    """An empty or inverted fragment whose text starts at ``start``: set the end."""
    end = frag.start + len(frag.text)
    if text[frag.start : end] == frag.text:
        return Fix(f"set the end to {end}", (SetValue(f"{pointer}/end", end),))
    near = [
        o for o in _occurrences(text, frag.text) if abs(o - frag.start) <= safe_window(frag.text)
    ]
    if len(near) == 1:
        return _move(
            pointer,
            (near[0], near[0] + len(frag.text)),
            "re-anchor to the only occurrence nearby",
            safe=True,
        )
    return None


def _trim_fix(frag: Fragment, pointer: str) -> Fix | None:
    """Leave out the whitespace at the ends of a fragment."""
    stripped = frag.text.strip()
    if not stripped:
        return None
    start = frag.start + (len(frag.text) - len(frag.text.lstrip()))
    end = start + len(stripped)
    edits = (
        SetValue(f"{pointer}/start", start),
        SetValue(f"{pointer}/end", end),
        SetValue(f"{pointer}/text", stripped),
    )
    # Unsafe: it changes what the annotation covers, which only a person can approve.
    return Fix(f"trim the whitespace: [{start}, {end})", edits, safe=False)


def _nfc_fix(doc: Document) -> Fix | None:
    """Normalise the text to NFC and move every offset, when every span maps cleanly.

    A boundary maps cleanly when normalising the text on each side of it separately gives the
    same as normalising the whole (no composition across it), and each fragment's text
    normalises to what the new text holds at the new offsets.
    """
    text = doc.text
    new_text = unicodedata.normalize("NFC", text)
    new_offset: dict[int, int] = {}
    edits: list[SetValue] = [
        SetValue("/text", new_text),
        SetValue("/text_sha256", text_sha256(new_text)),
    ]
    for kind, index, annotation in doc.annotations():
        for field, span in spans_of(annotation):
            for j, f in enumerate(span):
                for pos in (f.start, f.end):
                    if pos not in new_offset:
                        head = unicodedata.normalize("NFC", text[:pos])
                        if head + unicodedata.normalize("NFC", text[pos:]) != new_text:
                            return None  # a character composes across this boundary
                        new_offset[pos] = len(head)
                start, end = new_offset[f.start], new_offset[f.end]
                covered = unicodedata.normalize("NFC", f.text)
                if new_text[start:end] != covered:
                    return None
                base = f"/{kind}/{index}/{field}/{j}"
                edits += [
                    SetValue(f"{base}/start", start),
                    SetValue(f"{base}/end", end),
                    SetValue(f"{base}/text", covered),
                ]
    return Fix("normalise the text to NFC and remap every offset", tuple(edits))


def _other_strings(doc: Document) -> Iterator[tuple[str, str | None, str]]:
    """(pointer, annotation id, value) of every free-text string besides the text."""
    meta = doc.meta
    for name in ("title", "source", "url", "published", "license"):
        value = getattr(meta, name)
        if value:
            yield f"/meta/{name}", None, value
    if meta.provenance is not None:
        p = meta.provenance
        for i, annotator in enumerate(p.annotators):
            yield f"/meta/provenance/annotators/{i}", None, annotator
        for name in ("tool", "tool_version", "note"):
            value = getattr(p, name)
            if value:
                yield f"/meta/provenance/{name}", None, value
    for kind, index, a in doc.annotations():
        for name in ("note", "name", "value"):
            value = getattr(a, name, None)
            if isinstance(value, str) and value:
                yield f"/{kind}/{index}/{name}", a.id, value


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _UnitMaps:
    """Offsets counted in UTF-16 units or UTF-8 bytes -> code points (None inside a character).

    Only the characters that take more than one unit are listed, with the units they add, so a
    30 MB ASCII text costs nothing and a conversion is a binary search.
    """

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # For each wider character: where it starts in the other unit, and the units it adds.
        self.u16_starts: list[int] = []
        self.u16_extra: list[int] = []
        self.u8_starts: list[int] = []
        self.u8_extra: list[int] = []
        extra16 = extra8 = 0
        for match in _NON_ASCII.finditer(text):
            i, code = match.start(), ord(match.group())
            wide8 = 1 if code < 0x800 else 2 if code < 0x10000 else 3
            self.u8_starts.append(i + extra8)
            extra8 += wide8
            self.u8_extra.append(extra8)
            if code > 0xFFFF:
                self.u16_starts.append(i + extra16)
                extra16 += 1
                self.u16_extra.append(extra16)

    def _to_code_points(self, starts: list[int], extra: list[int], offset: int) -> int | None:
        before = bisect.bisect_left(starts, offset)  # wider characters starting before offset
        if before:
            added = extra[before - 1]
            width = added - (extra[before - 2] if before > 1 else 0)
            if offset < starts[before - 1] + 1 + width:
                return None  # inside that character
            index = offset - added
        else:
            index = offset
        return index if 0 <= index <= self.length else None

    def utf16(self, offset: int) -> int | None:
        """The code point index at a UTF-16 offset, or None."""
        return self._to_code_points(self.u16_starts, self.u16_extra, offset)

    def utf8(self, offset: int) -> int | None:
        """The code point index at a UTF-8 byte offset, or None."""
        return self._to_code_points(self.u8_starts, self.u8_extra, offset)

    @staticmethod
    def convert(table: Callable[[int], int | None], frag: Fragment) -> tuple[int, int] | None:
        """A fragment's offsets converted with ``table`` (None when either falls inside)."""
        start, end = table(frag.start), table(frag.end)
        return None if start is None or end is None else (start, end)


#: How far (in code points) unsafe re-anchoring looks for a span's text around its stated start.
REANCHOR_WINDOW = 500


def safe_window(covered: str) -> int:
    """How far a safe re-anchoring may move a span: a slip of a few characters, never a jump
    to another mention of the same words."""
    return max(16, len(covered))


def _move(pointer: str, span: tuple[int, int], description: str, *, safe: bool) -> Fix:
    """A fix that sets a fragment's offsets."""
    edits = (SetValue(f"{pointer}/start", span[0]), SetValue(f"{pointer}/end", span[1]))
    return Fix(description, edits, safe)


#: Occurrences of a span's text considered as shift candidates (the text may be very common).
_SHIFT_CANDIDATES = 200


def _occurrences(text: str, needle: str, limit: int = 1000) -> list[int]:
    found: list[int] = []
    i = text.find(needle)
    while i >= 0 and len(found) < limit:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


class _Diagnosis:
    """Explanations of the mismatched fragments of one document, worked out once for all."""

    def __init__(self, text: str, bad: list[Fragment], good: list[Fragment]) -> None:
        self.text = text
        maps = _UnitMaps(text)
        self.occurrences: dict[str, list[int]] = {}
        for f in bad:
            if f.text not in self.occurrences:  # many spans share a text ("Iran"): search once
                self.occurrences[f.text] = _occurrences(text, f.text)
        self.fits: dict[str, list[tuple[int, int] | None]] = {
            "utf16": [],
            "utf8": [],
            "inclusive": [],
        }
        for f in bad:
            self.fits["utf16"].append(self._check(maps.convert(maps.utf16, f), f))
            self.fits["utf8"].append(self._check(maps.convert(maps.utf8, f), f))
            self.fits["inclusive"].append(self._check((f.start, f.end + 1), f))
        self.count = len(bad)
        # A constant shift explains a mismatch when the covered text occurs that far away. The
        # shift shared by most mismatched spans is what an edit of the text before them causes.
        votes: Counter[int] = Counter()
        self.shifts_of: list[set[int]] = []
        for f in bad:
            candidates = {occ - f.start for occ in self.occurrences[f.text][:_SHIFT_CANDIDATES]}
            candidates.discard(0)
            self.shifts_of.append(candidates)
            votes.update(candidates)
        best = max(votes.items(), key=lambda kv: (kv[1], -abs(kv[0])), default=None)
        self.shift: int | None = best[0] if best and best[1] >= 2 else None
        self.shift_count = best[1] if best else 0
        # An explanation is a safe fix only when it fits every span of the document: the
        # mismatched ones and those that match now (which must still match under it).
        self.everywhere = {
            "utf16": self._fits_all(
                self.fits["utf16"], good, lambda f: maps.convert(maps.utf16, f)
            ),
            "utf8": self._fits_all(self.fits["utf8"], good, lambda f: maps.convert(maps.utf8, f)),
            "inclusive": self._fits_all(
                self.fits["inclusive"], good, lambda f: (f.start, f.end + 1)
            ),
        }
        shift = best[0] if best else None
        self.shift_everywhere = (
            shift is not None
            and self.shift_count == self.count
            and all(self._check((f.start + shift, f.end + shift), f) for f in good)
        )

    def _fits_all(
        self,
        fits: list[tuple[int, int] | None],
        good: list[Fragment],
        convert: Callable[[Fragment], tuple[int, int] | None],
    ) -> bool:
        return all(x is not None for x in fits) and all(self._check(convert(f), f) for f in good)

    def fix(self, n: int, frag: Fragment, pointer: str) -> Fix | None:
        """The repair of the n-th mismatched fragment, safe or not, if there is one."""
        labels = {
            "utf16": "convert UTF-16 code units to code points",
            "utf8": "convert UTF-8 byte offsets to code points",
            "inclusive": "make the inclusive end exclusive",
        }
        for key, label in labels.items():
            fixed = self.fits[key][n]
            if fixed is not None and self.everywhere[key]:
                return _move(pointer, fixed, f"{label}: [{fixed[0]}, {fixed[1]})", safe=True)
        if self.shift is not None and self.shift_everywhere:
            fixed = (frag.start + self.shift, frag.end + self.shift)
            return _move(pointer, fixed, f"shift every span by {self.shift:+d}", safe=True)
        occurrences = self.occurrences[frag.text]
        window = safe_window(frag.text)
        close = [o for o in occurrences if abs(o - frag.start) <= window]
        if len(close) == 1:
            fixed = (close[0], close[0] + len(frag.text))
            return _move(
                pointer,
                fixed,
                f"re-anchor to the only occurrence within {window} characters: [{fixed[0]}, {fixed[1]})",
                safe=True,
            )
        near = [o for o in occurrences if abs(o - frag.start) <= REANCHOR_WINDOW]
        if not near:
            return None
        nearest = min(near, key=lambda o: (abs(o - frag.start), o))
        fixed = (nearest, nearest + len(frag.text))
        return _move(
            pointer,
            fixed,
            f"re-anchor to the nearest of {len(near)} occurrences: [{fixed[0]}, {fixed[1]})",
            safe=False,
        )

    def _check(self, span: tuple[int, int] | None, frag: Fragment) -> tuple[int, int] | None:
        if span is None or span[1] > len(self.text) or span[0] >= span[1]:
            return None
        return span if self.text[span[0] : span[1]] == frag.text else None

    def explain(self, n: int, frag: Fragment) -> str:
        """A hint for the n-th mismatched fragment."""
        parts: list[str] = []
        for key, label in (
            ("utf16", "counted in UTF-16 code units"),
            ("utf8", "counted in UTF-8 bytes"),
            ("inclusive", "written with an inclusive end"),
        ):
            fixed = self.fits[key][n]
            if fixed is not None:
                all_fit = all(x is not None for x in self.fits[key])
                scope = (
                    f"this explains all {self.count} mismatched spans in the document"
                    if all_fit and self.count > 1
                    else "this explains this span"
                    if all_fit
                    else "but not every mismatched span"
                )
                parts.append(
                    f"the offsets look {label}: in code points the span is "
                    f"[{fixed[0]}, {fixed[1]}) ({scope})"
                )
        if self.shift is not None and self.shift in self.shifts_of[n]:
            share = (
                f"all {self.count}"
                if self.shift_count == self.count
                else f"{self.shift_count} of the {self.count}"
            )
            parts.append(
                f"shifting by {self.shift:+d} makes {share} mismatched spans match "
                f"(this one at [{frag.start + self.shift}, {frag.end + self.shift}))"
            )
        occ = self.occurrences[frag.text]
        if not occ:
            parts.append(f"{_quote(frag.text)} occurs nowhere in the text")
        else:
            nearest = min(occ, key=lambda o: (abs(o - frag.start), o))
            where = f"[{nearest}, {nearest + len(frag.text)})"
            delta = nearest - frag.start
            if len(occ) == 1:
                parts.append(
                    f"{_quote(frag.text)} occurs once in the text, at {where} ({delta:+d})"
                )
            else:
                more = "+" if len(occ) >= 1000 else ""
                parts.append(
                    f"{_quote(frag.text)} occurs {len(occ)}{more} times; the nearest is at "
                    f"{where} ({delta:+d})"
                )
        return "; ".join(parts)


def check(doc: Document) -> Iterator[Finding]:
    """Check the text and every span of ``doc``."""
    text = doc.text
    length = len(text)
    if text_sha256(text) != doc.text_sha256:
        yield Finding(
            HASH_MISMATCH,
            "text_sha256 does not match the text: the text was changed after the hash was taken",
            pointer="/text_sha256",
            hint=f"if the text is right, set text_sha256 to {text_sha256(text)} (and re-check the spans)",
            # Unsafe: only a person knows whether the text or the hash is the mistake.
            fix=Fix(
                "set text_sha256 to the hash of the text as it is",
                (SetValue("/text_sha256", text_sha256(text)),),
                safe=False,
            ),
        )
    if not unicodedata.is_normalized("NFC", text):
        at = next(
            (
                i
                for i, ch in enumerate(text)
                if unicodedata.normalize("NFC", text[max(0, i - 1) : i + 1])
                != text[max(0, i - 1) : i + 1]
            ),
            0,
        )
        yield Finding(
            NOT_NFC,
            f"text is not NFC-normalised (first at character {at}, U+{ord(text[at]):04X})",
            pointer="/text",
            text_range=(max(0, at - 1), at + 1),
            hint="normalise the text to NFC and remap the offsets after the change",
            fix=_nfc_fix(doc),
        )
    forbidden = XML_FORBIDDEN.search(text)
    if forbidden is not None:
        bad_char = forbidden.start()
        yield Finding(
            FORBIDDEN_CHARACTER,
            f"text contains U+{ord(text[bad_char]):04X} at character {bad_char}, which XML 1.0 cannot carry",
            pointer="/text",
            text_range=(bad_char, bad_char + 1),
            hint="remove the character or replace it (control characters other than tab, LF and CR are not allowed)",
        )

    strings = list(_other_strings(doc))
    if XML_FORBIDDEN.search("".join(value for _, _, value in strings)) is None:
        strings = []  # the common case: one search over every string at once
    for pointer, ident, value in strings:
        found = XML_FORBIDDEN.search(value)
        if found is not None:
            yield Finding(
                FORBIDDEN_CHARACTER,
                f"{pointer.rsplit('/', 1)[-1]} contains U+{ord(found.group()):04X}, which XML 1.0 cannot carry",
                pointer=pointer,
                annotation_id=ident,
                hint="remove the character or replace it (control characters other than tab, LF and CR are not allowed)",
            )

    mismatched: list[tuple[_Located, bool]] = []
    good: list[Fragment] = []
    inside = _cluster_interiors(text)
    # The hot loop: every fragment of the corpus passes here, so the common case (a correct
    # fragment) touches no pointer strings and no objects beyond the fragment itself.
    kinds: tuple[tuple[str, tuple[Mention | Quote | Claim | Event, ...], tuple[str, ...]], ...] = (
        ("mentions", doc.mentions, ("span",)),
        ("quotes", doc.quotes, ("span", "cue")),
        ("claims", doc.claims, ("span",)),
        ("events", doc.events, ("trigger",)),
    )
    for kind, items, fields in kinds:
        for index, annotation in enumerate(items):
            for field in fields:
                span: Span = getattr(annotation, field)
                previous_end = -1
                for j, frag in enumerate(span):
                    start, end, ftext = frag.start, frag.end, frag.text
                    problem = start < previous_end or end <= start or end > length
                    previous_end = end
                    matches = not problem and text[start:end] == ftext
                    if matches:
                        good.append(frag)
                        if not (
                            ftext[0].isspace()
                            or ftext[-1].isspace()
                            or (start and text[start].isalnum() and text[start - 1].isalnum())
                            or (end < length and text[end].isalnum() and text[end - 1].isalnum())
                            or start in inside
                            or end in inside
                        ):
                            continue
                    located = _Located(f"/{kind}/{index}/{field}/{j}", annotation.id, frag)
                    yield from _fragment_findings(text, located, j, span, mismatched, good, matches)

    if mismatched:
        diagnosis = _Diagnosis(text, [m.fragment for m, _ in mismatched], good)
        for n, (located, out_of_range) in enumerate(mismatched):
            frag = located.fragment
            hint = diagnosis.explain(n, frag)
            if out_of_range:
                yield Finding(
                    OUT_OF_RANGE,
                    f"fragment [{frag.start}, {frag.end}) ends beyond the text ({length} characters)",
                    pointer=f"{located.pointer}/end",
                    annotation_id=located.annotation_id,
                    hint=hint,
                    fix=diagnosis.fix(n, frag, located.pointer),
                )
            else:
                covered = text[frag.start : frag.end]
                yield Finding(
                    TEXT_MISMATCH,
                    f"covered text {_quote(frag.text)} does not match the text at "
                    f"[{frag.start}, {frag.end}): {_quote(covered)}",
                    pointer=located.pointer,
                    annotation_id=located.annotation_id,
                    text_range=(frag.start, frag.end),
                    hint=hint,
                    fix=diagnosis.fix(n, frag, located.pointer),
                )
