"""Differential check: the findings of one corpuskit tree against another's, case by case.

Speed work rewrites checks; it must not change a single finding. This prints, for a
reproducible set of cases, every finding ``engine.find_problems`` yields (rule, message,
pointer, annotation id, position, text range, hint, fix) as one line per case, and a digest of
all lines. Run it once with the tree to compare against first on ``PYTHONPATH`` and once with
the working tree, then compare the digests (and ``diff`` the ``--out`` files on a difference):

    git worktree add /tmp/base HEAD
    PYTHONPATH=/tmp/base python benchmarks/differential.py --out /tmp/before.txt
    python benchmarks/differential.py --out /tmp/after.txt
    diff /tmp/before.txt /tmp/after.txt

Cases: every JSON and XML file under tests/ with each scheme found under tests/ (and none);
generated documents (benchmarks/fuzz_documents.py) with labels drawn from the schemes; and
semantic mutations of the frozen seed article: labels, references, offsets, covered text,
attributes, quote modes, links and the text itself changed, annotations deleted or duplicated,
the way an annotator's mistakes look (most stay valid against the schema, so the checks run).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_documents import random_document
from fuzz_mutations import mutate_structure

from corpuskit.engine import find_problems
from corpuskit.formats import xml_format
from corpuskit.formats.records import to_dict
from corpuskit.model import ANNOTATION_KINDS
from corpuskit.scheme import Scheme, load_scheme

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SEED = TESTS / "fixtures" / "seed" / "iran-russia-missiles.json"
#: Schemes under tests/ that load (some are deliberately broken).
SCHEME_NAMES = ("scheme.toml",)
ODD_TEXT = ["\u0301", "\u200d", "🇺", "\r", "\n", " ", "x", "Iran", "é", "\u2019", "-"]


def schemes() -> list[tuple[str, Scheme | None]]:
    """(name, scheme) of every loadable scheme under tests/, and no scheme."""
    found: list[tuple[str, Scheme | None]] = [("none", None)]
    for path in sorted(TESTS.rglob("*.toml")):
        try:
            scheme = load_scheme(path)
        except Exception:  # broken schemes are fixtures too; skip them
            continue
        if scheme is not None:
            found.append((str(path.relative_to(ROOT)), scheme))
    return found


def labels_of(scheme: Scheme | None) -> list[str]:
    """Names the scheme declares (types, roles, attributes) and a few it does not."""
    names = {"PER", "GPE", "ORG", "nope", "transfer"}
    if scheme is not None:
        for value in vars(scheme).values() if hasattr(scheme, "__dict__") else ():
            if isinstance(value, dict):
                names.update(k for k in value if isinstance(k, str))
        for attr in dir(scheme):
            if attr.startswith("_"):
                continue
            value = getattr(scheme, attr, None)
            if isinstance(value, dict):
                names.update(k for k in value if isinstance(k, str))
    return sorted(names)


def _annotations(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for kind in ANNOTATION_KINDS for a in record.get(kind, []) if isinstance(a, dict)]


def _ids(record: dict[str, Any]) -> list[str]:
    return [a["id"] for a in _annotations(record) if isinstance(a.get("id"), str)]


def _fragments(record: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for a in _annotations(record):
        for field in ("span", "cue", "trigger"):
            for frag in a.get(field, []) or []:
                if isinstance(frag, dict):
                    out.append(frag)
    return out


def mutate_semantics(record: dict[str, Any], rng: random.Random, labels: list[str]) -> None:
    """One to four annotator-like mistakes, in place."""
    for _ in range(rng.randint(1, 4)):
        annotations = _annotations(record)
        ids = _ids(record)
        choice = rng.randrange(11)
        if not annotations:
            return
        a = rng.choice(annotations)
        if choice == 0:
            for key in ("type", "role", "name", "label"):
                if key in a:
                    a[key] = rng.choice(labels)
        elif choice == 1:  # a reference moved, or dangling
            for key in ("entity", "speaker", "source", "target", "ref", "holder"):
                if isinstance(a.get(key), str):
                    a[key] = rng.choice([*ids, "missing"])
            for key in ("mentions",):
                if isinstance(a.get(key), list) and a[key]:
                    a[key][rng.randrange(len(a[key]))] = rng.choice([*ids, "missing"])
            for arg in a.get("args", []) or []:
                if isinstance(arg, dict) and rng.random() < 0.5:
                    arg["ref"] = rng.choice([*ids, "missing"])
                    if rng.random() < 0.5:
                        arg["role"] = rng.choice(labels)
        elif choice in (2, 3):
            frags = _fragments(record)
            if frags:
                frag = rng.choice(frags)
                delta = rng.choice([-3, -1, 1, 2, 50, 10**6])
                frag[rng.choice(["start", "end"])] += delta
                if rng.random() < 0.5:
                    frag["text"] = record["text"][max(0, frag["start"]) : max(0, frag["end"])]
        elif choice == 4:
            frags = _fragments(record)
            if frags:
                frag = rng.choice(frags)
                frag["text"] = rng.choice(
                    [frag["text"] + " ", " " + frag["text"], frag["text"][1:]]
                )
        elif choice == 5:  # the text edited without moving spans
            text = record["text"]
            at = rng.randint(0, len(text))
            record["text"] = text[:at] + rng.choice(ODD_TEXT) + text[at:]
        elif choice == 6:
            kind = rng.choice(
                ["mentions", "entities", "events", "quotes", "attributes", "relations"]
            )
            if record.get(kind):
                record[kind].pop(rng.randrange(len(record[kind])))
        elif choice == 7:
            kind = rng.choice(["mentions", "entities", "events", "attributes"])
            if record.get(kind):
                record[kind].append(copy.deepcopy(rng.choice(record[kind])))
        elif choice == 8:
            if "value" in a:
                a["value"] = rng.choice([True, False, 0, 3, "x", "high", None, [], "past"])
            if "mode" in a:
                a["mode"] = rng.choice(["direct", "indirect"])
        elif choice == 9:
            if "links" in a or rng.random() < 0.3:
                a["links"] = [
                    {
                        "kb": rng.choice(["wikidata", "geonames", "x"]),
                        "id": rng.choice(["Q1", "1", "Qx"]),
                    }
                ]
        else:  # a fragment snapped to a word boundary inside a word, or a grapheme
            frags = _fragments(record)
            text = record["text"]
            if frags and text:
                frag = rng.choice(frags)
                start = rng.randrange(len(text))
                end = min(len(text), start + rng.randint(1, 12))
                frag.update(start=start, end=end, text=text[start:end])


def cases(count: int, seed: int) -> Iterator[tuple[str, bytes, str, Scheme | None]]:
    """(case name, bytes, format, scheme)."""
    found = schemes()
    files = sorted(p for p in TESTS.rglob("*") if p.suffix in (".json", ".xml") and p.is_file())
    for path in files:
        data = path.read_bytes()
        fmt = path.suffix[1:]
        for name, scheme in found:
            yield f"{path.relative_to(ROOT)} @ {name}", data, fmt, scheme
    rng = random.Random(seed)
    seed_record = json.loads(SEED.read_bytes())
    for i in range(count):
        name, scheme = rng.choice(found)
        labels = labels_of(scheme)
        roll = rng.random()
        if roll < 0.25:
            record = to_dict(random_document(rng))
            mutate_semantics(record, rng, labels) if rng.random() < 0.7 else None
        elif roll < 0.95:
            record = copy.deepcopy(seed_record)
            mutate_semantics(record, rng, labels)
            if roll < 0.35:
                mutate_structure(record, rng)
        else:
            record = mutate_structure(copy.deepcopy(seed_record), rng)
        fmt = "xml" if rng.random() < 0.2 else "json"
        try:
            if fmt == "json":
                data = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
            else:
                data = xml_format.dumps_record(record).encode("utf-8", "surrogatepass")
        except Exception:  # a record XML cannot carry: compare it as JSON
            fmt = "json"
            data = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
        yield f"case {i} @ {name}", data, fmt, scheme


def describe(data: bytes, fmt: str, scheme: Scheme | None) -> str:
    """Every finding, in order, as one line."""
    try:
        problems = find_problems(data, fmt, scheme)
    except RecursionError:
        return "RecursionError"
    return json.dumps(
        [
            [
                f.rule.code,
                f.message,
                f.pointer,
                f.key,
                f.annotation_id,
                f.hint,
                f.text_range,
                f.position,
                f.fix.to_dict() if f.fix else None,
            ]
            for f in problems.findings
        ],
        ensure_ascii=True,
    )


def main() -> int:
    """Print the digest; write the lines to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    digest = hashlib.sha256()
    lines = []
    with_findings = 0
    total = 0
    for name, data, fmt, scheme in cases(args.cases, args.seed):
        line = describe(data, fmt, scheme)
        total += 1
        with_findings += line != "[]"
        lines.append(f"{name}\t{line}\n")
        digest.update(lines[-1].encode("utf-8", "surrogatepass"))
    if args.out:
        args.out.write_text("".join(lines), "utf-8", errors="surrogatepass")
    print(f"{total} cases, {with_findings} with findings, digest {digest.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
