"""Plain data going in and out of a search backend: documents, queries and results."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from search.errors import InvalidQueryError

#: Document types the marketplace indexes.
DOCUMENT_TYPES = ("demand", "product", "proposal", "organisation", "idea")

#: Price buckets in won: (key, lower bound inclusive, upper bound exclusive). Both backends
#: store the bucket key on the document, so the facet and the filter are plain terms.
PRICE_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under_10m", None, 10_000_000),
    ("10m_100m", 10_000_000, 100_000_000),
    ("100m_1b", 100_000_000, 1_000_000_000),
    ("over_1b", 1_000_000_000, None),
)

#: Facets every search can count, by name.
FACETS = (
    "type",
    "division",
    "region",
    "status",
    "designated",
    "readiness_level",
    "price_range",
    "organisation",
)

#: Filters a Query accepts: the facet names (exact values, a list means any of them) plus
#: ``code`` (classification code prefix), ``language``, ``amount_min``/``amount_max`` (won).
TERM_FILTERS = (*FACETS, "language")
RANGE_FILTERS = ("amount_min", "amount_max")
PREFIX_FILTERS = ("code",)
FILTERS = (*TERM_FILTERS, *PREFIX_FILTERS, *RANGE_FILTERS)

#: Sort orders. ``amount`` is the same as ``amount_desc``.
SORTS = ("relevance", "newest", "closing", "amount", "amount_desc", "amount_asc")

MAX_PER_PAGE = 100
#: Deepest result a query may ask for (page * per_page), as Elasticsearch's default window.
MAX_WINDOW = 10_000


def price_bucket(amount: int | None) -> str | None:
    """The PRICE_BUCKETS key an amount in won falls into, or None without an amount."""
    if amount is None:
        return None
    for key, low, high in PRICE_BUCKETS:
        if (low is None or amount >= low) and (high is None or amount < high):
            return key
    return None  # pragma: no cover - the buckets cover every integer


def code_division(code: str) -> str:
    """The division of a classification code: two digits of a CPV code (``35`` for
    ``35613000``), the letter and two digits of a GSIN code (``N61`` for ``N6115B``)."""
    code = code.strip().upper()
    if code[:1].isalpha():
        return code[:3]
    return code[:2]


def code_prefixes(code: str) -> list[str]:
    """Every prefix of a code from its division on, so a prefix filter is a term lookup.

    Trailing zeros of a CPV code mark a higher level, so ``35600000`` also yields ``356``.
    """
    code = code.strip().upper()
    start = len(code_division(code))
    out = {code[:i] for i in range(start, len(code) + 1)}
    stripped = code.rstrip("0")
    if code.isdigit() and len(stripped) >= start:
        out.add(stripped)
    return sorted(out)


@dataclass(frozen=True)
class Classification:
    """A procurement classification code (CPV, GSIN, or the Korean 물품분류번호) with labels."""

    code: str
    label_ko: str = ""
    label_en: str = ""


def _aware(value: datetime | str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


@dataclass(frozen=True)
class SearchDocument:
    """One searchable thing: a demand (혁신수요), product, reverse proposal (역제안),
    organisation or citizen idea. ``id`` is ``"<type>:<primary key>"``.

    ``acl`` lists the principals allowed to see it: ``("public",)`` for public documents,
    e.g. ``("org:5", "org:9", "role:operator", "user:12")`` for a confidential proposal.
    Dates must be timezone-aware; ``amount`` is a price or budget in whole won.

    :raise ValueError: on an empty id or acl, an unknown type or a naive date.
    """

    id: str
    type: str
    title: str
    body: str = ""
    classifications: Sequence[Classification] = ()
    organisation_id: str | None = None
    organisation_name: str = ""
    region: str | None = None
    status: str | None = None
    designated: bool = False
    innovativeness: float | None = None
    readiness_level: int | None = None
    amount: int | None = None
    published_at: datetime | None = None
    closes_at: datetime | None = None
    language: str = "ko"
    acl: Sequence[str] = ("public",)

    @property
    def designation(self) -> bool | None:
        """Designated or not — only a product can be: other records (None) stay out of the
        ``designated`` facet and filter."""
        return self.designated if self.type == "product" else None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a document needs an id")
        if self.type not in DOCUMENT_TYPES:
            raise ValueError(f"unknown document type {self.type!r}")
        if not self.acl:
            raise ValueError("a document needs at least one principal in acl")
        object.__setattr__(self, "acl", tuple(self.acl))
        object.__setattr__(
            self,
            "classifications",
            tuple(
                c if isinstance(c, Classification) else Classification(**c)
                for c in self.classifications
            ),
        )
        object.__setattr__(self, "published_at", _aware(self.published_at, "published_at"))
        object.__setattr__(self, "closes_at", _aware(self.closes_at, "closes_at"))
        if self.amount is not None:
            object.__setattr__(self, "amount", int(self.amount))
        if self.organisation_id is not None:
            object.__setattr__(self, "organisation_id", str(self.organisation_id))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchDocument:
        """Build a document from a plain mapping with the same keys (dates may be ISO strings).

        :raise ValueError: on unknown keys or invalid values.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown document fields: {sorted(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (dates as ISO 8601 strings)."""
        out = dataclasses.asdict(self)
        out["acl"] = list(self.acl)
        out["classifications"] = [dataclasses.asdict(c) for c in self.classifications]
        for key in ("published_at", "closes_at"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out

    # Derived values both backends index the same way.
    @property
    def codes(self) -> list[str]:
        return [c.code.strip().upper() for c in self.classifications]

    @property
    def divisions(self) -> list[str]:
        return sorted({code_division(c) for c in self.codes})

    @property
    def code_prefixes(self) -> list[str]:
        return sorted({p for c in self.codes for p in code_prefixes(c)})

    @property
    def price_range(self) -> str | None:
        return price_bucket(self.amount)

    @property
    def extra_text(self) -> str:
        """Classification labels (both languages) and the organisation name, searched with
        a low weight."""
        parts = [self.organisation_name]
        for c in self.classifications:
            parts += [c.label_ko, c.label_en]
        return " ".join(p for p in parts if p)


def as_document(doc: SearchDocument | Mapping[str, Any]) -> SearchDocument:
    """Accept a SearchDocument or a plain mapping."""
    return doc if isinstance(doc, SearchDocument) else SearchDocument.from_dict(doc)


@dataclass(frozen=True)
class Query:
    """A search request. ``principals`` are the caller's (e.g. ``["public", "org:5",
    "user:3", "role:supplier"]``); a document is visible when its acl shares one of them.

    ``filters`` maps a name from FILTERS to a value or a list of values (any of them).
    ``facets`` names the facets to count (all of FACETS by default; ``()`` for none).

    :raise InvalidQueryError: on an unknown filter, facet or sort, or a page out of range.
    """

    text: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    principals: Sequence[str] = ("public",)
    facets: Sequence[str] = FACETS
    highlight: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTERS)
        if unknown:
            raise InvalidQueryError(f"unknown filters: {sorted(unknown)}")
        bad_facets = set(self.facets) - set(FACETS)
        if bad_facets:
            raise InvalidQueryError(f"unknown facets: {sorted(bad_facets)}")
        if self.sort not in SORTS:
            raise InvalidQueryError(f"unknown sort {self.sort!r}; one of {SORTS}")
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidQueryError("page must be >= 1 and per_page between 1 and 100")
        if self.page * self.per_page > MAX_WINDOW:
            raise InvalidQueryError(f"results deeper than {MAX_WINDOW} cannot be paged to")
        for name in (*RANGE_FILTERS, "readiness_level"):
            for value in self.filter_values(name):
                if isinstance(value, bool) or not isinstance(value, int | str):
                    raise InvalidQueryError(f"{name} must be an integer, not {value!r}")
                try:
                    int(value)
                except ValueError:
                    raise InvalidQueryError(f"{name} must be an integer, not {value!r}") from None
        if isinstance(self.principals, str):
            raise InvalidQueryError("principals must be a list of strings, not one string")
        object.__setattr__(self, "principals", tuple(self.principals))
        object.__setattr__(self, "facets", tuple(self.facets))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def filter_values(self, name: str) -> list[Any]:
        """The values of a term filter as a list (empty when absent)."""
        value = self.filters.get(name)
        if value is None:
            return []
        if isinstance(value, list | tuple | set | frozenset):
            return list(value)
        return [value]


@dataclass(frozen=True)
class Hit:
    """One ranked result: the app reloads the row by ``id``. ``highlights`` maps a field
    (``title``, ``body``) to an HTML-escaped snippet whose only markup is ``<mark>``."""

    id: str
    type: str
    score: float
    highlights: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    """Ranked ids for one page, the total, and facet counts ``{name: [(value, count)]}``.

    ``degraded`` is true when the backend answered only partly (e.g. a timed-out shard).
    """

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    page: int = 1
    per_page: int = 20
    degraded: bool = False

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self.hits]


@dataclass(frozen=True)
class Suggestion:
    """A completion for a search box: the document title and its id."""

    text: str
    id: str
    type: str


def now_utc() -> datetime:
    return datetime.now(UTC)
