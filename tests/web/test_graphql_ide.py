"""GraphiQL is served from packaged files: every script and stylesheet of the page is local."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app
from outcomes_graph.web.graphql_api import ASSETS, STATIC_DIR


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    """The app over the mini fixture graph, built once for this module."""
    root = tmp_path_factory.mktemp("gql-mini")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings)) as c:
        yield c


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(("script", found["src"] or ""))
        if tag == "link" and found.get("href"):
            self.urls.append(("link", found["href"] or ""))


def _page(client) -> str:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_the_page_references_only_local_files(client):
    parser = _References()
    parser.feed(_page(client))
    kinds = [kind for kind, _ in parser.urls]
    assert kinds.count("script") == 4
    assert kinds.count("link") == 1
    for kind, url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme, f"{kind} {url} is not served locally"
        assert not parts.netloc, f"{kind} {url} is not served locally"
        assert url.startswith("/graphql/static/")
        response = client.get(url)
        assert response.status_code == 200, url
        expected = "text/javascript" if kind == "script" else "text/css"
        assert response.headers["content-type"].startswith(expected)
        assert len(response.content) > 200
    assert not re.search(r"https?://(?!www\.w3\.org)", _page(client)), "no absolute URL in the page itself"


def test_the_page_posts_to_this_endpoint(client):
    assert 'data-endpoint="/graphql"' in _page(client)


def test_assets_are_cached_and_unknown_ones_refused(client):
    versioned = client.get("/graphql/static/graphiql-3.8.3.min.js")
    assert "immutable" in versioned.headers["cache-control"]
    missing = client.get("/graphql/static/evil.js")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not-found"
    assert client.get("/graphql/static/..%2F..%2Fgraphql_api.py").status_code == 404


def test_vendored_files_match_their_documented_checksums():
    readme = (STATIC_DIR / "README.md").read_text(encoding="utf-8")
    for name in ASSETS:
        if name == "graphiql-init.js":
            continue
        digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()
        hint = f"{name}: update the table in {STATIC_DIR / 'README.md'}"
        assert f"`{name}`" in readme, hint
        assert digest in readme, hint
    assert (STATIC_DIR / "LICENSE-graphiql.txt").is_file()
    assert (STATIC_DIR / "LICENSE-react.txt").is_file()


def test_graphql_over_get_still_answers(client):
    response = client.get("/graphql", params={"query": "{ frameworks { totalCount } }"})
    assert response.status_code == 200
    assert response.json()["data"]["frameworks"]["totalCount"] >= 2
