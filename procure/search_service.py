"""The application's search service: views and the API call it, it calls the ``search`` library.

- ``get_backend(app)``: the backend named by ``SEARCH_URL``, built once per app and kept in
  ``app.extensions["search_backend"]`` (``SEARCH_BACKEND_OPTIONS`` in the Flask config are
  passed to it).
- ``parse_params`` validates request arguments (the page drops bad values and says so, the
  API answers 422); ``run_search`` asks the backend with the reader's principals and reloads
  the rows from the database in the ranked order, checking the policy again.
- When the backend is down the result is empty and ``degraded`` (the page says results may be
  incomplete); nothing raises ``SearchUnavailable`` to the caller.
- Saved searches and their alerts (``run_alerts``) live here too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from urllib.parse import urlencode

from flask import Flask, current_app
from flask_babel import get_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

import search
from procure import policy
from procure.errors import FieldError, Invalid, NotFound
from procure.extensions import db
from procure.indexing import principals_for
from procure.models import (
    CitizenIdea,
    Demand,
    Organisation,
    Product,
    ReverseProposal,
    SavedSearch,
    User,
)
from procure.models.base import utcnow
from procure.regions import REGIONS
from procure.validators import whole_number
from search.models import MAX_WINDOW

log = logging.getLogger(__name__)

TYPE_LABELS = {
    "demand": _l("Demand"),
    "product": _l("Product"),
    "proposal": _l("Reverse proposal"),
    # "Organisation" alone reads as one's affiliation (소속) in Korean; here it is the kind of
    # record, an agency or a supplier.
    "organisation": lazy_pgettext("record", "Organisation"),
    "idea": _l("Citizen idea"),
}
PRICE_LABELS = {
    "under_10m": _l("Under ₩10 million"),
    "10m_100m": _l("₩10–100 million"),
    "100m_1b": _l("₩100 million – ₩1 billion"),
    "over_1b": _l("Over ₩1 billion"),
}
SORT_LABELS = {
    "relevance": _l("Best match"),
    "newest": _l("Newest"),
    "closing": _l("Closing soonest"),
    "amount_desc": _l("Highest amount"),
    "amount_asc": _l("Lowest amount"),
}
STATUSES = (
    "published",
    "closed",
    "listed",
    "submitted",
    "shortlisted",
    "declined",
    "accepted",
    "withdrawn",
    "draft",
    "approved",
    "adopted",
)
FREQUENCIES = ("instant", "daily", "off")
FREQUENCY_LABELS = {
    "instant": _l("Instant"),
    "daily": _l("Daily"),
    "off": _l("Off"),
}
MAX_TEXT = 200
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 20
#: Request arguments the search understands (a saved search keeps only these).
PARAMS = (
    "q",
    "type",
    "division",
    "region",
    "status",
    "designated",
    "readiness_level",
    "price_range",
    "agency",
    "amount_min",
    "amount_max",
    "sort",
    "page",
    "per_page",
)
#: Parameters that are lists (repeatable): any of the values.
MULTI = ("type", "division", "region", "status", "price_range", "agency", "readiness_level")


# -- the backend --------------------------------------------------------------------------


def get_backend(app: Flask | None = None) -> search.SearchBackend:
    """The app's backend, built on first use and cached in ``app.extensions``."""
    app = app or current_app._get_current_object()
    backend = app.extensions.get("search_backend")
    if backend is None:
        url = app.config.get("SEARCH_URL") or app.config["SETTINGS"].search_url
        backend = search.backend_from_url(url, **app.config.get("SEARCH_BACKEND_OPTIONS", {}))
        app.extensions["search_backend"] = backend
    return backend


def set_backend(app: Flask, backend: search.SearchBackend | None) -> None:
    """Replace the app's backend (a new cluster address, or tests); None rebuilds it."""
    old = app.extensions.pop("search_backend", None)
    if old is not None and old is not backend:
        try:
            old.close()
        except Exception:
            log.warning("search: closing the previous backend failed", exc_info=True)
    if backend is not None:
        app.extensions["search_backend"] = backend


# -- parameters ---------------------------------------------------------------------------


@dataclass
class SearchParams:
    text: str = ""
    filters: dict = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    args: dict = field(default_factory=dict)  # the valid arguments, for links and saving


def _values(source, name: str) -> list[str]:
    if hasattr(source, "getlist"):
        raw = source.getlist(name)
    else:
        raw = source.get(name)
        if raw is None:
            raw = []
        elif not isinstance(raw, list | tuple):
            raw = [raw]
    return [str(v).strip() for v in raw if v is not None and str(v).strip() != ""]


def _is_division(value: str) -> bool:
    return (len(value) == 2 and value.isdigit()) or (
        len(value) == 3 and value[0].isalpha() and value[1:].isdigit()
    )


def _whole(value: str, low: int, high: int) -> int | None:
    return whole_number(value.replace(",", ""), low, high)


def parse_params(source: Mapping) -> tuple[SearchParams, list[FieldError]]:
    """Read and check the search arguments (a request's ``args`` or a saved dict).

    Returns the valid part and the errors; invalid values are left out of the params.
    """
    errors: list[FieldError] = []
    params = SearchParams()
    args: dict = {}

    text = " ".join(_values(source, "q"))
    if len(text) > MAX_TEXT:
        errors.append(FieldError("q", _("Use at most %(max)d characters.", max=MAX_TEXT)))
    elif "\x00" in text:
        errors.append(FieldError("q", _("The text contains a character that is not allowed.")))
    else:
        params.text = text
        if text:
            args["q"] = text

    def choice(name: str, allowed, filter_name: str | None = None, normalise=str) -> None:
        values = _values(source, name)
        if not values:
            return
        if len(values) > 20:
            errors.append(FieldError(name, _("Choose at most 20 values.")))
            return
        good = []
        for value in values:
            value = normalise(value)
            if value not in allowed:
                errors.append(FieldError(name, _("Choose one of the listed options.")))
                return
            good.append(value)
        params.filters[filter_name or name] = good if len(good) > 1 else good[0]
        args[name] = good if len(good) > 1 else good[0]

    choice("type", search.DOCUMENT_TYPES)
    choice("region", REGIONS)
    choice("status", STATUSES)
    choice("price_range", [key for key, _low, _high in search.PRICE_BUCKETS])
    choice("designated", ("true", "false"), normalise=str.lower)
    choice("readiness_level", [str(n) for n in range(1, 10)])

    divisions = _values(source, "division")
    if divisions:
        if all(_is_division(d) for d in divisions) and len(divisions) <= 20:
            good = [d.upper() for d in divisions]
            params.filters["division"] = good if len(good) > 1 else good[0]
            args["division"] = params.filters["division"]
        else:
            errors.append(
                FieldError("division", _("Use a category code of two digits, such as 35."))
            )

    agencies = _values(source, "agency")
    if agencies:
        ids = [_whole(a, 1, 2**62) for a in agencies]
        if None in ids or len(ids) > 20:
            errors.append(FieldError("agency", _("Use an organisation number.")))
        else:
            values = [str(i) for i in ids]
            params.filters["organisation"] = values if len(values) > 1 else values[0]
            args["agency"] = values if len(values) > 1 else values[0]

    for name in ("amount_min", "amount_max"):
        values = _values(source, name)
        if not values:
            continue
        number = _whole(values[0], 0, 10**15) if len(values) == 1 else None
        if number is None:
            errors.append(FieldError(name, _("Use an amount in won (a whole number).")))
        else:
            params.filters[name] = number
            args[name] = str(number)
    if (
        "amount_min" in params.filters
        and "amount_max" in params.filters
        and params.filters["amount_min"] > params.filters["amount_max"]
    ):
        errors.append(FieldError("amount_max", _("The maximum must not be less than the minimum.")))
        del params.filters["amount_max"]
        args.pop("amount_max", None)

    sort = _values(source, "sort")
    if sort:
        if len(sort) == 1 and sort[0] in SORT_LABELS:
            params.sort = sort[0]
            if sort[0] != "relevance":
                args["sort"] = sort[0]
        else:
            errors.append(FieldError("sort", _("Choose one of the listed options.")))

    for name, top, default in (("page", 500, 1), ("per_page", MAX_PER_PAGE, DEFAULT_PER_PAGE)):
        values = _values(source, name)
        if not values:
            setattr(params, name, default)
            continue
        number = _whole(values[0], 1, top) if len(values) == 1 else None
        if number is None:
            errors.append(FieldError(name, _("Use a whole number from 1 to %(max)d.", max=top)))
        else:
            setattr(params, name, number)
            if name == "per_page" and number != DEFAULT_PER_PAGE:
                args[name] = str(number)
    if params.page * params.per_page > MAX_WINDOW:
        errors.append(
            FieldError("page", _("Results this deep cannot be shown; narrow the search instead."))
        )
        params.page = 1
        args.pop("page", None)
    params.args = args
    return params, errors


def parse_or_raise(source: Mapping) -> SearchParams:
    """:raise Invalid: (422) when an argument is not valid."""
    params, errors = parse_params(source)
    if errors:
        raise Invalid(_("Check the query parameters."), errors)
    return params


def build_query(params: SearchParams, user, *, facets=search.FACETS, highlight=True):
    return search.Query(
        text=params.text,
        filters=dict(params.filters),
        page=params.page,
        per_page=params.per_page,
        sort=params.sort,
        principals=principals_for(user),
        facets=facets,
        highlight=highlight,
    )


# -- searching ----------------------------------------------------------------------------

_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str) -> Markup:
    """Keep ``<mark>`` and ``</mark>``; escape every other ``<``, ``>`` and quote.

    Entities the backend already wrote (``&lt;``) are left alone, so text is never escaped
    twice; a bare ``&`` cannot start markup.
    """
    parts = _MARK.split(str(snippet))
    out = []
    for part in parts:
        if _MARK.fullmatch(part):
            out.append(part)
        else:
            out.append(
                part.replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace('"', "&#34;")
                .replace("'", "&#39;")
            )
    balanced = "".join(out)
    # Unbalanced marks (a cut snippet) would swallow the rest of the page into <mark>.
    if balanced.count("<mark>") != balanced.count("</mark>"):
        balanced = _MARK.sub("", balanced)
    return Markup(balanced)  # noqa: S704 - every character outside the marks is escaped above


@dataclass
class Item:
    type: str
    row: object
    hit: search.Hit

    @property
    def highlights(self) -> dict:
        """The backend's snippets, with any markup other than ``<mark>`` escaped.

        The search library escapes the text itself, but the page shows these snippets unescaped
        (``|safe``), so a remote or misbehaving backend must not be able to inject markup.
        """
        return {name: safe_snippet(value) for name, value in self.hit.highlights.items()}


@dataclass
class SearchPage:
    items: list[Item]
    total: int
    facets: dict
    page: int
    per_page: int
    degraded: bool = False
    unavailable: bool = False

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 5) -> list[int]:
        start = max(1, min(self.page - size // 2, self.pages - size + 1))
        return list(range(start, min(self.pages, start + size - 1) + 1))


def _visible_rows(user, entity_type: str, ids: list[int]) -> dict[int, object]:
    """The rows with these ids that the policy lets ``user`` see (defence in depth)."""
    if not ids:
        return {}
    if entity_type == "demand":
        stmt = select(Demand).where(Demand.id.in_(ids), policy.demand_filter(user))
    elif entity_type == "product":
        stmt = select(Product).where(Product.id.in_(ids), policy.product_filter(user))
    elif entity_type == "proposal":
        stmt = select(ReverseProposal).where(
            ReverseProposal.id.in_(ids), policy.proposal_filter(user)
        )
    elif entity_type == "idea":
        stmt = select(CitizenIdea).where(CitizenIdea.id.in_(ids), policy.idea_filter(user))
    elif entity_type == "organisation":
        stmt = select(Organisation).where(
            Organisation.id.in_(ids),
            Organisation.deleted_at.is_(None),
            Organisation.verified_at.is_not(None),
        )
    else:
        return {}
    return {row.id: row for row in db.session.scalars(stmt).all()}


def reload(user, hits: list[search.Hit]) -> list[Item]:
    """The rows behind ``hits``, in the ranked order; hits without a visible row are dropped."""
    wanted: dict[str, list[int]] = {}
    for hit in hits:
        kind, _sep, pk = hit.id.partition(":")
        if pk.isdigit():
            wanted.setdefault(kind, []).append(int(pk))
    rows = {kind: _visible_rows(user, kind, ids) for kind, ids in wanted.items()}
    items = []
    for hit in hits:
        kind, _sep, pk = hit.id.partition(":")
        row = rows.get(kind, {}).get(int(pk)) if pk.isdigit() else None
        if row is not None:
            items.append(Item(kind, row, hit))
    return items


def run_search(user, params: SearchParams, *, facets=search.FACETS) -> SearchPage:
    """Search as ``user``; on an outage an empty, degraded page (never raises for it)."""
    query = build_query(params, user, facets=facets)
    try:
        result = get_backend().search(query)
    except search.SearchUnavailable as exc:
        log.warning("search unavailable: %s", exc)
        return SearchPage([], 0, {}, params.page, params.per_page, True, True)
    items = reload(user, list(result.hits))
    return SearchPage(
        items=items,
        total=result.total,
        facets=dict(result.facets),
        page=params.page,
        per_page=params.per_page,
        degraded=bool(result.degraded),
    )


def suggest(user, prefix: str, limit: int = 8) -> tuple[list[dict], bool]:
    """Suggestions for what the reader is typing, and whether the backend was down."""
    prefix = (prefix or "").strip()[:100]
    if not prefix:
        return [], False
    try:
        found = get_backend().suggest(prefix, principals_for(user), limit=limit)
    except search.SearchUnavailable:
        return [], True
    return [{"text": s.text, "id": s.id, "type": s.type} for s in found], False


def organisation_names(ids) -> dict[str, str]:
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if not numbers:
        return {}
    rows = db.session.scalars(select(Organisation).where(Organisation.id.in_(numbers))).all()
    locale = str(get_locale())
    return {str(row.id): row.display_name(locale) for row in rows}


# -- saved searches -----------------------------------------------------------------------


def saved_query(params: SearchParams) -> dict:
    """What a saved search keeps: the valid arguments, without the page."""
    return {k: v for k, v in params.args.items() if k not in ("page", "per_page")}


def save_search(user: User, name: str, params: SearchParams, frequency: str) -> SavedSearch:
    """:raise Invalid: no name, a name too long, an unknown frequency or too many saved."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldError("name", _("This field is required.")))
    elif len(name) > 100:
        errors.append(FieldError("name", _("Use at most %(max)d characters.", max=100)))
    if frequency not in FREQUENCIES:
        errors.append(FieldError("frequency", _("Choose how often to be alerted.")))
    count = len(saved_for(user))
    if count >= 50:
        errors.append(FieldError("name", _("You can keep at most 50 saved searches.")))
    if errors:
        raise Invalid(_("The search could not be saved."), errors)
    row = SavedSearch(
        user_id=user.id,
        name=name,
        query=saved_query(params),
        frequency=frequency,
        last_checked_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def saved_for(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
        ).all()
    )


def delete_saved(user: User, saved_id: int) -> None:
    """:raise NotFound: no such saved search of this user's."""
    row = db.session.get(SavedSearch, saved_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("This saved search does not exist."))
    db.session.delete(row)
    db.session.flush()


def saved_link(saved: SavedSearch) -> str:
    return "/search/?" + urlencode(saved.query or {}, doseq=True)


# -- alerts -------------------------------------------------------------------------------


def _new_since(item: Item, since: datetime) -> bool:
    when = item.row.published_at if item.type == "demand" else item.row.listed_at
    return when is not None and when > since


def run_alerts(
    app: Flask | None = None,
    frequency: str = "daily",
    *,
    backend: search.SearchBackend | None = None,
    now: datetime | None = None,
) -> int:
    """Notify owners of saved searches (of this frequency) about demands and products
    published or listed since they were last checked. Returns how many were notified.

    The rows go into the current transaction; the caller commits. When the backend is down
    nothing is checked, so nothing is skipped: the next run looks again.
    """
    from procure.notifications.services import notify

    app = app or current_app._get_current_object()
    backend = backend or get_backend(app)
    now = now or utcnow()
    notified = 0
    saved_rows = db.session.scalars(
        select(SavedSearch).where(SavedSearch.frequency == frequency).order_by(SavedSearch.id)
    ).all()
    for saved in saved_rows:
        user = db.session.get(User, saved.user_id)
        if user is None or not user.is_active:
            continue
        params, _errors = parse_params(saved.query or {})
        wanted = params.filters.get("type")
        wanted = [wanted] if isinstance(wanted, str) else list(wanted or ())
        types = [t for t in wanted if t in ("demand", "product")] or ["demand", "product"]
        params.filters["type"] = types
        params.sort, params.page, params.per_page = "newest", 1, 50
        query = build_query(params, user, facets=(), highlight=False)
        try:
            result = backend.search(query)
        except search.SearchUnavailable:
            log.warning("search alerts: backend unavailable; will retry on the next run")
            return notified
        since = saved.last_checked_at or saved.created_at
        fresh = [item for item in reload(user, list(result.hits)) if _new_since(item, since)]
        saved.last_checked_at = now
        if not fresh:
            continue
        titles = [item.row.title if item.type == "demand" else item.row.name for item in fresh]
        name, count = saved.name, len(fresh)
        notify(
            [user],
            "search.alert",
            title=lambda name=name, n=count: _(
                "%(n)d new results for your saved search “%(name)s”", n=n, name=name
            ),
            body=lambda titles=titles: "\n".join(f"- {t}" for t in titles[:20]),
            link=saved_link(saved),
        )
        notified += 1
    db.session.flush()
    return notified
