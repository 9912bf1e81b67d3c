"""Every ``sg:`` term the data and shapes use must be declared by the ontology.

SHACL cannot see a misspelt property: ``sg:hasEvidnce`` is just another predicate, the
shapes that look for ``sg:hasEvidence`` fire only if the node also lacks the real one,
and a shape whose ``sh:path`` is misspelt checks nothing at all. Protégé renames, hand
edits and merges produce exactly such terms. So validation also fails, with one
Violation per undeclared term, when the data or the shapes use an ``sg:`` IRI (as a
predicate, an ``rdf:type`` object, or a shape's path, class or target) that the ontology
does not declare; ``sgkg qc`` lists the same terms (rule ``undeclared_term``).

The results join the SHACL report graph as ordinary ``sh:ValidationResult`` nodes
(focus: the term, source constraint component :data:`DECLARED_TERM_COMPONENT`), so
``sgkg validate``, ``sgkg build`` and a server reload refuse them and report them in
every format like any other violation.
"""

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from api.core.layout import ONTOLOGY, SHAPES, Layout, graph_iri
from api.core.namespaces import SG, compact
from api.load.dataset import LoadedDataset

#: The "constraint" an undeclared term fails (sgkg's own; not a SHACL core component).
DECLARED_TERM_COMPONENT = URIRef("https://w3id.org/sgkg/shapes#DeclaredTermConstraintComponent")

#: (term, how and where it is used) for each undeclared term.
Undeclared = tuple[URIRef, str]


def undeclared_in_dataset(loaded: LoadedDataset) -> list[Undeclared]:
    """The undeclared ``sg:`` terms of an rdflib-loaded project (the ``qc`` rule)."""
    from api.validate.qc import qc_input, undeclared_term  # qc imports this module's neighbours

    return [(URIRef(term), detail) for term, detail in undeclared_term(qc_input(loaded))]


def undeclared_in_store(store: ox.Store, shapes: Graph) -> list[Undeclared]:
    """The same check on a pyoxigraph-loaded project (large builds), by SPARQL for the
    data's predicates and classes and by rdflib for the (small) shapes graph."""
    ontology = graph_iri(ONTOLOGY)
    skipped = ", ".join(f"<{graph_iri(name)}>" for name in (ONTOLOGY, SHAPES))
    query = f"""
        SELECT ?term (GROUP_CONCAT(DISTINCT ?role; SEPARATOR=", ") AS ?roles) WHERE {{
          {{ SELECT DISTINCT ?term ?role WHERE {{
              {{ GRAPH ?g {{ ?s ?term ?o }} BIND("predicate in data" AS ?role) }}
              UNION {{ GRAPH ?g {{ ?s a ?term }} BIND("rdf:type object in data" AS ?role) }}
              FILTER(?g NOT IN ({skipped}))
              FILTER(STRSTARTS(STR(?term), "{SG}"))
          }} }}
          FILTER NOT EXISTS {{ GRAPH <{ontology}> {{ ?term a ?kind }} }}
        }} GROUP BY ?term ORDER BY ?term"""
    found = [
        (URIRef(row["term"].value), f"not declared in the ontology; used as {row['roles'].value}")
        for row in store.query(query)
    ]
    declared = {
        URIRef(quad.subject.value)
        for quad in store.quads_for_pattern(
            None, ox.NamedNode(str(RDF.type)), None, ox.NamedNode(str(ontology))
        )
        if isinstance(quad.subject, ox.NamedNode)
    }
    found += _undeclared_in_shapes(shapes, declared)
    return sorted(found)


def _undeclared_in_shapes(shapes: Graph, declared: set[URIRef]) -> list[Undeclared]:
    from api.validate.qc import QcInput, undeclared_term

    empty = Graph()
    ontology = Graph()
    for term in declared:
        ontology.add((term, RDF.type, RDF.Property))
    checked = QcInput(ontology=ontology, data=empty, shapes=shapes)
    return [(URIRef(term), detail) for term, detail in undeclared_term(checked)]


def add_to_report(report: Graph, undeclared: Iterable[Undeclared]) -> None:
    """Write one Violation per undeclared term into a SHACL report graph."""
    results = list(undeclared)
    if not results:
        return
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(False)))
    report_node = next(iter(report.subjects(RDF.type, SH.ValidationReport)), None)
    for term, detail in results:
        result = BNode()
        if report_node is not None:
            report.add((report_node, SH.result, result))
        report.add((result, RDF.type, SH.ValidationResult))
        report.add((result, SH.focusNode, term))
        report.add((result, SH.resultSeverity, SH.Violation))
        report.add((result, SH.sourceConstraintComponent, DECLARED_TERM_COMPONENT))
        message = f"{compact(term)} is {detail}; declare it in ontology/ or correct the IRI"
        report.add((result, SH.resultMessage, Literal(message)))


def files_mentioning(layout: Layout, terms: Iterable[Node]) -> dict[Node, tuple[str, ...]]:
    """For each term, the input files whose text contains its local name: where a person
    goes to correct it (the term is usually a predicate, which no file "describes")."""
    wanted = {term: str(term).removeprefix(str(SG)).encode("utf-8") for term in terms}
    if not wanted:  # the usual case: no file needs reading
        return {}
    found: dict[Node, list[str]] = {term: [] for term in wanted}
    for path, _ in layout.rdf_files():
        text = path.read_bytes()
        for term, local_name in wanted.items():
            if local_name and local_name in text:
                found[term].append(_shown(layout, path))
    return {term: tuple(files) for term, files in found.items()}


def _shown(layout: Layout, path: Path) -> str:
    try:
        return str(path.relative_to(layout.root))
    except ValueError:
        return str(path)
