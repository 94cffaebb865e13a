"""Offset rules (family O): the text and the spans that point into it.

A span whose covered text does not match gets a diagnosis, not only a symptom: where the
expected text does occur, and whether UTF-16 or UTF-8 counting, an inclusive end or one
constant shift would explain every mismatch in the document.

Repairs never guess: a span is moved only by the one explanation that fits every span of the
document, or to the only occurrence of its text in the whole text when it slipped by a few
characters (farther away, an unsafe fix: a person decides). Where several occurrences
could be meant, the hint lists them (line and context) and the annotator chooses, with the
offsets or with a "prefix" or "suffix" on a fragment given by its text (O008).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from itertools import chain, pairwise
from operator import attrgetter
from typing import TYPE_CHECKING

import msgspec

from corpuskit.diagnostics import Finding, Rule, Severity
from corpuskit.fixes import Fix, SetValue
from corpuskit.model import (
    ANNOTATION_KINDS,
    Claim,
    Document,
    Event,
    Fragment,
    Mention,
    Quote,
    Span,
    sha256_hex,
    spans_of,
    text_sha256,
    xml_forbidden,
)
from corpuskit.rules.base import Check, CheckInput, shared

if TYPE_CHECKING:
    from corpuskit.formats.records import Record

E, W = Severity.ERROR, Severity.WARNING

INVALID_RANGE = Rule(
    "O001",
    "invalid-range",
    E,
    "A fragment's end is not after its start.",
    """Offsets are half-open [start, end): `end` is one past the last character, so an empty or
inverted fragment (`end <= start`) covers nothing.

When the covered text does start at `start`, the fix sets the end; when it occurs exactly
once in the whole text, the fix moves the fragment there; otherwise the hint says where it
occurs, and a person chooses.

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

Fixes never guess. Safe: the one explanation that fits every span of the document (UTF-16,
UTF-8, inclusive end, one constant shift; when two fit, as -1 and +12 can in a text that
repeats itself, nothing is fixed; nor when the only mismatched span of a document fits UTF-16
or UTF-8 units but its text also occurs where a slip would have put it), or the only occurrence of the covered text in the whole
text when it is at most 16 characters (or the span's length) away; farther away that is an
unsafe fix, since after an edit the span may sit on the word that replaced its own. When the text occurs several times, the hint lists the nearest (line, offsets,
context, and the "prefix" or "suffix" that would choose each): correct the offsets, or write
the fragment by its text with that prefix or suffix (O008). When the offsets cover a small
edit of the covered text (a typo: same first and last character, about one edit in ten) and
the covered text occurs nowhere, an unsafe fix sets the covered text to what the offsets
cover; if it also occurs somewhere, both answers are reported and nothing is fixed. After the
text changed (O006), no span is moved to another occurrence of its words.

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
endings). If the text change is intended, re-anchor the spans and update the hash: the unsafe
fix sets the hash only once every span matches the text, since a new hash would hide the
change that broke them. A draft may leave `text_sha256` out: the hint gives its value and a
safe fix adds it.

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
UNANCHORED_SPAN = Rule(
    "O008",
    "unanchored-span",
    E,
    "A fragment is given by its text alone, without offsets.",
    """A draft may write a fragment as the text it covers, with an optional `prefix` and
`suffix` (the text right before and after it, as in W3C's TextQuoteSelector) to pick one
occurrence of a repeated text. A finished document has offsets, so this is an error; the safe
fix writes `start` and `end` (and drops prefix and suffix) when the text, with its prefix and
suffix, occurs exactly once. Otherwise the hint lists the occurrences with their line and
context, and the prefix or suffix that would choose each; nothing is guessed.

Fails: `{"text": "Iran", "prefix": "sanctions on "}` (until `corpuskit fix` anchors it)
Passes: `{"start": 120, "end": 124, "text": "Iran"}`""",
    fixable=True,
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
    UNANCHORED_SPAN,
    SPAN_WHITESPACE,
    SPLITS_WORD,
    SPLITS_GRAPHEME,
)
#: The rules the model check reports (O008 is reported while the model is built).
MODEL_RULES = tuple(rule for rule in RULES if rule is not UNANCHORED_SPAN)

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


#: The General Punctuation block's dashes, quotes, daggers and ellipsis: common in news, and
#: attached to nothing before them (worked out with the test itself, so it cannot disagree).
_PUNCTUATION = frozenset(ch for ch in map(chr, range(0x2010, 0x2028)) if not _extends(ch))


def splits_grapheme(text: str, pos: int) -> bool:
    """Whether a boundary at ``pos`` falls inside an extended grapheme cluster (approximation)."""
    if pos <= 0 or pos >= len(text):
        return False
    before, after = text[pos - 1], text[pos]
    if after < "\u0300" and before != "\r":
        return False  # nothing below U+0300 extends a cluster, and most text is there
    if after in _PUNCTUATION and before != _ZWJ:
        return False  # (neither half of CR LF nor a regional indicator)
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


def splits_word(text: str, pos: int) -> bool:
    """Whether a span boundary at ``pos`` falls inside a word (O102, and C013 under the
    word_boundaries policy: one test for both, so the error and the warning always agree)."""
    return 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum()


class _Located(msgspec.Struct, frozen=True):
    pointer: str
    annotation_id: str
    fragment: Fragment


class _Flag(msgspec.Struct, frozen=True):
    """A fragment the survey's fast loop set aside: broken, or matching but worth a warning."""

    located: _Located
    #: Its place in its span, and the span (for the order check).
    j: int
    span: Span
    #: It starts before the previous fragment ends (O004).
    unordered: bool
    #: Empty or inverted (O001), beyond the text (O002), or covering other text (O003).
    empty: bool
    beyond: bool
    mismatch: bool


class Survey(msgspec.Struct):
    """One pass over every fragment of a document, shared by the span, hash and word-boundary
    checks (the hot loop: a correct fragment costs a slice and a comparison)."""

    index: _TextIndex
    #: Fragments to look at (rare).
    flagged: list[_Flag]
    #: Fragments whose covered text matches (the diagnosis learns from them).
    good: list[Fragment]
    #: Fragments beyond the text or covering other text, with "beyond" (O002) or not (O003).
    mismatched: list[tuple[_Located, bool]]
    #: Empty or inverted fragments.
    empty: int
    #: (located, edge) of every fragment edge inside a word, matching or not (O102 and C013).
    word_splits: list[tuple[_Located, str]]

    @property
    def broken(self) -> int:
        """Fragments that do not cover their text."""
        return len(self.mismatched) + self.empty


def _span_fields(
    doc: Document,
) -> tuple[tuple[str, tuple[Mention | Quote | Claim | Event, ...], tuple[str, ...]], ...]:
    return (
        ("mentions", doc.mentions, ("span",)),
        ("quotes", doc.quotes, ("span", "cue")),
        ("claims", doc.claims, ("span", "cue")),
        ("events", doc.events, ("trigger",)),
    )


_SPAN_AND_CUE = attrgetter("span", "cue")
_TRIGGER = attrgetter("trigger")


def _spans(doc: Document) -> list[Span]:
    """Every span of ``doc`` in the order of :func:`_span_fields` (empty cues included, so that
    the n-th span here is the n-th (annotation, field) there)."""
    spans = [m.span for m in doc.mentions]
    spans += chain.from_iterable(map(_SPAN_AND_CUE, doc.quotes))
    spans += chain.from_iterable(map(_SPAN_AND_CUE, doc.claims))
    spans += map(_TRIGGER, doc.events)
    return spans


#: ASCII characters that are not letters or digits: a boundary before one splits no word, and
#: no cluster (but between CR and LF, where the fragment ends with whitespace).
_ASCII_BREAKS = frozenset(ch for ch in map(chr, range(0x80)) if not ch.isalnum())


def _suspects(text: str, spans: list[Span], fragments: list[Fragment]) -> list[int]:
    """The places in ``spans`` (in order) of the spans that the survey must look at fragment by
    fragment (``fragments`` are those of ``spans``).

    This is the survey's happy path, tested on the characters at the edges: a fragment passes
    when it covers its text, has no whitespace at its ends and starts and ends between words
    and between clusters (and follows the fragment before it in its span); then the survey
    would only count it as good. Anything else is left to the survey, which decides.
    """
    length = len(text)
    found: list[Fragment] = []
    try:
        for frag in fragments:
            start, end, ftext = frag.start, frag.end, frag.text
            # strip() returns the very string when it has no whitespace at either end.
            if text[start:end] != ftext or ftext.strip() is not ftext:
                found.append(frag)
                continue
            if start > 0:
                # The text matches, so its first and last characters are the text's there. A
                # cluster can only be split before a character from U+0300 on (a string
                # compares so when its first character does), or between CR and LF, which are
                # whitespace and caught above.
                if (text[start - 1].isalnum() and ftext[0].isalnum()) or (
                    ftext >= "\u0300" and splits_grapheme(text, start)
                ):
                    found.append(frag)
                    continue
            elif start or not ftext:  # a negative start slices from the end
                found.append(frag)
                continue
            if start < end < length:  # (a negative end slices from the end)
                after = text[end]
                if after in _ASCII_BREAKS:
                    continue  # the common case, and one test
                if (after.isalnum() and ftext[-1].isalnum()) or (
                    after >= "\u0300" and splits_grapheme(text, end)
                ):
                    found.append(frag)
            elif end != length or not ftext:  # beyond the text (where a slice stops early),
                # negative, or empty at the end of the text
                found.append(frag)
    except (IndexError, TypeError, AttributeError):
        # An empty "text", an offset that is no int, a text that is no str: only a program
        # builds such a fragment, and the survey decides (raising where it would).
        return list(range(len(spans)))
    if len(found) * 4 > len(fragments):  # a broken document: look at every span
        return list(range(len(spans)))
    places: set[int] = set()
    if len(fragments) + spans.count(()) != len(spans):  # a discontinuous span: its order
        places.update(
            n
            for n, span in enumerate(spans)
            if len(span) > 1 and any(b.start < a.end for a, b in pairwise(span))
        )
    if found:
        # By identity, and every span holding the fragment (a program may share one).
        ids = set(map(id, found))
        places |= {n for n, span in enumerate(spans) for f in span if id(f) in ids}
    return sorted(places)


def _places(
    doc: Document, places: list[int]
) -> Iterator[tuple[int, str, int, str, Mention | Quote | Claim | Event]]:
    """(n, kind, index, field, annotation) of the n-th span in the order of :func:`_spans`, for
    each n of ``places`` (sorted), in one walk over the kinds."""
    wanted = iter(places)
    n = next(wanted, None)
    first = 0
    for kind, items, fields in _span_fields(doc):
        last = first + len(items) * len(fields)
        while n is not None and n < last:
            i, f = divmod(n - first, len(fields))
            yield n, kind, i, fields[f], items[i]
            n = next(wanted, None)
        first = last


def survey(doc: Document) -> Survey:
    """Look at every fragment of ``doc`` once (see :class:`Survey`)."""
    text = doc.text
    found = Survey(_TextIndex(text, expected_sha256=doc.text_sha256), [], [], [], 0, [])
    spans = _spans(doc)
    fragments: list[Fragment] = []
    for span in spans:  # (faster than chain for spans of one fragment)
        fragments += span
    suspects = _suspects(text, spans, fragments)
    if not suspects:  # the common case: every fragment is good
        found.good = fragments
        return found
    length = len(text)
    good, flagged = found.good, found.flagged
    done = 0
    for n, kind, i, field, annotation in _places(doc, suspects):
        if n > done:
            good += chain.from_iterable(spans[done:n])  # the good spans before this one
        done = n + 1
        span = spans[n]
        previous_end = -1
        for j, frag in enumerate(span):
            start, end, ftext = frag.start, frag.end, frag.text
            unordered = start < previous_end
            previous_end = end
            matches = not unordered and start < end <= length and text[start:end] == ftext
            starts_inside = (
                0 < start < length and text[start].isalnum() and text[start - 1].isalnum()
            )
            ends_inside = 0 < end < length and text[end].isalnum() and text[end - 1].isalnum()
            if matches:
                good.append(frag)
                if not (
                    ftext[0].isspace()
                    or ftext[-1].isspace()
                    or starts_inside
                    or ends_inside
                    or splits_grapheme(text, start)
                    or splits_grapheme(text, end)
                ):
                    continue
            located = _Located(f"/{kind}/{i}/{field}/{j}", annotation.id, frag)
            if starts_inside:
                found.word_splits.append((located, "start"))
            if ends_inside:
                found.word_splits.append((located, "end"))
            empty = end <= start
            beyond = not empty and end > length
            mismatch = not (empty or beyond) and text[start:end] != ftext
            if not (matches or empty or beyond or mismatch):
                good.append(frag)  # matching, but out of order
            if beyond or mismatch:
                found.mismatched.append((located, beyond))
            found.empty += empty
            flagged.append(_Flag(located, j, span, unordered, empty, beyond, mismatch))
    good += chain.from_iterable(spans[done:])
    return found


def survey_of(given: CheckInput) -> Survey:
    """The survey of the given document, made once whichever check asks first."""
    found: Survey = shared(given, "survey", survey)
    return found


def _flag_findings(index: _TextIndex, flag: _Flag) -> Iterator[Finding]:
    """What to say about one fragment the survey set aside, but a mismatch (diagnosed later)."""
    text = index.text
    located, j, span = flag.located, flag.j, flag.span
    frag = located.fragment
    pointer, ident = located.pointer, located.annotation_id
    if flag.unordered:
        yield Finding(
            FRAGMENT_ORDER,
            f"fragment {j + 1} starts at {frag.start}, before the previous fragment ends "
            f"({span[j - 1].end})",
            pointer=f"{pointer}/start",
            annotation_id=ident,
            hint="list fragments in text order, without overlaps",
        )
    if flag.empty:
        yield Finding(
            INVALID_RANGE,
            f"fragment [{frag.start}, {frag.end}) is empty or inverted: end must be greater than start",
            pointer=f"{pointer}/end",
            annotation_id=ident,
            hint=_range_hint(index, frag),
            fix=_range_fix(index, frag, pointer),
        )
        return
    if flag.beyond or flag.mismatch:
        return
    covered = text[frag.start : frag.end]
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
        if splits_word(text, pos):
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


def _range_hint(index: _TextIndex, frag: Fragment) -> str:
    """Where an empty or inverted fragment's text really is: at its start, or elsewhere."""
    end = frag.start + len(frag.text)
    if index.text[frag.start : end] == frag.text:
        return f"{_quote(frag.text)} starts at {frag.start}: the end would be {end}"
    return occurrence_hint(index, frag.text, frag.start, None)


def _range_fix(index: _TextIndex, frag: Fragment, pointer: str) -> Fix | None:
    """An empty or inverted fragment whose text starts at ``start``: set the end; whose text
    occurs once in the whole text: move it there. Nothing else is certain."""
    end = frag.start + len(frag.text)
    if index.text[frag.start : end] == frag.text:
        return Fix(f"set the end to {end}", (SetValue(f"{pointer}/end", end),))
    only = None if index.changed else index.occurrences(frag.text).only()
    if only is None:
        return None
    return _move(
        pointer,
        (only, only + len(frag.text)),
        f"re-anchor to the only occurrence of {_quote(frag.text)}: [{only}, {only + len(frag.text)})",
        safe=True,
    )


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
    spans = [
        (kind, index, field, span)
        for kind, index, annotation in doc.annotations()
        for field, span in spans_of(annotation)
    ]
    # Every boundary at once, in linear time: the text is cut at every fragment boundary and
    # each piece normalised alone. NFC output is canonically equivalent to its input, so the
    # normalised pieces joined equal the normalised text only when no character composes or
    # reorders across a cut: then each normalised prefix is a prefix of the normalised text
    # (the boundary maps cleanly) and its length is the boundary's new offset.
    cuts = sorted(
        {0, len(text)}
        | {
            slice(pos).indices(len(text))[1]  # as text[:pos] reads it
            for _, _, _, span in spans
            for f in span
            for pos in (f.start, f.end)
        }
    )
    new_cut: dict[int, int] = {}
    done = 0
    for cut, after in zip(cuts, [*cuts[1:], len(text)], strict=True):
        new_cut[cut] = done
        piece = unicodedata.normalize("NFC", text[cut:after])
        if new_text[done : done + len(piece)] != piece:
            return None  # a character composes or reorders across this boundary
        done += len(piece)
    if done != len(new_text):
        return None

    def new_offset(pos: int) -> int:
        return new_cut[slice(pos).indices(len(text))[1]]

    edits: list[SetValue] = [
        SetValue("/text", new_text),
        SetValue("/text_sha256", text_sha256(new_text)),
    ]
    for kind, index, field, span in spans:
        for j, f in enumerate(span):
            start, end = new_offset(f.start), new_offset(f.end)
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
    """(pointer, annotation id, value) of every free-text string besides the text (and the
    knowledge-base ids, free but for white space)."""
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
        # A knowledge base's id is any run of non-space characters (U+FFFE is one).
        for k, link in enumerate(getattr(a, "links", ())):
            yield f"/{kind}/{index}/links/{k}/id", a.id, link.id


#: Memo key (CheckInput.memo): the free-text strings of the annotations, as the typed decode
#: met them (typed.decode_with_strings); else :func:`_annotation_values` lists them.
ANNOTATION_STRINGS = "annotation strings"


def _other_values(doc: Document, annotation_strings: list[str] | None = None) -> str:
    """Every string of ``_other_strings``, joined (one search finds a bad character; their
    order does not matter to it). ``annotation_strings``: the annotations' ones, when known."""
    meta, prov = doc.meta, doc.meta.provenance
    values = [meta.title, meta.source, meta.url, meta.published, meta.license]
    if prov is not None:
        values += [*prov.annotators, prov.tool, prov.tool_version, prov.note]
    found = list(filter(None, values))
    found += _annotation_values(doc) if annotation_strings is None else annotation_strings
    return "".join(found)


def _annotation_values(doc: Document) -> list[str]:
    """The annotations' strings of ``_other_strings`` (notes, entity names, knowledge-base ids,
    string attribute values)."""
    found: list[str] = []
    # Plain loops in one frame (a comprehension is a call of its own): every document has them.
    add = found.append
    for x in doc.mentions:
        if note := x.note:
            add(note)
    for y in doc.entities:
        if note := y.note:
            add(note)
        if name := y.name:
            add(name)
        for link in y.links:
            add(link.id)
    for q in doc.quotes:
        if note := q.note:
            add(note)
    for c in doc.claims:
        if note := c.note:
            add(note)
    for e in doc.events:
        if note := e.note:
            add(note)
    for r in doc.relations:
        if note := r.note:
            add(note)
    for a in doc.attributes:
        if note := a.note:
            add(note)
        if isinstance(value := a.value, str) and value:
            add(value)
    return found


#: The C0 controls XML 1.0 cannot carry (all but tab, LF and CR), as UTF-8 bytes.
_C0_FORBIDDEN = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


#: Bytes whose absence from a text's UTF-8 leaves only characters below U+0300 or from U+2000
#: to U+2FFF (lead byte E2), none of them one XML cannot carry.
_NOT_PLAIN = _C0_FORBIDDEN + bytes(b for b in range(0xCC, 0x100) if b != 0xE2)
#: A character from U+2000 to U+2FFF but U+2002 to U+203F (U+2000 and U+2001 are not NFC).
_E2_BEYOND = re.compile(b"\xe2(?!\x80[\x82-\xbf])")


def _utf8(value: str) -> bytes | None:
    """``value`` as UTF-8, or None when it holds a lone surrogate (which XML cannot carry)."""
    try:
        return value.encode()
    except UnicodeEncodeError:
        return None


def _text_utf8(given: CheckInput) -> bytes | None:
    """The document's text as UTF-8 (:func:`_utf8`), encoded once for the text and hash checks."""
    raw: bytes | None = shared(given, "utf8", lambda doc: _utf8(doc.text))
    return raw


def _plain(raw: bytes | None) -> bool:
    """Whether a text (``raw``: its :func:`_utf8`) holds only characters below U+0300 and from
    U+2002 to U+203F (spaces, dashes, quotes, daggers, ellipsis), none that XML cannot carry,
    found in C-speed passes. Such a text is NFC: each of these characters is, none composes
    with a neighbour (tests/test_offsets_perf.py tries every pair) and Unicode's normalisation
    stability keeps it so; the character database need not look at it."""
    return (
        raw is not None
        and len(raw.translate(None, _NOT_PLAIN)) == len(raw)
        and _E2_BEYOND.search(raw) is None
    )


def _xml_safe(value: str, raw: bytes | None) -> bool:
    """Whether ``xml_forbidden()`` finds nothing in ``value`` (``raw``: its :func:`_utf8`), in
    C-speed passes that are much faster than the regex: lone surrogates do not encode as
    UTF-8, a C0 control is a byte of its own there (every byte of a longer sequence is from
    0x80 on), and U+FFFE and U+FFFF are looked for as such."""
    return (
        raw is not None
        and len(raw.translate(None, _C0_FORBIDDEN)) == len(raw)
        and "\ufffe" not in value
        and "\uffff" not in value
    )


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


def _move(pointer: str, span: tuple[int, int], description: str, *, safe: bool) -> Fix:
    """A fix that sets a fragment's offsets."""
    edits = (SetValue(f"{pointer}/start", span[0]), SetValue(f"{pointer}/end", span[1]))
    return Fix(description, edits, safe)


#: How many occurrences a hint lists when a text occurs several times.
LISTED_CANDIDATES = 3
#: Occurrences on each side of a mismatched span whose distance is proposed as a shift.
_SHIFT_NEIGHBOURS = 4
#: Shift proposals (the most voted) that are checked against every mismatched span.
_SHIFT_PROPOSALS = 5
#: Up to this many occurrences, a text's occurrences are listed (in the one pass that counts
#: them) and bisected; a text that occurs more often is searched outward from each offset.
_FEW = 4096
#: A text that occurs more often than this gets no suggested prefix or suffix.
_CHOOSABLE = 64
#: Characters of text shown on each side of a listed occurrence.
_CONTEXT = 20
#: How far back or ahead a suggested prefix or suffix may reach.
_CHOOSER_REACH = 60
#: Characters one document's hints may search for the texts of its fragments (each distinct
#: text is charged the text's length and ``_FEW`` times its own: a scan, and a find per
#: occurrence where occurrences overlap). Past it, a text is not looked for: its hint says so and nothing moves a span by
#: it. No real document comes near; a hostile one with thousands of distinct texts absent
#: from a text of megabytes would otherwise take hours.
SEARCH_BUDGET = 2_000_000_000
#: Overlapping occurrences ("aa" in "aaaa") are counted one by one, at most this many, and at
#: most this many characters matched in all; past that, "more than" the count so far.
_MOST_COUNTED = 1_000_000
_COUNT_BUDGET = 200_000_000
#: Occurrences per document for which a distinguishing prefix or suffix is worked out (each
#: compares every occurrence for each length tried; a huge document with thousands of broken
#: spans gets the candidates without the suggestion after this many).
_CHOOSER_BUDGET = 200


def _self_overlapping(needle: str) -> bool:
    """Whether two occurrences of ``needle`` can overlap ("aa" twice in "aaa")."""
    return any(
        needle.startswith(needle[k:]) for k in range(1, len(needle)) if needle[k] == needle[0]
    )


class _Occurrences:
    """Where one string occurs in the text: every occurrence counts, overlapping ones too.

    One pass lists the occurrences of a string that occurs up to ``_FEW`` times, and stops
    early for a more common one; a common string's nearest occurrences are found by searching outward from an offset,
    and it is counted (one C-speed pass) only when a message says how often it occurs. A word
    that occurs a million times costs no more than a rare one.
    """

    def __init__(self, text: str, needle: str, *, searched: bool = True) -> None:
        self.text = text
        self.needle = needle
        #: False: the document's search budget was spent before this text was looked for;
        #: nothing is known of its occurrences (``first`` and ``nearest`` give none, ``few``
        #: and ``only`` None): callers that would read "none" as "it occurs nowhere" ask this.
        self.searched = searched
        self._count: int | None = None if searched else 0
        self._listed: list[int] | None = None if searched else []
        #: The count stopped at a limit: there are more.
        self.more = False

    def first(self, limit: int) -> list[int]:
        """The first ``limit`` occurrences, in text order."""
        if not self.searched:
            return []
        found: list[int] = []
        i = self.text.find(self.needle)
        while i >= 0 and len(found) < limit:
            found.append(i)
            i = self.text.find(self.needle, i + 1)
        return found

    def few(self) -> list[int] | None:
        """Every occurrence, in text order, when there are at most ``_FEW``; else None (also
        when the text was not looked for)."""
        if not self.searched:
            return None
        if self._listed is None:
            self._listed = self.first(_FEW + 1)
        return self._listed if len(self._listed) <= _FEW else None

    def count(self) -> int:
        """How many times the string occurs (at least: see ``more``; 0 when not looked for)."""
        if self._count is None:
            few = self.few()
            if few is not None:
                self._count = len(few)
            elif _self_overlapping(self.needle):
                # Each find re-reads the overlap: bounded, in occurrences and in characters.
                text, needle = self.text, self.needle
                most = min(_MOST_COUNTED, _COUNT_BUDGET // len(needle))
                n, i = 0, text.find(needle)
                while i >= 0 and n < most:
                    n += 1
                    i = text.find(needle, i + 1)
                self._count, self.more = n, i >= 0
            else:
                self._count = self.text.count(self.needle)  # no two can overlap
        return self._count

    def times(self) -> str:
        """The count as a message says it ("12", or "more than 1,000,000")."""
        count = self.count()
        return f"more than {count:,}" if self.more else str(count)

    def only(self) -> int | None:
        """The occurrence, when there is exactly one in the whole text."""
        few = self.few()
        return few[0] if few is not None and len(few) == 1 else None

    def nearest(self, pos: int, limit: int) -> list[int]:
        """The ``limit`` occurrences nearest to ``pos``, nearest first (the earlier on a tie)."""
        if not self.searched:
            return []
        few = self.few()
        if few is not None:
            i = bisect.bisect_left(few, pos)
            ranked = sorted(few[max(0, i - limit) : i + limit], key=lambda o: (abs(o - pos), o))
            return ranked[:limit]
        # A common text: search outward from the offset, where the nearest ones are.
        text, needle = self.text, self.needle
        after = text.find(needle, pos)
        # rfind's end bounds where an occurrence ends: these start at pos - 1 or before.
        before = text.rfind(needle, 0, pos - 1 + len(needle)) if pos > 0 else -1
        out: list[int] = []
        while len(out) < limit and (after >= 0 or before >= 0):
            if before >= 0 and (after < 0 or pos - before <= after - pos):
                out.append(before)
                before = text.rfind(needle, 0, before - 1 + len(needle)) if before > 0 else -1
            else:
                out.append(after)
                after = text.find(needle, after + 1)
        return out


class _TextIndex:
    """What the offset hints of one document need to know about its text, worked out on demand."""

    def __init__(self, text: str, *, expected_sha256: str = "") -> None:
        self.text = text
        #: The text_sha256 the document gives ("" when it has none).
        self.expected_sha256 = expected_sha256
        self._digest: str | None = None
        self._newlines: list[int] | None = None
        self._occurrences: dict[str, _Occurrences] = {}
        self._chooser_budget = _CHOOSER_BUDGET
        self._search_left = SEARCH_BUDGET

    def hash_utf8(self, raw: bytes | None) -> None:
        """Take the digest from ``raw``, the text's UTF-8 that a check has already made (the
        bytes text_sha256 would encode again); None (a lone surrogate) leaves it to it."""
        if self._digest is None and raw is not None:
            self._digest = sha256_hex(raw)

    @property
    def digest(self) -> str:
        """The sha256 of the text (hashed once, and only when a hint or the hash check asks)."""
        if self._digest is None:
            self._digest = text_sha256(self.text)
        return self._digest

    @property
    def changed(self) -> bool:
        """The text no longer has the hash it was annotated with (O006): offsets may be right
        for the old text, so no span is moved to another occurrence of its words."""
        return bool(self.expected_sha256) and self.expected_sha256 != self.digest

    def occurrences(self, needle: str) -> _Occurrences:
        """The occurrences of ``needle`` (searched once per document for a repeated text)."""
        found = self._occurrences.get(needle)
        if found is None:
            # What listing its occurrences may cost: a scan of the text, and where they
            # overlap a find per occurrence that re-reads the text.
            self._search_left -= len(self.text) + _FEW * len(needle)
            found = self._occurrences[needle] = _Occurrences(
                self.text, needle, searched=self._search_left >= 0
            )
        return found

    def line(self, pos: int) -> int:
        """The 1-based line of the text that position ``pos`` lies on."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, pos) + 1

    def place(self, start: int, end: int) -> str:
        """An occurrence for a person: its line, its offsets and the text around it."""
        text = self.text
        before = text[max(0, start - _CONTEXT) : start].rsplit("\n", 1)[-1]
        after = text[end : end + _CONTEXT].split("\n", 1)[0]
        lead = "…" if start - len(before) > 0 and text[start - len(before) - 1] != "\n" else ""
        tail = "…" if end + len(after) < len(text) and text[end + len(after)] != "\n" else ""
        shown = _quote(f"{lead}{before}⟦{text[start:end]}⟧{after}{tail}", limit=120)
        return f"text line {self.line(start)} at [{start}, {end}): {shown}"

    def chooser(self, needle: str, at: int) -> str | None:
        """The shortest ``"prefix"`` or ``"suffix"`` (whole words on the same line) that picks
        the occurrence of ``needle`` at ``at`` out of all of them, as JSON, if one within reach
        does. Worked out for a text that occurs a few times only, among its occurrences."""
        others = self.occurrences(needle).few()
        if others is None or len(others) > _CHOOSABLE or self._chooser_budget <= 0:
            return None
        self._chooser_budget -= 1
        text, end = self.text, at + len(needle)
        others = [o for o in others if o != at]
        found: list[tuple[int, str, str]] = []
        for p in range(at - 1, max(-1, at - _CHOOSER_REACH - 1), -1):
            if text[p] == "\n":
                break
            word_start = (p == 0 or text[p - 1].isspace()) and not text[p].isspace()
            prefix = text[p:at]
            if word_start and not any(
                o >= len(prefix) and text.startswith(prefix, o - len(prefix)) for o in others
            ):
                found.append((len(prefix), "prefix", prefix))
                break
        for q in range(end + 1, min(len(text), end + _CHOOSER_REACH) + 1):
            if text[q - 1] == "\n":
                break
            word_end = (q == len(text) or text[q].isspace()) and not text[q - 1].isspace()
            suffix = text[end:q]
            if word_end and not any(text.startswith(suffix, o + len(needle)) for o in others):
                found.append((len(suffix), "suffix", suffix))
                break
        if not found:
            return None
        import json  # a rare path: not an import every run pays

        _, key, value = min(found)
        return f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"

    def candidates(self, needle: str, positions: list[int], offset: int = 0) -> str:
        """The listed occurrences of ``needle`` (shifted by ``offset``: a prefix before it), each
        with its line, context and the prefix or suffix that would choose it."""
        parts = []
        for pos in positions:
            start = pos + offset
            chooser = self.chooser(needle, start)
            choose = f" (choose it with {chooser})" if chooser else ""
            parts.append(self.place(start, start + len(needle)) + choose)
        return "; ".join(parts)


def _typo_limit(text: str) -> int:
    """How many edits apart a covered text may be from the stored one to count as a typo."""
    return max(1, len(text) // 10)


def _within_edits(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` and ``b`` are at most ``limit`` edits apart (insertions, deletions,
    substitutions and swaps of neighbours), in a band of the DP table: O(len * limit)."""
    if abs(len(a) - len(b)) > limit:
        return False
    big = limit + 1
    width = len(b) + 1
    before: list[int] = []
    previous = [j if j <= limit else big for j in range(width)]
    for i in range(1, len(a) + 1):
        current = [big] * width
        current[0] = i if i <= limit else big
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = min(value, big)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[len(b)] <= limit


def looks_like_typo(stored: str, covered: str) -> bool:
    """Whether the text at a fragment's offsets could be its stored text with a typo: the same
    first and last character, and a few edits apart (one in ten characters, at least one).

    Equal ends keep a shifted window out: a span that slipped differs at both of its ends.
    """
    if not covered or covered == stored or covered[0] != stored[0] or covered[-1] != stored[-1]:
        return False
    return _within_edits(stored, covered, _typo_limit(stored))


#: How far (code points) a span may have slipped for the only occurrence of its text to be a
#: certain repair (a longer span may slip by its own length).
_SLIP = 16


class _Diagnosis:
    """Explanations of the mismatched fragments of one document, worked out once for all."""

    def __init__(self, index: _TextIndex, bad: list[Fragment], good: list[Fragment]) -> None:
        text = self.text = index.text
        self.index = index
        maps = _UnitMaps(text)
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
        #: Whether an explanation fits every mismatched span (worked out once, not per hint).
        self.fit_all = {key: all(x is not None for x in fits) for key, fits in self.fits.items()}
        # A constant shift explains a mismatch when the covered text occurs that far away. The
        # shift shared by most mismatched spans is what an edit of the text before them causes.
        # The occurrences nearest each span propose shifts; the most proposed are then checked
        # against every span, so a word that occurs everywhere still counts.
        votes: Counter[int] = Counter()
        for f in bad:
            near = index.occurrences(f.text).nearest(f.start, 2 * _SHIFT_NEIGHBOURS)
            votes.update({o - f.start for o in near} - {0})
        self.shift: int | None = None
        self.shift_count = 0
        self.shifted: list[bool] = [False] * len(bad)
        for shift, _ in votes.most_common(_SHIFT_PROPOSALS):
            fits = [self._check((f.start + shift, f.end + shift), f) is not None for f in bad]
            count = sum(fits)
            if count >= 2 and (count, -abs(shift)) > (self.shift_count, -abs(self.shift or 0)):
                self.shift, self.shift_count, self.shifted = shift, count, fits
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
        # A shift is certain only when no other proposed shift explains every span as well:
        # "Iran Russia. Iran Russia." with spans one character off fits -1 and +12 alike.
        fitting = [
            shift
            for shift, _ in votes.most_common(_SHIFT_PROPOSALS)
            if all(self._check((f.start + shift, f.end + shift), f) for f in [*bad, *good])
        ]
        self.shift_everywhere = self.shift is not None and fitting == [self.shift]

    def _fits_all(
        self,
        fits: list[tuple[int, int] | None],
        good: list[Fragment],
        convert: Callable[[Fragment], tuple[int, int] | None],
    ) -> bool:
        return all(x is not None for x in fits) and all(self._check(convert(f), f) for f in good)

    def _covered(self, frag: Fragment) -> str | None:
        return self.text[frag.start : frag.end] if frag.end <= len(self.text) else None

    def fix(self, n: int, frag: Fragment, pointer: str) -> Fix | None:
        """The repair of the n-th mismatched fragment, if one is certain (or, unsafe, likely).

        Never a choice between occurrences: an explanation of every span of the document,
        the only occurrence of the covered text in the whole text, or (unsafe) a typo in the
        covered text where the text occurs nowhere.
        """
        labels = {
            "utf16": "convert UTF-16 code units to code points",
            "utf8": "convert UTF-8 byte offsets to code points",
            "inclusive": "make the inclusive end exclusive",
        }
        explained: dict[tuple[int, int], str] = {}
        for key, label in labels.items():
            fixed = self.fits[key][n]
            if fixed is not None and self.everywhere[key]:
                explained.setdefault(fixed, f"{label}: [{fixed[0]}, {fixed[1]})")
        if self.shift is not None and self.shift_everywhere:
            fixed = (frag.start + self.shift, frag.end + self.shift)
            explained.setdefault(fixed, f"shift every span by {self.shift:+d}")
        if len(explained) == 1:
            ((fixed, label),) = explained.items()
            if self._a_slip_explains_it_too(frag, fixed):
                return None
            return _move(pointer, fixed, label, safe=True)
        if explained:
            return None  # two whole-document explanations put this span in different places
        if self.index.changed:
            return None  # the offsets may be right for the text as it was: nothing is certain
        occurrences = self.index.occurrences(frag.text)
        covered = self._covered(frag)
        if covered is not None and looks_like_typo(frag.text, covered):
            if occurrences.searched and not occurrences.first(1):
                return Fix(
                    f"set the covered text to what the offsets cover: {_quote(covered)}",
                    (SetValue(f"{pointer}/text", covered),),
                    safe=False,
                )
            return None  # a typo here, or the offsets of another place: a person decides
        only = occurrences.only()
        if only is None:
            return None
        fixed = (only, only + len(frag.text))
        # The only occurrence is certain for a slip of a few characters. Farther away it may be
        # another word: after a text edit, "Tehran" moved to the first sentence while this span
        # sat on the word that replaced it. A person decides (unsafe).
        near = abs(only - frag.start) <= max(_SLIP, len(frag.text))
        where = "" if near else f", {abs(only - frag.start):,} characters away"
        return _move(
            pointer,
            fixed,
            f"re-anchor to the only occurrence of {_quote(frag.text)}{where}: "
            f"[{fixed[0]}, {fixed[1]})",
            safe=near,
        )

    def _a_slip_explains_it_too(self, frag: Fragment, fixed: tuple[int, int]) -> bool:
        """Whether a single mismatched span, put at ``fixed`` by a unit explanation (UTF-16,
        UTF-8), could as well have slipped onto another occurrence of its text: one span is no
        evidence for a unit over a slip. "0🇺🇦]]>" with "]" at [5, 6) is [3, 4) in UTF-16
        units and [4, 5) one character back. With two or more spans the unit must fit them all,
        and a constant shift that fits them too is weighed above (``shift_everywhere``)."""
        if self.count != 1 or self.shift_everywhere or frag.end - frag.start != len(frag.text):
            return False
        occurrences = self.index.occurrences(frag.text)
        # Not looked for: a slip cannot be ruled out.
        return not occurrences.searched or any(o != fixed[0] for o in occurrences.first(2))

    def _check(self, span: tuple[int, int] | None, frag: Fragment) -> tuple[int, int] | None:
        if span is None or span[0] < 0 or span[1] > len(self.text) or span[0] >= span[1]:
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
                all_fit = self.fit_all[key]
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
        if self.shift is not None and self.shifted[n]:
            share = (
                f"all {self.count}"
                if self.shift_count == self.count
                else f"{self.shift_count} of the {self.count}"
            )
            parts.append(
                f"shifting by {self.shift:+d} makes {share} mismatched spans match "
                f"(this one at [{frag.start + self.shift}, {frag.end + self.shift}))"
            )
        parts.append(occurrence_hint(self.index, frag.text, frag.start, self._covered(frag)))
        if self.index.changed:
            parts.append(
                "the text changed after text_sha256 was taken, so no span is moved to another "
                "occurrence: if you edited the text in place, run `corpuskit reanchor DOC` to "
                "move the spans, or correct the span"
            )
        return "; ".join(parts)


def occurrence_hint(index: _TextIndex, needle: str, start: int, covered: str | None) -> str:
    """Where a fragment's stored text occurs, said from the fragment's start (and, when the
    offsets cover a small edit of it, that the covered text may have a typo)."""
    occurrences = index.occurrences(needle)
    count = occurrences.count()
    typo = covered is not None and looks_like_typo(needle, covered)
    if not occurrences.searched:
        said = (
            f"{_quote(needle)} was not looked for in the text (this document's fragments "
            "have used up the search one check spends on them): correct the span by hand"
        )
    elif count == 0:
        # After a correction of the text the words themselves changed: say how to resolve it.
        said = (
            f"{_quote(needle)} occurs nowhere in the text: if the text at the offsets is what the "
            'annotation means, set "text" to it; otherwise write the fragment by its new text '
            '(without "start"/"end") and run corpuskit fix'
        )
    else:
        nearest = occurrences.nearest(start, LISTED_CANDIDATES)
        at = nearest[0]
        where = f"[{at}, {at + len(needle)})"
        if count == 1:
            said = (
                f"{_quote(needle)} occurs once in the text, at {where} ({at - start:+d}), "
                f"text line {index.line(at)}"
            )
        else:
            listed = "" if count <= len(nearest) else f"the {len(nearest)} nearest: "
            said = (
                f"{_quote(needle)} occurs {occurrences.times()} times; the nearest is at {where} "
                f"({at - start:+d}); the offsets do not say which is meant: "
                f'{listed}{index.candidates(needle, nearest)}; correct "start" and "end", '
                'or write the fragment without them, with the "prefix" or "suffix" that '
                "chooses the occurrence"
            )
    if not typo:
        return said
    assert covered is not None
    typo_said = (
        f"the offsets cover {_quote(covered)}, a small edit from {_quote(needle)}: if the "
        "offsets are right, the covered text has a typo"
    )
    if count == 0 and occurrences.searched:
        return f"{said}; {typo_said} (unsafe fix: set it to what the offsets cover)"
    return f"{said}; or {typo_said}: two answers, so nothing is fixed; choose by hand"


def _hash_findings(doc: Document, index: _TextIndex, broken: int) -> Iterator[Finding]:
    """O006: a missing hash (added safely), or one the text no longer has (updated, unsafe,
    only once every span matches: a new hash would hide the change that broke them)."""
    digest = index.digest
    if not doc.text_sha256:
        yield Finding(
            HASH_MISMATCH,
            "text_sha256 is missing",
            pointer="/text",
            hint=f'add "text_sha256": "{digest}" (the sha256 of the text as it is)',
            fix=Fix(f"add text_sha256 {digest}", (SetValue("/text_sha256", digest),)),
        )
        return
    if not index.changed:
        return
    reanchor = "if you edited the text in place, run `corpuskit reanchor DOC` to move the spans"
    if broken:
        spans = f"{broken} span{'s' if broken != 1 else ''}"
        hint = (
            f"{reanchor}; {spans} no longer match the text, so the hash is not updated until "
            f"they do; then it is {digest}"
        )
        fix = None
    else:
        hint = f"{reanchor}; if the text is right and the spans fit it, set text_sha256 to {digest}"
        # Unsafe: only a person knows whether the text or the hash is the mistake.
        fix = Fix(
            "set text_sha256 to the hash of the text as it is",
            (SetValue("/text_sha256", digest),),
            safe=False,
        )
    yield Finding(
        HASH_MISMATCH,
        "text_sha256 does not match the text: the text was changed after the hash was taken",
        pointer="/text_sha256",
        hint=hint,
        fix=fix,
    )


def check_text(given: CheckInput) -> Iterator[Finding]:
    """O005 and O007: the text is NFC, and no string holds what XML cannot carry."""
    doc = given.document
    text = doc.text
    raw = _text_utf8(given)
    plain = _plain(raw)
    if not plain and not unicodedata.is_normalized("NFC", text):
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
    # The regex only places a character the C-speed screens found (the common case: none).
    forbidden = None if plain or _xml_safe(text, raw) else xml_forbidden().search(text)
    if forbidden is not None:
        bad_char = forbidden.start()
        yield Finding(
            FORBIDDEN_CHARACTER,
            f"text contains U+{ord(text[bad_char]):04X} at character {bad_char}, which XML 1.0 cannot carry",
            pointer="/text",
            text_range=(bad_char, bad_char + 1),
            hint="remove the character or replace it (control characters other than tab, LF and CR are not allowed)",
        )
    # Apart from the text: joined to it, ASCII would widen.
    others = _other_values(doc, given.memo.get(ANNOTATION_STRINGS))
    if _xml_safe(others, _utf8(others)) or xml_forbidden().search(others) is None:
        return  # one screen over every other string at once
    for pointer, ident, value in _other_strings(doc):
        found = xml_forbidden().search(value)
        if found is not None:
            yield Finding(
                FORBIDDEN_CHARACTER,
                f"{pointer.rsplit('/', 1)[-1]} contains U+{ord(found.group()):04X}, which XML 1.0 cannot carry",
                pointer=pointer,
                annotation_id=ident,
                hint="remove the character or replace it (control characters other than tab, LF and CR are not allowed)",
            )


def check_spans(given: CheckInput) -> Iterator[Finding]:
    """O001-O004 and O101-O103: every fragment covers its text, in order, on word and
    character boundaries; a mismatch comes with the diagnosis of the whole document."""
    found = survey_of(given)
    index = found.index
    for flag in found.flagged:
        yield from _flag_findings(index, flag)
    if not found.mismatched:
        return
    text, length = index.text, len(index.text)
    diagnosis = _Diagnosis(index, [m.fragment for m, _ in found.mismatched], found.good)
    for n, (located, out_of_range) in enumerate(found.mismatched):
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


def check_hash(given: CheckInput) -> Iterator[Finding]:
    """O006: text_sha256 is there and is the text's (not updated while spans are broken)."""
    found = survey_of(given)
    found.index.hash_utf8(_text_utf8(given))
    yield from _hash_findings(given.document, found.index, found.broken)


#: The offset checks, for the registry: each runs only when one of its rules is enabled.
CHECKS = (
    Check("text", (NOT_NFC, FORBIDDEN_CHARACTER), check_text),
    Check(
        "spans",
        (
            INVALID_RANGE,
            OUT_OF_RANGE,
            TEXT_MISMATCH,
            FRAGMENT_ORDER,
            SPAN_WHITESPACE,
            SPLITS_WORD,
            SPLITS_GRAPHEME,
        ),
        check_spans,
    ),
    Check("text-hash", (HASH_MISMATCH,), check_hash),
)


def check(doc: Document) -> Iterator[Finding]:
    """Every offset check of ``doc`` (the registry runs them one by one, as selected)."""
    given = CheckInput(doc, None, {})
    yield from check_text(given)
    yield from check_spans(given)
    yield from check_hash(given)


def check_anchors(record: Record, skip: Collection[tuple[str, int]] = ()) -> list[Finding]:
    """O008 for every fragment of a schema-valid record given by its text alone, with the fix
    that writes its offsets when the text, with its prefix and suffix, occurs exactly once."""
    from corpuskit.formats.records import SPAN_FIELDS  # drafts only: not on a valid run's path

    text = record.get("text")
    if not isinstance(text, str):
        return []
    index = _TextIndex(text)
    out: list[Finding] = []
    for kind in ANNOTATION_KINDS:
        for i, annotation in enumerate(record.get(kind) or ()):
            if (kind, i) in skip or not isinstance(annotation, dict):
                continue
            ident = annotation.get("id")
            for field in SPAN_FIELDS:
                for j, fragment in enumerate(annotation.get(field) or ()):
                    if isinstance(fragment, dict) and "start" not in fragment:
                        pointer = f"/{kind}/{i}/{field}/{j}"
                        out.append(_anchor(index, fragment, pointer, ident))
    return out


def _anchor(index: _TextIndex, fragment: Record, pointer: str, ident: str | None) -> Finding:
    """The O008 finding for one fragment given by its text."""
    exact: str = fragment["text"]
    prefix: str = fragment.get("prefix", "")
    suffix: str = fragment.get("suffix", "")
    context = "".join(
        (
            f" after {_quote(prefix)}" if prefix else "",
            f" before {_quote(suffix)}" if suffix else "",
        )
    )
    message = f"fragment {_quote(exact)} has no offsets: it is given by its text alone"
    chosen = index.occurrences(prefix + exact + suffix)
    only = chosen.only()
    if only is not None:
        start = only + len(prefix)
        end = start + len(exact)
        anchored = {"start": start, "end": end, "text": exact}
        return Finding(
            UNANCHORED_SPAN,
            message,
            pointer=pointer,
            annotation_id=ident,
            text_range=(start, end),
            hint=f"{_quote(exact)}{context} occurs once, at [{start}, {end}), "
            f"text line {index.line(start)}",
            fix=Fix(f"write its offsets: [{start}, {end})", (SetValue(pointer, anchored),)),
        )
    if not chosen.searched:
        hint = (
            f"{_quote(exact)}{context} was not looked for in the text (this document's "
            "fragments have used up the search one check spends on them): write its offsets"
        )
    elif chosen.first(1):
        count = chosen.count()
        listed = chosen.first(LISTED_CANDIDATES)
        more = "" if count <= len(listed) else f" (the first {len(listed)} listed)"
        hint = (
            f"{_quote(exact)}{context} occurs {chosen.times()} times{more}: "
            f"{index.candidates(exact, listed, len(prefix))}; "
            'choose one with a "prefix" or "suffix" (or a longer one) that only it has'
        )
    else:
        plain = index.occurrences(exact)
        if (prefix or suffix) and plain.first(1):
            count = plain.count()
            listed = plain.first(LISTED_CANDIDATES)
            more = "" if count <= len(listed) else f"; the first {len(listed)}"
            hint = (
                f"{_quote(exact)} occurs {plain.times()} time{'s' if count != 1 else ''}, but never"
                f"{context}{more}: {index.candidates(exact, listed)}; correct the prefix or suffix"
            )
        elif (prefix or suffix) and not plain.searched:
            hint = (
                f"{_quote(exact)}{context} occurs nowhere in the text, and {_quote(exact)} "
                "alone was not looked for (this document's fragments have used up the search "
                "one check spends on them); correct the covered text or the prefix or suffix"
            )
        else:
            hint = f"{_quote(exact)} occurs nowhere in the text; correct the covered text"
    return Finding(UNANCHORED_SPAN, message, pointer=pointer, annotation_id=ident, hint=hint)
