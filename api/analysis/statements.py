"""The statements of the graph as facts a person reads: kind, who, modality, conditions.

Every ``sg:Statement`` is of one of nine kinds (the direct subclasses of ``sg:Statement``
in the ontology: Commitment, Readiness, ...). For each, this module gathers from the
strict graph (the words alone, never an interpretation) what the reading room, the
comparison and the codebook show: its label, kind, the parties and the property that
names each (``sg:committedBy``, ``sg:readyParty``, ``sg:statedBy``, ``sg:participant``),
how its sentence settles who speaks (``sg:subjectResolution``) and whom it sets apart,
its wording, beneficiaries, conditions (its own, and those of what it is part of),
bindingness, the components it belongs to, its variants in other versions, and its
evidence passages.

The graph is read with a handful of SELECT queries through :class:`api.store.base.Store`, so
every backend answers alike; nothing here knows the Paris Declaration.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.core.layout import ONTOLOGY, graph_iri
from api.core.namespaces import SG
from api.store.base import Store, select
from api.store.results import term_int, term_text

if TYPE_CHECKING:  # it names statements' parts (Ref) itself
    from api.analysis.interpretation_notes import InterpretationNote

#: The properties that name a statement's parties, with the role word each gives them.
PARTY_PROPERTIES: dict[str, str] = {
    str(SG.committedBy): "committed by",
    str(SG.readyParty): "ready party",
    str(SG.statedBy): "stated by",
    str(SG.participant): "participant",
}

#: The subject resolution that leaves "we" unresolved (a party is set apart).
WE_UNRESOLVED = "https://w3id.org/sgkg/id/subject-resolution/we-unresolved"

_PREFIXES = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

#: An English (or untagged) name of ?x in ?xLabel: rdfs:label first, else skos:prefLabel.
_LABEL = """OPTIONAL {{ {x} rdfs:label ?{x_}Label0
           FILTER(LANG(?{x_}Label0) = "" || LANGMATCHES(LANG(?{x_}Label0), "en")) }}
OPTIONAL {{ {x} skos:prefLabel ?{x_}Label1
           FILTER(LANG(?{x_}Label1) = "" || LANGMATCHES(LANG(?{x_}Label1), "en")) }}
BIND(COALESCE(?{x_}Label0, ?{x_}Label1) AS ?{x_}Label)"""


def _label(variable: str) -> str:
    return _LABEL.format(x=f"?{variable}", x_=variable)


@dataclass(frozen=True)
class Selection:
    """Which statements to read: those with evidence in ``versions`` and among
    ``statements`` (None: no restriction)."""

    versions: Sequence[str] | None = None
    statements: Sequence[str] | None = None

    def pattern(self) -> str:
        """The SPARQL that keeps only the chosen statements (``?s``)."""
        parts = []
        if self.statements is not None:
            parts.append(f"VALUES ?s {{ {' '.join(f'<{iri}>' for iri in self.statements)} }}")
        if self.versions is not None:
            values = " ".join(f"<{iri}>" for iri in self.versions)
            parts.append(f"VALUES ?wanted {{ {values} }} ?s sg:hasEvidence/sg:inVersion ?wanted .")
        return "\n  ".join(parts)


def _kinds_query(selection: Selection) -> str:
    return f"""{_PREFIXES}
SELECT DISTINCT ?s ?kind ?kindLabel ?sLabel WHERE {{
  GRAPH <{graph_iri(ONTOLOGY)}> {{ ?kind rdfs:subClassOf sg:Statement ; rdfs:label ?kindLabel }}
  ?s a ?kind .
  {selection.pattern()}
  {_label("s")}
}}"""


#: The statement properties the page and the codebook show (``sg:variantOf`` both ways).
_FACT_PROPERTIES = (
    "sg:wording",
    "sg:subjectResolution",
    "sg:committedBy",
    "sg:readyParty",
    "sg:statedBy",
    "sg:participant",
    "sg:role",
    "sg:participationIn",
    "sg:setsApart",
    "sg:beneficiary",
    "sg:activatedBy",
    "sg:hasContent",
    "sg:bindingness",
    "sg:partOf",
)


def _facts_query(selection: Selection) -> str:
    return f"""{_PREFIXES}
SELECT DISTINCT ?s ?p ?o ?oLabel WHERE {{
  GRAPH <{graph_iri(ONTOLOGY)}> {{ ?kind rdfs:subClassOf sg:Statement }}
  ?s a ?kind .
  {selection.pattern()}
  {{ VALUES ?p {{ {" ".join(_FACT_PROPERTIES)} }} ?s ?p ?o }}
  UNION {{ ?s sg:variantOf ?o BIND(sg:variantOf AS ?p) }}
  UNION {{ ?o sg:variantOf ?s BIND(sg:variantOf AS ?p) }}
  {_label("o")}
}}"""


def _inherited_query(selection: Selection) -> str:
    """What a statement inherits from the elements it is part of (or takes part in)."""
    return f"""{_PREFIXES}
SELECT DISTINCT ?s ?via ?viaLabel ?p ?o ?oLabel WHERE {{
  GRAPH <{graph_iri(ONTOLOGY)}> {{ ?kind rdfs:subClassOf sg:Statement }}
  ?s a ?kind .
  {selection.pattern()}
  ?s (sg:partOf|sg:participationIn)+ ?via .
  VALUES ?p {{ sg:activatedBy sg:bindingness }}
  ?via ?p ?o .
  {_label("via")}
  {_label("o")}
}}"""


def _components_query(selection: Selection) -> str:
    """The numbered components a statement belongs to, directly or through what it is
    part of or takes part in."""
    return f"""{_PREFIXES}
SELECT DISTINCT ?s ?c ?number ?cLabel WHERE {{
  GRAPH <{graph_iri(ONTOLOGY)}> {{ ?kind rdfs:subClassOf sg:Statement }}
  ?s a ?kind .
  {selection.pattern()}
  ?s (sg:partOf|sg:participationIn)+ ?c .
  ?c a sg:Component ; sg:componentNumber ?number .
  {_label("c")}
}}"""


def _evidence_query(selection: Selection) -> str:
    return f"""{_PREFIXES}
SELECT DISTINCT ?s ?passage ?version ?agreement ?agreementLabel ?quote ?start ?end WHERE {{
  GRAPH <{graph_iri(ONTOLOGY)}> {{ ?kind rdfs:subClassOf sg:Statement }}
  ?s a ?kind ; sg:hasEvidence ?passage .
  ?passage sg:inVersion ?version .
  {selection.pattern()}
  OPTIONAL {{ ?version sg:versionOf ?agreement . {_label("agreement")} }}
  OPTIONAL {{ ?passage sg:quote ?quote }}
  OPTIONAL {{ ?passage sg:startOffset ?start }}
  OPTIONAL {{ ?passage sg:endOffset ?end }}
}}"""


@dataclass(frozen=True, order=True)
class Ref:
    """A resource named on a page: its IRI and, when the graph gives one, its label."""

    iri: str
    label: str | None = None


@dataclass(frozen=True)
class Kind:
    """One of the nine statement kinds."""

    iri: str
    label: str

    @property
    def slug(self) -> str:
        return self.label.lower().replace(" ", "-")


@dataclass(frozen=True)
class PartyRole:
    """The parties one property names: ``committed by`` the Coalition."""

    role: str
    property: str
    parties: tuple[Ref, ...]


@dataclass(frozen=True)
class Inherited:
    """A condition or bindingness a statement takes from an element it is part of."""

    value: Ref
    via: Ref


@dataclass(frozen=True)
class EvidencePassage:
    """A passage a statement is grounded in."""

    iri: str
    version: str
    quote: str | None
    start: int | None
    end: int | None


@dataclass
class Statement:
    """A statement as the reading room shows it (strict: from the words alone)."""

    iri: str
    label: str | None
    kind: Kind
    wording: Ref | None = None
    resolution: Ref | None = None
    parties: tuple[PartyRole, ...] = ()
    role: Ref | None = None
    participation_in: tuple[Ref, ...] = ()
    sets_apart: tuple[Ref, ...] = ()
    beneficiaries: tuple[Ref, ...] = ()
    conditions: tuple[Ref, ...] = ()
    content: tuple[Ref, ...] = ()
    bindingness: tuple[Ref, ...] = ()
    part_of: tuple[Ref, ...] = ()
    variants: tuple[Ref, ...] = ()
    inherited_conditions: tuple[Inherited, ...] = ()
    inherited_bindingness: tuple[Inherited, ...] = ()
    #: the numbered components it belongs to: (number, component)
    components: tuple[tuple[int, Ref], ...] = ()
    evidence: tuple[EvidencePassage, ...] = ()
    agreements: tuple[Ref, ...] = ()
    #: readings beyond the words about this statement (:mod:`api.analysis.interpretation_notes`)
    interpretations: tuple["InterpretationNote", ...] = ()

    @property
    def unresolved(self) -> bool:
        """Whether its "we" is left unresolved (a party set apart, no party asserted)."""
        return self.resolution is not None and self.resolution.iri == WE_UNRESOLVED

    @property
    def versions(self) -> tuple[str, ...]:
        """The versions with evidence for it, in the order its evidence comes."""
        return tuple(dict.fromkeys(p.version for p in self.evidence))

    def evidence_in(self, version: str) -> tuple[EvidencePassage, ...]:
        return tuple(p for p in self.evidence if p.version == version)


def read_statements(
    store: Store, selection: Selection = Selection(), interpretations: Sequence[str] = ()
) -> list[Statement]:
    """The statements ``selection`` chooses (all by default), sorted by IRI: from the
    words alone, or read with the ``interpretations`` graphs added (a statement only an
    interpretation makes is then among them, and the facts they add are too)."""

    def rows(sparql: str) -> tuple[tuple, ...]:
        return select(store, sparql, interpretations=interpretations).rows

    found: dict[str, Statement] = {}
    for s, kind, kind_label, label in rows(_kinds_query(selection)):
        found[str(s)] = Statement(str(s), term_text(label), Kind(str(kind), str(kind_label)))
    facts: dict[str, dict[str, list[Ref]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o, label in rows(_facts_query(selection)):
        if str(s) in found:
            facts[str(s)][str(p)].append(Ref(str(o), term_text(label)))
    inherited: dict[str, dict[str, list[Inherited]]] = defaultdict(lambda: defaultdict(list))
    for s, via, via_label, p, o, label in rows(_inherited_query(selection)):
        item = Inherited(Ref(str(o), term_text(label)), Ref(str(via), term_text(via_label)))
        inherited[str(s)][str(p)].append(item)
    evidence: dict[str, list[EvidencePassage]] = defaultdict(list)
    agreements: dict[str, set[Ref]] = defaultdict(set)
    components: dict[str, set[tuple[int, Ref]]] = defaultdict(set)
    for s, component, number, label in rows(_components_query(selection)):
        if term_int(number) is not None:
            components[str(s)].add((int(str(number)), Ref(str(component), term_text(label))))
    for s, passage, version, agreement, agreement_label, quote, start, end in rows(
        _evidence_query(selection)
    ):
        evidence[str(s)].append(
            EvidencePassage(
                str(passage), str(version), term_text(quote), term_int(start), term_int(end)
            )
        )
        if agreement is not None:
            agreements[str(s)].add(Ref(str(agreement), term_text(agreement_label)))
    for iri, statement in found.items():
        _fill(statement, facts[iri], inherited[iri], evidence[iri], agreements[iri])
        statement.components = tuple(sorted(components[iri]))
    return [found[iri] for iri in sorted(found)]


def _fill(
    statement: Statement,
    facts: dict[str, list[Ref]],
    inherited: dict[str, list[Inherited]],
    evidence: list[EvidencePassage],
    agreements: set[Ref],
) -> None:
    def refs(prop: object) -> tuple[Ref, ...]:
        return tuple(sorted(set(facts.get(str(prop), ()))))

    def one(prop: object) -> Ref | None:
        values = refs(prop)
        return values[0] if values else None

    statement.wording = one(SG.wording)
    statement.resolution = one(SG.subjectResolution)
    statement.parties = tuple(
        PartyRole(role, prop, refs(prop)) for prop, role in PARTY_PROPERTIES.items() if refs(prop)
    )
    statement.role = one(SG.role)
    statement.participation_in = refs(SG.participationIn)
    statement.sets_apart = refs(SG.setsApart)
    statement.beneficiaries = refs(SG.beneficiary)
    statement.conditions = refs(SG.activatedBy)
    statement.content = refs(SG.hasContent)
    statement.bindingness = refs(SG.bindingness)
    statement.part_of = refs(SG.partOf)
    statement.variants = tuple(v for v in refs(SG.variantOf) if v.iri != statement.iri)
    statement.inherited_conditions = _distinct(inherited.get(str(SG.activatedBy), ()))
    statement.inherited_bindingness = _distinct(inherited.get(str(SG.bindingness), ()))
    statement.evidence = tuple(
        sorted(set(evidence), key=lambda p: (p.version, p.start if p.start is not None else -1))
    )
    statement.agreements = tuple(sorted(agreements))


def _distinct(items: Iterable[Inherited]) -> tuple[Inherited, ...]:
    return tuple(sorted(set(items), key=lambda i: (i.via.iri, i.value.iri)))
