"""Checks annotators expect, through the CLI: C014 entity/mention types, R102 duplicate mentions,
C015 cues covering their speaker, and C007's hint (a fresh id and the allowed values)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec.structs
import pytest

from conftest import run_cli
from corpuskit.formats import json_format
from corpuskit.model import (
    Attribute,
    Document,
    Entity,
    Event,
    Fragment,
    Mention,
    Metadata,
    Quote,
    text_sha256,
)

TEXT = "Acme Corp and Paris: the city said it would act. Jane said so, he said."

SCHEME = """\
[scheme]
name = "annotator-checks"
version = "1.0"

[policies]
{policies}

[types.PER]
description = "A person."

[types.ORG]
description = "An organisation."

[types.COMPANY]
description = "A business."
parent = "ORG"

[types.GPE]
description = "A country or city."

[types.CITY]
description = "A city."
parent = "GPE"

[types.AGENT]
description = "Who can act."
union = ["PER", "ORG", "GPE"]

[events.act]
description = "Someone acts."

[attributes.realis]
description = "Whether it happened."
on = ["events"]
values = ["actual", "future"]
required = true

[attributes.negated]
description = "Whether it is negated."
on = ["events"]
datatype = "boolean"
required = {negated_required}
"""


def span(needle: str, nth: int = 1) -> tuple[Fragment, ...]:
    """A one-fragment span on the nth occurrence of needle in TEXT, as whole words."""
    found = list(re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", TEXT))[nth - 1]
    return (Fragment(found.start(), found.end(), needle),)


def document(**changes: Any) -> Document:
    """A valid document over TEXT, with fields replaced."""
    doc = Document(
        id="checks",
        meta=Metadata(title="Annotator checks", language="en"),
        text=TEXT,
        text_sha256=text_sha256(TEXT),
        mentions=(
            Mention("m1", "COMPANY", span("Acme Corp")),
            Mention("m2", "CITY", span("Paris")),
            Mention("m3", "GPE", span("the city")),
            Mention("m4", "PER", span("Jane")),
            Mention("m5", "PER", span("he")),
        ),
        entities=(Entity("e1", "CITY", ("m2", "m3")), Entity("e2", "PER", ("m4", "m5"))),
        events=(Event("ev1", "act", span("act")),),
        attributes=(Attribute("a1", "ev1", "realis", "actual"),),
    )
    return msgspec.structs.replace(doc, **changes)


def check(
    tmp_path: Path,
    doc: Document,
    *,
    policies: str = "",
    negated_required: bool = False,
    extra: tuple[str, ...] = (),
) -> tuple[int, list[dict[str, Any]]]:
    """Validate ``doc`` under the test scheme; (exit code, diagnostics of the JSON report)."""
    (tmp_path / "scheme.toml").write_text(
        SCHEME.format(policies=policies, negated_required=str(negated_required).lower()), "utf-8"
    )
    (tmp_path / "corpuskit.toml").write_text('scheme = "scheme.toml"\n', "utf-8")
    (tmp_path / "doc.json").write_text(json_format.dumps(doc), "utf-8")
    result = run_cli("validate", "--no-cache", "--format", "json", *extra, "doc.json", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)["diagnostics"]


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return [d["code"] for d in diagnostics]


# ---------------------------------------------------------------- C014 entity-mention-type


def test_an_entity_accepts_subtypes_and_parents_of_its_type_and_nothing_else(
    tmp_path: Path,
) -> None:
    assert check(tmp_path, document()) == (0, [])  # a CITY entity with a CITY and a GPE mention
    for entity_type, mention_type in (("ORG", "COMPANY"), ("COMPANY", "ORG"), ("GPE", "CITY")):
        doc = document(
            mentions=(Mention("m1", mention_type, span("Acme Corp")), *document().mentions[1:]),
            entities=(Entity("e0", entity_type, ("m1",)), *document().entities),
        )
        assert check(tmp_path, doc) == (0, []), (entity_type, mention_type)
    # PER and GPE are both members of the union AGENT, but neither is the other.
    doc = document(
        entities=(Entity("e1", "CITY", ("m2", "m3", "m4")), Entity("e2", "PER", ("m5",)))
    )
    code, found = check(tmp_path, doc)
    assert code == 1
    assert codes(found) == ["C014"]
    (d,) = found
    assert d["pointer"] == "/entities/0/mentions/2" and d["annotation_id"] == "e1"
    assert d["message"].startswith(
        'mention "m4" of entity "e1" is of type PER, which is neither CITY, a subtype or parent '
        "of it, nor a union containing it (CITY is declared at scheme.toml:"
    )
    assert d["hint"] == 'remove "m4" from the entity, or correct the type of one of them'


def test_c014_leaves_union_and_unknown_types_to_c001_and_needs_a_scheme(tmp_path: Path) -> None:
    doc = document(
        entities=(
            Entity("e1", "AGENT", ("m2", "m4")),
            Entity("e2", "NOPE", ("m5",)),
            Entity("e3", "COMPANY", ("m3",)),
        )
    )
    code, found = check(tmp_path, doc)
    assert code == 1
    assert codes(found) == ["C001", "C001", "C014"]
    (tmp_path / "corpuskit.toml").unlink()
    result = run_cli("validate", "--no-cache", "--format", "concise", "doc.json", cwd=tmp_path)
    assert result.returncode == 0 and "C0" not in result.stdout, result.stdout


# ---------------------------------------------------------------- R102 duplicate-mention


def test_two_mentions_with_the_same_span_and_type_are_a_warning(tmp_path: Path) -> None:
    doc = document(mentions=(*document().mentions, Mention("m9", "PER", span("Jane"))))
    code, found = check(tmp_path, doc)
    assert code == 0  # a warning
    assert codes(found) == ["R102"]
    (d,) = found
    assert d["severity"] == "warning" and d["pointer"] == "/mentions/5"
    assert d["message"] == 'mention "m9" repeats mention "m4": same type PER and span "Jane"'
    assert d["hint"] == 'remove "m9" and point its references to "m4"'
    assert check(tmp_path, doc, extra=("--strict",))[0] == 1


def test_a_repeated_discontinuous_span_is_a_duplicate_but_another_type_or_end_is_not(
    tmp_path: Path,
) -> None:
    pieces = (*span("Acme"), *span("Paris"))
    jane = span("Jane")[0]
    doc = document(
        mentions=(
            *document().mentions,
            Mention("m7", "COMPANY", span("Jane")),  # another type on the same span
            Mention("m8", "PER", (Fragment(jane.start, jane.end + 5, "Jane said"),)),
            Mention("m9", "ORG", pieces),
            Mention("m10", "ORG", pieces),
        )
    )
    found = check(tmp_path, doc)[1]
    assert [(d["code"], d["annotation_id"]) for d in found] == [("R102", "m10")]


# ---------------------------------------------------------------- C015 cue-contains-speaker

POLICY = "cue_excludes_speaker = true"


def quoted(speaker: str, cue: str, nth: int = 1) -> Document:
    return document(
        quotes=(Quote("q1", span("it would act"), "indirect", speaker, span(cue, nth)),)
    )


def test_a_cue_holding_a_mention_of_the_speaker_entity_is_c015(tmp_path: Path) -> None:
    assert check(tmp_path, quoted("e2", "he said")) == (0, [])  # only under the policy
    code, found = check(tmp_path, quoted("e2", "he said"), policies=POLICY)
    assert code == 1
    assert codes(found) == ["C015"]
    (d,) = found
    assert d["pointer"] == "/quotes/0/cue/0"
    assert d["message"].startswith(
        'cue "he said" of quote "q1" contains its speaker "e2" (its mention "m5"), "he"; '
    )
    assert d["message"].endswith("scheme.toml:6 sets cue_excludes_speaker = true")


def test_a_cue_holding_the_speaker_mention_itself_is_c015(tmp_path: Path) -> None:
    found = check(tmp_path, quoted("m4", "Jane said"), policies=POLICY)[1]
    assert [d["message"].split(";")[0] for d in found] == [
        'cue "Jane said" of quote "q1" contains its speaker "m4", "Jane"'
    ]


def test_a_cue_overlapping_the_speaker_is_c015(tmp_path: Path) -> None:
    cue = (Fragment(TEXT.index("ne said"), TEXT.index("ne said") + 7, "ne said"),)
    doc = document(quotes=(Quote("q1", span("it would act"), "indirect", "m4", cue),))
    found = [d for d in check(tmp_path, doc, policies=POLICY)[1] if d["code"] != "O102"]
    assert codes(found) == ["C015"]
    assert " overlaps its speaker " in found[0]["message"]


@pytest.mark.parametrize(
    ("speaker", "cue", "nth"), [("e2", "said", 2), ("e1", "said", 1), ("m4", "said", 1)]
)
def test_a_cue_without_its_speaker_passes(tmp_path: Path, speaker: str, cue: str, nth: int) -> None:
    assert check(tmp_path, quoted(speaker, cue, nth), policies=POLICY) == (0, [])


def test_a_policy_that_is_not_a_boolean_is_a_scheme_error(tmp_path: Path) -> None:
    (tmp_path / "scheme.toml").write_text(
        SCHEME.format(policies='cue_excludes_speaker = "yes"', negated_required="false"), "utf-8"
    )
    (tmp_path / "doc.json").write_text(json_format.dumps(document()), "utf-8")
    result = run_cli("validate", "--no-cache", "--scheme", "scheme.toml", "doc.json", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        'scheme.toml:6:1: invalid scheme at policies.cue_excludes_speaker: "yes" is not of type '
        '"boolean"' in result.stderr
    )


# ---------------------------------------------------------------- C007's hint


def test_c007_hints_give_distinct_fresh_ids_and_the_allowed_values(tmp_path: Path) -> None:
    events = (Event("ev1", "act", span("act")), Event("ev2", "act", span("said", 1)))
    doc = document(
        events=(*events, Event("ev3", "act", span("said", 2))),
        # a7 is referenced (dangling): a fresh id must not take it either.
        attributes=(
            Attribute("a1", "ev1", "realis", "actual"),
            Attribute("a6", "ev1", "negated", False),
        ),
        quotes=(Quote("q1", span("it would act"), "indirect", "a7"),),
    )
    code, found = check(tmp_path, doc, negated_required=True)
    assert code == 1
    missing = [d for d in found if d["code"] == "C007"]
    assert [d["annotation_id"] for d in missing] == ["ev2", "ev2", "ev3", "ev3"]
    # Ids follow document order (ev2's realis, ev2's negated, ev3's ...); the report sorts by
    # message, so "negated" comes first at each event.
    assert [d["hint"] for d in missing] == [
        'add {"id": "a9", "target": "ev2", "name": "negated", "value": ...} to "attributes"; '
        "the value is a boolean",
        'add {"id": "a8", "target": "ev2", "name": "realis", "value": ...} to "attributes"; '
        'allowed values: "actual", "future"',
        'add {"id": "a11", "target": "ev3", "name": "negated", "value": ...} to "attributes"; '
        "the value is a boolean",
        'add {"id": "a10", "target": "ev3", "name": "realis", "value": ...} to "attributes"; '
        'allowed values: "actual", "future"',
    ]
