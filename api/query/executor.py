"""Run SPARQL queries in worker processes, with a hard deadline, behind one small interface.

The HTTP layer only ever calls ``await executor.execute(request)``: a
:class:`QueryRequest` (the query, its dataset, what the client accepts) goes in, a
:class:`QueryResponse` (bytes in the negotiated format) comes out.

:class:`ProcessQueryExecutor` keeps a pool of worker processes (:mod:`api.query.worker`),
each with its own store built by a picklable factory. Per query:

1. an idle worker is taken, the one freed last: its caches are still warm, so small
   queries take about a fifth less time end to end than with workers taken in turn
   (``tests/benchmarks/test_speedups_bench.py``); when all are busy the request waits
   in a short queue, and when the queue is full it is refused at once
   (:class:`QueueFull`, HTTP 429);
2. the request goes down the worker's pipe, and the event loop waits for the pipe to
   become readable (no thread hop), at most ``timeout`` seconds. The worker checks the
   query first (:func:`api.sparql.guard.check_query`: updates, SERVICE, graphs outside
   the dataset, too deep a nesting are refused before its engine sees them), then runs
   what the checks approved; a long query's parse thus takes a worker's time, under
   the same deadline, never the event loop's;
3. past the deadline the worker is killed (SIGKILL: a process stops, a thread would
   not), a new one is started in the background, and the client gets
   :class:`QueryTimeout` (HTTP 503). Other queries go on in the other workers.

A worker whose request did not end normally (deadline, cancelled request, broken pipe)
is never reused: its pipe might still hold a late answer for somebody else. A worker
found dead (killed from outside while idle) is replaced, and a query it lost without
an answer is sent once more, to another worker.

Why not a library's pool: ``pebble``'s process pool has the per-task timeout and the
restart, and its initializer could leave the network before any thread starts, but every
answer reaches the event loop through pebble's manager thread. Measured with the same
workers doing the same work, its hop is 0.44 ms for ``ASK {}`` where this pool's is
0.14 to 0.17 ms: 0.3 ms more on every query, whose whole round trip through sgkg takes
0.6 to 1 ms (``tests/benchmarks/test_speedups_bench.py``). Here the event loop waits on
the worker's pipe itself, and can choose the warm worker.
"""

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import api
from api.core.errors import SgkgError
from api.formats.wire_formats import GRAPH, WIRE_FORMATS, WireFormat
from api.query.relay import RemoteRelay
from api.query.work import Answer, Failure, QueryFailed, QueryRequest, QueryRules, failure_error
from api.query.worker import ISOLATED, StoreFactory, WorkerBroken, WorkerReady, WorkerSetup
from api.sparql.guard import QueryRefused, UpdateRefused
from api.store.remote import StoreUnavailable

__all__ = [
    "NoWorker",
    "ProcessQueryExecutor",
    "QueryExecutor",
    "QueryFailed",
    "QueryRefused",
    "QueryRequest",
    "QueryResponse",
    "QueryTimeout",
    "QueueFull",
    "StoreUnreachable",
    "UpdateRefused",
]

log = logging.getLogger("sgkg")

#: Seconds a new worker may take to load its store before it is given up.
WORKER_START_SECONDS = 300.0
#: Seconds to wait before trying again when a replacement worker fails to start.
RESTART_PAUSE_SECONDS = 1.0


class QueryTimeout(SgkgError):
    """The query ran longer than the server allows (HTTP 503); its worker was killed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"the query ran longer than the limit of {seconds:g} s and was stopped; "
            "simplify it (fewer unbound patterns, a LIMIT) or ask for less"
        )


class QueueFull(SgkgError):
    """Every worker is busy and the queue is full (HTTP 429, with Retry-After)."""

    retry_after = 1

    def __init__(self, workers: int, queue: int) -> None:
        super().__init__(
            f"the server is busy: all {workers} query workers are running and {queue} "
            f"requests are waiting; try again in {self.retry_after} s"
        )


class NoWorker(SgkgError):
    """No worker became free in time, or the pool is shutting down (HTTP 503)."""

    retry_after = 2


class StoreUnreachable(NoWorker):
    """The store behind the workers (a remote SPARQL endpoint) did not answer, or failed:
    HTTP 503 with Retry-After, like :class:`NoWorker`, since the query may work later."""


@dataclass(frozen=True)
class QueryResponse:
    """A serialised answer."""

    body: bytes
    format: WireFormat
    #: ``solutions``, ``boolean`` or ``graph`` (see :mod:`api.formats.wire_formats`)
    kind: str
    #: number of triples for graph results, else None
    triple_count: int | None
    #: rows (SELECT) or triples written; None for ASK
    count: int | None = None
    #: whether the answer was cut, at the row or the byte limit
    truncated: bool = False
    #: whether it was the byte limit that cut it
    byte_limited: bool = False


class QueryExecutor(Protocol):
    """What the HTTP layer needs to run queries."""

    async def execute(self, request: QueryRequest) -> QueryResponse:
        """Check, run and serialise one query. Raises :class:`UpdateRefused`,
        :class:`QueryRefused`, :class:`api.store.base.QuerySyntaxError`,
        :class:`api.formats.negotiation.NotAcceptable`,
        :class:`api.core.errors.SgkgError` (bad dataset),
        :class:`QueryTimeout`, :class:`QueueFull`, :class:`NoWorker` or
        :class:`QueryFailed`."""
        ...

    def status(self) -> dict[str, Any]:
        """Figures for ``/health``."""
        ...

    def close(self) -> None:
        """Stop the workers (queries still running are abandoned)."""
        ...


@dataclass(frozen=True)
class PoolLimits:
    """The pool's size and limits (from :class:`api.server.settings.Settings`)."""

    workers: int
    timeout: float
    queue: int
    max_rows: int
    #: bytes an answer may have (more rows are cut)
    max_bytes: int = 50_000_000


class _Worker:
    """The server's handle on one worker process."""

    def __init__(self, process: subprocess.Popen[bytes], connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.ready: WorkerReady | None = None
        self._killing = threading.Lock()

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL, then reap the process and close the pipe (blocks briefly). Safe to
        call twice, from two threads: the pipe's descriptor is closed once, never a
        number the system may meanwhile have given to another file."""
        with self._killing:
            if self.process.poll() is None:
                self.process.kill()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # unkillable (D state): nothing more to do
                log.error("sgkg: query worker %d did not exit after SIGKILL", self.pid)
            if not self.connection.closed:
                self.connection.close()


def launch_worker(setup: WorkerSetup) -> _Worker:
    """Start a worker process and send it its setup (does not wait for it)."""
    ours, theirs = socket.socketpair()
    package_parent = str(Path(api.__file__).resolve().parent.parent)
    python_path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
    with theirs:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.query.worker", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": python_path},
        )
    worker = _Worker(process, Connection(ours.detach()))
    worker.connection.send(setup)
    return worker


def wait_until_ready(worker: _Worker, seconds: float = WORKER_START_SECONDS) -> _Worker:
    """Block until the worker has loaded its store. Raises SgkgError if it cannot."""
    try:
        if not worker.connection.poll(seconds):
            raise SgkgError(f"a query worker did not load its store within {seconds:g} s")
        message = worker.connection.recv()
    except (EOFError, OSError):
        worker.kill()
        raise SgkgError(
            f"a query worker exited while starting (exit code {worker.process.returncode})"
        ) from None
    except SgkgError:
        worker.kill()
        raise
    if isinstance(message, WorkerBroken):
        worker.kill()
        raise SgkgError(message.reason)
    worker.ready = message
    return worker


class ProcessQueryExecutor:
    """A pool of query worker processes with a hard deadline per query."""

    def __init__(self, factory: StoreFactory, graphs: frozenset[str], limits: PoolLimits) -> None:
        self._factory = factory
        self.limits = limits
        rules = QueryRules(frozenset(graphs), limits.max_rows, limits.max_bytes)
        #: a store reached over the network (its location is its URL): the workers, cut off
        #: from the network, reach it through this process
        self._relay: RemoteRelay | None = None
        relay = None
        if factory.needs_network:
            self._relay = RemoteRelay(factory.location(), limits.timeout)
            relay = (self._relay.path, factory.location())
        self._setup = WorkerSetup(factory, rules, relay)
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()  # _workers is changed by restart threads too
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        #: launched, not yet waited for (between :meth:`launch` and :meth:`wait_for_first`)
        self._launched: list[_Worker] = []
        #: launched and being waited for by the thread that starts the rest of the pool
        self._starting: list[_Worker] = []
        self.timeouts = 0
        self.restarts = 0

    # --- life ---------------------------------------------------------------------------

    def start(self) -> "ProcessQueryExecutor":
        """Start the workers; return once the first has loaded its store (blocking)."""
        return self.launch().wait_for_first()

    def launch(self) -> "ProcessQueryExecutor":
        """Start the first worker process (does not wait: it loads its store meanwhile)."""
        self._launched = [launch_worker(self._setup)]
        return self

    def wait_for_first(self) -> "ProcessQueryExecutor":
        """Block until the first worker has loaded its store, then start the others.

        Queries are answered from then on; the other workers start in the background
        and join the pool as they become ready. Started together, they would compete
        for the cores with the first one (and the server's own loading), so the time
        to the first answer would grow with the number of workers."""
        launched, self._launched = self._launched, []
        try:
            first = wait_until_ready(launched[0])
        except SgkgError:
            launched[0].kill()
            raise
        with self._lock:
            self._workers.add(first)
            self._idle.append(first)
        threading.Thread(target=self._start_others, name="sgkg-worker-start", daemon=True).start()
        return self

    def _start_others(self) -> None:
        """Start the rest of the pool, all at once, and add each worker once it is ready."""
        launched: list[_Worker] = []
        with self._lock:
            if self._closed:
                return
            for _ in range(self.limits.workers - 1):
                launched.append(launch_worker(self._setup))
            self._starting = list(launched)  # emptied as they get ready; ``launched`` is not
        for worker in launched:
            try:
                ready: _Worker | None = wait_until_ready(worker)
            except SgkgError as error:
                if self._closed:  # stopped by close() while it started: no failure
                    continue
                log.error("sgkg: a query worker failed to start: %s", error)
                ready = self._start_replacement()
            with self._lock:
                if worker in self._starting:
                    self._starting.remove(worker)
            if ready is not None:
                self._adopt(ready)

    def close(self) -> None:
        """Kill every worker; requests still waiting get :class:`NoWorker`. Thread-safe.

        A worker another thread is waiting for is only sent SIGKILL: that thread reads
        its pipe, so it reaps the worker and closes the pipe (a descriptor closed under
        a thread that reads it may be reused for another file before the read)."""
        self._closed = True
        with self._lock:
            workers = [*self._workers, *self._launched]
            starting = self._starting
            self._workers.clear()
            self._launched, self._starting = [], []
        for worker in starting:
            worker.process.kill()
        for worker in workers:
            worker.kill()
        if self._relay is not None:
            self._relay.close()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._fail_waiters)

    def _fail_waiters(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(NoWorker("the query workers are shutting down; try again"))
        self._idle.clear()

    def status(self) -> dict[str, Any]:
        self._replace_dead_idle()
        with self._lock:
            workers = list(self._workers)
        networks = {w.ready.network for w in workers if w.ready is not None}
        return {
            "workers": self.limits.workers,
            "running": len(workers),
            "idle": len(self._idle),
            "waiting": len(self._waiters),
            "timeout_s": self.limits.timeout,
            "queue": self.limits.queue,
            "max_rows": self.limits.max_rows,
            "max_bytes": self.limits.max_bytes,
            "timeouts": self.timeouts,
            "restarts": self.restarts,
            "pids": sorted(w.pid for w in workers),
            "network": ISOLATED if networks == {ISOLATED} else "; ".join(sorted(networks)),
        }

    # --- queries ------------------------------------------------------------------------

    async def execute(self, request: QueryRequest) -> QueryResponse:
        if self._loop is None:
            with self._lock:  # see _adopt: a worker joining now must not be missed
                self._loop = asyncio.get_running_loop()
        reply = await self._answer(request, tries=2)
        if isinstance(reply, Failure):
            error = failure_error(reply)
            if isinstance(error, StoreUnavailable):
                raise StoreUnreachable(str(error))
            raise error
        return _response(reply)

    async def _answer(self, request: QueryRequest, tries: int) -> Answer | Failure:
        """The worker's reply; a query lost with its worker (killed from outside, say)
        goes to another worker, ``tries`` times in all."""
        worker = await self._acquire()
        try:
            reply = await self._ask(worker, request)
        except TimeoutError:
            self.timeouts += 1
            self._replace(worker, "ran past the time limit")
            raise QueryTimeout(self.limits.timeout) from None
        except (EOFError, OSError) as error:
            self._replace(worker, f"stopped unexpectedly ({error!r})")
            if tries > 1:
                return await self._answer(request, tries - 1)
            raise QueryFailed(
                "the query worker stopped while running this query; it has been replaced"
            ) from None
        except BaseException:  # cancelled: the worker may still answer, to nobody
            self._replace(worker, "its request was cancelled")
            raise
        self._release(worker)
        return reply

    async def _acquire(self) -> _Worker:
        """A free worker that is alive (one killed while idle is replaced, not used)."""
        while True:
            worker = await self._free_worker()
            if worker.process.poll() is None:
                return worker
            self._replace(worker, "had exited while idle")

    def _replace_dead_idle(self) -> None:
        """Replace the idle workers that have exited (killed from outside, say), so that
        ``/health`` counts only live ones."""
        with self._lock:
            dead = [worker for worker in self._idle if worker.process.poll() is not None]
            for worker in dead:
                self._idle.remove(worker)
        for worker in dead:
            self._replace(worker, "had exited while idle")

    async def _free_worker(self) -> _Worker:
        if self._idle:
            return self._idle.pop()
        if self._closed:
            raise NoWorker("the query workers are shutting down; try again")
        if len(self._waiters) >= self.limits.queue:
            raise QueueFull(self.limits.workers, len(self._waiters))
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.limits.timeout):
                return await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # handed over just as time ran out
            raise NoWorker(
                f"no query worker became free within {self.limits.timeout:g} s; try again"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def _ask(self, worker: _Worker, request: QueryRequest) -> Answer | Failure:
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        descriptor = worker.connection.fileno()
        worker.connection.send(request)
        loop.add_reader(descriptor, _resolve, readable)
        try:
            async with asyncio.timeout(self.limits.timeout):
                await readable
        finally:
            loop.remove_reader(descriptor)
            # the event loop (uvloop) made the pipe non-blocking to watch it; reading a
            # large answer needs it blocking again (the worker is writing it right now)
            os.set_blocking(descriptor, True)
        return worker.connection.recv()

    def _release(self, worker: _Worker) -> None:
        """Hand a free worker to the first request waiting, or put it back."""
        if self._closed:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    # --- replacing a worker -------------------------------------------------------------

    def _replace(self, worker: _Worker, why: str) -> None:
        """Kill the worker now; start its successor in a background thread."""
        log.warning("sgkg: query worker %d %s; killing it and starting another", worker.pid, why)
        with self._lock:
            self._workers.discard(worker)
        worker.process.kill()
        threading.Thread(
            target=self._restart, args=(worker,), name="sgkg-worker-restart", daemon=True
        ).start()

    def _restart(self, old: _Worker) -> None:
        old.kill()  # reap it, so no process is left behind
        worker = self._start_replacement()
        if worker is not None and self._adopt(worker):
            with self._lock:
                self.restarts += 1

    def _adopt(self, worker: _Worker) -> bool:
        """Add a ready worker to the pool (from a background thread). Before the first
        query there is no event loop yet and nobody waits: it goes straight to the idle
        workers (under the lock :meth:`execute` takes to set the loop, so it cannot
        slip between the two)."""
        with self._lock:
            loop = self._loop
            adopted = not self._closed and (loop is None or not loop.is_closed())
            if adopted:
                self._workers.add(worker)
                if loop is None:
                    self._idle.append(worker)
        if not adopted:
            worker.kill()
            return False
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._release, worker)
            except RuntimeError:  # the event loop closed meanwhile: the server is stopping
                worker.kill()
                return False
        return True

    def _start_replacement(self) -> _Worker | None:
        """A new, ready worker; tries again (after a pause) until it works or the pool closes."""
        while not self._closed:
            try:
                return wait_until_ready(launch_worker(self._setup))
            except SgkgError as error:
                log.error("sgkg: a replacement query worker failed to start: %s", error)
                time.sleep(RESTART_PAUSE_SECONDS)
        return None


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _response(answer: Answer) -> QueryResponse:
    return QueryResponse(
        body=answer.body,
        format=WIRE_FORMATS[answer.format_name],
        kind=answer.kind,
        triple_count=answer.count if answer.kind == GRAPH else None,
        count=answer.count,
        truncated=answer.truncated,
        byte_limited=answer.byte_limited,
    )
