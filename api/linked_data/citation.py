"""How to cite a passage: as text, as BibTeX and as CSL-JSON, each with its stable IRI.

A passage's IRI (``https://w3id.org/sgkg/id/passage/{slug}``) is what a citation points
at: it does not change between releases. The reading view of its version opens at the
passage with ``#{slug}`` (the permalink). The three forms are small enough that writing
them here is simpler than a bibliography library: BibTeX needs its special characters
escaped (:func:`bibtex_escape`), CSL-JSON is plain JSON (``json.dumps``).
"""

import json
import re
from dataclasses import dataclass

from api.analysis.reading import PassageInfo, VersionInfo
from api.core.site import local_path

#: The name the graph is cited under.
PUBLISHER = "Security Guarantee Knowledge Graph (sgkg)"

_DATE = re.compile(r"\d{4}(-\d{2}){0,2}")

#: BibTeX's special characters and what stands for each.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


@dataclass(frozen=True)
class Citation:
    permalink: str
    text: str
    bibtex: str
    csl_json: str


def cite_passage(passage: PassageInfo, version: VersionInfo, release: str | None) -> Citation:
    """The citation of ``passage`` in ``version``; ``release`` is the graph's version."""
    quote = " ".join((passage.quote or "").replace("*", "").split())
    where = f"{passage.place}, characters {passage.start} to {passage.end}"
    document = version.title or version.label or version.slug
    agreement = version.agreement.label if version.agreement else None
    in_graph = PUBLISHER + (f", release {release}" if release else "")
    text = (
        f"“{quote}” {document}"
        + (f" ({version.date})" if version.date else "")
        + f", {where}. {in_graph}. {passage.iri}"
    )
    fields = {
        "title": f"{document}: {passage.place}",
        "howpublished": in_graph,
        "note": f"{where}. “{quote}”",
        "url": passage.iri,
    }
    if agreement:
        fields["booktitle"] = agreement
    if version.date:
        fields["year"] = version.date[:4]
    if release:
        fields["version"] = release
    key = "sgkg:" + re.sub(r"[^A-Za-z0-9:-]", "-", passage.slug)
    bibtex = (
        f"@misc{{{key},\n"
        + ",\n".join(f"  {name} = {{{bibtex_escape(value)}}}" for name, value in fields.items())
        + "\n}"
    )
    csl = {
        "id": passage.slug,
        "type": "document",
        "title": f"{document}: {passage.place}",
        "container-title": agreement or document,
        "publisher": PUBLISHER,
        "URL": passage.iri,
        "note": f"{where}. “{quote}”",
    }
    if release:
        csl["version"] = release
    if version.date and _DATE.fullmatch(version.date):
        csl["issued"] = {"date-parts": [[int(part) for part in version.date.split("-")]]}
    anchor = local_path(version.iri) or version.iri
    return Citation(
        permalink=f"{anchor}#{passage.slug}",
        text=text,
        bibtex=bibtex,
        csl_json=json.dumps([csl], indent=2, ensure_ascii=False),
    )


def bibtex_escape(value: str) -> str:
    """``value`` with BibTeX's special characters escaped, so it reads back as written."""
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in value)
