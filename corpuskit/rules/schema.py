"""Schema rules (family S), found by the formats while reading: defined with them, in
:mod:`corpuskit.formats.schema_rules`, so that imports run one way."""

from corpuskit.formats.schema_rules import (
    INVALID_VALUE,
    MISSING_PROPERTY,
    RULES,
    UNKNOWN_PROPERTY,
    WRONG_TYPE,
)

__all__ = ["INVALID_VALUE", "MISSING_PROPERTY", "RULES", "UNKNOWN_PROPERTY", "WRONG_TYPE"]
