"""Reference rules (family R): ids and the references between annotations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding, Rule, Severity, close_matches
from corpuskit.fixes import Fix, SetValue
from corpuskit.model import (
    ANNOTATION_KINDS,
    SINGULAR,
    Annotation,
    Document,
    Entity,
    Event,
    Mention,
    Relation,
    fresh_ids,
)
from corpuskit.rules.base import PARTS, Check, CheckInput

if TYPE_CHECKING:  # (the typed decode's lists, read from the memo)
    from corpuskit.formats.typed import Parts

E, W = Severity.ERROR, Severity.WARNING

DUPLICATE_ID = Rule(
    "R001",
    "duplicate-id",
    E,
    "Two annotations share an id.",
    """Ids are unique across all kinds in a document (a mention and an event may not both be
`m1`), so that every reference has one target.

Fails: two mentions with `"id": "m1"`.
Passes: `"m1"` and `"m2"`.""",
)
DANGLING_REFERENCE = Rule(
    "R002",
    "dangling-reference",
    E,
    "A reference names an id that no annotation has.",
    """Entity members, quote speakers, claim sources and channels, event and relation arguments
and attribute targets must name an annotation of the same document.

Fails: `"speaker": "e99"` with no annotation `e99`.
Passes: `"speaker": "e9"` where entity `e9` exists.""",
)
WRONG_KIND = Rule(
    "R003",
    "wrong-reference-kind",
    E,
    "A reference points to an annotation of a kind not allowed there.",
    """Entity members are mentions; speakers, sources and channels are mentions or entities; event
arguments are mentions, entities or events; relation arguments are mentions, entities,
events or relations; attributes attach to any annotation but another attribute.

Fails: a quote whose `speaker` is an event.
Passes: a quote whose `speaker` is an entity.""",
)
CYCLE = Rule(
    "R004",
    "reference-cycle",
    E,
    "Events or relations refer to each other in a cycle.",
    """An event may take another event as an argument (a report of an attack), but not itself,
directly or through others.

Fails: event `ev1` with argument `ev2`, and `ev2` with argument `ev1`.
Passes: `ev1` with argument `ev2`, `ev2` with mention arguments only.""",
)
MISSING_ID = Rule(
    "R005",
    "missing-id",
    E,
    "An annotation has no id.",
    """A draft may leave ids out; a finished document gives every annotation one, so that it
can be referred to. The safe fix assigns fresh ids in the document's own style (`m94`, `e41`
...: the commonest prefix of the kind, numbered after the highest one in use or referenced
anywhere), never reusing one.

Fails: `{"type": "GPE", "span": [...]}` among mentions `m1` to `m6`.
Passes: `{"id": "m7", "type": "GPE", "span": [...]}`""",
    fixable=True,
)
SHARED_MENTION = Rule(
    "R101",
    "mention-in-several-entities",
    W,
    "A mention belongs to more than one entity.",
    """Coreference clusters partition the mentions: a mention in two entities usually means two
clusters should be merged, or one membership is a mistake.

Fails: mention `m3` listed in entities `e1` and `e2`.
Passes: `m3` in `e1` only.""",
)

DUPLICATE_MENTION = Rule(
    "R102",
    "duplicate-mention",
    W,
    "Two mentions have the same span and the same type.",
    """A second mention with the same fragments and type adds nothing but a place for the two
copies to drift apart (one in an entity, the other not); it is usually an annotation made
twice. Mentions of different types on one span are left alone: that can be deliberate.

Fails: mentions `m3` and `m7`, both WEAPON on "missiles" [22, 30).
Passes: `m3` alone, with every reference to `m7` pointing to `m3`.""",
)

RULES = (
    DUPLICATE_ID,
    DANGLING_REFERENCE,
    WRONG_KIND,
    CYCLE,
    MISSING_ID,
    SHARED_MENTION,
    DUPLICATE_MENTION,
)
#: The rules the model check reports (R005 is reported while the model is built).
MODEL_RULES = tuple(rule for rule in RULES if rule is not MISSING_ID)

_AGENTS = frozenset({"mentions", "entities"})
_EVENT_ARGS = frozenset({"mentions", "entities", "events"})
_RELATION_ARGS = frozenset({"mentions", "entities", "events", "relations"})
_TARGETS = frozenset(SINGULAR) - {"attributes"}
_FRAMES = frozenset({"events", "relations"})


_MEMBERS = frozenset({"mentions"})
#: A reference's place in its annotation: ("speaker",) or ("args", 2) ...
Where = tuple[str, ...] | tuple[str, int]
#: (index, annotation, place, referenced id) of one reference of a known kind.
Ref = tuple[int, Annotation, Where, str]


def _entity_refs(doc: Document) -> Iterator[Ref]:
    for i, e in enumerate(doc.entities):
        for k, ref in enumerate(e.mentions):
            yield i, e, ("mentions", k), ref


def _quote_refs(doc: Document) -> Iterator[Ref]:
    for i, q in enumerate(doc.quotes):
        if q.speaker is not None:
            yield i, q, ("speaker",), q.speaker


def _claim_refs(doc: Document) -> Iterator[Ref]:
    for i, c in enumerate(doc.claims):
        if c.source is not None:
            yield i, c, ("source",), c.source
        if c.channel is not None:
            yield i, c, ("channel",), c.channel


def _event_refs(doc: Document) -> Iterator[Ref]:
    for i, ev in enumerate(doc.events):
        for k, arg in enumerate(ev.args):
            yield i, ev, ("args", k), arg.ref


def _relation_refs(doc: Document) -> Iterator[Ref]:
    for i, r in enumerate(doc.relations):
        for k, arg in enumerate(r.args):
            yield i, r, ("args", k), arg.ref


def _attribute_refs(doc: Document) -> Iterator[Ref]:
    for i, at in enumerate(doc.attributes):
        yield i, at, ("target",), at.target


#: Per kind that refers: its references, in document order, and the kinds they may name.
_REFERRING: tuple[tuple[str, Callable[[Document], Iterator[Ref]], frozenset[str]], ...] = (
    ("entities", _entity_refs, _MEMBERS),
    ("quotes", _quote_refs, _AGENTS),
    ("claims", _claim_refs, _AGENTS),
    ("events", _event_refs, _EVENT_ARGS),
    ("relations", _relation_refs, _RELATION_ARGS),
    ("attributes", _attribute_refs, _TARGETS),
)


def _describe(kind: str, annotation: Annotation, place: Where) -> tuple[str, str]:
    """(pointer suffix, what the reference is) for a message."""
    if place[0] == "mentions":
        return f"/mentions/{place[1]}", "entity member"
    if place[0] == "args":
        assert isinstance(annotation, Event | Relation)
        return f"/args/{place[1]}/ref", f'argument "{annotation.args[int(place[1])].role}"'
    what = {
        "speaker": "speaker",
        "source": "claim source",
        "channel": "claim channel",
        "target": "attribute target",
    }
    return f"/{place[0]}", what[str(place[0])]


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _kinds(allowed: frozenset[str]) -> str:
    names = [SINGULAR[k] for k in SINGULAR if k in allowed]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def check(
    doc: Document, also_known: Mapping[str, str] | None = None, parts: Parts | None = None
) -> Iterator[Finding]:
    """Check ids and references of ``doc``.

    ``also_known`` maps ids of annotations left out of the model (they failed the schema) to
    their kind, so references to them are not reported as dangling. ``parts``: the ids and
    references of ``doc`` as the typed decode listed them (the sets below are made from them).
    """
    mentions, entities, events, relations = doc.mentions, doc.entities, doc.events, doc.relations
    quotes, claims, attributes = doc.quotes, doc.claims, doc.attributes
    # The usual document has nothing to report: set operations find the kinds whose references
    # might, and only those are walked reference by reference (in document order, so findings
    # and their order are those of a walk over all). One comprehension per kind keeps the
    # attribute loads specialised (faster than attrgetter or a loop over mixed kinds); lists
    # the typed decode made become sets at C speed.
    if parts is None:
        m_ids = {a.id for a in mentions}
        e_ids = {a.id for a in entities}
        ev_ids = {a.id for a in events}
        r_ids = {a.id for a in relations}
        at_ids = [a.id for a in attributes]
        known = m_ids.union(e_ids, [a.id for a in quotes], [a.id for a in claims], ev_ids, r_ids)
        members = [ref for e in entities for ref in e.mentions]
        event_args = {arg.ref for ev in events for arg in ev.args}
        relation_args = {arg.ref for r in relations for arg in r.args}
    else:
        m_ids, e_ids = set(parts.mention_ids), set(parts.entity_ids)
        ev_ids, r_ids = set(parts.event_ids), set(parts.relation_ids)
        at_ids = parts.attribute_ids
        known = m_ids.union(e_ids, parts.quote_ids, parts.claim_ids, ev_ids, r_ids)
        members = parts.members
        event_args, relation_args = set(parts.event_refs), set(parts.relation_refs)
    known.update(at_ids)
    count = len(mentions) + len(entities) + len(quotes) + len(claims) + len(events)
    unique = len(known) == count + len(relations) + len(attributes)

    if unique:
        # Each id has one kind: the kind whose id set holds it.
        if parts is None:
            speakers = {q.speaker for q in quotes}
            speakers.discard(None)
            agents = {c.source for c in claims}
            agents.update([c.channel for c in claims])
            agents.discard(None)
            targets = {a.target for a in attributes}
        else:  # (the speakers, sources and channels given)
            speakers, agents = set(parts.speakers), set(parts.agents)
            targets = set(parts.targets)
        # Chained differences iterate the shrinking left side (difference_update with several
        # sets would iterate each whole id set).
        dirty: tuple[bool, ...] = (
            not m_ids.issuperset(members),
            not speakers - m_ids <= e_ids,
            not agents - m_ids <= e_ids,
            not event_args - m_ids - e_ids <= ev_ids,
            not relation_args - m_ids - e_ids - ev_ids <= r_ids,
            not (known.issuperset(targets) and targets.isdisjoint(at_ids)),
        )
    else:
        dirty = (True,) * len(_REFERRING)

    kind_of: dict[str, str] = {}
    if True in dirty:
        for kind, index, a in doc.annotations():
            if a.id in kind_of:
                yield Finding(
                    DUPLICATE_ID,
                    f'id "{a.id}" is already used by {_a(SINGULAR[kind_of[a.id]])}',
                    pointer=f"/{kind}/{index}/id",
                    annotation_id=a.id,
                    hint="give every annotation its own id",
                )
            else:
                kind_of[a.id] = kind
        ids = _Ids([*kind_of, *(also_known or ())])
        for (kind, refs, allowed), walk in zip(_REFERRING, dirty, strict=True):
            if walk:
                yield from _resolve(kind, refs(doc), allowed, kind_of, also_known, ids)

    # The ids arguments name that are frames there: events for events, events and relations
    # for relations (an event naming a relation is R003, not an edge).
    if unique:
        event_frames = event_args & ev_ids
        relation_frames = relation_args & (ev_ids | r_ids)
    else:
        event_frames = {ref for ref in event_args if kind_of.get(ref) == "events"}
        relation_frames = {ref for ref in relation_args if kind_of.get(ref) in _FRAMES}
    named = event_frames | relation_frames
    if named:
        # Only frames that are named can be on a cycle: see whether their edges may close one
        # before building the whole graph the search walks.
        graph: dict[str, list[str]] = {}
        owner: dict[str, str] = {}  # pointers into the filtered lists: thrown away
        _edges("events", [a for a in events if a.id in named], event_frames, graph, owner)
        _edges("relations", [a for a in relations if a.id in named], relation_frames, graph, owner)
        if _may_cycle(graph):
            graph, owner = {}, {}
            _edges("events", events, event_frames, graph, owner)
            _edges("relations", relations, relation_frames, graph, owner)
            yield from _cycles(graph, owner)

    if len(set(members)) != len(members):
        yield from _shared_mentions(entities)

    yield from _duplicate_mentions(mentions)


#: Id comparisons spent on "did you mean" hints in one document: each costs the number of ids,
#: so a document of many ids and many dangling references would cost their product.
SUGGESTION_BUDGET = 50_000


class _Ids:
    """The ids a dangling reference may have meant, and a bounded budget for looking."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.left = SUGGESTION_BUDGET

    def like(self, ref: str) -> list[str]:
        """The closest id to ``ref``, while the budget lasts (then none: the plain hint)."""
        self.left -= len(self.ids)
        return close_matches(ref, self.ids, n=1) if self.left >= 0 else []


def _resolve(
    kind: str,
    refs: Iterator[Ref],
    allowed: frozenset[str],
    kind_of: dict[str, str],
    also_known: Mapping[str, str] | None,
    ids: _Ids,
) -> Iterator[Finding]:
    """R002 and R003 for the references ``refs`` of annotations of ``kind``."""
    for index, a, place, ref in refs:
        target = kind_of.get(ref)
        if target is not None and target in allowed:
            continue
        if target is None and also_known and ref in also_known:
            continue
        suffix, what = _describe(kind, a, place)
        pointer = f"/{kind}/{index}{suffix}"
        if target is None:
            close = ids.like(ref)
            yield Finding(
                DANGLING_REFERENCE,
                f'{what} "{ref}" of {SINGULAR[kind]} "{a.id}" names no annotation',
                pointer=pointer,
                annotation_id=a.id,
                hint=f'did you mean "{close[0]}"?' if close else "add the annotation or fix the id",
            )
        else:
            yield Finding(
                WRONG_KIND,
                f'{what} "{ref}" of {SINGULAR[kind]} "{a.id}" is {_a(SINGULAR[target])}; '
                f"expected {_a(_kinds(allowed))}",
                pointer=pointer,
                annotation_id=a.id,
            )


def _edges(
    kind: str,
    frames: Sequence[Event | Relation],
    named: set[str],
    graph: dict[str, list[str]],
    owner: dict[str, str],
) -> None:
    """Add to ``graph`` every argument of ``frames`` that names an id in ``named``, and to
    ``owner`` the pointer of the first annotation with each id that has such an argument."""
    if not named:
        return
    for index, a in enumerate(frames):
        for arg in a.args:
            if arg.ref in named:
                graph.setdefault(a.id, []).append(arg.ref)
                owner.setdefault(a.id, f"/{kind}/{index}")


def _may_cycle(graph: dict[str, list[str]]) -> bool:
    """Whether ``graph`` may hold a cycle (False proves it has none)."""
    # Every node on a cycle has a child on it: peel off nodes with no child left until none
    # goes. An acyclic graph (the usual one) empties. Each node keeps a count of its children
    # not yet peeled, and each peeled node lowers its parents' counts: linear in the edges
    # (rescanning what is left after each round took a day for a chain of 900,000 relations).
    left: dict[str, int] = {}
    parents: dict[str, list[str]] = {}
    for node, children in graph.items():
        count = 0
        for child in children:
            if child in graph:
                count += 1
                parents.setdefault(child, []).append(node)
        left[node] = count
    ready = [node for node, count in left.items() if count == 0]
    peeled = 0
    while ready:
        node = ready.pop()
        peeled += 1
        for parent in parents.get(node, ()):
            left[parent] -= 1
            if left[parent] == 0:
                ready.append(parent)
    return peeled < len(graph)


def _shared_mentions(entities: tuple[Entity, ...]) -> Iterator[Finding]:
    """R101 at every membership of a mention already in another entity."""
    member_of: dict[str, str] = {}
    for index, entity in enumerate(entities):
        for k, ref in enumerate(entity.mentions):
            if ref in member_of and member_of[ref] != entity.id:
                yield Finding(
                    SHARED_MENTION,
                    f'mention "{ref}" is also in entity "{member_of[ref]}"',
                    pointer=f"/entities/{index}/mentions/{k}",
                    annotation_id=entity.id,
                    hint="merge the two entities, or remove the mention from one of them",
                )
            member_of.setdefault(ref, entity.id)


def _duplicate_mentions(mentions: tuple[Mention, ...]) -> Iterator[Finding]:
    """R102 at every mention that repeats an earlier one's type and fragments."""
    try:
        # Repeats share their first fragment: where no two mentions do (the usual document),
        # there is nothing to report; otherwise only those that do are compared.
        if len({(m.span[0].start, m.span[0].end) for m in mentions}) == len(mentions):
            return
        coarse = [(m.span[0].start, m.span[0].end) for m in mentions]
    except IndexError:  # a mention without fragments (built by a program): compare all
        candidates: Iterable[int] = range(len(mentions))
    else:
        repeated = {key for key, n in Counter(coarse).items() if n > 1}
        candidates = [i for i, key in enumerate(coarse) if key in repeated]
    first: dict[tuple[str, tuple[tuple[int, int], ...]], str] = {}
    for index in candidates:
        mention = mentions[index]
        key = (mention.type, tuple((f.start, f.end) for f in mention.span))
        earlier = first.setdefault(key, mention.id)
        if earlier == mention.id:
            continue
        covered = " … ".join(f.text for f in mention.span)
        yield Finding(
            DUPLICATE_MENTION,
            f'mention "{mention.id}" repeats mention "{earlier}": same type {mention.type} '
            f'and span "{covered}"',
            pointer=f"/mentions/{index}",
            annotation_id=mention.id,
            hint=f'remove "{mention.id}" and point its references to "{earlier}"',
            text_range=(mention.span[0].start, mention.span[-1].end) if mention.span else None,
        )


#: Cycles reported per document, and annotations named in one cycle's message: a hostile file
#: can hold thousands of cycles through the same annotations (each a finding naming all of
#: them made the report grow with the square of the file); the report stays readable, and
#: its cost linear.
MAX_CYCLES = 100
MAX_CYCLE_NAMES = 20


def _cycles(graph: dict[str, list[str]], owner: dict[str, str]) -> Iterator[Finding]:
    """One finding per cycle among events and relations, at its first member in document order
    (at most MAX_CYCLES, then one finding saying how many more ways round were found)."""
    rank = {node: i for i, node in enumerate(owner)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()
    more = 0
    where: dict[str, int] = {}  # each node on the current path: its place in ``path``
    for root in graph:
        if state.get(root):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(graph.get(root, ())))]
        path = [root]
        where[root] = 0
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
                del where[node]
                continue
            if state.get(child) == 1:
                if len(reported) >= MAX_CYCLES:
                    more += 1
                    continue
                cycle = path[where[child] :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield _cycle_finding(cycle, rank, owner)
            elif not state.get(child):
                state[child] = 1
                where[child] = len(path)
                path.append(child)
                stack.append((child, iter(graph.get(child, ()))))
    if more:
        first = min(graph, key=lambda n: rank.get(n, len(rank)))
        yield Finding(
            CYCLE,
            f"{more:,} more ways round reference cycles are not listed (the first "
            f"{MAX_CYCLES} cycles are)",
            pointer=owner.get(first, ""),
            annotation_id=first,
            hint="an event or relation cannot be its own argument, directly or indirectly",
        )


def _cycle_finding(cycle: list[str], rank: dict[str, int], owner: dict[str, str]) -> Finding:
    """R004 for one cycle, named from its first member in document order (the middle of a
    long one left out)."""
    first = min(cycle, key=rank.__getitem__)
    start = cycle.index(first)
    turned = cycle[start:] + cycle[:start]
    if len(turned) > MAX_CYCLE_NAMES:
        half = MAX_CYCLE_NAMES // 2
        names = [*turned[:half], f"… {len(turned) - 2 * half:,} more", *turned[-half:], first]
    else:
        names = [*turned, first]
    return Finding(
        CYCLE,
        "reference cycle: " + " -> ".join(names),
        pointer=owner[first],
        annotation_id=first,
        hint="an event or relation cannot be its own argument, directly or indirectly",
    )


def _list(value: object) -> list[Any]:
    """``value`` if it is a list, else nothing (a raw record may hold anything anywhere)."""
    return value if isinstance(value, list) else []


def _records(record: dict[str, Any], kind: str) -> list[Any]:
    """The raw annotations of ``kind`` in ``record`` (none when the field is not a list)."""
    return _list(record.get(kind))


def _named(record: dict[str, Any]) -> set[str]:
    """Every id a record uses or refers to (a dangling reference keeps its id taken).

    The record may have failed the schema: only strings where ids are expected count.
    """
    out: set[str] = set()
    for kind in ANNOTATION_KINDS:
        for a in _records(record, kind):
            if not isinstance(a, dict):
                continue
            for name in ("id", "speaker", "source", "channel", "target"):
                if isinstance(a.get(name), str):
                    out.add(a[name])
            out.update(m for m in _list(a.get("mentions")) if isinstance(m, str))
            out.update(
                x["ref"]
                for x in _list(a.get("args"))
                if isinstance(x, dict) and isinstance(x.get("ref"), str)
            )
    return out


def check_ids(record: dict[str, Any], skip: Collection[tuple[str, int]] = ()) -> list[Finding]:
    """R005 for every annotation of a schema-valid record without id, each with a fresh id."""
    missing = [
        (kind, i)
        for kind in ANNOTATION_KINDS
        for i, a in enumerate(_records(record, kind))
        if isinstance(a, dict) and "id" not in a and (kind, i) not in skip
    ]
    if not missing:
        return []
    taken = _named(record)
    out: list[Finding] = []
    for kind in ANNOTATION_KINDS:
        places = [i for k, i in missing if k == kind]
        if not places:
            continue
        own = [
            a["id"]
            for a in _records(record, kind)
            if isinstance(a, dict) and isinstance(a.get("id"), str)
        ]
        for i, new in zip(places, fresh_ids(kind, own, taken, len(places)), strict=True):
            out.append(
                Finding(
                    MISSING_ID,
                    f"{SINGULAR[kind]} #{i + 1} has no id",
                    pointer=f"/{kind}/{i}",
                    hint=f'add "id": "{new}" (the next free id in this document\'s style)',
                    fix=Fix(f'give it the id "{new}"', (SetValue(f"/{kind}/{i}/id", new),)),
                )
            )
    return out


def check_references(given: CheckInput) -> Iterator[Finding]:
    """R001-R004, R101, R102: ids unique, references resolved to the right kinds, no cycles."""
    return check(given.document, given.skipped_ids, given.memo.get(PARTS))


#: The reference checks, for the registry.
CHECKS = (Check("references", MODEL_RULES, check_references),)
