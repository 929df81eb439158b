"""The outbox: what to (re)index, written in the same transaction as the change, then drained.

- A session listener (``before_flush`` / ``after_flush``) writes one ``OutboxEvent`` row per
  changed demand, product, reverse proposal, citizen idea or organisation (a designation, a
  code, a requirement or a spec re-indexes its parent) in the transaction that changes it: a
  rolled-back change leaves no row, a committed one cannot be lost.
- ``drain()`` claims pending rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
  workers may run at once; on SQLite one drainer at a time), turns each entity into a
  ``search.SearchDocument`` (or a deletion when it is no longer searchable), sends them in one
  batch, and marks the rows processed. When the backend is down (``SearchUnavailable``) the
  rows stay pending with ``attempts``, ``last_error`` and an ``available_at`` pushed back
  exponentially.
- In the embedded default the rows are drained in-process right after each commit (the
  request never fails because of it); at scale ``procure worker`` drains them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from sqlalchemy import Select, event, insert, select
from sqlalchemy.orm import Session, selectinload

import search
from procure import database, policy
from procure.clock import local_today
from procure.extensions import db
from procure.models import (
    CitizenIdea,
    ClassificationCode,
    Demand,
    DemandCode,
    DemandRequirement,
    DemandStatus,
    Organisation,
    OutboxEvent,
    Product,
    ProductCode,
    ProductSpec,
    ProductStatus,
    ReverseProposal,
)
from procure.models.base import utcnow
from procure.models.evaluation import Designation, DesignationStatus
from procure.policy import PUBLIC_IDEA_STATES

log = logging.getLogger(__name__)

#: Searchable entities: model → entity type (also the document type).
ENTITIES: dict[type, str] = {
    Demand: "demand",
    Product: "product",
    ReverseProposal: "proposal",
    CitizenIdea: "idea",
    Organisation: "organisation",
}
#: Rows that belong to a searchable entity: model → (entity type, attribute holding its id).
CHILDREN: dict[type, tuple[str, str]] = {
    Designation: ("product", "product_id"),
    DemandCode: ("demand", "demand_id"),
    DemandRequirement: ("demand", "demand_id"),
    ProductCode: ("product", "product_id"),
    ProductSpec: ("product", "product_id"),
}

BATCH_SIZE = 200
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
SEOUL = ZoneInfo("Asia/Seoul")

_INFO_PENDING = "outbox_pending"  # objects seen in before_flush (ids may not exist yet)
_INFO_WRITTEN = "outbox_written"  # (type, id, action) already written in this transaction
_INFO_COMMITTED = "outbox_committed"  # this transaction wrote rows and committed
_INFO_DRAINING = "outbox_draining"  # the drain itself is committing: do not recurse

_listening = False


# -- writing the outbox -------------------------------------------------------------------


def _ref(obj, action: str):
    """(entity type, id or the object, action) for a changed row, or None."""
    cls = type(obj)
    if cls in ENTITIES:
        return ENTITIES[cls], obj, action
    if cls in CHILDREN:
        entity_type, attribute = CHILDREN[cls]
        parent_id = getattr(obj, attribute, None)
        if parent_id is None:  # a child added through the relationship: the parent is new too
            relation = attribute.removesuffix("_id")
            parent = getattr(obj, relation, None)
            return (entity_type, parent, "upsert") if parent is not None else None
        return entity_type, parent_id, "upsert"
    return None


def _before_flush(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault(_INFO_PENDING, [])
    for obj in session.new:
        ref = _ref(obj, "upsert")
        if ref:
            pending.append(ref)
    for obj in session.dirty:
        tracked = type(obj) in ENTITIES or type(obj) in CHILDREN
        if tracked and session.is_modified(obj, include_collections=False):
            ref = _ref(obj, "upsert")
            if ref:
                pending.append(ref)
    for obj in session.deleted:
        if type(obj) in ENTITIES:
            pending.append((ENTITIES[type(obj)], obj, "delete"))
        else:
            ref = _ref(obj, "upsert")
            if ref:
                pending.append(ref)


def _after_flush(session: Session, flush_context) -> None:
    pending = session.info.pop(_INFO_PENDING, None)
    if not pending:
        return
    written = session.info.setdefault(_INFO_WRITTEN, set())
    rows = []
    for entity_type, target, action in pending:
        if isinstance(target, int):
            entity_id = target
        else:
            entity_id = target.id  # assigned by the flush's INSERT
            if entity_id is None:
                continue
        key = (entity_type, entity_id, action)
        if key in written:
            continue
        written.add(key)
        rows.append({"entity_type": entity_type, "entity_id": entity_id, "action": action})
    if rows:
        # Written with the flush's own connection: part of the same transaction.
        session.connection().execute(insert(OutboxEvent.__table__), rows)
        session.info[_INFO_COMMITTED] = False


def _after_commit(session: Session) -> None:
    session.info.pop(_INFO_WRITTEN, None)
    if _INFO_COMMITTED in session.info:
        session.info[_INFO_COMMITTED] = True


def _after_rollback(session: Session) -> None:
    session.info.pop(_INFO_WRITTEN, None)
    session.info.pop(_INFO_PENDING, None)
    session.info.pop(_INFO_COMMITTED, None)


def _after_transaction_end(session: Session, transaction) -> None:
    """After the outermost transaction ends: drain in-process when it committed outbox rows.

    ``after_commit`` cannot emit SQL; by this point the session may begin a new transaction.
    """
    if transaction.parent is not None or session.info.get(_INFO_DRAINING):
        return
    if session.info.pop(_INFO_COMMITTED, None) is not True:
        return
    if not has_app_context():
        return
    app = current_app._get_current_object()
    if not app.extensions.get("procure_indexing", {}).get("drain_on_commit"):
        return
    try:
        if session is not db.session():
            return  # another session (a script's): a worker will drain its rows
    except Exception:
        return
    drain_safely(app, session)


def drain_safely(app: Flask, session: Session | None = None) -> DrainResult | None:
    """Drain what is due (up to 50 batches) without ever raising: the caller's change is
    committed already."""
    session = session or db.session()
    session.info[_INFO_DRAINING] = True
    try:
        return drain_all(app, session=session, max_batches=50)
    except Exception:
        log.exception("search outbox: in-process drain failed; a later drain will retry")
        try:
            session.rollback()
        except Exception:
            log.exception("search outbox: rollback after a failed drain failed")
        return None
    finally:
        session.info.pop(_INFO_DRAINING, None)


def init_app(app: Flask) -> None:
    """Install the session listeners (once per process) and decide whether commits drain.

    ``SEARCH_DRAIN_ON_COMMIT`` (Flask config) forces it on or off; by default it is on for the
    embedded backend and off for Elasticsearch, where ``procure worker`` drains.
    """
    global _listening
    if not _listening:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "after_soft_rollback", lambda s, t: _after_rollback(s))
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _listening = True
    drain_on_commit = app.config.get("SEARCH_DRAIN_ON_COMMIT")
    if drain_on_commit is None:
        url = app.config.get("SEARCH_URL") or app.config["SETTINGS"].search_url
        drain_on_commit = (url or "embedded://").startswith("embedded://")
    app.extensions["procure_indexing"] = {"drain_on_commit": bool(drain_on_commit)}


# -- principals ---------------------------------------------------------------------------


def principals_for(user) -> list[str]:
    """The principals a reader holds: public, their user, their organisation (when they may
    act for it) and their roles."""
    out = ["public"]
    if user is None or not getattr(user, "is_authenticated", False):
        return out
    out.append(f"user:{user.id}")
    if user.can_act_for_organisation:
        out.append(f"org:{user.organisation_id}")
    out.extend(f"role:{role}" for role in sorted(user.roles))
    return out


# -- documents ----------------------------------------------------------------------------


_INFO_LABELS = "indexing_labels"  # code -> (label_ko, label_en), primed by all_documents
_INFO_DESIGNATIONS = "indexing_designations"  # product id -> active designation, likewise


def _labels(session: Session, codes) -> dict[str, tuple[str, str]]:
    rows = session.execute(
        select(
            ClassificationCode.code, ClassificationCode.label_ko, ClassificationCode.label_en
        ).where(ClassificationCode.code.in_(list(codes)))
    ).all()
    labels = dict.fromkeys(codes, ("", ""))
    for code, label_ko, label_en in rows:
        labels[code] = (label_ko or "", label_en or "")
    return labels


def _classifications(session: Session, codes: list[str]) -> list[search.Classification]:
    if not codes:
        return []
    cache = session.info.get(_INFO_LABELS)
    if cache is None or any(code not in cache for code in codes):
        known = _labels(session, codes)
        if cache is not None:
            cache.update(known)
    else:
        known = cache
    return [
        search.Classification(code=code, label_ko=known[code][0], label_en=known[code][1])
        for code in codes
    ]


def _closing(day: date | None) -> datetime | None:
    return datetime.combine(day, time(23, 59, 59), tzinfo=SEOUL) if day else None


def _org_name(org: Organisation | None) -> str:
    if org is None:
        return ""
    return " ".join(part for part in (org.name, org.name_en) if part)


def _text(*parts) -> str:
    return "\n".join(str(p) for p in parts if p)


def demand_document(session: Session, demand: Demand) -> search.SearchDocument | None:
    if demand.deleted_at is not None or demand.status == DemandStatus.DRAFT:
        return None
    return search.SearchDocument(
        id=f"demand:{demand.id}",
        type="demand",
        title=demand.title,
        body=_text(demand.problem, demand.desired_outcome, *(r.name for r in demand.requirements)),
        classifications=_classifications(session, demand.code_values),
        organisation_id=str(demand.agency_id),
        organisation_name=_org_name(demand.agency),
        region=demand.region,
        status=demand.status,
        amount=demand.budget,
        published_at=demand.published_at,
        closes_at=_closing(demand.closes_on) if demand.status == DemandStatus.PUBLISHED else None,
        language=demand.language or "ko",
    )


def _active_designations(product_ids) -> Select:
    today = local_today()
    return (
        select(Designation)
        .where(
            Designation.product_id.in_(list(product_ids)),
            Designation.status == DesignationStatus.ACTIVE,
            Designation.starts_on <= today,
            Designation.ends_on >= today,
        )
        .order_by(Designation.index_value.desc())
    )


def active_designation(session: Session, product_id: int) -> Designation | None:
    cache = session.info.get(_INFO_DESIGNATIONS)
    if cache is not None and product_id in cache:
        return cache[product_id]
    return session.scalars(_active_designations([product_id]).limit(1)).first()


def product_document(session: Session, product: Product) -> search.SearchDocument | None:
    if product.deleted_at is not None or product.status != ProductStatus.LISTED:
        return None
    designation = active_designation(session, product.id)
    regions = product.regions or []
    return search.SearchDocument(
        id=f"product:{product.id}",
        type="product",
        title=product.name,
        body=_text(
            product.name_en,
            product.summary,
            product.description,
            *(f"{s.name} {s.value} {s.unit}".strip() for s in product.specs),
        ),
        classifications=_classifications(session, product.code_values),
        organisation_id=str(product.supplier_id),
        organisation_name=_org_name(product.supplier),
        region=regions[0] if len(regions) == 1 else None,
        status=product.status,
        designated=designation is not None,
        innovativeness=designation.index_value if designation else None,
        readiness_level=product.trl,
        amount=product.price,
        published_at=product.listed_at,
        language=product.language or "ko",
    )


def proposal_acl(proposal: ReverseProposal) -> list[str]:
    """Its supplier; once submitted also the receiving agency and operators (see policy)."""
    acl = [f"org:{proposal.supplier_id}"]
    if policy.is_sent(proposal):
        agency = proposal.receiving_agency_id
        if agency is not None:
            acl.append(f"org:{agency}")
        acl.append("role:operator")
    return acl


def proposal_document(session: Session, proposal: ReverseProposal) -> search.SearchDocument:
    codes = []
    if proposal.demand is not None:
        codes = proposal.demand.code_values
    elif proposal.target_code:
        codes = [proposal.target_code]
    return search.SearchDocument(
        id=f"proposal:{proposal.id}",
        type="proposal",
        title=proposal.title,
        body=_text(proposal.summary, proposal.delivery_plan),
        classifications=_classifications(session, codes),
        organisation_id=str(proposal.supplier_id),
        organisation_name=_org_name(proposal.supplier),
        status=proposal.status,
        amount=proposal.price_offer,
        published_at=proposal.submitted_at or proposal.created_at,
        acl=proposal_acl(proposal),
    )


def organisation_document(session: Session, org: Organisation) -> search.SearchDocument | None:
    if org.deleted_at is not None or org.verified_at is None or org.kind == "operator":
        return None
    return search.SearchDocument(
        id=f"organisation:{org.id}",
        type="organisation",
        title=org.name,
        body=_text(org.name_en, org.website),
        organisation_id=str(org.id),
        organisation_name=_org_name(org),
        region=org.region,
        published_at=org.verified_at,
    )


def idea_document(session: Session, idea: CitizenIdea) -> search.SearchDocument | None:
    if idea.status not in PUBLIC_IDEA_STATES:
        return None
    return search.SearchDocument(
        id=f"idea:{idea.id}",
        type="idea",
        title=idea.title,
        body=_text(idea.problem, idea.suggestion),
        region=idea.region,
        status=idea.status,
        published_at=idea.moderated_at or idea.created_at,
    )


MODELS: dict[str, type] = {name: model for model, name in ENTITIES.items()}
BUILDERS = {
    "demand": demand_document,
    "product": product_document,
    "proposal": proposal_document,
    "organisation": organisation_document,
    "idea": idea_document,
}


def build_document(session: Session, entity_type: str, entity_id: int):
    """The entity's document, or None when it is gone or not searchable (delete it)."""
    model = MODELS.get(entity_type)
    if model is None:
        raise ValueError(f"unknown entity type {entity_type!r}")
    row = session.get(model, entity_id)
    if row is None:
        return None
    return BUILDERS[entity_type](session, row)


#: What a document reads besides the row, loaded for a whole chunk at once by a reindex.
EAGER = {
    "demand": (
        selectinload(Demand.requirements),
        selectinload(Demand.codes),
        selectinload(Demand.agency),
    ),
    "product": (
        selectinload(Product.specs),
        selectinload(Product.codes),
        selectinload(Product.supplier),
    ),
    "proposal": (
        selectinload(ReverseProposal.supplier),
        selectinload(ReverseProposal.demand).selectinload(Demand.codes),
    ),
    "organisation": (),
    "idea": (),
}


def _prime(session: Session, entity_type: str, rows: list) -> None:
    """Load the labels and designations a chunk's documents need with one query each."""
    codes: set[str] = set()
    for row in rows:
        if entity_type in ("demand", "product"):
            codes.update(row.code_values)
        elif entity_type == "proposal":
            codes.update(row.demand.code_values if row.demand is not None else [])
            if row.target_code:
                codes.add(row.target_code)
    missing = codes - session.info[_INFO_LABELS].keys()
    if missing:
        session.info[_INFO_LABELS].update(_labels(session, missing))
    if entity_type == "product":
        ids = [row.id for row in rows]
        found: dict[int, Designation | None] = dict.fromkeys(ids)
        for designation in session.scalars(_active_designations(ids)):
            if found[designation.product_id] is None:  # the highest index value comes first
                found[designation.product_id] = designation
        session.info[_INFO_DESIGNATIONS] = found


def all_documents(session: Session, chunk: int = 500):
    """Every searchable document, for a reindex (streamed, ``chunk`` rows at a time).

    Each chunk loads its related rows, labels and designations in a few queries (not a few
    per row); the session holds its rows weakly, so memory stays flat.
    """
    session.info[_INFO_LABELS] = {}
    try:
        for entity_type, model in MODELS.items():
            last = 0
            while True:
                rows = session.scalars(
                    select(model)
                    .where(model.id > last)
                    .order_by(model.id)
                    .limit(chunk)
                    .options(*EAGER[entity_type])
                ).all()
                if not rows:
                    break
                _prime(session, entity_type, rows)
                docs = [BUILDERS[entity_type](session, row) for row in rows]
                last = rows[-1].id
                session.info.pop(_INFO_DESIGNATIONS, None)
                yield from (doc for doc in docs if doc is not None)
    finally:
        session.info.pop(_INFO_LABELS, None)
        session.info.pop(_INFO_DESIGNATIONS, None)


# -- draining -----------------------------------------------------------------------------


@dataclass
class DrainResult:
    claimed: int = 0
    indexed: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    upserted_ids: list[str] = field(default_factory=list)


def _records_of(session: Session, organisation_id: int) -> list[tuple[str, int]]:
    """The demands, products and proposals that carry an organisation's name."""
    keys = []
    for entity_type, model, column in (
        ("demand", Demand, Demand.agency_id),
        ("product", Product, Product.supplier_id),
        ("proposal", ReverseProposal, ReverseProposal.supplier_id),
    ):
        ids = session.scalars(select(model.id).where(column == organisation_id)).all()
        keys.extend((entity_type, pk) for pk in ids)
    return keys


def backoff(attempts: int) -> timedelta:
    """How long a failed event waits: 5 s, 10 s, 20 s, … up to an hour."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def _fail(event_row: OutboxEvent, error: str, now: datetime) -> None:
    event_row.attempts = (event_row.attempts or 0) + 1
    event_row.last_error = error[:2000]
    event_row.available_at = now + backoff(event_row.attempts)


def claim_statement(dialect: str, limit: int, now: datetime):
    """Due rows in id order; on PostgreSQL locked with SKIP LOCKED so that several workers
    each take different rows (the locks last until the drain commits)."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.processed_at.is_(None), OutboxEvent.available_at <= now)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


def _claim(session: Session, limit: int, now: datetime) -> list[OutboxEvent]:
    stmt = claim_statement(session.get_bind().dialect.name, limit, now)
    return list(session.scalars(stmt).all())


def drain(
    app: Flask | None = None,
    *,
    session: Session | None = None,
    backend: search.SearchBackend | None = None,
    limit: int = BATCH_SIZE,
    now: datetime | None = None,
    alerts: bool = True,
) -> DrainResult:
    """Process one batch of pending outbox rows and commit. ``now`` (default: the current
    time) decides which rows are due; pass a later time to retry backed-off rows at once.

    On SQLite its transactions take the write lock before they read (``database.writing``):
    the drain always ends by writing, and another process's commit in between would
    otherwise fail it with "database is locked".

    :raise search.SearchUnavailable: never; the rows are left pending with the error instead.
    """
    with database.writing():
        return _drain(app, session, backend, limit, now, alerts)


def _drain(app, session, backend, limit, now, alerts) -> DrainResult:
    from procure import search_service

    app = app or current_app._get_current_object()
    session = session or db.session()
    now = now or utcnow()
    result = DrainResult()
    events = _claim(session, limit, now)
    result.claimed = len(events)
    if not events:
        session.commit()
        return result
    groups: dict[tuple[str, int], list[OutboxEvent]] = defaultdict(list)
    for row in events:
        groups[(row.entity_type, row.entity_id)].append(row)
    for entity_type, entity_id in list(groups):
        if entity_type == "organisation":  # its name is searched on its records too
            for key in _records_of(session, entity_id):
                groups.setdefault(key, [])
    docs: list[search.SearchDocument] = []
    deletions: list[str] = []
    done: list[OutboxEvent] = []
    for (entity_type, entity_id), rows in groups.items():
        try:
            doc = build_document(session, entity_type, entity_id)
        except Exception as exc:
            log.exception("search outbox: cannot build %s:%s", entity_type, entity_id)
            for row in rows:
                _fail(row, f"{type(exc).__name__}: {exc}", now)
            result.failed += len(rows)
            result.errors.append(f"{entity_type}:{entity_id}: {exc}")
            continue
        if doc is None:
            deletions.append(f"{entity_type}:{entity_id}")
        else:
            docs.append(doc)
        done.extend(rows)
    try:
        backend = backend or search_service.get_backend(app)
        if docs:
            backend.index_documents(docs)
        if deletions:
            backend.delete_documents(deletions)
    except (search.SearchError, OSError) as exc:
        message = f"{type(exc).__name__}: {exc}"
        log.warning("search outbox: backend unavailable, %d events wait: %s", len(done), message)
        for row in done:
            _fail(row, message, now)
        result.failed += len(done)
        result.errors.append(message)
        session.commit()
        return result
    processed_at = utcnow()
    for row in done:
        row.processed_at = processed_at
        row.last_error = None
    result.indexed = len(docs)
    result.deleted = len(deletions)
    result.upserted_ids = [d.id for d in docs]
    session.commit()
    if alerts and any(i.split(":")[0] in ("demand", "product") for i in result.upserted_ids):
        try:
            from procure import search_service as alert_service

            alert_service.run_alerts(app, "instant", backend=backend)
            session.commit()
        except Exception:
            log.exception("search outbox: instant alerts failed")
            session.rollback()
    published = [int(i.split(":")[1]) for i in result.upserted_ids if i.startswith("demand:")]
    if alerts and published:
        # New demands get their suggestions from the same events: opted-in suppliers hear of
        # strong matches within seconds of publication.
        try:
            from procure.matching_service import alert_strong_matches

            with app.test_request_context():
                alert_strong_matches(published)
            session.commit()
        except Exception:
            log.exception("search outbox: match alerts failed")
            session.rollback()
    return result


def drain_all(app: Flask | None = None, *, max_batches: int = 1000, **kwargs) -> DrainResult:
    """Drain batches until nothing is due or a batch fails (the backend is down)."""
    total = DrainResult()
    for _ in range(max_batches):
        result = drain(app, **kwargs)
        total.claimed += result.claimed
        total.indexed += result.indexed
        total.deleted += result.deleted
        total.failed += result.failed
        total.errors.extend(result.errors)
        total.upserted_ids.extend(result.upserted_ids)
        if result.claimed == 0 or result.failed:
            break
    return total


def outbox_status(session: Session | None = None) -> dict:
    """Pending rows, the oldest pending row's age in seconds, and rows that failed at least once."""
    from sqlalchemy import func

    session = session or db.session()
    pending = OutboxEvent.processed_at.is_(None)
    count = session.scalar(select(func.count()).select_from(OutboxEvent).where(pending)) or 0
    oldest = session.scalar(select(func.min(OutboxEvent.created_at)).where(pending))
    retrying = (
        session.scalar(
            select(func.count()).select_from(OutboxEvent).where(pending, OutboxEvent.attempts > 0)
        )
        or 0
    )
    age = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return {"pending": count, "oldest_pending_seconds": age, "retrying": retrying}
