"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from procure.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations disagree; add a migration: {diff}"


def test_migrations_upgrade_from_nothing_and_downgrade(tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from procure import create_app

    app = create_app(
        {
            "env": "testing",
            "database_url": f"sqlite:///{tmp_path / 'm.db'}",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        assert {"user", "organisation", "audit_event", "api_token"} <= set(
            inspect(db.engine).get_table_names()
        )
        downgrade(revision="base")
        assert "user" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
