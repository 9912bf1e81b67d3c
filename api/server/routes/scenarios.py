"""HTTP routes of the scenario evaluator: ``POST /scenarios``, ``GET /scenarios/events``,
the page ``GET /scenarios`` and the scenario IRIs
``/id/scenario/{version}/{events}[/interpretations/{names}]``.

``POST /scenarios`` takes the stated events, a text version and, optionally, the
interpretations to include as JSON (``{"events": [...], "version": "...",
"interpretations": "all" | ["name", ...]}``) and answers with the evaluation
(:class:`api.analysis.scenarios.results.ScenarioResult`) as JSON, or as the results graph in Turtle
when ``Accept`` prefers ``text/turtle``. Without ``interpretations`` the answer is strict,
from the words alone (``"mode": "strict"``); with them it is ``interpreted`` and names
the interpretations it included, those it rests on (``interpretations_used``) and, per
element and condition, those each outcome rests on. Unknown events, versions or
interpretations get 422 with the valid ones listed. ``GET /scenarios/events`` lists what
a request may name. ``GET /scenarios`` is the page a person uses: tick events, pick a
version; its script asks ``POST /scenarios`` and redraws, and without scripts its form
leads to the scenario's IRI, which shows the same page.

The routes read the store the server serves (:func:`api.server.state.served_graph`, 503
while it loads) through the :func:`scenario_store` dependency, and keep one
:class:`~api.analysis.scenarios.model.ScenarioModel` per store: the graph (with its interpretation
graphs) is read once, and each request is a plain-Python evaluation of a few
milliseconds.

A scenario's IRI (``https://w3id.org/sgkg/id/scenario/paris-final/ceasefire-in-force``,
events sorted and joined by ``+``, ``no-events`` for none; for an interpreted answer
followed by ``/interpretations/all`` or ``/interpretations/NAME+NAME``, slugs sorted)
names its answer, so it dereferences like every other sgkg IRI: the evaluation as a
page for browsers, the results graph in Turtle, JSON-LD, RDF/XML or N-Triples, or the
JSON of ``POST /scenarios`` (``.json``). A strict IRI also takes
``?interpretations=all`` (or names), as the page's form sends it. The answer is
computed, not stored: the scenario graphs are not in the SPARQL dataset.
"""

import json
from threading import Lock
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from api.analysis.interpretation_notes import read_labels
from api.analysis.scenarios.model import DEFAULT_VERSION, ScenarioModel
from api.analysis.scenarios.naming import (
    ALL_INTERPRETATIONS,
    INTERPRETATIONS_SEGMENT,
    NO_EVENTS,
    UnknownScenarioInput,
)
from api.analysis.scenarios.rendering import render, result_graph
from api.analysis.scenarios.results import EventCatalogue, ScenarioResult
from api.core.site import BASE, ID_PATH, SCENARIOS_PATH, local_path
from api.formats.negotiation import (
    NotAcceptable,
    negotiated_format,
    parse_accept,
    quality,
    split_suffix,
)
from api.formats.wire_formats import serialize_triples
from api.html.pages import PAGE_FORMATS, html_response
from api.html.templating import render as render_page
from api.server.http_errors import plain_error
from api.server.served_graph import ServedGraph
from api.server.state import served_graph
from api.store.base import Store
from api.store.interpretations import INTERPRETED, UnknownInterpretation

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
        """``interpretations`` as :func:`api.store.interpretations.select` reads it."""
        if self.interpretations is None:
            return []
        if isinstance(self.interpretations, str):
            return [self.interpretations]
        return list(self.interpretations)


def scenario_store(graph: Annotated[ServedGraph, Depends(served_graph)]) -> Store:
    """The store the server serves (a dependency, so an app can provide another)."""
    return graph.store


_cache_lock = Lock()
_cache: tuple[Store, ScenarioModel, dict[str, str]] | None = None


def _cached(store: Store) -> tuple[Store, ScenarioModel, dict[str, str]]:
    global _cache
    with _cache_lock:
        if _cache is None or _cache[0] is not store:
            _cache = (store, ScenarioModel.from_store(store), read_labels(store))
        return _cache


def scenario_model(store: Annotated[Store, Depends(scenario_store)]) -> ScenarioModel:
    """The evaluator's model of ``store``, read once and kept while the store is served."""
    return _cached(store)[1]


def interpretation_labels(store: Annotated[Store, Depends(scenario_store)]) -> dict[str, str]:
    """The interpretations' labels (IRI -> label), for pages that name them."""
    return _cached(store)[2]


def scenario_result(body: ScenarioRequest, model: ScenarioModel) -> ScenarioResult:
    """The evaluation a request asks for: what ``POST /scenarios`` answers and the
    scenario page shows. Raises :class:`UnknownScenarioInput` and
    :class:`~api.store.interpretations.UnknownInterpretation`."""
    return model.evaluate(body.events, body.version, body.interpretation_names())


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
        result = scenario_result(body, model)
    except (UnknownScenarioInput, UnknownInterpretation) as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    if media_type == TURTLE:
        turtle = render(result, "turtle", model.interpretation_labels())
        return Response(turtle, media_type=f"{TURTLE}; charset=utf-8")
    return result


@router.get(
    "/scenarios/events",
    response_model=EventCatalogue,
    summary="The events, text versions and interpretations a scenario may name",
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
        "`.json` suffix. `interpretations` (as the page's form sends it) includes "
        "interpretations, as the IRI ending `/interpretations/{names}` does."
    ),
    response_class=Response,
    responses=_DEREFERENCE_RESPONSES,
)
def dereference_scenario(
    version: str,
    events: str,
    request: Request,
    model: Annotated[ScenarioModel, Depends(scenario_model)],
    labels: Annotated[dict[str, str], Depends(interpretation_labels)],
    interpretations: Annotated[
        str | None,
        Query(description="'all' (or interpretation names): the page includes interpretations"),
    ] = None,
) -> Response:
    events, suffix = _split_suffix(events)
    body = _request_body(_stated(events), version, interpretations)
    return _dereference(model, request, labels, body, suffix)


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
    labels: Annotated[dict[str, str], Depends(interpretation_labels)],
) -> Response:
    names, suffix = _split_suffix(names)
    body = _request_body(_stated(events), version, ",".join(names.split("+")))
    return _dereference(model, request, labels, body, suffix)


def _stated(events: str) -> list[str]:
    return [] if events == NO_EVENTS else events.split("+")


def _split_suffix(segment: str) -> tuple[str, str | None]:
    """The last path segment and its format suffix (``.json`` included)."""
    if segment.endswith(JSON_SUFFIX):
        return segment.removesuffix(JSON_SUFFIX), "json"
    return split_suffix(segment, PAGE_FORMATS)


def _dereference(
    model: ScenarioModel,
    request: Request,
    labels: dict[str, str],
    body: ScenarioRequest,
    suffix: str | None,
) -> Response:
    try:
        result = scenario_result(body, model)
    except (UnknownScenarioInput, UnknownInterpretation) as error:
        return plain_error(404, f"no such scenario: {error}")
    if suffix == "json":
        return Response(result.model_dump_json(indent=2), media_type=JSON)
    try:
        fmt = negotiated_format(request, PAGE_FORMATS, suffix)
    except NotAcceptable as error:
        return plain_error(406, f"{error}, text/html, {JSON} (.json)")
    if fmt is None:
        interpreted = result.mode == INTERPRETED
        html = _scenario_page(model, result, labels, with_interpretations=interpreted)
        return html_response(html, headers={"Vary": "Accept"})
    graph = result_graph(result, model.interpretation_labels())
    triples = ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)
    document = serialize_triples(triples, fmt, focus=result.scenario)
    return Response(document, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get(
    SCENARIOS_PATH,
    summary="The scenario page",
    description=(
        "A page to tick events and pick a version, showing what activates and why (its "
        "script asks POST /scenarios). With `event` or `version` given, it leads (303) to "
        "the scenario's IRI, which shows the same page with those choices."
    ),
    response_class=Response,
    responses={
        200: {"description": "the page", "content": {"text/html": {}}},
        303: {"description": "the scenario's IRI"},
        422: _ERRORS[422],
        503: _ERRORS[503],
    },
)
def scenario_page(
    model: Annotated[ScenarioModel, Depends(scenario_model)],
    labels: Annotated[dict[str, str], Depends(interpretation_labels)],
    event: Annotated[list[str], Query(description="an event that has happened (repeat)")] = (),
    version: Annotated[str | None, Query(description="a text version")] = None,
    interpretations: Annotated[
        str | None, Query(description="'all': include interpretations")
    ] = None,
) -> Response:
    try:
        result = scenario_result(_request_body(list(event), version, interpretations), model)
    except (UnknownScenarioInput, UnknownInterpretation) as error:
        return plain_error(422, str(error))
    if event or version is not None:  # the scenario's IRI names the interpretations too
        return RedirectResponse(local_path(result.scenario) or SCENARIOS_PATH, status_code=303)
    interpreted = result.mode == INTERPRETED
    html = _scenario_page(model, result, labels, with_interpretations=interpreted)
    return html_response(html)


def _request_body(
    events: list[str], version: str | None, interpretations: str | None
) -> ScenarioRequest:
    """The body of ``POST /scenarios`` for these choices."""
    fields: dict[str, object] = {"events": events, "version": version}
    if interpretations:
        fields["interpretations"] = interpretations
    return ScenarioRequest.model_validate(fields)


def _scenario_page(
    model: ScenarioModel,
    result: ScenarioResult,
    labels: dict[str, str],
    *,
    with_interpretations: bool,
) -> str:
    """The scenario page with this evaluation drawn (its form set to its choices)."""
    answer = result.model_dump()
    formats = [
        {"extension": f.extension, "label": f.label, "media_type": f.media_type}
        for f in PAGE_FORMATS
    ] + [{"extension": JSON_SUFFIX, "label": "JSON (as POST /scenarios)", "media_type": JSON}]
    return render_page(
        "scenarios.html",
        catalogue=model.catalogue(),
        result=answer,
        chosen_events={event["slug"] for event in answer["events"]},
        chosen_version=answer["version"]["slug"],
        include_interpretations=with_interpretations,
        interpretation_labels=labels,
        version_href=local_path(answer["version"]["iri"]) or answer["version"]["iri"],
        formats=formats,
        formats_json=json.dumps(formats),
        form_action=SCENARIOS_PATH,
        endpoint=SCENARIOS_PATH,
        iri_base=BASE,
        current=SCENARIOS_PATH,
    )
