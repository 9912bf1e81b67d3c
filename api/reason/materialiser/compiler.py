"""The schema read from the store, and its axioms compiled into rules.

:func:`compile_schema` reads the axioms from the graphs (whichever terms they name) and
turns each into a rule; a new class, property or definition in the ontology needs no
change here. It also works out the class hierarchy the axioms imply.
"""

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from api.reason.materialiser.expressions import ExpressionReader
from api.reason.materialiser.rules import (
    Rule,
    Schema,
    describe,
    members_of,
    short_name,
    table_rules,
    values_of,
)
from api.store.base import rdflib_term

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


def read_schema(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> Graph:
    """The schema triples of ``graphs`` as a small rdflib graph (rdflib walks lists and
    class expressions more plainly than SPARQL does)."""
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
    reader = ExpressionReader(schema, compiled)
    edges = _class_edges(schema, compiled, reader)
    compiled.superclasses = _closure(edges)
    _derive_subclasses(compiled, reader)
    compiled.rules = [
        *_property_rules(schema, compiled),
        *_class_rules(schema, compiled, reader),
    ]
    compiled.unsupported = sorted(set(compiled.unsupported))
    return compiled


def _class_edges(schema: Graph, compiled: Schema, reader: ExpressionReader) -> dict:
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
    """Each node's ancestors along ``edges``, transitively (itself excluded)."""
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


def _derive_subclasses(compiled: Schema, reader: ExpressionReader) -> None:
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


def _property_rules(schema: Graph, compiled: Schema) -> list[Rule]:
    """The rules of the property axioms: superproperties, inverses and symmetric
    properties as tables, then one rule per transitive property and per chain."""
    rules = [
        *_property_tables(schema, compiled),
        *_transitive_rules(schema),
        *_chain_rules(schema, compiled),
    ]
    if (None, RDF.type, OWL.ReflexiveProperty) in schema:
        compiled.unsupported.append(short_name(OWL.ReflexiveProperty))
    return rules


def _property_tables(schema: Graph, compiled: Schema) -> list[Rule]:
    """prp-spo1 (with owl:equivalentProperty both ways), prp-inv and prp-symp, one
    table rule each, a row per property."""
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
        (values_of(sub), (URIRef(sub), URIRef(sup)))
        for sub, found in supers.items()
        for sup in found
    ]
    inverse_rows = []
    for one, other in schema.subject_objects(OWL.inverseOf):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            inverse_rows += [(values_of(one), (one, other)), (values_of(other), (other, one))]
        else:
            compiled.unsupported.append("owl:inverseOf of an anonymous property")
    symmetric = [p for p in schema.subjects(RDF.type, OWL.SymmetricProperty)]
    return [
        *table_rules(
            "prp-spo1",
            "?x ?q ?y .",
            "?p ?q",
            "?x ?p ?y .",
            super_rows,
            (values_of(sup) for _, (_, sup) in super_rows),
            closed=True,
        ),
        *table_rules(
            "prp-inv",
            "?y ?q ?x .",
            "?p ?q",
            "?x ?p ?y . FILTER(!isLiteral(?y))",
            inverse_rows,
            (values_of(target) for _, (_, target) in inverse_rows),
            closed=True,
        ),
        *table_rules(
            "prp-symp",
            "?y ?p ?x .",
            "?p",
            "?x ?p ?y . FILTER(!isLiteral(?y))",
            ((values_of(p), (p,)) for p in symmetric),
            (values_of(p) for p in symmetric),
            closed=True,
        ),
    ]


def _transitive_rules(schema: Graph) -> list[Rule]:
    """prp-trp: the closure of each transitive property, in one run (a property path)."""
    return [
        Rule(
            "prp-trp",
            f"?x <{prop}> ?z .",
            f"?x <{prop}> ?y . ?y <{prop}>+ ?z .",
            reads=frozenset({values_of(prop)}),
            writes=frozenset({values_of(prop)}),
            closed=True,
        )
        for prop in sorted(schema.subjects(RDF.type, OWL.TransitiveProperty))
    ]


def _chain_rules(schema: Graph, compiled: Schema) -> list[Rule]:
    """prp-spo2: the chained value of each property chain of named properties."""
    rules = []
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
                reads=frozenset(values_of(link) for link in links),
                writes=frozenset({values_of(prop)}),
            )
        )
    return rules


def _merge(pairs: list[tuple[Node, Node]]) -> dict[str, set[str]]:
    """``(sub, super)`` pairs as edges by name."""
    merged: dict[str, set[str]] = defaultdict(set)
    for sub, sup in pairs:
        merged[str(sub)].add(str(sup))
    return merged


def _class_rules(schema: Graph, compiled: Schema, reader: ExpressionReader) -> list[Rule]:
    """The rules of the class axioms: domains, ranges and the named hierarchy as
    tables, then the membership of each defined class and what each class implies."""
    domain_rows, range_rows = [], []
    for prop, cls in schema.subject_objects(RDFS.domain):
        domain_rows += [(values_of(prop), (prop, URIRef(c))) for c in reader.named_parts(cls)]
    for prop, cls in schema.subject_objects(RDFS.range):
        if str(prop) in compiled.object_properties:
            range_rows += [(values_of(prop), (prop, URIRef(c))) for c in reader.named_parts(cls)]
    super_rows = [
        (members_of(cls), (URIRef(cls), URIRef(sup)))
        for cls, found in compiled.superclasses.items()
        for sup in found
        if sup != str(OWL.Thing)
    ]
    rules = [
        *table_rules(
            "prp-dom",
            "?x a ?c .",
            "?p ?c",
            "?x ?p ?y .",
            domain_rows,
            (members_of(c) for _, (_, c) in domain_rows),
        ),
        *table_rules(
            "prp-rng",
            "?y a ?c .",
            "?p ?c",
            "?x ?p ?y . FILTER(!isLiteral(?y))",
            range_rows,
            (members_of(c) for _, (_, c) in range_rows),
        ),
        *table_rules(
            "cax-sco",
            "?x a ?d .",
            "?c ?d",
            "?x a ?c .",
            super_rows,
            (members_of(d) for _, (_, d) in super_rows),
            closed=True,
        ),
    ]
    for cls, definition in reader.definitions():
        pattern = reader.pattern(definition, "?x")
        if pattern is not None:
            reads = frozenset(reader.signatures(definition))
            rules.append(
                Rule("cls-def", f"?x a <{cls}> .", pattern, reads, frozenset({members_of(cls)}))
            )
    for cls, expression in reader.implications():
        rules.extend(reader.consequences(cls, expression))
    for node in schema.subjects(OWL.complementOf, None):
        compiled.unsupported.append(f"owl:complementOf {describe(schema, node)}")
    for node in schema.subjects(OWL.oneOf, None):
        compiled.unsupported.append(f"owl:oneOf {describe(schema, node)}")
    return rules
