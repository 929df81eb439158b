"""The market as Open Contracting Data Standard 1.1 releases and records (docs/open-data.md).

Three kinds of contracting process, each with its own ``ocid`` under the configured prefix:

- ``<prefix>-demand-<id>``: a published demand (혁신수요) is a tender; each published revision is
  a ``tender`` / ``tenderAmendment`` release, closing is a ``tenderUpdate`` or
  ``tenderCancellation``, an accepted proposal is an ``award`` (supplier, amount, date only),
  and so is a competitive dialogue's published award (winner, final price, date).
- ``<prefix>-pilot-<id>``: a finished, published pilot purchase (시범구매): the allocation is the
  award, the contract a ``contract`` release, delivery, use, report and verdict are milestones of
  its ``implementation``.
- ``<prefix>-designation-<id>``: an innovation-product designation (혁신제품 지정) is a selective
  process whose ``award`` to the supplier runs for the validity period; extension and revocation
  are ``awardUpdate`` releases.

Demands imported from other publishers (``source == "ocds"``) are not exported: they already have
their own ocid at their publisher. Nothing confidential is exported: drafts, proposals other than
the accepted one, and the accepted proposal's text stay private.
"""

from __future__ import annotations

import bisect
import copy
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure.cache import count_and_latest, kept
from procure.classification.services import labels
from procure.extensions import db
from procure.models import (
    Demand,
    DemandRevision,
    DemandStatus,
    Designation,
    DesignationStatus,
    Dialogue,
    DialogueStatus,
    Organisation,
    PilotPurchase,
    PilotRound,
    PilotStatus,
    Product,
    ProposalStatus,
    ReverseProposal,
)
from procure.regions import REGIONS

VERSION = "1.1"
CURRENCY = "KRW"
FINISHED_PILOTS = (PilotStatus.EVALUATED, PilotStatus.CLOSED)
CATEGORY = {"purchase": "goods", "pilot": "goods", "rnd": "services"}
TYPE_DETAILS = {
    "purchase": "Innovation demand: purchase",
    "pilot": "Innovation demand: pilot",
    "rnd": "Innovation demand: research and development",
    "dialogue": "Innovation demand: market dialogue",
}


@dataclass
class Process:
    """One contracting process: its ocid and its releases, oldest first."""

    ocid: str
    releases: list[dict] = field(default_factory=list)

    @property
    def date(self) -> str:
        return max(r["date"] for r in self.releases)


# -- small helpers --------------------------------------------------------------------------


def _settings():
    return current_app.config["SETTINGS"]


def prefix() -> str:
    return _settings().ocds_prefix


def demand_ocid(demand_id: int) -> str:
    return f"{prefix()}-demand-{demand_id}"


def pilot_ocid(pilot_id: int) -> str:
    return f"{prefix()}-pilot-{pilot_id}"


def designation_ocid(designation_id: int) -> str:
    return f"{prefix()}-designation-{designation_id}"


def stamp(moment: datetime) -> str:
    """A UTC timestamp as OCDS writes it: ``2026-05-01T03:04:05Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _zone() -> ZoneInfo:
    return ZoneInfo(_settings().display_timezone)


def day_start(day: date) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=_zone()).isoformat()


def day_end(day: date) -> str:
    return datetime.combine(day, time(23, 59, 59), tzinfo=_zone()).isoformat()


def day_stamp(day: date) -> str:
    """A business date as the moment it starts in the service's time zone, in UTC."""
    return stamp(datetime.combine(day, time(0, 0), tzinfo=_zone()))


def _value(amount: int | None) -> dict | None:
    return None if amount is None else {"amount": amount, "currency": CURRENCY}


def _clean(data):
    """Drop None values and empty containers, as OCDS publishers do."""
    if isinstance(data, dict):
        out = {k: _clean(v) for k, v in data.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(data, list):
        return [_clean(v) for v in data]
    return data


def party_id(org: Organisation) -> str:
    return f"org-{org.id}"


def org_ref(org: Organisation) -> dict:
    return {"id": party_id(org), "name": org.name}


def party(org: Organisation, roles: list[str]) -> dict:
    """What is public about an organisation: its name, region and SME status; no numbers."""
    region = REGIONS.get(org.region or "")
    return {
        "id": party_id(org),
        "name": org.name,
        "address": {"region": region[0] if region else None, "countryName": "대한민국"},
        "details": {"scale": "sme"} if org.is_sme else None,
        "roles": roles,
    }


class _Codes:
    """CPV labels in Korean, read once for the whole export."""

    def __init__(self, codes):
        self.labels = labels(set(codes), locale="ko") if codes else {}

    def classification(self, scheme: str, code: str) -> dict:
        out = {"scheme": scheme, "id": code}
        if scheme == "CPV" and code in self.labels:
            out["description"] = self.labels[code]
        return out

    def item(self, item_id: str, description: str, codes, quantity=None) -> dict:
        pairs = [(c.scheme.upper(), c.code) for c in codes]
        pairs.sort(key=lambda p: (p[0] != "CPV", p))
        classifications = [self.classification(s, c) for s, c in pairs]
        return {
            "id": item_id,
            "description": description,
            "classification": classifications[0] if classifications else None,
            "additionalClassifications": classifications[1:],
            "quantity": quantity,
        }


def _release(ocid: str, suffix: str, moment: str, tags: list[str], **sections) -> dict:
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{suffix}",
        "date": moment,
        "tag": tags,
        "initiationType": "tender",
        "language": "ko",
        **sections,
    }
    return _clean(release)


# -- demands --------------------------------------------------------------------------------


def _public_demand_conditions():
    """Demands we publish: put to the market here (imported OCDS tenders are someone else's)."""
    return (
        Demand.status.in_((DemandStatus.PUBLISHED, DemandStatus.CLOSED)),
        Demand.published_at.is_not(None),
        Demand.deleted_at.is_(None),
        Demand.source != "ocds",
    )


def public_demands_query():
    return (
        select(Demand)
        .where(*_public_demand_conditions())
        .options(
            selectinload(Demand.agency),
            selectinload(Demand.codes),
            selectinload(Demand.revisions),
        )
        .order_by(Demand.id)
    )


TENDER_STATUS = {"awarded": "complete", "withdrawn": "cancelled", "unsuccessful": "unsuccessful"}


def _tender(demand: Demand, snap: dict, status: str, codes: _Codes) -> dict:
    opens = date.fromisoformat(snap["opens_on"]) if snap.get("opens_on") else None
    closes = date.fromisoformat(snap["closes_on"]) if snap.get("closes_on") else None
    start = day_start(opens) if opens else stamp(demand.published_at)
    code_rows = [_Code("CPV", c) for c in snap.get("codes", [])] or demand.codes
    kind = snap.get("demand_type") or demand.demand_type
    return {
        "id": f"demand-{demand.id}",
        "title": snap.get("title") or demand.title,
        "description": snap.get("problem") or demand.problem,
        "status": status,
        "procuringEntity": org_ref(demand.agency),
        "items": [
            codes.item("1", snap.get("title") or demand.title, code_rows, snap.get("quantity"))
        ],
        "value": _value(snap.get("budget")),
        "procurementMethod": "open",
        "procurementMethodDetails": TYPE_DETAILS.get(kind),
        "mainProcurementCategory": CATEGORY.get(kind),
        "tenderPeriod": {"startDate": start, "endDate": day_end(closes) if closes else None},
    }


@dataclass
class _Code:
    scheme: str
    code: str


def _snapshot_now(demand: Demand) -> dict:
    return {
        "title": demand.title,
        "problem": demand.problem,
        "demand_type": demand.demand_type,
        "budget": demand.budget,
        "quantity": demand.quantity,
        "opens_on": demand.opens_on.isoformat() if demand.opens_on else None,
        "closes_on": demand.closes_on.isoformat() if demand.closes_on else None,
        "codes": sorted(c.code for c in demand.codes if c.scheme.upper() == "CPV"),
    }


def _dialogue_award(dialogue: Dialogue) -> tuple[dict, Organisation]:
    """The award of a competitive dialogue as the award page publishes it: the winner and the
    price of its final proposal (the ranking stored at the award)."""
    winner = dialogue.winner_supplier
    price = next(
        (
            row.get("price")
            for row in dialogue.award_scores or []
            if row.get("supplier_id") == dialogue.winner_supplier_id
        ),
        None,
    )
    award = {
        "id": f"dialogue-{dialogue.id}",
        "title": dialogue.title,
        "status": "active",
        "date": stamp(dialogue.awarded_at),
        "value": _value(price),
        "suppliers": [org_ref(winner)],
    }
    return award, winner


def demand_process(
    demand: Demand,
    awards: list[ReverseProposal],
    codes: _Codes,
    dialogue: Dialogue | None = None,
) -> Process:
    """:param dialogue: the demand's awarded competitive dialogue, whose award is public."""
    ocid = demand_ocid(demand.id)
    process = Process(ocid)
    buyer = org_ref(demand.agency)
    parties = [party(demand.agency, ["buyer", "procuringEntity"])]
    revisions = list(demand.revisions) or []
    if not revisions:
        revisions = [None]
    for revision in revisions:
        number = revision.revision if revision is not None else 1
        snap = dict(revision.snapshot) if revision is not None else _snapshot_now(demand)
        moment = stamp(revision.created_at if revision is not None else demand.published_at)
        tender = _tender(demand, snap, "active", codes)
        tags = ["tender"]
        if number > 1:
            tags = ["tenderAmendment"]
            tender["amendments"] = [
                {
                    "id": str(number),
                    "date": moment,
                    "rationale": revision.note if revision is not None else None,
                }
            ]
        process.releases.append(
            _release(
                ocid,
                f"tender-{number}",
                moment,
                tags,
                language=demand.language,
                parties=parties,
                buyer=buyer,
                tender=tender,
            )
        )
    for proposal in awards:
        moment = stamp(proposal.decided_at or proposal.updated_at)
        award = {
            "id": f"proposal-{proposal.id}",
            "status": "active",
            "date": moment,
            "value": _value(proposal.price_offer),
            "suppliers": [org_ref(proposal.supplier)],
        }
        process.releases.append(
            _release(
                ocid,
                f"award-{proposal.id}",
                moment,
                ["award"],
                language=demand.language,
                parties=[*parties, party(proposal.supplier, ["supplier"])],
                buyer=buyer,
                awards=[award],
            )
        )
    if dialogue is not None and dialogue.awarded_at is not None:
        award, winner = _dialogue_award(dialogue)
        process.releases.append(
            _release(
                ocid,
                f"award-dialogue-{dialogue.id}",
                award["date"],
                ["award"],
                language=demand.language,
                parties=[*parties, party(winner, ["supplier"])],
                buyer=buyer,
                awards=[award],
            )
        )
    if demand.status == DemandStatus.CLOSED:
        status = TENDER_STATUS.get(demand.outcome or "", "complete")
        moment = stamp(demand.closed_at or demand.updated_at)
        tender = _tender(demand, _snapshot_now(demand), status, codes)
        process.releases.append(
            _release(
                ocid,
                "closed",
                moment,
                ["tenderCancellation"] if status == "cancelled" else ["tenderUpdate"],
                language=demand.language,
                parties=parties,
                buyer=buyer,
                tender=tender,
            )
        )
    process.releases.sort(key=lambda r: (r["date"], r["id"]))
    return process


# -- pilot purchases ------------------------------------------------------------------------


def public_pilots_query():
    return (
        select(PilotPurchase)
        .where(PilotPurchase.status.in_(FINISHED_PILOTS), PilotPurchase.published_at.is_not(None))
        .options(
            selectinload(PilotPurchase.agency),
            selectinload(PilotPurchase.supplier),
            selectinload(PilotPurchase.product).selectinload(Product.codes),
            selectinload(PilotPurchase.report),
        )
        .order_by(PilotPurchase.id)
    )


def _milestone(mid: str, title: str, kind: str, *, due=None, met=None, status=None) -> dict:
    return {
        "id": mid,
        "title": title,
        "type": kind,
        "dueDate": day_end(due) if due else None,
        "dateMet": (
            day_start(met)
            if isinstance(met, date) and not isinstance(met, datetime)
            else (stamp(met) if met else None)
        ),
        "status": status or ("met" if met else "scheduled"),
    }


def pilot_process(pilot: PilotPurchase, round_: PilotRound, codes: _Codes) -> Process:
    ocid = pilot_ocid(pilot.id)
    process = Process(ocid)
    product = pilot.product
    buyer = org_ref(pilot.agency)
    parties = [
        party(pilot.agency, ["buyer", "procuringEntity"]),
        party(pilot.supplier, ["supplier"]),
    ]
    item = codes.item("1", product.name, product.codes, pilot.quantity)
    awarded = round_.published_at or pilot.created_at
    award_date = stamp(awarded)
    tender = {
        "id": f"pilot-round-{round_.id}",
        "title": f"{round_.title}: {product.name}",
        "status": "complete",
        "procuringEntity": buyer,
        "items": [item],
        "procurementMethod": "selective",
        "procurementMethodDetails": "Pilot purchase round (시범구매) allocation",
        "mainProcurementCategory": "goods",
        "tenderPeriod": {
            "startDate": day_start(round_.starts_on),
            "endDate": day_end(round_.applications_close_on or round_.ends_on),
        },
    }
    award = {
        "id": "1",
        "status": "active",
        "date": award_date,
        "value": _value(pilot.amount),
        "suppliers": [org_ref(pilot.supplier)],
        "items": [item],
    }
    process.releases.append(
        _release(
            ocid,
            "award",
            award_date,
            ["award"],
            parties=parties,
            buyer=buyer,
            tender=tender,
            awards=[award],
        )
    )
    signed = pilot.contract_date
    contract_moment = day_stamp(signed) if signed else award_date
    contract_moment = max(contract_moment, award_date)
    contract = {
        "id": "1",
        "awardID": "1",
        "title": pilot.contract_number,
        "status": "active",
        "value": _value(pilot.amount),
        "items": [item],
        "dateSigned": day_start(signed) if signed else None,
        "period": {
            "startDate": day_start(pilot.use_started_on) if pilot.use_started_on else None,
            "endDate": day_end(pilot.report_due_on) if pilot.report_due_on else None,
        },
    }
    process.releases.append(
        _release(
            ocid,
            "contract",
            contract_moment,
            ["contract"],
            parties=parties,
            buyer=buyer,
            contracts=[contract],
        )
    )
    report = pilot.report
    verdict_status = {"success": "met", "insufficient": "notMet"}.get(pilot.verdict or "")
    milestones = [
        _milestone("delivery", "Delivery", "delivery", met=pilot.delivery_date),
        _milestone("acceptance", "Acceptance inspection", "approval", met=pilot.accepted_on),
        _milestone("use", "Field use started", "engagement", met=pilot.use_started_on),
        _milestone(
            "report",
            "Field report",
            "reporting",
            due=pilot.report_due_on,
            met=report.created_at if report is not None else None,
        ),
        _milestone(
            "verdict",
            "Pilot verdict",
            "assessment",
            met=pilot.verdict_at,
            status=verdict_status or ("met" if pilot.verdict_at else None),
        ),
    ]
    if pilot.verdict:
        milestones[-1]["description"] = f"Verdict: {pilot.verdict}"
    closed = pilot.status == PilotStatus.CLOSED
    moment = stamp(pilot.verdict_at or pilot.updated_at)
    if closed:
        moment = max(moment, stamp(pilot.updated_at))
    moment = max(moment, contract_moment)
    process.releases.append(
        _release(
            ocid,
            "implementation",
            moment,
            ["implementation", "contractTermination"] if closed else ["implementation"],
            parties=parties,
            buyer=buyer,
            contracts=[
                {
                    "id": "1",
                    "awardID": "1",
                    "status": "terminated" if closed else "active",
                    "implementation": {"milestones": [_clean(m) for m in milestones]},
                }
            ],
        )
    )
    return process


# -- designations ---------------------------------------------------------------------------


def public_designations_query():
    return (
        select(Designation)
        .options(
            selectinload(Designation.product).selectinload(Product.supplier),
            selectinload(Designation.product).selectinload(Product.codes),
        )
        .order_by(Designation.id)
    )


def designation_process(designation: Designation, codes: _Codes) -> Process:
    ocid = designation_ocid(designation.id)
    process = Process(ocid)
    product = designation.product
    supplier = product.supplier
    parties = [party(supplier, ["supplier"])]
    item = codes.item("1", product.name, product.codes)
    created = stamp(designation.created_at)
    title = f"혁신제품 지정 {designation.number}: {product.name}"
    period = {
        "startDate": day_start(designation.starts_on),
        # The first release states the period as first granted; extensions are updates.
        "endDate": None if designation.extensions else day_end(designation.ends_on),
    }
    award = {
        "id": designation.number,
        "title": title,
        "status": "active",
        "date": created,
        "suppliers": [org_ref(supplier)],
        "items": [item],
        "contractPeriod": period,
    }
    tender = {
        "id": f"designation-{designation.id}",
        "title": title,
        "status": "complete",
        "items": [item],
        "procurementMethod": "selective",
        "procurementMethodDetails": "Innovation product designation (혁신제품 지정)",
        "mainProcurementCategory": "goods",
    }
    process.releases.append(
        _release(
            ocid, "designation", created, ["award"], parties=parties, tender=tender, awards=[award]
        )
    )
    if designation.extensions:
        moment = max(stamp(designation.updated_at), created)
        if designation.revoked_at is not None:
            moment = min(moment, stamp(designation.revoked_at))
        process.releases.append(
            _release(
                ocid,
                f"extension-{designation.extensions}",
                moment,
                ["awardUpdate"],
                parties=parties,
                awards=[
                    {
                        "id": designation.number,
                        "status": "active",
                        "contractPeriod": {
                            "startDate": day_start(designation.starts_on),
                            "endDate": day_end(designation.ends_on),
                        },
                    }
                ],
            )
        )
    if designation.status == DesignationStatus.REVOKED:
        moment = stamp(designation.revoked_at or designation.updated_at)
        process.releases.append(
            _release(
                ocid,
                "revoked",
                max(moment, created),
                ["awardUpdate"],
                parties=parties,
                awards=[
                    {
                        "id": designation.number,
                        "status": "cancelled",
                        "description": designation.revoked_reason,
                    }
                ],
            )
        )
    process.releases.sort(key=lambda r: (r["date"], r["id"]))
    return process


# -- everything -----------------------------------------------------------------------------


def processes(
    demand_ids: list[int] | None = None,
    pilot_ids: list[int] | None = None,
    designation_ids: list[int] | None = None,
) -> list[Process]:
    """Public contracting processes, ordered by ocid kind then id. Per kind, ``None`` means
    all of them and a list only those ids (an empty list none)."""

    def chosen(query, model, ids):
        if ids is None:
            return db.session.scalars(query).all()
        if not ids:
            return []
        return db.session.scalars(query.where(model.id.in_(ids))).all()

    demands = chosen(public_demands_query(), Demand, demand_ids)
    pilots = chosen(public_pilots_query(), PilotPurchase, pilot_ids)
    designations = chosen(public_designations_query(), Designation, designation_ids)
    awards: dict[int, list[ReverseProposal]] = defaultdict(list)
    if demands:
        accepted = db.session.scalars(
            select(ReverseProposal)
            .where(
                ReverseProposal.status == ProposalStatus.ACCEPTED,
                ReverseProposal.demand_id.in_([d.id for d in demands]),
            )
            .options(selectinload(ReverseProposal.supplier))
            .order_by(ReverseProposal.id)
        ).all()
        for proposal in accepted:
            awards[proposal.demand_id].append(proposal)
    dialogues: dict[int, Dialogue] = {}
    if demands:
        dialogues = {
            d.demand_id: d
            for d in db.session.scalars(
                select(Dialogue)
                .where(*_awarded_dialogue(), Dialogue.demand_id.in_([d.id for d in demands]))
                .options(selectinload(Dialogue.winner_supplier))
            )
        }
    rounds = {}
    if pilots:
        rounds = {
            r.id: r
            for r in db.session.scalars(
                select(PilotRound).where(PilotRound.id.in_({p.round_id for p in pilots}))
            )
        }
    all_codes = {c.code for d in demands for c in d.codes if c.scheme.upper() == "CPV"}
    for demand in demands:
        for revision in demand.revisions:
            all_codes.update((revision.snapshot or {}).get("codes", []))
    for product in [p.product for p in pilots] + [d.product for d in designations]:
        all_codes.update(c.code for c in product.codes if c.scheme.upper() == "CPV")
    codes = _Codes(all_codes)
    out = [demand_process(d, awards[d.id], codes, dialogues.get(d.id)) for d in demands]
    out += [pilot_process(p, rounds[p.round_id], codes) for p in pilots]
    out += [designation_process(d, codes) for d in designations]
    return out


# -- the release index: pages without building every process ------------------------------

#: Process kinds in record order (the ocid kind order of ``processes``).
KINDS = ("demand", "pilot", "designation")


class Entry(NamedTuple):
    """One release as the index knows it: enough to sort, filter and find it (a tuple, so
    sorting tens of thousands compares in C)."""

    date: str
    release_id: str
    kind: str
    entity_id: int


def _demand_entries() -> list[Entry]:
    """The demands' releases from a few columns (what ``demand_process`` dates them by),
    without loading the demands: at 40,000 demands building every process takes seconds."""
    conditions = _public_demand_conditions()
    base = f"{prefix()}-demand-"
    entries = []
    revised = set()
    for demand_id, number, created_at in db.session.execute(
        select(DemandRevision.demand_id, DemandRevision.revision, DemandRevision.created_at)
        .join(Demand, Demand.id == DemandRevision.demand_id)
        .where(*conditions)
    ):
        revised.add(demand_id)
        entries.append(
            Entry(stamp(created_at), f"{base}{demand_id}-tender-{number}", "demand", demand_id)
        )
    for demand_id, published_at, status, closed_at, updated_at in db.session.execute(
        select(
            Demand.id, Demand.published_at, Demand.status, Demand.closed_at, Demand.updated_at
        ).where(*conditions)
    ):
        ocid = f"{base}{demand_id}"
        if demand_id not in revised:
            entries.append(Entry(stamp(published_at), f"{ocid}-tender-1", "demand", demand_id))
        if status == DemandStatus.CLOSED:
            entries.append(
                Entry(stamp(closed_at or updated_at), f"{ocid}-closed", "demand", demand_id)
            )
    for proposal_id, demand_id, decided_at, updated_at in db.session.execute(
        select(
            ReverseProposal.id,
            ReverseProposal.demand_id,
            ReverseProposal.decided_at,
            ReverseProposal.updated_at,
        )
        .join(Demand, Demand.id == ReverseProposal.demand_id)
        .where(ReverseProposal.status == ProposalStatus.ACCEPTED, *conditions)
    ):
        entries.append(
            Entry(
                stamp(decided_at or updated_at),
                f"{base}{demand_id}-award-{proposal_id}",
                "demand",
                demand_id,
            )
        )
    for dialogue_id, demand_id, awarded_at in db.session.execute(
        select(Dialogue.id, Dialogue.demand_id, Dialogue.awarded_at)
        .join(Demand, Demand.id == Dialogue.demand_id)
        .where(*_awarded_dialogue(), *conditions)
    ):
        entries.append(
            Entry(
                stamp(awarded_at),
                f"{base}{demand_id}-award-dialogue-{dialogue_id}",
                "demand",
                demand_id,
            )
        )
    return sorted(entries)  # sorted once here, so merging in the few others is cheap


def _awarded_dialogue():
    """Conditions: a competitive dialogue whose award is published (its award page is)."""
    return (Dialogue.status == DialogueStatus.AWARDED, Dialogue.awarded_at.is_not(None))


def _demand_fingerprint() -> tuple:
    """Changes whenever a public demand, a revision, an accepted proposal or a dialogue's
    award is added, changed or removed (drafts and other proposals do not touch the index)."""
    return (
        prefix(),
        *count_and_latest(Demand.updated_at, *_public_demand_conditions()),
        *count_and_latest(DemandRevision.created_at),
        *count_and_latest(
            ReverseProposal.updated_at, ReverseProposal.status == ProposalStatus.ACCEPTED
        ),
        *count_and_latest(Dialogue.awarded_at, *_awarded_dialogue()),
    )


class Index(NamedTuple):
    """Every public release, oldest first, and every process with its latest release date,
    in record order (ocid kind, then id)."""

    releases: list[Entry]
    processes: list[tuple[str, int, str]]


def _index_of(entries: list[Entry]) -> Index:
    """``entries`` sorted by (date, release id) in, the index out."""
    latest: dict[tuple[str, int], str] = {}
    for entry in entries:  # oldest first: the last date seen is the latest
        latest[entry.kind, entry.entity_id] = entry.date
    ordered = sorted(latest, key=lambda k: (KINDS.index(k[0]), k[1]))
    return Index(entries, [(kind, i, latest[kind, i]) for kind, i in ordered])


def _demand_index() -> Index:
    """The demands' part of the index, kept per process until a demand, revision or
    proposal changes (rebuilt in about a second at 40,000 demands; about 10 MB held)."""
    return kept("ocds_demand_index", _demand_fingerprint(), lambda: _index_of(_demand_entries()))


def release_index() -> Index:
    """The whole index: demands from the kept part; pilots and designations, far fewer and
    dated by several tables, from their processes built now."""
    demands = _demand_index()
    others = []
    for process in processes(demand_ids=[]):
        kind, entity_id = _key_of(process)
        others += [Entry(r["date"], r["id"], kind, entity_id) for r in process.releases]
    if not others:
        return demands
    rest = _index_of(sorted(others))
    return Index(sorted(demands.releases + rest.releases), demands.processes + rest.processes)


def _build(keys) -> dict[tuple[str, int], Process]:
    """The processes of these (kind, id) keys, by key."""
    ids: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for kind, entity_id in keys:
        ids[kind].append(entity_id)
    built = processes(ids["demand"], ids["pilot"], ids["designation"])
    return {_key_of(p): p for p in built}


def _key_of(process: Process) -> tuple[str, int]:
    kind, number = process.ocid[len(prefix()) + 1 :].split("-", 1)
    return kind, int(number)


#: Processes built at once when releases or records are read in bulk (``procure export-ocds``):
#: large enough that a batch is a few queries, small enough that memory stays flat.
BATCH = 500


def releases_of(entries: list[Entry]) -> Iterator[dict]:
    """The releases of these index entries, in their order, building their processes a batch
    at a time (a process with releases in two batches is built twice)."""
    batch = BATCH
    for start in range(0, len(entries), batch):
        chunk = entries[start : start + batch]
        built = _build({(e.kind, e.entity_id) for e in chunk})
        by_id = {r["id"]: r for p in built.values() for r in p.releases}
        yield from (by_id[e.release_id] for e in chunk)


def records_of(keys: list[tuple[str, int, str]]) -> Iterator[dict]:
    """The records of these index processes, in their order, a batch at a time."""
    batch = BATCH
    for start in range(0, len(keys), batch):
        chunk = [(kind, i) for kind, i, _date in keys[start : start + batch]]
        built = _build(chunk)
        yield from (record(built[k]) for k in chunk)


def releases_page(since: datetime | None, offset: int, limit: int) -> tuple[int, list[dict]]:
    """(releases dated at or after ``since``, the ``limit`` of them from ``offset``)."""
    index = release_index().releases
    start = 0
    if since is not None:
        start = bisect.bisect_left(index, stamp(since), key=lambda e: e.date)
    chunk = index[start + offset : start + offset + limit]
    return len(index) - start, list(releases_of(chunk))


def records_page(since: datetime | None, offset: int, limit: int) -> tuple[int, list[dict]]:
    """(processes changed at or after ``since``, the records of ``limit`` of them from
    ``offset``), in ocid kind then id order."""
    keys = release_index().processes
    if since is not None:
        floor = stamp(since)
        keys = [k for k in keys if k[2] >= floor]
    return len(keys), list(records_of(keys[offset : offset + limit]))


def parse_since(raw: str) -> datetime | None:
    """``since`` as an aware datetime: a date (midnight in the service's zone) or ISO 8601."""
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0, 0), tzinfo=_zone())
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- records and the compiled release -------------------------------------------------------


def _merge(target: dict, source: dict) -> None:
    """OCDS merge (simplified): objects by field, arrays of objects by ``id``, others replaced."""
    for key, value in source.items():
        old = target.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            _merge(old, value)
        elif (
            isinstance(value, list)
            and isinstance(old, list)
            and value
            and all(isinstance(v, dict) and "id" in v for v in value + old)
        ):
            by_id = {item["id"]: item for item in old}
            for item in value:
                if item["id"] in by_id:
                    _merge(by_id[item["id"]], item)
                else:
                    old.append(copy.deepcopy(item))
                    by_id[item["id"]] = old[-1]
        else:
            target[key] = copy.deepcopy(value)


def compiled_release(process: Process) -> dict:
    compiled: dict = {}
    for release in sorted(process.releases, key=lambda r: (r["date"], r["id"])):
        _merge(compiled, release)
    compiled["id"] = f"{process.ocid}-compiled"
    compiled["tag"] = ["compiled"]
    compiled["date"] = process.date
    return compiled


def record(process: Process) -> dict:
    return {
        "ocid": process.ocid,
        "releases": process.releases,
        "compiledRelease": compiled_release(process),
    }


# -- packages -------------------------------------------------------------------------------


def package_meta(uri: str, dates: Iterable[str]) -> dict:
    """A package's fields other than its releases or records; ``publishedDate`` is the latest
    of ``dates`` (now when there are none)."""
    settings = _settings()
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": max(dates, default=None) or stamp(datetime.now(UTC)),
        "publisher": {"name": settings.ocds_publisher, "uri": settings.base_url},
        "publicationPolicy": f"{settings.base_url.rstrip('/')}/open-data",
    }


def release_package(items: list[dict], uri: str) -> dict:
    return {**package_meta(uri, (r["date"] for r in items)), "releases": items}


def record_package(items: list[dict], uri: str) -> dict:
    return {
        **package_meta(uri, (r["compiledRelease"]["date"] for r in items)),
        "records": items,
    }


def absolute(path: str) -> str:
    return _settings().base_url.rstrip("/") + path
