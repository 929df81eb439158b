"""``procure match …``: train the matcher on recorded feedback."""

import json

import click
from flask.cli import with_appcontext


@click.group("match")
def match_group():
    """The demand–supply matcher."""


@match_group.command("train")
@click.option(
    "--keep-worse", is_flag=True, help="Keep the new model even if it ranks labels worse."
)
@with_appcontext
def train_command(keep_worse: bool):
    """Retrain with recorded feedback; report metrics before and after; keep the better model."""
    from procure.extensions import db
    from procure.matching_service import model_path, train

    metrics = train(keep_worse=keep_worse)
    db.session.rollback()  # training only reads
    click.echo(json.dumps(metrics, indent=2))
    click.echo(f"Model kept: {metrics['kept']} ({model_path()})")
