"""The HTML view of one document (``corpuskit show``): one self-contained, static page.

The article text carries every span as nested ``<span>`` elements: mentions coloured by type,
quotes tinted with a chip naming the speaker, claims underlined, event triggers boxed, and each
validation diagnostic marked where it applies. Spans that cross are cut into properly nested
pieces that share a ``data-ann`` attribute. Lists of entities, quotes, claims, events, relations,
mentions and attributes follow; every annotation has an element ``#ann-ID`` there, and every
span's first piece is ``#txt-ID``. A small script highlights what an annotation touches (an
entity's mentions, an event's trigger and arguments) and shows its details; without the script
the page still reads, and links still jump. Controls put into the text (speaker chips,
diagnostic markers) have the class ``ui``: the text minus them is the document text exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote as url_quote

from corpuskit.diagnostics import Diagnostic
from corpuskit.model import (
    LANGUAGE_TAG,
    SINGULAR,
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
)
from corpuskit.scheme import Scheme
from corpuskit.views.assets import CSS, JS, type_colours
from corpuskit.views.common import Index, format_value, span_text, speaker_name
from corpuskit.views.nesting import Range, heights, nest

#: The page may fetch nothing: everything it needs is inline.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
_SECTIONS = (
    ("entities", "Entities"),
    ("quotes", "Quotes"),
    ("claims", "Claims"),
    ("events", "Events"),
    ("relations", "Relations"),
)


def _a(value: object) -> str:
    """An attribute value, escaped."""
    return escape(str(value), quote=True)


@dataclass(slots=True)
class _Page:
    """Builds the page for one document; one instance per page."""

    document: Document
    diagnostics: Sequence[Diagnostic]
    path: str
    scheme: Scheme | None
    index: Index = field(init=False)
    type_class: dict[str, str] = field(init=False)
    in_text: set[str] = field(init=False, default_factory=set)
    listed: set[str] = field(init=False, default_factory=set)
    by_annotation: dict[str, list[int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.index = Index(self.document)
        declared = [
            name for name, t in (self.scheme.types.items() if self.scheme else ()) if not t.union
        ]
        used = sorted(
            {m.type for m in self.document.mentions} | {e.type for e in self.document.entities}
        )
        order = [t for t in declared if t in used] + [t for t in used if t not in declared]
        self.type_class = {t: f"t{n}" for n, t in enumerate(order)}
        for n, d in enumerate(self.diagnostics):
            if d.annotation_id:
                self.by_annotation.setdefault(d.annotation_id, []).append(n)

    # ------------------------------------------------------------ references and fields

    def ref(self, ident: str) -> str:
        """A link that selects (and, without the script, jumps to) an annotation."""
        if self.index.get(ident) is None:
            return f'<span class="missing">{escape(ident)} (missing)</span>'
        target = f"txt-{ident}" if ident in self.in_text else f"ann-{ident}"
        return (
            f'<a class="ref" href="#{_a(target)}" data-select="{_a(ident)}">'
            f'{escape(self.index.label(ident))}</a> <span class="rid">{escape(ident)}</span>'
        )

    def covered(self, span: Span) -> str:
        offsets = " ".join(f"[{f.start}, {f.end})" for f in span)
        return f'“{escape(span_text(span))}” <span class="off">{offsets}</span>'

    def kb_link(self, kb: str, ident: str) -> str:
        base = self.scheme.knowledge_bases.get(kb) if self.scheme else None
        label = escape(f"{kb}:{ident}")
        if base is None or not base.url or not base.url.startswith(("https://", "http://")):
            return f'<span class="kb">{label}</span>'
        url = base.url.replace("{id}", url_quote(ident, safe=""))
        return (
            f'<a class="kb" href="{_a(url)}" target="_blank" rel="noopener noreferrer">{label}'
            '<span class="sr"> (opens in a new tab)</span> ↗</a>'
        )

    def badge(self, kind: str, annotation: Annotation) -> str:
        type_name = getattr(annotation, "type", None) or getattr(annotation, "mode", None)
        if not type_name:
            return ""
        css = self.type_class.get(type_name, "") if kind in ("mentions", "entities") else ""
        return f'<span class="badge {css}">{escape(type_name)}</span>'

    def fields(self, kind: str, a: Annotation) -> list[tuple[str, str]]:
        """The rows describing an annotation: (label, HTML)."""
        rows: list[tuple[str, str]] = []
        if isinstance(a, Mention):
            rows.append(("text", self.covered(a.span)))
            entity = self.index.entity_of.get(a.id)
            rows.append(("entity", self.ref(entity) if entity else "none"))
        elif isinstance(a, Entity):
            if a.name:
                rows.append(("name", escape(a.name)))
            refs = ", ".join(self.ref(m) for m in a.mentions)
            rows.append((f"mentions ({len(a.mentions)})", refs or "none"))
            if a.links:
                rows.append(("links", ", ".join(self.kb_link(k.kb, k.id) for k in a.links)))
        elif isinstance(a, Quote):
            rows.append(("text", self.covered(a.span)))
            rows.append(("speaker", self.ref(a.speaker) if a.speaker else "none"))
            if a.cue:
                rows.append(("cue", self.covered(a.cue)))
        elif isinstance(a, Claim):
            rows.append(("text", self.covered(a.span)))
            rows.append(("source", self.ref(a.source) if a.source else "none"))
            if a.channel:
                rows.append(("channel", self.ref(a.channel)))
        elif isinstance(a, Event):
            rows.append(("trigger", self.covered(a.trigger)))
            rows.extend((g.role, self.ref(g.ref)) for g in a.args)
        elif isinstance(a, Relation):
            rows.extend((g.role, self.ref(g.ref)) for g in a.args)
        else:
            rows.append(("on", self.ref(a.target)))
            rows.append((a.name, escape(format_value(a.value))))
        attributes = self.index.attributes_of.get(a.id, [])
        if attributes:
            rows.append(("attributes", " ".join(self.attribute_chip(x) for x in attributes)))
        if a.note:
            rows.append(("note", escape(a.note)))
        for n in self.by_annotation.get(a.id, ()):
            d = self.diagnostics[n]
            rows.append(("problem", f"{self.diag_link(n)} {escape(d.message)}"))
        return rows

    def attribute_chip(self, attribute: Attribute) -> str:
        return (
            f'<span class="attr" title="{_a(attribute.id)}">{escape(attribute.name)} = '
            f"{escape(format_value(attribute.value))}</span>"
        )

    def diag_link(self, n: int) -> str:
        d = self.diagnostics[n]
        return (
            f'<a class="dm sev-{_a(d.severity.value)}" href="#diag-{n}" '
            f'data-select="diag:{n}">{escape(d.code)}</a>'
        )

    def dl(self, rows: list[tuple[str, str]]) -> str:
        items = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
        return f'<dl class="fields">{items}</dl>'

    def title(self, kind: str, a: Annotation) -> str:
        """A tooltip: id, type, text and attributes, one per line."""
        lines = [f"{SINGULAR[kind]} {a.id}: {self.index.label(a.id, 120)}"]
        if isinstance(a, Mention) and a.id in self.index.entity_of:
            entity = self.index.entity_of[a.id]
            lines.append(f"entity {entity}: {self.index.label(entity)}")
        if isinstance(a, Quote):
            lines.append(f"speaker: {speaker_name(a.speaker, self.index)}")
        lines += [
            f"{x.name} = {format_value(x.value)}" for x in self.index.attributes_of.get(a.id, [])
        ]
        if a.note:
            lines.append(f"note: {a.note}")
        return "\n".join(lines)

    # ------------------------------------------------------------ the text

    def text_ranges(self) -> tuple[list[Range], dict[int, list[str]], list[int]]:
        """Ranges of every span and diagnostic, point markers, and diagnostics with no place."""
        size = len(self.document.text)
        ranges: list[Range] = []

        def clamp(start: int, end: int) -> tuple[int, int]:
            start = min(max(start, 0), size)
            return start, min(max(end, start), size)

        mention_heights = heights(
            [clamp(f.start, f.end) for m in self.document.mentions for f in m.span]
        )
        seen: set[str] = set()
        for kind, _, a in self.document.annotations():
            pairs = spans_of(a)
            if not pairs:
                continue
            first = a.id not in seen
            seen.add(a.id)
            title = f' title="{_a(self.title(kind, a))}"'
            for name, span in pairs:
                for n, f in enumerate(span):
                    start, end = clamp(f.start, f.end)
                    anchor = f"txt-{a.id}" if first and name != "cue" and n == 0 else None
                    if anchor:
                        self.in_text.add(a.id)
                    ranges.append(
                        self._range(kind, name, a, start, end, title, anchor, mention_heights)
                    )
        points: dict[int, list[str]] = {}
        unplaced: list[int] = []
        for n, d in enumerate(self.diagnostics):
            place = self._place(d)
            if place is None:
                unplaced.append(n)
                continue
            start, end = clamp(*place)
            marker = self.marker(n)
            if end > start:
                ranges.append(
                    Range(
                        start, end, "dg", f"diag:{n}", f"dg sev-{d.severity.value}", prefix=marker
                    )
                )
            else:
                points.setdefault(start, []).append(marker)
        return ranges, points, unplaced

    def _range(
        self,
        kind: str,
        name: str,
        a: Annotation,
        start: int,
        end: int,
        title: str,
        anchor: str | None,
        depth: dict[tuple[int, int], int],
    ) -> Range:
        if isinstance(a, Mention):
            height = min(depth.get((start, end), 1), 4)
            css = f"m {self.type_class.get(a.type, '')} h{height}"
            attrs = f' data-mtype="{_a(a.type)}"{title}'
            return Range(start, end, "m", a.id, css, attrs, anchor, focusable=bool(anchor))
        if isinstance(a, Event):
            attrs = f' data-etype="{_a(a.type)}"{title}'
            return Range(start, end, "ev", a.id, "ev", attrs, anchor, focusable=bool(anchor))
        if name == "cue":
            return Range(start, end, "cue", a.id, "cue", title)
        layer = "q" if isinstance(a, Quote) else "c"
        prefix = ""
        if anchor:
            who = a.speaker if isinstance(a, Quote) else getattr(a, "source", None)
            label = speaker_name(who, self.index) if who else "no speaker"
            chip = "quote" if isinstance(a, Quote) else "claim"
            prefix = (
                f'<button type="button" class="ui chip {chip}" data-select="{_a(a.id)}" '
                f'aria-label="{_a(f"{chip} {a.id} by {label}")}">'
                f"{'❝' if chip == 'quote' else '⚑'} {escape(label)}</button>"
            )
        return Range(start, end, layer, a.id, layer, title, anchor, prefix=prefix)

    def _place(self, d: Diagnostic) -> tuple[int, int] | None:
        if d.excerpt is not None:
            return d.excerpt.start, d.excerpt.end
        annotation = self.index.get(d.annotation_id) if d.annotation_id else None
        spans = spans_of(annotation) if annotation is not None else []
        if spans and spans[0][1]:
            f = spans[0][1][0]
            return f.start, f.end
        return None

    def marker(self, n: int) -> str:
        d = self.diagnostics[n]
        tip = f"{d.severity.value} {d.code}: {d.message}" + (f" — help: {d.hint}" if d.hint else "")
        return (
            f'<a class="ui dm sev-{_a(d.severity.value)}" id="dm-{n}" href="#diag-{n}" '
            f'data-select="diag:{n}">⚠ {escape(d.code)}<span class="tip">{escape(tip)}</span></a>'
        )

    # ------------------------------------------------------------ highlight sets

    def targets(self, ident: str, depth: int = 0) -> list[str]:
        """The ids whose text pieces light up when ``ident`` is selected."""
        a = self.index.get(ident)
        if a is None or depth > 3:
            return []
        if isinstance(a, Mention):
            entity = self.index.entity_of.get(ident)
            return self.targets(entity, depth + 1) if entity and depth == 0 else [ident]
        if isinstance(a, Entity):
            return list(a.mentions)
        out = [ident] if spans_of(a) else []
        refs: list[str] = []
        if isinstance(a, Quote) and a.speaker:
            refs.append(a.speaker)
        elif isinstance(a, Claim):
            refs += [r for r in (a.source, a.channel) if r]
        elif (isinstance(a, Event) and depth == 0) or isinstance(a, Relation):
            refs += [g.ref for g in getattr(a, "args", ())]
        elif isinstance(a, Attribute):
            refs.append(a.target)
        for ref in refs:
            out += self.targets(ref, depth + 1)
        return list(dict.fromkeys(out))

    def highlight_data(self) -> dict[str, list[str]]:
        out = {a.id: self.targets(a.id) or [a.id] for _, _, a in self.document.annotations()}
        for n, d in enumerate(self.diagnostics):
            extra = self.targets(d.annotation_id) if d.annotation_id else []
            out[f"diag:{n}"] = [f"diag:{n}", *extra] if self._place(d) else extra
        return out

    # ------------------------------------------------------------ page parts

    def header(self) -> str:
        doc = self.document
        meta = doc.meta
        facts = [f"document <code>{escape(doc.id)}</code>", escape(self.path)]
        if meta.source:
            facts.append(escape(meta.source))
        if meta.published:
            facts.append(f"published {escape(meta.published)}")
        if meta.url and meta.url.startswith(("https://", "http://")):
            facts.append(f'<a href="{_a(meta.url)}" rel="noopener noreferrer">source article</a>')
        facts.append(f"language {escape(meta.language)}")
        if meta.license:
            facts.append(f"licence {escape(meta.license)}")
        if meta.provenance and meta.provenance.annotators:
            facts.append("annotated by " + escape(", ".join(meta.provenance.annotators)))
        counts = ", ".join(
            f"{len(getattr(doc, kind))} {kind if len(getattr(doc, kind)) != 1 else SINGULAR[kind]}"
            for kind in (
                "mentions",
                "entities",
                "quotes",
                "claims",
                "events",
                "relations",
                "attributes",
            )
        )
        errors = sum(d.severity.value == "error" for d in self.diagnostics)
        warnings = len(self.diagnostics) - errors
        if self.diagnostics:
            check = (
                f'<a class="bad" href="#diagnostics">{errors} error{"s" if errors != 1 else ""}, '
                f"{warnings} warning{'s' if warnings != 1 else ''}</a>"
            )
        else:
            check = '<span class="ok">✓ passes validation</span>'
        scheme = f" against scheme {escape(self.scheme.name)}" if self.scheme else ""
        return (
            '<header><h1 id="title">' + escape(meta.title) + "</h1>"
            f'<p class="meta">{"".join(f"<span>{f}</span>" for f in facts)}</p>'
            f'<p class="summary">{len(doc.text):,} characters; {counts}. '
            f"Validation{scheme}: {check}</p></header>"
        )

    def toolbar(self) -> str:
        counts: dict[str, int] = {}
        for m in self.document.mentions:
            counts[m.type] = counts.get(m.type, 0) + 1
        legend = "".join(
            f'<li><button type="button" class="lg {css}" data-type="{_a(t)}" aria-pressed="true" '
            f'title="Show or hide {_a(t)} mentions"><span class="sw" aria-hidden="true"></span>'
            f'{escape(t)} <span class="rid">{counts.get(t, 0)}</span></button></li>'
            for t, css in self.type_class.items()
        )
        layers = "".join(
            f'<li><label><input type="checkbox" data-layer="{key}" checked> {label}</label></li>'
            for key, label in (
                ("labels", "type labels"),
                ("quotes", "quotes"),
                ("claims", "claims"),
                ("events", "event triggers"),
                ("diagnostics", "problems"),
            )
        )
        return (
            '<nav class="toolbar" aria-label="Legend and layers">'
            f'<ul class="legend" aria-label="Mention types">{legend}</ul>'
            f'<div id="toolbar-controls" hidden><ul class="layers" aria-label="Layers">{layers}</ul>'
            '<p class="hint">Click a span, or focus it and press Enter, to see its details and '
            "everything it refers to; Escape clears. Links in the lists jump to the text.</p></div>"
            "</nav>"
        )

    def article(self) -> str:
        ranges, points, unplaced = self.text_ranges()
        body = nest(self.document.text, ranges, points)
        language = self.document.meta.language
        lang = f' lang="{_a(language)}"' if LANGUAGE_TAG.fullmatch(language) else ""
        loose = ""
        if unplaced:
            items = "".join(
                f"<li>{self.marker(n)} {escape(self.diagnostics[n].message)}</li>" for n in unplaced
            )
            loose = (
                '<h2 id="document-problems">Problems with the document as a whole</h2>'
                f'<ul class="doc-diags">{items}</ul>'
            )
        return (
            '<section id="article" aria-labelledby="article-title">'
            '<h2 id="article-title" class="sr">Article text</h2>'
            f'{loose}<div id="text" class="text"{lang}>{body}</div></section>'
        )

    def entry_id(self, ident: str) -> str:
        """The ``id`` attribute of an annotation's list entry; none for a repeated id (R001),
        so element ids stay unique."""
        if ident in self.listed:
            return ""
        self.listed.add(ident)
        return f' id="ann-{_a(ident)}"'

    def entry(self, kind: str, a: Annotation) -> str:
        rows = self.fields(kind, a)
        label = self.index.label(a.id, 90)
        return (
            f'<li class="entry"{self.entry_id(a.id)}><div class="head">'
            f'<button type="button" class="pick" data-select="{_a(a.id)}" '
            f'aria-label="{_a(f"Show {SINGULAR[kind]} {a.id} in the text")}">{escape(a.id)}</button>'
            f"{self.badge(kind, a)} <strong>{escape(label)}</strong></div>{self.dl(rows)}</li>"
        )

    def table(
        self, kind: str, headings: Sequence[str], rows: Sequence[tuple[Annotation, list[str]]]
    ) -> str:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
        body = "".join(
            f'<tr{self.entry_id(a.id)}><td><button type="button" class="pick" data-select="{_a(a.id)}" '
            f'aria-label="{_a(f"Show {SINGULAR[kind]} {a.id} in the text")}">{escape(a.id)}</button></td>'
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + "</tr>"
            for a, cells in rows
        )
        return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'

    def lists(self) -> str:
        doc = self.document
        parts = ['<div id="lists">']
        if self.diagnostics:
            items = []
            for n, d in enumerate(self.diagnostics):
                about = f" on {self.ref(d.annotation_id)}" if d.annotation_id else ""
                hint = f' <span class="help">help: {escape(d.hint)}</span>' if d.hint else ""
                items.append(
                    f'<li id="diag-{n}" class="sev-{_a(d.severity.value)}">{self.diag_link(n)} '
                    f'<span class="sev">{escape(d.severity.value)}</span> {escape(d.message)}{about}.'
                    f'{hint} <span class="off">{escape(d.path)}:{d.line}:{d.column}</span></li>'
                )
            parts.append(
                f'<section aria-labelledby="diagnostics"><h2 id="diagnostics">Problems ({len(items)})</h2>'
                f'<ol class="diags">{"".join(items)}</ol></section>'
            )
        for kind, heading in _SECTIONS:
            items = [self.entry(kind, a) for a in getattr(doc, kind)]
            if items:
                parts.append(
                    f'<section aria-labelledby="h-{kind}"><h2 id="h-{kind}">{heading} ({len(items)})</h2>'
                    f'<ul class="entries">{"".join(items)}</ul></section>'
                )
        if doc.mentions:
            mention_rows = [
                (
                    m,
                    [
                        self.badge("mentions", m),
                        self.covered(m.span),
                        self.ref(self.index.entity_of[m.id])
                        if m.id in self.index.entity_of
                        else "",
                        " ".join(
                            self.attribute_chip(x) for x in self.index.attributes_of.get(m.id, [])
                        )
                        + (escape(m.note) if m.note else "")
                        + " ".join(self.diag_link(n) for n in self.by_annotation.get(m.id, ())),
                    ],
                )
                for m in doc.mentions
            ]
            parts.append(
                f'<section aria-labelledby="h-mentions"><h2 id="h-mentions">Mentions ({len(mention_rows)})</h2>'
                + self.table(
                    "mentions", ("id", "type", "text", "entity", "attributes, note"), mention_rows
                )
                + "</section>"
            )
        if doc.attributes:
            rows = [
                (
                    x,
                    [
                        self.ref(x.target),
                        escape(x.name),
                        escape(format_value(x.value)),
                        (escape(x.note) if x.note else "")
                        + " ".join(self.diag_link(n) for n in self.by_annotation.get(x.id, ())),
                    ],
                )
                for x in doc.attributes
            ]
            parts.append(
                f'<section aria-labelledby="h-attributes"><h2 id="h-attributes">Attributes ({len(rows)})</h2>'
                + self.table("attributes", ("id", "on", "name", "value", "note"), rows)
                + "</section>"
            )
        parts.append("</div>")
        return "".join(parts)

    def templates(self) -> str:
        """Detail panels, one per annotation and diagnostic, cloned by the script on selection."""
        out = []
        done: set[str] = set()
        for kind, _, a in self.document.annotations():
            if a.id in done:
                continue  # a duplicate id (R001): the first annotation with it is the one shown
            done.add(a.id)
            users = [
                r for r in self.index.referrers.get(a.id, []) if self.index.kind(r) != "attributes"
            ]
            rows = self.fields(kind, a)
            if users:
                rows.append(("referred to by", ", ".join(self.ref(u) for u in users)))
            out.append(
                f'<template id="tpl-{_a(a.id)}"><h3>{escape(SINGULAR[kind].capitalize())} '
                f"{escape(a.id)} {self.badge(kind, a)}</h3>{self.dl(rows)}</template>"
            )
        for n, d in enumerate(self.diagnostics):
            rows = [
                ("severity", escape(d.severity.value)),
                ("message", escape(d.message)),
            ]
            if d.hint:
                rows.append(("help", escape(d.hint)))
            if d.annotation_id:
                rows.append(("annotation", self.ref(d.annotation_id)))
            rows.append(
                ("source", f'<span class="off">{escape(d.path)}:{d.line}:{d.column}</span>')
            )
            out.append(
                f'<template id="tpl-diag:{n}"><h3>{escape(d.code)} {escape(d.name)}</h3>'
                f"{self.dl(rows)}</template>"
            )
        return "".join(out)

    def colours(self) -> str:
        return "".join(
            f".{css}{{--bg:{bg};--bd:{bd}}}"
            for n, css in enumerate(self.type_class.values())
            for bg, bd in [type_colours(n)]
        )

    def render(self) -> str:
        article = self.article()  # first: it records which annotations have text pieces
        data = json.dumps({"hl": self.highlight_data()}, ensure_ascii=False, separators=(",", ":"))
        # Inside <script>, "</" or "<!--" in the data would end or confuse the element.
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        details = (
            '<aside id="details" aria-labelledby="details-title">'
            '<button type="button" class="close" id="details-close">Close</button>'
            '<h2 id="details-title" class="sr">Selected annotation</h2>'
            '<div id="details-body" aria-live="polite"><p class="hint">Select a highlighted span '
            "or an entry in a list to see its details here.</p></div>"
            '<p id="status" class="sr" role="status"></p></aside>'
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{_a(CSP)}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="generator" content="corpuskit show">'
            '<link rel="icon" href="data:,">'
            f"<title>{escape(self.document.meta.title)} — corpuskit</title>"
            f"<style>{CSS}{self.colours()}</style></head>\n<body>"
            '<a class="skip" href="#text">Skip to the article text</a>'
            '<a class="skip" href="#lists">Skip to the annotation lists</a>'
            f"{self.header()}{self.toolbar()}<main>{article}{details}{self.lists()}</main>"
            '<template id="details-empty"><p class="hint">Select a highlighted span or an entry '
            "in a list to see its details here.</p></template>"
            f"{self.templates()}"
            f'<script type="application/json" id="ck-data">{data}</script>'
            f"<script>{JS}</script></body></html>\n"
        )


def render_html(
    document: Document,
    diagnostics: Sequence[Diagnostic] = (),
    *,
    path: str = "",
    scheme: Scheme | None = None,
) -> str:
    """The HTML view of ``document``, with ``diagnostics`` shown where they apply."""
    return _Page(document, diagnostics, path or document.id, scheme).render()
