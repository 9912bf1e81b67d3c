"""A version's text laid out as a document: blocks, nested passages, the words kept.

The layout is a pure function of the text and the passages' offsets, so it is tested on
small texts written here and on the two texts of the Paris Declaration with the
passages of the build.
"""

from pathlib import Path

import pytest

from api.analysis.reading import read_passages, read_versions, source_text
from api.analysis.text_layout import (
    BreakNode,
    Layout,
    PassageNode,
    Span,
    TextNode,
    layout,
    text_from_passages,
)
from api.cli.query import open_store
from api.core.layout import discover_layout

from conftest import REPO

TEXT = "## **Title**\n\nFirst sentence. Second sentence.\n\n1) Item one\n\ncontinued.\n2. Two\n"


def words(nodes: list) -> str:
    """The words the nodes show (a break as a newline)."""
    out = []
    for node in nodes:
        if isinstance(node, TextNode):
            out.append(node.text)
        elif isinstance(node, BreakNode):
            out.append("\n")
        else:
            out.append(words(node.children))
    return "".join(out)


def passages_of(nodes: list) -> list[PassageNode]:
    found = []
    for node in nodes:
        if isinstance(node, PassageNode):
            found.append(node)
            found.extend(passages_of(node.children))
    return found


def test_blocks_headings_numbers_and_nesting() -> None:
    start = TEXT.index("First")
    second = TEXT.index("Second")
    item = TEXT.index("1) Item")
    spans = [
        Span("title", TEXT.index("Title"), TEXT.index("Title") + 5),
        Span("p", start, TEXT.index("sentence.", second) + 9),
        Span("s1", start, TEXT.index("sentence.") + 9),
        Span("s2", second, TEXT.index("sentence.", second) + 9),
        Span("item", item, TEXT.index("continued.") + 10),  # runs over a blank line
    ]
    laid = layout(TEXT, spans)
    kinds = [(b.kind, b.level, b.number) for b in laid.blocks]
    assert kinds == [
        ("heading", 2, None),
        ("paragraph", 0, None),
        ("numbered", 0, "1"),
        ("numbered", 0, "2"),
    ]
    title, paragraph, item_block, two = laid.blocks
    assert words(title.nodes) == "Title"  # no "#", no "*"
    assert paragraph.passages == ["p", "s1", "s2"]  # outer before inner, in order
    outer = paragraph.nodes[0]
    assert isinstance(outer, PassageNode) and [c.passage for c in passages_of(outer.children)] == [
        "s1",
        "s2",
    ]
    assert words(paragraph.nodes) == "First sentence. Second sentence."
    assert words(item_block.nodes) == "1) Item one\ncontinued."  # one block, one break
    assert words(two.nodes) == "2. Two"
    assert laid.unplaced == []


def test_a_crossing_passage_is_set_apart_not_lost() -> None:
    text = "one two three four"
    laid = layout(text, [Span("a", 0, 7), Span("b", 4, 13)])
    assert laid.unplaced == ["b"]
    assert [p.passage for p in passages_of(laid.blocks[0].nodes)] == ["a"]
    assert words(laid.blocks[0].nodes) == text


def test_spans_outside_the_text_are_ignored() -> None:
    laid = layout("short", [Span("beyond", 3, 99), Span("empty", 2, 2)])
    assert laid.blocks[0].passages == []
    assert words(laid.blocks[0].nodes) == "short"


def test_text_from_passages_places_each_quote_at_its_offsets() -> None:
    text = text_from_passages([(2, 7, "Hello"), (9, 14, "world")])
    assert text == "\n\nHello\n\nworld"
    assert [words(b.nodes) for b in layout(text, [Span("h", 2, 7)]).blocks] == ["Hello", "world"]


@pytest.fixture(scope="module")
def laid_out(served_build: Path) -> dict[str, tuple[Layout, dict]]:
    store = open_store(discover_layout(REPO, served_build))
    found = {}
    for iri, version in read_versions(store).items():
        text = source_text(REPO, version)
        assert text is not None, f"{version.source_file} is missing or does not match its hash"
        passages = read_passages(store, iri)
        spans = [Span(p.iri, p.start, p.end) for p in passages.values()]
        found[version.slug] = (layout(text, spans), passages)
    return found


@pytest.mark.parametrize("version", ["paris-press-release", "paris-final"])
def test_every_passage_of_the_declaration_is_a_highlight_with_its_words(
    laid_out: dict[str, tuple[Layout, dict]], version: str
) -> None:
    laid, passages = laid_out[version]
    assert laid.unplaced == []
    shown = {node.passage: node for block in laid.blocks for node in passages_of(block.nodes)}
    assert set(shown) == set(passages)
    for iri, node in shown.items():
        quote = passages[iri].quote.replace("*", "")
        assert " ".join(words(node.children).split()) == " ".join(quote.split()), iri
    # document order: the blocks' passages come by start offset
    order = [p for block in laid.blocks for p in block.passages]
    starts = [(passages[p].start, -passages[p].end) for p in order]
    assert starts == sorted(starts)


def test_the_final_text_has_its_headings_and_five_numbered_components(
    laid_out: dict[str, tuple[Layout, dict]],
) -> None:
    laid, _ = laid_out["paris-final"]
    assert [b.number for b in laid.blocks if b.kind == "numbered"] == ["1", "2", "3", "4", "5"]
    assert [words(b.nodes) for b in laid.blocks if b.kind == "heading"] == [
        "Paris Declaration",
        "Robust Security Guarantees for a Solid and Lasting Peace in Ukraine",
    ]
