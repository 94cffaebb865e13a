"""Baselines as a library: the stable message, and a written baseline read back (hypothesis).

The CLI cases of issue 16 (a different dangling reference, a new problem before a recorded one)
are in tests/test_cli_conventions.py; here the properties behind them.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.baseline import Baseline, stable_message, write_baseline
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport

IDS = st.from_regex(r"[a-z]{1,3}[0-9]{0,3}", fullmatch=True)
NUMBERS = st.integers(min_value=0, max_value=10**6)


def _r002(ref: str, owner: str) -> str:
    return f'argument "agent" "{ref}" of event "{owner}" names no annotation'


def _o003(covered: str, start: int, found: str) -> str:
    end = start + len(covered)
    return f'covered text "{covered}" does not match the text at [{start}, {end}): "{found}"'


@given(ref=IDS, owner=IDS, a=NUMBERS, b=NUMBERS)
def test_numbers_outside_quotes_do_not_count(ref: str, owner: str, a: int, b: int) -> None:
    assert stable_message(f"mention #{a} has no id") == stable_message(f"mention #{b} has no id")
    assert stable_message(_o003(ref, a, "x y")) == stable_message(_o003(ref, b, "z"))


@given(ref=IDS, other=IDS, owner=IDS)
def test_quoted_ids_count(ref: str, other: str, owner: str) -> None:
    same = stable_message(_r002(ref, owner)) == stable_message(_r002(other, owner))
    assert same == (ref == other)


def test_a_scheme_location_does_not_count() -> None:
    here = 'event type "x" is not declared in the scheme ([events] in corpus/scheme.toml:12)'
    there = 'event type "x" is not declared in the scheme ([events] in ../corpus/scheme.toml:14)'
    assert stable_message(here) == stable_message(there)


def _diagnostic(message: str, annotation: str | None, code: str = "R002") -> Diagnostic:
    return Diagnostic(
        path="d.json",
        line=1,
        column=1,
        code=code,
        name="x",
        severity=Severity.ERROR,
        message=message,
        annotation_id=annotation,
    )


PROBLEMS = st.lists(
    st.tuples(IDS, st.sampled_from(["ev1", "ev2", None]), st.sampled_from(["R002", "R003"])),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(problems=PROBLEMS, extra=IDS)
def test_a_written_baseline_hides_exactly_what_it_recorded(
    problems: list[tuple[str, str | None, str]], extra: str
) -> None:
    import tempfile

    diagnostics = tuple(
        _diagnostic(_r002(ref, owner or "-"), owner, code) for ref, owner, code in problems
    )
    report = FileReport("d.json", diagnostics)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "b.json"
        assert write_baseline(target, [report], lambda p: p) == len(diagnostics)
        kept, hidden = Baseline.load(target, Path(folder)).filter(report, "d.json")
        assert kept.diagnostics == () and hidden == len(diagnostics)
        # One more problem, unlike every recorded one: it alone is reported.
        recorded = {ref for ref, _, _ in problems}
        if extra not in recorded:
            new = _diagnostic(_r002(extra, "ev1"), "ev1")
            baseline = Baseline.load(target, Path(folder))
            grown = FileReport("d.json", (new, *diagnostics))
            kept, hidden = baseline.filter(grown, "d.json")
            assert kept.diagnostics == (new,) and hidden == len(diagnostics)
            assert baseline.unmatched() == 0
