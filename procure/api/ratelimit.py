"""Rate limits of the API: a fixed window per client, quota claimed from a shared store in blocks.

A client is its token (when the request carries a valid bearer token) or else its IP address.
Each window (``API_RATE_WINDOW_SECONDS``) a client may make ``API_RATE_LIMIT`` requests without
a token or ``API_RATE_LIMIT_TOKEN`` with one; 0 turns the limits off.

With the ``database`` store (the default) the count of a window is one row of
``api_rate_window`` that every worker process shares. A worker does not write it on every
request: it claims a *block* of the quota with one upsert, serves the block from memory, and
claims again when it is used up. So the limit holds across workers (no more than the limit is
ever served in a window); a client may be refused a few requests early when another worker still
holds part of a block (at most ``(workers − 1) × (block − 1)``), and once a worker is refused it
answers 429 from memory until the window ends, so a client hammering the API costs no writes.
The ``memory`` store keeps counts per process: with N workers a client gets up to N × the limit.
See docs/open-data.md.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete

from procure.api import bp
from procure.api.auth import bearer_token
from procure.errors import Throttled
from procure.extensions import db
from procure.models import ApiRateWindow


@dataclass
class Lease:
    window: int
    left: int = 0  # requests this process may still serve from its claimed blocks
    claimed: int = 0  # the window's total claimed by all processes, as of the last claim
    refused: bool = False
    # Held while this client's block is claimed from the store, which may wait on the
    # database: other clients' requests, served from their own leases, go on meanwhile.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends


class MemoryStore:
    """Counts in this process only."""

    block_for_workers = False

    def __init__(self):
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, window: int, block: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            total = self._counts.get((key, window), 0) + block
            self._counts[(key, window)] = total
            return total


class DatabaseStore:
    """Counts in ``api_rate_window``, shared by every process; one upsert per claimed block."""

    block_for_workers = True

    def __init__(self):
        self._swept_window = -1
        self._lock = threading.Lock()

    def claim(self, key: str, window: int, block: int) -> int:
        engine = db.engine
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(ApiRateWindow).values(client_key=key, window=window, count=block)
        statement = statement.on_conflict_do_update(
            index_elements=[ApiRateWindow.client_key, ApiRateWindow.window],
            set_={"count": ApiRateWindow.count + block},
        ).returning(ApiRateWindow.count)
        if engine.dialect.name == "sqlite" and db.session().in_transaction():
            # SQLite has one write lock per database, and a write request's transaction takes
            # it when it begins (procure/database.py); the session has already begun one to
            # read the token's user. The counter's own connection would wait for that lock
            # until the busy timeout (a 503 for every API write), so the session's
            # transaction, which has only read so far, is ended first.
            db.session.commit()
        # A connection of its own: the count must stay even when the request rolls back.
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # A counter need not survive a crash: do not wait for the WAL flush.
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            total = connection.execute(statement).scalar_one()
            with self._lock:
                sweep = window > self._swept_window
                self._swept_window = max(window, self._swept_window)
            if sweep:
                connection.execute(delete(ApiRateWindow).where(ApiRateWindow.window < window - 1))
        return total


class RateLimiter:
    def __init__(self, store):
        self.store = store
        self._leases: dict[str, Lease] = {}
        self._lock = threading.Lock()

    def block_size(self, limit: int, workers: int) -> int:
        if not self.store.block_for_workers:
            return 1
        return max(1, min(50, limit // (4 * max(1, workers))))

    def hit(self, key: str, limit: int, window_seconds: int, workers: int = 1) -> Decision:
        now = time.time()
        window = int(now // window_seconds)
        reset = max(1, math.ceil((window + 1) * window_seconds - now))
        with self._lock:  # only the table of leases: no store work under this lock
            lease = self._leases.get(key)
            if lease is None or lease.window != window:
                if len(self._leases) > 10_000:
                    self._leases = {k: v for k, v in self._leases.items() if v.window == window}
                lease = self._leases[key] = Lease(window)
        with lease.lock:
            if lease.left == 0 and not lease.refused:
                block = self.block_size(limit, workers)
                total = self.store.claim(key, window, block)
                granted = max(0, min(block, limit - (total - block)))
                lease.left, lease.claimed = granted, total
                lease.refused = granted == 0
            allowed = lease.left > 0
            if allowed:
                lease.left -= 1
            remaining = max(0, limit - lease.claimed) + lease.left
        return Decision(allowed, limit, remaining, reset)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    store = DatabaseStore() if settings.api_rate_store == "database" else MemoryStore()
    app.extensions["api_rate_limiter"] = RateLimiter(store)


@bp.record_once
def _on_register(state) -> None:
    init_app(state.app)


def client_key() -> tuple[str, bool]:
    """The client's key, and whether it is a token (a valid one) rather than an address."""
    token = bearer_token()
    if token and current_user.is_authenticated:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32], True
    return "ip:" + (request.remote_addr or "unknown")[:60], False


@bp.before_request
def limit_rate():
    settings = current_app.config["SETTINGS"]
    key, is_token = client_key()
    limit = settings.api_rate_limit_token if is_token else settings.api_rate_limit
    if limit <= 0:
        return None
    limiter: RateLimiter = current_app.extensions["api_rate_limiter"]
    decision = limiter.hit(key, limit, settings.api_rate_window_seconds, settings.web_workers)
    g.api_rate = decision
    if not decision.allowed:
        raise Throttled(
            _(
                "Too many requests: at most %(limit)d in %(window)d seconds. "
                "Try again in %(seconds)d seconds.",
                limit=limit,
                window=settings.api_rate_window_seconds,
                seconds=decision.reset,
            ),
            retry_after=decision.reset,
        )
    return None


@bp.after_request
def rate_headers(response):
    decision = g.get("api_rate")
    if decision is not None:
        response.headers["RateLimit-Limit"] = str(decision.limit)
        response.headers["RateLimit-Remaining"] = str(decision.remaining)
        response.headers["RateLimit-Reset"] = str(decision.reset)
        policy_window = current_app.config["SETTINGS"].api_rate_window_seconds
        response.headers["RateLimit-Policy"] = f"{decision.limit};w={policy_window}"
    return response
