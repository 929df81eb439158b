"""The matcher: rank listings for a demand, and demands for a listing, with reasons.

Two stages. Retrieval scores *every* listing with a linear relevance model over features
that vectorise over the whole index (two TF-IDF cosines and BM25 from sparse products, and
the probability that one of the demand's codes shares each prefix level with one of the
listing's codes), then
keeps the top candidates with ``argpartition``. Re-ranking adds per-pair features (budget,
region, readiness, innovativeness, pilot record) and, once feedback exists, a learned
logistic re-ranker. The relevance weights are learned without labels at fit time:
listings stand in for demands with their codes hidden, and of two scorers — a regression of
the code-agreement gain on the features, and the expected gain under the predicted code
distribution plus a little text — the one with the better NDCG@10 on them is kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from matching.bm25 import BM25
from matching.classifier import N_NEIGHBORS, VOTE_POWER, CodeClassifier
from matching.codes import LEVEL_NAMES, LEVELS, MAX_DEPTH, agreement_depth, code_prefix
from matching.codes import normalize_code as _normalize_code
from matching.index import ListingIndex, combined_similarity
from matching.reasons import Reason
from matching.text import TextEncoder, shared_terms

#: Features scored over every listing at retrieval time.
RELEVANCE_FEATURES = ("char_sim", "word_sim", "bm25", *(f"p_{name}" for name in LEVEL_NAMES))
#: Features known only for a demand–listing pair, added at re-ranking time.
PAIR_FEATURES = ("budget_fit", "same_region", "readiness", "innovation_index", "pilot_record")

#: Relevance weights used until (or instead of) self-supervised learning.
DEFAULT_RELEVANCE_WEIGHTS = {
    "char_sim": 0.30,
    "word_sim": 0.30,
    "bm25": 0.0,
    "p_division": 0.05,
    "p_group": 0.10,
    "p_class": 0.20,
    "p_exact": 0.30,
}
#: How much each pair feature adds to the relevance score without feedback. Small on
#: purpose: they break near-ties between equally relevant listings, never override topic.
DEFAULT_PAIR_WEIGHTS = {
    "budget_fit": 0.04,
    "same_region": 0.02,
    "readiness": 0.02,
    "innovation_index": 0.03,
    "pilot_record": 0.02,
}
TRL_MAX = 9
INDEX_MAX = 100.0
PILOTS_SATURATION = 10
#: Fewer listings than this: keep the default weights rather than learn from too little.
MIN_SELF_SUPERVISED_LISTINGS = 40
#: A predicted code is named as a reason only from this probability on.
PREDICTED_REASON_MIN_PROBABILITY = 0.25
#: Shared key terms on a card; words in more than this share of the listings are not "key"
#: once the catalogue has this many listings (see ``Matcher._key_terms``).
SHARED_TERMS_SHOWN = 3
COMMON_TERM_SHARE = 0.2
COMMON_TERM_MIN_LISTINGS = 50
#: Feedback labels understood by ``fit_feedback``.
POSITIVE_LABELS = frozenset({"shortlisted", "accepted", "pilot", "positive", "selected"})
NEGATIVE_LABELS = frozenset({"declined", "dismissed", "negative", "rejected"})
#: The feedback re-ranker adds weight·(p − ½) to the default score, where p is its
#: probability of a positive outcome and weight = MAX · n / (n + HALF) grows with the
#: number n of labelled pairs: a few labels nudge the ranking, many labels dominate it.
FEEDBACK_MAX_WEIGHT = 1.0
FEEDBACK_HALF_WEIGHT_PAIRS = 4
SELF_SUPERVISED_RANDOM_NEGATIVES = 20
SELF_SUPERVISED_CHUNK = 64
#: Text weight multipliers tried with the expected-gain scorer; NDCG depth of the choice.
TEXT_MIX_GRID = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8)
SELF_SUPERVISED_NDCG_K = 10


@dataclass(frozen=True)
class Match:
    """A listing ranked for a demand."""

    listing_id: object
    score: float
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class DemandMatch:
    """A demand ranked for a listing (the supplier's view)."""

    demand_id: object
    score: float
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class PreparedDemands:
    """Demands made ready, once, for ranking against many listings (``Matcher.prepare_demands``).

    Holds what ``rank_demands`` reads of the demands whatever the listing: their texts encoded,
    a BM25 index over them, and each one's codes and code distribution (predicted when it has
    no codes). Tied to the matcher that prepared it; read-only, so threads may share it.
    """

    demands: tuple
    contexts: tuple
    chars: object
    words: object
    bm25: BM25
    matcher: object = field(repr=False)

    def __len__(self) -> int:
        return len(self.demands)


def _text_of(record: dict) -> str:
    parts = [record.get("title"), record.get("text")]
    return " ".join(str(p) for p in parts if p)


def _codes_of(record: dict) -> list[str]:
    codes = record.get("codes") or []
    if isinstance(codes, str):
        codes = [codes]
    return [str(c) for c in codes if _normalize_code(c)]


def _code_names_of(records) -> dict[str, str]:
    """Every listing's ``code_names`` (``{code: name}``) merged: the scheme's vocabulary as
    far as the listings name it. The first name given for a code wins."""
    names: dict[str, str] = {}
    for record in records:
        given = record.get("code_names")
        if isinstance(given, dict):
            for code, name in given.items():
                if isinstance(name, str) and name.strip() and _normalize_code(code):
                    names.setdefault(str(code), name.strip())
    return names


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _region(value) -> str | None:
    return (str(value).strip().lower() or None) if value else None


def _quantity(demand: dict) -> int:
    """How many units the demand buys (1 when not said): its budget is for all of them."""
    quantity = _number(demand.get("quantity"))
    return int(quantity) if quantity is not None and quantity >= 1 else 1


def _same_region(a, b) -> bool:
    ra, rb = _region(a), _region(b)
    return bool(ra and rb and (ra.startswith(rb) or rb.startswith(ra)))


def _pair_values(demand: dict, listing: dict) -> np.ndarray:
    """The PAIR_FEATURES of one demand–listing pair (0 where unknown)."""
    budget, price = _number(demand.get("budget")), _number(listing.get("price"))
    if budget and budget > 0 and price is not None and price >= 0:
        cost = price * _quantity(demand)
        budget_fit = 1.0 if cost <= budget else -min(1.0, (cost - budget) / budget)
    else:
        budget_fit = 0.0
    trl = _number(listing.get("trl"))
    index = _number(listing.get("index"))
    pilots = _number(listing.get("pilots"))
    return np.array(
        [
            budget_fit,
            1.0 if _same_region(demand.get("region"), listing.get("region")) else 0.0,
            min(max(trl, 0.0), TRL_MAX) / TRL_MAX if trl is not None else 0.0,
            min(max(index, 0.0), INDEX_MAX) / INDEX_MAX if index is not None else 0.0,
            (
                min(math.log1p(max(pilots, 0.0)) / math.log1p(PILOTS_SATURATION), 1.0)
                if pilots is not None
                else 0.0
            ),
        ]
    )


def _label_value(label) -> int:
    if isinstance(label, bool | int | np.integer):
        return int(bool(label))
    text = str(label).strip().lower()
    if text in POSITIVE_LABELS:
        return 1
    if text in NEGATIVE_LABELS:
        return 0
    raise ValueError(f"unknown feedback label {label!r}")


def _mean_ndcg(rows, targets, weights, k):
    """Mean NDCG@k of ranking each block of ``rows`` by ``rows @ weights`` (gains ``targets``)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    total, counted = 0.0, 0
    for x, gain in zip(rows, targets, strict=True):
        ideal = np.sort(gain)[::-1][:k]
        best = float(ideal @ discounts[: ideal.size])
        if best <= 0:
            continue
        order = np.argsort(-(x @ weights), kind="stable")[:k]
        total += float(gain[order] @ discounts[: order.size]) / best
        counted += 1
    return total / counted if counted else 0.0


class Matcher(BaseEstimator):
    """Rank listings for a demand and demands for a listing; suggest codes; explain.

    ``fit(listings)`` takes dicts with ``id``, ``text``, ``codes`` and optionally ``price``,
    ``region``, ``trl``, ``index`` (0–100) and ``pilots``. Demands are dicts with ``text``,
    optional ``codes``, ``budget`` (won, for the whole purchase), ``quantity`` (units; a
    listing's ``price`` is per unit), ``region`` and ``id``.
    """

    def __init__(
        self,
        n_candidates=200,
        n_neighbors=N_NEIGHBORS,
        vote_power=VOTE_POWER,
        classifier_level="group",
        self_supervised=True,
        n_pseudo_demands=1000,
        linear_classifier=True,
        feedback_c=1.0,
        random_state=None,
    ):
        self.n_candidates = n_candidates
        self.n_neighbors = n_neighbors
        self.vote_power = vote_power
        self.classifier_level = classifier_level
        self.self_supervised = self_supervised
        self.n_pseudo_demands = n_pseudo_demands
        self.linear_classifier = linear_classifier
        self.feedback_c = feedback_c
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, listings: Iterable[dict], y=None):
        """Index ``listings`` and learn the relevance weights. Returns ``self``.

        :raise ValueError: if there are no listings, or ids are missing or repeated.
        """
        records = [dict(item) for item in listings]
        if not records:
            raise ValueError("cannot fit a Matcher on no listings")
        ids = [r.get("id") for r in records]
        if any(i is None for i in ids):
            raise ValueError("every listing needs an 'id'")
        if len(set(ids)) != len(ids):
            raise ValueError("listing ids must be unique")
        texts = [_text_of(r) for r in records]
        codes = [_codes_of(r) for r in records]
        code_names = _code_names_of(records)
        index = ListingIndex.build(texts, codes, TextEncoder())
        self.listing_ids_ = ids
        self.id_to_position_ = {i: p for p, i in enumerate(ids)}
        self.listings_ = [
            {
                "text": texts[p],
                "codes": codes[p],
                **{key: records[p].get(key) for key in ("price", "region", "trl", "index")},
                "pilots": records[p].get("pilots"),
            }
            for p in range(len(records))
        ]
        self.index_ = index
        self.classifier_ = CodeClassifier(
            level=self.classifier_level,
            n_neighbors=self.n_neighbors,
            vote_power=self.vote_power,
            linear=self.linear_classifier,
            random_state=self.random_state,
        )._fit_index(
            index,
            codes,
            holdout_size=self.n_pseudo_demands,
            code_names=code_names,
        )
        # Listing-side parts of the pair features, laid out for vectorised re-ranking.
        static = np.vstack([_pair_values({}, listing) for listing in self.listings_])
        self.listing_static_ = static[:, 2:]
        self.prices_ = np.array(
            [_number(listing["price"]) for listing in self.listings_], dtype=np.float64
        )
        self.regions_ = [_region(listing["region"]) for listing in self.listings_]
        weights = np.array([DEFAULT_RELEVANCE_WEIGHTS[f] for f in RELEVANCE_FEATURES])
        self.relevance_weights_, self.relevance_intercept_ = weights, 0.0
        self.weights_source_ = "default"
        self.relevance_selection_ = None
        if self.self_supervised and len(records) >= MIN_SELF_SUPERVISED_LISTINGS:
            learned = self._learn_relevance_weights(texts, codes)
            if learned is not None:
                self.relevance_weights_, self.relevance_intercept_ = learned
                self.weights_source_ = "self-supervised"
        # Fit-time only: not worth keeping in a saved model.
        self.classifier_.holdout_linear_ = self.classifier_.holdout_reranked_ = None
        self.pair_weights_ = np.array([DEFAULT_PAIR_WEIGHTS[f] for f in PAIR_FEATURES])
        self.feedback_model_ = None
        self.feedback_pairs_ = []
        self.fit_info_ = {
            "n_listings": len(records),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "weights_source": self.weights_source_,
        }
        return self

    def _relevance_matrix(self, sc, sw, bm, dist, positions):
        """RELEVANCE_FEATURES for the listings at ``positions`` (one demand)."""
        cols = [sc[positions], sw[positions], bm[positions]]
        for li, level_dist in enumerate(dist):
            cols.append(self.index_.gather(level_dist, li, positions))
        return np.column_stack(cols)

    def _relevance_all(self, sc, sw, bm, dist, weights, intercept):
        """The linear relevance score of every listing, without materialising features."""
        score = weights[0] * sc + weights[1] * sw + weights[2] * bm + intercept
        for li, (w, level_dist) in enumerate(zip(weights[3:], dist, strict=True)):
            if w:
                score += w * self.index_.gather(level_dist, li)
        return score

    def _learn_relevance_weights(self, texts, codes):
        """Self-supervised weights: listings as pseudo-demands with hidden codes.

        For a sample of listings, rank the others with the default weights, and regress
        the gain of the code agreement (2^depth − 1)/(2^4 − 1) on the relevance features
        of the retrieved candidates plus random others. Weights are kept non-negative:
        every feature is, by construction, evidence for relevance.
        """
        rng = check_random_state(self.random_state)
        usable = np.array([p for p, c in enumerate(codes) if c])
        if usable.size < MIN_SELF_SUPERVISED_LISTINGS:
            return None
        # The classifier's held-out listings, when it has them: their linear group
        # probabilities come from a model that never saw them.
        # Their re-ranked groups, likewise, come from the re-ranker's fold models: the final
        # re-ranker was trained on these very listings and would flatter the code scorer.
        held_out = self.classifier_.holdout_
        reranked = None
        if held_out is not None:
            sample = held_out
            linear = self.classifier_.holdout_linear_
            reranked = self.classifier_.holdout_reranked_
        else:
            sample = rng.choice(usable, size=min(self.n_pseudo_demands, usable.size), replace=False)
            linear = None
        n = self.index_.n_items
        default = np.array([DEFAULT_RELEVANCE_WEIGHTS[f] for f in RELEVANCE_FEATURES])
        n_candidates = min(self.n_candidates, n - 1)
        rows, targets = [], []
        for start in range(0, sample.size, SELF_SUPERVISED_CHUNK):
            chunk = sample[start : start + SELF_SUPERVISED_CHUNK]
            xc, xw = self.index_.encode([texts[p] for p in chunk])
            sc_all, sw_all = self.index_.similarities(xc, xw)
            bm_all = self.index_.bm25_scores([texts[p] for p in chunk])
            for row, pseudo in enumerate(chunk):
                sc, sw, bm = sc_all[row], sw_all[row], bm_all[row]
                sim = combined_similarity(sc, sw)
                votes = self.index_.code_distribution(
                    sim, self.n_neighbors, self.vote_power, exclude=pseudo
                )
                lin = None if linear is None else linear[start + row].astype(np.float64)
                if reranked is not None:
                    group = reranked[start + row].astype(np.float64)
                    dist = self.classifier_.combine(votes, lin, group=group)
                else:
                    dist = self.classifier_.combine(votes, lin, (sim, xc[row], xw[row], pseudo))
                score = self._relevance_all(sc, sw, bm, dist, default, 0.0)
                score[pseudo] = -np.inf
                top = np.argpartition(-score, n_candidates - 1)[:n_candidates]
                extra = rng.choice(n, size=min(SELF_SUPERVISED_RANDOM_NEGATIVES, n), replace=False)
                positions = np.unique(np.concatenate([top, extra]))
                positions = positions[positions != pseudo]
                rows.append(self._relevance_matrix(sc, sw, bm, dist, positions))
                depth = self._agreement_depths(codes[pseudo], positions)
                targets.append((2.0**depth - 1.0) / (2.0**MAX_DEPTH - 1.0))
        x, y = np.vstack(rows), np.concatenate(targets)
        if np.ptp(y) == 0:
            return None
        model = LinearRegression(positive=True).fit(x, y)
        regression = model.coef_.astype(np.float64)
        # Candidates: the regression's weights, and the expected NDCG gain under the code
        # distribution (level weights 1, 2, 4, 8 — the gain added by each deeper level)
        # plus the regression's text weights scaled by each of TEXT_MIX_GRID. The one
        # with the best NDCG@10 over the pseudo-demands' candidates is kept.
        # When the code distribution explains the gain so well that the regression gives
        # text no weight, text still breaks ties, in the declared default proportions.
        text = regression[:3] if regression[:3].sum() > 0 else default[:3]
        text = text / text.sum()
        gain = np.array([2.0**li for li in range(MAX_DEPTH)]) / (2.0**MAX_DEPTH - 1.0)
        options = {"regression": regression}
        for mix in TEXT_MIX_GRID:
            options[f"expected-gain+{mix:g}·text"] = np.concatenate([mix * text, gain])
        scored = {
            name: _mean_ndcg(rows, targets, weights, SELF_SUPERVISED_NDCG_K)
            for name, weights in options.items()
        }
        best = max(scored, key=lambda name: (scored[name], name == "regression"))
        self.relevance_selection_ = {"chosen": best, "ndcg": scored}
        intercept = float(model.intercept_) if best == "regression" else 0.0
        return options[best], intercept

    def _agreement_depths(self, demand_codes, positions):
        """Best agreement depth (over all code pairs) of ``demand_codes`` with each listing.

        Prefixes nest, so the best pair's depth is the deepest level at which any pair agrees.
        """
        indicator = self.index_.indicator_distribution(demand_codes)
        depth = np.zeros(len(positions), dtype=np.int64)
        for li, level_dist in enumerate(indicator):
            hit = self.index_.gather(level_dist, li, positions) > 0
            depth[hit] = li + 1
        return depth

    # ----------------------------------------------------------------- feedback
    def fit_feedback(self, pairs):
        """Train the re-ranker on labelled ``(demand, listing_id, label)`` examples.

        Labels: ``True``/``1``/``"shortlisted"``/``"accepted"``/``"pilot"`` are positive;
        ``False``/``0``/``"declined"``/``"dismissed"`` negative. Replaces earlier feedback.
        Returns ``self``.

        :raise ValueError: for an unknown label or listing id, or if only one class is given.
        """
        check_is_fitted(self, "index_")
        self.feedback_pairs_ = []
        self.feedback_model_ = None
        return self.partial_fit_feedback(pairs, require_both_classes=True)

    def partial_fit_feedback(self, pairs, require_both_classes=False):
        """Add labelled examples to those seen so far and retrain the re-ranker.

        The re-ranker is trained once both positive and negative examples exist; until then
        the default weights keep ranking. Returns ``self``.
        """
        check_is_fitted(self, "index_")
        new = []
        for demand, listing_id, label in pairs:
            if listing_id not in self.id_to_position_:
                raise ValueError(f"unknown listing id {listing_id!r}")
            new.append((dict(demand), listing_id, _label_value(label)))
        self.feedback_pairs_ = [*self.feedback_pairs_, *new]
        labels = np.array([label for _, _, label in self.feedback_pairs_])
        if np.unique(labels).size < 2:
            if require_both_classes:
                raise ValueError("feedback needs both positive and negative examples")
            return self
        x = np.vstack([self._feedback_row(d, lid) for d, lid, _ in self.feedback_pairs_])
        model = make_pipeline(
            StandardScaler(),
            LogisticRegression(
                C=self.feedback_c, class_weight="balanced", random_state=self.random_state
            ),
        )
        self.feedback_model_ = model.fit(x, labels)
        return self

    def _feedback_row(self, demand, listing_id):
        position = self.id_to_position_[listing_id]
        ctx = self._demand_context(demand)
        positions = np.array([position])
        rel = self._relevance_matrix(ctx["sc"], ctx["sw"], ctx["bm"], ctx["dist"], positions)
        pair = self._pair_matrix(demand, positions)
        base = self._relevance_scores(rel) + pair @ self.pair_weights_
        return np.column_stack([base, rel, pair])[0]

    # ------------------------------------------------------------------ ranking
    def _demand_context(self, demand, similarities=True):
        """What ranking reads of a demand: its text, codes and code distribution, and with
        ``similarities`` its char, word and BM25 scores against every listing. Without them
        (``rank_demands``) a demand with codes costs nothing against the index; one without
        is still compared with every listing, for the neighbour vote."""
        text = _text_of(demand)
        codes = _codes_of(demand)
        if codes and not similarities:
            return {"text": text, "codes": codes, "dist": self.index_.indicator_distribution(codes)}
        xc, xw = self.index_.encode([text])
        sc, sw = self.index_.similarities(xc, xw)
        sc, sw = sc[0], sw[0]
        if codes:
            dist = self.index_.indicator_distribution(codes)
        else:
            sim = combined_similarity(sc, sw)
            votes = self.index_.code_distribution(sim, self.n_neighbors, self.vote_power)
            lin = self.classifier_._linear_proba(xc, xw)
            dist = self.classifier_.combine(
                votes, None if lin is None else lin[0], (sim, xc, xw, None)
            )
        if not similarities:
            return {"text": text, "codes": codes, "dist": dist}
        bm = self.index_.bm25_scores([text])[0]
        return {"text": text, "codes": codes, "sc": sc, "sw": sw, "bm": bm, "dist": dist}

    def _relevance_scores(self, rel):
        return rel @ self.relevance_weights_ + self.relevance_intercept_

    def _pair_matrix(self, demand, positions):
        """PAIR_FEATURES for the indexed listings at ``positions`` (as ``_pair_values``)."""
        budget_fit = np.zeros(positions.size)
        budget = _number(demand.get("budget"))
        if budget and budget > 0:
            price = self.prices_[positions]
            known = np.isfinite(price) & (price >= 0)
            cost = price * _quantity(demand)
            over = -np.minimum(1.0, (cost - budget) / budget)
            budget_fit = np.where(known, np.where(cost <= budget, 1.0, over), 0.0)
        same_region = np.zeros(positions.size)
        region = _region(demand.get("region"))
        if region:
            same_region = np.array(
                [
                    1.0 if r and (r.startswith(region) or region.startswith(r)) else 0.0
                    for r in (self.regions_[p] for p in positions)
                ]
            )
        return np.column_stack([budget_fit, same_region, self.listing_static_[positions]])

    def _score_candidates(self, demand, rel, positions):
        pair = self._pair_matrix(demand, positions)
        base = self._relevance_scores(rel) + pair @ self.pair_weights_
        return self._with_feedback(base, rel, pair)

    def _with_feedback(self, base, rel, pair):
        if self.feedback_model_ is None:
            return base
        n = len(self.feedback_pairs_)
        weight = FEEDBACK_MAX_WEIGHT * n / (n + FEEDBACK_HALF_WEIGHT_PAIRS)
        p = self.feedback_model_.predict_proba(np.column_stack([base, rel, pair]))[:, 1]
        return base + weight * (p - 0.5)

    def rank(self, demand: dict, k: int = 10, explain: bool = True) -> list[Match]:
        """The ``k`` best listings for ``demand``, best first, each with its reasons.

        :raise sklearn.exceptions.NotFittedError: before ``fit``.
        """
        check_is_fitted(self, "index_")
        ctx = self._demand_context(demand)
        score = self._relevance_all(
            ctx["sc"],
            ctx["sw"],
            ctx["bm"],
            ctx["dist"],
            self.relevance_weights_,
            self.relevance_intercept_,
        )
        n = score.size
        n_candidates = min(max(self.n_candidates, k), n)
        if n_candidates < n:
            positions = np.argpartition(-score, n_candidates - 1)[:n_candidates]
        else:
            positions = np.arange(n)
        rel = self._relevance_matrix(ctx["sc"], ctx["sw"], ctx["bm"], ctx["dist"], positions)
        final = self._score_candidates(demand, rel, positions)
        order = np.lexsort((positions, -final))[:k]
        out = []
        for i in order:
            p = int(positions[i])
            reasons = self._reasons(demand, ctx, p) if explain else []
            out.append(Match(self.listing_ids_[p], float(final[i]), reasons))
        return out

    def explain(self, demand: dict, listing_id) -> list[Reason]:
        """The reasons ``listing_id`` matches ``demand`` (as ``rank`` would give them).

        :raise KeyError: for an unknown listing id.
        """
        check_is_fitted(self, "index_")
        if listing_id not in self.id_to_position_:
            raise KeyError(listing_id)
        return self._reasons(demand, self._demand_context(demand), self.id_to_position_[listing_id])

    def prepare_demands(self, demands: Iterable[dict]) -> PreparedDemands:
        """Work out, once, what ranking demands against a listing needs of ``demands``.

        ``rank_demands(listing, prepared)`` then costs only the listing's side: rank many
        listings (a supplier's products, every supplier's dashboard) against the same open
        demands without predicting each demand's codes again. The rankings are identical to
        passing the demands themselves.
        """
        check_is_fitted(self, "index_")
        demands = tuple(dict(d) for d in demands)
        texts = [_text_of(d) for d in demands]
        chars, words = self.index_.encode(texts) if texts else (None, None)
        return PreparedDemands(
            demands=demands,
            contexts=tuple(self._demand_context(d, similarities=False) for d in demands),
            chars=chars,
            words=words,
            bm25=BM25().fit(texts) if texts else None,
            matcher=self,
        )

    def rank_demands(self, listing: dict, demands, k: int = 10) -> list:
        """The ``k`` demands best served by ``listing`` (a supplier's view), best first.

        ``demands`` is an iterable of demand dicts or what ``prepare_demands`` made of them.
        Demands without codes get the code distribution predicted from their text.
        Returns :class:`DemandMatch` items (``demand_id`` is the demand's ``id``, or its
        position in ``demands`` when it has none).

        :raise ValueError: for demands prepared by another matcher.
        """
        check_is_fitted(self, "index_")
        if isinstance(demands, PreparedDemands):
            if demands.matcher is not self:
                raise ValueError("these demands were prepared by another matcher")
            prepared = demands
        else:
            prepared = self.prepare_demands(demands)
        if not prepared.demands:
            return []
        demands, contexts = prepared.demands, prepared.contexts
        listing_text = _text_of(listing)
        listing_codes = _codes_of(listing)
        meta = {
            "text": listing_text,
            "codes": listing_codes,
            **{key: listing.get(key) for key in ("price", "region", "trl", "index", "pilots")},
        }
        lxc, lxw = self.index_.encode([listing_text])
        sc = np.asarray((prepared.chars @ lxc.T).toarray()).ravel()
        sw = np.asarray((prepared.words @ lxw.T).toarray()).ravel()
        # BM25 the other way round: the listing's text as the query over these demands.
        bm = prepared.bm25.scores(listing_text)
        bm = bm / bm.max() if bm.size and bm.max() > 0 else np.zeros(len(demands))
        rows = [
            [sc[j], sw[j], bm[j], *self._level_probabilities(ctx, listing_codes)]
            for j, ctx in enumerate(contexts)
        ]
        rel = np.array(rows, dtype=np.float64)
        pair = np.vstack([_pair_values(d, meta) for d in demands])
        base = self._relevance_scores(rel) + pair @ self.pair_weights_
        final = self._with_feedback(base, rel, pair)
        order = np.lexsort((np.arange(final.size), -final))[:k]
        out = []
        for j in order:
            reasons = self._reasons_for(demands[j], contexts[j], meta, levels=rel[j, 3:])
            out.append(DemandMatch(demands[j].get("id", int(j)), float(final[j]), reasons))
        return out

    def _level_probabilities(self, ctx, listing_codes):
        """P(the demand's code agrees with the listing's at each level)."""
        if ctx["codes"]:
            depth = max(
                (agreement_depth(a, b) for a in ctx["codes"] for b in listing_codes), default=0
            )
            return [1.0 if depth > i else 0.0 for i in range(MAX_DEPTH)]
        out = []
        for (level, _), lookup, level_dist in zip(
            LEVELS, self.index_.lookups, ctx["dist"], strict=True
        ):
            best = 0.0
            for code in listing_codes:
                p = code_prefix(code, level)
                if p is not None and p in lookup:
                    best = max(best, float(level_dist[lookup[p]]))
            out.append(best)
        return out

    # ------------------------------------------------------------ explanations
    def _reasons(self, demand, ctx, position):
        listing = self.listings_[position]
        levels = [
            float(self.index_.gather(level_dist, li, [position])[0])
            for li, level_dist in enumerate(ctx["dist"])
        ]
        return self._reasons_for(demand, ctx, listing, levels, position=position)

    def _key_terms(self, terms: list[str]) -> list[str]:
        """The shared terms worth showing, at most ``SHARED_TERMS_SHOWN``: in a catalogue of
        ``COMMON_TERM_MIN_LISTINGS`` or more, a word in more than ``COMMON_TERM_SHARE`` of the
        listings ("state", "system", 상태) says nothing about this pair and is left out, and the
        rarer words come first. Smaller catalogues keep them all, longest first."""
        encoder = self.index_.encoder
        n = len(self.listings_)
        if n < COMMON_TERM_MIN_LISTINGS or getattr(encoder, "words_", None) is None:
            return terms[:SHARED_TERMS_SHOWN]
        # sklearn's smoothed IDF of a word in exactly that share of the listings.
        floor = np.log((1 + n) / (1 + COMMON_TERM_SHARE * n)) + 1
        rated = [(encoder.idf(term), term) for term in terms]
        kept = [pair for pair in rated if pair[0] > floor]
        kept.sort(key=lambda pair: (-pair[0], -len(pair[1]), pair[1]))
        return [term for _idf, term in kept[:SHARED_TERMS_SHOWN]]

    def _reasons_for(self, demand, ctx, listing, levels, position=None):
        reasons = []
        terms = self._key_terms(shared_terms(ctx["text"], listing["text"], limit=None))
        if terms:
            reasons.append(Reason("shared_terms", {"terms": terms}))
        listing_codes = listing.get("codes") or []
        if ctx["codes"] and listing_codes:
            pairs = [(agreement_depth(a, b), b) for a in ctx["codes"] for b in listing_codes]
            depth, code = max(pairs, key=lambda x: x[0])
            if depth > 0:
                level = LEVEL_NAMES[depth - 1]
                shown = code if level == "exact" else code_prefix(code, level)
                reasons.append(Reason("code_match", {"level": level, "code": shown}))
        elif listing_codes:
            for depth in range(MAX_DEPTH, 0, -1):
                probability = float(levels[depth - 1])
                if probability >= PREDICTED_REASON_MIN_PROBABILITY:
                    level = LEVEL_NAMES[depth - 1]
                    reasons.append(
                        Reason(
                            "predicted_code",
                            {
                                "level": level,
                                "code": self._likeliest_prefix(ctx, listing_codes, level),
                                "probability": round(probability, 2),
                            },
                        )
                    )
                    break
        budget, price = _number(demand.get("budget")), _number(listing.get("price"))
        if budget and budget > 0 and price is not None:
            quantity = _quantity(demand)
            cost = price * quantity
            if cost <= budget:
                params = {"price": int(price), "budget": int(budget)}
                if quantity > 1:
                    params["quantity"] = quantity
                reasons.append(Reason("within_budget", params))
            else:
                percent = math.ceil(100.0 * (cost - budget) / budget)
                reasons.append(Reason("over_budget", {"percent": percent}))
        if _same_region(demand.get("region"), listing.get("region")):
            reasons.append(Reason("same_region", {"region": listing.get("region")}))
        trl = _number(listing.get("trl"))
        if trl is not None:
            reasons.append(Reason("readiness", {"trl": int(trl)}))
        index = _number(listing.get("index"))
        if index is not None:
            reasons.append(Reason("innovation_index", {"index": index}))
        pilots = _number(listing.get("pilots"))
        if pilots:
            reasons.append(Reason("pilot_record", {"pilots": int(pilots)}))
        if not reasons:
            if position is not None:
                similarity = float(combined_similarity(ctx["sc"][position], ctx["sw"][position]))
            else:
                similarity = 0.0
            reasons.append(Reason("text_similarity", {"similarity": round(similarity, 2)}))
        return reasons

    def _likeliest_prefix(self, ctx, listing_codes, level):
        """The listing's prefix at ``level`` that the demand's distribution favours most."""
        li = LEVEL_NAMES.index(level)
        lookup, dist = self.index_.lookups[li], ctx["dist"][li]
        best, best_p = None, -1.0
        for code in listing_codes:
            prefix = code_prefix(code, level)
            if prefix is None:
                continue
            p = float(dist[lookup[prefix]]) if prefix in lookup else 0.0
            if p > best_p:
                best, best_p = prefix, p
        return best or listing_codes[0]

    # ------------------------------------------------------------- classifier
    def suggest_codes(self, text: str, k: int = 3, level: str | None = None):
        """The ``k`` likeliest code prefixes for ``text`` (:class:`CodeSuggestion` list).

        ``level`` defaults to ``classifier_level`` (``"group"``).
        """
        check_is_fitted(self, "index_")
        return self.classifier_.suggest(text, k=k, level=level)

    # ------------------------------------------------------------- persistence
    def save(self, path, metrics: dict | None = None):
        """Write the fitted matcher to ``path`` in a versioned envelope (see persistence)."""
        from matching.persistence import save_matcher

        save_matcher(self, path, metrics=metrics)

    @classmethod
    def load(cls, path) -> Matcher:
        """Read a matcher written by :meth:`save`. Only load files you wrote: it unpickles.

        :raise IncompatibleModelError: for another format version, a corrupt or foreign file.
        """
        from matching.persistence import load_matcher

        return load_matcher(path)
