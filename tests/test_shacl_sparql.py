"""The SPARQL validator gives pyshacl's results, and the large-graph build path around it.

Equivalence is checked the strict way: both validators run on the same project tree and
their results (severity, focus node, path, value, message, source shape, files) must be
the same multiset (:mod:`shacl_equivalence`). Every shape fixture is checked so in
``tests/test_shapes.py``; here, the shipped data and a small synthetic corpus with a
deliberately broken file that trips most kinds of constraint, including a list item that
another statement includes (a SPARQL constraint must test it against its own list's
statement under both engines). Then what the large-graph path refuses: shape features it
does not implement, literals its store would rewrite.
"""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import BNode

from api.build.pipeline import SPARQL, ValidationFailed, build, read_manifest, validate_layout
from api.core.layout import discover_layout
from api.load.bulkload import LiteralsNotPreserved, load_store
from api.load.dataset import SourceError, load_dataset
from api.store.base import rdflib_term
from api.synth.corpus import write_corpus
from api.validate.compiler import UnsupportedShapes
from api.validate.shacl import VIOLATION, ValidationReport, render_text, validate_dataset
from api.validate.store_validator import validate_store

from conftest import REPO, CliRun
from shacl_equivalence import assert_sparql_agrees

PREFIXES = """\
@prefix sg: <https://w3id.org/sgkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix agent: <https://w3id.org/sgkg/id/agent/> .
@prefix bindingness: <https://w3id.org/sgkg/id/bindingness/> .
@prefix closure: <https://w3id.org/sgkg/id/closure/> .
@prefix coding: <https://w3id.org/sgkg/id/coding/> .
@prefix coding-dimension: <https://w3id.org/sgkg/id/coding-dimension/> .
@prefix coding-level: <https://w3id.org/sgkg/id/coding-level/> .
@prefix commitment: <https://w3id.org/sgkg/id/commitment/> .
@prefix component: <https://w3id.org/sgkg/id/component/> .
@prefix condition: <https://w3id.org/sgkg/id/condition/> .
@prefix enumeration: <https://w3id.org/sgkg/id/enumeration/> .
@prefix measure: <https://w3id.org/sgkg/id/measure/> .
@prefix participation: <https://w3id.org/sgkg/id/participation/> .
@prefix party: <https://w3id.org/sgkg/id/party/> .
@prefix passage: <https://w3id.org/sgkg/id/passage/> .
@prefix proviso: <https://w3id.org/sgkg/id/proviso/> .
@prefix role: <https://w3id.org/sgkg/id/role/> .
@prefix system: <https://w3id.org/sgkg/id/system/> .
@prefix version: <https://w3id.org/sgkg/id/version/> .
@prefix wording: <https://w3id.org/sgkg/id/wording/> .
"""
#: Semantic layer: one statement per broken rule, next to agreement 1 of the corpus.
BROKEN_SEMANTICS = (
    PREFIXES
    + """
component:broken-1 a sg:Component ; rdfs:label "Broken component"@en, "Composant"@fr ;
    sg:componentNumber "7"^^xsd:integer ; sg:partOf system:synth-00001-guarantees ;
    sg:hasEvidence passage:synth-00001-final-p1 .
component:broken-2 a sg:Component ; rdfs:label "Broken two"@en, "Second"@en ;
    sg:componentNumber "1"^^xsd:integer ; sg:partOf system:synth-00001-guarantees ;
    sg:hasEvidence passage:synth-00001-final-p1, party:ukraine .
commitment:broken-other a sg:Commitment ; rdfs:label "Includes training"@en ;
    sg:committedBy party:ukraine ; sg:wording wording:will ;
    sg:includesMeasure measure:training ; sg:hasEvidence passage:synth-00001-final-p1 .
commitment:broken a sg:Commitment ; rdfs:label "Broken commitment"@en ;
    sg:wording wording:will, wording:shall ; sg:beneficiary "Ukraine" ;
    sg:hasEnumeration enumeration:broken ; sg:hasEvidence passage:synth-00001-final-p1 .
enumeration:broken a sg:Enumeration ; rdfs:label "Broken list"@en ;
    sg:listItem measure:training ; sg:listClosure closure:open ; sg:listMarker "including" ;
    sg:hasEvidence passage:synth-00001-final-p1 .
participation:broken a sg:Participation ; rdfs:label "Broken participation"@en ;
    sg:participant party:ukraine ; sg:role role:leads ; sg:wording wording:will ;
    sg:participationIn party:ukraine ; sg:hasEvidence passage:synth-00001-final-p1 .
party:broken a sg:State ; rdfs:label "Broken state"@en ;
    skos:exactMatch <https://www.wikidata.org/wiki/Q1> .
proviso:broken a sg:Proviso ; rdfs:label "Broken proviso"@en ;
    sg:hasEvidence passage:synth-00001-final-p1 .
condition:broken a sg:EventCondition ; rdfs:label "Broken condition"@en ;
    sg:entailsCondition condition:broken ; sg:hasEvidence passage:synth-00001-final-p1 .
system:broken a sg:GuaranteeSystem ; rdfs:label "Broken system"@en ;
    sg:bindingness bindingness:binding ; sg:hasEvidence passage:synth-00001-final-p1 .
coding:broken a sg:Coding ; rdfs:label "Broken coding"@en ;
    sg:codedStatement commitment:broken ; sg:codingDimension coding-dimension:obligation ;
    sg:codingLevel coding-level:low ; sg:rationale "short" ;
    prov:wasAttributedTo agent:synth-coder-a ; dcterms:created "yesterday" .
"""
)
#: Text layer: a passage whose offsets are reversed and disagree with its quote.
BROKEN_TEXT = (
    PREFIXES
    + """
passage:broken a sg:Passage ; sg:inVersion version:synth-00001-final ;
    sg:quote "abc" ; sg:startOffset "10"^^xsd:integer ; sg:endOffset "5"^^xsd:integer ;
    sg:uncodedReason "A broken passage, for the test." ;
    oa:hasSelector <https://w3id.org/sgkg/id/passage/broken#position> .
<https://w3id.org/sgkg/id/passage/broken#position> a oa:TextPositionSelector ;
    oa:start "10"^^xsd:integer ; oa:end "5"^^xsd:integer .
"""
)


def both(root: Path, build_dir: Path) -> tuple[ValidationReport, ValidationReport]:
    layout = discover_layout(root, build_dir)
    reference = validate_dataset(load_dataset(layout))
    return reference, assert_sparql_agrees(layout, reference)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sparql-validator") / "tree"
    write_corpus(REPO, root, 5)
    return root


@pytest.fixture(scope="module")
def broken_corpus(corpus: Path) -> Path:
    root = corpus.parent / "broken"
    shutil.copytree(corpus, root)
    (root / "data" / "semantics" / "broken.ttl").write_text(BROKEN_SEMANTICS, encoding="utf-8")
    (root / "data" / "text" / "broken.ttl").write_text(BROKEN_TEXT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def broken_reports(broken_corpus: Path) -> tuple[ValidationReport, ValidationReport]:
    """pyshacl's report and the SPARQL validator's, found equal."""
    return both(broken_corpus, broken_corpus.parent / "broken-build")


def test_same_results_on_the_shipped_data(tmp_path: Path) -> None:
    _, candidate = both(REPO, tmp_path / "build")
    assert candidate.conforms


def test_same_violations_on_a_broken_synthetic_file(
    broken_reports: tuple[ValidationReport, ValidationReport],
) -> None:
    _, candidate = broken_reports
    messages = {r.message for r in candidate.results if r.severity == VIOLATION}
    for expected in (
        "from 1 to 5",  # maxInclusive
        "used twice in the same guarantee system",  # SPARQL constraint
        "exactly one English rdfs:label",  # languageIn, uniqueLang
        "exactly one sg:subjectResolution",  # minCount
        "A commitment is an undertaking",  # sh:in
        "exactly one sg:wording",  # maxCount
        "sg:beneficiary must point to an sg:Party or an sg:GuaranteeElement",  # sh:or
        "not linked directly to the list's statement",  # FILTER after a UNION
        "must be a Wikidata entity IRI",  # pattern
        "no entity is sg:subjectToProviso it",  # inverse path
        "entailment must not be circular",  # property path in SPARQL
        "at least one sg:Component that is sg:partOf it",  # qualified, inverse path
        "a sentence of at least 10 characters",  # minLength
        "dcterms:created date (xsd:date)",  # datatype
        "below its sg:endOffset",  # lessThan
        "quote and offsets must match",  # SPARQL with BIND
        "exactly one oa:TextQuoteSelector",  # qualified minimum
    ):
        assert any(expected in message for message in messages), expected
    # results name the file to edit: the broken ones, and agreement 1's (its component 1
    # now shares a number with a broken one)
    files = {f for r in candidate.results for f in r.files}
    assert files == {
        "data/semantics/broken.ttl",
        "data/text/broken.ttl",
        "data/semantics/synth/00001.ttl",
    }


def test_the_cli_reports_alike_with_either_validator(
    broken_corpus: Path,
    broken_reports: tuple[ValidationReport, ValidationReport],
    tmp_path: Path,
    sgkg: Callable[..., CliRun],
) -> None:
    reference, _ = broken_reports
    run = sgkg("--root", broken_corpus, "--build-dir", tmp_path, "validate", "--validator", SPARQL)
    assert run.code == 1
    assert run.out == render_text(reference)  # pyshacl's report, line for line
    assert "validated with sparql (--validator sparql)" in run.err


def test_a_failed_sparql_build_keeps_the_previous_one(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(corpus, root)
    layout = discover_layout(root, tmp_path / "build")
    first = build(layout, validator=SPARQL)
    assert first.manifest["validator"]["name"] == SPARQL
    assert set(first.manifest["timings_s"]) >= {"hash", "load", "validate", "write"}
    before = {p.name: p.read_bytes() for p in layout.build_dir.iterdir()}
    (root / "data" / "text" / "broken.ttl").write_text(BROKEN_TEXT, encoding="utf-8")
    with pytest.raises(ValidationFailed):
        build(discover_layout(root, tmp_path / "build"), validator=SPARQL)
    assert {p.name: p.read_bytes() for p in layout.build_dir.iterdir()} == before
    assert read_manifest(layout.build_dir) == first.manifest


def test_unsupported_shape_features_are_refused_by_name(
    corpus: Path, tmp_path: Path, sgkg: Callable[..., CliRun]
) -> None:
    root = tmp_path / "tree"
    shutil.copytree(corpus, root)
    (root / "shapes" / "xone.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix sg: <https://w3id.org/sgkg/ontology#> .\n"
        "<https://w3id.org/sgkg/shapes#XoneShape> a sh:NodeShape ;\n"
        "  sh:targetClass sg:Mechanism ;\n"
        "  sh:xone ( [ sh:class sg:Mechanism ] [ sh:class sg:Party ] ) .\n",
        encoding="utf-8",
    )
    with pytest.raises(UnsupportedShapes, match=r"sh:xone .*XoneShape"):
        validate_layout(discover_layout(root, tmp_path / "build"), SPARQL)
    run = sgkg("--root", root, "--build-dir", tmp_path / "b", "build", "--validator", SPARQL)
    assert run.code == 2 and "does not support sh:xone" in run.err
    assert not (tmp_path / "b" / "manifest.json").exists()


def test_literals_the_store_would_rewrite_are_refused(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(corpus, root)
    text = BROKEN_TEXT.replace('"10"^^xsd:integer ; sg:endOffset', '"10"^^xsd:int ; sg:endOffset')
    text += '<https://w3id.org/sgkg/id/passage/broken> rdfs:label "Broken"@EN-GB .\n'
    (root / "data" / "text" / "broken.ttl").write_text(text, encoding="utf-8")
    layout = discover_layout(root, tmp_path / "build")
    with pytest.raises(LiteralsNotPreserved) as refused:
        validate_store(load_store(layout))
    assert "2 literal(s) would change" in str(refused.value)
    assert 'data/text/broken.ttl: "10"^^xsd:int would be stored as "10"^^xsd:integer' in str(
        refused.value
    )
    assert "data/text/broken.ttl: @EN-GB would be stored as @en-gb" in str(refused.value)
    # pyshacl reads the file as written, and finds the datatype wrong
    reference = validate_dataset(load_dataset(layout))
    assert any("xsd:integer" in r.message and "startOffset" in r.message for r in reference.results)


def test_parse_errors_name_the_file_and_line(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(corpus, root)
    (root / "data" / "semantics" / "bad.ttl").write_text(
        PREFIXES + "id:a sg:p id:b id:c .\n", encoding="utf-8"
    )
    layout = discover_layout(root, tmp_path / "build")
    with pytest.raises(SourceError) as fast:
        load_store(layout)
    with pytest.raises(SourceError) as reference:
        load_dataset(layout)
    assert fast.value.path == reference.value.path == "data/semantics/bad.ttl"
    assert fast.value.line == reference.value.line == PREFIXES.count("\n") + 1


@pytest.mark.parametrize("tree", ["shipped", "mini"])
def test_the_store_holds_the_graphs_rdflib_loads(
    tree: str, mini_tree: Path, tmp_path: Path
) -> None:
    """Graph by graph, the same triples (blank nodes aside, whose labels differ), TriG
    files included (the mini tree has one); the mini tree's ``xsd:nonNegativeInteger``
    literal is the one the store keeps as an ``xsd:integer``, so only counts there."""
    root = REPO if tree == "shipped" else mini_tree
    layout = discover_layout(root, tmp_path / "build")
    reference, fast = load_dataset(layout), load_store(layout)
    fast.cancel_audit()
    assert fast.triple_counts() == reference.triple_counts()
    if tree == "shipped":
        for name in ("ontology", "shapes", "data", "sources"):
            stored = {
                tuple(map(rdflib_term, (q.subject, q.predicate, q.object)))
                for q in fast.store.quads_for_pattern(None, None, None, fast.graph(name))
            }
            assert _without_blank(stored) == _without_blank(set(reference.graph(name)))


def _without_blank(triples: set) -> set:
    return {t for t in triples if not any(isinstance(term, BNode) for term in t)}


GENERIC_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sg: <https://w3id.org/sgkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/shapes#> .
ex:MechanismShape a sh:NodeShape ;
    sh:targetClass sg:Mechanism ;
    sh:property [ sh:path rdfs:label ; sh:minCount 4 ; sh:maxCount 1 ; sh:languageIn ( "en" ) ;
                  sh:uniqueLang true ; sh:minLength 12 ; sh:pattern "^Z" ] ,
        [ sh:path sg:partOf ; sh:class sg:Component ; sh:nodeKind sh:Literal ] ,
        [ sh:path ex:n ; sh:datatype xsd:integer ; sh:minInclusive 5 ; sh:maxInclusive 3 ;
          sh:lessThan ex:m ] ,
        [ sh:path [ sh:inversePath sg:hasEvidence ] ; sh:minCount 1 ] ,
        [ sh:path sg:hasFunction ; sh:qualifiedValueShape [ sh:class sg:Aim ] ;
          sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 0 ] ,
        [ sh:path sg:locatedAt ; sh:or ( [ sh:class sg:Place ] [ sh:datatype xsd:string ] ) ] ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { $this rdfs:label ?value }" ;
                sh:prefixes ex: ] .
ex: sh:declare [ sh:prefix "rdfs" ;
                 sh:namespace "http://www.w3.org/2000/01/rdf-schema#"^^xsd:anyURI ] .
"""
GENERIC_DATA = """\
@prefix sg: <https://w3id.org/sgkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/shapes#> .
<https://example.org/data/m1> a sg:Mechanism ;
    rdfs:label "Mechanism"@en, "Mécanisme"@fr, "Another"@en ;
    sg:partOf <https://example.org/data/nothing> ;
    ex:n "7"^^xsd:integer, "abc" ; ex:m "6"^^xsd:integer ;
    sg:hasFunction <https://w3id.org/sgkg/id/aim/deterrence>, <https://example.org/data/f> ;
    sg:locatedAt <https://example.org/data/nowhere>, "Paris" .
"""


def test_generic_messages_match_pyshacl(tmp_path: Path) -> None:
    """Shapes without sh:message get pyshacl's own wording, word for word."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "shapes").mkdir()
    (root / "shapes" / "generic.ttl").write_text(GENERIC_SHAPES, encoding="utf-8")
    (root / "data").mkdir()
    (root / "data" / "m1.ttl").write_text(GENERIC_DATA, encoding="utf-8")
    _, candidate = both(root, tmp_path / "build")
    components = {r.message.split(" ")[0] for r in candidate.results}
    assert len(candidate.results) >= 15 and {"Less", "More", "Value", "String"} <= components
