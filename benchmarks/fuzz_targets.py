"""The fuzz targets of the commands (validate, fix, reanchor, convert) and what every target
shares (fuzz_import_targets.py has the importers; benchmarks/fuzz.py runs them).

A target builds its inputs from ``case.rng`` (recording them with ``case.keep``), runs the library
as the command line would, checks its promises and returns a word for how the case ended
("loaded", "rejected", "fixed", "document", ...). An unexpected exception is a crash; a broken
promise raises DataLoss or Broken.
"""

from __future__ import annotations

import contextlib
import copy
import io
import random
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import fuzz_documents as documents
import fuzz_mutations as mutations
from msgspec.structs import replace

from corpuskit.diagnostics import DocumentError, Severity
from corpuskit.engine import FileReport, Settings, check_bytes, strict_document
from corpuskit.fixer import fix_bytes
from corpuskit.formats import format_module, json_format, typed, xml_format, xml_typed
from corpuskit.formats import schema as S
from corpuskit.formats.records import to_dict
from corpuskit.model import ANNOTATION_KINDS, Document, spans_of, xml_forbidden
from corpuskit.reanchor import reanchor
from corpuskit.scheme import Scheme, load_scheme
from corpuskit.texts import text_problem

#: How often a case scales its input up, to find slowness that grows faster than the input.
HEAVY_RATE = 0.01
#: The share of validate cases that are canonical XML one or two edits away from the canonical
#: layout (mutate_canonical_xml): the typed decode's layout reader sees few of the others.
CANONICAL_SHARE = 0.3
#: A scaled case runs with SMALL and 4 x SMALL copies (of an annotation, brat lines, the text):
#: linear work takes about 4 times as long on the larger, quadratic 16 times. Above SUPERLINEAR
#: times it is a hang.
SMALL = 250
SUPERLINEAR = 10.0
TARGETS = ("validate", "fix", "reanchor", "convert", "brat", "bioc-xml", "bioc-json", "w3c")


class Hang(BaseException):
    """A case ran over its time bound, or grew superlinearly with its input (a BaseException:
    library code catching Exception must not swallow it)."""


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
    #: Whether the case may scale its input up (thousands of annotations; seconds, not ms).
    heavy: bool = True
    #: Seconds the case may take (a scaled case runs several times: it gets more).
    timeout: float = 5.0
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
    return load_scheme(documents.ROOT / "tests" / "examples" / "scheme.toml")


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
        return rng.choice(documents.positive_seeds())
    doc = documents.random_document(rng)
    if rng.random() < 0.5:
        return "doc.json", json_format.dumps(doc).encode()
    return "doc.xml", xml_format.dumps(doc).encode()


def mutate_document(name: str, data: bytes, case: Case) -> bytes:
    """A byte-level, structure-level (JSON, XML) or fixable mutation of a document."""
    rng = case.rng
    choice = rng.random()
    if choice < 0.3:
        return mutations.mutate_bytes(data, rng)
    if name.endswith(".xml"):
        return mutations.mutate_xml(data, rng)
    if choice < 0.65:
        return mutations.mutate_json_bytes(data, rng)
    record = json_format.parse(data).record
    if not isinstance(record, dict):
        return mutations.mutate_bytes(data, rng)
    return mutations.dump_json(documents.damage_fixably(record, rng), rng)


def render(report: FileReport, rng: random.Random) -> None:
    """Render a report with a random reporter, as ``validate --format`` would."""
    from corpuskit.reporters import REPORTERS, ReportContext, Summary, reporter_class

    reporter = reporter_class(rng.choice(list(REPORTERS)))(io.StringIO(), ReportContext())
    reporter.file(report)
    summary = Summary()
    summary.add(report)
    reporter.finish(summary)


def scaling(case: Case, run_at: Callable[[int], object], share: float = 1.0) -> str:
    """Run a case at ``share`` x SMALL copies and four times as many; raise Hang when its time
    grows superlinearly (measured twice before it is believed: on a busy machine one timing is
    noisy)."""
    import signal
    import time

    small = max(1, round(SMALL * share))
    # Up to four runs, the larger ones four times the size: the time bound grows to match.
    case.timeout *= 4
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # only the runner's alarm, if armed
        signal.setitimer(signal.ITIMER_REAL, case.timeout)
    ratios = []
    for _ in range(2):
        times = []
        for size in (small, 4 * small):
            began = time.perf_counter()
            run_at(size)
            times.append(time.perf_counter() - began)
        if times[0] < 0.01 or times[1] / times[0] <= SUPERLINEAR:
            return "scaled"
        ratios.append(f"{times[0]:.2f} s -> {times[1]:.2f} s")
    raise Hang(f"superlinear: 4x the copies took {', '.join(ratios)}")


# --------------------------------------------------------------------------- validate


def target_validate(case: Case) -> str:
    """check_bytes never raises nor reports P999; loads raises only DocumentError; the typed
    decode agrees with the full path. A share of the cases (CANONICAL_SHARE) are canonical
    writer output one or two edits away from that layout, for the typed decode's layout
    reader."""
    rng = case.rng
    if rng.random() < CANONICAL_SHARE:
        name, data = "doc.xml", mutations.mutate_canonical_xml(canonical_xml(rng), rng)
    else:
        name, data = seed_document(case)
        if rng.random() < HEAVY_RATE and case.heavy:
            return _validate_scaled(case, name, data)
        data = mutate_document(name, data, case)
    data = case.keep(name, data)
    typed_agrees(data, "xml" if name.endswith(".xml") else "json")
    report = check_bytes(data, name, random_settings(rng))
    internal = [d.message for d in report.diagnostics if d.code == "P999"]
    if internal:  # corpuskit caught its own bug: a crash all the same
        raise RuntimeError(f"P999: {internal[0]}")
    render(report, rng)
    try:
        format_module("xml" if name.endswith(".xml") else "json").loads(data)
    except DocumentError:
        if not errors(check_bytes(data, name)):
            raise Broken("validates without errors but loads raises DocumentError") from None
        return "rejected"
    return "loaded"


def canonical_xml(rng: random.Random) -> bytes:
    """Canonical writer output: a generated document, or now and then an XML example."""
    if rng.random() < 0.1:
        return rng.choice([d for n, d in documents.positive_seeds() if n.endswith(".xml")])
    return xml_format.dumps(documents.random_document(rng)).encode()


def typed_agrees(data: bytes, fmt: str) -> None:
    """What the typed decode accepts, the full path accepts too, as the same model (the engine
    skips the JSON Schema and the XSD for it). For XML, each of ``xml_typed.decode``'s two
    readers on its own (a failure names the one that erred): the canonical-layout reader
    (``_canonical``, tried first) and the parse and walk (``_walked``, which reads everything
    else), then ``decode`` itself."""
    readers: list[tuple[str, Callable[[bytes], Document | None]]] = [("typed decode", typed.decode)]
    if fmt == "xml":
        readers = [
            ("layout reader", xml_typed._canonical),
            ("XML walk", xml_typed._walked),
            ("typed decode", xml_typed.decode),
        ]
    full: list[Document | None] = []  # the full path's model, once needed
    for reader, decode in readers:
        fast = decode(data)
        if fast is None:
            continue
        if not full:
            full.append(strict_document(data, fmt))
        if full[0] is None:
            raise Broken(f"the {reader} accepted a document the full path refuses")
        if full[0] != fast:
            raise Broken(f"the {reader} reads a document otherwise than the full path")


def _validate_scaled(case: Case, name: str, data: bytes) -> str:
    """Validate (and report) a document with many copies of one annotation, at two sizes."""
    rng = case.rng
    module = format_module("xml" if name.endswith(".xml") else "json")
    record = module.parse(data).record
    assert isinstance(record, dict)
    if rng.random() < 0.5:  # mismatched spans make every hint look at all the others
        damaged = documents.damage_fixably(copy.deepcopy(record), rng)
        # The XML writer needs what some damage removes (a fragment's text): then keep it whole.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            module.dumps_record(damaged)
            record = damaged
    settings = random_settings(rng)
    pick = rng.random()  # the same annotation kind at both sizes

    def run_at(copies: int) -> None:
        scaled = mutations.scale_up(copy.deepcopy(record), random.Random(pick), copies)
        big = case.keep(name, str(module.dumps_record(scaled)).encode())
        render(check_bytes(big, name, settings), random.Random(pick))

    return scaling(case, run_at)


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
            if isinstance(a, dict) and isinstance(b, dict) and "id" not in a:
                b = {k: v for k, v in b.items() if k != "id"}  # R005's fix gives a fresh id
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
    module = format_module("xml" if name.endswith(".xml") else "json")
    if rng.random() < 0.6:
        record = module.parse(data).record
        assert isinstance(record, dict)
        damaged = documents.damage_fixably(record, rng)
        if name.endswith(".json") and rng.random() < 0.5:
            data = mutations.dump_json(damaged, rng)
        else:
            # The writer may need what the damage removed (a fragment's text): keep the seed.
            with contextlib.suppress(KeyError, TypeError, ValueError):
                data = str(module.dumps_record(damaged)).encode()
        if rng.random() < 0.2:
            data = mutate_document(name, data, case)
    else:
        data = mutate_document(name, data, case)
    case.keep(name, data)
    unsafe = rng.random() < 0.4
    outcome = fix_bytes(data, name, unsafe=unsafe)
    if outcome.fixed_text is None:
        return "refused" if outcome.refused else "unchanged"
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
    """reanchor (the plan, then the move, as the command runs them): no annotation lost,
    fragments inside the new text, only listed ones flagged; refusals are PlanError."""
    from corpuskit.reanchor_plan import NothingToDo, PlanError, make_plan

    rng = case.rng
    doc = (
        documents.random_document(rng)
        if rng.random() < 0.8
        else json_format.loads(documents.positive_seeds()[0][1])
    )
    edited = doc.text if rng.random() < 0.05 else mutations.edit_text(doc.text, rng)
    data = edited.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.2:
        # What editors do to a text file: a final newline, CRLF, a BOM, bytes that are not UTF-8.
        data = rng.choice([data + b"\n", data + b"\r\n", b"\xef\xbb\xbf" + data])
        data = mutations.mutate_bytes(data, rng) if rng.random() < 0.3 else data
    folder = scratch()
    path = folder / "text.txt"
    path.write_bytes(data)
    in_place = rng.random() < 0.3
    if in_place:
        # The text was edited inside the document (hash now stale); the old text is given.
        edited_text = data.decode("utf-8", errors="replace")
        doc_in = replace(doc, text=edited_text)
        case.keep("doc.json", json_format.dumps(doc).encode())
        case.keep("doc-edited.json", json_format.dumps(doc_in).encode("utf-8", "surrogatepass"))
        path.write_text(doc.text + rng.choice(["", "\n"]), "utf-8")
        case.keep("old.txt", path.read_bytes())
        options: dict[str, Any] = {"old_text_file": path}
    else:
        doc_in = doc
        case.keep("doc.json", json_format.dumps(doc).encode())
        case.keep("new.txt", data)
        options = {"text_file": path}
    try:
        plan = make_plan(doc_in, folder / "doc.json", root=folder, **options)
    except (PlanError, NothingToDo):
        return "refused"  # documented: the command says why and writes nothing
    new_text = plan.new_text
    if xml_forbidden().search(new_text) and not in_place:
        raise Broken("the plan accepted a new text XML cannot carry")
    # A text edited in place is taken as it is, even one validate rejects (O005, O007): it is
    # still moved onto, but writing it may be refused (ValueError, as the command reports).
    unusable = text_problem(new_text) is not None
    moved_doc, moved = reanchor(doc_in, new_text, plan.old_text)
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
                    # An empty text (edited in place) has no room for any fragment.
                    if new_text and not 0 <= f.start < f.end <= len(new_text):
                        raise Broken(
                            f"{a.id}: fragment [{f.start}, {f.end}) outside the new text ({len(new_text)})"
                        )
                    if a.id not in flagged and new_text[f.start : f.end] != f.text:
                        raise Broken(f"{a.id}: not reported as moved but covers other text")
    if new_text == doc.text and (moved or moved_doc != doc):
        raise Broken("re-anchoring onto the same text changed the document")
    if unusable:
        return "moved onto an unusable text"
    rendered = json_format.dumps(moved_doc).encode()
    try:
        via_xml: Any = xml_format.loads(xml_format.dumps(moved_doc))
    except DocumentError as exc:
        # A text over the XML parser's 10 MB node limit (a scaled case) cannot go through XML.
        if "safety limit" not in str(exc):
            raise
        via_xml = None
    if via_xml is not None and via_xml != json_format.loads(rendered):
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
    doc = documents.random_document(rng)
    fmt = rng.choice(["json", "xml"])
    other = "xml" if fmt == "json" else "json"
    canonical = format_module(fmt).dumps(doc).encode()
    data = canonical
    choice = rng.random()
    if choice < 0.3:
        # Written differently, the same document: it must read back as exactly that document.
        if fmt == "json":
            data = mutations.dump_json(documents.reorder_record(to_dict(doc), rng), rng)
        else:
            for _ in range(rng.randint(1, 3)):
                data = mutations.xml_variant(data, rng)
        case.keep(f"doc.{fmt}", data)
        try:
            if format_module(fmt).loads(data) != doc:
                raise DataLoss("the same document in another layout reads as another document")
        except DocumentError as exc:
            raise Broken(f"the same document in another layout is rejected: {exc}") from None
    elif choice < 0.45 and fmt == "json":
        data = mutations.dump_json(mutations.mutate_structure(to_dict(doc), rng), rng)
    elif choice < 0.65:
        data = mutate_document(f"doc.{fmt}", data, case)
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


@cache
def scratch() -> Path:
    """A folder for the files brat is read from (one per process, removed at exit)."""
    folder = tempfile.TemporaryDirectory(prefix="corpuskit-fuzz-")
    _FOLDERS.append(folder)
    return Path(folder.name)


_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []
