"""Pagination of select statements, shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, has_request_context, request
from sqlalchemy import Select, func, select

from procure.extensions import db

DEFAULT_PER_PAGE = 20


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 5) -> list[int]:
        start = max(1, min(self.page - size // 2, self.pages - size + 1))
        return list(range(start, min(self.pages, start + size - 1) + 1))


def page_args(per_page_default: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, clamped to sane values."""
    maximum = current_app.config["SETTINGS"].api_per_page_max
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", per_page_default, type=int) or per_page_default
    return max(1, min(page, 10_000)), max(1, min(per_page, maximum))


def paginate(query: Select, page: int | None = None, per_page: int | None = None) -> Page:
    """One page of ``query``. A page asked for past the last one shows the last one on the
    site's pages (an old link, a changed filter); the API answers it empty, as asked, so a
    client reading page after page stops."""
    if page is None or per_page is None:
        page, per_page = page_args()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    last = max(1, ceil((total or 0) / per_page))
    if page > last and has_request_context() and request.blueprint != "api":
        page = last
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total or 0)
