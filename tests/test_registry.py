"""The rule registry: unique codes, documented rules, an example for every code."""

from __future__ import annotations

import re

import pytest

from conftest import expected_negatives
from corpuskit.diagnostics import Rule
from corpuskit.rules import FAMILIES, RULES, _index

# Codes that no example file can trigger: an unreadable path is tested through the CLI, and
# an internal error is a bug (tested with an injected failure).
# C013 needs a scheme with word_boundaries = true, which would turn the O102 example into C013:
# it is tested on a copy of the corpus (tests/test_scheme.py).
# L001 is off by default: tested with --select in test_layout_rule_is_off_unless_selected.
# P009 needs a file above the size limit: tested with a small max-file-size in test_bad_corpus.
# I codes are reported by import/export, not validate: tests/test_interop_*.py covers them.
# P010 needs a link out of the project or a special file: tests/test_gate.py makes them.
NO_EXAMPLE = {"P000", "P009", "P010", "P999", "C013", "L001"} | {
    r.code for r in RULES if r.family == "I"
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_well_formed_and_documented(rule: Rule) -> None:
    assert re.fullmatch(r"[A-Z]\d{3}", rule.code)
    assert rule.family in FAMILIES
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary.endswith(".")
    assert "Fails:" in rule.doc and "Passes:" in rule.doc


def test_every_code_has_a_negative_example() -> None:
    covered = {code for code, _, _ in expected_negatives().values()}
    assert covered == {r.code for r in RULES} - NO_EXAMPLE


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(RuntimeError, match="duplicate"):
        _index((RULES[0], RULES[0]))


def test_an_internal_error_is_a_diagnostic_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from conftest import POSITIVE
    from corpuskit import engine
    from corpuskit.rules import offsets

    def boom(doc: object) -> None:
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(offsets, "survey", boom)
    report = engine.check_file(POSITIVE / "minimal.json")
    assert report.unreadable
    assert [d.code for d in report.diagnostics] == ["P999"]
    assert "ZeroDivisionError: injected" in report.diagnostics[0].message


def test_readme_rule_table_matches_the_registry() -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| `([A-Z]\d{3})` \| ([a-z-]+) \| (error|warning) \|", readme, re.M)
    assert rows == [(r.code, r.name, r.severity.value) for r in RULES]


def test_layout_rule_is_off_unless_selected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from conftest import CORPUS, run_cli

    record = json.loads((CORPUS / "iran-russia-missiles.json").read_text("utf-8"))
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(record, indent=4, ensure_ascii=False) + "\n", "utf-8")
    assert run_cli("validate", "--no-cache", str(pretty)).returncode == 0
    selected = run_cli(
        "validate", "--no-cache", "--select", "L", "--format", "concise", str(pretty)
    )
    assert selected.returncode == 0  # a warning
    assert selected.stdout.startswith(f"{pretty}:2:1: L001 the file is not in the canonical layout")
    assert run_cli("fix", str(pretty)).returncode == 0
    assert pretty.read_text("utf-8") == (CORPUS / "iran-russia-missiles.json").read_text("utf-8")
