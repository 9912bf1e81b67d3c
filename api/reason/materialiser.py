"""OWL 2 RL materialisation over pyoxigraph: the ``inferred`` graph at any size.

HermiT (:mod:`api.reason.reasoning`) is complete for OWL 2 DL, and it is the judge of
consistency, but it needs minutes and gigabytes past a hundred thousand triples. The
inferences the graph's queries rely on come from a handful of constructs, which a rule
engine derives exactly (the OWL 2 RL rules of https://www.w3.org/TR/owl2-profiles/#OWL_2_RL,
section 4.3); this module runs them in the store itself, as SPARQL updates, to a fixpoint:

==============================  ===========================================================
construct                       what is derived (OWL 2 RL rule)
==============================  ===========================================================
``rdfs:subClassOf``,            the superclasses of every member (cax-sco, cax-eqc)
``owl:equivalentClass`` (named),
``owl:disjointUnionOf``
``rdfs:domain``, ``rdfs:range`` a named class for subject and object (prp-dom, prp-rng)
``rdfs:subPropertyOf``,         the values of every superproperty (prp-spo1, prp-eqp)
``owl:equivalentProperty``
``owl:inverseOf``               the value in the other direction (prp-inv)
``owl:SymmetricProperty``       the value in the other direction (prp-symp)
``owl:TransitiveProperty``      the closure (prp-trp)
``owl:propertyChainAxiom``      the chained value (prp-spo2)
a defined class: ``owl:         membership of whatever meets the definition: an
equivalentClass`` (or a         ``owl:intersectionOf`` of named classes, ``owl:unionOf``,
subclass axiom) with a class    ``owl:someValuesFrom`` and ``owl:hasValue`` restrictions,
expression on the left          nested (cls-int1, cls-uni, cls-svf1, cls-svf2, cls-hv2)
a class expression on the       ``owl:hasValue``: the value (cls-hv1); ``owl:
right (superclass, or the       allValuesFrom``: the class of every value (cls-avf);
other side of an equivalence)   ``owl:intersectionOf``: each part (cls-int2)
==============================  ===========================================================

The rules are not written for sgkg's terms: :func:`compile_schema` reads the axioms from
the graphs (whichever terms they name) and turns each into a SPARQL update; a new class,
property or definition in the ontology needs no change here. What the rules derive is
what HermiT's realisation (``-I``) and property values (``-Y``) report for these
constructs, and where HermiT lists a value only under the most specific property, the
superproperty's value as well; ``tests/test_materialiser.py`` checks this against
HermiT (its output, and its entailment check for the rest) on the shipped graph and on
an ontology that uses each construct. Class axioms between
named classes are derived from the same schema: the equivalences, and the subclass
edges a definition implies for a named class whose superclasses already meet it.

A construct the rules do not cover (``owl:complementOf``, ``owl:oneOf``, cardinalities,
``owl:hasSelf``, ``owl:allValuesFrom`` in a definition...) is not guessed at: it is
listed in :attr:`Materialised.unsupported`, which the build records, so the inferred
graph is known to be possibly incomplete.

Every rule reads the asserted graphs and the inferred graph (SPARQL ``USING``) and
inserts into the inferred graph. The rules run in strata, writers before readers
(:func:`strata`), each stratum to its fixpoint; a rule runs again only for what grew
since it last ran (``tests/benchmarks/RESULTS.md`` has the variants measured: running
every rule in rounds took twice as long at 10k agreements). Afterwards, what OWL
reasoners do not report is dropped: triples already asserted, values with blank nodes
or literals, data property values, memberships of ``owl:Thing``.
"""

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from api.core.errors import SgkgError

#: Rule runs after which the fixpoint is given up (a bug; real schemas need a few dozen).
MAX_RUNS = 10_000

#: The predicates whose triples make up the schema (read from every reasoned graph).
SCHEMA_PREDICATES = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.intersectionOf,
    OWL.unionOf,
    OWL.complementOf,
    OWL.oneOf,
    OWL.onProperty,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.hasSelf,
    OWL.onClass,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.maxCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
    OWL.disjointWith,
    OWL.disjointUnionOf,
    OWL.members,
    RDF.first,
    RDF.rest,
)
#: The ``rdf:type`` objects that declare schema terms or their characteristics.
SCHEMA_TYPES = (
    OWL.Class,
    OWL.Restriction,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.ReflexiveProperty,
    OWL.AllDisjointClasses,
)
#: Restriction kinds with no OWL 2 RL rule here: named in ``unsupported`` when used.
_UNSUPPORTED_RESTRICTIONS = (
    OWL.hasSelf,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.maxCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
)
_META = (str(RDF), str(RDFS), str(OWL))


class MaterialiserError(SgkgError):
    """The rules did not reach a fixpoint, or the store refused an update."""


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


def _table(
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


@dataclass(frozen=True)
class Materialised:
    """What a run of the rules did."""

    triples: int
    #: how many rule updates ran in all (each rule at least once)
    runs: int
    seconds: float
    rules: int
    unsupported: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unsupported


# --- reading the schema --------------------------------------------------------------


def read_schema(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> Graph:
    """The schema triples of ``graphs`` as a small rdflib graph (rdflib walks lists and
    class expressions more plainly than SPARQL does)."""
    from api.store.base import rdflib_term

    names = " ".join(str(g) for g in graphs)
    predicates = " ".join(f"<{p}>" for p in SCHEMA_PREDICATES)
    types = " ".join(f"<{t}>" for t in SCHEMA_TYPES)
    query = f"""
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{
          VALUES ?g {{ {names} }}
          {{ VALUES ?p {{ {predicates} }} GRAPH ?g {{ ?s ?p ?o }} }}
          UNION
          {{ VALUES ?o {{ {types} }} BIND(<{RDF.type}> AS ?p) GRAPH ?g {{ ?s ?p ?o }} }}
        }}"""
    schema = Graph()
    for triple in store.query(query):
        schema.add(
            (rdflib_term(triple.subject), rdflib_term(triple.predicate), rdflib_term(triple.object))
        )
    return schema


def compile_schema(schema: Graph) -> Schema:
    """The rules for the axioms in ``schema``, and the class hierarchy they imply."""
    compiled = Schema(
        classes={str(c) for c in schema.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)},
        object_properties={
            str(p) for p in schema.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)
        },
    )
    reader = _ExpressionReader(schema, compiled)
    edges = _class_edges(schema, compiled, reader)
    compiled.superclasses = _closure(edges)
    _derive_subclasses(compiled, reader)
    compiled.rules = [
        *_property_rules(schema, compiled),
        *_class_rules(schema, compiled, reader),
    ]
    compiled.unsupported = sorted(set(compiled.unsupported))
    return compiled


def _class_edges(schema: Graph, compiled: Schema, reader: "_ExpressionReader") -> dict:
    """Named subclass edges (told, and both ways of each named equivalence)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for sub, sup in schema.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            edges[str(sub)].add(str(sup))
            compiled.told_subclasses.add((str(sub), str(sup)))
    for one, other in schema.subject_objects(OWL.equivalentClass):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            edges[str(one)].add(str(other))
            edges[str(other)].add(str(one))
            compiled.equivalences |= {(str(one), str(other)), (str(other), str(one))}
    for cls, expression in reader.implications():
        for named in reader.named_parts(expression):
            edges[cls].add(named)
    for union, members in schema.subject_objects(OWL.disjointUnionOf):
        for member in reader.members(members):
            if isinstance(union, URIRef) and isinstance(member, URIRef):
                edges[str(member)].add(str(union))
    return edges


def _closure(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    closure = {}
    for start in list(edges):
        seen: set[str] = set()
        stack = list(edges[start])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(edges.get(current, ()))
        seen.discard(start)
        closure[start] = seen
    return closure


def _derive_subclasses(compiled: Schema, reader: "_ExpressionReader") -> None:
    """Named classes whose told superclasses meet a definition are its subclasses
    (structural subsumption over the constructs of definitions), until nothing changes."""
    changed = True
    while changed:
        changed = False
        for defined, definition in reader.definitions():
            if not isinstance(defined, str):
                continue
            for cls in sorted(compiled.classes):
                supers = compiled.superclasses.get(cls, set())
                if cls == defined or defined in supers:
                    continue
                if reader.subsumes(definition, cls):
                    compiled.derived_subclasses.add((cls, defined))
                    edges = {c: set(s) for c, s in compiled.superclasses.items()}
                    edges.setdefault(cls, set()).add(defined)
                    compiled.superclasses = _closure(edges)
                    changed = True


# --- class expressions -----------------------------------------------------------------


class _ExpressionReader:
    """Class expressions of the schema, as SPARQL patterns and as implications."""

    def __init__(self, schema: Graph, compiled: Schema) -> None:
        self.schema = schema
        self.compiled = compiled
        self._fresh = 0

    def fresh(self) -> str:
        self._fresh += 1
        return f"?v{self._fresh}"

    def members(self, node: Node) -> list[Node]:
        return list(Collection(self.schema, node))

    def definitions(self) -> Iterator[tuple[str | Node, Node]]:
        """(class, expression) where members of the expression are members of the class."""
        for cls, expression in self.schema.subject_objects(OWL.equivalentClass):
            if isinstance(cls, URIRef) and isinstance(expression, BNode):
                yield str(cls), expression
            elif isinstance(expression, URIRef) and isinstance(cls, BNode):
                yield str(expression), cls
        for expression, cls in self.schema.subject_objects(RDFS.subClassOf):
            if isinstance(expression, BNode) and isinstance(cls, URIRef):
                yield str(cls), expression

    def implications(self) -> Iterator[tuple[str, Node]]:
        """(class, expression) where members of the class are members of the expression."""
        for cls, expression in self.schema.subject_objects(OWL.equivalentClass):
            if isinstance(cls, URIRef) and isinstance(expression, BNode):
                yield str(cls), expression
            elif isinstance(expression, URIRef) and isinstance(cls, BNode):
                yield str(expression), cls
        for cls, expression in self.schema.subject_objects(RDFS.subClassOf):
            if isinstance(cls, URIRef) and isinstance(expression, BNode):
                yield str(cls), expression

    def named_parts(self, expression: Node) -> list[str]:
        """The named classes an expression implies membership of (itself, or the named
        parts of an intersection, nested)."""
        if isinstance(expression, URIRef):
            return [str(expression)]
        parts = self.schema.value(expression, OWL.intersectionOf)
        if parts is None:
            return []
        return [named for part in self.members(parts) for named in self.named_parts(part)]

    def pattern(self, expression: Node, var: str) -> str | None:
        """A SPARQL pattern that binds ``var`` to members of ``expression``; None if the
        expression uses a construct no rule covers (noted in ``unsupported``)."""
        if isinstance(expression, URIRef):
            if expression == OWL.Thing:
                return ""  # every individual: no condition on the variable
            return f"{var} a <{expression}> ."
        schema = self.schema
        parts = schema.value(expression, OWL.intersectionOf)
        if parts is not None:
            patterns = [self.pattern(part, var) for part in self.members(parts)]
            return None if None in patterns else " ".join(patterns)  # type: ignore[arg-type]
        alternatives = schema.value(expression, OWL.unionOf)
        if alternatives is not None:
            patterns = [self.pattern(part, var) for part in self.members(alternatives)]
            if None in patterns:
                return None
            return " UNION ".join(f"{{ {p} }}" for p in patterns)
        prop = schema.value(expression, OWL.onProperty)
        if isinstance(prop, URIRef):
            value = schema.value(expression, OWL.hasValue)
            if value is not None:
                return f"{var} <{prop}> {_sparql_term(value)} ."
            filler = schema.value(expression, OWL.someValuesFrom)
            if filler is not None:
                inner = self.fresh()
                nested = self.pattern(filler, inner)
                return None if nested is None else f"{var} <{prop}> {inner} . {nested}"
        self.compiled.unsupported.append(f"class expression {_describe(schema, expression)}")
        return None

    def signatures(self, expression: Node) -> Iterator[str]:
        """What a pattern of ``expression`` reads: class members and property values."""
        if isinstance(expression, URIRef):
            if expression != OWL.Thing:
                yield _member(expression)
            return
        for key in (OWL.intersectionOf, OWL.unionOf):
            parts = self.schema.value(expression, key)
            if parts is not None:
                for part in self.members(parts):
                    yield from self.signatures(part)
        prop = self.schema.value(expression, OWL.onProperty)
        if prop is not None:
            yield _prop(prop)
        filler = self.schema.value(expression, OWL.someValuesFrom)
        if filler is not None:
            yield from self.signatures(filler)

    def consequences(self, cls: str, expression: Node) -> list[Rule]:
        """Rules for ``cls`` implies ``expression`` (hasValue, allValuesFrom; named parts
        and intersections are in the class hierarchy already)."""
        schema = self.schema
        member = f"?x a <{cls}> ."
        parts = schema.value(expression, OWL.intersectionOf)
        if parts is not None:
            return [rule for part in self.members(parts) for rule in self.consequences(cls, part)]
        prop = schema.value(expression, OWL.onProperty)
        if not isinstance(prop, URIRef):
            return []
        value = schema.value(expression, OWL.hasValue)
        if value is not None:
            return [
                Rule(
                    "cls-hv1",
                    f"?x <{prop}> {_sparql_term(value)} .",
                    member,
                    reads=frozenset({_member(cls)}),
                    writes=frozenset({_prop(prop)}),
                )
            ]
        filler = schema.value(expression, OWL.allValuesFrom)
        if isinstance(filler, URIRef):
            return [
                Rule(
                    "cls-avf",
                    f"?y a <{filler}> .",
                    f"{member} ?x <{prop}> ?y .",
                    reads=frozenset({_member(cls), _prop(prop)}),
                    writes=frozenset({_member(filler)}),
                )
            ]
        if filler is not None:
            self.compiled.unsupported.append(f"owl:allValuesFrom of {_describe(schema, filler)}")
        for kind in _UNSUPPORTED_RESTRICTIONS:
            if (expression, kind, None) in schema:
                self.compiled.unsupported.append(f"{_short(kind)} restriction on <{prop}>")
        return []

    def subsumes(self, definition: Node, cls: str) -> bool:
        """Whether every member of the named class ``cls`` meets ``definition``, judged
        structurally from what is told of ``cls`` and its superclasses."""
        return self._entails(self._told(URIRef(cls)), definition)

    def _told(self, cls: Node) -> list[Node]:
        """What membership of ``cls`` tells: its named superclasses (itself included)
        and the class expressions they imply, intersections taken apart."""
        if not isinstance(cls, URIRef):
            return list(self._parts(cls))
        named = {str(cls), *self.compiled.superclasses.get(str(cls), ())}
        told: list[Node] = [URIRef(iri) for iri in sorted(named)]
        for sub, expression in self.implications():
            if sub in named:
                told.extend(self._parts(expression))
        return told

    def _parts(self, expression: Node) -> Iterator[Node]:
        parts = self.schema.value(expression, OWL.intersectionOf)
        if parts is None:
            yield expression
            return
        for part in self.members(parts):
            yield from self._parts(part)

    def _entails(self, told: list[Node], wanted: Node) -> bool:
        """Whether the conjunction ``told`` implies ``wanted`` (named classes,
        intersections, unions, someValuesFrom and hasValue restrictions)."""
        schema = self.schema
        if isinstance(wanted, URIRef):
            return wanted == OWL.Thing or wanted in told
        parts = schema.value(wanted, OWL.intersectionOf)
        if parts is not None:
            return all(self._entails(told, part) for part in self.members(parts))
        alternatives = schema.value(wanted, OWL.unionOf)
        if alternatives is not None:
            return any(self._entails(told, part) for part in self.members(alternatives))
        prop = schema.value(wanted, OWL.onProperty)
        if prop is None:
            return False
        return any(
            self._restriction_entails(restriction, wanted, prop)
            for restriction in told
            if isinstance(restriction, BNode)
        )

    def _restriction_entails(self, told: Node, wanted: Node, prop: Node) -> bool:
        """``told`` (a restriction) implies ``wanted`` (a restriction on ``prop``)."""
        schema = self.schema
        told_prop = schema.value(told, OWL.onProperty)
        if told_prop is None or str(prop) not in self._property_supers(str(told_prop)):
            return False
        wanted_value = schema.value(wanted, OWL.hasValue)
        told_value = schema.value(told, OWL.hasValue)
        if wanted_value is not None:
            return told_value == wanted_value
        wanted_filler = schema.value(wanted, OWL.someValuesFrom)
        if wanted_filler is None:
            return False
        if told_value is not None:
            return wanted_filler == OWL.Thing
        told_filler = schema.value(told, OWL.someValuesFrom)
        return told_filler is not None and self._entails(self._told(told_filler), wanted_filler)

    def _property_supers(self, prop: str) -> set[str]:
        found, stack = set(), [URIRef(prop)]
        while stack:
            current = stack.pop()
            if str(current) in found:
                continue
            found.add(str(current))
            stack.extend(o for o in self.schema.objects(current, RDFS.subPropertyOf))
            stack.extend(o for o in self.schema.objects(current, OWL.equivalentProperty))
            stack.extend(s for s in self.schema.subjects(OWL.equivalentProperty, current))
        return found


# --- the rules ---------------------------------------------------------------------------


def _prop(iri: Node | str) -> str:
    """The signature of a property's values (what a rule reads or writes)."""
    return f"p {iri}"


def _member(iri: Node | str) -> str:
    """The signature of a class's members."""
    return f"c {iri}"


def _property_rules(schema: Graph, compiled: Schema) -> list[Rule]:
    sub_pairs = [
        (sub, sup)
        for sub, sup in schema.subject_objects(RDFS.subPropertyOf)
        if isinstance(sub, URIRef) and isinstance(sup, URIRef)
    ]
    for one, other in schema.subject_objects(OWL.equivalentProperty):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            sub_pairs += [(one, other), (other, one)]
    supers = _closure(_merge(sub_pairs))
    super_rows = [
        (_prop(sub), (URIRef(sub), URIRef(sup))) for sub, found in supers.items() for sup in found
    ]
    inverse_rows = []
    for one, other in schema.subject_objects(OWL.inverseOf):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            inverse_rows += [(_prop(one), (one, other)), (_prop(other), (other, one))]
        else:
            compiled.unsupported.append("owl:inverseOf of an anonymous property")
    symmetric = [p for p in schema.subjects(RDF.type, OWL.SymmetricProperty)]
    rules = [
        *_table(
            "prp-spo1",
            "?x ?q ?y .",
            "?p ?q",
            "?x ?p ?y .",
            super_rows,
            (_prop(sup) for _, (_, sup) in super_rows),
            closed=True,
        ),
        *_table(
            "prp-inv",
            "?y ?q ?x .",
            "?p ?q",
            "?x ?p ?y . FILTER(!isLiteral(?y))",
            inverse_rows,
            (_prop(target) for _, (_, target) in inverse_rows),
            closed=True,
        ),
        *_table(
            "prp-symp",
            "?y ?p ?x .",
            "?p",
            "?x ?p ?y . FILTER(!isLiteral(?y))",
            ((_prop(p), (p,)) for p in symmetric),
            (_prop(p) for p in symmetric),
            closed=True,
        ),
    ]
    for prop in sorted(schema.subjects(RDF.type, OWL.TransitiveProperty)):
        rules.append(
            Rule(
                "prp-trp",
                f"?x <{prop}> ?z .",
                f"?x <{prop}> ?y . ?y <{prop}>+ ?z .",
                reads=frozenset({_prop(prop)}),
                writes=frozenset({_prop(prop)}),
                closed=True,
            )
        )
    for prop, chain in schema.subject_objects(OWL.propertyChainAxiom):
        links = list(Collection(schema, chain))
        if not all(isinstance(link, URIRef) for link in links):
            compiled.unsupported.append(f"property chain of <{prop}> with an anonymous link")
            continue
        steps = [f"?c{i} <{link}> ?c{i + 1} ." for i, link in enumerate(links)]
        rules.append(
            Rule(
                "prp-spo2",
                f"?c0 <{prop}> ?c{len(links)} .",
                " ".join(steps),
                reads=frozenset(_prop(link) for link in links),
                writes=frozenset({_prop(prop)}),
            )
        )
    if (None, RDF.type, OWL.ReflexiveProperty) in schema:
        compiled.unsupported.append(_short(OWL.ReflexiveProperty))
    return rules


def _merge(pairs: list[tuple[Node, Node]]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = defaultdict(set)
    for sub, sup in pairs:
        merged[str(sub)].add(str(sup))
    return merged


def _class_rules(schema: Graph, compiled: Schema, reader: "_ExpressionReader") -> list[Rule]:
    domain_rows, range_rows = [], []
    for prop, cls in schema.subject_objects(RDFS.domain):
        domain_rows += [(_prop(prop), (prop, URIRef(c))) for c in reader.named_parts(cls)]
    for prop, cls in schema.subject_objects(RDFS.range):
        if str(prop) in compiled.object_properties:
            range_rows += [(_prop(prop), (prop, URIRef(c))) for c in reader.named_parts(cls)]
    super_rows = [
        (_member(cls), (URIRef(cls), URIRef(sup)))
        for cls, found in compiled.superclasses.items()
        for sup in found
        if sup != str(OWL.Thing)
    ]
    rules = [
        *_table(
            "prp-dom",
            "?x a ?c .",
            "?p ?c",
            "?x ?p ?y .",
            domain_rows,
            (_member(c) for _, (_, c) in domain_rows),
        ),
        *_table(
            "prp-rng",
            "?y a ?c .",
            "?p ?c",
            "?x ?p ?y . FILTER(!isLiteral(?y))",
            range_rows,
            (_member(c) for _, (_, c) in range_rows),
        ),
        *_table(
            "cax-sco",
            "?x a ?d .",
            "?c ?d",
            "?x a ?c .",
            super_rows,
            (_member(d) for _, (_, d) in super_rows),
            closed=True,
        ),
    ]
    for cls, definition in reader.definitions():
        pattern = reader.pattern(definition, "?x")
        if pattern is not None:
            reads = frozenset(reader.signatures(definition))
            rules.append(
                Rule("cls-def", f"?x a <{cls}> .", pattern, reads, frozenset({_member(cls)}))
            )
    for cls, expression in reader.implications():
        rules.extend(reader.consequences(cls, expression))
    for node in schema.subjects(OWL.complementOf, None):
        compiled.unsupported.append(f"owl:complementOf {_describe(schema, node)}")
    for node in schema.subjects(OWL.oneOf, None):
        compiled.unsupported.append(f"owl:oneOf {_describe(schema, node)}")
    return rules


def _values(variables: str, rows: Iterable[tuple[Node, ...]]) -> str:
    rendered = " ".join("(" + " ".join(_sparql_term(cell) for cell in row) + ")" for row in rows)
    return f"VALUES ({variables}) {{ {rendered} }}"


def _sparql_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    return node.n3()


def _short(iri: Node) -> str:
    from api.core.namespaces import compact

    return compact(str(iri))


def _describe(schema: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        return _short(node)
    kinds = sorted(_short(p) for p in set(schema.predicates(node)) if p != RDF.type)
    return "[" + ", ".join(kinds) + "]"


# --- running the rules -------------------------------------------------------------------


def materialise(
    store: ox.Store,
    graphs: Iterable[ox.NamedNode],
    into: ox.NamedNode,
    schema: Schema | None = None,
) -> Materialised:
    """Run the rules of the axioms in ``graphs`` over ``graphs`` to a fixpoint, writing
    what they derive (and what is not asserted) into the graph ``into``.

    The rules run stratum by stratum (:func:`strata`): a stratum's rules read nothing a
    later stratum writes, so each stratum reaches its fixpoint once, in turn."""
    started = time.perf_counter()
    graphs = list(graphs)
    if schema is None:
        schema = compile_schema(read_schema(store, graphs))
    using = " ".join(f"USING <{g.value}>" for g in [*graphs, into])
    runs = 0
    for stratum in strata(schema.rules):
        runs += _run_to_fixpoint(store, stratum, using, into)
    _keep_what_reasoners_report(store, graphs, into, schema)
    _add_class_axioms(store, into, schema)
    return Materialised(
        triples=_size(store, into),
        runs=runs,
        seconds=time.perf_counter() - started,
        rules=len(schema.rules),
        unsupported=tuple(schema.unsupported),
    )


def strata(rules: list[Rule]) -> list[list[Rule]]:
    """The rules grouped into strongly connected components of "writes what the other
    reads", writers before readers (Tarjan's algorithm, whose components come out
    readers first), each in the compiled order."""
    feeds = {
        index: [
            other
            for other, reader in enumerate(rules)
            if rule.writes & reader.reads and not (other == index and rule.closed)
        ]
        for index, rule in enumerate(rules)
    }
    order: dict[int, int] = {}
    lowest: dict[int, int] = {}
    stack: list[int] = []
    components: list[list[int]] = []

    def visit(index: int) -> None:
        order[index] = lowest[index] = len(order)
        stack.append(index)
        for other in feeds[index]:
            if other not in order:
                visit(other)
                lowest[index] = min(lowest[index], lowest[other])
            elif other in stack:
                lowest[index] = min(lowest[index], order[other])
        if lowest[index] == order[index]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == index:
                    break
            components.append(sorted(component))

    for index in range(len(rules)):
        if index not in order:
            visit(index)
    return [[rules[index] for index in component] for component in reversed(components)]


def _run_to_fixpoint(store: ox.Store, stratum: list[Rule], using: str, into: ox.NamedNode) -> int:
    """Run a stratum's rules until none has anything new to read; the number of runs.

    A rule runs again only when a signature it reads has grown since it last ran (a
    table rule, with the rows of those signatures only). Whether a run added anything
    is the store's size before and after, counted only where another rule of the
    stratum (or the rule itself, unless closed) reads what it writes."""
    runs, clock = 0, 0
    ran_at: dict[Rule, int] = {}
    grown_at: dict[str, int] = defaultdict(int)
    readers = {
        rule: frozenset().union(
            *(other.reads for other in stratum if other is not rule or not rule.closed)
        )
        for rule in stratum
    }
    while True:
        ran = False
        for rule in stratum:
            since = ran_at.get(rule)
            grown = {s for s in rule.reads if since is None or grown_at[s] > since}
            if not grown:
                continue
            runs += 1
            if runs > MAX_RUNS:
                raise MaterialiserError(
                    f"the OWL rules did not reach a fixpoint in {MAX_RUNS} rule runs"
                )
            ran = True
            watched = bool(rule.writes & readers[rule])
            before = len(store) if watched else 0
            store.update(_update(rule, grown, using, into))
            clock += 1
            ran_at[rule] = clock
            if watched and len(store) > before:
                clock += 1
                for signature in rule.writes:
                    grown_at[signature] = clock
                if rule.closed:
                    ran_at[rule] = clock
        if not ran:
            return runs


def _update(rule: Rule, grown: set[str], using: str, into: ox.NamedNode) -> str:
    """The SPARQL update of ``rule``; a table rule with the rows of ``grown`` only."""
    where = rule.pattern
    if rule.rows:
        rows = [cells for read, cells in rule.rows if read in grown]
        where = f"{_values(rule.variables, rows)} {where}"
    return f"INSERT {{ GRAPH <{into.value}> {{ {rule.template} }} }} {using} WHERE {{ {where} }}"


def _size(store: ox.Store, graph: ox.NamedNode) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def _keep_what_reasoners_report(
    store: ox.Store, graphs: list[ox.NamedNode], into: ox.NamedNode, schema: Schema
) -> None:
    """Drop from ``into`` what is asserted, and what OWL reasoners do not report: blank
    nodes, literals, data property values, memberships of owl:Thing."""
    names = " ".join(f"<{g.value}>" for g in graphs)
    store.update(
        f"DELETE {{ GRAPH <{into.value}> {{ ?s ?p ?o }} }} WHERE {{ "
        f"GRAPH <{into.value}> {{ ?s ?p ?o }} VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    properties = ", ".join(f"<{p}>" for p in sorted(schema.object_properties))
    store.update(
        f"DELETE {{ GRAPH <{into.value}> {{ ?s ?p ?o }} }} WHERE {{ "
        f"GRAPH <{into.value}> {{ ?s ?p ?o }} "
        f"FILTER(isBlank(?s) || !isIRI(?o) || (?p = <{RDF.type}> && ?o = <{OWL.Thing}>) "
        f"|| (?p != <{RDF.type}> && ?p NOT IN ({properties or '<urn:none>'}))) }}"
    )


def _add_class_axioms(store: ox.Store, into: ox.NamedNode, schema: Schema) -> None:
    """The class axioms HermiT's classification reports and the schema does not state:
    equivalences between named classes, and each class's direct superclasses."""
    axioms = [
        (one, OWL.equivalentClass, other)
        for one, other in class_equivalences(schema)
        if (one, other) not in schema.equivalences
    ]
    axioms += [
        (sub, RDFS.subClassOf, sup)
        for sub, sup in direct_superclasses(schema)
        if (sub, sup) not in schema.told_subclasses
    ]
    store.extend(
        ox.Quad(ox.NamedNode(s), ox.NamedNode(str(p)), ox.NamedNode(o), into) for s, p, o in axioms
    )


def class_equivalences(schema: Schema) -> list[tuple[str, str]]:
    """Pairs of named classes each a superclass of the other."""
    supers = schema.superclasses
    return [
        (one, other)
        for one in sorted(supers)
        for other in sorted(supers[one])
        if one in supers.get(other, ()) and one != other and str(OWL.Thing) not in (one, other)
    ]


def direct_superclasses(schema: Schema) -> list[tuple[str, str]]:
    """(class, superclass) where nothing lies between the two (equivalent classes are
    one node of the hierarchy, and an edge goes to each of its classes)."""
    supers = schema.superclasses
    thing = str(OWL.Thing)

    def strict(cls: str) -> set[str]:
        return {s for s in supers.get(cls, ()) if cls not in supers.get(s, ()) and s != thing}

    edges = []
    for cls in sorted(supers):
        above = strict(cls)
        for sup in sorted(above):
            if not any(sup in strict(middle) for middle in above if middle != sup):
                edges.append((cls, sup))
    return edges
