"""What the endpoint refuses to run, and why: its rules, checked before any engine works.

- **SPARQL Update** (INSERT, DELETE, LOAD, CLEAR...): the graph is built from the
  repository's files, never changed over HTTP (403, read-only). ``LOAD`` would also make
  the server fetch a URL.
- **SERVICE**: pyoxigraph would send an HTTP request to whatever IRI a query names
  (a server on the local network, a cloud metadata address...). Refused (400).
- **FROM / FROM NAMED and the protocol's ``default-graph-uri`` / ``named-graph-uri``**
  may name only the dataset's own graphs (``https://w3id.org/sgkg/graph/...``): an engine
  that loads what FROM names (rdflib does) would otherwise fetch URLs or open local
  ``file:`` IRIs. Refused (400), listing the graphs one may name.

The checks read the query's tokens (:mod:`api.sparql_lexer`), not its raw text; they
run in the server process on every request, before a worker is asked.
"""

from collections.abc import Iterable

from api.errors import SgkgError
from api.sparql_lexer import QueryShape, inspect_query

READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update is refused. The graph is built "
    "from the files of the repository (`sgkg build`), never changed over HTTP."
)


class QueryRefused(SgkgError):
    """A query this endpoint will not run (HTTP 400): it would reach outside the dataset."""


class UpdateRefused(SgkgError):
    """SPARQL Update sent to a read-only endpoint (HTTP 403)."""

    def __init__(self, operation: str | None = None) -> None:
        what = f" ({operation})" if operation else ""
        super().__init__(f"{READ_ONLY} This request is an update{what}.")


def check_query(
    sparql: str,
    graphs: Iterable[str],
    *,
    default_graph_uris: Iterable[str] = (),
    named_graph_uris: Iterable[str] = (),
) -> QueryShape:
    """Refuse what the endpoint does not run; return what was read of the query.

    ``graphs`` are the IRIs of the dataset's named graphs, the only ones a query or the
    protocol's dataset parameters may name. Raises :class:`UpdateRefused` or
    :class:`QueryRefused`.
    """
    shape = inspect_query(sparql)
    if shape.is_update:
        raise UpdateRefused(shape.form)
    if shape.services:
        written, position = shape.services[0]
        hint = ""
        if written.upper() != "SERVICE":
            hint = (
                f" (the query engine reads {written!r} as the keyword SERVICE; if it is a "
                "prefix of yours, give it another name)"
            )
        raise QueryRefused(
            f"federated queries are not run by this endpoint: SERVICE at {position}{hint}. "
            "The server sends no requests to other servers; query this dataset's graphs."
        )
    allowed = frozenset(graphs)
    for clause in shape.dataset:
        if clause.iri not in allowed:
            raise QueryRefused(
                f"{clause.keyword} {clause.written} at {clause.position} names a graph outside "
                f"this dataset; the server neither fetches URLs nor opens files for a query. "
                f"{_graph_list(allowed)}"
            )
    for parameter, values in (
        ("default-graph-uri", default_graph_uris),
        ("named-graph-uri", named_graph_uris),
    ):
        for value in values:
            if value not in allowed:
                raise QueryRefused(
                    f"{parameter}={value} is not a graph of this dataset; the server neither "
                    f"fetches URLs nor opens files for a query. {_graph_list(allowed)}"
                )
    return shape


def _graph_list(allowed: frozenset[str]) -> str:
    return "The graphs you may name: " + ", ".join(f"<{iri}>" for iri in sorted(allowed)) + "."
