"""Scheme rules (family C): the document against the corpus's annotation scheme.

These run only when a scheme is configured (``scheme`` in the configuration, or ``--scheme``).
Every message names the scheme line that sets the constraint.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding, Rule, Severity, close_matches
from corpuskit.model import (
    ANNOTATION_KINDS,
    SINGULAR,
    Argument,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Mention,
    Quote,
    Relation,
    Span,
    fresh_ids,
)
from corpuskit.rules import offsets
from corpuskit.rules.base import PARTS, Check, CheckInput, shared
from corpuskit.scheme import (
    AgentConstraint,
    AttributeDef,
    FrameType,
    Scheme,
    compile_pattern,
    has_datatype,
)

if TYPE_CHECKING:  # (the typed decode's lists, read from the memo)
    from corpuskit.formats.typed import Parts

E = Severity.ERROR

UNKNOWN_TYPE = Rule(
    "C001",
    "unknown-type",
    E,
    "A mention, entity, event or relation type the scheme does not declare.",
    """Types come from the scheme: mention and entity types under [types] (union types such as
AGENT are for constraints only), event types under [events], relation types under [relations].

Fails: `{"id": "m1", "type": "PERSON", ...}` when the scheme declares PER.
Passes: `{"id": "m1", "type": "PER", ...}`""",
)
ROLE_NOT_ALLOWED = Rule(
    "C002",
    "role-not-allowed",
    E,
    "An event or relation argument has a role its type does not declare.",
    """Each event and relation type lists its roles in the scheme.

Fails: `{"role": "destination", "ref": "e2"}` on a transfer whose roles are agent, artifact,
recipient, time.
Passes: `{"role": "recipient", "ref": "e2"}`""",
)
CARDINALITY = Rule(
    "C003",
    "role-cardinality",
    E,
    "A role is filled too few or too many times.",
    """Cardinalities: `1` exactly one, `?` at most one, `+` at least one, `*` any number, `N` or
`N-M`.

Fails: a transfer with no artifact when the scheme says `artifact = { cardinality = "+" }`.
Passes: the same event with one artifact argument.""",
)
ARGUMENT_TYPE = Rule(
    "C004",
    "argument-type",
    E,
    "An argument points to an annotation of a type the role does not accept.",
    """A role lists the types it accepts: mention/entity types (a union or parent type accepts its
members), event or relation types, EVENT, RELATION or *.

Fails: `{"role": "agent", "ref": "m3"}` where m3 is a WEAPON and agent takes AGENT.
Passes: `{"role": "agent", "ref": "e1"}` where e1 is a GPE (a member of AGENT).""",
)
ATTRIBUTE_NOT_ALLOWED = Rule(
    "C005",
    "attribute-not-allowed",
    E,
    "An attribute the scheme does not declare, or on a target it is not allowed on.",
    """Attributes list the annotation kinds (`on`) and optionally the types they may be put on.

Fails: `{"name": "realis", "target": "m1", ...}` when realis is `on = ["events"]`.
Passes: `{"name": "realis", "target": "ev1", ...}`""",
)
ATTRIBUTE_VALUE = Rule(
    "C006",
    "attribute-value",
    E,
    "An attribute value outside its enumeration or of the wrong datatype.",
    """Fails: `"value": "maybe"` when realis allows actual, future, hypothetical.
Passes: `"value": "future"`""",
)
ATTRIBUTE_MISSING = Rule(
    "C007",
    "attribute-missing",
    E,
    "A required attribute is missing from an annotation.",
    """An attribute with `required = true` must be on every annotation it may be on. The hint gives
the attribute to add, with a fresh id in the document's style, and the values it may take.

Fails: an event without a realis attribute when realis is required.
Passes: the same event with `{"name": "realis", "value": "actual", ...}`.""",
)
UNKNOWN_KB = Rule(
    "C008",
    "unknown-knowledge-base",
    E,
    "A knowledge-base link names a knowledge base the scheme does not declare.",
    """Fails: `{"kb": "wikipedia", "id": "Iran"}` when only wikidata is declared.
Passes: `{"kb": "wikidata", "id": "Q794"}`""",
)
KB_ID = Rule(
    "C009",
    "invalid-kb-id",
    E,
    "A knowledge-base id does not match its knowledge base's id pattern.",
    """Fails: `{"kb": "wikidata", "id": "Q0794"}` with id_pattern `^Q[1-9][0-9]*$`.
Passes: `{"kb": "wikidata", "id": "Q794"}`""",
)
AGENT_MISSING = Rule(
    "C010",
    "speaker-missing",
    E,
    "A quote without a speaker, or a claim without a source, where the scheme requires one.",
    """Fails: a quote with no `speaker` when [quotes] says `speaker = "required"`.
Passes: the quote with `"speaker": "e26"`.""",
)
AGENT_TYPE = Rule(
    "C011",
    "speaker-type",
    E,
    "A quote's speaker or a claim's source or channel has a type the scheme does not allow.",
    """Fails: a speaker that is a WEAPON mention when speaker_types = ["AGENT"].
Passes: a speaker that is a PER entity.""",
)
OVERLAP = Rule(
    "C012",
    "mention-overlap",
    E,
    "Two mentions overlap in a way the corpus policy forbids.",
    """With `mention_overlap = "nested"` a mention may contain another but not cross it; with
`"none"` no two mentions may share a character.

Fails: with "nested", "Middlebury Institute" [0, 20) and "Institute of" [11, 23).
Passes: with "nested", "Middlebury Institute of International Studies" and "Middlebury" inside it.""",
)
WORD_BOUNDARY = Rule(
    "C013",
    "span-not-word-aligned",
    E,
    "A fragment starts or ends inside a word where the policy requires word boundaries.",
    """With `word_boundaries = true` the O102 warning becomes this error.

Fails: "Iran" taken as "Ira".
Passes: "Iran".""",
    supersedes=("O102",),
)

ENTITY_MENTION_TYPE = Rule(
    "C014",
    "entity-mention-type",
    E,
    "An entity has a mention whose type is incompatible with the entity's type.",
    """A mention of an entity of type X must be of type X, of a subtype of X, of a type X is a
subtype of, or of a union containing X ([types] `parent` and `union`). Anything else means
the mention was typed wrongly or put in the wrong cluster.

Fails: a GPE entity "Russia" whose mentions are `m4` (GPE) and `m3` (WEAPON).
Passes: the GPE entity with `m4` only; or, with `[types.CITY] parent = "GPE"`, a GPE entity
with a CITY mention.""",
)

CUE_CONTAINS_SPEAKER = Rule(
    "C015",
    "cue-contains-speaker",
    E,
    "A quote's cue covers its own speaker where the policy keeps speakers out of cues.",
    """With `cue_excludes_speaker = true` under [policies], a cue is only the words that introduce
the quote ("said", "according to"); the speaker is a reference of its own, and a cue that
covers the speaker's mention, or a mention of the speaker entity, was drawn too wide.

An error, because the scheme states the convention, as every C rule does. Without the policy
nothing is reported: corpora differ here (the bundled corpus takes "According to him" as one
cue), so a default warning would nag about a choice rather than catch a slip.

Fails: a quote with `"speaker": "e3"` and cue "he said", where "he" is a mention of `e3`.
Passes: the same quote with cue "said".""",
)

RULES = (
    UNKNOWN_TYPE,
    ROLE_NOT_ALLOWED,
    CARDINALITY,
    ARGUMENT_TYPE,
    ATTRIBUTE_NOT_ALLOWED,
    ATTRIBUTE_VALUE,
    ATTRIBUTE_MISSING,
    UNKNOWN_KB,
    KB_ID,
    AGENT_MISSING,
    AGENT_TYPE,
    OVERLAP,
    WORD_BOUNDARY,
    ENTITY_MENTION_TYPE,
    CUE_CONTAINS_SPEAKER,
)


def _names(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(names)) if names else "none"


def _suggest(name: str, options: list[str]) -> str | None:
    """The declared name ``name`` most likely misspells: the same name in another case, or
    one close enough by difflib's default measure (0.5 offered ORG for BOGUS and QUANTITY for
    COUNTRY: a wrong lead is worse than the list of declared names the caller gives instead)."""
    folded: dict[str, str] = {}
    for option in options:
        folded.setdefault(option.casefold(), option)
    found = folded.get(name.casefold())
    if found is None:
        close = close_matches(name.casefold(), list(folded), n=1)
        found = folded[close[0]] if close else None
    return f'did you mean "{found}"?' if found is not None and found != name else None


_ID, _TYPE, _ROLE, _REF = (
    attrgetter("id"),
    attrgetter("type"),
    attrgetter("role"),
    attrgetter("ref"),
)
#: Kinds whose annotations have no type.
_UNTYPED = ("quotes", "claims", "attributes")
#: The id -> type table's entry for each of them (one tuple each, shared).
_UNTYPED_TARGET = {kind: (kind, "") for kind in _UNTYPED}
#: What an id points to: (kind, type) of an annotation, None for an id no annotation has.
Target = tuple[str, str] | None


def _type_of(doc: Document) -> dict[str, tuple[str, str]]:
    """id -> (kind, type) for every annotation (quotes, claims and attributes have kind only);
    the first annotation with an id names it."""
    # Built backwards (kinds and annotations), so that the first of duplicate ids is written
    # last and wins; a comprehension per run of typed or untyped kinds, at C speed.
    d = doc  # (short: the comprehensions below fit a line each)
    frames: tuple[tuple[str, tuple[Event | Relation, ...]], ...] = (
        ("relations", d.relations),
        ("events", d.events),
    )
    said: tuple[tuple[str, tuple[Quote | Claim, ...]], ...] = (
        ("claims", d.claims),
        ("quotes", d.quotes),
    )
    typed: tuple[tuple[str, tuple[Mention | Entity, ...]], ...] = (
        ("entities", d.entities),
        ("mentions", d.mentions),
    )
    out = {a.id: _UNTYPED_TARGET["attributes"] for a in reversed(d.attributes)}
    out.update({a.id: (kind, a.type) for kind, items in frames for a in reversed(items)})
    out.update({a.id: _UNTYPED_TARGET[kind] for kind, items in said for a in reversed(items)})
    out.update({a.id: (kind, a.type) for kind, items in typed for a in reversed(items)})
    return out


def _argument_fits(scheme: Scheme, allowed: tuple[str, ...], target: Target) -> bool:
    """Whether an argument's target raises no C004: it fits ``allowed``, or another rule
    speaks (a dangling reference is R002's, a wrong kind R003's, an unknown type C001's)."""
    if target is None:
        return True
    kind, actual = target
    if kind in _UNTYPED or _undeclared(scheme, kind, actual):
        return True
    return scheme.accepts(allowed, actual, kind)


def _agent_fits(scheme: Scheme, allowed: tuple[str, ...], target: Target) -> bool:
    """Whether a speaker, source or channel raises no C011 (as _argument_fits; only mentions
    and entities speak, anything else is R003's)."""
    if target is None:
        return True
    kind, actual = target
    if kind not in ("mentions", "entities") or _undeclared(scheme, kind, actual):
        return True
    return scheme.accepts(allowed, actual, kind)


#: How a verdict on a target is reached (the two above, _attribute_fits).
Judge = Callable[[Scheme, tuple[str, ...], Target], bool]


def _judged(
    verdicts: dict[Target, bool],
    target: Target,
    judge: Judge,
    scheme: Scheme,
    allowed: tuple[str, ...],
) -> bool:
    """``judge``'s verdict on ``target``, remembered in ``verdicts`` when the target's type is
    declared (the remembered keys stay as few as the scheme's types, whatever documents hold)."""
    found = verdicts.get(target)
    if found is None:
        found = judge(scheme, allowed, target)
        if target is not None and not _undeclared(scheme, *target):
            verdicts[target] = found
    return found


class _Frame:
    """What a clean event or relation of one type looks like: the roles it may use once, those
    it must use, each role's bounds and the verdicts on its arguments' targets."""

    __slots__ = ("allowed", "bounds", "frame", "must", "once", "verdicts")

    def __init__(self, frame: FrameType, tables: _Tables) -> None:
        self.frame = frame
        roles = frame.roles.values()
        self.allowed = frozenset(frame.roles)
        self.once = frozenset(
            r.name
            for r in roles
            if r.cardinality.low <= 1 and (r.cardinality.high is None or r.cardinality.high >= 1)
        )
        self.must = frozenset(r.name for r in roles if r.cardinality.low >= 1)
        self.bounds = {r.name: (r.cardinality.low, r.cardinality.high) for r in roles}
        self.verdicts = {r.name: tables.verdicts("argument", r.types) for r in roles}


class _AttributeTable:
    """An attribute's verdicts on targets and, for an enumeration, its values as
    (type, value) pairs (true is not 1, and 1 is not 1.0, as in _attribute_findings)."""

    __slots__ = ("spec", "targets", "values")

    def __init__(self, spec: AttributeDef) -> None:
        self.spec = spec
        self.targets: dict[Target, bool] = {None: True}
        values: frozenset[tuple[type, Any]] | None = None
        try:
            # NaN equals nothing, itself included: leave it out, so it never matches.
            values = frozenset((type(v), v) for v in spec.values if v == v)
        except TypeError:  # an unhashable value: every value takes the exact test
            values = None
        self.values = values


class _Tables:
    """What the checks ask of one scheme, worked out once and kept on it (Scheme.derived):
    a document's clean annotations cost set and dictionary lookups, and only one with a
    problem takes the exact path that words the findings."""

    __slots__ = (
        "attributes",
        "declared",
        "fits",
        "frames",
        "members",
        "required",
        "required_names",
        "usable",
    )

    def __init__(self, scheme: Scheme) -> None:
        self.usable = {
            usage: frozenset(n for n in scheme.types if scheme.usable(n, usage))
            for usage in ("mention", "entity")
        }
        #: Declared mention/entity types, sorted (for hints; made when first needed).
        self.declared: list[str] | None = None
        self.frames: dict[str, dict[str, _Frame]] = {"events": {}, "relations": {}}
        self.fits: dict[tuple[str, tuple[str, ...]], dict[Target, bool]] = {}
        #: Entity type -> mention type -> whether the mention may be in the entity (C014).
        self.members: dict[str, dict[Target, bool]] = {}
        self.attributes: dict[str, _AttributeTable] = {
            n: _AttributeTable(spec) for n, spec in scheme.attributes.items()
        }
        self.required_names = frozenset(n for n, a in scheme.attributes.items() if a.required)
        #: Kind -> the required attributes an annotation of that kind may carry, in the order
        #: of kinds in a document and of attributes in the scheme (the order C007 reports in).
        self.required: dict[str, list[AttributeDef]] = {}
        for kind in ANNOTATION_KINDS:
            specs = [a for a in scheme.attributes.values() if a.required and kind in a.on]
            if specs:
                self.required[kind] = specs

    def verdicts(self, use: str, allowed: tuple[str, ...]) -> dict[Target, bool]:
        """The verdicts of one constraint (``use``: "argument" or "agent"), shared by every
        role or agent constraint that allows the same types."""
        key = (use, allowed)
        found = self.fits.get(key)
        if found is None:
            found = self.fits[key] = {None: True}
        return found

    def frame(self, scheme: Scheme, kind: str, name: str) -> _Frame | None:
        """The table of a declared event or relation type; None for an undeclared one."""
        found = self.frames[kind].get(name)
        if found is None:
            frame = (scheme.events if kind == "events" else scheme.relations).get(name)
            if frame is None:
                return None
            found = self.frames[kind][name] = _Frame(frame, self)
        return found


def _tables(scheme: Scheme) -> _Tables:
    found: _Tables | None = scheme.derived.checks
    if found is None:
        found = scheme.derived.checks = _Tables(scheme)
    return found


def _declared(scheme: Scheme, tables: _Tables) -> list[str]:
    if tables.declared is None:
        tables.declared = sorted(n for n, t in scheme.types.items() if not t.union)
    return tables.declared


def _check_frame(
    kind: str,
    index: int,
    annotation: Event | Relation,
    frames: dict[str, FrameType],
    scheme: Scheme,
    types: dict[str, tuple[str, str]],
    verdicts: dict[str, dict[Target, bool]],
) -> Iterator[Finding]:
    """C001-C004 on one event or relation, worded (the exact path: see check_types)."""
    base = f"/{kind}/{index}"
    what = SINGULAR[kind]
    frame = frames.get(annotation.type)
    if frame is None:
        table = "events" if kind == "events" else "relations"
        yield Finding(
            UNKNOWN_TYPE,
            f'{what} type "{annotation.type}" is not declared in the scheme ([{table}] in {scheme.path})',
            pointer=f"{base}/type",
            annotation_id=annotation.id,
            hint=_suggest(annotation.type, list(frames)) or f"declared: {_names(list(frames))}",
        )
        return
    counts: dict[str, int] = {}
    for k, arg in enumerate(annotation.args):
        role = frame.roles.get(arg.role)
        if role is None:
            yield Finding(
                ROLE_NOT_ALLOWED,
                f'role "{arg.role}" is not allowed for {what} type "{frame.name}"; '
                f"{frame.where} allows {_names(list(frame.roles))}",
                pointer=f"{base}/args/{k}/role",
                annotation_id=annotation.id,
                hint=_suggest(arg.role, list(frame.roles)),
            )
            continue
        counts[arg.role] = counts.get(arg.role, 0) + 1
        shown = _wrong_argument(arg.ref, role.types, scheme, types, verdicts.get(arg.role))
        if shown is not None:  # the message is built only for a problem: this runs per argument
            yield Finding(
                ARGUMENT_TYPE,
                f'role "{arg.role}" of {what} type "{frame.name}" ({role.where}) takes '
                f"{_names(list(role.types))}, not {shown}",
                pointer=f"{base}/args/{k}/ref",
                annotation_id=annotation.id,
            )
    for role in frame.roles.values():
        n = counts.get(role.name, 0)
        high = role.cardinality.high
        if n < role.cardinality.low or (high is not None and n > high):
            yield Finding(
                CARDINALITY,
                f'{what} "{annotation.id}" has {n} "{role.name}" argument{"s" if n != 1 else ""}; '
                f'{role.where} requires {role.cardinality.describe()} (cardinality "{role.cardinality.text}")',
                pointer=base if n < role.cardinality.low else f"{base}/args",
                annotation_id=annotation.id,
            )


def _undeclared(scheme: Scheme, kind: str, actual: str) -> bool:
    """Whether a target's own type is unknown (then constraints on it are not judged)."""
    if kind in ("mentions", "entities"):
        return actual not in scheme.types
    if kind == "events":
        return actual not in scheme.events
    if kind == "relations":
        return actual not in scheme.relations
    return False


def _wrong_argument(
    ref: str,
    allowed: tuple[str, ...],
    scheme: Scheme,
    types: dict[str, tuple[str, str]],
    verdicts: dict[Target, bool] | None = None,
) -> str | None:
    """How to name the target of an argument whose type is not allowed; None when it is (or
    when another rule speaks: see _argument_fits). ``verdicts``: the role's remembered ones."""
    target = types.get(ref)
    if _judged({} if verdicts is None else verdicts, target, _argument_fits, scheme, allowed):
        return None
    assert target is not None  # a dangling reference fits
    kind, actual = target
    return f'{SINGULAR[kind]} "{ref}" of type {actual}' if actual else f'{SINGULAR[kind]} "{ref}"'


def _counts_fit(args: tuple[Argument, ...], used: set[str], table: _Frame) -> bool:
    """Whether arguments that repeat a role use allowed roles within their cardinalities."""
    if not (table.must <= used <= table.allowed):
        return False
    roles = list(map(_ROLE, args))
    bounds = table.bounds
    for role in used:
        low, high = bounds[role]
        n = roles.count(role)
        if n < low or (high is not None and n > high):
            return False
    return True


def _check_agent(
    constraint: AgentConstraint | None,
    ref: str | None,
    kind: str,
    index: int,
    field: str,
    ident: str,
    scheme: Scheme,
    types: dict[str, tuple[str, str]],
) -> Iterator[Finding]:
    if constraint is None:
        return
    what = SINGULAR[kind]
    if ref is None:
        if constraint.required:
            yield Finding(
                AGENT_MISSING,
                f'{what} "{ident}" has no {field}; {constraint.where} requires one',
                pointer=f"/{kind}/{index}",
                annotation_id=ident,
                hint=f'add "{field}": the id of the mention or entity',
            )
        return
    target = types.get(ref)
    if target is None:
        return
    # A wrong kind is R003's business, an unknown type C001's (see _agent_fits).
    fits = _tables(scheme).verdicts("agent", constraint.types)
    if not _judged(fits, target, _agent_fits, scheme, constraint.types):
        t_kind, actual = target
        yield Finding(
            AGENT_TYPE,
            f'{field} "{ref}" of {what} "{ident}" is of type {actual or SINGULAR[t_kind]}; '
            f"{constraint.where} allows {_names(list(constraint.types))}",
            pointer=f"/{kind}/{index}/{field}",
            annotation_id=ident,
        )


class _FirstOpen:
    """The fragments seen so far, by end: the first seen (lowest rank) in a range of ends that
    belongs to another mention, in O(log n).

    A segment tree over the distinct ends; each node keeps the two first fragments of distinct
    mentions below it, as (rank, mention index) pairs. Ranks grow with every insertion, so an
    insertion changes a node only while it has fewer than two mentions: it stops climbing at
    the first node it leaves unchanged.
    """

    _NONE = (-1, -1)

    def __init__(self, ends: list[int]) -> None:
        self.ends = ends
        size = 1
        while size < max(1, len(ends)):
            size *= 2
        self.size = size
        self.first = [self._NONE] * (2 * size)
        self.second = [self._NONE] * (2 * size)

    def add(self, end: int, rank: int, mention: int) -> None:
        node = bisect_left(self.ends, end) + self.size
        while node:
            first = self.first[node]
            if first[1] < 0:
                self.first[node] = (rank, mention)
            elif self.second[node][1] < 0 and first[1] != mention:
                self.second[node] = (rank, mention)
            else:
                return
            node //= 2

    def find(self, after: int, before: int | None, mention: int) -> int | None:
        """The lowest rank with an end in (after, before) (no upper bound on None) and a
        mention other than ``mention``."""
        lo = bisect_right(self.ends, after) + self.size
        hi = (len(self.ends) if before is None else bisect_left(self.ends, before)) + self.size
        best: int | None = None
        while lo < hi:
            if lo & 1:
                best = self._better(best, lo, mention)
                lo += 1
            if hi & 1:
                hi -= 1
                best = self._better(best, hi, mention)
            lo //= 2
            hi //= 2
        return best

    def _better(self, best: int | None, node: int, mention: int) -> int | None:
        rank, owner = self.first[node]
        if owner == mention:
            rank, owner = self.second[node]
        if owner < 0 or (best is not None and best < rank):
            return best
        return rank


def _may_overlap(doc: Document, policy: str) -> bool:
    """False when no fragment overlaps ("none") or crosses ("nested") another: one sorted sweep
    with a stack of open ends. Anything else, same-mention cases included, says True, and the
    exact search below names the culprits."""
    nested = policy != "none"
    listed = _may_overlap_as_listed(doc.mentions, nested)
    if listed is not None:
        return listed
    pieces = [(f.start, -f.end) for m in doc.mentions for f in m.span]
    pieces.sort()
    # The stack's ends never grow upwards (a piece that would grow it crosses), so its bottom
    # is the furthest end seen: a piece starting there or after closes everything, and most
    # pieces do, without a look at the stack.
    horizon = pieces[0][0]
    open_ends: list[int] = []
    for start, neg_end in pieces:
        if start >= horizon:
            horizon = -neg_end
            open_ends = [horizon]
            continue
        while open_ends[-1] <= start:
            open_ends.pop()
        if not nested or -neg_end > open_ends[-1]:
            return True
        open_ends.append(-neg_end)
    return False


def _may_overlap_as_listed(mentions: tuple[Mention, ...], nested: bool) -> bool | None:
    """_may_overlap's sweep over the fragments in the order the mentions list them, while that
    is the sweep's order (by start, longest first): most documents list mentions in text
    order, and then no list of pieces is built or sorted. None at the first fragment out of
    that order (the sweep then sorts). An overlap found before it stands: sorted, the two
    fragments come in the same order, so the sweep finds one too."""
    horizon = last_start = -math.inf
    last_end = math.inf
    open_ends: list[int] = []
    for m in mentions:
        for f in m.span:
            start, end = f.start, f.end
            if start <= last_start and (start < last_start or end > last_end):
                return None
            last_start, last_end = start, end
            if start >= horizon:
                horizon = end
                open_ends = [end]
                continue
            while open_ends[-1] <= start:
                open_ends.pop()
            if not nested or end > open_ends[-1]:
                return True
            open_ends.append(end)
    return False


def _check_overlaps(doc: Document, scheme: Scheme) -> Iterator[Finding]:
    """C-overlap at a fragment that overlaps (policy "none") or crosses (policy "nested") a
    fragment of another mention seen before it, in order of start, longest first: the first
    seen of those still open is named. O(n log n): identical spans nest."""
    policy = scheme.mention_overlap
    if policy != "any" and _may_overlap(doc, policy):
        yield from _overlaps(doc, scheme, policy)


def _overlaps(doc: Document, scheme: Scheme, policy: str) -> Iterator[Finding]:
    """The exact search of _check_overlaps (for a document the sweep could not clear)."""
    pieces = sorted(
        (f.start, -f.end, i, j) for i, m in enumerate(doc.mentions) for j, f in enumerate(m.span)
    )
    seen = _FirstOpen(sorted({-neg_end for _, neg_end, _, _ in pieces}))
    for rank, (start, neg_end, i, j) in enumerate(pieces):
        end = -neg_end
        # Open: an end past this start. Crossing: an end before this one's.
        found = seen.find(start, None if policy == "none" else end, i)
        if found is not None:
            o_end, oi = -pieces[found][1], pieces[found][2]
            crosses = end > o_end
            other = doc.mentions[oi]
            mention = doc.mentions[i]
            how = "crosses" if crosses else "overlaps"
            yield Finding(
                OVERLAP,
                f'mention "{mention.id}" {how} mention "{other.id}"; {scheme.where_overlap} sets '
                f'mention_overlap = "{policy}"',
                pointer=f"/mentions/{i}/span/{j}",
                annotation_id=mention.id,
                text_range=(start, end),
            )
        seen.add(end, rank, i)


def _types(given: CheckInput) -> dict[str, tuple[str, str]]:
    parts: Parts | None = given.memo.get(PARTS)
    make = _type_of if parts is None else lambda _: _type_of_parts(parts)
    found: dict[str, tuple[str, str]] = shared(given, "types", make)
    return found


def _typed_pairs(
    kind: str, ids: list[str], types: list[str]
) -> Iterator[tuple[str, tuple[str, str]]]:
    """(id, (kind, type)) of one kind, last annotation first."""
    return zip(reversed(ids), zip(repeat(kind), reversed(types), strict=False), strict=True)


def _type_of_parts(p: Parts) -> dict[str, tuple[str, str]]:
    """:func:`_type_of` from the ids and types the typed decode listed: the same table, built
    in the same order, at C speed (no pass over the annotations)."""
    out = dict.fromkeys(reversed(p.attribute_ids), _UNTYPED_TARGET["attributes"])
    out.update(_typed_pairs("relations", p.relation_ids, p.relation_types))
    out.update(_typed_pairs("events", p.event_ids, p.event_types))
    out.update(dict.fromkeys(reversed(p.claim_ids), _UNTYPED_TARGET["claims"]))
    out.update(dict.fromkeys(reversed(p.quote_ids), _UNTYPED_TARGET["quotes"]))
    out.update(_typed_pairs("entities", p.entity_ids, p.entity_types))
    out.update(_typed_pairs("mentions", p.mention_ids, p.mention_types))
    return out


def _scheme(given: CheckInput) -> Scheme:
    # The registry runs these checks only when a scheme is in force (needs_scheme).
    assert given.scheme is not None
    return given.scheme


def check_types(given: CheckInput) -> Iterator[Finding]:
    """C001-C004: every type is declared and usable, every role allowed for its event or
    relation type, with the right number and types of arguments."""
    doc, scheme = given.document, _scheme(given)
    tables = _tables(scheme)
    parts: Parts | None = given.memo.get(PARTS)
    for kind, items, usage, listed in (
        ("mentions", doc.mentions, "mention", None if parts is None else parts.mention_types),
        ("entities", doc.entities, "entity", None if parts is None else parts.entity_types),
    ):
        usable = tables.usable[usage]
        # (the typed decode's list of the types, when there is one: no attribute reads)
        if usable.issuperset(map(_TYPE, items) if listed is None else listed):
            continue
        for i, a in enumerate(items):
            assert isinstance(a, Mention | Entity)
            if a.type not in usable:
                reason = (
                    "is not declared"
                    if a.type not in scheme.types
                    else f"cannot be used on {'an' if usage == 'entity' else 'a'} {usage}"
                )
                declared = _declared(scheme, tables)
                yield Finding(
                    UNKNOWN_TYPE,
                    f'{usage} type "{a.type}" {reason} in the scheme ({scheme.where_types})',
                    pointer=f"/{kind}/{i}/type",
                    annotation_id=a.id,
                    hint=_suggest(a.type, declared) or f"declared: {_names(declared)}",
                )
    types = _types(given)
    targets = types.get
    groups: tuple[tuple[str, dict[str, FrameType], tuple[Event | Relation, ...]], ...] = (
        ("events", scheme.events, doc.events),
        ("relations", scheme.relations, doc.relations),
    )
    for kind, frames, framed in groups:
        known = tables.frames[kind]
        for i, one in enumerate(framed):
            table = known.get(one.type) or tables.frame(scheme, kind, one.type)
            if table is not None:
                # Clean for sure: allowed roles within their cardinalities (by set operations
                # when no role repeats) and a remembered verdict on every argument's target.
                # Anything else (a verdict not yet reached, too) takes _check_frame, which
                # decides and words the findings. Inline: this runs for every event.
                args = one.args
                used = set(map(_ROLE, args))
                if (
                    table.must <= used <= table.once
                    if len(used) == len(args)
                    else _counts_fit(args, used, table)
                ):
                    verdicts = table.verdicts
                    for arg in args:
                        if not verdicts[arg.role].get(targets(arg.ref)):
                            break
                    else:
                        continue
            yield from _check_frame(
                kind, i, one, frames, scheme, types, table.verdicts if table else {}
            )


def check_entity_mentions(given: CheckInput) -> Iterator[Finding]:
    """C014: an entity's mentions are of its type (or a type it stands for)."""
    yield from _check_entity_mentions(given.document, _scheme(given), _types(given))


@functools.lru_cache(maxsize=65536)
def _kb_id_matches(pattern: str, ident: str) -> bool:
    # The same ids recur across a corpus; RE2's Python wrapper costs microseconds a call.
    return compile_pattern(pattern).search(ident) is not None


def check_links(given: CheckInput) -> Iterator[Finding]:
    """C008 and C009: every knowledge base is declared, every id matches its pattern."""
    scheme = _scheme(given)
    bases = scheme.knowledge_bases
    for i, entity in enumerate(given.document.entities):
        if not entity.links:  # most entities link nowhere
            continue
        for k, link in enumerate(entity.links):
            kb = bases.get(link.kb)
            if kb is None:
                yield Finding(
                    UNKNOWN_KB,
                    f'knowledge base "{link.kb}" is not declared in the scheme ({scheme.path})',
                    pointer=f"/entities/{i}/links/{k}/kb",
                    annotation_id=entity.id,
                    hint=_suggest(link.kb, list(scheme.knowledge_bases))
                    or f"declared: {_names(list(scheme.knowledge_bases))}",
                )
            elif not _kb_id_matches(kb.id_pattern, link.id):
                yield Finding(
                    KB_ID,
                    f'"{link.id}" is not a valid {kb.name} id; {kb.where} sets id_pattern "{kb.id_pattern}"',
                    pointer=f"/entities/{i}/links/{k}/id",
                    annotation_id=entity.id,
                )


def check_agents(given: CheckInput) -> Iterator[Finding]:
    """C010 and C011: quotes have the speakers, claims the sources and channels, the scheme
    requires, of the types it allows."""
    doc, scheme, types = given.document, _scheme(given), _types(given)
    tables, targets = _tables(scheme), types.get
    speaker, source, channel = scheme.speaker, scheme.source, scheme.channel
    if speaker is not None:
        fits = tables.verdicts("agent", speaker.types)
        for i, q in enumerate(doc.quotes):
            if _agent_clean(speaker, q.speaker, fits, targets):
                continue
            yield from _check_agent(speaker, q.speaker, "quotes", i, "speaker", q.id, scheme, types)
    if source is None and channel is None:
        return
    source_fits = tables.verdicts("agent", source.types) if source else {}
    channel_fits = tables.verdicts("agent", channel.types) if channel else {}
    for i, c in enumerate(doc.claims):
        if not _agent_clean(source, c.source, source_fits, targets):
            yield from _check_agent(source, c.source, "claims", i, "source", c.id, scheme, types)
        if not _agent_clean(channel, c.channel, channel_fits, targets):
            yield from _check_agent(channel, c.channel, "claims", i, "channel", c.id, scheme, types)


def _agent_clean(
    constraint: AgentConstraint | None,
    ref: str | None,
    fits: dict[Target, bool],
    targets: Callable[[str], Target],
) -> bool:
    """Whether an agent surely raises nothing: no constraint, a missing agent nobody requires,
    or a remembered verdict; False sends it to _check_agent, which decides and words it."""
    if constraint is None:
        return True
    if ref is None:
        return not constraint.required
    return bool(fits.get(targets(ref)))


def check_attributes(given: CheckInput) -> Iterator[Finding]:
    """C005-C007: attributes are declared, on what they may be on, with allowed values, and
    required ones are there."""
    yield from _check_attributes(given.document, _scheme(given), _types(given))


def check_overlaps(given: CheckInput) -> Iterator[Finding]:
    """C012: mentions overlap only as the scheme's mention_overlap policy allows."""
    yield from _check_overlaps(given.document, _scheme(given))


def check_cues(given: CheckInput) -> Iterator[Finding]:
    """C015 (policy cue_excludes_speaker): a quote's cue does not cover its speaker."""
    scheme = _scheme(given)
    if scheme.cue_excludes_speaker:
        yield from _check_cues(given.document, scheme)


def check_word_boundaries(given: CheckInput) -> Iterator[Finding]:
    """C013 (policy word_boundaries): no fragment edge falls inside a word; the edges come
    from the offsets survey, so O102 and C013 are one test."""
    scheme = _scheme(given)
    if not scheme.word_boundaries:
        return
    for located, edge in offsets.survey_of(given).word_splits:
        f = located.fragment
        kind = located.pointer.split("/", 2)[1]
        yield Finding(
            WORD_BOUNDARY,
            f"{SINGULAR[kind]} fragment {f.text!r} {edge}s inside a word; "
            f"{scheme.where_word_boundaries} sets word_boundaries = true",
            pointer=f"{located.pointer}/{edge}",
            annotation_id=located.annotation_id,
            text_range=(f.start, f.end),
        )


#: The scheme checks, in the order they report: (name, rules, run).
CHECKERS = (
    ("types", (UNKNOWN_TYPE, ROLE_NOT_ALLOWED, CARDINALITY, ARGUMENT_TYPE), check_types),
    ("entity-mentions", (ENTITY_MENTION_TYPE,), check_entity_mentions),
    ("links", (UNKNOWN_KB, KB_ID), check_links),
    ("agents", (AGENT_MISSING, AGENT_TYPE), check_agents),
    ("attributes", (ATTRIBUTE_NOT_ALLOWED, ATTRIBUTE_VALUE, ATTRIBUTE_MISSING), check_attributes),
    ("overlaps", (OVERLAP,), check_overlaps),
    ("cues", (CUE_CONTAINS_SPEAKER,), check_cues),
    ("word-boundaries", (WORD_BOUNDARY,), check_word_boundaries),
)


def _policy_applies(rule: Rule, given: CheckInput) -> bool:
    # C013 exists only under the word_boundaries policy (where it supersedes O102).
    if rule is WORD_BOUNDARY:
        return given.scheme is not None and given.scheme.word_boundaries
    return True


#: The scheme checks, for the registry: run only when a scheme is in force.
CHECKS = tuple(
    Check(f"scheme-{name}", rules, run, needs_scheme=True, applies=_policy_applies)
    for name, rules, run in CHECKERS
)


def check(doc: Document, scheme: Scheme) -> Iterator[Finding]:
    """Every scheme check of ``doc`` (the registry runs them one by one, as selected)."""
    given = CheckInput(doc, scheme, {})
    for _, _, run in CHECKERS:
        yield from run(given)


def _compatible(scheme: Scheme, entity_type: str, mention_type: str) -> bool:
    """Whether one type is the other, a subtype of it or a union containing it."""
    return mention_type in scheme.expand(entity_type) or entity_type in scheme.expand(mention_type)


def _check_entity_mentions(
    doc: Document, scheme: Scheme, types: dict[str, tuple[str, str]]
) -> Iterator[Finding]:
    tables = _tables(scheme)
    usable, members = tables.usable["entity"], tables.members
    if len(types) == _count(doc):
        targets = types.get  # no id twice: the id -> type table names each mention
    else:  # the last mention with an id is the one meant (as a dict of them by id says)
        targets = {m.id: ("mentions", m.type) for m in doc.mentions}.get
    for i, entity in enumerate(doc.entities):
        if entity.type not in usable:
            continue  # an unknown or union type is C001's business, said once
        fits = members.get(entity.type)
        if fits is None:
            fits = members[entity.type] = {None: True}
        # Remembered verdicts clear the entity; an unknown one (None) or a False takes the loop.
        for ref in entity.mentions:
            if not fits.get(targets(ref)):
                yield from _entity_member_findings(i, entity, targets, fits, scheme, tables)
                break


def _count(doc: Document) -> int:
    """How many annotations ``doc`` has."""
    return (
        len(doc.mentions)
        + len(doc.entities)
        + len(doc.quotes)
        + len(doc.claims)
        + len(doc.events)
        + len(doc.relations)
        + len(doc.attributes)
    )


def _entity_member_findings(
    i: int,
    entity: Entity,
    targets: Callable[[str], Target],
    fits: dict[Target, bool],
    scheme: Scheme,
    tables: _Tables,
) -> Iterator[Finding]:
    """C014 on the members of one entity, each verdict on a mention type remembered."""
    usable = tables.usable["mention"]
    for k, ref in enumerate(entity.mentions):
        target = targets(ref)
        fine = fits.get(target)
        if fine is None:
            assert target is not None  # a dangling member is fine (None: True)
            kind, mention_type = target
            # A dangling member or a wrong kind is R002's/R003's, an unusable type C001's.
            fine = (
                kind != "mentions"
                or mention_type not in usable
                or _compatible(scheme, entity.type, mention_type)
            )
            if kind == "mentions" and mention_type in usable:  # the scheme's types: bounded
                fits[target] = fine
        if fine or target is None:  # (a dangling member is fine)
            continue
        mention_type = target[1]
        yield Finding(
            ENTITY_MENTION_TYPE,
            f'mention "{ref}" of entity "{entity.id}" is of type {mention_type}, which is '
            f"neither {entity.type}, a subtype or parent of it, nor a union containing it "
            f"({entity.type} is declared at {scheme.types[entity.type].where}, "
            f"{mention_type} at {scheme.types[mention_type].where})",
            pointer=f"/entities/{i}/mentions/{k}",
            annotation_id=entity.id,
            hint=f'remove "{ref}" from the entity, or correct the type of one of them',
        )


def _check_attributes(
    doc: Document, scheme: Scheme, types: dict[str, tuple[str, str]]
) -> Iterator[Finding]:
    tables = _tables(scheme)
    specs, targets = tables.attributes, types.get
    #: Required attribute -> the ids that carry it.
    carriers: dict[str, set[str]] = {name: set() for name in tables.required_names}
    for i, attr in enumerate(doc.attributes):
        table = specs.get(attr.name)
        if table is not None:
            if attr.name in carriers:
                carriers[attr.name].add(attr.target)
            # A plain test of the value and a remembered verdict on the target clear the
            # attribute; anything else takes _attribute_findings, which decides and words it.
            value, spec = attr.value, table.spec
            if spec.values:
                try:
                    fine = table.values is not None and (type(value), value) in table.values
                except TypeError:  # an unhashable value (a model built by a program): decided below
                    fine = False
            else:
                fine = not spec.datatype or has_datatype(value, spec.datatype)
            if fine and table.targets.get(targets(attr.target)):
                continue
        yield from _attribute_findings(i, attr, table, scheme, types)
    missing = []
    for kind, required in tables.required.items():
        items: tuple[Any, ...] = getattr(doc, kind)
        # Every annotation of the kind carries every required attribute: none is missing.
        if all(carriers[spec.name].issuperset(map(_ID, items)) for spec in required):
            continue
        for index, a in enumerate(items):
            for spec in required:
                if a.id in carriers[spec.name]:
                    continue
                actual = getattr(a, "type", "")
                if spec.types and not scheme.accepts(spec.types, actual, kind):
                    continue
                missing.append((kind, index, a.id, spec))
    if not missing:
        return
    # Each hint offers its own id, so that pasting all of them gives distinct ids.
    new_ids = fresh_ids("attributes", [x.id for x in doc.attributes], _named(doc), len(missing))
    for (kind, index, ident, spec), new_id in zip(missing, new_ids, strict=True):
        yield Finding(
            ATTRIBUTE_MISSING,
            f'{SINGULAR[kind]} "{ident}" has no "{spec.name}" attribute; {spec.where} requires it',
            pointer=f"/{kind}/{index}",
            annotation_id=ident,
            hint=_missing_attribute_hint(new_id, ident, spec),
        )


def _attribute_findings(
    i: int,
    attr: Attribute,
    table: _AttributeTable | None,
    scheme: Scheme,
    types: dict[str, tuple[str, str]],
) -> Iterator[Finding]:
    """C005 and C006 on one attribute, worded; its verdict on the target remembered."""
    base = f"/attributes/{i}"
    if table is None:
        yield Finding(
            ATTRIBUTE_NOT_ALLOWED,
            f'attribute "{attr.name}" is not declared in the scheme ({scheme.path})',
            pointer=f"{base}/name",
            annotation_id=attr.id,
            hint=_suggest(attr.name, list(scheme.attributes))
            or f"declared: {_names(list(scheme.attributes))}",
        )
        return
    spec = table.spec
    target = types.get(attr.target)
    if not _judged(table.targets, target, _attribute_fits(spec), scheme, spec.types):
        assert target is not None  # a dangling target fits
        kind, actual = target
        allowed = _names(list(spec.on)) + (
            f" of type {_names(list(spec.types))}" if spec.types else ""
        )
        yield Finding(
            ATTRIBUTE_NOT_ALLOWED,
            f'attribute "{attr.name}" is not allowed on {SINGULAR[kind]} "{attr.target}"'
            f"{f' of type {actual}' if actual else ''}; {spec.where} allows it on {allowed}",
            pointer=f"{base}/target",
            annotation_id=attr.id,
        )
    # Compare types too: true is not 1, and 1 is not 1.0 in a scheme's enumeration.
    if spec.values and not any(
        v == attr.value and type(v) is type(attr.value) for v in spec.values
    ):
        yield Finding(
            ATTRIBUTE_VALUE,
            f'value {_show(attr.value)} of attribute "{attr.name}" is not allowed; '
            f"{spec.where} allows {', '.join(_show(v) for v in spec.values)}",
            pointer=f"{base}/value",
            annotation_id=attr.id,
            hint=_suggest(str(attr.value), [str(v) for v in spec.values]),
        )
    elif spec.datatype and not has_datatype(attr.value, spec.datatype):
        yield Finding(
            ATTRIBUTE_VALUE,
            f'value {_show(attr.value)} of attribute "{attr.name}" is not a {spec.datatype}; '
            f'{spec.where} sets datatype = "{spec.datatype}"',
            pointer=f"{base}/value",
            annotation_id=attr.id,
        )


def _attribute_fits(spec: AttributeDef) -> Judge:
    """The judge of an attribute's targets: whether one raises no C005 (a dangling target is
    R002's, a target of an undeclared type C001's)."""

    def fits(scheme: Scheme, allowed: tuple[str, ...], target: Target) -> bool:
        if target is None or _undeclared(scheme, *target):
            return True
        kind, actual = target
        return kind in spec.on and (not allowed or scheme.accepts(allowed, actual, kind))

    return fits


def _named(doc: Document) -> set[str]:
    """Every id in use or referenced: a dangling reference keeps its id taken."""
    out = {a.id for _, _, a in doc.annotations()}
    out.update(m for e in doc.entities for m in e.mentions)
    out.update(x for q in doc.quotes for x in (q.speaker,) if x)
    out.update(x for c in doc.claims for x in (c.source, c.channel) if x)
    out.update(arg.ref for ev in doc.events for arg in ev.args)
    out.update(arg.ref for rel in doc.relations for arg in rel.args)
    out.update(at.target for at in doc.attributes)
    return out


def _missing_attribute_hint(new_id: str, target: str, spec: AttributeDef) -> str:
    """The attribute to add, ready to paste but for its value, and the values it may take."""
    import json

    record = json.dumps({"id": new_id, "target": target, "name": spec.name}, ensure_ascii=False)
    hint = f'add {record[:-1]}, "value": ...}} to "attributes"'
    if spec.values:
        return hint + f"; allowed values: {', '.join(_show(v) for v in spec.values)}"
    return hint + (f"; the value is a {spec.datatype}" if spec.datatype else "")


def _check_cues(doc: Document, scheme: Scheme) -> Iterator[Finding]:
    """C015 at the first cue fragment of a quote that shares characters with its speaker."""
    mentions = {m.id: m for m in doc.mentions}
    entities = {e.id: e for e in doc.entities}
    for index, quote in enumerate(doc.quotes):
        if not quote.cue or quote.speaker is None:
            continue
        # A speaker entity is covered when any of its mentions is; dangling ids are R002's.
        members = (
            entities[quote.speaker].mentions if quote.speaker in entities else (quote.speaker,)
        )
        found = _covered_speaker(quote.cue, [mentions[m] for m in members if m in mentions])
        if found is None:
            continue
        j, mention, inside = found
        cue = quote.cue[j]
        via = f' (its mention "{mention.id}")' if mention.id != quote.speaker else ""
        spoken = " … ".join(f.text for f in mention.span)
        yield Finding(
            CUE_CONTAINS_SPEAKER,
            f'cue "{cue.text}" of quote "{quote.id}" {"contains" if inside else "overlaps"} '
            f'its speaker "{quote.speaker}"{via}, "{spoken}"; {scheme.where_cue} sets '
            "cue_excludes_speaker = true",
            pointer=f"/quotes/{index}/cue/{j}",
            annotation_id=quote.id,
            hint='the cue is the words that introduce the quote ("said"); take the speaker out of it',
            text_range=(cue.start, cue.end),
        )


def _covered_speaker(cue: Span, speakers: list[Mention]) -> tuple[int, Mention, bool] | None:
    """(cue fragment index, speaker mention, fully inside) of the first overlap, or None."""
    for j, c in enumerate(cue):
        for mention in speakers:
            for f in mention.span:
                if f.start < c.end and c.start < f.end:
                    return j, mention, c.start <= f.start and f.end <= c.end
    return None


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)
