"""Turtle text written directly, subject by subject (no rdflib: 10k agreements in
seconds), with the prefixes every generated file may use."""

from collections.abc import Sequence
from datetime import date

from api.core.namespaces import ID

#: The prefixes every generated Turtle file declares (all of them, so files stay uniform).
PREFIXES: dict[str, str] = {
    "sg": "https://w3id.org/sgkg/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "wd": "http://www.wikidata.org/entity/",
    **{
        kind: f"{ID}{kind}/"
        for kind in (
            "agreement",
            "version",
            "passage",
            "party",
            "place",
            "meeting",
            "instant",
            "system",
            "component",
            "mechanism",
            "commitment",
            "readiness",
            "recommendation",
            "possibility",
            "provision",
            "participation",
            "affirmation",
            "enumeration",
            "condition",
            "coding",
            "agent",
            "wording",
            "role",
            "measure",
            "function",
            "aim",
            "closure",
            "domain",
        )
    },
    "binding": f"{ID}bindingness/",
    "resolution": f"{ID}subject-resolution/",
    "dimension": f"{ID}coding-dimension/",
    "level": f"{ID}coding-level/",
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{_escape(text)}"'


def en(text: str) -> str:
    """An English literal."""
    return f'"{_escape(text)}"@en'


def integer(value: int) -> str:
    return f'"{value}"^^xsd:integer'


def xsd_date(value: date) -> str:
    return f'"{value.isoformat()}"^^xsd:date'


class Turtle:
    """Turtle text for one file, written subject by subject, counting its triples."""

    def __init__(self, comment: str) -> None:
        self.comment = comment
        self.blocks: list[str] = []
        self.used: set[str] = set()
        self.triples = 0

    def add(self, subject: str, *properties: tuple[str, str | Sequence[str] | None]) -> None:
        """``subject p1 o1 ; p2 o2a, o2b .``; properties with no object are left out."""
        parts = []
        self._note(subject)
        for predicate, objects in properties:
            values = [objects] if isinstance(objects, str) else list(objects or ())
            if values:
                self._note(predicate)
                for value in values:
                    self._note(value)
                parts.append(f"    {predicate} {', '.join(values)}")
                self.triples += len(values)
        self.blocks.append(subject + "\n" + " ;\n".join(parts) + " .\n")

    def _note(self, term: str) -> None:
        """Remember the prefix of a prefixed name (or of a literal's datatype)."""
        if term.startswith('"'):
            _, _, term = term.rpartition("^^")
        if term and term[0] not in '<"' and term != "a":
            self.used.add(term.split(":", 1)[0])

    def text(self) -> str:
        """The file: a comment, the prefixes it uses (in a fixed order), the subjects."""
        lines = [f"# {self.comment}", ""]
        lines.extend(f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items() if p in self.used)
        return "\n".join([*lines, "", *self.blocks])
