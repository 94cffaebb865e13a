"""Every case of benchmarks/hostile.py at small sizes: it finishes and gives what it should.

The harness times the hostile constructions at N and 4N; timing belongs there, not here. This
checks that each construction still builds, still reaches its entry point, and that the entry
point answers as it must at a size where every budget and cap is far away (validate names each
absent text, importers read every annotation, reanchor loses no span), so a fix that bounds the
work by skipping it shows up here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from hostile import CASES, Outcome, run_case

#: Size per case: big enough to be the construction (many ids, many cycles, a quote that
#: overlaps itself thousands of times), small enough for the whole file to take seconds.
SIZES = {
    "validate-absent-texts": 5,
    "validate-self-overlap": 20_000,
    "validate-reference-chain": 2_000,
    "validate-reference-cycles": 150,
    "brat-export-ids": 500,
    "brat-export-triggers": 300,
    "brat-import-events": 200,
    "brat-import-equiv": 500,
    "xmi-import-chains": 200,
    "conll-export-mentions": 300,
    "labelstudio-copies": 3,
    "w3c-many-quotes": 3,
    "w3c-long-quote": 2_000,
    "reanchor-reversed": 2_000,
    "reanchor-shuffled": 2_000,
    "reanchor-repeated": 2_000,
}


def test_every_case_has_a_size() -> None:
    assert set(SIZES) == set(CASES)


def _run(name: str, tmp_path: Path) -> tuple[int, Outcome]:
    n = SIZES[name]
    _, outcome = run_case(CASES[name], n, tmp_path)
    assert outcome is not None  # no stop was asked for: the run finished
    return n, outcome


def test_absent_texts_each_reported(tmp_path: Path) -> None:
    n, out = _run("validate-absent-texts", tmp_path)
    # Every mention's text occurs nowhere: each is a mismatch, none is moved or dropped.
    assert out.codes["O003"] == n
    assert out.counts["report KB"] >= 0


def test_self_overlap_reported_once(tmp_path: Path) -> None:
    _, out = _run("validate-self-overlap", tmp_path)
    assert out.codes["O003"] == 1


def test_reference_chain_is_no_cycle(tmp_path: Path) -> None:
    _, out = _run("validate-reference-chain", tmp_path)
    assert "R004" not in out.codes
    assert "P999" not in out.codes


def test_reference_cycles_capped(tmp_path: Path) -> None:
    _, out = _run("validate-reference-cycles", tmp_path)
    # 150 cycles: the first 100 reported, then one finding counting the rest.
    assert out.codes["R004"] == 101


def test_brat_export_renumbers_every_mention(tmp_path: Path) -> None:
    n, out = _run("brat-export-ids", tmp_path)
    assert out.counts[".ann lines"] == n  # one T line per mention
    assert out.codes["I006"] >= 1  # the ids were renamed, and it says so


def test_brat_export_writes_every_event(tmp_path: Path) -> None:
    n, out = _run("brat-export-triggers", tmp_path)
    assert out.counts[".ann lines"] == 2 * n  # a T line and an E line per event


def test_brat_import_reads_every_event(tmp_path: Path) -> None:
    n, out = _run("brat-import-events", tmp_path)
    assert out.documents == 1
    assert out.counts["events"] == n
    assert "P999" not in out.codes


def test_brat_import_equiv_one_entity(tmp_path: Path) -> None:
    n, out = _run("brat-import-equiv", tmp_path)
    assert out.documents == 1
    assert out.counts["mentions"] == n
    assert out.counts["entities"] == 1


def test_xmi_import_reads_every_chain(tmp_path: Path) -> None:
    pytest.importorskip("cassis")
    n, out = _run("xmi-import-chains", tmp_path)
    assert out.documents == 1
    assert out.counts["mentions"] == n
    assert out.counts["entities"] == n


def test_conll_export_writes_every_token(tmp_path: Path) -> None:
    n, out = _run("conll-export-mentions", tmp_path)
    assert out.counts[".conll lines"] >= n


def test_labelstudio_one_document_per_annotation(tmp_path: Path) -> None:
    n, out = _run("labelstudio-copies", tmp_path)
    assert out.documents == n


def test_w3c_many_quotes_each_answered(tmp_path: Path) -> None:
    n, out = _run("w3c-many-quotes", tmp_path)
    # "a" between 300 a's occurs everywhere in a text of a's: no usable position for any.
    assert out.documents == 1
    assert out.codes["I005"] == n


def test_w3c_long_quote_answered(tmp_path: Path) -> None:
    _, out = _run("w3c-long-quote", tmp_path)
    assert out.documents == 1
    assert out.codes["I005"] == 1


@pytest.mark.parametrize("name", ["reanchor-reversed", "reanchor-shuffled", "reanchor-repeated"])
def test_reanchor_loses_no_span(name: str, tmp_path: Path) -> None:
    n, out = _run(name, tmp_path)
    mentions = (n + 49) // 50  # one on every 50th word
    assert out.counts["mentions"] == mentions
    # A mention either still covers its text in the new text or is flagged for a person.
    assert out.counts["covering"] + out.counts["flagged"] >= mentions
