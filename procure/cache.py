"""Values kept per web process until the rows they were computed from change.

Each kept value is stored in ``app.extensions`` under a name, with the key it was built for:
a key is typically ``count_and_latest`` of the rows the value depends on, which changes
whenever one of them appears, changes or leaves. One thread builds a stale value while the
others wait for it, so an expensive build (a matcher preparation, an OCDS index) runs once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select

from procure.extensions import db

T = TypeVar("T")

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def kept(name: str, key, build: Callable[[], T]) -> T:
    """``build()``, kept in this process under ``name`` for as long as ``key`` is the same."""
    found = current_app.extensions.get(name)
    if found is not None and found[0] == key:
        return found[1]
    with _lock(name):
        found = current_app.extensions.get(name)
        if found is None or found[0] != key:
            found = (key, build())
            current_app.extensions[name] = found
        return found[1]


def count_and_latest(column, *conditions) -> tuple:
    """(rows of ``column``'s table under ``conditions``, the latest value of ``column``):
    changes whenever one of those rows appears, changes (``column`` being a last-change
    timestamp) or leaves them."""
    return tuple(
        db.session.execute(
            select(func.count(), func.max(column)).select_from(column.class_).where(*conditions)
        ).one()
    )
