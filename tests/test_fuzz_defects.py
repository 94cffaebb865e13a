"""Defects the fuzzer found: crashes on malformed drafts and in validate_imported, and checks
whose time grew quadratically with the number of spans."""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from conftest import EXAMPLES
from corpuskit.engine import FileReport, Settings, check_bytes
from corpuskit.fixer import fix_bytes
from corpuskit.interop.brat import brat_to_document
from corpuskit.interop.common import validate_imported
from corpuskit.scheme import load_scheme

MINIMAL = json.loads((EXAMPLES / "positive" / "minimal.json").read_text("utf-8"))


def _set(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(record: dict[str, Any]) -> None:
        target: Any = record
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        _set(("entities", 0, "mentions"), 1.5),
        _set(("relations", 0, "args", 0, "ref"), ["e3"]),
        _set(("mentions", 1, "id"), True),
        _set(("mentions", 1, "id"), ["m2"]),
        _set(("events", 0, "args"), 7),
    ],
    ids=["members-float", "ref-list", "id-bool", "id-list", "args-int"],
)
def test_missing_id_in_a_malformed_record_is_reported_not_raised(
    mutate: Callable[[dict[str, Any]], None],
) -> None:
    record = copy.deepcopy(MINIMAL)
    del record["mentions"][0]["id"]
    mutate(record)
    data = json.dumps(record).encode()
    report = check_bytes(data, "doc.json")
    codes = {d.code for d in report.diagnostics}
    assert "P999" not in codes and codes, codes
    fix_bytes(data, "doc.json")  # and the fixer, which checks first, does not raise either


def _document(text: str, spans: list[tuple[int, int, str]]) -> bytes:
    record = {
        "corpuskit": "1.0",
        "id": "d",
        "meta": {"title": "t", "source": "s", "published": "2024-01-01", "language": "en"},
        "offset_unit": "codepoint",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "mentions": [
            {"id": f"m{i + 1}", "type": "PER", "span": [{"start": s, "end": e, "text": t}]}
            for i, (s, e, t) in enumerate(spans)
        ],
    }
    return json.dumps(record).encode()


def _timed(run: Callable[[], FileReport]) -> tuple[float, FileReport]:
    started = time.perf_counter()
    report = run()
    return time.perf_counter() - started, report


def test_nfc_fix_is_linear_in_the_number_of_boundaries() -> None:
    # 500 mentions on 375,000 non-NFC characters: the old fix normalised the whole text twice
    # per boundary (about 5 s); now the text is normalised piece by piece once (about 0.2 s).
    unit = "e\u0301" * 370 + " word xxxx"
    count = 500
    spans = [(k * len(unit) + 741, k * len(unit) + 745, "word") for k in range(count)]
    data = _document(unit * count, spans)
    elapsed, report = _timed(
        lambda: check_bytes(data, "doc.json", Settings(select=frozenset({"O"})))
    )
    (nfc,) = [d for d in report.diagnostics if d.code == "O005"]
    assert nfc.fix is not None  # every boundary maps cleanly: the fix is still offered
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_mismatch_hints_are_linear_in_the_number_of_mismatched_spans() -> None:
    # Offsets counted in UTF-16 code units: every mismatched span gets a hint that says whether
    # the explanation fits them all, once computed per span over all spans (quadratic: 6 times
    # the spans took about 23 times as long, now about 7).
    def timed(count: int) -> float:
        text = "\U0001f600ab " * count
        data = _document(text, [(5 * k + 2, 5 * k + 4, "ab") for k in range(count)])
        settings = Settings(select=frozenset({"O"}))
        elapsed, report = _timed(lambda: check_bytes(data, "doc.json", settings))
        assert any(d.code == "O003" for d in report.diagnostics)
        return elapsed

    small = min(timed(4_000), timed(4_000))
    large = timed(24_000)
    assert large < 13 * small, f"{small:.2f} s for 4,000 spans, {large:.2f} s for 24,000"


def test_scheme_overlap_check_is_not_quadratic_on_identical_spans() -> None:
    # 16,000 identical mentions nest under mention_overlap = "nested": no finding, and no
    # longer a list of every open fragment rebuilt and walked per fragment (about 7 s, now 0.1).
    scheme = load_scheme(EXAMPLES / "scheme.toml")
    assert scheme.mention_overlap == "nested"
    data = _document("Iran sent", [(0, 4, "Iran")] * 16_000)
    settings = Settings(scheme=scheme, select=frozenset({"C"}))
    elapsed, report = _timed(lambda: check_bytes(data, "doc.json", settings))
    assert not [d for d in report.diagnostics if d.code.startswith("C")]
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_validate_imported_as_xml_reports_a_character_xml_cannot_carry() -> None:
    imported = brat_to_document("a\x00b", "T1\tX 0 1\ta\n", "d")
    assert imported.document is not None
    text, report = validate_imported(imported, "xml")
    assert text is None  # nothing to write
    assert report is not None
    assert "O007" in {d.code for d in report.diagnostics}
