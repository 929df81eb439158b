"""The unified list of open and upcoming demand: demands, R&D demand surveys, adopted ideas.

One SQL statement (a UNION ALL of published demands and adopted citizen ideas, each branch
filtered) gives the page; agencies and classification codes of the page's rows are loaded in
one query each, so a page costs the same number of queries for 3 rows as for 100.
See docs/one-stop.md for the rules (what is listed, upcoming, short and long term).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from procure.checks import day_range_message
from procure.clock import local_today, local_zone
from procure.errors import FieldError, Invalid
from procure.extensions import db
from procure.models import (
    CitizenIdea,
    Demand,
    DemandCode,
    DemandStatus,
    DemandType,
    IdeaStatus,
    Organisation,
    OrganisationKind,
)
from procure.pagination import Page
from procure.regions import REGIONS
from procure.validators import is_plausible_day

IDEA = "idea"
KINDS = (*DemandType, IDEA)
TERMS = ("short", "long")
STATES = ("open", "upcoming")
SORTS = ("next", "newest")
SHORT_TERM_DAYS = 365  # a horizon within 12 months is short term
MAX_FEED_ITEMS = 500
_DIGITS = re.compile(r"[0-9]{1,19}")
_CODE_PREFIX = re.compile(r"[0-9]{2,8}")
MAX_ID = 2**62

KIND_LABELS = {
    "purchase": _l("Procurement demand"),
    "pilot": _l("Pilot purchase demand"),
    "rnd": _l("R&D demand survey"),
    "dialogue": _l("Competitive dialogue"),
    IDEA: _l("Adopted citizen idea"),
}
TERM_LABELS = {"short": _l("Short term (within 12 months)"), "long": _l("Long term")}
STATE_LABELS = {"open": _l("Open now"), "upcoming": _l("Upcoming")}


def kind_label(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind or "", kind or ""))


# -- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a reader, a feed, the API or a subscription asks for; empty means everything."""

    kind: str | None = None
    agency: int | None = None
    code: str | None = None
    region: str | None = None
    term: str | None = None
    state: str | None = None
    start: date | None = None  # period from (query string ``from``)
    end: date | None = None  # period to (query string ``to``)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string values (``from``/``to`` for the period), empty dropped."""
        args = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            name = {"start": "from", "end": "to"}.get(item.name, item.name)
            args[name] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    @property
    def is_empty(self) -> bool:
        return not self.as_args()


FILTER_ARGS = ("kind", "agency", "code", "region", "term", "state", "from", "to")


def _day(raw: str, name: str, errors: list[FieldError]) -> date | None:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        errors.append(FieldError(name, _("Enter a date as YYYY-MM-DD.")))
        return None
    if not is_plausible_day(value):
        errors.append(FieldError(name, day_range_message()))
        return None
    return value


def parse_filters(args: Mapping) -> Filters:
    """Read filters strictly from a query string (or a stored subscription).

    :raise Invalid: a value is malformed; each field error names the parameter.
    """
    errors: list[FieldError] = []

    def raw(name: str) -> str | None:
        value = args.get(name)
        if value is None:
            return None
        value = str(value).strip()
        if "\x00" in value:
            errors.append(FieldError(name, _("Must not contain NUL characters.")))
            return None
        return value or None

    def choice(name: str, allowed) -> str | None:
        value = raw(name)
        if value is not None and value not in allowed:
            errors.append(FieldError(name, _("Choose one of the listed options.")))
            return None
        return value

    kind = choice("kind", KINDS)
    term = choice("term", TERMS)
    state = choice("state", STATES)
    region = raw("region")
    if region is not None and region not in REGIONS:
        errors.append(FieldError("region", _("Unknown region code.")))
        region = None
    agency = None
    if (value := raw("agency")) is not None:
        if _DIGITS.fullmatch(value) and 1 <= int(value) <= MAX_ID:
            agency = int(value)
        else:
            errors.append(FieldError("agency", _("Choose an agency from the list.")))
    code = raw("code")
    if code is not None and not _CODE_PREFIX.fullmatch(code):
        errors.append(FieldError("code", _("Use 2 to 8 digits of a CPV code, such as 35 or 3561.")))
        code = None
    start = _day(value, "from", errors) if (value := raw("from")) is not None else None
    end = _day(value, "to", errors) if (value := raw("to")) is not None else None
    if start and end and end < start:
        errors.append(FieldError("to", _("The end of the period must not be before its start.")))
    if errors:
        raise Invalid(_("Check the filters."), errors)
    return Filters(kind, agency, code, region, term, state, start, end)


# -- items ------------------------------------------------------------------------------------


@dataclass
class Item:
    """One row of the unified list, whatever its source."""

    kind: str  # a demand type, or "idea"
    id: int
    title: str
    summary: str
    agency_id: int | None
    region: str | None
    opens_on: date | None
    closes_on: date | None
    expected_purchase_on: date | None
    next_on: date | None
    posted_at: datetime | None
    idea_id: int | None
    language: str | None
    agency: Organisation | None = None
    codes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return IDEA if self.kind == IDEA else "demand"

    @property
    def uid(self) -> str:
        """Stable across fetches and edits: the source and its id."""
        return f"{self.source}-{self.id}"

    @property
    def from_idea(self) -> bool:
        return self.kind != IDEA and self.idea_id is not None

    @property
    def posted_on(self) -> date | None:
        return self.posted_at.astimezone(local_zone()).date() if self.posted_at else None

    def horizon(self) -> date | None:
        return self.expected_purchase_on or self.closes_on

    def term(self, today: date) -> str:
        horizon = self.horizon()
        if horizon is not None and horizon <= today + timedelta(days=SHORT_TERM_DAYS):
            return "short"
        return "long"

    def state(self, today: date) -> str:
        if self.kind == IDEA:
            return "upcoming"
        opened = self.opens_on is None or self.opens_on <= today
        not_closed = self.closes_on is None or self.closes_on >= today
        return "open" if opened and not_closed else "upcoming"

    def dates(self) -> list[tuple[str, date]]:
        """The item's calendar dates: (what, day), in order."""
        if self.kind == IDEA:
            return [("adopted", self.posted_on)] if self.posted_on else []
        out = [
            ("opens", self.opens_on),
            ("closes", self.closes_on),
            ("purchase", self.expected_purchase_on),
        ]
        return [(what, day) for what, day in out if day is not None]


DATE_LABELS = {
    "opens": _l("Opens"),
    "closes": _l("Closes"),
    "purchase": _l("Expected purchase"),
    "adopted": _l("Adopted"),
}


def date_label(what: str) -> str:
    return str(DATE_LABELS.get(what, what))


def _day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _demand_branch(filters: Filters, today: date, posted_after, posted_until):
    horizon = func.coalesce(Demand.expected_purchase_on, Demand.closes_on)
    short_limit = today + timedelta(days=SHORT_TERM_DAYS)
    next_on = case(
        (Demand.opens_on > today, Demand.opens_on),
        (Demand.closes_on >= today, Demand.closes_on),
        else_=Demand.expected_purchase_on,
    )
    conditions = [
        Demand.status == DemandStatus.PUBLISHED,
        Demand.deleted_at.is_(None),
        # open or upcoming: something is still ahead (or no dates at all)
        or_(
            Demand.closes_on >= today,
            Demand.expected_purchase_on >= today,
            and_(Demand.closes_on.is_(None), Demand.expected_purchase_on.is_(None)),
        ),
    ]
    if filters.kind == IDEA:
        conditions.append(false())
    elif filters.kind:
        conditions.append(Demand.demand_type == filters.kind)
    if filters.agency:
        conditions.append(Demand.agency_id == filters.agency)
    if filters.region:
        conditions.append(Demand.region == filters.region)
    if filters.code:
        conditions.append(
            exists().where(
                DemandCode.demand_id == Demand.id, DemandCode.code.like(f"{filters.code}%")
            )
        )
    if filters.term == "short":
        conditions.append(and_(horizon.is_not(None), horizon <= short_limit))
    elif filters.term == "long":
        conditions.append(or_(horizon.is_(None), horizon > short_limit))
    opened = or_(Demand.opens_on.is_(None), Demand.opens_on <= today)
    not_closed = or_(Demand.closes_on.is_(None), Demand.closes_on >= today)
    if filters.state == "open":
        conditions.append(and_(opened, not_closed))
    elif filters.state == "upcoming":
        conditions.append(~and_(opened, not_closed))
    # The period overlaps [opens_on, latest of closes_on and expected_purchase_on].
    if filters.end:
        conditions.append(or_(Demand.opens_on.is_(None), Demand.opens_on <= filters.end))
    if filters.start:
        conditions.append(
            or_(
                Demand.closes_on >= filters.start,
                Demand.expected_purchase_on >= filters.start,
                and_(Demand.closes_on.is_(None), Demand.expected_purchase_on.is_(None)),
            )
        )
    if posted_after is not None:
        conditions.append(Demand.published_at > posted_after)
    if posted_until is not None:
        conditions.append(Demand.published_at <= posted_until)
    return select(
        literal_column("'demand'", String).label("source"),
        Demand.demand_type.label("kind"),
        Demand.id.label("id"),
        Demand.title.label("title"),
        Demand.problem.label("summary"),
        Demand.agency_id.label("agency_id"),
        Demand.region.label("region"),
        Demand.opens_on.label("opens_on"),
        Demand.closes_on.label("closes_on"),
        Demand.expected_purchase_on.label("expected_purchase_on"),
        next_on.label("next_on"),
        Demand.published_at.label("posted_at"),
        Demand.idea_id.label("idea_id"),
        Demand.language.label("language"),
    ).where(*conditions)


def _idea_branch(filters: Filters, today: date, posted_after, posted_until):
    published_demand = exists().where(
        Demand.idea_id == CitizenIdea.id,
        Demand.status != DemandStatus.DRAFT,
        Demand.deleted_at.is_(None),
    )
    conditions = [CitizenIdea.status == IdeaStatus.ADOPTED, ~published_demand]
    # Ideas have no schedule: no classification, long term, upcoming, open-ended from adoption.
    if (filters.kind and filters.kind != IDEA) or filters.code:
        conditions.append(false())
    if filters.term == "short" or filters.state == "open":
        conditions.append(false())
    if filters.agency:
        conditions.append(CitizenIdea.adopted_by_id == filters.agency)
    if filters.region:
        conditions.append(CitizenIdea.region == filters.region)
    if filters.end:
        conditions.append(CitizenIdea.updated_at < _day_start_utc(filters.end + timedelta(days=1)))
    if posted_after is not None:
        conditions.append(CitizenIdea.updated_at > posted_after)
    if posted_until is not None:
        conditions.append(CitizenIdea.updated_at <= posted_until)
    return select(
        literal_column("'idea'", String).label("source"),
        literal_column("'idea'", String).label("kind"),
        CitizenIdea.id.label("id"),
        CitizenIdea.title.label("title"),
        CitizenIdea.problem.label("summary"),
        CitizenIdea.adopted_by_id.label("agency_id"),
        CitizenIdea.region.label("region"),
        cast(null(), Date).label("opens_on"),
        cast(null(), Date).label("closes_on"),
        cast(null(), Date).label("expected_purchase_on"),
        cast(null(), Date).label("next_on"),
        CitizenIdea.updated_at.label("posted_at"),
        CitizenIdea.id.label("idea_id"),
        cast(null(), String).label("language"),
    ).where(*conditions)


def _union(filters: Filters, today: date, posted_after=None, posted_until=None):
    return union_all(
        _demand_branch(filters, today, posted_after, posted_until),
        _idea_branch(filters, today, posted_after, posted_until),
    ).subquery("demand_info")


def _ordered(rows, sort: str):
    if sort == "newest":
        order = (rows.c.posted_at.desc(), rows.c.source, rows.c.id.desc())
    else:
        order = (
            rows.c.next_on.asc().nulls_last(),
            rows.c.posted_at.desc(),
            rows.c.source,
            rows.c.id.desc(),
        )
    return select(rows).order_by(*order)


def _hydrate(rows) -> list[Item]:
    items = [
        Item(
            kind=row.kind,
            id=row.id,
            title=row.title,
            summary=row.summary or "",
            agency_id=row.agency_id,
            region=row.region,
            opens_on=row.opens_on,
            closes_on=row.closes_on,
            expected_purchase_on=row.expected_purchase_on,
            next_on=row.next_on,
            posted_at=row.posted_at,
            idea_id=row.idea_id,
            language=row.language,
        )
        for row in rows
    ]
    agency_ids = {item.agency_id for item in items if item.agency_id}
    if agency_ids:
        agencies = {
            org.id: org
            for org in db.session.scalars(
                select(Organisation).where(Organisation.id.in_(agency_ids))
            )
        }
        for item in items:
            item.agency = agencies.get(item.agency_id)
    demand_ids = [item.id for item in items if item.source == "demand"]
    if demand_ids:
        codes: dict[int, list[str]] = {}
        for demand_id, code in db.session.execute(
            select(DemandCode.demand_id, DemandCode.code)
            .where(DemandCode.demand_id.in_(demand_ids))
            .order_by(DemandCode.code)
        ):
            codes.setdefault(demand_id, []).append(code)
        for item in items:
            if item.source == "demand":
                item.codes = codes.get(item.id, [])
    return items


def find(
    filters: Filters,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "next",
    today: date | None = None,
) -> Page:
    """A page of the unified list: two queries, plus one each for agencies and codes."""
    today = today or local_today()
    rows = _union(filters, today)
    total = db.session.scalar(select(func.count()).select_from(rows)) or 0
    result = db.session.execute(_ordered(rows, sort).limit(per_page).offset((page - 1) * per_page))
    return Page(_hydrate(result), page, per_page, total)


def find_all(
    filters: Filters,
    *,
    sort: str = "next",
    today: date | None = None,
    posted_after: datetime | None = None,
    posted_until: datetime | None = None,
    limit: int = MAX_FEED_ITEMS,
) -> list[Item]:
    """Every matching item (up to ``limit``), for feeds, the calendar and digests."""
    today = today or local_today()
    rows = _union(filters, today, posted_after, posted_until)
    result = db.session.execute(_ordered(rows, sort).limit(limit))
    return _hydrate(result)


def month_filters(filters: Filters, first: date, last: date) -> Filters:
    """The filters narrowed to one month (or to the part of it inside the chosen period)."""
    start = max(first, filters.start) if filters.start else first
    end = min(last, filters.end) if filters.end else last
    return replace(filters, start=start, end=end)


def agency_choices() -> list[tuple[int, str, str | None]]:
    """Agencies a reader may filter by: (id, name, English name)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.name_en)
        .where(Organisation.kind == OrganisationKind.AGENCY, Organisation.deleted_at.is_(None))
        .order_by(Organisation.name)
    )
    return [(row.id, row.name, row.name_en) for row in rows]
