"""The reading room's model: each text version as the document it is, and what each of
its passages grounds.

A version is read from its source file (``sg:sourceFile``, relative to the project
root, checked against ``sg:sha256``); when the file cannot be read or does not match,
the document is put together from the passages' quotes at their offsets, so a page
still shows every word the graph holds. :mod:`api.analysis.text_layout` lays the text out in
blocks with the passages nested as highlights; this module adds, for each passage, the
statements grounded in it (:mod:`api.analysis.statements`, from the words alone), the other
entities grounded in it (mechanisms, conditions, components...), why a passage grounds
nothing (``sg:uncodedReason``), and the interpretations that concern it, kept apart
(:mod:`api.analysis.interpretation_notes`).

:class:`ReadingRoom` reads the graph once per served graph and keeps the views it made
(a few, least recently used first out), so a page is a template render.
"""

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from threading import Lock
from typing import TypeVar

from api.analysis.interpretation_notes import InterpretationNote, InterpretationNotes
from api.analysis.statements import Ref, Selection, Statement, read_statements
from api.analysis.text_layout import Block, Span, layout, text_from_passages
from api.core.layout import DATA, graph_iri
from api.store.base import Store, select
from api.store.results import SelectResult, term_int, term_text

T = TypeVar("T")

#: How many version views (and comparisons, codebooks) a reading room keeps.
KEPT_VIEWS = 16

_PREFIXES = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
_EN = 'FILTER(LANG(?{v}) = "" || LANGMATCHES(LANG(?{v}), "en"))'

_VERSIONS = f"""{_PREFIXES}
SELECT ?v ?label ?title ?agreement ?agreementLabel ?date ?file ?sha ?chars ?issuer ?issuerLabel
WHERE {{
  ?v a sg:TextVersion .
  OPTIONAL {{ ?v rdfs:label ?label {_EN.format(v="label")} }}
  OPTIONAL {{ ?v dcterms:title ?title }}
  OPTIONAL {{ ?v sg:versionOf ?agreement .
             OPTIONAL {{ ?agreement rdfs:label ?agreementLabel
                        {_EN.format(v="agreementLabel")} }} }}
  OPTIONAL {{ ?v dcterms:date ?date }}
  OPTIONAL {{ ?v sg:sourceFile ?file }}
  OPTIONAL {{ ?v sg:sha256 ?sha }}
  OPTIONAL {{ ?v sg:characterCount ?chars }}
  OPTIONAL {{ ?v sg:issuedBy ?issuer .
             OPTIONAL {{ ?issuer rdfs:label ?issuerLabel {_EN.format(v="issuerLabel")} }} }}
}}"""

_PASSAGES = f"""{_PREFIXES}
SELECT ?p ?start ?end ?quote ?label ?reason WHERE {{
  ?p sg:inVersion <$VERSION> ; sg:startOffset ?start ; sg:endOffset ?end .
  OPTIONAL {{ ?p sg:quote ?quote }}
  OPTIONAL {{ ?p rdfs:label ?label {_EN.format(v="label")} }}
  OPTIONAL {{ ?p sg:uncodedReason ?reason }}
}}"""

_GROUNDED = f"""{_PREFIXES}
SELECT DISTINCT ?e ?label ?p ?type ?typeLabel WHERE {{
  ?p sg:inVersion <$VERSION> .
  ?e sg:hasEvidence ?p .
  GRAPH <{graph_iri(DATA)}> {{ ?e a ?type }}
  OPTIONAL {{ ?e rdfs:label ?label {_EN.format(v="label")} }}
  OPTIONAL {{ ?type rdfs:label ?typeLabel {_EN.format(v="typeLabel")} }}
}}"""


@dataclass(frozen=True)
class VersionInfo:
    """A text version: what the page says about it, and where its text is."""

    iri: str
    label: str | None
    title: str | None
    agreement: Ref | None
    date: str | None
    source_file: str | None
    sha256: str | None
    characters: int | None
    issued_by: tuple[Ref, ...] = ()

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class PassageInfo:
    """A passage of the version being read."""

    iri: str
    version: str
    start: int
    end: int
    quote: str | None
    label: str | None
    uncoded_reason: str | None

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def place(self) -> str:
        """Where it is in the text, from its label ("component 1, sentence 2")."""
        if not self.label:
            return self.slug
        return self.label.split(": ", 1)[-1]


@dataclass(frozen=True)
class Grounded:
    """A non-statement entity grounded in a passage (a mechanism, a condition...)."""

    ref: Ref
    type_label: str


@dataclass
class Grounding:
    """What one passage grounds, as the page lists it under the passage's paragraph."""

    passage: PassageInfo
    statements: list[Statement] = field(default_factory=list)
    others: list[Grounded] = field(default_factory=list)
    #: interpretations based on the passage that no statement above already shows
    notes: list[InterpretationNote] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.statements or self.others or self.notes or self.passage.uncoded_reason)


@dataclass
class BlockView:
    block: Block
    groundings: list[Grounding]

    @property
    def statement_count(self) -> int:
        return sum(len(g.statements) for g in self.groundings)


@dataclass
class ReadingView:
    """A version as a document, with what each passage grounds."""

    version: VersionInfo
    #: every version of the same agreement, this one included, in reading order
    siblings: list[VersionInfo]
    blocks: list[BlockView]
    passages: dict[str, PassageInfo]
    #: the text laid out (the source file, or the passages' quotes at their offsets)
    text: str
    #: whether the text is the source file itself (else: the passages' quotes)
    from_source: bool
    #: passages that cross another and are listed without a highlight
    unplaced: list[Grounding]


class UnknownVersion(LookupError):
    """The graph holds no text version with that IRI."""


class ReadingRoom:
    """The reading views of one served graph, made on first request and kept."""

    def __init__(self, store: Store, root: Path, interpretation_graphs: Sequence[str]) -> None:
        self._store = store
        self._root = root
        self._graphs = tuple(interpretation_graphs)
        self._lock = Lock()
        self._versions: dict[str, VersionInfo] | None = None
        self._notes: InterpretationNotes | None = None
        self._views: OrderedDict[str, ReadingView] = OrderedDict()
        self._made: OrderedDict[Hashable, object] = OrderedDict()

    @property
    def store(self) -> Store:
        return self._store

    def versions(self) -> dict[str, VersionInfo]:
        """Every text version, by IRI, in reading order (see :func:`reading_order`)."""
        with self._lock:
            if self._versions is None:
                self._versions = read_versions(self._store)
            return self._versions

    def notes(self) -> InterpretationNotes:
        with self._lock:
            if self._notes is None:
                self._notes = InterpretationNotes.from_store(self._store, self._graphs)
            return self._notes

    def view(self, version_iri: str) -> ReadingView:
        """The reading view of a version. Raises :class:`UnknownVersion`."""
        versions = self.versions()
        if version_iri not in versions:
            raise UnknownVersion(version_iri)
        notes = self.notes()
        with self._lock:
            if version_iri in self._views:
                self._views.move_to_end(version_iri)
                return self._views[version_iri]
        view = read_view(self._store, self._root, versions, version_iri, notes)
        with self._lock:
            self._views[version_iri] = view
            while len(self._views) > KEPT_VIEWS:
                self._views.popitem(last=False)
        return view

    def cached(self, key: Hashable, make: Callable[[], T]) -> T:
        """What ``make`` returns, made once per ``key`` (comparisons, codebooks) and
        kept (the most recent :data:`KEPT_VIEWS`): the graph does not change while it is
        served. Made outside the lock, so ``make`` may itself use the room."""
        with self._lock:
            if key in self._made:
                self._made.move_to_end(key)
                return self._made[key]  # type: ignore[return-value]
        made = make()
        with self._lock:
            self._made[key] = made
            while len(self._made) > KEPT_VIEWS:
                self._made.popitem(last=False)
            return made

    def statements(self, versions: Sequence[str] | None = None) -> list[Statement]:
        """Statements (with evidence in ``versions``, or all), each with the
        interpretations about it attached."""
        return self._with_notes(read_statements(self._store, Selection(versions=versions)))

    def statement(self, iri: str) -> Statement | None:
        """The statement ``iri`` (None if it is not one), with its interpretations."""
        found = self._with_notes(read_statements(self._store, Selection(statements=[iri])))
        return found[0] if found else None

    def _with_notes(self, statements: list[Statement]) -> list[Statement]:
        notes = self.notes()
        for statement in statements:
            statement.interpretations = tuple(notes.about(statement.iri))
        return statements

    def interpreted_statements(self) -> list[Statement]:
        """Every statement read with the interpretation graphs added: the strict ones
        (with what the readings add to them) and those only a reading makes."""
        return read_statements(self._store, interpretations=self._graphs)


def read_versions(store: Store) -> dict[str, VersionInfo]:
    """Every text version of the graph, in reading order."""
    found: dict[str, VersionInfo] = {}
    issuers: dict[str, set[Ref]] = defaultdict(set)
    for row in _records(select(store, _VERSIONS)):
        iri, agreement = str(row["v"]), row["agreement"]
        found.setdefault(
            iri,
            VersionInfo(
                iri=iri,
                label=term_text(row["label"]),
                title=term_text(row["title"]),
                agreement=(
                    Ref(str(agreement), term_text(row["agreementLabel"])) if agreement else None
                ),
                date=term_text(row["date"]),
                source_file=term_text(row["file"]),
                sha256=term_text(row["sha"]),
                characters=term_int(row["chars"]),
            ),
        )
        if row["issuer"] is not None:
            issuers[iri].add(Ref(str(row["issuer"]), term_text(row["issuerLabel"])))
    ordered = sorted(found.values(), key=reading_order)
    return {info.iri: _with_issuers(info, tuple(sorted(issuers[info.iri]))) for info in ordered}


def reading_order(version: VersionInfo) -> tuple[str, str, str]:
    """Versions by agreement, then by date, undated first (a text that gives no date of
    its own, such as a press release, before the dated final text), then by IRI."""
    agreement = version.agreement.iri if version.agreement else ""
    return (agreement, version.date or "", version.iri)


def _with_issuers(info: VersionInfo, issuers: tuple[Ref, ...]) -> VersionInfo:
    return replace(info, issued_by=issuers)


def siblings_of(versions: dict[str, VersionInfo], version: VersionInfo) -> list[VersionInfo]:
    """The versions of the same agreement, in reading order (the version itself too)."""
    agreement = version.agreement.iri if version.agreement else None
    return [
        v
        for v in versions.values()
        if (v.agreement.iri if v.agreement else None) == agreement or v.iri == version.iri
    ]


def read_passages(store: Store, version_iri: str) -> dict[str, PassageInfo]:
    """The passages of a version, in document order (by start, outer first)."""
    passages = [
        PassageInfo(
            iri=str(p),
            version=version_iri,
            start=int(str(start)),
            end=int(str(end)),
            quote=term_text(quote),
            label=term_text(label),
            uncoded_reason=term_text(reason),
        )
        for p, start, end, quote, label, reason in select(
            store, _PASSAGES.replace("$VERSION", version_iri)
        ).rows
    ]
    passages.sort(key=lambda p: (p.start, -p.end, p.iri))
    return {p.iri: p for p in passages}


def source_text(root: Path, version: VersionInfo) -> str | None:
    """The version's source file, if it can be read and matches its recorded hash."""
    if not version.source_file:
        return None
    path = (root / version.source_file).resolve()
    if not path.is_relative_to(root.resolve()):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if version.sha256 and hashlib.sha256(data).hexdigest() != version.sha256:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_view(
    store: Store,
    root: Path,
    versions: dict[str, VersionInfo],
    version_iri: str,
    notes: InterpretationNotes,
) -> ReadingView:
    """Lay a version out and gather what each of its passages grounds."""
    version = versions[version_iri]
    passages = read_passages(store, version_iri)
    text = source_text(root, version)
    from_source = text is not None
    if text is None:
        text = text_from_passages([(p.start, p.end, p.quote or "") for p in passages.values()])
    laid_out = layout(text, [Span(p.iri, p.start, p.end) for p in passages.values()])
    groundings = _groundings(store, version_iri, passages, notes)
    blocks = [
        BlockView(block, [groundings[p] for p in block.passages if not groundings[p].empty])
        for block in laid_out.blocks
    ]
    return ReadingView(
        version=version,
        siblings=siblings_of(versions, version),
        blocks=blocks,
        passages=passages,
        text=text,
        from_source=from_source,
        unplaced=[groundings[p] for p in laid_out.unplaced],
    )


def _groundings(
    store: Store,
    version_iri: str,
    passages: dict[str, PassageInfo],
    notes: InterpretationNotes,
) -> dict[str, Grounding]:
    groundings = {iri: Grounding(passage) for iri, passage in passages.items()}
    statements = {s.iri: s for s in read_statements(store, Selection(versions=[version_iri]))}
    for statement in statements.values():
        statement.interpretations = tuple(notes.about(statement.iri))
        for evidence in statement.evidence_in(version_iri):
            if evidence.iri in groundings:
                groundings[evidence.iri].statements.append(statement)
    others: dict[str, dict[str, Grounded]] = defaultdict(dict)
    grounded = select(store, _GROUNDED.replace("$VERSION", version_iri)).rows
    for entity, label, passage, _type, type_label in grounded:
        if str(entity) in statements or str(passage) not in groundings:
            continue
        known = others[str(passage)].get(str(entity))
        if known is None or (type_label and known.type_label < str(type_label)):
            others[str(passage)][str(entity)] = Grounded(
                Ref(str(entity), term_text(label)), term_text(type_label) or "resource"
            )
    for iri, grounding in groundings.items():
        grounding.statements.sort(key=lambda s: (s.kind.label, s.iri))
        grounding.others = sorted(others[iri].values(), key=lambda g: (g.type_label, g.ref.iri))
        shown = {n.iri for s in grounding.statements for n in s.interpretations}
        grounding.notes = [n for n in notes.based_on(iri) if n.grounds or n.iri not in shown]
    return groundings


def _records(result: SelectResult) -> list[dict[str, object]]:
    """The solutions, each as a dict by variable name."""
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]
