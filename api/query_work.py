"""One query's work, as a query worker does it: run, negotiate, write at most N rows.

Everything here is a plain function of picklable values, so it runs the same in the
worker processes of :mod:`api.executor` as anywhere else: a :class:`QueryRequest` goes
in, an :class:`Answer` (bytes in the negotiated format) or a :class:`Failure` (what went
wrong, in words and fields) comes out. Neither carries a pyoxigraph object, since those
cannot be pickled.

The row limit. pyoxigraph writes results straight to bytes, but has no "first N rows".
So a SELECT result is written as SPARQL TSV (one line per row) into a sink that stops
the writer after N + 1 rows, which keeps memory bounded however large the result; the
TSV is then cut at N rows and, for other formats, read back and written in the format
asked for, all by pyoxigraph. Graph results are lists of triples, cut in Python.
A cut result says so: ``truncated`` (the ``X-Sgkg-Truncated`` header), and a comment in
the formats that have comments (Turtle, N-Triples, TriG, N-Quads, SPARQL XML).
"""

import contextlib
import io
import itertools
from dataclasses import dataclass

import pyoxigraph as ox

from api.errors import SgkgError
from api.negotiation import NotAcceptable, accepts_any, choose_format
from api.sparql_lexer import QueryShape
from api.store import NativeQueryStore, NativeResult, QuerySyntaxError
from api.store_remote import RemoteRefused, StoreUnavailable
from api.wire_formats import (
    RDF_FORMATS,
    RESULT_FORMATS,
    WIRE_FORMATS,
    WireFormat,
    formats_for,
    result_kind,
    serialize_triples,
)

#: Syntaxes in which a line starting with ``#`` is a comment.
_HASH_COMMENTS = frozenset({"ttl", "nt", "trig", "nq"})


@dataclass(frozen=True)
class QueryRequest:
    """A query to run and how its answer should be written."""

    sparql: str
    #: the protocol's ``default-graph-uri`` values; None when not given
    default_graph_uris: tuple[str, ...] | None = None
    #: the protocol's ``named-graph-uri`` values; None when not given
    named_graph_uris: tuple[str, ...] | None = None
    #: the client's Accept header
    accept: str | None = None
    #: ``format`` / ``output`` values, which override Accept
    format_names: tuple[str, ...] = ()
    #: for graph results, the IRI whose triples are written first (a description's)
    focus: str | None = None
    #: the query as the server's checks read it (:func:`api.query_guard.check_query`),
    #: so that the worker does not read it again; None: the store reads it if it must
    shape: QueryShape | None = None
    #: interpretation graphs to add to the default graph (none: a strict answer)
    interpretations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """A written answer, as a worker sends it back."""

    body: bytes
    #: short name of the format (a key of :data:`api.wire_formats.WIRE_FORMATS`)
    format_name: str
    #: ``solutions``, ``boolean`` or ``graph`` (see :mod:`api.wire_formats`)
    kind: str
    #: rows (SELECT) or triples (CONSTRUCT, DESCRIBE) written; None for ASK
    count: int | None
    #: whether rows or triples were left out at the row limit
    truncated: bool = False


#: Failure kinds, each mapped to an exception by :func:`failure_error`.
SYNTAX = "syntax"
NOT_ACCEPTABLE = "not-acceptable"
BAD_DATASET = "bad-dataset"
ENGINE = "engine"
#: the store behind the worker (a remote endpoint) did not answer
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Failure:
    """Why a query got no answer, in fields that survive pickling."""

    kind: str
    message: str
    line: int | None = None
    column: int | None = None
    #: for NOT_ACCEPTABLE: what the client asked for, and the formats on offer
    asked: str | None = None
    supported: tuple[str, ...] = ()


class QueryFailed(SgkgError):
    """The engine failed while evaluating a valid query (HTTP 500)."""


class BadDataset(SgkgError):
    """The protocol's dataset parameters are not IRIs (HTTP 400)."""


def answer_query(store: NativeQueryStore, request: QueryRequest, max_rows: int) -> Answer | Failure:
    """Run one query and write its answer; every expected failure becomes a Failure."""
    try:
        return run_query(store, request, max_rows)
    except QuerySyntaxError as error:
        return Failure(SYNTAX, error.reason, line=error.line, column=error.column)
    except NotAcceptable as error:
        names = tuple(fmt.name for fmt in error.supported)
        return Failure(NOT_ACCEPTABLE, str(error), asked=error.asked, supported=names)
    except StoreUnavailable as error:
        return Failure(UNAVAILABLE, str(error))
    except RemoteRefused as error:
        return Failure(ENGINE, str(error))
    except SgkgError as error:  # an invalid IRI in the dataset lists
        return Failure(BAD_DATASET, str(error))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # evaluation errors (OSError...), pyo3's PanicException
        return Failure(ENGINE, f"{type(error).__name__}: {error}")


def failure_error(failure: Failure) -> SgkgError:
    """The exception a Failure stands for, for the HTTP layer to answer."""
    if failure.kind == SYNTAX:
        return QuerySyntaxError(failure.message, line=failure.line, column=failure.column)
    if failure.kind == NOT_ACCEPTABLE:
        supported = [WIRE_FORMATS[name] for name in failure.supported]
        return NotAcceptable(failure.asked or "", supported)
    if failure.kind == BAD_DATASET:
        return BadDataset(failure.message)
    if failure.kind == UNAVAILABLE:
        return StoreUnavailable(failure.message)
    return QueryFailed(f"the query failed while running: {failure.message}")


def run_query(store: NativeQueryStore, request: QueryRequest, max_rows: int) -> Answer:
    """Run one query and write at most ``max_rows`` rows (or triples) of its answer."""
    refuse_unacceptable(request)
    raw = store.query_native(
        request.sparql,
        default_graph_uris=request.default_graph_uris,
        named_graph_uris=request.named_graph_uris,
        shape=request.shape,
        interpretations=request.interpretations,
    )
    kind = result_kind(raw)
    fmt = choose_format(formats_for(kind), request.accept, request.format_names)
    return write_answer(raw, kind, fmt, max_rows, focus=request.focus)


def refuse_unacceptable(request: QueryRequest) -> None:
    """Refuse before running when no result of any kind could be written as asked."""
    every_format = RESULT_FORMATS + RDF_FORMATS
    if request.format_names:
        named = any(fmt.is_named(v) for fmt in every_format for v in request.format_names)
        if not named:
            raise NotAcceptable(f"format={', '.join(request.format_names)}", every_format)
    elif not accepts_any(every_format, request.accept):
        raise NotAcceptable(f"Accept: {request.accept}", every_format)


def write_answer(
    raw: NativeResult, kind: str, fmt: WireFormat, max_rows: int, *, focus: str | None = None
) -> Answer:
    if isinstance(raw, ox.QueryBoolean):
        return Answer(raw.serialize(format=fmt.oxigraph), fmt.name, kind, None)
    if isinstance(raw, ox.QueryTriples):
        triples = list(itertools.islice(raw, max_rows + 1))
        truncated = len(triples) > max_rows
        del triples[max_rows:]
        body = serialize_triples(triples, fmt, focus=focus)
        if truncated:
            body = _mark_truncated(body, fmt, f"{max_rows} triples")
        return Answer(body, fmt.name, kind, len(triples), truncated)
    return _write_solutions(raw, kind, fmt, max_rows)


class _EnoughRows(Exception):
    """Raised by the sink to stop pyoxigraph's writer once it has what is needed."""


class _RowSink(io.RawIOBase):
    """A binary sink for SPARQL TSV that stops the writer after ``limit`` lines."""

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _EnoughRows
        return len(data)


def _write_solutions(raw: ox.QuerySolutions, kind: str, fmt: WireFormat, max_rows: int) -> Answer:
    sink = _RowSink(limit=max_rows + 1)  # the header line, then the rows
    with contextlib.suppress(_EnoughRows):
        raw.serialize(sink, format=ox.QueryResultsFormat.TSV)
    tsv = b"".join(sink.chunks)
    lines = tsv.split(b"\n", max_rows + 1)
    truncated = len(lines) > max_rows + 1 and lines[max_rows + 1] != b""
    if truncated:
        tsv = b"\n".join(lines[: max_rows + 1]) + b"\n"
    rows = max(tsv.count(b"\n") - 1, 0)
    if fmt.name == "tsv":
        body = tsv
    else:
        solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        body = solutions.serialize(format=fmt.oxigraph)
    if truncated:
        body = _mark_truncated(body, fmt, f"{max_rows} rows")
    return Answer(body, fmt.name, kind, rows, truncated)


def _mark_truncated(body: bytes, fmt: WireFormat, limit: str) -> bytes:
    """A comment saying the answer was cut, where the syntax has comments."""
    note = f"truncated: the answer has more than the server's limit of {limit}"
    if fmt.name in _HASH_COMMENTS:
        return f"# {note}\n".encode() + body
    if fmt.name == "xml" and body.startswith(b"<?xml"):
        end = body.index(b"?>") + 2
        return body[:end] + f"<!-- {note} -->".encode() + body[end:]
    return body
