"""Serialise the built dataset in the usual RDF formats.

Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) cannot hold named graphs, so they
get the union of sgkg's six graphs, which is the strict answer's default graph (the
words of the texts and what is built from them), or one named graph when asked. Quad
formats (TriG, N-Quads) keep the named graphs: the six, and each interpretation's graph
under its own name (the interpretation's IRI), so a reader can tell the words from the
readings (:mod:`api.store.interpretations`). :data:`FORMATS` is the one table of formats: the
HTTP layer uses it too, for content negotiation and file extensions.
"""

from dataclasses import dataclass

from rdflib import Dataset, Graph

from api.core.layout import GRAPH_NAMES, graph_iri
from api.core.namespaces import PREFIXES, bind_prefixes


@dataclass(frozen=True)
class ExportFormat:
    """One serialisation: its short name, file extension, media type, rdflib name."""

    name: str
    extension: str
    media_type: str
    rdflib_format: str
    is_quad: bool
    label: str


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat("ttl", ".ttl", "text/turtle", "turtle", False, "Turtle"),
        ExportFormat("nt", ".nt", "application/n-triples", "nt", False, "N-Triples"),
        ExportFormat("rdf", ".rdf", "application/rdf+xml", "xml", False, "RDF/XML"),
        ExportFormat("jsonld", ".jsonld", "application/ld+json", "json-ld", False, "JSON-LD"),
        ExportFormat("trig", ".trig", "application/trig", "trig", True, "TriG"),
        ExportFormat("nq", ".nq", "application/n-quads", "nquads", True, "N-Quads"),
    )
}


def get_format(name: str) -> ExportFormat:
    """The format called ``name`` (``ttl``, ``nq``...); ValueError if unknown."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}") from None


def export(dataset: Dataset, format_name: str, *, graph: str | None = None) -> bytes:
    """Serialise ``dataset`` (or only its named graph ``graph``) as ``format_name``:
    a triple format holds the six graphs' union, a quad format every named graph."""
    fmt = get_format(format_name)
    if fmt.is_quad:
        source: Graph = dataset if graph is None else select_graphs(dataset, graph)
    else:
        source = union_graph(dataset) if graph is None else named_graph(dataset, graph)
    if fmt.rdflib_format == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return source.serialize(format="json-ld", context=context, encoding="utf-8")
    return source.serialize(format=fmt.rdflib_format, encoding="utf-8")


def union_graph(dataset: Dataset) -> Graph:
    """The triples of sgkg's six graphs in one graph (what the SPARQL default graph of
    a strict answer shows); interpretation graphs stay out."""
    union = bind_prefixes(Graph())
    for name in GRAPH_NAMES:
        for triple in dataset.graph(graph_iri(name)):
            union.add(triple)
    return union


def named_graph(dataset: Dataset, name: str) -> Graph:
    """A copy of one named graph, by short name (``data``) or full IRI."""
    iri = _graph_iri(name)
    copy = bind_prefixes(Graph(identifier=iri))
    for triple in dataset.graph(iri):
        copy.add(triple)
    return copy


def select_graphs(dataset: Dataset, name: str) -> Dataset:
    """A dataset holding only the named graph ``name`` (for quad formats)."""
    iri = _graph_iri(name)
    selected = bind_prefixes(Dataset())
    target = selected.graph(iri)
    for triple in dataset.graph(iri):
        target.add(triple)
    return selected


def _graph_iri(name: str) -> str:
    if name in GRAPH_NAMES:
        return graph_iri(name)
    for known in GRAPH_NAMES:
        if name == str(graph_iri(known)):
            return graph_iri(known)
    raise ValueError(f"unknown graph {name!r}; expected one of {', '.join(GRAPH_NAMES)}")
