"""What OWL reasoners report, and the rules' output made to match it.

Reasoners report neither what is asserted nor values with blank nodes or literals, data
property values or memberships of ``owl:Thing``; they do report the class axioms of
their classification (equivalences between named classes, direct superclasses), which
the schema need not state.
"""

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS

from api.reason.materialiser.rules import Schema


def keep_what_reasoners_report(
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


def add_class_axioms(store: ox.Store, into: ox.NamedNode, schema: Schema) -> None:
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
