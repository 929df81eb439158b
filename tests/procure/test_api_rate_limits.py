"""API rate limits: 429 problem+json with Retry-After, per token or per IP, shared by workers.

The suite's app runs with limits off (the testing environment's default); these tests turn them
on deliberately: low limits on the shared app with a per-process store, and two separate apps
("workers") sharing one database for the database store.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid

import pytest
from sqlalchemy import delete, func, select

import factories
from procure import create_app
from procure.account.services import create_api_token
from procure.api import ratelimit
from procure.extensions import db
from procure.models import ApiRateWindow


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


@pytest.fixture
def limited(app, clock):
    """Limits of 3 (by IP) and 5 (by token) a minute, counted in this process, for one test."""
    settings = app.config["SETTINGS"]
    limiter = app.extensions["api_rate_limiter"]
    app.config["SETTINGS"] = dataclasses.replace(
        settings,
        api_rate_limit=3,
        api_rate_limit_token=5,
        api_rate_window_seconds=60,
        api_rate_store="memory",
    )
    app.extensions["api_rate_limiter"] = ratelimit.RateLimiter(ratelimit.MemoryStore())
    yield app
    app.config["SETTINGS"] = settings
    app.extensions["api_rate_limiter"] = limiter


def test_limits_are_off_in_the_test_suite_by_default(app, client):
    assert app.config["SETTINGS"].api_rate_limit == 0
    response = client.get("/api/v1/organisations")
    assert response.status_code == 200 and "RateLimit-Limit" not in response.headers


def test_anonymous_clients_are_limited_by_ip_with_headers_and_429(limited, client, clock):
    for remaining in (2, 1, 0):
        response = client.get("/api/v1/organisations")
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Remaining"] == str(remaining)
        assert 1 <= int(response.headers["RateLimit-Reset"]) <= 60
    refused = client.get("/api/v1/ocds/releases")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["status"] == 429 and body["title"] == "Too many requests"
    assert "Try again in" in body["detail"]
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"

    # Another address has its own allowance.
    other = client.get("/api/v1/organisations", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200 and other.headers["RateLimit-Remaining"] == "2"

    # Pages are not limited.
    assert client.get("/demands/").status_code == 200

    # The next window starts afresh.
    clock.now += retry
    assert client.get("/api/v1/organisations").status_code == 200


def test_token_clients_are_limited_per_token_with_their_own_limit(app, limited, client):
    user = factories.user_with_role("citizen")
    _row, token = factories.in_request(app, create_api_token, user, "script")
    _row2, other_token = factories.in_request(app, create_api_token, user, "other script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(5):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "5"
    assert client.get("/api/v1/me", headers=headers).status_code == 429
    # The same user's other token, and the anonymous allowance of the address, are separate.
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_token}"}).status_code
        == 200
    )
    assert client.get("/api/v1/organisations").status_code == 200


def _worker(tmp_path, url: str, **settings):
    app = create_app(
        {
            "env": "testing",
            "database_url": url,
            "search_url": f"embedded://{tmp_path / 'search'}",
            "INSTANCE_PATH": str(tmp_path),
            "SERVER_NAME": None,
            "SEARCH_DRAIN_ON_COMMIT": False,
            "api_rate_store": "database",
            **settings,
        }
    )
    return app


def test_two_workers_share_the_limit_through_the_database(tmp_path, clock, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one = _worker(tmp_path, url, api_rate_limit=40, web_workers=2)
    two = _worker(tmp_path, url, api_rate_limit=40, web_workers=2)
    with one.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    claims = []
    original = ratelimit.DatabaseStore.claim

    def counting(self, key, window, block):
        claims.append(block)
        return original(self, key, window, block)

    monkeypatch.setattr(ratelimit.DatabaseStore, "claim", counting)
    clients = [one.test_client(), two.test_client()]
    statuses = [clients[n % 2].get("/api/v1/openapi.json").status_code for n in range(60)]
    assert statuses.count(200) == 40 and statuses[40:] == [429] * 20
    # Quota is claimed in blocks of 40 // (4 × 2 workers) = 5: few writes, none while refused.
    assert set(claims) == {5} and len(claims) <= 40 // 5 + 2
    with one.app_context():
        assert db.session.scalar(select(func.sum(ApiRateWindow.count))) >= 40
        db.session.remove()
        db.engine.dispose()
    with two.app_context():
        db.engine.dispose()


def test_api_writes_with_a_token_pass_the_shared_counter_on_sqlite(tmp_path):
    """The deployed default (SQLite, counts in the database): a write request's session holds
    SQLite's write lock once it has read the token's user, so the counter must not wait for
    it on a connection of its own (it did: every API POST waited 30 s and failed with 503)."""
    from procure.models import CitizenIdea

    app = _worker(tmp_path, f"sqlite:///{tmp_path / 'writes.db'}", api_rate_limit_token=50)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        token = factories.api_token(app, factories.user_with_role("citizen"), "script")
        db.session.commit()
    client = app.test_client()
    started = time.monotonic()
    response = client.post(
        "/api/v1/ideas",
        json={"title": "버스 정류장 온열 의자", "problem": "겨울 대기 시간이 춥다"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert time.monotonic() - started < 10
    assert response.headers["RateLimit-Limit"] == "50"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CitizenIdea)) == 1
        assert db.session.scalar(select(func.sum(ApiRateWindow.count))) >= 1
        db.session.remove()
        db.engine.dispose()


def test_a_client_waiting_for_its_claim_does_not_hold_up_other_clients(tmp_path):
    """A claim may wait on the database (SQLite's write lock, held here by another
    connection); meanwhile another client's requests, served from the block it already
    holds, are answered at once instead of queueing behind the one process-wide lock."""
    import sqlite3

    path = tmp_path / "claims.db"
    app = _worker(tmp_path, f"sqlite:///{path}")
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    limiter = ratelimit.RateLimiter(ratelimit.DatabaseStore())
    with app.app_context():
        assert limiter.hit("token:steady", 100, 3600, workers=1).allowed  # claims a block
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing: claims must wait
    waiting = threading.Event()
    done = threading.Event()

    def claim_while_locked():
        with app.app_context():
            waiting.set()
            limiter.hit("token:newcomer", 100, 3600, workers=1)
            db.session.remove()
        done.set()

    thread = threading.Thread(target=claim_while_locked)
    thread.start()
    try:
        assert waiting.wait(10)
        time.sleep(0.3)  # let the newcomer reach the database and wait on its lock
        assert not done.is_set()
        with app.app_context():
            assert limiter.hit("token:steady", 100, 3600, workers=1).allowed
        assert not done.is_set()  # the steady client was answered while the claim waited
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        thread.join(30)
    assert done.is_set()
    with app.app_context():
        db.engine.dispose()


def test_the_database_store_counts_atomically_on_the_configured_database(app):
    """On PostgreSQL when DATABASE_URL is set: concurrent claims never hand out a count twice."""
    key = f"test:{uuid.uuid4().hex}"
    store = ratelimit.DatabaseStore()
    totals = []
    errors = []

    def claim():
        try:
            with app.app_context():
                totals.append(store.claim(key, 7, 1))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert sorted(totals) == list(range(1, 9))
        with app.app_context():
            assert store.claim(key, 9, 3) == 3  # a new window starts from zero…
            rows = db.session.scalars(
                select(ApiRateWindow.window).where(ApiRateWindow.client_key == key)
            ).all()
            assert rows == [9]  # …and windows older than the previous one are swept
            db.session.remove()
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(delete(ApiRateWindow).where(ApiRateWindow.client_key == key))


def test_block_size_follows_the_limit_and_the_workers():
    limiter = ratelimit.RateLimiter(ratelimit.DatabaseStore())
    assert limiter.block_size(3, 2) == 1
    assert limiter.block_size(120, 2) == 15
    assert limiter.block_size(10_000, 4) == 50
    assert ratelimit.RateLimiter(ratelimit.MemoryStore()).block_size(120, 2) == 1
