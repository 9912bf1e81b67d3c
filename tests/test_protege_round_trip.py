"""The Protégé round trip: what Protégé saves, sgkg builds, with the same answers.

A researcher opens ontology/sgkg.ttl in Protégé, edits, and saves. Protégé saves through
the OWL API, so these tests do the same with Debian's OWL API (tests/owlapi/): load the
real ontology with its catalog, as Protégé opens it, save every module as the OWL API
writes it, put the saved files in place of the originals in a copy of the project, and
check that the copy builds with ``sgkg build`` (which validates it, and reasons as the
command does by default), is still OWL 2 DL without loader warnings, lost no statement,
and answers all competency questions exactly as the original does. Two ways of saving are covered:

- ``turtle``: File > Save with the Turtle format; both modules keep their names.
- ``rdfxml``: the main module saved as ``sgkg.owl`` in RDF/XML (File > Save as), the
  catalog entry pointed at it, the old ``sgkg.ttl`` deleted; the vocabularies module
  saved in RDF/XML under its old name ``sgkg-vocabularies.ttl``, as Protégé does when a
  module's format changes.

Broken edits (deleting a concept the data uses, a stale catalog, an import of an online
ontology, two files for one ontology, a truncated file) are refused with a message
naming what to fix, and the previous good build stays in place.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from api.analysis.competency import answer_value, check_answer, load_questions
from api.build.pipeline import read_manifest
from api.cli import main
from api.cli.query import open_store
from api.core.layout import Layout, discover_layout
from api.core.namespaces import ID
from api.html.docs import ontology_html
from api.load.dataset import load_ontology
from api.store.results import AskResult, QueryResult, SelectResult

from conftest import REPO
from owlapi.owlapi import SaveResult, check, save_all

PROJECT_INPUTS = ("ontology", "shapes", "data")
QUESTIONS = load_questions(discover_layout(REPO))
DELETED_CONCEPT = str(ID["wording/proposed"])
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


@dataclass(frozen=True)
class RoundTrip:
    """A copy of the project whose ontology files are what the OWL API saved."""

    fmt: str
    root: Path
    layout: Layout
    saved: SaveResult
    #: the module Protégé opens in the copy (sgkg.ttl, or sgkg.owl after Save as)
    main_file: Path
    #: build/manifest.json of the copy's build
    manifest: dict


def copy_project(destination: Path) -> Path:
    """The inputs of a build (ontology/, shapes/, data/) copied to ``destination``."""
    for name in PROJECT_INPUTS:
        shutil.copytree(REPO / name, destination / name)
    return destination


def answers(layout: Layout) -> dict[str, object]:
    """Every competency question's answer from a build, in a comparable form."""
    store = open_store(layout)
    return {q.name: comparable(store.query(q.sparql)) for q in QUESTIONS}


def comparable(result: QueryResult) -> object:
    if isinstance(result, AskResult):
        return result.value
    assert isinstance(result, SelectResult)
    rows = sorted(tuple(str(answer_value(term)) for term in row) for row in result.rows)
    return (result.variables, rows)


def sgkg_build(root: Path, build_dir: Path) -> dict:
    """``sgkg build`` as a researcher runs it; the manifest of the build it wrote."""
    code = main(["--root", str(root), "--build-dir", str(build_dir), "build"])
    assert code == 0, f"sgkg build failed on {root} (exit {code}); see the captured stderr"
    manifest = read_manifest(build_dir)
    assert manifest is not None
    return manifest


def snapshot(build_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(build_dir.iterdir()) if path.is_file()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    """A build of the project as it is, and so its answers, to compare against."""
    layout = discover_layout(REPO, tmp_path_factory.mktemp("baseline") / "build")
    sgkg_build(REPO, layout.build_dir)
    return layout


@pytest.fixture(scope="module")
def baseline_answers(baseline: Layout) -> dict[str, object]:
    return answers(baseline)


def protege_save(owlapi_classes: Path, root: Path, fmt: str, saved_dir: Path) -> SaveResult:
    """Open ``root``/ontology/sgkg.ttl with the OWL API and save every module."""
    return save_all(owlapi_classes, root / "ontology" / "sgkg.ttl", saved_dir, fmt)


def round_trip(owlapi_classes: Path, tmp_path: Path, fmt: str) -> RoundTrip:
    root = copy_project(tmp_path / "project")
    saved_dir = tmp_path / "saved"
    saved = protege_save(owlapi_classes, root, fmt, saved_dir)
    assert sorted(p.name for p in saved.files) == ["sgkg-vocabularies.ttl", "sgkg.ttl"]
    ontology = root / "ontology"
    if fmt == "turtle":
        for path in saved.files:
            shutil.copyfile(path, ontology / path.name)
        main_file = ontology / "sgkg.ttl"
    else:
        shutil.copyfile(saved_dir / "sgkg-vocabularies.ttl", ontology / "sgkg-vocabularies.ttl")
        main_file = ontology / "sgkg.owl"
        shutil.copyfile(saved_dir / "sgkg.ttl", main_file)
        (ontology / "sgkg.ttl").unlink()
        catalog = ontology / "catalog-v001.xml"
        catalog.write_text(catalog.read_text().replace('uri="sgkg.ttl"', 'uri="sgkg.owl"'))
    layout = discover_layout(root, tmp_path / "build")
    return RoundTrip(fmt, root, layout, saved, main_file, sgkg_build(root, layout.build_dir))


@pytest.fixture(scope="module")
def turtle_round_trip(owlapi_classes: Path, tmp_path_factory) -> RoundTrip:
    return round_trip(owlapi_classes, tmp_path_factory.mktemp("turtle"), "turtle")


@pytest.fixture(scope="module")
def rdfxml_round_trip(owlapi_classes: Path, tmp_path_factory) -> RoundTrip:
    return round_trip(owlapi_classes, tmp_path_factory.mktemp("rdfxml"), "rdfxml")


@pytest.fixture(params=["turtle", "rdfxml"])
def saved_copy(request: pytest.FixtureRequest) -> RoundTrip:
    return request.getfixturevalue(f"{request.param}_round_trip")


# --- what Protégé saves, sgkg accepts --------------------------------------------------


def test_saved_files_are_in_the_format_chosen(saved_copy: RoundTrip) -> None:
    for path in saved_copy.saved.files:
        head = path.read_bytes()[:200]
        if saved_copy.fmt == "rdfxml":
            assert head.startswith(b"<?xml"), path
        else:
            assert head.startswith(b"@prefix"), path


def test_saved_copy_builds_and_validates(saved_copy: RoundTrip) -> None:
    # `sgkg build` validates first and refuses any violation; the manifest says so too
    summary = saved_copy.manifest["validation"]
    assert summary["conforms"] is True
    assert summary["violations"] == 0
    inputs = saved_copy.manifest["inputs"]
    expected = "ontology/sgkg.owl" if saved_copy.fmt == "rdfxml" else "ontology/sgkg.ttl"
    assert expected in inputs


def test_saved_copy_builds_the_same_graphs(saved_copy: RoundTrip, baseline: Layout) -> None:
    """Data, sources, shapes and what the reasoner infers are the same; only the ontology
    graph grows, by the declarations the OWL API makes explicit."""
    original = read_manifest(baseline.build_dir)["graphs"]
    saved = saved_copy.manifest["graphs"]
    for graph in ("data", "sources", "shapes", "inferred"):
        assert saved[graph]["triples"] == original[graph]["triples"], graph
    assert saved["ontology"]["triples"] >= original["ontology"]["triples"]


def test_validate_command_accepts_what_protege_saved(rdfxml_round_trip: RoundTrip, sgkg) -> None:
    result = sgkg("--root", rdfxml_round_trip.root, "validate")
    assert result.code == 0, result.out + result.err
    assert "conforms" in result.out


def test_saved_copy_is_owl2_dl_and_opens_offline(
    saved_copy: RoundTrip, owlapi_classes: Path
) -> None:
    result = check(owlapi_classes, saved_copy.main_file)
    assert result.violations == [], "\n".join(result.violations)
    assert result.unresolved_imports == []  # the catalog still resolves the import
    assert result.log_problems == (), "\n".join(result.log_problems)
    assert "https://w3id.org/sgkg/ontology/vocabularies" in result.summary["ontologies"]
    # the same logical axioms as the original had when the OWL API loaded it
    assert result.summary["logical_axiom_count"] == saved_copy.saved.logical_axiom_count


def test_saved_copy_loses_no_statement(saved_copy: RoundTrip) -> None:
    """Every statement of the original (blank nodes aside) is still there; the OWL API
    only adds declarations it makes explicit."""
    original = ground(load_ontology(discover_layout(REPO)))
    saved = ground(load_ontology(saved_copy.layout))
    assert original - saved == set()
    added = saved - original
    individuals = {s for s, p, o in added if (p, o) == (RDF.type, OWL.NamedIndividual)}
    datatypes = {s for s, p, o in added if (p, o) == (RDF.type, RDFS.Datatype)}
    assert len(individuals) + len(datatypes) == len(added), sorted(added)[:5]
    assert all(iri.startswith(str(ID)) for iri in individuals)  # the concepts and schemes
    assert datatypes <= {XSD_DATE}


def test_saved_copy_answers_every_question_identically(
    saved_copy: RoundTrip, baseline_answers: dict[str, object]
) -> None:
    assert len(baseline_answers) == len(QUESTIONS) >= 30
    assert answers(saved_copy.layout) == baseline_answers
    store = open_store(saved_copy.layout)
    failed = [q.name for q in QUESTIONS if not check_answer(q, store.query(q.sparql)).passed]
    assert failed == []


def test_saved_copy_is_documented_by_the_same_page(saved_copy: RoundTrip) -> None:
    """The OWL API reorders lists and adds declarations; the documentation does not
    change, so a Protégé save shows no spurious difference on /ontology."""
    original = ontology_html(load_ontology(discover_layout(REPO)))
    assert ontology_html(load_ontology(saved_copy.layout)) == original


def ground(graph: Graph) -> set:
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


# --- broken edits are refused and the good build stays ---------------------------------


def broken_copy(tmp_path: Path, baseline: Layout) -> tuple[Path, Path, dict[str, bytes]]:
    """A project copy with a good build in its build folder; returns root, build folder
    and a snapshot of the build to compare with after the refused build."""
    root = copy_project(tmp_path / "project")
    build_dir = tmp_path / "build"
    shutil.copytree(baseline.build_dir, build_dir)
    return root, build_dir, snapshot(build_dir)


def test_deleting_a_concept_the_data_uses_is_refused(
    owlapi_classes: Path, tmp_path: Path, baseline: Layout, sgkg
) -> None:
    root, build_dir, before = broken_copy(tmp_path, baseline)
    saved = save_all(
        owlapi_classes,
        root / "ontology" / "sgkg.ttl",
        tmp_path / "saved",
        "turtle",
        delete=(DELETED_CONCEPT,),
    )
    vocabularies = (tmp_path / "saved" / "sgkg-vocabularies.ttl").read_text()
    assert "<https://w3id.org/sgkg/id/wording/proposed>" not in vocabularies
    assert "wording/proposed" not in vocabularies.replace("proposed'", "")
    for path in saved.files:
        shutil.copyfile(path, root / "ontology" / path.name)
    result = sgkg("--root", root, "--build-dir", build_dir, "build")
    assert result.code == 1
    assert "data/semantics/paris-declaration.ttl" in result.err
    assert "sg:wording" in result.err
    assert "build refused" in result.err
    assert snapshot(build_dir) == before


def install_saved_owl(rdfxml: RoundTrip, root: Path) -> Path:
    """Put the RDF/XML main module saved as sgkg.owl into ``root``, as after Save as."""
    target = root / "ontology" / "sgkg.owl"
    shutil.copyfile(rdfxml.main_file, target)
    return target


def test_save_as_without_updating_the_catalog_is_refused(
    rdfxml_round_trip: RoundTrip, tmp_path: Path, baseline: Layout, sgkg
) -> None:
    root, build_dir, before = broken_copy(tmp_path, baseline)
    install_saved_owl(rdfxml_round_trip, root)
    (root / "ontology" / "sgkg.ttl").unlink()
    result = sgkg("--root", root, "--build-dir", build_dir, "build")
    assert result.code == 2
    assert "ontology/catalog-v001.xml:" in result.err
    assert '"sgkg.ttl", which does not exist; point it at "sgkg.owl"' in result.err
    assert snapshot(build_dir) == before


def test_save_as_leaving_the_old_file_is_refused(
    rdfxml_round_trip: RoundTrip, tmp_path: Path, baseline: Layout, sgkg
) -> None:
    root, build_dir, before = broken_copy(tmp_path, baseline)
    install_saved_owl(rdfxml_round_trip, root)
    result = sgkg("--root", root, "--build-dir", build_dir, "build")
    assert result.code == 2
    assert "ontology/sgkg.owl and ontology/sgkg.ttl both define the ontology" in result.err
    assert snapshot(build_dir) == before


def test_importing_an_online_ontology_is_refused(
    rdfxml_round_trip: RoundTrip, tmp_path: Path, baseline: Layout, sgkg
) -> None:
    root, build_dir, before = broken_copy(tmp_path, baseline)
    target = install_saved_owl(rdfxml_round_trip, root)
    (root / "ontology" / "sgkg.ttl").unlink()
    catalog = root / "ontology" / "catalog-v001.xml"
    catalog.write_text(catalog.read_text().replace('uri="sgkg.ttl"', 'uri="sgkg.owl"'))
    # what Protégé writes after "Direct imports > Import an ontology contained in a document
    # located on the web"
    text = target.read_text()
    header = '<owl:Ontology rdf:about="https://w3id.org/sgkg/ontology">'
    assert header in text
    target.write_text(
        text.replace(
            header, header + '\n        <owl:imports rdf:resource="http://www.w3.org/ns/prov-o"/>'
        )
    )
    result = sgkg("--root", root, "--build-dir", build_dir, "build")
    assert result.code == 2
    assert "ontology/sgkg.owl imports <http://www.w3.org/ns/prov-o>" in result.err
    assert snapshot(build_dir) == before


def test_truncated_rdfxml_names_file_and_line(
    rdfxml_round_trip: RoundTrip, tmp_path: Path, baseline: Layout, sgkg
) -> None:
    root, build_dir, before = broken_copy(tmp_path, baseline)
    vocabularies = root / "ontology" / "sgkg-vocabularies.ttl"
    saved = (rdfxml_round_trip.root / "ontology" / "sgkg-vocabularies.ttl").read_bytes()
    cut = saved[: len(saved) // 2]
    vocabularies.write_bytes(cut)
    result = sgkg("--root", root, "--build-dir", build_dir, "build")
    assert result.code == 2
    line = cut.count(b"\n") + 1
    assert f"sgkg build: ontology/sgkg-vocabularies.ttl:{line}:" in result.err
    assert "bad RDF/XML" in result.err
    assert snapshot(build_dir) == before
