"""SPARQL results as text: the SPARQL 1.1 result formats (JSON, CSV, TSV), an aligned
table and Turtle.

The command line and the competency questions print results here, so every command shows
an answer the same way.
"""

import csv
import io
import json
from collections.abc import Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from api.core.namespaces import compact
from api.store.results import AskResult, GraphResult, QueryResult, SelectResult

#: Formats for SELECT and ASK results on the command line.
SELECT_FORMATS = ("table", "json", "csv", "tsv")


def to_sparql_json(result: SelectResult | AskResult) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    if isinstance(result, AskResult):
        return json.dumps({"head": {}, "boolean": result.value}) + "\n"
    bindings = [
        {
            var: _json_term(term)
            for var, term in zip(result.variables, row, strict=True)
            if term is not None
        }
        for row in result.rows
    ]
    payload = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV: plain values, IRIs unbracketed, blank nodes as ``_:id``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if term is None else _csv_value(term) for term in row])
    return out.getvalue()


def to_tsv(result: SelectResult) -> str:
    """SPARQL 1.1 TSV: ``?var`` header, terms in N-Triples/Turtle syntax."""
    lines = ["\t".join(f"?{var}" for var in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if term is None else _tsv_value(term) for term in row))
    return "\n".join(lines) + "\n"


def to_table(result: SelectResult) -> str:
    """An aligned text table with compact IRIs, for a person at a terminal."""
    header = [f"?{var}" for var in result.variables]
    cells = [[_table_value(term) for term in row] for row in result.rows]
    widths = [len(h) for h in header]
    for row in cells:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [_table_line(header, widths), _table_line(["-" * w for w in widths], widths)]
    lines.extend(_table_line(row, widths) for row in cells)
    return "\n".join(lines) + "\n"


def to_turtle(result: GraphResult) -> str:
    return result.to_graph().serialize(format="turtle")


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render any result: SELECT in ``fmt``; ASK as ``true``/``false`` (or JSON);
    CONSTRUCT/DESCRIBE always as Turtle."""
    if fmt not in SELECT_FORMATS:
        raise ValueError(f"unknown result format {fmt!r}; expected one of {SELECT_FORMATS}")
    if isinstance(result, GraphResult):
        return to_turtle(result)
    if isinstance(result, AskResult):
        if fmt == "json":
            return to_sparql_json(result)
        return "true\n" if result.value else "false\n"
    writers = {"table": to_table, "json": to_sparql_json, "csv": to_csv, "tsv": to_tsv}
    return writers[fmt](result)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    value: dict[str, str] = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        value["datatype"] = str(term.datatype)
    return value


def _csv_value(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _tsv_value(term: Node) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return term.n3()


def _table_value(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    text = str(term).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    if term.language:
        return f'"{text}"@{term.language}'
    return text


def _table_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
