"""Make the diff fixtures: pairs of versions of a document, each new version an edit of the old.

    python tests/views/make_fixtures.py            # rewrite the pairs in tests/views/
    python tests/views/make_fixtures.py --bundled OUT.json
                                                   # a second version of the bundled document

Every new version is made by editing records the way an annotator would (an edit of the text
shifts every later offset; a renumbering rewrites the id and every reference to it), so the
fixtures stay consistent and pass validation. The tests load this file to make the bundled
document's second version on the fly.
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Any

from corpuskit.formats.json_format import dumps_record
from corpuskit.model import ANNOTATION_KINDS, text_sha256

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MINIMAL = ROOT / "tests" / "examples" / "positive" / "minimal.json"
# The frozen copy of the seed article: its second version names ids (m94, e41) that the
# adjudicated corpus/ document now uses for other annotations.
BUNDLED = ROOT / "tests" / "fixtures" / "seed" / "iran-russia-missiles.json"

Record = dict[str, Any]


def load(path: Path) -> Record:
    """A document file as its record."""
    record: Record = json.loads(path.read_text("utf-8"))
    return record


def dump(record: Record, path: Path) -> None:
    """Write a record in the canonical layout, with its text hash brought up to date."""
    record["text_sha256"] = text_sha256(record["text"])
    path.write_text(dumps_record(record), "utf-8")


def _fragments(record: Record) -> list[Record]:
    out = []
    for kind in ANNOTATION_KINDS:
        for item in record.get(kind, ()):
            for name in ("span", "cue", "trigger"):
                out.extend(item.get(name, ()))
    return out


def edit_text(record: Record, start: int, end: int, replacement: str) -> None:
    """Replace ``text[start:end]``; fragments after it shift, fragments around it grow."""
    text = record["text"]
    delta = len(replacement) - (end - start)
    record["text"] = text[:start] + replacement + text[end:]
    for fragment in _fragments(record):
        if fragment["start"] >= end:
            fragment["start"] += delta
        if fragment["end"] >= end and fragment["end"] > start:
            fragment["end"] += delta
        fragment["text"] = record["text"][fragment["start"] : fragment["end"]]


def set_span(record: Record, ident: str, start: int, end: int) -> None:
    """Give annotation ``ident`` a one-fragment span at ``[start, end)``."""
    item = find(record, ident)
    name = "trigger" if "trigger" in item else "span"
    item[name] = [{"start": start, "end": end, "text": record["text"][start:end]}]


def find(record: Record, ident: str) -> Record:
    """The annotation with id ``ident``."""
    for kind in ANNOTATION_KINDS:
        for item in record.get(kind, ()):
            if item["id"] == ident:
                return item
    raise KeyError(ident)


def rename(record: Record, old: str, new: str) -> None:
    """Renumber an annotation: its id and every reference to it."""
    for kind in ANNOTATION_KINDS:
        for item in record.get(kind, ()):
            if item["id"] == old:
                item["id"] = new
            for name in ("speaker", "source", "channel", "target"):
                if item.get(name) == old:
                    item[name] = new
            if "mentions" in item:
                item["mentions"] = [new if m == old else m for m in item["mentions"]]
            for arg in item.get("args", ()):
                if arg["ref"] == old:
                    arg["ref"] = new


def insert(record: Record, kind: str, position: int, item: Record) -> None:
    """Insert an annotation at ``position`` in its kind's list."""
    record.setdefault(kind, []).insert(position, item)


def mention(record: Record, ident: str, type_: str, start: int, end: int) -> Record:
    """A new mention record covering ``[start, end)``."""
    return {
        "id": ident,
        "type": type_,
        "span": [{"start": start, "end": end, "text": record["text"][start:end]}],
    }


def renumbered(old: Record) -> Record:
    """A new mention and entity inserted in the middle, the ones after them renumbered."""
    new = copy.deepcopy(old)
    rename(new, "m6", "m7")
    rename(new, "e3", "e4")
    more = new["text"].index("More")
    insert(new, "mentions", 5, mention(new, "m6", "WEAPON", more, more + 4))
    insert(new, "entities", 2, {"id": "e3", "type": "WEAPON", "mentions": ["m3", "m6"]})
    return new


def text_edited(old: Record) -> Record:
    """Two words inserted into the text, and a span fixed (without its article)."""
    new = copy.deepcopy(old)
    edit_text(new, 5, 5, "has ")
    missiles = new["text"].index("missiles")
    edit_text(new, missiles, missiles, "ballistic ")
    official = new["text"].index("an official")
    set_span(new, "m5", official + 3, official + 11)
    return new


def fields_changed(old: Record) -> Record:
    """Field changes of every sort: type, links, mentions, speaker, args, value, note, removal."""
    new = copy.deepcopy(old)
    new["meta"]["title"] = "A minimal corpuskit document, revised"
    find(new, "m4")["type"] = "LOC"
    find(new, "m1")["note"] = "the state"
    del find(new, "e2")["links"]
    find(new, "e1")["links"].append({"kb": "wikidata", "id": "Q1"})
    find(new, "e3")["mentions"] = ["m5"]
    find(new, "q1")["speaker"] = "m6"
    find(new, "ev1")["args"] = [
        {"role": "agent", "ref": "e1"},
        {"role": "artifact", "ref": "m3"},
        {"role": "quantity", "ref": "m2"},
    ]
    find(new, "a1")["value"] = "future"
    new["relations"] = []
    return new


def bundled_second_version(old: Record) -> Record:
    """A realistic revision of the bundled article: a transcription fix in the text ("U.N." ->
    "UN"), a span fixed, a mention added as an event argument, an entity renumbered."""
    new = copy.deepcopy(old)
    un = new["text"].index("U.N. Security Council")
    edit_text(new, un, un + 4, "UN")
    cold_war = new["text"].index("the Cold War")
    set_span(new, "m53", cold_war + 4, cold_war + 12)
    civilians = new["text"].index("civilian targets")
    ids = [m["id"] for m in new["mentions"]]
    insert(new, "mentions", ids.index("m38"), mention(new, "m94", "PER", civilians, civilians + 16))
    find(new, "ev12")["args"].append({"role": "victim", "ref": "m94"})
    rename(new, "e40", "e41")
    return new


PAIRS = {
    "renumbered": renumbered,
    "text-edit": text_edited,
    "fields": fields_changed,
}


def write_pairs(folder: Path = HERE) -> list[Path]:
    """Write ``NAME.old.json`` / ``NAME.new.json`` for every pair; the paths written."""
    old = load(MINIMAL)
    written = []
    for name, make in PAIRS.items():
        for suffix, record in (("old", old), ("new", make(old))):
            path = folder / f"{name}.{suffix}.json"
            dump(copy.deepcopy(record), path)
            written.append(path)
    return written


def main() -> None:
    """Command line: rewrite the pairs, or write the bundled document's second version."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled", type=Path, help="write the bundled document's second version")
    args = parser.parse_args()
    if args.bundled:
        dump(bundled_second_version(load(BUNDLED)), args.bundled)
        return
    for path in write_pairs():
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
