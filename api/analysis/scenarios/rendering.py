"""A scenario's answer for a person (text), as JSON, and as RDF with the ``sg:``
scenario-result terms (Turtle)."""

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from api.analysis.scenarios.naming import slug_of
from api.analysis.scenarios.results import ELEMENT_KINDS, EvidencePassage, ScenarioResult
from api.core.errors import SgkgError
from api.core.namespaces import ID, SG, bind_prefixes, compact
from api.store.interpretations import INTERPRETED, STRICT

#: Output formats of ``sgkg scenario``.
SCENARIO_FORMATS = ("text", "json", "turtle")


def result_graph(result: ScenarioResult, labels: dict[str, str | None] | None = None) -> Graph:
    """The scenario's answer as RDF, with the ``sg:`` scenario-result terms.

    Each element's label, type and evidence in the version (quote and offsets) come
    along, so the graph can be read on its own. An interpreted answer says which
    interpretations it included (``sg:includesInterpretation``) and which it and each
    result rest on (``sg:restsOnInterpretation``), typed and labelled from ``labels``.
    """
    graph = bind_prefixes(Graph())
    scenario = URIRef(result.scenario)
    events = ", ".join(event.slug for event in result.events) or "no events"
    graph.add((scenario, RDF.type, SG.Scenario))
    graph.add((scenario, RDFS.label, Literal(_scenario_label(result, events))))
    graph.add((scenario, SG.scenarioVersion, URIRef(result.version.iri)))
    for event in result.events:
        graph.add((scenario, SG.statedEvent, URIRef(event.iri)))
    for condition in result.conditions:
        if condition.met:
            graph.add((scenario, SG.meetsCondition, URIRef(condition.iri)))
    for iri in result.interpretations_included:
        graph.add((scenario, SG.includesInterpretation, URIRef(iri)))
        graph.add((URIRef(iri), RDF.type, SG.Interpretation))
        label = (labels or {}).get(iri)
        if label:
            graph.add((URIRef(iri), RDFS.label, Literal(label, lang="en")))
    for iri in result.interpretations_used:
        graph.add((scenario, SG.restsOnInterpretation, URIRef(iri)))
    for outcome in [*result.active, *result.inactive]:
        node = URIRef(f"{result.scenario}/result/{_local_path(outcome.iri)}")
        element = URIRef(outcome.iri)
        graph.add((scenario, SG.hasActivationResult, node))
        graph.add((node, RDF.type, SG.ActivationResult))
        graph.add((node, SG.evaluatedEntity, element))
        graph.add((node, SG.isActive, Literal(outcome.active, datatype=XSD.boolean)))
        for deciding in outcome.decided_by:
            graph.add((node, SG.decidedBy, URIRef(deciding.condition)))
        for iri in outcome.interpretations:
            graph.add((node, SG.restsOnInterpretation, URIRef(iri)))
        graph.add((element, RDF.type, ELEMENT_KINDS[outcome.kind]))
        if outcome.label:
            graph.add((element, RDFS.label, Literal(outcome.label, lang="en")))
        for passage in outcome.evidence:
            _add_passage(graph, element, passage, result.version.iri)
    return graph


def _scenario_label(result: ScenarioResult, events: str) -> str:
    label = f"Scenario: {events}, in {result.version.slug}"
    if result.mode == INTERPRETED:
        label += f", with {len(result.interpretations_included)} interpretation(s)"
    return label


def render_text(result: ScenarioResult) -> str:
    """The answer for a person: how it was read, conditions, then active, inactive and
    absent elements, each naming the interpretations it rests on."""
    events = ", ".join(event.slug for event in result.events) or "(none)"
    lines = [
        f"scenario: {events}",
        f"version:  {result.version.slug}",
        f"answer:   {_mode_line(result)}",
        "",
        "conditions:",
    ]
    for condition in result.conditions:
        mark = "met    " if condition.met else "not met"
        lines.append(f"  {mark}  {condition.slug}: {condition.explanation}")
    width = max(len(kind) for kind in ELEMENT_KINDS)
    for title, outcomes in (("active", result.active), ("inactive", result.inactive)):
        lines += ["", f"{title} ({len(outcomes)}):"]
        for outcome in outcomes:
            lines.append(f"  {outcome.kind:<{width}} {compact(outcome.iri)}  {outcome.label or ''}")
            lines.append(f"  {'':<{width}} {outcome.explanation}")
            if outcome.interpretations:
                names = ", ".join(slug_of(iri) for iri in outcome.interpretations)
                lines.append(f"  {'':<{width}} rests on interpretation(s): {names}")
            for passage in outcome.evidence[:1]:
                lines.append(f"  {'':<{width}} evidence: {_quote_line(passage)}")
    lines += ["", f"not in {result.version.slug} ({len(result.not_in_version)}):"]
    for absent in result.not_in_version:
        versions = ", ".join(absent.versions) or "-"
        lines.append(f"  {absent.kind:<{width}} {compact(absent.iri)}  (in {versions})")
    return "\n".join(lines) + "\n"


def _mode_line(result: ScenarioResult) -> str:
    if result.mode == STRICT:
        return "strict: from the words alone, no interpretation included"
    used = ", ".join(slug_of(iri) for iri in result.interpretations_used) or "none"
    return (
        f"interpreted: {len(result.interpretations_included)} interpretation(s) included; "
        f"the answer rests on: {used}"
    )


def render(result: ScenarioResult, fmt: str, labels: dict[str, str | None] | None = None) -> str:
    """``text``, ``json`` or ``turtle`` (``labels``: the interpretations' labels)."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if fmt == "turtle":
        return result_graph(result, labels).serialize(format="turtle")
    if fmt == "text":
        return render_text(result)
    raise SgkgError(f"unknown scenario format {fmt!r}; expected one of {SCENARIO_FORMATS}")


def _add_passage(graph: Graph, element: URIRef, passage: EvidencePassage, version: str) -> None:
    node = URIRef(passage.passage)
    graph.add((element, SG.hasEvidence, node))
    graph.add((node, RDF.type, SG.Passage))
    graph.add((node, SG.inVersion, URIRef(version)))
    if passage.quote is not None:
        graph.add((node, SG.quote, Literal(passage.quote)))
    if passage.start is not None:
        graph.add((node, SG.startOffset, Literal(passage.start, datatype=XSD.integer)))
    if passage.end is not None:
        graph.add((node, SG.endOffset, Literal(passage.end, datatype=XSD.integer)))


def _local_path(iri: str) -> str:
    return iri[len(str(ID)) :] if iri.startswith(str(ID)) else slug_of(iri)


def _quote_line(passage: EvidencePassage, width: int = 90) -> str:
    quote = " ".join((passage.quote or "").split())
    if len(quote) > width:
        quote = quote[: width - 3] + "..."
    return f'{compact(passage.passage)} [{passage.start}-{passage.end}] "{quote}"'
