"""Parse rules (family P): the file is not a readable JSON or XML document.

The formats raise these while reading, so they are defined here, in the formats layer (the
registry lists them through ``corpuskit.rules.parse``); there is no separate check function. A
file with a parse error gets no further checks, since there is no document to check.
"""

from __future__ import annotations

from corpuskit.diagnostics import Rule, Severity

E = Severity.ERROR

UNREADABLE = Rule(
    "P000",
    "unreadable-file",
    E,
    "The file could not be read (missing, a directory, no permission).",
    """The file named on the command line could not be opened. The run goes on with the other
files and exits with code 2.

Fails: `corpuskit validate missing.json` when missing.json does not exist.
Passes: any readable file.""",
)
JSON_SYNTAX = Rule(
    "P001",
    "json-syntax",
    E,
    "The file is not valid JSON.",
    """The JSON parser stopped at the given position: a missing comma or quote, a trailing comma,
an empty file, a lone surrogate escape such as "\\ud800".

Fails: `{"id": "a", }`
Passes: `{"id": "a"}`""",
)
ENCODING = Rule(
    "P002",
    "invalid-encoding",
    E,
    "The file is not valid UTF-8.",
    """Documents are UTF-8. The message gives the byte offset of the first invalid byte; re-save
the file as UTF-8 (not Latin-1 or Windows-1252). A file in UTF-16 or UTF-32 (some Windows
editors' "Unicode"), with or without a byte-order mark, is named as such at line 1, column 1.

Fails: a file containing the byte 0xE9 for "é".
Passes: the same file with "é" encoded as the two bytes 0xC3 0xA9.""",
)
BOM = Rule(
    "P003",
    "byte-order-mark",
    E,
    "The file starts with a UTF-8 byte-order mark.",
    """A byte-order mark is invisible in most editors, breaks byte-exact comparisons and is not
written by corpuskit. Remove the first three bytes (EF BB BF).

Fails: a file starting with the bytes EF BB BF 7B.
Passes: the same file starting with 7B (`{`).""",
)
DUPLICATE_KEY = Rule(
    "P004",
    "duplicate-key",
    E,
    "A JSON object has the same key twice.",
    """JSON parsers keep only the last of two equal keys, so the first value (often a whole list of
annotations) would be dropped without a word. Merge the two members.

Fails: `{"mentions": [...], "mentions": [...]}`
Passes: `{"mentions": [...]}` with all mentions in one list.""",
)
NON_FINITE = Rule(
    "P005",
    "non-finite-number",
    E,
    "A number is NaN, Infinity or too large for a double.",
    """NaN and Infinity are not JSON, and a literal such as 1e400 overflows to infinity.

Fails: `{"value": NaN}`
Passes: `{"value": 0.5}`""",
)
XML_SYNTAX = Rule(
    "P006",
    "xml-syntax",
    E,
    "The file is not well-formed XML.",
    """The XML parser stopped at the given position: an unclosed tag, a bare `&` or `<` in text
(write `&amp;` and `&lt;`), an undefined entity.

Fails: `<title>AT&T</title>`
Passes: `<title>AT&amp;T</title>`""",
)
XML_FORBIDDEN = Rule(
    "P007",
    "xml-forbidden-construct",
    E,
    "The XML uses a DOCTYPE, entities or processing instructions, or a raw line break in an attribute.",
    """corpuskit documents never need a DOCTYPE, entity declarations or processing instructions,
and they are a security hazard (external entities, entity expansion bombs), so they are
rejected rather than resolved. Write characters directly or as character references.

A line break or tab written as itself inside an attribute value is read as a space by every
XML parser (attribute-value normalisation), so `suffix="` followed by a new line would silently
select another occurrence of a word: write it as `&#10;` (`&#13;`, `&#9;`), as corpuskit does.

Fails: `<!DOCTYPE document [<!ENTITY e "x">]>`
Passes: a document with no DOCTYPE.""",
)

NUMBER_RANGE = Rule(
    "P008",
    "number-out-of-range",
    E,
    "An integer beyond ±2^53, which JSON readers cannot store exactly.",
    """Most JSON readers (and corpuskit's) hold numbers as doubles: 99999999999999999999 would be
read as 1e+20 and written back differently. Offsets never need such values; write identifiers
that large as strings.

Fails: `{"value": 99999999999999999999}`
Passes: `{"value": "99999999999999999999"}`""",
)
TOO_LARGE = Rule(
    "P009",
    "file-too-large",
    E,
    "The file is larger than the configured limit (max-file-size).",
    """A news article with its annotations is a few hundred kilobytes; a file of many megabytes
is a mistake or an attack, and is not read. The limit is `max-file-size` in the configuration
(bytes, default 67108864 = 64 MiB).

Fails: a 100 MB file with the default limit.
Passes: files under the limit.""",
)
REFUSED = Rule(
    "P010",
    "refused-file",
    E,
    "The path is a link leading out of the project, or not a regular file; it is not opened.",
    """A pull request can commit a symbolic link (`corpus/env.json -> /proc/self/environ`) to
make the validator print what it points at, or a link to `/dev/zero` to exhaust memory.
corpuskit never opens a path whose symbolic links lead outside the project root (the folder of
the configuration, or the current folder), nor anything that is not a regular file: FIFOs,
devices, sockets and the kernel's pseudo-files under /proc, /sys and /dev. Nothing of the target
is read or shown. The run goes on with the other files and fails.

Fails: `ln -s /etc/passwd corpus/passwd.json`
Passes: a regular file, or a link to another file inside the project.""",
)
INTERNAL_ERROR = Rule(
    "P999",
    "internal-error",
    E,
    "corpuskit itself failed on this file (a bug).",
    """An unexpected error inside corpuskit. The run goes on with the other files and exits with
code 2. Please report it with the file attached.

Fails: never on purpose.
Passes: every other file.""",
)

RULES = (
    UNREADABLE,
    JSON_SYNTAX,
    ENCODING,
    BOM,
    DUPLICATE_KEY,
    NON_FINITE,
    XML_SYNTAX,
    XML_FORBIDDEN,
    NUMBER_RANGE,
    TOO_LARGE,
    REFUSED,
    INTERNAL_ERROR,
)
