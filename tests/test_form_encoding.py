"""api.server.form_encoding reads form data as the standard library does, only faster."""

from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.server.form_encoding import parse_form, percent_decode

#: Pieces that make the hard cases likely: escapes in both cases, broken escapes, raw
#: ``=``, ``+``, line breaks, separators, escaped multi-byte and invalid UTF-8.
PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "0",
        "9",
        "f",
        "F",
        "+",
        "_",
        ".",
        "&",
        "=",
        "%",
        "%2",
        "%4A",
        "%4a",
        "%zz",
        "%e2%82%ac",
        "%E2%82",
        "%ff",
        "%0A",
        "%0d",
        "%3D",
        "%26",
        "%%",
        " ",
        "\t",
        "\r",
        "=\n",
        "query",
        "named-graph-uri",
    ]
)


def reference(data: str) -> dict[str, list[str]]:
    return parse_qs(data, keep_blank_values=True)


@settings(max_examples=3000)
@given(st.lists(PIECES, max_size=16).map("".join))
def test_same_fields_as_the_standard_library(data: str) -> None:
    assert parse_form(data.encode("ascii")) == reference(data)


@settings(max_examples=500)
@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=4))
def test_reads_back_what_urlencode_wrote(fields: dict[str, str]) -> None:
    assert parse_form(urlencode(fields).encode()) == {k: [v] for k, v in fields.items()}


def test_a_sparql_query_as_clients_send_it() -> None:
    query = 'PREFIX sg: <https://w3id.org/sgkg/ontology#>\nSELECT * { ?s sg:quote "a=b 100%" }'
    encoded = urlencode({"query": query, "default-graph-uri": ["g1", "g2"]}, doseq=True)
    assert parse_form(encoded.encode()) == {"query": [query], "default-graph-uri": ["g1", "g2"]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"caf%C3%A9", "café"),  # escaped UTF-8
        ("café".encode(), "café"),  # raw UTF-8 bytes, as some clients send them
        (b"%ff", "\ufffd"),  # not UTF-8: replaced, as the standard library does
        (b"100%", "100%"),  # a % that starts no escape stays
        (b"a+b%2Bc", "a b+c"),
    ],
)
def test_percent_decode(data: bytes, expected: str) -> None:
    assert percent_decode(data) == expected
