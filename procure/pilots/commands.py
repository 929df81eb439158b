"""``procure pilots remind``: tell agencies of field reports due within 7 days or overdue."""

from datetime import date

import click

from procure.database import writing
from procure.extensions import db
from procure.pilots import bp, services


@bp.cli.command("remind")
@click.option("--today", default=None, help="Pretend today is this day (YYYY-MM-DD).")
def remind_command(today: str | None) -> None:
    """Notify agencies of reports due soon and overdue; safe to run more than once a day."""
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--today") from error
    with writing():  # reads then writes, beside the web app: docs/faults.md
        sent = services.remind(day)
        db.session.commit()
    click.echo(f"reminders: {sent['due']} due soon, {sent['overdue']} overdue")
