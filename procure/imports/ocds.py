"""Import Open Contracting (OCDS) tenders as published demands of verified agencies.

Reading and mapping are plain functions of plain data; :class:`Importer` writes them to the
database. Every release is saved in its own SAVEPOINT, every file in an enclosing one, and the
caller commits (the command does so after each file). See ``docs/ocds-import.md`` for the
mapping and the decisions behind it.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from procure.audit.services import record
from procure.classification.services import normalise_code
from procure.extensions import db
from procure.models import Organisation, OrganisationKind
from procure.models.base import utcnow
from procure.models.market import (
    Demand,
    DemandCode,
    DemandOutcome,
    DemandRevision,
    DemandStatus,
    DemandType,
)

SOURCE = "ocds"
# Files a folder walk reads; everything else (README, *.REMOVED.git-id, …) is listed as ignored.
SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
MAX_ITEM_LINES = 50  # item lines written into the problem text
MAX_PROBLEM = 20_000

# tender.status (OCDS tenderStatus codelist) → demand outcome; any other status stays published.
CLOSED_OUTCOMES = {
    "complete": DemandOutcome.AWARDED,
    "unsuccessful": DemandOutcome.UNSUCCESSFUL,
    "cancelled": DemandOutcome.WITHDRAWN,
    "withdrawn": DemandOutcome.WITHDRAWN,
}
# Scheme names longer than DemandCode.scheme (16 characters) that publishers really use.
SCHEME_ALIASES = {
    "CATÁLOGO DE PRODUCTOS, BIENES Y SERVICIOS DE LA DIRECCIÓN NACIONAL DE CONTRATACIONES "
    "PÚBLICAS DEL PARAGUAY": "PY-DNCP",
}
_KOREAN_TAGS = {"ko", "kor", "korean", "한국어"}
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p\s*>|</li\s*>|</div\s*>", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
# Canada writes GSIN codes into the description: "5151A: Foundation Work, 5139A: Construction …"
_CODE_IN_DESCRIPTION = re.compile(r"(?:^|,\s*)([A-Z0-9]{1,16})\s*:")


class OCDSFileError(Exception):
    """The file cannot be read as OCDS at all (nothing from it is imported)."""


class Unfit(Exception):
    """One release cannot become a demand; the message says why."""


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class Entry:
    """One release to import (a record contributes one entry: its compiled release)."""

    ocid: str | None
    release: dict | None
    problem: str | None = None


def find_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The OCDS files under ``path`` (sorted) and the other files, which are ignored."""
    if path.is_file():
        return [path], []
    files, ignored = [], []
    for candidate in sorted(path.rglob("*")):
        if not candidate.is_file():
            continue
        if any(part.startswith(".") for part in candidate.relative_to(path).parts):
            continue
        (files if candidate.name.lower().endswith(SUFFIXES) else ignored).append(candidate)
    return files, ignored


def read_text(path: Path) -> str:
    """The file's text, gunzipped when it starts with the gzip magic number."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise OCDSFileError(f"cannot read the file: {error.strerror or error}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as error:
            raise OCDSFileError(f"the gzip data is truncated or corrupt ({error})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise OCDSFileError(f"not UTF-8 text (bad byte at offset {error.start})") from None


def parse_json(text: str) -> list:
    """The JSON values in ``text``: one document, or one per line (JSON Lines).

    An empty file is an empty JSON Lines file: no values, not an error.
    """
    if not text.strip():
        return []
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise OCDSFileError(
                f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise OCDSFileError(
                f"invalid JSON Lines: {error.msg} on line {number} column {error.colno}"
            ) from None
    return values


def read_entries(path: Path) -> list[Entry]:
    """Every release of the file, or :class:`OCDSFileError` when the file is not usable OCDS."""
    values = parse_json(read_text(path))
    entries: list[Entry] = []
    for value in values:
        entries.extend(entries_of(value))
    return entries


def entries_of(value, *, top: bool = True) -> list[Entry]:
    """Entries of a release package, record package, record, release or list of releases."""
    if isinstance(value, list) and top:
        if value and not any(isinstance(item, dict) for item in value):
            raise OCDSFileError("not OCDS: a list that holds no JSON objects")
        out: list[Entry] = []
        for item in value:
            out.extend(entries_of(item, top=False))
        return out
    if not isinstance(value, dict):
        if top:
            raise OCDSFileError("not OCDS: expected a JSON object or a list of releases")
        return [Entry(None, None, "not a JSON object")]
    if "records" in value:
        records = value["records"]
        if not isinstance(records, list):
            raise OCDSFileError("not OCDS: 'records' is not a list")
        return [_record_entry(item) for item in records]
    if "compiledRelease" in value or ("ocid" in value and isinstance(value.get("releases"), list)):
        return [_record_entry(value)]
    if "releases" in value and "ocid" not in value:
        releases = value["releases"]
        if not isinstance(releases, list):
            raise OCDSFileError("not OCDS: 'releases' is not a list")
        return [_release_entry(item) for item in releases]
    if "ocid" in value or not top:
        return [_release_entry(value)]
    raise OCDSFileError(
        "not OCDS: expected a release package ('releases'), a record package ('records'), "
        "a record or a release ('ocid')"
    )


def _release_entry(release) -> Entry:
    if not isinstance(release, dict):
        return Entry(None, None, "not a JSON object")
    return Entry(_text(release.get("ocid")) or None, release)


def _record_entry(rec) -> Entry:
    if not isinstance(rec, dict):
        return Entry(None, None, "record is not a JSON object")
    compiled = rec.get("compiledRelease")
    ocid = _text(rec.get("ocid")) or (
        _text(compiled.get("ocid")) if isinstance(compiled, dict) else ""
    )
    if isinstance(compiled, dict):
        return Entry(ocid or None, compiled)
    embedded = [
        r for r in rec.get("releases") or [] if isinstance(r, dict) and ("id" in r or "ocid" in r)
    ]
    if not embedded:
        return Entry(
            ocid or None, None, "record has no compiledRelease and only links to its releases"
        )
    merged: dict = {}
    for release in sorted(embedded, key=lambda r: str(r.get("date") or "")):
        merged = _merge(merged, release)
    return Entry(ocid or None, merged)


def _merge(base: dict, update: dict) -> dict:
    """A simplified OCDS merge: objects merge field by field, anything else is replaced."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is not None:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# Mapping one release to the fields of a demand


@dataclass
class DemandData:
    external_id: str
    agency_name: str
    title: str
    problem: str
    desired_outcome: str
    budget: int | None
    quantity: int | None
    opens_on: date | None
    closes_on: date | None
    language: str
    status: str
    outcome: str | None
    published_at: datetime
    codes: list[tuple[str, str]]
    release_id: str = ""

    def comparable(self) -> tuple:
        return (
            self.title,
            self.problem,
            self.desired_outcome,
            self.budget,
            self.quantity,
            self.opens_on,
            self.closes_on,
            self.language,
            self.status,
            self.outcome,
            tuple(sorted(self.codes)),
        )


def map_release(release: dict, ocid: str | None = None) -> DemandData:
    """The demand a release describes; :class:`Unfit` says why there is none."""
    ocid = ocid or _text(release.get("ocid"))
    if not ocid:
        raise Unfit("no ocid")
    if len(ocid) > 200:
        raise Unfit("ocid longer than 200 characters")
    tender = release.get("tender")
    if not isinstance(tender, dict) or not tender:
        raise Unfit("no tender (a planning, award or contract release only)")
    items = [item for item in tender.get("items") or [] if isinstance(item, dict)]
    title = _text(tender.get("title"))
    if not title:
        title = next(
            (_text(i.get("description")) for i in items if _text(i.get("description"))), ""
        )
    if not title:
        raise Unfit("no tender title and no item description")
    title = _shorten(title, 200)
    agency_name = _agency_name(release, tender)
    if not agency_name:
        raise Unfit("no buyer or procuring entity name")
    published_at = parse_datetime(release.get("date"))
    if published_at is None:
        raise Unfit("no valid release date")

    description = _paragraphs(tender.get("description"))
    language = _language(release.get("language"), f"{title} {description}")
    problem = description or title
    lines = _item_lines(items, title, language)
    if lines:
        heading = "품목" if language == "ko" else "Items"
        problem = f"{problem}\n\n{heading}:\n" + "\n".join(lines)

    budget, desired_outcome = _value(tender.get("value"), language)
    tender_period = (
        tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
    )
    status = _text(tender.get("status")).lower()
    outcome = CLOSED_OUTCOMES.get(status)
    return DemandData(
        external_id=ocid,
        agency_name=_shorten(agency_name, 200),
        title=title,
        problem=_shorten(problem, MAX_PROBLEM),
        desired_outcome=desired_outcome,
        budget=budget,
        quantity=_single_quantity(items),
        opens_on=parse_date(tender_period.get("startDate")),
        closes_on=parse_date(tender_period.get("endDate")),
        language=language,
        status=DemandStatus.CLOSED if outcome else DemandStatus.PUBLISHED,
        outcome=str(outcome) if outcome else None,
        published_at=published_at,
        codes=item_codes(items),
        release_id=_text(release.get("id")),
    )


def _text(value) -> str:
    """A one-line text value (whitespace collapsed); anything that is not text gives ""."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())


def _paragraphs(value) -> str:
    """Multi-line text; publishers that send HTML (NSW: ``<p>…</p>``) get plain text."""
    if not isinstance(value, str):
        return ""
    if _HTML_TAG.search(value):
        value = _HTML_BREAK.sub("\n", value)
        value = html.unescape(_HTML_TAG.sub("", value))
    lines = [" ".join(line.split()) for line in value.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _party_name(parties: list[dict], party_id) -> str:
    if party_id is None:
        return ""
    for party in parties:
        if party.get("id") == party_id and _text(party.get("name")):
            return _text(party.get("name"))
    return ""


def _agency_name(release: dict, tender: dict) -> str:
    """buyer, else the party with role buyer, else the procuring entity (reference or party)."""
    parties = [p for p in release.get("parties") or [] if isinstance(p, dict)]
    for reference in (release.get("buyer"),):
        if isinstance(reference, dict):
            name = _text(reference.get("name")) or _party_name(parties, reference.get("id"))
            if name:
                return name
    for role in ("buyer", "procuringEntity"):
        for party in parties:
            roles = party.get("roles") if isinstance(party.get("roles"), list) else []
            if role in roles and _text(party.get("name")):
                return _text(party.get("name"))
    entity = tender.get("procuringEntity")
    if isinstance(entity, dict):
        return _text(entity.get("name")) or _party_name(parties, entity.get("id"))
    return ""


def _language(declared, text: str) -> str:
    """``ko`` or ``en``: the release's ``language`` when given, else Hangul in the text."""
    tag = _text(declared).lower()
    if tag:
        return "ko" if tag in _KOREAN_TAGS or re.match(r"^ko[-_]", tag) else "en"
    return "ko" if _HANGUL.search(text) else "en"


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _format_number(number: Decimal) -> str:
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def _value(value, language: str) -> tuple[int | None, str]:
    """KRW amounts become the budget; other currencies are quoted in the desired outcome."""
    if not isinstance(value, dict):
        return None, ""
    amount = _number(value.get("amount"))
    if amount is None:
        return None, ""
    currency = _text(value.get("currency")).upper()
    if currency == "KRW" and amount >= 0:
        return int(amount), ""
    shown = f"{_format_number(amount)} {currency}" if currency else _format_number(amount)
    if language == "ko":
        return None, f"원 공고의 추정 금액: {shown}" + ("" if currency else " (통화 미기재)")
    return None, f"Estimated value in the source notice: {shown}" + (
        "" if currency else " (currency not stated)"
    )


def _item_lines(items: list[dict], title: str, language: str) -> list[str]:
    lines = []
    for item in items:
        description = _text(item.get("description"))
        quantity = _number(item.get("quantity"))
        unit = item.get("unit") if isinstance(item.get("unit"), dict) else {}
        amount = f"{_format_number(quantity)} {_text(unit.get('name'))}".strip() if quantity else ""
        if not description and not amount:
            continue
        if description == title and not amount:
            continue  # the title already says it
        line = f"- {description or '—'}"
        lines.append(f"{line} — {amount}" if amount else line)
    if len(lines) > MAX_ITEM_LINES:
        rest = len(lines) - MAX_ITEM_LINES
        more = f"- … 외 {rest}개 품목" if language == "ko" else f"- … and {rest} more items"
        lines = [*lines[:MAX_ITEM_LINES], more]
    return lines


def _single_quantity(items: list[dict]) -> int | None:
    if len(items) != 1:
        return None
    quantity = _number(items[0].get("quantity"))
    if quantity is None or quantity <= 0 or quantity != quantity.to_integral_value():
        return None
    return int(quantity) if quantity < 2**31 else None


def _scheme(value) -> str | None:
    scheme = _text(value).upper()
    scheme = SCHEME_ALIASES.get(scheme, scheme)
    return scheme if scheme and len(scheme) <= 16 else None


def _code(scheme: str, raw: str) -> str | None:
    raw = _text(raw)
    if scheme == "CPV":
        code = normalise_code(raw).replace(" ", "")
        if re.fullmatch(r"\d{9}", code):  # check digit without the hyphen
            code = code[:8]
        return code if re.fullmatch(r"\d{8}", code) else None
    return raw if raw and len(raw) <= 16 else None


def item_codes(items: Iterable[dict]) -> list[tuple[str, str]]:
    """(scheme, code) pairs of the items' classifications, in order, without repeats."""
    found: dict[tuple[str, str], None] = {}
    for item in items:
        extra = item.get("additionalClassifications")
        classifications = [item.get("classification"), *(extra if isinstance(extra, list) else [])]
        for classification in classifications:
            if not isinstance(classification, dict):
                continue
            scheme = _scheme(classification.get("scheme"))
            if scheme is None:
                continue
            raw_id = _text(classification.get("id"))
            if raw_id:
                candidates = [raw_id]
            else:
                description = classification.get("description")
                candidates = _CODE_IN_DESCRIPTION.findall(
                    description if isinstance(description, str) else ""
                )
            for candidate in candidates:
                code = _code(scheme, candidate)
                if code:
                    found.setdefault((scheme, code), None)
    return list(found)


def parse_datetime(value) -> datetime | None:
    """An OCDS date-time (or bare date) as an aware UTC datetime; naive values are UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        day = parse_date(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(value) -> date | None:
    """The calendar date an OCDS date-time starts with, as the publisher wrote it."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Writing demands


@dataclass
class Skipped:
    file: str
    ocid: str | None
    reason: str


@dataclass
class FileResult:
    path: Path
    error: str | None = None
    releases: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    agencies_created: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, ocid: str | None, reason: str) -> None:
        self.skipped.append(Skipped(self.path.name, ocid, reason))

    def counts(self) -> dict:
        return {
            "file": self.path.name,
            "releases": self.releases,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "agencies_created": self.agencies_created,
        }


@dataclass
class ImportReport:
    path: Path
    files: list[FileResult] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def empty(self) -> list[FileResult]:
        return [f for f in self.files if not f.error and not f.releases]

    @property
    def skipped(self) -> list[Skipped]:
        return [s for f in self.files for s in f.skipped]


@dataclass
class _Known:
    id: int
    published_at: datetime | None
    source: str


def _agency_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class Importer:
    """Writes mapped releases; caches agencies and known ocids so no row is looked up twice."""

    def __init__(self, own_prefix: str | None = None) -> None:
        self.agencies: dict[str, int] = {}
        self.demands: dict[str, _Known] = {}
        # Releases under this platform's own ocid prefix (``procure export-ocds`` output,
        # or a harvester's copy of it) describe what is already here: never import them.
        if own_prefix is None:
            own_prefix = current_app.config["SETTINGS"].ocds_prefix
        self.own_prefix = f"{own_prefix}-"
        self.reload()

    def reload(self) -> None:
        """(Re)read the agencies and the external ids already in the database."""
        self.agencies = {}
        rows = db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.name_en)
            .where(Organisation.kind == OrganisationKind.AGENCY, Organisation.deleted_at.is_(None))
            .order_by(Organisation.id)
        ).all()
        for org_id, name, _name_en in rows:
            self.agencies.setdefault(_agency_key(name), org_id)
        for org_id, _name, name_en in rows:
            if name_en:
                self.agencies.setdefault(_agency_key(name_en), org_id)
        self.demands = {
            external_id: _Known(demand_id, published_at, source)
            for external_id, demand_id, published_at, source in db.session.execute(
                select(Demand.external_id, Demand.id, Demand.published_at, Demand.source).where(
                    Demand.external_id.is_not(None)
                )
            )
        }

    def import_file(self, path: Path) -> FileResult:
        """Import one file inside a SAVEPOINT: all of its usable releases, or nothing."""
        result = FileResult(path)
        try:
            entries = read_entries(path)
        except OCDSFileError as error:
            result.error = str(error)
            return result
        result.releases = len(entries)
        try:
            with db.session.begin_nested():
                for entry in entries:
                    self._import_entry(entry, result)
                if entries:  # an empty file imported nothing worth an event
                    record("ocds.imported", "import", None, after=result.counts())
        except SQLAlchemyError as error:
            self.reload()
            failed = FileResult(path, releases=len(entries))
            failed.error = f"database error, nothing from this file was imported: {error}"
            return failed
        return result

    def _import_entry(self, entry: Entry, result: FileResult) -> None:
        if entry.problem or entry.release is None:
            result.skip(entry.ocid, entry.problem or "no release")
            return
        if (entry.ocid or "").startswith(self.own_prefix):
            result.skip(entry.ocid, "published by this platform (its own ocid prefix)")
            return
        try:
            data = map_release(entry.release, entry.ocid)
        except Unfit as error:
            result.skip(entry.ocid, str(error))
            return
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            result.skip(entry.ocid, f"malformed release: {error}")
            return
        known = self.demands.get(data.external_id)
        if known is not None and known.source != SOURCE:
            result.skip(data.external_id, "the ocid is the external id of a demand from elsewhere")
            return
        if known is not None and known.published_at and data.published_at <= known.published_at:
            result.unchanged += 1  # this release is not later than the one already imported
            return
        new_agencies: list[str] = []
        try:
            with db.session.begin_nested():
                agency_id = self._agency_id(data.agency_name, new_agencies)
                if known is None:
                    demand = self._create(data, agency_id)
                    outcome = "created"
                else:
                    demand, outcome = self._update(known.id, data, agency_id)
        except SQLAlchemyError as error:
            for key in new_agencies:
                self.agencies.pop(key, None)
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            result.skip(data.external_id, f"could not be saved: {reason[:300]}")
            return
        result.agencies_created += len(new_agencies)
        setattr(result, outcome, getattr(result, outcome) + 1)
        self.demands[data.external_id] = _Known(demand.id, data.published_at, SOURCE)

    def _agency_id(self, name: str, new_agencies: list[str]) -> int:
        key = _agency_key(name)
        agency_id = self.agencies.get(key)
        if agency_id is None:
            agency = Organisation(kind=OrganisationKind.AGENCY, name=name, verified_at=utcnow())
            db.session.add(agency)
            db.session.flush()
            agency_id = self.agencies[key] = agency.id
            new_agencies.append(key)
        return agency_id

    def _create(self, data: DemandData, agency_id: int) -> Demand:
        from procure.demands.services import snapshot

        demand = Demand(
            agency_id=agency_id,
            source=SOURCE,
            external_id=data.external_id,
            demand_type=DemandType.PURCHASE,
            revision=1,
        )
        _apply(demand, data)
        db.session.add(demand)
        db.session.add(
            DemandRevision(demand=demand, revision=1, snapshot=snapshot(demand), note=_note(data))
        )
        return demand

    def _update(self, demand_id: int, data: DemandData, agency_id: int) -> tuple[Demand, str]:
        from procure.demands.services import snapshot

        demand = db.session.get(Demand, demand_id)
        current = (*_comparable(demand), demand.agency_id)
        if current == (*data.comparable(), agency_id):
            demand.published_at = data.published_at  # same content, later release
            return demand, "unchanged"
        before = snapshot(demand)
        demand.agency_id = agency_id
        _apply(demand, data)
        after = snapshot(demand)
        if after != before:
            demand.revision += 1
            db.session.add(
                DemandRevision(
                    demand=demand, revision=demand.revision, snapshot=after, note=_note(data)
                )
            )
        return demand, "updated"


def _note(data: DemandData) -> str:
    release = f"OCDS release {data.release_id}" if data.release_id else "OCDS release"
    return f"{release} of {data.published_at.isoformat()}"[:500]


def _comparable(demand: Demand) -> tuple:
    return (
        demand.title,
        demand.problem,
        demand.desired_outcome,
        demand.budget,
        demand.quantity,
        demand.opens_on,
        demand.closes_on,
        demand.language,
        demand.status,
        demand.outcome,
        tuple(sorted((c.scheme, c.code) for c in demand.codes)),
    )


def _apply(demand: Demand, data: DemandData) -> None:
    demand.title = data.title
    demand.problem = data.problem
    demand.desired_outcome = data.desired_outcome
    demand.budget = data.budget
    demand.quantity = data.quantity
    demand.opens_on = data.opens_on
    demand.closes_on = data.closes_on
    demand.language = data.language
    demand.status = data.status
    demand.outcome = data.outcome
    demand.published_at = data.published_at
    demand.closed_at = data.published_at if data.status == DemandStatus.CLOSED else None
    current = {(c.scheme, c.code): c for c in demand.codes}
    demand.codes = [
        current.get(key) or DemandCode(scheme=key[0], code=key[1]) for key in data.codes
    ]


def import_ocds(
    path: str | Path, *, after_file: Callable[[FileResult], None] | None = None
) -> ImportReport:
    """Import a file or every OCDS file under a folder; ``after_file`` may commit each file."""
    path = Path(path)
    files, ignored = find_files(path)
    report = ImportReport(path, ignored=ignored)
    importer = Importer()
    for file in files:
        result = importer.import_file(file)
        report.files.append(result)
        if after_file is not None:
            after_file(result)
    return report
