"""What the server says about one resource: the SPARQL that gathers it, and its page view.

The description of ``https://w3id.org/sgkg/id/{kind}/{slug}`` is:

- its own triples, and those of the resources it owns: hash IRIs under it (the Web
  Annotation selectors ``…#position``, ``…#quote`` of a passage) and blank nodes;
- the triples that link to it (incoming links);
- the labels of every resource and property those triples mention, so a client can
  show names without asking again.

The HTML page also needs the evidence behind a statement: the quote, version and
offsets of each passage it ``sg:hasEvidence``; :func:`page_query` adds those.
:func:`resource_view` turns the triples into what the page shows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from api.core.namespaces import SG
from api.store.base import NativeTerm

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
HAS_EVIDENCE = str(SG.hasEvidence)

#: Texts shown under the title, in this order: (predicate, heading).
TEXT_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("http://www.w3.org/2004/02/skos/core#definition", "Definition"),
    ("http://purl.org/dc/terms/description", "Description"),
    ("http://www.w3.org/2000/01/rdf-schema#comment", "Comment"),
    ("http://www.w3.org/2004/02/skos/core#scopeNote", "Scope note"),
    ("http://www.w3.org/2004/02/skos/core#note", "Note"),
)
#: Own triples that have their own place on the page rather than the property table.
_SHOWN_APART = {RDF_TYPE, RDFS_LABEL, HAS_EVIDENCE, *(p for p, _ in TEXT_PROPERTIES)}

_PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sg: <https://w3id.org/sgkg/ontology#>
"""


def description_query(iri: str, *, with_evidence: bool = False) -> str:
    """A CONSTRUCT that gathers the description of ``iri`` (see the module docstring)."""
    node = f"<{iri}>"
    owned = f'(isBLANK(?part) || STRSTARTS(STR(?part), "{iri}#"))'
    evidence_template = "?passage ?pp ?pv . ?version rdfs:label ?vl ." if with_evidence else ""
    evidence_pattern = (
        f"""UNION {{ {node} sg:hasEvidence ?passage . ?passage ?pp ?pv .
                    FILTER(?pp IN (sg:quote, sg:inVersion, sg:startOffset, sg:endOffset,
                                   rdfs:label)) }}
            UNION {{ {node} sg:hasEvidence/sg:inVersion ?version . ?version rdfs:label ?vl }}"""
        if with_evidence
        else ""
    )
    return f"""{_PREFIXES}
CONSTRUCT {{
  {node} ?p ?o . ?part ?partp ?parto . ?in ?inp {node} .
  ?named rdfs:label ?label . ?named skos:prefLabel ?pref .
  {evidence_template}
}} WHERE {{
  {{ {node} ?p ?o }}
  UNION {{ {node} ?ownp ?part . FILTER{owned} ?part ?partp ?parto }}
  UNION {{ ?in ?inp {node} }}
  UNION {{
    {{ {node} ?np ?named }} UNION {{ ?named ?np {node} }} UNION {{ {node} ?named ?no }}
    UNION {{ ?ni ?named {node} }}
    UNION {{ {node} ?ownp ?part . FILTER{owned} ?part ?named ?pn }}
    UNION {{ {node} ?ownp ?part . FILTER{owned} ?part ?pn ?named }}
    FILTER(isIRI(?named))
    {{ ?named rdfs:label ?label }} UNION {{ ?named skos:prefLabel ?pref }}
  }}
  {evidence_pattern}
}}"""


def page_query(iri: str) -> str:
    """The description plus the evidence passages' quotes, versions and offsets."""
    return description_query(iri, with_evidence=True)


@dataclass(frozen=True)
class Passage:
    """A passage a statement is grounded in, as the page shows it."""

    iri: str
    label: str | None
    quote: str | None
    version: str | None
    start: str | None
    end: str | None


@dataclass(frozen=True)
class ResourceView:
    """Everything the HTML page of a resource shows."""

    iri: str
    label: str | None
    types: tuple[str, ...]
    #: (heading, text) pairs: definition, scope notes...
    texts: tuple[tuple[str, str], ...]
    #: (predicate, values) for the remaining own triples
    properties: tuple[tuple[str, tuple[NativeTerm, ...]], ...]
    #: the evidence passages (sg:hasEvidence)
    evidence: tuple[Passage, ...]
    #: owned hash-IRI and blank-node resources: (node, ((predicate, values), ...))
    parts: tuple[tuple[NativeTerm, tuple[tuple[str, tuple[NativeTerm, ...]], ...]], ...]
    #: (subject, predicate) of the triples that link here
    incoming: tuple[tuple[NativeTerm, str], ...]
    labels: dict[str, str] = field(default_factory=dict)


def resource_view(iri: str, triples: list[ox.Triple]) -> ResourceView:
    """Sort a description's triples into what the page shows."""
    node = ox.NamedNode(iri)
    by_subject: dict[NativeTerm, list[ox.Triple]] = defaultdict(list)
    for triple in triples:
        by_subject[triple.subject].append(triple)
    labels = _labels(triples)
    own = by_subject.get(node, [])
    texts = tuple(
        (heading, t.object.value)
        for predicate, heading in TEXT_PROPERTIES
        for t in own
        if t.predicate.value == predicate and isinstance(t.object, ox.Literal)
    )
    types = tuple(sorted({t.object.value for t in own if t.predicate.value == RDF_TYPE}))
    properties = _grouped([t for t in own if t.predicate.value not in _SHOWN_APART])
    part_nodes = [t.object for t in own if _is_part(iri, t.object)]
    parts = tuple((part, _grouped(by_subject.get(part, []))) for part in dict.fromkeys(part_nodes))
    evidence = tuple(
        _passage(t.object, by_subject.get(t.object, []), labels)
        for t in own
        if t.predicate.value == HAS_EVIDENCE and isinstance(t.object, ox.NamedNode)
    )
    incoming = tuple(
        sorted(
            {(t.subject, t.predicate.value) for t in triples if t.object == node},
            key=lambda pair: (labels.get(_value(pair[0]), _value(pair[0])), pair[1]),
        )
    )
    return ResourceView(
        iri=iri,
        label=labels.get(iri),
        types=types,
        texts=texts,
        properties=properties,
        evidence=tuple(sorted(evidence, key=lambda p: (p.version or "", int(p.start or 0)))),
        parts=parts,
        incoming=incoming,
        labels=labels,
    )


def _labels(triples: list[ox.Triple]) -> dict[str, str]:
    """IRI -> label: English or untagged, rdfs:label before skos:prefLabel."""
    found: dict[str, tuple[int, str]] = {}
    for t in triples:
        rank = {RDFS_LABEL: 0, SKOS_PREF_LABEL: 1}.get(t.predicate.value)
        if rank is None or not isinstance(t.object, ox.Literal):
            continue
        if t.object.language not in (None, "en") or not isinstance(t.subject, ox.NamedNode):
            continue
        current = found.get(t.subject.value)
        if current is None or rank < current[0]:
            found[t.subject.value] = (rank, t.object.value)
    return {iri: label for iri, (_, label) in found.items()}


def _grouped(triples: list[ox.Triple]) -> tuple[tuple[str, tuple[NativeTerm, ...]], ...]:
    values: dict[str, list[NativeTerm]] = defaultdict(list)
    for t in triples:
        values[t.predicate.value].append(t.object)
    return tuple((predicate, tuple(values[predicate])) for predicate in sorted(values))


def _is_part(iri: str, term: NativeTerm) -> bool:
    if isinstance(term, ox.BlankNode):
        return True
    return isinstance(term, ox.NamedNode) and term.value.startswith(iri + "#")


def _passage(node: ox.NamedNode, triples: list[ox.Triple], labels: dict[str, str]) -> Passage:
    def first(predicate: str) -> str | None:
        for t in triples:
            if t.predicate.value == predicate:
                return t.object.value
        return None

    return Passage(
        iri=node.value,
        label=labels.get(node.value),
        quote=first(str(SG.quote)),
        version=first(str(SG.inVersion)),
        start=first(str(SG.startOffset)),
        end=first(str(SG.endOffset)),
    )


def _value(term: NativeTerm) -> str:
    return term.value if hasattr(term, "value") else str(term)
