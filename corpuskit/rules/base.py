"""What a check of the document model is given and declares: the registry's building blocks.

A module of its own so that the family modules can share per-document facts (the fragment
survey, the id -> type table) through the input without importing the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from corpuskit.diagnostics import Finding, Rule
from corpuskit.model import Document
from corpuskit.scheme import Scheme


class CheckInput(msgspec.Struct, frozen=True):
    """What a check of a readable, schema-valid document may use."""

    document: Document
    #: The annotation scheme in force, if any.
    scheme: Scheme | None
    #: Ids of annotations left out of the model (they failed the schema) -> their kind.
    skipped_ids: Mapping[str, str]
    #: Facts about the document worked out once and shared by the checks that need them
    #: (see :func:`shared`).
    memo: dict[str, Any] = msgspec.field(default_factory=dict)


#: Memo key: the annotations' ids, types and references kind by kind, as the typed JSON decode
#: listed them (corpuskit.formats.typed.Parts); absent for any other reading.
PARTS = "parts"


def shared(given: CheckInput, name: str, make: Callable[[Document], Any]) -> Any:
    """``make(document)``, computed once per document whichever check asks first."""
    found = given.memo.get(name)
    if found is None:
        found = given.memo[name] = make(given.document)
    return found


def _always(rule: Rule, given: CheckInput) -> bool:
    return True


class Check(msgspec.Struct, frozen=True):
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
    applies: Callable[[Rule, CheckInput], bool] = _always
