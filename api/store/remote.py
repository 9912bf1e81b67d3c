"""A remote store: any SPARQL 1.1 endpoint, queried with SPARQLWrapper.

For deployments that outgrow one process: the graph lives in a triple store of its own
(Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever), loaded with ``sgkg publish``
(:mod:`api.build.publish`), and sgkg's endpoint and CLI send every query there. Answers come
back as pyoxigraph's own result objects, so the rest of sgkg (row limits, every wire
format, the CLI's tables) treats them exactly like the embedded store's.

The dataset. sgkg's rule is "the default graph is the union of the named graphs"; a
remote store's default graph often is not (Fuseki and GraphDB keep a separate default
graph; Oxigraph's ``--union-default-graph`` flag would also override a query's own
``FROM``). So the dataset is sent explicitly with the SPARQL Protocol's
``default-graph-uri`` and ``named-graph-uri`` parameters, listing sgkg's named graphs,
unless the query names its own (``FROM``) or the caller gave one. Any SPARQL 1.1
endpoint honours these; no server-side setting is needed.

Syntax errors are found before anything is sent, by sgkg's own SPARQL parser
(:func:`api.sparql.guard.normal_form`), which reads the query and runs nothing; they
carry the line and column of the client's text. The remote is sent the parser's normal
form of the query: the tokens that parser accepted, written so that any SPARQL 1.1
engine reads the same ones. A remote that cannot be reached, or answers with a server
error, raises :class:`StoreUnavailable`; one that refuses the query (HTTP 400),
:class:`RemoteRefused`.
"""

import urllib.error
from collections.abc import Sequence

import pyoxigraph as ox

from api.core.errors import EXIT_FAILED, SgkgError
from api.sparql.guard import normal_form
from api.sparql.parser import QueryShape
from api.store.base import NativeResult, Store

#: Media types asked of the remote, best first: results for SELECT/ASK, RDF for graphs.
ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)
_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
#: How much of a remote's error body a message quotes.
_QUOTED = 300


class StoreUnavailable(SgkgError):
    """The remote store could not be reached, timed out, or failed (HTTP 5xx)."""

    exit_code = EXIT_FAILED


class RemoteRefused(SgkgError):
    """The remote store refused a query sgkg's own parser accepted (HTTP 4xx)."""


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint as a :class:`api.store.base.Store`."""

    def __init__(self, url: str, graphs: Sequence[str], timeout: float) -> None:
        self.url = url
        self.graphs = tuple(graphs)
        self.timeout = timeout

    def query_native(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        shape: QueryShape | None = None,
        interpretations: Sequence[str] = (),
    ) -> NativeResult:
        if shape is None or not shape.normalised:  # not parsed yet: parse, run nothing
            checked = normal_form(sparql)
            sparql, shape = checked.text, checked.shape
        no_dataset = default_graph_uris is None and named_graph_uris is None
        if no_dataset and not shape.dataset:  # the union, said explicitly
            default_graph_uris = named_graph_uris = (*self.graphs, *interpretations)
        body, media_type = self._send(
            sparql, shape, default_graph_uris or (), named_graph_uris or ()
        )
        return _parse_answer(body, media_type, self.url)

    def quad_count(self) -> int:
        raw = self.query_native(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            default_graph_uris=(),
            named_graph_uris=self.graphs,
        )
        solution = next(iter(raw))  # type: ignore[arg-type]
        return int(solution["n"].value)

    def _send(
        self,
        sparql: str,
        shape: QueryShape,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
    ) -> tuple[bytes, str]:
        from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        wrapper = SPARQLWrapper(self.url)
        wrapper.setMethod(POST)  # long queries and many graphs do not fit in a URL
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form with a regular expression that a word in a
        # comment can fool (an ASK whose comment says "adds" went out as an update);
        # sgkg's parser has read the form, and accepted the text as a query.
        wrapper.queryType = shape.form or wrapper.queryType
        wrapper.setTimeout(self.timeout)
        wrapper.addCustomHttpHeader("Accept", ACCEPT)
        for iri in default_graphs:
            wrapper.addDefaultGraph(iri)
        for iri in named_graphs:
            wrapper.addNamedGraph(iri)
        where = f"the remote store at {self.url}"
        try:
            response = wrapper.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except SPARQLWrapperException as error:
            status = type(error).__name__
            text = _quote(getattr(error, "msg", "") or str(error))
            if status in ("QueryBadFormed", "URITooLong"):
                raise RemoteRefused(f"{where} refused the query: {text}") from None
            raise StoreUnavailable(f"{where} failed ({status}): {text}") from None
        except urllib.error.HTTPError as error:
            text = _quote(error.read().decode("utf-8", "replace"))
            if 400 <= error.code < 500:
                message = f"{where} refused the query (HTTP {error.code}): {text}"
                raise RemoteRefused(message) from None
            raise StoreUnavailable(f"{where} failed (HTTP {error.code}): {text}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(error, TimeoutError) or isinstance(reason, TimeoutError):
                raise StoreUnavailable(
                    f"{where} did not answer within {self.timeout:g} s; is it overloaded?"
                ) from None
            raise StoreUnavailable(
                f"{where} cannot be reached ({reason}); is it running, and is the URL its "
                "SPARQL query endpoint?"
            ) from None


def _parse_answer(body: bytes, content_type: str, url: str) -> NativeResult:
    """The remote's answer as pyoxigraph's result: solutions, a boolean or triples."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        if media_type in _RESULTS_FORMATS:
            return ox.parse_query_results(body, format=_RESULTS_FORMATS[media_type])
        if media_type in _RDF_FORMATS:
            # a scratch store turns the triples into pyoxigraph's own graph result
            scratch = ox.Store()
            scratch.load(body, format=_RDF_FORMATS[media_type], to_graph=ox.DefaultGraph())
            return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    except (SyntaxError, ValueError) as error:
        message = f"the remote store at {url} sent an unreadable answer: {error}"
        raise StoreUnavailable(message) from None
    raise StoreUnavailable(
        f"the remote store at {url} answered in {media_type or 'no stated format'}, which "
        "sgkg does not read; is the URL a SPARQL query endpoint?"
    )


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTED else text[:_QUOTED] + "..."
