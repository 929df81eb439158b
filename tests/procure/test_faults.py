"""Faults: the database connection dropped, an outbox worker killed mid-drain.

After each: nothing lost or half-written, a clear message to the user, automatic recovery.
These tests need real commits (and, for the worker, a second process), so they run on an app of
their own: a fresh schema of the test database on PostgreSQL, a fresh file on SQLite; both are
thrown away afterwards. See docs/faults.md for the other fault tests (search outage, disk full).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DisconnectionError

import factories
import search
from procure.extensions import db
from procure.models import AuditEvent, Demand, OutboxEvent, Question
from procure.models.base import utcnow

ROOT = Path(__file__).resolve().parents[2]


def is_postgres(live_app) -> bool:
    return live_app.config["FAULTS"]["admin"] is not None


@contextmanager
def connection_dropped_at(live_app, statement_start: str):
    """Drop the app's database connection just before it sends the first statement starting
    with ``statement_start``: on PostgreSQL the server terminates the backend
    (``pg_terminate_backend``); on SQLite the driver fails as a lost connection would."""
    engine = db.engine
    admin = live_app.config["FAULTS"]["admin"]
    fired = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if fired or not statement.lstrip().upper().startswith(statement_start.upper()):
            return
        fired.append(statement)
        if admin is not None:
            pid = conn.connection.dbapi_connection.info.backend_pid
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            raise sqlite3.OperationalError("disk I/O error")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", before)


def drop_idle_connections(live_app) -> None:
    """Between requests: every pooled connection of the app dies (a database restart)."""
    admin = live_app.config["FAULTS"]["admin"]
    if admin is not None:
        with admin.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": live_app.config["FAULTS"]["schema"]},
            ).scalar()
        assert killed >= 1
        return
    # SQLite has no server to lose: the pool's next checkout finds a dead connection once.
    failures = [1]

    def checkout(dbapi_connection, record, proxy):
        if failures:
            failures.pop()
            raise DisconnectionError("the connection was lost")

    event.listen(db.engine, "checkout", checkout)
    live_app.config["FAULTS"]["cleanup"] = lambda: event.remove(db.engine, "checkout", checkout)


def market(live_app):
    """A published demand and a signed-in supplier (committed for real)."""
    with live_app.app_context():
        factories.add_cpv_codes()
        officer = factories.user_with_role("officer")
        supplier = factories.user_with_role("supplier")
        demand = factories.published_demand(live_app, officer, title="산불 감시 드론")
        db.session.commit()
        demand_id, email = demand.id, supplier.email
    client = factories.english_client(live_app)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client, demand_id


def counts(live_app) -> tuple[int, int]:
    with live_app.app_context():
        questions = db.session.scalar(select(func.count()).select_from(Question))
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("question%"))
        )
        db.session.remove()
    return questions, audited


def test_connection_lost_mid_request_is_a_503_and_nothing_is_half_written(live):
    client, demand_id = market(live)
    assert client.get(f"/demands/{demand_id}").status_code == 200

    with live.app_context(), connection_dropped_at(live, "INSERT INTO question") as fired:
        response = client.post(f"/demands/{demand_id}/questions", data={"body": "납품 일정은?"})
    assert fired, "the fault was never injected"
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Service temporarily unavailable" in page
    assert "Nothing from this request was saved" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert counts(live) == (0, 0)  # no question, no audit event: the transaction rolled back

    # The next request works on a fresh connection, and the same write now goes through.
    assert client.get(f"/demands/{demand_id}").status_code == 200
    response = client.post(f"/demands/{demand_id}/questions", data={"body": "납품 일정은?"})
    assert response.status_code == 302
    assert counts(live) == (1, 1)


def test_connection_lost_during_an_api_read_is_a_problem_503(live):
    _client, demand_id = market(live)
    client = factories.english_client(live)
    with live.app_context(), connection_dropped_at(live, "SELECT") as fired:
        response = client.get(f"/api/v1/demands/{demand_id}")
    assert fired
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["status"] == 503 and "try again" in body["detail"]
    assert client.get(f"/api/v1/demands/{demand_id}").status_code == 200


def test_connections_dropped_between_requests_are_replaced_unnoticed(live):
    client, demand_id = market(live)
    assert client.get(f"/demands/{demand_id}").status_code == 200
    with live.app_context():
        drop_idle_connections(live)
        try:
            # The pool notices the dead connection when it hands it out and opens a new one.
            assert client.get(f"/demands/{demand_id}").status_code == 200
            response = client.post(f"/demands/{demand_id}/questions", data={"body": "규격 문의"})
            assert response.status_code == 302
        finally:
            live.config["FAULTS"].pop("cleanup", lambda: None)()
    assert counts(live) == (1, 1)


def test_a_constraint_error_is_still_a_500_not_a_503():
    """Only lost connections are 503: a bug stays a bug (logged, 500)."""
    from sqlalchemy.exc import IntegrityError

    from procure.errors import is_database_unavailable

    error = IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert not is_database_unavailable(error)


# -- the outbox worker killed mid-drain -----------------------------------------------------

#: Runs the real ``procure worker``, slowed down after each index write (before the batch is
#: marked processed) so that the test can kill it in the middle of a drain.
SLOW_WORKER = """
import sys, time
from search.embedded import EmbeddedBackend
original = EmbeddedBackend.index_documents
def slow(self, docs):
    original(self, docs)
    time.sleep(0.4)
EmbeddedBackend.index_documents = slow
from procure.cli import main
sys.argv = ["procure", "worker", "--interval", "0.2"]
main()
"""


def worker_env(live_app) -> dict:
    path = live_app.config["FAULTS"]["path"]
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "PROCURE_ENV": "testing",
            "SECRET_KEY": "faults-" + "x" * 32,
            "DATABASE_URL": live_app.config["FAULTS"]["url"],
            "SEARCH_URL": f"embedded://{path / 'search'}",
            "UPLOAD_DIR": str(path / "uploads"),
        }
    )
    return env


def outbox_progress(live_app) -> tuple[int, int]:
    with live_app.app_context():
        done = db.session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.processed_at.is_not(None))
        )
        total = db.session.scalar(select(func.count()).select_from(OutboxEvent))
        db.session.remove()
    return done, total


def test_worker_killed_mid_drain_loses_no_event_and_the_index_matches(live):
    n = 450  # three batches of 200
    with live.app_context():
        officer = factories.user_with_role("officer")
        db.session.commit()
        now = utcnow()
        db.session.add_all(
            Demand(
                agency_id=officer.organisation_id,
                title=f"자율주행 순찰 로봇 {i}",
                problem="야간 순찰 인력이 부족합니다.",
                status="published",
                published_at=now - timedelta(minutes=i),
                closes_on=None,
            )
            for i in range(n)
        )
        db.session.commit()  # the outbox rows are written in the same transaction
        db.session.remove()
    done, total = outbox_progress(live)
    assert done == 0 and total >= n

    worker = subprocess.Popen(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", SLOW_WORKER],
        env=worker_env(live),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done, _total = outbox_progress(live)
            if done > 0 or worker.poll() is not None:
                break
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)  # no chance to finish the batch or clean up
        output = worker.communicate(timeout=30)[0].decode()
    finally:
        if worker.poll() is None:
            worker.kill()
    killed_at, _total = outbox_progress(live)
    assert 0 < killed_at < total, f"not killed mid-drain ({killed_at}/{total}): {output}"

    # Started again, the worker takes over the rows the dead one had claimed.
    again = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("procure")), "worker", "--once"],
        env=worker_env(live),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    done, total = outbox_progress(live)
    assert done == total  # no event lost

    with live.app_context():
        from procure.indexing import all_documents

        expected = {doc.id for doc in all_documents(db.session())}
        failed = db.session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.last_error.is_not(None))
        )
        db.session.remove()
    assert failed == 0
    assert len([i for i in expected if i.startswith("demand:")]) == n
    index = search.backend_from_url(f"embedded://{live.config['FAULTS']['path'] / 'search'}")
    found = index.search(search.Query("", filters={"type": "demand"}, per_page=1, facets=()))
    # The index equals the database: every document once (redelivered batches were upserts).
    assert found.total == n
    assert index.health()["documents"] == len(expected)


# -- another process writes while a drain is under way (SQLite) -------------------------------


def test_a_write_from_elsewhere_in_the_middle_of_a_drain_waits_instead_of_failing_it(
    live, monkeypatch
):
    """The drain reads the outbox, indexes, then marks the rows processed. On SQLite a deferred
    transaction that has read cannot write once another connection committed in between
    (the worker's analysis thread, a web request): the drain used to fail with "database is
    locked" and leave its batch for the next poll. It now takes the write lock before reading,
    so the other writer waits its turn and both land."""
    from procure import indexing, search_service

    if is_postgres(live):
        pytest.skip("SQLite's locking: PostgreSQL rows are claimed with SKIP LOCKED")
    with live.app_context():
        officer = factories.user_with_role("officer")
        db.session.commit()
        demand = Demand(
            agency_id=officer.organisation_id,
            title="해상 순찰 드론",
            problem="야간 해상 순찰 인력이 부족합니다.",
            status="published",
            published_at=utcnow(),
        )
        db.session.add(demand)
        db.session.commit()
        demand_id = demand.id
        db.session.remove()

        path = live.config["FAULTS"]["url"].removeprefix("sqlite:///")
        outcome = {}

        def other_writer():  # another process's short write, with a busy timeout as ours
            conn = sqlite3.connect(path, timeout=20, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("UPDATE demand SET title = ? WHERE id = ?", ("수정됨", demand_id))
                conn.execute("COMMIT")
                outcome["writer"] = "committed"
            except sqlite3.OperationalError as error:
                outcome["writer"] = str(error)
            finally:
                conn.close()

        writer = threading.Thread(target=other_writer)
        backend = search_service.get_backend(live)
        original = backend.index_documents

        def index_while_another_writes(docs):
            writer.start()
            writer.join(1.0)  # old code: the writer commits here, between our read and write
            original(docs)

        monkeypatch.setattr(backend, "index_documents", index_while_another_writes)
        result = indexing.drain(live, alerts=False)
        writer.join(30)
        db.session.remove()
    assert result.failed == 0 and f"demand:{demand_id}" in result.upserted_ids
    assert outbox_progress(live)[0] == outbox_progress(live)[1]
    assert outcome["writer"] == "committed"
    with live.app_context():
        assert db.session.get(Demand, demand_id).title == "수정됨"
        db.session.remove()


@pytest.mark.parametrize(
    "command",
    [
        ["pilots", "remind"],
        ["onestop", "digest", "--daily"],
        ["search", "alerts", "--frequency", "daily"],
        ["worker", "--once", "--no-analyses"],
    ],
    ids=" ".join,
)
def test_scheduled_commands_take_the_write_lock_before_they_read(live, command):
    """Cron-style commands read, then write, while the web app runs: on SQLite each of their
    transactions begins ``IMMEDIATE`` (as the drain above), so a request's commit in between
    makes them wait their turn instead of failing."""
    if is_postgres(live):
        pytest.skip("SQLite's locking")
    begins = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.upper().startswith("BEGIN"):
            begins.append(statement.upper())

    with live.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = live.test_cli_runner().invoke(args=command)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert result.exit_code == 0, result.output
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}, begins


# -- a long demand-gap analysis does not hold indexing up -------------------------------------

#: The real ``procure worker``, with each gap analysis slowed to last several seconds (as one
#: over 40,000 demands lasts about 90 s) so the test can publish a demand meanwhile.
SLOW_ANALYST = """
import sys, time
from procure.insights import runs
original = runs.execute
def slow(run, actor=None):
    print("analysing", flush=True)
    time.sleep(6)
    return original(run, actor)
runs.execute = slow
from procure.cli import main
sys.argv = ["procure", "worker", "--interval", "0.2"]
main()
"""


def _run_status(live_app) -> str | None:
    from procure.models import GapAnalysisRun

    with live_app.app_context():
        status = db.session.scalar(select(GapAnalysisRun.status).order_by(GapAnalysisRun.id))
        db.session.remove()
    return status


def test_a_long_gap_analysis_does_not_hold_indexing_up(live):
    """The worker runs requested analyses in a thread of its own: a demand published while one
    is under way is indexed at once, and a stop waits for the analysis to be stored."""
    from procure.insights import runs

    with live.app_context():
        operator = factories.user_with_role("operator")
        officer = factories.user_with_role("officer")
        db.session.commit()
        runs.request_run(operator, seed=0, min_size=2)
        db.session.commit()
        officer_org = officer.organisation_id
        db.session.remove()
    worker = subprocess.Popen(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", SLOW_ANALYST],
        env=worker_env(live),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while _run_status(live) != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _run_status(live) == "running"
        with live.app_context():
            db.session.add(
                Demand(
                    agency_id=officer_org,
                    title="해상 순찰 드론",
                    problem="야간 해상 순찰 인력이 부족합니다.",
                    status="published",
                    published_at=utcnow(),
                )
            )
            db.session.commit()
            db.session.remove()
        while time.monotonic() < deadline:
            done, total = outbox_progress(live)
            if done == total:
                break
            time.sleep(0.1)
        assert outbox_progress(live)[0] == outbox_progress(live)[1]
        assert _run_status(live) == "running"  # indexed while the analysis was still going
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=120)[0].decode()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Worker stopped." in output
    assert _run_status(live) == "done", output  # the stop waited for it to be stored


# -- the disk full while an attachment is saved ----------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def test_disk_full_through_the_upload_form_says_so_and_recovers(
    app, db_session, client, login, monkeypatch, tmp_path
):
    """The service-level test is tests/procure/test_attachments.py::test_disk_full_keeps_nothing_
    and_says_so; here a person uploads through the page, the disk is full, then it is not."""
    import io

    from procure.attachments import services
    from procure.models import Attachment
    from procure.products import services as products

    factories.add_cpv_codes()
    supplier = factories.user_with_role("supplier")
    product = factories.in_request(
        app,
        products.create_product,
        supplier,
        products.ProductInput(name="제품", summary="요약", codes=["35613000"]),
    )
    login(supplier)
    storage = tmp_path / "uploads"
    storage.mkdir()
    monkeypatch.setattr(services, "upload_root", lambda: storage)

    def no_space(descriptor):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as full:
        full.setattr(services.os, "fsync", no_space)
        response = client.post(
            f"/attachments/product/{product.id}",
            data={"file": (io.BytesIO(PDF), "계획서.pdf")},
            content_type="multipart/form-data",
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "could not be stored right now. Nothing was saved" in page
    assert "Traceback" not in page and "No space left" not in page
    assert db.session.query(Attachment).count() == 0
    assert [p for p in storage.rglob("*") if p.is_file()] == []  # no partial file

    # Space again: the same upload simply works.
    response = client.post(
        f"/attachments/product/{product.id}",
        data={"file": (io.BytesIO(PDF), "계획서.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (attachment,) = db.session.query(Attachment).all()
    assert services.path_of(attachment).read_bytes() == PDF


def test_a_locked_database_while_reading_an_api_token_is_a_503_not_a_500(
    app, db_session, monkeypatch
):
    """Seen in the load smoke test: the token lookup failed, and so did the 503 page, whose
    language came from the signed-in user — a second trip to the same database."""
    from sqlalchemy.exc import OperationalError

    from procure.account import services as account_services
    from procure.models import ApiToken

    user = factories.user_with_role("supplier")
    with app.test_request_context():
        _row, token = account_services.create_api_token(user, "load")
    db.session.flush()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    client = app.test_client()
    # A working lookup records the token's use (in a transaction of its own).
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    db.session.refresh(row)
    assert row.last_used_at is not None

    def locked(plain):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(account_services, "user_for_token", locked)
    response = client.get("/api/v1/demands", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Service temporarily unavailable" in response.get_data(as_text=True)


def test_an_error_inside_a_flush_still_gets_the_error_page(tmp_path):
    """A bug that fails a flush after the request committed once (as the API's token touch
    does) leaves the session's transaction failed; the 500 page reads the signed-in user, so
    the handler rolls back first. Before, the page itself failed and Werkzeug's bare English
    "Internal Server Error" went out."""
    from flask_login import current_user
    from flask_migrate import upgrade

    from procure import authz, create_app
    from procure.models import User

    app = create_app(
        {
            "env": "testing",
            "database_url": f"sqlite:///{tmp_path / 'flush.db'}",
            "search_url": f"embedded://{tmp_path / 'search'}",
            "INSTANCE_PATH": str(tmp_path),
            "SERVER_NAME": None,
            "SEARCH_DRAIN_ON_COMMIT": False,
            "WTF_CSRF_ENABLED": False,
        }
    )

    def failing_flush():
        assert current_user.is_authenticated
        db.session.commit()  # the user's attributes expire here
        db.session.add(User(email=None, name=None))
        db.session.flush()  # NOT NULL: IntegrityError, a bug, not bad input

    app.add_url_rule("/failing-flush", "failing_flush", authz.public(failing_flush))
    with app.app_context():
        upgrade(revision="heads")
        email = factories.user_with_role("citizen").email
        db.session.commit()
    client = app.test_client()
    signed_in = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    response = client.get("/failing-flush")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="ko">' in page and "Internal Server Error" not in page
    with app.app_context():
        db.engine.dispose()
