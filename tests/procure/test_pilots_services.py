"""Pilot purchases: rounds, plans, applications, allocation, the state machine, reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.clock import local_today
from procure.errors import Conflict, Forbidden, Invalid, NotFound
from procure.extensions import db
from procure.models import AuditEvent, Notification, PilotApplication
from procure.models.evaluation import Designation
from procure.pilots import services
from test_pilots_helpers import (
    apply,
    designated_product,
    evaluated_pilot,
    file_plan,
    open_round,
    pilot_in_use,
    published_pilot,
    report_input,
    world,
)


@pytest.fixture
def w(app, db_session):
    return world(app)


def _events(target_type, target_id):
    return db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
        .order_by(AuditEvent.id)
    ).all()


# -- rounds and plans ----------------------------------------------------------------------


def test_round_requires_designated_products_and_a_sane_period(app, w):
    supplier = w["suppliers"][0]
    plain = designated_product(supplier, "지정 만료 제품", days_left=-1)
    with pytest.raises(Invalid) as refused:
        open_round(
            app,
            w["operator"],
            [plain],
            title="",
            budget=0,
            ends_on=local_today() - timedelta(days=1),
            open_it=False,
        )
    fields = {e.field for e in refused.value.errors}
    assert {"title", "budget", "ends_on", "product_ids"} <= fields


@pytest.mark.parametrize("raw", ["99999999999999999999", 10**30, "abc", "²", True, None, "0"])
def test_a_product_id_no_key_can_hold_is_a_field_message(app, w, raw):
    """A posted id that is not one (beyond a key's range, text, a boolean) is "does not exist",
    never the database refusing the query (it was a bare 422 page that lost the form)."""
    with pytest.raises(Invalid) as refused:
        open_round(app, w["operator"], [], product_ids=[raw], open_it=False)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("product_ids", "One of the chosen products does not exist.")
    ]


def test_only_operators_open_rounds(app, w):
    with pytest.raises(Forbidden):
        open_round(app, w["officers"][0], w["products"])


def test_round_lifecycle_is_audited(app, w):
    round_ = open_round(app, w["operator"], w["products"])
    assert round_.status == "open"
    assert _events("pilot_round", round_.id) == ["pilot_round.created", "pilot_round.open"]
    with pytest.raises(Conflict) as refused:
        in_request(app, services.publish_allocation, w["operator"], round_)
    # The states in words, never the stored codes ("open", "published").
    assert refused.value.message == (
        "A round in the state “Open for plans and applications” cannot move to "
        "“Allocation published”."
    )


def test_plan_rules(app, w):
    round_ = open_round(app, w["operator"], w["products"])
    supplier_a, supplier_b = w["suppliers"]
    with pytest.raises(Invalid):  # not its own product
        file_plan(app, supplier_b, round_, w["products"][0])
    plan = file_plan(app, supplier_a, round_, w["products"][0])
    assert plan.supplier_id == supplier_a.organisation_id
    with pytest.raises(Invalid):  # one plan per product and round
        file_plan(app, supplier_a, round_, w["products"][0])
    with pytest.raises(Forbidden):
        file_plan(app, w["officers"][0], round_, w["products"][1])


def test_application_rules(app, w):
    round_ = open_round(app, w["operator"], w["products"])
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0], units=3)
    officer = w["officers"][0]
    with pytest.raises(Invalid) as refused:
        apply(app, officer, round_, plan, quantity=4)
    assert refused.value.errors[0].field == "quantity"
    with pytest.raises(Forbidden):
        apply(app, w["suppliers"][0], round_, plan)
    application = apply(app, officer, round_, plan, quantity=3)
    with pytest.raises(Invalid):
        apply(app, officer, round_, plan, quantity=1)
    assert "pilot_application.submitted" in _events("pilot_application", application.id)


def test_application_is_refused_after_the_closing_day(app, w):
    round_ = open_round(
        app,
        w["operator"],
        w["products"],
        applications_close_on=local_today(),
        starts_on=local_today() - timedelta(days=10),
    )
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0])
    round_.applications_close_on = local_today() - timedelta(days=1)  # a day passes
    with pytest.raises(Conflict):
        apply(app, w["officers"][0], round_, plan)


def test_a_round_whose_applications_would_already_be_closed_does_not_open(app, w):
    yesterday = local_today() - timedelta(days=1)
    round_ = open_round(
        app, w["operator"], w["products"], applications_close_on=yesterday, open_it=False
    )
    with pytest.raises(Invalid, match="Move the closing day first") as refused:
        in_request(app, services.open_round, w["operator"], round_)
    assert [e.field for e in refused.value.errors] == ["applications_close_on"]
    assert round_.status == "draft"
    round_.applications_close_on = local_today()
    in_request(app, services.open_round, w["operator"], round_)
    assert round_.status == "open"


def test_the_optimiser_waits_until_the_applications_have_closed(app, w, monkeypatch, login):
    operator = w["operator"]
    closes = local_today() + timedelta(days=3)
    round_ = open_round(app, operator, w["products"], applications_close_on=closes)
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0])
    apply(app, w["officers"][0], round_, plan)
    with pytest.raises(Conflict, match=closes.isoformat()):
        in_request(app, services.allocate, operator, round_)
    assert round_.status == "open"
    page = factories.english_client(app)
    login(operator, on=page)
    assert "can run from the next day" in page.get(f"/pilots/rounds/{round_.id}").get_data(
        as_text=True
    )
    monkeypatch.setattr(services, "local_today", lambda: closes)  # the closing day itself
    with pytest.raises(Conflict):
        in_request(app, services.allocate, operator, round_)
    monkeypatch.setattr(services, "local_today", lambda: closes + timedelta(days=1))
    in_request(app, services.allocate, operator, round_)
    assert round_.status == "allocating"


def test_the_people_a_round_concerns_hear_of_it(app, w):
    def kinds(user):
        return set(
            db.session.scalars(
                select(Notification.kind).where(Notification.user_id == user.id)
            ).all()
        )

    operator, (supplier_a, supplier_b) = w["operator"], w["suppliers"]
    round_ = open_round(app, operator, [w["products"][0]])
    assert "pilot_round.opened" in kinds(supplier_a)  # its product is in the round
    assert "pilot_round.opened" not in kinds(supplier_b)  # its product is not
    assert all("pilot_round.opened" in kinds(officer) for officer in w["officers"])
    plan = file_plan(app, supplier_a, round_, w["products"][0])
    apply(app, w["officers"][0], round_, plan)
    assert "pilot_application.submitted" in kinds(operator)
    in_request(app, services.allocate, operator, round_)
    in_request(app, services.publish_allocation, operator, round_)
    pilot = services.visible_pilots(operator)[0]
    in_request(app, services.record_contract, operator, pilot, "C-1", local_today())
    assert "pilot.contracted" in kinds(supplier_a)
    assert "pilot.contracted" in kinds(w["officers"][0])


# -- visibility ----------------------------------------------------------------------------


def test_agency_sees_only_its_own_applications_until_publication(app, w):
    operator = w["operator"]
    round_ = open_round(app, operator, w["products"])
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0])
    mine = apply(app, w["officers"][0], round_, plan, quantity=1)
    theirs = apply(app, w["officers"][1], round_, plan, quantity=1)
    assert services.applications_for(w["officers"][0], round_) == [mine]
    assert services.applications_for(w["suppliers"][0], round_) == []
    assert len(services.applications_for(operator, round_)) == 2
    with pytest.raises(NotFound):
        services.get_application(w["officers"][0], theirs.id)
    in_request(app, services.allocate, operator, round_)
    assert services.applications_for(w["officers"][0], round_) == [mine]
    in_request(app, services.publish_allocation, operator, round_)
    assert len(services.applications_for(w["officers"][0], round_)) == 2
    assert services.get_application(w["officers"][0], theirs.id) is theirs


def test_draft_rounds_are_the_operators_own(app, w):
    round_ = open_round(app, w["operator"], w["products"], open_it=False)
    with pytest.raises(NotFound):
        services.get_round(w["officers"][0], round_.id)
    assert services.get_round(w["operator"], round_.id) is round_


def test_pilot_visible_to_its_parties_then_public_when_evaluated(app, w):
    _w, _round, pilot = published_pilot(app, w)
    assert services.get_pilot(w["officers"][0], pilot.id) is pilot
    assert services.get_pilot(w["suppliers"][0], pilot.id) is pilot
    with pytest.raises(NotFound):
        services.get_pilot(w["officers"][1], pilot.id)
    with pytest.raises(NotFound):
        services.get_pilot(w["suppliers"][1], pilot.id)


# -- allocation ----------------------------------------------------------------------------


def test_allocation_report_and_hand_adjustment_are_audited(app, w):
    operator = w["operator"]
    round_ = open_round(app, operator, w["products"], budget=5_000_000)
    plan_a = file_plan(app, w["suppliers"][0], round_, w["products"][0], price=1_000_000)
    plan_b = file_plan(app, w["suppliers"][1], round_, w["products"][1], price=1_000_000)
    big = apply(app, w["officers"][0], round_, plan_a, quantity=5)
    small_1 = apply(app, w["officers"][1], round_, plan_a, quantity=2)
    small_2 = apply(app, w["officers"][2], round_, plan_b, quantity=2, small=True)
    in_request(app, services.allocate, operator, round_, {"small": 1.0})
    report = round_.allocation_report
    assert round_.status == "allocating"
    assert report["agencies_covered"] == 2 and report["products_covered"] == 2
    assert report["spent"] == 4_000_000 and report["weights"]["small"] == 1.0
    assert {line["application_id"]: line["chosen"] for line in report["lines"]} == {
        big.id: False,
        small_1.id: True,
        small_2.id: True,
    }
    assert big.status == "not_allocated" and small_2.allocated_amount == 2_000_000
    with pytest.raises(Invalid):  # over the budget
        in_request(app, services.adjust, operator, big, 2, "예산 조정")
    with pytest.raises(Invalid):  # a reason is required
        in_request(app, services.adjust, operator, big, 1, "")
    in_request(app, services.adjust, operator, big, 1, "대기 기관 일부 배정")
    assert big.allocated_amount == 1_000_000 and big.adjusted_by_hand
    assert round_.allocation_report["adjustments"][0]["reason"] == "대기 기관 일부 배정"
    assert "pilot_application.adjusted" in _events("pilot_application", big.id)
    with pytest.raises(Forbidden):
        in_request(app, services.adjust, w["officers"][0], big, 0, "x")
    in_request(app, services.publish_allocation, operator, round_)
    assert len(services.visible_pilots(operator)) == 3
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == w["officers"][0].id, Notification.kind == "pilot.allocated"
        )
    )
    with pytest.raises(Conflict):
        in_request(app, services.adjust, operator, big, 0, "늦은 변경")


def test_allocate_refuses_bad_weights(app, w):
    round_ = open_round(app, w["operator"], w["products"])
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0])
    apply(app, w["officers"][0], round_, plan)
    with pytest.raises(Invalid):
        in_request(app, services.allocate, w["operator"], round_, {"small": -1})
    with pytest.raises(Invalid):
        in_request(app, services.allocate, w["operator"], round_, {"colour": 1})


# -- the state machine ---------------------------------------------------------------------


def test_pilot_moves_through_every_state(app, w):
    _w, _round, pilot = evaluated_pilot(app, w)
    assert pilot.status == "evaluated" and pilot.verdict == "success"
    assert pilot.published_at is not None
    in_request(app, services.close_pilot, w["operator"], pilot)
    assert pilot.status == "closed"
    assert _events("pilot", pilot.id) == [
        "pilot.allocated",
        "pilot.contracted",
        "pilot.delivered",
        "pilot.in_use",
        "pilot.reported",
        "field_report.submitted",
        "pilot.evaluated",
        "pilot.closed",
    ]
    # evaluated pilots are public
    assert services.get_pilot(factories.user_with_role("citizen"), pilot.id) is pilot


def test_report_due_defaults_to_the_test_period(app, w):
    _w, _r, pilot = pilot_in_use(app, w)
    assert pilot.report_due_on == pilot.use_started_on + timedelta(days=90)


@pytest.mark.parametrize(
    "move",
    ["delivery", "start", "report", "verdict", "close"],
)
def test_illegal_moves_are_refused(app, w, move):
    _w, _r, pilot = published_pilot(app, w)  # allocated
    officer, operator = w["officers"][0], w["operator"]
    today = local_today()
    calls = {
        "delivery": lambda: services.record_delivery(officer, pilot, today, today),
        "start": lambda: services.start_use(officer, pilot, today),
        "report": lambda: services.submit_report(officer, pilot, report_input()),
        "verdict": lambda: services.evaluate(operator, pilot, "success"),
        "close": lambda: services.close_pilot(operator, pilot),
    }
    with pytest.raises(Conflict):
        in_request(app, calls[move])
    assert pilot.status == "allocated"


def test_only_the_right_people_move_a_pilot(app, w):
    _w, _r, pilot = published_pilot(app, w)
    with pytest.raises(Forbidden):
        in_request(app, services.record_contract, w["officers"][0], pilot, "C-1", local_today())
    in_request(app, services.record_contract, w["operator"], pilot, "C-1", local_today())
    with pytest.raises(Forbidden):
        in_request(
            app, services.record_delivery, w["officers"][1], pilot, local_today(), local_today()
        )


def test_contract_cannot_exceed_allocation_and_dates_must_be_in_order(app, w):
    _w, _r, pilot = published_pilot(app, w)
    with pytest.raises(Invalid):
        in_request(
            app,
            services.record_contract,
            w["operator"],
            pilot,
            "C-1",
            local_today(),
            pilot.amount + 1,
        )
    allocated = pilot.application.allocated_quantity
    with pytest.raises(Invalid) as more:
        in_request(
            app,
            services.record_contract,
            w["operator"],
            pilot,
            "C-1",
            local_today(),
            pilot.amount,
            allocated + 1,
        )
    assert [(e.field, e.message) for e in more.value.errors] == [
        ("quantity", f"The contract may not buy more than the {allocated} units allocated.")
    ]
    tomorrow = local_today() + timedelta(days=1)
    with pytest.raises(Invalid) as ahead:  # a step records what has happened
        in_request(app, services.record_contract, w["operator"], pilot, "C-1", tomorrow)
    assert [(e.field, e.message) for e in ahead.value.errors] == [
        ("contract_date", "The date cannot be in the future.")
    ]
    in_request(app, services.record_contract, w["operator"], pilot, "C-1", local_today())
    with pytest.raises(Invalid):
        in_request(
            app,
            services.record_delivery,
            w["officers"][0],
            pilot,
            local_today() - timedelta(days=5),
            local_today(),
        )
    with pytest.raises(Invalid) as ahead:
        in_request(app, services.record_delivery, w["officers"][0], pilot, tomorrow, tomorrow)
    assert {e.field for e in ahead.value.errors} == {"delivery_date", "accepted_on"}
    in_request(app, services.record_delivery, w["officers"][0], pilot, local_today(), local_today())
    with pytest.raises(Invalid) as ahead:
        in_request(app, services.start_use, w["officers"][0], pilot, tomorrow)
    assert [e.field for e in ahead.value.errors] == ["use_started_on"]
    in_request(app, services.start_use, w["officers"][0], pilot, local_today())
    assert pilot.status == "in_use"


# -- field reports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": None}, "satisfaction"),
        ({"would_buy_again": "yes"}, "would_buy_again"),
        ({"summary": ""}, "summary"),
        ({"measurements": []}, "measurements"),
        (
            {"measurements": [{"name": "x", "target": "1", "measured": "", "met": True}]},
            "measurements-0-measured",
        ),
        ({"measurements": [{"name": "x", "target": "1", "measured": "1"}]}, "measurements-0-met"),
        ({"defects": [{"description": "누수", "fixed": True}]}, "defects-0-fixed_on"),
        (
            {"defects": [{"description": "누수", "fixed": False, "fixed_on": "2026-01-01"}]},
            "defects-0-fixed_on",
        ),
        ({"defects": [{"description": "", "fixed": False}]}, "defects-0-description"),
        (  # fixed before the pilot's use started
            {"defects": [{"description": "누수", "fixed": True, "fixed_on": "2021-01-04"}]},
            "defects-0-fixed_on",
        ),
        ({"defects": "none"}, "defects"),
    ],
)
def test_report_validation(app, w, overrides, field):
    _w, _r, pilot = pilot_in_use(app, w)
    with pytest.raises(Invalid) as refused:
        in_request(app, services.submit_report, w["officers"][0], pilot, report_input(**overrides))
    assert field in {e.field for e in refused.value.errors}
    assert pilot.status == "in_use"


def test_only_the_using_agency_reports(app, w):
    _w, _r, pilot = pilot_in_use(app, w)
    for other in (w["officers"][1], w["operator"], w["suppliers"][0]):
        with pytest.raises(Forbidden):
            in_request(app, services.submit_report, other, pilot, report_input())


def test_verdict_insufficient_needs_a_note(app, w):
    _w, _r, pilot = pilot_in_use(app, w)
    in_request(app, services.submit_report, w["officers"][0], pilot, report_input())
    with pytest.raises(Invalid):
        in_request(app, services.evaluate, w["operator"], pilot, "insufficient", "")
    with pytest.raises(Invalid):
        in_request(app, services.evaluate, w["operator"], pilot, "great", "")


def test_extension_blocked_for_insufficient_with_unfixed_defects(app, w):
    product = w["products"][0]
    assert services.extension_blocked(product.id) is False
    evaluated_pilot(
        app,
        w,
        verdict="insufficient",
        defects=[{"description": "야간 점멸", "fixed": False}],
    )
    assert services.extension_blocked(product.id) is True
    assert services.extension_blocked(w["products"][1].id) is False
    # The evaluation workflow refuses to extend the designation while the defect is unfixed.
    from procure.errors import Conflict
    from procure.evaluation import services as evaluation
    from procure.models import Designation

    designation = db.session.scalars(
        select(Designation).where(Designation.product_id == product.id)
    ).first()
    with pytest.raises(Conflict, match="defect is still unfixed"):
        in_request(app, evaluation.extend_designation, w["operator"], designation)


def test_insufficient_with_fixed_defects_is_not_blocked(app, w):
    evaluated_pilot(
        app,
        w,
        verdict="insufficient",
        defects=[
            {
                "description": "야간 점멸",
                "fixed": True,
                "fixed_on": (local_today() - timedelta(days=3)).isoformat(),
            }
        ],
    )
    assert services.extension_blocked(w["products"][0].id) is False


# -- reminders -----------------------------------------------------------------------------


def _reminders(user):
    return db.session.scalars(
        select(Notification.kind).where(
            Notification.user_id == user.id, Notification.kind.like("pilot.report_%")
        )
    ).all()


def test_remind_due_soon_and_overdue_once_a_day(app, w):
    _w, _r, pilot = pilot_in_use(app, w)
    officer = w["officers"][0]
    due = pilot.report_due_on
    assert services.remind(due - timedelta(days=8)) == {"due": 0, "overdue": 0}
    assert services.remind(due - timedelta(days=7)) == {"due": 1, "overdue": 0}
    assert services.remind(due - timedelta(days=7)) == {"due": 0, "overdue": 0}
    assert services.remind(due + timedelta(days=1)) == {"due": 0, "overdue": 1}
    assert services.remind(due + timedelta(days=1)) == {"due": 0, "overdue": 0}
    assert services.remind(due + timedelta(days=2)) == {"due": 0, "overdue": 1}
    assert sorted(_reminders(officer)) == [
        "pilot.report_due",
        "pilot.report_overdue",
        "pilot.report_overdue",
    ]
    assert _reminders(w["officers"][1]) == []


def test_remind_command(app, w):
    _w, _r, pilot = pilot_in_use(app, w)
    runner = app.test_cli_runner()
    day = (pilot.report_due_on + timedelta(days=3)).isoformat()
    result = runner.invoke(args=["pilots", "remind", "--today", day])
    assert result.exit_code == 0, result.output
    assert "1 overdue" in result.output
    assert "pilot.report_overdue" in _reminders(w["officers"][0])


# -- follow-on purchases -------------------------------------------------------------------


def test_follow_on_purchase_rules(app, w):
    _w, _r, pilot = evaluated_pilot(app, w)
    officer = w["officers"][0]
    with pytest.raises(Invalid):  # never piloted
        in_request(
            app,
            services.record_follow_on,
            officer,
            services.FollowOnInput(w["products"][1].id, local_today(), 1_000, 1),
        )
    with pytest.raises(Invalid):  # in the future
        in_request(
            app,
            services.record_follow_on,
            officer,
            services.FollowOnInput(pilot.product_id, local_today() + timedelta(days=1), 1_000, 1),
        )
    row = in_request(
        app,
        services.record_follow_on,
        officer,
        services.FollowOnInput(pilot.product_id, local_today(), 9_000_000, 3, "F-1"),
    )
    assert row.pilot_id == pilot.id and row.agency_id == officer.organisation_id
    other = in_request(
        app,
        services.record_follow_on,
        w["officers"][1],
        services.FollowOnInput(pilot.product_id, local_today(), 1_000_000, 1),
    )
    assert other.pilot_id is None
    with pytest.raises(Forbidden):
        in_request(
            app,
            services.record_follow_on,
            w["suppliers"][0],
            services.FollowOnInput(pilot.product_id, local_today(), 1, 1),
        )


def test_revoked_designation_makes_a_product_ineligible(app, w):
    product = w["products"][0]
    db.session.scalar(
        select(Designation).where(Designation.product_id == product.id)
    ).status = "revoked"
    db.session.flush()
    assert not services.is_designated(product.id)
    with pytest.raises(Invalid):
        open_round(app, w["operator"], [product])
    assert db.session.scalar(select(PilotApplication.id)) is None


def test_a_later_fix_lifts_the_extension_block(app, w):
    _w, _r, pilot = evaluated_pilot(
        app,
        w,
        verdict="insufficient",
        defects=[
            {"description": "야간 점멸", "fixed": False},
            {"description": "앱 오류", "fixed": False},
        ],
    )
    product_id = w["products"][0].id
    officer = w["officers"][0]
    with pytest.raises(Forbidden):
        in_request(app, services.record_fix, w["officers"][1], pilot, 0, local_today())
    with pytest.raises(Invalid):
        in_request(app, services.record_fix, officer, pilot, 0, local_today() + timedelta(days=1))
    before_use = pilot.use_started_on - timedelta(days=1)
    with pytest.raises(Invalid) as early:
        in_request(app, services.record_fix, officer, pilot, 0, before_use)
    assert "cannot be fixed before the pilot's use started" in early.value.errors[0].message
    in_request(app, services.record_fix, officer, pilot, 0, local_today())
    assert services.extension_blocked(product_id) is True
    with pytest.raises(NotFound):  # already fixed
        in_request(app, services.record_fix, officer, pilot, 0, local_today())
    with pytest.raises(NotFound):
        in_request(app, services.record_fix, officer, pilot, 5, local_today())
    in_request(app, services.record_fix, w["operator"], pilot, 1, local_today())
    db.session.expire_all()
    assert services.extension_blocked(product_id) is False
    assert pilot.report.defects[1]["fixed_on"] == local_today().isoformat()
    assert _events("pilot", pilot.id).count("field_report.defect_fixed") == 2


def test_an_agency_withdraws_its_application_while_the_round_is_open(app, w, client_as):
    operator = w["operator"]
    round_ = open_round(app, operator, w["products"], budget=5_000_000)
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0], price=1_000_000)
    officer, other = w["officers"][0], w["officers"][1]
    mistaken = apply(app, officer, round_, plan, quantity=3)
    kept = apply(app, other, round_, plan, quantity=2)
    with pytest.raises(Forbidden):  # another agency, or the operator, cannot do it for them
        in_request(app, services.withdraw_application, other, mistaken)
    with pytest.raises(Forbidden):
        in_request(app, services.withdraw_application, operator, mistaken)
    with pytest.raises(Conflict):  # a stale page
        in_request(app, services.withdraw_application, officer, mistaken, "", mistaken.version + 9)
    in_request(app, services.withdraw_application, officer, mistaken, "수량 오기")
    assert mistaken.status == "withdrawn"
    assert "pilot_application.withdrawn" in _events("pilot_application", mistaken.id)
    with pytest.raises(Conflict):
        in_request(app, services.withdraw_application, officer, mistaken)
    # The agency may apply for the same product again; the optimiser ignores the withdrawn one.
    again = apply(app, officer, round_, plan, quantity=1)
    in_request(app, services.allocate, operator, round_)
    lines = {line["application_id"] for line in round_.allocation_report["lines"]}
    assert lines == {kept.id, again.id} and round_.allocation_report["applications"] == 2
    assert mistaken.status == "withdrawn" and mistaken.allocated_quantity == 0
    with pytest.raises(Conflict):  # nor can the operator allocate it by hand
        in_request(app, services.adjust, operator, mistaken, 1, "실수")
    with pytest.raises(Conflict):  # too late once the optimiser has run
        in_request(app, services.withdraw_application, officer, again)

    # The page shows the withdrawal; the API refuses it once the round is allocating.
    page = client_as("operator")[0].get(f"/pilots/rounds/{round_.id}").get_data(as_text=True)
    assert "Withdrawn by the agency" in page


def test_withdrawing_through_the_page_and_the_api(app, w, client_as, login):
    from procure.account.services import create_api_token

    operator = w["operator"]
    round_ = open_round(app, operator, w["products"])
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0])
    officer = w["officers"][0]
    first = apply(app, officer, round_, plan, quantity=2)
    client = factories.english_client(app)
    login(officer, on=client)
    page = client.get(f"/pilots/rounds/{round_.id}").get_data(as_text=True)
    assert f"/pilots/applications/{first.id}/withdraw" in page
    response = client.post(
        f"/pilots/applications/{first.id}/withdraw",
        data={"version": first.version, "reason": "중복 신청"},
    )
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.status == "withdrawn"
    second = apply(app, officer, round_, plan, quantity=1)
    with app.test_request_context():
        _row, token = create_api_token(officer, "pilots")
    db.session.flush()
    api = factories.english_client(app).post(
        f"/api/v1/pilot-applications/{second.id}/withdraw",
        json={"reason": "예산 부족"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200 and api.get_json()["status"] == "withdrawn"
    again = factories.english_client(app).post(
        f"/api/v1/pilot-applications/{second.id}/withdraw",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    # Another agency's officer does not learn the application exists.
    with app.test_request_context():
        _row, other_token = create_api_token(w["officers"][1], "pilots")
    db.session.flush()
    hidden = factories.english_client(app).post(
        f"/api/v1/pilot-applications/{second.id}/withdraw",
        json={},
        headers={"Authorization": f"Bearer {other_token}"},
    )
    assert hidden.status_code == 404


def test_a_draft_round_is_changed_and_an_open_one_is_not(app, w, login):
    from procure.account.services import create_api_token

    operator = w["operator"]
    product_a, product_b = w["products"]
    round_ = open_round(app, operator, [product_a], open_it=False)
    data = services.RoundInput(
        title="2026년 2차 시범구매",
        budget=50_000_000,
        mode="rental",
        starts_on=local_today(),
        ends_on=local_today() + timedelta(days=90),
        per_agency_cap=10_000_000,
        product_ids=[product_a.id, product_b.id],
    )
    with pytest.raises(Forbidden):
        in_request(app, services.update_round, w["officers"][0], round_, data)
    with pytest.raises(Conflict):  # a stale page
        in_request(app, services.update_round, operator, round_, data, round_.version + 3)
    bad = services.RoundInput(**{**data.__dict__, "budget": 0, "product_ids": []})
    with pytest.raises(Invalid) as refused:
        in_request(app, services.update_round, operator, round_, bad)
    assert {e.field for e in refused.value.errors} == {"budget", "product_ids"}
    assert round_.title == "2026년 1차 시범구매"  # nothing of the refused change landed
    in_request(app, services.update_round, operator, round_, data, round_.version)
    assert (round_.title, round_.budget, round_.mode, round_.per_agency_cap) == (
        "2026년 2차 시범구매",
        50_000_000,
        "rental",
        10_000_000,
    )
    assert {p.id for p in round_.products} == {product_a.id, product_b.id}
    assert _events("pilot_round", round_.id) == ["pilot_round.created", "pilot_round.updated"]

    # The API: the same change, all fields as when creating it.
    with app.test_request_context():
        _row, token = create_api_token(operator, "pilots")
    db.session.flush()
    headers = {"Authorization": f"Bearer {token}"}
    days = {"starts_on": data.starts_on.isoformat(), "ends_on": data.ends_on.isoformat()}
    body = {**data.__dict__, **days, "title": "API로 바꾼 제목", "version": round_.version}
    api = factories.english_client(app).patch(
        f"/api/v1/pilot-rounds/{round_.id}", json=body, headers=headers
    )
    assert api.status_code == 200 and api.get_json()["title"] == "API로 바꾼 제목"
    db.session.refresh(round_)

    # The page: the operator changes the draft through the form.
    client = factories.english_client(app)
    login(operator, on=client)
    form = client.get(f"/pilots/rounds/{round_.id}/edit")
    assert form.status_code == 200 and "API로 바꾼 제목" in form.get_data(as_text=True)
    saved = client.post(
        f"/pilots/rounds/{round_.id}/edit",
        data={
            "title": "2026년 2차 시범구매(수정)",
            "budget": "60000000",
            "mode": "rental",
            "starts_on": local_today().isoformat(),
            "ends_on": (local_today() + timedelta(days=90)).isoformat(),
            "product_ids": [str(product_a.id)],
            "version": round_.version,
        },
    )
    assert saved.status_code == 302
    db.session.refresh(round_)
    assert round_.budget == 60_000_000 and [p.id for p in round_.products] == [product_a.id]

    # Open: the terms are what suppliers and agencies answer; the page, service and API refuse.
    in_request(app, services.open_round, operator, round_)
    with pytest.raises(Conflict):
        in_request(app, services.update_round, operator, round_, data)
    assert client.get(f"/pilots/rounds/{round_.id}/edit").status_code == 409
    body.pop("version")
    api = factories.english_client(app).patch(
        f"/api/v1/pilot-rounds/{round_.id}", json=body, headers=headers
    )
    assert api.status_code == 409 and api.mimetype == "application/problem+json"
