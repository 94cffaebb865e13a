"""Deterministic synthetic corpus derived from the bundled seed document.

Document i depends only on (seed, i): the seed article's paragraphs are shuffled (annotations
move with their paragraph) and a sentence with accented names and astral-plane emoji is put in
front of some paragraphs, so that code-point, UTF-16 and UTF-8 offsets differ. Every generated
document is valid.

    python benchmarks/generate.py OUT_DIR N [--seed S] [--format json|xml|both]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import msgspec.structs

from corpuskit.formats import json_format, xml_format
from corpuskit.model import Document, Entity, Fragment, Mention, text_sha256

ROOT = Path(__file__).resolve().parents[1]
# The frozen copy of the seed article (tests/fixtures/seed), not corpus/: that is user data.
SEED_DOCUMENT = ROOT / "tests" / "fixtures" / "seed" / "iran-russia-missiles.json"
NAMES = ["Zoë Ñúñez", "Łukasz Wróbel", "Ana Müller-Šimić", "Chloé Dvořák", "Hüseyin Çelik"]
EMOJI = ["🚀", "🛰️", "🇺🇦", "👩\u200d💻", "📡"]


def _shift_span(
    span: tuple[Fragment, ...], moves: list[tuple[int, int, int]]
) -> tuple[Fragment, ...]:
    out = []
    for f in span:
        for old_start, old_end, delta in moves:
            if old_start <= f.start and f.end <= old_end:
                out.append(Fragment(f.start + delta, f.end + delta, f.text))
                break
        else:
            raise ValueError(f"fragment {f} crosses a paragraph boundary")
    return tuple(out)


def _move(annotation: Any, moves: list[tuple[int, int, int]]) -> Any:
    changes = {
        name: _shift_span(getattr(annotation, name), moves)
        for name in ("span", "cue", "trigger")
        if hasattr(annotation, name) and getattr(annotation, name)
    }
    return msgspec.structs.replace(annotation, **changes) if changes else annotation


def generate(seed_doc: Document, seed: int, i: int) -> Document:
    """The i-th synthetic document."""
    rng = random.Random(f"{seed}:{i}")
    paragraphs = seed_doc.text.split("\n")
    starts = []
    at = 0
    for p in paragraphs:
        starts.append(at)
        at += len(p) + 1
    order = [0, *rng.sample(range(1, len(paragraphs)), len(paragraphs) - 1)]  # title stays first
    new_parts: list[str] = []
    moves: list[tuple[int, int, int]] = []
    extra_mentions: list[Mention] = []
    extra_entities: list[Entity] = []
    cursor = 0
    for k in order:
        prefix = ""
        if k and rng.random() < 0.6:
            name = rng.choice(NAMES)
            prefix = f"{name} {rng.choice(EMOJI)} wrote: “{rng.choice(EMOJI)}”. "
            n = len(extra_mentions) + 1
            extra_mentions.append(
                Mention(f"gm{n}", "PER", (Fragment(cursor, cursor + len(name), name),))
            )
            extra_entities.append(Entity(f"ge{n}", "PER", (f"gm{n}",), name))
        old_start = starts[k]
        moves.append((old_start, old_start + len(paragraphs[k]), cursor + len(prefix) - old_start))
        new_parts.append(prefix + paragraphs[k])
        cursor += len(prefix) + len(paragraphs[k]) + 1
    text = "\n".join(new_parts)
    kinds = {
        kind: tuple(_move(a, moves) for a in getattr(seed_doc, kind))
        for kind in ("mentions", "quotes", "claims", "events")
    }
    return msgspec.structs.replace(
        seed_doc,
        id=f"synthetic-{seed}-{i:06d}",
        text=text,
        text_sha256=text_sha256(text),
        mentions=kinds["mentions"] + tuple(extra_mentions),
        entities=seed_doc.entities + tuple(extra_entities),
        quotes=kinds["quotes"],
        claims=kinds["claims"],
        events=kinds["events"],
    )


def write_corpus(out: Path, n: int, seed: int = 0, fmt: str = "json") -> None:
    """Write n documents to out/ (one file per document)."""
    seed_doc = json_format.load(SEED_DOCUMENT)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        doc = generate(seed_doc, seed, i)
        if fmt in ("json", "both"):
            (out / f"{doc.id}.json").write_text(json_format.dumps(doc), "utf-8")
        if fmt in ("xml", "both"):
            (out / f"{doc.id}.xml").write_text(xml_format.dumps(doc), "utf-8")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=["json", "xml", "both"], default="json")
    args = parser.parse_args()
    write_corpus(args.out, args.n, args.seed, args.format)


if __name__ == "__main__":
    main()
