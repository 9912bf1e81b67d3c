"""The canonical IRIs of sgkg and the local paths that serve them.

Every IRI sgkg mints starts with ``https://w3id.org/sgkg/``; a server maps its own base
URL onto that prefix, so ``GET /id/component/3`` describes
``https://w3id.org/sgkg/id/component/3``. RDF output always keeps the canonical IRIs;
HTML pages link to the local paths so a person browses the server they are on.
"""

from urllib.parse import quote

from api.core.namespaces import ID

#: The canonical base of every sgkg IRI.
BASE = "https://w3id.org/sgkg/"

SPARQL_PATH = "/sparql"
ONTOLOGY_PATH = "/ontology"
SHAPES_PATH = "/shapes"
VOID_PATH = "/void"
DOWNLOAD_PATH = "/download"
ID_PATH = "/id"
#: The reading room: the texts as documents, side by side, scenarios, the codebook.
READ_PATH = "/read"
COMPARE_PATH = "/compare"
SCENARIOS_PATH = "/scenarios"
CODEBOOK_PATH = "/codebook"
#: The pages' own stylesheet and scripts (``api/html/static/``).
STATIC_PATH = "/static"

#: The IRI of the shapes graph's header (an owl:Ontology) and prefix of its shapes.
SHAPES_IRI = BASE + "shapes"
#: The dataset as VoID and DCAT describe it, and its SPARQL endpoint.
DATASET_IRI = BASE + "void#sgkg"
SPARQL_IRI = BASE + "sparql"

#: Canonical prefixes this server answers for (anything else links to the web).
_SERVED = ("id/", "ontology", "shapes", "void", "sparql", "download/")


def canonical(path: str) -> str:
    """The canonical IRI of a local path: ``/id/component/3`` -> ``https://w3id.org/...``."""
    return BASE + path.lstrip("/")


def local_path(iri: str) -> str | None:
    """The local path that serves ``iri`` (fragment kept), or None if not ours."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if not rest.startswith(_SERVED):
        return None
    path, hash_mark, fragment = rest.partition("#")
    local = "/" + quote(path, safe="/-._~!$&'()*+,;=:@")
    return local + hash_mark + quote(fragment, safe="-._~") if hash_mark else local


def instance_iri(path: str) -> str:
    """The IRI of the instance at ``/id/{path}``."""
    return str(ID) + path
