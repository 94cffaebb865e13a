"""Per-stage cost of checking one document, in-process: where the time of a run goes.

    python benchmarks/stages.py [DOCUMENT] [--scheme SCHEME] [--repeat 7] [--number 300]

Each figure is the best of ``--repeat`` timings of ``--number`` calls (the best is the least
disturbed by other processes), in microseconds and as a ratio to ``orjson.loads`` of the same
bytes (limit A's per-document work). The checks are timed one by one on a fresh input each
call, so a check that builds the shared survey pays for it here; "all checks" shares it, as a
run does. Defaults: the frozen seed article (tests/fixtures/seed) with its scheme.
"""

from __future__ import annotations

import argparse
import timeit
from pathlib import Path

import lxml.etree
import orjson

from corpuskit.engine import Settings, check_bytes
from corpuskit.formats import json_format, typed, xml_format, xml_typed
from corpuskit.formats import schema as S
from corpuskit.formats.records import from_dict
from corpuskit.rules import CHECKS, CheckInput, offsets
from corpuskit.rules.base import PARTS
from corpuskit.scheme import load_scheme

SEED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seed"


def best(call: object, repeat: int, number: int) -> float:
    """Microseconds per call, best of ``repeat``."""
    return min(timeit.repeat(call, repeat=repeat, number=number)) / number * 1e6  # type: ignore[arg-type]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "document", nargs="?", type=Path, default=SEED / "iran-russia-missiles.json"
    )
    parser.add_argument("--scheme", type=Path, default=SEED / "scheme.toml")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=300)
    args = parser.parse_args()
    data = args.document.read_bytes()
    xml = xml_format.dumps(json_format.loads(data)).encode("utf-8")
    scheme = load_scheme(args.scheme)
    doc = typed.decode(data)
    assert doc is not None, "the document must be valid (the typed decode takes it)"
    r, n = args.repeat, args.number

    def full_path() -> None:
        parsed = json_format.parse(data)
        assert parsed.record is not None
        S.check_record(parsed.record)
        from_dict(parsed.record)

    rows: list[tuple[str, float]] = [
        ("orjson.loads (limit A's work)", best(lambda: orjson.loads(data), r, n)),
        ("typed decode (JSON)", best(lambda: typed.decode(data), r, n)),
        ("full path (parse + JSON Schema + model)", best(full_path, r, n // 3 or 1)),
        ("lxml.etree.fromstring (limit B's work)", best(lambda: lxml.etree.fromstring(xml), r, n)),
        ("typed decode (XML)", best(lambda: xml_typed.decode(xml), r, n)),
    ]
    for check in CHECKS:
        if check.needs_scheme and scheme is None:
            continue
        rows.append(
            (
                f"check {check.name}",
                best(lambda c=check: list(c.run(CheckInput(doc, scheme, {}))), r, n),
            )
        )
    rows.append(
        (
            "all checks (shared survey)",
            best(
                lambda: [list(c.run(g)) for g in [CheckInput(doc, scheme, {})] for c in CHECKS],
                r,
                n,
            ),
        )
    )
    # What the typed JSON decode hands the checks besides the model (engine._read): the walk's
    # free strings and the annotations' parts, which spare the checks a pass of their own.
    read = typed.decode_with_strings(data)
    assert read is not None
    facts = {offsets.ANNOTATION_STRINGS: read[1], PARTS: read[2]}
    rows.append(
        (
            "all checks, with the typed decode's facts (as a run)",
            best(
                lambda: [
                    list(c.run(g))
                    for g in [CheckInput(doc, scheme, {}, dict(facts))]
                    for c in CHECKS
                ],
                r,
                n,
            ),
        )
    )
    settings = Settings(scheme=scheme)
    rows.append(
        ("check_bytes JSON (everything)", best(lambda: check_bytes(data, "d.json", settings), r, n))
    )
    rows.append(
        ("check_bytes XML (everything)", best(lambda: check_bytes(xml, "d.xml", settings), r, n))
    )
    a, b = rows[0][1], rows[3][1]
    print(f"{args.document.name}: {len(data):,} bytes, {len(doc.annotations())} annotations")
    print("| stage | µs | ratio |")
    print("|---|---:|---:|")
    for name, micro in rows:
        ratio = f"{micro / b:.2f}x B" if "XML" in name or "lxml" in name else f"{micro / a:.2f}x A"
        print(f"| {name} | {micro:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
