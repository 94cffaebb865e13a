"""Layout rules (family L): the file is not written in the canonical layout.

Off by default (select ``L`` or ``L001`` to report it); ``corpuskit fix`` always writes the
canonical layout, so it turns the rule on.
"""

from __future__ import annotations

from corpuskit.diagnostics import Finding, Rule, Severity
from corpuskit.fixes import Fix

NOT_CANONICAL = Rule(
    "L001",
    "non-canonical-layout",
    Severity.WARNING,
    "The file is not in the canonical layout corpuskit writes.",
    """The canonical layout (two-space indent, keys in a fixed order, one annotation per line,
empty optional fields left out) makes every annotation change a one-line diff. This rule is off
unless selected; `corpuskit fix` rewrites files in the canonical layout.

Fails: a document whose mentions are spread over several lines each.
Passes: the same document as `corpuskit convert --to json` writes it.""",
    fixable=True,
    default=False,
)

RULES = (NOT_CANONICAL,)


def check(source: str, canonical: str) -> Finding | None:
    """A finding when ``source`` differs from its canonical rewrite, at the first differing line."""
    # Line ends (CRLF or LF) and a missing final newline are the file's own conventions, which
    # fix keeps: they do not make a file non-canonical.
    source = source.replace("\r\n", "\n")
    if source == canonical or source + "\n" == canonical:
        return None
    got, want = source.splitlines(), canonical.splitlines()
    line = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
        min(len(got), len(want)),
    )
    return Finding(
        NOT_CANONICAL,
        "the file is not in the canonical layout",
        position=(line + 1, 1),
        hint="corpuskit fix rewrites it (the content stays the same)",
        fix=Fix("rewrite in the canonical layout", ()),
    )
