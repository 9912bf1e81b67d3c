"""SPARQL results as text: the SPARQL 1.1 result formats (JSON, CSV, TSV), an aligned
table and Turtle.

The command line and the competency questions print results here, so every command shows
an answer the same way. The result formats and Turtle are pyoxigraph's, as the endpoint
writes them (:mod:`api.formats.wire_formats`); only the aligned table, for a person at a
terminal, is written here.
"""

import json
from collections.abc import Sequence

import pyoxigraph as ox

from api.core.namespaces import compact
from api.formats.wire_formats import WIRE_FORMATS, serialize_triples
from api.store.base import NativeResult, NativeTerm

#: Formats for SELECT and ASK results on the command line.
SELECT_FORMATS = ("table", "json", "csv", "tsv")


def format_result(result: NativeResult, fmt: str = "table") -> str:
    """Render a pyoxigraph result: SELECT in ``fmt``; ASK as ``true``/``false`` (or
    JSON); CONSTRUCT/DESCRIBE always as Turtle."""
    if fmt not in SELECT_FORMATS:
        raise ValueError(f"unknown result format {fmt!r}; expected one of {SELECT_FORMATS}")
    if isinstance(result, ox.QueryTriples):
        # objects in order as well (serialize_triples keeps it within a subject and
        # predicate), so that every backend prints the same graph alike
        triples = sorted(result, key=lambda triple: str(triple.object))
        return serialize_triples(triples, WIRE_FORMATS["ttl"]).decode("utf-8")
    if isinstance(result, ox.QueryBoolean) and fmt != "json":
        return "true\n" if result else "false\n"
    if fmt == "table":
        return to_table(result)
    text = result.serialize(format=WIRE_FORMATS[fmt].oxigraph).decode("utf-8")
    if fmt == "json":  # pyoxigraph writes one line: indented, it reads at a terminal
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    return text


def to_table(result: ox.QuerySolutions) -> str:
    """An aligned text table with compact IRIs, for a person at a terminal."""
    variables = [variable.value for variable in result.variables]
    header = [f"?{name}" for name in variables]
    cells = [[_table_value(row[index]) for index in range(len(variables))] for row in result]
    widths = [len(h) for h in header]
    for row in cells:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [_table_line(header, widths), _table_line(["-" * w for w in widths], widths)]
    lines.extend(_table_line(row, widths) for row in cells)
    return "\n".join(lines) + "\n"


def _table_value(term: NativeTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = term.value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    if term.language:
        return f'"{text}"@{term.language}'
    return text


def _table_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
