"""Fixtures for the search conformance suite: the same tests run on every backend.

- ``embedded``: the tantivy backend in a temporary directory;
- ``osmem``: the Elasticsearch backend over real HTTP against osmem-server;
- ``elasticsearch``: the Elasticsearch backend against ``ELASTICSEARCH_URL`` (skipped
  unless that variable is set).
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the package is not installed in the venv; tests import it
    sys.path.insert(0, str(ROOT))

import search  # noqa: E402
from osmem import PlainJsonNode, osmem_search_server  # noqa: E402, F401
from search.elastic import ElasticsearchBackend  # noqa: E402
from search.embedded import EmbeddedBackend  # noqa: E402
from search_corpus import corpus_documents  # noqa: E402

ES_URL = os.environ.get("ELASTICSEARCH_URL")


def _elastic(url: str, **options) -> ElasticsearchBackend:
    return ElasticsearchBackend(url, alias=f"test-{uuid.uuid4().hex[:10]}", **options)


def _drop(backend: ElasticsearchBackend) -> None:
    for name in backend._aliased():
        backend.client.indices.delete(index=name)
    backend.close()


@pytest.fixture(params=["embedded", "osmem", "elasticsearch"])
def backend(request, tmp_path):
    """An empty backend of each kind."""
    kind = request.param
    if kind == "embedded":
        b = EmbeddedBackend(tmp_path / "index")
        yield b
        b.close()
        return
    if kind == "osmem":
        server = request.getfixturevalue("osmem_search_server")
        b = _elastic(server.url, node_class=PlainJsonNode)
    else:
        if not ES_URL:
            pytest.skip("ELASTICSEARCH_URL is not set")
        b = _elastic(ES_URL)
    b.ensure_index()
    yield b
    _drop(b)


@pytest.fixture
def loaded(backend):
    """A backend holding the conformance corpus (tests/search/search_corpus.py)."""
    backend.index_documents(corpus_documents())
    return backend


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["embedded", "elasticsearch"])
def unavailable(request, tmp_path):
    """A backend whose storage is gone: an index path under a plain file, or a cluster
    address nothing listens on."""
    if request.param == "embedded":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        yield EmbeddedBackend(blocker / "index")
        return
    b = ElasticsearchBackend(
        f"http://127.0.0.1:{_closed_port()}",
        node_class=PlainJsonNode,
        request_timeout=1,
        max_retries=0,
    )
    yield b
    b.close()


@pytest.fixture
def embedded_path(tmp_path) -> Path:
    return tmp_path / "index"


__all__ = ["search"]
