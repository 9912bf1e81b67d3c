"""The formats sgkg writes on the wire, and the writing itself (by pyoxigraph).

One table, :data:`WIRE_FORMATS`, says for each format its short name (what the
``format`` / ``output`` parameters and file extensions use), its media type, the other
media types a client may ask for it by, and pyoxigraph's name for it. Query results
(SPARQL JSON, XML, CSV, TSV) serve SELECT and ASK; RDF formats serve CONSTRUCT,
DESCRIBE and every RDF document (linked data, downloads, ontology, shapes, VoID).

Everything is serialised by pyoxigraph, straight from its own results, so nothing on
the HTTP path becomes an rdflib term: that is most of what makes the endpoint fast.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from api.core.namespaces import PREFIXES
from api.formats import jsonld
from api.store.base import NativeResult

#: The kinds of result a SPARQL query gives, each with its own formats.
SOLUTIONS = "solutions"  # SELECT
BOOLEAN = "boolean"  # ASK
GRAPH = "graph"  # CONSTRUCT, DESCRIBE, and RDF documents


@dataclass(frozen=True)
class WireFormat:
    """One serialisation a response can be written in."""

    #: short name, also the file extension: ``json``, ``ttl``...
    name: str
    #: the media type responses carry
    media_type: str
    label: str
    #: pyoxigraph's identifier of the format
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat
    #: other media types that ask for this format (older or looser names)
    also_accepts: tuple[str, ...] = ()
    #: other values of the ``format`` / ``output`` parameters that ask for it
    aliases: tuple[str, ...] = ()
    #: a quad format (keeps named graphs)
    is_quad: bool = False

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.also_accepts)

    @property
    def content_type(self) -> str:
        """The Content-Type header: text types say they are UTF-8."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def extension(self) -> str:
        return f".{self.name}"

    def is_named(self, value: str) -> bool:
        """Whether a ``format`` / ``output`` value asks for this format."""
        wanted = value.strip().lower()
        return wanted == self.name or wanted in self.aliases or wanted in self.media_types


QRF = ox.QueryResultsFormat
RDF = ox.RdfFormat

#: SELECT and ASK results, in the order the server prefers them.
RESULT_FORMATS: tuple[WireFormat, ...] = (
    WireFormat(
        "json",
        "application/sparql-results+json",
        "SPARQL JSON",
        QRF.JSON,
        also_accepts=("application/json",),
        aliases=("srj",),
    ),
    WireFormat(
        "xml",
        "application/sparql-results+xml",
        "SPARQL XML",
        QRF.XML,
        also_accepts=("application/xml", "text/xml"),
        aliases=("srx",),
    ),
    WireFormat("csv", "text/csv", "SPARQL CSV", QRF.CSV),
    WireFormat("tsv", "text/tab-separated-values", "SPARQL TSV", QRF.TSV),
)

#: RDF graphs (CONSTRUCT, DESCRIBE, documents), in the order the server prefers them.
RDF_FORMATS: tuple[WireFormat, ...] = (
    WireFormat(
        "ttl",
        "text/turtle",
        "Turtle",
        RDF.TURTLE,
        also_accepts=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
        aliases=("turtle", "n3"),
    ),
    WireFormat(
        "jsonld",
        "application/ld+json",
        "JSON-LD",
        RDF.JSON_LD,
        also_accepts=("application/x-json+ld",),
        aliases=("json-ld", "json"),
    ),
    WireFormat(
        "rdf",
        "application/rdf+xml",
        "RDF/XML",
        RDF.RDF_XML,
        also_accepts=("application/xml", "text/xml"),
        aliases=("rdfxml", "rdf+xml", "rdf/xml", "xml"),
    ),
    WireFormat(
        "nt",
        "application/n-triples",
        "N-Triples",
        RDF.N_TRIPLES,
        aliases=("ntriples", "n-triples"),
    ),
    WireFormat("trig", "application/trig", "TriG", RDF.TRIG, is_quad=True),
    WireFormat(
        "nq",
        "application/n-quads",
        "N-Quads",
        RDF.N_QUADS,
        aliases=("nquads", "n-quads"),
        is_quad=True,
    ),
)

#: Every format, by short name.
WIRE_FORMATS: dict[str, WireFormat] = {fmt.name: fmt for fmt in RESULT_FORMATS + RDF_FORMATS}

#: Prefixes written in Turtle, TriG and RDF/XML. Instance and graph IRIs stay in full:
#: ``sgid:component\/3`` (Turtle must escape the slash) reads worse than the IRI itself.
WIRE_PREFIXES: dict[str, str] = {
    prefix: str(namespace)
    for prefix, namespace in PREFIXES.items()
    if prefix not in ("sgid", "sggraph")
}


def formats_for(kind: str) -> tuple[WireFormat, ...]:
    """The formats a result of this kind can be written in."""
    return RDF_FORMATS if kind == GRAPH else RESULT_FORMATS


def result_kind(result: NativeResult) -> str:
    if isinstance(result, ox.QuerySolutions):
        return SOLUTIONS
    if isinstance(result, ox.QueryBoolean):
        return BOOLEAN
    return GRAPH


def serialize_triples(
    triples: Iterable[ox.Triple],
    fmt: WireFormat,
    *,
    graph: str | None = None,
    focus: str | None = None,
) -> bytes:
    """Write triples grouped by subject, so each resource reads as one block.

    The triples of ``focus`` (the resource a description is about) come first, then the
    other subjects in IRI order, predicates sorted within each. For a quad format, the
    triples go into the named graph ``graph`` (an IRI), or the default graph if None.
    """
    ordered = sorted(triples, key=lambda t: _statement_order(t, focus))
    prefixes = used_prefixes(ordered)
    if fmt.is_quad:
        name = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
        quads: Sequence[ox.Quad] = [
            ox.Quad(t.subject, t.predicate, t.object, name) for t in ordered
        ]
        return ox.serialize(quads, format=fmt.oxigraph, prefixes=prefixes)
    body = ox.serialize(ordered, format=fmt.oxigraph, prefixes=prefixes)
    if fmt.oxigraph == RDF.JSON_LD:  # pyoxigraph writes it expanded: add the context
        return jsonld.compact(body, prefixes)
    return body


def serialize_quads(quads: Iterable[ox.Quad], fmt: WireFormat) -> bytes:
    """Write quads (named graphs kept) in a quad format, grouped by graph and subject."""
    if not fmt.is_quad:
        raise ValueError(f"{fmt.label} cannot hold named graphs")
    ordered = sorted(quads, key=lambda q: (str(q.graph_name), *_statement_order(q, None)))
    return ox.serialize(ordered, format=fmt.oxigraph, prefixes=used_prefixes(ordered))


def used_prefixes(statements: Sequence[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The :data:`WIRE_PREFIXES` whose namespace some IRI of ``statements`` is in, so
    a document declares only the prefixes it uses."""
    iris = set()
    for s in statements:
        iris.add(s.predicate.value)
        for term in (s.subject, s.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {
        prefix: namespace
        for prefix, namespace in WIRE_PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def _statement_order(statement: ox.Triple | ox.Quad, focus: str | None) -> tuple[bool, str, str]:
    subject = statement.subject
    is_focus = isinstance(subject, ox.NamedNode) and subject.value == focus
    return not is_focus, str(subject), statement.predicate.value
