"""Schema rules (family S): the document does not have the shape the published schemas describe.

Defined in the formats layer, which checks the shape while reading (the registry lists them
through ``corpuskit.rules.schema``), in a module of their own: the registry is built in every
run, the JSON-Schema helpers of :mod:`corpuskit.formats.schema` only for a document the typed
decode refuses.
"""

from __future__ import annotations

from corpuskit.diagnostics import Rule, Severity

E = Severity.ERROR

MISSING_PROPERTY = Rule(
    "S001",
    "missing-property",
    E,
    "A required field or element is missing.",
    """Every document needs `corpuskit`, `id`, `meta` (with `title` and `language`),
`offset_unit`, `text` and `text_sha256`; every annotation needs its `id` and the fields of its
kind (a mention its `type` and `span`, a fragment its `start`, `end` and `text` ...).

Fails: `{"id": "m1", "type": "PER"}` (a mention without `span`)
Passes: `{"id": "m1", "type": "PER", "span": [{"start": 0, "end": 4, "text": "Iran"}]}`""",
    fixable=True,
)
UNKNOWN_PROPERTY = Rule(
    "S002",
    "unknown-property",
    E,
    "A field or element the schema does not define.",
    """Unknown fields are rejected so that a typo (`"spna"`) is not silently ignored. The message
suggests the nearest known name. Free text belongs in a `note`.

Fails: `{"id": "m1", "type": "PER", "spna": [...]}`
Passes: `{"id": "m1", "type": "PER", "span": [...]}`""",
)
WRONG_TYPE = Rule(
    "S003",
    "wrong-type",
    E,
    "A value has the wrong JSON type (a string where a number is expected ...).",
    """Offsets are integers, ids and types are strings, spans are lists of fragments.

Fails: `{"start": "12", "end": 16, "text": "Iran"}`
Passes: `{"start": 12, "end": 16, "text": "Iran"}`""",
)
INVALID_VALUE = Rule(
    "S004",
    "invalid-value",
    E,
    "A value is of the right type but not allowed (pattern, enumeration, range, format).",
    """Ids match `[A-Za-z_][A-Za-z0-9_.-]*`; `offset_unit` is `codepoint`; a quote's `mode` is
`direct` or `indirect`; offsets are >= 0; a span has at least one fragment; `published` is a
real date (YYYY-MM-DD); `language` is a BCP 47 tag.

Fails: `"offset_unit": "utf16"`, `"id": "m 1"`, `"published": "2024-02-30"`
Passes: `"offset_unit": "codepoint"`, `"id": "m1"`, `"published": "2024-02-29"`""",
)

RULES = (MISSING_PROPERTY, UNKNOWN_PROPERTY, WRONG_TYPE, INVALID_VALUE)
