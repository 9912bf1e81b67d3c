"""The text layer is faithful to the source texts, character for character.

- ``data/sources/`` holds the two texts byte for byte (their sha256 as received);
- every passage's quote is the source text between its offsets, in its version, and its
  Web Annotation selectors say the same;
- every sentence of both texts lies within a passage, and every passage grounds a
  statement, contains passages that do, or says why it does not.
"""

import hashlib
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from api.core.layout import DATA, ONTOLOGY, SOURCES, discover_layout
from api.core.namespaces import SG
from api.load.dataset import load_dataset

from conftest import REPO

OA = "http://www.w3.org/ns/oa#"
#: The digests of the two texts as received; a changed byte is a changed source.
SOURCE_DIGESTS = {
    "paris-declaration-2026-01-06.txt": (
        "8fb2c43691dc0b78d8415f3eb27c3424997bfbc6f410487fc2242a23d8833209"
    ),
    "paris-declaration-council-press-release.txt": (
        "454d885f5f11f7170e3a725c014598af08b739d39080c5064c68f711c3540e5c"
    ),
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    loaded = load_dataset(discover_layout(REPO))
    return loaded.union(ONTOLOGY, DATA, SOURCES)


def _versions(graph: Graph) -> dict[URIRef, str]:
    """Text version -> its source text, decoded from the file it names."""
    texts = {}
    for version in graph.subjects(RDF.type, SG.TextVersion):
        source_file = graph.value(version, SG.sourceFile)
        if source_file is not None:
            texts[version] = (REPO / str(source_file)).read_bytes().decode("utf-8")
    return texts


def _passages(graph: Graph) -> list[tuple[URIRef, URIRef, str, int, int]]:
    rows = []
    for passage in graph.subjects(RDF.type, SG.Passage):
        rows.append(
            (
                passage,
                graph.value(passage, SG.inVersion),
                str(graph.value(passage, SG.quote)),
                int(graph.value(passage, SG.startOffset)),
                int(graph.value(passage, SG.endOffset)),
            )
        )
    return rows


def test_sources_are_the_texts_as_received() -> None:
    folder = REPO / "data" / "sources"
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.txt")}
    assert digests == SOURCE_DIGESTS


def test_versions_describe_their_files(graph: Graph) -> None:
    texts = _versions(graph)
    assert len(texts) == 2
    for version, text in texts.items():
        path = REPO / str(graph.value(version, SG.sourceFile))
        assert str(graph.value(version, SG.sha256)) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert int(graph.value(version, SG.characterCount)) == len(text)
        assert graph.value(version, URIRef("http://purl.org/dc/terms/title")) is not None
        assert str(graph.value(version, URIRef("http://purl.org/dc/terms/language"))) == "en"


def test_each_version_has_the_dates_and_issuers_the_text_gives(graph: Graph) -> None:
    date = URIRef("http://purl.org/dc/terms/date")
    final = URIRef("https://w3id.org/sgkg/id/version/paris-final")
    press = URIRef("https://w3id.org/sgkg/id/version/paris-press-release")
    assert str(graph.value(final, date)) == "2026-01-06"
    assert graph.value(press, date) is None  # the press release gives no date
    assert graph.value(press, SG.issuedBy) == URIRef("https://w3id.org/sgkg/id/party/france")
    assert graph.value(final, SG.issuedBy) is None


def test_every_quote_is_the_text_at_its_offsets(graph: Graph) -> None:
    texts = _versions(graph)
    wrong = [
        (str(passage), quote, text_slice)
        for passage, version, quote, start, end in _passages(graph)
        if (text_slice := texts[version][start:end]) != quote
    ]
    assert wrong == []
    assert len(_passages(graph)) >= 90


def test_selectors_agree_with_their_passage_and_the_text(graph: Graph) -> None:
    texts = _versions(graph)
    oa = {name: URIRef(OA + name) for name in ("start", "end", "exact", "prefix", "suffix")}
    for passage, version, quote, start, end in _passages(graph):
        text = texts[version]
        selectors = list(graph.objects(passage, URIRef(OA + "hasSelector")))
        assert len(selectors) == 2, passage
        for selector in selectors:
            kind = graph.value(selector, RDF.type)
            if kind == URIRef(OA + "TextPositionSelector"):
                assert int(graph.value(selector, oa["start"])) == start
                assert int(graph.value(selector, oa["end"])) == end
            else:
                assert kind == URIRef(OA + "TextQuoteSelector")
                assert str(graph.value(selector, oa["exact"])) == quote
                prefix = str(graph.value(selector, oa["prefix"]) or "")
                suffix = str(graph.value(selector, oa["suffix"]) or "")
                assert text[:start].endswith(prefix), passage
                assert text[end:].startswith(suffix), passage


#: Characters that format the texts (Markdown headings and bold, list markers) and
#: never belong to a sentence's words.
MARKUP = "#*() \n\t"
LIST_MARKER = re.compile(r"^\d+[.)]\s*")
#: A sentence ends at a full stop followed by white space and a capital, a digit or
#: markup; or at a blank line, unless a lower-case word runs on across it (the final
#: text breaks one sentence of component 2 as "defence depots\n\nwhich can deliver").
BOUNDARY = re.compile(r"(?<=\.)\s+(?=[A-Z0-9*#])|\n\s*\n(?![a-z])|(?<![a-z])\n\s*\n")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """The sentences of a text as (start, end, words), without markup at either end."""
    found = []
    position = 0
    for piece in BOUNDARY.split(text):
        start = text.index(piece, position)
        position = start + len(piece)
        stripped_start, stripped_end = start, start + len(piece)
        while stripped_start < stripped_end and text[stripped_start] in MARKUP:
            stripped_start += 1
        marker = LIST_MARKER.match(text, stripped_start, stripped_end)
        if marker:
            stripped_start = marker.end()
            while stripped_start < stripped_end and text[stripped_start] in MARKUP:
                stripped_start += 1
        while stripped_end > stripped_start and text[stripped_end - 1] in MARKUP:
            stripped_end -= 1
        if stripped_end > stripped_start:
            found.append((stripped_start, stripped_end, text[stripped_start:stripped_end]))
    return found


def test_sentence_splitter_finds_the_known_sentences() -> None:
    text = (REPO / "data" / "sources" / "paris-declaration-2026-01-06.txt").read_text()
    words = [s for _, _, s in sentences(text)]
    assert words[:3] == [
        "Paris Declaration",
        "6th of January 2026",
        "Robust Security Guarantees for a Solid and Lasting Peace in Ukraine",
    ]
    assert "There will be a continuous, reliable ceasefire monitoring system." in words
    assert any(s.startswith("This will include") and s.endswith("fortifications.") for s in words)
    assert words[-1] == "Paris, 6th of January 2026"


def test_every_sentence_lies_within_one_passage(graph: Graph) -> None:
    texts = _versions(graph)
    spans: dict[URIRef, list[tuple[int, int]]] = {}
    for _, version, _, start, end in _passages(graph):
        spans.setdefault(version, []).append((start, end))
    uncovered = [
        (str(version), words)
        for version, text in texts.items()
        for start, end, words in sentences(text)
        if not any(s <= start and end <= e for s, e in spans[version])
    ]
    assert uncovered == []


def test_every_passage_grounds_something_or_says_why_not(graph: Graph) -> None:
    cited = set(graph.objects(None, SG.hasEvidence))
    containers = {
        container for part, container in graph.subject_objects(SG.containedIn) if part in cited
    }
    bare = [
        str(passage)
        for passage in graph.subjects(RDF.type, SG.Passage)
        if passage not in cited
        and passage not in containers
        and graph.value(passage, SG.uncodedReason) is None
    ]
    assert bare == []


def test_corresponding_passages_link_the_two_versions(graph: Graph) -> None:
    pairs = list(graph.subject_objects(SG.correspondsTo))
    assert len(pairs) >= 40
    for left, right in pairs:
        assert graph.value(left, SG.inVersion) != graph.value(right, SG.inVersion)
