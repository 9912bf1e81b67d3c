"""``sgkg publish --to URL``: upload the build's named graphs to a triple store.

The SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT URL?graph=IRI`` per named graph,
with the graph as N-Triples, which replaces that graph on the server as a whole (so a
second publish after a rebuild leaves no stale triple behind, and the empty graph
``inferred`` of a build without reasoning is emptied too). The six sgkg graphs come
from ``sgkg.nq``, then each interpretation's graph from ``sgkg-interpretations.nq``
under its own name (the interpretation's IRI), so a remote store answers interpreted
queries as the embedded one does (:mod:`api.store.interpretations`). Graphs other than sgkg's
are left alone. ``URL`` is the store's Graph Store endpoint: for ``oxigraph serve``
``http://HOST:7878/store``, for Fuseki ``http://HOST:3030/DATASET/data``, for GraphDB
``http://HOST:7200/repositories/REPO/rdf-graphs/service``, for Virtuoso
``http://HOST:8890/sparql-graph-crud-auth`` (with credentials in the URL,
``http://user:password@host/...``). Then serve it with ``sgkg serve --store remote
--store-url QUERY-URL``.

Blank nodes are local to each uploaded graph (the protocol has no way to share them
between graphs); sgkg's graphs share none.
"""

from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from api.build.pipeline import NQUADS_FILE, read_manifest
from api.core.errors import EXIT_FAILED, SgkgError
from api.store.backends import check_http_url
from api.store.interpretations import INTERPRETATIONS_NQUADS_FILE, slug_of

N_TRIPLES = "application/n-triples"
#: Seconds to connect, and to send one graph and read the answer.
CONNECT_SECONDS = 10.0
UPLOAD_SECONDS = 600.0
_QUOTED = 300


class PublishFailed(SgkgError):
    """The store could not be reached or refused a graph (exit 1: the build is fine)."""

    exit_code = EXIT_FAILED


@dataclass(frozen=True)
class PublishedGraph:
    name: str
    iri: str
    triples: int
    status: int


def publish(build_dir: Path, url: str) -> list[PublishedGraph]:
    """PUT every named graph of the build in ``build_dir`` to the Graph Store at ``url``.

    Raises :class:`SgkgError` (exit 2) for a missing build or a URL that is not http(s),
    :class:`PublishFailed` (exit 1) when the store is unreachable or refuses a graph;
    graphs already sent stay sent, and the message says which ones."""
    check_http_url(url)
    manifest = read_manifest(build_dir)
    nquads = build_dir / NQUADS_FILE
    if manifest is None or not nquads.is_file():
        raise SgkgError(f"no build in {build_dir}; run `sgkg build` first")
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    readings = manifest.get("interpretation_graphs", {})
    if readings:
        interpretations = build_dir / INTERPRETATIONS_NQUADS_FILE
        if not interpretations.is_file():
            raise SgkgError(f"the build in {build_dir} lacks {interpretations.name}; rebuild it")
        store.bulk_load(path=str(interpretations), format=ox.RdfFormat.N_QUADS)
    graphs = [
        *(
            (name, str(graph["iri"]), int(graph.get("triples", 0)))
            for name, graph in manifest.get("graphs", {}).items()
        ),
        *((slug_of(iri), iri, int(triples)) for iri, triples in sorted(readings.items())),
    ]
    published: list[PublishedGraph] = []
    timeout = httpx.Timeout(UPLOAD_SECONDS, connect=CONNECT_SECONDS)
    with httpx.Client(timeout=timeout) as client:
        for name, iri, triples in graphs:
            body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
            status = _put(client, url, iri, body or b"", published)
            published.append(PublishedGraph(name, iri, triples, status))
    return published


def _put(client: httpx.Client, url: str, iri: str, body: bytes, done: list[PublishedGraph]) -> int:
    sent = f" (already sent: {', '.join(g.name for g in done)})" if done else ""
    try:
        answer = client.put(
            url, params={"graph": iri}, content=body, headers={"Content-Type": N_TRIPLES}
        )
    except httpx.TimeoutException:
        raise PublishFailed(
            f"the store at {url} did not answer in time while receiving <{iri}>{sent}"
        ) from None
    except httpx.HTTPError as error:
        raise PublishFailed(
            f"cannot reach the store at {url} ({error}); is it running, and is the URL "
            f"its Graph Store endpoint (oxigraph serve: /store)?{sent}"
        ) from None
    if not answer.is_success:
        text = " ".join(answer.text.split())
        text = text if len(text) <= _QUOTED else text[:_QUOTED] + "..."
        raise PublishFailed(
            f"the store at {url} refused <{iri}> with HTTP {answer.status_code} "
            f"{answer.reason_phrase}: {text or 'no explanation'}{sent}"
        )
    return answer.status_code
