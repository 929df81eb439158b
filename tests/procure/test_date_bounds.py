"""Every date a person enters lies from 2000-01-01 to 2099-12-31 (validators.FIRST_DAY …
LAST_DAY): forms, API bodies and query filters refuse the rest with a field message, and the
public calendar feed survives a far-future date already in the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import factories
from factories import bearer, in_request
from procure.checks import Checker
from procure.clock import local_today
from procure.demands import services as demand_services
from procure.errors import Invalid
from procure.evaluation import services as evaluation_services
from procure.extensions import db
from procure.models import Demand, Dialogue
from procure.onestop import ical
from procure.pilots import services as pilot_services
from procure.validators import FIRST_DAY, LAST_DAY
from test_dialogue import DUE, create, extend, make_clock, make_people, move
from test_pilots_helpers import open_round, published_pilot, world

RANGE = "Enter a date from 2000-01-01 to 2099-12-31."
RANGE_KO = "날짜는 2000-01-01 ~ 2099-12-31 범위에서 입력하세요."
FAR = "9999-12-31"


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def demand_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Demand))


# -- the rule itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2000-01-01", True),
        ("2099-12-31", True),
        (date(2050, 6, 1), True),
        ("1999-12-31", False),
        ("2100-01-01", False),
        (FAR, False),
        ("0001-01-01", False),
        (date.max, False),
    ],
)
def test_checker_days_are_bounded_inclusively(app, value, accepted):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        check = Checker()
        day = check.day("when", value)
    assert (day is not None) is accepted
    assert [e.message for e in check.errors] == ([] if accepted else [RANGE])


def test_the_bound_is_the_one_the_onestop_filters_use(app):
    from procure.onestop.services import parse_filters

    filters = parse_filters({"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()})
    assert (filters.start, filters.end) == (date(2000, 1, 1), date(2099, 12, 31))
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(Invalid) as refused,
    ):
        parse_filters({"to": (LAST_DAY + timedelta(days=1)).isoformat()})
    assert [(e.field, e.message) for e in refused.value.errors] == [("to", RANGE)]


# -- demands -----------------------------------------------------------------------------------


def test_the_demand_form_refuses_a_far_future_closing_date(client, login, officer):
    login(officer)
    before = demand_count()
    form = {
        "title": "먼 미래의 수요",
        "problem": "마감일이 9999년이다.",
        "demand_type": "purchase",
        "language": "ko",
        "codes": "35613000",
        "closes_on": FAR,
        "expected_purchase_on": FAR,
        "requirements-0-name": "비행시간",
    }
    response = client.post("/demands/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert 'id="closes_on-error"' in html and RANGE in html
    assert demand_count() == before


@pytest.mark.parametrize("field", ["opens_on", "closes_on", "expected_purchase_on"])
def test_the_api_refuses_far_future_demand_dates_with_the_field_named(app, client, officer, field):
    before = demand_count()
    body = {
        "title": "먼 미래의 수요",
        "problem": "날짜가 9999년이다.",
        "demand_type": "purchase",
        "codes": ["35613000"],
        "requirements": [{"name": "비행시간", "target_value": "40", "unit": "분"}],
        field: FAR,
    }
    response = client.post("/api/v1/demands", json=body, headers=bearer(app, officer))
    assert response.status_code == 422, response.get_data(as_text=True)[:800]
    assert response.content_type == "application/problem+json"
    assert {"field": field, "message": RANGE} in response.json["errors"]
    assert demand_count() == before


def test_the_range_message_is_in_the_callers_language(app, client, officer):
    headers = {**bearer(app, officer), "Accept-Language": "ko"}
    body = {"title": "수요", "problem": "p", "closes_on": "1999-12-31"}
    response = client.post("/api/v1/demands", json=body, headers=headers)
    assert response.status_code == 422
    assert {"field": "closes_on", "message": RANGE_KO} in response.json["errors"]


def test_a_purchase_is_not_expected_before_the_call_closes(app, officer):
    closes = local_today() + timedelta(days=30)
    with pytest.raises(Invalid) as refused:
        in_request(
            app,
            demand_services.create_demand,
            officer,
            factories.demand_input(closes_on=closes, expected_purchase_on=closes - timedelta(1)),
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("expected_purchase_on", "The expected purchase date must not be before the closing date.")
    ]
    same_day = in_request(
        app,
        demand_services.create_demand,
        officer,
        factories.demand_input(closes_on=closes, expected_purchase_on=closes),
    )
    assert same_day.expected_purchase_on == closes


# -- the public calendar feed ------------------------------------------------------------------


def test_the_calendar_feed_survives_a_far_future_demand_in_the_database(app, client, officer):
    demand = factories.published_demand(app, officer, title="먼 미래 마감 수요")
    # Saved before the rule (or by an import): written directly, past every check.
    demand.closes_on = date.max
    demand.expected_purchase_on = date.max
    db.session.flush()
    response = client.get("/demand-info/calendar.ics")
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[:800]
    assert "DTSTART;VALUE=DATE:99991231" in text
    assert "DTEND;VALUE=DATE:1000" not in text  # no day after the last one is invented
    for page in ("/demand-info", "/demand-info/feed.atom", "/api/v1/demand-info"):
        assert client.get(page).status_code == 200, page


def test_an_event_on_the_last_representable_day_has_no_end():
    event = ical.Event(uid="u@x", day=date.max, summary="s")
    first = ical.Event(uid="v@x", day=date(1, 1, 1), summary="s")
    text = ical.calendar("c", [event, first], now=_now(), product="-//t//EN")
    lines = text.split("\r\n")
    assert "DTSTART;VALUE=DATE:99991231" in lines
    assert "DTSTART;VALUE=DATE:00010101" in lines and "DTEND;VALUE=DATE:00010102" in lines
    assert sum(line.startswith("DTEND") for line in lines) == 1


def _now():
    from procure.models.base import utcnow

    return utcnow()


def test_the_month_calendar_names_the_range(client, db_session):
    response = client.get("/demand-info/calendar?month=1999-12")
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM from 2000-01 to 2099-12." in response.get_data(as_text=True)


# -- audit filters, OCDS since -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [(f"to={FAR}", f"To: {RANGE}"), ("from=1999-12-31", f"From: {RANGE}")],
)
def test_the_audit_filter_refuses_far_dates_with_a_message(client_as, query, message):
    client, _operator = client_as("operator")
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "since", ["0001-01-01", f"{FAR}T23:00:00-09:00", "1999-12-31T23:59:59+09:00"]
)
def test_ocds_since_is_bounded_and_named(client, db_session, since):
    response = client.get("/api/v1/ocds/releases", query_string={"since": since})
    assert response.status_code == 422, response.get_data(as_text=True)[:800]
    assert {"field": "since", "message": RANGE} in response.json["errors"]


# -- pilots ------------------------------------------------------------------------------------


def test_starting_use_on_a_far_date_is_refused_with_the_field_named(app, client):
    w, _round, pilot = published_pilot(app)
    operator, officer = w["operator"], w["officers"][0]
    today = local_today()
    in_request(
        app, pilot_services.record_contract, operator, pilot, "C-1", today - timedelta(days=5)
    )
    in_request(app, pilot_services.record_delivery, officer, pilot, today, today)
    headers = bearer(app, officer)
    for body, field in (
        ({"use_started_on": FAR}, "use_started_on"),
        ({"use_started_on": today.isoformat(), "report_due_on": FAR}, "report_due_on"),
    ):
        response = client.post(f"/api/v1/pilots/{pilot.id}/start", json=body, headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)[:800]
        assert {"field": field, "message": RANGE} in response.json["errors"]
    db.session.refresh(pilot)
    assert pilot.status == "delivered" and pilot.use_started_on is None


def test_a_pilot_round_in_year_9999_is_refused(app):
    w = world(app)
    with pytest.raises(Invalid) as refused:
        open_round(
            app,
            w["operator"],
            w["products"],
            open_it=False,
            starts_on=date(9999, 1, 1),
            ends_on=date(9999, 12, 31),
            applications_close_on=date(9999, 6, 1),
        )
    assert {(e.field, e.message) for e in refused.value.errors} == {
        ("starts_on", RANGE),
        ("ends_on", RANGE),
        ("applications_close_on", RANGE),
    }


# -- dialogue deadlines ------------------------------------------------------------------------


def test_dialogue_deadlines_in_9999_are_refused(app, db_session, login, monkeypatch):
    make_clock(monkeypatch)
    users, clients = make_people(app, login)
    dialogue_id = create(app, clients, users)
    assert move(clients, dialogue_id, "publish").status_code == 302
    far = {
        "dialogue_2_due_on": date(9999, 12, 29),
        "final_due_on": date(9999, 12, 31),
    }
    response = extend(clients["officer"], dialogue_id, **far)
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:2000]
    assert RANGE in text
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert dialogue.final_due_on == DUE["final_due_on"]


def test_a_new_dialogue_with_a_far_deadline_is_shown_again_with_the_message(app, db_session, login):
    users, clients = make_people(app, login)
    demand = factories.published_demand(app, users["officer"], demand_type="dialogue")
    form = {
        "title": "먼 미래 경쟁적 대화",
        "notice": "공고",
        "technical_weight": 80,
        "price_weight": 20,
        "min_partners": 2,
        **{k: v.isoformat() for k, v in DUE.items()},
        "final_due_on": FAR,
    }
    response = clients["officer"].post(f"/dialogues/new/{demand.id}", data=form)
    text = response.get_data(as_text=True)
    assert response.status_code in (400, 422), text[:2000]
    assert RANGE in text
    assert db.session.scalar(select(Dialogue).where(Dialogue.demand_id == demand.id)) is None


# -- evaluation round deadlines ----------------------------------------------------------------


@pytest.mark.parametrize(
    "deadline", [FAR, f"{FAR}T23:00:00-09:00", "0001-01-01T00:00:00+09:00", date(9999, 12, 31)]
)
def test_an_evaluation_deadline_in_9999_is_refused(app, deadline):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        check = Checker()
        assert evaluation_services._deadline(check, deadline) is None
    assert [(e.field, e.message) for e in check.errors] == [("deadline", RANGE)]
