"""A mutation fuzzer for corpuskit: ``python tests/fuzz.py --cases 100000``.

Starting from valid documents (the bundled corpus, the examples and generated ones), it applies
random byte-level and structure-level mutations and checks the library's promises:
``check_bytes`` never raises, ``loads`` raises only DocumentError, and ``fix`` never loses an
annotation. The test suite runs a short hypothesis version of the same (tests/test_hardening.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpuskit.diagnostics import DocumentError  # noqa: E402
from corpuskit.engine import check_bytes  # noqa: E402
from corpuskit.fixer import fix_bytes  # noqa: E402
from corpuskit.formats import format_module  # noqa: E402
from corpuskit.model import ANNOTATION_KINDS  # noqa: E402

SEEDS = [
    *(ROOT / "corpus").glob("*.json"),
    *(ROOT / "corpus").glob("*.xml"),
    *(ROOT / "tests" / "examples" / "positive").glob("*.*"),
]
TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b'"',
    b"\\",
    b"\\u",
    b"\xff",
    b"\xed\xa0\x80",
    b"NaN",
    b"1e999",
    b"-0",
    b"99999999999999999999",
    b"\x00",
    b"\r\n",
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"<!DOCTYPE x>",
    b"]]>",
    b"\xef\xbb\xbf",
    "é".encode(),
    "e\u0301".encode(),
    "👩\u200d💻".encode(),
    b"null",
    b"true",
]
VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**31,
    2**60,
    1.5,
    "",
    "x",
    "\u0000",
    [],
    {},
    [None],
    {"a": 1},
    "m1",
    "e1",
]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Flip, cut, insert or duplicate bytes."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.25:
            data[at] = rng.randrange(256)
        elif choice < 0.5:
            del data[at : at + rng.randint(1, 20)]
        elif choice < 0.75:
            data[at:at] = rng.choice(TOKENS)
        else:
            end = min(len(data), at + rng.randint(1, 200))
            data[at:at] = data[at:end]
    return bytes(data)


def _walk(node: Any, path: list[Any], out: list[list[Any]]) -> None:
    out.append(path)
    if isinstance(node, dict):
        for k, v in node.items():
            _walk(v, [*path, k], out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk(v, [*path, i], out)


def mutate_structure(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Replace, delete, duplicate or retype values anywhere in a record."""
    for _ in range(rng.randint(1, 3)):
        paths: list[list[Any]] = []
        _walk(record, [], paths)
        path = rng.choice(paths[1:]) if len(paths) > 1 else []
        if not path:
            continue
        parent: Any = record
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        choice = rng.random()
        if choice < 0.4:
            parent[key] = rng.choice(VALUES)
        elif choice < 0.6:
            if isinstance(parent, dict):
                parent.pop(key, None)
            else:
                parent.pop(key)
        elif choice < 0.8 and isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] += rng.randint(-5, 5)
        elif isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
    return record


def one_case(seed_bytes: bytes, name: str, rng: random.Random) -> None:
    """Mutate one document and check every promise; raise AssertionError when one breaks."""
    if rng.random() < 0.5 or not name.endswith(".json"):
        data = mutate_bytes(seed_bytes, rng)
    else:
        data = json.dumps(
            mutate_structure(json.loads(seed_bytes), rng), ensure_ascii=rng.random() < 0.5
        ).encode()
    report = check_bytes(data, name)  # must not raise
    assert all(d.code != "P999" for d in report.diagnostics), [
        d.message for d in report.diagnostics
    ]
    fmt = "xml" if name.endswith(".xml") else "json"
    with contextlib.suppress(DocumentError):  # the only error loads may raise
        format_module(fmt).loads(data)
    outcome = fix_bytes(data, name, unsafe=rng.random() < 0.3)
    if outcome.fixed_text is not None:
        before = format_module(fmt).parse(data).record
        after = format_module(fmt).parse(outcome.fixed_text.encode()).record
        assert isinstance(after, dict)
        if isinstance(before, dict):
            count = lambda r: sum(len(r.get(k) or ()) for k in ANNOTATION_KINDS)  # noqa: E731
            assert count(before) == count(after), "fix lost an annotation"


def main() -> int:
    """Run the fuzzer and print the count and outcome."""
    parser = argparse.ArgumentParser(description="corpuskit mutation fuzzer")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seeds = [(p.read_bytes(), p.name) for p in SEEDS]
    start = time.perf_counter()
    failures = 0
    for i in range(args.cases):
        data, name = rng.choice(seeds)
        try:
            one_case(data, name, rng)
        except Exception as exc:  # report and go on: the count is the result
            failures += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            print(
                f"case {i}: {type(exc).__name__}: {exc} at {where.filename}:{where.lineno}"[:500],
                file=sys.stderr,
            )
    elapsed = time.perf_counter() - start
    print(f"{args.cases} cases, {failures} failures, {elapsed:.0f} s (seed {args.seed})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
