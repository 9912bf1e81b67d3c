"""The IRIs of sgkg and the standard vocabularies it uses, in one place.

Every module that writes or prints RDF binds the same prefixes through
:func:`bind_prefixes`, so Turtle, TriG, JSON-LD and the text reports all show the same
compact IRIs (``sg:Mechanism``, ``skos:definition``) whichever module produced them.
"""

from collections.abc import Mapping

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

#: The ontology document IRI (no trailing ``#``): the subject of the ontology header.
ONTOLOGY_IRI = "https://w3id.org/sgkg/ontology"

#: Ontology terms: classes and properties, ``sg:Mechanism``.
SG = Namespace(ONTOLOGY_IRI + "#")
#: Instances: ``https://w3id.org/sgkg/id/{kind}/{slug}``.
ID = Namespace("https://w3id.org/sgkg/id/")
#: Named graphs: ``https://w3id.org/sgkg/graph/{name}``.
GRAPH = Namespace("https://w3id.org/sgkg/graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
OA = Namespace("http://www.w3.org/ns/oa#")
VANN = Namespace("http://purl.org/vocab/vann/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")

#: prefix -> namespace, in the order they are bound and printed.
PREFIXES: dict[str, Namespace] = {
    "sg": SG,
    "sgid": ID,
    "sggraph": GRAPH,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "org": ORG,
    "time": TIME,
    "oa": OA,
    "vann": VANN,
    "sh": Namespace(str(SH)),
    "void": Namespace(str(VOID)),
    "dcat": Namespace(str(DCAT)),
    "sd": SD,
    "wd": WD,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the sgkg prefixes on ``graph`` (a Graph or a Dataset) and return it.

    ``replace=True`` makes our prefixes win over rdflib's defaults and over whatever a
    parsed file happened to declare, so output is the same whatever the input spelling.
    """
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def compact(iri: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Return ``prefix:local`` for an IRI in a known namespace, else ``<iri>``.

    ``prefixes`` (prefix -> namespace IRI) adds to the sgkg prefixes, e.g. those the
    input files declare. For people only (reports, tables): ``sgid:party/france`` is
    readable but is not a valid Turtle prefixed name, so never feed the result back to a
    Turtle parser.
    """
    candidates = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    for prefix, namespace in (prefixes or {}).items():
        if prefix and namespace not in candidates.values():
            candidates.setdefault(prefix, namespace)
    return prefixed_name(iri, candidates) or f"<{iri}>"


def prefixed_name(iri: str, prefixes: Mapping[str, str]) -> str | None:
    """``prefix:local`` for ``iri`` by the longest namespace of ``prefixes`` (prefix ->
    namespace IRI) that holds it, or None if none does or the rest would not read as a
    name (empty, or with characters other than letters, digits and ``-_./``).

    The name expands back to ``iri`` wherever the prefix is declared: in a JSON-LD
    context (:mod:`api.formats.jsonld`), in a table a person reads."""
    best: tuple[str, str] | None = None
    for prefix, namespace in prefixes.items():
        matches = iri.startswith(namespace) and _readable_local(iri[len(namespace) :])
        if matches and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best is None:
        return None
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _readable_local(local: str) -> bool:
    if not local or local.endswith(".") or local.startswith("/"):
        return False
    return all(ch.isalnum() or ch in "-_./" for ch in local)
