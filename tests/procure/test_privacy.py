"""A person's rights over their data: the privacy policy, a copy of one's data, closing the
account (and what blocks it), and the retention of sign-in attempts (docs/privacy.md)."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import factories
from procure.extensions import db
from procure.models import (
    ApiToken,
    AuditEvent,
    EvaluationRound,
    LoginAttempt,
    Notification,
    RoundEvaluator,
    RoundItem,
    RoundStatus,
    SavedSearch,
    User,
)
from procure.models.base import utcnow


@pytest.fixture(autouse=True)
def codes(db_session):
    factories.add_cpv_codes()


@pytest.fixture
def settings(app):
    """Change settings for one test: ``settings(privacy_email=…)``."""
    original = app.config["SETTINGS"]

    def change(**values):
        app.config["SETTINGS"] = dataclasses.replace(original, **values)

    yield change
    app.config["SETTINGS"] = original


def close(client, user, password=factories.PASSWORD, confirmation=None):
    return client.post(
        "/account/close",
        data={
            "password": password,
            "confirmation": user.email if confirmation is None else confirmation,
        },
    )


# -- the policy -----------------------------------------------------------------------------


def test_privacy_policy_is_public_in_both_languages_and_linked_from_every_page(
    app, db_session, settings
):
    settings(
        operator_name="조달청 혁신조달과",
        privacy_officer="김보호",
        privacy_email="privacy@pps.example.kr",
        login_attempt_retention_days=180,
    )
    korean = app.test_client().get("/privacy", headers={"Accept-Language": "ko"})
    text = korean.get_data(as_text=True)
    assert korean.status_code == 200
    assert "<h1>개인정보 처리방침</h1>" in text
    assert "조달청 혁신조달과은(는) 혁신조달 플랫폼" in text
    assert "180일 보관 후 삭제" in text
    assert "김보호" in text and 'href="mailto:privacy@pps.example.kr"' in text
    english = app.test_client().get("/privacy", headers={"Accept-Language": "en"})
    text = english.get_data(as_text=True)
    assert "<h1>Privacy policy</h1>" in text and "180 days, then deleted" in text
    home = app.test_client().get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert 'href="/privacy"><strong>개인정보 처리방침</strong>' in home


def test_without_a_named_officer_the_policy_says_whom_to_write_to(app, db_session, settings):
    settings(
        operator_name="procure 운영기관", privacy_officer="", privacy_email="", privacy_phone=""
    )
    text = (
        app.test_client().get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    )
    assert (
        "has not named a privacy officer on this installation yet. Write to the operator of this"
        in text
    )


# -- a copy of one's data -------------------------------------------------------------------


def test_my_data_is_a_json_download_of_what_is_kept_about_me_only(app, client, login):
    from procure.ideas import services as ideas

    me = login(factories.user_with_role("citizen", phone="010-1234-5678"))
    other = factories.user_with_role("citizen")
    factories.api_token(app, me, "내 토큰")
    factories.api_token(app, other, "남의 토큰")
    db.session.add_all(
        [
            Notification(user_id=me.id, kind="test", title="내 알림", body="본문"),
            Notification(user_id=other.id, kind="test", title="남의 알림", body=""),
            SavedSearch(user_id=me.id, name="드론", query={"q": "드론"}),
        ]
    )
    idea = factories.in_request(
        app,
        ideas.submit_idea,
        me,
        title="버스 정류장 온열 의자",
        problem="겨울에 정류장이 너무 춥습니다. " * 2,
    )
    db.session.flush()
    response = client.get("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="procure-my-data-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == me.email and data["account"]["phone"] == "010-1234-5678"
    assert [t["name"] for t in data["api_tokens"]] == ["내 토큰"]
    assert "token_hash" not in json.dumps(data)
    assert [n["title"] for n in data["notifications"]] == ["내 알림"]
    assert data["saved_searches"][0]["query"] == {"q": "드론"}
    assert [i["id"] for i in data["ideas"]] == [idea.id]
    assert [a["succeeded"] for a in data["sign_in_attempts"]] == [True]  # the sign-in above
    assert any(a["action"] == "api_token.created" for a in data["actions"])
    assert other.email not in json.dumps(data, ensure_ascii=False)


def test_my_data_needs_a_signed_in_person(app, db_session):
    response = app.test_client().get("/account/data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- closing the account --------------------------------------------------------------------


def test_closing_needs_the_password_and_the_typed_address_and_changes_nothing_otherwise(
    client, login
):
    me = login(factories.user_with_role("citizen"))
    email = me.email
    wrong = close(client, me, password="not-my-password")
    assert wrong.status_code == 422
    assert "The password is not correct." in wrong.get_data(as_text=True)
    typo = close(client, me, confirmation="someone@else.kr")
    assert typo.status_code == 422
    assert "Type your e-mail address exactly as shown." in typo.get_data(as_text=True)
    empty = client.post("/account/close", data={})
    assert empty.status_code == 400
    db.session.expire_all()
    assert me.email == email and me.deleted_at is None
    assert client.get("/dashboard").status_code == 200  # still signed in


def test_closing_erases_the_person_keeps_the_records_and_frees_the_address(app, client, login):
    me = login(factories.user_with_role("officer", phone="010-9999-0000"))
    email = me.email
    token = factories.api_token(app, me)
    demand = factories.published_demand(app, me)
    db.session.add_all(
        [
            Notification(user_id=me.id, kind="test", title="알림", body=""),
            SavedSearch(user_id=me.id, name="드론", query={"q": "드론"}),
        ]
    )
    colleague = factories.user_with_role("officer", organisation=me.organisation)
    db.session.flush()
    response = close(client, me)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Your account has been closed." in page
    assert client.get("/dashboard").status_code == 302  # signed out
    db.session.expire_all()
    row = db.session.get(User, me.id)
    assert row.email == f"closed-{me.id}@closed.invalid"
    assert row.name == "탈퇴한 회원 · closed account" and row.phone is None
    assert row.deleted_at is not None
    assert db.session.scalar(select(func.count()).where(Notification.user_id == me.id)) == 0
    assert db.session.scalar(select(func.count()).where(SavedSearch.user_id == me.id)) == 0
    assert (
        db.session.scalar(
            select(func.count()).where(ApiToken.user_id == me.id, ApiToken.revoked_at.is_(None))
        )
        == 0
    )
    assert (
        app.test_client()
        .get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 401
    )
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "user.closed", AuditEvent.target_id == str(me.id)
        )
    ).one()
    assert event.actor_id == me.id and email not in json.dumps(event.before)
    # The demand stays the agency's record, and the colleague can still act on it.
    db.session.refresh(demand)
    assert demand.created_by_id == me.id and demand.deleted_at is None
    assert colleague.is_active
    # Nobody signs in as the closed account; the address can register again.
    again = app.test_client()
    assert (
        again.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code
        == 401
    )
    registered = again.post(
        "/register",
        data={
            "account_type": "citizen",
            "email": email,
            "name": "다시 가입",
            "password": "a-long-password",
            "password_confirm": "a-long-password",
        },
    )
    assert registered.status_code == 302


def test_a_closed_writer_is_no_longer_a_proposal_contact(app, client, login):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    writer = factories.user_with_role("supplier")
    factories.user_with_role("supplier", organisation=writer.organisation)  # a colleague stays
    proposal = factories.answered_proposal(app, writer, demand)
    login(writer)
    assert close(client, writer).status_code == 302
    viewer = factories.english_client(app)
    login(officer, on=viewer)
    page = viewer.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "closed.invalid" not in page and "<dt>Contact</dt>" not in page


def test_the_only_operator_cannot_leave(client, login, make_user):
    me = login(make_user("operator"))
    others = db.session.scalars(
        select(User).join(User.role_rows).where(User.id != me.id, User.deleted_at.is_(None))
    ).all()
    for user in others:  # demo or earlier rows would count as other operators
        if user.has_role("operator"):
            user.deleted_at = utcnow()
    db.session.flush()
    page = client.get("/account/close").get_data(as_text=True)
    assert "You are the only operator. Make another person an operator first." in page
    assert 'name="password"' not in page  # the form waits until nothing blocks
    refused = close(client, me)
    assert refused.status_code == 409
    assert "You are the only operator." in refused.get_data(as_text=True)
    make_user("operator")
    assert close(client, me).status_code == 302


def test_the_last_member_of_an_agency_with_a_published_demand_cannot_leave(app, client, login):
    me = login(factories.user_with_role("officer"))
    factories.published_demand(app, me)
    refused = close(client, me)
    assert refused.status_code == 409
    assert "it still has published demands (1)" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert me.deleted_at is None
    factories.user_with_role("officer", organisation=me.organisation)  # a colleague joins
    assert close(client, me).status_code == 302


def test_the_last_member_of_a_supplier_with_a_listed_product_cannot_leave(app, client, login):
    me = login(factories.user_with_role("supplier"))
    factories.listed_product(app, me, "열화상 드론", "야간 순찰용 열화상 카메라 드론", ["35613000"])
    refused = close(client, me)
    assert refused.status_code == 409
    assert "it still has listed products (1)" in refused.get_data(as_text=True)
    # An unapproved newcomer is no one who could answer for the company.
    factories.user_with_role("supplier", organisation=me.organisation, approved=False)
    assert close(client, me).status_code == 409


def test_an_evaluator_with_dossiers_to_score_in_an_open_round_cannot_leave(app, client, login):
    me = login(factories.user_with_role("evaluator"))
    supplier = factories.user_with_role("supplier")
    product = factories.listed_product(
        app, supplier, "제품", "평가 대상 제품 설명입니다", ["35613000"]
    )
    round_ = EvaluationRound(
        title="2026년 4차 혁신제품 지정", scheme_id="x", scheme_version="1", status=RoundStatus.OPEN
    )
    round_.panel.append(RoundEvaluator(user_id=me.id))
    round_.items.append(RoundItem(product_id=product.id))
    db.session.add(round_)
    db.session.flush()
    refused = close(client, me)
    assert refused.status_code == 409
    assert "open evaluation round “2026년 4차 혁신제품 지정”" in refused.get_data(as_text=True)
    round_.status = RoundStatus.CLOSED  # the round closed: nothing waits on this evaluator
    db.session.flush()
    assert close(client, me).status_code == 302


# -- retention ------------------------------------------------------------------------------


def test_sign_in_attempts_older_than_the_retention_period_are_purged(app, db_session, settings):
    from procure.account import privacy

    settings(login_attempt_retention_days=90)
    now = utcnow()
    db.session.add_all(
        [
            LoginAttempt(
                email="old@x.kr", address="10.0.0.1", attempted_at=now - timedelta(days=91)
            ),
            LoginAttempt(
                email="new@x.kr", address="10.0.0.1", attempted_at=now - timedelta(days=89)
            ),
        ]
    )
    db.session.flush()
    assert privacy.purge_sign_in_attempts(now) == 1
    left = db.session.scalars(
        select(LoginAttempt.email).where(LoginAttempt.address == "10.0.0.1")
    ).all()
    assert left == ["new@x.kr"]


def test_the_purge_command_reports_what_it_deleted(app, db_session):
    db.session.add(
        LoginAttempt(
            email="ancient@x.kr", address="10.9.9.9", attempted_at=utcnow() - timedelta(days=400)
        )
    )
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 sign-in attempts older than the retention period." in result.output


def test_a_retention_period_under_thirty_days_is_refused(tmp_path):
    from procure.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="LOGIN_ATTEMPT_RETENTION_DAYS must be at least 30"):
        load_settings(
            {"LOGIN_ATTEMPT_RETENTION_DAYS": "7", "SECRET_KEY": "k"}, instance_path=tmp_path
        )


def test_the_worker_purges_once_a_day(app, db_session):
    from procure.search_cli import _purge_daily

    db.session.add(
        LoginAttempt(
            email="stale@x.kr", address="10.8.8.8", attempted_at=utcnow() - timedelta(days=400)
        )
    )
    db.session.flush()
    ran_at = _purge_daily(None)  # the worker's start
    assert db.session.scalar(select(func.count()).where(LoginAttempt.address == "10.8.8.8")) == 0
    db.session.add(
        LoginAttempt(
            email="stale@x.kr", address="10.8.8.8", attempted_at=utcnow() - timedelta(days=400)
        )
    )
    db.session.flush()
    assert _purge_daily(ran_at) == ran_at  # within the day: nothing runs
    assert db.session.scalar(select(func.count()).where(LoginAttempt.address == "10.8.8.8")) == 1
    assert _purge_daily(ran_at - 24 * 3600) > ran_at  # a day later it runs again
    assert db.session.scalar(select(func.count()).where(LoginAttempt.address == "10.8.8.8")) == 0


def test_a_running_dialogue_keeps_its_committee_member_and_its_agencys_last_officer(
    app, client, login
):
    from procure.models import DialogueEvaluator

    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="스마트 해안 감시")
    demand.status = "closed"  # only the dialogue, not the published demand, keeps the officer
    dialogue = factories.dialogue_row(demand, "dialogue_1", "스마트 해안 감시 대화")
    member = factories.user_with_role("evaluator")
    db.session.add(DialogueEvaluator(dialogue_id=dialogue.id, user_id=member.id))
    db.session.flush()
    login(member)
    refused = close(client, member)
    assert refused.status_code == 409
    assert (
        "evaluation committee of the running dialogue “스마트 해안 감시 대화”"
        in refused.get_data(as_text=True)
    )
    officer_client = factories.english_client(app)
    login(officer, on=officer_client)
    refused = close(officer_client, officer)
    assert refused.status_code == 409
    assert "it still runs competitive dialogues (1)" in refused.get_data(as_text=True)
    dialogue.status = "cancelled"
    db.session.flush()
    assert close(client, member).status_code == 302
    assert close(officer_client, officer).status_code == 302


def test_an_address_taken_again_brings_none_of_the_old_accounts_sign_in_history(app, client):
    person = factories.user_with_role("citizen")
    email = person.email
    for password in ("wrong-one-1", "wrong-one-2", factories.PASSWORD):
        client.post("/login", data={"email": email, "password": password})
    assert close(client, person).status_code == 302
    # The attempts stay for their retention period, without the address.
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(LoginAttempt.email == email)) == 0
    assert (
        db.session.scalar(
            select(func.count()).where(LoginAttempt.email == f"closed-{person.id}@closed.invalid")
        )
        == 3
    )
    stranger = factories.english_client(app)
    registered = stranger.post(
        "/register",
        data={
            "account_type": "citizen",
            "email": email,
            "name": "새 주인",
            "password": "a-long-password",
            "password_confirm": "a-long-password",
        },
    )
    assert registered.status_code == 302
    data = json.loads(stranger.get("/account/data").get_data(as_text=True))
    assert data["sign_in_attempts"] == []
    assert data["account"]["name"] == "새 주인"


def test_proposals_waiting_for_an_agency_keep_its_last_officer(app, client, login):
    """A proposal sent to the agency without a demand waits for its decision: only a member
    of the agency can decide it."""
    from procure.proposals import services as proposals

    officer = login(factories.user_with_role("officer"))
    supplier = factories.user_with_role("supplier")
    product = factories.listed_product(app, supplier, "열화상 드론", "야간 순찰 드론", ["35613000"])
    data = proposals.ProposalInput(
        target_agency_id=officer.organisation_id,
        product_id=product.id,
        title="야간 순찰 제안",
        summary="열화상 카메라로 야간 순찰을 돕습니다.",
        price_offer=10_000_000,
    )
    proposal = factories.in_request(app, proposals.create_proposal, supplier, data)
    factories.in_request(app, proposals.submit, supplier, proposal)
    refused = close(client, officer)
    assert refused.status_code == 409
    assert "proposals still wait for its decision (1)" in refused.get_data(as_text=True)
    factories.in_request(app, proposals.decide, officer, proposal, "declined", "예산 없음")
    assert close(client, officer).status_code == 302


def test_a_supplier_not_selected_in_a_running_dialogue_may_leave(app, client, login):
    from procure.models import DialogueParticipant

    agency_officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, agency_officer)
    dialogue = factories.dialogue_row(demand, "dialogue_1", "대화")
    partner = factories.user_with_role("supplier")
    left_out = factories.user_with_role("supplier")
    for member, status in ((partner, "partner"), (left_out, "not_selected")):
        db.session.add(
            DialogueParticipant(
                dialogue_id=dialogue.id, supplier_id=member.organisation_id, status=status
            )
        )
    db.session.flush()
    login(partner)
    refused = close(client, partner)
    assert refused.status_code == 409
    assert "takes part in running competitive dialogues (1)" in refused.get_data(as_text=True)
    other = factories.english_client(app)
    login(left_out, on=other)
    assert close(other, left_out).status_code == 302


def test_the_export_lists_digests_to_ones_address_made_while_signed_out(app, client, login):
    from procure.models.onestop import DemandInfoSubscription

    me = login(factories.user_with_role("citizen"))
    db.session.add(DemandInfoSubscription(email=me.email, nonce="n" * 32, filters={"region": "11"}))
    db.session.flush()
    data = json.loads(client.get("/account/data").get_data(as_text=True))
    assert [d["filters"] for d in data["demand_information_subscriptions"]] == [{"region": "11"}]


def test_a_closed_account_is_nobody_to_approve_or_make_an_evaluator(app, client, login):
    from procure.account import services as accounts
    from procure.errors import Conflict

    pending = factories.user_with_role("supplier", approved=False)
    organisation = pending.organisation
    organisation.verified_at = None
    login(pending)
    assert close(client, pending).status_code == 302
    db.session.expire_all()  # closed in the request's session
    operator = factories.user_with_role("operator")
    factories.in_request(app, accounts.verify_organisation, operator, organisation)
    db.session.refresh(pending)
    assert pending.approved_at is None
    with pytest.raises(Conflict):
        factories.in_request(app, accounts.approve_member, operator, pending)
    with pytest.raises(Conflict):
        factories.in_request(app, accounts.set_role, operator, pending, "evaluator", True)
