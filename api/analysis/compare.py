"""Two versions of an agreement side by side: paragraph by paragraph, word by word.

Paragraphs are aligned by the graph, not by guessing: two blocks of the texts
(:mod:`api.analysis.text_layout`) face each other when a passage of one ``sg:correspondsTo`` a
passage of the other (blocks linked through several passages form one row). Blocks with
no counterpart get a row of their own, in document order. Within a row, the words are
compared with :class:`difflib.SequenceMatcher` (the standard library serves: a
declaration's paragraphs are a few hundred words), the emphasis marks of the sources
left out.

Each difference links to the statements behind it: those with evidence in a passage the
changed words fall in, that exist in one version only or have a variant in the other
(``sg:variantOf``). A change with none is a change of wording alone.
"""

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from api.analysis.reading import ReadingView, VersionInfo
from api.analysis.statements import Statement
from api.analysis.text_layout import Block
from api.store.base import Store, select

_WORD = re.compile(r"\S+")
#: Separates two blocks of one side of a row (rendered as a line break).
BREAK = "\n"

_CORRESPONDENCES = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
SELECT DISTINCT ?a ?b WHERE {
  { ?a sg:correspondsTo ?b } UNION { ?b sg:correspondsTo ?a }
  ?a sg:inVersion <$LEFT> . ?b sg:inVersion <$RIGHT> .
}"""


@dataclass(frozen=True)
class Token:
    """A word as compared (emphasis marks removed), and where it is in its source."""

    word: str
    start: int
    end: int


@dataclass
class Piece:
    """A run of words on one side of a row: unchanged, or removed / added."""

    text: str
    change: str | None = None  # None, "del" or "ins"
    difference: int | None = None  # the number of the difference it belongs to


@dataclass
class Difference:
    """One change between the two sides of a row, and the statements behind it."""

    number: int
    removed: str
    added: str
    #: where the removed and the added words are in their sources (None: no words)
    left_span: tuple[int, int] | None = None
    right_span: tuple[int, int] | None = None
    #: statements of the left version at the change, in that version only or with variants
    left: list[Statement] = field(default_factory=list)
    right: list[Statement] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.removed and self.added:
            return "changed"
        return "removed" if self.removed else "added"

    @property
    def spacing_only(self) -> bool:
        """The same characters, spaced differently ("components :" and "components:")."""
        return "".join(self.removed.split()) == "".join(self.added.split())


@dataclass
class Row:
    """Aligned blocks: the left version's and the right's (either may be empty)."""

    left: list[Piece]
    right: list[Piece]
    differences: list[Difference]
    left_anchor: str | None = None  # the first passage of the row, per side
    right_anchor: str | None = None


@dataclass
class Comparison:
    left: VersionInfo
    right: VersionInfo
    rows: list[Row]

    @property
    def difference_count(self) -> int:
        return sum(len(row.differences) for row in self.rows)


def compare(
    store: Store, left: ReadingView, right: ReadingView, statements: Iterable[Statement]
) -> Comparison:
    """Align ``left`` and ``right`` and compare them; ``statements`` are those the
    differences may link to (with their evidence in both versions)."""
    links = _block_links(store, left, right)
    relevant = [s for s in statements if _differs(s, left.version.iri, right.version.iri)]
    rows: list[Row] = []
    counter = _Counter()
    for left_blocks, right_blocks in _aligned(len(left.blocks), len(right.blocks), links):
        left_tokens = _tokens(left.text, [left.blocks[i].block for i in left_blocks])
        right_tokens = _tokens(right.text, [right.blocks[j].block for j in right_blocks])
        row = _compare_row(left_tokens, right_tokens, counter)
        for difference in row.differences:
            difference.left = _statements_at(relevant, left.version.iri, difference.left_span)
            difference.right = _statements_at(relevant, right.version.iri, difference.right_span)
        row.left_anchor = _anchor(left, left_blocks)
        row.right_anchor = _anchor(right, right_blocks)
        rows.append(row)
    return Comparison(left=left.version, right=right.version, rows=rows)


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _block_links(store: Store, left: ReadingView, right: ReadingView) -> set[tuple[int, int]]:
    """(left block, right block) pairs that hold corresponding passages."""
    sparql = _CORRESPONDENCES.replace("$LEFT", left.version.iri).replace(
        "$RIGHT", right.version.iri
    )
    result = select(store, sparql)
    left_block = {p: i for i, b in enumerate(left.blocks) for p in b.block.passages}
    right_block = {p: j for j, b in enumerate(right.blocks) for p in b.block.passages}
    return {
        (left_block[str(a)], right_block[str(b)])
        for a, b in result.rows
        if str(a) in left_block and str(b) in right_block
    }


def _aligned(
    left_count: int, right_count: int, links: set[tuple[int, int]]
) -> list[tuple[list[int], list[int]]]:
    """Rows of block indexes: linked blocks grouped (connected through links), blocks
    without a counterpart alone, in the order of the right text with the left's
    unlinked blocks placed before the first row that follows them."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for i, j in links:
        parent[find(("L", i))] = find(("R", j))
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in range(left_count):
        groups[find(("L", i))][0].append(i)
    for j in range(right_count):
        groups[find(("R", j))][1].append(j)
    rows: list[tuple[list[int], list[int]]] = []
    emitted_left: set[int] = set()
    emitted: set[tuple[str, int]] = set()
    for j in range(right_count):
        root = find(("R", j))
        if root in emitted:
            continue
        emitted.add(root)
        left_blocks, right_blocks = groups[root]
        first = min(left_blocks, default=None)
        if first is not None:
            for i in range(first):
                if i not in emitted_left and not groups[find(("L", i))][1]:
                    rows.append(([i], []))
                    emitted_left.add(i)
        rows.append((sorted(left_blocks), sorted(right_blocks)))
        emitted_left.update(left_blocks)
    rows.extend(([i], []) for i in range(left_count) if i not in emitted_left)
    return rows


def _tokens(text: str, blocks: list[Block]) -> list[Token]:
    tokens: list[Token] = []
    for index, block in enumerate(blocks):
        if index:
            tokens.append(Token(BREAK, block.start, block.start))
        for match in _WORD.finditer(text, block.start, block.end):
            word = match.group().replace("*", "")
            if block.kind == "heading" and set(word) == {"#"}:
                continue
            if word:
                tokens.append(Token(word, match.start(), match.end()))
    return tokens


def _compare_row(left: list[Token], right: list[Token], counter: _Counter) -> Row:
    draft = Row([], [], [])
    matcher = difflib.SequenceMatcher(
        None, [t.word for t in left], [t.word for t in right], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = left[i1:i2], right[j1:j2]
        if tag == "equal":
            _append(draft.left, removed, None, None)
            _append(draft.right, added, None, None)
            continue
        difference = Difference(
            counter.next(), _words(removed), _words(added), _span(removed), _span(added)
        )
        _append(draft.left, removed, "del", difference.number)
        _append(draft.right, added, "ins", difference.number)
        draft.differences.append(difference)
    return draft


def _append(pieces: list[Piece], tokens: list[Token], change: str | None, number: int | None):
    """Add words to one side: unchanged words joined, a change as one piece."""
    if not tokens:
        return
    runs: list[list[Token]] = [[]]
    for token in tokens:  # a block break splits the run
        if token.word == BREAK:
            runs.append([])
        else:
            runs[-1].append(token)
    for index, run in enumerate(runs):
        if index:
            pieces.append(Piece(BREAK))
        if run:
            if pieces and pieces[-1].text != BREAK:
                pieces.append(Piece(" "))
            pieces.append(Piece(_words(run), change, number))


def _words(tokens: list[Token]) -> str:
    return " ".join(t.word for t in tokens if t.word != BREAK)


def _span(tokens: list[Token]) -> tuple[int, int] | None:
    words = [t for t in tokens if t.word != BREAK]
    return (words[0].start, words[-1].end) if words else None


def _differs(statement: Statement, left: str, right: str) -> bool:
    """In one of the two versions only, or worded differently in the other."""
    versions = set(statement.versions) & {left, right}
    return len(versions) == 1 or bool(statement.variants)


def _statements_at(
    statements: list[Statement], version: str, span: tuple[int, int] | None
) -> list[Statement]:
    if span is None:
        return []
    start, end = span
    found = [
        s
        for s in statements
        if any(
            p.version == version
            and p.start is not None
            and p.end is not None
            and p.start < end
            and start < p.end
            for p in s.evidence
        )
    ]
    return sorted(found, key=lambda s: (s.kind.label, s.iri))


def _anchor(view: ReadingView, blocks: list[int]) -> str | None:
    for index in blocks:
        passages = view.blocks[index].block.passages
        if passages:
            return passages[0]
    return None
