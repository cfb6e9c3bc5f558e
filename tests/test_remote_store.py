"""The remote store against a real ``oxigraph serve``: same answers as the embedded store, safely.

One Oxigraph server per module holds the mini fixture written by a remote build; the same
sources are also built into an embedded store, and every comparison runs both.
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import REPO
from outcomes_graph.alignment import Aligner
from outcomes_graph.build import build
from outcomes_graph.cli import main
from outcomes_graph.errors import QueryError, StoreError, UsageError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.remote_http import GraphStoreClient
from outcomes_graph.remote_metadata import NoRemoteBuild
from outcomes_graph.remote_store import RemoteStore
from outcomes_graph.settings import Settings
from outcomes_graph.store import EmbeddedStore, open_store
from remote_support import GRAPH, ID, OxigraphServer, Pair, built_pair, cli_options, free_port, start_oxigraph

PRIVATE = GRAPH + "borough/E09000033-private"
SECRET = f'<{ID}borough/E09000033> <https://w3id.org/common-outcomes/def/secret> "private note" .\n'


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    built = built_pair(tmp_path_factory.mktemp("remote"))
    built.server.put(PRIVATE, SECRET)
    yield built
    built.server.stop()


@pytest.fixture(scope="module")
def remote(pair: Pair) -> Iterator[RemoteStore]:
    with RemoteStore(str(pair.remote.sparql_endpoint)) as store:
        yield store


@pytest.fixture(scope="module")
def embedded(pair: Pair) -> EmbeddedStore:
    return EmbeddedStore(pair.embedded.store)


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = start_oxigraph(tmp_path / "empty")
    yield server
    server.stop()


def cli(settings: Settings, *args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(main, [*cli_options(settings), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def tsv(result: Any) -> bytes:
    return bytes(result.serialize(format=ox.QueryResultsFormat.TSV))


def rows(result: Any) -> list[bytes]:
    """TSV lines, header first, the rows sorted (for queries without ORDER BY), blank nodes masked
    (each build names them afresh)."""
    header, *lines = tsv(result).splitlines()
    return [header, *sorted(re.sub(rb"_:\w+", b"_:b", line) for line in lines)]


def canonical(data: bytes, fmt: ox.RdfFormat) -> ox.Dataset:
    """A dataset with blank nodes relabelled canonically (each build names them afresh)."""
    dataset = ox.Dataset(ox.parse(data, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


# --- build ---------------------------------------------------------------------------------


def test_remote_build_records_the_same_graphs(pair, remote, embedded):
    assert [g["iri"] for g in remote.info.graphs] == [g["iri"] for g in embedded.info.graphs]
    assert [g["triples"] for g in remote.info.graphs] == [g["triples"] for g in embedded.info.graphs]
    assert remote.public_graphs == embedded.public_graphs
    for graph in remote.public_graphs:
        assert pair.server.graph(graph.value).status_code == 200


def test_build_command_writes_to_the_remote_store_last_the_build_record(pair, remote):
    before = remote.info.build_id
    output = cli(pair.remote, "build").output
    assert "Remote store: " + str(pair.remote.gsp_endpoint) in output
    assert not pair.remote.store.exists()
    fresh = RemoteStore(str(pair.remote.sparql_endpoint))
    assert fresh.info.build_id != before
    assert fresh.info.build_id in output


def test_build_in_remote_mode_needs_a_graph_store_url(pair):
    with pytest.raises(UsageError, match="--gsp-endpoint"):
        build(replace(pair.remote, gsp_endpoint=None))


def test_the_build_record_is_never_visible_to_queries(remote):
    graphs = {row["g"].value for row in remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {g.value for g in remote.public_graphs}
    assert GRAPH + "build" not in graphs


def test_a_rebuild_deletes_dropped_graphs_and_keeps_foreign_ones(tmp_path):
    built = built_pair(tmp_path)
    try:
        built.server.put(PRIVATE, SECRET)
        store = RemoteStore(str(built.remote.sparql_endpoint), refresh=0)
        first = store.info.build_id
        dropped = GRAPH + "mappings/sf-cof"
        assert dropped in store.info.public_graph_iris
        (built.remote.data_dir / "mappings" / "sf-cof.sssom.tsv").unlink()
        result = build(built.remote)
        assert result.remote is not None
        assert result.remote.deleted == [dropped]
        assert built.server.graph(dropped).status_code == 404
        assert built.server.graph(PRIVATE).status_code == 200
        assert store.info.build_id == result.info.build_id != first
        assert dropped not in store.info.public_graph_iris
        store.close()
    finally:
        built.server.stop()


# --- same answers as the embedded store -----------------------------------------------------

QUERIES = [
    "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } ORDER BY ?c ?l",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?c a og:Outcome }",
    "ASK { ?c a og:NoSuchClass }",
]


@pytest.mark.parametrize("sparql", QUERIES)
def test_queries_answer_as_on_the_embedded_store(remote, embedded, sparql):
    assert tsv(remote.query(sparql, prefixes=True)) == tsv(embedded.query(sparql, prefixes=True))


def test_construct_gives_query_triples(remote, embedded):
    sparql = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a og:Outcome ; skos:prefLabel ?l }"
    result = remote.query(sparql, prefixes=True)
    assert isinstance(result, ox.QueryTriples)
    assert set(result) == set(embedded.query(sparql, prefixes=True))


def test_the_query_command_answers_as_on_the_embedded_store(pair):
    sparql = "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } ORDER BY ?c"
    assert (
        cli(pair.remote, "query", sparql, "--format", "csv").output
        == cli(pair.embedded, "query", sparql, "--format", "csv").output
    )
    named = ["query", "--named", "concepts-table", "--param", f"scheme={ID}sf", "--format", "json"]
    assert cli(pair.remote, *named).output == cli(pair.embedded, *named).output


def test_stats_are_the_same(pair):
    remote = json.loads(cli(pair.remote, "stats", "--format", "json").output)
    embedded = json.loads(cli(pair.embedded, "stats", "--format", "json").output)
    assert remote.pop("build")["build_id"] != embedded.pop("build")["build_id"]
    assert remote == embedded
    assert remote["concepts-per-scheme"]


@pytest.mark.parametrize(
    ("fmt", "rdf"),
    [("ttl", ox.RdfFormat.TURTLE), ("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG),
     ("jsonld", ox.RdfFormat.JSON_LD)],
)  # fmt: skip
def test_exports_hold_the_same_graphs(pair, fmt, rdf):
    remote = cli(pair.remote, "export", "--format", fmt).stdout_bytes
    embedded = cli(pair.embedded, "export", "--format", fmt).stdout_bytes
    assert canonical(remote, rdf) == canonical(embedded, rdf)
    assert len(canonical(remote, rdf)) > 100
    assert b"private note" not in remote


def test_table_exports_are_identical(pair, tmp_path):
    assert (
        cli(pair.remote, "export", "--format", "csv").output
        == cli(pair.embedded, "export", "--format", "csv").output
    )
    cli(pair.remote, "export", "--format", "sssom", "-o", str(tmp_path / "remote"))
    cli(pair.embedded, "export", "--format", "sssom", "-o", str(tmp_path / "embedded"))
    files = sorted(p.name for p in (tmp_path / "embedded").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "remote").iterdir()) == ["sf-cof.sssom.tsv"]
    for name in files:
        assert (tmp_path / "remote" / name).read_text() == (tmp_path / "embedded" / name).read_text()


ALIGNMENT_COMMANDS = [
    ("align", f"{ID}sf/outcome/H06", "--format", "json"),
    ("align", "sf:outcome/H09", "--format", "json"),
    ("coverage", "sf", "--against", "cof", "--format", "json"),
    ("coverage", "cof", "--against", "sf", "--by", "hierarchy", "--format", "json"),
    ("gaps", "sf", "--against", "cof", "--format", "json"),
    ("search", "secure", "--format", "json"),
]


@pytest.mark.parametrize("args", ALIGNMENT_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_alignment_commands_answer_as_on_the_embedded_store(pair, args):
    assert cli(pair.remote, *args).output == cli(pair.embedded, *args).output


@pytest.mark.parametrize("args", ALIGNMENT_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_the_alignment_engine_answers_as_on_the_embedded_store(pair, remote, embedded, args, monkeypatch):
    """The commands over an Aligner on each store (as they will run once Aligner.open uses open_store)."""
    registry = QueryRegistry.load(pair.embedded.queries_dir)
    answers = []
    for store in (remote, embedded):
        monkeypatch.setattr(Aligner, "open", classmethod(lambda cls, _settings, s=store: cls(s, registry)))
        answers.append(cli(pair.embedded, *args).output)
    assert answers[0] == answers[1]
    assert json.loads(answers[0])


# --- parameters ----------------------------------------------------------------------------

REGISTRY = list(QueryRegistry.load(REPO / "api" / "queries"))
#: Values that exist in the mini fixture, by parameter name; the others come from each header's example.
MINI_VALUES = {
    "scheme": ID + "sf",
    "against": ID + "cof",
    "edition": ID + "sf",
    "concept": ID + "sf/outcome/H06",
    "resource": ID + "sf/outcome/H06",
    "subject": ID + "sf/outcome/H06",
    "set": "https://w3id.org/common-outcomes/mappings/sf-cof",
    "text": "h06",  # sf:outcome/H06's notation, found only through the lower-cased variant
}
#: Values that match nothing in the mini fixture, by parameter type.
MISSING_VALUES = {"iri": ID + "no/such/thing", "string": "no-such-code"}


def example_values(name: str) -> dict[str, str]:
    query = next(q for q in REGISTRY if q.name == name)
    values: dict[str, str] = {}
    for example in query.examples:
        for flag, word in pairwise(shlex.split(example)):
            if flag == "--param" and "=" in word:
                key, _, value = word.partition("=")
                values[key] = value
    values.update({p.name: MINI_VALUES[p.name] for p in query.params if p.name in MINI_VALUES})
    return values


PARAMETRISED = [q.name for q in REGISTRY if q.params]


@pytest.mark.parametrize("name", PARAMETRISED)
def test_named_query_parameters_bind_as_on_the_embedded_store(remote, embedded, name):
    query = next(q for q in REGISTRY if q.name == name)
    substitutions = query.substitutions(example_values(name))
    on_remote = rows(remote.query(query.sparql, substitutions=substitutions))
    assert on_remote == rows(embedded.query(query.sparql, substitutions=substitutions))


@pytest.mark.parametrize("name", PARAMETRISED)
def test_named_query_parameters_that_match_nothing_bind_as_on_the_embedded_store(remote, embedded, name):
    """A value absent from the graph: a parameter only read (in a BIND, a FILTER or EXISTS) and not
    bound where it is read would still match everything."""
    query = next(q for q in REGISTRY if q.name == name)
    values = {**example_values(name), **{p.name: MISSING_VALUES[p.type] for p in query.params}}
    substitutions = query.substitutions(values)
    on_remote = rows(remote.query(query.sparql, substitutions=substitutions))
    assert on_remote == rows(embedded.query(query.sparql, substitutions=substitutions))


def test_parameters_read_outside_triple_patterns_change_the_remote_answer(remote):
    """The parity tests compare answers that the parameter changes, not answers equal by accident."""

    def one(name: str, **values: str) -> dict[str, Any]:
        query = next(q for q in REGISTRY if q.name == name)
        (row,) = remote.select(query.sparql, substitutions=query.substitutions(values))
        return row

    assert int(one("void-dataset", base="https://w3id.org/common-outcomes/")["entities"].value) > 10
    assert int(one("void-dataset", base="https://example.org/elsewhere/")["entities"].value) == 0
    assert one("ld-exists", resource=ID + "sf/outcome/H06")["found"].value == "true"
    assert one("ld-exists", resource=ID + "no/such/thing")["found"].value == "false"


TERM = ox.NamedNode(ID + "sf/outcome/H06")
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


def test_a_subquery_limit_cuts_the_parameter_s_own_solutions(remote, embedded):
    """Pre-binding reaches into a subquery that projects the parameter, before its LIMIT."""
    sparql = "SELECT ?c ?l WHERE { { SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } ORDER BY ?c LIMIT 1 } }"
    (last,) = embedded.select(f"SELECT ?c WHERE {{ ?c <{SKOS_PREF_LABEL}> ?l }} ORDER BY DESC(?c) LIMIT 1")
    substitutions = {ox.Variable("c"): last["c"]}
    answer = rows(remote.query(sparql, substitutions=substitutions, prefixes=True))
    assert len(answer) == 2
    assert answer == rows(embedded.query(sparql, substitutions=substitutions, prefixes=True))


#: Where a parameter can stand, each bound on both stores.
PLACES = {
    "read in a BIND": "SELECT ?v ?n WHERE { BIND(STRLEN(STR(?v)) AS ?n) }",
    "read in a FILTER": "SELECT ?v ?l WHERE { ?c skos:prefLabel ?l FILTER(sameTerm(?c, ?v)) }",
    "read in EXISTS": "SELECT ?v ?found WHERE { BIND(EXISTS { ?v ?p ?o } AS ?found) }",
    "assigned by a BIND": "SELECT ?v WHERE { ?c skos:prefLabel ?l BIND(?c AS ?v) }",
    "a group key": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s ?p ?o BIND(sameTerm(?s, ?v) AS ?own) } "
    "GROUP BY ?v ?own",
    "in an OPTIONAL": "SELECT ?c ?v WHERE { ?c a og:Outcome OPTIONAL { ?c skos:broader ?v } }",
    "the whole body a subquery": "SELECT ?v ?p WHERE { SELECT ?v ?p WHERE { ?v ?p ?o } ORDER BY ?p LIMIT 2 }",
    "not projected by a subquery": "SELECT ?v ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?v ?p ?o } } }",
    "in a query that ends in VALUES": "SELECT ?v ?w WHERE { } VALUES ?w { 1 2 }",
    "in a query that ends in a comment": "SELECT ?v WHERE { ?v ?p ?o } # } VALUES",
    "in an ASK": "ASK { ?v a og:Outcome }",
}


@pytest.mark.parametrize("sparql", PLACES.values(), ids=PLACES.keys())
def test_parameters_bind_where_pre_binding_binds_them(remote, embedded, sparql):
    substitutions = {ox.Variable("v"): TERM}
    on_remote = remote.query(sparql, substitutions=substitutions, prefixes=True)
    on_embedded = embedded.query(sparql, substitutions=substitutions, prefixes=True)
    if isinstance(on_embedded, bool):
        assert on_remote is on_embedded
    else:
        assert rows(on_remote) == rows(on_embedded)


def test_construct_templates_are_not_mistaken_for_the_where_group(remote, embedded):
    sparql = "CONSTRUCT { ?v skos:prefLabel ?l } WHERE { ?v skos:prefLabel ?l }"
    substitutions = {ox.Variable("v"): TERM}
    triples = set(remote.query(sparql, substitutions=substitutions, prefixes=True))
    assert len(triples) == 1
    assert triples == set(embedded.query(sparql, substitutions=substitutions, prefixes=True))


def test_a_select_star_subquery_that_mentions_a_parameter_is_refused(remote):
    with pytest.raises(QueryError, match=r"SELECT \* subquery"):
        remote.query("SELECT ?v WHERE { { SELECT * { ?v ?p ?o } } }", substitutions={ox.Variable("v"): TERM})


HOSTILE = [
    'x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o } #",
    'back\\slash \\" and \\u0022 and \\n written out',
    "line\nbreak\r\nand\ttab",
    "> } <http://evil.example/> . #",
    "'''\"\"\" quotes",
    "emoji 👪 and accents é",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_values_come_back_unchanged(remote, text):
    for term in (ox.Literal(text), ox.Literal(text, language="en-gb"),
                 ox.Literal(text, datatype=ox.NamedNode("https://example.org/type"))):  # fmt: skip
        rows = remote.select("SELECT ?v WHERE {}", substitutions={ox.Variable("v"): term})
        assert rows == [{"v": term}]


ECHO = """\
# title: Echo
# description: Echoes its string parameter: one row holding exactly the value given.
# param: text (string): any text
SELECT ?text WHERE {}
"""


@pytest.fixture(scope="module")
def echo(pair: Pair) -> Settings:
    (pair.remote.queries_dir / "echo.rq").write_text(ECHO, encoding="utf-8")
    return pair.remote


@pytest.mark.parametrize("text", [t for t in HOSTILE if t])
def test_hostile_values_of_a_named_query_parameter_stay_one_literal(echo, remote, text):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = tsv(remote.query(count))
    result = cli(echo, "query", "--named", "echo", "--param", f"text={text}", "--format", "json")
    assert json.loads(result.output)["results"]["bindings"] == [{"text": {"type": "literal", "value": text}}]
    assert tsv(remote.query(count)) == before


def test_a_hostile_iri_parameter_is_refused_before_anything_is_sent(pair):
    result = cli(pair.remote, "query", "--named", "concepts-table", "--param",
                 "scheme=http://x/> } ; DROP ALL #", code=1)  # fmt: skip
    assert "not an absolute IRI" in result.output


def test_a_query_that_ends_in_a_comment_still_gets_its_values(remote):
    rows = remote.select("SELECT ?v WHERE {} # a comment", substitutions={ox.Variable("v"): ox.Literal("a")})
    assert rows == [{"v": ox.Literal("a")}]


def test_blank_nodes_cannot_be_bound(remote):
    with pytest.raises(QueryError, match="only IRIs and literals"):
        remote.query("SELECT ?v WHERE {}", substitutions={ox.Variable("v"): ox.BlankNode()})


# --- visibility and refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'private')) }",
        f"SELECT ?o WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}",
        f"SELECT ?o FROM <{PRIVATE}> WHERE {{ ?s ?p ?o }}",
        f"SELECT ?o FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{PRIVATE}>) }}",
    ],
)
def test_a_private_graph_written_to_the_server_never_answers(pair, remote, sparql):
    assert pair.server.graph(PRIVATE).status_code == 200
    assert b"private note" not in b"".join(rows(remote.query(sparql)))


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'private')) }",
        f"SELECT ?o WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}",
        f"SELECT ?o FROM <{PRIVATE}> WHERE {{ ?s ?p ?o }}",
        f"SELECT ?o FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{PRIVATE}>) }}",
    ],
)
def test_a_private_graph_written_to_the_server_is_invisible(pair, remote, embedded, sparql):
    """FROM and FROM NAMED give way to the public graphs, as on the embedded store: never the private one."""
    assert pair.server.graph(PRIVATE).status_code == 200
    answer = rows(remote.query(sparql))
    assert b"private note" not in b"".join(answer)
    assert answer == rows(embedded.query(sparql))


def test_quads_leave_out_the_private_graph(remote):
    graphs = {q.graph_name for q in remote.quads()}
    assert graphs == set(remote.public_graphs)
    assert list(remote.quads([ox.NamedNode(PRIVATE)])) == []


def test_an_empty_graph_list_sees_nothing(remote):
    assert list(remote.query("SELECT * WHERE { ?s ?p ?o }", graphs=[])) == []


def test_service_is_refused_and_nothing_is_contacted(remote):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        with pytest.raises(QueryError, match="SERVICE"):
            remote.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_a_syntax_error_is_a_query_error_with_a_position(remote):
    with pytest.raises(QueryError, match=r"refused the query: error at 1:\d+"):
        remote.query("SELECT * WHERE { ?s ?p ")


def test_undeclared_prefixes_are_declared_and_declared_ones_win(remote):
    assert list(remote.query("SELECT ?c WHERE { ?c a og:Outcome } LIMIT 1", prefixes=True))
    own = "PREFIX og: <https://example.org/other#> SELECT ?c WHERE { ?c a og:Outcome }"
    assert tsv(remote.query(own, prefixes=True)).count(b"\n") == 1


# --- failures ------------------------------------------------------------------------------


def test_an_unreachable_endpoint_is_a_clear_store_error():
    url = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    with pytest.raises(StoreError, match=f"cannot reach the SPARQL endpoint {url}"):
        RemoteStore(url)
    assert time.monotonic() - started < 5


def test_an_unreachable_endpoint_exits_3_from_the_command_line(pair):
    settings = replace(pair.remote, sparql_endpoint=f"http://127.0.0.1:{free_port()}/query")
    result = cli(settings, "stats", code=3)
    assert "cannot reach the SPARQL endpoint" in result.output


def test_a_silent_endpoint_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        with pytest.raises(StoreError, match=r"did not answer within 0\.5 s"):
            RemoteStore(f"http://127.0.0.1:{listener.getsockname()[1]}/query", timeout=0.5)
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def test_an_endpoint_without_a_build_says_how_to_make_one(empty_server):
    with pytest.raises(NoRemoteBuild, match="--gsp-endpoint URL build"):
        RemoteStore(empty_server.query_url)


def test_a_wrong_url_is_not_mistaken_for_an_endpoint(pair):
    with pytest.raises(StoreError, match="answered HTTP 404"):
        RemoteStore(pair.server.url + "/nothing-here")
    with pytest.raises(StoreError, match="not an http"):
        RemoteStore("ftp://127.0.0.1/query")


def test_credentials_never_show(pair):
    url = pair.server.query_url.replace("http://", "http://user:secret@")
    with RemoteStore(url) as store:
        assert "secret" not in store.shown_endpoint
    with pytest.raises(StoreError) as caught:
        GraphStoreClient(f"http://user:secret@127.0.0.1:{free_port()}/store", timeout=1).delete(
            ox.NamedNode(PRIVATE)
        )
    assert "secret" not in str(caught.value)


def test_open_store_picks_the_mode(pair):
    assert isinstance(open_store(pair.embedded), EmbeddedStore)
    store = open_store(pair.remote)
    assert isinstance(store, RemoteStore)
    assert store.info.build_id
