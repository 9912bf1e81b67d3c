"""The codebook: the statements as a table, one row per statement, PA-X style.

Researchers who work with agreement databases such as PA-X expect a flat table: one row
per provision, a column per coded feature. Here a row is one ``sg:Statement`` (so the
number of rows is the number of statements a SPARQL ``COUNT`` gives), and a statement
named in several versions is one row that lists them. Several parties, conditions or
passages of one statement are joined in one cell with ``"; "`` (quotes with
``" | "``, since a quote may hold a semicolon).

**Strict rows and interpretations.** Every column of a row says what the words say (the
strict graph). Interpretations never change those cells: two columns of their own list
the interpretations about the statement and the parties they would add. A statement
only an interpretation makes (none of the words assert it) is a row only when asked
for (``interpretations=all``), flagged ``interpreted`` in the ``reading`` column; the
default table is the words alone.

:data:`COLUMNS` documents each column; the ``/codebook`` page, the spreadsheet's second
sheet and the README read it from here. The spreadsheet is written with openpyxl.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from api.analysis.interpretation_notes import InterpretationNote
from api.analysis.reading import ReadingRoom, VersionInfo
from api.analysis.statements import PARTY_PROPERTIES, Inherited, Ref, Statement

#: Joins several values in one cell; quotes are joined with :data:`QUOTE_JOIN`.
JOIN = "; "
QUOTE_JOIN = " | "
STRICT = "strict"
INTERPRETED = "interpreted"


@dataclass(frozen=True)
class Column:
    name: str
    description: str


#: The codebook's columns, in order, each with what it holds.
COLUMNS: tuple[Column, ...] = (
    Column("statement", "IRI of the statement (sg:Statement); dereferences to its page."),
    Column("label", "What the statement says, in a sentence (rdfs:label)."),
    Column("agreement", "The agreement the statement is read from (its label)."),
    Column("agreement_iri", "IRI of that agreement."),
    Column(
        "versions",
        "The text versions that state it (the last segment of each version's IRI), in "
        "reading order; a statement in one version only names one.",
    ),
    Column(
        "component",
        "Number of the component it belongs to (sg:partOf or sg:participationIn, "
        "directly or through a mechanism); empty for the preamble and for what stands "
        "outside the components.",
    ),
    Column(
        "kind",
        "Statement kind, decided by the verb: Commitment, Readiness, Capacity, "
        "Recommendation, Possibility, Report, Affirmation, Provision or Participation.",
    ),
    Column(
        "subject_resolution",
        "How the sentence settles who speaks or is bound: named subject, the "
        "declaration's 'we', 'we' unresolved (a party set apart), no subject, no verb.",
    ),
    Column(
        "party",
        "The parties the words name for it (committed by, ready party, stated by, "
        "participant); empty when the words name none (see subject_resolution).",
    ),
    Column("party_iri", "IRIs of those parties, in the same order."),
    Column(
        "role",
        "For a participation, its role (leads, participates, contributes, supports, is "
        "represented in); otherwise how the parties are named (committed by, ready "
        "party, stated by).",
    ),
    Column("sets_apart", "Parties the sentence sets apart from its 'we' (sg:setsApart)."),
    Column("beneficiary", "Parties or guarantee elements it is made to or for."),
    Column(
        "wording",
        "The exact modality (sg:wording): agreed to, will, stand ready to commit, can, "
        "should, may include, proposed, named without verb...",
    ),
    Column(
        "bindingness",
        "What the text calls binding: the statement's own bindingness, else that of the "
        "element it is part of, with that element (its IRI after /id/) in brackets.",
    ),
    Column("conditions", "Its own activation conditions (sg:activatedBy)."),
    Column(
        "inherited_conditions",
        "Activation conditions of the elements it is part of or takes part in, each "
        "with that element (its IRI after /id/) in brackets: it is active only when "
        "these are met too.",
    ),
    Column("variant_of", "Statements that word the same matter in another version."),
    Column(
        "quote",
        "The words of its evidence passages, each distinct quote once, joined by ' | '.",
    ),
    Column("passage", "IRIs of its evidence passages (sg:hasEvidence)."),
    Column(
        "reading",
        "'strict': the row is read from the words; 'interpreted': a statement only an "
        "interpretation makes (only in the table with interpretations).",
    ),
    Column(
        "interpretations",
        "IRIs of the interpretations about the statement: those that interpret it or "
        "add to it. They never change the other columns.",
    ),
    Column(
        "interpreted_party",
        "Parties an interpretation would add (its IRI's last segment in brackets).",
    ),
)

NAMES = tuple(column.name for column in COLUMNS)


def codebook_rows(room: ReadingRoom, *, interpreted: bool = False) -> list[dict[str, str]]:
    """One row per statement of the strict graph, in document order; with
    ``interpreted``, the statements only interpretations make follow, flagged."""
    versions = room.versions()
    order = {iri: index for index, iri in enumerate(versions)}
    strict = room.statements()
    chosen = [(s, STRICT) for s in strict]
    if interpreted:
        known = {s.iri for s in strict}
        chosen += [(s, INTERPRETED) for s in room.interpreted_statements() if s.iri not in known]

    def rank(version: str) -> int:
        return order.get(version, len(order))

    def position(item: tuple[Statement, str]) -> tuple:
        """Where the statement first comes in its texts, as a share of each text's
        length, so statements of one version only fall among the others."""
        statement, reading = item
        share = min(
            (_share(p.start or 0, versions.get(p.version)) for p in statement.evidence),
            default=1.0,
        )
        agreement = statement.agreements[0].iri if statement.agreements else ""
        return (reading != STRICT, agreement, share, statement.iri)

    return [_row(s, versions, reading, rank) for s, reading in sorted(chosen, key=position)]


def _row(
    statement: Statement,
    versions: dict[str, VersionInfo],
    reading: str,
    rank: Callable[[str], int],
) -> dict[str, str]:
    evidence = sorted(statement.evidence, key=lambda p: (rank(p.version), p.start or 0))
    in_versions = sorted(set(statement.versions), key=rank)
    parties = [p for role in statement.parties for p in role.parties]
    return {
        "statement": statement.iri,
        "label": statement.label or "",
        "agreement": _join(a.label or a.iri for a in statement.agreements),
        "agreement_iri": _join(a.iri for a in statement.agreements),
        "versions": _join(versions[v].slug if v in versions else v for v in in_versions),
        "component": _join(str(number) for number, _ in statement.components),
        "kind": statement.kind.label,
        "subject_resolution": _name(statement.resolution),
        "party": _join(_name(p) for p in parties),
        "party_iri": _join(p.iri for p in parties),
        "role": _name(statement.role)
        if statement.role
        else _join(r.role for r in statement.parties),
        "sets_apart": _join(_name(p) for p in statement.sets_apart),
        "beneficiary": _join(_name(p) for p in statement.beneficiaries),
        "wording": _name(statement.wording),
        "bindingness": _bindingness(statement),
        "conditions": _join(_name(c) for c in statement.conditions),
        "inherited_conditions": _join(_inherited(i) for i in statement.inherited_conditions),
        "variant_of": _join(v.iri for v in statement.variants),
        "quote": QUOTE_JOIN.join(dict.fromkeys((p.quote or "").replace("*", "") for p in evidence)),
        "passage": _join(p.iri for p in evidence),
        "reading": reading,
        "interpretations": _join(n.iri for n in statement.interpretations),
        "interpreted_party": _join(_interpreted_parties(statement.interpretations)),
    }


def _share(offset: int, version: VersionInfo | None) -> float:
    if version is None or not version.characters:
        return 1.0
    return offset / version.characters


def _bindingness(statement: Statement) -> str:
    if statement.bindingness:
        return _join(_name(b) for b in statement.bindingness)
    return _join(_inherited(i) for i in statement.inherited_bindingness)


def _inherited(item: Inherited) -> str:
    """``legally binding (system/paris-declaration)``: the value, and where it comes from."""
    via = item.via.iri.split("/id/", 1)[-1]
    return f"{_name(item.value)} ({via})"


def _interpreted_parties(notes: Sequence[InterpretationNote]) -> list[str]:
    return [
        f"{_name(a.value)} ({note.iri.rstrip('/').rsplit('/', 1)[-1]})"
        for note in notes
        for a in note.adds
        if a.predicate in PARTY_PROPERTIES and a.value is not None
    ]


def _name(ref: Ref | None) -> str:
    if ref is None:
        return ""
    return ref.label or ref.iri


def _join(values: Iterable[str]) -> str:
    return JOIN.join(v for v in values if v)


# --- writers ---------------------------------------------------------------------------


def to_csv(rows: Sequence[dict[str, str]]) -> bytes:
    """RFC 4180 CSV, UTF-8, a header row of :data:`NAMES`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=NAMES, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, str]]) -> bytes:
    """A workbook: the table on sheet ``codebook``, the columns explained on ``columns``."""
    workbook = Workbook(write_only=True)
    table = workbook.create_sheet("codebook")
    table.freeze_panes = "B2"
    table.append(list(NAMES))
    for row in rows:
        table.append([row.get(name, "") for name in NAMES])
    columns = workbook.create_sheet("columns")
    columns.append(["column", "what it holds"])
    for column in COLUMNS:
        columns.append([column.name, column.description])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: Spreadsheet formats of the codebook: name -> (media type, writer).
FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}
