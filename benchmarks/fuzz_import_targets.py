"""The fuzz targets of the importers: brat (with annotation.conf and tools.conf), BioC XML and
JSON, W3C Web Annotation. Each reads a mutated input with the library function the command
calls, then validates and places the diagnostics as ``corpuskit import`` does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import fuzz_documents as documents
import fuzz_mutations as mutations
import fuzz_targets as shared
from fuzz_targets import Broken, Case, errors, example_scheme, scaling, scratch

from corpuskit.diagnostics import CorpuskitError, DocumentError
from corpuskit.formats import format_module
from corpuskit.io import DEFAULT_LIMIT
from corpuskit.model import Document
from corpuskit.scheme import Scheme

# --------------------------------------------------------------------------- importers


def _finish(imported: Any, scheme: Scheme | None, rng: random.Random) -> str:
    """What ``corpuskit import`` does with an importer's result, short of writing it
    (``_Importer.finish`` in corpuskit/interop/commands.py, a method of the command)."""
    from corpuskit.interop.common import ImportStamper, unwritable_characters, validate_imported

    stamper = ImportStamper(imported)
    for finding in imported.findings:
        stamper.finding(finding)
    if imported.document is None:
        return "diagnostics"
    to = rng.choice(["json", "xml"])
    unsafe = unwritable_characters(imported.document, to == "xml")
    # As the command does: what the output format cannot carry is checked in JSON, not written.
    checked_as = "json" if unsafe else to
    text, report = validate_imported(imported, checked_as, scheme)
    assert text is not None and report is not None
    for diagnostic in report.diagnostics:
        stamper.validation(diagnostic)
    for finding in unsafe:
        stamper.finding(finding)
    if unsafe:
        return "unwritable document"
    if errors(report):
        return "invalid document"
    try:
        format_module(to).loads(text)
    except DocumentError as exc:
        raise Broken(f"an imported document validates but does not load: {exc}") from None
    return "document"


def _export(case: Case, writer: Callable[[Document, str], Any]) -> dict[str, bytes] | None:
    """A generated document exported by ``writer`` (suffix -> bytes), the importer's seed."""
    doc = documents.random_document(case.rng)
    try:
        exported = writer(doc, case.rng.choice(["codepoint", "utf8", "utf16"]))
    except ValueError:  # documented: lxml refuses what XML cannot carry
        return None
    return {suffix: text.encode("utf-8") for suffix, text in exported.files.items()}


def _unit(rng: random.Random) -> str | None:
    return rng.choice([None, "codepoint", "utf8", "utf16"])


def target_brat(case: Case) -> str:
    """brat .txt/.ann (+ annotation.conf, tools.conf) -> a document or diagnostics."""
    from corpuskit.interop.brat import read_brat, write_brat
    from corpuskit.interop.bratconf import convert_conf
    from corpuskit.interop.common import scheme_from_text

    rng = case.rng
    files = _export(case, write_brat) if rng.random() < 0.4 else None
    files = files or dict(rng.choice(documents.brat_seeds()))
    for _ in range(rng.randint(1, 2)):
        which = rng.choice([".ann", ".ann", ".txt", "annotation.conf", "tools.conf"])
        if which in files:
            extra = {
                ".ann": mutations.ANN_LINES,
                "annotation.conf": mutations.CONF_LINES,
                "tools.conf": mutations.TOOLS_LINES,
            }.get(which)
            files[which] = mutations.mutate_text_bytes(files[which], rng, extra)
    heavy = rng.random() < shared.HEAVY_RATE and case.heavy
    for name, data in files.items():
        case.keep(f"doc{name}" if name.startswith(".") else name, data)
    conf = scheme = None
    conf_text = mutations.decode_or_none(files.get("annotation.conf", b""))
    if "annotation.conf" in files and conf_text is not None:  # undecodable: reported unreadable
        tools = mutations.decode_or_none(files.get("tools.conf", b""))
        toml_text, conf, _ = convert_conf(
            conf_text, "annotation.conf", tools, "tools.conf" if tools else None, "fuzz"
        )
        try:
            scheme = scheme_from_text(toml_text, "scheme.toml")
        except CorpuskitError:
            scheme = None  # documented: reported as I-family "converted scheme is unusable"
    folder = scratch()
    txt, ann = folder / "doc.txt", folder / "doc.ann"
    txt.write_bytes(files[".txt"])
    unit = rng.choice(["codepoint", "utf8", "utf16"])
    pick = rng.random()

    def run_at(copies: int) -> str:
        data = files[".ann"]
        if copies:
            text = data.decode("utf-8", errors="surrogateescape")
            data = mutations.scale_lines(text, copies).encode("utf-8", errors="surrogateescape")
            case.keep("doc.ann", data)
        ann.write_bytes(data)
        return _finish(read_brat(txt, ann, conf, unit), scheme, random.Random(pick))

    return scaling(case, run_at, 0.4) if heavy else run_at(0)  # a brat line costs more


def _bioc(case: Case, fmt: str) -> str:
    from corpuskit.interop.bioc import read_bioc, write_bioc_json, write_bioc_xml

    rng = case.rng
    suffix = ".bioc.xml" if fmt == "xml" else ".bioc.json"
    exported = (
        _export(case, write_bioc_xml if fmt == "xml" else write_bioc_json)
        if rng.random() < 0.4
        else None
    )
    data = exported[suffix] if exported else rng.choice(documents.bioc_seeds(f".{fmt}"))
    if fmt == "xml":
        data = (
            mutations.mutate_xml(data, rng)
            if rng.random() < 0.6
            else mutations.mutate_bytes(data, rng)
        )
    else:
        data = (
            mutations.mutate_json_bytes(data, rng)
            if rng.random() < 0.6
            else mutations.mutate_bytes(data, rng)
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


def target_w3c(case: Case) -> str:
    """W3C Web Annotations (.jsonld) on a text (.txt) -> a document or diagnostics."""
    from corpuskit.interop.w3c import read_w3c, write_w3c

    rng = case.rng
    exported = _export(case, write_w3c) if rng.random() < 0.4 else None
    data, text = (
        (exported[".jsonld"], exported[".txt"]) if exported else rng.choice(documents.w3c_seeds())
    )
    if rng.random() < 0.75:
        data = (
            mutations.mutate_json_bytes(data, rng)
            if rng.random() < 0.6
            else mutations.mutate_bytes(data, rng)
        )
    if rng.random() < 0.4:
        text = mutations.mutate_text_bytes(text, rng)
    heavy = rng.random() < shared.HEAVY_RATE and case.heavy
    case.keep("doc.jsonld", data)
    case.keep("doc.txt", text)
    decoded = mutations.decode_or_none(text)
    if decoded is None:
        return "unreadable text"  # documented: the CLI reports the .txt as unreadable
    unit, scheme, pick = _unit(rng), example_scheme() if rng.random() < 0.2 else None, rng.random()

    def run_at(copies: int) -> str:
        # Copies of the text: many places a quote could anchor; never more text than the CLI
        # reads (a larger .txt is refused before it reaches read_w3c).
        copies = min(copies, max(1, DEFAULT_LIMIT // max(1, len(text))))
        whole = decoded * copies if copies else decoded
        if copies:
            case.keep("doc.txt", whole.encode("utf-8", errors="surrogatepass"))
        imported = read_w3c(data, whole, "doc.jsonld", "doc.txt", unit, "doc")
        return _finish(imported, scheme, random.Random(pick))

    return scaling(case, run_at) if heavy else run_at(0)
