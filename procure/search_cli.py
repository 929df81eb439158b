"""Commands for search: ``procure search reindex|status|alerts`` and ``procure worker``."""

from __future__ import annotations

import signal
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

import search


@click.group("search")
def search_group():
    """The search index: rebuild it, check it, send saved-search alerts."""


@search_group.command("reindex")
@with_appcontext
def reindex_command():
    """Build a new index from every row, then swap it in (searches keep working)."""
    from procure import indexing, search_service
    from procure.extensions import db

    backend = search_service.get_backend(current_app._get_current_object())
    counted = {"n": 0}

    def documents():
        for doc in indexing.all_documents(db.session()):
            counted["n"] += 1
            yield doc

    try:
        name = backend.reindex(documents())
    except search.SearchUnavailable as error:
        raise click.ClickException(f"The search backend is unavailable: {error}") from None
    click.echo(f"Reindexed {counted['n']} documents into {name}.")
    click.echo("Draining changes made during the rebuild…")
    result = indexing.drain_all(current_app._get_current_object(), alerts=False)
    click.echo(
        f"Outbox: {result.indexed} indexed, {result.deleted} removed, {result.failed} failed."
    )


@search_group.command("status")
@with_appcontext
def status_command():
    """Documents in the index, outbox lag and the backend's health (exit 1 when unhealthy)."""
    from procure import indexing, search_service

    backend = search_service.get_backend(current_app._get_current_object())
    health = backend.health()
    lag = indexing.outbox_status()
    click.echo(f"Backend: {health.get('backend')} ({'ok' if health.get('ok') else 'DOWN'})")
    click.echo(f"Detail: {health.get('detail')}")
    documents = health.get("documents")
    click.echo(f"Documents: {documents if documents is not None else 'unknown'}")
    click.echo(
        f"Outbox: {lag['pending']} pending (oldest {lag['oldest_pending_seconds']:.0f} s), "
        f"{lag['retrying']} retrying"
    )
    if not health.get("ok"):
        raise SystemExit(1)


@search_group.command("alerts")
@click.option(
    "--frequency",
    type=click.Choice(["daily", "instant"]),
    default="daily",
    show_default=True,
    help="Which saved searches to check (run daily ones from cron once a day).",
)
@with_appcontext
def alerts_command(frequency: str):
    """Notify users of new demands and products matching their saved searches."""
    from procure import search_service
    from procure.database import writing
    from procure.extensions import db

    with writing():  # reads then writes, beside the web app: docs/faults.md
        notified = search_service.run_alerts(current_app._get_current_object(), frequency)
        db.session.commit()
    click.echo(f"Notified {notified} saved searches ({frequency}).")


@click.command("worker")
@click.option("--once", is_flag=True, help="Drain what is due, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option(
    "--analyses/--no-analyses",
    default=True,
    show_default=True,
    help="Also run the demand-gap analyses operators asked for, in a thread of their own.",
)
@with_appcontext
def worker_command(once: bool, interval: float, analyses: bool):
    """Drain the search outbox in a loop (several may run at once on PostgreSQL).

    Requested demand-gap analyses run beside the loop in a thread with its own application
    context and database session, so one that takes minutes on a large market does not hold
    indexing up; with ``--once`` they run after the drain, in turn."""
    from procure import indexing
    from procure.extensions import db

    app = current_app._get_current_object()
    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()

    previous = signal.signal(signal.SIGTERM, stop)
    analyst = None
    if analyses and not once:
        # A daemon, joined below: a stop waits for the analysis under way; a second Ctrl-C
        # leaves it (its run is taken up again once stale, docs/insights.md).
        analyst = threading.Thread(
            target=_analyse_until, args=(app, stopping, interval), name="gap-analyses", daemon=True
        )
        analyst.start()
    purged_at = None
    try:
        while True:
            purged_at = _purge_daily(purged_at)
            try:
                result = indexing.drain_all(app)
            except Exception as error:
                db.session.rollback()
                click.echo(f"Drain failed: {error}", err=True)
                result = None
            if result is not None and (result.claimed or result.failed):
                click.echo(
                    f"Indexed {result.indexed}, removed {result.deleted}, failed {result.failed}."
                )
            db.session.remove()
            if once:
                if analyses:
                    _analyse_one()
                break
            if stopping.wait(interval):
                break
    finally:
        stopping.set()
        if analyst is not None:
            analyst.join()  # an analysis under way is finished and stored, not abandoned
        signal.signal(signal.SIGTERM, previous)
    click.echo("Worker stopped.")


def _purge_daily(last: float | None) -> float | None:
    """Delete expired sign-in attempts when a day has passed since the last purge (or at the
    worker's start); return when it last ran. A failure is reported and tried again next day."""
    from procure.account import privacy
    from procure.database import writing
    from procure.extensions import db

    now = time.monotonic()
    if last is not None and now - last < 24 * 3600:
        return last
    try:
        with writing():
            deleted = privacy.purge_sign_in_attempts()
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        click.echo(f"Purging sign-in attempts failed: {error}", err=True)
        return now
    if deleted:
        click.echo(f"Deleted {deleted} expired sign-in attempts.")
    return now


def _analyse_one() -> None:
    """Run the oldest requested demand-gap analysis, if any; a failure is reported, not raised."""
    from procure.extensions import db
    from procure.insights import runs

    try:
        for run in runs.run_requested(limit=1):
            click.echo(f"Gap analysis {run.id}: {run.status} ({run.seconds or 0} s).")
    except Exception as error:
        db.session.rollback()
        click.echo(f"Gap analysis failed: {error}", err=True)
    finally:
        db.session.remove()


def _analyse_until(app, stopping: threading.Event, interval: float) -> None:
    """The worker's analysis thread: one analysis per poll until the worker stops."""
    with app.app_context():
        while not stopping.is_set():
            _analyse_one()
            stopping.wait(interval)
