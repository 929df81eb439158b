"""What only the Elasticsearch backend has to prove: index creation and the nori choice."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError, BadRequestError

from osmem import PlainJsonNode
from search import Query, SearchUnavailable
from search.elastic import ElasticsearchBackend, analysis_settings, mappings


def _bad_request(reason: str) -> BadRequestError:
    meta = ApiResponseMeta(
        status=400,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )
    return BadRequestError(reason, meta, {"error": {"reason": reason}})


class FakeIndices:
    """Records index creations; refuses nori at _analyze and/or at creation as told."""

    def __init__(self, analyze_nori: bool, create_nori: bool):
        self.analyze_nori = analyze_nori
        self.create_nori = create_nori
        self.created: list[dict] = []

    def analyze(self, **kwargs):
        if kwargs.get("tokenizer") == "nori_tokenizer" and not self.analyze_nori:
            raise _bad_request("failed to find global tokenizer under [nori_tokenizer]")
        return {"tokens": [{"token": "드론"}]}

    def create(self, *, index, settings, mappings):
        korean = settings["analysis"]["tokenizer"]["ko_tokenizer"]["type"]
        if korean == "nori_tokenizer" and not self.create_nori:
            raise _bad_request("Failed to build analyzers: [ko]")
        self.created.append({"index": index, "settings": settings, "mappings": mappings})


def _backend(analyze_nori: bool, create_nori: bool) -> ElasticsearchBackend:
    indices = FakeIndices(analyze_nori, create_nori)
    client = SimpleNamespace(indices=indices, close=lambda: None)
    return ElasticsearchBackend("http://unused:9200", client=client, alias="t")


@pytest.mark.parametrize(
    ("analyze_nori", "create_nori", "expected"),
    [(True, True, "nori"), (False, False, "bigram"), (True, False, "bigram")],
)
def test_korean_analysis_is_chosen_at_index_creation(analyze_nori, create_nori, expected):
    backend = _backend(analyze_nori, create_nori)
    name = backend.create_index()
    assert name.startswith("t-")
    assert backend.korean == expected
    created = backend.client.indices.created[-1]
    tokenizer = created["settings"]["analysis"]["tokenizer"]["ko_tokenizer"]
    assert tokenizer["type"] == ("nori_tokenizer" if expected == "nori" else "ngram")
    assert created["mappings"]["_meta"] == {"korean": expected}


def test_mappings_are_explicit():
    m = mappings("nori")
    assert m["dynamic"] == "strict"
    title = m["properties"]["title"]
    assert title["analyzer"] == "en"
    assert set(title["fields"]) == {"ko", "raw"}
    assert title["fields"]["raw"]["type"] == "keyword"
    for name in ("acl", "type", "region", "codes", "code_prefix", "division"):
        assert m["properties"][name] == {"type": "keyword"}
    nori = analysis_settings("nori")["analysis"]["analyzer"]["ko"]
    assert "nori_part_of_speech" in nori["filter"]
    assert analysis_settings("bigram")["analysis"]["analyzer"]["en"] == {"type": "english"}


def test_osmem_has_no_nori_and_the_backend_falls_back(osmem_search_server):
    backend = ElasticsearchBackend(
        osmem_search_server.url, node_class=PlainJsonNode, alias=f"t-{uuid.uuid4().hex[:8]}"
    )
    try:
        backend.ensure_index()
        assert backend.korean == "bigram"
        assert backend.health()["korean"] == "bigram"
        fresh = ElasticsearchBackend(
            osmem_search_server.url, node_class=PlainJsonNode, alias=backend.alias
        )
        assert fresh.health()["korean"] == "bigram"  # read back from the mapping's _meta
        fresh.close()
    finally:
        for name in backend._aliased():
            backend.client.indices.delete(index=name)
        backend.close()


def test_a_missing_alias_reads_as_an_empty_index(osmem_search_server):
    backend = ElasticsearchBackend(
        osmem_search_server.url, node_class=PlainJsonNode, alias=f"t-{uuid.uuid4().hex[:8]}"
    )
    assert backend.search(Query("드론")).total == 0
    assert backend.count() == 0
    backend.close()


def test_server_errors_are_unavailable():
    def boom(**_kwargs):
        meta = ApiResponseMeta(
            status=503,
            http_version="1.1",
            headers=HttpHeaders(),
            duration=0.0,
            node=NodeConfig("http", "localhost", 9200),
        )
        raise ApiError("unavailable", meta, {})

    client = SimpleNamespace(search=boom, count=boom, close=lambda: None)
    backend = ElasticsearchBackend("http://unused:9200", client=client)
    with pytest.raises(SearchUnavailable):
        backend.search(Query("x"))
    with pytest.raises(SearchUnavailable):
        backend.count()
