"""``procure privacy purge``: delete personal data whose retention period has ended."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("privacy")
def privacy_group():
    """Personal data: retention (docs/privacy.md)."""


@privacy_group.command("purge")
@with_appcontext
def purge_command():
    """Delete sign-in attempts older than LOGIN_ATTEMPT_RETENTION_DAYS (``procure worker``
    also does this once a day)."""
    from procure.account import privacy
    from procure.database import writing
    from procure.extensions import db

    with writing():
        deleted = privacy.purge_sign_in_attempts()
        db.session.commit()
    click.echo(f"Deleted {deleted} sign-in attempts older than the retention period.")
