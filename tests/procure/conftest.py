"""Fixtures for the web application: one database per run, one rolled-back transaction per test.

The database is SQLite in a temporary folder by default, PostgreSQL when ``DATABASE_URL`` is set
(CI runs the suite both ways). The schema is built by the Alembic migrations, as in production.
"""

from __future__ import annotations

import contextvars
import os

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
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


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
