"""The document model: an article's text, once, and standoff annotations that point into it.

Pure data: no I/O and no format imports. Offsets are Unicode code points, 0-based, half-open
``[start, end)``; other units exist only at the edges (formats and converters).

The classes are frozen ``msgspec`` Structs: cheap to build, and the JSON format decodes a valid
document straight into them (``formats/typed.py``). Their names are the document schema's and
their ``Meta`` constraints are its ranges and lengths, checked when decoding (never when a
program builds an object, so a check can still be shown a broken span).
"""

# No ``from __future__ import annotations``: msgspec reads these classes' annotations when the
# typed decoder is made, at every start, and evaluating them from strings (compile + eval of
# each) costs a fresh process about a millisecond; evaluated when each class is made, microseconds.
import functools
import re
import sys
from collections.abc import Callable
from itertools import count, repeat
from typing import Annotated, Any, Literal

import msgspec

#: Version of the document format written by this release (the ``corpuskit`` key / attribute).
FORMAT_VERSION = "1.0"
#: The one offset unit corpuskit stores and checks.
OFFSET_UNIT = "codepoint"

AttributeValue = str | int | float | bool
QuoteMode = Literal["direct", "indirect"]


@functools.cache
def xml_forbidden() -> re.Pattern[str]:
    """The characters no document string may hold, because XML 1.0 cannot carry them: C0
    controls other than tab, LF and CR; surrogates; U+FFFE and U+FFFF. Every valid JSON
    document has an XML twin. Compiled on first use: sre builds a table of the whole BMP for
    this class (~0.4 ms of every start), and checking a JSON document never needs it."""
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: The annotation kinds, in the order they are stored in a document.
ANNOTATION_KINDS = ("mentions", "entities", "quotes", "claims", "events", "relations", "attributes")
#: A BCP 47 language tag, as far as corpuskit checks one (the document schema's pattern).
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
#: Kind (plural, as stored) -> the word for one annotation of that kind (and its XML element).
SINGULAR = {
    "mentions": "mention",
    "entities": "entity",
    "quotes": "quote",
    "claims": "claim",
    "events": "event",
    "relations": "relation",
    "attributes": "attribute",
}


class _Data(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """Base of the model's classes: immutable, decoded strictly, encoded with every field (the
    typed decode counts on that). Not tracked by the cyclic collector (``gc=False``): frozen,
    holding only strings, numbers and tuples of model objects, an instance can be in no cycle,
    and a document's hundreds of them then cost no collector passes."""


#: An offset as the schema allows it (decoding refuses anything else).
_Offset = Annotated[int, msgspec.Meta(ge=0, le=2147483647)]


class Fragment(_Data, frozen=True):
    """One contiguous piece of a span: ``text[start:end]`` must equal ``text``."""

    #: First code point covered.
    start: _Offset
    #: One past the last code point covered.
    end: _Offset
    #: The covered text, repeated so that a shifted offset is caught.
    text: Annotated[str, msgspec.Meta(min_length=1)]


#: A span is one or more fragments, sorted and non-overlapping (several = discontinuous).
Span = tuple[Fragment, ...]
#: A span as a document must give it: at least one fragment.
_Span = Annotated[Span, msgspec.Meta(min_length=1)]


class KBLink(_Data, frozen=True):
    """A link from an entity to a knowledge-base record, e.g. ``wikidata:Q794``."""

    kb: str
    id: str


class Argument(_Data, frozen=True):
    """A role argument of an event or relation: the role name and the id it points to."""

    role: str
    ref: str


class Mention(_Data, frozen=True):
    """A typed span: a person, organisation, place, date, quantity, weapon ..."""

    id: str
    type: str
    span: _Span
    note: str | None = None


class Entity(_Data, frozen=True):
    """A cluster of mentions of one real-world thing (coreference), with KB links."""

    id: str
    type: str
    mentions: Annotated[tuple[str, ...], msgspec.Meta(min_length=1)]
    name: Annotated[str, msgspec.Meta(min_length=1)] | None = None
    links: tuple[KBLink, ...] = ()
    note: str | None = None


class Quote(_Data, frozen=True):
    """Quoted words, who said them and, optionally, the cue ("said")."""

    id: str
    span: _Span
    #: Required, as in the schema (no default: the typed decode must see a missing one).
    mode: QuoteMode
    #: Id of the mention or entity that speaks.
    speaker: str | None = None
    cue: _Span = ()
    note: str | None = None


class Claim(_Data, frozen=True):
    """An assertion, who asserts it, the channel it was reported through and, optionally, the cue."""

    id: str
    span: _Span
    #: Id of the mention or entity that asserts the claim.
    source: str | None = None
    #: Id of the mention or entity the claim came through (e.g. "informed Reuters").
    channel: str | None = None
    note: str | None = None
    #: The words that attribute the claim ("informed", "concluded", "according to"). Last, so
    #: that positional construction written before the field existed keeps its meaning.
    cue: _Span = ()


class Event(_Data, frozen=True):
    """A typed event with a trigger span and role arguments."""

    id: str
    type: str
    trigger: _Span
    args: tuple[Argument, ...] = ()
    note: str | None = None


class Relation(_Data, frozen=True):
    """A typed relation between annotations, by role."""

    id: str
    type: str
    #: At least one; required, as in the schema (no default: see Quote.mode).
    args: Annotated[tuple[Argument, ...], msgspec.Meta(min_length=1)]
    note: str | None = None


class Attribute(_Data, frozen=True):
    """A name/value pair on another annotation (negation, certainty, realis ...)."""

    id: str
    target: str
    name: str
    value: AttributeValue
    note: str | None = None


class Provenance(_Data, frozen=True):
    """Who and what produced the annotations."""

    annotators: tuple[str, ...] = ()
    tool: str | None = None
    tool_version: str | None = None
    note: str | None = None


class Metadata(_Data, frozen=True):
    """Bibliographic metadata of the article."""

    title: str
    #: BCP 47 language tag.
    language: str
    #: Publisher or outlet.
    source: str | None = None
    url: str | None = None
    #: Publication date, ISO 8601 (YYYY-MM-DD).
    published: str | None = None
    license: str | None = None
    provenance: Provenance | None = None


Annotation = Mention | Entity | Quote | Claim | Event | Relation | Attribute


class Document(_Data, frozen=True):
    """One article: metadata, the text exactly as published, and its annotations."""

    id: str
    meta: Metadata
    text: str
    #: sha256 of the UTF-8 text, so that a tool that silently changes the text is caught
    #: ("" when a draft leaves it out; rule O006 asks for it and ``corpuskit fix`` adds it).
    text_sha256: str
    offset_unit: str = OFFSET_UNIT
    #: Written as the ``corpuskit`` member.
    version: str = msgspec.field(default=FORMAT_VERSION, name="corpuskit")
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()
    events: tuple[Event, ...] = ()
    relations: tuple[Relation, ...] = ()
    attributes: tuple[Attribute, ...] = ()

    def annotations(self) -> list[tuple[str, int, Annotation]]:
        """All annotations as (kind, index, annotation), in storage order."""
        out: list[tuple[str, int, Annotation]] = []
        for kind in ANNOTATION_KINDS:
            items: tuple[Annotation, ...] = getattr(self, kind)
            out += zip(repeat(kind), count(), items)  # C-speed: called by several checks
        return out


#: The id prefix of each kind when a document has no ids of that kind to copy the style of.
DEFAULT_ID_PREFIX = {
    "mentions": "m",
    "entities": "e",
    "quotes": "q",
    "claims": "c",
    "events": "ev",
    "relations": "r",
    "attributes": "a",
}
_NUMBERED_ID = re.compile(r"(.*?)([0-9]+)")


def fresh_ids(kind: str, kind_ids: list[str], taken: set[str], count: int) -> list[str]:
    """``count`` new ids for annotations of ``kind``, in the style of ``kind_ids`` (``m94``).

    The style is the most common prefix before a number among the kind's ids (first seen on a
    tie), else the kind's default prefix; numbers continue after the highest one ``taken`` has
    with that prefix, so no id in use or referenced, nor any gap (perhaps a deleted id that a
    reference elsewhere still means), is ever reused.
    """
    styles: dict[str, int] = {}
    width = 0
    for ident in kind_ids:
        numbered = _NUMBERED_ID.fullmatch(ident) if isinstance(ident, str) else None
        if numbered is not None:
            styles[numbered.group(1)] = styles.get(numbered.group(1), 0) + 1
    prefix = max(styles, key=lambda p: styles[p], default=DEFAULT_ID_PREFIX[kind])
    highest = 0
    for ident in taken:
        numbered = _NUMBERED_ID.fullmatch(ident) if isinstance(ident, str) else None
        if numbered is not None and numbered.group(1) == prefix:
            digits = numbered.group(2)
            highest = max(highest, int(digits))
            if digits.startswith("0") and len(digits) > 1:
                width = max(width, len(digits))  # zero-padded style: m007
    out: list[str] = []
    number = highest
    while len(out) < count:
        number += 1
        candidate = f"{prefix}{number:0{width}d}"
        if candidate not in taken:
            out.append(candidate)
    return out


def text_sha256(text: str) -> str:
    """The hex sha256 of ``text`` encoded as UTF-8 (what ``text_sha256`` must hold)."""
    return sha256_hex(text.encode("utf-8"))


#: How many bytes a process hashes with the interpreter's own sha256 before it loads OpenSSL's.
#: Loading OpenSSL (``import hashlib``) costs a process ~3.5 ms, a sixteenth of checking one
#: document in a fresh one (a pre-commit hook's run); its sha256 is ~5x faster a byte (SHA-NI),
#: which repays the load after about a megabyte. So a short run never loads it and a long one
#: pays at most about twice the better of the two. Every digest is the same sha256 either way.
BUILTIN_SHA256_BYTES = 1 << 20
_builtin_left = BUILTIN_SHA256_BYTES
#: OpenSSL's sha256 once it is used (``hashlib.sha256``); None until then.
_openssl: Callable[[bytes], Any] | None = None


@functools.cache
def _builtin_sha256() -> Callable[[bytes], Any] | None:
    """The interpreter's own sha256 (``_sha2`` from Python 3.12 on, ``_sha256`` before), or
    None when it was built without one."""
    for name in ("_sha2", "_sha256"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        found: Callable[[bytes], Any] = module.sha256
        return found
    return None


def sha256_hex(data: bytes) -> str:
    """The hex sha256 of ``data``: with the interpreter's own code for the first
    :data:`BUILTIN_SHA256_BYTES` bytes a process hashes, then with OpenSSL's (at once when
    ``hashlib`` is imported already, or for data larger than what is left)."""
    global _builtin_left, _openssl
    if _openssl is None:
        if len(data) <= _builtin_left and "hashlib" not in sys.modules:
            builtin = _builtin_sha256()
            if builtin is not None:
                _builtin_left -= len(data)
                return str(builtin(data).hexdigest())
        import hashlib

        _openssl = hashlib.sha256
    return str(_openssl(data).hexdigest())


def spans_of(annotation: Annotation) -> list[tuple[str, Span]]:
    """The spans an annotation carries, as (field name, span) pairs."""
    if isinstance(annotation, Mention | Quote | Claim):
        pairs = [("span", annotation.span)]
        if isinstance(annotation, Quote | Claim) and annotation.cue:
            pairs.append(("cue", annotation.cue))
        return pairs
    if isinstance(annotation, Event):
        return [("trigger", annotation.trigger)]
    return []
