"""Stored demand-gap analyses: what the operator's page shows, and how new ones are made.

An analysis clusters every analysed demand and ranks listed products for up to 50 demands
per cluster: well under a second for a demo market, about 90 s for 40,000 demands
(docs/insights.md), far past a web request's timeout. So:

- Up to ``GAP_LIVE_MAX_DEMANDS`` analysed demands (setting, default 300) the page analyses
  in the request and is always current; nothing is stored.
- Above it the page shows the latest stored run for its parameters, says when it was made
  and whether demands were published, changed or closed since (the run keeps the analysed
  demands' count and latest change when it started), and offers "Analyse again". That asks
  for a run (``request_run``); ``procure worker`` runs requested analyses between outbox
  drains (``run_requested``), and ``procure insights gaps --save`` runs and stores one from
  cron. A run left ``running`` for ``STALE_RUNNING`` (its worker died) is taken up again.
- Only the latest ``KEEP_RUNS`` finished runs per parameters are kept.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from matching.gaps import GapReport
from procure import policy
from procure.audit.services import record
from procure.errors import Conflict, Forbidden
from procure.extensions import db
from procure.insights import services
from procure.models import GapAnalysisRun, GapRunStatus, User
from procure.models.base import utcnow
from procure.notifications.services import notify

log = logging.getLogger(__name__)

#: A run still ``running`` after this long lost its worker and may be taken up again.
STALE_RUNNING = timedelta(minutes=30)
#: Finished runs kept per (seed, min size); older ones are deleted when a new one finishes.
KEEP_RUNS = 5
UNFINISHED = (GapRunStatus.REQUESTED, GapRunStatus.RUNNING)


@dataclass
class GapView:
    """What the gaps page shows for one set of parameters."""

    analysis: services.Analysis | None
    #: The stored run shown (None when analysed live or never analysed).
    run: GapAnalysisRun | None
    #: A requested or running analysis with the same parameters.
    pending: GapAnalysisRun | None
    #: The latest run failed after the one shown (or with none shown).
    failed: GapAnalysisRun | None
    #: The analysis reflects the demands as they are now.
    current: bool
    #: Analysed in this request (a small market).
    live: bool
    demand_count: int


def live_limit() -> int:
    return current_app.config["SETTINGS"].gap_live_max_demands


def _params(seed: int, min_size: int):
    return GapAnalysisRun.seed == seed, GapAnalysisRun.min_size == min_size


def _latest(seed: int, min_size: int, *statuses: str) -> GapAnalysisRun | None:
    return db.session.scalar(
        select(GapAnalysisRun)
        .where(*_params(seed, min_size), GapAnalysisRun.status.in_(statuses))
        .order_by(GapAnalysisRun.id.desc())
        .limit(1)
    )


def latest_done(seed: int, min_size: int) -> GapAnalysisRun | None:
    return _latest(seed, min_size, GapRunStatus.DONE)


def pending_run(seed: int, min_size: int) -> GapAnalysisRun | None:
    return _latest(seed, min_size, *UNFINISHED)


def is_current(run: GapAnalysisRun, stamp: tuple) -> bool:
    return (run.demand_count, run.demands_updated_at) == tuple(stamp)


def analysis_of(run: GapAnalysisRun) -> services.Analysis:
    return services.with_records(GapReport.from_dict(run.report))


def view(seed: int, min_size: int) -> GapView:
    """The analysis to show: live on a small market, else the latest stored run."""
    stamp = services.demand_stamp()
    count = stamp[0]
    pending = pending_run(seed, min_size)
    if pending is not None and _stale(pending):
        pending = None  # its worker died: offer to ask again (a worker also takes it up again)
    if count <= live_limit():
        analysis = services.analyse(seed, min_size)
        return GapView(analysis, None, pending, None, True, True, count)
    run = latest_done(seed, min_size)
    failed = _latest(seed, min_size, GapRunStatus.FAILED)
    if failed is not None and run is not None and failed.id < run.id:
        failed = None
    analysis = analysis_of(run) if run is not None else None
    current = run is not None and is_current(run, stamp)
    return GapView(analysis, run, pending, failed, current, False, count)


def request_run(actor, seed: int, min_size: int) -> GapAnalysisRun:
    """Ask for a new analysis with these parameters (``procure worker`` runs it).

    :raise Forbidden: not an operator.  :raise Conflict: one is already waiting or running.
    """
    if not policy.is_operator(actor):
        raise Forbidden(_("Only operators can analyse demand gaps."))
    waiting = pending_run(seed, min_size)
    if waiting is not None and not _stale(waiting):
        raise Conflict(
            _(
                "An analysis with these parameters is already waiting or running; it will "
                "appear here when it is done."
            )
        )
    run = GapAnalysisRun(
        seed=seed, min_size=min_size, status=GapRunStatus.REQUESTED, requested_by_id=actor.id
    )
    db.session.add(run)
    db.session.flush()
    record(
        "insights.gaps_requested",
        "gap_analysis_run",
        run.id,
        actor=actor,
        after={"seed": seed, "min_size": min_size},
    )
    return run


def _stale(run: GapAnalysisRun) -> bool:
    return run.status == GapRunStatus.RUNNING and (
        run.started_at is None or run.started_at < utcnow() - STALE_RUNNING
    )


def _claimable():
    return or_(
        GapAnalysisRun.status == GapRunStatus.REQUESTED,
        and_(
            GapAnalysisRun.status == GapRunStatus.RUNNING,
            GapAnalysisRun.started_at < utcnow() - STALE_RUNNING,
        ),
    )


def claim_next() -> GapAnalysisRun | None:
    """Mark the oldest requested (or abandoned) run as running and return it; commits.

    One conditional update picks and claims the row, so the claim is safe when several
    workers poll at once (only the one whose update changed the row runs it), and on SQLite
    the transaction starts as a write: a read first could not become one after the outbox
    drain, beside it, committed.
    """
    oldest = (
        select(GapAnalysisRun.id)
        .where(_claimable())
        .order_by(GapAnalysisRun.id)
        .limit(1)
        .scalar_subquery()
    )
    claimed = db.session.scalar(
        update(GapAnalysisRun)
        .where(GapAnalysisRun.id == oldest, _claimable())
        .values(status=GapRunStatus.RUNNING, started_at=utcnow())
        .returning(GapAnalysisRun.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return db.session.get(GapAnalysisRun, claimed) if claimed is not None else None


def execute(run: GapAnalysisRun, actor=None) -> GapAnalysisRun:
    """Analyse with the run's parameters and store the report in it; commits.

    A failure is stored on the run (status ``failed`` with the error) and logged; the page
    shows it, and the operator may ask again.
    """
    run_id = run.id
    started = time.perf_counter()
    try:
        stamp = services.demand_stamp()
        analysis = services.analyse(run.seed, run.min_size)  # reads only
        report = analysis.report.to_dict()
    except Exception as error:  # stored on the run and logged; the worker goes on
        log.exception("Gap analysis %s failed", run_id)
        run = _finish(
            run_id, status=GapRunStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        record(
            "insights.gaps_failed",
            "gap_analysis_run",
            run_id,
            actor=actor,
            after={"error": run.error},
        )
        _tell_requester(
            run,
            lambda: _("The demand-gap analysis failed"),
            lambda: _("The analysis stopped with this error: %(error)s", error=run.error),
        )
        db.session.commit()
        return run
    run = _finish(
        run_id,
        status=GapRunStatus.DONE,
        report=report,
        demand_count=stamp[0],
        demands_updated_at=stamp[1],
        seconds=round(time.perf_counter() - started, 3),
    )
    record(
        "insights.gaps_analysed",
        "gap_analysis_run",
        run_id,
        actor=actor,
        after={
            "seed": run.seed,
            "min_size": run.min_size,
            "demands": report["n_demands"],
            "clusters": len(report["clusters"]),
            "gaps": sum(1 for c in report["clusters"] if c["is_gap"]),
            "seconds": run.seconds,
        },
    )
    _prune(run.seed, run.min_size)
    gaps = sum(1 for c in report["clusters"] if c["is_gap"])
    _tell_requester(
        run,
        lambda: _("The demand-gap analysis is ready"),
        lambda: _(
            "%(demands)d demands in %(clusters)d clusters (seed %(seed)d); %(gaps)d gaps.",
            demands=report["n_demands"],
            clusters=len(report["clusters"]),
            seed=run.seed,
            gaps=gaps,
        ),
    )
    db.session.commit()
    return run


def _finish(run_id: int, **values) -> GapAnalysisRun:
    """Store a run's outcome with a write that opens a fresh transaction.

    The analysis read for seconds or minutes; meanwhile the worker's drain (another thread or
    process) may have committed. On SQLite a transaction whose snapshot others have written
    past cannot become a write ("database is locked" at once, the busy timeout does not
    help), so the reading transaction ends first and the update is the new one's first
    statement (it then waits its turn for the lock like any writer)."""
    db.session.rollback()
    now = utcnow()
    db.session.execute(
        update(GapAnalysisRun)
        .where(GapAnalysisRun.id == run_id)
        .values(finished_at=now, started_at=func.coalesce(GapAnalysisRun.started_at, now), **values)
    )
    return db.session.get(GapAnalysisRun, run_id)


def _tell_requester(run: GapAnalysisRun, title, body) -> None:
    """Notify the operator who asked for the run (a run from the command line has nobody)."""
    if run.requested_by_id is None:
        return
    user = db.session.get(User, run.requested_by_id)
    if user is None:
        return
    link = "/admin/insights/gaps?" + urlencode({"seed": run.seed, "min_size": run.min_size})
    notify([user], "insights.gaps_analysed", title, body, link)


def _prune(seed: int, min_size: int) -> None:
    finished = (GapRunStatus.DONE, GapRunStatus.FAILED)
    keep = select(GapAnalysisRun.id).where(
        *_params(seed, min_size), GapAnalysisRun.status.in_(finished)
    )
    kept = list(db.session.scalars(keep.order_by(GapAnalysisRun.id.desc()).limit(KEEP_RUNS)))
    db.session.execute(
        delete(GapAnalysisRun).where(
            *_params(seed, min_size),
            GapAnalysisRun.status.in_(finished),
            GapAnalysisRun.id.not_in(kept),
        )
    )


def run_now(seed: int, min_size: int, actor=None) -> GapAnalysisRun:
    """Analyse at once and store the run (``procure insights gaps --save``); commits."""
    now = utcnow()
    run = GapAnalysisRun(
        seed=seed,
        min_size=min_size,
        status=GapRunStatus.RUNNING,
        requested_by_id=actor.id if actor is not None else None,
        requested_at=now,
        started_at=now,
    )
    db.session.add(run)
    db.session.commit()
    return execute(run, actor)


def run_requested(limit: int | None = None) -> list[GapAnalysisRun]:
    """Run requested analyses, oldest first, until none is left (or ``limit``); commits."""
    done: list[GapAnalysisRun] = []
    while limit is None or len(done) < limit:
        run = claim_next()
        if run is None:
            break
        done.append(execute(run))
    return done
