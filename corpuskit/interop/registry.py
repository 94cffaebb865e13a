"""The registry of import/export formats: what ``corpuskit import`` and ``export`` can do.

Each format lives in one module with a reader and/or a writer of one signature each::

    def import_source(source: InputSource, options: ImportOptions) -> Iterator[Imported | Converted]
    def export_document(document: Document, options: ExportOptions) -> Exported

and is declared here once, by an :class:`InteropFormat` entry. The commands (``commands.py``),
their help texts and the format table of docs/interop.md are made from :data:`FORMATS`; none of
them names a format. Readers and writers are named as ``"module:function"`` and imported only
when a format is chosen, so the CLI starts without loading lxml or any converter: this module
imports nothing but the standard library.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpuskit.diagnostics import Finding
    from corpuskit.interop.common import Exported, Imported
    from corpuskit.model import Document
    from corpuskit.scheme import Scheme


@dataclass(frozen=True, slots=True)
class InputSource:
    """One input file found for an import."""

    path: Path
    #: Its folder relative to the output folder: files of subfolders go to the same subfolders.
    folder: Path = Path()
    #: The SRC argument it was found under (a folder, or the file itself).
    top: Path = Path()


def _no_scheme(folder: Path) -> Scheme | None:
    return None


@dataclass(slots=True)
class ImportOptions:
    """What every reader is given: the unit, the project's fence, schemes, per-run state."""

    #: The folder documents are written to.
    output: Path
    #: The project root: no link leading out of it is followed.
    root: Path
    #: Reads stop at this many bytes (``max-file-size``).
    limit: int = 64 * 1024 * 1024
    #: ``--offset-unit`` (None: the default, or what the file says it used).
    unit: str | None = None
    #: The scheme documents written to an output subfolder are checked under (``--scheme``,
    #: else the configured one); a reader that types values by the scheme asks for it.
    scheme_for: Callable[[Path], Scheme | None] = _no_scheme
    #: Schemes an input declares for its own documents (brat's annotation.conf), by
    #: ``Imported.source``: ``--scheme`` overrides them, they override the configured scheme.
    declared_schemes: dict[str, Scheme] = field(default_factory=dict)
    #: State a reader keeps for the whole run (brat: the annotation.conf files converted).
    memo: dict[str, Any] = field(default_factory=dict)

    def read(self, path: Path) -> bytes:
        """An input's bytes (no link out of the project, at most ``limit``); OSError when not."""
        from corpuskit.io import read_input

        return read_input(path, root=self.root, limit=self.limit)


@dataclass(slots=True)
class Converted:
    """An input that is not a document, converted into a file beside the documents.

    brat's annotation.conf becomes ``scheme.toml``. The command reports ``findings`` for
    ``source`` and writes ``text`` to ``target`` (relative to the output folder) when given.
    """

    #: The input as shown in diagnostics.
    source: str
    findings: list[Finding] = field(default_factory=list)
    target: Path | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What every writer is given."""

    #: How offsets are counted in the output (``codepoint``, ``utf16``, ``utf8``).
    unit: str = "codepoint"


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in words fit for a diagnostic."""
    from corpuskit.io import RefusedPath

    if isinstance(exc, RefusedPath):
        return exc.reason
    return exc.strerror or str(exc)


def shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it (as it is shown)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


#: The reader and writer signatures every format module offers.
Reader = Callable[[InputSource, ImportOptions], "Iterator[Imported | Converted]"]
Writer = Callable[["Document", ExportOptions], "Exported"]


def _load(target: str) -> Any:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True, slots=True)
class InteropFormat:
    """One import/export format: its name, what it is, what it reads and writes, and how."""

    #: FORMAT on the command line.
    name: str
    #: One line: what the format is and who uses it (help texts, docs).
    description: str
    #: ``"module:function"`` of the reader (None: export only).
    reader: str | None = None
    #: ``"module:function"`` of the writer (None: import only).
    writer: str | None = None
    #: Suffixes of the files an import looks for in folders (lower case).
    suffixes: tuple[str, ...] = ()
    #: What an import reads, in words (help texts, docs).
    reads: str = ""
    #: Suffixes of the files an export writes per document (``NAME`` + suffix).
    writes: tuple[str, ...] = ()
    #: A document is the files of one name with these suffixes (a brat .txt and its .ann):
    #: the reader is called once per name, with the file that sorts last.
    one_per_name: bool = False
    #: Every string of the document goes into XML 1.0 (which cannot carry most C0 controls).
    xml_output: bool = False

    @property
    def can_import(self) -> bool:
        """Whether ``corpuskit import`` reads this format."""
        return self.reader is not None

    @property
    def can_export(self) -> bool:
        """Whether ``corpuskit export`` writes this format."""
        return self.writer is not None

    def read(self, source: InputSource, options: ImportOptions) -> Iterator[Imported | Converted]:
        """Read one input, yielding what it holds (the reader is imported on first use)."""
        if self.reader is None:
            raise ValueError(f"{self.name} is an export-only format")
        reader: Reader = _load(self.reader)
        return reader(source, options)

    def write(self, document: Document, options: ExportOptions) -> Exported:
        """Write one document (the writer's module is imported on first use)."""
        if self.writer is None:
            raise ValueError(f"{self.name} is an import-only format")
        writer: Writer = _load(self.writer)
        return writer(document, options)


def _index(formats: Iterable[InteropFormat]) -> dict[str, InteropFormat]:
    """Formats by name; a duplicate name, or a format that neither reads nor writes, is a bug."""
    out: dict[str, InteropFormat] = {}
    for f in formats:
        if f.name in out:
            raise RuntimeError(f"duplicate interop format {f.name!r}")
        if not (f.can_import or f.can_export):
            raise RuntimeError(f"interop format {f.name!r} neither imports nor exports")
        if f.can_import and not (f.suffixes and f.reads):
            raise RuntimeError(f"interop format {f.name!r} imports but declares no input")
        if f.can_export and not f.writes:
            raise RuntimeError(f"interop format {f.name!r} exports but declares no output")
        out[f.name] = f
    return out


#: Every import/export format, in the order help texts and docs list them.
FORMATS = _index(
    (
        InteropFormat(
            "brat",
            "brat standoff; annotation.conf becomes the documents' scheme, "
            "written as DIR/scheme.toml",
            reader="corpuskit.interop.brat:import_source",
            writer="corpuskit.interop.brat:export_document",
            suffixes=(".txt", ".ann"),
            reads="brat .txt/.ann (annotation.conf found upward)",
            writes=(".txt", ".ann"),
            one_per_name=True,
        ),
        InteropFormat(
            "bioc-xml",
            "BioC XML (BioC.dtd), as PubTator and the BioC tools write it",
            reader="corpuskit.interop.bioc:import_xml_source",
            writer="corpuskit.interop.bioc:export_xml_document",
            suffixes=(".xml",),
            reads="BioC XML collections (.xml)",
            writes=(".bioc.xml",),
            xml_output=True,
        ),
        InteropFormat(
            "bioc-json",
            "BioC JSON, as the bioc and PubTator tools write it",
            reader="corpuskit.interop.bioc:import_json_source",
            writer="corpuskit.interop.bioc:export_json_document",
            suffixes=(".json",),
            reads="BioC JSON collections (.json)",
            writes=(".bioc.json",),
        ),
        InteropFormat(
            "w3c",
            "W3C Web Annotation (JSON-LD): Hypothesis, Recogito, annotation servers",
            reader="corpuskit.interop.w3c:import_source",
            writer="corpuskit.interop.w3c:export_document",
            suffixes=(".jsonld",),
            reads="Web Annotations (.jsonld, with the .txt beside them)",
            writes=(".jsonld", ".txt"),
        ),
        InteropFormat(
            "jsonl",
            "one JSON object per span fragment (document, annotation, kind, type, offsets, "
            "text): for training pipelines",
            writer="corpuskit.interop.jsonl:export_document",
            writes=(".jsonl",),
        ),
        InteropFormat(
            "xmi",
            "UIMA CAS XMI with its type system, as INCEpTION and WebAnno import and export it "
            "(needs the inception extra: dkpro-cassis)",
            reader="corpuskit.interop.xmi:import_source",
            writer="corpuskit.interop.xmi:export_document",
            suffixes=(".xmi",),
            reads="CAS XMI (.xmi, with NAME.typesystem.xml or TypeSystem.xml beside it)",
            writes=(".xmi", ".typesystem.xml"),
            xml_output=True,
        ),
        InteropFormat(
            "conll",
            "CoNLL-2003-style BIO (IOB2) tokens, one per line, for training named-entity taggers",
            writer="corpuskit.interop.conll:export_document",
            writes=(".conll",),
        ),
        InteropFormat(
            "labelstudio",
            "Label Studio JSON tasks: text, labelled regions and relations (with its labelling config)",
            reader="corpuskit.interop.labelstudio:import_source",
            writer="corpuskit.interop.labelstudio:export_document",
            suffixes=(".json",),
            reads="Label Studio JSON exports (.json)",
            writes=(".labelstudio.json", ".labelstudio.xml"),
        ),
    )
)


#: Format names no longer in use -> why, naming the format to use instead. The commands refuse
#: them with this message (exit 2) rather than "unknown format".
RENAMED: dict[str, str] = {
    "webanno": "the format webanno is now called w3c (W3C Web Annotation); "
    "WebAnno/INCEpTION's own format is xmi",
}


def importers() -> list[str]:
    """Names of the formats ``corpuskit import`` reads."""
    return [name for name, f in FORMATS.items() if f.can_import]


def exporters() -> list[str]:
    """Names of the formats ``corpuskit export`` writes."""
    return [name for name, f in FORMATS.items() if f.can_export]


def choice_list(names: Iterable[str], last: str = "or") -> str:
    """``a, b, c or d``: names as a help text lists them."""
    shown = list(names)
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {last} {shown[-1]}"


def markdown_table() -> str:
    """The format table of docs/interop.md, made from the registry."""
    rows = [
        "| `FORMAT` | import reads | export writes | what it is |",
        "|---|---|---|---|",
    ]
    for f in FORMATS.values():
        reads = f.reads if f.can_import else "(export only)"
        writes = " + ".join(f"`NAME{s}`" for s in f.writes) if f.can_export else "(import only)"
        rows.append(f"| `{f.name}` | {reads} | {writes} | {f.description} |")
    return "\n".join(rows) + "\n"
