"""Insights: stored demand-gap analyses, so the operator's page never computes a large one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procure.extensions import db
from procure.models.base import UTCDateTime, utcnow


class GapRunStatus:
    REQUESTED = "requested"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class GapAnalysisRun(db.Model):
    """One demand-gap analysis with its parameters, the demands it saw and its report.

    ``demand_count`` and ``demands_updated_at`` are the analysed demands' count and latest
    change when the run started: the page compares them with today's to say whether the
    stored report is still current. ``report`` is ``matching.gaps.GapReport.to_dict()``.
    """

    __tablename__ = "gap_analysis_run"
    __table_args__ = (Index("ix_gap_analysis_run_params", "seed", "min_size", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    min_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=GapRunStatus.REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    demand_count: Mapped[int | None] = mapped_column(Integer)
    demands_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
