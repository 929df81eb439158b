"""The app's side of the matcher: listings from products, suggestions, feedback, training.

Views call these functions; they adapt models to the plain dicts ``matching`` expects.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import policy
from procure.audit.services import record
from procure.cache import count_and_latest, kept
from procure.classification.services import bilingual_labels
from procure.extensions import db
from procure.models import (
    Demand,
    DemandStatus,
    Designation,
    DesignationStatus,
    MatchFeedback,
    Product,
    ProductStatus,
    ReverseProposal,
)
from procure.regions import region_name

MODEL_FILE = "matcher.joblib"
# Refitting in process is cheap for a catalogue of this size (the demo lists 181 products);
# beyond it, `procure match train` (or the worker) refits and the saved model is loaded instead.
INLINE_FIT_LIMIT = 1_000
MIN_LISTINGS = 3
POSITIVE = ("shortlisted", "accepted", "pilot")
NEGATIVE = ("declined", "dismissed")
_lock = threading.Lock()
_rankings_lock = threading.Lock()
#: Supplier dashboards' rankings kept per process (least recently seen organisation dropped).
DASHBOARD_RANKINGS_MAX = 2_000
#: "Demands you could answer" weighs at most this many of the supplier's listed products
#: against at most this many open demands, the most recent ones.
SUGGEST_PRODUCTS_MAX = 10
SUGGEST_DEMANDS_MAX = 200
#: Demands ranked beyond the dashboard's six, to make up for those already answered.
ANSWERED_SLACK = 12


def product_text(product: Product) -> str:
    parts = [product.name, product.name_en or "", product.summary, product.description or ""]
    parts += [f"{s.name} {s.value} {s.unit}" for s in product.specs]
    return "\n".join(p for p in parts if p)


def demand_text(demand: Demand) -> str:
    parts = [demand.title, demand.problem, demand.desired_outcome or ""]
    parts += [f"{r.name} {r.target_value} {r.unit}" for r in demand.requirements]
    return "\n".join(p for p in parts if p)


def listing_for(
    product: Product, index: float | None = None, names: dict[str, str] | None = None
) -> dict:
    """The matcher's listing for ``product``; ``names`` (code -> label) adds its codes' names,
    which the classifier learns from as examples of their groups."""
    listing = {
        "id": product.id,
        "text": product_text(product),
        "codes": product.code_values,
        "price": product.price,
        "region": (product.regions or [None])[0],
        "trl": product.trl,
        "index": index,
    }
    if names:
        listing["code_names"] = {c: names[c] for c in listing["codes"] if c in names}
    return listing


def demand_dict(demand: Demand) -> dict:
    return {
        "id": demand.id,
        "text": demand_text(demand),
        "codes": demand.code_values,
        "budget": demand.budget,
        "quantity": demand.quantity,
        "region": demand.region,
    }


def _listed_products():
    return db.session.scalars(
        select(Product)
        .where(Product.status == ProductStatus.LISTED, Product.deleted_at.is_(None))
        .options(selectinload(Product.specs), selectinload(Product.codes))
        .order_by(Product.id)
    ).all()


def _indexes() -> dict[int, float]:
    rows = db.session.execute(
        select(Designation.product_id, Designation.index_value).where(
            Designation.status == DesignationStatus.ACTIVE
        )
    ).all()
    return dict(rows)


def _open_demand():
    return (Demand.status == DemandStatus.PUBLISHED, Demand.deleted_at.is_(None))


def _fingerprint() -> tuple:
    return count_and_latest(
        Product.updated_at, Product.status == ProductStatus.LISTED, Product.deleted_at.is_(None)
    )


@dataclass
class _Cached:
    fingerprint: tuple
    matcher: object


def model_path() -> Path:
    return Path(current_app.instance_path) / MODEL_FILE


def fit_matcher(feedback: bool = True):
    """Fit a matcher on the listed products (and the recorded feedback, when there is some)."""
    from matching import Matcher

    indexes = _indexes()
    products = _listed_products()
    names = bilingual_labels(c for p in products for c in p.code_values)
    listings = [listing_for(p, indexes.get(p.id), names) for p in products]
    if len(listings) < MIN_LISTINGS:
        return None
    matcher = Matcher(random_state=0).fit(listings)
    if feedback:
        pairs = feedback_pairs({item["id"] for item in listings})
        labels = {label in POSITIVE for _d, _p, label in pairs}
        if len(labels) == 2:
            matcher.fit_feedback(pairs)
    return matcher


def _cache_key(fingerprint: tuple) -> tuple:
    """What the cached matcher depends on: the catalogue when it is fitted in process, the
    saved model's file when the catalogue is too large for that."""
    if fingerprint[0] <= INLINE_FIT_LIMIT:
        return ("fitted", *fingerprint)
    path = model_path()
    return ("saved", path.stat().st_mtime_ns if path.exists() else None)


def get_matcher():
    """The matcher for the current catalogue, refitted when listed products changed.

    A catalogue larger than ``INLINE_FIT_LIMIT`` is never fitted inside a request (a fit then
    takes minutes and every page showing suggestions would wait for it): the model saved by
    ``procure match train`` is used, loaded again only when that file changes.
    """
    cache: _Cached | None = current_app.extensions.get("matcher")
    key = _cache_key(_fingerprint())
    if cache is not None and cache.fingerprint == key:
        return cache.matcher
    with _lock:
        cache = current_app.extensions.get("matcher")
        if cache is not None and cache.fingerprint == key:
            return cache.matcher
        matcher = None
        if key[0] == "saved" and key[1] is not None:
            from matching import Matcher

            matcher = Matcher.load(model_path())
        elif key[0] == "fitted":
            matcher = fit_matcher()
        current_app.extensions["matcher"] = _Cached(key, matcher)
        return matcher


@dataclass
class Suggestion:
    """A product or demand suggested by the matcher, with reasons in the reader's language."""

    item: object
    score: float
    reasons: list[str]


def _reason_texts(reasons, locale: str) -> list[str]:
    """The first four reasons as card text; the matcher sees region codes (``11``), the
    reader gets the region's name (서울특별시, Seoul)."""
    texts = []
    for reason in reasons[:4]:
        if reason.code == "same_region":
            raw = reason.params.get("region")
            name = region_name(raw, locale) or raw
            reason = replace(reason, params={**reason.params, "region": name})
        texts.append(reason.text(locale))
    return texts


def dismissed_products(demand: Demand) -> set[int]:
    return set(
        db.session.scalars(
            select(MatchFeedback.product_id).where(
                MatchFeedback.demand_id == demand.id, MatchFeedback.label == "dismissed"
            )
        )
    )


def suggested_products(demand: Demand, locale: str, k: int = 6) -> list[Suggestion]:
    """Listed products for a demand, best first; dismissed ones left out."""
    matcher = get_matcher()
    if matcher is None:
        return []
    hidden = dismissed_products(demand)
    matches = [
        m
        for m in matcher.rank(demand_dict(demand), k=k + len(hidden))
        if m.listing_id not in hidden
    ][:k]
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product)
            .where(Product.id.in_([m.listing_id for m in matches]))
            .options(selectinload(Product.supplier))
        )
    }
    return [
        Suggestion(products[m.listing_id], m.score, _reason_texts(m.reasons, locale))
        for m in matches
        if m.listing_id in products and products[m.listing_id].status == ProductStatus.LISTED
    ]


def _open_demands_prepared(matcher, key: tuple):
    """The most recently published open demands, prepared once for ranking (their codes
    predicted when they have none) and shared by every supplier's dashboard in this process
    until the matcher or the open demands change."""

    def prepare():
        recent = (
            select(Demand.id)
            .where(*_open_demand())
            .order_by(Demand.published_at.desc(), Demand.id.desc())
            .limit(SUGGEST_DEMANDS_MAX)
        )
        demands = db.session.scalars(
            select(Demand)
            .where(Demand.id.in_(recent.scalar_subquery()))
            .options(selectinload(Demand.requirements), selectinload(Demand.codes))
            .order_by(Demand.id)
        ).all()
        return matcher.prepare_demands(demand_dict(d) for d in demands)

    # The matcher itself is part of the key (compared by identity): a refitted one prepares again.
    return kept("prepared_demands", (key, matcher), prepare)


def _rank_demands_for(user, matcher, demands_key: tuple, k: int) -> list[tuple[int, float, list]]:
    # Bounded work: the supplier's most recently listed products against the most recently
    # published open demands (all of them in a market of ordinary size).
    recent_products = (
        select(Product.id)
        .where(Product.supplier_id == user.organisation_id, Product.status == ProductStatus.LISTED)
        .order_by(Product.listed_at.desc(), Product.id.desc())
        .limit(SUGGEST_PRODUCTS_MAX)
    )
    products = db.session.scalars(
        select(Product)
        .where(Product.id.in_(recent_products.scalar_subquery()))
        .options(selectinload(Product.specs), selectinload(Product.codes))
        .order_by(Product.id)
    ).all()
    if not products:
        return []
    prepared = _open_demands_prepared(matcher, demands_key)
    if not len(prepared):
        return []
    best: dict[int, tuple[float, list]] = {}
    for product in products:
        for match in matcher.rank_demands(listing_for(product), prepared, k=k):
            if match.demand_id not in best or match.score > best[match.demand_id][0]:
                best[match.demand_id] = (match.score, match.reasons)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])[:k]
    return [(i, score, reasons) for i, (score, reasons) in ranked]


def suggested_demands(user, locale: str, k: int = 6) -> list[Suggestion]:
    """Open demands a supplier could answer, judged against each of its listed products.

    The ranking is kept per organisation (in this process, for the ``DASHBOARD_RANKINGS_MAX``
    organisations seen last) until the matcher, the supplier's listed products or the open
    demands change: the dashboard does not rank on every visit.
    """
    matcher = get_matcher()
    if matcher is None or not user.can_act_for_organisation:
        return []
    cached = current_app.extensions.get("matcher")
    demands_key = (
        cached.fingerprint if cached else None,
        *count_and_latest(Demand.updated_at, *_open_demand()),
    )
    products_key = count_and_latest(
        Product.updated_at,
        Product.supplier_id == user.organisation_id,
        Product.status == ProductStatus.LISTED,
    )
    key = (demands_key, products_key, k)
    rankings = current_app.extensions.setdefault("demand_suggestions", OrderedDict())
    organisation = user.organisation_id
    with _rankings_lock:
        hit = rankings.get(organisation)
        ranked = hit[1] if hit is not None and hit[0] == key else None
        if ranked is not None:
            rankings.move_to_end(organisation)
    if ranked is None:
        # Room for the demands the supplier has answered meanwhile, dropped below.
        ranked = _rank_demands_for(user, matcher, demands_key, k + ANSWERED_SLACK)
        with _rankings_lock:
            rankings[organisation] = (key, ranked)
            rankings.move_to_end(organisation)
            while len(rankings) > DASHBOARD_RANKINGS_MAX:
                rankings.popitem(last=False)  # the organisation seen longest ago
    # Suggestions are demands to answer: never one this supplier has already proposed to
    # (whatever became of the proposal), read now, not from the kept ranking.
    answered = set(
        db.session.scalars(
            select(ReverseProposal.demand_id).where(
                ReverseProposal.supplier_id == organisation,
                ReverseProposal.demand_id.in_([i for i, _s, _r in ranked]),
            )
        )
    )
    ranked = [row for row in ranked if row[0] not in answered][:k]
    if not ranked:
        return []
    by_id = {
        d.id: d
        for d in db.session.scalars(
            select(Demand)
            .where(Demand.id.in_([i for i, _s, _r in ranked]))
            .options(
                selectinload(Demand.requirements),
                selectinload(Demand.codes),
                selectinload(Demand.agency),
            )
        )
    }
    return [
        Suggestion(by_id[i], score, _reason_texts(reasons, locale))
        for i, score, reasons in ranked
        if i in by_id
    ]


def suggest_codes(text: str, k: int = 3) -> list[dict]:
    """Classification codes for a text, with probabilities (CPV group codes written in full)."""
    matcher = get_matcher()
    if matcher is None or not (text or "").strip():
        return []
    out = []
    for suggestion in matcher.suggest_codes(text[:5000], k=k):
        code = suggestion.code
        if code.isdigit() and len(code) < 8:
            code = code.ljust(8, "0")
        out.append(
            {
                "code": code,
                "probability": round(float(suggestion.probability), 3),
                "example": suggestion.example,
            }
        )
    return out


# -- feedback -------------------------------------------------------------------------------


def record_feedback(
    demand_id: int | None, product_id: int | None, label: str, source: str, user=None
) -> None:
    """Remember what people did with a demand–product pairing (a label for training)."""
    if demand_id is None or product_id is None:
        return
    db.session.add(
        MatchFeedback(
            demand_id=demand_id,
            product_id=product_id,
            label=label,
            source=source,
            user_id=getattr(user, "id", None),
        )
    )


def dismiss(user, demand: Demand, product_id: int) -> None:
    """An officer hides a suggestion that does not fit; it also teaches the matcher."""
    from flask_babel import gettext as _

    from procure.errors import Forbidden

    if not (policy.is_operator(user) or policy.acts_for(user, demand.agency_id)):
        raise Forbidden(_("Only the demand's agency can dismiss its suggestions."))
    record_feedback(demand.id, product_id, "dismissed", "suggestion", user)
    db.session.flush()
    record("match.dismissed", "demand", demand.id, actor=user, after={"product_id": product_id})


def feedback_pairs(listing_ids: set[int] | None = None) -> list[tuple[dict, int, str]]:
    """(demand dict, product id, label) for every recorded label, the latest per pair."""
    rows = db.session.scalars(select(MatchFeedback).order_by(MatchFeedback.id)).all()
    latest = {(r.demand_id, r.product_id): r.label for r in rows}
    demand_ids = {d for d, _p in latest}
    demands = {
        d.id: demand_dict(d)
        for d in db.session.scalars(
            select(Demand)
            .where(Demand.id.in_(demand_ids))
            .options(selectinload(Demand.requirements), selectinload(Demand.codes))
        )
    }
    return [
        (demands[d], p, label)
        for (d, p), label in latest.items()
        if d in demands and (listing_ids is None or p in listing_ids)
    ]


def feedback_auc(matcher, pairs) -> float | None:
    """How often a positive pair outranks a negative one for the same demand (0–1)."""
    if matcher is None:
        return None
    by_demand: dict[int, list[tuple[float, bool]]] = {}
    for demand, product_id, label in pairs:
        ranked = {m.listing_id: m.score for m in matcher.rank(demand, k=200, explain=False)}
        score = ranked.get(product_id, float("-inf"))
        by_demand.setdefault(demand["id"], []).append((score, label in POSITIVE))
    wins = total = 0
    for items in by_demand.values():
        positives = [s for s, positive in items if positive]
        negatives = [s for s, positive in items if not positive]
        for p in positives:
            for n in negatives:
                total += 1
                wins += 1 if p > n else 0
    return wins / total if total else None


def train(keep_worse: bool = False) -> dict:
    """Retrain with the feedback; keep the old model when the new one ranks the labels worse."""
    from matching import Matcher

    old = Matcher.load(model_path()) if model_path().exists() else fit_matcher(feedback=False)
    new = fit_matcher(feedback=True)
    pairs = feedback_pairs()
    before, after = feedback_auc(old, pairs), feedback_auc(new, pairs)
    kept_new = new is not None and (
        before is None or after is None or after >= before or keep_worse
    )
    chosen = new if kept_new else old
    metrics = {
        "feedback_pairs": len(pairs),
        "auc_before": before,
        "auc_after": after,
        "kept": "new" if kept_new else "old",
    }
    if chosen is not None:
        model_path().parent.mkdir(parents=True, exist_ok=True)
        chosen.save(model_path(), metrics=metrics)
    current_app.extensions.pop("matcher", None)
    return metrics


# -- strong-match alerts ------------------------------------------------------------------

ALERT_TOP_K = 5
# A match is "strong" when it is among the top few and agrees on classification, not text alone.
STRONG_REASONS = ("code_match", "predicted_code")
ALERT_KIND = "match.strong"


def set_match_alerts(actor, enabled: bool) -> None:
    """A supplier opts in (or out) of alerts about new demands that fit its products."""
    from flask_babel import gettext as _

    from procure.errors import Forbidden
    from procure.models import Organisation, Role

    if not actor.has_role(Role.SUPPLIER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified suppliers can choose match alerts."))
    org = db.session.get(Organisation, actor.organisation_id)
    if org.match_alerts == bool(enabled):
        return
    org.match_alerts = bool(enabled)
    db.session.flush()
    record(
        "organisation.match_alerts",
        "organisation",
        org.id,
        actor=actor,
        before={"match_alerts": not org.match_alerts},
        after={"match_alerts": org.match_alerts},
    )


def alert_strong_matches(demand_ids) -> int:
    """Tell opted-in suppliers once about each newly published demand that fits their products."""
    from flask import url_for
    from flask_babel import gettext as _

    from procure.models import Notification, Organisation
    from procure.notifications.services import members, notify

    matcher = get_matcher()
    if matcher is None:
        return 0
    sent = 0
    demands = db.session.scalars(
        select(Demand).where(
            Demand.id.in_(list(demand_ids)), Demand.status == DemandStatus.PUBLISHED
        )
    ).all()
    for demand in demands:
        link = url_for("demands.detail", demand_id=demand.id)
        strong = [
            m.listing_id
            for m in matcher.rank(demand_dict(demand), k=ALERT_TOP_K)
            if any(reason.code in STRONG_REASONS for reason in m.reasons)
        ]
        if not strong:
            continue
        suppliers = db.session.scalars(
            select(Organisation)
            .join(Product, Product.supplier_id == Organisation.id)
            .where(Product.id.in_(strong), Organisation.match_alerts.is_(True))
            .distinct()
        ).all()
        for supplier in suppliers:
            already = set(
                db.session.scalars(
                    select(Notification.user_id).where(
                        Notification.kind == ALERT_KIND, Notification.link == link
                    )
                )
            )
            recipients = [u for u in members(supplier.id) if u.id not in already]
            title = demand.title
            sent += len(
                notify(
                    recipients,
                    ALERT_KIND,
                    lambda title=title: _(
                        "A new demand fits your products: “%(title)s”", title=title
                    ),
                    lambda: _(
                        "The matcher found that one of your listed products answers it well."
                    ),
                    link,
                )
            )
    return sent
