"""Documents that do not change while the server runs, serialised once.

The downloads (the whole graph in six formats), the ontology and the shapes (in every
RDF format and as a page), the VoID/DCAT description and the SPARQL service
description are answers to fixed questions: writing them once makes every request for
them a memory copy. They are read from the store that answers queries, so what is
downloaded is exactly what is queried.

The whole-graph downloads are written at start-up only for graphs up to
:data:`EAGER_DOWNLOAD_TRIPLES` (the Paris Declaration: about a second, and their sizes
go into VoID and the downloads page). A larger graph would hold the server's start for
minutes and take gigabytes (10k synthetic agreements: six serialisations of two million
triples), so each format is written on its first request instead and kept.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock
from typing import Any

import pyoxigraph as ox

from api.build.export import union_triples
from api.core.layout import GRAPH_NAMES, ONTOLOGY, SHAPES, graph_iri
from api.core.namespaces import ONTOLOGY_IRI
from api.formats.wire_formats import (
    RDF_FORMATS,
    WIRE_FORMATS,
    WireFormat,
    serialize_quads,
    serialize_triples,
)
from api.html.ontology_overview import shapes_overview
from api.html.pages import downloads_page, shapes_page
from api.linked_data.dataset_description import (
    DatasetFacts,
    service_description,
    to_oxigraph,
    void_description,
)
from api.store.base import Store
from api.store.interpretations import interpretations_in

#: The RDF documents, by name: the whole graph, ontology, shapes, VoID, service description.
DATASET = "sgkg"
ONTOLOGY_DOCUMENT = "ontology"
SHAPES_DOCUMENT = "shapes"
VOID_DOCUMENT = "void"
SERVICE_DOCUMENT = "service"

#: Up to this many triples, the whole-graph downloads are written at start-up.
EAGER_DOWNLOAD_TRIPLES = 200_000


@dataclass(frozen=True)
class StaticDocuments:
    """Pre-serialised documents: RDF by (document, format name), pages by name."""

    rdf: dict[tuple[str, str], bytes]
    pages: dict[str, str]
    facts: DatasetFacts
    #: the store the whole-graph downloads not yet written are read from
    store: Store | None = None
    _writing: Lock = field(default_factory=Lock, repr=False, compare=False)

    def rdf_document(self, document: str, format_name: str) -> bytes:
        return self.rdf[(document, format_name)]

    def dataset_download(self, format_name: str) -> bytes:
        """The whole graph in a format: written at start-up, or now and kept (large
        graphs). Blocking: call it from a worker thread."""
        key = (DATASET, format_name)
        with self._writing:  # one writer at a time; later requests get the bytes
            if key not in self.rdf:
                if self.store is None:
                    raise KeyError(key)
                readings = [reading.iri for reading in self.facts.interpretation_graphs]
                statements = _dataset_statements(self.store, readings)
                self.rdf[key] = _serialize_dataset(statements, WIRE_FORMATS[format_name])
            return self.rdf[key]

    @cached_property
    def ontology_documentation(self) -> str:
        """The ontology's documentation page (:mod:`api.html.docs`, as ``sgkg docs`` writes
        it), with sgkg IRIs browsable on this server.

        Made on first request, not at startup: with its class diagram it takes about a
        second (Graphviz), which the server's start-up should not wait for.
        """
        from rdflib import Graph

        from api.html.docs import ontology_page

        graph = Graph().parse(data=self.rdf_document(ONTOLOGY_DOCUMENT, "ttl"), format="turtle")
        return ontology_page(graph)


def build_documents(store: Store, manifest: Mapping[str, Any]) -> StaticDocuments:
    """Serialise every static document (a second or so for the Paris Declaration)."""
    graphs = {name: _graph_triples(store, name) for name in (ONTOLOGY, SHAPES)}
    interpretations = interpretations_in(store)
    rdf: dict[tuple[str, str], bytes] = {}
    if int(manifest.get("total_triples", 0)) <= EAGER_DOWNLOAD_TRIPLES:
        statements = _dataset_statements(store, interpretations)  # once for all six formats
        for fmt in RDF_FORMATS:
            rdf[(DATASET, fmt.name)] = _serialize_dataset(statements, fmt)
    for fmt in RDF_FORMATS:
        for document, name in ((ONTOLOGY_DOCUMENT, ONTOLOGY), (SHAPES_DOCUMENT, SHAPES)):
            rdf[(document, fmt.name)] = serialize_triples(
                graphs[name], fmt, graph=str(graph_iri(name))
            )
    facts = DatasetFacts.from_manifest(
        manifest,
        license=_header_value(graphs[ONTOLOGY], "http://purl.org/dc/terms/license"),
        ontology_version=_header_value(
            graphs[ONTOLOGY], "http://www.w3.org/2002/07/owl#versionInfo"
        ),
        download_sizes={
            fmt.name: len(rdf[(DATASET, fmt.name)])
            for fmt in RDF_FORMATS
            if (DATASET, fmt.name) in rdf
        },
        interpretations=interpretations,
    )
    for document, description in (
        (VOID_DOCUMENT, void_description(facts)),
        (SERVICE_DOCUMENT, service_description(facts)),
    ):
        triples = to_oxigraph(description)
        for fmt in RDF_FORMATS:
            rdf[(document, fmt.name)] = serialize_triples(triples, fmt)
    pages = {
        SHAPES_DOCUMENT: shapes_page(shapes_overview(store), version=facts.version),
        "downloads": downloads_page(facts.download_sizes, version=facts.version),
    }
    return StaticDocuments(rdf=rdf, pages=pages, facts=facts, store=store)


#: The whole graph read from the store: its quads, and the union of its triples.
DatasetStatements = tuple[list[ox.Quad], list[ox.Triple]]


def _dataset_statements(store: Store, interpretations: Iterable[str]) -> DatasetStatements:
    """Every quad of the six named graphs and of the interpretation graphs, and the
    union of the six (each triple once): the strict default graph."""
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(graph_iri(name))))
        for name in GRAPH_NAMES
        for t in _graph_triples(store, name)
    ]
    for iri in interpretations:
        reading = store.query_native(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
            default_graph_uris=[],
            named_graph_uris=[iri],
        )
        quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(iri)) for t in reading]
    return quads, union_triples(quads)


def _serialize_dataset(statements: DatasetStatements, fmt: WireFormat) -> bytes:
    """The whole graph: quad formats keep the named graphs (the interpretation graphs
    under their own names), triple formats hold the strict union."""
    quads, union = statements
    return serialize_quads(quads, fmt) if fmt.is_quad else serialize_triples(union, fmt)


def _graph_triples(store: Store, name: str) -> list[ox.Triple]:
    result = store.query_native(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri(name)}> {{ ?s ?p ?o }} }}"
    )
    return list(result)


def _header_value(triples: list[ox.Triple], predicate: str) -> str | None:
    for t in triples:
        if t.subject.value == ONTOLOGY_IRI and t.predicate.value == predicate:
            return t.object.value
    return None
