"""One query's work, as a query worker does it: check, run, negotiate, write at most N rows.

The endpoint's checks (:func:`api.sparql.guard.check_query`) run here first, in the
worker process: a long query's parse then takes a worker's time, bounded by its
deadline, never the server's event loop; the engine runs the text the checks approved.

Everything here is a plain function of picklable values, so it runs the same in the
worker processes of :mod:`api.query.executor` as anywhere else: a :class:`QueryRequest` goes
in, an :class:`Answer` (bytes in the negotiated format) or a :class:`Failure` (what went
wrong, in words and fields) comes out. Neither carries a pyoxigraph object, since those
cannot be pickled.

The row limit. pyoxigraph writes results straight to bytes, but has no "first N rows".
So a SELECT result is written as SPARQL TSV (one line per row) into a sink that stops
the writer after N + 1 rows, which keeps memory bounded however large the result; the
TSV is then cut at N rows and, for other formats, read back and written in the format
asked for, all by pyoxigraph. Graph results are lists of triples, cut in Python.

The byte limit. A few rows can be very large (long strings built by the query), so an
answer is also cut at ``max_bytes``: the TSV sink stops the writer there too, graph
results stop being collected there, and an answer still larger once written in the
format asked for loses rows until it fits.

A cut result says so: ``truncated`` (the ``X-Sgkg-Truncated`` header, with the limit
that cut it), and a comment in the formats that have comments (Turtle, N-Triples, TriG,
N-Quads, SPARQL XML).
"""

import contextlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from api.core.errors import SgkgError
from api.formats.negotiation import NotAcceptable, accepts_any, choose_format
from api.formats.wire_formats import (
    RDF_FORMATS,
    RESULT_FORMATS,
    WIRE_FORMATS,
    WireFormat,
    formats_for,
    result_kind,
    serialize_triples,
)
from api.sparql.guard import QueryRefused, UpdateRefused, check_query
from api.store.base import NativeResult, QuerySyntaxError, Store
from api.store.remote import RemoteRefused, StoreUnavailable

#: Syntaxes in which a line starting with ``#`` is a comment.
_HASH_COMMENTS = frozenset({"ttl", "nt", "trig", "nq"})
#: Bytes kept free under the byte limit for the comment that says an answer was cut.
_NOTE_ROOM = 200


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
    #: interpretation graphs to add to the default graph (none: a strict answer)
    interpretations: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryRules:
    """What every query a worker answers is held to (the server's settings)."""

    #: the dataset's named graphs: the only ones FROM and the protocol may name
    graphs: frozenset[str]
    #: rows (SELECT) or triples (CONSTRUCT, DESCRIBE) an answer may have
    max_rows: int
    #: bytes an answer may have
    max_bytes: int


@dataclass(frozen=True)
class Answer:
    """A written answer, as a worker sends it back."""

    body: bytes
    #: short name of the format (a key of :data:`api.formats.wire_formats.WIRE_FORMATS`)
    format_name: str
    #: ``solutions``, ``boolean`` or ``graph`` (see :mod:`api.formats.wire_formats`)
    kind: str
    #: rows (SELECT) or triples (CONSTRUCT, DESCRIBE) written; None for ASK
    count: int | None
    #: whether rows or triples were left out, at the row or the byte limit
    truncated: bool = False
    #: whether it was the byte limit that cut them
    byte_limited: bool = False


#: Failure kinds, each mapped to an exception by :func:`failure_error`.
SYNTAX = "syntax"
NOT_ACCEPTABLE = "not-acceptable"
BAD_DATASET = "bad-dataset"
ENGINE = "engine"
#: the store behind the worker (a remote endpoint) did not answer
UNAVAILABLE = "unavailable"
#: the endpoint's rules refuse the query (SERVICE, FROM outside, too deep)
REFUSED = "refused"
#: an update sent to the read-only endpoint; ``message`` names the operation
READ_ONLY = "read-only"


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


def answer_query(store: Store, request: QueryRequest, rules: QueryRules) -> Answer | Failure:
    """Check and run one query and write its answer; every expected failure becomes a
    Failure."""
    try:
        return run_query(store, request, rules)
    except UpdateRefused as error:
        return Failure(READ_ONLY, error.operation or "")
    except QueryRefused as error:
        return Failure(REFUSED, str(error))
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
    if failure.kind == REFUSED:
        return QueryRefused(failure.message)
    if failure.kind == READ_ONLY:
        return UpdateRefused(failure.message or None)
    return QueryFailed(f"the query failed while running: {failure.message}")


def run_query(store: Store, request: QueryRequest, rules: QueryRules) -> Answer:
    """Check one query, run what the checks approved, and write at most
    ``rules.max_rows`` rows (or triples) and ``rules.max_bytes`` bytes of its answer."""
    checked = check_query(
        request.sparql,
        rules.graphs,
        default_graph_uris=request.default_graph_uris or (),
        named_graph_uris=request.named_graph_uris or (),
    )
    refuse_unacceptable(request)
    try:
        raw = store.query_native(
            checked.text,
            default_graph_uris=request.default_graph_uris,
            named_graph_uris=request.named_graph_uris,
            shape=checked.shape,
            interpretations=request.interpretations,
        )
    except QuerySyntaxError as error:
        if not checked.shape.normalised:
            raise
        # the engine read the normal form: its line and column are not the client's
        raise QuerySyntaxError(error.reason) from None
    kind = result_kind(raw)
    fmt = choose_format(formats_for(kind), request.accept, request.format_names)
    return write_answer(raw, kind, fmt, rules.max_rows, rules.max_bytes, focus=request.focus)


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
    raw: NativeResult,
    kind: str,
    fmt: WireFormat,
    max_rows: int,
    max_bytes: int,
    *,
    focus: str | None = None,
) -> Answer:
    if isinstance(raw, ox.QueryBoolean):
        return Answer(raw.serialize(format=fmt.oxigraph), fmt.name, kind, None)
    if isinstance(raw, ox.QueryTriples):
        return _write_triples(raw, kind, fmt, max_rows, max_bytes, focus)
    return _write_solutions(raw, kind, fmt, max_rows, max_bytes)


def _write_triples(
    raw: ox.QueryTriples,
    kind: str,
    fmt: WireFormat,
    max_rows: int,
    max_bytes: int,
    focus: str | None,
) -> Answer:
    triples: list[ox.Triple] = []
    size = 0
    truncated = byte_limited = False
    for triple in raw:
        if len(triples) == max_rows:
            truncated = True
            break
        size += len(str(triple))  # its N-Triples line: about what any format spends on it
        if size > max_bytes:
            byte_limited = True
            break
        triples.append(triple)

    def write(count: int) -> bytes:
        return serialize_triples(triples[:count], fmt, focus=focus)

    return _finish(
        write, len(triples), kind, fmt, (truncated, byte_limited), "triples", max_rows, max_bytes
    )


class _EnoughRows(Exception):
    """Raised by the sink to stop pyoxigraph's writer once it has what is needed."""


class _RowSink(io.RawIOBase):
    """A binary sink for SPARQL TSV that stops the writer past ``max_lines`` lines or
    ``max_bytes`` bytes."""

    def __init__(self, max_lines: int, max_bytes: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.max_lines = max_lines
        self.max_bytes = max_bytes

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        self.size += len(data)
        if self.lines > self.max_lines or self.size > self.max_bytes:
            raise _EnoughRows
        return len(data)


def _write_solutions(
    raw: ox.QuerySolutions, kind: str, fmt: WireFormat, max_rows: int, max_bytes: int
) -> Answer:
    sink = _RowSink(max_lines=max_rows + 1, max_bytes=max_bytes)  # the header, then rows
    with contextlib.suppress(_EnoughRows):
        raw.serialize(sink, format=ox.QueryResultsFormat.TSV)
    tsv = b"".join(sink.chunks)
    byte_limited = len(tsv) > max_bytes
    if byte_limited:  # whole lines only, the header at least
        tsv = tsv[: max(tsv.rfind(b"\n", 0, max_bytes), tsv.find(b"\n")) + 1]
    ends = [match.end() for match in re.finditer(b"\n", tsv)]
    truncated = len(ends) > max_rows + 1
    del ends[max_rows + 1 :]

    def write(count: int) -> bytes:
        part = tsv[: ends[count]] if ends else tsv
        if fmt.name == "tsv":
            return part
        solutions = ox.parse_query_results(part, format=ox.QueryResultsFormat.TSV)
        return solutions.serialize(format=fmt.oxigraph)

    rows = max(len(ends) - 1, 0)
    return _finish(write, rows, kind, fmt, (truncated, byte_limited), "rows", max_rows, max_bytes)


def _finish(
    write: Callable[[int], bytes],
    count: int,
    kind: str,
    fmt: WireFormat,
    cut: tuple[bool, bool],
    unit: str,
    max_rows: int,
    max_bytes: int,
) -> Answer:
    """Write ``count`` rows (or triples) in the answer's format, fewer if the body would
    pass ``max_bytes``, and say so if anything was left out (``cut``: by the row
    limit, by the byte limit, so far)."""
    truncated, byte_limited = cut
    body = write(count)
    room = max_bytes - _NOTE_ROOM
    if len(body) > max_bytes or ((truncated or byte_limited) and len(body) > room):
        byte_limited = True
        while len(body) > room and count > 0:
            count = min(count - 1, int(count * room / len(body)))
            body = write(count)
    if byte_limited:
        body = _mark_truncated(body, fmt, f"{max_bytes} bytes")
    elif truncated:
        body = _mark_truncated(body, fmt, f"{max_rows} {unit}")
    return Answer(body, fmt.name, kind, count, truncated or byte_limited, byte_limited)


def _mark_truncated(body: bytes, fmt: WireFormat, limit: str) -> bytes:
    """A comment saying the answer was cut, where the syntax has comments."""
    note = f"truncated: the answer has more than the server's limit of {limit}"
    if fmt.name in _HASH_COMMENTS:
        return f"# {note}\n".encode() + body
    if fmt.name == "xml" and body.startswith(b"<?xml"):
        end = body.index(b"?>") + 2
        return body[:end] + f"<!-- {note} -->".encode() + body[end:]
    return body
