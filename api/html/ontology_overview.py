"""What the shapes hold, gathered for their HTML page.

Read once at startup from the store (the ``shapes`` named graph), so ``/shapes`` can be
served as a pre-rendered page that every shape IRI (``/shapes#Shape``) lands on. The
ontology's page is the documentation :mod:`api.html.docs` renders (``sgkg docs``).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from api.core.layout import ONTOLOGY, SHAPES, graph_iri
from api.core.site import SHAPES_IRI
from api.store.base import NativeTerm, Store

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sh: <http://www.w3.org/ns/shacl#>
"""


@dataclass(frozen=True)
class TermEntry:
    """One documented term: class, property, concept or shape."""

    iri: str
    label: str
    definition: str | None = None
    #: (relation, IRIs), e.g. ("subclass of", (...)), ("domain", (...))
    relations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: plain sentences (the messages of a shape's constraints)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentHeader:
    iri: str
    title: str
    description: str | None
    version: str | None
    license: str | None


@dataclass(frozen=True)
class ShapesOverview:
    header: DocumentHeader
    shapes: tuple[TermEntry, ...]
    labels: dict[str, str] = field(default_factory=dict)


def shapes_overview(store: Store) -> ShapesOverview:
    graph = [str(graph_iri(SHAPES))]
    ontology_labels = _labels(store, [str(graph_iri(ONTOLOGY))])
    labels = {**ontology_labels, **_labels(store, graph)}
    rows = _select(
        store,
        graph,
        """SELECT ?shape ?target ?message WHERE {
             ?shape a sh:NodeShape .
             OPTIONAL { ?shape sh:targetClass ?target }
             OPTIONAL { ?shape (sh:property|sh:sparql) ?constraint .
                        ?constraint sh:message ?message }
           }""",
    )
    targets: dict[str, set[str]] = defaultdict(set)
    messages: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        shape = row["shape"].value
        targets[shape]  # every shape gets an entry, even without targets
        if row.get("target") is not None:
            targets[shape].add(row["target"].value)
        if row.get("message") is not None:
            messages[shape].add(row["message"].value)
    definitions = _definitions(store, graph)
    shapes = [
        TermEntry(
            iri=shape,
            label=labels.get(shape, _local_name(shape)),
            definition=definitions.get(shape),
            relations=(("targets", tuple(sorted(targets[shape]))),) if targets[shape] else (),
            notes=tuple(sorted(messages[shape])),
        )
        for shape in targets
    ]
    return ShapesOverview(
        header=_header(store, graph, SHAPES_IRI, labels),
        shapes=tuple(sorted(shapes, key=lambda entry: entry.label.lower())),
        labels=labels,
    )


def _header(store: Store, graph: list[str], iri: str, labels: dict[str, str]) -> DocumentHeader:
    rows = _select(
        store,
        graph,
        f"""SELECT ?title ?description ?version ?license WHERE {{
              OPTIONAL {{ <{iri}> dcterms:title ?title }}
              OPTIONAL {{ <{iri}> dcterms:description ?description }}
              OPTIONAL {{ <{iri}> owl:versionInfo ?version }}
              OPTIONAL {{ <{iri}> dcterms:license ?license }}
            }} LIMIT 1""",
    )
    row = rows[0] if rows else {}

    def text(name: str) -> str | None:
        term = row.get(name)
        return term.value if term is not None else None

    return DocumentHeader(
        iri=iri,
        title=text("title") or labels.get(iri, iri),
        description=text("description"),
        version=text("version"),
        license=text("license"),
    )


def _labels(store: Store, graph: list[str]) -> dict[str, str]:
    """IRI -> English (or untagged) label, rdfs:label before skos:prefLabel."""
    rows = _select(
        store,
        graph,
        """SELECT ?term ?label ?kind WHERE {
             { ?term rdfs:label ?label BIND(1 AS ?kind) }
             UNION { ?term skos:prefLabel ?label BIND(2 AS ?kind) }
             FILTER(isIRI(?term) && (LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")))
           } ORDER BY DESC(?kind)""",
    )
    return {row["term"].value: row["label"].value for row in rows}


def _definitions(store: Store, graph: list[str]) -> dict[str, str]:
    rows = _select(
        store,
        graph,
        """SELECT ?term ?text WHERE {
             ?term skos:definition|rdfs:comment ?text .
             FILTER(isIRI(?term) && (LANG(?text) = "" || LANGMATCHES(LANG(?text), "en")))
           }""",
    )
    return {row["term"].value: row["text"].value for row in rows}


def _select(store: Store, graph: Sequence[str], body: str) -> list[dict[str, NativeTerm]]:
    """Run a SELECT on the given graphs (the union when empty); rows as dicts."""
    result = store.query_native(PREFIXES + body, default_graph_uris=list(graph) if graph else None)
    assert isinstance(result, ox.QuerySolutions)
    names = [variable.value for variable in result.variables]
    return [
        {name: solution[name] for name in names if solution[name] is not None}
        for solution in result
    ]


def _local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri
