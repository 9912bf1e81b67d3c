"""The reading room through the real server, as a reader without scripts sees it.

Each page is fetched from ``sgkg serve`` and parsed as HTML5 (html5lib): the reading
view of each version (every passage a highlight in document order, and under each
paragraph the statements its passages ground, interpretations kept apart), the
comparison, the scenario page and its IRIs, passage citations, statement pages, and the
codebook, whose CSV must parse with pandas and hold one row per statement, as many as a
SPARQL count over the endpoint (asked with SPARQLWrapper).
"""

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import httpx
import pandas as pd
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from api.analysis.codebook import COLUMNS, NAMES
from api.analysis.reading import read_passages
from api.cli.query import open_store
from api.core.layout import discover_layout
from api.linked_data.citation import bibtex_escape

from conftest import REPO, RunningServer

ID = "https://w3id.org/sgkg/id/"
FINAL = ID + "version/paris-final"
PRESS = ID + "version/paris-press-release"
COUNT_STATEMENTS = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a/rdfs:subClassOf* sg:Statement }"""
STATEMENTS_IN = """PREFIX sg: <https://w3id.org/sgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s WHERE {{ ?s a/rdfs:subClassOf* sg:Statement ;
                           sg:hasEvidence/sg:inVersion <{version}> }}"""


def page(url: str) -> ET.Element:
    answer = httpx.get(url, headers={"Accept": "text/html"}, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "<script>" not in answer.text  # no inline script: data blocks only
    return html5lib.parse(answer.text, namespaceHTMLElements=False)


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_class(root: ET.Element, tag: str, name: str) -> list[ET.Element]:
    return [e for e in root.iter(tag) if name in (e.get("class") or "").split()]


def hrefs(root: ET.Element) -> list[str]:
    return [a.get("href") for a in root.iter("a") if a.get("href")]


def sparql(server: RunningServer, query: str, **parameters: str) -> list[dict]:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    for name, value in parameters.items():
        client.addParameter(name, value)
    return client.queryAndConvert()["results"]["bindings"]


@pytest.fixture(scope="module")
def passages(served_build: Path) -> dict[str, dict]:
    store = open_store(discover_layout(REPO, served_build))
    return {version: read_passages(store, version) for version in (FINAL, PRESS)}


# --- reading -----------------------------------------------------------------------------


def test_read_lists_the_versions_and_the_comparison(server: RunningServer) -> None:
    root = page(f"{server.url}/read")
    links = hrefs(root)
    assert "/id/version/paris-final" in links and "/id/version/paris-press-release" in links
    assert "/compare?left=paris-press-release&right=paris-final" in links
    nav = [a.get("href") for a in next(root.iter("nav")).iter("a")]
    assert nav[1:5] == ["/read", "/compare", "/scenarios", "/codebook"]


@pytest.mark.parametrize("version", [FINAL, PRESS])
def test_a_version_reads_as_a_document(
    server: RunningServer, passages: dict[str, dict], version: str
) -> None:
    root = page(server.url + version.removeprefix("https://w3id.org/sgkg"))
    marks = by_class(root, "mark", "passage")
    ids = [m.get("id") for m in marks]
    expected = {p.iri.rsplit("/", 1)[-1]: p for p in passages[version].values()}
    assert sorted(ids) == sorted(expected)  # every passage is a highlight, once
    starts = [(expected[i].start, -expected[i].end) for i in ids]
    assert starts == sorted(starts)  # in document order
    for mark in marks:  # with the words of its quote
        quote = expected[mark.get("id")].quote.replace("*", "")
        assert text(mark) == " ".join(quote.split())


@pytest.mark.parametrize("version", [FINAL, PRESS])
def test_without_scripts_each_paragraph_lists_what_it_grounds(
    server: RunningServer, version: str
) -> None:
    """The static lists hold every statement with evidence in the version (a reader
    without scripts sees them all), each under the paragraph of its passage."""
    root = page(server.url + version.removeprefix("https://w3id.org/sgkg"))
    listed = set()
    for section in by_class(root, "section", "grounds"):
        for card in by_class(section, "li", "statement"):
            listed.add(card.get("data-statement"))
    expected = {row["s"]["value"] for row in sparql(server, STATEMENTS_IN.format(version=version))}
    assert listed == expected


def test_an_unresolved_we_says_so_and_names_the_party_set_apart(server: RunningServer) -> None:
    root = page(f"{server.url}/id/version/paris-final")
    entry = next(e for e in root.iter("div") if e.get("id") == "g-paris-final-p4-commit")
    card = next(
        c
        for c in by_class(entry, "li", "statement")
        if c.get("data-statement") == ID + "readiness/stand-ready-to-commit-to-system-final"
    )
    who = text(card.find("dl"))
    assert "we: unresolved (the words do not say who)" in who
    assert "set apart from “we”: United States" in who
    assert "ready party" not in who  # no party asserted by the words
    # the reading that "we" are the Coalition's members is there, flagged and apart
    beyond = by_class(card, "div", "beyond")
    assert beyond and "Readings beyond the words" in text(beyond[0])
    assert "ready party Members of the Coalition of the Willing" in text(beyond[0])
    assert ID.removeprefix("https://w3id.org/sgkg") + "interpretation/we-stand-ready-final" in (
        hrefs(beyond[0])
    )


def test_a_statement_only_an_interpretation_makes_shows_only_as_one(
    server: RunningServer,
) -> None:
    root = page(f"{server.url}/id/version/paris-final")
    interpreted = "/id/participation/coalition-members-participate-in-monitoring"
    cards = {card.get("data-statement") for card in by_class(root, "li", "statement")}
    assert "https://w3id.org/sgkg" + interpreted not in cards
    beyond = [b for b in by_class(root, "div", "beyond") if interpreted in hrefs(b)]
    assert beyond, "the interpreted statement is named in a readings-beyond block"


def test_a_version_is_still_data_for_rdf_clients(server: RunningServer) -> None:
    turtle = httpx.get(f"{server.url}/id/version/paris-final", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "sg:TextVersion" in turtle.text or "TextVersion" in turtle.text
    assert httpx.get(f"{server.url}/id/version/paris-final.jsonld").status_code == 200


# --- comparing ---------------------------------------------------------------------------


def test_compare_aligns_the_versions_and_links_differences_to_statements(
    server: RunningServer,
) -> None:
    root = page(f"{server.url}/compare")
    table = by_class(root, "table", "compare")[0]
    headers = [text(th) for th in table.find("thead").iter("th")]
    assert headers[0].startswith("Paris Declaration, press-release version")
    assert headers[1].startswith("Paris Declaration, final text")
    differences = {
        li.get("id"): li for li in root.iter("li") if (li.get("id") or "").startswith("d")
    }
    # every marked change links to its entry in the list of differences
    targets = {a.get("href") for a in by_class(root, "a", "diff")}
    assert targets == {f"#{key}" for key in differences}
    proposed = next(li for li in differences.values() if text(li).startswith("proposed "))
    links = hrefs(proposed)
    assert "/id/participation/us-proposed-lead-of-monitoring" in links  # press only
    assert "/id/participation/us-leads-monitoring" in links  # its variant in the final text
    assert "only in Paris Declaration, press-release version" in text(proposed)
    wording = next(li for li in differences.values() if text(li).startswith("components :"))
    assert "spacing only: no statement differs here" in text(wording)
    number = next(li for li in differences.values() if text(li).startswith("1. → 1)"))
    assert "wording only: no statement differs here" in text(number)


def test_compare_names_unknown_versions(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/compare", params={"left": "draft-0"})
    assert answer.status_code == 404
    assert "paris-final" in answer.text and "draft-0" in answer.text
    swapped = page(f"{server.url}/compare?left=paris-final&right=paris-press-release")
    assert text(next(swapped.iter("th"))).startswith("Paris Declaration, final text")


# --- citing ------------------------------------------------------------------------------


def test_a_passage_page_offers_its_citation_and_permalink(server: RunningServer) -> None:
    root = page(f"{server.url}/id/passage/paris-final-c1-s2")
    iri = ID + "passage/paris-final-c1-s2"
    cite = next(s for s in root.iter("section") if s.get("aria-labelledby") == "cite-title")
    blocks = [pre.text for pre in cite.iter("pre")]
    as_text, bibtex, csl = blocks
    assert iri in as_text and "This will be led by the US" in as_text
    assert bibtex.startswith("@misc{sgkg:paris-final-c1-s2,") and f"url = {{{iri}}}" in bibtex
    item = json.loads(csl)[0]
    assert item["URL"] == iri and item["issued"] == {"date-parts": [[2026, 1, 6]]}
    assert item["type"] == "document" and "component 1, sentence 2" in item["title"]
    permalink = "/id/version/paris-final#paris-final-c1-s2"
    assert permalink in hrefs(root)
    reading = page(server.url + permalink.split("#")[0])
    assert "paris-final-c1-s2" in [m.get("id") for m in by_class(reading, "mark", "passage")]


def test_bibtex_special_characters_are_escaped() -> None:
    assert bibtex_escape("50% of {x} & y_z #1") == r"50\% of \{x\} \& y\_z \#1"


# --- statements and interpretations ------------------------------------------------------


def test_a_statement_page_keeps_interpretations_in_a_flagged_section(
    server: RunningServer,
) -> None:
    root = page(f"{server.url}/id/commitment/finalise-binding-commitments")
    card = by_class(root, "li", "statement")[0]
    assert not by_class(card, "div", "beyond")  # the card is the words alone
    assert "we: unresolved" in text(card) and "Ukraine" in text(card)
    section = by_class(root, "section", "interpretations")[0]
    assert "Readings beyond the words" in text(section)
    assert "/id/interpretation/we-finalise-binding-commitments" in hrefs(section)
    assert "adds committed by Members of the Coalition of the Willing" in text(section)


def test_an_interpretation_page_lists_what_its_graph_adds(server: RunningServer) -> None:
    root = page(f"{server.url}/id/interpretation/we-stand-ready-final")
    section = next(s for s in root.iter("section") if s.get("aria-labelledby") == "adds-title")
    rows = [text(tr) for tr in section.find("table").find("tbody").iter("tr")]
    assert len(rows) == 2 and all("Members of the Coalition of the Willing" in r for r in rows)


# --- scenarios ---------------------------------------------------------------------------


def test_the_scenario_page_and_its_form_without_scripts(server: RunningServer) -> None:
    root = page(f"{server.url}/scenarios")
    assert not list(root.iter("pre"))
    boxes = [i for i in root.iter("input") if i.get("name") == "event"]
    assert "ceasefire-in-force" in [b.get("value") for b in boxes]
    labels = [label for label in root.iter("label") if label.find("input") is not None]
    assert len(labels) == len(list(root.iter("input")))  # every control labelled
    chosen = httpx.get(
        f"{server.url}/scenarios",
        params={
            "event": ["ceasefire-in-force", "armed-attack-by-russia"],
            "version": "paris-final",
        },
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == (
        "/id/scenario/paris-final/armed-attack-by-russia+ceasefire-in-force"
    )
    unknown = httpx.get(f"{server.url}/scenarios", params={"event": "meteor"})
    assert unknown.status_code == 422 and "ceasefire-in-force" in unknown.text


def test_a_scenario_iri_is_the_designed_page(server: RunningServer) -> None:
    root = page(f"{server.url}/id/scenario/paris-final/armed-attack-by-russia+ceasefire-in-force")
    assert not list(root.iter("pre"))
    checked = {i.get("value") for i in root.iter("input") if i.get("checked") is not None}
    assert {"armed-attack-by-russia", "ceasefire-in-force", "paris-final"} <= checked
    active = next(u for u in root.iter("ul") if u.get("id") == "active-list")
    active_iris = {li.get("data-iri") for li in active.findall("li")}
    assert ID + "component/4" in active_iris and ID + "system/paris-declaration" in active_iris
    first = active.find("li")
    assert first.find("p").text  # why
    assert any("#paris-final-" in h for h in hrefs(active))  # passages open the reading view
    mode = next(s for s in root.iter("span") if s.get("id") == "answer-mode")
    assert text(mode).startswith("strict")
    with_readings = page(
        f"{server.url}/id/scenario/paris-final/ceasefire-in-force?interpretations=all"
    )
    box = next(i for i in with_readings.iter("input") if i.get("name") == "interpretations")
    assert box.get("checked") is not None


# --- the codebook ------------------------------------------------------------------------


def test_the_codebook_csv_has_one_row_per_statement(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/download/codebook.csv", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    table = pd.read_csv(io.BytesIO(answer.content), dtype=str, keep_default_na=False)
    count = int(sparql(server, COUNT_STATEMENTS)[0]["n"]["value"])
    assert len(table) == count == table["statement"].nunique()
    assert tuple(table.columns) == NAMES
    assert set(table["reading"]) == {"strict"}
    assert set(table["kind"]) <= {
        "Commitment", "Readiness", "Capacity", "Recommendation", "Possibility",
        "Report", "Affirmation", "Provision", "Participation",
    }  # fmt: skip
    row = table.set_index("statement").loc[ID + "participation/us-proposed-lead-of-monitoring"]
    assert row["versions"] == "paris-press-release" and row["component"] == "1"
    assert row["wording"] == "proposed" and row["role"] == "leads"
    assert row["variant_of"] == ID + "participation/us-leads-monitoring"
    unresolved = table.set_index("statement").loc[ID + "commitment/deepen-defence-cooperation"]
    assert unresolved["party"] == "" and unresolved["sets_apart"] == "Ukraine"
    assert "Members of the Coalition of the Willing" in unresolved["interpreted_party"]
    both = table.set_index("statement").loc[ID + "commitment/establish-coordination-cell"]
    assert both["versions"] == "paris-press-release; paris-final"


def test_the_codebook_with_interpretations_adds_flagged_rows(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/download/codebook.csv", params={"interpretations": "all"})
    table = pd.read_csv(io.BytesIO(answer.content), dtype=str, keep_default_na=False)
    count = int(sparql(server, COUNT_STATEMENTS, interpretations="all")[0]["n"]["value"])
    assert len(table) == count
    interpreted = table[table["reading"] == "interpreted"]
    assert list(interpreted["statement"]) == [
        ID + "participation/coalition-members-participate-in-monitoring"
    ]
    assert httpx.get(f"{server.url}/download/codebook.csv?interpretations=x").status_code == 400


def test_the_codebook_spreadsheet_matches_the_csv(server: RunningServer) -> None:
    csv_table = pd.read_csv(
        io.BytesIO(httpx.get(f"{server.url}/download/codebook.csv").content),
        dtype=str,
        keep_default_na=False,
    )
    answer = httpx.get(f"{server.url}/download/codebook.xlsx")
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheets = pd.read_excel(io.BytesIO(answer.content), sheet_name=None, dtype=str)
    table = sheets["codebook"].fillna("")
    assert table.equals(csv_table)
    assert list(sheets["columns"]["column"]) == list(NAMES)
    assert httpx.get(f"{server.url}/download/codebook.ods").status_code == 404


def test_sgkg_export_codebook_writes_what_the_server_serves(
    server: RunningServer, sgkg, tmp_path: Path
) -> None:
    written = tmp_path / "codebook.csv"
    run = sgkg("--build-dir", server.build_dir, "export", "--codebook", "-o", written)
    assert run.code == 0, run.err
    assert written.read_bytes() == httpx.get(f"{server.url}/download/codebook.csv").content
    spreadsheet = tmp_path / "codebook.xlsx"
    run = sgkg("--build-dir", server.build_dir, "export", "--codebook", "xlsx", "-o", spreadsheet)
    assert run.code == 0 and len(pd.read_excel(spreadsheet)) == len(pd.read_csv(written))


def test_every_codebook_column_is_explained_on_the_page_and_in_the_readme(
    server: RunningServer,
) -> None:
    root = page(f"{server.url}/codebook")
    explained = {tr.get("id") for tr in root.iter("tr") if tr.get("id")}
    assert explained == {f"column-{c.name}" for c in COLUMNS}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c.name for c in COLUMNS if f"`{c.name}`" not in readme]
    assert not missing
    assert "/download/codebook.csv" in hrefs(root) and "/download/codebook.xlsx" in hrefs(root)
