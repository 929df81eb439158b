"""Suppliers apply for designation; operators see what waits and take it into a round."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.clock import local_today
from procure.errors import Conflict, Forbidden, Invalid
from procure.evaluation import applications, services
from procure.extensions import db
from procure.models import AuditEvent, Designation, Notification, RoundItem
from test_evaluation_common import declare_and_submit, listed_product, make_round, sheet_input


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def _kinds(user):
    return db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user.id)
    ).all()


def test_an_application_goes_from_the_product_page_through_a_round_to_a_decision(app, login):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(3)]
    product = listed_product(app, supplier, "해상 감시 드론 S2")
    page_client = factories.english_client(app)
    login(supplier, on=page_client)
    page = page_client.get(f"/products/{product.id}").get_data(as_text=True)
    assert f"/evaluation/products/{product.id}/apply" in page
    response = page_client.post(
        f"/evaluation/products/{product.id}/apply", data={"note": "강풍 시험성적서 첨부"}
    )
    assert response.status_code == 302
    application = applications.open_application(product.id)
    assert application.status == "applied" and application.note == "강풍 시험성적서 첨부"
    assert "designation.applied" in _kinds(operator)
    assert (
        "designation_application.submitted"
        in db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(product.id))
        ).all()
    )
    # Applying twice is refused; the page shows the application instead of the form.
    with pytest.raises(Conflict):
        in_request(app, applications.apply, supplier, product)
    page = page_client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "waiting for an evaluation round" in page
    assert f"/evaluation/products/{product.id}/apply" not in page

    # The operator sees it waiting, and a new round starts with it chosen.
    operator_client = factories.english_client(app)
    login(operator, on=operator_client)
    index = operator_client.get("/evaluation/").get_data(as_text=True)
    assert "해상 감시 드론 S2" in index and "waiting for a round (1)" in index
    form = operator_client.get("/evaluation/rounds/new").get_data(as_text=True)
    option = re.search(rf'<option[^>]*value="{product.id}"[^>]*>', form).group(0)
    assert "selected" in option and "applied for designation" in form

    round_ = make_round(app, operator, [product], panel)
    db.session.refresh(application)
    assert application.status == "in_round" and application.round_id == round_.id
    assert "designation.in_round" in _kinds(supplier)
    with pytest.raises(Conflict):  # in a round: no longer withdrawn
        in_request(app, applications.withdraw, supplier, application)
    for evaluator in panel:
        declare_and_submit(app, evaluator, round_.items[0], sheet_input("good"))
    in_request(app, services.close_round, operator, round_)
    in_request(app, services.decide_item, operator, round_.items[0], "confirm")
    db.session.refresh(application)
    assert application.status == "decided"
    # Designated for years: it cannot apply again until the end comes near.
    designation = db.session.scalar(select(Designation).where(Designation.product_id == product.id))
    # Open data names the scheme as the API and the certificate key it.
    listed = factories.english_client(app).get("/open-data/designations.csv")
    assert f"{designation.number}," in listed.get_data(as_text=True)
    assert ",default-v1," in listed.get_data(as_text=True)
    reason = applications.why_not(product)
    assert reason and designation.ends_on.isoformat() in reason
    # Nor can an operator put it in another round before then (two designations at once).
    assert product not in services.product_choices()
    with pytest.raises(Invalid) as held:
        make_round(app, operator, [product], panel, title="두 번째 회차")
    assert [e.message for e in held.value.errors] == [
        f"“해상 감시 드론 S2” is designated until {designation.ends_on.isoformat()} "
        f"({designation.number}); it can be evaluated again from "
        f"{(designation.ends_on - timedelta(days=applications.RENEWAL_WINDOW_DAYS)).isoformat()}."
    ]
    # Near its end it can: the new designation follows on from the old, without overlap.
    designation.ends_on = local_today() + timedelta(days=30)
    db.session.flush()
    assert product in services.product_choices()
    renewal = make_round(app, operator, [product], panel, title="갱신 회차")
    for evaluator in panel:
        declare_and_submit(app, evaluator, renewal.items[0], sheet_input("good"))
    in_request(app, services.close_round, operator, renewal)
    in_request(app, services.decide_item, operator, renewal.items[0], "confirm")
    follow_on = db.session.scalars(
        select(Designation).where(Designation.product_id == product.id).order_by(Designation.id)
    ).all()[-1]
    assert follow_on.id != designation.id
    assert follow_on.starts_on == designation.ends_on + timedelta(days=1)
    # The renewal is not in force before its first day; the designation it follows is.
    assert services.current_designation(product.id).id == designation.id
    assert not services.is_current(follow_on) and services.is_current(designation)
    # And the renewal holds the product like any designation: no third one meanwhile.
    assert applications.held_designation(product.id).id == follow_on.id
    assert product not in services.product_choices()
    with pytest.raises(Invalid):
        make_round(app, operator, [product], panel, title="세 번째 회차")


def test_a_product_is_in_one_undecided_round_at_a_time(app):
    """Two rounds deciding on one product would designate it twice (the second from a
    future year): a product waiting for a decision in one round joins no other, and a draft
    saved before that rule does not open."""
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(2)]
    product = listed_product(app, supplier, name="해상 감시 드론 S3")
    first = make_round(app, operator, [product], panel, title="첫 회차")
    assert product not in services.product_choices()
    with pytest.raises(Invalid) as refused:
        make_round(app, operator, [product], panel, open_it=False, title="둘째 회차")
    assert [e.message for e in refused.value.errors] == [
        "“해상 감시 드론 S3” is already in the round “첫 회차”, which has not decided on it yet."
    ]
    # A draft holding the product from before the rule: opening it is refused.
    other = listed_product(app, supplier, name="예비 제품")
    draft = make_round(app, operator, [other], panel, open_it=False, title="예전 초안")
    draft.items.append(RoundItem(product_id=product.id))
    db.session.flush()
    with pytest.raises(Conflict, match="already in the round “첫 회차”"):
        in_request(app, services.open_round, operator, draft)
    # Closed but undecided still holds it; once decided, the product is free again
    # (here: not certified, so it may be evaluated anew).
    in_request(app, services.close_round, operator, first)
    assert services.undecided_round(product.id).id == first.id
    in_request(app, services.decide_item, operator, first.items[0], "confirm")
    assert services.undecided_round(product.id, other_than=draft.id) is None
    assert product not in services.product_choices()  # the old draft still holds it
    draft.items = [i for i in draft.items if i.product_id != product.id]
    db.session.flush()
    assert product in services.product_choices()


def test_only_the_products_company_applies_and_withdraws(app):
    supplier = factories.user_with_role("supplier")
    rival = factories.user_with_role("supplier")
    product = listed_product(app, supplier)
    with pytest.raises(Forbidden):
        in_request(app, applications.apply, rival, product)
    application = in_request(app, applications.apply, supplier, product, "")
    with pytest.raises(Forbidden):
        in_request(app, applications.withdraw, rival, application)
    with pytest.raises(Invalid):
        in_request(app, applications.apply, supplier, listed_product(app, supplier), "x" * 2001)
    in_request(app, applications.withdraw, supplier, application)
    assert application.status == "withdrawn"
    assert applications.open_application(product.id) is None
    # Withdrawn, it may apply again.
    again = in_request(app, applications.apply, supplier, product)
    assert again.status == "applied"


def test_a_draft_or_suspended_product_and_a_fresh_designation_cannot_apply(app):
    supplier = factories.user_with_role("supplier")
    product = listed_product(app, supplier)
    from procure.products import services as products

    in_request(app, products.change_status, supplier, product, "archived")
    with pytest.raises(Conflict, match="listed"):
        in_request(app, applications.apply, supplier, product)
    near = listed_product(app, supplier, "만료 임박 제품")
    db.session.add(
        Designation(
            number="T-near",
            product_id=near.id,
            index_value=75.0,
            criteria={},
            scheme_id="default",
            scheme_version="1",
            starts_on=local_today() - timedelta(days=900),
            ends_on=local_today() + timedelta(days=90),
        )
    )
    db.session.flush()
    assert applications.why_not(near) is None  # within the renewal window


def test_a_product_taken_out_of_a_draft_round_waits_again(app):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(3)]
    first, second = listed_product(app, supplier, "가"), listed_product(app, supplier, "나")
    for product in (first, second):
        in_request(app, applications.apply, supplier, product)
    round_ = make_round(app, operator, [first, second], panel, open_it=False)
    assert {a.status for a in applications.waiting()} == set()
    data = services.RoundInput(
        title=round_.title,
        scheme="default-v1",
        deadline=local_today() + timedelta(days=14),
        items=[services.ItemInput(product_id=first.id)],
        evaluator_ids=[e.id for e in panel],
    )
    in_request(app, services.update_round, operator, round_, data, round_.version)
    assert [a.product_id for a in applications.waiting()] == [second.id]


def test_the_api_applies_lists_and_withdraws(app, client):
    supplier = factories.user_with_role("supplier")
    rival = factories.user_with_role("supplier")
    operator = factories.user_with_role("operator")
    product = listed_product(app, supplier)
    mine, theirs = factories.bearer(app, supplier), factories.bearer(app, rival)
    path = f"/api/v1/products/{product.id}/designation-application"
    assert client.post(path, headers=theirs, json={}).status_code == 403
    refused = client.post(path, headers=mine, json={"note": 5})
    assert refused.status_code == 422
    made = client.post(path, headers=mine, json={"note": "시험성적서"})
    assert made.status_code == 201 and made.json["status"] == "applied"
    location = made.headers["Location"]
    assert client.get(location, headers=mine).json["note"] == "시험성적서"
    assert client.get(location, headers=theirs).status_code == 404  # another company's
    assert client.post(path, headers=mine, json={}).status_code == 409  # one open at a time
    listed = client.get(
        "/api/v1/designation-applications?status=applied", headers=factories.bearer(app, operator)
    ).json
    assert [a["product_id"] for a in listed["items"]] == [product.id]
    assert client.get("/api/v1/designation-applications", headers=theirs).json["total"] == 0
    # Claiming membership of the company when registering shows nothing until an operator
    # approves it: the notes are the company's.
    joiner = factories.user_with_role(
        "supplier", organisation=supplier.organisation, approved=False
    )
    waiting = client.get("/api/v1/designation-applications", headers=factories.bearer(app, joiner))
    assert waiting.status_code == 200 and waiting.json["total"] == 0
    assert client.get("/api/v1/designation-applications", headers=mine).json["total"] == 1
    bad = client.get("/api/v1/designation-applications?status=maybe", headers=mine)
    assert bad.status_code == 422
    withdraw = f"/api/v1/designation-applications/{made.json['id']}/withdraw"
    assert client.post(withdraw, headers=theirs, json={}).status_code == 404
    stale = client.post(withdraw, headers=mine, json={"version": made.json["version"] + 1})
    assert stale.status_code == 409
    done = client.post(withdraw, headers=mine, json={"version": made.json["version"]})
    assert done.status_code == 200 and done.json["status"] == "withdrawn"


def test_a_product_no_longer_listed_leaves_the_waiting_list(app):
    from procure.products import services as products

    supplier = factories.user_with_role("supplier")
    product = listed_product(app, supplier)
    application = in_request(app, applications.apply, supplier, product)
    in_request(app, products.change_status, supplier, product, "suspended")
    assert application.status == "withdrawn" and applications.waiting() == []
