"""HTTP routes of the scenario evaluator: ``POST /scenarios``, ``GET /scenarios/events``
and the scenario IRIs ``/id/scenario/{version}/{events}[/interpretations/{names}]``.

``POST /scenarios`` takes the stated events, a text version and, optionally, the
interpretations to include as JSON (``{"events": [...], "version": "...",
"interpretations": "all" | ["name", ...]}``) and answers with the evaluation
(:class:`api.scenarios.ScenarioResult`) as JSON, or as the results graph in Turtle when
``Accept`` prefers ``text/turtle``. Without ``interpretations`` the answer is strict,
from the words alone (``"mode": "strict"``); with them it is ``interpreted`` and names
the interpretations it included, those it rests on (``interpretations_used``) and, per
element and condition, those each outcome rests on. Unknown events, versions or
interpretations get 422 with the valid ones listed. ``GET /scenarios/events`` lists what
a request may name.

The routes read the store the server serves (:func:`api.app_state.served_graph`, 503
while it loads) through the :func:`scenario_store` dependency, and keep one
:class:`~api.scenarios.ScenarioModel` per store: the graph (with its interpretation
graphs) is read once, and each request is a plain-Python evaluation of a few
milliseconds.

A scenario's IRI (``https://w3id.org/sgkg/id/scenario/paris-final/ceasefire-in-force``,
events sorted and joined by ``+``, ``no-events`` for none; for an interpreted answer
followed by ``/interpretations/all`` or ``/interpretations/NAME+NAME``, slugs sorted)
names its answer, so it dereferences like every other sgkg IRI: the evaluation as a
page for browsers, the results graph in Turtle, JSON-LD, RDF/XML or N-Triples, or the
JSON of ``POST /scenarios`` (``.json``). The answer is computed, not stored: the
scenario graphs are not in the SPARQL dataset.
"""

from threading import Lock
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.app_state import ServedGraph, served_graph
from api.html_pages import PAGE_FORMATS, esc, format_links, html_response, page
from api.http_errors import plain_error
from api.interpretations import UnknownInterpretation
from api.negotiation import (
    NotAcceptable,
    negotiated_format,
    parse_accept,
    quality,
    split_suffix,
)
from api.scenarios import (
    ALL_INTERPRETATIONS,
    DEFAULT_VERSION,
    INTERPRETATIONS_SEGMENT,
    NO_EVENTS,
    EventCatalogue,
    ScenarioModel,
    ScenarioResult,
    UnknownScenarioInput,
    render,
    render_text,
    result_graph,
)
from api.site import ID_PATH, local_path
from api.store import Store
from api.wire_formats import serialize_triples

JSON = "application/json"
TURTLE = "text/turtle"
#: The suffix that asks a scenario IRI for the JSON of ``POST /scenarios``.
JSON_SUFFIX = ".json"

router = APIRouter(tags=["scenarios"])


class ScenarioRequest(BaseModel):
    """The events a researcher states have happened, and the text version to use."""

    events: list[str] = Field(
        default_factory=list,
        description=(
            "Event conditions that have happened, by the last segment of their IRI "
            "(see GET /scenarios/events) or by full IRI. Empty: nothing has happened."
        ),
        examples=[["ceasefire-in-force", "armed-attack-by-russia"]],
    )
    version: str | None = Field(
        None,
        description=f"Text version, by slug or IRI (default: {DEFAULT_VERSION}).",
        examples=["paris-press-release"],
    )
    interpretations: str | list[str] | None = Field(
        None,
        description=(
            "Interpretations to include besides the words: 'all', or names (slugs or "
            "IRIs, see GET /scenarios/events), as a list or comma-separated. Default: "
            "none, a strict answer from the words alone."
        ),
        examples=[ALL_INTERPRETATIONS, ["attack-covers-future-armed-attack"]],
    )

    def interpretation_names(self) -> list[str]:
        """``interpretations`` as :func:`api.interpretations.select` reads it."""
        if self.interpretations is None:
            return []
        if isinstance(self.interpretations, str):
            return [self.interpretations]
        return list(self.interpretations)


def scenario_store(graph: Annotated[ServedGraph, Depends(served_graph)]) -> Store:
    """The store the server serves (a dependency, so an app can provide another)."""
    return graph.store


_cache_lock = Lock()
_cache: tuple[Store, ScenarioModel] | None = None


def scenario_model(store: Annotated[Store, Depends(scenario_store)]) -> ScenarioModel:
    """The evaluator's model of ``store``, read once and kept while the store is served."""
    global _cache
    with _cache_lock:
        if _cache is None or _cache[0] is not store:
            _cache = (store, ScenarioModel.from_store(store))
        return _cache[1]


_ERRORS = {
    406: {"description": "neither JSON nor Turtle is acceptable", "content": {"text/plain": {}}},
    422: {
        "description": "an unknown event, version or interpretation; the message lists "
        "the valid ones",
        "content": {"text/plain": {}},
    },
    503: {"description": "the graph is still loading", "content": {"text/plain": {}}},
}


@router.post(
    "/scenarios",
    response_model=ScenarioResult,
    summary="Evaluate an activation scenario",
    description=(
        "Which guarantee elements (system, components, mechanisms) and statements "
        "(commitments, provisions, capacities, recommendations, participations) the "
        "stated events activate in one text version, which they do not, the conditions "
        "that decided each and the passages behind it. An element is active when its "
        "own sg:activatedBy conditions and those of everything it is sg:partOf (or "
        "sg:participationIn) are met; an event condition is met when stated or entailed "
        "by a stated event (sg:entailsCondition); all-of and any-of conditions combine "
        "their operands. Strict by default: from the words alone. With "
        "`interpretations` (`all` or names) the interpretation graphs are read too; "
        "`mode` is then `interpreted`, and every condition and element lists in "
        "`interpretations` those its outcome rests on (`interpretations_used`: all of "
        "them). With `Accept: text/turtle` the answer is the results graph "
        "(sg:Scenario, sg:ActivationResult, sg:restsOnInterpretation)."
    ),
    responses={200: {"content": {TURTLE: {}}}, **_ERRORS},
)
def evaluate_scenario(
    body: ScenarioRequest,
    request: Request,
    model: Annotated[ScenarioModel, Depends(scenario_model)],
) -> ScenarioResult | Response:
    media_type = _negotiate(request.headers.get("accept"))
    try:
        result = model.evaluate(body.events, body.version, body.interpretation_names())
    except (UnknownScenarioInput, UnknownInterpretation) as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    if media_type == TURTLE:
        turtle = render(result, "turtle", model.interpretation_labels())
        return Response(turtle, media_type=f"{TURTLE}; charset=utf-8")
    return result


@router.get(
    "/scenarios/events",
    response_model=EventCatalogue,
    summary="The events and text versions a scenario may name",
    responses={503: _ERRORS[503]},
)
def list_events(model: Annotated[ScenarioModel, Depends(scenario_model)]) -> EventCatalogue:
    return model.catalogue()


def _negotiate(accept: str | None) -> str:
    """JSON or Turtle, whichever Accept prefers (JSON on a tie); 406 if neither."""
    ranges = parse_accept(accept)
    json_q, turtle_q = quality(ranges, JSON), quality(ranges, TURTLE)
    if json_q == 0 and turtle_q == 0:
        raise HTTPException(
            status_code=406,
            detail=f"cannot answer in any format asked for (Accept: {accept}). "
            f"Supported here: {JSON}, {TURTLE}",
        )
    return TURTLE if turtle_q > json_q else JSON


_DEREFERENCE_RESPONSES = {
    200: {"content": {"text/html": {}, **{f.media_type: {} for f in PAGE_FORMATS}}},
    **_ERRORS,
    404: {
        "description": "an unknown event, version or interpretation",
        "content": {"text/plain": {}},
    },
}


@router.get(
    ID_PATH + "/scenario/{version}/{events}",
    summary="Dereference a scenario IRI (strict)",
    description=(
        "The evaluation named by a scenario IRI, from the words alone: `events` is the "
        "stated events joined by `+` (`no-events` for none), `version` a text version. "
        "A page for browsers; the results graph in Turtle, JSON-LD, RDF/XML or "
        "N-Triples by Accept, `format` or suffix; the JSON of POST /scenarios with the "
        "`.json` suffix."
    ),
    response_class=Response,
    responses=_DEREFERENCE_RESPONSES,
)
def dereference_scenario(
    version: str,
    events: str,
    request: Request,
    model: Annotated[ScenarioModel, Depends(scenario_model)],
) -> Response:
    events, suffix = _split_suffix(events)
    return _dereference(model, request, version, events, [], suffix)


@router.get(
    ID_PATH + "/scenario/{version}/{events}/" + INTERPRETATIONS_SEGMENT + "/{names}",
    summary="Dereference a scenario IRI (interpreted)",
    description=(
        "The evaluation named by a scenario IRI that includes interpretations: `names` "
        f"is `{ALL_INTERPRETATIONS}` or interpretation slugs joined by `+`. Otherwise as "
        "the strict scenario IRI, and the answer names the interpretations it rests on."
    ),
    response_class=Response,
    responses=_DEREFERENCE_RESPONSES,
)
def dereference_interpreted_scenario(
    version: str,
    events: str,
    names: str,
    request: Request,
    model: Annotated[ScenarioModel, Depends(scenario_model)],
) -> Response:
    names, suffix = _split_suffix(names)
    return _dereference(model, request, version, events, names.split("+"), suffix)


def _split_suffix(segment: str) -> tuple[str, str | None]:
    """The last path segment and its format suffix (``.json`` included)."""
    if segment.endswith(JSON_SUFFIX):
        return segment.removesuffix(JSON_SUFFIX), "json"
    return split_suffix(segment, PAGE_FORMATS)


def _dereference(
    model: ScenarioModel,
    request: Request,
    version: str,
    events: str,
    interpretations: list[str],
    suffix: str | None,
) -> Response:
    stated = [] if events == NO_EVENTS else events.split("+")
    try:
        result = model.evaluate(stated, version, interpretations)
    except (UnknownScenarioInput, UnknownInterpretation) as error:
        return plain_error(404, f"no such scenario: {error}")
    if suffix == "json":
        return Response(result.model_dump_json(indent=2), media_type=JSON)
    try:
        fmt = negotiated_format(request, PAGE_FORMATS, suffix)
    except NotAcceptable as error:
        return plain_error(406, f"{error}, text/html, {JSON} (.json)")
    if fmt is None:
        return html_response(_scenario_page(result), headers={"Vary": "Accept"})
    graph = result_graph(result, model.interpretation_labels())
    triples = ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)
    body = serialize_triples(triples, fmt, focus=result.scenario)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def _scenario_page(result: ScenarioResult) -> str:
    """The evaluation as a person reads it, with links to the same answer as data."""
    path = local_path(result.scenario) or ""
    body = (
        f"<h1>Scenario in {esc(result.version.slug)}</h1>"
        f'<p class="small"><code>{esc(result.scenario)}</code></p>'
        f"<pre>{esc(render_text(result))}</pre>"
        + format_links(path)
        + f'<p class="small">As the JSON of POST /scenarios: <a href="{esc(path)}{JSON_SUFFIX}">'
        "JSON</a></p>"
    )
    return page("Scenario", body)
