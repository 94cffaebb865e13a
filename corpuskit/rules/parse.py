"""Parse rules (family P), raised by the formats while reading: defined with them, in
:mod:`corpuskit.formats.problems`, so that imports run one way (formats never import rules)."""

from corpuskit.formats.problems import (
    BOM,
    DUPLICATE_KEY,
    ENCODING,
    INTERNAL_ERROR,
    JSON_SYNTAX,
    NON_FINITE,
    NUMBER_RANGE,
    REFUSED,
    RULES,
    TOO_LARGE,
    UNREADABLE,
    XML_FORBIDDEN,
    XML_SYNTAX,
)

__all__ = [
    "BOM",
    "DUPLICATE_KEY",
    "ENCODING",
    "INTERNAL_ERROR",
    "JSON_SYNTAX",
    "NON_FINITE",
    "NUMBER_RANGE",
    "REFUSED",
    "RULES",
    "TOO_LARGE",
    "UNREADABLE",
    "XML_FORBIDDEN",
    "XML_SYNTAX",
]
