"""The typed decodes' contract, asserted: whatever one accepts, the full path accepts too, as
the same model (tests/test_typed.py, tests/test_xml_typed.py; the fuzzer checks the same)."""

from __future__ import annotations

from corpuskit.engine import strict_document
from corpuskit.formats import typed, xml_typed
from corpuskit.model import Document


def agree(data: bytes, fmt: str = "json") -> Document | None:
    """Assert the agreement for one input; the typed result."""
    fast = (typed.decode if fmt == "json" else xml_typed.decode)(data)
    if fast is not None:
        slow = strict_document(data, fmt)
        assert slow is not None, "the typed decode accepted what the full path refuses"
        assert fast == slow, "the typed decode built another model than the full path"
    return fast
