"""The registry's checks run only when one of their rules is enabled."""

from __future__ import annotations

import pytest

from conftest import POSITIVE
from corpuskit import engine, rules
from corpuskit.engine import Settings
from corpuskit.rules import CHECKS, RULES


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
