"""``/health``: is the server ready to answer, and what is it serving?

Ready (200) only once the graph is loaded from a build that conforms to the shapes;
503 while it loads or if it could not be loaded, with the reason. Also: the query
workers (how many run, busy, killed at the time limit, whether they are cut off from
the network), the store backend that answers queries (``store``: embedded, disk or
remote, and ``store_location``), and the last reload (when, what started it, its
outcome and why). The body always says the version; once loaded, also the triple
counts per graph, how many interpretations a query may include (``interpretations``,
each in a graph of its own outside the strict default graph), when it was built, and
whether it reasoned (``reasoning``: a build without reasoning, or whose rules miss a
construct of the ontology, says so here and in the VoID description of the ``inferred``
graph).
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from api import __version__
from api.server.state import READY, app_state

router = APIRouter(tags=["health"])

_EXAMPLE = {
    "status": "ready",
    "version": "0.2.0",
    "ontology_version": "0.2.0",
    "store": "embedded",
    "store_location": "in memory, loaded from sgkg.nq",
    "conforms": True,
    "built_at": "2026-01-06T12:00:00+00:00",
    "loaded_at": "2026-01-06T12:01:00+00:00",
    "load_seconds": 0.9,
    "triples": {
        "ontology": 1621,
        "shapes": 683,
        "data": 1012,
        "sources": 1847,
        "interpretations": 270,
        "inferred": 0,
    },
    "total_triples": 5163,
    "quads_in_store": 5163,
    "interpretations": 13,
    "reasoning": {
        "reasoned": True,
        "complete": True,
        "consistency": "HermiT: ontology, data and text layer",
        "unsupported": [],
        "note": "Complete for the ontology's constructs (OWL 2 RL rules, api.reason.materialiser).",
    },
    "query_workers": {
        "workers": 4,
        "running": 4,
        "idle": 4,
        "waiting": 0,
        "timeout_s": 10.0,
        "queue": 32,
        "max_rows": 100000,
        "timeouts": 0,
        "restarts": 0,
        "pids": [4242, 4243, 4244, 4245],
        "network": "isolated",
    },
    "reload": {
        "trigger": "watch: ontology/sgkg.ttl",
        "at": "2026-01-06T12:05:00+00:00",
        "seconds": 14.2,
        "outcome": "refused",
        "reason": "ontology/sgkg.ttl, line 12: ...; still serving the previous graph",
    },
}


@router.get(
    "/health",
    summary="Readiness and what is being served",
    response_class=Response,
    responses={
        200: {
            "description": "ready: the graph is loaded and its build conforms",
            "content": {"application/json": {"example": _EXAMPLE}},
        },
        503: {
            "description": "not ready: still loading, or the graph could not be loaded",
            "content": {
                "application/json": {
                    "example": {"status": "loading", "version": "0.2.0", "problem": None}
                }
            },
        },
    },
)
async def health(request: Request) -> Response:
    state = app_state(request)
    graph = state.graph
    body: dict[str, Any] = {"status": state.status, "version": __version__}
    body["reload"] = state.last_reload.as_dict() if state.last_reload else None
    if graph is None:
        body["problem"] = state.problem
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    try:  # ready means everything: the static documents too
        await graph.documents_written()
    except Exception as error:
        body["problem"] = f"the static documents could not be written: {error!r}"
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    facts = graph.documents.facts
    conforms = bool(graph.manifest.get("validation", {}).get("conforms", False))
    body.update(
        version=facts.version,
        ontology_version=facts.ontology_version,
        store=graph.store_backend,
        store_location=graph.store_location,
        conforms=conforms,
        built_at=facts.built_at,
        loaded_at=graph.loaded_at,
        load_seconds=round(graph.load_seconds, 3),
        triples=dict(facts.graph_triples),
        total_triples=facts.total_triples,
        quads_in_store=graph.store.quad_count(),
        interpretations=len(facts.interpretation_graphs),
        query_workers=graph.executor.status(),
        reasoning=facts.reasoning.as_dict(),
    )
    ready = state.status == READY and conforms
    return JSONResponse(
        body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"}
    )
