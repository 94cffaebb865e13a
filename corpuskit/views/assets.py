"""The stylesheet, script and palette of the HTML view, inlined into every page it writes.

Kept as Python strings so the page is one self-contained file and the package ships no data
files. The page's Content-Security-Policy forbids every network fetch, so nothing here may
refer to an outside resource.
"""

from __future__ import annotations

import colorsys

#: Colours of mention and entity types, in order: (background, border and type label). Every
#: background gives the text colour (#111827) a contrast above 12:1, and every border colour,
#: which also writes the type label on that background, above 4.5:1 (WCAG AA for small text).
PALETTE: tuple[tuple[str, str], ...] = (
    ("#dbeafe", "#1d4ed8"),  # blue
    ("#ffedd5", "#9a3412"),  # orange
    ("#dcfce7", "#15803d"),  # green
    ("#f3e8ff", "#7e22ce"),  # purple
    ("#ffe4e6", "#be123c"),  # rose
    ("#ccfbf1", "#0f766e"),  # teal
    ("#fef9c3", "#a16207"),  # yellow
    ("#fce7f3", "#be185d"),  # pink
    ("#e2e8f0", "#475569"),  # slate
    ("#ecfccb", "#4d7c0f"),  # lime
    ("#e0e7ff", "#4338ca"),  # indigo
    ("#cffafe", "#0e7490"),  # cyan
)
#: The colour of body text.
TEXT_COLOUR = "#111827"


def _hex(hue: float, lightness: float, saturation: float) -> str:
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def type_colours(index: int) -> tuple[str, str]:
    """(background, border) for the ``index``-th type: the palette, then spaced hues."""
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 137.508) % 360 / 360  # the golden angle keeps neighbouring types apart
    return _hex(hue, 0.93, 0.8), _hex(hue, 0.25, 0.7)


CSS = """
:root { color-scheme: light; --text: #111827; --muted: #4b5563; --line: #d1d5db;
  --accent: #1d4ed8; --error: #b91c1c; --warning: #92400e; --quote: #f1edff;
  --claim: #92400e; --panel: #f9fafb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--text); background: #fff; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, [tabindex]:focus-visible, input:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5em 1em; z-index: 20; }
.skip:focus { left: .5em; }
header, .toolbar, main { max-width: 84rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 0 0 .5rem; }
.sub, .meta { color: var(--muted); margin: 0 0 .25rem; overflow-wrap: anywhere; }
.meta span + span::before { content: " · "; }
.summary { margin: .5rem 0; }
.ok { color: #166534; font-weight: 600; }
.bad { color: var(--error); font-weight: 600; }
.toolbar { position: sticky; top: 0; z-index: 10; background: #fff; border-bottom: 1px solid var(--line);
  padding-top: .5rem; padding-bottom: .5rem; }
.legend, .layers { display: flex; flex-wrap: wrap; gap: .35rem .5rem; list-style: none; margin: 0; padding: 0; }
.layers { margin-top: .4rem; font-size: .9rem; }
.layers label { display: inline-flex; align-items: center; gap: .25rem; cursor: pointer; }
.lg { font: inherit; font-size: .85rem; display: inline-flex; align-items: center; gap: .35rem;
  border: 1px solid var(--line); border-radius: 999px; background: #fff; color: var(--text);
  padding: .1rem .55rem; cursor: pointer; min-height: 2rem; }
.lg[aria-pressed="false"] { opacity: .55; text-decoration: line-through; }
.sw { width: 1rem; height: 1rem; border-radius: 3px; background: var(--bg); border: 2px solid var(--bd); }
.hint { font-size: .85rem; color: var(--muted); margin: .35rem 0 0; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 22rem; gap: 0 1.5rem; }
#article { grid-column: 1; min-width: 0; }
#details { grid-column: 2; grid-row: 1 / span 2; align-self: start; position: sticky; top: 7rem;
  max-height: calc(100vh - 8rem); overflow: auto; background: var(--panel); border: 1px solid var(--line);
  border-radius: 8px; padding: .75rem 1rem; margin-top: 1rem; }
#lists { grid-column: 1; min-width: 0; overflow-wrap: anywhere; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1.06rem; line-height: 2.5;
  margin: 1rem 0; font-family: Georgia, "Iowan Old Style", "Times New Roman", serif; }
.text [data-ann] { scroll-margin-top: 4rem; }
.doc-diags { list-style: none; padding: 0; margin: .75rem 0 0; }
.m { background: var(--bg); border-bottom: .2em solid var(--bd); padding: .05em .08em; border-radius: 2px;
  cursor: pointer; }
.m.h2 { padding-bottom: .3em; } .m.h3 { padding-bottom: .55em; } .m.h4 { padding-bottom: .8em; }
.m.last::after { content: attr(data-mtype); font: 700 .6em/1 system-ui, sans-serif; color: var(--bd);
  margin-left: .2em; letter-spacing: .02em; }
.q { background: var(--quote); border-radius: 2px; }
.c { text-decoration: underline dotted var(--claim); text-decoration-thickness: 2px;
  text-underline-offset: .62em; text-decoration-skip-ink: none; }
.cue { border-bottom: 2px dashed #6d28d9; cursor: pointer; }
.ev { font-weight: 700; outline: 1px solid #475569; outline-offset: 0; border-radius: 2px; cursor: pointer; }
.ev.last::after { content: attr(data-etype); font: italic 600 .62em/1 system-ui, sans-serif;
  color: #334155; margin-left: .2em; }
.dg { text-decoration: underline wavy var(--error); text-decoration-skip-ink: none;
  text-underline-offset: .35em; }
.dg.sev-warning { text-decoration-color: var(--warning); }
.chip { font: 600 .72rem/1.3 system-ui, sans-serif; border-radius: 999px; padding: .1em .55em;
  margin: 0 .3em 0 0; cursor: pointer; vertical-align: .15em; border: 1px solid #6d28d9;
  background: #ede9fe; color: #4c1d95; user-select: none; }
.chip.claim { border-color: var(--claim); background: #fef3c7; color: #78350f; }
.dm { position: relative; display: inline-block; font: 700 .7rem/1.4 system-ui, sans-serif;
  background: var(--error); color: #fff; border-radius: 3px; padding: 0 .35em; margin: 0 .2em;
  text-decoration: none; vertical-align: .15em; user-select: none; white-space: nowrap; }
.dm.sev-warning { background: var(--warning); }
.dm .tip { display: none; position: absolute; left: 0; top: 1.7em; z-index: 15; width: max-content;
  max-width: min(24rem, 80vw); white-space: normal; background: #111827; color: #fff;
  font-weight: 400; font-size: .8rem; line-height: 1.4; padding: .4em .6em; border-radius: 4px; }
.dm:hover .tip, .dm:focus .tip { display: block; }
.hl { background-color: #fde047 !important; outline: 2px solid #111827; outline-offset: 1px; }
.sel { outline: 3px solid var(--accent) !important; outline-offset: 2px; }
.hide-labels .m.last::after, .hide-labels .ev.last::after { content: none; }
.hide-quotes .q { background: none; } .hide-quotes .chip.quote { display: none; }
.hide-claims .c { text-decoration: none; } .hide-claims .chip.claim { display: none; }
.hide-events .ev { font-weight: inherit; outline: none; } .hide-events .ev.last::after { content: none; }
.hide-diagnostics .dm { display: none; } .hide-diagnostics .dg { text-decoration: none; }
.m.off { background: none; border-bottom-color: transparent; }
.m.off.last::after { content: none; }
.entries { list-style: none; padding: 0; margin: 0; }
.entry { border-bottom: 1px solid var(--line); padding: .5rem .25rem; }
.entry.sel, tr.sel { background: #eff6ff; outline: 2px solid var(--accent); }
.head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem .5rem; }
.pick { font: 600 .85rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #fff;
  color: var(--accent); border: 1px solid var(--accent); border-radius: 4px; padding: .1em .45em;
  cursor: pointer; min-height: 1.9rem; min-width: 2.2rem; }
.badge { font: 700 .72rem/1.4 system-ui, sans-serif; border-radius: 3px; padding: .05em .4em;
  background: var(--bg, #e5e7eb); color: var(--text); border: 1px solid var(--bd, #6b7280); }
.fields { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem .75rem;
  margin: .35rem 0 0; font-size: .92rem; }
.fields dt { color: var(--muted); }
.fields dd { margin: 0; overflow-wrap: anywhere; }
.off { color: var(--muted); font: .8rem ui-monospace, SFMono-Regular, Menlo, monospace; }
.rid { color: var(--muted); font: .8rem ui-monospace, SFMono-Regular, Menlo, monospace; }
.attr { display: inline-block; font-size: .8rem; border: 1px solid var(--line); border-radius: 3px;
  padding: 0 .35em; margin: 0 .25em .1em 0; background: #fff; }
.missing { color: var(--error); }
.diags { padding-left: 1.25rem; }
.diags li { margin: .35rem 0; }
.diag-code { font-weight: 700; }
.sev-error .sev { color: var(--error); font-weight: 700; }
.sev-warning .sev { color: var(--warning); font-weight: 700; }
.help { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: .3rem .4rem; vertical-align: top; }
.close { display: none; float: right; font: inherit; font-size: .85rem; border: 1px solid var(--line);
  border-radius: 4px; background: #fff; color: var(--text); padding: .15rem .5rem; cursor: pointer; min-height: 2rem; }
.has-selection .close { display: inline-block; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 60rem) {
  main { display: block; }
  #details { position: fixed; left: 0; right: 0; bottom: 0; top: auto; margin: 0; max-height: 45vh;
    border-radius: 12px 12px 0 0; box-shadow: 0 -4px 16px rgb(0 0 0 / .2); display: none; z-index: 12; }
  .has-selection #details { display: block; }
  .has-selection main { padding-bottom: 46vh; }
  .toolbar { position: static; }
  .text { font-size: 1rem; line-height: 2.4; }
}
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
"""

JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ck-data").textContent);
  var text = document.getElementById("text");
  var body = document.body;
  var panelBody = document.getElementById("details-body");
  var status = document.getElementById("status");
  var marked = [];
  var current = null;
  var origin = null;
  var narrow = window.matchMedia("(max-width: 60rem)");

  function inText(ids) {
    if (!ids.length) { return []; }
    var selector = ids.map(function (i) { return '[data-ann="' + CSS.escape(i) + '"]'; }).join(",");
    return Array.prototype.slice.call(text.querySelectorAll(selector));
  }

  function entryOf(id) {
    return document.getElementById(id.indexOf("diag:") === 0 ? "diag-" + id.slice(5) : "ann-" + id);
  }

  function clear() {
    marked.forEach(function (el) { el.classList.remove("hl", "sel"); });
    marked = [];
    current = null;
    body.classList.remove("has-selection");
  }

  function select(id, jump) {
    clear();
    current = id;
    var targets = inText(data.hl[id] || [id]);
    targets.forEach(function (el) { el.classList.add("hl"); marked.push(el); });
    inText([id]).forEach(function (el) { el.classList.add("sel"); marked.push(el); });
    var entry = entryOf(id);
    if (entry) { entry.classList.add("sel"); marked.push(entry); }
    var template = document.getElementById("tpl-" + id);
    panelBody.replaceChildren(template ? template.content.cloneNode(true) : document.createTextNode(id));
    body.classList.add("has-selection");
    status.textContent = targets.length === 1 ? "1 span highlighted" : targets.length + " spans highlighted";
    if (jump && targets.length) {
      var first = targets[0];
      if (!first.hasAttribute("tabindex")) { first.setAttribute("tabindex", "-1"); }
      first.focus({ preventScroll: true });
      // On a phone the details sheet covers the lower half: bring the span near the top.
      first.scrollIntoView({ block: narrow.matches ? "start" : "center" });
    }
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-select]");
    if (trigger) {
      event.preventDefault();
      origin = trigger;
      select(trigger.getAttribute("data-select"), !text.contains(trigger));
      return;
    }
    var piece = event.target.closest("[data-ann]");
    if (piece && text.contains(piece)) {
      origin = piece;
      select(piece.getAttribute("data-ann"), false);
    }
  });

  text.addEventListener("keydown", function (event) {
    var piece = event.target;
    if ((event.key === "Enter" || event.key === " ") && piece.matches("[data-ann]")) {
      event.preventDefault();
      origin = piece;
      select(piece.getAttribute("data-ann"), false);
    }
  });

  function close() {
    clear();
    panelBody.replaceChildren(document.getElementById("details-empty").content.cloneNode(true));
    status.textContent = "";
    if (origin && document.contains(origin)) { origin.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current !== null) { close(); }
  });
  document.getElementById("details-close").addEventListener("click", close);

  Array.prototype.forEach.call(document.querySelectorAll("[data-layer]"), function (box) {
    box.addEventListener("change", function () {
      body.classList.toggle("hide-" + box.getAttribute("data-layer"), !box.checked);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".lg"), function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var selector = '[data-mtype="' + CSS.escape(button.getAttribute("data-type")) + '"]';
      Array.prototype.forEach.call(text.querySelectorAll(selector), function (el) {
        el.classList.toggle("off", !on);
      });
    });
  });

  document.getElementById("toolbar-controls").hidden = false;
  var hash = decodeURIComponent(location.hash.slice(1));
  var wanted = hash.replace(/^(ann|txt)-/, "");
  if (wanted !== hash && Object.prototype.hasOwnProperty.call(data.hl, wanted)) {
    select(wanted, true);
  }
})();
"""
