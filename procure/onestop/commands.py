"""``procure onestop digest --daily|--weekly``: e-mail subscribers the new demand information."""

import click
from flask import current_app

from procure.database import writing
from procure.extensions import db
from procure.models import DigestFrequency
from procure.onestop import bp, subscriptions


@bp.cli.command("digest")
@click.option("--daily", "frequency", flag_value=DigestFrequency.DAILY, help="Daily subscribers.")
@click.option(
    "--weekly",
    "frequency",
    flag_value=DigestFrequency.WEEKLY,
    default=True,
    help="Weekly subscribers (the default).",
)
def digest_command(frequency: str) -> None:
    """Send each confirmed subscriber the matching items published since their last digest.

    Run it from cron (daily and weekly); every item is sent to a subscriber once.
    """
    base = current_app.config["SETTINGS"].base_url
    # Each subscriber's digest reads, then records what was sent: docs/faults.md.
    with current_app.test_request_context("/", base_url=base), writing():
        sent = subscriptions.send_digests(frequency, after_each=db.session.commit)
        db.session.commit()
    click.echo(f"{frequency} digests sent: {sent}")
