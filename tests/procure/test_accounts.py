"""Registration, sign-in and throttling, passwords, profiles and operator verification."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import factories
from procure.extensions import db
from procure.models import AuditEvent, LoginAttempt, Organisation, User
from procure.models.base import utcnow

VALID_BIZNO = "124-81-00998"


def register(client, **fields):
    data = {
        "account_type": "citizen",
        "email": "new@example.kr",
        "name": "새 사용자",
        "password": "a-long-password",
        "password_confirm": "a-long-password",
    }
    data.update(fields)
    return client.post("/register", data=data)


def test_citizen_registers_and_is_signed_in(client):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.kr"))
    assert user.roles == {"citizen"}
    assert user.organisation is None
    assert user.password_hash.startswith("scrypt:")
    assert client.get("/dashboard").status_code == 200


def test_supplier_registration_creates_a_pending_organisation(client):
    response = register(
        client,
        account_type="supplier",
        organisation_name="(주)테스트",
        business_number=VALID_BIZNO,
        is_sme="y",
        region="41",
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.kr"))
    assert user.roles == {"supplier"}
    assert user.organisation.business_number == "1248100998"
    assert user.organisation.is_sme and user.organisation.region == "41"
    assert not user.can_act_for_organisation
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"organisation.registered", "user.registered"} <= set(actions)


def test_invalid_business_number_is_refused_with_a_field_message(client):
    response = register(
        client,
        account_type="supplier",
        organisation_name="(주)테스트",
        business_number="124-81-00999",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="business_number-error"' in body
    assert db.session.scalar(select(Organisation).where(Organisation.name == "(주)테스트")) is None


def test_joining_an_existing_supplier_leaves_membership_pending(client):
    org = factories.OrganisationFactory(supplier=True)
    register(
        client,
        account_type="supplier",
        organisation_name="any",
        business_number=org.business_number,
    )
    user = db.session.scalar(select(User).where(User.email == "new@example.kr"))
    assert user.organisation_id == org.id
    assert user.approved_at is None and not user.can_act_for_organisation


def test_duplicate_email_is_a_conflict(client):
    factories.UserFactory(email="taken@example.kr")
    response = register(client, email="Taken@Example.kr")
    assert response.status_code == 409
    assert "already" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "가" * 101),
        ("email", "x" * 250 + "@a.kr"),
        ("password", "short"),
        ("email", "not-an-email"),
    ],
)
def test_bad_registration_input_is_a_4xx_and_creates_nothing(client, field, value):
    fields = {field: value}
    if field == "password":
        fields["password_confirm"] = value
    response = register(client, **fields)
    assert 400 <= response.status_code < 500
    assert db.session.scalar(select(User).where(User.name == "새 사용자")) is None


def test_sign_in_and_out(client):
    user = factories.UserFactory()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    user = factories.UserFactory()
    response = client.post("/login", data={"email": user.email, "password": "wrong-password"})
    assert response.status_code == 401
    assert "not correct" in response.get_data(as_text=True)
    unknown = client.post(
        "/login", data={"email": "nobody@example.kr", "password": "wrong-password"}
    )
    assert unknown.status_code == 401


def test_sixth_attempt_after_five_failures_is_throttled_even_with_the_right_password(client):
    user = factories.UserFactory()
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong-password"})
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Too many failed sign-in attempts" in text
    assert re.search(r"try again in 1[0-5] minutes", text)
    assert client.get("/dashboard").status_code == 302


def test_throttling_by_address_covers_other_accounts(app, client):
    for n in range(app.config["SETTINGS"].login_max_failures_per_address):
        client.post("/login", data={"email": f"guess{n}@example.kr", "password": "wrong-password"})
    user = factories.UserFactory()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 429


def test_throttle_lifts_when_the_window_passes(client):
    user = factories.UserFactory()
    old = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        db.session.add(LoginAttempt(email=user.email, address="127.0.0.1", attempted_at=old))
    db.session.flush()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_change_password(client, login):
    user = login(factories.UserFactory())
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope-nope-nope",
            "new_password": "brand-new-secret",
            "new_password_confirm": "brand-new-secret",
        },
    )
    assert wrong.status_code == 422
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "brand-new-secret",
            "new_password_confirm": "brand-new-secret",
        },
    )
    assert response.status_code == 302
    client.post("/logout")
    ok = client.post("/login", data={"email": user.email, "password": "brand-new-secret"})
    assert ok.status_code == 302


def test_password_reset_by_emailed_token(client, mail_outbox, capsys):
    user = factories.UserFactory(email="reset@example.kr")
    response = client.post("/password/forgot", data={"email": "reset@example.kr"})
    assert response.status_code == 302
    assert len(mail_outbox) == 1
    printed = capsys.readouterr().out
    assert "reset@example.kr" in printed  # the console backend prints the mail
    link = re.search(r"http\S+/password/reset/(\S+)", mail_outbox[0].body)
    token = link.group(1)
    response = client.post(
        f"/password/reset/{token}",
        data={"password": "reset-new-secret", "password_confirm": "reset-new-secret"},
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/login", data={"email": user.email, "password": "reset-new-secret"}
        ).status_code
        == 302
    )
    # The link works once: the password it was made for has changed.
    again = client.post(
        f"/password/reset/{token}",
        data={"password": "another-secret-1", "password_confirm": "another-secret-1"},
    )
    assert again.status_code == 422
    assert "already been used" in again.get_data(as_text=True)


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, mail_outbox):
    response = client.post("/password/forgot", data={"email": "ghost@example.kr"})
    assert response.status_code == 302
    assert len(mail_outbox) == 0


def test_forged_reset_token_is_refused(client):
    response = client.post(
        "/password/reset/forged.token.value",
        data={"password": "reset-new-secret", "password_confirm": "reset-new-secret"},
    )
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)


def test_profile_update_and_stale_version_conflict(client, login):
    user = login(factories.UserFactory())
    version = user.version
    response = client.post(
        "/account/",
        data={"name": "바뀐 이름", "phone": "010-0000-0000", "locale": "en", "version": version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.name == "바뀐 이름" and user.locale == "en"
    stale = client.post("/account/", data={"name": "늦은 수정", "locale": "", "version": version})
    assert stale.status_code == 409
    assert "changed this record" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert user.name == "바뀐 이름"


def test_a_profile_post_missing_its_fields_changes_nothing(client, login):
    """Fields left out of a post stay missing: they are not filled from the stored record
    (which let a post without the version pass as current and save)."""
    user = login(factories.UserFactory(name="원래 이름"))
    before = user.version
    assert client.post("/account/", data={}).status_code == 400  # the name is required
    assert client.post("/account/", data={"name": "바뀐 이름"}).status_code == 409
    db.session.expire_all()
    assert user.name == "원래 이름" and user.version == before


def test_operator_verifies_an_organisation_and_its_members_can_act(client, login):
    org = factories.OrganisationFactory(supplier=True, pending=True)
    member = factories.UserFactory(organisation=org, roles=["supplier"])
    assert not member.can_act_for_organisation
    login(factories.user_with_role("operator"))
    assert org.name in client.get("/admin/organisations").get_data(as_text=True)
    response = client.post(f"/admin/organisations/{org.id}/verify")
    assert response.status_code == 302
    db.session.expire_all()
    assert org.is_verified and member.can_act_for_organisation
    actions = set(db.session.scalars(select(AuditEvent.action)).all())
    assert {"organisation.verified", "user.membership_approved"} <= actions


def test_operator_approves_a_member_who_joined_later(client, login):
    org = factories.OrganisationFactory(supplier=True)
    member = factories.UserFactory(organisation=org, roles=["supplier"])
    login(factories.user_with_role("operator"))
    assert client.post(f"/admin/users/{member.id}/approve").status_code == 302
    db.session.expire_all()
    assert member.can_act_for_organisation


def test_operator_grants_and_withdraws_the_evaluator_role(client, login):
    expert = factories.UserFactory()
    login(factories.user_with_role("operator"))
    client.post(f"/admin/users/{expert.id}/evaluator", data={"grant": "1"})
    db.session.expire_all()
    assert "evaluator" in expert.roles
    client.post(f"/admin/users/{expert.id}/evaluator", data={"grant": "0"})
    db.session.expire_all()
    assert "evaluator" not in expert.roles
    # Withdrawing a role not held does nothing, says so, and records nothing.
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = client.post(f"/admin/users/{expert.id}/evaluator", data={"grant": "0"})
    assert again.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"{expert.name} is not an evaluator." in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_the_role_is_not_withdrawn_from_an_evaluator_a_running_dialogue_waits_on(
    app, client, login
):
    from procure.models import DialogueEvaluator

    officer = factories.user_with_role("officer")
    member = factories.user_with_role("evaluator")
    factories.add_cpv_codes()
    demand = factories.published_demand(app, officer)
    dialogue = factories.dialogue_row(demand, "basic_evaluation", "터널 안전 대화")
    db.session.add(DialogueEvaluator(dialogue_id=dialogue.id, user_id=member.id))
    db.session.flush()
    login(factories.user_with_role("operator"))
    refused = client.post(f"/admin/users/{member.id}/evaluator", data={"grant": "0"})
    assert refused.status_code == 409
    assert "still evaluates in: “터널 안전 대화”" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert "evaluator" in member.roles


def test_approving_a_member_of_an_unverified_organisation_says_what_still_waits(client, login):
    org = factories.OrganisationFactory(supplier=True, pending=True)
    member = factories.UserFactory(organisation=org, roles=["supplier"])
    login(factories.user_with_role("operator"))
    assert client.post(f"/admin/users/{member.id}/approve").status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "membership is approved. They can act once the organisation is verified." in page


def test_unverified_supplier_is_told_why_it_cannot_act(app, db_session):
    from procure.authz import Rule

    org = factories.OrganisationFactory(supplier=True, pending=True)
    member = factories.UserFactory(organisation=org, roles=["supplier"])
    assert Rule(roles=frozenset({"supplier"}), acting=True).allows(member) is False
    assert Rule(roles=frozenset({"supplier"})).allows(member) is True


def test_open_redirect_after_sign_in_is_ignored(client):
    user = factories.UserFactory()
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/dashboard"


def test_operator_deactivates_a_user_who_then_cannot_sign_in(client, login, app):
    from procure.account.services import create_api_token

    target = factories.UserFactory()
    with app.test_request_context():
        _row, token = create_api_token(target, "old")
    operator = login(factories.user_with_role("operator"))
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 302
    assert client.post(f"/admin/users/{operator.id}/deactivate").status_code == 422
    db.session.expire_all()
    assert target.deleted_at is not None  # soft deletion: the row stays for the audit trail
    other = app.test_client()
    refused = other.post("/login", data={"email": target.email, "password": factories.PASSWORD})
    assert refused.status_code == 401
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_language_choice_is_saved_and_audited(client, login):
    user = login(factories.UserFactory())
    client.post("/locale", data={"locale": "en"})
    db.session.expire_all()
    assert user.locale == "en"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == str(user.id))
    ).all()
    assert "user.locale_changed" in actions
