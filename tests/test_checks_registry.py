"""The registry's checks run only when one of their rules is enabled."""

from __future__ import annotations

import pytest

from conftest import CORPUS, POSITIVE
from corpuskit import engine, rules
from corpuskit.engine import Settings
from corpuskit.rules import CHECKS, RULES
from corpuskit.scheme import load_scheme


def test_every_model_rule_belongs_to_exactly_one_check() -> None:
    owned = [rule.code for check in CHECKS for rule in check.rules]
    assert len(owned) == len(set(owned))
    families = {rule.family for check in CHECKS for rule in check.rules}
    assert families == {"O", "R", "C"}
    assert {r.code for r in RULES if r.family in "ORC"} - set(owned) == {"O008", "R005"}


@pytest.mark.parametrize("select", ["R", "R001"])
def test_a_deselected_check_does_not_run(monkeypatch: pytest.MonkeyPatch, select: str) -> None:
    def boom(given: object) -> list[object]:
        raise ZeroDivisionError("the span check ran")

    offsets = next(c for c in CHECKS if c.name == "spans")
    patched = tuple(
        rules.Check(c.name, c.rules, boom, c.needs_scheme, c.applies) if c is offsets else c
        for c in CHECKS
    )
    monkeypatch.setattr(engine, "CHECKS", patched)
    data = (POSITIVE / "minimal.json").read_bytes()
    report = engine.check_bytes(data, "minimal.json", Settings(select=frozenset({select})))
    assert report.diagnostics == ()
    with pytest.raises(ZeroDivisionError):
        engine.check_bytes(data, "minimal.json", Settings())


SETTINGS = [
    Settings(),
    Settings(select=frozenset({"O"})),
    Settings(ignore=frozenset({"C013"})),
    Settings(select=frozenset({"O102", "C013", "R"})),
    Settings(extend_select=frozenset({"L001"}), ignore=frozenset({"O", "R101"})),
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_the_plan_made_once_per_settings_runs_what_its_rules_ask(settings: Settings) -> None:
    # check_bytes plans the checks once per settings; any other ``wanted`` is planned per
    # document: the two agree, on the checks and on the superseding rules.
    def asked(rule: rules.Rule) -> bool:
        return settings.wants(rule, settings.ignore)

    assert engine._wanted(settings, settings.ignore).plan == engine._plan(asked)
    data = (CORPUS / "iran-russia-missiles.json").read_bytes()
    # "Ira" of "Iran": O102, which C013 supersedes under the scheme's word_boundaries.
    split = data.replace(
        b'"start": 0, "end": 4, "text": "Iran"', b'"start": 0, "end": 3, "text": "Ira"', 1
    )
    assert split != data
    scheme = load_scheme(CORPUS / "scheme.toml")
    for doc in (data, split):
        planned = engine.find_problems(
            doc, "json", scheme, engine._wanted(settings, settings.ignore)
        )
        assert planned.findings == engine.find_problems(doc, "json", scheme, asked).findings
    codes = [f.rule.code for f in engine.find_problems(split, "json", scheme, asked).findings]
    if asked(rules.RULE_BY_CODE["C013"]):
        assert "C013" in codes and "O102" not in codes
