"""A reference never stands where the canonical layout has markup (xml_typed._Layout).

The layout reader once replaced every "&gt;" and "&amp;" in a file before its regexes ran, so
an "&gt;" standing where the writer puts the ">" that ends a tag (or the declaration) read as
that ">": a file that is not well-formed XML (the full path reports P006) passed as valid, and
the engine skipped both schemas for it (found by an adversarial review, 78,000 mutations). A
file holding any "&" now goes to the parse and the walk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuskit.engine import strict_document
from corpuskit.formats import xml_typed

MINIMAL = (Path(__file__).resolve().parent / "examples" / "positive" / "minimal.xml").read_text(
    "utf-8"
)

# (what the writer wrote, the same with its markup ">" written as "&gt;")
CASES = {
    "start tag": ('<mention id="m1" type="GPE">', '<mention id="m1" type="GPE"&gt;'),
    "empty-element tag": ('value="actual"/>', 'value="actual"/&gt;'),
    "end tag": ("</document>", "</document&gt;"),
    "declaration": ('encoding="UTF-8"?>', 'encoding="UTF-8"?&gt;'),
}


@pytest.mark.parametrize("old,new", CASES.values(), ids=list(CASES))
def test_gt_reference_in_markup_is_not_taken_for_markup(old: str, new: str) -> None:
    assert old in MINIMAL
    data = MINIMAL.replace(old, new, 1).encode("utf-8")
    assert strict_document(data, "xml") is None  # not well-formed: P006 in the full path
    assert xml_typed.decode(data) is None, "the layout reader accepted a malformed file"
