"""Open data: the API's rate-limit windows, shared by every worker process."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procure.extensions import db


class ApiRateWindow(db.Model):
    """How many requests of one client's fixed window the workers have claimed so far.

    Workers claim quota in blocks (procure/api/ratelimit.py), so there is one upsert per block,
    not one per request. Rows of past windows are deleted as new windows start.
    """

    __tablename__ = "api_rate_window"
    __table_args__ = (Index("ix_api_rate_window_window", "window"),)

    client_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
