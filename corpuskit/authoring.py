"""Authoring: a new document from an article's text, and a document's text given back.

``corpuskit new`` starts a document: the text exactly as given, its hash, no annotations and the
metadata; ``corpuskit text`` prints a document's text byte for byte, so that it can be corrected
in any editor and handed to ``corpuskit reanchor``. Nothing here prints or exits: problems are
:class:`AuthoringError` with a message that says what to do.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from corpuskit.diagnostics import CorpuskitError
from corpuskit.formats import format_module
from corpuskit.model import Document, Metadata, text_sha256
from corpuskit.texts import drop_editor_newline, newline_note, text_problem

#: Document field -> the ``corpuskit new`` option that sets it (for messages).
OPTION_OF = {
    "/id": "--id",
    "/meta/title": "--title",
    "/meta/language": "--language",
    "/meta/source": "--source",
    "/meta/url": "--url",
    "/meta/published": "--published",
    "/meta/license": "--license",
}
#: What a valid value looks like, where the schema's own description says too little.
_EXPECTED = {
    "/meta/language": "a BCP 47 language tag such as en, de or pt-BR",
    "/meta/url": "an http:// or https:// address without spaces",
    "/meta/published": "a real date written YYYY-MM-DD",
    "/id": "a letter or underscore first, then letters, digits, '_', '.' or '-', at most 200",
}


class AuthoringError(CorpuskitError):
    """Input that cannot become a document, or a document whose text cannot be read."""


@dataclass(frozen=True, slots=True)
class PreparedText:
    """An article text ready to be published in a document, and what was done to get it."""

    text: str
    #: What was done to the input, in words, for the command to say (empty: nothing).
    notes: tuple[str, ...] = ()


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _first_difference(a: str, b: str) -> int:
    """The first offset where ``a`` and ``b`` differ (the length of their common prefix)."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def prepare_text(data: bytes, name: str, *, nfc: bool = False) -> PreparedText:
    """The article text in ``data`` (UTF-8, read from a file or standard input) for a new
    document; raise AuthoringError when it cannot be one.

    The editor's final line break is dropped (:mod:`corpuskit.texts`' rule) and noted. A text
    the validator would reject is refused, never silently changed: not NFC (unless ``nfc`` asks
    for normalisation, which is then noted), empty, or holding characters XML 1.0 cannot carry.
    """
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AuthoringError(
            f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save it as UTF-8 (nothing written)"
        ) from None
    text, dropped = drop_editor_newline(decoded)  # a new document has no current text
    notes = [newline_note(dropped, name)] if dropped else []
    if not unicodedata.is_normalized("NFC", text):
        normalized = unicodedata.normalize("NFC", text)
        at = _first_difference(text, normalized)
        where = f"first at {_line_col(text, at)}"
        if nfc:
            notes.append(
                f"normalised the text to NFC as --nfc asked ({where}; {len(text)} characters "
                f"became {len(normalized)})"
            )
            text = normalized
        elif text_problem(normalized) is None:  # NFC is all that is wrong: say how to fix it
            raise AuthoringError(
                f"{name} is not NFC-normalised ({where}: "
                f"{' '.join(f'U+{ord(c):04X}' for c in text[at : at + 2])}); the validator "
                "requires NFC (O005). Pass --nfc to normalise it (it reads the same, but its "
                "bytes change), or normalise it yourself (nothing written)"
            )
    problem = text_problem(text)
    if problem is not None:
        raise AuthoringError(f"{name} {problem} (nothing written)")
    return PreparedText(text, tuple(notes))


def default_id(text_path: Path | None, output: Path | None) -> str | None:
    """The id a new document gets without --id: the text file's name stem, else the output's."""
    for path in (text_path, output):
        if path is not None and str(path) != "-":
            return path.stem
    return None


def new_document(
    text: str,
    *,
    doc_id: str | None,
    title: str | None,
    language: str | None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    license: str | None = None,
    id_from: str | None = None,
) -> Document:
    """A document with ``text``, its hash, no annotations and the metadata, checked as the
    validator would; raise AuthoringError naming the option to fix.

    ``id_from`` names where a defaulted id came from (for the message when it is not valid).
    """
    from corpuskit.formats.records import to_dict
    from corpuskit.formats.schema import check_record
    from corpuskit.rules import offsets

    missing = [
        f"{option} ({what})"
        for option, value, what in (
            ("--id", doc_id, "standard input has no file name to take it from"),
            ("--title", title, "the article's headline"),
            ("--language", language, "a BCP 47 tag such as en"),
        )
        if value is None
    ]
    if missing:
        them = "them" if len(missing) > 1 else "it"
        raise AuthoringError(
            f"pass {_listed(missing)}: the document schema requires {them} (nothing written)"
        )
    assert doc_id is not None and title is not None and language is not None
    doc = Document(
        id=doc_id,
        meta=Metadata(
            title=title,
            language=language,
            source=source,
            url=url,
            published=published,
            license=license,
        ),
        text=text,
        text_sha256=text_sha256(text),
    )
    # The schema and the string rules are the one definition of a valid value: ask them.
    findings = [*check_record(to_dict(doc)), *offsets.check(doc)]
    problems = []
    for finding in findings:
        option = OPTION_OF.get(finding.pointer)
        if option is None:  # the text's own problems (prepare_text words them better)
            problems.append(finding.message)
            continue
        expected = _EXPECTED.get(finding.pointer)
        detail = f" (expected {expected})" if expected else ""
        where = f" (taken from {id_from}; pass --id)" if option == "--id" and id_from else ""
        problems.append(f"{option}: {finding.message}{detail}{where}")
    if problems:
        raise AuthoringError("; ".join(dict.fromkeys(problems)) + " (nothing written)")
    return doc


def render(doc: Document, fmt: str) -> str:
    """The document in the canonical layout of ``fmt`` (json or xml)."""
    rendered: str = format_module(fmt).dumps(doc)
    return rendered


def document_text(data: bytes, fmt: str, name: str) -> str:
    """The text of a document's bytes, exactly as stored; raise AuthoringError if there is none.

    Only the text is needed, so a document whose annotations fail the schema still gives it.
    """
    parsed = format_module(fmt).parse(data)
    record = parsed.record
    if record is None:
        first = parsed.findings[0] if parsed.findings else None
        reason = first.message if first is not None else "not a document"
        if first is not None and first.position is not None:
            reason += f" (line {first.position[0]}, column {first.position[1]})"
        raise AuthoringError(f"{name} cannot be read: {reason}; run corpuskit validate {name}")
    text = record.get("text") if isinstance(record, dict) else None
    if not isinstance(text, str):
        raise AuthoringError(f"{name} has no text; run corpuskit validate {name}")
    return text
