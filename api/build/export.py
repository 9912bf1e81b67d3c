"""Serialise the built dataset in the RDF formats the endpoint serves.

Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) cannot hold named graphs, so they
get the union of sgkg's six graphs, which is the strict answer's default graph (the
words of the texts and what is built from them), or one named graph when asked. Quad
formats (TriG, N-Quads) keep the named graphs: the six, and each interpretation's graph
under its own name (the interpretation's IRI), so a reader can tell the words from the
readings (:mod:`api.store.interpretations`).

The formats and their writers are the endpoint's (:mod:`api.formats.wire_formats`,
pyoxigraph), so ``sgkg export`` writes the documents ``/download`` serves.
"""

from collections.abc import Iterable

import pyoxigraph as ox

from api.build.pipeline import NQUADS_FILE
from api.core.layout import GRAPH_NAMES, Layout, graph_iri
from api.formats.wire_formats import RDF_FORMATS, WireFormat, serialize_quads, serialize_triples
from api.store.interpretations import INTERPRETATIONS_NQUADS_FILE

#: The formats, by short name (``ttl``, ``nq``...), in the endpoint's order.
FORMATS: dict[str, WireFormat] = {fmt.name: fmt for fmt in RDF_FORMATS}


def get_format(name: str) -> WireFormat:
    """The format called ``name`` (``ttl``, ``nq``...); ValueError if unknown."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}") from None


def built_quads(layout: Layout) -> list[ox.Quad]:
    """Every quad of the build in ``layout``: sgkg's six graphs and the interpretation
    graphs (read from the N-Quads files the stores load)."""
    quads: list[ox.Quad] = []
    for name in (NQUADS_FILE, INTERPRETATIONS_NQUADS_FILE):
        quads.extend(ox.parse(path=layout.build_dir / name, format=ox.RdfFormat.N_QUADS))
    return quads


def export(quads: Iterable[ox.Quad], format_name: str, *, graph: str | None = None) -> bytes:
    """Serialise ``quads`` (or only those of the named graph ``graph``) as
    ``format_name``: a triple format holds the six graphs' union, a quad format every
    named graph."""
    fmt = get_format(format_name)
    if graph is not None:
        name = ox.NamedNode(_graph_iri(graph))
        triples = [quad.triple for quad in quads if quad.graph_name == name]
        return serialize_triples(triples, fmt, graph=name.value)
    if fmt.is_quad:
        return serialize_quads(quads, fmt)
    return serialize_triples(union_triples(quads), fmt)


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The triples of sgkg's six graphs, each once (what the SPARQL default graph of a
    strict answer shows); interpretation graphs stay out."""
    strict = {ox.NamedNode(str(graph_iri(name))) for name in GRAPH_NAMES}
    return list(dict.fromkeys(quad.triple for quad in quads if quad.graph_name in strict))


def _graph_iri(name: str) -> str:
    """The IRI of one of sgkg's six graphs, named by short name (``data``) or IRI."""
    for known in GRAPH_NAMES:
        if name in (known, str(graph_iri(known))):
            return str(graph_iri(known))
    raise ValueError(f"unknown graph {name!r}; expected one of {', '.join(GRAPH_NAMES)}")
