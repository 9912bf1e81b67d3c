"""IRI references resolved against a base IRI (RFC 3986, section 5.2), as a query's
BASE declaration asks for its relative IRIs."""

import re


def resolve_iri(base: str, reference: str) -> str:
    """``reference`` resolved against the absolute IRI ``base`` (RFC 3986, section 5.2)."""
    scheme, authority, path, query, fragment = _split(reference)
    if scheme is not None:
        return _join(scheme, authority, _remove_dots(path), query, fragment)
    b_scheme, b_authority, b_path, b_query, _ = _split(base)
    if authority is not None:
        path = _remove_dots(path)
    elif path == "":
        authority, path = b_authority, b_path
        query = query if query is not None else b_query
    else:
        authority = b_authority
        if not path.startswith("/"):
            if b_authority is not None and b_path == "":
                path = "/" + path
            else:
                path = b_path[: b_path.rfind("/") + 1] + path
        path = _remove_dots(path)
    return _join(b_scheme, authority, path, query, fragment)


_IRI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)


def _split(iri: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    match = _IRI_PARTS.match(iri)
    assert match is not None  # every string matches
    scheme, authority, path, query, fragment = match.groups()
    return scheme, authority, path, query, fragment


def _join(
    scheme: str | None, authority: str | None, path: str, query: str | None, fragment: str | None
) -> str:
    text = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        text += "//" + authority
    text += path
    if query is not None:
        text += "?" + query
    if fragment is not None:
        text += "#" + fragment
    return text


def _remove_dots(path: str) -> str:
    """RFC 3986, section 5.2.4."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            cut = path.find("/", start)
            cut = len(path) if cut == -1 else cut
            output.append(path[:cut])
            path = path[cut:]
    return "".join(output)
