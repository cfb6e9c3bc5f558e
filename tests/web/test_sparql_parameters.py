"""Reading a query string or form body: the fast ASCII decoder must read every text as ``parse_qs`` does."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, quote, urlencode

import pytest

from outcomes_graph.web import sparql_protocol
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.sparql_protocol import _params


def _texts(count: int) -> list[bytes]:
    """Query strings: encoded queries, and runs of the characters that decoding turns on (seeded)."""
    rng = random.Random(20261122)
    alphabet = ["a", "=", "&", "%", "+", "\\", ";", "2", "F", "e", "9", "G", " ", "x"]
    alphabet += ["%C3", "%A9", "%5C", "%25"]
    pieces = ["SELECT ?p ", "<http://a/é> ", "€", "\\u00e9", "# 1\n", "+", "%"]
    found = []
    for i in range(count):
        if i % 3 == 0:
            query = "".join(rng.choice(pieces) for _ in range(8))
            found.append(urlencode({"query": query, "default-graph-uri": "http://g/1"}).encode())
        else:
            found.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))).encode())
    return found


def test_parameters_read_as_parse_qs_reads_them():
    fast = 0
    for raw in _texts(20000):
        assert _params(raw) == parse_qs(raw.decode(), keep_blank_values=True), raw
        try:
            sparql_protocol._ascii_params(raw)
            fast += 1
        except UnicodeDecodeError:
            pass
    # Both ways were taken often: the fast one, and parse_qs for malformed escapes.
    assert 5000 < fast < 19000


def test_the_fast_decoder_reads_utf8_escapes_and_backslashes():
    raw = ("query=" + quote('SELECT * { ?s ?p "é\\\\n€" } # 5', safe="")).encode()
    assert sparql_protocol._ascii_params(raw) == {"query": ['SELECT * { ?s ?p "é\\\\n€" } # 5']}


def test_escapes_that_are_not_utf8_still_read_as_parse_qs_reads_them():
    assert _params(b"query=%FF%FE") == {"query": ["\ufffd\ufffd"]}


def test_raw_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(ApiError) as raised:
        _params(b"query=\xff")
    assert raised.value.status == 400
