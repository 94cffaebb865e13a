"""A short fixed-seed run of the fuzzer (benchmarks/fuzz.py) on every target, and the harness's
own promises: failures are caught, classified and saved; cases are reproducible."""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import msgspec.structs
import pytest

from conftest import ROOT
from corpuskit.engine import Settings, check_bytes
from corpuskit.fixer import FixOutcome, fix_bytes
from corpuskit.formats import json_format, xml_format, xml_typed
from corpuskit.model import Document, text_sha256
from corpuskit.reanchor import reanchor

sys.path.insert(0, str(ROOT / "benchmarks"))
import fuzz
import fuzz_documents
import fuzz_import_targets
import fuzz_mutations
import fuzz_targets

#: Cases per target in the quick run: all targets take about 15 s on a shared two-core machine.
QUICK_CASES = 100
QUICK_SEED = 20240601


@pytest.mark.parametrize("target", fuzz.TARGETS)
def test_quick_fuzz_run_finds_no_crash_hang_or_loss(target: str, tmp_path: Path) -> None:
    # Light: inputs scaled to thousands of annotations take seconds each; the long run has them.
    result = fuzz.run([target], QUICK_CASES, QUICK_SEED, save=tmp_path, heavy=False)
    assert result.tallies[target].cases == QUICK_CASES
    details = "\n".join(
        f"case {f.index}: {f.kind}: {f.summary} ({f.folder})" for f in result.failures
    )
    assert not result.failed, f"{len(result.failures)} failing cases:\n{details}"


def test_generated_documents_are_valid_in_both_formats() -> None:
    settings = Settings(discover_scheme=False)
    for i in range(100):
        doc = fuzz_documents.random_document(random.Random(i))
        for name, data in (("d.json", json_format.dumps(doc)), ("d.xml", xml_format.dumps(doc))):
            report = check_bytes(data.encode(), name, settings)
            assert fuzz.errors(report) == [], (i, name, report.diagnostics)


def _failing(case: fuzz.Case) -> str:
    case.keep("input.json", b'{"id": "x"}')
    kind = case.index % 4
    if kind == 0:
        raise KeyError("boom")
    if kind == 1:
        raise fuzz.DataLoss("mentions: 2 annotations before, 1 after")
    if kind == 2:
        raise fuzz.Broken("not idempotent")
    return "fine"


def test_failures_are_counted_by_kind_and_saved_with_a_replay_command(tmp_path: Path) -> None:
    result = fuzz.run(["validate"], 8, 7, save=tmp_path, functions={"validate": _failing})
    tally = result.tallies["validate"]
    assert (tally.cases, tally.crashes, tally.losses, tally.broken, tally.hangs) == (8, 2, 2, 2, 0)
    assert tally.outcomes == {"fine": 2}
    assert result.failed
    assert [f.index for f in result.failures] == [0, 1, 2, 4, 5, 6]
    crash = tmp_path / "validate-0"
    assert (crash / "input.json").read_bytes() == b'{"id": "x"}'
    report = (crash / "failure.txt").read_text()
    assert "KeyError: 'boom'" in report and "Traceback" in report
    assert "--seed 7 --targets validate --case 0" in report
    assert result.failures[0].signature.startswith("validate: crash: KeyError at test_fuzz.py:")


def _slow(case: fuzz.Case) -> str:
    if case.index == 1:
        while True:  # a pure-Python loop: only the alarm can stop it
            pass
    return "fast"


def test_a_case_over_the_time_bound_is_stopped_and_counted_as_a_hang() -> None:
    start = time.perf_counter()
    result = fuzz.run(["fix"], 3, 0, timeout=0.3, functions={"fix": _slow})
    assert time.perf_counter() - start < 5
    tally = result.tallies["fix"]
    assert (tally.cases, tally.hangs, tally.crashes) == (3, 1, 0)
    assert tally.outcomes == {"fast": 2}


def test_cases_are_reproducible_from_seed_target_and_index() -> None:
    drawn: dict[tuple[str, int], float] = {}

    def record(case: fuzz.Case) -> str:
        drawn[(case.target, case.index)] = case.rng.random()
        return "ok"

    functions = {"brat": record, "convert": record}
    fuzz.run(["brat", "convert"], 6, 3, functions=functions)
    first = dict(drawn)
    fuzz.run(["convert"], 0, 3, only=5, functions=functions)  # the replay of one case
    assert drawn[("convert", 5)] == first[("convert", 5)]
    fuzz.run(["brat", "convert"], 6, 4, functions=functions)
    assert drawn != first  # another seed, other cases


def test_the_same_seed_builds_the_same_inputs(tmp_path: Path) -> None:
    built: list[dict[str, bytes]] = []

    def keep_inputs(case: fuzz.Case) -> str:
        outcome = fuzz_import_targets.target_brat(case)
        built.append(dict(case.inputs))
        return outcome

    for _ in range(2):
        fuzz.run(["brat"], 5, 11, functions={"brat": keep_inputs})
    assert built[:5] == built[5:] and len({repr(b) for b in built[:5]}) == 5


def test_the_command_line_prints_the_figures_and_fails_on_unknown_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = fuzz.main(
        ["--cases", "4", "--seed", "1", "--targets", "convert", "--save", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert "target" in out and "crashes" in out and "hangs" in out and "losses" in out
    assert "4 cases in" in out and "(seed 1)" in out
    assert code == (1 if "failures saved" in out else 0)
    with pytest.raises(SystemExit) as exited:
        fuzz.main(["--targets", "validate,nonsense"])
    assert exited.value.code == 2


# The checks themselves: a planted defect must be caught.


def test_a_fix_that_drops_an_annotation_is_data_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    def lossy(data: bytes, name: str, *args: Any, **kwargs: Any) -> FixOutcome:
        outcome = fix_bytes(data, name, *args, **kwargs)
        if outcome.fixed_text is None or not name.endswith(".json"):
            return outcome
        record = json.loads(outcome.fixed_text)
        record["mentions"] = record["mentions"][:-1]
        return dataclasses.replace(outcome, fixed_text=json_format.dumps_record(record))

    monkeypatch.setattr(fuzz_targets, "fix_bytes", lossy)
    result = fuzz.run(["fix"], 40, QUICK_SEED, heavy=False)
    assert result.tallies["fix"].losses > 0
    assert all(f.kind == "data loss" for f in result.failures)


def test_a_reanchor_that_drops_an_annotation_is_data_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    def lossy(doc: Document, *args: Any) -> Any:
        moved, listed = reanchor(doc, *args)
        return msgspec.structs.replace(moved, claims=moved.claims[:-1]), listed

    monkeypatch.setattr(fuzz_targets, "reanchor", lossy)
    result = fuzz.run(["reanchor"], 40, QUICK_SEED, heavy=False)
    assert result.tallies["reanchor"].losses > 0


def test_a_conversion_that_drops_attributes_is_data_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    dumps = xml_format.dumps
    monkeypatch.setattr(
        xml_format, "dumps", lambda doc: dumps(msgspec.structs.replace(doc, attributes=()))
    )
    result = fuzz.run(["convert"], 40, QUICK_SEED, heavy=False)
    assert result.tallies["convert"].losses > 0


def test_work_growing_faster_than_its_input_is_a_hang() -> None:
    # Sleeps stand in for work: linear passes; cubic (16 ms -> 1 s) is superlinear beyond any
    # scheduling noise of a busy machine.
    linear = fuzz.Case("validate", 0, random.Random(0))
    assert fuzz_targets.scaling(linear, lambda n: time.sleep(n / 5_000)) == "scaled"
    cubic = fuzz.Case("validate", 0, random.Random(0))
    with pytest.raises(fuzz.Hang, match="superlinear"):
        fuzz_targets.scaling(cubic, lambda n: time.sleep(n**3 / 1e9))


def test_scaled_cases_of_every_scaling_target_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzz_targets, "HEAVY_RATE", 1.0)
    monkeypatch.setattr(fuzz_targets, "SMALL", 20)
    for target in ("validate", "brat", "w3c"):
        result = fuzz.run([target], 3, QUICK_SEED)
        assert not result.failed, result.failures
        assert result.tallies[target].outcomes["scaled"] > 0, result.tallies[target]


# Canonical XML one or two edits away (mutate_canonical_xml): the XML layout reader's cases.


def test_canonical_xml_without_references_stays_on_the_layout_path() -> None:
    for i in range(30):
        rng = random.Random(i)
        data = fuzz_mutations.without_references(fuzz_targets.canonical_xml(rng))
        assert b"&" not in data
        document = xml_typed._canonical(data)
        assert document is not None, i
        assert document.text_sha256 == text_sha256(document.text)


def test_canonical_xml_mutations_stay_near_the_layout() -> None:
    read = changed = 0
    for i in range(300):
        rng = random.Random(i)
        seed = fuzz_targets.canonical_xml(rng)
        mutated = fuzz_mutations.mutate_canonical_xml(seed, rng)
        changed += mutated != fuzz_mutations.without_references(seed)
        read += xml_typed._canonical(mutated) is not None
    assert changed > 280  # one or two edits: (nearly) never none
    assert read > 6  # a share still read by the layout reader (about 5 %)


def test_a_layout_reader_taking_gt_for_markup_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The defect an adversarial review found (fixed in cf983c7): "&gt;" replaced by ">" before
    # the layout's regexes, so "<mention ...&gt;" read as a start tag.
    canonical = xml_typed._canonical
    monkeypatch.setattr(
        xml_typed, "_canonical", lambda data: canonical(data.replace(b"&gt;", b">"))
    )
    caught = []
    for i in range(400):
        rng = random.Random(i)
        data = fuzz_mutations.mutate_canonical_xml(fuzz_targets.canonical_xml(rng), rng)
        try:
            fuzz_targets.typed_agrees(data, "xml")
        except fuzz.Broken as exc:
            caught.append(str(exc))
    assert caught and all(c.startswith("the layout reader accepted") for c in caught)
    # The validate target draws these cases too.
    monkeypatch.setattr(fuzz_targets, "CANONICAL_SHARE", 1.0)
    result = fuzz.run(["validate"], 150, QUICK_SEED, heavy=False)
    assert result.tallies["validate"].broken > 0
