"""Escaping for every report: input-derived text never reaches a terminal, log or file raw.

Documents and file names are untrusted. A control character in a message can retitle or clear a
terminal, a line break can start a log line with a CI workflow command, a bidi override can make
a line read differently from what it says, and XML 1.0 cannot carry most C0 characters at all. A
file name that is not UTF-8 arrives as a str with surrogate escapes (``os.fsdecode``), which no
UTF-8 writer accepts. So every reporter passes input-derived text through :func:`visible` (or
:func:`display_path` for a path shown at the start of a line) and keeps only exact data fields
(JSON pointers, ids in JSON reports) as they are, through :func:`encodable`; JSON reports are
written by :func:`dump_json`, which leaves no such character raw even inside those data fields.

The escapes read like Python's: ``\\t`` ``\\n`` ``\\r``, ``\\xNN`` for other ASCII controls and
for a byte of a file name that is not UTF-8, ``\\uNNNN`` for every other code point.
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: Characters never written raw: C0 controls, DEL, C1 controls (U+0085 is a line break to some
#: readers), the Arabic letter mark and the left-to-right/right-to-left marks, the line and
#: paragraph separators and the bidi embeddings and overrides (U+202A-202E), the bidi isolates
#: (U+2066-2069), surrogates (a file-name byte that is not UTF-8, or a lone one) and the two
#: non-characters XML 1.0 excludes (U+FFFE, U+FFFF).
_UNSAFE = (
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_SURROGATE = "[\ud800-\udfff]"
#: What json.dumps(ensure_ascii=False) leaves raw that :data:`_UNSAFE` forbids (it escapes C0).
_JSON_RAW = "[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # Compiled on first use: sre builds a table of the whole BMP for a class beyond Latin-1
    # (0.1-0.3 ms each), and a clean run prints nothing that needs one.
    return re.compile(pattern)


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
#: First characters that would let a shown path start a line a CI runner reads as a command
#: (GitHub's ``::``, the legacy ``##[``; the runner strips leading whitespace first, too).
_COMMAND_START = frozenset(":#")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the undecodable byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control, line-breaking, bidi and unencodable character escaped."""
    unsafe = _compiled(_UNSAFE)
    if unsafe.search(text) is None:  # the common case: nothing to do, no copy
        return text
    return unsafe.sub(_escape_char, text)


#: The continuation lines our own multi-line messages use (a scheme error's quoted source line
#: and its hint): fixed text first, so that none can start with text from the input.
_CONTINUATION = r"\\n(  (?:help: |\d+ \| ))"


def message(text: str) -> str:
    """An error message fit for a terminal or a CI log, escaped as a whole by :func:`visible`.

    Every line break is escaped, so no line can start with input-derived text (a CI runner
    reads ``::error ...`` at the start of a line, after whitespace, as a command); only the
    breaks before our own fixed continuations (``  help: ``, ``  12 | ``) are kept.
    """
    return _compiled(_CONTINUATION).sub(lambda m: "\n" + m.group(1), visible(text))


def encodable(text: str) -> str:
    """``text`` kept exact for a data field, but with surrogates escaped so UTF-8 can carry it."""
    surrogate = _compiled(_SURROGATE)
    if surrogate.search(text) is None:
        return text
    return surrogate.sub(_escape_char, text)


def _json_escape_char(match: re.Match[str]) -> str:
    import json

    char = match.group()
    if "\ud800" <= char <= "\udfff":  # JSON has no escape for a lone surrogate: show it instead
        return json.dumps(_escape_char(match))[1:-1]
    return f"\\u{ord(char):04x}"


def dump_json(value: Any) -> str:
    """A JSON report: readable UTF-8, but no raw control, separator or bidi character in it.

    Such characters inside strings are written as JSON ``\\uNNNN`` escapes, so data fields keep
    their exact value for a JSON reader while the bytes stay safe to print.
    """
    import json  # reports that write JSON import it; a text report does not

    raw = _compiled(_JSON_RAW)
    return raw.sub(_json_escape_char, json.dumps(value, indent=2, ensure_ascii=False))


def report_line(text: str) -> str:
    """A whole line of a human report built around input (a table row, a name): escaped by
    :func:`visible`, and never read as a CI command: when the line, less its leading white
    space, starts with ``:`` or ``#``, that character is shown as its escape."""
    shown = visible(text)
    body = shown.lstrip()
    if body[:1] in _COMMAND_START:
        at = len(shown) - len(body)
        return f"{shown[:at]}\\x{ord(body[0]):02x}{body[1:]}"
    return shown


def display_path(path: str) -> str:
    """A path to show at the start of a report line: escaped, never starting like a command."""
    shown = visible(path)
    if shown[:1] in _COMMAND_START or shown[:1].isspace():
        return "./" + shown
    return shown


def uri_path(path: str) -> str:
    """A POSIX path as a percent-encoded URI reference, the undecodable bytes as themselves."""
    from urllib.parse import quote

    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte: show it escaped
        raw = encodable(path).encode("utf-8")
    return quote(raw)
