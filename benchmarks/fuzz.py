"""The corpuskit fuzzer: mutated inputs for validate, fix, reanchor, convert and every importer.

    python benchmarks/fuzz.py --cases 100000 --seed 1 [--targets validate,fix] [--max-seconds S]

Each case draws a valid input (generated documents, tests/examples/positive, the interop
fixtures), mutates it (bytes; JSON and XML structure: types swapped, deep nesting, huge numbers,
odd number spellings, lone surrogates, control characters, long strings, fields missing or
empty; brat and annotation.conf lines; text edits) and checks what the library promises:

- ``validate``: ``check_bytes`` never raises and never reports P999; ``loads`` raises only
  DocumentError, and loads whatever validates; every reporter renders the report.
- ``fix``: the fixed text parses, passes the schema, keeps every annotation and its non-span
  content, has no more errors, and fixing it again changes nothing.
- ``reanchor``: on a text ``corpuskit reanchor`` accepts, no annotation is lost, every fragment
  lies inside the new text, unchanged ones cover their text, only moved ones are flagged.
- ``convert``: a document that validates converts (JSON <-> XML) to one that validates and holds
  the same document; canonical input round-trips byte for byte.
- ``brat``, ``bioc-xml``, ``bioc-json``, ``webanno``: the importer (and annotation.conf
  conversion) gives diagnostics or a document, never an exception; the document is validated
  and its diagnostics placed as ``corpuskit import`` does.

Outcomes are counted per target: crashes (an unexpected exception), hangs (a case over
``--timeout`` seconds, stopped by SIGALRM), data-loss cases and other broken promises. Each
failure is saved (traceback and inputs) under ``--save``. Case ``i`` depends only on
(``--seed``, its target, ``i``): ``--case i`` replays it. The exit code is 1 on any failure.
The test suite runs a short fixed-seed version (tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_inputs as inputs

from corpuskit.diagnostics import CorpuskitError, DocumentError, Severity
from corpuskit.engine import FileReport, Settings, check_bytes
from corpuskit.fixer import fix_bytes
from corpuskit.formats import format_module, json_format, xml_format
from corpuskit.formats.records import to_dict
from corpuskit.model import ANNOTATION_KINDS, XML_FORBIDDEN, Document, spans_of
from corpuskit.reanchor import reanchor
from corpuskit.rules import schema as S
from corpuskit.scheme import Scheme, load_scheme

TARGETS = ("validate", "fix", "reanchor", "convert", "brat", "bioc-xml", "bioc-json", "webanno")
DEFAULT_SAVE = Path(tempfile.gettempdir()) / "corpuskit-fuzz"


class Hang(BaseException):
    """A case ran over its time bound (a BaseException: library code catching Exception must
    not swallow it)."""


class DataLoss(Exception):
    """An annotation, or content the operation must keep, was lost."""


class Broken(Exception):
    """Another promise was broken (a round trip, idempotence, a span outside the text...)."""


@dataclass
class Case:
    """One fuzz case: its random source and the inputs it built (saved when it fails)."""

    target: str
    index: int
    rng: random.Random
    inputs: dict[str, bytes] = field(default_factory=dict)

    def keep(self, name: str, data: bytes) -> bytes:
        """Record an input under ``name`` (the file name it is saved as) and return it."""
        self.inputs[name] = data
        return data


def case_rng(seed: int, target: str, index: int) -> random.Random:
    """The random source of one case: a function of the seed, the target and the index only."""
    return random.Random(f"{seed}:{target}:{index}")


# --------------------------------------------------------------------------- shared pieces


@cache
def example_scheme() -> Scheme:
    """The examples' scheme (tests/examples/scheme.toml), for the scheme rules."""
    return load_scheme(inputs.ROOT / "tests" / "examples" / "scheme.toml")


def random_settings(rng: random.Random) -> Settings:
    """Rule selections as users configure them, with and without a scheme."""
    scheme = example_scheme() if rng.random() < 0.3 else None
    choice = rng.randrange(4)
    if choice == 0:
        return Settings(scheme=scheme, discover_scheme=False)
    if choice == 1:
        return Settings(scheme=scheme, extend_select=frozenset({"L001"}), discover_scheme=False)
    if choice == 2:
        return Settings(select=frozenset({"O"}), discover_scheme=False)
    return Settings(scheme=scheme, ignore=frozenset({"O102", "R"}), discover_scheme=False)


def errors(report: FileReport) -> list[str]:
    """The codes of a report's errors."""
    return [d.code for d in report.diagnostics if d.severity is Severity.ERROR]


def seed_document(case: Case) -> tuple[str, bytes]:
    """A valid document to mutate: generated (JSON or XML) or an example, as (name, bytes)."""
    rng = case.rng
    if rng.random() < 0.25:
        return rng.choice(inputs.positive_seeds())
    doc = inputs.random_document(rng)
    if rng.random() < 0.5:
        return "doc.json", json_format.dumps(doc).encode()
    return "doc.xml", xml_format.dumps(doc).encode()


def mutate_document(name: str, data: bytes, rng: random.Random) -> bytes:
    """A byte-level, structure-level (JSON, XML) or fixable mutation of a document."""
    choice = rng.random()
    if choice < 0.3:
        return inputs.mutate_bytes(data, rng)
    if name.endswith(".xml"):
        return inputs.mutate_xml(data, rng)
    if choice < 0.65:
        return inputs.mutate_json_bytes(data, rng)
    record = json_format.parse(data).record
    if not isinstance(record, dict):
        return inputs.mutate_bytes(data, rng)
    return inputs.dump_json(inputs.damage_fixably(record, rng), rng)


def render(report: FileReport, rng: random.Random) -> None:
    """Render a report with a random reporter, as ``validate --format`` would."""
    from corpuskit.reporters import REPORTERS, ReportContext, Summary, reporter_class

    reporter = reporter_class(rng.choice(list(REPORTERS)))(io.StringIO(), ReportContext())
    reporter.file(report)
    summary = Summary()
    summary.add(report)
    reporter.finish(summary)


# --------------------------------------------------------------------------- validate


def target_validate(case: Case) -> str:
    """check_bytes never raises nor reports P999; loads raises only DocumentError."""
    name, data = seed_document(case)
    data = case.keep(name, mutate_document(name, data, case.rng))
    report = check_bytes(data, name, random_settings(case.rng))
    internal = [d.message for d in report.diagnostics if d.code == "P999"]
    if internal:
        raise Broken(f"P999: {internal[0]}")
    render(report, case.rng)
    try:
        format_module("xml" if name.endswith(".xml") else "json").loads(data)
    except DocumentError:
        if not errors(check_bytes(data, name)):
            raise Broken("validates without errors but loads raises DocumentError") from None
        return "rejected"
    return "loaded"


# --------------------------------------------------------------------------- fix


def _without_empty(value: Any) -> Any:
    """A record without the empty optional fields the canonical layout leaves out."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def _content(annotation: Any) -> Any:
    """An annotation without its fragments' offsets and text (what fixes may change)."""
    if not isinstance(annotation, dict):
        return annotation
    out = dict(annotation)
    for key in ("span", "cue", "trigger"):
        if isinstance(out.get(key), list):
            out[key] = len(out[key])
    return _without_empty(out)


def check_kept(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Raise DataLoss when ``after`` lost an annotation or content a fix must not touch."""
    for kind in ANNOTATION_KINDS:
        old, new = before.get(kind) or [], after.get(kind) or []
        if not isinstance(old, list):
            continue
        if len(new) != len(old):
            raise DataLoss(f"{kind}: {len(old)} annotations before, {len(new)} after")
        for a, b in zip(old, new, strict=True):
            if _content(a) != _content(b):
                raise DataLoss(f"{kind}: {_content(a)!r} became {_content(b)!r}")
    old_text, new_text = before.get("text"), after.get("text")
    if isinstance(old_text, str) and new_text not in (
        old_text,
        unicodedata.normalize("NFC", old_text),
    ):
        raise DataLoss("the text changed beyond NFC normalisation")
    for key in ("id", "meta"):
        if _without_empty(before.get(key)) != _without_empty(after.get(key)):
            raise DataLoss(f"{key} changed: {before.get(key)!r} -> {after.get(key)!r}")


def target_fix(case: Case) -> str:
    """fix_bytes: parses, passes the schema, keeps every annotation, is idempotent."""
    rng = case.rng
    name, data = seed_document(case)
    if name.endswith(".json") and rng.random() < 0.6:
        record = json_format.parse(data).record
        assert isinstance(record, dict)
        damaged = inputs.damage_fixably(record, rng)
        data = (
            inputs.dump_json(damaged, rng)
            if rng.random() < 0.5
            else json_format.dumps_record(damaged).encode()
        )
        if rng.random() < 0.2:
            data = mutate_document(name, data, rng)
    else:
        data = mutate_document(name, data, rng)
    case.keep(name, data)
    unsafe = rng.random() < 0.4
    outcome = fix_bytes(data, name, unsafe=unsafe)
    if outcome.fixed_text is None:
        return "refused" if outcome.refused else "unchanged"
    module = format_module("xml" if name.endswith(".xml") else "json")
    fixed = outcome.fixed_text.encode("utf-8")
    after = module.parse(fixed).record
    if not isinstance(after, dict) or S.check_record(after):
        raise Broken("the fixed document does not parse or does not pass the schema")
    before = module.parse(data).record
    if isinstance(before, dict):
        check_kept(before, after)
    settings = Settings(extend_select=frozenset({"L001"}), discover_scheme=False)
    if len(errors(outcome.remaining)) > len(errors(check_bytes(data, name, settings))):
        raise Broken(f"fix added errors: {errors(outcome.remaining)}")
    again = fix_bytes(fixed, name, unsafe=unsafe)
    if again.fixed_text is not None:
        case.keep("fixed-" + name, fixed)
        raise Broken("not idempotent: fixing the fixed document changes it again")
    return "fixed"


# --------------------------------------------------------------------------- reanchor


def target_reanchor(case: Case) -> str:
    """reanchor: no annotation lost, fragments inside the new text, only moved ones flagged."""
    rng = case.rng
    doc = (
        inputs.random_document(rng)
        if rng.random() < 0.8
        else json_format.loads(inputs.positive_seeds()[0][1])
    )
    case.keep("doc.json", json_format.dumps(doc).encode())
    new_text = doc.text if rng.random() < 0.05 else inputs.edit_text(doc.text, rng)
    case.keep("new.txt", new_text.encode("utf-8", errors="surrogatepass"))
    # What `corpuskit reanchor` refuses before moving anything (documented; nothing written).
    if (
        not new_text
        or XML_FORBIDDEN.search(new_text)
        or not unicodedata.is_normalized("NFC", new_text)
    ):
        return "refused"
    moved_doc, moved = reanchor(doc, new_text)
    for kind in ANNOTATION_KINDS:
        old_ids = [a.id for a in getattr(doc, kind)]
        new_ids = [a.id for a in getattr(moved_doc, kind)]
        if old_ids != new_ids:
            raise DataLoss(f"{kind}: {old_ids} became {new_ids}")
    flagged = {m.annotation_id for m in moved}
    for kind in ("mentions", "quotes", "claims", "events"):
        for a in getattr(moved_doc, kind):
            for field_name, span in spans_of(a):
                if not span:
                    raise DataLoss(f"{a.id}: its {field_name} lost every fragment")
                for f in span:
                    if not 0 <= f.start < f.end <= len(new_text):
                        raise Broken(
                            f"{a.id}: fragment [{f.start}, {f.end}) outside the new text ({len(new_text)})"
                        )
                    if a.id not in flagged and new_text[f.start : f.end] != f.text:
                        raise Broken(f"{a.id}: not reported as moved but covers other text")
    if new_text == doc.text and (moved or moved_doc != doc):
        raise Broken("re-anchoring onto the same text changed the document")
    rendered = json_format.dumps(moved_doc).encode()
    if xml_format.loads(xml_format.dumps(moved_doc)) != json_format.loads(rendered):
        raise Broken("the re-anchored document does not survive JSON and XML")
    report = check_bytes(rendered, "doc.json", Settings(discover_scheme=False))
    wrong = [
        d
        for d in report.diagnostics
        if d.severity is Severity.ERROR and d.annotation_id not in flagged
    ]
    if wrong:
        raise Broken(
            f"errors on annotations that did not move: {[(d.code, d.annotation_id, d.message) for d in wrong][:3]}"
        )
    return "moved" if moved else "unchanged"


# --------------------------------------------------------------------------- convert


def target_convert(case: Case) -> str:
    """JSON <-> XML: what validates converts to what validates, the same document, byte-exact
    for canonical input."""
    rng = case.rng
    doc = inputs.random_document(rng)
    fmt = rng.choice(["json", "xml"])
    other = "xml" if fmt == "json" else "json"
    canonical = format_module(fmt).dumps(doc).encode()
    data = canonical
    choice = rng.random()
    if choice < 0.4 and fmt == "json":
        record = to_dict(doc)
        if rng.random() < 0.5:
            record = inputs.mutate_structure(record, rng)
        data = inputs.dump_json(inputs.reorder_record(record, rng), rng)
    elif choice < 0.6:
        data = mutate_document(f"doc.{fmt}", data, rng)
    case.keep(f"doc.{fmt}", data)
    validated = not errors(check_bytes(data, f"doc.{fmt}", Settings(discover_scheme=False)))
    try:
        document = format_module(fmt).loads(data)
    except DocumentError:
        if validated:
            raise Broken("validates without errors but loads raises DocumentError") from None
        return "rejected"
    try:
        converted = format_module(other).dumps(document)
    except ValueError:  # what `corpuskit convert` reports as "cannot be converted"
        if validated:
            raise Broken("validates but cannot be converted") from None
        return "refused"
    if not validated:
        return "converted invalid"
    out = converted.encode()
    problems = errors(check_bytes(out, f"doc.{other}", Settings(discover_scheme=False)))
    if problems:
        raise Broken(f"a valid document converts to an invalid one: {problems}")
    back = format_module(other).loads(out)
    if back != document:
        raise DataLoss("the converted document holds something else")
    again = format_module(fmt).dumps(back).encode()
    if again != format_module(fmt).dumps(document).encode():
        raise Broken(f"{fmt} -> {other} -> {fmt} is not byte-identical")
    if data == canonical and again != canonical:
        raise Broken("canonical input does not round-trip byte for byte")
    return "converted"


# --------------------------------------------------------------------------- importers


def _finish(imported: Any, scheme: Scheme | None, rng: random.Random) -> str:
    """What ``corpuskit import`` does with an importer's result, short of writing it."""
    from corpuskit.interop.common import ImportStamper, validate_imported

    stamper = ImportStamper(imported)
    for finding in imported.findings:
        stamper.finding(finding)
    if imported.document is None:
        return "diagnostics"
    fmt = rng.choice(["json", "xml"])
    text, report = validate_imported(imported, fmt, scheme)
    assert text is not None and report is not None
    for diagnostic in report.diagnostics:
        stamper.validation(diagnostic)
    if errors(report):
        return "invalid document"
    try:
        format_module(fmt).loads(text)
    except DocumentError as exc:
        raise Broken(f"an imported document validates but does not load: {exc}") from None
    return "document"


def _export(case: Case, writer: Callable[[Document, str], Any]) -> dict[str, bytes] | None:
    """A generated document exported by ``writer`` (suffix -> bytes), the importer's seed."""
    doc = inputs.random_document(case.rng)
    try:
        exported = writer(doc, case.rng.choice(["codepoint", "utf8", "utf16"]))
    except ValueError:  # documented: lxml refuses what XML cannot carry
        return None
    return {suffix: text.encode("utf-8") for suffix, text in exported.files.items()}


def _unit(rng: random.Random) -> str | None:
    return rng.choice([None, "codepoint", "utf8", "utf16"])


@cache
def _scratch() -> Path:
    """A folder for the files brat is read from (one per process, removed at exit)."""
    folder = tempfile.TemporaryDirectory(prefix="corpuskit-fuzz-")
    _FOLDERS.append(folder)
    return Path(folder.name)


_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


def target_brat(case: Case) -> str:
    """brat .txt/.ann (+ annotation.conf, tools.conf) -> a document or diagnostics."""
    from corpuskit.interop.brat import read_brat, write_brat
    from corpuskit.interop.bratconf import convert_conf
    from corpuskit.interop.common import scheme_from_text

    rng = case.rng
    files = _export(case, write_brat) if rng.random() < 0.4 else None
    files = files or dict(rng.choice(inputs.brat_seeds()))
    for _ in range(rng.randint(1, 2)):
        which = rng.choice([".ann", ".ann", ".txt", "annotation.conf", "tools.conf"])
        if which in files:
            extra = {
                ".ann": inputs.ANN_LINES,
                "annotation.conf": inputs.CONF_LINES,
                "tools.conf": inputs.TOOLS_LINES,
            }.get(which)
            files[which] = inputs.mutate_text_bytes(files[which], rng, extra)
    for name, data in files.items():
        case.keep(f"doc{name}" if name.startswith(".") else name, data)
    conf = scheme = None
    conf_text = inputs.decode_or_none(files.get("annotation.conf", b""))
    if "annotation.conf" in files and conf_text is not None:  # undecodable: reported unreadable
        tools = inputs.decode_or_none(files.get("tools.conf", b""))
        toml_text, conf, _ = convert_conf(
            conf_text, "annotation.conf", tools, "tools.conf" if tools else None, "fuzz"
        )
        try:
            scheme = scheme_from_text(toml_text, "scheme.toml")
        except CorpuskitError:
            scheme = None  # documented: reported as I-family "converted scheme is unusable"
    folder = _scratch()
    txt, ann = folder / "doc.txt", folder / "doc.ann"
    txt.write_bytes(files[".txt"])
    ann.write_bytes(files[".ann"])
    imported = read_brat(txt, ann, conf, rng.choice(["codepoint", "utf8", "utf16"]))
    return _finish(imported, scheme, rng)


def _bioc(case: Case, fmt: str) -> str:
    from corpuskit.interop.bioc import read_bioc, write_bioc_json, write_bioc_xml

    rng = case.rng
    suffix = ".bioc.xml" if fmt == "xml" else ".bioc.json"
    exported = (
        _export(case, write_bioc_xml if fmt == "xml" else write_bioc_json)
        if rng.random() < 0.4
        else None
    )
    data = exported[suffix] if exported else rng.choice(inputs.bioc_seeds(f".{fmt}"))
    if fmt == "xml":
        data = (
            inputs.mutate_xml(data, rng) if rng.random() < 0.6 else inputs.mutate_bytes(data, rng)
        )
    else:
        data = (
            inputs.mutate_json_bytes(data, rng)
            if rng.random() < 0.6
            else inputs.mutate_bytes(data, rng)
        )
    case.keep(f"doc{suffix}", data)
    scheme = example_scheme() if rng.random() < 0.3 else None
    outcomes = [
        _finish(i, scheme, rng) for i in read_bioc(data, f"doc{suffix}", fmt, _unit(rng), scheme)
    ]
    return "document" if "document" in outcomes else (outcomes[0] if outcomes else "nothing")


def target_bioc_xml(case: Case) -> str:
    """A BioC XML collection -> documents or diagnostics."""
    return _bioc(case, "xml")


def target_bioc_json(case: Case) -> str:
    """A BioC JSON collection -> documents or diagnostics."""
    return _bioc(case, "json")


def target_webanno(case: Case) -> str:
    """W3C Web Annotations (.jsonld) on a text (.txt) -> a document or diagnostics."""
    from corpuskit.interop.webanno import read_webanno, write_webanno

    rng = case.rng
    exported = _export(case, write_webanno) if rng.random() < 0.4 else None
    data, text = (
        (exported[".jsonld"], exported[".txt"]) if exported else rng.choice(inputs.webanno_seeds())
    )
    if rng.random() < 0.75:
        data = (
            inputs.mutate_json_bytes(data, rng)
            if rng.random() < 0.6
            else inputs.mutate_bytes(data, rng)
        )
    if rng.random() < 0.4:
        text = inputs.mutate_text_bytes(text, rng)
    case.keep("doc.jsonld", data)
    case.keep("doc.txt", text)
    decoded = inputs.decode_or_none(text)
    if decoded is None:
        return "unreadable text"  # documented: the CLI reports the .txt as unreadable
    imported = read_webanno(data, decoded, "doc.jsonld", "doc.txt", _unit(rng), "doc")
    return _finish(imported, example_scheme() if rng.random() < 0.2 else None, rng)


TARGET_FUNCTIONS: dict[str, Callable[[Case], str]] = {
    "validate": target_validate,
    "fix": target_fix,
    "reanchor": target_reanchor,
    "convert": target_convert,
    "brat": target_brat,
    "bioc-xml": target_bioc_xml,
    "bioc-json": target_bioc_json,
    "webanno": target_webanno,
}


# --------------------------------------------------------------------------- running


@dataclass
class Tally:
    """The outcomes of one target's cases."""

    cases: int = 0
    crashes: int = 0
    hangs: int = 0
    losses: int = 0
    broken: int = 0
    seconds: float = 0.0
    #: What the passing cases ended as (documents, diagnostics, refusals...).
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def failures(self) -> int:
        """Crashes, hangs, data-loss cases and broken promises."""
        return self.crashes + self.hangs + self.losses + self.broken


@dataclass
class Failure:
    """One failed case: what kind, where it is saved, a one-line description."""

    target: str
    index: int
    kind: str
    summary: str
    signature: str
    folder: Path | None = None


@dataclass
class Result:
    """A fuzz run: tallies per target and every failure."""

    seed: int
    tallies: dict[str, Tally]
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Whether any case crashed, hung, lost data or broke a promise."""
        return bool(self.failures)

    def table(self) -> str:
        """The per-target figures as a text table."""
        rows = [
            f"{'target':<10} {'cases':>7} {'crashes':>7} {'hangs':>5} {'losses':>6} {'broken':>6} {'ms/case':>7}  outcomes"
        ]
        total = Tally()
        for name, t in self.tallies.items():
            per = 1000 * t.seconds / t.cases if t.cases else 0.0
            top = ", ".join(f"{k} {v}" for k, v in t.outcomes.most_common(4))
            rows.append(
                f"{name:<10} {t.cases:>7} {t.crashes:>7} {t.hangs:>5} {t.losses:>6} {t.broken:>6} {per:>7.2f}  {top}"
            )
            for attr in ("cases", "crashes", "hangs", "losses", "broken"):
                setattr(total, attr, getattr(total, attr) + getattr(t, attr))
            total.seconds += t.seconds
        per = 1000 * total.seconds / total.cases if total.cases else 0.0
        rows.append(
            f"{'total':<10} {total.cases:>7} {total.crashes:>7} {total.hangs:>5} {total.losses:>6} {total.broken:>6} {per:>7.2f}"
        )
        return "\n".join(rows)


def _signature(exc: BaseException) -> str:
    """Exception type and the innermost corpuskit frame: one line per distinct defect."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}corpuskit{os.sep}" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__} at {where}"


def _save(save: Path, case: Case, kind: str, seed: int, exc: BaseException) -> Path:
    folder = save / f"{case.target}-{case.index}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.inputs.items():
        (folder / name).write_bytes(data)
    replay = f"python benchmarks/fuzz.py --seed {seed} --targets {case.target} --case {case.index}"
    text = "".join(traceback.format_exception(exc))
    (folder / "failure.txt").write_text(
        f"{kind} in {case.target} case {case.index}\nreplay: {replay}\n\n{text}", "utf-8"
    )
    return folder


class _Watchdog:
    """Ends the process when a case is stuck where SIGALRM cannot reach it (inside C code)."""

    def __init__(self, limit: float, save: Path | None) -> None:
        self.limit, self.save = limit, save
        self.case: Case | None = None
        self.started = 0.0
        self.stopped = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stopped.wait(0.5):
            case = self.case
            if case is not None and time.monotonic() - self.started > self.limit:
                where = ""
                if self.save is not None:
                    folder = self.save / f"{case.target}-{case.index}"
                    folder.mkdir(parents=True, exist_ok=True)
                    for name, data in case.inputs.items():
                        (folder / name).write_bytes(data)
                    where = f" (inputs in {folder})"
                print(
                    f"hang: {case.target} case {case.index} stuck in C code{where}",
                    file=sys.stderr,
                    flush=True,
                )
                os._exit(3)


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang("the case ran over its time bound")


def run(
    targets: list[str],
    cases: int,
    seed: int = 0,
    *,
    timeout: float = 5.0,
    max_seconds: float | None = None,
    save: Path | None = None,
    only: int | None = None,
    log: Callable[[str], None] | None = None,
    functions: dict[str, Callable[[Case], str]] | None = None,
) -> Result:
    """Run ``cases`` cases round-robin over ``targets`` (or only case ``only``) and tally them.

    Stops early after ``max_seconds``. ``log`` receives the first failure of each kind.
    """
    functions = functions or TARGET_FUNCTIONS
    result = Result(seed, {t: Tally() for t in targets})
    alarm = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, _on_alarm) if alarm else None
    watchdog = _Watchdog(4 * timeout + 10, save)
    seen: set[str] = set()
    start = time.perf_counter()
    indices = [only] if only is not None else range(cases)
    try:
        for i in indices:
            if max_seconds is not None and time.perf_counter() - start > max_seconds:
                break
            target = targets[i % len(targets)]
            case = Case(target, i, case_rng(seed, target, i))
            tally = result.tallies[target]
            kind = ""
            error: BaseException | None = None
            began = time.perf_counter()
            watchdog.case, watchdog.started = case, time.monotonic()
            try:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    outcome = functions[target](case)
                finally:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                if time.perf_counter() - began > timeout:
                    raise Hang(f"the case took {time.perf_counter() - began:.1f} s")
                tally.outcomes[outcome] += 1
            except Hang as exc:
                kind, error = "hang", exc
                tally.hangs += 1
            except DataLoss as exc:
                kind, error = "data loss", exc
                tally.losses += 1
            except Broken as exc:
                kind, error = "broken", exc
                tally.broken += 1
            except Exception as exc:  # a crash: count it, save it, go on
                kind, error = "crash", exc
                tally.crashes += 1
            finally:
                watchdog.case = None
                tally.cases += 1
                tally.seconds += time.perf_counter() - began
            if error is not None:
                folder = _save(save, case, kind, seed, error) if save is not None else None
                signature = f"{target}: {kind}: " + (
                    _signature(error) if kind == "crash" else str(error)[:120]
                )
                summary = f"{type(error).__name__}: {error}"[:300]
                result.failures.append(Failure(target, i, kind, summary, signature, folder))
                if log is not None and signature not in seen:
                    log(
                        f"case {i} {signature}\n    {summary}"
                        + (f"\n    saved in {folder}" if folder else "")
                    )
                seen.add(signature)
    finally:
        watchdog.stopped.set()
        if alarm:
            signal.signal(signal.SIGALRM, previous)
    result.seconds = time.perf_counter() - start
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: run the fuzzer, print the table; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=10_000, help="cases in total (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help=f"comma-separated: {', '.join(TARGETS)}"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="stop after this long (the figures say how many ran)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="a case over this many seconds is a hang (default 5)",
    )
    parser.add_argument(
        "--save",
        type=Path,
        default=DEFAULT_SAVE,
        help=f"failures are saved here (default {DEFAULT_SAVE})",
    )
    parser.add_argument("--case", type=int, default=None, help="replay this one case")
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in TARGET_FUNCTIONS]
    if unknown or not targets:
        parser.error(f"unknown target(s) {', '.join(unknown)} (choose from {', '.join(TARGETS)})")
    save = args.save / f"seed-{args.seed}"

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run(
        targets,
        args.cases,
        args.seed,
        timeout=args.timeout,
        max_seconds=args.max_seconds,
        save=save,
        only=args.case,
        log=log,
    )
    print(result.table())
    total = sum(t.cases for t in result.tallies.values())
    kinds = Counter(f.signature for f in result.failures)
    print(
        f"\n{total} cases in {result.seconds:.0f} s (seed {args.seed}); {len(result.failures)} failed, {len(kinds)} distinct"
    )
    for signature, count in kinds.most_common():
        print(f"  {count:>6}  {signature}")
    if result.failures:
        print(f"failures saved in {save}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
