"""Schema rules (family S): the document does not have the shape the published schemas describe.

The rules are defined in :mod:`corpuskit.formats.schema_rules` (the registry lists them through
``corpuskit.rules.schema``); the JSON-Schema helpers that find them live here, in the formats
layer, which checks the shape while reading.

JSON documents are checked against ``schema/document.schema.json`` with jsonschema-rs
(``is_valid`` first; errors are worked out only for documents that fail). XML documents are
checked against ``schema/document.xsd`` by the XML format, which reports with the same codes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from corpuskit.diagnostics import DocumentError, Finding, close_matches
from corpuskit.fixes import Fix, SetValue
from corpuskit.formats import escape_pointer_token, schema_dir
from corpuskit.formats.records import DraftError, Record, from_dict
from corpuskit.formats.schema_rules import (
    INVALID_VALUE,
    MISSING_PROPERTY,
    UNKNOWN_PROPERTY,
    WRONG_TYPE,
)
from corpuskit.model import ANNOTATION_KINDS, SINGULAR, Document

_JSON_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


@functools.cache
def json_schema() -> dict[str, Any]:
    """The document JSON Schema, loaded once."""
    import json  # only on these paths: a valid document never needs it

    loaded: dict[str, Any] = json.loads((schema_dir() / "document.schema.json").read_text("utf-8"))
    return loaded


def _refuse(uri: str) -> Any:
    raise ValueError(f"corpuskit never fetches schemas: refused {uri}")


def compile_schema(schema: dict[str, Any]) -> Any:
    """A jsonschema-rs validator that asserts formats and never fetches a ``$ref``.

    Only corpuskit's own schemas are ever compiled, and they are self-contained; the retriever
    refuses anything else, so no remote or ``file://`` reference is followed.
    """
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=_refuse)


@functools.cache
def _validator() -> Any:
    # Formats are assertions here: a "published" of 2024-02-30 is an error.
    return compile_schema(json_schema())


def pointer_of(path: Iterable[str | int]) -> str:
    """A JSON pointer from a list of path elements."""
    return "".join("/" + escape_pointer_token(str(p)) for p in path)


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
    name = SINGULAR[kind]
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


def type_name(value: Any) -> str:
    """The JSON name of a value's type, with an article ("a string", "null")."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _findings(error: Any, record: Any, typos: dict[str, str] | None = None) -> list[Finding]:
    """Findings for one schema error; ``typos`` maps "pointer/missing-name" -> the typo found."""
    import json  # only on these paths: a valid document never needs it

    typos = typos or {}
    kind = error.kind
    kind_name = type(kind).__name__
    path = list(error.instance_path)
    pointer = pointer_of(path)
    found = annotation_at(record, path)
    ann_id = found[2] if found else None
    where = _where(record, path)
    if path and isinstance(path[-1], str):
        field = f'"{path[-1]}"'
    elif (
        len(path) >= 2
        and isinstance(path[-1], int)
        and (len(path) > 2 or path[0] not in ANNOTATION_KINDS)
    ):
        field = f'item {path[-1] + 1} of "{path[-2]}"'
    else:
        field = where
    in_where = f" (in {where})" if found and field != where else ""
    if kind_name in ("AnyOf", "OneOfNotValid") and getattr(kind, "context", None):
        branches = [list(b) for b in kind.context if b]
        # The most relevant branch is the one that got furthest into the instance.
        best = min(branches, key=lambda b: (-max(len(list(e.instance_path)) for e in b), len(b)))
        return [f for e in best for f in _findings(e, record)]
    if kind_name == "Required":
        prop = _required_name(error)
        if f"{pointer}/{prop}" in typos:
            return []  # reported once, as the unknown property that is its typo
        described = _subschema(list(error.schema_path)).get("properties", {}).get(prop, {})
        hint = described.get("description") if isinstance(described, dict) else None
        return [
            Finding(
                MISSING_PROPERTY,
                f'{where} is missing required property "{prop}"',
                pointer=pointer,
                annotation_id=ann_id,
                hint=f'add "{prop}"' + (f": {hint}" if hint else ""),
                fix=_fill_covered_text(record, path, pointer) if prop == "text" else None,
            )
        ]
    if kind_name == "AdditionalProperties":
        allowed = sorted(_subschema(list(error.schema_path)).get("properties", {}))
        out = []
        for name in kind.unexpected:
            close = close_matches(name, allowed, n=1)
            hint = f'did you mean "{close[0]}"?' if close else None
            if not close:
                hint = "allowed here: " + ", ".join(allowed) if allowed else None
            missing = next(
                (m for m, typo in typos.items() if typo == name and m.startswith(f"{pointer}/")),
                None,
            )
            suffix = (
                f' (and the required "{missing.rsplit("/", 1)[-1]}" is missing)' if missing else ""
            )
            out.append(
                Finding(
                    UNKNOWN_PROPERTY,
                    f'unknown property "{name}" in {where}{suffix}',
                    pointer=f"{pointer}/{escape_pointer_token(name)}",
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
                f"{field} must be {wanted}, not {type_name(error.instance)}{in_where}",
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
        message = f"{field} value {json.dumps(error.instance, ensure_ascii=False)} does not have the allowed form"
        hint = _subschema(list(error.schema_path)).get("description")
    elif kind_name == "Format":
        message = f'{field} {json.dumps(error.instance)} is not a valid "{kind.format}"'
    if kind_name not in ("Constant", "Enum"):
        message += in_where
    return [Finding(INVALID_VALUE, message, pointer=pointer, annotation_id=ann_id, hint=hint)]


def _fill_covered_text(record: Any, path: list[str | int], pointer: str) -> Fix | None:
    """A fragment without its covered text, whose offsets are sound: copy the text in."""
    import json  # only on these paths: a valid document never needs it

    if len(path) < 2 or not isinstance(path[-1], int) or path[-2] not in ("span", "cue", "trigger"):
        return None
    node: Any = record
    for step in path:
        node = node[step]
    text = record.get("text") if isinstance(record, dict) else None
    start, end = node.get("start"), node.get("end")
    if not (isinstance(text, str) and isinstance(start, int) and isinstance(end, int)):
        return None
    if isinstance(start, bool) or isinstance(end, bool) or not 0 <= start < end <= len(text):
        return None
    covered = text[start:end]
    return Fix(
        f"fill in the covered text {json.dumps(covered, ensure_ascii=False)}",
        (SetValue(f"{pointer}/text", covered),),
    )


def check_record(record: Any) -> list[Finding]:
    """Check a parsed JSON value against the document schema; empty when it conforms."""
    validator = _validator()
    try:
        if validator.is_valid(record):
            return []
        errors = list(validator.iter_errors(record))
    except ValueError as exc:  # jsonschema-rs refuses values nested deeper than it recurses
        return [
            Finding(
                INVALID_VALUE,
                f"document is nested too deeply to be checked ({exc})",
                hint="corpuskit documents nest a few levels at most; remove the deep nesting",
            )
        ]
    typos = _typos(errors)
    out: list[Finding] = []
    for error in errors:
        out.extend(_findings(error, record, typos))
    return out


def _required_name(error: Any) -> str:
    name = getattr(error.kind, "property", None)
    return str(name) if name is not None else str(error.message.split('"')[1])


def _typos(errors: list[Any]) -> dict[str, str]:
    """A missing required property whose unknown neighbour is its typo ("spna" for "span"):
    "pointer/missing" -> the typo, so the pair is reported once."""
    missing: dict[str, list[str]] = {}
    unexpected: dict[str, list[str]] = {}
    for error in errors:
        pointer = pointer_of(list(error.instance_path))
        name = type(error.kind).__name__
        if name == "Required":
            missing.setdefault(pointer, []).append(_required_name(error))
        elif name == "AdditionalProperties":
            unexpected.setdefault(pointer, []).extend(error.kind.unexpected)
    out: dict[str, str] = {}
    for pointer, names in missing.items():
        for name in names:
            close = close_matches(name, unexpected.get(pointer, []), n=1)
            if close:
                out[f"{pointer}/{name}"] = close[0]
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
    try:
        return from_dict(record)
    except DraftError as exc:
        # A draft is not a document yet: the engine's load_document says, with O008/R005 and
        # their candidates, what to complete; here, the first part missing.
        pointer = f"/{exc.kind}/{exc.index}"
        raise DocumentError([Finding(MISSING_PROPERTY, str(exc), pointer=pointer)]) from None
