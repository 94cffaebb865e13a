"""Timings of ``reanchor`` (issue 14, item 6): ``python benchmarks/reanchor.py``.

Synthetic English-like text (Zipf-distributed words, so common words repeat as in news text),
a mention on about every eighth word, and seeded random edits; every case is the same on every
run. For each case it prints the best of ``--runs`` timings of the library call
(``corpuskit.reanchor.reanchor``: alignment plus moving every span), how many spans were
listed for review, and checks that every span away from the edits moved exactly. ``--cli``
also times ``corpuskit reanchor DOC --text FILE`` as a whole process for the two goals.

Goals: a single 80,000-character paragraph with one character changed under 2 s; a 1 MB text
with 100 scattered edits under 5 s.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpuskit.formats import json_format
from corpuskit.model import Document, Fragment, Mention, Metadata, text_sha256
from corpuskit.reanchor import reanchor

SEED = 14


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(1, 10))) for _ in range(size)}
    return sorted(words)


def make_text(length: int, *, paragraphs: bool, seed: int = SEED) -> str:
    """About ``length`` characters of sentences; one paragraph, or paragraphs of ~600 chars."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    parts: list[str] = []
    size = 0
    paragraph = 0
    while size < length:
        words = rng.choices(vocabulary, weights, k=rng.randint(6, 25))
        sentence = " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", ","])
        parts.append(sentence)
        size += len(sentence) + 1
        paragraph += len(sentence) + 1
        if paragraphs and paragraph > 600:
            parts.append("\n\n")
            paragraph = 0
        else:
            parts.append(" ")
    return "".join(parts)[:length]


def make_document(text: str, seed: int = SEED) -> Document:
    """A document with a mention on about every eighth word of ``text``."""
    rng = random.Random(seed)
    mentions: list[Mention] = []
    at = 0
    while True:
        start = text.find(" ", at + rng.randint(20, 60))
        if start < 0:
            break
        start += 1
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        if end > start:
            mentions.append(
                Mention(f"m{len(mentions)}", "X", (Fragment(start, end, text[start:end]),))
            )
        at = end
    return Document(
        id="bench",
        meta=Metadata(title="bench", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=tuple(mentions),
    )


def edit(text: str, count: int, seed: int = SEED) -> tuple[str, list[tuple[int, int, int]]]:
    """``text`` with ``count`` scattered edits (a letter, a word, an inserted or deleted word),
    and the edits as (old start, old end, new length), in text order."""
    rng = random.Random(seed + count)
    spots = sorted(rng.sample(range(len(text) - 40), count))
    out: list[str] = []
    edits: list[tuple[int, int, int]] = []
    last = 0
    for spot in spots:
        if spot < last + 20:
            continue
        kind = rng.choice(["letter", "word", "insert", "delete"])
        if kind == "letter":
            start, end, new = spot, spot + 1, "Q"
        elif kind == "word":
            start, end, new = spot, spot + 5, "zzyzx"
        elif kind == "insert":
            start, end, new = spot, spot, " inserted words here "
        else:
            start, end, new = spot, spot + 12, ""
        out += [text[last:start], new]
        edits.append((start, end, len(new)))
        last = end
    out.append(text[last:])
    return "".join(out), edits


def check(doc: Document, moved_doc: Document, edits: list[tuple[int, int, int]]) -> int:
    """The number of spans clear of every edit (by 20 characters) that did not move exactly."""
    wrong = 0
    for before, after in zip(doc.mentions, moved_doc.mentions, strict=True):
        f, g = before.span[0], after.span[0]
        delta = 0
        clear = True
        for start, end, new_length in edits:
            if f.end + 20 <= start:
                break
            if f.start >= end + 20:
                delta += new_length - (end - start)
            else:
                clear = False
                break
        if clear and (g.start, g.end) != (f.start + delta, f.end + delta):
            wrong += 1
    return wrong


def best_of(runs: int, doc: Document, new_text: str) -> tuple[float, Document, int]:
    """The fastest of ``runs`` re-anchorings, its result and how many spans were listed."""
    best = float("inf")
    result: tuple[Document, list[object]] | None = None
    for _ in range(runs):
        start = time.perf_counter()
        moved_doc, moved = reanchor(doc, new_text)
        best = min(best, time.perf_counter() - start)
        result = (moved_doc, list(moved))
    assert result is not None
    return best, result[0], len(result[1])


def cli_seconds(doc: Document, new_text: str) -> float:
    """Wall seconds of ``corpuskit reanchor DOC --text FILE`` in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "doc.json"
        target.write_text(json_format.dumps(doc), "utf-8")
        text_file = Path(folder) / "new.txt"
        text_file.write_text(new_text, "utf-8")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "corpuskit", "reanchor", str(target), "--text", str(text_file)],
            capture_output=True,
            text=True,
            cwd=folder,
        )
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"reanchor failed ({done.returncode}): {done.stderr[-500:]}")
        return elapsed


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time the whole command")
    args = parser.parse_args()
    cases = [
        ("one paragraph, 10,000 chars, 1 letter changed", 10_000, False, 1, None),
        ("one paragraph, 40,000 chars, 1 letter changed", 40_000, False, 1, None),
        ("one paragraph, 80,000 chars, 1 letter changed", 80_000, False, 1, 2.0),
        ("1 MB in paragraphs, 100 scattered edits", 1_000_000, True, 100, 5.0),
        ("1 MB in one paragraph, 100 scattered edits", 1_000_000, False, 100, 5.0),
    ]
    print(f"{'case':<48} {'seconds':>8} {'goal':>6} {'spans':>7} {'listed':>7} {'wrong':>6}")
    failed = False
    for name, length, paragraphs, edits_wanted, goal in cases:
        text = make_text(length, paragraphs=paragraphs)
        doc = make_document(text)
        if edits_wanted == 1:
            middle = len(text) // 2
            letter = "Q" if text[middle] != "Q" else "R"
            new_text = text[:middle] + letter + text[middle + 1 :]
            edits = [(middle, middle + 1, 1)]
        else:
            new_text, edits = edit(text, edits_wanted)
        seconds, moved_doc, listed = best_of(args.runs, doc, new_text)
        wrong = check(doc, moved_doc, edits)
        goal_text = f"< {goal:g}" if goal else ""
        print(
            f"{name:<48} {seconds:>8.3f} {goal_text:>6} {len(doc.mentions):>7} "
            f"{listed:>7} {wrong:>6}"
        )
        failed |= wrong > 0 or (goal is not None and seconds >= goal)
        if args.cli and goal is not None:
            print(f"{'  the whole command (fresh process)':<48} {cli_seconds(doc, new_text):>8.3f}")
    if failed:
        raise SystemExit("a goal was missed or a span moved wrongly")


if __name__ == "__main__":
    main()
