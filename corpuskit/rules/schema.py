"""Schema rules (family S): the document does not have the shape the published schemas describe.

JSON documents are checked against ``schema/document.schema.json`` with jsonschema-rs
(``is_valid`` first; errors are worked out only for documents that fail). XML documents are
checked against ``schema/document.xsd`` by the XML format, which reports with the same codes.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from corpuskit.diagnostics import DocumentError, Finding, Rule, Severity
from corpuskit.formats.records import Record, from_dict
from corpuskit.model import ANNOTATION_KINDS, Document

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

_KIND_NAMES = {
    "mentions": "mention",
    "entities": "entity",
    "quotes": "quote",
    "claims": "claim",
    "events": "event",
    "relations": "relation",
    "attributes": "attribute",
}
_JSON_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def schema_dir() -> Path:
    """The folder holding the published schemas (inside the installed package)."""
    try:
        folder = Path(str(resources.files("corpuskit.schema")))
        if (folder / "document.schema.json").is_file():
            return folder
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "schema"


@functools.cache
def json_schema() -> dict[str, Any]:
    """The document JSON Schema, loaded once."""
    loaded: dict[str, Any] = json.loads((schema_dir() / "document.schema.json").read_text("utf-8"))
    return loaded


@functools.cache
def _validator() -> Any:
    import jsonschema_rs

    # Formats are assertions here (a "published" of 2024-02-30 is an error), and the schema
    # has no remote references to fetch.
    return jsonschema_rs.Draft202012Validator(json_schema(), validate_formats=True)


def pointer_of(path: Iterable[str | int]) -> str:
    """A JSON pointer from a list of path elements."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def annotation_at(record: Any, path: list[str | int]) -> tuple[str, int, str | None] | None:
    """(kind, index, id) of the annotation a path lies in, if any."""
    if len(path) >= 2 and path[0] in ANNOTATION_KINDS and isinstance(path[1], int):
        kind, index = str(path[0]), path[1]
        try:
            item = record[kind][index]
        except (KeyError, IndexError, TypeError):
            return kind, index, None
        ident = item.get("id") if isinstance(item, dict) else None
        return kind, index, ident if isinstance(ident, str) else None
    return None


def _where(record: Any, path: list[str | int]) -> str:
    found = annotation_at(record, path)
    if found is None:
        return "document" if not path else f'"{path[-1]}"' if len(path) == 1 else pointer_of(path)
    kind, index, ident = found
    name = _KIND_NAMES[kind]
    return f'{name} "{ident}"' if ident else f"{name} #{index + 1}"


def _subschema(schema_path: Iterable[str | int]) -> dict[str, Any]:
    node: Any = json_schema()
    for step in list(schema_path)[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return {}
        if isinstance(node, dict) and "$ref" in node and len(node) == 1:
            node = _resolve(node["$ref"])
    return node if isinstance(node, dict) else {}


def _resolve(ref: str) -> Any:
    node: Any = json_schema()
    for step in ref.lstrip("#/").split("/"):
        node = node[step]
    return node


def _type_name(value: Any) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _findings(error: Any, record: Any) -> list[Finding]:
    kind = error.kind
    kind_name = type(kind).__name__
    path = list(error.instance_path)
    pointer = pointer_of(path)
    found = annotation_at(record, path)
    ann_id = found[2] if found else None
    where = _where(record, path)
    field = f'"{path[-1]}"' if path and isinstance(path[-1], str) else where
    if kind_name in ("AnyOf", "OneOfNotValid") and getattr(kind, "context", None):
        branches = [list(b) for b in kind.context if b]
        # The most relevant branch is the one that got furthest into the instance.
        best = min(branches, key=lambda b: (-max(len(list(e.instance_path)) for e in b), len(b)))
        return [f for e in best for f in _findings(e, record)]
    if kind_name == "Required":
        prop = getattr(kind, "property", None) or error.message.split('"')[1]
        described = _subschema(list(error.schema_path)).get("properties", {}).get(prop, {})
        hint = described.get("description") if isinstance(described, dict) else None
        return [
            Finding(
                MISSING_PROPERTY,
                f'{where} is missing required property "{prop}"',
                pointer=pointer,
                annotation_id=ann_id,
                hint=f'add "{prop}"' + (f": {hint}" if hint else ""),
            )
        ]
    if kind_name == "AdditionalProperties":
        allowed = sorted(_subschema(list(error.schema_path)).get("properties", {}))
        out = []
        for name in kind.unexpected:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f'did you mean "{close[0]}"?' if close else None
            if not close:
                hint = "allowed here: " + ", ".join(allowed) if allowed else None
            out.append(
                Finding(
                    UNKNOWN_PROPERTY,
                    f'unknown property "{name}" in {where}',
                    pointer=f"{pointer}/{name}",
                    key=True,
                    annotation_id=ann_id,
                    hint=hint,
                )
            )
        return out
    if kind_name == "Type":
        wanted = " or ".join(
            {"integer": "an integer", "array": "a list", "object": "an object"}.get(t, f"a {t}")
            for t in kind.types
        )
        return [
            Finding(
                WRONG_TYPE,
                f"{field} must be {wanted}, not {_type_name(error.instance)}"
                + (f" (in {where})" if found else ""),
                pointer=pointer,
                annotation_id=ann_id,
            )
        ]
    message = error.message
    hint = None
    if kind_name in ("Constant", "Enum"):
        options = kind.options if kind_name == "Enum" else [kind.expected_value]
        message = f"{field} is {json.dumps(error.instance, ensure_ascii=False)}, not one of " + (
            ", ".join(json.dumps(o) for o in options)
        )
        if path == ["offset_unit"]:
            hint = "corpuskit stores code-point offsets only; convert UTF-16 or byte offsets"
    elif kind_name == "Pattern":
        message = f"{field} {json.dumps(error.instance, ensure_ascii=False)} is not allowed here"
        hint = _subschema([*error.schema_path, "x"]).get("description")
    elif kind_name == "Format":
        message = f'{field} {json.dumps(error.instance)} is not a valid "{kind.format}"'
    if found and kind_name not in ("Constant", "Enum"):
        message += f" (in {where})"
    return [Finding(INVALID_VALUE, message, pointer=pointer, annotation_id=ann_id, hint=hint)]


def check_record(record: Any) -> list[Finding]:
    """Check a parsed JSON value against the document schema; empty when it conforms."""
    validator = _validator()
    if validator.is_valid(record):
        return []
    out: list[Finding] = []
    for error in validator.iter_errors(record):
        out.extend(_findings(error, record))
    return out


def skipped_annotations(findings: Iterable[Finding]) -> set[tuple[str, int]] | None:
    """Annotations to leave out of the model because of schema findings.

    None when a finding is outside any annotation (the document as a whole is unusable).
    """
    skip: set[tuple[str, int]] = set()
    for f in findings:
        parts = f.pointer.split("/")[1:]
        if len(parts) >= 2 and parts[0] in ANNOTATION_KINDS and parts[1].isdigit():
            skip.add((parts[0], int(parts[1])))
        else:
            return None
    return skip


def build_document(parsed: Any) -> Document:
    """Turn a parse result into a Document, raising DocumentError on any parse or schema problem."""
    record: Record | None = parsed.record
    findings: list[Finding] = list(parsed.findings)
    if record is not None and not findings:
        findings = check_record(record)
    if findings or record is None:
        raise DocumentError(findings)
    return from_dict(record)
