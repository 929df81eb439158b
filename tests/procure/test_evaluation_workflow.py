"""The evaluation workflow end to end: rounds, conflicts, blind scoring, decisions, designations."""

from __future__ import annotations

from datetime import date

import factories
import pytest
from factories import in_request
from sqlalchemy import select
from test_evaluation_common import (
    criterion_levels,
    declare_and_submit,
    make_round,
    setup,
    sheet_input,
)

from procure.errors import Conflict, Forbidden, Invalid, NotFound
from procure.evaluation import services
from procure.extensions import db
from procure.models import AuditEvent, Designation, Notification


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def actions():
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_round_lifecycle_aggregates_and_designates(app):
    operator, supplier, panel, products, round_ = setup(app)
    assert round_.status == "open" and round_.opened_at
    notified = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "evaluation.round_opened")
    ).all()
    assert set(notified) == {e.id for e in panel}
    first, second = round_.items
    for evaluator in panel:
        declare_and_submit(app, evaluator, first, sheet_input("good"))
        declare_and_submit(app, evaluator, second, sheet_input("fair"))
    in_request(app, services.close_round, operator, round_)
    assert round_.status == "closed"
    assert first.result["total"] == 80.0 and first.result["certified"] is True
    assert second.result["total"] == 60.0 and second.result["certified"] is False
    assert set(round_.agreement) == {"total", "criteria"}
    in_request(app, services.decide_item, operator, first, "confirm")
    assert round_.status == "closed"
    in_request(app, services.decide_item, operator, second, "confirm")
    assert round_.status == "decided"
    designation = db.session.scalar(select(Designation).where(Designation.item_id == first.id))
    year = services.seoul_today().year
    assert designation.number == f"{year}-혁신-0001"
    assert designation.index_value == 80.0
    start = designation.starts_on
    assert designation.ends_on == date(start.year + 3, start.month, start.day) - (
        date(2000, 1, 2) - date(2000, 1, 1)
    )
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == supplier.id, Notification.kind == "evaluation.decided"
        )
    )
    log = actions()
    for action in (
        "evaluation.round_created",
        "evaluation.round_opened",
        "evaluation.conflict_declared",
        "evaluation.sheet_submitted",
        "evaluation.round_closed",
        "evaluation.item_decided",
        "designation.created",
        "evaluation.round_decided",
    ):
        assert action in log, action
