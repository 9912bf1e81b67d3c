"""A rule as data, and the schema the axioms compile to.

A rule is one SPARQL update, with the signatures it reads and writes (the values of a
property, the members of a class): the engine (:mod:`api.reason.materialiser.fixpoint`)
runs a rule again only when something it reads has grown.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from api.core.namespaces import compact


@dataclass(frozen=True)
class Rule:
    """One SPARQL update: ``template`` is inserted into the inferred graph for every
    match of ``pattern`` (both in SPARQL syntax, variables shared).

    ``reads`` and ``writes`` are the signatures (the values of a property, the members
    of a class) the pattern matches and the template makes: a rule runs again only
    when something it reads has grown since it last ran. A *table* rule's pattern
    follows ``VALUES (variables) { rows }``, each row with the one signature it reads,
    so a second run takes only the rows whose signature grew. ``closed``:
    one run derives everything the rule can from its own output too (closures,
    inverse pairs), so its own output never makes it run again."""

    name: str
    template: str
    pattern: str
    reads: frozenset[str]
    writes: frozenset[str]
    closed: bool = False
    variables: str = ""
    rows: tuple[tuple[str, tuple[Node, ...]], ...] = ()


def table_rules(
    name: str,
    template: str,
    variables: str,
    pattern: str,
    rows: Iterable[tuple[str, tuple[Node, ...]]],
    writes: Iterable[str],
    *,
    closed: bool = False,
) -> list[Rule]:
    """A table rule (none if it has no rows)."""
    rows = tuple(sorted(set(rows)))
    if not rows:
        return []
    return [
        Rule(
            name,
            template,
            pattern,
            reads=frozenset(read for read, _ in rows),
            writes=frozenset(writes),
            closed=closed,
            variables=variables,
            rows=rows,
        )
    ]


@dataclass
class Schema:
    """What the axioms of the reasoned graphs say, ready to become rules."""

    classes: set[str] = field(default_factory=set)
    object_properties: set[str] = field(default_factory=set)
    #: named class -> its named superclasses, transitively (itself excluded)
    superclasses: dict[str, set[str]] = field(default_factory=dict)
    #: named classes stated equivalent, both ways
    equivalences: set[tuple[str, str]] = field(default_factory=set)
    #: asserted named subclass edges (to tell derived ones apart)
    told_subclasses: set[tuple[str, str]] = field(default_factory=set)
    #: subclass edges derived from definitions, between named classes
    derived_subclasses: set[tuple[str, str]] = field(default_factory=set)
    rules: list[Rule] = field(default_factory=list)
    #: constructs used that no rule covers: the inferred graph may lack their consequences
    unsupported: list[str] = field(default_factory=list)


def values_of(iri: Node | str) -> str:
    """The signature of a property's values (what a rule reads or writes)."""
    return f"p {iri}"


def members_of(iri: Node | str) -> str:
    """The signature of a class's members."""
    return f"c {iri}"


def sparql_term(node: Node) -> str:
    """A term as a rule's SPARQL text writes it."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    return node.n3()


def short_name(iri: Node) -> str:
    """A term as messages name it (prefixed where a prefix is known)."""
    return compact(str(iri))


def describe(schema: Graph, node: Node) -> str:
    """A class expression as ``unsupported`` names it: its name, or its constructs."""
    if isinstance(node, URIRef):
        return short_name(node)
    kinds = sorted(short_name(p) for p in set(schema.predicates(node)) if p != RDF.type)
    return "[" + ", ".join(kinds) + "]"
