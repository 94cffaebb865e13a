"""brat's annotation.conf (and the [normalization] of tools.conf) as a corpuskit scheme.

brat declares entity types (indentation makes a hierarchy, ``!`` a category that cannot be
annotated), relations with typed arguments (``<REL-TYPE>:symmetric-transitive`` marks an
equivalence, which corpuskit keeps as an entity), events with roles and cardinalities (``?``,
``*``, ``+``, ``{N}``, ``{N-M}``) and attributes (binary, or with ``Value:a|b``). Macros
(``<NAME>=A|B``) and the wildcards ``<ENTITY>``, ``<EVENT>`` and ``<ANY>`` are expanded.
The result is TOML text in the format of ``corpus/scheme.toml``; lines the scheme cannot
express are reported (I011), never dropped in silence.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from corpuskit.diagnostics import Finding
from corpuskit.interop.common import NAME_PATTERN, SourceFinding
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import Converted, ImportOptions
    from corpuskit.scheme import Scheme

CONF_NAME = "annotation.conf"
TOOLS_NAME = "tools.conf"
#: brat note types become attributes named ``note:TYPE`` (AnnotatorNotes: the annotation's note).
NOTE_PREFIX, NOTES_TYPE = "note:", "AnnotatorNotes"
#: The attribute holding a brat line as it was read (details corpuskit has no field for).
LINE_ATTRIBUTE = "brat:line"
#: Appended to a relation type named like a span type (corpuskit has one namespace for both).
RELATION_SUFFIX = ":relation"
_SECTIONS = ("entities", "relations", "events", "attributes")
_ROLE = re.compile(r"(?P<role>[^?*+{}]+?)(?P<card>[?*+]|\{(?P<low>\d+)(?:-(?P<high>\d+))?\})?")
_MACRO = re.compile(r"(<[^<>=\s]+>)\s*=\s*(.+)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_URL = re.compile(r"https?://\S*\{id\}\S*")
_WILDCARDS = {
    "<ENTITY>": ["mentions"],
    "<EVENT>": ["events"],
    "<ANY>": ["mentions", "events", "relations"],
}


def find_upward(folder: Path, name: str) -> Path | None:
    """The nearest file called ``name`` in ``folder`` or its parents, as brat looks for it."""
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / name).is_file():
            return candidate / name
    return None


@dataclass(slots=True)
class _Entry:
    """One declaration line: its name, indentation depth and argument text."""

    name: str
    depth: int
    hidden: bool
    args: str
    line: int
    children: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BratConf:
    """What the .ann reader needs from annotation.conf: declared roles and equivalences."""

    path: str
    #: Event type -> its declared roles (to tell a numbered role ``Theme2`` from a real one).
    roles: dict[str, set[str]] = field(default_factory=dict)
    #: Relation types declared ``<REL-TYPE>:symmetric-transitive`` (brat's ``*`` lines).
    equivalences: list[str] = field(default_factory=list)
    #: Normalisation databases tools.conf declares (None: no tools.conf was found).
    databases: frozenset[str] | None = None
    #: brat relation type -> its corpuskit name, for a relation named like a span type
    #: (brat allows it; corpuskit types and relations share one namespace).
    renamed_relations: dict[str, str] = field(default_factory=dict)


def _parse(text: str, warn: _Warn) -> tuple[dict[str, list[_Entry]], dict[str, str]]:
    """Declarations by section, and macros, of annotation.conf text."""
    sections: dict[str, list[_Entry]] = {s: [] for s in _SECTIONS}
    stacks: dict[str, list[_Entry]] = {s: [] for s in _SECTIONS}
    macros: dict[str, str] = {}
    section: str | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or set(stripped) == {"-"}:
            continue  # comments, and the ---- separators brat draws in its menus
        if stripped.startswith("[") and stripped.endswith("]"):
            name = stripped[1:-1].strip().lower()
            section = "entities" if name == "spans" else name  # [spans]: brat's old name
            if section not in sections:
                warn(number, f"section [{name}] is not part of a brat annotation scheme")
            continue
        macro = _MACRO.fullmatch(stripped)
        if macro:
            macros[macro.group(1)] = macro.group(2).strip()
            continue
        if section is None:
            warn(number, f"{stripped!r} stands outside any section")
            continue
        if section not in sections:
            continue  # inside an unknown section: reported once, at its header
        depth = len(line) - len(line.lstrip("\t"))
        if line[depth : depth + 1] == " ":
            warn(number, "indented with spaces: brat makes its hierarchy with tabs")
        name, args = (*re.split(r"\s+", stripped, maxsplit=1), "")[:2]
        # Old configurations give aliases after "|" (Name|GO:0001|label): the first is the type.
        entry = _Entry(name.lstrip("!").split("|")[0], depth, name.startswith("!"), args, number)
        stack = stacks[section]
        while stack and stack[-1].depth >= depth:
            stack.pop()
        if stack:
            stack[-1].children.append(entry.name)
        stack.append(entry)
        sections[section].append(entry)
    return sections, macros


class _Warn:
    """Collects I011 findings for one file."""

    def __init__(self, file: str, findings: list[Finding]) -> None:
        self.file = file
        self.findings = findings

    def __call__(self, line: int, message: str) -> None:
        self.findings.append(
            SourceFinding(
                I.CONF_NOT_CONVERTED,
                message,
                position=(line, 1),
                file=self.file,
                hint="the scheme leaves it out; edit the converted scheme if it matters",
            )
        )


class _Converter:
    """annotation.conf declarations -> scheme TOML tables."""

    def __init__(self, conf_text: str, display: str, findings: list[Finding]) -> None:
        self.display = display
        self.warn = _Warn(display, findings)
        self.sections, self.macros = _parse(conf_text, self.warn)
        entities = self.sections["entities"]
        self.entity_by_name = {e.name: e for e in entities}
        self.parents: dict[str, _Entry] = {}
        for e in entities:
            for child in e.children:
                self.parents.setdefault(child, e)
        self.usable_entities = [e for e in entities if not e.hidden or self._members(e)]
        self.usable_names = {e.name for e in self.usable_entities}
        # <ENTITY> stands for the top of each hierarchy: a parent or union accepts the rest.
        self.top_entities = [e.name for e in self.usable_entities if e.name not in self.parents]
        self.event_entries = {e.name: e for e in self.sections["events"]}
        self.relation_names = {
            r.name for r in self.sections["relations"] if not r.name.startswith("<")
        }
        self.declared: set[str] = set()
        self.roles: dict[str, set[str]] = {}
        self.equivalences: list[str] = []
        self.renamed_relations: dict[str, str] = {}

    def _members(self, entry: _Entry) -> list[str]:
        """Children a category stands for (categories without any are left out)."""
        by_name = self.entity_by_name
        return [c for c in entry.children if not by_name[c].hidden or self._members(by_name[c])]

    def _claim(self, name: str, line: int, what: str) -> bool:
        if not NAME_PATTERN.fullmatch(name):
            self.warn(line, f'{what} "{name}" is not a valid corpuskit name')
            return False
        if name in self.declared:
            self.warn(
                line,
                f'{what} "{name}" is declared twice (types, events and relations share one namespace)',
            )
            return False
        self.declared.add(name)
        return True

    def _expand(self, spec: str, line: int, seen: frozenset[str] = frozenset()) -> list[str]:
        """The argument types of one ``A|B|<MACRO>`` list, as scheme type names."""
        out: list[str] = []
        for part in (p.strip() for p in spec.split("|")):
            if not part:
                continue
            if part in self.macros and part not in seen:
                out += self._expand(self.macros[part], line, seen | {part})
            elif part == "<ENTITY>":
                out += self.top_entities
            elif part == "<EVENT>":
                out.append("EVENT")
            elif part == "<ANY>":
                out.append("*")
            elif part.startswith("<"):
                self.warn(line, f"argument type {part} is no macro, <ENTITY>, <EVENT> or <ANY>")
            elif part in self.event_entries and self.event_entries[part].hidden:
                out += self._event_descendants(part)
            elif (
                part in self.usable_names
                or part in self.event_entries
                or part in self.relation_names
            ):
                out.append(part)
            elif part in self.entity_by_name:
                self.warn(line, f'category "!{part}" has no annotatable types to stand for')
            else:
                self.warn(line, f'argument type "{part}" is not declared')
        return list(dict.fromkeys(out))

    def _event_descendants(self, name: str) -> list[str]:
        out: list[str] = []
        for child in self.event_entries[name].children:
            hidden = self.event_entries[child].hidden
            out += self._event_descendants(child) if hidden else [child]
        return out

    def _arguments(self, entry: _Entry) -> dict[str, tuple[str, list[str]]]:
        """Role -> (cardinality, types) of an event or relation line, specials left out."""
        roles: dict[str, tuple[str, list[str]]] = {}
        for part in (p.strip() for p in entry.args.split(",")):
            if not part:
                continue
            role_spec, colon, types = part.partition(":")
            m = _ROLE.fullmatch(role_spec.strip())
            if not colon or m is None:
                self.warn(entry.line, f"argument {part!r} of {entry.name} is not ROLE:TYPE")
                continue
            role = m.group("role")
            if role.startswith("<"):
                continue  # <REL-TYPE>, <OVL-TYPE>: read by the caller
            card = m.group("card") or "1"  # brat: an argument without a mark is required, once
            if m.group("low"):
                card = m.group("low") + (f"-{m.group('high')}" if m.group("high") else "")
            if not NAME_PATTERN.fullmatch(role):
                self.warn(
                    entry.line, f'role "{role}" of {entry.name} is not a valid corpuskit name'
                )
                continue
            expanded = self._expand(types, entry.line)
            if not expanded:
                self.warn(
                    entry.line,
                    f'role "{role}" of {entry.name} has no usable type; it accepts anything',
                )
                expanded = ["*"]
            if role in roles:
                expanded = list(dict.fromkeys([*roles[role][1], *expanded]))
            roles[role] = (card, expanded)
        return roles

    @staticmethod
    def _specials(entry: _Entry) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for part in entry.args.split(","):
            key, _, value = part.strip().partition(":")
            if key.startswith("<"):
                out.setdefault(key, set()).update(v.strip() for v in value.split("|"))
        return out

    def types(self) -> list[str]:
        """[types.*] tables: entity types, parents, and categories as unions."""
        out: list[str] = []
        for e in self.usable_entities:
            if not self._claim(e.name, e.line, "entity type"):
                continue
            out += ["", f"[types.{_k(e.name)}]"]
            if e.hidden:
                out.append(_desc(f"brat category !{e.name}", self.display, e.line))
                out.append(f"union = {_list(self._members(e))}")
                continue
            out.append(_desc(f"brat entity type {e.name}", self.display, e.line))
            parent = self.parents.get(e.name)
            if parent is not None and not parent.hidden:
                out.append(f"parent = {_s(parent.name)}")
        return out

    def events(self) -> list[str]:
        """[events.*] tables; brat's event hierarchy is flattened (it only groups menus)."""
        out: list[str] = []
        for e in self.sections["events"]:
            if e.hidden or not self._claim(e.name, e.line, "event type"):
                continue
            out += [
                "",
                f"[events.{_k(e.name)}]",
                _desc(f"brat event type {e.name}", self.display, e.line),
            ]
            args = self._arguments(e)
            self.roles[e.name] = set(args)
            for role, (card, types) in args.items():
                out.append(
                    f"roles.{_k(role)} = {{ types = {_list(types)}, cardinality = {_s(card)} }}"
                )
        return out

    def relations(self) -> tuple[list[str], str]:
        """[relations.*] tables and the overlap policy; equivalences are remembered."""
        merged: dict[str, tuple[_Entry, dict[str, list[str]], bool]] = {}
        policy: str | None = None
        nesting = False
        for r in self.sections["relations"]:
            specials = self._specials(r)
            if r.name == "<OVERLAP>":
                policy = self._overlap(r, specials) or policy
                continue
            if r.name == "ENTITY-NESTING":
                nesting = True  # brat's old form of <OVERLAP> ... <OVL-TYPE>:contain
                continue
            kind = specials.get("<REL-TYPE>", set())
            if "symmetric-transitive" in kind:
                if r.name not in self.equivalences:
                    self.equivalences.append(r.name)
                continue
            if "transitive" in kind:
                self.warn(
                    r.line, f"relation {r.name} is transitive; corpuskit schemes cannot say so"
                )
            roles = {role: types for role, (_, types) in self._arguments(r).items()}
            if r.name in merged:  # brat lists a relation once per combination of argument types
                first, known, symmetric = merged[r.name]
                for role, types in roles.items():
                    known[role] = list(dict.fromkeys([*known.get(role, []), *types]))
                merged[r.name] = (first, known, symmetric or "symmetric" in kind)
            else:
                merged[r.name] = (r, roles, "symmetric" in kind)
        out: list[str] = []
        for name, (entry, roles, symmetric) in merged.items():
            if not roles:
                self.warn(entry.line, f"relation {name} has no arguments")
                continue
            if name in self.declared and name in self.usable_names:
                # brat lets a span type and a relation type share a name (CoNLL-X's
                # _question_); corpuskit has one namespace, so the relation takes a suffix that
                # the brat writer removes again.
                self.renamed_relations[name] = name + RELATION_SUFFIX
                name = name + RELATION_SUFFIX
            if not self._claim(name, entry.line, "relation type"):
                continue
            out += [
                "",
                f"[relations.{_k(name)}]",
                _desc(f"brat relation type {name}", self.display, entry.line),
            ]
            if symmetric:
                out.append("symmetric = true")
            for role, types in roles.items():
                out.append(f'roles.{_k(role)} = {{ types = {_list(types)}, cardinality = "1" }}')
        # Without an <OVERLAP> line brat lets no two entities overlap (verify_annotations
        # flags each pair as an error); ENTITY-NESTING allows containment.
        return out, policy or ("nested" if nesting else "none")

    def _overlap(self, entry: _Entry, specials: dict[str, set[str]]) -> str | None:
        args = {
            p.strip().partition(":")[2].strip()
            for p in entry.args.split(",")
            if p.strip() and not p.strip().startswith("<")
        }
        if not args <= {"<ENTITY>", "<ANY>"}:
            self.warn(
                entry.line,
                "an <OVERLAP> rule for particular types cannot be expressed (only for <ENTITY> or <ANY>)",
            )
            return None
        kinds = specials.get("<OVL-TYPE>", set())
        if "<ANY>" in kinds or "cross" in kinds:
            return "any"
        if "contain" in kinds:
            return "nested"
        if "equal" in kinds:
            self.warn(
                entry.line,
                '<OVL-TYPE>:equal alone has no corpuskit policy; "nested" (contain or equal) is used',
            )
            return "nested"
        return "none"

    def attributes(self) -> list[str]:
        """[attributes.*] tables: binary attributes are booleans, Value: lists enumerations."""
        out: list[str] = []
        for a in self.sections["attributes"]:
            if not NAME_PATTERN.fullmatch(a.name):
                self.warn(a.line, f'attribute "{a.name}" is not a valid corpuskit name')
                continue
            targets: list[str] = []
            values: list[str] = []
            for part in (p.strip() for p in a.args.split(",")):
                key, _, value = part.partition(":")
                if key == "Arg":
                    targets += [v.strip() for v in value.split("|") if v.strip()]
                elif key == "Value":
                    values += [v.strip() for v in value.split("|") if v.strip()]
                elif part:
                    self.warn(a.line, f"attribute {a.name}: {part!r} is neither Arg: nor Value:")
            on, types = self._attribute_targets(targets or ["<ANY>"], a.line)
            if not on:
                self.warn(a.line, f"attribute {a.name} applies to nothing declared")
                continue
            out += [
                "",
                f"[attributes.{_k(a.name)}]",
                _desc(f"brat attribute {a.name}", self.display, a.line),
            ]
            out.append(f"on = {_list(on)}")
            if types:
                out.append(f"types = {_list(types)}")
            out.append(f"values = {_list(values)}" if values else 'datatype = "boolean"')
        return out

    def _attribute_targets(self, targets: list[str], line: int) -> tuple[list[str], list[str]]:
        """The annotation kinds an attribute goes on, and its types (none when only wildcards)."""
        on: list[str] = []
        types: list[str] = []
        wildcards_only = True
        for target in targets:
            parts = self.macros[target].split("|") if target in self.macros else [target]
            for part in (p.strip() for p in parts):
                expanded = self._expand(part, line)
                types += expanded
                if part in _WILDCARDS:
                    on += _WILDCARDS[part]
                    continue
                wildcards_only = False
                if part in self.entity_by_name:
                    on.append("mentions")
                elif part in self.relation_names:
                    on.append("relations")
                elif expanded:
                    on.append("events")
        return list(dict.fromkeys(on)), ([] if wildcards_only else list(dict.fromkeys(types)))


def _knowledge_bases(
    text: str, display: str, findings: list[Finding]
) -> tuple[list[str], set[str]]:
    """[knowledge_bases.*] tables from the [normalization] section of tools.conf, and the
    names it declares."""
    warn = _Warn(display, findings)
    out: list[str] = []
    seen: set[str] = set()
    section = None
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
            continue
        if section != "normalization":
            continue  # search, annotators, disambiguators: tools, not annotation semantics
        name, args = (*re.split(r"\s+", stripped, maxsplit=1), "")[:2]
        if not NAME_PATTERN.fullmatch(name):
            warn(number, f'normalization database "{name}" is not a valid corpuskit name')
            continue
        if name in seen:
            continue
        seen.add(name)
        out += [
            "",
            f"[knowledge_bases.{_k(name)}]",
            _desc(f"brat normalization database {name}", display, number),
        ]
        # brat says nothing about the form of ids: anything without whitespace.
        out.append('id_pattern = "^\\\\S+$"')
        options = {}
        for part in args.split(","):
            key, _, value = part.strip().partition(":")
            options[key] = value.strip()
        # <URLBASE> is brat's link to an entry (%s: the id); <URL> the resource's home page or
        # search, an entry link only when it holds %s (older configurations).
        for key in ("<URLBASE>", "<URL>"):
            url = options.get(key, "").replace("%s", "{id}")
            if _URL.fullmatch(url):
                out.append(f"url = {_s(url)}")
                break
        else:
            if "<URLBASE>" in options:
                warn(number, f"the <URLBASE> of {name} is not http(s) with %s; it is left out")
    return out, seen


def _undeclared_knowledge_bases(used: dict[str, str], declared: set[str]) -> list[str]:
    """[knowledge_bases.*] for databases the .ann files use but no tools.conf declares.

    brat shows such a normalisation without a link; corpuskit keeps it, under a knowledge base
    that says where it was met (the reader warns at each line, I014).
    """
    out: list[str] = []
    for name, where in sorted(used.items()):
        if name in declared or not NAME_PATTERN.fullmatch(name):
            continue
        description = (
            f"brat normalization database {name}, used at {where} but declared in no "
            "tools.conf [normalization] (brat shows its ids without a link)."
        )
        out += ["", f"[knowledge_bases.{_k(name)}]", f"description = {_s(description)}"]
        out.append('id_pattern = "^\\\\S+$"')
    return out


def _carrier_attributes(note_types: list[str]) -> list[str]:
    """The attributes the brat reader writes: typed notes and the kept original lines."""
    kinds = _list(["mentions", "entities", "events", "relations"])
    out: list[str] = []
    for kind in note_types:
        name = NOTE_PREFIX + kind
        if kind == NOTES_TYPE or not NAME_PATTERN.fullmatch(name):
            continue
        out += [
            "",
            f"[attributes.{_k(name)}]",
            f"description = {_s(f'brat note of type {kind} (a # line): its text.')}",
            f"on = {kinds}",
            'datatype = "string"',
        ]
    out += [
        "",
        f"[attributes.{_k(LINE_ATTRIBUTE)}]",
        "description = "
        + _s(
            "A brat line as it was read, where corpuskit has no field for a detail of it "
            "(trailing whitespace, a trigger, normalisation or note id, numbered roles, an "
            "equivalence type): exporting to brat writes it back while the annotation still "
            "means the same."
        ),
        f"on = {kinds}",
        'datatype = "string"',
    ]
    return out


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _k(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _s(name)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def _desc(what: str, display: str, line: int) -> str:
    return f"description = {_s(f'{what} ({display}:{line}).')}"


def convert_conf(
    conf_text: str,
    display: str = CONF_NAME,
    tools_text: str | None = None,
    tools_display: str | None = None,
    scheme_name: str = "brat",
    usage: BratUsage | None = None,
) -> tuple[str, BratConf, list[Finding]]:
    """annotation.conf (and tools.conf) text -> scheme TOML, what the .ann reader needs, findings.

    ``display`` and ``tools_display`` name the files in descriptions and findings. ``usage``
    (what the .ann files under the conf use, :func:`scan_usage`) adds the note types and the
    normalisation databases no tools.conf declares, which brat accepts.
    """
    findings: list[Finding] = []
    usage = usage or BratUsage()
    converter = _Converter(conf_text, display, findings)
    # Names are claimed in the order types, events, relations: a clash reports the later one.
    types = converter.types()
    events = converter.events()
    relations, policy = converter.relations()
    attributes = converter.attributes()
    kbs, databases = (
        _knowledge_bases(tools_text, tools_display, findings)
        if tools_text is not None and tools_display is not None
        else ([], set())
    )
    kbs += _undeclared_knowledge_bases(usage.databases, databases)
    attributes += _carrier_attributes(sorted(usage.note_types))
    head = ["# Annotation scheme converted by corpuskit from brat configuration:", f"#   {display}"]
    if tools_display:
        head.append(f"#   {tools_display} ([normalization])")
    head += [
        "",
        "[scheme]",
        f"name = {_s(scheme_name)}",
        'version = "1"',
        f"description = {_s(f'Converted from brat {display}.')}",
        "",
        "[policies]",
    ]
    if policy == "none":
        head.append("# no <OVERLAP> line: brat's default, no two entities may overlap")
    head.append(f"mention_overlap = {_s(policy)}")
    toml_text = "\n".join([*head, *types, *kbs, *events, *relations, *attributes]) + "\n"
    conf = BratConf(
        display,
        converter.roles,
        converter.equivalences,
        frozenset(databases) if tools_text is not None else None,
        converter.renamed_relations,
    )
    return toml_text, conf, findings


@dataclass(slots=True)
class BratUsage:
    """What the .ann files under one annotation.conf use that the scheme must declare."""

    #: Normalisation database -> where it is first used (``file:line``).
    databases: dict[str, str] = field(default_factory=dict)
    #: ``#`` note types.
    note_types: set[str] = field(default_factory=set)


_USAGE = re.compile(r"^(?:N\S*\t\S+\s+\S+\s+([^:\s]+):|#\S*\t(\S+)\s)", re.M)


def scan_usage(folder: Path, options: ImportOptions, shown: Callable[[Path], str]) -> BratUsage:
    """The note types and databases of the .ann files an annotation.conf in ``folder`` governs.

    Subfolders with an annotation.conf of their own are skipped; a file that cannot be read is
    skipped here (reading the document reports it).
    """
    usage = BratUsage()
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not (Path(here, d) / CONF_NAME).is_file()
        )
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(".ann"):
                continue
            path = Path(here, name)
            try:
                text = options.read(path).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for m in _USAGE.finditer(text):
                if m.group(1):
                    line = text.count("\n", 0, m.start()) + 1
                    usage.databases.setdefault(m.group(1), f"{shown(path)}:{line}")
                else:
                    usage.note_types.add(m.group(2))
    return usage


def conf_for(
    folder: Path, top: Path, options: ImportOptions
) -> tuple[BratConf | None, Scheme | None, Converted | None]:
    """The annotation.conf governing a brat document in ``folder``, converted once per run.

    Returns the conf the .ann reader needs, its scheme (None when unusable) and, the first time
    a conf is met, what the import reports for it and writes: ``scheme.toml`` in the output
    subfolder matching the conf's place under ``top`` (the SRC argument).
    """
    from corpuskit.diagnostics import CorpuskitError
    from corpuskit.interop.common import scheme_from_text
    from corpuskit.interop.registry import Converted, os_reason, shown_path

    conf_path = find_upward(folder, CONF_NAME)
    if conf_path is None:
        return None, None, None
    done: dict[Path, tuple[BratConf | None, Scheme | None]] = options.memo.setdefault(
        "brat.confs", {}
    )
    if conf_path in done:
        return (*done[conf_path], None)
    shown = shown_path(conf_path)
    tools_path = find_upward(conf_path.parent, TOOLS_NAME)
    try:
        conf_text = options.read(conf_path).decode("utf-8")
        tools_text = options.read(tools_path).decode("utf-8") if tools_path else None
    except (OSError, UnicodeDecodeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        done[conf_path] = (None, None)
        return None, None, Converted(shown, [Finding(I.INPUT_UNREADABLE, f"cannot read: {reason}")])
    toml_text, conf, findings = convert_conf(
        conf_text,
        shown,
        tools_text,
        shown_path(tools_path) if tools_path else None,
        conf_path.parent.name or "brat",
        scan_usage(conf_path.parent, options, shown_path),
    )
    try:
        rel = conf_path.parent.resolve().relative_to(
            top.resolve() if top.is_dir() else top.resolve().parent
        )
    except ValueError:
        rel = Path()
    target = rel / "scheme.toml"
    scheme: Scheme | None = None
    try:
        scheme = scheme_from_text(toml_text, str(options.output / target))
    except CorpuskitError as exc:
        findings.append(Finding(I.CONF_NOT_CONVERTED, f"the converted scheme is unusable: {exc}"))
    done[conf_path] = (conf, scheme)
    # An unusable scheme is reported, not written: validate would refuse it.
    converted = Converted(shown, findings, target if scheme is not None else None, toml_text)
    return conf, scheme, converted
