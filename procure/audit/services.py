"""Write audit events and verify their hash chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import func, select, text

from procure.extensions import db
from procure.models import AuditEvent, User
from procure.models.base import utcnow

GENESIS = "0" * 64
# Serialises writers on PostgreSQL so two transactions never chain onto the same event.
_PG_LOCK_KEY = 7_214_003


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_digest(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + _canonical(fields)).encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict:
    return {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
        "address": event.address,
    }


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    action: str,
    target_type: str,
    target_id=None,
    *,
    actor: User | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain in the current transaction (the caller commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=_jsonable(before),
        after=_jsonable(after),
        address=client_address(),
        prev_hash=prev or GENESIS,
    )
    event.hash = event_digest(event.prev_hash, _hashed_fields(event))
    session.add(event)
    session.flush()
    return event


def _jsonable(value):
    return None if value is None else json.loads(_canonical(value))


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str | None = None
    #: The last event checked and its hash: recorded outside the database, it lets a later
    #: check notice events removed from the end, which leave no broken link behind.
    head_id: int | None = None
    head_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 1000, expect_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the chain in id order; report the first event whose link or digest is wrong.

    :param expect_head: an (event id, hash) recorded earlier from a report's head; the chain
        must still hold that event with that hash (removing the newest events breaks no link,
        so only a head kept elsewhere shows it).
    """
    prev = GENESIS
    checked = 0
    last_id = 0
    expected_seen = expect_head is None
    while True:
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            if not expected_seen:
                head_id, _hash = expect_head
                return ChainReport(
                    checked,
                    head_id,
                    "the recorded head is missing: events were removed from the end",
                    last_id or None,
                    prev if last_id else None,
                )
            return ChainReport(checked, None, None, last_id or None, prev if last_id else None)
        for event in events:
            if expect_head is not None and event.id == expect_head[0]:
                if event.hash != expect_head[1]:
                    return ChainReport(checked, event.id, "differs from the recorded head")
                expected_seen = True
            if event.prev_hash != prev:
                return ChainReport(checked, event.id, "previous hash does not match")
            if event_digest(prev, _hashed_fields(event)) != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash")
            prev = event.hash
            checked += 1
            last_id = event.id
        db.session.expire_all()


def snapshot(obj, *names: str) -> dict:
    """The named attributes of a model, for before/after records."""
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def count_events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))) or 0
