"""The reading room's routes: the texts to read, side by side, and as a codebook.

- ``/read``: the agreements and their versions; each version's IRI
  (``/id/version/{slug}``) is its reading view (:func:`reading_page`, called by the
  linked-data route for browsers);
- ``/compare``: two versions side by side, aligned paragraph by paragraph, differences
  word by word, each linked to the statements behind it (:mod:`api.analysis.compare`);
- ``/codebook``: the codebook's columns explained, and the table;
  ``/download/codebook.csv`` and ``.xlsx``: the codebook as files (:mod:`api.analysis.codebook`).

Everything is read from the served graph's reading room (:class:`api.analysis.reading.ReadingRoom`),
in a worker thread: the first request of a view runs a few queries, the next ones are
template renders.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.analysis.codebook import COLUMNS, FORMATS, codebook_rows
from api.analysis.compare import Comparison, compare
from api.analysis.reading import ReadingView, VersionInfo, siblings_of
from api.core.site import CODEBOOK_PATH, COMPARE_PATH, DOWNLOAD_PATH, ID_PATH, READ_PATH, local_path
from api.html.pages import PAGE_FORMATS, html_response
from api.html.templating import render
from api.server.http_errors import error_responses, plain_error
from api.server.served_graph import ServedGraph
from api.server.state import LoadedGraph

router = APIRouter(tags=["reading room"])

_HTML = {200: {"description": "the page", "content": {"text/html": {}}}}


def compare_href(left: VersionInfo, right: VersionInfo) -> str:
    return f"{COMPARE_PATH}?left={left.slug}&right={right.slug}"


async def reading_page(graph: ServedGraph, iri: str, path: str) -> Response:
    """The reading view of the version ``iri`` (served at ``/id/{path}``)."""
    view: ReadingView = await run_in_threadpool(graph.reading.view, iri)
    grounding = {g.passage.iri for block in view.blocks for g in block.groundings if g.statements}
    siblings = view.siblings
    html = render(
        "read.html",
        view=view,
        grounding=grounding,
        compare_href=compare_href(siblings[0], siblings[-1]) if len(siblings) > 1 else "",
        version_path=f"{ID_PATH}/{path}",
        formats=PAGE_FORMATS,
        version=graph.version,
        current=READ_PATH,
    )
    return html_response(html, headers={"Vary": "Accept"})


@router.get(
    READ_PATH, summary="The texts to read: each agreement and its versions", responses=_HTML
)
async def read_index(graph: LoadedGraph) -> Response:
    versions = await run_in_threadpool(graph.reading.versions)
    agreements: dict[str, dict] = {}
    for info in versions.values():
        key = info.agreement.iri if info.agreement else info.iri
        entry = agreements.setdefault(
            key,
            {
                "iri": key,
                "label": info.agreement.label if info.agreement else info.label,
                "versions": [],
            },
        )
        entry["versions"].append(info)
    for entry in agreements.values():
        first, last = entry["versions"][0], entry["versions"][-1]
        entry["compare_href"] = compare_href(first, last)
    html = render(
        "read_index.html",
        agreements=list(agreements.values()),
        version=graph.version,
        current=READ_PATH,
    )
    return html_response(html)


@router.get(
    COMPARE_PATH,
    summary="Two versions side by side, differences word by word",
    description="`left` and `right` name two text versions (the last segment of their "
    "IRI); by default the two versions of the first agreement that has two, in reading "
    "order. Each difference links to the statements in one version only or worded "
    "differently in the other (sg:variantOf).",
    response_class=Response,
    responses={**_HTML, **error_responses(404, 503)},
)
async def compare_page(
    graph: LoadedGraph,
    left: Annotated[str | None, Query(description="a text version (slug)")] = None,
    right: Annotated[str | None, Query(description="a text version (slug)")] = None,
) -> Response:
    versions = await run_in_threadpool(graph.reading.versions)
    by_slug = {info.slug: info for info in versions.values()}
    chosen = _chosen_pair(versions, by_slug, left, right)
    if isinstance(chosen, str):
        return plain_error(404, chosen)
    left_info, right_info = chosen

    def make() -> Comparison:
        room = graph.reading
        left_view, right_view = room.view(left_info.iri), room.view(right_info.iri)
        statements = room.statements([left_info.iri, right_info.iri])
        return compare(room.store, left_view, right_view, statements)

    comparison = await run_in_threadpool(
        graph.reading.cached, ("compare", left_info.iri, right_info.iri), make
    )
    html = render(
        "compare.html",
        comparison=comparison,
        versions=list(versions.values()),
        left_href=local_path(left_info.iri) or left_info.iri,
        right_href=local_path(right_info.iri) or right_info.iri,
        swap_href=compare_href(right_info, left_info),
        version=graph.version,
        current=COMPARE_PATH,
    )
    return html_response(html)


def _chosen_pair(
    versions: dict[str, VersionInfo],
    by_slug: dict[str, VersionInfo],
    left: str | None,
    right: str | None,
) -> tuple[VersionInfo, VersionInfo] | str:
    """The two versions to compare, or why there are none."""
    unknown = [name for name in (left, right) if name is not None and name not in by_slug]
    if unknown:
        return (
            f"no text version {', '.join(map(repr, unknown))}; "
            f"the versions are {', '.join(sorted(by_slug))}"
        )
    if left is not None and right is not None:
        return by_slug[left], by_slug[right]
    named = left or right
    if named is not None:
        anchor = by_slug[named]
    else:
        anchor = next((v for v in versions.values() if len(siblings_of(versions, v)) > 1), None)
        if anchor is None:
            return "the graph holds no agreement with two versions to compare"
    siblings = siblings_of(versions, anchor)
    others = [v for v in siblings if v.iri != anchor.iri]
    if not others:
        return f"{anchor.slug} is the only version of its agreement: there is nothing to compare"
    if left is not None:
        return anchor, others[-1]
    if right is not None:
        return others[0], anchor
    return siblings[0], siblings[-1]


@router.get(
    CODEBOOK_PATH,
    summary="The codebook: one row per statement, its columns explained",
    response_class=Response,
    responses=_HTML,
)
async def codebook_page(graph: LoadedGraph) -> Response:
    rows = await run_in_threadpool(_rows, graph, False)
    html = render(
        "codebook.html",
        columns=COLUMNS,
        rows=rows,
        download_path=DOWNLOAD_PATH,
        version=graph.version,
        current=CODEBOOK_PATH,
    )
    return html_response(html)


@router.get(
    DOWNLOAD_PATH + "/codebook.{extension}",
    summary="The codebook as a file: codebook.csv or codebook.xlsx",
    description="One row per statement (sg:Statement) of the strict graph; with "
    "`interpretations=all`, the statements only interpretations make follow, flagged "
    "'interpreted' in the `reading` column. The columns are explained at /codebook.",
    response_class=Response,
    responses={
        200: {
            "description": "the codebook",
            "content": {media_type: {} for media_type, _ in FORMATS.values()},
        },
        **error_responses(400, 404, 503),
    },
)
async def codebook_download(
    extension: str,
    graph: LoadedGraph,
    interpretations: Annotated[
        str | None, Query(description="'all': add the statements only interpretations make")
    ] = None,
) -> Response:
    if extension not in FORMATS:
        return plain_error(404, f"no codebook.{extension}; there are codebook.csv, codebook.xlsx")
    if interpretations not in (None, "none", "all"):
        return plain_error(400, "interpretations= takes 'all' or 'none'")
    interpreted = interpretations == "all"
    media_type, write = FORMATS[extension]

    def make() -> bytes:
        return write(_rows(graph, interpreted))

    body = await run_in_threadpool(graph.reading.cached, ("codebook", extension, interpreted), make)
    name = "codebook-interpreted" if interpreted else "codebook"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


def _rows(graph: ServedGraph, interpreted: bool) -> list[dict[str, str]]:
    return graph.reading.cached(
        ("codebook-rows", interpreted),
        lambda: codebook_rows(graph.reading, interpreted=interpreted),
    )
