"""Reading ``application/x-www-form-urlencoded`` data: a URL's query string, a form body.

The SPARQL Protocol carries the query in this encoding (``GET /sparql?query=...`` and
URL-encoded POST), and a query is mostly escapes: every space, brace, angle bracket,
colon and newline is a ``%XX``. The standard library decodes an escape at a time in
Python (``urllib.parse.unquote``), about a tenth of a millisecond for a query of a few
kilobytes, as long as the rest of a small query's answer takes. So this module decodes
in C: ``%XX`` is the escape of quoted-printable with ``%`` in place of ``=``, and
:func:`binascii.a2b_qp` decodes it. Text it would read otherwise (a raw ``=``, a ``%``
not followed by two hex digits, a raw line break) goes to the standard library instead.
Either way the result is :func:`urllib.parse.parse_qs`'s with ``keep_blank_values``:
tests/test_form_encoding.py checks that on generated inputs.
"""

import binascii
import re
from urllib.parse import unquote_to_bytes

#: What only the standard library decodes as the WHATWG URL standard says: a ``%`` that
#: starts no escape, a raw ``=`` (quoted-printable's escape character), line breaks
#: (quoted-printable's soft line breaks).
_NOT_QUOTED_PRINTABLE = re.compile(rb"%(?![0-9A-Fa-f]{2})|[=\r\n]")


def percent_decode(data: bytes) -> str:
    """One name or value: ``+`` is a space, ``%XX`` a byte; UTF-8, with U+FFFD for
    bytes that are not (as the standard library does)."""
    data = data.replace(b"+", b" ")
    if b"%" not in data:
        decoded = data
    elif _NOT_QUOTED_PRINTABLE.search(data):
        decoded = unquote_to_bytes(data)
    else:
        decoded = binascii.a2b_qp(data.replace(b"%", b"="))
    return decoded.decode("utf-8", errors="replace")


def parse_form(data: bytes) -> dict[str, list[str]]:
    """Every name with its values, in order; a name without ``=`` has the value ``""``."""
    fields: dict[str, list[str]] = {}
    for pair in data.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        fields.setdefault(percent_decode(name), []).append(percent_decode(value))
    return fields
