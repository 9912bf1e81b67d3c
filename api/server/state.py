"""What the running server holds, and the routes' way of asking for it.

The app starts answering at once; the graph loads in the background (a large build
takes a while), and :class:`AppState` says where that stands: ``loading``, ``ready`` or
``failed``. Routes ask for the loaded :class:`~api.server.served_graph.ServedGraph`
through :func:`served_graph`, which answers 503 until it is ready, so ``/health`` (and a
load balancer reading it) sees the truth and no route ever runs against a half-loaded
store. :func:`served_graph` waits for the static documents without blocking the event
loop; the SPARQL query route, which does not need them, uses :func:`query_graph` and
does not wait.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from api.core.errors import SgkgError
from api.server.served_graph import ServedGraph, load_graph
from api.server.settings import Settings

LOADING = "loading"
READY = "ready"
FAILED = "failed"

log = logging.getLogger("sgkg")


@dataclass
class ReloadRecord:
    """The last reload: when, what started it, whether the new graph is served, why."""

    trigger: str
    started_at: str
    seconds: float
    #: ``reloaded`` (the new graph is served) or ``refused`` (the old one still is)
    outcome: str
    reason: str

    @property
    def reloaded(self) -> bool:
        return self.outcome == "reloaded"

    def as_dict(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "at": self.started_at,
            "seconds": round(self.seconds, 3),
            "outcome": self.outcome,
            "reason": self.reason,
        }


class AppState:
    """The server's state: settings, and the graph once it is loaded.

    ``graph`` is replaced as a whole by :meth:`swap` (one attribute assignment, so a
    request sees the old graph or the new one, never a mix); the graph it replaces is
    closed only after the longest a query can run, so queries under way finish."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.status = LOADING
        self.problem: str | None = None
        self.graph: ServedGraph | None = None
        self.last_reload: ReloadRecord | None = None
        #: held while a reload runs (one at a time)
        self.reload_lock = threading.Lock()
        self._retiring: list[ServedGraph] = []

    def load(self) -> None:
        """Load the build (blocking; run it in a thread). Never raises: a failure is
        recorded, logged and reported by ``/health``. Holds the reload lock, so a reload
        asked for meanwhile waits (or is refused) instead of racing it."""
        with self.reload_lock:
            self._load()

    def _load(self) -> None:
        try:
            self.graph = load_graph(self.settings, documents_in_background=True)
            self.status = READY
            log.info(
                "sgkg: %s triples loaded in %.2f s (%s store); serving %s",
                self.graph.manifest.get("total_triples", "?"),
                self.graph.load_seconds,
                self.settings.store.backend,
                self.settings.base_url,
            )
        except Exception as error:  # any failure must show in /health, not kill the app
            self.status = FAILED
            self.problem = str(error) if isinstance(error, SgkgError) else repr(error)
            log.error("sgkg: the graph could not be loaded: %s", self.problem)

    def swap(self, graph: ServedGraph) -> None:
        """Serve ``graph`` from now on; close the previous one once its queries are done."""
        old, self.graph = self.graph, graph
        self.status, self.problem = READY, None
        if old is not None:
            self._retiring.append(old)
            grace = self.settings.query_timeout * 2 + 1  # the queue wait, then the run
            timer = threading.Timer(grace, self._retire, args=(old,))
            timer.daemon = True
            timer.start()

    def _retire(self, graph: ServedGraph) -> None:
        if graph in self._retiring:
            self._retiring.remove(graph)
            graph.close()

    def close(self) -> None:
        for graph in [*self._retiring, self.graph]:
            if graph is not None:
                graph.close()
        self._retiring.clear()


def app_state(request: Request) -> AppState:
    return request.app.state.sgkg


async def served_graph(request: Request) -> ServedGraph:
    """The loaded graph with its static documents written, or a 503 that says why not.

    ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker thread,
    a thread hop per request for what is an attribute read."""
    graph = query_graph(request)
    try:
        await graph.documents_written()
    except Exception as error:
        detail = f"the static documents could not be written: {error!r}"
        raise HTTPException(status_code=503, detail=detail, headers={"Retry-After": "2"}) from None
    return graph


def query_graph(request: Request) -> ServedGraph:
    """The loaded graph as soon as it answers queries (its static documents may still be
    being written), or a 503 that says why there is none yet."""
    state: AppState = request.app.state.sgkg
    if state.graph is not None:
        return state.graph
    if state.status == FAILED:
        detail = f"the graph could not be loaded: {state.problem}"
    else:
        detail = "the graph is still loading; try again in a moment"
    raise HTTPException(status_code=503, detail=detail, headers={"Retry-After": "2"})


#: A route parameter that receives the loaded graph (or makes the route answer 503).
LoadedGraph = Annotated[ServedGraph, Depends(served_graph)]
