"""The dataset described for machines: VoID and DCAT, and the SPARQL service description.

Both are small graphs built once at startup from the build's manifest (triple counts,
build time, version) and the ontology header (licence). They use the canonical IRIs
(``https://w3id.org/sgkg/...``), like every RDF document the server writes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID, XSD

from api.core.layout import GRAPH_NAMES, INFERRED, graph_iri
from api.core.namespaces import ID, SD, bind_prefixes
from api.core.site import DATASET_IRI, DOWNLOAD_PATH, SPARQL_IRI, canonical
from api.formats.wire_formats import RDF_FORMATS, RESULT_FORMATS, WireFormat
from api.store.interpretations import slug_of

FORMATS_NS = "http://www.w3.org/ns/formats/"
#: W3C format IRIs for ``sd:resultFormat``.
FORMAT_IRIS: dict[str, str] = {
    "json": FORMATS_NS + "SPARQL_Results_JSON",
    "xml": FORMATS_NS + "SPARQL_Results_XML",
    "csv": FORMATS_NS + "SPARQL_Results_CSV",
    "tsv": FORMATS_NS + "SPARQL_Results_TSV",
    "ttl": FORMATS_NS + "Turtle",
    "jsonld": FORMATS_NS + "JSON-LD",
    "rdf": FORMATS_NS + "RDF_XML",
    "nt": FORMATS_NS + "N-Triples",
    "trig": FORMATS_NS + "TriG",
    "nq": FORMATS_NS + "N-Quads",
}
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
#: dcat:version is DCAT 3, newer than rdflib's DCAT namespace object.
DCAT_VERSION = URIRef(str(DCAT) + "version")

#: A few resources that show what the dataset holds (``void:exampleResource``).
EXAMPLE_RESOURCES = ("system/paris-declaration", "component/3", "mechanism/special-commission")

TITLE = "Security Guarantee Knowledge Graph (sgkg)"
DESCRIPTION = (
    "A knowledge graph of the Paris Declaration of 6 January 2026 on robust security "
    "guarantees for Ukraine: parties, components, mechanisms, commitments and activation "
    "conditions, each tied to the exact passages of the two published versions of the text. "
    "Its default graph holds what the words say; readings that go beyond them are "
    "attributed interpretations, each in a named graph of its own that queries include "
    "only when asked."
)
#: How a query includes an interpretation graph (``/sparql?interpretations=NAME``).
INTERPRETATIONS_PARAMETER = "interpretations"


@dataclass(frozen=True)
class InterpretationGraph:
    """One interpretation's graph as served: its name (the interpretation's IRI), the
    interpretation's label and the number of triples its reading adds."""

    iri: str
    label: str | None
    triples: int


@dataclass(frozen=True)
class ReasoningState:
    """Whether the build reasoned, and how far: what ``/health`` and the VoID
    description say about the ``inferred`` graph."""

    #: the build ran the reasoning step (its ``inferred`` graph is filled)
    reasoned: bool
    #: every construct of the ontology had its rules (nothing left out)
    complete: bool
    #: who checked consistency, and on what (empty without reasoning)
    consistency: str
    #: the constructs no rule covers (their consequences may be missing)
    unsupported: tuple[str, ...]
    #: one sentence for people
    note: str

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> "ReasoningState":
        record = manifest.get("reasoning")
        if not isinstance(record, Mapping):
            return cls(False, False, "", (), NOT_REASONED)
        unsupported = tuple(str(u) for u in record.get("unsupported", ()))
        complete = bool(record.get("complete", not unsupported))
        note = (
            f"Complete for the ontology's constructs ({record.get('engine', 'reasoner')})."
            if complete
            else "May be incomplete: no rule covers " + "; ".join(unsupported) + "."
        )
        return cls(True, complete, str(record.get("consistency", "")), unsupported, note)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reasoned": self.reasoned,
            "complete": self.complete,
            "consistency": self.consistency,
            "unsupported": list(self.unsupported),
            "note": self.note,
        }


#: What a build without reasoning means for its users.
NOT_REASONED = (
    "This build did not reason (sgkg build --no-reason): the inferred graph is empty, so "
    "queries that rely on inferences (superclass memberships, defined classes, inverse, "
    "transitive and chained properties) see only the asserted triples."
)


@dataclass(frozen=True)
class DatasetFacts:
    """What the descriptions say, gathered at startup."""

    version: str
    built_at: str
    #: graph short name -> number of triples
    graph_triples: Mapping[str, int]
    total_triples: int
    license: str | None
    ontology_version: str | None
    #: download format short name -> size in bytes
    download_sizes: Mapping[str, int]
    #: whether (and how completely) the build reasoned
    reasoning: ReasoningState = ReasoningState(False, False, "", (), NOT_REASONED)
    #: the interpretation graphs served, sorted by IRI
    interpretation_graphs: tuple[InterpretationGraph, ...] = ()

    @classmethod
    def from_manifest(
        cls,
        manifest: Mapping[str, Any],
        *,
        license: str | None,
        ontology_version: str | None,
        download_sizes: Mapping[str, int],
        interpretations: Mapping[str, str | None] | None = None,
    ) -> "DatasetFacts":
        """``interpretations``: the interpretations the store serves, with their labels
        (:func:`api.store.interpretations.interpretations_in`); their triple counts come from
        the manifest."""
        graphs = manifest.get("graphs", {})
        counts = manifest.get("interpretation_graphs", {})
        return cls(
            version=str(manifest.get("sgkg_version", "unknown")),
            built_at=str(manifest.get("built_at", "")),
            graph_triples={
                name: int(graphs.get(name, {}).get("triples", 0)) for name in GRAPH_NAMES
            },
            total_triples=int(manifest.get("total_triples", 0)),
            license=license,
            ontology_version=ontology_version,
            download_sizes=dict(download_sizes),
            reasoning=ReasoningState.from_manifest(manifest),
            interpretation_graphs=tuple(
                InterpretationGraph(iri, label, int(counts.get(iri, 0)))
                for iri, label in sorted((interpretations or {}).items())
            ),
        )


def void_description(facts: DatasetFacts) -> Graph:
    """VoID and DCAT: the dataset, its named graphs, distributions and endpoint."""
    graph = bind_prefixes(Graph())
    dataset = URIRef(DATASET_IRI)
    endpoint = URIRef(SPARQL_IRI)
    graph.add((URIRef(canonical("void")), RDF.type, VOID.DatasetDescription))
    graph.add((URIRef(canonical("void")), DCTERMS.title, Literal(f"VoID description of {TITLE}")))
    for kind in (VOID.Dataset, DCAT.Dataset):
        graph.add((dataset, RDF.type, kind))
    graph.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    if facts.license:
        graph.add((dataset, DCTERMS.license, URIRef(facts.license)))
    graph.add((dataset, DCAT_VERSION, Literal(facts.version)))
    graph.add((dataset, OWL.versionInfo, Literal(facts.version)))
    if facts.built_at:
        graph.add((dataset, DCTERMS.modified, Literal(facts.built_at, datatype=XSD.dateTime)))
    graph.add((dataset, VOID.triples, Literal(facts.total_triples)))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
    graph.add((dataset, VOID.vocabulary, URIRef(canonical("ontology#"))))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(canonical("shapes"))))
    for example in EXAMPLE_RESOURCES:
        graph.add((dataset, VOID.exampleResource, URIRef(str(ID) + example)))
    for name in GRAPH_NAMES:
        subset = URIRef(f"{DATASET_IRI}-{name}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, DCTERMS.title, Literal(f"the {name} graph", lang="en")))
        graph.add((subset, SD.name, graph_iri(name)))
        graph.add((subset, VOID.triples, Literal(facts.graph_triples.get(name, 0))))
        if name == INFERRED:
            graph.add((subset, DCTERMS.description, Literal(facts.reasoning.note, lang="en")))
    for reading in facts.interpretation_graphs:
        _add_interpretation_graph(graph, dataset, reading)
    for fmt in RDF_FORMATS:
        _add_distribution(graph, dataset, fmt, facts)
    service = URIRef(SPARQL_IRI + "#service")
    graph.add((dataset, DCAT.accessService, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint of sgkg", lang="en")))
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((service, DCAT.servesDataset, dataset))
    return graph


def _add_interpretation_graph(graph: Graph, dataset: URIRef, reading: InterpretationGraph) -> None:
    """An interpretation's graph as a subset: named by the interpretation, outside the
    default graph, and how a query includes it."""
    slug = slug_of(reading.iri)
    subset = URIRef(f"{DATASET_IRI}-interpretation-{slug}")
    graph.add((dataset, VOID.subset, subset))
    graph.add((subset, RDF.type, VOID.Dataset))
    title = f"the graph of the interpretation {slug}"
    graph.add((subset, DCTERMS.title, Literal(title, lang="en")))
    description = (
        f"The triples the interpretation <{reading.iri}> adds to the words of the texts"
        + (f" ({reading.label})" if reading.label else "")
        + ". It is not in the default graph: a query includes it with the parameter "
        f"{INTERPRETATIONS_PARAMETER}={slug} (or {INTERPRETATIONS_PARAMETER}=all), and the "
        "answer then names the interpretations it rests on."
    )
    graph.add((subset, DCTERMS.description, Literal(description, lang="en")))
    graph.add((subset, SD.name, URIRef(reading.iri)))
    graph.add((subset, DCTERMS.source, URIRef(reading.iri)))
    graph.add((subset, VOID.triples, Literal(reading.triples)))


def _add_distribution(graph: Graph, dataset: URIRef, fmt: WireFormat, facts: DatasetFacts) -> None:
    url = URIRef(canonical(f"{DOWNLOAD_PATH}/sgkg{fmt.extension}"))
    graph.add((dataset, VOID.dataDump, url))
    graph.add((dataset, DCAT.distribution, url))
    graph.add((url, RDF.type, DCAT.Distribution))
    graph.add((url, DCTERMS.title, Literal(f"sgkg in {fmt.label}", lang="en")))
    graph.add((url, DCAT.downloadURL, url))
    graph.add((url, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + fmt.media_type)))
    graph.add((url, DCTERMS.format, URIRef(FORMAT_IRIS[fmt.name])))
    if facts.license:
        graph.add((url, DCTERMS.license, URIRef(facts.license)))
    size = facts.download_sizes.get(fmt.name)
    if size is not None:
        graph.add((url, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))


def service_description(facts: DatasetFacts) -> Graph:
    """SPARQL 1.1 Service Description: what the endpoint speaks and what it holds."""
    graph = bind_prefixes(Graph())
    service = URIRef(SPARQL_IRI + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(SPARQL_IRI)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, RDFS.label, Literal("sgkg SPARQL endpoint (read-only)", lang="en")))
    comment = (
        "Answers are strict by default: the default graph is the union of sgkg's six named "
        "graphs, the words of the texts. The parameter interpretations=all (or "
        "interpretation names, comma-separated) adds interpretation graphs; the header "
        "SGKG-Interpretations then lists those the answer rests on."
    )
    graph.add((service, RDFS.comment, Literal(comment, lang="en")))
    for fmt in RESULT_FORMATS + RDF_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(FORMAT_IRIS[fmt.name])))
    dataset = BNode("sgkgDataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, DCTERMS.source, URIRef(DATASET_IRI)))
    default = BNode("sgkgDefaultGraph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(facts.total_triples)))
    for name in GRAPH_NAMES:
        named, described = BNode(f"sgkgNamed{name}"), BNode(f"sgkgGraph{name}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, graph_iri(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(facts.graph_triples.get(name, 0))))
    return graph


def to_oxigraph(graph: Graph) -> Iterable[ox.Triple]:
    """An rdflib graph's triples as pyoxigraph triples (for the one serialiser)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
