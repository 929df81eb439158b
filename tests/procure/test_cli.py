"""The commands: init, demo, create-operator."""

from __future__ import annotations

from sqlalchemy import func, select

from procure.extensions import db
from procure.models import Organisation, User


def test_create_operator(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-operator",
            "--email",
            "ops@example.kr",
            "--name",
            "운영자",
            "--password",
            "operator-secret-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ops@example.kr"))
    assert user.roles == {"operator"} and user.can_act_for_organisation


def test_create_operator_refuses_a_short_password(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["create-operator", "--email", "ops2@example.kr", "--name", "x", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "10자 이상" in result.output  # commands speak Korean, the default locale


def test_demo_data_loads_every_role_once(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    for role in ("operator", "officer", "supplier", "evaluator", "citizen"):
        assert role in first.output
    count = db.session.scalar(select(func.count(User.id)))
    again = runner.invoke(args=["demo", "--no-serve"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) == count
    kinds = set(db.session.scalars(select(Organisation.kind)).all())
    assert kinds == {"agency", "supplier", "operator"}
