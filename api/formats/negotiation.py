"""Content negotiation: which format to answer in, from Accept and from ``format``.

The rules (RFC 9110, section 12.5.1): each media range in Accept has a quality ``q``
(default 1); a format's quality is that of the most specific range that matches it;
``q=0`` refuses a format. The highest quality wins; on a tie the server's order decides
(formats are listed in the order the server prefers them). A missing or empty Accept
means ``*/*``.

The ``format`` and ``output`` parameters of the SPARQL endpoint (and the file
extensions of linked-data URLs) override Accept, because browsers and some clients
cannot set headers. A value that names no format of the result's kind is refused with
406 rather than quietly ignored, so a typo is seen.

The Accept parsing is written here, not taken from python-mimeparse (2.0), which
differs where it matters: it gives a malformed or out-of-range quality (``q=abc``,
``q=-1``) the full quality 1, compares media types case-sensitively, raises on a
malformed entry instead of skipping it, and breaks ties by the last of the server's
formats. Working around those would leave most of the parser below in place.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.requests import Request

from api.core.errors import SgkgError
from api.formats.wire_formats import WireFormat

HTML = "text/html"
#: The suffix that asks a linked-data URL for its page (``/id/component/3.html``).
HTML_SUFFIX = ".html"
XHTML = "application/xhtml+xml"


class NotAcceptable(SgkgError):
    """None of the formats the client accepts can be produced (HTTP 406)."""

    def __init__(self, asked: str, supported: Sequence[WireFormat], *, extra: Sequence[str] = ()):
        self.asked = asked
        self.supported = tuple(supported)
        names = [f"{fmt.media_type} (format={fmt.name})" for fmt in supported]
        names.extend(extra)
        super().__init__(
            f"cannot answer in any format asked for ({asked}). Supported here: {', '.join(names)}"
        )


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header, e.g. ``text/*;q=0.5``."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """2 for an exact match, 1 for ``type/*``, 0 for ``*/*``, None if no match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


ANYTHING = (MediaRange("*", "*", 1.0),)


def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The media ranges of an Accept header; malformed entries are skipped."""
    if header is None or not header.strip():
        return ANYTHING
    ranges = []
    for entry in header.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # a malformed quality asks for nothing
        ranges.append(MediaRange(kind, sub, q))
    return tuple(ranges) if ranges else ANYTHING


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type`` (0 when it does not accept it)."""
    match = _best_match(ranges, media_type)
    return match[1] if match is not None else 0.0


def format_quality(ranges: Sequence[MediaRange], fmt: WireFormat) -> float:
    """The quality of a format known by several media types: the most specific range
    naming any of them decides, so refusing the main type refuses the format."""
    matches = [m for t in fmt.media_types if (m := _best_match(ranges, t)) is not None]
    return max(matches)[1] if matches else 0.0


def _best_match(ranges: Sequence[MediaRange], media_type: str) -> tuple[int, float] | None:
    """(specificity, quality) of the most specific range matching ``media_type``."""
    best: tuple[int, float] | None = None
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity is not None and (best is None or specificity > best[0]):
            best = (specificity, media_range.q)
    return best


def choose_format(
    formats: Sequence[WireFormat], accept: str | None, format_names: Sequence[str] = ()
) -> WireFormat:
    """The format to answer in. Raises :class:`NotAcceptable` if there is none.

    ``format_names`` are the values of ``format`` / ``output`` parameters, first
    understood value wins (SPARQLWrapper sends a short name and a media type).
    """
    if format_names:
        for value in format_names:
            for fmt in formats:
                if fmt.is_named(value):
                    return fmt
        raise NotAcceptable(f"format={', '.join(format_names)}", formats)
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for fmt in formats:
        q = format_quality(ranges, fmt)
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable(f"Accept: {accept}", formats)
    return best


def accepts_any(formats: Sequence[WireFormat], accept: str | None) -> bool:
    """Whether Accept allows at least one of ``formats`` (checked before running a query)."""
    ranges = parse_accept(accept)
    return any(format_quality(ranges, fmt) > 0 for fmt in formats)


def wants_html(accept: str | None, formats: Sequence[WireFormat]) -> bool:
    """Whether a page is preferred to every RDF format: browsers ask for HTML by name.

    On a tie (``*/*``, or no Accept at all) data wins: a client that names no format is
    more likely a script than a person.
    """
    ranges = parse_accept(accept)
    html_q = max(quality(ranges, HTML), quality(ranges, XHTML))
    if html_q == 0:
        return False
    return all(html_q > format_quality(ranges, fmt) for fmt in formats)


# --- linked-data URLs: a suffix, the format parameters, or Accept --------------------


def split_suffix(path: str, formats: Sequence[WireFormat]) -> tuple[str, str | None]:
    """``component/3.ttl`` -> (``component/3``, ``ttl``); ``.html`` -> ``html``."""
    if path.endswith(HTML_SUFFIX):
        return path[: -len(HTML_SUFFIX)], "html"
    for fmt in formats:
        if path.endswith(fmt.extension):
            return path[: -len(fmt.extension)], fmt.name
    return path, None


def negotiated_format(
    request: Request, formats: Sequence[WireFormat], suffix: str | None
) -> WireFormat | None:
    """The RDF format a linked-data URL answers in, or None for its HTML page: the
    suffix, else the ``format`` / ``output`` parameters, else Accept (browsers get the
    page). Raises :class:`NotAcceptable`."""
    params = request.query_params
    names = (suffix,) if suffix else tuple(params.getlist("format") + params.getlist("output"))
    if "html" in names:
        return None
    accept = request.headers.get("accept")
    if not names and wants_html(accept, formats):
        return None
    return choose_format(formats, accept, names)
