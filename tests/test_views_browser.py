"""The HTML view in a real headless browser: Debian's chromium driven by Playwright.

Skipped only when chromium is missing outside CI; under CI (CI=true) a missing browser or
Playwright fails the test. Screenshots are written to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, NEGATIVE, ROOT

VIEWS = ROOT / "tests" / "views"
ARTIFACTS = ROOT / "tests" / "artifacts"
BUNDLED = CORPUS / "iran-russia-missiles.json"
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
#: Flags for a quiet, offline, sandbox-free headless run (the CI container has no user namespaces).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium); CI runs this test",
)


def write_page(source: Path, target: Path) -> Path:
    """Make the page with the real command, as a user would."""
    done = subprocess.run(
        [sys.executable, str(VIEWS / "cli_app.py"), "show", str(source), "-o", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium is required under CI"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


class Watched:
    """A page with its console errors, page errors and network requests recorded."""

    def __init__(self, browser: Any, width: int = 1280, height: int = 900) -> None:
        # Reduced motion: jumps scroll at once, so what the test sees is where the user ends up.
        self.page = browser.new_page(
            viewport={"width": width, "height": height}, reduced_motion="reduce"
        )
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page


def classes(page: Any, ident: str) -> list[list[str]]:
    """The classes of every text piece of annotation ``ident``."""
    result: list[list[str]] = page.evaluate(
        """id => Array.from(document.querySelectorAll('#text [data-ann="' + CSS.escape(id) + '"]'))
             .map(el => Array.from(el.classList))""",
        ident,
    )
    return result


def test_page_loads_cleanly_and_every_annotation_has_its_element(
    browser: Any, tmp_path: Path
) -> None:
    from corpuskit.formats import json_format
    from corpuskit.model import spans_of

    doc = json_format.load(BUNDLED)
    watched = Watched(browser)
    page = watched.open(write_page(BUNDLED, tmp_path / "show.html"))
    assert watched.problems == []
    assert all(url.startswith("file://") for url in watched.requests), watched.requests
    missing = page.evaluate(
        """ids => ids.filter(([ann, txt]) => !document.getElementById(ann)
                              || (txt && !document.getElementById(txt)))""",
        [[f"ann-{a.id}", f"txt-{a.id}" if spans_of(a) else ""] for _, _, a in doc.annotations()],
    )
    assert missing == []
    assert page.evaluate("document.getElementById('text').innerText.length") >= len(doc.text)


def test_clicking_an_entity_highlights_its_mentions(browser: Any, tmp_path: Path) -> None:
    from corpuskit.formats import json_format

    doc = json_format.load(BUNDLED)
    iran = next(e for e in doc.entities if e.id == "e1")
    others = [m.id for m in doc.mentions if m.id not in iran.mentions]
    watched = Watched(browser)
    page = watched.open(write_page(BUNDLED, tmp_path / "show.html"))
    page.click("#ann-e1 button.pick")
    for mention in iran.mentions:
        assert all("hl" in c for c in classes(page, mention)), mention
    assert not any("hl" in c for m in others for c in classes(page, m))
    assert "Entity e1" in page.inner_text("#details")
    # The first mention is brought into view and focused.
    assert page.evaluate(
        """() => { const r = document.getElementById('txt-m1').getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= innerHeight; }"""
    )
    assert page.evaluate("document.activeElement.id") == "txt-m1"
    # A relation's argument link jumps to and highlights that entity's mentions.
    page.click('#ann-r1 a[data-select="e2"]')
    russia = next(e for e in doc.entities if e.id == "e2")
    assert all("hl" in c for m in russia.mentions for c in classes(page, m))
    assert not any("hl" in c for m in iran.mentions for c in classes(page, m))
    page.click("#ann-e1 button.pick")  # the screenshot shows Iran's mentions highlighted
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "show.png"))
    assert watched.problems == []


def test_keyboard_selects_and_escape_clears(browser: Any, tmp_path: Path) -> None:
    watched = Watched(browser)
    page = watched.open(write_page(BUNDLED, tmp_path / "show.html"))
    page.focus("#txt-m5")
    page.keyboard.press("Enter")
    # A mention lights up its whole coreference chain and is itself marked as selected.
    assert all("sel" in c for c in classes(page, "m5"))
    assert all("hl" in c for c in classes(page, "m1"))
    assert "Mention m5" in page.inner_text("#details")
    page.keyboard.press("Escape")
    assert not any("hl" in c for c in classes(page, "m1"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement !== document.body")
    assert watched.problems == []


def test_diagnostics_are_marked_in_the_text(browser: Any, tmp_path: Path) -> None:
    watched = Watched(browser)
    page = watched.open(
        write_page(NEGATIVE / "O003-span-text-mismatch.json", tmp_path / "o003.html")
    )
    marker = page.locator("#text a.dm")
    assert marker.count() == 1
    assert marker.inner_text().startswith("⚠ O003")
    marker.click()
    assert "does not match the text" in page.inner_text("#details")
    assert all("hl" in c for c in classes(page, "diag:0"))
    assert watched.problems == []


def test_readable_at_phone_width(browser: Any, tmp_path: Path) -> None:
    watched = Watched(browser, width=360, height=740)
    page = watched.open(write_page(BUNDLED, tmp_path / "show.html"))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert (
        page.evaluate("parseFloat(getComputedStyle(document.getElementById('text')).fontSize)")
        >= 14
    )
    page.click("#ann-e2 button.pick")
    box = page.locator("#details").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740 + 1  # the details sheet is on screen
    # The first mention of Russia is scrolled into view above the sheet.
    assert page.evaluate(
        """top => { const r = document.getElementById('txt-m3').getBoundingClientRect();
                    return r.top >= 0 && r.bottom <= top; }""",
        box["y"],
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "show-phone.png"))
    assert watched.problems == []
