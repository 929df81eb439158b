"""Database engine set-up (SQLite pragmas, transaction handling) and inserts that may race."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from procure.errors import Conflict, stale_message
from procure.extensions import db

#: Set by :func:`writing`: transactions begun here will write, whatever the request says.
_write_intent: ContextVar[bool] = ContextVar("procure_write_intent", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock up front.

    For work outside a request that reads and then writes (the outbox drain in ``procure
    worker``): a deferred SQLite transaction that has read cannot become a writer once another
    connection has committed since (WAL snapshots cannot be upgraded), and fails at once with
    "database is locked"; an immediate one waits its turn (the busy timeout). Per thread and
    task (a context variable), so a long read elsewhere in the process is not made a writer.
    No effect on PostgreSQL."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def insert_unique(row) -> None:
    """Add a row whose unique key another request may have taken meanwhile (two clicks, two
    tabs): that is a 409 with the usual "changed meanwhile" message, not a 500, and the rest of
    the transaction stays usable."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(stale_message()) from None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # SAVEPOINTs (used by tests and nested operations) behave as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: the journal-mode pragma itself may need a lock (a new
        # connection while another process recovers the WAL) and must wait, not fail.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A request that may write takes the write lock up front. A deferred transaction that
        # reads first and writes later fails at once with "database is locked" when another
        # process committed in between (WAL snapshots cannot be upgraded), without waiting out
        # the busy timeout; an immediate one waits its turn. Reads stay concurrent.
        # Work outside a request says so with ``writing()``.
        will_write = _write_intent.get() or (
            has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if will_write else "BEGIN")


def init_app(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        _configure_sqlite(db.engine)
