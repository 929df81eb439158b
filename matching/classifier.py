"""Suggest classification codes for a text: a similarity-weighted vote of the nearest texts.

A k-nearest-neighbour vote over TF-IDF cosine similarities needs no training beyond
indexing, copes with thousands of sparse classes (1,864 GSIN codes in the Canadian file)
and yields a probability for every prefix level at once, which the matcher uses to score
listings by expected code agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from matching.codes import code_prefix, level_index
from matching.index import ListingIndex, combined_similarity
from matching.text import TextEncoder

#: Defaults, declared once: neighbours voting and how sharply similarity weighs a vote.
N_NEIGHBORS = 25
VOTE_POWER = 3.0


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
    """Classify texts into code prefixes at ``level`` by a weighted nearest-neighbour vote.

    ``fit(texts, codes)`` takes one code per text (``None`` allowed and ignored in votes).
    """

    def __init__(self, level="group", n_neighbors=N_NEIGHBORS, vote_power=VOTE_POWER):
        self.level = level
        self.n_neighbors = n_neighbors
        self.vote_power = vote_power

    def fit(self, texts, codes):
        texts = list(texts)
        codes = list(codes)
        if len(texts) != len(codes):
            raise ValueError("texts and codes must have the same length")
        if not texts:
            raise ValueError("cannot fit on an empty collection")
        return self._fit_index(ListingIndex.build(texts, codes, TextEncoder()), codes)

    def _fit_index(self, index: ListingIndex, codes):
        level_index(self.level)  # validates
        self.index_ = index
        self.codes_ = list(codes)
        self.classes_ = np.array(index.prefixes[level_index(self.level)], dtype=object)
        return self

    # The distribution over every level, from a query's similarities.
    def _distribution(self, sim, exclude=None):
        return self.index_.code_distribution(
            sim, self.n_neighbors, self.vote_power, exclude=exclude
        )

    def _similarity(self, texts):
        xc, xw = self.index_.encode(texts)
        sc, sw = self.index_.similarities(xc, xw)
        return combined_similarity(sc, sw)

    def predict_proba(self, texts):
        """Probabilities over ``classes_`` (rows may sum to less than 1: unknown mass)."""
        check_is_fitted(self, "index_")
        sims = self._similarity(list(texts))
        li = level_index(self.level)
        return np.vstack([self._distribution(s)[li][:-1] for s in sims])

    def predict(self, texts):
        proba = self.predict_proba(texts)
        return self.classes_[proba.argmax(axis=1)]

    def suggest(self, text, k=3, level=None):
        """The ``k`` most probable code prefixes for ``text`` at ``level`` (default: own)."""
        check_is_fitted(self, "index_")
        sim = self._similarity([text])[0]
        return self._suggest_from_similarity(sim, k=k, level=level)

    def _suggest_from_similarity(self, sim, k=3, level=None, exclude=None):
        level = self.level if level is None else level
        li = level_index(level)
        dist = self._distribution(sim, exclude=exclude)[li][:-1]
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
                    example=self._example(sim, prefixes[i], level, exclude),
                )
            )
        return out

    def _example(self, sim, prefix, level, exclude):
        ids = self.index_.prefix_ids[level_index(level)]
        members = np.flatnonzero(ids == self.index_.lookups[level_index(level)][prefix])
        if exclude is not None:
            members = members[members != exclude]
        if members.size == 0:
            return None
        best = members[np.argmax(sim[members])]
        return self.codes_[best] if code_prefix(self.codes_[best], level) == prefix else None
