"""Test-only plumbing to run the Elasticsearch backend against osmem-server.

osmem-server (PyPI) is an in-memory OpenSearch-compatible server. Two things stand between
it and the official ``elasticsearch`` client, and both are adapted here, never in the library:

- the client sends ``application/vnd.elasticsearch+json; compatible-with=N``; osmem answers
  406, so PlainJsonNode sends plain ``application/json`` (and ``application/x-ndjson``);
- the client refuses a server that does not answer ``X-Elastic-Product: Elasticsearch``;
  PlainJsonNode adds that header to osmem's responses.

Reuse from another test package: import the fixture into that package's conftest.py::

    from tests.search.osmem import PlainJsonNode, osmem_search_server  # noqa: F401

    def test_something(osmem_search_server):
        backend = search.backend_from_url(
            osmem_search_server.url, node_class=PlainJsonNode, alias="test-x"
        )
"""

from __future__ import annotations

import re

import pytest
from elastic_transport import HttpHeaders, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from osmem_server import OsmemServer

_COMPAT = re.compile(r"application/vnd\.elasticsearch\+([\w-]+)(;\s*compatible-with=\d+)?")


class PlainJsonNode(Urllib3HttpNode):
    """An HTTP node speaking plain JSON, as osmem-server expects."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        plain = HttpHeaders()
        for key, value in (headers or {}).items():
            plain[key] = _COMPAT.sub(r"application/\1", value)
        resp = super().perform_request(method, target, body=body, headers=plain, **kwargs)
        meta = resp.meta
        if "x-elastic-product" not in meta.headers:
            fixed = HttpHeaders(dict(meta.headers.items()))
            fixed["x-elastic-product"] = "Elasticsearch"
            meta = type(meta)(
                status=meta.status,
                http_version=meta.http_version,
                headers=fixed,
                duration=meta.duration,
                node=meta.node,
            )
        return NodeApiResponse(meta, resp.body)


def start_osmem() -> OsmemServer:
    """Start osmem-server on 127.0.0.1 on a free port (the binary picks the port and reports
    its URL on stdout); it exits on ``stop_osmem`` or when the test process ends."""
    return OsmemServer.start(freeze=False, japanese=False)


def stop_osmem(server: OsmemServer) -> None:
    """Stop the process and close its output pipe (``OsmemServer.close`` leaves it open)."""
    server.close()
    if server.process.stdout is not None:
        server.process.stdout.close()


@pytest.fixture(scope="session")
def osmem_search_server():
    """A session-wide osmem-server for the Elasticsearch backend."""
    server = start_osmem()
    yield server
    stop_osmem(server)
