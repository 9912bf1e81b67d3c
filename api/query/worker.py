"""A query worker: a process of its own that holds a store and answers queries on a pipe.

The server (:mod:`api.query.executor`) starts each worker as ``python -m api.query.worker FD``
with one end of a socket pair as file descriptor FD, and talks to it with
:class:`multiprocessing.connection.Connection` (pickled messages, framed):

1. the server sends a :class:`WorkerSetup`: the store factory and the rules every query
   is held to (:class:`~api.query.work.QueryRules`: the dataset's graphs, the limits);
2. the worker builds its store and answers :class:`WorkerReady` (or
   :class:`WorkerBroken` with the reason, and exits);
3. then, for ever: a :class:`~api.query.work.QueryRequest` in, an
   :class:`~api.query.work.Answer` or :class:`~api.query.work.Failure` out.

A worker is a process, not a thread, so that a runaway query can really be stopped:
the server kills it (SIGKILL) at the deadline and starts another. The worker exits when
the server closes the pipe, and a watchdog thread ends it if the server process dies
while a long query runs.

Once it has its setup, before it starts any thread, the worker moves into a network
namespace of its own, with no interface but a loopback that is down (Linux, when
permitted: root, or unprivileged user namespaces): a query that slipped past the
checks still could not reach any address. Whether that worked is reported in
``WorkerReady.network`` (``/health`` shows it). Workers of a remote store
(:mod:`api.store.remote`) are cut off too: their store's client reaches the remote
through the server's relay (:mod:`api.query.relay`), to that one address only.
Started as a separate interpreter (not ``multiprocessing``'s spawn), the worker imports
only what it needs, not the server's main module.
"""

import ctypes
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from api.query.relay import route_through_relay
from api.query.work import QueryRequest, QueryRules, answer_query
from api.sparql.grammar import build_parser
from api.store.backends import NQuadsStoreFactory, StoreFactory

__all__ = ["NQuadsStoreFactory", "StoreFactory", "WorkerBroken", "WorkerReady", "WorkerSetup"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
ISOLATED = "isolated"


@dataclass(frozen=True)
class WorkerSetup:
    factory: StoreFactory
    rules: QueryRules
    #: for a store reached over the network: the server's relay to it (a Unix socket)
    #: and the store's URL, the one address the relay joins
    relay: tuple[str, str] | None = None


@dataclass(frozen=True)
class WorkerReady:
    pid: int
    #: ``isolated``, or why the worker could not leave the network
    network: str
    load_seconds: float


@dataclass(frozen=True)
class WorkerBroken:
    reason: str


def isolate_network() -> str:
    """Move this process into a new, empty network namespace. Returns ISOLATED or why not."""
    if not sys.platform.startswith("linux"):
        return f"not isolated: no network namespaces on {sys.platform}"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNET) == 0:
            return ISOLATED
        # without privileges, a new user namespace grants them (single-threaded only)
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
            return ISOLATED
        return f"not isolated: unshare failed ({os.strerror(ctypes.get_errno())})"
    except (OSError, AttributeError) as error:
        return f"not isolated: {error}"


def _exit_with_server(server_pid: int) -> None:
    """Exit when the server process is gone (checked every half second)."""
    while os.getppid() == server_pid:
        time.sleep(0.5)
    os._exit(0)


def serve(connection: Connection) -> None:
    """The worker's life: set up, then answer queries until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server to handle
    setup: WorkerSetup = connection.recv()
    network = isolate_network()  # before any thread starts: a user namespace needs one
    if setup.relay is not None:
        route_through_relay(*setup.relay)
    threading.Thread(target=_exit_with_server, args=(os.getppid(),), daemon=True).start()
    started = time.perf_counter()
    try:
        store = setup.factory()
    except Exception as error:  # reported to the server, which says it in /health
        connection.send(WorkerBroken(f"the worker could not load its store: {error!r}"))
        return
    connection.send(WorkerReady(os.getpid(), network, time.perf_counter() - started))
    threading.Thread(target=build_parser, name="sgkg-parser", daemon=True).start()
    while True:
        try:
            request: QueryRequest = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(answer_query(store, request, setup.rules))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: python -m api.query.worker FD (started by the sgkg server)", file=sys.stderr)
        return 2
    serve(Connection(int(argv[0])))
    return 0


if __name__ == "__main__":
    # Run as the module ``api.query.worker``, not ``__main__``: the classes it pickles
    # must carry a name the server can import.
    from api.query.worker import main as worker_main

    sys.exit(worker_main(sys.argv[1:]))
