"""Test-only plumbing to run the Elasticsearch backend against osmem-server.

osmem-server (PyPI) is an in-memory OpenSearch-compatible server. Two things stand between
it and the official ``elasticsearch`` client, and both are adapted here, never in the library:

- the client sends ``application/vnd.elasticsearch+json; compatible-with=N``; osmem answers
  406, so PlainJsonNode sends plain ``application/json`` (and ``application/x-ndjson``);
- the client refuses a server that does not answer ``X-Elastic-Product: Elasticsearch``;
  PlainJsonNode adds that header to osmem's responses.

Reuse from other test packages::

    from tests.search.osmem import start_osmem, PlainJsonNode   # or copy the fixture

    @pytest.fixture(scope="session")
    def osmem():
        server = start_osmem()
        yield server
        server.close()

    backend = search.backend_from_url(server.url, node_class=PlainJsonNode, alias="t-1")
"""

from __future__ import annotations

import re

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
    """Start osmem-server on 127.0.0.1 on a free port (the binary picks it and reports its
    URL on stdout); the process exits when ``close()`` is called or the test process ends.
    """
    return OsmemServer.start(freeze=False, japanese=False)
