"""The one registry of rules: every code corpuskit can report, family by family.

Families: P parse, S schema, O offsets, R references, C the corpus's annotation scheme,
L layout (off by default). Codes are stable: a code is never reused
for another check. Adding a rule means defining it in its family module and listing it there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from corpuskit.diagnostics import Finding, Rule
from corpuskit.model import Document
from corpuskit.rules import interop, layout, offsets, parse, references, schema
from corpuskit.rules import scheme as scheme_rules
from corpuskit.scheme import Scheme

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


@dataclass(frozen=True, slots=True)
class CheckInput:
    """What a check of a readable, schema-valid document may use."""

    document: Document
    #: The annotation scheme in force, if any.
    scheme: Scheme | None
    #: Ids of annotations left out of the model (they failed the schema) -> their kind.
    skipped_ids: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Check:
    """A check on the document model: the rules it may report, and how to run it.

    The engine runs a check only when one of its rules is enabled (and, for a check that
    ``needs_scheme``, when a scheme is in force), so ``--select R`` runs the reference checks
    alone and a failure in a check whose rules are all ignored cannot affect the run.
    """

    name: str
    rules: tuple[Rule, ...]
    run: Callable[[CheckInput], Iterable[Finding]]
    needs_scheme: bool = False
    #: Rules among ``rules`` that apply to this input (default: all); a superseding rule
    #: supersedes only where it applies.
    applies: Callable[[Rule, CheckInput], bool] = lambda rule, given: True


def _word_boundaries_apply(rule: Rule, given: CheckInput) -> bool:
    # C013 exists only under the word_boundaries policy; every other scheme rule always applies.
    if rule is scheme_rules.WORD_BOUNDARY:
        return given.scheme is not None and given.scheme.word_boundaries
    return True


#: The checks on the document model, in the order they run (parse and schema problems are found
#: by the formats while reading; layout is compared with the canonical writer by the engine).
CHECKS: tuple[Check, ...] = (
    Check("offsets", offsets.MODEL_RULES, lambda given: offsets.check(given.document)),
    Check(
        "references",
        references.MODEL_RULES,
        lambda given: references.check(given.document, given.skipped_ids),
    ),
    Check(
        "scheme",
        scheme_rules.RULES,
        lambda given: (
            scheme_rules.check(given.document, given.scheme) if given.scheme is not None else ()
        ),
        needs_scheme=True,
        applies=_word_boundaries_apply,
    ),
)


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
