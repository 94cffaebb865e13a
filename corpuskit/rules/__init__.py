"""The one registry of rules: every code corpuskit can report, family by family.

Families: P parse, S schema, O offsets, R references, C the corpus's annotation scheme,
L layout (off by default). Codes are stable: a code is never reused
for another check. Adding a rule means defining it in its family module and listing it there.
"""

from __future__ import annotations

from corpuskit.diagnostics import Rule
from corpuskit.rules import interop, layout, offsets, parse, references, schema
from corpuskit.rules import scheme as scheme_rules
from corpuskit.rules.base import Check, CheckInput

__all__ = ["CHECKS", "RULES", "Check", "CheckInput", "find_rule", "rules_page", "rules_table"]

FAMILIES = {
    "P": "parse",
    "S": "schema",
    "O": "offsets",
    "R": "references",
    "C": "scheme",
    "L": "layout",
    "I": "interop (import and export)",
}

RULES: tuple[Rule, ...] = (
    *parse.RULES,
    *schema.RULES,
    *offsets.RULES,
    *references.RULES,
    *scheme_rules.RULES,
    *layout.RULES,
    *interop.RULES,
)


def _index(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    by_code: dict[str, Rule] = {}
    names: set[str] = set()
    for rule in rules:
        if rule.code in by_code or rule.name in names:
            raise RuntimeError(f"duplicate rule code or name: {rule.code} {rule.name}")
        if rule.family not in FAMILIES:
            raise RuntimeError(f"rule {rule.code} is in no known family")
        by_code[rule.code] = rule
        names.add(rule.name)
    return by_code


#: The checks on the document model, in the order they run: each family module declares its
#: own (parse and schema problems are found by the formats while reading; layout is compared
#: with the canonical writer by the engine).
CHECKS: tuple[Check, ...] = (*offsets.CHECKS, *references.CHECKS, *scheme_rules.CHECKS)


#: Code -> rule; built once, checked for duplicate codes and names at import.
RULE_BY_CODE = _index(RULES)
RULE_BY_NAME = {rule.name: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    """A rule by its code (``O003``) or name (``span-text-mismatch``), case-insensitive code."""
    return RULE_BY_CODE.get(code_or_name.upper()) or RULE_BY_NAME.get(code_or_name)


def rules_table() -> str:
    """The rule list as a Markdown table (the README's)."""
    lines = ["| code | name | severity | checks |", "|---|---|---|---|"]
    lines += [f"| `{r.code}` | {r.name} | {r.severity.value} | {r.summary} |" for r in RULES]
    return "\n".join(lines) + "\n"


def rules_page() -> str:
    """The generated rules page (docs/rules.md): the table, then every rule's documentation."""
    out = [
        "# corpuskit rules",
        "",
        "Generated from the rule registry by `corpuskit rules --format docs`; do not edit by hand.",
        "",
        "Families: " + ", ".join(f"`{k}` {v}" for k, v in FAMILIES.items()) + ".",
        "",
        rules_table(),
    ]
    for rule in RULES:
        fixable = "yes" if rule.fixable else "no"
        out += [
            f"## {rule.code} {rule.name}",
            "",
            f"{rule.summary} Default severity: **{rule.severity.value}**. Fixable: {fixable}.",
            "",
            rule.doc,
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"
