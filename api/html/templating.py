"""The server's HTML: Jinja2 templates in ``api/html/templates/``, one shared layout.

Every page extends ``base.html`` (navigation, the stylesheet, a footer) and is rendered
with autoescaping on, so text from the graph can never become markup. A page written as
a file into a folder (the ontology documentation of ``sgkg docs``) extends it through
``standalone.html``: the stylesheet inline, no script, no site navigation. The helpers the
templates need are registered here once: ``href`` (the local path of an sgkg IRI, so a
person browses the server they are on), ``compact`` (``sg:Commitment`` for an IRI),
and the navigation bar.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.core.namespaces import compact
from api.core.site import (
    CODEBOOK_PATH,
    COMPARE_PATH,
    DOWNLOAD_PATH,
    ID_PATH,
    ONTOLOGY_PATH,
    READ_PATH,
    SCENARIOS_PATH,
    SHAPES_PATH,
    SPARQL_PATH,
    STATIC_PATH,
    VOID_PATH,
    local_path,
)

#: The navigation bar: (path, text). The reading room first, then the data's doors.
NAV: tuple[tuple[str, str], ...] = (
    (READ_PATH, "Read"),
    (COMPARE_PATH, "Compare"),
    (SCENARIOS_PATH, "Scenarios"),
    (CODEBOOK_PATH, "Codebook"),
    ("/", "Query"),
    (ID_PATH + "/", "Browse"),
    (ONTOLOGY_PATH, "Ontology"),
    (SHAPES_PATH, "Shapes"),
    (DOWNLOAD_PATH + "/", "Download"),
    (VOID_PATH, "VoID"),
    ("/docs", "API"),
)


def href(iri: str) -> str:
    """Where a link to ``iri`` points: its local path when this server serves it."""
    return local_path(iri) or iri


def label_or_compact(iri: str, labels: Mapping[str, str] | None = None) -> str:
    """A name for ``iri``: its label when known, else its compact form."""
    return (labels or {}).get(iri) or compact(iri)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment (built once): autoescaping on for every template."""
    env = Environment(
        loader=PackageLoader("api.html", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = href
    env.filters["compact"] = compact
    env.filters["name"] = label_or_compact
    env.globals.update(
        nav=NAV,
        sparql_path=SPARQL_PATH,
        static_path=STATIC_PATH,
        id_path=ID_PATH,
    )
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a file in ``api/html/templates/``) with ``context``."""
    return environment().get_template(template).render(**context)
