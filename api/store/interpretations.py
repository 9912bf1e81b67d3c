"""The interpretation layer: readings beyond the words, kept apart and named.

An interpretation (``sg:Interpretation``) answers a question the words of the texts
leave open: who a "we" is where the sentence sets a party apart, which item a clause
attaches to, whether one condition covers another. Its description (question, reading,
alternatives, rationale, who and when) is in the graph
``https://w3id.org/sgkg/graph/interpretations``; the triples its reading adds are in a
named graph of their own, *named by the interpretation's IRI*
(``https://w3id.org/sgkg/id/interpretation/{slug}``), the nanopublication pattern. So:

- strict answers (the default) read the six sgkg graphs, never an interpretation graph;
- an interpreted answer reads them plus the interpretation graphs asked for, and says
  which of those it rests on (:func:`rests_on`).

This module owns the naming, the files' checks and the selection; the HTTP, CLI and
scenario layers use it.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from api.core.errors import SgkgError
from api.core.layout import GRAPH_NAMES, INTERPRETATIONS, graph_iri
from api.core.namespaces import ID, SG
from api.store.results import AskResult, QueryResult, SelectResult

if TYPE_CHECKING:  # api.store.base imports this module
    from api.store.base import Store

#: Where interpretations (and so their graphs) are named.
INTERPRETATION_NS = str(ID["interpretation/"])

#: The description graph: ``https://w3id.org/sgkg/graph/interpretations``.
DESCRIPTIONS_GRAPH = str(graph_iri(INTERPRETATIONS))

#: The graphs of a strict answer: the six sgkg graphs, whose union is the default graph.
STRICT_GRAPHS: tuple[str, ...] = tuple(str(graph_iri(name)) for name in GRAPH_NAMES)

#: What ``interpretations=`` accepts besides interpretation names.
NONE = "none"
ALL = "all"

#: The build output holding the interpretation graphs, beside ``sgkg.nq``.
INTERPRETATIONS_NQUADS_FILE = "sgkg-interpretations.nq"

#: The HTTP header that lists the interpretations an answer rests on.
RESTS_ON_HEADER = "SGKG-Interpretations"
#: The HTTP header that says whether an answer is strict or includes interpretations.
MODE_HEADER = "SGKG-Answer-Mode"
STRICT = "strict"
INTERPRETED = "interpreted"


class InterpretationError(SgkgError):
    """The interpretation files do not hold together (a graph without a description,
    a description of nothing, a reading that names terms the graph does not have)."""


class UnknownInterpretation(SgkgError):
    """A request named an interpretation the graph does not hold (HTTP 400)."""


def is_interpretation_graph(iri: str) -> bool:
    """Whether a graph IRI names an interpretation's graph."""
    return iri.startswith(INTERPRETATION_NS) and len(iri) > len(INTERPRETATION_NS)


def slug_of(iri: str) -> str:
    """``.../interpretation/we-stand-ready-final`` -> ``we-stand-ready-final``."""
    return iri[len(INTERPRETATION_NS) :] if is_interpretation_graph(iri) else iri


# --- checking the files -----------------------------------------------------------------


def check_interpretations(
    descriptions: Graph, graphs: dict[str, Graph], known_terms: Callable[[URIRef], bool]
) -> list[str]:
    """Problems with the interpretation layer, as sentences (empty when it holds together).

    - every interpretation graph is described by an ``sg:Interpretation`` of the same IRI;
    - every interpretation that adopts a reading has a graph, and an open question none;
    - every IRI an interpretation's triples name in sgkg's namespaces exists in the
      graph (``known_terms``) or is described in that same interpretation graph, so a
      typo in a reading cannot add a term nobody defined.
    """
    problems: list[str] = []
    described = {str(s) for s in descriptions.subjects(RDF.type, SG.Interpretation)}
    open_questions = {
        str(s)
        for s in descriptions.subjects(
            SG.interpretationKind, ID["interpretation-kind/open-question"]
        )
    }
    for iri in sorted(set(graphs) - described):
        problems.append(
            f"graph <{iri}> holds an interpretation's triples, but no sg:Interpretation "
            f"<{iri}> describes it in <{DESCRIPTIONS_GRAPH}>"
        )
    for iri in sorted(described - set(graphs) - open_questions):
        problems.append(
            f"interpretation <{iri}> adopts a reading but has no graph of its own; put the "
            f"triples it adds in GRAPH <{iri}> {{ ... }}, or make it an open question"
        )
    for iri in sorted(open_questions & set(graphs)):
        problems.append(f"interpretation <{iri}> is an open question but adds triples")
    for iri, graph in sorted(graphs.items()):
        local = set(graph.subjects())
        for term in sorted(_sgkg_terms(graph)):
            if term not in local and not known_terms(term):
                problems.append(
                    f"interpretation <{iri}> names <{term}>, which the graph does not hold"
                )
    return problems


def require_consistent(
    descriptions: Graph, graphs: dict[str, Graph], known_terms: Callable[[URIRef], bool]
) -> None:
    """Raise :class:`InterpretationError` listing what :func:`check_interpretations` finds.

    ``known_terms`` tells whether a term is a subject of the ontology, data or sources.
    """
    described = set(descriptions.subjects())
    problems = check_interpretations(
        descriptions, graphs, lambda term: term in described or known_terms(term)
    )
    if problems:
        listed = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InterpretationError(f"the interpretations do not hold together: {listed}{more}")


def _sgkg_terms(graph: Graph) -> set[URIRef]:
    prefix = "https://w3id.org/sgkg/"
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(prefix)
    }


# --- choosing interpretations for an answer ---------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The interpretation graphs an answer includes (none: a strict answer)."""

    graphs: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        return INTERPRETED if self.graphs else STRICT

    def default_graphs(self) -> list[str]:
        """The default graph of the answer: the six sgkg graphs and the chosen ones."""
        return [*STRICT_GRAPHS, *self.graphs]


def select(values: Iterable[str], available: Sequence[str]) -> Selection:
    """Read ``interpretations=`` values: ``none`` (the default), ``all``, or names.

    A name is an interpretation's IRI or its last path segment; several may be given,
    repeated or separated by commas. Raises :class:`UnknownInterpretation` for a name the
    graph does not hold, listing (at most twenty of) those it does.
    """
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if not names or names == [NONE]:
        return Selection()
    if ALL in names:
        return Selection(tuple(available))
    by_slug = {slug_of(iri): iri for iri in available}
    chosen, unknown = [], []
    for name in names:
        iri = name if name in available else by_slug.get(name)
        if iri is None:
            unknown.append(name)
        elif iri not in chosen:
            chosen.append(iri)
    if unknown:
        shown = ", ".join(repr(name[:80]) for name in unknown[:5])
        known = ", ".join(sorted(by_slug)[:20]) or "none"
        raise UnknownInterpretation(
            f"unknown interpretation(s): {shown}; use 'all', 'none' or one of: {known}"
        )
    return Selection(tuple(chosen))


# --- which interpretations an answer rests on -------------------------------------------

#: Runs one query over a default graph (a list of graph IRIs) and returns its solutions
#: in a comparable form (a sorted tuple of canonical rows, or a boolean).
Runner = Callable[[list[str]], Awaitable[object]]


async def rests_on(run: Runner, selection: Selection) -> list[str]:
    """The chosen interpretations the answer rests on, in the order they were chosen.

    An answer rests on an interpretation when leaving that interpretation out changes the
    answer, or when that interpretation alone changes the strict answer: the first finds
    readings that only count together, the second readings that each suffice. When the
    interpreted answer equals the strict one, it rests on none and nothing more runs.
    """
    if not selection.graphs:
        return []
    strict = await run(list(STRICT_GRAPHS))
    full = await run(selection.default_graphs())
    if full == strict:
        return []
    found = []
    for graph in selection.graphs:
        without = [g for g in selection.default_graphs() if g != graph]
        if await run(without) != full or await run([*STRICT_GRAPHS, graph]) != strict:
            found.append(graph)
    return found


def rests_on_in(store: "Store", sparql: str, selection: Selection) -> list[str]:
    """:func:`rests_on` for a query run on ``store`` in this thread (the command line):
    the chosen interpretations its answer rests on.

    Every run names its dataset and keeps the chosen interpretations, so all of them,
    the strict one included, run on the same (interpreted) store and an answer whose
    rows come in an engine's own order (GROUP_CONCAT) compares equal to itself."""

    async def run(default_graphs: list[str]) -> object:
        result = store.query(
            sparql,
            default_graph_uris=default_graphs,
            named_graph_uris=default_graphs,
            interpretations=selection.graphs,
        )
        return comparable(result)

    return asyncio.run(rests_on(run, selection))


def comparable(result: QueryResult) -> object:
    """An answer in a form that compares equal when the answers are the same: a
    boolean, or the sorted rows (or triples), blank node labels set aside."""
    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, SelectResult):
        rows = [tuple(_comparable_term(term) for term in row) for row in result.rows]
        return (result.variables, tuple(sorted(rows, key=repr)))
    triples = [tuple(_comparable_term(term) for term in triple) for triple in result.triples]
    return tuple(sorted(triples, key=repr))


def _comparable_term(term: object) -> object:
    return "_:" if isinstance(term, BNode) else term


# --- what the store holds -----------------------------------------------------------------

_DESCRIBED = f"""SELECT ?i ?label WHERE {{
  ?i a <{SG.Interpretation}> .
  OPTIONAL {{ ?i <{RDFS.label}> ?label
             FILTER(lang(?label) = "" || langMatches(lang(?label), "en")) }}
}}"""
_NONEMPTY_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def interpretations_in(store: "Store") -> dict[str, str | None]:
    """The interpretations ``store`` can include in an answer, by IRI (sorted), with
    their labels: those its description graph describes whose own graph it holds and
    is not empty (an open question adds nothing). Read from the store itself, so it
    holds for a remote store too, which has them only if ``sgkg publish`` sent them."""
    described = store.query(_DESCRIBED, default_graph_uris=[DESCRIPTIONS_GRAPH])
    labels: dict[str, str | None] = {}
    if isinstance(described, SelectResult):
        for iri, label in described.rows:
            if labels.get(str(iri)) is None:
                labels[str(iri)] = None if label is None else str(label)
    if not labels:
        return {}
    held = store.query(_NONEMPTY_GRAPHS, default_graph_uris=[], named_graph_uris=sorted(labels))
    graphs = {str(row[0]) for row in held.rows} if isinstance(held, SelectResult) else set()
    return {iri: labels[iri] for iri in sorted(graphs & set(labels))}
