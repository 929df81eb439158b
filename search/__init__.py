"""Search library: one SearchBackend protocol, an embedded (tantivy) and an Elasticsearch backend.

The web application hands plain documents in and gets ranked ids, facets and safe snippets
back; nothing here knows Flask, SQLAlchemy or the procure package.
"""

from search.backend import SearchBackend, backend_from_url
from search.errors import InvalidQueryError, SearchError, SearchUnavailable
from search.models import (
    DOCUMENT_TYPES,
    FACETS,
    FILTERS,
    PRICE_BUCKETS,
    SORTS,
    Classification,
    Hit,
    Query,
    SearchDocument,
    SearchResult,
    Suggestion,
)

__all__ = [
    "DOCUMENT_TYPES",
    "FACETS",
    "FILTERS",
    "PRICE_BUCKETS",
    "SORTS",
    "Classification",
    "Hit",
    "InvalidQueryError",
    "Query",
    "SearchBackend",
    "SearchDocument",
    "SearchError",
    "SearchResult",
    "SearchUnavailable",
    "Suggestion",
    "backend_from_url",
]
