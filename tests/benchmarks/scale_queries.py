"""The scale query mix: research questions over a synthetic corpus (``sgkg synth``).

Each query asks what a researcher comparing many agreements would ask, in the shapes
that cost an engine differently: joins across agreements, GROUP BY counts, property
paths over ``sg:partOf``, text FILTERs (CONTAINS, REGEX) over every quote, NOT EXISTS
between versions, ORDER BY with OFFSET/LIMIT pages, and a CONSTRUCT of one agreement.
They rely only on what :mod:`api.synth.corpus` generates (so every one has answers at 1k
agreements and more) and on no inference (class membership by ``a/rdfs:subClassOf*``).

``test_scale_query_bench.py`` runs the mix against ``sgkg serve``, ``oxigraph serve``
and rdflib in memory; ``rdflib_scale_probe.py`` reads it from here too.
"""

from dataclasses import dataclass

PREFIXES = """\
PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX role: <https://w3id.org/sgkg/id/role/>
PREFIX party: <https://w3id.org/sgkg/id/party/>
"""
#: The agreement the CONSTRUCT describes (it exists in every corpus of 42 or more).
ONE_AGREEMENT = "https://w3id.org/sgkg/id/agreement/synth-00042-agreement"


@dataclass(frozen=True)
class ScaleQuery:
    """One query of the mix; ``graph`` is True for CONSTRUCT (an RDF answer)."""

    name: str
    question: str
    body: str
    graph: bool = False

    @property
    def sparql(self) -> str:
        return PREFIXES + self.body


MIX: tuple[ScaleQuery, ...] = (
    ScaleQuery(
        "q01-mission-leads",
        "Which parties lead a monitoring mechanism, in how many agreements?",
        """SELECT ?party ?name (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?lead sg:role role:leads ; sg:participant ?party ; sg:participationIn ?mechanism ;
        sg:hasEvidence/sg:inVersion/sg:versionOf ?agreement .
  ?mechanism a/rdfs:subClassOf* sg:Mechanism .
  ?party rdfs:label ?name .
} GROUP BY ?party ?name ORDER BY DESC(?agreements) ?party""",
    ),
    ScaleQuery(
        "q02-conditional-by-party",
        "For each party, how many commitments it makes (alone or as a participant) "
        "are conditional, and on how many compound conditions?",
        """SELECT ?party (COUNT(DISTINCT ?commitment) AS ?conditional)
       (COUNT(DISTINCT ?compound) AS ?compound_conditions) WHERE {
  ?commitment a sg:Commitment ; sg:activatedBy ?condition ; sg:committedBy ?who .
  { ?who org:hasMember ?party } UNION { ?who a sg:State . BIND(?who AS ?party) }
  OPTIONAL { ?condition sg:operand ?operand . BIND(?condition AS ?compound) }
} GROUP BY ?party ORDER BY DESC(?conditional) ?party""",
    ),
    ScaleQuery(
        "q03-quotes-with-word",
        "Which passages mention sanctions, in which agreement (first page)?",
        """SELECT ?agreement ?version ?passage ?quote WHERE {
  ?passage sg:quote ?quote ; sg:inVersion ?version .
  FILTER(CONTAINS(LCASE(?quote), "sanctions"))
  ?version sg:versionOf ?agreement .
} ORDER BY ?agreement ?passage LIMIT 100""",
    ),
    ScaleQuery(
        "q04-statements-per-component",
        "How many components carry each number, and how many statements hang on them?",
        """SELECT ?number (COUNT(DISTINCT ?component) AS ?components)
       (COUNT(DISTINCT ?statement) AS ?statements) WHERE {
  ?component a sg:Component ; sg:componentNumber ?number .
  OPTIONAL { ?statement sg:partOf ?component ; a/rdfs:subClassOf* sg:Statement . }
} GROUP BY ?number ORDER BY ?number""",
    ),
    ScaleQuery(
        "q05-draft-variants",
        "Which statements were worded differently in the draft, and how?",
        """SELECT ?agreement ?draft_label ?final_label WHERE {
  ?draft sg:variantOf ?final ; rdfs:label ?draft_label ;
         sg:hasEvidence/sg:inVersion ?draft_version .
  ?final rdfs:label ?final_label ; sg:hasEvidence/sg:inVersion ?final_version .
  ?draft_version sg:versionOf ?agreement ; sg:issuedBy ?proposer .
  ?final_version sg:versionOf ?agreement ; dcterms:date ?date .
} ORDER BY ?agreement ?draft_label""",
    ),
    ScaleQuery(
        "q06-final-only",
        "Which statements appear only in the final text of agreements that had a draft, "
        "with no draft variant?",
        """SELECT ?agreement (COUNT(DISTINCT ?statement) AS ?final_only) WHERE {
  ?final sg:versionOf ?agreement ; dcterms:date ?date .
  ?draft sg:versionOf ?agreement ; sg:issuedBy ?proposer .
  ?statement sg:hasEvidence/sg:inVersion ?final .
  FILTER NOT EXISTS { ?statement sg:hasEvidence/sg:inVersion ?draft }
  FILTER NOT EXISTS { ?variant sg:variantOf ?statement }
} GROUP BY ?agreement ORDER BY DESC(?final_only) ?agreement""",
    ),
    ScaleQuery(
        "q07-parts-of-systems",
        "Which guarantee systems have the most parts, at any depth of sg:partOf?",
        """SELECT ?system (COUNT(DISTINCT ?part) AS ?parts) WHERE {
  ?system a sg:GuaranteeSystem .
  ?part sg:partOf+ ?system .
} GROUP BY ?system ORDER BY DESC(?parts) ?system LIMIT 20""",
    ),
    ScaleQuery(
        "q08-proposed-leads-regex",
        "Which draft passages only proposed who would lead (a REGEX over every quote)?",
        """SELECT ?passage ?quote WHERE {
  ?passage sg:quote ?quote .
  FILTER(REGEX(?quote, "proposed to be led by [A-Z][a-z]+", "i"))
} ORDER BY ?passage""",
    ),
    ScaleQuery(
        "q09-agreements-page",
        "The fifth page (50 a page) of agreements, newest first, with their venue.",
        """SELECT ?agreement ?title ?date ?place WHERE {
  ?agreement a/rdfs:subClassOf* sg:Agreement ; dcterms:title ?title ;
             sg:hasVersion ?version ; sg:issuedAt ?meeting .
  ?version dcterms:date ?date .
  ?meeting <http://www.w3.org/ns/prov#atLocation>/rdfs:label ?place .
} ORDER BY DESC(?date) ?agreement OFFSET 200 LIMIT 50""",
    ),
    ScaleQuery(
        "q10-one-agreement",
        "Everything stated in one agreement: its statements, with their evidence.",
        f"""CONSTRUCT {{ ?statement ?p ?o . ?passage sg:quote ?quote }} WHERE {{
  ?passage sg:inVersion/sg:versionOf <{ONE_AGREEMENT}> ; sg:quote ?quote .
  ?statement sg:hasEvidence ?passage ; ?p ?o .
}}""",
        graph=True,
    ),
)
