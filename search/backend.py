"""The one interface both backends implement, and the URL that chooses between them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from search.models import Query, SearchDocument, SearchResult, Suggestion

DEFAULT_ALIAS = "procure"

DocumentLike = SearchDocument | Mapping[str, Any]


@runtime_checkable
class SearchBackend(Protocol):
    """What the web application may ask of a search backend.

    Writes are visible to searches when the call returns (``refresh=True``, the default).
    Every read takes the caller's principals and filters on them inside the backend's query.
    Every method except ``health`` raises ``SearchUnavailable`` when the backend is down.
    """

    name: str
    alias: str

    def ensure_index(self) -> None:
        """Create the live index (``<alias>-<token>`` behind ``alias``) if there is none."""

    def index_documents(self, documents: Iterable[DocumentLike], *, refresh: bool = True) -> int:
        """Add or replace documents by id; returns how many were written."""

    def delete_documents(self, ids: Iterable[str], *, refresh: bool = True) -> int:
        """Remove documents by id (unknown ids are ignored); returns how many were asked."""

    def search(self, query: Query) -> SearchResult:
        """Rank, filter, count facets and highlight, seen through ``query.principals``."""

    def suggest(
        self, prefix: str, principals: Sequence[str] = ("public",), *, limit: int = 8
    ) -> list[Suggestion]:
        """Titles whose words start with what was typed (every word a prefix)."""

    def count(self, principals: Sequence[str] | None = None) -> int:
        """Documents in the live index (only those visible to ``principals`` when given)."""

    def create_index(self, name: str | None = None) -> str:
        """Create an empty index (``<alias>-<token>`` when no name is given); return its name."""

    def swap_alias(self, name: str) -> None:
        """Point ``alias`` at index ``name`` atomically and drop the indices it replaced."""

    def reindex(self, documents: Iterable[DocumentLike]) -> str:
        """Build a new index from ``documents`` and swap it in; searches keep answering from
        the old index meanwhile. Returns the new index name."""

    def health(self) -> dict[str, Any]:
        """``{"ok", "backend", "documents", "detail", ...}``; never raises."""

    def close(self) -> None:
        """Release files, locks and connections."""


def backend_from_url(url: str | None = None, **options: Any) -> SearchBackend:
    """The backend a URL names.

    - ``embedded://PATH`` (the default, ``embedded://instance/search`` when url is empty):
      an index in the directory PATH (relative or, with three slashes, absolute).
    - ``elasticsearch://host:9200``, ``elasticsearchs://host:9200`` (TLS),
      ``http(s)://host:9200``: an Elasticsearch (8.x or 9.x) cluster.

    ``options`` go to the backend: ``alias`` for both; ``client``, ``node_class`` and other
    ``elasticsearch.Elasticsearch`` keyword arguments for Elasticsearch.

    :raise ValueError: on an unknown scheme.
    """
    url = url or "embedded://instance/search"
    scheme = urlsplit(url).scheme.lower()
    if scheme == "embedded":
        from search.embedded import EmbeddedBackend

        return EmbeddedBackend(url[len("embedded://") :] or "instance/search", **options)
    if scheme in ("elasticsearch", "elasticsearchs", "http", "https"):
        from search.elastic import ElasticsearchBackend

        if scheme.startswith("elasticsearch"):
            url = ("https" if scheme == "elasticsearchs" else "http") + url[len(scheme) :]
        return ElasticsearchBackend(url, **options)
    raise ValueError(f"unknown search URL scheme {scheme!r}")
