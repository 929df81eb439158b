"""The audit log: written for state changes, chained by hashes, append-only, verifiable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

import factories
from procure.audit.services import GENESIS, record, verify_chain
from procure.extensions import db
from procure.models import AuditEvent
from procure.models.audit import AuditLogIsAppendOnly


def test_events_chain_by_hash(app, db_session):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        user = factories.UserFactory()
        first = record("thing.created", "thing", 1, actor=user, after={"name": "가"})
        second = record(
            "thing.changed", "thing", 1, actor=user, before={"name": "가"}, after={"name": "나"}
        )
    assert second.prev_hash == first.hash
    assert first.address == "10.1.2.3"
    assert first.actor_id == user.id
    report = verify_chain()
    assert report.ok and report.checked >= 2


def test_first_event_links_to_the_genesis_hash(app, db_session):
    event = record("thing.created", "thing", 1)
    assert event.prev_hash in (GENESIS, *db.session.scalars(select(AuditEvent.hash)).all())


def test_changing_or_deleting_an_event_through_the_orm_is_refused(app, db_session):
    event = record("thing.created", "thing", 1)
    event.action = "thing.deleted"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_verify_reports_the_first_broken_link(app, db_session):
    record("a.one", "thing", 1)
    tampered = record("a.two", "thing", 2, after={"amount": 100})
    record("a.three", "thing", 3)
    if db.session.get_bind().dialect.name == "postgresql":
        # A trigger refuses UPDATE on PostgreSQL, so forge a row instead of editing one.
        with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
            db.session.execute(
                text("UPDATE audit_event SET action = 'x' WHERE id = :id"), {"id": tampered.id}
            )
        db.session.execute(
            text(
                "INSERT INTO audit_event (occurred_at, action, target_type, prev_hash, hash) "
                "VALUES (now(), 'forged', 'thing', :prev, :hash)"
            ),
            {"prev": "f" * 64, "hash": "e" * 64},
        )
        forged_id = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "forged"))
        broken = forged_id
    else:
        db.session.execute(
            text("UPDATE audit_event SET after = :after WHERE id = :id"),
            {"after": '{"amount": 1}', "id": tampered.id},
        )
        broken = tampered.id
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == broken


def test_cli_audit_verify(app, db_session):
    record("cli.check", "thing", 1)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact" in result.output


def test_events_removed_from_the_end_are_caught_against_a_recorded_head(app, db_session):
    """Deleting the newest events breaks no link; the head printed earlier shows it."""
    record("head.check", "thing", 1)
    first = app.test_cli_runner().invoke(args=["audit", "verify"])
    head = re.search(r"Head: (\d+:[0-9a-f]{64})", first.output)[1]
    assert app.test_cli_runner().invoke(args=["audit", "verify", "--head", head]).exit_code == 0
    newest = record("head.later", "thing", 2)
    db.session.flush()
    # The next head still holds: the chain only grew.
    assert app.test_cli_runner().invoke(args=["audit", "verify", "--head", head]).exit_code == 0
    later_head = f"{newest.id}:{newest.hash}"
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:  # as a database superuser could: its trigger refuses deletes otherwise
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(
        text("DELETE FROM audit_event WHERE id >= :id"), {"id": int(head.split(":")[0])}
    )
    if postgres:
        db.session.execute(text("SET LOCAL session_replication_role = origin"))

    db.session.expire_all()
    assert verify_chain().ok  # nothing inside the chain is broken …
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--head", later_head])
    assert result.exit_code == 1  # … but the recorded head is gone
    assert "events were removed from the end" in result.output
    bad = app.test_cli_runner().invoke(args=["audit", "verify", "--head", "12:abc"])
    assert bad.exit_code == 2 and "ID:HASH" in bad.output


def test_operators_browse_and_filter_the_log(client_as):
    client, _operator = client_as("operator")
    page = client.get("/admin/audit/?action=user.signed_in").get_data(as_text=True)
    assert "user.signed_in" in page
    filtered = client.get("/admin/audit/?action=organisation.").get_data(as_text=True)
    assert "user.signed_in</code>" not in filtered
    verified = client.get("/admin/audit/?verify=1").get_data(as_text=True)
    assert "The chain is intact" in verified


def test_the_log_shows_korean_and_markup_as_written(app, client_as):
    client, operator = client_as("operator")
    with app.test_request_context():
        record("demand.updated", "demand", 7, actor=operator, after={"title": "<b>해안 순찰</b>"})
        db.session.commit()
    page = client.get("/admin/audit/?action=demand.updated").get_data(as_text=True)
    assert "&lt;b&gt;해안 순찰&lt;/b&gt;" in page  # readable, and still escaped
    assert "\\ud574" not in page and "<b>해안" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("actor=abc", "Actor id: Enter a whole number."),
        ("actor=-3", "Actor id: Enter a number from 0 to"),
        ("from=2026-13-01", "From: Enter a date as YYYY-MM-DD."),
        ("to=yesterday", "To: Enter a date as YYYY-MM-DD."),
        ("from=2026-03-02&to=2026-03-01", "The end date is before the start date."),
    ],
)
def test_a_filter_that_cannot_be_applied_is_said_not_ignored(client_as, query, message):
    client, _operator = client_as("operator")
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get("/admin/audit/?from=2026-03-01&to=2026-03-01").status_code == 200


def test_the_log_names_people_and_links_records(app, client_as):
    client, _operator = client_as("operator")
    officer = factories.user_with_role("officer", name="기록 담당자")
    factories.add_cpv_codes()
    demand = factories.published_demand(app, officer, title="감사 추적 수요")
    db.session.commit()
    page = client.get(f"/admin/audit/?target_type=demand&target_id={demand.id}").get_data(
        as_text=True
    )
    assert "기록 담당자" in page and officer.email in page  # the person, not a number
    assert f'href="/demands/{demand.id}"' in page  # the record itself
    assert f"/admin/audit/?actor={officer.id}" in page  # everything this person did
    history = f"/admin/audit/?target_type=demand&amp;target_id={demand.id}"
    assert history in page  # this record's history
    # An id that is no number (or a kind without a page) is shown, not linked.
    from procure.audit.views import record_url

    with app.test_request_context():
        assert record_url("demand", "abc") is None and record_url("database", "1") is None


def test_state_changes_write_events_with_before_and_after(client, login):
    user = login(factories.UserFactory(name="처음 이름"))
    client.post("/account/", data={"name": "다음 이름", "locale": "", "version": user.version})
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.profile_updated")
    ).one()
    assert event.before["name"] == "처음 이름"
    assert event.after["name"] == "다음 이름"
    assert event.actor_id == user.id


def test_the_log_names_actions_and_records_in_words_and_keeps_the_codes(client_as, app):
    client, operator = client_as("operator")
    page = client.get("/admin/audit/?action=user.signed_in").get_data(as_text=True)
    assert "Account: signed in" in page and "user.signed_in</code>" in page
    assert f"Account #{operator.id}" in page
    korean = app.test_client()
    korean.post("/login", data={"email": operator.email, "password": factories.PASSWORD})
    page = korean.get(
        "/admin/audit/?action=user.signed_in", headers={"Accept-Language": "ko"}
    ).get_data(as_text=True)
    assert "계정: 로그인" in page
