"""The evaluation workflow end to end: rounds, conflicts, blind scoring, decisions, designations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.clock import local_today
from procure.errors import Conflict, Forbidden, Invalid, NotFound
from procure.evaluation import services
from procure.extensions import db
from procure.models import AuditEvent, Designation, Notification
from test_evaluation_common import (
    criterion_levels,
    declare_and_submit,
    listed_product,
    make_round,
    setup,
    sheet_input,
)

ONE_DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def actions():
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_round_lifecycle_aggregates_and_designates(app):
    operator, supplier, panel, _products, round_ = setup(app)
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
    year = local_today().year
    assert designation.number == f"{year}-혁신-0001"
    assert designation.index_value == 80.0
    start = designation.starts_on
    assert designation.ends_on == date(start.year + 3, start.month, start.day) - ONE_DAY
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


def test_only_operators_manage_rounds_and_bad_input_is_refused(app):
    operator = factories.user_with_role("operator")
    evaluator = factories.user_with_role("evaluator")
    supplier = factories.user_with_role("supplier")
    product = listed_product(app, supplier)
    with pytest.raises(Forbidden):
        make_round(app, evaluator, [product], [evaluator])
    bad = services.RoundInput(
        title="",
        scheme="default-v9",
        deadline="2000-01-01",
        items=[
            services.ItemInput(product_id=product.id),
            services.ItemInput(product_id=product.id),
        ],
        evaluator_ids=[supplier.id],
    )
    with pytest.raises(Invalid) as refused:
        in_request(app, services.create_round, operator, bad)
    fields = {e.field for e in refused.value.errors}
    assert {"title", "scheme", "deadline", "items-1", "evaluator_ids"} <= fields


def test_lifecycle_moves_only_forward(app):
    operator, _supplier, _panel, _products, round_ = setup(app)
    with pytest.raises(Conflict):
        in_request(app, services.open_round, operator, round_)
    with pytest.raises(Conflict):
        in_request(app, services.decide_item, operator, round_.items[0], "confirm")
    with pytest.raises(Conflict):  # stale version
        in_request(app, services.close_round, operator, round_, round_.version - 1)
    in_request(app, services.close_round, operator, round_)
    with pytest.raises(Conflict):
        in_request(app, services.close_round, operator, round_)
    # Nobody submitted: no index; confirming records "not certified", overriding is refused.
    item = round_.items[0]
    assert item.result is None
    with pytest.raises(Conflict):
        in_request(app, services.decide_item, operator, item, "override", "좋아 보임")
    in_request(app, services.decide_item, operator, item, "confirm")
    assert item.certified is False
    with pytest.raises(Conflict):
        in_request(app, services.decide_item, operator, item, "confirm")


def test_conflicts_own_organisation_and_declared_are_enforced(app):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    product = listed_product(app, supplier)
    insider = factories.user_with_role("evaluator", organisation=supplier.organisation)
    declared = factories.user_with_role("evaluator")
    clean = factories.user_with_role("evaluator")
    outsider = factories.user_with_role("evaluator")
    round_ = make_round(app, operator, [product], [insider, declared, clean])
    item = round_.items[0]
    # Not on the panel: the dossier does not exist for them.
    with pytest.raises(NotFound):
        in_request(app, services.declare_conflict, outsider, item, False)
    # Before declaring, nobody sees the dossier.
    with pytest.raises(Forbidden):
        in_request(app, services.open_dossier, clean, item)
    # A member of the supplier cannot escape by declaring no conflict.
    assert services.access(insider, item) == "own_organisation"
    in_request(app, services.declare_conflict, insider, item, False)
    with pytest.raises(Forbidden):
        in_request(app, services.open_dossier, insider, item)
    with pytest.raises(Forbidden):
        declare_and_submit(app, insider, item)
    # A declared conflict needs a note, is final and blocks scoring.
    with pytest.raises(Invalid):
        in_request(app, services.declare_conflict, declared, item, True, "")
    in_request(app, services.declare_conflict, declared, item, True, "전 직장")
    with pytest.raises(Conflict):
        in_request(app, services.declare_conflict, declared, item, False)
    with pytest.raises(Forbidden):
        in_request(app, services.save_sheet, declared, item, sheet_input(), None, submit=True)
    declare_and_submit(app, clean, item)
    cells = services.overview(round_)[item.id]
    assert cells[insider.id].status == "conflict"
    assert cells[declared.id].status == "conflict"
    assert cells[clean.id].status == "submitted"
    in_request(app, services.close_round, operator, round_)
    assert item.result["n_evaluators"] == 1
    assert item.result["evaluator_ids"] == [str(clean.id)]


def test_scoring_is_blind(app):
    operator, supplier, panel, _products, round_ = setup(app, product_count=1)
    item = round_.items[0]
    first, second, _third = panel
    declare_and_submit(app, first, item, submit=False)
    declare_and_submit(app, second, item)
    assert services.read_sheet(first, item).status == "draft"
    with pytest.raises(Forbidden):
        services.read_sheet(first, item, second.id)
    with pytest.raises(Forbidden):  # not even operators before the round closes
        services.read_sheet(operator, item, second.id)
    with pytest.raises(Forbidden):
        services.individual_sheets(operator, item)
    with pytest.raises(Forbidden):
        services.individual_sheets(supplier, item)
    # The audit trail proves what was stored without carrying the scores.
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "evaluation.sheet_submitted")
    )
    assert set(event.after) == {"item_id", "status", "version", "sha256"}
    in_request(app, services.close_round, operator, round_)
    assert [s.evaluator_id for s in services.individual_sheets(operator, item)] == [second.id]
    with pytest.raises(Forbidden):
        services.read_sheet(first, item, second.id)


def test_two_evaluators_submit_the_same_item_and_a_stale_version_is_refused(app):
    operator, _supplier, panel, _products, round_ = setup(app, product_count=1)
    item = round_.items[0]
    first, second, _third = panel
    for evaluator in (first, second):
        in_request(app, services.declare_conflict, evaluator, item, False)
    # Both read "no sheet yet" (version 0), then both submit: both land.
    in_request(app, services.save_sheet, first, item, sheet_input(), 0, submit=True)
    in_request(app, services.save_sheet, second, item, sheet_input("excellent"), 0, submit=True)
    assert services.submitted_count(item) == 2
    # A draft saved twice from the same stale page: the second save is refused.
    third = panel[2]
    in_request(app, services.declare_conflict, third, item, False)
    row = in_request(app, services.save_sheet, third, item, sheet_input(), 0)
    loaded = row.version
    in_request(app, services.save_sheet, third, item, sheet_input("fair"), loaded)
    with pytest.raises(Conflict):
        in_request(app, services.save_sheet, third, item, sheet_input("poor"), loaded)
    with pytest.raises(Conflict):  # a second "first" sheet
        in_request(app, services.save_sheet, third, item, sheet_input("poor"), 0)
    in_request(app, services.close_round, operator, round_)
    assert item.result["n_evaluators"] == 2


def test_submission_needs_every_score_gate_and_comment(app):
    _operator, _supplier, panel, _products, round_ = setup(app, product_count=1)
    item = round_.items[0]
    data = sheet_input()
    data.levels.pop("novelty")
    data.gates.pop("safety")
    data.comments["market"] = "  "
    with pytest.raises(Invalid) as refused:
        declare_and_submit(app, panel[0], item, data)
    fields = {e.field for e in refused.value.errors}
    assert {"level-novelty", "gate-safety", "comment-market"} <= fields
    # The same sheet saves as a draft.
    row = declare_and_submit(app, panel[0], item, data, submit=False)
    assert row.status == "draft"
    with pytest.raises(Invalid):
        in_request(
            app,
            services.save_sheet,
            panel[0],
            item,
            services.SheetInput(levels={"novelty": "superb"}),
            row.version,
        )


def test_a_deviating_score_needs_a_justification(app):
    _operator, _supplier, panel, _products, round_ = setup(app, product_count=1)
    item = round_.items[0]
    first, second, third = panel
    declare_and_submit(app, first, item, sheet_input("good"))
    declare_and_submit(app, second, item, sheet_input("good"))
    harsh = sheet_input("good", **criterion_levels("technology", "very_poor"))
    with pytest.raises(Invalid) as refused:
        declare_and_submit(app, third, item, harsh)
    assert [e.field for e in refused.value.errors] == ["justification-technology"]
    assert "24" not in refused.value.errors[0].message  # the others' values stay hidden
    assert services.flagged_criteria(
        item, services._validated_sheet(services.scheme_of(round_), third, harsh), third
    ) == ["technology"]
    harsh.justifications["technology"] = "시험성적서가 없어 완성도를 확인할 수 없음"
    row = declare_and_submit(app, third, item, harsh)
    assert row.status == "submitted"


def test_override_needs_a_reason_and_numbers_are_sequential(app):
    operator, _supplier, panel, _products, round_ = setup(app, product_count=3)
    a, b, c = round_.items
    for evaluator in panel:
        declare_and_submit(app, evaluator, a, sheet_input("good"))
        declare_and_submit(app, evaluator, b, sheet_input("fair"))
        declare_and_submit(app, evaluator, c, sheet_input("excellent"))
    in_request(app, services.close_round, operator, round_)
    with pytest.raises(Invalid):
        in_request(app, services.decide_item, operator, b, "override", "")
    with pytest.raises(Invalid):
        in_request(app, services.decide_item, operator, b, "maybe")
    in_request(app, services.decide_item, operator, b, "override", "현장 실증 결과가 우수함")
    assert b.decision == "overridden" and b.certified is True
    assert b.decision_reason == "현장 실증 결과가 우수함"
    in_request(app, services.decide_item, operator, a, "override", "특허 분쟁 중")
    assert a.certified is False
    in_request(app, services.decide_item, operator, c, "confirm")
    numbers = db.session.scalars(select(Designation.number).order_by(Designation.id)).all()
    year = local_today().year
    assert numbers == [f"{year}-혁신-0001", f"{year}-혁신-0002"]
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "evaluation.item_decided", AuditEvent.target_id == str(b.id)
        )
    )
    assert event.after["reason"] == "현장 실증 결과가 우수함" and event.after["computed"] is False


def _designated(app):
    operator, supplier, panel, products, round_ = setup(app, product_count=1)
    item = round_.items[0]
    for evaluator in panel:
        declare_and_submit(app, evaluator, item, sheet_input("good"))
    in_request(app, services.close_round, operator, round_)
    in_request(app, services.decide_item, operator, item, "confirm")
    designation = db.session.scalar(select(Designation).where(Designation.item_id == item.id))
    return operator, supplier, products[0], designation


def test_validity_extensions_and_revocation(app):
    operator, supplier, product, designation = _designated(app)
    start = designation.starts_on
    assert services.current_designation(product.id) is designation
    assert designation.ends_on == date(start.year + 3, start.month, start.day) - ONE_DAY
    with pytest.raises(Forbidden):
        in_request(app, services.extend_designation, supplier, designation)
    in_request(app, services.extend_designation, operator, designation)
    assert designation.ends_on == date(start.year + 4, start.month, start.day) - ONE_DAY
    in_request(app, services.extend_designation, operator, designation, designation.version)
    assert designation.ends_on == date(start.year + 6, start.month, start.day) - ONE_DAY
    assert designation.extensions == 2
    with pytest.raises(Conflict, match="6 years"):
        in_request(app, services.extend_designation, operator, designation)
    with pytest.raises(Invalid):
        in_request(app, services.revoke_designation, operator, designation, " ")
    in_request(app, services.revoke_designation, operator, designation, "인증 취소")
    assert designation.status == "revoked" and designation.revoked_reason == "인증 취소"
    assert services.current_designation(product.id) is None
    with pytest.raises(Conflict):
        in_request(app, services.extend_designation, operator, designation)
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == supplier.id, Notification.kind == "designation.revoked"
        )
    )
    log = actions()
    assert log.count("designation.extended") == 2 and "designation.revoked" in log


def test_designated_products_filter(app, client):
    _operator, supplier, product, _designation = _designated(app)
    other = listed_product(app, supplier, "지정 안 된 제품")
    page = client.get("/products/?designated=1").get_data(as_text=True)
    assert product.name in page and other.name not in page
    page = client.get("/products/").get_data(as_text=True)
    assert other.name in page
