"""The HTML view's structure, without a browser: ids, text fidelity, nesting, diagnostics,
escaping and self-containment. The browser test (test_views_browser.py) checks behaviour."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CORPUS, NEGATIVE, ROOT, expected_negatives
from corpuskit.config import SchemeFinder
from corpuskit.engine import Settings, check_file
from corpuskit.formats import json_format
from corpuskit.model import Document, spans_of
from corpuskit.views.assets import TEXT_COLOUR, type_colours
from corpuskit.views.common import load_document
from corpuskit.views.html import render_html
from corpuskit.views.nesting import Range, nest

VIEWS = ROOT / "tests" / "views"
BUNDLED = CORPUS / "iran-russia-missiles.json"
VOID = {"meta", "link", "input", "br", "img"}


def run_views(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the view commands (tests/views/cli_app.py) in a real subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, str(VIEWS / "cli_app.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


class Page(HTMLParser):
    """Collects ids, data-ann pieces, the article text without controls, and nesting errors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.ids: list[str] = []
        self.pieces: dict[str, int] = {}
        self.text: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []

    def _in(self, predicate: str) -> bool:
        return any(predicate in attrs.get("class", "").split() for _, attrs in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.append(values["id"])
        if tag in VOID:
            return
        self.stack.append((tag, values))
        if "data-ann" in values and self._inside_text():
            self.pieces[values["data-ann"]] = self.pieces.get(values["data-ann"], 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(
                f"</{tag}> does not close <{self.stack[-1][0] if self.stack else ''}>"
            )
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._inside_text() and not self._in("ui"):
            self.text.append(data)

    def _inside_text(self) -> bool:
        return any(attrs.get("id") == "text" for _, attrs in self.stack)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def show(path: Path) -> tuple[str, Document]:
    """The page ``corpuskit show`` makes for ``path`` (with its configured scheme)."""
    scheme = SchemeFinder().for_document(path)
    report = check_file(path, Settings(scheme=scheme))
    loaded = load_document(path)
    assert loaded.document is not None
    return render_html(
        loaded.document, report.diagnostics, path=str(path), scheme=scheme
    ), loaded.document


@pytest.fixture(scope="module")
def bundled() -> tuple[str, Document, Page]:
    page, doc = show(BUNDLED)
    return page, doc, parse(page)


def test_every_annotation_has_its_element(bundled: tuple[str, Document, Page]) -> None:
    _, doc, parsed = bundled
    ids = set(parsed.ids)
    assert len(parsed.ids) == len(ids), "element ids are unique"
    for _kind, _, a in doc.annotations():
        assert f"ann-{a.id}" in ids, a.id
        assert f"tpl-{a.id}" in ids, a.id
        if spans_of(a):
            assert f"txt-{a.id}" in ids, a.id
            assert parsed.pieces.get(a.id, 0) >= 1, a.id


def test_the_text_reads_exactly_as_the_document(bundled: tuple[str, Document, Page]) -> None:
    _, doc, parsed = bundled
    assert "".join(parsed.text) == doc.text


def test_elements_nest_properly(bundled: tuple[str, Document, Page]) -> None:
    _, _, parsed = bundled
    assert parsed.errors == []
    assert parsed.stack == []


def test_the_page_needs_nothing_from_outside(bundled: tuple[str, Document, Page]) -> None:
    page, _, parsed = bundled
    policy = [
        a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy and policy[0].startswith("default-src 'none'")
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, tag
        if tag == "link":
            assert attrs["href"].startswith("data:")
        if tag == "script":
            assert attrs.get("type", "") in ("", "application/json")
    assert "@import" not in page and "url(" not in page


def test_kb_links_use_the_scheme_url_template(bundled: tuple[str, Document, Page]) -> None:
    page, _, _ = bundled
    assert 'href="https://www.wikidata.org/wiki/Q794"' in page
    doc = json_format.load(BUNDLED)
    assert "wikidata.org" not in render_html(doc)  # no scheme: no URL to build


def test_legend_quotes_events_and_attributes_are_shown(bundled: tuple[str, Document, Page]) -> None:
    page, doc, parsed = bundled
    legend = [a["data-type"] for tag, a in parsed.tags if "lg" in a.get("class", "").split()]
    assert sorted(legend) == sorted({m.type for m in doc.mentions} | {e.type for e in doc.entities})
    chips = [a for _, a in parsed.tags if "chip" in a.get("class", "").split()]
    assert {c["data-select"] for c in chips} >= {q.id for q in doc.quotes}
    assert "❝ unnamed Iranian official" in page
    assert 'data-etype="transfer"' in page
    assert "realis = &quot;actual&quot;" in page
    assert "✓ passes validation" in page


def test_highlight_data_covers_entities_and_events(bundled: tuple[str, Document, Page]) -> None:
    page, doc, _ = bundled
    match = re.search(r'<script type="application/json" id="ck-data">(.*?)</script>', page, re.S)
    assert match
    highlights = json.loads(match.group(1))["hl"]
    e1 = next(e for e in doc.entities if e.id == "e1")
    assert highlights["e1"] == list(e1.mentions)
    assert set(highlights["m1"]) == set(e1.mentions)  # a mention lights up its coreference chain
    ev2 = highlights["ev2"]
    assert ev2[0] == "ev2" and set(e1.mentions) <= set(ev2) and "m9" in ev2


def test_nesting_splits_crossing_spans() -> None:
    text = "abcdefgh"
    ranges = [
        Range(0, 5, "m", "x", "m"),
        Range(3, 8, "m", "y", "m"),
        Range(1, 2, "m", "z", "m"),
    ]
    out = nest(text, ranges, {4: ["<i></i>"]})
    parsed = Page()
    parsed.feed(f'<div id="text">{out}</div>')
    assert parsed.errors == []
    assert re.sub(r"<[^>]+>", "", out) == text
    assert parsed.pieces == {"x": 1, "z": 1, "y": 2}  # y is cut where x ends
    assert ' cont last" data-ann="y"' in out


def showable_negatives() -> list[str]:
    """Negative examples with a document to show: not parse errors, nor XML failing the XSD."""
    return sorted(n for n in expected_negatives() if load_document(NEGATIVE / n).document)


@pytest.mark.parametrize("name", showable_negatives())
def test_every_diagnostic_is_shown_in_place(name: str) -> None:
    path = NEGATIVE / name
    page, doc = show(path)
    parsed = parse(page)
    assert parsed.errors == []
    assert len(parsed.ids) == len(set(parsed.ids)), "element ids are unique, even for R001"
    code = str(expected_negatives()[name][0])
    assert 'id="diag-0"' in page and f">{code}</a>" in page
    assert 'id="dm-0"' in page  # the marker: in the text, or with document-wide problems
    text_at = page.index('id="text"')
    marker_at = page.index('id="dm-0"')
    report = check_file(path, Settings(scheme=SchemeFinder().for_document(path)))
    (diagnostic,) = report.diagnostics
    placed = diagnostic.excerpt is not None or diagnostic.annotation_id is not None
    if placed and (diagnostic.excerpt or spans_of_id(doc, diagnostic.annotation_id)):
        assert marker_at > text_at, "the marker sits in the article text"
    assert "".join(parsed.text) == doc.text


def spans_of_id(doc: Document, ident: str | None) -> bool:
    return any(a.id == ident and spans_of(a) for _, _, a in doc.annotations())


def test_unsafe_text_is_escaped(tmp_path: Path) -> None:
    record = json.loads(
        (ROOT / "tests" / "examples" / "positive" / "minimal.json").read_text("utf-8")
    )
    record["text"] += " </script><img src=x onerror=alert(1)> & “done”"
    record["mentions"][0]["note"] = '"><script>alert(1)</script>'
    from corpuskit.model import text_sha256

    record["text_sha256"] = text_sha256(record["text"])
    doc = json_format.loads(json.dumps(record))
    page = render_html(doc)
    assert "<img" not in page and "<script>alert" not in page
    parsed = parse(page)
    assert parsed.errors == []
    assert "".join(parsed.text) == doc.text


def test_palette_contrast() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for n in range(40):
        background, border = type_colours(n)
        assert contrast(TEXT_COLOUR, background) >= 7, n  # text on a mention: WCAG AAA
        assert contrast(border, background) >= 4.5, n  # the type label on a mention: AA


# ---------------------------------------------------------------- command line


def test_cli_writes_the_page_next_to_the_working_directory(tmp_path: Path) -> None:
    result = run_views("show", str(BUNDLED), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "iran-russia-missiles.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "wrote iran-russia-missiles.html (0 problems shown)" in result.stderr


def test_cli_output_option_and_stdout(tmp_path: Path) -> None:
    out = tmp_path / "view.html"
    assert (
        run_views("show", str(NEGATIVE / "O003-span-text-mismatch.json"), "-o", str(out)).returncode
        == 0
    )
    assert "O003" in out.read_text("utf-8")
    result = run_views("show", str(CORPUS / "iran-russia-missiles.xml"), "-o", "-")
    assert result.returncode == 0 and result.stdout.startswith("<!DOCTYPE html>")


def test_xml_failing_its_schema_is_not_shown_but_its_problems_are_listed(tmp_path: Path) -> None:
    result = run_views(
        "show", str(NEGATIVE / "S001-missing-property.xml"), "-o", str(tmp_path / "x.html")
    )
    assert result.returncode == 2
    assert re.search(r"S001-missing-property\.xml:\d+:\d+: S001 ", result.stderr)


@pytest.mark.parametrize(
    "target",
    [
        NEGATIVE / "P001-json-syntax.json",
        NEGATIVE / "expected.json",
        ROOT / "missing.json",
        ROOT / "pyproject.toml",
    ],
)
def test_cli_unshowable_input_exits_2(target: Path, tmp_path: Path) -> None:
    result = run_views("show", str(target), "-o", str(tmp_path / "x.html"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "corpuskit: error:" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_cli_bad_scheme_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "scheme.toml"
    bad.write_text("[types.X]\nkinds = 3\n", "utf-8")
    result = run_views("show", str(BUNDLED), "--scheme", str(bad), "-o", str(tmp_path / "x.html"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
