"""Interoperability rules (family I): importing and exporting brat, BioC and W3C Web Annotation.

These are not checks of a corpuskit document: ``corpuskit import`` and ``corpuskit export``
report them while converting. Errors mean a document could not be converted faithfully (it is
not written); warnings name every annotation a conversion could not carry exactly, so that no
mapping is ever lossy in silence. docs/interop.md has the mapping tables.
"""

from __future__ import annotations

from corpuskit.diagnostics import Rule, Severity

E, W = Severity.ERROR, Severity.WARNING

INPUT_UNREADABLE = Rule(
    "I001",
    "input-unreadable",
    E,
    "A file to convert cannot be read or parsed.",
    """The file is missing, not UTF-8, not well-formed XML or JSON, or lacks what the format
needs (a brat .ann without its .txt, Web Annotations without the text they point into). The
other inputs are still converted.

Fails: `corpuskit import brat doc.ann -o out` when doc.txt does not exist.
Passes: the same command with doc.txt beside doc.ann.""",
)
INPUT_MALFORMED = Rule(
    "I002",
    "input-malformed",
    E,
    "An annotation line or element does not follow its format; it is left out.",
    """A brat line whose fields do not parse, a BioC location without a numeric offset, a
duplicate id, an event whose trigger does not exist. The annotation is left out, and the
document is not written, since it would be incomplete.

Fails: `T1\tProtein 0 five\tIL-2` (an offset that is not a number).
Passes: `T1\tProtein 0 4\tIL-2`""",
)
OFFSET_UNIT = Rule(
    "I003",
    "offset-unit-mismatch",
    E,
    "Offsets do not fit the offset unit they are read in.",
    """corpuskit counts code points; many BioC producers count UTF-8 bytes (C++) or UTF-16 code
units (Java, JavaScript). When the annotated texts match only if the offsets are counted in
another unit, or an offset falls inside a character, the message names the unit that fits:
re-run with `--offset-unit utf8` or `--offset-unit utf16`.

Fails: "β-catenin" at offset 10 in a text whose 9 characters before it include one "α",
read as code points while the producer counted UTF-8 bytes.
Passes: the same file imported with `--offset-unit utf8`.""",
)
REANCHORED = Rule(
    "I004",
    "quote-reanchored",
    W,
    "A Web Annotation's positions disagree with its quote; it was re-anchored by the quote.",
    """A TextPositionSelector and a TextQuoteSelector describe the same text. When the text at
the positions differs from the quote (the text was edited, or the producer counted another
unit), the quote wins: the annotation is placed where the quote occurs, the prefix and suffix
choosing among several occurrences, the nearest one breaking ties.

Fails: `{"start": 10, "end": 14}` with `{"exact": "Iran"}` where "Iran" is at [12, 16).
Passes: `{"start": 12, "end": 16}` with `{"exact": "Iran"}`.""",
)
QUOTE_NOT_FOUND = Rule(
    "I005",
    "quote-not-found",
    E,
    "A Web Annotation's quote occurs nowhere in the text; it is left out.",
    """The TextQuoteSelector's `exact` text is not in the document text (and the positions, if
any, do not cover it): the annotation cannot be anchored. Check that the right text file is
beside the annotations.

Fails: `{"type": "TextQuoteSelector", "exact": "Tehran"}` on a text without "Tehran".
Passes: a quote that occurs in the text.""",
)
ID_RENAMED = Rule(
    "I006",
    "id-renamed",
    W,
    "Ids were renamed because the target format cannot carry them.",
    """corpuskit ids start with a letter or underscore; brat ids are a letter and a number (T1,
E2, R3, A4); BioC ids are often numbers. Such ids are renamed consistently (references follow)
and the message lists every renaming.

Fails: exporting mention `m1` to brat (it becomes T1).
Passes: exporting mention `T1` to brat.""",
)
NAME_CHANGED = Rule(
    "I007",
    "name-changed",
    W,
    "A type, role, attribute or knowledge-base name was changed to fit corpuskit.",
    """Names are letters, digits, `_`, `.`, `:` and `-`, starting with a letter or underscore.
Other characters become `_` (a BioC type "Chemical Entity" becomes "Chemical_Entity"); a
missing role becomes `arg`.

Fails: a BioC annotation with `<infon key="type">Chemical Entity</infon>`.
Passes: `<infon key="type">Chemical_Entity</infon>`.""",
)
NOT_CARRIED = Rule(
    "I008",
    "not-carried",
    W,
    "Something the target format cannot carry was left out.",
    """Each format lacks some of what the other side has: brat keeps no metadata, no false
binary attributes and only binary relations; BioC infons lose attribute ids; corpuskit keeps
no BioC passage structure. The message names the annotation and what was dropped.

Fails: exporting an attribute `{"name": "negated", "value": false}` to brat.
Passes: exporting `{"name": "negated", "value": true}` (a brat binary attribute).""",
)
APPROXIMATED = Rule(
    "I009",
    "approximated",
    W,
    "Something was carried in a different shape than it had.",
    """The target format has no exact equivalent, so the annotation was carried approximately:
a span crossing a line break becomes two brat fragments, a reference to an entity points to
its first mention, a number becomes a string, a note on a brat trigger goes to its event.

Fails: exporting a mention whose span covers "Iran\\nRussia" to brat.
Passes: a span within one line.""",
)
ROUND_TRIP = Rule(
    "I010",
    "round-trip-difference",
    W,
    "An imported annotation will not be written back exactly as it was read.",
    """After reading brat annotations, corpuskit writes them back in memory and compares: ids
corpuskit has no place for (trigger, normalisation and note ids) are derived when exporting,
and equivalence, normalisation and note types are written as Equiv, Reference and
AnnotatorNotes. Each annotation that would come back different is named.

Fails: `#3\tAnnotatorNotes T1\t...` as the only note (it is written back as #1).
Passes: `#1\tAnnotatorNotes T1\t...`""",
)
CONF_NOT_CONVERTED = Rule(
    "I011",
    "conf-not-converted",
    W,
    "A line of a brat configuration could not be converted into the scheme.",
    """brat's annotation.conf and tools.conf become a corpuskit scheme. Lines the scheme cannot
express are named and left out: an unknown section, a transitive relation, an argument type
that names no declared type, an overlap rule for particular types.

Fails: `Part-of Arg1:Protein, Arg2:Organelle` when Organelle is not declared.
Passes: the same line after declaring Organelle under [entities].""",
)
OUTPUT_COLLISION = Rule(
    "I012",
    "output-collision",
    E,
    "Two inputs would be written to the same output file; the second is not written.",
    """Output names come from input file names (brat, Web Annotation) or document ids (BioC
collections). When two inputs map to one name, the first is written and the second reported.

Fails: two BioC collections that both hold a document with id "PMC1".
Passes: documents with distinct ids.""",
)

OUTPUT_UNWRITABLE = Rule(
    "I013",
    "output-unwritable",
    E,
    "An output file could not be written; the other inputs are still converted.",
    """The file would go through a symbolic link leading out of the project, would replace a
read-only file or one of the inputs, holds a character its format cannot carry (XML 1.0 has no
form for most control characters; no file can hold a lone surrogate), or the write failed (a
full disk, a read-only folder). Nothing is written for it; the file already there, if any, is
left as it was.

Fails: `corpuskit import bioc-json c.json -o out --to xml` when an infon holds U+0001.
Passes: the same command with `--to json`, or once the character is removed.""",
)
BRAT_FLAGGED = Rule(
    "I014",
    "brat-flagged",
    W,
    "A brat line that brat loads but marks, or shows without what it refers to.",
    """brat accepts these lines and corpuskit imports them as they are, but they are probably
not what the annotator meant: a normalisation whose database no tools.conf `[normalization]`
declares (brat shows the id without a link), or an equivalence (`*` line) that lists one
annotation twice or has a single member.

Fails: `*\tEquiv T63 T63`, or `N1\tReference T5 Wikipedia:64488` when tools.conf declares no
Wikipedia.
Passes: `*\tEquiv T63 T64`, and `Wikipedia <URLBASE>:https://en.wikipedia.org/?curid=%s` under
`[normalization]` in tools.conf.""",
)

RULES = (
    INPUT_UNREADABLE,
    INPUT_MALFORMED,
    OFFSET_UNIT,
    REANCHORED,
    QUOTE_NOT_FOUND,
    ID_RENAMED,
    NAME_CHANGED,
    NOT_CARRIED,
    APPROXIMATED,
    ROUND_TRIP,
    CONF_NOT_CONVERTED,
    OUTPUT_COLLISION,
    OUTPUT_UNWRITABLE,
    BRAT_FLAGGED,
)
