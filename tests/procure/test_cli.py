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
    # The programmes: an evaluation round with designations, a pilot carried to its result.
    from procure.models import Designation, PilotPurchase

    assert db.session.scalar(select(func.count(Designation.id))) >= 3
    published = db.session.scalars(
        select(PilotPurchase).where(PilotPurchase.published_at.is_not(None))
    ).all()
    assert [p.verdict for p in published] == ["success"]


def test_serve_runs_several_gunicorn_workers(tmp_path):
    """`procure serve` starts a production WSGI server that answers on 127.0.0.1."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.parse
    import urllib.request
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SECRET_KEY="s" * 64)
    procure = str(Path(sys.executable).with_name("procure"))
    subprocess.run([procure, "init"], env=env, check=True, capture_output=True, timeout=60)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [procure, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # A long Korean search (200 characters, the box's limit, plus filters) reaches the app:
        # gunicorn's default request line of 4,094 bytes answered a raw English 414.
        query = urllib.parse.quote("드론" * 100) + "&kind=product" * 100
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q={query}") as reply:
            assert reply.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert output.count("Booting worker") >= 2
