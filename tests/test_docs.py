"""The ontology documentation: a valid page that documents every term, as ``sgkg docs``
writes it (self-contained) and as the server shows it (in the site's layout).

The page is parsed with html5lib in strict mode (any HTML5 parse error fails), then
checked against the ontology graph itself: every term has its anchor, every internal
link (HTML and SVG) lands on an id, the axioms read as the ontology states them, and the
concept schemes nest as skos:broader says. Graphviz is the real one.
"""

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from api.core.layout import discover_layout
from api.core.namespaces import SG
from api.html.diagram import class_diagram
from api.html.docs import ontology_html, ontology_page, stylesheet, term_anchors
from api.load.dataset import load_ontology

from conftest import MINI, REPO

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
BUILTIN = (str(OWL), str(RDF), str(RDFS), "http://www.w3.org/2001/XMLSchema#")
TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    SKOS.ConceptScheme,
    SKOS.Concept,
    OWL.Ontology,
)


def parse_strict(page: str) -> ET.Element:
    """The page as an element tree; any HTML5 parse error raises."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_id(tree: ET.Element) -> dict[str, ET.Element]:
    return {element.get("id"): element for element in tree.iter() if element.get("id")}


def field(tree: ET.Element, anchor: str, name: str) -> str:
    """The text of the ``<dd>`` after ``<dt>name</dt>`` in the entry ``#anchor``."""
    entry = by_id(tree)[anchor]
    items = list(entry.find("dl"))
    for dt, dd in zip(items[::2], items[1::2], strict=True):
        if text_of(dt) == name:
            return text_of(dd)
    raise AssertionError(f"#{anchor} has no {name!r}")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(discover_layout(REPO))


@pytest.fixture(scope="module")
def page(ontology: Graph) -> str:
    return ontology_html(ontology)


@pytest.fixture(scope="module")
def tree(page: str) -> ET.Element:
    return parse_strict(page)


def expected_terms(graph: Graph) -> set[URIRef]:
    """The terms the page must document, found independently of the renderer."""
    return {
        term
        for kind in TERM_TYPES
        for term in graph.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and not str(term).startswith(BUILTIN)
    }


# --- a valid, accessible, self-contained page ------------------------------------------


def test_page_is_valid_html5_with_language_title_and_heading_order(
    tree: ET.Element, ontology: Graph
) -> None:
    assert tree.tag == "html" and tree.get("lang") == "en"
    title = str(ontology.value(URIRef("https://w3id.org/sgkg/ontology"), DCTERMS.title))
    assert text_of(tree.find("head/title")) == f"{title} · sgkg"
    assert tree.find("head/meta").get("charset") == "utf-8"
    headings = [int(e.tag[1]) for e in tree.iter() if re.fullmatch(r"h[1-6]", str(e.tag))]
    assert headings.count(1) == 1 and headings[0] == 1
    skips = [(a, b) for a, b in itertools.pairwise(headings) if b > a + 1]
    assert skips == []


def test_page_loads_nothing_and_runs_nothing(tree: ET.Element, page: str) -> None:
    tags = {str(element.tag) for element in tree.iter()}
    assert not tags & {"script", "link", "iframe", "img", "object", "embed"}
    assert not [e for e in tree.iter() if e.get("src") or e.get("srcset")]
    style = "".join(text_of(e) for e in tree.iter("style"))
    assert "@import" not in style and "url(" not in style
    assert " ".join(stylesheet().split()) in style  # the stylesheet every page shares
    external = [e.get("href") for e in tree.iter("a") if not e.get("href", "#").startswith("#")]
    assert external and all(href.startswith(("http://", "https://")) for href in external)


def test_every_term_has_an_anchor_holding_its_iri(tree: ET.Element, ontology: Graph) -> None:
    anchors = term_anchors(ontology)
    ids = by_id(tree)
    terms = expected_terms(ontology)
    assert len(terms) > 200
    missing = sorted(str(t) for t in terms if t not in anchors or anchors[t] not in ids)
    assert missing == []
    for term in terms:
        assert str(term) in text_of(ids[anchors[term]]), term


def test_own_terms_are_anchored_by_local_name(ontology: Graph) -> None:
    """So that /ontology#Party opens sg:Party."""
    anchors = term_anchors(ontology)
    own = [t for t in expected_terms(ontology) if str(t).startswith(str(SG))]
    assert own and all(anchors[t] == t[len(str(SG)) :] for t in own)
    assert anchors[URIRef("http://www.w3.org/ns/prov#Entity")] == "prov:Entity"
    assert anchors[URIRef("https://w3id.org/sgkg/id/wording/will")] == "wording/will"


def test_every_internal_link_resolves_and_ids_are_unique(tree: ET.Element) -> None:
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    links = [e.get("href") for e in tree.iter("a")] + [
        e.get(XLINK_HREF) for e in tree.iter(f"{SVG}a")
    ]
    internal = [link[1:] for link in links if link and link.startswith("#")]
    assert len(internal) > 1000
    assert sorted(set(internal) - set(ids)) == []


def test_contents_lists_every_section(tree: ET.Element) -> None:
    nav = tree.find(".//nav[@aria-labelledby='toc-title']")
    targets = [a.get("href")[1:] for a in nav.iter("a")]
    sections = [s.get("id") for s in tree.iter("section")]
    assert targets == sections
    assert {"sec-classes", "sec-object-properties", "sec-concept-schemes", "sec-external"} <= set(
        targets
    )


# --- the diagram ---------------------------------------------------------------------


def test_diagram_shows_every_main_class_and_links_to_it(tree: ET.Element, ontology: Graph) -> None:
    figure = by_id(tree)["sec-diagram"].find("figure")
    svg = figure.find(f"{SVG}svg")
    assert svg is not None and svg.get("role") == "img" and svg.get("viewBox")
    assert svg.get("aria-describedby") in by_id(tree)
    assert svg.get("aria-labelledby") in by_id(tree)
    anchors = term_anchors(ontology)
    linked = {a.get(XLINK_HREF) for a in svg.iter(f"{SVG}a")}
    diagram = class_diagram(ontology, str(SG))
    assert len(diagram.classes) >= 20
    assert {"#" + anchors[c] for c in diagram.classes} <= linked
    # arrows are the properties, and of an inverse pair only the one stating owl:inverseOf
    assert {"#committedBy", "#partOf", "#activatedBy", "#hasEvidence"} <= linked
    assert "#hasPart" not in linked and "#isEvidenceFor" not in linked


def test_without_graphviz_the_page_says_so_and_stays_valid(
    ontology: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    page = ontology_html(ontology)
    tree = parse_strict(page)
    notice = by_id(tree)["sec-diagram"].find("p")
    assert "Graphviz is not installed" in text_of(notice)
    assert "<svg" not in page


# --- what the entries say --------------------------------------------------------------


def test_class_entries_give_axioms_in_readable_form(tree: ET.Element) -> None:
    assert field(tree, "ConditionalCommitment", "Equivalent to") == (
        "Commitment and (activated by some Condition)"
    )
    assert field(tree, "LedElement", "Equivalent to") == (
        "Guarantee element and (has participation some (role value leads))"
    )
    assert field(tree, "Commitment", "Subclass of") == "Statement"
    assert "Conditional commitment" in field(tree, "Commitment", "Subclasses")
    assert field(tree, "Commitment", "Disjoint with") == (
        "Affirmation, Capacity, Participation, Possibility, Provision, Readiness, "
        "Recommendation, Report"
    )
    assert "committed by" in field(tree, "Party", "In the range of")
    assert "participant" in field(tree, "Party", "In the range of")
    assert "The work level of the FRBR distinction" in field(tree, "Agreement", "Scope note")
    assert "Council of the EU press release" in field(tree, "TextVersion", "Example")
    assert "leads" in field(tree, "ParticipationRole", "Members")


def test_property_entries_give_domain_range_characteristics_inverse_and_chain(
    tree: ET.Element,
) -> None:
    assert field(tree, "involves", "Domain") == "Guarantee element or Statement"
    assert field(tree, "involves", "Range") == "Party"
    assert field(tree, "involves", "Property chain") == (
        "has participation \u2218 participant \u2291 involves"
    )
    assert field(tree, "role", "Characteristics") == "functional"
    assert field(tree, "participationIn", "Inverse of") == "has participation"
    assert field(tree, "hasParticipation", "Inverse of") == "participation in"
    assert field(tree, "partOf", "Characteristics") == "transitive"
    assert field(tree, "correspondsTo", "Characteristics") == "symmetric"
    assert field(tree, "quote", "Range") == "xsd:string"
    assert field(tree, "quote", "Characteristics") == "functional"
    assert "0 for the lowest" in field(tree, "rank", "Definition")


def test_metadata_gives_the_header_of_each_module(tree: ET.Element) -> None:
    assert field(tree, "module-ontology", "Version IRI") == "https://w3id.org/sgkg/ontology/0.2.0"
    assert field(tree, "module-ontology", "Licence") == (
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert field(tree, "module-ontology", "Preferred prefix") == "sg"
    assert field(tree, "module-ontology", "Preferred namespace") == (
        "https://w3id.org/sgkg/ontology#"
    )
    assert "sgkg editors (2026)" in field(tree, "module-ontology", "Cite as")
    assert field(tree, "module-ontology", "Imports") == (
        "Security Guarantee Knowledge Graph controlled vocabularies"
    )
    assert field(tree, "module-vocabularies", "Preferred prefix") == "sgv"


def test_the_page_explains_strict_and_interpreted_answers(tree: ET.Element) -> None:
    """The header says how answers are read, and the interpretation layer's terms,
    including those a scenario's results rest on, are documented."""
    header = text_of(by_id(tree)["module-ontology"])
    assert "Answers are strict by default" in header
    assert "the interpretations parameter of the SPARQL endpoint" in header
    assert field(tree, "Interpretation", "Definition").startswith("An attributed reading")
    assert field(tree, "restsOnInterpretation", "Range") == "Interpretation"
    assert field(tree, "restsOnInterpretation", "Domain") == "Activation result or Scenario"
    assert field(tree, "includesInterpretation", "Domain") == "Scenario"
    assert "answers that rest on them say so" in field(tree, "Interpretation", "Scope note")


def test_concept_schemes_list_their_concepts_as_a_broader_tree(
    tree: ET.Element, ontology: Graph
) -> None:
    ids = by_id(tree)
    anchors = term_anchors(ontology)
    parent_of = {child: parent for parent in tree.iter() for child in parent}

    def enclosing_concept(anchor: str) -> str | None:
        """The concept whose list item holds the list item of ``#anchor``."""
        item = parent_of[ids[anchor]]  # the <li> of the concept
        outer = parent_of[parent_of[item]]  # <li> of the parent, or the scheme article
        div = outer.find("div") if outer.tag == "li" else None
        return div.get("id") if div is not None else None

    for scheme in ontology.subjects(RDF.type, SKOS.ConceptScheme):
        members = set(ontology.subjects(SKOS.inScheme, scheme))
        shown = ids[anchors[scheme]].findall(".//div[@class='concept']")
        assert {d.get("id") for d in shown} == {anchors[m] for m in members}, scheme
        for concept in members:
            broader = ontology.value(concept, SKOS.broader)
            expected = anchors[broader] if broader is not None else None
            assert enclosing_concept(anchors[concept]) == expected, concept
    assert field(tree, "measure/training", "Broader") == "defence cooperation"


def test_ordinal_scales_are_listed_in_rank_order(tree: ET.Element) -> None:
    scheme = by_id(tree)["scheme/coding-levels"]
    names = [d.get("id") for d in scheme.findall(".//div[@class='concept']")]
    assert names == [f"coding-level/{n}" for n in ("none", "low", "moderate", "high")]


def test_reused_terms_have_their_own_section(tree: ET.Element) -> None:
    external = by_id(tree)["sec-external"]
    inside = {e.get("id") for e in external.iter() if e.get("id")}
    assert {"prov:Entity", "org:Organization", "skos:definition", "dcterms:title"} <= inside
    assert "Party" not in inside
    assert "Agreement" in field(tree, "prov:Entity", "Subclasses")
    assert field(tree, "prov:Entity", "Defined by") == "http://www.w3.org/ns/prov-o#"


def test_namespaces_table_lists_the_prefixes_the_page_uses(tree: ET.Element) -> None:
    table = by_id(tree)["sec-namespaces"].find("table")
    rows = {text_of(row[0]): text_of(row[1]) for row in table.find("tbody")}
    assert rows["sg"] == str(SG)
    assert {"sgid", "prov", "org", "skos", "dcterms", "xsd"} <= set(rows)
    assert "wording" not in rows  # bound in the vocabularies file, but sgid: is used


# --- safety and robustness -------------------------------------------------------------


def test_text_and_iris_from_the_graph_are_escaped() -> None:
    graph = Graph()
    nasty = URIRef("https://w3id.org/sgkg/ontology#Nasty")
    graph.add((URIRef("https://w3id.org/sgkg/ontology"), RDF.type, OWL.Ontology))
    graph.add((nasty, RDF.type, OWL.Class))
    graph.add((nasty, RDFS.label, Literal('<script>alert("x")</script>', lang="en")))
    graph.add((nasty, SKOS.definition, Literal("a & b <img src=x onerror=alert(1)>")))
    graph.add((nasty, RDFS.seeAlso, URIRef("javascript:alert(1)")))
    for page in (ontology_html(graph), ontology_page(graph)):
        tree = parse_strict(page)
        assert not [e for e in tree.iter("script") if not e.get("src")]  # the layout's own
        assert not list(tree.iter("img"))
        assert not [a for a in tree.iter("a") if a.get("href", "").startswith("javascript:")]
        assert '<script>alert("x")</script>' in text_of(by_id(tree)["Nasty"])
        assert "javascript:alert(1)" in text_of(by_id(tree)["Nasty"])


def test_page_does_not_depend_on_the_prefixes_bound_on_the_graph(
    ontology: Graph, page: str
) -> None:
    """The server renders the built dataset's ontology graph, which binds every data
    file's prefixes; ``sgkg docs`` renders the ontology files. Same page."""
    rebound = Graph()
    for triple in ontology:
        rebound.add(triple)
    rebound.bind("agent", "https://w3id.org/sgkg/id/agent/")
    rebound.bind("w", "https://w3id.org/sgkg/id/wording/")
    assert ontology_html(rebound) == page


def test_a_small_ontology_renders_too() -> None:
    graph = load_ontology(discover_layout(MINI))
    tree = parse_strict(ontology_html(graph))
    anchors = term_anchors(graph)
    ids = by_id(tree)
    assert all(anchors[t] in ids for t in expected_terms(graph))


# --- the server's page -------------------------------------------------------------------


def test_server_page_is_the_same_documentation_in_the_site_layout(
    ontology: Graph, tree: ET.Element
) -> None:
    served = parse_strict(ontology_page(ontology, version="1.2.3"))
    assert by_id(served).keys() == by_id(tree).keys()
    assert served.find(".//nav[@aria-label='Site']") is not None
    assert [link.get("href") for link in served.iter("link")] == ["/static/sgkg.css"]
    assert "1.2.3" in text_of(served.find(".//footer"))
    for anchor, name in (("ConditionalCommitment", "Equivalent to"), ("involves", "Domain")):
        assert field(served, anchor, name) == field(tree, anchor, name)


def test_server_page_links_sgkg_iris_to_this_server(ontology: Graph, tree: ET.Element) -> None:
    """Links to sgkg IRIs go to the same paths on the server, and each instance IRI shown
    links to its page; the written page keeps the IRIs as they are."""
    served = parse_strict(ontology_page(ontology))
    hrefs = [a.get("href") for a in served.iter("a")]
    assert not [href for href in hrefs if href.startswith("https://w3id.org/sgkg/")]
    assert "/ontology/0.2.0" in hrefs  # the version IRI
    iri_row = by_id(served)["wording/will"].find("dl/dd")
    assert iri_row.find("a").get("href") == "/id/wording/will"
    assert text_of(iri_row) == "https://w3id.org/sgkg/id/wording/will"
    assert by_id(tree)["wording/will"].find("dl/dd").find("a") is None
    assert "https://w3id.org/sgkg/ontology/0.2.0" in [a.get("href") for a in tree.iter("a")]


# --- the command ---------------------------------------------------------------------


def test_docs_command_writes_the_page_and_the_diagram(
    sgkg, tmp_path: Path, ontology: Graph, page: str
) -> None:
    result = sgkg("--build-dir", tmp_path / "build", "docs")
    assert result.code == 0, result.err
    folder = tmp_path / "build" / "docs"
    assert (folder / "index.html").read_text(encoding="utf-8") == page
    svg = ET.parse(folder / "classes.svg").getroot()
    assert svg.tag == f"{SVG}svg"
    assert "index.html#Party" in {a.get(XLINK_HREF) for a in svg.iter(f"{SVG}a")}
    assert str(folder / "index.html") in result.err


def test_docs_command_out_folder(sgkg, tmp_path: Path) -> None:
    result = sgkg("--root", MINI, "docs", "--out", tmp_path / "site")
    assert result.code == 0, result.err
    assert (tmp_path / "site" / "index.html").is_file()


def test_docs_command_names_the_broken_file(sgkg, mini_tree: Path, tmp_path: Path) -> None:
    module = mini_tree / "ontology" / "sgkg.ttl"
    module.write_text(module.read_text() + "\nsg:Broken a owl:Class ;\n  rdfs:label .\n")
    result = sgkg("--root", mini_tree, "docs", "--out", tmp_path / "site")
    assert result.code == 2
    assert re.search(r"sgkg docs: ontology/sgkg\.ttl:\d+:\d+: bad syntax", result.err)
    assert not (tmp_path / "site" / "index.html").exists()
