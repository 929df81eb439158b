"""The Elasticsearch backend, through the official ``elasticsearch`` client.

Indices are ``<alias>-<token>`` with explicit mappings; the application always reads and
writes through the alias, and ``reindex`` builds a new index and swaps the alias
atomically. Korean is analysed with ``nori`` when the cluster has the analysis-nori plugin
(checked with ``_analyze`` when an index is created) and with Hangul bigrams (an ``ngram``
tokenizer, the same grams the embedded backend uses) otherwise; English is stemmed; the
title has a ``raw`` keyword sub-field; suggestions use word prefixes made in Python.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import elasticsearch
from elastic_transport import HttpHeaders, Urllib3HttpNode
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

from search import analysis, ranking
from search.backend import DEFAULT_ALIAS, DocumentLike
from search.errors import SearchError, SearchUnavailable
from search.models import (
    FACETS,
    Hit,
    Query,
    SearchDocument,
    SearchResult,
    Suggestion,
    as_document,
)

T = TypeVar("T")

_CLIENT_MAJOR = int(elasticsearch.__versionstr__.partition(".")[0])

FACET_SIZE = 50
#: Documents per bulk request.
BULK_CHUNK = 1_000
_SOURCE = ["id", "type", "title", "body"]

_KEYWORDS = (
    "id",
    "type",
    "codes",
    "code_prefix",
    "division",
    "region",
    "status",
    "organisation",
    "language",
    "acl",
    "price_range",
)


def analysis_settings(korean: str) -> dict[str, Any]:
    """Index analysis settings; ``korean`` is ``"nori"`` or ``"bigram"``."""
    if korean == "nori":
        tokenizers: dict[str, Any] = {
            "ko_tokenizer": {"type": "nori_tokenizer", "decompound_mode": "mixed"}
        }
        ko = {
            "type": "custom",
            "tokenizer": "ko_tokenizer",
            "filter": ["nori_part_of_speech", "nori_readingform", "lowercase"],
        }
    else:
        tokenizers = {
            "ko_tokenizer": {
                "type": "ngram",
                "min_gram": 2,
                "max_gram": 2,
                "token_chars": ["letter", "digit"],
            }
        }
        ko = {"type": "custom", "tokenizer": "ko_tokenizer", "filter": ["lowercase"]}
    return {
        "analysis": {
            "tokenizer": tokenizers,
            "analyzer": {
                "ko": ko,
                "en": {"type": "english"},
            },
        }
    }


def mappings(korean: str) -> dict[str, Any]:
    """Explicit mappings: nothing is mapped dynamically."""
    text_ko = {"type": "text", "analyzer": "ko"}
    props: dict[str, Any] = {name: {"type": "keyword"} for name in _KEYWORDS}
    props.update(
        title={
            "type": "text",
            "analyzer": "en",
            "fields": {
                "ko": text_ko,
                "raw": {"type": "keyword", "ignore_above": 512},
            },
        },
        body={"type": "text", "analyzer": "en", "fields": {"ko": text_ko}},
        extra={"type": "text", "analyzer": "en", "fields": {"ko": text_ko}},
        # Prefixes of the title's words made in Python (jamo for Hangul), as the embedded
        # backend indexes them, so a half-typed syllable completes the same way on both.
        suggest={"type": "text", "analyzer": "whitespace", "index_options": "docs"},
        designated={"type": "boolean"},
        innovativeness={"type": "float"},
        readiness_level={"type": "integer"},
        amount={"type": "long"},
        published_at={"type": "date"},
        closes_at={"type": "date"},
    )
    return {"dynamic": "strict", "_meta": {"korean": korean}, "properties": props}


def to_source(doc: SearchDocument) -> dict[str, Any]:
    """The Elasticsearch ``_source`` for one document."""

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": doc.id,
        "type": doc.type,
        "title": doc.title,
        "body": doc.body,
        "extra": doc.extra_text,
        "suggest": analysis.prefix_text(doc.title),
        "codes": doc.codes,
        "code_prefix": doc.code_prefixes,
        "division": doc.divisions,
        "region": doc.region,
        "status": doc.status,
        "organisation": doc.organisation_id,
        "language": doc.language,
        "acl": list(doc.acl),
        "price_range": doc.price_range,
        "designated": doc.designation,
        "innovativeness": doc.innovativeness,
        "readiness_level": doc.readiness_level,
        "amount": doc.amount,
        "published_at": iso(doc.published_at),
        "closes_at": iso(doc.closes_at),
    }


_COMPAT_WITH = re.compile(r"compatible-with=\d+")


def compat_headers(headers: Any, major: int) -> HttpHeaders:
    """Headers asking for the REST compatibility of server ``major`` (the 9.x client asks
    for 9, which an 8.x server refuses)."""
    out = HttpHeaders()
    for key, value in (headers or {}).items():
        out[key] = _COMPAT_WITH.sub(f"compatible-with={major}", value)
    return out


class Compat8Node(Urllib3HttpNode):
    """HTTP node for a 9.x client talking to an 8.x server (``server_major=8``)."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        return super().perform_request(
            method, target, body=body, headers=compat_headers(headers, 8), **kwargs
        )


class ElasticsearchBackend:
    """SearchBackend over an Elasticsearch cluster (8.x or 9.x; use the client major that
    matches the server's).

    ``client`` may be a ready ``Elasticsearch``; otherwise one is built from ``url`` with
    ``node_class`` and any other keyword arguments of ``Elasticsearch(...)``. With the 9.x
    client and an 8.x server pass ``server_major=8``.
    """

    name = "elasticsearch"

    def __init__(
        self,
        url: str,
        *,
        alias: str = DEFAULT_ALIAS,
        client: Elasticsearch | None = None,
        node_class: Any = None,
        request_timeout: float = 10.0,
        server_major: int | None = None,
        **client_options: Any,
    ) -> None:
        self.url = url
        self.alias = alias
        if client is None:
            if node_class is None and server_major == 8 and _CLIENT_MAJOR > 8:
                node_class = Compat8Node
            if node_class is not None:
                client_options["node_class"] = node_class
            client = Elasticsearch(url, request_timeout=request_timeout, **client_options)
        self.client = client
        self._ensured = False
        self.korean: str | None = None

    # Plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the client, turning outages into SearchUnavailable."""
        try:
            return fn(*args, **kwargs)
        except TransportError as exc:  # connection refused, timeout, TLS
            raise SearchUnavailable(f"elasticsearch unreachable: {exc}") from exc
        except ApiError as exc:
            if exc.status_code in (429, 502, 503, 504) or exc.status_code >= 500:
                raise SearchUnavailable(f"elasticsearch error {exc.status_code}: {exc}") from exc
            raise

    def _detect_korean(self) -> str:
        """``nori`` when the cluster can analyse with nori_tokenizer, else ``bigram``."""
        try:
            self._call(self.client.indices.analyze, tokenizer="nori_tokenizer", text="드론을")
        except ApiError:
            return "bigram"
        return "nori"

    # Index management --------------------------------------------------------------------

    def create_index(self, name: str | None = None) -> str:
        """Create ``<alias>-<token>`` with mappings and analysers; returns its name.

        :raise SearchUnavailable: when the cluster is down.
        """
        if name is None:
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
            name = f"{self.alias}-{stamp}-{secrets.token_hex(3)}"
        korean = self._detect_korean()
        try:
            self._call(
                self.client.indices.create,
                index=name,
                settings=analysis_settings(korean),
                mappings=mappings(korean),
            )
        except ApiError as exc:
            if korean != "nori" or exc.status_code != 400:
                raise
            # _analyze accepted nori but the index did not: fall back cleanly.
            korean = "bigram"
            self._call(
                self.client.indices.create,
                index=name,
                settings=analysis_settings(korean),
                mappings=mappings(korean),
            )
        self.korean = korean
        return name

    def _aliased(self) -> list[str]:
        try:
            found = self._call(self.client.indices.get_alias, name=self.alias)
        except NotFoundError:
            return []
        return sorted(found.body if hasattr(found, "body") else found)

    def swap_alias(self, name: str) -> None:
        """Move the alias to ``name`` in one atomic request, then delete the old indices.

        :raise SearchUnavailable: when the cluster is down.
        """
        old = [i for i in self._aliased() if i != name]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for index in old:
            with contextlib.suppress(NotFoundError):
                self._call(self.client.indices.delete, index=index)
        self._ensured = True

    def ensure_index(self) -> None:
        if self._ensured:
            return
        if not self._aliased():
            self.swap_alias(self.create_index())
        self._ensured = True

    def refresh(self) -> None:
        self._call(self.client.indices.refresh, index=self.alias)

    # Writes ------------------------------------------------------------------------------

    def _bulk(self, operations: list[dict[str, Any]], refresh: bool) -> None:
        if not operations:
            return
        resp = self._call(self.client.bulk, operations=operations, refresh=refresh or None)
        if resp.get("errors"):
            for item in resp["items"]:
                result = next(iter(item.values()))
                if result.get("status", 200) >= 300 and result.get("status") != 404:
                    raise SearchError(f"bulk request failed: {result.get('error')}")

    def _write(self, index: str, documents: Iterable[DocumentLike], refresh: bool) -> int:
        n = 0
        ops: list[dict[str, Any]] = []
        for raw in documents:
            doc = as_document(raw)
            ops += [{"index": {"_index": index, "_id": doc.id}}, to_source(doc)]
            n += 1
            if len(ops) >= 2 * BULK_CHUNK:
                self._bulk(ops, refresh=False)
                ops = []
        self._bulk(ops, refresh=False)
        if refresh:
            self._call(self.client.indices.refresh, index=index)
        return n

    def index_documents(self, documents: Iterable[DocumentLike], *, refresh: bool = True) -> int:
        """Add or replace documents by id.

        :raise SearchUnavailable: when the cluster is down.
        :raise SearchError: when the cluster rejects a document.
        """
        self.ensure_index()
        return self._write(self.alias, documents, refresh)

    def delete_documents(self, ids: Iterable[str], *, refresh: bool = True) -> int:
        """Remove documents by id; unknown ids are ignored.

        :raise SearchUnavailable: when the cluster is down.
        """
        ids = list(ids)
        self.ensure_index()
        self._bulk([{"delete": {"_index": self.alias, "_id": i}} for i in ids], refresh=False)
        if refresh and ids:
            self.refresh()
        return len(ids)

    def reindex(self, documents: Iterable[DocumentLike]) -> str:
        """Build ``<alias>-<token>`` and swap the alias to it; reads keep hitting the old
        index until the swap.

        :raise SearchUnavailable: when the cluster is down.
        """
        name = self.create_index()
        try:
            self._write(name, documents, refresh=True)
        except BaseException:
            with contextlib.suppress(ApiError, SearchUnavailable):
                self._call(self.client.indices.delete, index=name)
            raise
        self.swap_alias(name)
        return name

    # Reads -------------------------------------------------------------------------------

    @staticmethod
    def _text_query(words: list[analysis.QueryWord]) -> dict[str, Any]:
        if not words:
            return {"match_all": {}}
        musts = []
        for qw in words:
            should: list[dict[str, Any]] = []
            for form in qw.hangul_forms:
                for field, boost in (
                    ("title.ko", ranking.TITLE_BOOST),
                    ("body.ko", 1.0),
                    ("extra.ko", ranking.EXTRA_BOOST),
                ):
                    should.append(
                        {"match": {field: {"query": form, "operator": "and", "boost": boost}}}
                    )
            for form in qw.other_forms:
                for field, boost in (
                    ("title", ranking.TITLE_BOOST),
                    ("body", 1.0),
                    ("extra", ranking.EXTRA_BOOST),
                ):
                    should.append(
                        {"match": {field: {"query": form, "operator": "and", "boost": boost}}}
                    )
                should.append(
                    {"term": {"codes": {"value": form.upper(), "boost": ranking.CODE_BOOST}}}
                )
            musts.append({"bool": {"should": should, "minimum_should_match": 1}})
        return {"bool": {"must": musts}}

    @staticmethod
    def _acl(principals: Sequence[str]) -> dict[str, Any]:
        # No principals means nothing is visible, never everything.
        return {"terms": {"acl": list(principals) or [""]}}

    def _filters(self, query: Query) -> list[dict[str, Any]]:
        out = [self._acl(query.principals)]
        for name in ("type", "division", "region", "status", "organisation", "language"):
            values = [str(v) for v in query.filter_values(name)]
            if name == "division":
                values = [v.upper() for v in values]
            if values:
                out.append({"terms": {name: values}})
        designated = query.filter_values("designated")
        if designated:
            out.append({"terms": {"designated": [_as_bool(v) for v in designated]}})
        levels = query.filter_values("readiness_level")
        if levels:
            out.append({"terms": {"readiness_level": [int(v) for v in levels]}})
        buckets = query.filter_values("price_range")
        if buckets:
            out.append({"terms": {"price_range": [str(b) for b in buckets]}})
        codes = [str(v).strip().upper() for v in query.filter_values("code")]
        if codes:
            out.append({"terms": {"code_prefix": codes}})
        bounds = {}
        if query.filters.get("amount_min") is not None:
            bounds["gte"] = int(query.filters["amount_min"])
        if query.filters.get("amount_max") is not None:
            bounds["lte"] = int(query.filters["amount_max"])
        if bounds:
            out.append({"range": {"amount": bounds}})
        return out

    @staticmethod
    def _signals() -> list[dict[str, Any]]:
        return [
            {
                "constant_score": {
                    "filter": {"term": {"designated": True}},
                    "boost": ranking.DESIGNATED_BONUS,
                }
            },
            {
                "constant_score": {
                    "filter": {"range": {"published_at": {"gte": f"now-{ranking.FRESH_DAYS}d"}}},
                    "boost": ranking.FRESH_BONUS,
                }
            },
        ]

    def _search(self, **body: Any) -> dict[str, Any]:
        try:
            resp = self._call(self.client.search, index=self.alias, **body)
        except NotFoundError:
            return {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}
        return resp.body if hasattr(resp, "body") else resp

    def search(self, query: Query) -> SearchResult:
        """Run ``query`` seen through its principals.

        :raise SearchUnavailable: when the cluster is down.
        """
        words = analysis.parse_query(query.text)
        sort = {
            "relevance": ["_score", {"published_at": {"order": "desc", "missing": "_last"}}],
            "newest": [{"published_at": {"order": "desc", "missing": "_last"}}],
            "closing": [{"closes_at": {"order": "asc", "missing": "_last"}}],
            "amount": [{"amount": {"order": "desc", "missing": "_last"}}],
            "amount_desc": [{"amount": {"order": "desc", "missing": "_last"}}],
            "amount_asc": [{"amount": {"order": "asc", "missing": "_last"}}],
        }[query.sort]
        bool_query: dict[str, Any] = {
            "must": [self._text_query(words)],
            "filter": self._filters(query),
        }
        if query.sort == "relevance":
            bool_query["should"] = self._signals()
        aggs = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in query.facets}
        body: dict[str, Any] = {
            "query": {"bool": bool_query},
            "from_": query.offset,
            "size": query.per_page,
            "sort": sort,
            "source": _SOURCE,
            "track_total_hits": True,
        }
        if aggs:
            body["aggs"] = aggs
        resp = self._search(**body)
        hits = []
        for h in resp["hits"]["hits"]:
            src = h.get("_source") or {}
            marks = {}
            if query.highlight and words:
                marks = analysis.highlights(src.get("title") or "", src.get("body") or "", words)
            score = h.get("_score") if query.sort == "relevance" else None
            hits.append(
                Hit(
                    id=src.get("id") or h["_id"],
                    type=src.get("type", ""),
                    score=float(score or 0.0),
                    highlights=marks,
                )
            )
        facets = {}
        for name in query.facets:
            buckets = resp.get("aggregations", {}).get(name, {}).get("buckets", [])
            pairs = [(_facet_key(b), int(b["doc_count"])) for b in buckets]
            facets[name] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
        shards = resp.get("_shards", {})
        return SearchResult(
            total=int(resp["hits"]["total"]["value"]),
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            degraded=bool(resp.get("timed_out") or shards.get("failed")),
        )

    def suggest(
        self, prefix: str, principals: Sequence[str] = ("public",), *, limit: int = 8
    ) -> list[Suggestion]:
        """Titles visible to ``principals`` whose words start with the typed words.

        :raise SearchUnavailable: when the cluster is down.
        """
        terms = analysis.suggest_terms(prefix)
        if not terms:
            return []
        resp = self._search(
            query={
                "bool": {
                    "must": [{"terms": {"suggest": alternatives}} for alternatives in terms],
                    "filter": [self._acl(principals)],
                    "should": self._signals(),
                }
            },
            size=limit * 3,
            source=["id", "type", "title"],
        )
        out: list[Suggestion] = []
        seen: set[str] = set()
        for h in resp["hits"]["hits"]:
            src = h["_source"]
            if src["title"] in seen:
                continue
            seen.add(src["title"])
            out.append(Suggestion(src["title"], src["id"], src["type"]))
            if len(out) == limit:
                break
        return out

    def count(self, principals: Sequence[str] | None = None) -> int:
        """Documents behind the alias, or those visible to ``principals``.

        :raise SearchUnavailable: when the cluster is down.
        """
        kwargs: dict[str, Any] = {}
        if principals is not None:
            kwargs["query"] = {"bool": {"filter": [self._acl(principals)]}}
        try:
            resp = self._call(self.client.count, index=self.alias, **kwargs)
        except NotFoundError:
            return 0
        return int(resp["count"])

    def health(self) -> dict[str, Any]:
        info: dict[str, Any] = {"backend": self.name, "index": self.alias, "url": self.url}
        try:
            cluster = self._call(self.client.cluster.health)
            documents = self.count()
            indices = self._aliased()
            korean = self.korean
            if indices and korean is None:
                meta = self._call(self.client.indices.get_mapping, index=indices[0])
                body = meta.body if hasattr(meta, "body") else meta
                korean = body[indices[0]]["mappings"].get("_meta", {}).get("korean")
        except Exception as exc:  # health reports every failure, it never raises
            return {**info, "ok": False, "documents": None, "detail": f"{exc}"}
        status = cluster.get("status", "unknown")
        return {
            **info,
            "ok": status in ("green", "yellow"),
            "documents": documents,
            "detail": f"cluster {status}; alias {self.alias} -> {', '.join(indices) or 'none'}",
            "korean": korean,
        }

    def close(self) -> None:
        self.client.close()


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def _facet_key(bucket: dict[str, Any]) -> str:
    if bucket.get("key_as_string") in ("true", "false"):
        return bucket["key_as_string"]
    key = bucket["key"]
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return str(key)


__all__ = ["FACETS", "ElasticsearchBackend", "analysis_settings", "mappings", "to_source"]
