"""Demand gaps (수요 공백): cluster demands, measure how well supply answers each cluster.

Plain data in, plain data out; no Flask, no database. :func:`find_gaps` takes demand dicts
(``id``, ``text``, ``codes``, ``budget``, ``agency``) and the evidence of supply, and returns
a :class:`GapReport` whose clusters are ranked weakest supply first.

Method
------
1. **Features.** Each demand becomes one row: the two TF-IDF views of
   :class:`~matching.text.TextEncoder` (character n-grams inside word boundaries 2–4, which
   copes with Korean particles without a dictionary, and word 1–2-grams), plus TF-IDF over the
   prefixes of its classification codes at every level (division, group, class, exact), so
   two demands with the same CPV group are near even when worded differently. Each view is
   L2-normalised and weighted (:data:`VIEW_WEIGHTS`), and the row is L2-normalised again, so
   squared Euclidean distance is a monotone function of cosine similarity.
2. **Clusters.** The rows are projected on their first :data:`N_COMPONENTS` singular
   directions (LSA, ``TruncatedSVD(random_state=seed)``) and normalised again; then k-means
   (``random_state=seed``, ``n_init=10``) runs for every k from 2 to :func:`k_max` (about
   √(2n), at most :data:`MAX_K`); the k with the best mean silhouette (cosine) wins, the
   smaller k on a tie. Large inputs are sampled (seeded): above :data:`KMEANS_SAMPLE`
   demands k-means is fitted on a sample and assigns the rest to the nearest centre, above
   :data:`SILHOUETTE_SAMPLE` the silhouette is measured on a sample. Demands are sorted by
   id first, so the result does not depend on the order they were given in.
3. **Labels.** Characteristic terms are the word tokens (Korean particles stripped) whose mean
   TF-IDF inside the cluster most exceeds their mean outside it, among those used by at least
   a third of its demands. Korean (Hangul) and English (Latin) terms are kept apart, so each
   language gets its own list. The terms of a language label the cluster when at least a
   third of its demands are written mainly in that language (so a few acronyms in Korean
   text do not make the English label); otherwise the label is that of the cluster's
   characteristic code (the most specific code or code prefix at least half of its demands
   share) through ``code_labels``; the app passes CPV labels (Korean division names, English
   CPV names).
4. **Supply.** Three kinds of evidence, each between 0 and 1, combined by a noisy-OR
   (supply is strong when *any* evidence is strong, weak only when all are weak):

   * *match*: the mean, over the cluster's demands, of the mean of the matcher's scores of
     each demand's :data:`TOP_K` best listings (each clipped to 0–1): a demand is well
     answered when there is a choice of fitting listings. A cluster of more than
     :data:`MAX_SCORED_PER_CLUSTER` demands is measured on that many, spread evenly over it;
   * *proposals*: the share of the cluster's demands that received at least one proposal;
   * *pilots*: p / (p + :data:`PILOT_HALF`) where p counts the pilots done with the
     *answering* listings (among a demand's best, scoring at least :data:`ANSWER_SCORE`).

   ``supply = 1 − (1 − match)(1 − proposals)(1 − pilots)`` and ``gap_score = 1 − supply``.
5. **Gaps.** A cluster is a gap when it holds real demand — at least ``min_size`` demands —
   and its supply is below ``weak_supply`` (0.5).

Every step is deterministic given the seed and the input.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from matching.codes import LEVEL_NAMES, code_prefix, normalize_code
from matching.text import (
    KOREAN_PREDICATE_ENDINGS,
    KOREAN_STOP_TERMS,
    MIN_TERM_LENGTH_HANGUL,
    MIN_TERM_LENGTH_LATIN,
    TextEncoder,
    _strip_korean_suffix,
    is_hangul,
    word_tokens,
)

#: Weights of the character, word and code views in a demand's feature row.
VIEW_WEIGHTS = {"chars": 1.0, "words": 1.0, "codes": 1.0}
#: Dimensions kept by the LSA projection before k-means (fast and less noisy than raw TF-IDF).
N_COMPONENTS = 100
#: The largest number of clusters tried, whatever the number of demands.
MAX_K = 30
#: Beyond this many demands k-means is fitted on a sample of this size (``KMEANS_SAMPLE_INIT``
#: starts) and every demand is assigned to its nearest centre, and the silhouette is the
#: mean over ``SILHOUETTE_SAMPLE`` demands: the exact forms cost O(n²) and, at 40,000
#: demands, hours. Below them nothing is sampled.
KMEANS_SAMPLE = 5_000
KMEANS_SAMPLE_INIT = 3
SILHOUETTE_SAMPLE = 2_000
#: Up to this many demands the clustering runs on one thread (see ``choose_clusters``).
SINGLE_THREAD_MAX_ROWS = 1_000
#: The matcher ranks listings for at most this many demands per cluster (spread evenly over
#: the cluster by id); the supply evidence of a larger cluster is the mean over them.
MAX_SCORED_PER_CLUSTER = 50
#: How many of a demand's best listings speak for the supply of it.
TOP_K = 3
#: A listing "answers" a demand (and its pilots count) from this matcher score on.
ANSWER_SCORE = 0.5
#: Pilots done with answering listings at which the pilot evidence reaches one half.
PILOT_HALF = 2.0
#: Below this supply strength a cluster of real demand is a gap.
WEAK_SUPPLY = 0.5
#: Characteristic terms kept per language.
N_TERMS = 6
#: Terms in a label (per language).
LABEL_TERMS = 3
#: A characteristic term is used by at least this share of the cluster's demands.
MIN_TERM_SHARE = 1 / 3

#: ``scorer(demand) -> [(listing_id, score), …]`` best first, or a precomputed mapping.
Scorer = Callable[[dict], Sequence[tuple[object, float]]]
CodeLabels = Callable[[str], tuple[str, str] | None] | Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class Cluster:
    """One cluster of demands with its labels, demand and supply measures.

    ``best_scores`` are the best matcher scores of the demands the matcher ranked listings
    for: every demand of the cluster, or ``MAX_SCORED_PER_CLUSTER`` of them spread over a
    larger one (``match`` and the answering listings come from the same demands).
    """

    key: str
    demand_ids: list
    terms_ko: list[str]
    terms_en: list[str]
    label_ko: str
    label_en: str
    code: str | None
    agencies: list
    total_budget: int
    match: float
    best_scores: list[float]
    proposals: int
    proposal_share: float
    pilots: int
    answering_listings: list
    supply: float
    gap_score: float
    is_gap: bool

    @property
    def size(self) -> int:
        return len(self.demand_ids)

    def label(self, locale: str) -> str:
        return self.label_ko if locale == "ko" else self.label_en

    def to_dict(self) -> dict:
        out = asdict(self)
        out["size"] = self.size
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> Cluster:
        """The cluster ``to_dict`` described (its derived ``size`` is ignored)."""
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class GapReport:
    """All clusters (gaps first, weakest supply first) and how they were found."""

    clusters: list[Cluster]
    k: int
    silhouette: float | None
    seed: int
    min_size: int
    weak_supply: float
    n_demands: int
    k_scores: dict[int, float] = field(default_factory=dict)

    @property
    def gaps(self) -> list[Cluster]:
        return [c for c in self.clusters if c.is_gap]

    def cluster(self, key: str) -> Cluster | None:
        return next((c for c in self.clusters if c.key == key), None)

    def to_dict(self) -> dict:
        return {
            "k": self.k,
            "silhouette": self.silhouette,
            "seed": self.seed,
            "min_size": self.min_size,
            "weak_supply": self.weak_supply,
            "n_demands": self.n_demands,
            "k_scores": {str(k): v for k, v in self.k_scores.items()},
            "clusters": [c.to_dict() for c in self.clusters],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> GapReport:
        """The report ``to_dict`` wrote, e.g. read back from storage as JSON."""
        return cls(
            clusters=[Cluster.from_dict(c) for c in data["clusters"]],
            k=data["k"],
            silhouette=data["silhouette"],
            seed=data["seed"],
            min_size=data["min_size"],
            weak_supply=data["weak_supply"],
            n_demands=data["n_demands"],
            k_scores={int(k): v for k, v in data.get("k_scores", {}).items()},
        )


#: A cluster's key: this many lower-case hex digits (``cluster_key``).
KEY_LENGTH = 16
_KEY = re.compile(f"[0-9a-f]{{{KEY_LENGTH}}}")


def cluster_key(demand_ids: Iterable) -> str:
    """A stable name for a set of demands: the first 16 hex digits of SHA-256 of the sorted ids."""
    text = ",".join(sorted(str(i) for i in demand_ids))
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def is_cluster_key(text: str) -> bool:
    """Whether ``text`` has the shape of a ``cluster_key`` (a cheap check before any analysis)."""
    return _KEY.fullmatch(text) is not None


def k_max(n: int) -> int:
    """The largest k tried for ``n`` demands: round(√(2n)), at least 2, at most n − 1 and MAX_K."""
    return max(2, min(n - 1, MAX_K, round(math.sqrt(2 * n))))


# -- features ---------------------------------------------------------------------------------


def _code_tokens(codes) -> list[str]:
    tokens = []
    for code in codes or []:
        if normalize_code(code) is None:
            continue
        for level in LEVEL_NAMES:
            prefix = code_prefix(code, level)
            if prefix is not None:
                tokens.append(f"{level}:{prefix}")
    return tokens


def _codes_of(demand: dict) -> list[str]:
    codes = demand.get("codes") or []
    if isinstance(codes, str):
        codes = [codes]
    return [str(c) for c in codes if normalize_code(c)]


def features(texts: list[str], codes: list[list[str]]) -> sp.csr_matrix:
    """The demand × feature matrix: weighted character, word and code TF-IDF views."""
    xc, xw = TextEncoder().fit_transform(texts)
    views = [VIEW_WEIGHTS["chars"] * xc, VIEW_WEIGHTS["words"] * xw]
    if any(codes):
        vectorizer = TfidfVectorizer(analyzer=_code_tokens, sublinear_tf=True, dtype=np.float64)
        views.append(VIEW_WEIGHTS["codes"] * vectorizer.fit_transform(codes))
    matrix = sp.hstack([v.astype(np.float64) for v in views]).tocsr()
    return normalize(matrix)


def reduce(matrix, seed: int) -> np.ndarray:
    """Latent semantic analysis: the rows projected on at most N_COMPONENTS directions."""
    n, m = matrix.shape
    components = min(N_COMPONENTS, n - 1, m - 1)
    if components < 2:
        return matrix.toarray()
    svd = TruncatedSVD(n_components=components, random_state=seed)
    return normalize(svd.fit_transform(matrix))


def choose_clusters(matrix, seed: int) -> tuple[np.ndarray, int, float | None, dict[int, float]]:
    """Cluster labels, k, its silhouette and the silhouette of every k tried."""
    n = matrix.shape[0]
    if n < 3:
        return np.zeros(n, dtype=np.int64), 1, None, {}
    if n > SINGLE_THREAD_MAX_ROWS:
        return _choose_clusters(matrix, seed)
    # A few hundred demands: hundreds of tiny k-means runs, where starting OpenMP and BLAS
    # threads costs more than the work (on two busy cores, 2.7 s instead of 1.2 s for the
    # demo market's 55 demands, measured 2026-12-02). One thread gives the same clusters.
    with threadpool_limits(limits=1):
        return _choose_clusters(matrix, seed)


def _choose_clusters(matrix, seed: int):
    n = matrix.shape[0]
    matrix = reduce(matrix, seed)
    rng = np.random.RandomState(seed)
    fit_rows = None
    if n > KMEANS_SAMPLE:
        fit_rows = np.sort(rng.choice(n, size=KMEANS_SAMPLE, replace=False))
    silhouette_rows = None
    if n > SILHOUETTE_SAMPLE:
        silhouette_rows = np.sort(rng.choice(n, size=SILHOUETTE_SAMPLE, replace=False))
    scores: dict[int, float] = {}
    best = None
    for k in range(2, k_max(n) + 1):
        if fit_rows is None:
            labels = KMeans(n_clusters=k, random_state=seed, n_init=10).fit(matrix).labels_
        else:
            model = KMeans(n_clusters=k, random_state=seed, n_init=KMEANS_SAMPLE_INIT)
            labels = model.fit(matrix[fit_rows]).predict(matrix)
        if np.unique(labels).size < 2:
            continue
        if silhouette_rows is None:
            score = float(silhouette_score(matrix, labels, metric="cosine"))
        elif np.unique(labels[silhouette_rows]).size < 2:
            continue
        else:
            rows = silhouette_rows
            score = float(silhouette_score(matrix[rows], labels[rows], metric="cosine"))
        scores[k] = round(score, 6)
        if best is None or score > best[2] + 1e-9:
            best = (labels, k, score)
    if best is None:
        return np.zeros(n, dtype=np.int64), 1, None, scores
    return best[0], best[1], round(best[2], 6), scores


# -- labels -----------------------------------------------------------------------------------


def term_tokens(text: str) -> list[str]:
    """Label terms of a text: Korean tokens without particles, English tokens without stop words."""
    out = []
    for token in word_tokens(text):
        if token.isdigit() or any(ch.isdigit() for ch in token):
            continue
        if is_hangul(token):
            if not all(is_hangul(ch) for ch in token):
                continue
            stem = _strip_korean_suffix(token)
            stop = (
                token in KOREAN_STOP_TERMS
                or stem in KOREAN_STOP_TERMS
                or token.endswith(KOREAN_PREDICATE_ENDINGS)
            )
            if len(stem) >= MIN_TERM_LENGTH_HANGUL and not stop:
                out.append(stem)
        elif (
            token.isascii()
            and token.isalpha()
            and len(token) >= MIN_TERM_LENGTH_LATIN
            and token not in ENGLISH_STOP_WORDS
        ):
            out.append(token)
    return out


def _characteristic_terms(term_matrix, vocabulary, members: np.ndarray) -> tuple[list, list]:
    inside = term_matrix[members]
    n_inside = inside.shape[0]
    mean_in = np.asarray(inside.mean(axis=0)).ravel()
    others = np.setdiff1d(np.arange(term_matrix.shape[0]), members)
    if others.size:
        mean_out = np.asarray(term_matrix[others].mean(axis=0)).ravel()
    else:
        mean_out = np.zeros_like(mean_in)
    share = np.asarray((inside > 0).sum(axis=0)).ravel() / n_inside
    needed = 1.0 if n_inside == 1 else max(2 / n_inside, MIN_TERM_SHARE)
    score = mean_in - mean_out
    eligible = (share >= needed - 1e-9) & (mean_in > 0)
    if not eligible.any():  # nothing shared enough: fall back to the cluster's own weights
        eligible = mean_in > 0
    order = sorted(np.flatnonzero(eligible), key=lambda j: (-score[j], -mean_in[j], vocabulary[j]))
    ko, en = [], []
    for j in order:
        term = vocabulary[j]
        target = ko if is_hangul(term) else en
        if len(target) < N_TERMS and not any(term in kept or kept in term for kept in target):
            target.append(term)
    return ko, en


def _characteristic_code(codes: list[list[str]]) -> str | None:
    """The most specific code (or prefix) at least half of the demands share, if any."""
    for level in reversed(LEVEL_NAMES):
        counts = Counter()
        for item in codes:
            counts.update({code_prefix(c, level) for c in item} - {None})
        if counts:
            prefix, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if count * 2 >= len(codes):
                return prefix
    return None


def _mainly_latin(text: str) -> bool:
    """Whether a text has more Latin letters than Hangul syllables (English-written)."""
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return latin > sum(1 for ch in text if is_hangul(ch))


def _label(terms: list[str], written_share: float, code_label: str) -> str:
    """Terms label a cluster in their language when enough of it is written in that language;
    otherwise the code's label does (a few acronyms in Korean text make no English label)."""
    if terms and written_share >= MIN_TERM_SHARE - 1e-9:
        return " · ".join(terms[:LABEL_TERMS])
    return code_label or " · ".join(terms[:LABEL_TERMS])


def _code_label(code_labels: CodeLabels | None, code: str | None) -> tuple[str, str] | None:
    if code_labels is None or code is None:
        return None
    if callable(code_labels):
        return code_labels(code)
    return code_labels.get(code)


# -- supply -----------------------------------------------------------------------------------


def _scores_for(supply, demand: dict) -> list[tuple[object, float]]:
    if supply is None:
        return []
    found = supply(demand) if callable(supply) else supply.get(demand["id"], [])
    return [(listing, float(score)) for listing, score in list(found)[:TOP_K]]


def _clip(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def _noisy_or(*evidence: float) -> float:
    product = 1.0
    for value in evidence:
        product *= 1.0 - _clip(value)
    return 1.0 - product


# -- the analysis -----------------------------------------------------------------------------


def find_gaps(
    demands: Iterable[dict],
    supply: Scorer | Mapping | None = None,
    *,
    proposals: Mapping | None = None,
    pilots: Mapping | None = None,
    seed: int = 0,
    min_size: int = 2,
    weak_supply: float = WEAK_SUPPLY,
    code_labels: CodeLabels | None = None,
) -> GapReport:
    """Cluster ``demands`` and measure the supply of each cluster.

    :param demands: dicts with ``id`` (unique), ``text``, optional ``title``, ``codes``,
        ``budget`` (won) and ``agency`` (any hashable, e.g. a name).
    :param supply: ``scorer(demand) -> [(listing_id, score), …]`` best first (e.g. from
        :meth:`Matcher.rank`), or a mapping demand id → that list. Only the first
        :data:`TOP_K` count.
    :param proposals: demand id → number of proposals received.
    :param pilots: listing id → number of pilots done with it.
    :param seed: the k-means ``random_state``; the same seed and input give the same report.
    :param min_size: the fewest demands a cluster needs to be real demand (and a gap).
    :param code_labels: code prefix → ``(korean, english)`` labels, as a mapping or callable.
    :raise ValueError: for a demand without an id, or a repeated id.
    """
    records = [dict(d) for d in demands]
    ids = [r.get("id") for r in records]
    if any(i is None for i in ids):
        raise ValueError("every demand needs an 'id'")
    if len(set(ids)) != len(ids):
        raise ValueError("demand ids must be unique")
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    records.sort(key=lambda r: (str(type(r["id"])), r["id"]))
    proposals = proposals or {}
    pilots = pilots or {}
    if not records:
        return GapReport([], 0, None, seed, min_size, weak_supply, 0)
    texts = [" ".join(str(p) for p in (r.get("title"), r.get("text")) if p) for r in records]
    codes = [_codes_of(r) for r in records]
    matrix = features(texts, codes)
    labels, k, silhouette, k_scores = choose_clusters(matrix, seed)
    terms = TfidfVectorizer(analyzer=term_tokens, sublinear_tf=True, dtype=np.float64)
    try:
        term_matrix = terms.fit_transform(texts).tocsr()
        vocabulary = terms.get_feature_names_out().tolist()
    except ValueError:  # no term at all
        term_matrix, vocabulary = sp.csr_matrix((len(records), 0)), []

    clusters = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        member_ids = [records[i]["id"] for i in members]
        if vocabulary:
            terms_ko, terms_en = _characteristic_terms(term_matrix, vocabulary, members)
        else:
            terms_ko, terms_en = [], []
        code = _characteristic_code([codes[i] for i in members])
        named = _code_label(code_labels, code)
        written_en = sum(1 for i in members if _mainly_latin(texts[i])) / members.size
        label_ko = _label(terms_ko, 1.0 - written_en, named[0] if named else "")
        label_en = _label(terms_en, written_en, named[1] if named else "")
        label_ko = label_ko or label_en or (code or "—")
        label_en = label_en or label_ko
        agencies = sorted(
            {records[i].get("agency") for i in members if records[i].get("agency") is not None},
            key=str,
        )
        budget = sum(int(records[i].get("budget") or 0) for i in members)
        per_demand = []
        best_scores = []
        answering: dict = {}
        scored = members
        if members.size > MAX_SCORED_PER_CLUSTER:  # evenly spread over the cluster, by id
            scored = members[
                np.linspace(0, members.size - 1, MAX_SCORED_PER_CLUSTER).round().astype(int)
            ]
        for i in scored:
            found = _scores_for(supply, records[i])
            values = [_clip(s) for _l, s in found]
            per_demand.append(sum(values) / TOP_K if values else 0.0)
            best_scores.append(round(max((s for _l, s in found), default=0.0), 4))
            for listing, score in found:
                if score >= ANSWER_SCORE:
                    answering.setdefault(listing, None)
        match = float(np.mean(per_demand)) if per_demand else 0.0
        received = [int(proposals.get(i, 0) or 0) for i in member_ids]
        proposal_share = sum(1 for r in received if r > 0) / len(member_ids)
        pilot_count = sum(int(pilots.get(listing, 0) or 0) for listing in answering)
        pilot_evidence = pilot_count / (pilot_count + PILOT_HALF)
        strength = _noisy_or(match, proposal_share, pilot_evidence)
        clusters.append(
            Cluster(
                key=cluster_key(member_ids),
                demand_ids=member_ids,
                terms_ko=terms_ko,
                terms_en=terms_en,
                label_ko=label_ko,
                label_en=label_en,
                code=code,
                agencies=agencies,
                total_budget=budget,
                match=round(match, 4),
                best_scores=best_scores,
                proposals=sum(received),
                proposal_share=round(proposal_share, 4),
                pilots=pilot_count,
                answering_listings=list(answering),
                supply=round(strength, 4),
                gap_score=round(1.0 - strength, 4),
                is_gap=len(member_ids) >= min_size and strength < weak_supply,
            )
        )
    clusters.sort(key=lambda c: (not c.is_gap, -c.gap_score, -c.total_budget, c.key))
    return GapReport(
        clusters=clusters,
        k=k,
        silhouette=silhouette,
        seed=seed,
        min_size=min_size,
        weak_supply=weak_supply,
        n_demands=len(records),
        k_scores=k_scores,
    )


def matcher_scorer(matcher, k: int = TOP_K) -> Scorer:
    """A supply scorer from a fitted :class:`~matching.matcher.Matcher` (or ``None``)."""

    def score(demand: dict) -> list[tuple[object, float]]:
        if matcher is None:
            return []
        return [(m.listing_id, m.score) for m in matcher.rank(demand, k=k, explain=False)]

    return score
