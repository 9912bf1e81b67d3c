"""The small client the researcher notebooks use: SPARQL answers as pandas tables.

The notebooks (``notebooks/*.ipynb``) are for people who read more than they program,
so the steps they repeat live here and each notebook cell stays a line or two:

- :func:`connect` opens a :class:`Connection` to a running server, or starts one on
  this computer (:mod:`api.notebook.local_server`) when given no address;
- :meth:`Connection.table` sends a SELECT query through SPARQLWrapper, the standard
  Python SPARQL client, and returns a :class:`pandas.DataFrame` in which each IRI is
  shortened (``party/united-states``) and given a column with its label, so a table
  reads without knowing the identifiers;
- :meth:`Connection.query` returns the engine-neutral result of :mod:`api.store.results`,
  which :func:`api.analysis.competency.check_answer` compares with a question's expected answer;
- every query is strict (from the words alone) unless ``interpretations=`` asks for
  interpretations (``"all"`` or names): :meth:`Connection.answer` then says which of
  them the answer rests on (the server's ``SGKG-Interpretations`` header), a table keeps
  it in ``table.attrs["rests_on"]``, :meth:`Connection.compare` sets the strict and the
  interpreted answers side by side, and :meth:`Connection.interpretations` lists the
  readings with their questions and alternatives;
- :meth:`Connection.scenario` asks ``POST /scenarios`` which guarantees a set of events
  activates, strictly or with interpretations.

Needs the ``notebooks`` extra (pandas); nothing else in the package imports it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from api.core.errors import SgkgError
from api.core.namespaces import ID, PREFIXES, prefixed_name
from api.notebook.local_server import LocalServer, start_local_server
from api.store.results import AskResult, QueryResult, SelectResult, Term

#: Where the SPARQL endpoint is on an sgkg server.
SPARQL_PATH = "/sparql"
#: Seconds a notebook waits for one answer.
REQUEST_TIMEOUT = 60
#: Suffix of the label column added next to each column of IRIs (the queries' own style).
LABEL_SUFFIX = "Label"
#: Literal datatypes shown as Python numbers or booleans rather than text.
_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.decimal, XSD.double, XSD.float}
#: The server's headers: strict or interpreted, and the interpretations an answer rests on.
MODE_HEADER = "SGKG-Answer-Mode"
RESTS_ON_HEADER = "SGKG-Interpretations"
#: The column :meth:`Connection.compare` adds: in which answer each row is.
IN_ANSWER = "in answer"

#: What ``interpretations=`` accepts: None (strict), "all", a name, or several names.
Interpretations = str | Sequence[str] | None

_INTERPRETATIONS = """
PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?interpretation ?kind ?question ?reading
       (GROUP_CONCAT(DISTINCT ?alternative; separator=" | ") AS ?alternatives)
       ?rationale ?attributedTo ?created
WHERE {
  ?interpretation a sg:Interpretation ; sg:interpretationKind ?kind ;
                  sg:question ?question ; sg:reading ?reading ; sg:rationale ?rationale ;
                  prov:wasAttributedTo ?attributedTo ; dcterms:created ?created .
  OPTIONAL { ?interpretation sg:alternativeReading ?alternative }
  $FILTER
}
GROUP BY ?interpretation ?kind ?question ?reading ?rationale ?attributedTo ?created
ORDER BY ?kind ?interpretation
"""


@dataclass(frozen=True)
class Answer:
    """A query's answer, whether it is strict or interpreted, and what it rests on."""

    result: QueryResult
    #: ``strict`` (the words alone) or ``interpreted``
    mode: str
    #: IRIs of the interpretations the answer rests on (none for a strict answer)
    rests_on: tuple[str, ...] = ()


class NotebookClientError(SgkgError):
    """A query or request the server answered in an unexpected way."""


class Connection:
    """An sgkg server the notebook talks to, and the local server it started, if any."""

    def __init__(self, url: str, server: LocalServer | None = None) -> None:
        self.url = url.rstrip("/")
        self.server = server

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint, e.g. ``http://127.0.0.1:8000/sparql``."""
        return self.url + SPARQL_PATH

    def answer(self, sparql: str, *, interpretations: Interpretations = None) -> Answer:
        """Run a SELECT or ASK query through SPARQLWrapper: strictly, from the words alone
        (the default), or including ``interpretations`` (``"all"``, a name or a list of
        names); the answer says which of them it rests on."""
        client = SPARQLWrapper(self.endpoint)
        client.setQuery(without_comment_lines(sparql))
        client.setReturnFormat(JSON)
        client.setTimeout(REQUEST_TIMEOUT)
        names = interpretation_names(interpretations)
        if names:
            client.addParameter("interpretations", names)
        try:
            reply = client.query()
            headers, answer = reply.info(), reply.convert()
        except SPARQLWrapperException as error:  # a readable message, not urllib's traceback
            raise NotebookClientError(f"{self.endpoint} did not answer: {error}") from None
        resting = headers.get(RESTS_ON_HEADER.lower(), "none")
        return Answer(
            result_from_json(answer),
            mode=headers.get(MODE_HEADER.lower(), "strict"),
            rests_on=tuple(iri for iri in resting.split(", ") if iri and iri != "none"),
        )

    def query(self, sparql: str, *, interpretations: Interpretations = None) -> QueryResult:
        """Run a SELECT or ASK query through SPARQLWrapper; the engine-neutral result."""
        return self.answer(sparql, interpretations=interpretations).result

    def table(
        self, sparql: str, *, labels: bool = True, interpretations: Interpretations = None
    ) -> pd.DataFrame:
        """The answer of a SELECT query as a table, IRIs shortened and (``labels``) labelled.

        Strict unless ``interpretations`` asks for some; ``table.attrs`` then holds the
        answer's ``mode`` and the short names of the interpretations it ``rests_on``."""
        answer = self.answer(sparql, interpretations=interpretations)
        result = answer.result
        if not isinstance(result, SelectResult):
            raise NotebookClientError("table() is for SELECT queries; use ask() for ASK")
        names = self.labels(iris_in(result), interpretations=interpretations) if labels else None
        table = to_dataframe(result, names)
        table.attrs["mode"] = answer.mode
        table.attrs["rests_on"] = [short_name(iri) for iri in answer.rests_on]
        return table

    def compare(
        self, sparql: str, interpretations: Interpretations = "all", *, labels: bool = True
    ) -> pd.DataFrame:
        """The strict and the interpreted answers of a SELECT query in one table.

        Each row says whether it is in ``both`` answers, the ``interpreted only`` (a
        reading adds it) or the ``strict only`` (a reading takes it away), in the column
        ``in answer``; ``table.attrs["rests_on"]`` names the interpretations the
        interpreted answer rests on."""
        strict = self.table(sparql, labels=labels)
        interpreted = self.table(sparql, labels=labels, interpretations=interpretations)
        columns = list(interpreted.columns)
        both = (
            strict.reindex(columns=columns)
            .drop_duplicates()
            .merge(interpreted.drop_duplicates(), how="outer", on=columns, indicator=IN_ANSWER)
        )
        both[IN_ANSWER] = both[IN_ANSWER].map(
            {"both": "both", "left_only": "strict only", "right_only": "interpreted only"}
        )
        both = both.sort_values(columns, na_position="first").reset_index(drop=True)
        both.attrs["rests_on"] = interpreted.attrs["rests_on"]
        return both

    def interpretations(self, names: Interpretations = None) -> pd.DataFrame:
        """The interpretations the graph holds (or those named): what each reads, the
        question it answers, the reading adopted, the alternatives considered, its
        rationale, who made it and when."""
        wanted = [name for name in interpretation_names(names).split(",") if name]
        condition = ""
        if wanted and wanted != ["all"]:
            iris = " ".join(
                f"<{name if name.startswith('http') else str(ID['interpretation/' + name])}>"
                for name in wanted
            )
            condition = f"VALUES ?interpretation {{ {iris} }}"
        return self.table(_INTERPRETATIONS.replace("$FILTER", condition))

    def ask(self, sparql: str, *, interpretations: Interpretations = None) -> bool:
        """The answer of an ASK query: true or false."""
        result = self.query(sparql, interpretations=interpretations)
        if not isinstance(result, AskResult):
            raise NotebookClientError("ask() is for ASK queries; use table() for SELECT")
        return result.value

    def labels(
        self, iris: Iterable[str], *, interpretations: Interpretations = None
    ) -> dict[str, str]:
        """The English (or untagged) ``rdfs:label`` of each IRI that has one (with
        ``interpretations``, also the labels of what only an interpretation adds)."""
        wanted = sorted(set(iris))
        if not wanted:
            return {}
        values = " ".join(f"<{iri}>" for iri in wanted)
        result = self.query(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label ?label "
            'FILTER (lang(?label) = "" || langMatches(lang(?label), "en")) }',
            interpretations=interpretations,
        )
        found: dict[str, str] = {}
        if isinstance(result, SelectResult):
            for subject, label in sorted(result.rows, key=lambda row: (str(row[0]), str(row[1]))):
                found.setdefault(str(subject), str(label))
        return found

    def scenario(
        self,
        events: Sequence[str],
        version: str | None = None,
        *,
        interpretations: Interpretations = None,
    ) -> dict[str, Any]:
        """``POST /scenarios``: what ``events`` activate in ``version`` (JSON, as a dict),
        strictly or including ``interpretations``; then ``mode`` is ``interpreted`` and
        each element lists in ``interpretations`` those its outcome rests on."""
        body: dict[str, Any] = {"events": list(events), "version": version}
        if interpretations is not None:
            body["interpretations"] = (
                interpretations if isinstance(interpretations, str) else list(interpretations)
            )
        return self._json(httpx.post(self.url + "/scenarios", json=body, timeout=REQUEST_TIMEOUT))

    def scenario_catalogue(self) -> dict[str, Any]:
        """``GET /scenarios/events``: the events, text versions and interpretations a
        scenario may name."""
        return self._json(httpx.get(self.url + "/scenarios/events", timeout=REQUEST_TIMEOUT))

    def page(self, iri: str) -> str:
        """Where this server shows an ``https://w3id.org/sgkg/id/...`` IRI in a browser."""
        if not iri.startswith(str(ID)):
            return iri
        return self.url + "/id/" + iri[len(str(ID)) :]

    def close(self) -> None:
        """Stop the local server if this connection started one."""
        if self.server is not None:
            self.server.stop()

    def _json(self, answer: httpx.Response) -> dict[str, Any]:
        if answer.status_code != 200:
            raise NotebookClientError(f"{answer.request.url}: {answer.status_code} {answer.text}")
        return answer.json()

    def __repr__(self) -> str:
        started = " (started by this notebook)" if self.server is not None else ""
        return f"<sgkg server at {self.url}{started}>"


def connect(url: str | None = None) -> Connection:
    """A connection to the server at ``url``; with ``None``, to a local server started now."""
    if url:
        return Connection(url)
    server = start_local_server()
    return Connection(server.url, server)


# --- SPARQL JSON results -> engine-neutral results -> tables ----------------------------


def interpretation_names(interpretations: Interpretations) -> str:
    """``interpretations=`` as the server's parameter reads it: '' (strict), 'all', or
    names joined by commas."""
    if interpretations is None:
        return ""
    if isinstance(interpretations, str):
        return interpretations
    return ",".join(interpretations)


def result_from_json(answer: dict[str, Any]) -> QueryResult:
    """A SPARQL 1.1 JSON result (what SPARQLWrapper's ``convert()`` gives) as a result."""
    if "boolean" in answer:
        return AskResult(bool(answer["boolean"]))
    variables = tuple(answer["head"]["vars"])
    rows = tuple(
        tuple(_term(binding.get(name)) for name in variables)
        for binding in answer["results"]["bindings"]
    )
    return SelectResult(variables, rows)


def without_comment_lines(sparql: str) -> str:
    """The query without its whole-line ``#`` comments (the questions' ``#+`` headers).

    SPARQLWrapper decides between query and update by searching the text for the first
    keyword, and its comment filter skips every second line of a comment block, so a
    header line with "adds" in it turns an ASK into a refused ``ADD`` update
    (RDFLib/sparqlwrapper#232). Comments never change a query's meaning, so they go.
    """
    return "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))


def iris_in(result: SelectResult) -> set[str]:
    """Every IRI in the result's rows."""
    return {str(term) for row in result.rows for term in row if isinstance(term, URIRef)}


def to_dataframe(result: SelectResult, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows as a table: IRIs by :func:`short_name`, literals as their values.

    With ``labels``, each column holding IRIs gets a ``<name>Label`` column after it
    (unless the query already has one), holding the IRIs' labels.
    """
    columns: dict[str, list[Any]] = {}
    for index, name in enumerate(result.variables):
        terms = [row[index] for row in result.rows]
        columns[name] = [display_value(term) for term in terms]
        label_column = name + LABEL_SUFFIX
        has_iris = any(isinstance(term, URIRef) for term in terms)
        if labels is not None and has_iris and label_column not in result.variables:
            columns[label_column] = [
                labels.get(str(term)) if isinstance(term, URIRef) else None for term in terms
            ]
    return pd.DataFrame(columns)


def scenario_table(result: dict[str, Any], which: str = "active") -> pd.DataFrame:
    """One list of a ``POST /scenarios`` answer (``active`` or ``inactive``) as a table.

    Each element gets its kind, short name and label; the conditions that decided it, in
    words (met or not, why, and through which larger element when not its own); and the
    passage of the scenario's version that says it, preferring one that also states a
    deciding condition ("... once a ceasefire enters into force"), with its offsets. An
    answer that includes interpretations adds the column ``rests on``: the short names of
    the interpretations each outcome rests on (empty where the words alone decide it).
    """
    names = {
        element["iri"]: element["label"] or short_name(element["iri"])
        for part in ("active", "inactive", "not_in_version")
        for element in result[part]
    }
    conditions = {condition["iri"]: condition for condition in result["conditions"]}
    rows = [
        {
            "kind": outcome["kind"],
            "element": short_name(outcome["iri"]),
            "label": outcome["label"],
            "deciding conditions": "; ".join(
                _deciding(item, outcome["iri"], names, conditions) for item in outcome["decided_by"]
            )
            or "none",
            "evidence": _evidence_words(outcome, conditions),
            "rests on": ", ".join(short_name(iri) for iri in outcome.get("interpretations", [])),
        }
        for outcome in result[which]
    ]
    columns = ["kind", "element", "label", "deciding conditions", "evidence"]
    if result.get("mode") == "interpreted":
        columns.append("rests on")
    return pd.DataFrame(rows, columns=columns)


def _deciding(
    item: dict[str, Any],
    element: str,
    names: dict[str, str],
    conditions: dict[str, dict[str, Any]],
) -> str:
    """A deciding condition in words: 'label (met, because ...; as part of ...)'."""
    condition = conditions.get(item["condition"], {})
    notes = ["met" if item["met"] else "not met"]
    entailed_by = [conditions[iri]["label"] for iri in condition.get("entailed_by", [])]
    if entailed_by:
        notes.append("it follows from: " + ", ".join(entailed_by))
    readings = [short_name(iri) for iri in item.get("interpretations", [])]
    if readings:
        notes.append("by interpretation: " + ", ".join(readings))
    missing = [
        conditions[iri]["label"]
        for iri in condition.get("operands", [])
        if iri in conditions and not conditions[iri]["met"]
    ]
    if missing:
        notes.append("still missing: " + ", ".join(missing))
    if item["via"] != element:
        notes.append("as part of: " + names.get(item["via"], short_name(item["via"])))
    label = item["label"] or short_name(item["condition"])
    return f"{label} ({'; '.join(notes)})"


def _evidence_words(outcome: dict[str, Any], conditions: dict[str, dict[str, Any]]) -> str | None:
    """The quote and offsets of the passage that best says why the element is (not) active."""
    passages = outcome["evidence"]
    if not passages:
        return None
    stating = {
        passage["passage"]
        for item in outcome["decided_by"]
        for passage in conditions.get(item["condition"], {}).get("evidence", [])
    }
    best = next((p for p in passages if p["passage"] in stating), passages[0])
    return f'"{best["quote"]}" [{best["start"]}-{best["end"]}]'


def short_name(iri: str) -> str:
    """How a table shows an IRI: ``party/united-states`` for the graph's own individuals
    (the form the competency questions use), ``sg:Commitment`` for ontology terms,
    ``prefix:name`` for other known vocabularies, the IRI itself otherwise."""
    if iri.startswith(str(ID)):
        return iri[len(str(ID)) :]
    return prefixed_name(iri, PREFIXES) or iri


def display_value(term: Term | None) -> Any:
    """A result term as a table cell: a short name, a number, a boolean or text."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return short_name(str(term))
    if isinstance(term, Literal):
        if term.datatype in _NUMERIC or term.datatype == XSD.boolean:
            value = term.toPython()
            return value if not isinstance(value, Literal) else str(term)
        return str(term)
    return f"_:{term}"


def _term(binding: dict[str, str] | None) -> Term | None:
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        language = binding.get("xml:lang")
        datatype = None if language else binding.get("datatype")
        return Literal(value, lang=language, datatype=URIRef(datatype) if datatype else None)
    raise NotebookClientError(f"unknown term type {kind!r} in a SPARQL JSON result")
