"""What the views share: reading a document leniently, and naming annotations for people.

Views must work on documents that do not validate (that is when people look hardest), so a
document is built from whatever part of it is sound: annotations that fail the schema are left
out and counted, and a document whose top level is broken keeps its text and annotations.
References may dangle and offsets may be wrong; every helper here copes with that.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuskit.formats import format_module, format_of
from corpuskit.formats.records import Record, from_dict
from corpuskit.model import (
    ANNOTATION_KINDS,
    FORMAT_VERSION,
    LANGUAGE_TAG,
    Annotation,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Mention,
    Quote,
    Relation,
    Span,
    spans_of,
    text_sha256,
)

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
#: The XML namespace of corpuskit documents: how an XML file is recognised as one.
_XML_NAMESPACE = b"https://corpuskit.dev/ns/document/1.0"


@dataclass(frozen=True, slots=True)
class Loaded:
    """A document read for viewing: as much of it as could be built, and why the rest could not."""

    path: str
    document: Document | None
    #: Annotations left out because they fail the schema.
    skipped: int = 0
    #: Why no document could be built (None when one was).
    problem: str | None = None
    #: False when the file is clearly something else (a JSON or XML file of another kind).
    is_document: bool = True


def sniff_format(data: bytes) -> str:
    """``xml`` when the bytes look like XML, else ``json`` (for files without a known suffix)."""
    return "xml" if data.lstrip()[:1] == b"<" else "json"


def _looks_like_document(data: bytes, fmt: str, record: Any) -> bool:
    if fmt == "xml":
        return _XML_NAMESPACE in data[:4096] or record is not None
    return record is None or (isinstance(record, dict) and "corpuskit" in record)


def _sanitized(record: Record) -> Record | None:
    """A record whose top level satisfies the schema, keeping the text and the annotations."""
    text = record.get("text")
    if not isinstance(text, str):
        return None
    meta = record.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    ident = record.get("id")
    ident = ident if isinstance(ident, str) and _ID.fullmatch(ident) else "document"
    title = meta.get("title")
    language = meta.get("language")
    out: Record = {
        "corpuskit": FORMAT_VERSION,
        "id": ident,
        "meta": {
            "title": title if isinstance(title, str) and title else ident,
            "language": language
            if isinstance(language, str) and LANGUAGE_TAG.fullmatch(language)
            else "und",
        },
        "offset_unit": "codepoint",
        "text": text,
        "text_sha256": text_sha256(text),
    }
    for kind in ANNOTATION_KINDS:
        if isinstance(record.get(kind), list):
            out[kind] = record[kind]
    return out


def _build(record: Record) -> tuple[Document | None, int, str | None]:
    from corpuskit.formats import schema as S

    findings = S.check_record(record)
    skip = S.skipped_annotations(findings)
    if skip is None:
        # The top level fails the schema: keep the text and whatever annotations are sound.
        sanitized = _sanitized(record)
        if sanitized is None:
            return None, 0, findings[0].message if findings else "not a document"
        skip = S.skipped_annotations(S.check_record(sanitized))
        if skip is None:
            return None, 0, findings[0].message if findings else "not a document"
        record = sanitized
    try:
        return from_dict(record, skip), len(skip), None
    except (KeyError, TypeError, ValueError) as exc:
        # The schema let through something the model refuses: report it, do not crash.
        return None, 0, f"cannot build the document: {exc}"


def read_document(data: bytes, path: str, fmt: str | None = None) -> Loaded:
    """Build a document from bytes, leniently; ``fmt`` defaults to the path's suffix or a sniff."""
    fmt = fmt or format_of(path) or sniff_format(data)
    try:
        return _read_document(data, path, fmt)
    except RecursionError:
        return Loaded(path, None, problem="document is nested too deeply")
    except Exception as exc:  # a bug must not end in a traceback; say so, as validate does (P999)
        return Loaded(
            path, None, problem=f"corpuskit failed on this file ({type(exc).__name__}); a bug"
        )


def _read_document(data: bytes, path: str, fmt: str) -> Loaded:
    parsed = format_module(fmt).parse(data)
    record = parsed.record
    if record is None:
        reason = parsed.findings[0].message if parsed.findings else "cannot parse"
        return Loaded(path, None, problem=reason, is_document=_looks_like_document(data, fmt, None))
    if not _looks_like_document(data, fmt, record):
        return Loaded(path, None, problem="not a corpuskit document", is_document=False)
    document, skipped, problem = _build(record)
    return Loaded(path, document, skipped, problem)


class Unreadable(Exception):
    """A file the views will not or cannot read; the message says why, never what it holds."""


@functools.cache
def _project(cwd: Path) -> tuple[Path, int]:
    """The project root links must stay inside, and the size limit, from the configuration."""
    from corpuskit.config import load_config
    from corpuskit.diagnostics import CorpuskitError

    try:
        config = load_config(cwd)
    except CorpuskitError:
        # A broken configuration is validate's to report; reading stays fenced to the cwd.
        return cwd, 64 * 1024 * 1024
    return config.root, config.max_file_size


def read_file(path: Path) -> bytes:
    """A document's bytes, read as validate reads them (corpuskit.io.read_input); Unreadable if not.

    Links leading out of the project, non-regular and kernel pseudo-files are refused unopened,
    and files over the configured max-file-size are not read.
    """
    from corpuskit.io import RefusedPath, TooLarge, read_input

    root, limit = _project(Path.cwd().resolve())
    try:
        return read_input(path, root=root, limit=limit)
    except RefusedPath as exc:
        raise Unreadable(f"not read: {exc.reason}") from None
    except TooLarge as exc:
        raise Unreadable(f"not read: {exc} (max-file-size)") from None
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None


def load_document(path: Path, display: str | None = None) -> Loaded:
    """Read a file and build its document leniently; never raises for bad input."""
    name = display or str(path)
    try:
        data = read_file(path)
    except Unreadable as exc:
        return Loaded(name, None, problem=str(exc))
    return read_document(data, name)


def natural_key(ident: str) -> tuple[Any, ...]:
    """Sort key that puts m2 before m10."""
    # Numbers compare by (length, digits) without int(): an id of 5,000 digits must not raise.
    parts = re.split(r"([0-9]+)", ident)
    return tuple(
        (len(p.lstrip("0")), p.lstrip("0"), p) if i % 2 else p for i, p in enumerate(parts)
    )


def span_text(span: Span) -> str:
    """The covered text of a span as the annotation states it (fragments joined by " … ")."""
    return " … ".join(f.text for f in span)


def span_range(span: Span) -> str:
    """Offsets of a span for people: ``[35, 41)`` or ``[3, 5)+[9, 12)``."""
    return "+".join(f"[{f.start}, {f.end})" for f in span)


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def first_start(annotation: Annotation) -> int | None:
    """Where an annotation's first span starts in the text, or None when it has no span."""
    spans = spans_of(annotation)
    return spans[0][1][0].start if spans and spans[0][1] else None


class Index:
    """One document's annotations by id, with the lookups every view needs."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.by_id: dict[str, tuple[str, Annotation]] = {}
        #: Mention id -> the first entity that contains it.
        self.entity_of: dict[str, str] = {}
        #: Annotation id -> the attributes on it.
        self.attributes_of: dict[str, list[Attribute]] = {}
        #: Annotation id -> ids of the annotations that refer to it.
        self.referrers: dict[str, list[str]] = {}
        for kind, _, annotation in document.annotations():
            self.by_id.setdefault(annotation.id, (kind, annotation))
        for entity in document.entities:
            for mention in entity.mentions:
                self.entity_of.setdefault(mention, entity.id)
        for attribute in document.attributes:
            self.attributes_of.setdefault(attribute.target, []).append(attribute)
        for _, _, annotation in document.annotations():
            for ref in references(annotation):
                users = self.referrers.setdefault(ref, [])
                if annotation.id not in users:
                    users.append(annotation.id)

    def kind(self, ident: str) -> str | None:
        """The kind of the annotation with id ``ident``, or None when there is none."""
        found = self.by_id.get(ident)
        return found[0] if found else None

    def get(self, ident: str) -> Annotation | None:
        """The annotation with id ``ident``, or None."""
        found = self.by_id.get(ident)
        return found[1] if found else None

    def label(self, ident: str, limit: int = 60) -> str:
        """A short human name for an annotation: an entity's name, a mention's text ..."""
        annotation = self.get(ident)
        if annotation is None:
            return f"{ident} (missing)"
        return describe(annotation, self, limit)


def describe(annotation: Annotation, index: Index | None = None, limit: int = 60) -> str:
    """A short human name for ``annotation`` (``index`` resolves an entity without a name)."""
    if isinstance(annotation, Mention | Quote | Claim):
        return f"“{shorten(span_text(annotation.span), limit)}”"
    if isinstance(annotation, Entity):
        if annotation.name:
            return shorten(annotation.name, limit)
        if index is not None and annotation.mentions:
            first = index.get(annotation.mentions[0])
            if isinstance(first, Mention):
                return f"“{shorten(span_text(first.span), limit)}”"
        return annotation.type
    if isinstance(annotation, Event):
        return f"{annotation.type} “{shorten(span_text(annotation.trigger), limit)}”"
    if isinstance(annotation, Relation):
        return annotation.type
    return f"{annotation.name} = {format_value(annotation.value)}"


def format_value(value: object) -> str:
    """An attribute value as written in JSON: ``true``, ``3``, ``"actual"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def references(annotation: Annotation) -> Iterable[str]:
    """Every id an annotation points to, in field order."""
    if isinstance(annotation, Entity):
        yield from annotation.mentions
    elif isinstance(annotation, Quote):
        if annotation.speaker:
            yield annotation.speaker
    elif isinstance(annotation, Claim):
        for ref in (annotation.source, annotation.channel):
            if ref:
                yield ref
    elif isinstance(annotation, Event | Relation):
        for arg in annotation.args:
            yield arg.ref
    elif isinstance(annotation, Attribute):
        yield annotation.target


def speaker_name(ident: str | None, index: Index) -> str:
    """Who a speaker, source or channel id stands for: the entity's name, or the mention's."""
    if ident is None:
        return "(none)"
    annotation = index.get(ident)
    if annotation is None:
        return f"{ident} (missing)"
    if isinstance(annotation, Mention) and ident in index.entity_of:
        return index.label(index.entity_of[ident])
    return describe(annotation, index)
