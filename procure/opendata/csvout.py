"""Streaming CSV downloads: UTF-8 with a BOM (Excel), safe against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from flask import Response, stream_with_context, url_for
from sqlalchemy import Select
from sqlalchemy.orm import Session

from procure.extensions import db

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def safe(value) -> object:
    """A cell value: text that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative amount is not a formula); None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def batches(query: Select, session: Session, size: int | None = None) -> Iterator:
    """The rows of an ordered query, read ``size`` (``BATCH``) at a time: memory stays flat."""
    size = size or BATCH
    offset = 0
    while True:
        rows = session.scalars(query.limit(size).offset(offset)).all()
        yield from rows
        if len(rows) < size:
            return
        offset += size
        session.expunge_all()


def encode(rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff"
    for count, row in enumerate(rows, 1):
        writer.writerow([safe(v) for v in row])
        if count % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def download(filename: str, header: list, rows: Callable[[Session], Iterable[Iterable]]):
    """A streamed ``text/csv`` attachment: the header row, then ``rows(session)`` as produced.

    ``rows`` runs while the server sends the response, after the view has returned; the
    request's contexts are kept open until the last row is sent (``stream_with_context``):
    the session belongs to the application (Flask-SQLAlchemy looks its engine up there), so
    without them a real server sent the BOM and broke off (2026-12-01). Callers still
    translate labels, read settings and build links in the view, once.
    """
    session = db.session()
    head = [str(h) for h in header]

    def generate():
        try:
            yield from encode(_chain(head, rows(session)))
        finally:
            session.close()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def link_maker(endpoint: str, base_url: str, **values) -> Callable[[int], str]:
    """Absolute links to ``endpoint``'s pages by id, built once in the view (needs the request)."""
    sample = url_for(endpoint, **values)
    assert sample.endswith("/999999999"), sample
    stem = base_url.rstrip("/") + sample[: -len("999999999")]
    return lambda object_id: f"{stem}{object_id}"


def _chain(header, rows):
    yield header
    yield from rows
