"""The coding layer checks itself: rubric, rationales, versions and coverage.

The SHACL shapes (``CodingRubricShape``, ``CodingRationaleShape``, ``CodingVersionShape``)
check each coding against the rubric's criterion for its dimension and level; their
fixtures prove each rule fires. This module checks what the shapes cannot see or what
only the project's own data must satisfy:

- the rubric keeps the rules the statement kinds imply (only an undertaking with a named
  or settled subject is moderate obligation; high needs bindingness the text claims);
- every phrase a rationale quotes is in the source text of the version(s) it codes;
- every undertaking, readiness, capacity, recommendation, possibility and provision is
  coded on all three dimensions, in every version it appears in;
- a recoded level that the rubric rules out fails ``sgkg build``, with both validators.
"""

import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from api.core.layout import DATA, ONTOLOGY, SOURCES, discover_layout
from api.core.namespaces import SG
from api.load.dataset import load_dataset

from conftest import REPO, CliRun

ID = "https://w3id.org/sgkg/id/"
EDITORS = URIRef(f"{ID}agent/sgkg-editors")
DIMENSIONS = ("obligation", "precision", "delegation")
LEVELS = ("none", "low", "moderate", "high")
#: The kinds every one of which a researcher weighs, so every one is coded.
CODED_KINDS = (
    SG.Commitment,
    SG.Readiness,
    SG.Capacity,
    SG.Recommendation,
    SG.Possibility,
    SG.Provision,
)
#: A quoted phrase: opened by ' after a space, '(' or the start, closed by ' before a
#: space, punctuation or the end; an apostrophe inside a word (Ukraine's) is neither.
QUOTED = re.compile(r"(?:^|(?<=[\s(]))'(.+?)'(?=[\s,.;:)]|$)")


@pytest.fixture(scope="module")
def graph() -> Graph:
    loaded = load_dataset(discover_layout(REPO))
    return loaded.union(ONTOLOGY, DATA, SOURCES)


def _criterion(dimension: str, level: str) -> URIRef:
    return URIRef(f"{ID}coding-criterion/{dimension}-{level}")


def _plain(text: str) -> str:
    """Text as a reader sees it: no Markdown emphasis, whitespace runs as one space."""
    return " ".join(text.replace("*", "").split())


def test_the_rubric_has_one_criterion_per_dimension_and_level(graph: Graph) -> None:
    found = {
        (str(graph.value(c, SG.criterionDimension)), str(graph.value(c, SG.criterionLevel)))
        for c in graph.subjects(RDF.type, SG.CodingCriterion)
    }
    assert found == {
        (f"{ID}coding-dimension/{d}", f"{ID}coding-level/{lv}") for d in DIMENSIONS for lv in LEVELS
    }


def test_only_settled_undertakings_reach_moderate_or_high_obligation(graph: Graph) -> None:
    undertaking = {URIRef(f"{ID}statement-kind/commitment")}
    settled = {
        URIRef(f"{ID}subject-resolution/{r}") for r in ("named-subject", "we-declaration-voice")
    }
    for level in ("moderate", "high"):
        criterion = _criterion("obligation", level)
        assert set(graph.objects(criterion, SG.admitsStatementKind)) == undertaking
        assert set(graph.objects(criterion, SG.admitsSubjectResolution)) == settled
    assert set(graph.objects(_criterion("obligation", "high"), SG.requiresBindingness)) == {
        URIRef(f"{ID}bindingness/legally-binding")
    }
    low_kinds = set(graph.objects(_criterion("obligation", "low"), SG.admitsStatementKind))
    assert URIRef(f"{ID}statement-kind/readiness") in low_kinds


def test_rationales_quote_the_texts_of_the_versions_they_code(graph: Graph) -> None:
    sources = {
        version: _plain((REPO / str(graph.value(version, SG.sourceFile))).read_text("utf-8"))
        for version in graph.subjects(RDF.type, SG.TextVersion)
    }
    misquoted = []
    for coding in graph.subjects(RDF.type, SG.Coding):
        statement = graph.value(coding, SG.codedStatement)
        named = graph.value(coding, SG.codedVersion)
        versions = (
            {named}
            if named is not None
            else {graph.value(p, SG.inVersion) for p in graph.objects(statement, SG.hasEvidence)}
        )
        rationale = str(graph.value(coding, SG.rationale))
        quotes = QUOTED.findall(rationale)
        for quote in quotes:
            if not all(_plain(quote) in sources[v] for v in versions):
                misquoted.append((str(coding), quote))
    assert misquoted == []
    assert any(QUOTED.findall(str(r)) for r in graph.objects(None, SG.rationale))


def test_every_undertaking_and_modal_statement_is_coded_in_every_version(graph: Graph) -> None:
    covered: dict[tuple[URIRef, str], set] = defaultdict(set)
    for coding in graph.subjects(SG.codedStatement, None):
        if graph.value(coding, URIRef("http://www.w3.org/ns/prov#wasAttributedTo")) != EDITORS:
            continue
        statement = graph.value(coding, SG.codedStatement)
        dimension = str(graph.value(coding, SG.codingDimension)).rsplit("/", 1)[1]
        covered[(statement, dimension)].add(graph.value(coding, SG.codedVersion))
    uncoded = []
    for kind in CODED_KINDS:
        for statement in graph.subjects(RDF.type, kind):
            versions = {
                graph.value(p, SG.inVersion) for p in graph.objects(statement, SG.hasEvidence)
            }
            for dimension in DIMENSIONS:
                named = covered[(statement, dimension)]
                if None not in named and not versions <= named:
                    uncoded.append((str(statement), dimension))
    assert uncoded == []


@pytest.mark.parametrize("validator", ["pyshacl", "sparql"])
def test_a_level_the_rubric_rules_out_fails_the_build(
    sgkg: Callable[..., CliRun], tmp_path: Path, validator: str
) -> None:
    root = tmp_path / "tree"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    coding = root / "data" / "coding" / "paris-declaration.ttl"
    text = coding.read_text("utf-8")
    # "There will be" binds no one: a provision recoded as a moderate obligation.
    block = text.index("coding:continuous-monitoring-system-obligation")
    end = text.index(" .\n", block)
    recoded = text[block:end].replace("level:low", "level:moderate")
    coding.write_text(text[:block] + recoded + text[end:], "utf-8")
    run = sgkg(
        "--root", root, "--build-dir", tmp_path / "build", "validate", "--validator", validator
    )
    assert run.code == 1, run.err
    assert "continuous-monitoring-system-obligation" in run.out
    assert "The rationale says 'there will be'" in run.out  # CodingRationaleShape
    assert "is not of a statement kind that" in run.out  # CodingRubricShape
