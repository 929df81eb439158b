"""Brute force and flooding: sign-in, password reset, registration and API tokens.

test_accounts.py covers the basic sign-in lock-out; these add the limits by account across
addresses, the Retry-After header, and the endpoints that were not limited before.
"""

from __future__ import annotations

import factories
from procure.account import services
from procure.extensions import db
from procure.models import ApiToken, User


def _from(app, address: str):
    client = factories.english_client(app)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _fail(client, email: str):
    return client.post("/login", data={"email": email, "password": "wrong-password"})


def test_the_account_lock_holds_across_addresses_and_spellings(app, db_session):
    """A botnet guessing one account's password from many addresses is stopped by the
    per-account limit; upper case and spaces do not make a new account."""
    user = factories.UserFactory()
    spellings = [user.email, user.email.upper(), f"  {user.email} ", user.email.title()]
    for n in range(5):
        assert _fail(_from(app, f"10.0.0.{n}"), spellings[n % 4]).status_code == 401
    locked = _from(app, "10.9.9.9").post(
        "/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert locked.status_code == 429
    seconds = int(locked.headers["Retry-After"])
    assert 14 * 60 < seconds <= 15 * 60
    assert "Too many failed sign-in attempts" in locked.get_data(as_text=True)


def test_the_address_lock_does_not_lock_other_addresses(app, db_session):
    """One address guessing many accounts is stopped by the per-address limit (higher than
    the per-account one); its message does not blame the password; other addresses go on."""
    limit = app.config["SETTINGS"].login_max_failures_per_address
    attacker = _from(app, "203.0.113.7")
    for n in range(limit):
        assert _fail(attacker, f"guess{n}@example.kr").status_code == 401
    user = factories.UserFactory()
    refused = attacker.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "from your network" in refused.get_data(as_text=True)
    elsewhere = _from(app, "198.51.100.1").post(
        "/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert elsewhere.status_code == 302


def test_one_persons_typos_do_not_lock_out_their_office(app, db_session):
    """An agency signs in from one NAT address: a colleague who locked their own account
    leaves everyone else at that address free to sign in."""
    office = "192.0.2.10"
    clumsy, colleague = factories.UserFactory(), factories.UserFactory()
    for _ in range(app.config["SETTINGS"].login_max_failures + 3):
        _fail(_from(app, office), clumsy.email)
    assert (
        _from(app, office)
        .post("/login", data={"email": clumsy.email, "password": factories.PASSWORD})
        .status_code
        == 429
    )
    signed_in = _from(app, office).post(
        "/login", data={"email": colleague.email, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302


def test_a_locked_out_correct_password_never_signs_in(app, db_session):
    user = factories.UserFactory()
    client = _from(app, "10.1.1.1")
    for _ in range(5):
        _fail(client, user.email)
    for _ in range(3):
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 429
    assert client.get("/dashboard").status_code == 302  # still signed out
    assert db.session.get(User, user.id).last_login_at is None


def test_an_enormous_password_or_email_is_refused_cheaply(client):
    response = client.post("/login", data={"email": "a" * 100_000, "password": "p" * 1_000_000})
    assert response.status_code in (400, 401)


def test_password_reset_mails_are_limited_per_account(app, db_session, mail_outbox):
    user = factories.UserFactory()
    client = _from(app, "10.2.2.2")
    for _ in range(6):
        response = client.post("/password/forgot", data={"email": user.email})
        assert response.status_code == 302  # the page says the same thing every time
    assert len(mail_outbox) == services.RESETS_PER_ACCOUNT


def test_password_reset_mails_are_limited_per_address(app, db_session, mail_outbox):
    users = [factories.UserFactory() for _ in range(services.RESETS_PER_ADDRESS + 3)]
    client = _from(app, "10.3.3.3")
    for user in users:
        assert client.post("/password/forgot", data={"email": user.email}).status_code == 302
    assert len(mail_outbox) == services.RESETS_PER_ADDRESS
    # Another address is not affected.
    _from(app, "10.3.3.4").post("/password/forgot", data={"email": users[-1].email})
    assert len(mail_outbox) == services.RESETS_PER_ADDRESS + 1


def test_a_forged_reset_token_is_refused_and_changes_nothing(app, db_session):
    user = factories.UserFactory()
    before = user.password_hash
    for token in ("x", "a" * 5000, "eyJ1IjoxfQ.forged.sig", "../../admin"):
        response = factories.english_client(app).post(
            f"/password/reset/{token}",
            data={"password": "a-new-long-pass", "password_confirm": "a-new-long-pass"},
        )
        assert response.status_code in (404, 422), token
    db.session.expire(user)
    assert user.password_hash == before


def _register(client, n: int):
    return client.post(
        "/register",
        data={
            "account_type": "citizen",
            "email": f"bulk{n}@example.kr",
            "name": f"가입자 {n}",
            "password": "long enough password",
            "password_confirm": "long enough password",
        },
    )


def test_registrations_from_one_address_are_limited(app, db_session):
    for n in range(services.REGISTRATIONS_PER_WINDOW):
        response = _register(_from(app, "10.4.4.4"), n)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    refused = _register(_from(app, "10.4.4.4"), 99)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many accounts" in refused.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="bulk99@example.kr").count() == 0
    assert _register(_from(app, "10.4.4.5"), 100).status_code == 302


def test_api_tokens_per_account_are_limited(app, client, login):
    user = login(factories.UserFactory())
    for n in range(services.MAX_LIVE_TOKENS):
        assert client.post("/account/tokens", data={"name": f"t{n}"}).status_code == 200
    refused = client.post("/account/tokens", data={"name": "one too many"})
    assert refused.status_code == 422
    assert "Revoke one you no longer use" in refused.get_data(as_text=True)
    live = db.session.query(ApiToken).filter_by(user_id=user.id, revoked_at=None).count()
    assert live == services.MAX_LIVE_TOKENS


def test_guessed_bearer_tokens_learn_nothing(client):
    for token in ("prc_" + "A" * 43, "prc_", "x" * 5000, "prc_' OR 1=1 --"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
