"""The OWL 2 RL materialiser infers what HermiT infers, for every construct it covers.

Each comparison runs both on the same triples: HermiT (real Java,
:func:`api.reason.hermit.infer`) and the rules in pyoxigraph
(:func:`api.reason.materialiser.fixpoint.materialise`). On the shipped graph they must
give the same set of inferred triples. HermiT's command line prints property values and
superclasses *directly* (a value of a subproperty not again under its superproperty, an
equivalence class under one of its names), so where the rules give more,
HermiT itself must find every extra triple entailed (``--checkEntailment``).

Cases: the shipped graph; a small ontology that uses every covered construct (and a
named class under a restriction, which needs a derived subclass axiom), so a new class
or property of a kind the rules know stays covered; a synthetic corpus through the
large-build pipeline.
"""

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from api.build.pipeline import build
from api.core.layout import discover_layout, graph_iri
from api.load.bulkload import oxigraph_term
from api.load.dataset import load_dataset
from api.reason.hermit import hermit_entails, infer
from api.reason.materialiser.compiler import compile_schema, read_schema
from api.reason.materialiser.fixpoint import materialise, strata
from api.reason.reasoning import reason, reasoning_input
from api.store.base import rdflib_term
from api.synth.corpus import write_corpus

from conftest import REPO

DATA = ox.NamedNode(str(graph_iri("data")))
INFERRED = ox.NamedNode(str(graph_iri("inferred")))

#: Every construct the rules cover, with data that exercises each.
CONSTRUCTS = """\
@prefix : <https://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

:Thing a owl:Class .
:Agent a owl:Class ; rdfs:subClassOf :Thing .
:Person a owl:Class ; rdfs:subClassOf :Agent .
:Human a owl:Class ; owl:equivalentClass :Person .
:Group a owl:Class ; rdfs:subClassOf :Agent .
:Role a owl:Class .
:Place a owl:Class .
:Task a owl:Class .
:Urgent a owl:Class .
:Leader a owl:Class ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( :Agent
        [ a owl:Restriction ; owl:onProperty :takes ;
          owl:someValuesFrom [ a owl:Restriction ; owl:onProperty :role ;
                               owl:hasValue :lead ] ] ) ] .
:Busy a owl:Class ;
    owl:equivalentClass [ a owl:Restriction ; owl:onProperty :does ;
                          owl:someValuesFrom owl:Thing ] .
:Located a owl:Class ;
    owl:equivalentClass [ a owl:Class ; owl:unionOf (
        [ a owl:Restriction ; owl:onProperty :at ; owl:someValuesFrom :Place ] :Place ) ] .
:Chief a owl:Class ; rdfs:subClassOf :Agent,
    [ a owl:Restriction ; owl:onProperty :takes ;
      owl:someValuesFrom [ a owl:Restriction ; owl:onProperty :role ; owl:hasValue :lead ] ] .
:Boss a owl:Class ; rdfs:subClassOf :Person,
    [ a owl:Restriction ; owl:onProperty :rank ; owl:hasValue :top ] .
:Careful a owl:Class ; rdfs:subClassOf
    [ a owl:Restriction ; owl:onProperty :does ; owl:allValuesFrom :Urgent ] .

:takes a owl:ObjectProperty ; rdfs:range :Role .
:role a owl:ObjectProperty .
:rank a owl:ObjectProperty .
:does a owl:ObjectProperty ; rdfs:range :Task .
:at a owl:ObjectProperty .
:knows a owl:ObjectProperty, owl:SymmetricProperty ; rdfs:domain :Agent .
:partOf a owl:ObjectProperty, owl:TransitiveProperty ; owl:inverseOf :hasPart .
:hasPart a owl:ObjectProperty .
:memberOf a owl:ObjectProperty ; rdfs:subPropertyOf :partOf ; rdfs:range :Group .
:belongsTo a owl:ObjectProperty ; owl:equivalentProperty :memberOf .
:worksWith a owl:ObjectProperty ;
    owl:propertyChainAxiom ( :memberOf :hasPart ) .
:name a owl:DatatypeProperty ; rdfs:domain :Thing .

:lead a owl:NamedIndividual .
:top a owl:NamedIndividual .
:ann a :Person ; :knows :bob ; :belongsTo :team ; :name "Ann" ; :takes :r1 .
:r1 :role :lead .
:bob :memberOf :team ; :does :t1 .
:team :partOf :unit .
:unit :partOf :org .
:cid a :Chief .
:dot a :Boss .
:eve a :Careful ; :does :t2 ; :at :p1 .
:p1 a :Place .
"""


def rules_inferences(graph: Graph) -> tuple[set[tuple[str, str, str]], object]:
    store = ox.Store()
    store.extend(
        ox.Quad(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o), DATA) for s, p, o in graph
    )
    done = materialise(store, [DATA], INFERRED)
    found = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.quads_for_pattern(None, None, None, INFERRED)
    }
    return found, done


def hermit_inferences(graph: Graph) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), str(o)) for s, p, o in infer(graph)}


def test_the_shipped_graph_gets_hermits_inferences() -> None:
    graph = reasoning_input(load_dataset(discover_layout(REPO)))
    ours, done = rules_inferences(graph)
    assert done.complete, done.unsupported
    assert ours == hermit_inferences(graph)
    assert len(ours) > 500


def test_every_covered_construct_gets_hermits_inferences() -> None:
    graph = Graph().parse(data=CONSTRUCTS, format="turtle")
    ours, done = rules_inferences(graph)
    hermit = hermit_inferences(graph)
    assert done.complete, done.unsupported
    assert hermit - ours == set()
    extra = ours - hermit
    assert extra  # superproperty values, which HermiT lists under the subproperty only
    assert hermit_entails(graph, [tuple(URIRef(t) for t in triple) for triple in extra])
    assert not hermit_entails(
        graph,
        [(URIRef("https://example.org/t#org"), OWL.sameAs, URIRef("https://example.org/t#unit"))],
    )
    t = "https://example.org/t#"
    expected = {
        (t + "ann", str(RDF.type), t + "Leader"),  # someValuesFrom of a hasValue
        (t + "cid", str(RDF.type), t + "Leader"),  # a named class under the restriction
        (t + "Chief", str(RDFS.subClassOf), t + "Leader"),  # ... classified under it
        (t + "dot", t + "rank", t + "top"),  # hasValue as a superclass
        (t + "t2", str(RDF.type), t + "Urgent"),  # allValuesFrom as a superclass
        (t + "eve", str(RDF.type), t + "Located"),  # a union
        (t + "bob", t + "worksWith", t + "ann"),  # a chain: team has ann as a part
        (t + "ann", t + "partOf", t + "org"),  # equivalent, sub- and transitive property
        (t + "org", t + "hasPart", t + "ann"),  # ... and its inverse
        (t + "bob", t + "knows", t + "ann"),  # symmetric
        (t + "Leader", str(RDFS.subClassOf), t + "Agent"),  # from the definition
    }
    assert expected - hermit == set()  # the cases are real: HermiT infers them too
    assert (t + "bob", t + "partOf", t + "team") in extra  # a superproperty's value


def test_a_construct_without_rules_is_reported() -> None:
    graph = Graph().parse(
        data=CONSTRUCTS
        + ":Idle a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:complementOf :Busy ] .\n",
        format="turtle",
    )
    _, done = rules_inferences(graph)
    assert not done.complete
    assert any("owl:complementOf" in reason for reason in done.unsupported)


def test_rules_run_in_strata_writers_first() -> None:
    store = ox.Store()
    store.load(CONSTRUCTS.encode(), format=ox.RdfFormat.TURTLE, to_graph=DATA)
    rules = compile_schema(read_schema(store, [DATA])).rules
    ordered = strata(rules)
    for index, stratum in enumerate(ordered):  # no stratum reads what a later one writes
        reads = frozenset().union(*(rule.reads for rule in stratum))
        for later in ordered[index + 1 :]:
            assert not reads & frozenset().union(*(rule.writes for rule in later))
    flattened = [rule for stratum in ordered for rule in stratum]
    assert sorted(map(id, flattened)) == sorted(map(id, rules))


def test_a_large_build_reasons_in_its_store_like_hermit(tmp_path: Path) -> None:
    """The SPARQL-validator pipeline (pyoxigraph loads) reasons in place, and its
    inferred graph is HermiT's."""
    root = write_corpus(REPO, tmp_path / "synth", 6).root
    layout = discover_layout(root, tmp_path / "build")
    result = build(layout, reason=reason, validator="sparql")
    assert result.manifest["reasoning"]["complete"] is True
    built = ox.Store()
    built.bulk_load(path=str(layout.build_dir / "sgkg.nq"), format=ox.RdfFormat.N_QUADS)
    ours = {
        tuple(str(rdflib_term(t)) for t in (q.subject, q.predicate, q.object))
        for q in built.quads_for_pattern(None, None, None, INFERRED)
    }
    assert ours == hermit_inferences(reasoning_input(load_dataset(layout)))


def test_nothing_to_reason_over() -> None:
    found, done = rules_inferences(Graph())
    assert found == set() and done.triples == 0 and done.complete
