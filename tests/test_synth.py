"""The synthetic corpus (``sgkg synth``): deterministic, built and valid, faithful texts.

A small corpus (5 agreements) is written once per module, built by the reference
pipeline (pyshacl) and by the large-graph pipeline (the SPARQL validator), and read with
rdflib to check what the generator promises: every passage's quote is its source text
between its offsets, versions' digests and lengths are right, and the corpus uses the
project's ontology the way the Paris Declaration's encoding does.
"""

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from api.build.pipeline import PYSHACL, SPARQL, build, choose_validator
from api.core.layout import DATA, ONTOLOGY, SOURCES, discover_layout
from api.core.namespaces import ID, SG
from api.load.dataset import load_dataset
from api.synth.agreement import generate_agreement
from api.synth.corpus import SynthError, write_corpus

from conftest import REPO, CliRun

OA = "http://www.w3.org/ns/oa#"
AGREEMENTS = 5


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "tree"
    write_corpus(REPO, root, AGREEMENTS)
    return root


@pytest.fixture(scope="module")
def graph(corpus: Path) -> Graph:
    loaded = load_dataset(discover_layout(corpus, corpus.parent / "unused-build"))
    return loaded.union(ONTOLOGY, DATA, SOURCES)


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path: Path, corpus: Path) -> None:
    again = write_corpus(REPO, tmp_path / "again", AGREEMENTS)
    other = write_corpus(REPO, tmp_path / "other", AGREEMENTS, seed=7)
    assert tree_bytes(again.root) == tree_bytes(corpus)
    assert tree_bytes(other.root) != tree_bytes(corpus)


def test_an_agreement_does_not_depend_on_the_corpus_size(tmp_path: Path, corpus: Path) -> None:
    smaller = tree_bytes(write_corpus(REPO, tmp_path / "three", 3).root)
    bigger = tree_bytes(corpus)
    shared = [name for name in smaller if "synth/0000" in name or "sources/synth-" in name]
    assert shared and all(smaller[name] == bigger[name] for name in shared)


def test_the_corpus_builds_and_conforms_with_both_validators(corpus: Path, tmp_path: Path) -> None:
    for validator in (PYSHACL, SPARQL):
        result = build(discover_layout(corpus, tmp_path / validator), validator=validator)
        assert result.report.conforms
        assert result.report.results == ()
        assert result.manifest["validator"]["name"] == validator
        assert result.manifest["graphs"]["data"]["triples"] > 0
    # a small tree is validated by the reference, pyshacl, unless asked otherwise
    assert choose_validator(discover_layout(corpus)).name == PYSHACL


def test_passage_quotes_are_at_their_offsets(corpus: Path, graph: Graph) -> None:
    texts = {}
    for version in graph.subjects(RDF.type, SG.TextVersion):
        data = (corpus / str(graph.value(version, SG.sourceFile))).read_bytes()
        text = data.decode("utf-8")
        assert hashlib.sha256(data).hexdigest() == str(graph.value(version, SG.sha256))
        assert len(text) == int(graph.value(version, SG.characterCount))
        texts[version] = text
    passages = list(graph.subjects(RDF.type, SG.Passage))
    assert len(passages) >= 4 * AGREEMENTS
    for passage in passages:
        text = texts[graph.value(passage, SG.inVersion)]
        start = int(graph.value(passage, SG.startOffset))
        end = int(graph.value(passage, SG.endOffset))
        quote = str(graph.value(passage, SG.quote))
        assert text[start:end] == quote, passage
        selectors = set(graph.objects(passage, URIRef(OA + "hasSelector")))
        exact = {str(graph.value(s, URIRef(OA + "exact"))) for s in selectors} - {"None"}
        positions = {
            (int(graph.value(s, URIRef(OA + "start"))), int(graph.value(s, URIRef(OA + "end"))))
            for s in selectors
            if graph.value(s, URIRef(OA + "start")) is not None
        }
        assert exact == {quote} and positions == {(start, end)}
    # code points, not bytes: some texts are not ASCII
    assert any(len(text.encode("utf-8")) != len(text) for text in texts.values())


def test_iris_follow_the_project_rule(graph: Graph) -> None:
    synthetic = {
        str(s).split("#")[0]
        for s in graph.subjects()
        if isinstance(s, URIRef) and "/synth-" in str(s)
    }
    assert synthetic
    for iri in synthetic:  # id/{kind}/synth-{n:05d}-{name}, or a shared synthetic coder
        assert re.fullmatch(r"[a-z-]+/synth-(\d{5}-[a-z0-9-]+|coder-[a-z])", iri[len(ID) :]), iri


def test_the_corpus_uses_the_ontology_as_the_paris_encoding_does() -> None:
    """Over the first 30 agreements (no need to write them to disk)."""
    graph = Graph()
    for number in range(1, 31):
        files = generate_agreement(number)
        for text in (files.text_layer, files.semantics, files.coding):
            graph.parse(data=text, format="turtle")
    kinds = {str(o).removeprefix(str(SG)) for o in graph.objects(None, RDF.type)}
    assert kinds >= {
        "Declaration", "Agreement", "TextVersion", "Passage", "Meeting", "PartyGroup",
        "GuaranteeSystem", "Component", "MonitoringMechanism", "Commission", "Commitment",
        "Participation", "Affirmation", "EventCondition", "AllOfCondition", "Enumeration",
        "Coding",
    }  # fmt: skip
    numbers = {int(n) for n in graph.objects(None, SG.componentNumber)}
    assert numbers == {1, 2, 3, 4, 5}
    assert any(graph.triples((None, SG.entailsCondition, None)))
    assert set(graph.objects(None, SG.role)) >= {URIRef(f"{ID}role/leads")}
    # statements of one version only, with their variants in the other
    variants = list(graph.subject_objects(SG.variantOf))
    assert variants
    for statement, variant in variants:
        versions = {graph.value(p, SG.inVersion) for p in graph.objects(statement, SG.hasEvidence)}
        other = {graph.value(p, SG.inVersion) for p in graph.objects(variant, SG.hasEvidence)}
        assert len(versions) == len(other) == 1 and versions != other


def test_bad_destinations_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(SynthError, match="not an empty folder"):
        write_corpus(REPO, taken, 2)
    assert tree_bytes(taken) == {"keep.txt": b"mine"}
    with pytest.raises(SynthError, match="project tree"):
        write_corpus(REPO, REPO / "data" / "synth", 2)
    assert not (REPO / "data" / "synth").exists()
    with pytest.raises(SynthError, match="at least 1"):
        write_corpus(REPO, tmp_path / "none", 0)
    assert not (tmp_path / "none").exists()


def test_synth_command(sgkg: Callable[..., CliRun], tmp_path: Path) -> None:
    run = sgkg("synth", "--agreements", "2", "--seed", "3", "--out", tmp_path / "out")
    assert run.code == 0, run.err
    assert "2 synthetic agreements (seed 3)" in run.err
    assert (tmp_path / "out" / "data" / "text" / "synth" / "00002.ttl").is_file()
    refused = sgkg("synth", "--agreements", "2", "--out", tmp_path / "out")
    assert refused.code == 2 and "not an empty folder" in refused.err
