"""The good-faith record (적극행정 면책 근거): the basis on which a pilot purchase was made.

It gathers, for an auditor, the product's designation and its validity, the evaluation result,
the round and the allocation, the approvals and their audit trail; ``render_pdf`` prints it
with the Pretendard font embedded so Korean text survives.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from sqlalchemy import or_, select

from procure.clock import local_today
from procure.evaluation.labels import decision as decision_label
from procure.evaluation.labels import designation_status
from procure.extensions import db
from procure.i18n import local_datetime
from procure.labels import (
    ALLOCATION_REASON,
    PILOT_STATUS,
    PILOT_VERDICT,
    audited_action,
    audited_record,
    label,
)
from procure.models import AuditEvent, Organisation, PilotPurchase, PilotRound, Product, User
from procure.models.base import utcnow
from procure.models.evaluation import Designation, RoundItem
from procure.models.pilots import FollowOnPurchase

FONT = Path(__file__).resolve().parent.parent / "static/vendor/pretendard/Pretendard-Regular.otf"


def _designation_on(product_id: int, on: date) -> Designation | None:
    """The designation in force on ``on``, else the most recent one."""
    rows = db.session.scalars(
        select(Designation)
        .where(Designation.product_id == product_id)
        .order_by(Designation.ends_on.desc())
    ).all()
    for row in rows:
        if row.starts_on <= on <= row.ends_on:
            return row
    return rows[0] if rows else None


def _evaluation(product_id: int, designation: Designation | None) -> RoundItem | None:
    if designation is not None and designation.item_id:
        item = db.session.get(RoundItem, designation.item_id)
        if item is not None:
            return item
    return db.session.scalar(
        select(RoundItem)
        .where(RoundItem.product_id == product_id, RoundItem.result.is_not(None))
        .order_by(RoundItem.id.desc())
        .limit(1)
    )


def _when(moment) -> str:
    """A stored moment as the rest of the site shows it (Korean time), or a dash."""
    return local_datetime(moment) or "—"


def _yes_no(value) -> str:
    return _("yes") if value else _("no")


def _summarise_result(result: dict | None) -> list[tuple[str, str]]:
    """The computed result in words: the index, the panel, and the rules it passed."""
    if not result:
        return []
    rows = []
    if result.get("total") is not None:
        rows.append(
            (
                _("Innovation index"),
                f"{float(result['total']):.2f} / {float(result.get('max_total') or 100):g}",
            )
        )
    if result.get("n_evaluators") is not None:
        rows.append((_("Evaluators counted"), str(result["n_evaluators"])))
    if "trimmed" in result:
        rows.append((_("Highest and lowest scores dropped"), _yes_no(result["trimmed"])))
    if "gates_passed" in result:
        rows.append((_("Every gate passed"), _yes_no(result["gates_passed"])))
    if "certified" in result:
        rows.append((_("Certified by the scheme's rules"), _yes_no(result["certified"])))
    return rows


def _trail(pilot: PilotPurchase) -> list[dict]:
    app_ = pilot.application
    targets = [
        ("pilot", pilot.id),
        ("pilot_round", pilot.round_id),
        ("pilot_application", app_.id),
        ("pilot_plan", app_.plan_id),
    ]
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                *[
                    (AuditEvent.target_type == kind) & (AuditEvent.target_id == str(ident))
                    for kind, ident in targets
                ]
            )
        )
        .order_by(AuditEvent.id)
    ).all()
    return _trail_rows(events)


def _trail_rows(events) -> list[dict]:
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        )
    }
    return [
        {
            # The API gives the stored values (UTC, action codes); pages and the PDF the labels.
            "at": e.occurred_at.isoformat(timespec="seconds"),
            "action": e.action,
            "target": f"{e.target_type} #{e.target_id}",
            "at_local": _when(e.occurred_at),
            "action_label": audited_action(e.action),
            "target_label": audited_record(e.target_type, e.target_id),
            "actor": users[e.actor_id].name if e.actor_id in users else "—",
            "hash": e.hash[:12],
        }
        for e in events
    ]


def _designation_section(designation, valid: bool, valid_label: str):
    return (
        _("Designation"),
        [
            (_("Designation number"), designation.number if designation else "—"),
            (_("Valid from"), str(designation.starts_on) if designation else "—"),
            (_("Valid until"), str(designation.ends_on) if designation else "—"),
            (
                _("Designation status"),
                designation_status(designation.status) if designation else "—",
            ),
            (valid_label, _("yes") if valid else _("no")),
        ],
    )


def _evaluation_section(item: RoundItem | None):
    certified = "—"
    if item is not None and item.certified is not None:
        certified = _("yes") if item.certified else _("no")
    return (
        _("Evaluation result"),
        [
            (_("Evaluation round"), item.round.title if item else "—"),
            (_("Decision"), decision_label(item.decision) if item and item.decision else "—"),
            (_("Certified"), certified),
            *_summarise_result(item.result if item else None),
        ],
    )


def build(pilot: PilotPurchase) -> dict:
    """The record as plain data: sections of (label, value) pairs, checks and the trail."""
    round_ = db.session.get(PilotRound, pilot.round_id)
    app_ = pilot.application
    basis_day = pilot.contract_date or local_today()
    designation = _designation_on(pilot.product_id, basis_day)
    item = _evaluation(pilot.product_id, designation)
    valid = bool(
        designation
        and designation.status == "active"
        and designation.starts_on <= basis_day <= designation.ends_on
    )
    line = next(
        (
            ln
            for ln in (round_.allocation_report or {}).get("lines", [])
            if ln.get("application_id") == app_.id
        ),
        None,
    )
    trail = _trail(pilot)
    actions = {e["action"] for e in trail}
    checks = [
        (_("The product held a valid designation on the contract day"), valid),
        (_("The product was eligible in the round"), pilot.product in round_.products),
        (
            _("The allocation was made by the optimiser and published"),
            round_.published_at is not None,
        ),
        (
            _("The contract does not exceed the allocation"),
            pilot.contract_number is None or pilot.amount <= app_.allocated_amount,
        ),
        (_("Every step is in the audit log"), f"pilot.{pilot.status}" in actions),
        (_("The field report was filed"), pilot.report is not None),
        (_("The verdict was recorded"), pilot.verdict is not None),
    ]
    return {
        "title": _("Good-faith record of pilot purchase #%(id)d", id=pilot.id),
        "generated_at": (now := utcnow()).isoformat(timespec="seconds"),
        "generated_local": _when(now),
        "sections": [
            (
                _("Purchase"),
                [
                    (_("Product"), pilot.product.name),
                    (_("Supplier"), pilot.supplier.name),
                    (_("Agency"), pilot.agency.name),
                    (_("Status"), label(PILOT_STATUS, pilot.status)),
                    (_("Quantity"), str(pilot.quantity)),
                    (_("Amount (won)"), f"{pilot.amount:,}"),
                    (_("Contract number"), pilot.contract_number or "—"),
                    (_("Contract date"), str(pilot.contract_date or "—")),
                    (_("Delivery date"), str(pilot.delivery_date or "—")),
                    (_("Accepted on"), str(pilot.accepted_on or "—")),
                    (_("Verdict"), label(PILOT_VERDICT, pilot.verdict) or "—"),
                ],
            ),
            _designation_section(designation, valid, _("Valid on the contract day")),
            _evaluation_section(item),
            (
                _("Pilot round and allocation"),
                [
                    (_("Round"), round_.title),
                    (_("Budget (won)"), f"{round_.budget:,}"),
                    (_("Period"), f"{round_.starts_on} – {round_.ends_on}"),
                    (_("Allocation published"), _when(round_.published_at)),
                    (_("Requested quantity"), str(app_.quantity)),
                    (_("Allocated quantity"), str(app_.allocated_quantity)),
                    (_("Adjusted by hand"), _("yes") if app_.adjusted_by_hand else _("no")),
                    (
                        _("Optimiser's reason"),
                        label(ALLOCATION_REASON, (line or {}).get("reason")) or "—",
                    ),
                ],
            ),
        ],
        "checks": checks,
        "trail": trail,
    }


def build_follow_on(row: FollowOnPurchase) -> dict:
    """The same record for a follow-on (innovative) purchase made with the agency's own budget."""
    designation = _designation_on(row.product_id, row.purchased_on)
    item = _evaluation(row.product_id, designation)
    valid = bool(
        designation
        and designation.status == "active"
        and designation.starts_on <= row.purchased_on <= designation.ends_on
    )
    product = db.session.get(Product, row.product_id)
    agency = db.session.get(Organisation, row.agency_id)
    pilots = db.session.scalars(
        select(PilotPurchase)
        .where(PilotPurchase.product_id == row.product_id)
        .order_by(PilotPurchase.id)
    ).all()
    own = next((p for p in pilots if p.id == row.pilot_id), None)
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.target_type == "follow_on_purchase")
                & (AuditEvent.target_id == str(row.id)),
                *(
                    [(AuditEvent.target_type == "pilot") & (AuditEvent.target_id == str(own.id))]
                    if own
                    else []
                ),
            )
        )
        .order_by(AuditEvent.id)
    ).all()
    return {
        "title": _("Good-faith record of follow-on purchase #%(id)d", id=row.id),
        "generated_at": (now := utcnow()).isoformat(timespec="seconds"),
        "generated_local": _when(now),
        "sections": [
            (
                _("Purchase"),
                [
                    (_("Product"), product.name),
                    (_("Supplier"), product.supplier.name),
                    (_("Agency"), agency.name if agency else "—"),
                    (_("Purchased on"), str(row.purchased_on)),
                    (_("Quantity"), str(row.quantity)),
                    (_("Amount (won)"), f"{row.amount:,}"),
                    (_("Contract number"), row.contract_number or "—"),
                ],
            ),
            _designation_section(designation, valid, _("Valid on the purchase day")),
            _evaluation_section(item),
            (
                _("Pilots of the product"),
                [
                    (
                        _("Pilot #%(id)d", id=p.id),
                        f"{p.agency.name}: {label(PILOT_STATUS, p.status)}, "
                        f"{label(PILOT_VERDICT, p.verdict) or '—'}",
                    )
                    for p in pilots
                ]
                or [(_("Pilots"), "—")],
            ),
        ],
        "checks": [
            (_("The product held a valid designation on the purchase day"), valid),
            (_("The product was piloted"), bool(pilots)),
            (
                _("A pilot of the product was judged a success"),
                any(p.verdict == "success" for p in pilots),
            ),
            (_("Every step is in the audit log"), bool(events)),
        ],
        "trail": _trail_rows(events),
    }


def render_pdf(record: dict) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Pretendard", "", str(FONT))
    pdf.set_title(record["title"])
    pdf.add_page()
    pdf.set_font("Pretendard", size=16)
    pdf.multi_cell(0, 9, record["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Pretendard", size=9)
    pdf.multi_cell(
        0,
        5,
        _("Generated at %(at)s (Korean time)", at=record["generated_local"]),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for heading, rows in record["sections"]:
        pdf.ln(3)
        pdf.set_font("Pretendard", size=12)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Pretendard", size=9)
        for name, value in rows:
            pdf.multi_cell(0, 5, f"{name}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Pretendard", size=12)
    pdf.multi_cell(0, 7, _("Checks"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Pretendard", size=9)
    for check, ok in record["checks"]:
        mark = _("yes") if ok else _("no")
        pdf.multi_cell(0, 5, f"[{mark}] {check}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Pretendard", size=12)
    pdf.multi_cell(0, 7, _("Audit trail"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Pretendard", size=8)
    for e in record["trail"]:
        pdf.multi_cell(
            0,
            4.5,
            f"{e['at_local']}  {e['action_label']}  {e['target_label']}  {e['actor']}  "
            f"#{e['hash']}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())
