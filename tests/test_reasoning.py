"""OWL reasoning with HermiT (real Java): consistency, inferences, and clashes explained.

The shipped ontology, data and text layer are built once for the module with the
reasoner; the inconsistent cases use the project's ontology with a few lines of data,
so each HermiT run takes about a second.
"""

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef, namespace
from rdflib.namespace import OWL, RDF

from api.build.pipeline import MANIFEST_FILE, BuildResult, build
from api.cli.query import open_store
from api.core.layout import discover_layout
from api.core.namespaces import ID, SG
from api.load.dataset import load_dataset
from api.reason.hermit import InconsistentOntology, ReasonerError, UnsatisfiableClasses, run_hermit
from api.reason.inconsistency import find_clashes, literal_in_range
from api.reason.reasoning import reason, reason_with_hermit, reasoning_input, summarise
from api.store.embedded import EmbeddedStore
from api.store.results import AskResult, SelectResult

from conftest import REPO

INFERRED = "https://w3id.org/sgkg/graph/inferred"
PREFIXES = """\
@prefix sg: <https://w3id.org/sgkg/ontology#> .
@prefix party: <https://w3id.org/sgkg/id/party/> .
@prefix passage: <https://w3id.org/sgkg/id/passage/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


@pytest.fixture(scope="module")
def reasoned(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, EmbeddedStore]:
    """The shipped project, built with reasoning (once for the module)."""
    layout = discover_layout(REPO, tmp_path_factory.mktemp("reasoned") / "build")
    result = build(layout, reason=reason)
    return result, open_store(layout)


def iri(path: str) -> str:
    """An instance IRI as a plain string, e.g. ``iri("component/3")``."""
    return str(ID[path])


def inferred_objects(store: EmbeddedStore, subject: str, predicate: str) -> set[str]:
    query = f"SELECT ?o WHERE {{ GRAPH <{INFERRED}> {{ <{subject}> <{predicate}> ?o }} }}"
    result = store.query(query)
    assert isinstance(result, SelectResult)
    return {str(row[0]) for row in result.rows}


def inferred_members(store: EmbeddedStore, cls: str) -> set[str]:
    result = store.query(f"SELECT ?s WHERE {{ GRAPH <{INFERRED}> {{ ?s a <{cls}> }} }}")
    assert isinstance(result, SelectResult)
    return {str(row[0]) for row in result.rows}


# --- the shipped graph -----------------------------------------------------------------


def test_shipped_graph_is_consistent_and_fills_the_inferred_graph(reasoned) -> None:
    result, _ = reasoned
    manifest = result.manifest
    assert manifest["reasoning"]["consistency"] == "HermiT: ontology, data and text layer"
    assert manifest["reasoning"]["complete"] is True
    assert manifest["graphs"]["inferred"]["triples"] > 500
    assert (result.build_dir / MANIFEST_FILE).is_file()


def test_defined_classes_are_classified(reasoned) -> None:
    _, store = reasoned
    # every undertaking with an sg:activatedBy of its own, and nothing else: the
    # capacity and the recommendation with conditions are not undertakings
    assert inferred_members(store, SG.ConditionalCommitment) == {
        iri("commitment/us-support-force-in-case-of-attack"),
    }
    # the elements some version records a leader for: the US-led monitoring mechanism
    # and system, and component 3, whose elements are European-led
    assert inferred_members(store, SG.LedElement) == {
        iri("mechanism/ceasefire-monitoring-and-verification"),
        iri("mechanism/ceasefire-monitoring-system"),
        iri("component/3"),
    }


def test_property_chain_inverses_and_transitivity(reasoned) -> None:
    _, store = reasoned
    cell = iri("mechanism/coordination-cell")
    assert inferred_objects(store, cell, SG.involves) == {
        iri("party/united-states"),
        iri("party/ukraine"),
        iri("party/coalition-of-the-willing"),
    }
    assert iri("participation/us-in-coordination-cell") in inferred_objects(
        store, cell, SG.hasParticipation
    )
    finalise = iri("commitment/finalise-binding-commitments")
    assert iri("system/paris-declaration") in inferred_objects(store, finalise, SG.partOf)
    clause = iri("passage/paris-final-c1-s2-contributions")
    assert inferred_objects(store, clause, SG.containedIn) == {iri("passage/paris-final-c1")}
    final = iri("version/paris-final")
    passages = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p <{SG.inVersion}> <{final}> }}")
    has_passage = inferred_objects(store, final, SG.hasPassage)
    assert isinstance(passages, SelectResult)
    assert len(has_passage) == int(passages.rows[0][0]) > 40


def test_superclass_memberships_need_no_property_path(reasoned) -> None:
    _, store = reasoned
    types = inferred_objects(store, iri("component/3"), str(RDF.type))
    assert {SG.GuaranteeElement, SG.EvidencedEntity} <= {URIRef(t) for t in types}


def test_the_inferred_graph_holds_nothing_asserted(reasoned) -> None:
    _, store = reasoned
    overlap = store.query(
        f"ASK {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(?g != <{INFERRED}>) }}"
    )
    assert overlap == AskResult(False)


def test_reasoning_input_never_asks_for_imports() -> None:
    loaded = load_dataset(discover_layout(REPO))
    assert (None, OWL.imports, None) in loaded.graph("ontology")
    assert (None, OWL.imports, None) not in reasoning_input(loaded)


def test_no_clash_is_reported_on_the_consistent_shipped_graph() -> None:
    """The clash rules are sound: the graph HermiT finds consistent has none."""
    assert find_clashes(reasoning_input(load_dataset(discover_layout(REPO)))) == []


# --- inconsistent input: HermiT says so, sgkg says why ---------------------------------


def small_tree(tmp_path: Path, data: str) -> Path:
    """The project's ontology and shapes, with ``data`` as the only data file."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    (root / "data").mkdir()
    (root / "data" / "case.ttl").write_text(PREFIXES + data, encoding="utf-8")
    return root


def reason_over(tmp_path: Path, data: str) -> Graph:
    layout = discover_layout(small_tree(tmp_path, data), tmp_path / "build")
    return reason_with_hermit(load_dataset(layout))


def test_individual_in_two_disjoint_classes(tmp_path: Path) -> None:
    data = """
passage:x a sg:Passage, sg:Commitment ; rdfs:label "x"@en .
"""
    with pytest.raises(InconsistentOntology) as caught:
        reason_over(tmp_path, data)
    message = str(caught.value)
    assert "sgid:passage/x is both sg:Commitment and sg:Passage" in message
    assert "which the ontology declares disjoint" in message
    assert "sg:Commitment is a subclass of sg:EvidencedEntity via sg:Statement" in message
    assert "owl:AllDisjointClasses of sg:Agreement, sg:TextVersion, sg:Passage" in message
    assert "[see data/case.ttl]" in message
    assert caught.value.exit_code == 1
    assert "Exception" not in message and "\tat " not in message


def test_property_domain_forcing_a_disjoint_type(tmp_path: Path) -> None:
    data = """
party:somewhere a sg:State ; rdfs:label "Somewhere"@en ; sg:quote "a quote" .
"""
    with pytest.raises(InconsistentOntology) as caught:
        reason_over(tmp_path, data)
    (clash,) = caught.value.clashes
    assert clash.individuals == (iri("party/somewhere"),)
    assert "sgid:party/somewhere is both sg:State and sg:Passage" in clash.explanation
    assert "the subject of sg:quote, whose domain is sg:Passage" in clash.explanation
    assert "sg:State is a subclass of sg:Party" in clash.explanation


def test_functional_data_property_and_datatype_range(tmp_path: Path) -> None:
    data = """
passage:y a sg:Passage ; sg:startOffset "3"^^xsd:integer, "-4"^^xsd:integer .
"""
    with pytest.raises(InconsistentOntology) as caught:
        reason_over(tmp_path, data)
    explanations = [clash.explanation for clash in caught.value.clashes]
    assert any(
        "sgid:passage/y has 2 different sg:startOffset values" in e
        and "sg:startOffset is functional" in e
        for e in explanations
    )
    assert any(
        'sg:startOffset "-4"^^xsd:integer, which is not a xsd:nonNegativeInteger' in e
        for e in explanations
    )


def test_unsatisfiable_class_is_named(tmp_path: Path) -> None:
    data = """
sg:Chimera rdfs:subClassOf sg:State, sg:Coalition .
"""
    with pytest.raises(UnsatisfiableClasses) as caught:
        reason_over(tmp_path, data)
    assert caught.value.classes == ["https://w3id.org/sgkg/ontology#Chimera"]
    assert "sg:Chimera cannot have instances" in str(caught.value)
    assert "sg:Coalition and sg:State disjoint" in str(caught.value)


def test_java_errors_become_one_readable_message(tmp_path: Path) -> None:
    data = """
passage:z a sg:Passage ; sg:uncodedReason "2026-01-06"^^xsd:date .
"""
    with pytest.raises(ReasonerError) as caught:
        reason_over(tmp_path, data)
    message = str(caught.value)
    assert "datatype xsd:date, which is not in the OWL 2 datatype map" in message
    assert "sgid:passage/z sg:uncodedReason" in message
    assert "\tat " not in message and "Exception in thread" not in message


def test_without_java_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on PATH
    with pytest.raises(ReasonerError, match="HermiT needs Java and there is no `java` on PATH"):
        reason_over(tmp_path, "")


def test_inconsistent_build_is_refused_by_the_cli(sgkg, tmp_path: Path) -> None:
    """SHACL-valid but inconsistent: the build stops at HermiT, exit 1, nothing written."""
    data = """
party:somewhere a sg:State, sg:Coalition ; rdfs:label "Somewhere"@en .
"""
    root = small_tree(tmp_path, data)
    run = sgkg("--root", root, "--build-dir", tmp_path / "build", "build")
    assert run.code == 1
    assert "sgid:party/somewhere is both sg:Coalition and sg:State" in run.err
    assert "Exception" not in run.err
    assert not (tmp_path / "build" / MANIFEST_FILE).exists()


def test_reason_and_no_reason_commands(sgkg, tmp_path: Path) -> None:
    data = """
party:somewhere a sg:State ; rdfs:label "Somewhere"@en ;
    skos:exactMatch <http://www.wikidata.org/entity/Q1> .
"""
    root = small_tree(tmp_path, data)
    plain = sgkg("--root", root, "--build-dir", tmp_path / "build", "build", "--no-reason")
    assert plain.code == 0
    assert "0 of them inferred" in plain.err
    run = sgkg("--root", root, "--build-dir", tmp_path / "build", "reason", "--format", "json")
    assert run.code == 0, run.err
    summary = json.loads(run.out)
    assert summary["consistent"] is True
    assert summary["class_memberships"]["sg:Party"] == 1  # a state is a party
    manifest = json.loads((tmp_path / "build" / MANIFEST_FILE).read_text())
    assert manifest["graphs"]["inferred"]["triples"] == summary["triples"] > 0
    text = summarise(reason_with_hermit(load_dataset(discover_layout(root)))).to_text()
    assert text.startswith("consistent: yes (HermiT)\ninferred triples: ")
    assert "  sg:Party" in text


# --- the clash rules on their own (no Java) ----------------------------------------------


def test_functional_object_property_with_disjoint_values() -> None:
    graph = reasoning_input(load_dataset(discover_layout(REPO)))
    coding = next(
        c
        for c, statement in graph.subject_objects(SG.codedStatement)
        if (statement, RDF.type, SG.Commitment) in graph
    )
    statement = graph.value(coding, SG.codedStatement)
    participation = URIRef(iri("participation/us-in-coordination-cell"))
    graph.add((coding, SG.codedStatement, participation))
    (clash,) = find_clashes(graph)
    assert "has two sg:codedStatement values" in clash.explanation
    assert "sg:codedStatement is functional, so they would be one individual" in clash.explanation
    assert set(clash.individuals) == {str(coding), str(statement), str(participation)}


def test_owl_nothing_and_literal_ranges() -> None:
    graph = Graph()
    graph.add((URIRef(iri("thing/x")), RDF.type, OWL.Nothing))
    (clash,) = find_clashes(graph)
    assert "typed owl:Nothing" in clash.explanation
    assert literal_in_range(
        Literal("3", datatype=namespace.XSD.integer), namespace.XSD.nonNegativeInteger
    )
    assert not literal_in_range(
        Literal("0", datatype=namespace.XSD.integer), namespace.XSD.positiveInteger
    )
    assert not literal_in_range(Literal("text", lang="en"), namespace.XSD.string)
    assert literal_in_range(Literal("text"), namespace.XSD.string)
    assert not literal_in_range(
        Literal("1.5", datatype=namespace.XSD.decimal), namespace.XSD.integer
    )
    assert literal_in_range(Literal("anything"), namespace.XSD.dateTimeStamp) is False


# --- large graphs: the rules check the data, HermiT's failures are no inconsistency -----


def test_over_hermits_limit_the_rules_find_the_clash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above HERMIT_DATA_LIMIT HermiT sees only the schema; a clash in the data is found
    by the rules (after materialising: here through a property's domain) and explained."""
    import api.reason.reasoning

    monkeypatch.setattr(api.reason.reasoning, "HERMIT_DATA_LIMIT", 0)
    data = """
party:somewhere a sg:State ; rdfs:label "Somewhere"@en ; sg:quote "a quote" .
"""
    layout = discover_layout(small_tree(tmp_path, data), tmp_path / "build")
    with pytest.raises(InconsistentOntology) as caught:
        build(layout, reason=reason)
    assert "sgid:party/somewhere is both sg:State and sg:Passage" in str(caught.value)
    assert "the subject of sg:quote, whose domain is sg:Passage" in str(caught.value)
    consistent = small_tree(tmp_path / "fine", 'party:elsewhere a sg:State ; rdfs:label "E"@en .')
    result = build(discover_layout(consistent, tmp_path / "fine-build"), reason=reason)
    assert result.manifest["reasoning"]["consistency"].startswith("HermiT: the schema; OWL 2 RL")


def test_hermit_out_of_memory_is_not_an_inconsistency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HermiT out of its heap while checking consistency: its stack trace names the
    method throwInconsistentOntologyExceptionIfNecessary, which once read as an
    inconsistency. 100 synthetic agreements in a 24 MB heap run out the same way."""
    import api.reason.hermit
    from api.synth.corpus import write_corpus

    root = write_corpus(REPO, tmp_path / "synth", 100).root
    graph = reasoning_input(load_dataset(discover_layout(root, tmp_path / "build")))
    small_heap = ("-Xmx24m", *api.reason.hermit.JVM_OPTIONS[1:])
    monkeypatch.setattr(api.reason.hermit, "JVM_OPTIONS", small_heap)
    with pytest.raises(ReasonerError) as caught:
        run_hermit(graph)
    message = str(caught.value)
    assert "HermiT ran out of memory (Java heap limit 24m)" in message
    assert "this is no inconsistency" in message and "--no-reason" in message
