"""Fixtures for the web application: one database per run, one rolled-back transaction per test.

The database is SQLite in a temporary folder by default, PostgreSQL when ``DATABASE_URL`` is set
(CI runs the suite both ways). The schema is built by the Alembic migrations, as in production.
"""

from __future__ import annotations

import contextvars
import os
import uuid

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, scoped_session, sessionmaker

import factories
from procure import create_app
from procure.config import normalise_database_url
from procure.extensions import db


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in fresh context variables, as it would in a server.

    Without this, a request made while the test holds an app context reuses that context, and
    with it ``g`` (the signed-in user, the locale) from the previous request.

    A streamed body is read later, when the test asks for it; it is read in the request's own
    context too, as a server reads it in the request's thread (``stream_with_context``).
    """

    def open(self, *args, **kwargs):
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        if response.is_streamed:
            response.response = _IterateIn(context, response.response)
        return response


class _IterateIn:
    """The response body read chunk by chunk inside ``context``; closing it closes the body
    there too (a file is closed when the response is, as without the wrapper)."""

    def __init__(self, context: contextvars.Context, iterable):
        self.context = context
        self.iterable = iterable
        self.iterator = None

    def __iter__(self):
        return self

    def __next__(self):
        if self.iterator is None:
            self.iterator = iter(self.iterable)
        return self.context.run(next, self.iterator)

    def close(self):
        close = getattr(self.iterable, "close", None)
        if close is not None:
            self.context.run(close)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "env": "testing",
            "database_url": url,
            "search_url": f"embedded://{instance / 'search'}",
            "INSTANCE_PATH": str(instance),
            "WTF_CSRF_ENABLED": False,
            # Tests that exercise search turn draining back on; the rest need not pay for it.
            "SEARCH_DRAIN_ON_COMMIT": False,
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    return app


@pytest.fixture
def db_session(app):
    """Every test runs inside one outer transaction that is rolled back at the end.

    Services and views commit as usual; with ``create_savepoint`` their commits release
    savepoints instead, so nothing a test does survives it.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", class_=Session
        )
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return factories.english_client(app)


@pytest.fixture
def csrf(app):
    """Turn CSRF protection on for one test (it is off for the others to keep forms short)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def mail_outbox(app):
    outbox = app.extensions["mail"].sent
    outbox.clear()
    return outbox


ROLES = ("citizen", "officer", "supplier", "evaluator", "operator")


@pytest.fixture
def make_user(db_session):
    """Return a function creating a user with a role: ``make_user("supplier")``."""
    return factories.user_with_role


@pytest.fixture
def officer(db_session):
    """An agency officer of a verified agency (modules may define their own)."""
    return factories.user_with_role("officer")


@pytest.fixture
def supplier(db_session):
    """A member of a verified supplier (modules may define their own)."""
    return factories.user_with_role("supplier")


@pytest.fixture
def login(client):
    """Return a function signing a user in on ``client`` through the real sign-in form."""

    def sign_in(user, on=None):
        target = on or client
        response = target.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.data[:500]
        db.session.expire(user)  # signing in changed the row (last sign-in, version)
        return user

    return sign_in


@pytest.fixture
def client_as(app, db_session, login):
    """Return a function giving a client signed in with a role: ``client_as("operator")``."""

    def make(role: str | None):
        new_client = factories.english_client(app)
        if role is None:
            return new_client, None
        user = factories.user_with_role(role)
        login(user, on=new_client)
        return new_client, user

    return make


@pytest.fixture
def live(app, tmp_path):
    """An app whose commits and sessions are real (Flask-SQLAlchemy's own, not ``db_session``'s
    rolled-back one), on its own schema (PostgreSQL) or file (SQLite): fault tests, streaming."""
    base = app.config["SQLALCHEMY_DATABASE_URI"]
    schema = f"faults_{uuid.uuid4().hex[:10]}"
    postgres = base.startswith("postgresql")
    admin = None
    if postgres:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{schema}&application_name={schema}"
    else:
        url = f"sqlite:///{tmp_path / 'faults.db'}"
    live_app = create_app(
        {
            "env": "testing",
            "database_url": url,
            "search_url": f"embedded://{tmp_path / 'search'}",
            "upload_dir": str(tmp_path / "uploads"),
            "INSTANCE_PATH": str(tmp_path),
            "WTF_CSRF_ENABLED": False,
            "SEARCH_DRAIN_ON_COMMIT": False,
            "SERVER_NAME": None,
        }
    )
    live_app.config["FAULTS"] = {"url": url, "schema": schema, "admin": admin, "path": tmp_path}
    with live_app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    try:
        yield live_app
    finally:
        with live_app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
