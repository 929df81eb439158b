"""Suggest classification codes for a text: a nearest-neighbour vote blended with a linear model.

A k-nearest-neighbour vote over TF-IDF cosine similarities copes with thousands of sparse
classes (1,864 GSIN codes in the Canadian file) and yields a probability for every prefix
level at once, which the matcher uses to score listings by expected code agreement.

With enough coded listings a linear model (one-vs-rest linear SVMs, :mod:`matching.linear`)
also predicts the *group*. Its probabilities are blended with the vote's at group level; the
division level gets the blend of the linear groups summed per division and the vote; class
and exact code keep the vote's distribution *within* each group, rescaled to the blended
group probability (hierarchical back-off). The blend weight and the softmax temperature are
chosen at fit time by cross-validation on the listings alone: listings held out of the
linear model's training, their vote cast by the other listings, scored by top-1 + top-3
group accuracy. The same held-out listings then train a re-ranker of the blend's top groups
(a logistic regression over per-group evidence, code-name similarity among it), kept only
when a nested cross-validation says it helps.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from matching.codes import LEVEL_NAMES, code_prefix, code_prefixes, level_index
from matching.index import ListingIndex, _as_list, combined_similarity
from matching.linear import GroupLinearModel, softmax_into, stack_views
from matching.text import TextEncoder

#: Defaults, declared once: neighbours voting and how sharply similarity weighs a vote.
N_NEIGHBORS = 25
VOTE_POWER = 3.0
#: The linear model is trained from this many listings with a group code on.
LINEAR_MIN_LISTINGS = 40
#: At most this many listings train it (a random sample beyond), bounding fit time.
LINEAR_MAX_ROWS = 5_000
#: Cross-validation that picks the blend: held-out listings, folds, and the grids.
CV_HOLDOUT = 1000
CV_FOLDS = 3
BLEND_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
TEMPERATURE_GRID = (3.0, 10.0, 30.0)
DEFAULT_TEMPERATURE = 10.0
#: Training rows from which the cross-validation's linear models fit in parallel processes
#: (below it, starting the workers costs more than it saves).
PARALLEL_MIN_ROWS = 2_000
_GROUP = LEVEL_NAMES.index("group")
#: Re-ranking of the blend's top groups by a logistic regression over per-(text, group)
#: evidence, trained on the cross-validation's held-out listings (kept only if it wins a
#: nested cross-validation on them).
RERANK_CANDIDATES = 20
RERANK_C = 0.1
RERANK_FOLDS = 5
_CHUNK = 256


@dataclass(frozen=True)
class CodeSuggestion:
    """A suggested code prefix at the requested level, with its estimated probability.

    ``example`` is the most strongly voted full code under that prefix.
    """

    code: str
    probability: float
    level: str
    example: str | None = None


class CodeClassifier(ClassifierMixin, BaseEstimator):
    """Classify texts into code prefixes at ``level``: neighbour vote (+ linear model).

    ``fit(texts, codes, code_names=None)`` takes one code, or a list of codes, per text
    (``None`` allowed and ignored), and optionally the codes' names (``{code: name}``), each
    of which trains the linear model as one more example of its code's group.
    ``linear=False`` keeps the pure neighbour vote.
    """

    def __init__(
        self,
        level="group",
        n_neighbors=N_NEIGHBORS,
        vote_power=VOTE_POWER,
        linear=True,
        random_state=None,
    ):
        self.level = level
        self.n_neighbors = n_neighbors
        self.vote_power = vote_power
        self.linear = linear
        self.random_state = random_state

    def fit(self, texts, codes, code_names=None):
        texts = list(texts)
        codes = list(codes)
        if len(texts) != len(codes):
            raise ValueError("texts and codes must have the same length")
        if not texts:
            raise ValueError("cannot fit on an empty collection")
        codes = [_as_list(c) for c in codes]
        index = ListingIndex.build(texts, codes, TextEncoder())
        return self._fit_index(index, codes, code_names=code_names)

    def _fit_index(self, index: ListingIndex, codes, holdout_size=CV_HOLDOUT, code_names=None):
        level_index(self.level)  # validates
        self.index_ = index
        self.codes_ = [_as_list(c) for c in codes]
        self.classes_ = np.array(index.prefixes[level_index(self.level)], dtype=object)
        self._fit_hierarchy()
        self.linear_ = None
        self.blend_ = 0.0
        self.temperature_ = DEFAULT_TEMPERATURE
        self.cv_scores_ = {}
        self.holdout_ = None
        self.holdout_linear_ = None
        self.holdout_reranked_ = None
        self.n_name_rows_ = 0
        self.reranker_ = None
        self.name_chars_t_ = self.name_words_t_ = self.name_groups_ = None
        if self.linear:
            names = self._name_rows(code_names or {})
            self._fit_linear(check_random_state(self.random_state), holdout_size, names)
        return self

    def _name_rows(self, code_names):
        """(stacked TF-IDF rows, group ids) for the codes' names: each name is one more
        training example of its code's group for the linear model."""
        lookup = self.index_.lookups[_GROUP]
        texts, labels = [], []
        for code, name in code_names.items():
            group = code_prefix(code, "group")
            if name and group in lookup:
                texts.append(str(name))
                labels.append(lookup[group])
        if not texts:
            return None
        xc, xw = self.index_.encode(texts)
        self.name_chars_t_, self.name_words_t_ = xc.T.tocsr(), xw.T.tocsr()
        self.name_groups_ = np.array(labels, dtype=np.int64)
        return stack_views(xc, xw), np.array(labels, dtype=np.int64)

    # ------------------------------------------------------------ hierarchy
    def _fit_hierarchy(self):
        """Parent ids from the listings' own codes: each group's division, and each class's
        and exact code's group."""
        lookups = self.index_.lookups
        sizes = [len(p) for p in self.index_.prefixes]
        parents = [np.full(sizes[li], -1, dtype=np.int64) for li in range(len(sizes))]
        for item_codes in self.codes_:
            for code in item_codes:
                prefixes = code_prefixes(code)
                group = prefixes[_GROUP]
                if group is None or group not in lookups[_GROUP]:
                    continue
                g = lookups[_GROUP][group]
                division = prefixes[0]
                if division is not None and division in lookups[0]:
                    parents[_GROUP][g] = lookups[0][division]
                for li in range(_GROUP + 1, len(sizes)):
                    p = prefixes[li]
                    if p is not None and p in lookups[li] and parents[li][lookups[li][p]] < 0:
                        parents[li][lookups[li][p]] = g
        self.parents_ = parents  # parents_[group] -> division id; deeper levels -> group id

    def _group_labels(self):
        """(item, group id) pairs: one per distinct group of each item's codes."""
        index = self.index_
        rows = np.concatenate(
            [
                np.flatnonzero(index.prefix_ids[_GROUP] < len(index.prefixes[_GROUP])),
                index.extra_rows[_GROUP],
            ]
        )
        labels = np.concatenate(
            [
                index.prefix_ids[_GROUP][index.prefix_ids[_GROUP] < len(index.prefixes[_GROUP])],
                index.extra_ids[_GROUP],
            ]
        )
        return rows.astype(np.int64), labels.astype(np.int64)

    # ------------------------------------------------------------ linear model
    def _fit_linear(self, rng, holdout_size, names=None):
        index = self.index_
        n_groups = len(index.prefixes[_GROUP])
        rows, labels = self._group_labels()
        coded = np.unique(rows)
        if coded.size < LINEAR_MIN_LISTINGS or np.unique(labels).size < 2:
            return
        train = coded
        if train.size > LINEAR_MAX_ROWS:
            train = np.sort(rng.choice(coded, size=LINEAR_MAX_ROWS, replace=False))
        holdout = rng.choice(train, size=min(holdout_size, train.size), replace=False)
        x = stack_views(index.chars_t.T, index.words_t.T)
        in_train = np.isin(rows, train)
        if names is not None:  # name rows follow the items and are always trained on
            n_items = x.shape[0]
            x = sp.vstack([x, names[0]], format="csr")
            rows = np.concatenate([rows, n_items + np.arange(names[1].size)])
            labels = np.concatenate([labels, names[1]])
            in_train = np.concatenate([in_train, np.ones(names[1].size, dtype=bool)])
            self.n_name_rows_ = int(names[1].size)
        folds = np.array_split(holdout, CV_FOLDS)
        # The fold models and the final model are independent fits. Large ones train side by
        # side in worker processes (liblinear's random generator is process-global, so
        # threads would make fits irreproducible), the final model among them whether or not
        # the blend will use it: on two cores that costs no wall time. Small ones train one
        # after the other, the final model only when the blend uses it.
        subsets = [in_train & ~np.isin(rows, fold) for fold in folds]
        parallel = _parallel_workers(int(in_train.sum()))
        if parallel > 1:
            models = _fit_group_models(n_groups, x, rows, labels, [*subsets, in_train], parallel)
            final = models.pop()
        else:
            models = _fit_group_models(n_groups, x, rows, labels, subsets, 1)
            final = None
        decision = np.full((holdout.size, n_groups), -np.inf)
        start = 0
        for fold, model in zip(folds, models, strict=True):
            block = slice(start, start + fold.size)
            if model.coef_ is not None:
                decision[block, model.classes_] = model.decision(x[fold])
            else:
                decision[block, model.classes_] = 0.0
            start += fold.size
        holdout = np.concatenate(folds)
        knn = self._holdout_votes(holdout)
        truth = [set() for _ in range(holdout.size)]
        where = {p: j for j, p in enumerate(holdout)}
        for r, g in zip(rows, labels, strict=True):
            j = where.get(int(r))
            if j is not None:
                truth[j].add(int(g))
        best = None
        for temperature in TEMPERATURE_GRID:
            lin = softmax_into(decision, temperature, np.arange(n_groups), np.zeros_like(knn))
            for blend in BLEND_GRID:
                proba = blend * lin + (1.0 - blend) * knn
                score = _top_k_score(proba, truth)
                likelihood = _log_likelihood(proba, truth)
                self.cv_scores_[(blend, temperature)] = score
                # Equal accuracy (e.g. every temperature at a = 1, which ranks groups alike):
                # the better calibrated, by the log-likelihood of the true groups.
                if (
                    best is None
                    or score > best[0] + 1e-12
                    or (score > best[0] - 1e-12 and likelihood > best[4])
                ):
                    best = (score, blend, temperature, lin, likelihood)
        _, self.blend_, self.temperature_, lin, _ = best
        self.holdout_ = holdout
        self.holdout_linear_ = lin.astype(np.float32)
        self._fit_reranker(
            holdout, lin, knn, truth, rows[rows < index.n_items], labels[rows < index.n_items]
        )
        if self.blend_ > 0:
            if final is None:
                final = _fit_group_models(n_groups, x, rows, labels, [in_train], 1)[0]
            self.linear_ = final

    # ------------------------------------------------------------ re-ranker
    def _fit_reranker(self, holdout, lin, knn, truth, rows, labels):
        """Learn to reorder the blend's top groups from per-(text, group) evidence.

        The blend ranks groups by two probabilities; the re-ranker also sees how close the
        text's nearest listings of each group are, how many of its neighbours are in it, how
        common the group is, and how similar the text is to the group's code names. It is a
        logistic regression over the ``RERANK_CANDIDATES`` best groups of each held-out
        listing (whose linear probabilities come from the fold model that never saw it, and
        whose vote and neighbours exclude it), labelled by whether the group is one of the
        listing's own. Kept only when a nested cross-validation on those listings scores it
        above the blend (top-1 + top-3 group accuracy).
        """
        n_groups = lin.shape[1]
        order = np.argsort(labels, kind="stable")
        self.group_rows_ = rows[order]  # items sorted by group, for a max per group
        self.group_starts_ = np.flatnonzero(np.r_[True, np.diff(labels[order]) != 0])
        self.group_present_ = labels[order][self.group_starts_]
        self.item_groups_ = sp.csr_matrix(
            (np.ones(rows.size, dtype=np.float32), (rows, labels)),
            shape=(self.index_.n_items, n_groups),
        )
        self.group_freq_ = np.log1p(np.bincount(labels, minlength=n_groups)).astype(np.float64)
        self.reranker_ = self._train_reranker(holdout, lin, knn, truth)
        if self.reranker_ is None:  # not kept: none of its per-group tables is needed
            self.group_rows_ = self.group_starts_ = self.group_present_ = None
            self.item_groups_ = self.group_freq_ = None
            self.name_chars_t_ = self.name_words_t_ = self.name_groups_ = None

    def _train_reranker(self, holdout, lin, knn, truth):
        """The re-ranker, or ``None`` when it cannot be trained or does not beat the blend."""
        n_groups = lin.shape[1]
        if self.blend_ <= 0 or n_groups < 3:
            return None
        base = self.blend_ * lin + (1.0 - self.blend_) * knn
        feats, orders = [], []
        for start in range(0, holdout.size, _CHUNK):
            chunk = holdout[start : start + _CHUNK]
            xc, xw = self.index_.chars_t.T[chunk].tocsr(), self.index_.words_t.T[chunk].tocsr()
            sims = self._similarity_rows(xc, xw)
            nc, nw = self._name_similarity(xc, xw)
            for j, p in enumerate(chunk):
                i = start + j
                f, order = self._rerank_features(lin[i], knn[i], base[i], sims[j], nc[j], nw[j], p)
                feats.append(f)
                orders.append(order)
        y = np.array([[g in t for g in o] for o, t in zip(orders, truth, strict=True)])
        feats = np.stack(feats)
        if y.all() or not y.any():
            return None
        # Nested CV on the held-out listings: keep the re-ranker only if it beats the blend.
        won = 0.0
        out_of_fold = np.empty_like(base)
        for tr, te in KFold(RERANK_FOLDS, shuffle=True, random_state=0).split(feats):
            if not y[tr].any() or y[tr].all():
                return None
            model = _rerank_model().fit(feats[tr].reshape(-1, feats.shape[2]), y[tr].ravel())
            new = np.vstack([_apply_rerank(model, feats[i], orders[i], base[i]) for i in te])
            out_of_fold[te] = new
            won += (
                _top_k_score(new, [truth[i] for i in te])
                - _top_k_score(base[te], [truth[i] for i in te])
            ) * te.size
        self.cv_scores_["rerank_gain"] = won / holdout.size
        if won <= 0:
            return None
        # Fit-time only, like ``holdout_linear_``: each held-out listing's groups as re-ranked
        # by a fold model that never saw it, for the matcher's choice of relevance scorer.
        self.holdout_reranked_ = out_of_fold.astype(np.float32)
        return _rerank_model().fit(feats.reshape(-1, feats.shape[2]), y.ravel())

    def _name_similarity(self, xc, xw):
        """Per group, the best char and word cosine of each text to the group's code names."""
        n_groups = len(self.index_.prefixes[_GROUP])
        out_c = np.zeros((xc.shape[0], n_groups))
        out_w = np.zeros((xc.shape[0], n_groups))
        if getattr(self, "name_groups_", None) is None:
            return out_c, out_w
        sc = (xc @ self.name_chars_t_).toarray()
        sw = (xw @ self.name_words_t_).toarray()
        for row in range(xc.shape[0]):
            np.maximum.at(out_c[row], self.name_groups_, sc[row])
            np.maximum.at(out_w[row], self.name_groups_, sw[row])
        return out_c, out_w

    def _rerank_features(self, lin, knn, base, sim, name_c, name_w, exclude=None):
        """(candidates × features, candidate group ids) for one text."""
        n_groups = base.size
        k = min(RERANK_CANDIDATES, n_groups)
        order = np.argsort(-base, kind="stable")[:k]
        rank_lin = np.empty(n_groups)
        rank_lin[np.argsort(-lin, kind="stable")] = np.arange(n_groups)
        rank_knn = np.empty(n_groups)
        rank_knn[np.argsort(-knn, kind="stable")] = np.arange(n_groups)
        sim = np.asarray(sim, dtype=np.float64)
        if exclude is not None:
            sim = sim.copy()
            sim[exclude] = -1.0
        n_nb = min(self.n_neighbors, sim.size - 1)
        nearest = np.argpartition(-sim, n_nb)[:n_nb] if n_nb > 0 else np.arange(0)
        best_all = np.zeros(n_groups)
        best_all[self.group_present_] = np.maximum.reduceat(
            np.clip(sim[self.group_rows_], 0.0, None), self.group_starts_
        )
        near = self.item_groups_[nearest].tocoo()
        best_near = np.zeros(n_groups)
        np.maximum.at(best_near, near.col, np.clip(sim[nearest[near.row]], 0.0, None))
        count_near = np.bincount(near.col, minlength=n_groups)
        division_of = self.parents_[_GROUP]
        division = np.bincount(np.maximum(division_of, 0), weights=base)[np.maximum(division_of, 0)]
        log_lin = np.log(lin + 1e-9)
        g = order
        feats = np.column_stack(
            [
                log_lin[g],
                np.log(knn[g] + 1e-6),
                knn[g] > 0,
                np.log1p(rank_lin[g]),
                np.log1p(rank_knn[g]),
                (log_lin[g] - log_lin.max()) / self.temperature_,
                best_near[g],
                count_near[g],
                best_all[g],
                self.group_freq_[g],
                np.log(base[g] + 1e-9),
                np.arange(k),
                name_c[g],
                name_w[g],
                np.log(division[g] + 1e-9),
            ]
        )
        return feats, order

    def rerank_group(self, group, linear_group, knn_group, sim, xc, xw, exclude=None):
        """The blended group probabilities, re-ranked among the top candidates."""
        if getattr(self, "reranker_", None) is None:
            return group
        nc, nw = self._name_similarity(xc, xw)
        feats, order = self._rerank_features(
            linear_group, knn_group, group, sim, nc[0], nw[0], exclude
        )
        return _apply_rerank(self.reranker_, feats, order, group)

    def _holdout_votes(self, positions):
        """The group-level vote for each of ``positions`` cast by the other items."""
        out = np.zeros((positions.size, len(self.index_.prefixes[_GROUP])))
        for start in range(0, positions.size, _CHUNK):
            chunk = positions[start : start + _CHUNK]
            sims = self._similarity_rows(self.index_.chars_t.T[chunk], self.index_.words_t.T[chunk])
            for j, (p, sim) in enumerate(zip(chunk, sims, strict=True)):
                out[start + j] = self._votes(sim, exclude=p)[_GROUP][:-1]
        return out

    # ------------------------------------------------------------ distributions
    def _votes(self, sim, exclude=None):
        return self.index_.code_distribution(
            sim, self.n_neighbors, self.vote_power, exclude=exclude
        )

    def _similarity_rows(self, xc, xw):
        sc, sw = self.index_.similarities(xc.tocsr(), xw.tocsr())
        return combined_similarity(sc, sw)

    def _linear_proba(self, xc, xw):
        """Linear group probabilities for encoded texts, or ``None`` without a linear model."""
        if getattr(self, "linear_", None) is None:
            return None
        return self.linear_.proba(stack_views(xc, xw), self.temperature_)

    def combine(self, votes, linear_group, context=None, group=None):
        """Blend a neighbour vote (all levels) with linear group probabilities (or ``None``).

        ``context`` = (similarity row, char row, word row, excluded item or None) lets the
        re-ranker, when fitted, reorder the blend's top groups; ``group``, when given, is
        the blended (and re-ranked) group distribution already worked out."""
        if linear_group is None or self.blend_ <= 0:
            return votes
        a = self.blend_
        out = [v.copy() for v in votes]
        knn_group = votes[_GROUP][:-1]
        if group is None:
            group = a * linear_group + (1.0 - a) * knn_group
            if context is not None:
                group = self.rerank_group(group, linear_group, knn_group, *context)
        out[_GROUP][:-1] = group
        division_of = self.parents_[_GROUP]
        known = division_of >= 0
        division = np.bincount(
            division_of[known], weights=linear_group[known], minlength=out[0].size
        )
        out[0] = a * division + (1.0 - a) * votes[0]
        out[0][-1] = 0.0
        scale = np.divide(group, knn_group, out=np.zeros_like(group), where=knn_group > 0)
        for li in range(_GROUP + 1, len(out)):
            parent = self.parents_[li]
            factor = np.where(parent >= 0, scale[np.maximum(parent, 0)], 1.0)
            out[li][:-1] = votes[li][:-1] * factor
        return out

    def _distributions(self, texts):
        """(distribution over every level, similarity to every item) for each text."""
        xc, xw = self.index_.encode(list(texts))
        sims = self._similarity_rows(xc, xw)
        lin = self._linear_proba(xc, xw)
        return [
            (
                self.combine(
                    self._votes(sim),
                    None if lin is None else lin[i],
                    (sim, xc[i], xw[i], None),
                ),
                sim,
            )
            for i, sim in enumerate(sims)
        ]

    def _similarity(self, texts):
        xc, xw = self.index_.encode(list(texts))
        return self._similarity_rows(xc, xw)

    def predict_proba(self, texts):
        """Probabilities over ``classes_`` (rows may sum to less than 1: unknown mass)."""
        check_is_fitted(self, "index_")
        li = level_index(self.level)
        return np.vstack([dist[li][:-1] for dist, _ in self._distributions(texts)])

    def predict(self, texts):
        proba = self.predict_proba(texts)
        return self.classes_[proba.argmax(axis=1)]

    def suggest(self, text, k=3, level=None):
        """The ``k`` most probable code prefixes for ``text`` at ``level`` (default: own)."""
        check_is_fitted(self, "index_")
        dist, sim = self._distributions([text])[0]
        return self._suggest_from_distribution(dist, sim, k=k, level=level)

    def _suggest_from_distribution(self, dist, sim, k=3, level=None):
        level = self.level if level is None else level
        li = level_index(level)
        dist = dist[li][:-1]
        if dist.size == 0:
            return []
        order = np.argsort(-dist, kind="stable")[:k]
        prefixes = self.index_.prefixes[li]
        out = []
        for i in order:
            if dist[i] <= 0:
                break
            out.append(
                CodeSuggestion(
                    code=prefixes[i],
                    probability=float(dist[i]),
                    level=level if isinstance(level, str) else str(level),
                    example=self._example(sim, prefixes[i], level),
                )
            )
        return out

    def _example(self, sim, prefix, level):
        li = level_index(level)
        target = self.index_.lookups[li][prefix]
        members = np.flatnonzero(self.index_.prefix_ids[li] == target)
        extra = self.index_.extra_rows[li][self.index_.extra_ids[li] == target]
        members = np.union1d(members, extra)
        if members.size == 0:
            return None
        best = members[np.argmax(sim[members])]
        for code in self.codes_[best]:
            if code_prefix(code, level) == prefix:
                return code
        return None


def _fit_one(n_groups, xs, labels):
    return GroupLinearModel(n_groups).fit(xs, np.arange(xs.shape[0]), labels)


def _parallel_workers(n_rows: int) -> int:
    """Worker processes for fits of ``n_rows`` training rows (1: fit in this process)."""
    return min(CV_FOLDS + 1, os.cpu_count() or 1) if n_rows >= PARALLEL_MIN_ROWS else 1


def _fit_group_models(n_groups, x, rows, labels, subsets, workers):
    """One linear model per subset (a mask over ``rows``), on ``workers`` processes."""
    jobs = [(x[rows[keep]], labels[keep]) for keep in subsets]
    if workers > 1:
        return Parallel(n_jobs=workers)(
            delayed(_fit_one)(n_groups, xs, labels) for xs, labels in jobs
        )
    return [_fit_one(n_groups, xs, labels) for xs, labels in jobs]


def _rerank_model():
    return make_pipeline(StandardScaler(), LogisticRegression(C=RERANK_C, max_iter=2000))


def _apply_rerank(model, feats, order, group):
    """``group`` with its candidates ``order`` re-weighted by the model (mass preserved)."""
    score = model.decision_function(feats)
    weight = np.exp(score - score.max())
    out = np.array(group, dtype=np.float64, copy=True)
    mass = out[order].sum()
    out[order] = weight / weight.sum() * mass if mass > 0 else weight / weight.sum()
    return out


def _log_likelihood(proba, truth):
    """Mean log of the probability given to any true id (floored at 1e-9)."""
    total, n = 0.0, 0
    for row, true in zip(proba, truth, strict=True):
        if true:
            total += np.log(max(float(row[list(true)].sum()), 1e-9))
            n += 1
    return total / max(1, n)


def _top_k_score(proba, truth):
    """Top-1 plus top-3 accuracy of ``proba`` rows against sets of true ids."""
    top = np.argsort(-proba, axis=1, kind="stable")[:, :3]
    score = 0.0
    for row, true in zip(top, truth, strict=True):
        if true:
            score += (row[0] in true) + bool(true.intersection(row.tolist()))
    return score / max(1, sum(1 for t in truth if t))
