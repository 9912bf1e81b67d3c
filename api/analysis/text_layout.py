"""A version's text laid out as a document: blocks (paragraphs, headings, numbered
components), each holding its words with the passages nested as highlights.

The sources are plain text with a light Markdown markup (``## `` headings, ``**bold**``,
``1)`` or ``1.`` numbering). A block is a line of the text, or several when a passage
runs over a line break (a sentence broken in two by the publisher's layout stays one
block). Inside a block, every passage is a span at its exact character offsets, nested
by containment; the words between passages are kept, the emphasis marks (``*``) and
heading marks (``#``) are not shown. A passage that crosses another without containing
it cannot be nested; it is returned apart (:attr:`Layout.unplaced`) so a page can still
list it.

Pure functions of the text and the passages' offsets: nothing here reads the graph.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_NUMBERED = re.compile(r"^(\d+)[.)]\s")
_HEADING = re.compile(r"^\s*(#+)\s*")
_BREAKS = re.compile(r"\n+")


@dataclass(frozen=True)
class Span:
    """A passage's place in the text: ``text[start:end]``."""

    passage: str
    start: int
    end: int


@dataclass
class TextNode:
    text: str
    kind: str = "text"


@dataclass
class BreakNode:
    kind: str = "break"


@dataclass
class PassageNode:
    passage: str
    children: list["Node"] = field(default_factory=list)
    kind: str = "passage"


Node = TextNode | BreakNode | PassageNode


@dataclass
class Block:
    """A paragraph, heading or numbered component of the document."""

    start: int
    end: int
    kind: str  # "heading", "numbered" or "paragraph"
    level: int = 0  # a heading's level (the number of "#")
    number: str | None = None  # a numbered component's number
    nodes: list[Node] = field(default_factory=list)
    #: the passages inside the block, in document order (outer before inner)
    passages: list[str] = field(default_factory=list)


@dataclass
class Layout:
    blocks: list[Block]
    #: passages that cross another and so cannot be drawn as nested highlights
    unplaced: list[str]


def text_from_passages(passages: Sequence[tuple[int, int, str]]) -> str:
    """A stand-in for a source text that cannot be read: each quote at its offsets and
    line breaks in between, so the layout still finds the blocks."""
    length = max((end for _, end, _ in passages), default=0)
    chars = ["\n"] * length
    for start, _end, quote in passages:
        chars[start : start + len(quote)] = quote
    return "".join(chars)


def layout(text: str, spans: Sequence[Span]) -> Layout:
    """Lay ``text`` out in blocks with ``spans`` nested in them (see the module doc)."""
    ordered = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, -s.end, s.passage),
    )
    tree, unplaced = _nest(ordered)
    blocks = []
    for start, end in _block_bounds(text, ordered):
        roots = [node for node in tree if start <= node.span.start and node.span.end <= end]
        blocks.append(_block(text, start, end, roots))
    return Layout(blocks=blocks, unplaced=unplaced)


@dataclass
class _Tree:
    span: Span
    children: list["_Tree"] = field(default_factory=list)


def _nest(ordered: list[Span]) -> tuple[list[_Tree], list[str]]:
    """Passages as a forest by containment; those crossing another, apart."""
    roots: list[_Tree] = []
    stack: list[_Tree] = []
    unplaced: list[str] = []
    for span in ordered:
        while stack and stack[-1].span.end <= span.start:
            stack.pop()
        if stack and span.end > stack[-1].span.end:
            unplaced.append(span.passage)  # starts inside the top one, ends after it
            continue
        node = _Tree(span)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots, unplaced


def _block_bounds(text: str, spans: list[Span]) -> list[tuple[int, int]]:
    """Lines of ``text``, joined where a passage runs over a line break; blank lines and
    the whitespace around a block left out."""
    inside = [False] * (len(text) + 1)
    for span in spans:
        for index in range(span.start, span.end):
            inside[index] = True
    bounds, start = [], 0
    for index, char in enumerate(text + "\n"):
        if char == "\n" and not inside[index]:
            first, last = start, index
            while first < last and text[first].isspace() and not inside[first]:
                first += 1
            while last > first and text[last - 1].isspace() and not inside[last - 1]:
                last -= 1
            if first < last:
                bounds.append((first, last))
            start = index + 1
    return bounds


def _block(text: str, start: int, end: int, roots: list[_Tree]) -> Block:
    raw = text[start:end]
    heading = _HEADING.match(raw)
    numbered = _NUMBERED.match(raw.replace("*", ""))
    if heading:
        block = Block(start, end, "heading", level=len(heading.group(1)))
    elif numbered:
        block = Block(start, end, "numbered", number=numbered.group(1))
    else:
        block = Block(start, end, "paragraph")
    block.nodes = _nodes(text, start, end, roots)
    if heading:
        _drop_heading_marks(block.nodes)
    block.passages = [p for root in roots for p in _preorder(root)]
    return block


def _nodes(text: str, start: int, end: int, children: list[_Tree]) -> list[Node]:
    nodes: list[Node] = []
    position = start
    for child in children:
        nodes.extend(_text_nodes(text[position : child.span.start]))
        nodes.append(
            PassageNode(
                child.span.passage,
                _nodes(text, child.span.start, child.span.end, child.children),
            )
        )
        position = child.span.end
    nodes.extend(_text_nodes(text[position:end]))
    return nodes


def _text_nodes(text: str) -> list[Node]:
    """Words, with runs of line breaks as one break and emphasis marks left out."""
    nodes: list[Node] = []
    for index, part in enumerate(_BREAKS.split(text.replace("*", ""))):
        if index:
            nodes.append(BreakNode())
        if part:
            nodes.append(TextNode(part))
    return nodes


def _drop_heading_marks(nodes: list[Node]) -> None:
    """Remove the leading ``#`` marks from a heading's first words."""
    first = nodes[0] if nodes else None
    if isinstance(first, TextNode):
        first.text = _HEADING.sub("", first.text, count=1)
        if not first.text:
            nodes.pop(0)


def _preorder(node: _Tree) -> list[str]:
    return [node.span.passage] + [p for child in node.children for p in _preorder(child)]
