"""The commands people run: ``procure init|demo|serve|create-operator|audit verify``."""

from __future__ import annotations

import os
import shutil
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from procure.config import ConfigError


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    from flask_migrate import upgrade

    upgrade(revision="heads")
    click.echo("Database is at the latest schema.")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo data, then stop.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool):
    """Migrate, load the demo data, print the demo accounts and serve the site."""
    from flask_migrate import upgrade

    from procure import demo

    upgrade(revision="heads")
    accounts = demo.load()
    click.echo(f"\nDemo accounts (password for all: {demo.DEMO_PASSWORD})")
    for role, email, name in accounts:
        click.echo(f"  {role:<10} {email:<32} {name}")
    if no_serve:
        return
    click.echo(f"\nServing on http://{host}:{port}  (Ctrl+C to stop)\n")
    _serve(host, port, workers=1, threads=4)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="WSGI worker processes (WEB_WORKERS).")
@click.option("--threads", default=4, show_default=True, type=int)
def serve_command(host: str, port: int, workers: int | None, threads: int):
    """Serve with gunicorn, a production WSGI server, with several workers."""
    settings = current_app.config["SETTINGS"]
    _serve(host, port, workers=workers or settings.web_workers, threads=threads)


def _serve(host: str, port: int, workers: int, threads: int) -> None:
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
        "gunicorn"
    )
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed: run the setup step from the README.")
    args = [
        gunicorn,
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
        # gunicorn's largest request line (the default 4,094 bytes answers a raw English 414
        # before the app sees it): a search of 200 Korean characters is 1,800 bytes encoded,
        # and its filters add more.
        "--limit-request-line",
        "8190",
        "procure.wsgi:app",
    ]
    os.execv(gunicorn, args)  # noqa: S606 - replaces this process with the server


@click.command("create-operator")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--organisation", default="조달청 혁신조달과", show_default=True)
@click.password_option()
@with_appcontext
def create_operator_command(email: str, name: str, organisation: str, password: str):
    """Create an operator account."""
    from procure.account.services import create_operator
    from procure.errors import ServiceError
    from procure.extensions import db

    try:
        user = create_operator(email, name, password, organisation)
    except ServiceError as error:
        db.session.rollback()
        details = "; ".join(e.message for e in error.errors)
        raise click.ClickException(f"{error.message} {details}".strip()) from None
    db.session.commit()
    click.echo(f"Operator {user.email} created.")


@click.group("audit")
def audit_group():
    """The audit log."""


@audit_group.command("verify")
@click.option(
    "--head",
    metavar="ID:HASH",
    help="A head printed by an earlier check: the chain must still hold it (catches events "
    "removed from the end, which break no link).",
)
@with_appcontext
def audit_verify_command(head: str | None):
    """Check the hash chain of the audit log; report the first broken link.

    Prints the chain's head: keep it outside the database (a ticket, another system) and pass
    it with --head next time."""
    from procure.audit.services import verify_chain

    expect = None
    if head:
        number, _sep, digest = head.partition(":")
        if not number.isdigit() or len(digest) != 64:
            raise click.BadParameter("give the head as ID:HASH, as printed", param_hint="--head")
        expect = (int(number), digest.lower())
    report = verify_chain(expect_head=expect)
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} events checked.")
        if report.head_id is not None:
            click.echo(f"Head: {report.head_id}:{report.head_hash}")
        return
    click.echo(
        f"Audit chain BROKEN at event {report.broken_at}: {report.reason} "
        f"({report.checked} events before it are intact).",
        err=True,
    )
    sys.exit(1)


def register(app: Flask) -> None:
    from procure.account.commands import privacy_group
    from procure.imports.commands import import_cpv_command, import_ocds_command
    from procure.insights.commands import insights_group
    from procure.match_cli import match_group
    from procure.opendata.commands import export_ocds_command
    from procure.search_cli import search_group, worker_command

    for command in (
        init_command,
        demo_command,
        serve_command,
        create_operator_command,
        audit_group,
        import_ocds_command,
        import_cpv_command,
        export_ocds_command,
        match_group,
        search_group,
        worker_command,
        insights_group,
        privacy_group,
    ):
        app.cli.add_command(command)


def _create_app():
    from procure import create_app

    return create_app()


def main() -> None:
    """Entry point of the ``procure`` console script."""
    cli = FlaskGroup(create_app=_create_app, add_default_commands=True, load_dotenv=False)
    try:
        cli.main(prog_name="procure")
    except ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        sys.exit(2)
