"""Pilot purchases through the pages: forms, visibility, results, statistics, the PDF record."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import factories
from procure.clock import local_today
from procure.extensions import db
from procure.models import PilotApplication, PilotPurchase, PilotRound
from procure.models.evaluation import Designation
from test_pilots_helpers import designated_product, evaluated_pilot, world


@pytest.fixture
def w(app, db_session):
    return world(app)


def _client(app, login, user):
    from factories import english_client

    client = english_client(app)
    login(user, on=client)
    return client


def version_of(record) -> int:
    """The version the page would show now (the buttons post it back)."""
    db.session.refresh(record)
    return record.version


def test_the_whole_flow_through_the_pages(app, w, login):
    operator = _client(app, login, w["operator"])
    supplier = _client(app, login, w["suppliers"][0])
    officer_a = _client(app, login, w["officers"][0])
    officer_b = _client(app, login, w["officers"][1])
    today = local_today()

    page = operator.get("/pilots/rounds/new")
    assert page.status_code == 200 and "수질 센서" in page.get_data(as_text=True)
    bad = operator.post("/pilots/rounds/new", data={"title": "", "budget": "1"})
    assert bad.status_code == 400
    response = operator.post(
        "/pilots/rounds/new",
        data={
            "title": "2026 시범구매",
            "budget": "10000000",
            "mode": "purchase",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=200)).isoformat(),
            "product_ids": [str(p.id) for p in w["products"]],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    round_ = db.session.scalar(select(PilotRound).order_by(PilotRound.id.desc()))
    assert officer_a.get(f"/pilots/rounds/{round_.id}").status_code == 404  # still a draft
    opened = operator.post(f"/pilots/rounds/{round_.id}/open", data={"version": round_.version})
    assert opened.status_code == 302
    # Before any supply plan, the application form says why there is nothing to choose.
    empty = officer_a.get(f"/pilots/rounds/{round_.id}/apply").get_data(as_text=True)
    assert 'id="no-plans"' in empty and 'name="plan_id"' not in empty

    response = supplier.post(
        f"/pilots/rounds/{round_.id}/plans/new",
        data={
            "product_id": str(w["products"][0].id),
            "units_offered": "5",
            "unit_price": "1000000",
            "test_period_days": "60",
            "support_offered": "교육",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = round_.plans[0]
    form = officer_a.get(f"/pilots/rounds/{round_.id}/apply").get_data(as_text=True)
    assert 'name="plan_id"' in form
    assert f"{plan.product.name} — 5 units offered at ₩1,000,000 each" in form
    application = {
        "plan_id": str(plan.id),
        "quantity": "2",
        "intended_use": "가로등 시험",
        "site": "비밀현장A",
        "expected_improvement": "절전",
        "plans_follow_on": "y",
    }
    assert officer_a.post(f"/pilots/rounds/{round_.id}/apply", data=application).status_code == 302
    too_many = {**application, "quantity": "9", "site": "비밀현장B"}
    refused = officer_b.post(f"/pilots/rounds/{round_.id}/apply", data=too_many)
    assert refused.status_code == 422 and "at most 5 units" in refused.get_data(as_text=True)
    assert (
        officer_b.post(
            f"/pilots/rounds/{round_.id}/apply", data={**application, "site": "비밀현장B"}
        ).status_code
        == 302
    )
    # before publication an agency sees only its own application
    text = officer_b.get(f"/pilots/rounds/{round_.id}").get_data(as_text=True)
    assert "비밀현장B" in text and "비밀현장A" not in text
    assert "비밀현장A" not in factories_client_text(app, f"/pilots/rounds/{round_.id}")

    response = operator.post(
        f"/pilots/rounds/{round_.id}/allocate",
        data={"weight-small": "1", "version": version_of(round_)},
    )
    assert response.status_code == 302
    assert (
        operator.post(
            f"/pilots/rounds/{round_.id}/allocate",
            data={"weight-small": "-3", "version": version_of(round_)},
        ).status_code
        == 422
    )
    text = operator.get(f"/pilots/rounds/{round_.id}").get_data(as_text=True)
    assert "What the optimiser chose and why" in text
    assert "(the best possible)" in text and "(optimal)" not in text  # words, not solver codes
    apps = db.session.scalars(select(PilotApplication).order_by(PilotApplication.id)).all()
    response = operator.post(
        f"/pilots/applications/{apps[1].id}/adjust",
        data={"quantity": "1", "reason": "조정", "version": apps[1].version},
    )
    assert response.status_code == 302
    published = operator.post(
        f"/pilots/rounds/{round_.id}/publish", data={"version": version_of(round_)}
    )
    assert published.status_code == 302
    text = officer_b.get(f"/pilots/rounds/{round_.id}").get_data(as_text=True)
    assert "비밀현장A" in text  # published: everyone sees the allocation

    pilot = db.session.scalar(
        select(PilotPurchase).where(PilotPurchase.agency_id == w["officers"][0].organisation_id)
    )
    base = f"/pilots/{pilot.id}"
    assert officer_b.get(base).status_code == 404
    waiting = officer_a.get(base)
    assert waiting.status_code == 200
    # The agency has nothing to do yet and is told who acts next.
    assert "Next: the central procurement service signs the contract" in waiting.get_data(
        as_text=True
    )
    assert (
        officer_a.post(
            f"{base}/start",
            data={"use_started_on": today.isoformat(), "version": version_of(pilot)},
        ).status_code
        == 409
    )
    refused = operator.post(
        f"{base}/contract",
        data={"contract_number": "   ", "contract_date": "", "version": version_of(pilot)},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    # Posted from a small form, the refusal names each field (the error page stands alone).
    assert "Contract number: This field is required." in text
    assert "Contract date: This field is required." in text
    response = operator.post(
        f"{base}/contract",
        data={
            "contract_number": "C-77",
            "contract_date": (today - timedelta(days=70)).isoformat(),
            "version": version_of(pilot),
        },
    )
    assert response.status_code == 302
    response = officer_a.post(
        f"{base}/delivery",
        data={
            "delivery_date": (today - timedelta(days=65)).isoformat(),
            "accepted_on": (today - timedelta(days=64)).isoformat(),
            "version": version_of(pilot),
        },
    )
    assert response.status_code == 302
    response = officer_a.post(
        f"{base}/start",
        data={
            "use_started_on": (today - timedelta(days=63)).isoformat(),
            "version": version_of(pilot),
        },
    )
    assert response.status_code == 302
    form = officer_a.get(f"{base}/report")
    assert form.status_code == 200
    incomplete = officer_a.post(
        f"{base}/report", data={"summary": "요약", "satisfaction": "4", "would_buy_again": "yes"}
    )
    assert incomplete.status_code == 422
    assert "Report at least one specification item." in incomplete.get_data(as_text=True)
    response = officer_a.post(
        f"{base}/report",
        data={
            "summary": "야간 조도 목표 달성",
            "satisfaction": "5",
            "would_buy_again": "yes",
            "measurements-0-name": "조도",
            "measurements-0-target": "30",
            "measurements-0-measured": "31",
            "measurements-0-unit": "lx",
            "measurements-0-met": "y",
            "defects-0-description": "초기 점멸",
            "defects-0-fixed": "y",
            "defects-0-fixed_on": (today - timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    verdict = {"verdict": "insufficient", "version": version_of(pilot)}
    assert operator.post(f"{base}/verdict", data=verdict).status_code == 422
    verdict = {"verdict": "success", "version": version_of(pilot)}
    assert operator.post(f"{base}/verdict", data=verdict).status_code == 302
    anonymous = english_anonymous(app)
    results = anonymous.get("/pilots/results").get_data(as_text=True)
    assert "스마트 가로등" in results and "야간 조도 목표 달성" in results
    assert anonymous.get(base).status_code == 200  # evaluated: public
    closed = operator.post(f"{base}/close", data={"version": version_of(pilot)})
    assert closed.status_code == 302

    response = officer_a.post(
        "/pilots/follow-ons/new",
        data={
            "product_id": str(pilot.product_id),
            "purchased_on": today.isoformat(),
            "amount": "6000000",
            "quantity": "3",
        },
    )
    assert response.status_code == 302
    stats = anonymous.get(f"/pilots/stats?year={round_.starts_on.year}").get_data(as_text=True)
    assert "100.0%" in stats  # the one piloted product was bought again
    everything = anonymous.get("/pilots/stats").get_data(as_text=True)
    assert "Agencies, all years" in everything and "this year" not in everything
    assert "its spend counts from the signed contract" in everything  # what each figure counts


def english_anonymous(app):
    from factories import english_client

    return english_client(app)


def factories_client_text(app, path):
    return english_anonymous(app).get(path).get_data(as_text=True)


def test_good_faith_record_and_pdf(app, w):
    _w, round_, pilot = evaluated_pilot(app, w)
    designation = db.session.scalar(
        select(Designation).where(Designation.product_id == pilot.product_id)
    )
    client = english_anonymous(app)
    page = client.get(f"/pilots/{pilot.id}/good-faith")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert designation.number in text and "Pilot purchase: Contracted" in text
    # Everything in words and in Korean time, as on the rest of the site: no codes, no UTC.
    for raw in ("pilot.contracted", "pilot_round #", "+00:00", "trimmed", "chosen-", "evaluated<"):
        assert raw not in text, raw
    assert "Evaluated" in text
    response = client.get(f"/pilots/{pilot.id}/good-faith.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    # pypdf reads fpdf2's Identity encoding stream as 2-byte codes with NULs in between; the
    # ToUnicode map itself is right (viewers copy the text correctly), so drop the NULs.
    raw = " ".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    content = re.sub(r"\s+", " ", raw)
    assert f"Good-faith record of pilot purchase #{pilot.id}" in content
    assert designation.number in content
    assert "스마트 가로등" in content  # Korean survives: the font is embedded
    assert round_.title in content
    for action in (
        "Pilot round: created",
        "Pilot application: submitted",
        "Pilot round: allocated",
        "Pilot purchase: Contracted",
        "Pilot purchase: Evaluated",
    ):
        assert action.lower() in content.lower(), action
    assert str(designation.ends_on) in content


def test_follow_on_good_faith_record(app, w, login):
    from factories import in_request
    from procure.pilots import services

    _w, _round, pilot = evaluated_pilot(app, w)
    row = in_request(
        app,
        services.record_follow_on,
        w["officers"][0],
        services.FollowOnInput(pilot.product_id, local_today(), 7_000_000, 2, "F-9"),
    )
    officer = _client(app, login, w["officers"][0])
    index = officer.get("/pilots/").get_data(as_text=True)
    assert f"/pilots/follow-ons/{row.id}/good-faith" in index
    response = officer.get(f"/pilots/follow-ons/{row.id}/good-faith.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    content = " ".join(p.extract_text() for p in reader.pages).replace("\x00", "")
    assert f"follow-on purchase #{row.id}" in content and "Follow-on purchase: recorded" in content
    other = _client(app, login, w["officers"][1])
    assert other.get(f"/pilots/follow-ons/{row.id}/good-faith").status_code == 404


def test_good_faith_record_is_private_until_published(app, w):
    from test_pilots_helpers import published_pilot

    _w, _r, pilot = published_pilot(app, w)
    assert english_anonymous(app).get(f"/pilots/{pilot.id}/good-faith.pdf").status_code == 404


def test_remaining_pages_render(app, w, login):
    evaluated_pilot(app, w)
    client = english_anonymous(app)
    for path in ("/pilots/", "/pilots/results", "/pilots/stats", "/pilots/stats.csv"):
        assert client.get(path).status_code == 200, path
    officer = _client(app, login, w["officers"][0])
    assert officer.get("/pilots/follow-ons/new").status_code == 200
    assert '<a class="app-nav-link" href="/pilots/" >Pilots</a>' in officer.get("/").get_data(
        as_text=True
    )


def test_expired_product_is_not_offered_for_a_round(app, w, login):
    designated_product(w["suppliers"][0], "만료된 제품", days_left=-1)
    operator = _client(app, login, w["operator"])
    assert "만료된 제품" not in operator.get("/pilots/rounds/new").get_data(as_text=True)


def test_no_inline_script_or_style(app, w, login):
    evaluated_pilot(app, w)
    operator = _client(app, login, w["operator"])
    pages = ["/pilots/", "/pilots/stats", "/pilots/results", "/pilots/rounds/new"]
    pages += [f"/pilots/rounds/{r.id}" for r in db.session.scalars(select(PilotRound))]
    pages += [f"/pilots/{p.id}" for p in db.session.scalars(select(PilotPurchase))]
    for path in pages:
        text = operator.get(path).get_data(as_text=True)
        assert "<script>" not in text and " style=" not in text and "<style" not in text, path
        assert "onclick" not in text, path


_ = factories


def test_pages_render_in_korean(app, w, login):
    _w, round_, pilot = evaluated_pilot(app, w)
    client = app.test_client()
    login(w["operator"], on=client)
    for path in (
        "/pilots/",
        f"/pilots/rounds/{round_.id}",
        f"/pilots/{pilot.id}",
        f"/pilots/{pilot.id}/good-faith",
        f"/pilots/{pilot.id}/good-faith.pdf",
        "/pilots/results",
        "/pilots/stats",
        "/pilots/budgets",
        "/pilots/rounds/new",
    ):
        response = client.get(path, headers={"Accept-Language": ""})
        assert response.status_code == 200, path


def test_the_pilot_list_filters_by_state_and_round_and_shows_each_their_own(app, w, login):
    from test_pilots_helpers import pilot_in_use

    _w, round_, pilot = pilot_in_use(app, w)
    operator = _client(app, login, w["operator"])
    page = operator.get("/pilots/").get_data(as_text=True)
    assert "<caption>All pilots (1)</caption>" in page
    assert "All pilots (1)" in operator.get("/pilots/?status=in_use").get_data(as_text=True)
    assert "No pilot matches" in operator.get("/pilots/?status=closed").get_data(as_text=True)
    assert "All pilots (1)" in operator.get(f"/pilots/?round={round_.id}").get_data(as_text=True)
    # Report overdue: in use past the day the report was due.
    pilot.report_due_on = local_today() + timedelta(days=1)
    db.session.commit()
    assert "No pilot matches" in operator.get("/pilots/?status=overdue").get_data(as_text=True)
    pilot.report_due_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert "All pilots (1)" in operator.get("/pilots/?status=overdue").get_data(as_text=True)
    # Unknown filters are ignored, never a 500.
    assert operator.get("/pilots/?status=junk&round=abc&page=-3").status_code == 200
    # The using agency sees it as its own; another agency sees none of it.
    agency = _client(app, login, w["officers"][0]).get("/pilots/").get_data(as_text=True)
    assert "<caption>Pilots you take part in (1)</caption>" in agency
    other = _client(app, login, w["officers"][1]).get("/pilots/").get_data(as_text=True)
    assert "Pilots you take part in" not in other


def test_the_officers_dashboard_lists_its_pilots_under_way(app, w, login):
    from test_pilots_helpers import pilot_in_use

    _w, _round, pilot = pilot_in_use(app, w)
    pilot.report_due_on = local_today() - timedelta(days=1)
    db.session.flush()
    client = factories.english_client(app)
    login(w["officers"][0], on=client)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Pilot purchases under way" in page
    row = re.search(
        rf'<a href="/pilots/{pilot.id}">[^<]*</a></td><td>([^<]*)</td><td>(.*?)</td>', page
    )
    assert row and row.group(1) == "In use" and "overdue" in row.group(2)
    # Another agency's officer does not see it.
    other = factories.english_client(app)
    login(factories.user_with_role("officer"), on=other)
    assert f'href="/pilots/{pilot.id}"' not in other.get("/dashboard").get_data(as_text=True)
