"""The annotation scheme: what a corpus allows, loaded from TOML and checked before use.

A scheme declares mention/entity types (with hierarchy and unions), knowledge bases, quote and
claim constraints, event and relation types with roles and cardinalities, attributes, and
corpus policies. Every constraint remembers where in the scheme file it is set (the line is
worked out when a diagnostic names it), so that a diagnostic can say where the rule comes from.
"""

# No ``from __future__ import annotations``: msgspec reads the typed decode's annotations on its
# first use, and evaluating them from strings (compile + eval of each) cost a fresh process
# ~1 ms; evaluated when each class is made, they cost microseconds.
import datetime
import functools
import math
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from corpuskit.diagnostics import CorpuskitError
from corpuskit.model import text_sha256

if TYPE_CHECKING:
    from corpuskit.toml_positions import TomlPositions

#: Special argument types: any event, any relation, anything.
ANY_EVENT, ANY_RELATION, ANYTHING = "EVENT", "RELATION", "*"
_CARDINALITY = re.compile(r"([0-9]+)(?:-([0-9]+))?")
#: At most this many types, knowledge bases, events, relations, attributes (each) and roles (per
#: event or relation): a scheme may come from a pull request (schema/scheme.schema.json agrees).
MAX_DECLARATIONS = 10_000
#: Expansions kept for reuse, in concrete type names (beyond it the memo starts over).
_EXPANSION_MEMO = 1_000_000


class SchemeError(CorpuskitError):
    """The scheme cannot be used (exit code 2); the message names file, line and column."""


class SchemeText:
    """A scheme file's text, and where each of its tables and keys is (by JSON pointer).

    The places are worked out on first use: only a message needs one, and finding them (a scan
    of the file, and the patterns of :mod:`corpuskit.toml_positions` compiled) was ~2 ms of a
    one-document run. Compares, hashes and pickles as its text.
    """

    __slots__ = ("_positions", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._positions: TomlPositions | None = None

    def locate(self, pointer: str) -> tuple[int, int]:
        """1-based (line, column) of the key ``pointer`` names (see TomlPositions.locate)."""
        return self._scanned().locate(pointer)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line."""
        return self._scanned().line_text(line)

    def _scanned(self) -> "TomlPositions":
        if self._positions is None:
            from corpuskit.toml_positions import TomlPositions

            self._positions = TomlPositions(self.text)
        return self._positions

    def __reduce__(self) -> tuple[type["SchemeText"], tuple[str]]:
        return SchemeText, (self.text,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SchemeText) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"SchemeText(<{len(self.text)} characters>)"


class Where(msgspec.Struct, frozen=True):
    """A place in the scheme file (for messages: ``corpus/scheme.toml:42``): the key
    ``pointer`` names in ``source``, its line worked out when a message asks for it."""

    path: str
    pointer: str
    source: SchemeText

    @property
    def line(self) -> int:
        """The 1-based line of the key."""
        return self.source.locate(self.pointer)[0]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Cardinality(msgspec.Struct, frozen=True):
    """How many arguments may fill a role."""

    low: int
    high: int | None  # None: unbounded
    text: str

    @classmethod
    def parse(cls, text: str) -> "Cardinality":
        """Parse ``1``, ``?``, ``*``, ``+``, ``N`` or ``N-M``."""
        fixed = {"1": (1, 1), "?": (0, 1), "*": (0, None), "+": (1, None)}
        if text in fixed:
            low, high = fixed[text]
            return cls(low, high, text)
        m = _CARDINALITY.fullmatch(text)
        if not m:
            raise ValueError(text)
        low = int(m.group(1))
        return cls(low, int(m.group(2)) if m.group(2) else low, text)

    def describe(self) -> str:
        """In words: "exactly 1", "at most 1", "at least 1" ..."""
        if self.high is None:
            return f"at least {self.low}" if self.low else "any number"
        if self.low == self.high:
            return f"exactly {self.low}"
        return f"at most {self.high}" if self.low == 0 else f"{self.low} to {self.high}"


class Role(msgspec.Struct, frozen=True):
    """A role of an event or relation type."""

    name: str
    types: tuple[str, ...]
    cardinality: Cardinality
    where: Where


class FrameType(msgspec.Struct, frozen=True):
    """An event or relation type with its roles."""

    name: str
    roles: dict[str, Role]
    where: Where
    symmetric: bool = False


class TypeDef(msgspec.Struct, frozen=True):
    """A mention/entity type, a subtype (parent) or an abstract union."""

    name: str
    kinds: frozenset[str]
    where: Where
    parent: str | None = None
    union: tuple[str, ...] = ()


class KnowledgeBase(msgspec.Struct, frozen=True):
    """A knowledge base entities may link to."""

    name: str
    id_pattern: str
    where: Where
    url: str | None = None


class AttributeDef(msgspec.Struct, frozen=True):
    """An attribute: where it may go and what values it takes."""

    name: str
    on: frozenset[str]
    where: Where
    types: tuple[str, ...] = ()
    values: tuple[Any, ...] = ()
    datatype: str | None = None
    required: bool = False


class AgentConstraint(msgspec.Struct, frozen=True):
    """Who may speak a quote or assert a claim."""

    required: bool
    types: tuple[str, ...]
    where: Where


class _Memo:
    """Expansions worked out so far, and how many type names they hold in all."""

    __slots__ = ("found", "size")

    def __init__(self) -> None:
        self.found: dict[str, frozenset[str]] = {}
        self.size = 0


class TypeHierarchy(msgspec.Struct, dict=True):
    """The type graph: the types each type directly stands for (union members and subtypes).

    Expansions are computed on demand, one walk of the graph per name, and memoised: computing
    them all at load time would take time and memory quadratic in the number of types (a chain
    of subtypes), and expanding without a memo of visited types exponential (layered unions).
    """

    narrower: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)

    # Not a field: a Struct compares, copies and pickles its fields, and a memo is none of
    # equality, copies or pickles (the instance __dict__, which ``dict=True`` gives, holds it).
    @functools.cached_property
    def memo(self) -> _Memo:
        """The expansions worked out so far (this object's own, empty in copies and pickles)."""
        return _Memo()

    def expand(self, name: str) -> frozenset[str]:
        """``name``, its union members and subtypes, theirs, and so on (iteratively)."""
        memo = self.memo
        found = memo.found.get(name)
        if found is not None:
            return found
        reached, todo = {name}, [name]
        while todo:
            for member in self.narrower.get(todo.pop(), ()):
                if member not in reached:
                    reached.add(member)
                    todo.append(member)
        result = frozenset(reached)
        if memo.size + len(result) > _EXPANSION_MEMO:
            memo.found.clear()
            memo.size = 0
        memo.found[name] = result
        memo.size += len(result)
        return result


class Derived:
    """What checks derive from a scheme and keep on it (Scheme.derived): never copied nor
    pickled, so a scheme sent to other processes stays kilobytes and each builds its own."""

    __slots__ = ("checks",)

    def __init__(self) -> None:
        #: The scheme checks' tables (rules.scheme), None until the first check asks.
        self.checks: Any = None

    def __reduce__(self) -> "tuple[type[Derived], tuple[()]]":
        return (Derived, ())


class Scheme(msgspec.Struct, frozen=True, dict=True):
    """A loaded, checked annotation scheme.

    Copy it with ``msgspec.structs.replace``. Its fields are what it says; what is worked out
    from them and kept (``accepted``, ``derived``) lives in the instance ``__dict__`` instead
    (``dict=True``), so that equality, copies and pickles leave it out.
    """

    path: str
    name: str
    version: str
    types: dict[str, TypeDef]
    knowledge_bases: dict[str, KnowledgeBase] = msgspec.field(default_factory=dict)
    events: dict[str, FrameType] = msgspec.field(default_factory=dict)
    relations: dict[str, FrameType] = msgspec.field(default_factory=dict)
    attributes: dict[str, AttributeDef] = msgspec.field(default_factory=dict)
    speaker: AgentConstraint | None = None
    source: AgentConstraint | None = None
    channel: AgentConstraint | None = None
    mention_overlap: str = "any"
    word_boundaries: bool = False
    #: A quote's cue never covers its speaker ("said", not "he said").
    cue_excludes_speaker: bool = False
    #: Where the policies and the type table are set (for messages).
    where_overlap: Where | None = None
    where_word_boundaries: Where | None = None
    where_cue: Where | None = None
    where_types: Where | None = None
    #: Which types each type stands for; ``expand`` walks it.
    hierarchy: TypeHierarchy = msgspec.field(default_factory=TypeHierarchy)
    #: sha256 of the scheme file: part of the cache key of every result checked against it.
    digest: str = ""
    #: (table, name) -> description, e.g. ("types", "PER"), for annotators (editor hovers).
    descriptions: dict[tuple[str, str], str] = msgspec.field(default_factory=dict)

    @functools.cached_property
    def accepted(self) -> dict[tuple[tuple[str, ...], str, str], bool]:
        """(allowed, actual, kind) -> accepts: the same few questions come for every argument
        of every document checked against the scheme (bounded: cleared when it grows large)."""
        return {}

    @functools.cached_property
    def derived(self) -> Derived:
        """Tables the checks derive from the scheme, built on first use and kept for every
        later document (rules.scheme). A copy or a pickle starts without them, so they always
        describe the scheme they are kept on."""
        return Derived()

    def accepts(self, allowed: tuple[str, ...], actual: str, kind: str) -> bool:
        """Whether an annotation of ``kind`` and type ``actual`` satisfies a list of allowed types."""
        key = (allowed, actual, kind)
        found = self.accepted.get(key)
        if found is None:
            if len(self.accepted) > _EXPANSION_MEMO:
                self.accepted.clear()
            found = self.accepted[key] = self._accepts(allowed, actual, kind)
        return found

    def _accepts(self, allowed: tuple[str, ...], actual: str, kind: str) -> bool:
        for name in allowed:
            if name == ANYTHING:
                return True
            if name == ANY_EVENT and kind == "events":
                return True
            if name == ANY_RELATION and kind == "relations":
                return True
            if kind in ("events", "relations"):
                if name == actual:
                    return True
                continue
            if actual in self.expand(name):
                return True
        return False

    def expand(self, name: str) -> frozenset[str]:
        """Every concrete type a type name stands for: itself, its union members, its subtypes."""
        return self.hierarchy.expand(name)

    def usable(self, name: str, kind: str) -> bool:
        """Whether a mention ("mention") or entity ("entity") may have type ``name``."""
        found = self.types.get(name)
        return found is not None and not found.union and kind in found.kinds


def _hierarchy(types: dict[str, TypeDef], path: str, positions: SchemeText) -> TypeHierarchy:
    """The type graph (a union stands for its members, a type for its subtypes), checked for
    cycles in time linear in its size, without recursion: a scheme may declare thousands of
    types, each the parent of the next."""
    narrower: dict[str, dict[str, None]] = {n: {} for n in types}
    #: (from, to) -> (type whose declaration sets the link, "union" or "parent")
    declared: dict[tuple[str, str], tuple[str, str]] = {}
    for n, t in types.items():
        for member in t.union:
            narrower[n][member] = None
            declared.setdefault((n, member), (n, "union"))
        if t.parent:
            narrower[t.parent][n] = None
            declared.setdefault((t.parent, n), (n, "parent"))
    graph = {n: tuple(members) for n, members in narrower.items()}
    done: set[str] = set()
    for root in types:
        if root in done:
            continue
        trail, walks, on_trail = [root], [iter(graph[root])], {root}
        while walks:
            step = next(walks[-1], None)
            if step is None:
                walks.pop()
                on_trail.discard(node := trail.pop())
                done.add(node)
            elif step in on_trail:
                cycle = trail[trail.index(step) :]
                links = list(zip(cycle, [*cycle[1:], step], strict=True))
                raise _cycle_error(links, declared, path, positions)
            elif step not in done:
                trail.append(step)
                walks.append(iter(graph[step]))
                on_trail.add(step)
    return TypeHierarchy(graph)


def _cycle_error(
    links: list[tuple[str, str]],
    declared: dict[tuple[str, str], tuple[str, str]],
    path: str,
    positions: SchemeText,
) -> SchemeError:
    """A cycle of links, reported where the first of them (in the file) is declared."""
    pointers = [f"/types/{declared[link][0]}/{declared[link][1]}" for link in links]
    first = min(range(len(links)), key=lambda i: positions.locate(pointers[i]))
    links = links[first:] + links[:first]
    steps = [
        f"{a} stands for {b} (union)"
        if declared[(a, b)][1] == "union"
        else f"{b} is a subtype of {a}"
        for a, b in links
    ]
    shown = ", ".join(steps[:6]) + (f", ... ({len(steps) - 6} more)" if len(steps) > 6 else "")
    name = declared[links[0]][0]
    return _fail(
        path,
        positions,
        pointers[first],
        f'type hierarchy of "{name}" has a cycle: {shown}',
        "a type cannot stand for itself: remove one of these parent or union links",
    )


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """Compile a pattern from a scheme with RE2, whose matching time is linear in the input.

    Patterns come from corpus files, which may come from strangers' pull requests: a pattern
    such as ``^(a+)+$`` must not be able to hang the validator. Raises ValueError if RE2
    cannot compile it.
    """
    import re2

    options = re2.Options()
    options.log_errors = False  # the error is reported as a scheme error instead
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = (
            exc.args[0].decode("utf-8", "replace")
            if exc.args and isinstance(exc.args[0], bytes)
            else str(exc)
        )
        raise ValueError(detail) from None


def _scheme_schema() -> dict[str, Any]:
    import json  # only a scheme the typed decode refuses needs the schema (and json)

    from corpuskit.formats import schema_dir

    loaded: dict[str, Any] = json.loads((schema_dir() / "scheme.schema.json").read_text("utf-8"))
    return loaded


def _fail(
    path: str, positions: SchemeText, pointer: str, message: str, hint: str = ""
) -> SchemeError:
    line, col = positions.locate(pointer)
    source = positions.line_text(line)
    text = f"{path}:{line}:{col}: {message}"
    if source:
        text += f"\n  {line} | {source}"
    if hint:
        text += f"\n  help: {hint}"
    return SchemeError(text)


def _schema_errors(data: dict[str, Any], path: str, positions: SchemeText) -> None:
    from corpuskit.formats.schema import compile_schema, pointer_of

    dated = _first_date(data, "")
    if dated is not None:  # TOML's dates and times have no JSON type: the validator refuses them
        where = dated.lstrip("/").replace("/", ".")
        raise _fail(
            path,
            positions,
            dated,
            f"invalid scheme at {where}: a TOML date or time, where the scheme has only "
            "strings, numbers, booleans, tables and arrays",
            "write it as a string, in quotes",
        )
    validator = compile_schema(_scheme_schema())
    errors = list(validator.iter_errors(data))
    if not errors:
        return

    first = min(errors, key=lambda e: positions.locate(pointer_of(list(e.instance_path))))
    pointer = pointer_of(list(first.instance_path))
    kind = type(first.kind).__name__
    hint = "see schema/scheme.schema.json and the README's scheme section"
    if kind == "AdditionalProperties":
        unexpected: list[str] = list(getattr(first.kind, "unexpected", []))
        names = ", ".join(f'"{u}"' for u in unexpected)
        pointer = f"{pointer}/{unexpected[0]}" if unexpected else pointer
        message = f"unknown key {names}"
    elif kind == "MaxProperties":  # the default message quotes the whole table
        count = len(first.instance) if isinstance(first.instance, dict) else "too many"
        message = f"{count} entries, more than the limit of {getattr(first.kind, 'limit', '?')}"
        hint = f"a scheme declares at most {MAX_DECLARATIONS:,} of each; split or merge them"
    else:
        message = first.message
    where = pointer.lstrip("/").replace("/", ".") or "top level"
    raise _fail(path, positions, pointer, f"invalid scheme at {where}: {message}", hint)


# The typed decode: the JSON Schema (schema/scheme.schema.json) as msgspec Structs, so that a
# valid scheme is vouched for by one compiled msgspec.convert and a few set operations, without
# importing jsonschema_rs (~9 ms of imports) or compiling the schema (~2 ms). It may refuse
# what the schema accepts (then the schema decides, only slower), never the reverse:
# tests/test_scheme_typed.py checks that on every scheme fixture and on mutations of the seed.
# Each constraint is the schema's, or stricter: optional members default to UNSET, so an
# explicit value of any other type is refused; patterns end in \Z where the schema's end in
# (?!\n)$ (both: the end of the text); the url's \S is narrowed to printable ASCII, on which
# every regex engine agrees; uniqueItems is checked after the decode (_unique).

_Text = Annotated[str, Meta(min_length=1)]
_Texts = list[_Text]
_Name = Annotated[str, Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_.:-]*\Z")]
_Cardinality = Annotated[str, Meta(pattern=r"^(?:[1?*+]|[0-9]+(?:-[0-9]+)?)\Z")]
_Url = Annotated[str, Meta(pattern=r"^https?://[!-~]*\{id\}[!-~]*\Z")]
_Value = str | int | float | bool


class _Typed(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A table of the scheme: unknown keys refused (the schema's additionalProperties)."""


class _SchemeTable(_Typed):
    name: _Text
    version: _Text
    description: _Text | UnsetType = UNSET


class _Policies(_Typed):
    mention_overlap: Literal["any", "nested", "none"] | UnsetType = UNSET
    word_boundaries: bool | UnsetType = UNSET
    cue_excludes_speaker: bool | UnsetType = UNSET


class _Type(_Typed):
    description: _Text
    kinds: Annotated[list[Literal["mention", "entity"]], Meta(min_length=1)] | UnsetType = UNSET
    parent: _Text | UnsetType = UNSET
    union: Annotated[_Texts, Meta(min_length=1)] | UnsetType = UNSET


class _KnowledgeBase(_Typed):
    id_pattern: _Text
    description: _Text | UnsetType = UNSET
    url: _Url | UnsetType = UNSET


class _Quotes(_Typed):
    speaker: Literal["required", "optional"] | UnsetType = UNSET
    speaker_types: _Texts | UnsetType = UNSET
    description: _Text | UnsetType = UNSET


class _Claims(_Typed):
    source: Literal["required", "optional"] | UnsetType = UNSET
    source_types: _Texts | UnsetType = UNSET
    channel_types: _Texts | UnsetType = UNSET
    description: _Text | UnsetType = UNSET


class _Role(_Typed):
    types: _Texts
    cardinality: _Cardinality | UnsetType = UNSET
    description: _Text | UnsetType = UNSET


_Roles = Annotated[dict[_Name, _Role], Meta(max_length=MAX_DECLARATIONS)]


class _Event(_Typed):
    description: _Text
    roles: _Roles | UnsetType = UNSET


class _Relation(_Typed):
    description: _Text
    roles: _Roles
    symmetric: bool | UnsetType = UNSET


_On = Literal["mentions", "entities", "quotes", "claims", "events", "relations"]


class _Attribute(_Typed):
    description: _Text
    on: Annotated[list[_On], Meta(min_length=1)]
    types: _Texts | UnsetType = UNSET
    values: Annotated[list[_Value], Meta(min_length=1)] | UnsetType = UNSET
    datatype: Literal["string", "integer", "number", "boolean"] | UnsetType = UNSET
    required: bool | UnsetType = UNSET


class _Top(_Typed):
    scheme: _SchemeTable
    types: Annotated[dict[_Name, _Type], Meta(min_length=1, max_length=MAX_DECLARATIONS)]
    policies: _Policies | UnsetType = UNSET
    knowledge_bases: (
        Annotated[dict[_Name, _KnowledgeBase], Meta(max_length=MAX_DECLARATIONS)] | UnsetType
    ) = UNSET
    quotes: _Quotes | UnsetType = UNSET
    claims: _Claims | UnsetType = UNSET
    events: Annotated[dict[_Name, _Event], Meta(max_length=MAX_DECLARATIONS)] | UnsetType = UNSET
    relations: Annotated[dict[_Name, _Relation], Meta(max_length=MAX_DECLARATIONS)] | UnsetType = (
        UNSET
    )
    attributes: (
        Annotated[dict[_Name, _Attribute], Meta(max_length=MAX_DECLARATIONS)] | UnsetType
    ) = UNSET


#: Integers a double holds exactly: beyond them, whether two values of an attribute are equal
#: (1 and 1.0 are, for the schema) depends on how an engine compares numbers.
_EXACT = 2**53


def _unique(items: list[Any] | UnsetType) -> bool:
    """Whether no two items are equal (uniqueItems). Python's equality is as coarse as the
    schema's or coarser (1 == 1.0 in both; True == 1 in Python only), so "unique" here is
    unique there: the typed decode refuses some valid lists (the schema then decides)."""
    return items is UNSET or len(set(items)) == len(items)


def _plain_value(value: _Value) -> bool:
    """A value whose comparison and conversion every engine agrees on: a string, a boolean, an
    integer within ±2^53, a finite float (NaN and infinities are not JSON numbers)."""
    if type(value) is int:
        return -_EXACT < value < _EXACT
    if type(value) is float:
        return math.isfinite(value)
    return True


def typed_valid(data: dict[str, Any]) -> bool:
    """Whether the JSON Schema certainly accepts this TOML table (the typed decode); False
    says only "maybe not": the schema validator then decides, and words any problem."""
    try:
        top = msgspec.convert(data, _Top)
    except (msgspec.ValidationError, RecursionError):
        return False
    lists: list[list[Any] | UnsetType] = []
    for t in top.types.values():
        lists += (t.kinds, t.union)
    if top.quotes is not UNSET:
        lists.append(top.quotes.speaker_types)
    if top.claims is not UNSET:
        lists += (top.claims.source_types, top.claims.channel_types)
    for frames in (top.events, top.relations):
        if frames is not UNSET:
            for frame in frames.values():
                if frame.roles is not UNSET:
                    lists += [role.types for role in frame.roles.values()]
    if top.attributes is not UNSET:
        for a in top.attributes.values():
            lists += (a.on, a.types, a.values)
            if a.values is not UNSET and not all(map(_plain_value, a.values)):
                return False
    return all(map(_unique, lists))


#: A scheme file larger than this is not read.
MAX_SCHEME_BYTES = 4 * 1024 * 1024
#: Tables and arrays nested deeper than this are refused (a real scheme nests a few levels).
MAX_SCHEME_DEPTH = 32


def _first_date(value: Any, pointer: str) -> str | None:
    """The JSON pointer of the first TOML date, time or date-time in ``value`` (nesting is
    bounded before this runs: see ``MAX_SCHEME_DEPTH``)."""
    if isinstance(value, datetime.date | datetime.time):
        return pointer or "/"
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = _first_date(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
        if found is not None:
            return found
    return None


def _too_deep(name: str) -> str:
    return f"{name}: invalid scheme: tables or arrays nested more than {MAX_SCHEME_DEPTH} deep"


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_SCHEME_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def load_scheme(path: Path, display: str | None = None, *, project: Path | None = None) -> Scheme:
    """Read, check and build a scheme; raise SchemeError with file:line:col on any problem.

    ``project``: the scheme was named by a configuration file in this folder, which may come
    from a pull request, so it must lie inside it (messages quote the scheme's content).
    """
    import os

    from corpuskit.io import read_text_input

    name = display or str(path)
    if project is not None:
        real, fence = Path(os.path.realpath(path)), Path(os.path.realpath(project))
        if not (real == fence or real.is_relative_to(fence)):
            raise SchemeError(
                f"{name}: the scheme a configuration names must be inside its project ({fence})"
            )
    try:
        text = read_text_input(path, root=project, limit=MAX_SCHEME_BYTES)
    except UnicodeDecodeError as exc:
        raise SchemeError(f"{name}: cannot read scheme: not UTF-8 (byte {exc.start})") from exc
    except OSError as exc:
        raise SchemeError(f"{name}: cannot read scheme: {exc.strerror or exc}") from exc
    positions = SchemeText(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"{name}: invalid TOML: {exc}") from exc
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise SchemeError(_too_deep(name)) from None
    # The typed decode recurses no deeper than its Structs nest (a value of another shape is
    # refused where it stands), and what it accepts nests a few levels: only a table it
    # refuses needs the walk that keeps the schema validator from recursing too deep.
    if not typed_valid(data):
        if _depth(data) > MAX_SCHEME_DEPTH:
            raise SchemeError(_too_deep(name))
        _schema_errors(data, name, positions)  # the schema validator words what is wrong
    built = _build(data, name, positions)
    return msgspec.structs.replace(built, digest=text_sha256(text))


def _where(path: str, positions: SchemeText, pointer: str) -> Where:
    return Where(path, pointer, positions)


def _build(data: dict[str, Any], path: str, positions: SchemeText) -> Scheme:
    def w(pointer: str) -> Where:
        return _where(path, positions, pointer)

    types = {
        n: TypeDef(
            n,
            frozenset(t.get("kinds", ("mention", "entity"))),
            w(f"/types/{n}"),
            t.get("parent"),
            tuple(t.get("union", ())),
        )
        for n, t in data["types"].items()
    }
    for n, t in types.items():
        for ref in (*t.union, *((t.parent,) if t.parent else ())):
            if ref not in types:
                raise _fail(
                    path, positions, f"/types/{n}", f'type "{n}" names unknown type "{ref}"'
                )
    hierarchy = _hierarchy(types, path, positions)
    events = {
        n: _frame(n, e, f"/events/{n}", path, positions) for n, e in data.get("events", {}).items()
    }
    relations = {
        n: _frame(n, r, f"/relations/{n}", path, positions)
        for n, r in data.get("relations", {}).items()
    }
    clash = (
        (set(types) & set(events)) | (set(types) & set(relations)) | (set(events) & set(relations))
    )
    if clash:
        name = sorted(clash)[0]
        raise _fail(
            path,
            positions,
            f"/events/{name}",
            f'"{name}" is declared twice (types, events and relations share one namespace)',
        )
    known = set(types) | set(events) | set(relations) | {ANY_EVENT, ANY_RELATION, ANYTHING}

    def check_names(names: list[str], pointer: str) -> tuple[str, ...]:
        for n in names:
            if n not in known:
                raise _fail(
                    path,
                    positions,
                    pointer,
                    f'unknown type "{n}"',
                    "declare it under [types], [events] or [relations]",
                )
        return tuple(names)

    for frames, table in ((events, "events"), (relations, "relations")):
        for frame in frames.values():
            for role in frame.roles.values():
                check_names(list(role.types), f"/{table}/{frame.name}/roles/{role.name}")
    kbs = {}
    for n, kb in data.get("knowledge_bases", {}).items():
        try:
            compile_pattern(kb["id_pattern"])
        except ValueError as exc:
            raise _fail(
                path,
                positions,
                f"/knowledge_bases/{n}/id_pattern",
                f"invalid regular expression: {exc}",
                "patterns use RE2 syntax (no backreferences or lookaround), which runs in linear time",
            ) from exc
        kbs[n] = KnowledgeBase(n, kb["id_pattern"], w(f"/knowledge_bases/{n}"), kb.get("url"))
    attributes = {}
    for n, a in data.get("attributes", {}).items():
        values = tuple(a.get("values", ()))
        datatype = a.get("datatype")
        if values and datatype and not all(has_datatype(v, datatype) for v in values):
            raise _fail(
                path,
                positions,
                f"/attributes/{n}/values",
                f'values of "{n}" are not all of datatype {datatype}',
            )
        attributes[n] = AttributeDef(
            n,
            frozenset(a["on"]),
            w(f"/attributes/{n}"),
            check_names(a.get("types", []), f"/attributes/{n}/types"),
            values,
            datatype,
            bool(a.get("required", False)),
        )
    quotes, claims = data.get("quotes", {}), data.get("claims", {})
    policies = data.get("policies", {})
    return Scheme(
        path=path,
        name=data["scheme"]["name"],
        version=data["scheme"]["version"],
        types=types,
        knowledge_bases=kbs,
        events=events,
        relations=relations,
        attributes=attributes,
        speaker=AgentConstraint(
            quotes.get("speaker") == "required",
            check_names(quotes.get("speaker_types", [ANYTHING]), "/quotes/speaker_types"),
            w("/quotes"),
        )
        if quotes
        else None,
        source=AgentConstraint(
            claims.get("source") == "required",
            check_names(claims.get("source_types", [ANYTHING]), "/claims/source_types"),
            w("/claims"),
        )
        if claims
        else None,
        channel=AgentConstraint(
            False,
            check_names(claims.get("channel_types", [ANYTHING]), "/claims/channel_types"),
            w("/claims/channel_types"),
        )
        if claims
        else None,
        mention_overlap=policies.get("mention_overlap", "any"),
        word_boundaries=bool(policies.get("word_boundaries", False)),
        cue_excludes_speaker=bool(policies.get("cue_excludes_speaker", False)),
        where_overlap=w("/policies/mention_overlap"),
        where_word_boundaries=w("/policies/word_boundaries"),
        where_cue=w("/policies/cue_excludes_speaker"),
        where_types=w("/types"),
        hierarchy=hierarchy,
        descriptions={
            (table, n): spec["description"]
            for table in ("types", "events", "relations", "attributes", "knowledge_bases")
            for n, spec in data.get(table, {}).items()
            if isinstance(spec.get("description"), str)
        },
    )


def _frame(
    name: str, data: dict[str, Any], pointer: str, path: str, positions: SchemeText
) -> FrameType:
    roles = {}
    for role, spec in data.get("roles", {}).items():
        card_text = spec.get("cardinality", "?")
        try:
            card = Cardinality.parse(card_text)
        except ValueError:
            raise _fail(
                path, positions, f"{pointer}/roles/{role}", f'invalid cardinality "{card_text}"'
            ) from None
        roles[role] = Role(
            role, tuple(spec["types"]), card, _where(path, positions, f"{pointer}/roles/{role}")
        )
    return FrameType(
        name, roles, _where(path, positions, pointer), bool(data.get("symmetric", False))
    )


def has_datatype(value: Any, datatype: str) -> bool:
    if datatype == "boolean":
        return isinstance(value, bool)
    if datatype == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if datatype == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)
