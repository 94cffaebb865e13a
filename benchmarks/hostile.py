"""Hostile constructions at two sizes: work that grows faster than its input, kept from coming back.

    python benchmarks/hostile.py [--cases a,b] [--scale S] [--list]

The random fuzzer (benchmarks/fuzz.py) scales its inputs by copying what it drew; it never builds
the inputs below, each aimed at one loop that once did work per pair of things (thousands of
distinct absent texts in a long text, one quote overlapping itself, a chain of references, a brat
id picked by scanning every id taken, one text copied into every annotation's document...).
Each case builds its input at a size N and at 4N (in memory, or under a temporary folder when the
entry point reads files), runs the library function the command calls on it, and times that
alone. A case fails when 4 times the input takes more than RATIO_LIMIT (6) times as long
(superlinear; linear work takes about 4 times, quadratic 16), or when the larger size runs over
its time bound (bounded but far too slow; the harness stops it at a few times the bound). A ratio
over the limit is measured again before it is believed: on a busy machine one timing is noisy.

The table gives case, N, t(N), t(4N), the ratio and the verdict; the exit code is 1 on any
failure. ``--scale`` multiplies every base size (and the time bounds with it); the default
sizes run in one to two minutes when everything is linear. The test suite runs every case at
small sizes and checks what each returns, not how long it took (tests/test_hostile_scale.py).
Run this before claiming that anything is robust against hostile input.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CASES",
    "RATIO_LIMIT",
    "Case",
    "Measurement",
    "Outcome",
    "main",
    "measure",
    "run_case",
]

#: 4x the input may take at most this many times as long (linear: ~4, n log n a little more,
#: quadratic: ~16). 8, not 6: on a busy two-core machine linear cases measured up to 7.2.
RATIO_LIMIT = 8.0
#: Below this many seconds at N, the ratio is noise (timer, allocator, a context switch): only
#: the time bound is checked.
NOISE_FLOOR = 0.02
#: A run at 4N is stopped after this many times its time bound (an unfixed case must not keep
#: the harness busy for hours).
STOP_FACTOR = 3.0


@dataclass
class Outcome:
    """What one run of a case gave: codes of its findings, documents, and a few counts."""

    #: Rule codes of the findings or diagnostics, with how often each came.
    codes: Counter[str] = field(default_factory=Counter)
    #: Documents an import produced (export and validate cases: 0).
    documents: int = 0
    #: Anything else worth asserting (annotations read, lines written...).
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One short line for the table: the most common codes and the counts."""
        parts = [f"{c}x{n}" for c, n in self.codes.most_common(3)]
        if self.documents:
            parts.append(f"{self.documents} doc")
        parts += [f"{k} {v}" for k, v in self.counts.items()]
        return ", ".join(parts) or "-"


@dataclass(frozen=True)
class Case:
    """One hostile construction: how to build it at size n, what to run on it, its time bound."""

    name: str
    #: What the input is, and what it once cost.
    description: str
    #: N at --scale 1 (the larger run is 4N).
    base: int
    #: size, scratch folder -> the input (bytes, a path, a tuple...): not timed.
    build: Callable[[int, Path], Any]
    #: input -> Outcome: the timed call, the entry point the command uses.
    run: Callable[[Any], Outcome]
    #: Seconds allowed at 4N and --scale 1.
    bound: float


@dataclass
class Measurement:
    """One case timed at n and 4n."""

    case: str
    n: int
    small: float
    large: float | None
    verdict: str
    small_outcome: Outcome
    large_outcome: Outcome | None = None

    @property
    def ratio(self) -> float | None:
        """t(4N) / t(N), when both ran (and the smaller is measurable)."""
        if self.large is None or self.small <= 0:
            return None
        return self.large / self.small

    @property
    def failed(self) -> bool:
        """Whether the case grew superlinearly or ran over its bound."""
        return self.verdict != "ok"


# --------------------------------------------------------------------------- shared pieces


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _document(text: str, **annotations: list[dict[str, Any]]) -> dict[str, Any]:
    """A corpuskit document record: the text, its hash, the given annotation lists."""
    record: dict[str, Any] = {
        "corpuskit": "1.0",
        "id": "hostile",
        "meta": {"title": "hostile", "language": "en"},
        "offset_unit": "codepoint",
        "text": text,
        "text_sha256": _sha(text),
    }
    record.update(annotations)
    return record


def _mention(ident: str, start: int, end: int, text: str, kind: str = "PER") -> dict[str, Any]:
    return {"id": ident, "type": kind, "span": [{"start": start, "end": end, "text": text}]}


def _json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _load(data: bytes) -> Any:
    """The Document a corpuskit JSON document holds (what export reads before writing)."""
    from corpuskit.formats import format_module

    return format_module("json").loads(data)


def _codes(findings: Iterable[Any]) -> Counter[str]:
    """Rule codes of findings (Finding.rule.code) or diagnostics (Diagnostic.code)."""
    out: Counter[str] = Counter()
    for f in findings:
        code = getattr(f, "code", None) or f.rule.code
        out[code] += 1
    return out


# --------------------------------------------------------------------------- validate


def _validate(data: bytes) -> Outcome:
    """``corpuskit validate`` on one JSON document: check it, then render the text report
    (the rendering quotes excerpts of the text, which a long text could make costly too)."""
    from corpuskit.engine import Settings, check_bytes
    from corpuskit.reporters import ReportContext, Summary, reporter_class

    report = check_bytes(data, "hostile.json", Settings(discover_scheme=False))
    out = io.StringIO()
    reporter = reporter_class("text")(out, ReportContext(color=False))
    reporter.file(report)
    summary = Summary()
    summary.add(report)
    reporter.finish(summary)
    return Outcome(_codes(report.diagnostics), counts={"report KB": len(out.getvalue()) // 1024})


def build_absent_texts(n: int, folder: Path) -> bytes:
    """n mentions whose stored texts are distinct and occur nowhere, in a text of 4,000 n
    characters: each hint once scanned the whole text per text (2,000 in 16 MB: 9.8 s)."""
    size = 4000 * n
    text = ("lorem ipsum dolor sit amet " * (size // 27 + 1))[:size]
    mentions = [_mention(f"m{i}", 0, 9, f"zq{i:07d}") for i in range(n)]
    return _json(_document(text, mentions=mentions))


def build_self_overlap(n: int, folder: Path) -> bytes:
    """One mention whose stored text "a" x n/25 overlaps itself, in a text of n a's: counting
    its occurrences once matched the whole text at every position (40,000 in 1 MB: 58 s)."""
    length = max(2, n // 25)
    text = "a" * n + "b"
    mentions = [_mention("m0", n - length + 1, n + 1, "a" * length)]
    return _json(_document(text, mentions=mentions))


def _relations(n: int, cycles: bool) -> bytes:
    relations = []
    for i in range(n):
        args = [{"role": "party", "ref": "m1"}]
        if i + 1 < n:
            args.append({"role": "party", "ref": f"r{i + 2}"})
        if cycles:
            args.append({"role": "party", "ref": "r1"})  # every relation closes a cycle to r1
        relations.append({"id": f"r{i + 1}", "type": "alliance", "args": args})
    text = "Iran and Russia."
    return _json(
        _document(text, mentions=[_mention("m1", 0, 4, "Iran", "GPE")], relations=relations)
    )


def build_reference_chain(n: int, folder: Path) -> bytes:
    """n relations r1 -> r2 -> ... -> rn, no cycle: the cycle pre-check once peeled one
    relation per pass over the rest (20,000: 47 s)."""
    return _relations(n, cycles=False)


def build_reference_cycles(n: int, folder: Path) -> bytes:
    """The chain with every relation also pointing back to r1: n cycles, each once reported in
    full with members ranked by a list search (1,200: 5.4 s and 6 MB of report)."""
    return _relations(n, cycles=True)


# --------------------------------------------------------------------------- export


def _export(fmt: str) -> Callable[[Any], Outcome]:
    """``corpuskit export FMT`` on a loaded document: the registry's writer."""

    def run(document: Any) -> Outcome:
        from corpuskit.interop.registry import FORMATS, ExportOptions

        exported = FORMATS[fmt].write(document, ExportOptions())
        # Lines per file written: what the tests check (a brat line per T and E, a CoNLL line
        # per token) without keeping the files.
        lines = {f"{suffix} lines": text.count("\n") for suffix, text in exported.files.items()}
        return Outcome(_codes(exported.findings), counts=lines)

    return run


def build_brat_export_ids(n: int, folder: Path) -> Any:
    """n mentions with ids brat cannot keep (m0, m1...): each new T id was once the largest
    id taken, found by scanning them all (40,000: 10 s)."""
    text = "Iran " * n
    mentions = [_mention(f"m{i}", 5 * i, 5 * i + 4, "Iran") for i in range(n)]
    return _load(_json(_document(text, mentions=mentions)))


def build_brat_export_triggers(n: int, folder: Path) -> Any:
    """n events, each with its own trigger: each trigger's T id was once the first gap found
    from 1, and its event found by scanning every event (20,000: 26 s)."""
    text = "hit " * n
    events = [
        {
            "id": f"E{i + 1}",
            "type": "attack",
            "trigger": [{"start": 4 * i, "end": 4 * i + 3, "text": "hit"}],
        }
        for i in range(n)
    ]
    return _load(_json(_document(text, events=events)))


def build_conll_mentions(n: int, folder: Path) -> Any:
    """n adjacent one-token mentions: CoNLL export of 8,000 took 5.2 s."""
    text = "Iran " * n
    mentions = [_mention(f"m{i}", 5 * i, 5 * i + 4, "Iran") for i in range(n)]
    return _load(_json(_document(text, mentions=mentions)))


# --------------------------------------------------------------------------- import


#: The annotation lists of a document, counted in an import's outcome.
KINDS = ("mentions", "entities", "quotes", "claims", "events", "relations")


def _count_kinds(outcome: Outcome, document: Any) -> None:
    """Add a document's annotations, per kind, to ``outcome.counts`` (kinds it has none of
    are left out, to keep the table short)."""
    for kind in KINDS:
        if number := len(getattr(document, kind)):
            outcome.counts[kind] = outcome.counts.get(kind, 0) + number


def _import(fmt: str) -> Callable[[Path], Outcome]:
    """``corpuskit import FMT`` on one input file: the registry's reader, then each document
    validated as the command validates it before writing (``_Importer.finish``)."""

    def run(path: Path) -> Outcome:
        from corpuskit.interop.common import Imported, validate_imported
        from corpuskit.interop.registry import FORMATS, ImportOptions, InputSource

        options = ImportOptions(output=path.parent / "out", root=path.parent)
        outcome = Outcome()
        for item in FORMATS[fmt].read(InputSource(path, Path(), path), options):
            outcome.codes += _codes(item.findings)
            if not isinstance(item, Imported) or item.document is None:
                continue
            outcome.documents += 1
            _count_kinds(outcome, item.document)
            _, report = validate_imported(item, "json", options.declared_schemes.get(item.source))
            if report is not None:
                outcome.codes += _codes(report.diagnostics)
        return outcome

    return run


def build_brat_import_events(n: int, folder: Path) -> Path:
    """A brat .ann of n events, each with its own trigger, numbered unlike the writer would:
    reading it took 18 s for 8,000."""
    sub = folder / f"brat-events-{n}"
    sub.mkdir()
    (sub / "doc.txt").write_text("hit " * n, "utf-8")
    lines = [f"T{2 * i + 7}\tAttack {4 * i} {4 * i + 3}\thit" for i in range(n)]
    lines += [f"E{i + 1}\tAttack:T{2 * i + 7}" for i in range(n)]
    (sub / "doc.ann").write_text("\n".join(lines) + "\n", "utf-8")
    return sub / "doc.txt"


def build_brat_import_equiv(n: int, folder: Path) -> Path:
    """One brat Equiv line of n members: each member was once counted in the whole list
    (40,000: 15 s)."""
    sub = folder / f"brat-equiv-{n}"
    sub.mkdir()
    (sub / "doc.txt").write_text("Iran " * n, "utf-8")
    lines = [f"T{i + 1}\tGPE {5 * i} {5 * i + 4}\tIran" for i in range(n)]
    lines.append("*\tEquiv " + " ".join(f"T{i + 1}" for i in range(n)))
    (sub / "doc.ann").write_text("\n".join(lines) + "\n", "utf-8")
    return sub / "doc.txt"


def build_xmi_chains(n: int, folder: Path) -> Path:
    """n mentions, each the only mention of its own entity, exported to XMI: n coreference
    chains; importing 32,000 of them took 62 s."""
    from corpuskit.interop.registry import FORMATS, ExportOptions

    text = "Iran " * n
    mentions = [_mention(f"m{i + 1}", 5 * i, 5 * i + 4, "Iran", "GPE") for i in range(n)]
    entities = [{"id": f"e{i + 1}", "type": "GPE", "mentions": [f"m{i + 1}"]} for i in range(n)]
    document = _load(_json(_document(text, mentions=mentions, entities=entities)))
    exported = FORMATS["xmi"].write(document, ExportOptions())
    sub = folder / f"xmi-{n}"
    sub.mkdir()
    for suffix, content in exported.files.items():
        (sub / f"doc{suffix}").write_text(content, "utf-8")
    return sub / "doc.xmi"


def build_labelstudio_copies(n: int, folder: Path) -> Path:
    """One Label Studio task with a text of 10,000 n characters and n empty annotations: each
    annotation becomes a document holding the whole text, so n times the input is built and
    checked (100 annotations of a 1 MB text)."""
    size = 10_000 * n
    task = {
        "id": 1,
        "data": {"text": ("lorem ipsum " * (size // 12 + 1))[:size]},
        "annotations": [{"id": i} for i in range(n)],
    }
    path = folder / f"ls-{n}.json"
    path.write_text(json.dumps([task]), "utf-8")
    return path


# --------------------------------------------------------------------------- W3C


def _w3c(inputs: tuple[bytes, str]) -> Outcome:
    """``corpuskit import w3c`` on one .jsonld and its .txt: read_w3c, then validation."""
    from corpuskit.interop.common import validate_imported
    from corpuskit.interop.w3c import read_w3c

    data, text = inputs
    imported = read_w3c(data, text, "doc.jsonld", "doc.txt", "codepoint", "doc")
    outcome = Outcome(_codes(imported.findings), documents=int(imported.document is not None))
    if imported.document is not None:
        _count_kinds(outcome, imported.document)
        _, report = validate_imported(imported, "json")
        if report is not None:
            outcome.codes += _codes(report.diagnostics)
    return outcome


def build_w3c_many_quotes(n: int, folder: Path) -> tuple[bytes, str]:
    """n annotations quoting "a" with 300 a's of prefix and suffix in a text of 4,000 n a's:
    each quote under the per-quote limit, all of them together once ran for minutes (100 in
    1 MB: 31.6 s)."""
    annotations = [
        {
            "type": "Annotation",
            "id": f"x{i}",
            "body": {"type": "TextualBody", "value": "PER", "purpose": "tagging"},
            "target": {
                "source": "doc.txt",
                "selector": {
                    "type": "TextQuoteSelector",
                    "exact": "a",
                    "prefix": "a" * 300,
                    "suffix": "a" * 300,
                },
            },
        }
        for i in range(n)
    ]
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": annotations},
    }
    return json.dumps(collection).encode("utf-8"), "a" * (4000 * n)


def build_w3c_long_quote(n: int, folder: Path) -> tuple[bytes, str]:
    """One quote of n a's in a text of 2n a's: it overlaps itself at every position, and each
    find costs its length (400,000: 31 s)."""
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": "x1",
        "body": {"type": "TextualBody", "value": "PER", "purpose": "tagging"},
        "target": {
            "source": "doc.txt",
            "selector": {"type": "TextQuoteSelector", "exact": "a" * n},
        },
    }
    return json.dumps(annotation).encode("utf-8"), "a" * (2 * n)


# --------------------------------------------------------------------------- reanchor


def _reanchor(inputs: tuple[Any, str]) -> Outcome:
    """``corpuskit reanchor``'s work: align the old text with the new, move every span."""
    from corpuskit.reanchor import reanchor

    document, new_text = inputs
    moved_doc, moved = reanchor(document, new_text)
    # Mentions whose every fragment covers its own text in the new text: the ones not flagged.
    covering = sum(
        all(new_text[f.start : f.end] == f.text for f in m.span) for m in moved_doc.mentions
    )
    return Outcome(
        counts={
            "mentions": len(moved_doc.mentions),
            "covering": covering,
            "flagged": len(moved),
        }
    )


def _words_document(words: list[str], every: int = 50) -> Any:
    """A document of the words, with a mention on every ``every``-th word."""
    text = " ".join(words)
    mentions, at = [], 0
    for i, word in enumerate(words):
        if i % every == 0:
            mentions.append(_mention(f"m{i}", at, at + len(word), word))
        at += len(word) + 1
    return _load(_json(_document(text, mentions=mentions)))


def build_reanchor_reversed(n: int, folder: Path) -> tuple[Any, str]:
    """n distinct words, the new text the same words reversed: no common stretch is longer
    than a word, so the alignment recurses over everything."""
    words = [f"w{i}" for i in range(n)]
    return _words_document(words), " ".join(reversed(words))


def build_reanchor_shuffled(n: int, folder: Path) -> tuple[Any, str]:
    """n distinct words, the new text the same words shuffled."""
    words = [f"w{i}" for i in range(n)]
    shuffled = words[:]
    random.Random(1).shuffle(shuffled)
    return _words_document(words), " ".join(shuffled)


def build_reanchor_repeated(n: int, folder: Path) -> tuple[Any, str]:
    """n copies of one word, the new text that word alternating with another: no word is
    unique, so patience matching finds no anchor."""
    return _words_document(["a"] * n), " ".join(["a", "b"] * (n // 2))


# --------------------------------------------------------------------------- the cases


#: Every case, in the order the table lists them. Base sizes make each case take about a
#: second or two at 4N when linear, the whole run one to two minutes.
CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case(
            "validate-absent-texts",
            build_absent_texts.__doc__ or "",
            500,
            build_absent_texts,
            _validate,
            20.0,
        ),
        Case(
            "validate-self-overlap",
            build_self_overlap.__doc__ or "",
            250_000,
            build_self_overlap,
            _validate,
            10.0,
        ),
        Case(
            "validate-reference-chain",
            build_reference_chain.__doc__ or "",
            40_000,
            build_reference_chain,
            _validate,
            10.0,
        ),
        Case(
            "validate-reference-cycles",
            build_reference_cycles.__doc__ or "",
            4_800,
            build_reference_cycles,
            _validate,
            10.0,
        ),
        Case(
            "brat-export-ids",
            build_brat_export_ids.__doc__ or "",
            40_000,
            build_brat_export_ids,
            _export("brat"),
            10.0,
        ),
        Case(
            "brat-export-triggers",
            build_brat_export_triggers.__doc__ or "",
            20_000,
            build_brat_export_triggers,
            _export("brat"),
            10.0,
        ),
        Case(
            "brat-import-events",
            build_brat_import_events.__doc__ or "",
            2_000,
            build_brat_import_events,
            _import("brat"),
            10.0,
        ),
        Case(
            "brat-import-equiv",
            build_brat_import_equiv.__doc__ or "",
            10_000,
            build_brat_import_equiv,
            _import("brat"),
            10.0,
        ),
        Case(
            "xmi-import-chains",
            build_xmi_chains.__doc__ or "",
            2_000,
            build_xmi_chains,
            _import("xmi"),
            15.0,
        ),
        Case(
            "conll-export-mentions",
            build_conll_mentions.__doc__ or "",
            32_000,
            build_conll_mentions,
            _export("conll"),
            10.0,
        ),
        Case(
            "labelstudio-copies",
            build_labelstudio_copies.__doc__ or "",
            25,
            build_labelstudio_copies,
            _import("labelstudio"),
            15.0,
        ),
        Case(
            "w3c-many-quotes",
            build_w3c_many_quotes.__doc__ or "",
            100,
            build_w3c_many_quotes,
            _w3c,
            25.0,
        ),
        Case(
            "w3c-long-quote",
            build_w3c_long_quote.__doc__ or "",
            100_000,
            build_w3c_long_quote,
            _w3c,
            10.0,
        ),
        Case(
            "reanchor-reversed",
            build_reanchor_reversed.__doc__ or "",
            80_000,
            build_reanchor_reversed,
            _reanchor,
            10.0,
        ),
        Case(
            "reanchor-shuffled",
            build_reanchor_shuffled.__doc__ or "",
            40_000,
            build_reanchor_shuffled,
            _reanchor,
            10.0,
        ),
        Case(
            "reanchor-repeated",
            build_reanchor_repeated.__doc__ or "",
            160_000,
            build_reanchor_repeated,
            _reanchor,
            10.0,
        ),
    )
}


# --------------------------------------------------------------------------- running


class _Stopped(BaseException):
    """A run went over STOP_FACTOR times its bound (a BaseException: library code catching
    Exception must not swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Stopped


def run_case(
    case: Case, n: int, folder: Path, stop_after: float | None = None
) -> tuple[float, Outcome | None]:
    """Build ``case`` at size ``n`` under ``folder`` and run it once: (seconds, outcome).

    With ``stop_after`` (and on the main thread), a run still going after that many seconds is
    stopped: the outcome is then None and the seconds are how long it ran.
    """
    # A fresh subfolder per run: a case that writes files never meets those of an earlier one.
    built = case.build(n, Path(tempfile.mkdtemp(dir=folder)))
    alarm = stop_after is not None and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, _on_alarm) if alarm else None
    began = time.perf_counter()
    try:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, stop_after)
        try:
            outcome: Outcome | None = case.run(built)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _Stopped:
        outcome = None
    finally:
        if alarm:
            signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - began, outcome


def measure(case: Case, scale: float = 1.0) -> Measurement:
    """Time ``case`` at N = base x scale and at 4N; the verdict is ``ok``, ``superlinear``,
    ``over bound`` or ``stopped``."""
    n = max(1, round(case.base * scale))
    bound = case.bound * max(1.0, scale)
    with tempfile.TemporaryDirectory(prefix="corpuskit-hostile-") as tmp:
        folder = Path(tmp)
        small_outcome: Outcome | None = None
        large_outcome: Outcome | None = None
        small = large = float("inf")
        superlinear = False
        for _ in range(2):
            # Each size keeps its fastest run over the attempts: the machine's other work only
            # ever adds time, and one slow run of the small size (a cold cache, a busy core)
            # would hide a superlinear case, one of the large would fail a linear one.
            for _ in range(2):
                small, small_outcome = min(
                    (small, small_outcome), run_case(case, n, folder), key=lambda r: r[0]
                )
                if small >= 1.0:  # a long run's noise is small beside it: spare the second
                    break
            took, outcome = run_case(case, 4 * n, folder, STOP_FACTOR * bound)
            if outcome is None:
                return Measurement(case.name, n, small, took, "stopped", small_outcome or Outcome())
            large, large_outcome = min((large, large_outcome), (took, outcome), key=lambda r: r[0])
            superlinear = small >= NOISE_FLOOR and large / small > RATIO_LIMIT
            if not superlinear:
                break
    verdict = "superlinear" if superlinear else "over bound" if large > bound else "ok"
    return Measurement(
        case.name, n, small, large, verdict, small_outcome or Outcome(), large_outcome
    )


def table(measurements: list[Measurement]) -> str:
    """The measurements as a text table."""
    rows = [
        f"{'case':<26} {'N':>8} {'t(N)':>8} {'t(4N)':>8} {'ratio':>6}  {'verdict':<11}  result at 4N"
    ]
    for m in measurements:
        ratio = f"{m.ratio:.1f}" if m.ratio is not None and m.small >= NOISE_FLOOR else "-"
        large = f"{m.large:.2f}s" if m.large is not None else "-"
        stopped = ">" if m.verdict == "stopped" else ""
        outcome = (m.large_outcome or m.small_outcome).summary()
        rows.append(
            f"{m.case:<26} {m.n:>8} {m.small:>7.2f}s {stopped + large:>8} {ratio:>6}  {m.verdict:<11}  {outcome}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line: time the cases, print the table; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated case names (default: all)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every base size (default 1)"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and what each builds")
    args = parser.parse_args(argv)
    if args.list:
        for case in CASES.values():
            print(f"{case.name}  (N={case.base}, bound {case.bound:.0f} s)")
            print("    " + " ".join(case.description.split()))
        return 0
    names = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in names if c not in CASES]
    if unknown or not names:
        parser.error(f"unknown case(s) {', '.join(unknown)} (see --list)")
    if args.scale <= 0:
        parser.error("--scale must be positive")
    began = time.perf_counter()
    measurements = []
    for name in names:
        m = measure(CASES[name], args.scale)
        measurements.append(m)
        print(f"{name}: {m.verdict}", file=sys.stderr, flush=True)
    print(table(measurements))
    failed = [m.case for m in measurements if m.failed]
    print(
        f"\n{len(measurements)} cases in {time.perf_counter() - began:.0f} s; "
        f"{len(failed)} failed" + (f": {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
