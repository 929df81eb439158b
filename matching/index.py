"""The fitted listing index: text matrices laid out for fast sparse products, code prefixes.

Shared by :class:`~matching.matcher.Matcher` and :class:`~matching.classifier.CodeClassifier`
so that a matcher vectorises its listings once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.bm25 import BM25
from matching.codes import LEVELS, code_prefix
from matching.text import TextEncoder

#: Weight of the character view in the combined text similarity (the word view gets the rest).
CHAR_SHARE = 0.5


@dataclass
class ListingIndex:
    """Transposed TF-IDF matrices (term × listing) and, per level, each listing's prefix id.

    ``prefix_ids[level][i]`` indexes ``prefixes[level]`` for item i's primary (first) code;
    the extra last id means "no code". An item's other codes are listed as pairs
    ``(extra_rows[level][j], extra_ids[level][j])`` (only prefixes its primary code lacks).
    """

    encoder: TextEncoder
    chars_t: sp.csr_matrix
    words_t: sp.csr_matrix
    prefixes: list[list[str]]
    prefix_ids: list[np.ndarray]
    lookups: list[dict[str, int]]
    bm25: BM25
    extra_rows: list[np.ndarray]
    extra_ids: list[np.ndarray]

    @classmethod
    def build(cls, texts, codes, encoder: TextEncoder) -> ListingIndex:
        """Fit ``encoder`` on ``texts``; ``codes[i]`` is item i's code list (or one code, or None).

        The first code of a list is the primary code.
        """
        xc, xw = encoder.fit_transform(texts)
        code_lists = [_as_list(c) for c in codes]
        prefixes: list[list[str]] = []
        prefix_ids: list[np.ndarray] = []
        lookups: list[dict[str, int]] = []
        extra_rows: list[np.ndarray] = []
        extra_ids: list[np.ndarray] = []
        for level, _ in LEVELS:
            vocab: dict[str, int] = {}
            per_item = []
            for item_codes in code_lists:
                seen: list[str] = []
                for c in item_codes:
                    p = code_prefix(c, level)
                    if p is not None and p not in seen:
                        seen.append(p)
                        vocab.setdefault(p, len(vocab))
                per_item.append(seen)
            missing = len(vocab)
            ids = np.array([vocab[s[0]] if s else missing for s in per_item], dtype=np.int32)
            rows = [i for i, s in enumerate(per_item) for _ in s[1:]]
            extra = [vocab[p] for s in per_item for p in s[1:]]
            prefixes.append(list(vocab))
            prefix_ids.append(ids)
            lookups.append(vocab)
            extra_rows.append(np.array(rows, dtype=np.int64))
            extra_ids.append(np.array(extra, dtype=np.int64))
        return cls(
            encoder=encoder,
            chars_t=xc.T.tocsr(),
            words_t=xw.T.tocsr(),
            prefixes=prefixes,
            prefix_ids=prefix_ids,
            lookups=lookups,
            bm25=BM25().fit(texts),
            extra_rows=extra_rows,
            extra_ids=extra_ids,
        )

    def gather(self, level_dist, level: int, positions=None):
        """Per item, the largest probability in ``level_dist`` of any of its prefixes.

        ``level_dist`` is one level of a code distribution; ``positions`` restricts the
        result to those items (in that order).
        """
        ids = self.prefix_ids[level]
        rows, extra = self.extra_rows[level], self.extra_ids[level]
        if positions is None:
            out = level_dist[ids]
            if rows.size:
                np.maximum.at(out, rows, level_dist[extra])
            return out
        positions = np.asarray(positions, dtype=np.int64)
        out = level_dist[ids[positions]]
        if rows.size and positions.size:
            # Extra codes of the requested items only: O(extras · log positions), not O(n).
            order = np.argsort(positions, kind="stable")
            ordered = positions[order]
            slot = np.minimum(np.searchsorted(ordered, rows), ordered.size - 1)
            hit = ordered[slot] == rows
            if hit.any():
                np.maximum.at(out, order[slot[hit]], level_dist[extra[hit]])
        return out

    @property
    def n_items(self) -> int:
        return self.chars_t.shape[1]

    def encode(self, texts):
        return self.encoder.transform(texts)

    def similarities(self, xc, xw):
        """Cosine similarities of encoded queries to every item: two dense (q × n) arrays."""
        sc = (xc @ self.chars_t).toarray()
        sw = (xw @ self.words_t).toarray()
        return sc, sw

    def bm25_scores(self, texts):
        """BM25 scores of each text against every item, scaled by the text's best score."""
        out = np.zeros((len(texts), self.n_items))
        for row, text in enumerate(texts):
            scores = self.bm25.scores(text)
            best = scores.max() if scores.size else 0.0
            if best > 0:
                out[row] = scores / best
        return out

    def code_distribution(self, sim, n_neighbors, power, exclude=None):
        """Per level, the probability of each prefix, voted by the most similar items.

        ``sim`` is one query's combined similarity to every item. Returns a list (one array
        per level, length ``len(prefixes[level]) + 1``; the last slot is "no code").
        """
        sim = np.asarray(sim, dtype=np.float64)
        if exclude is not None:
            sim = sim.copy()
            sim[exclude] = -np.inf
        k = min(n_neighbors, self.n_items - (0 if exclude is None else 1))
        if k <= 0:
            return [np.zeros(len(p) + 1) for p in self.prefixes]
        nearest = np.argpartition(-sim, k - 1)[:k] if k < sim.size else np.arange(sim.size)
        nearest = nearest[np.isfinite(sim[nearest])]
        weights = np.clip(sim[nearest], 0.0, None) ** power
        total = weights.sum()
        if total <= 0:
            weights = np.ones(len(nearest))
            total = float(len(nearest)) or 1.0
        full = None
        out = []
        for li, (level_prefixes, ids) in enumerate(
            zip(self.prefixes, self.prefix_ids, strict=True)
        ):
            size = len(level_prefixes) + 1
            votes = np.bincount(ids[nearest], weights=weights, minlength=size)
            rows = self.extra_rows[li]
            if rows.size:
                if full is None:  # each neighbour votes fully for every prefix of its codes
                    full = np.zeros(self.n_items)
                    full[nearest] = weights
                votes += np.bincount(self.extra_ids[li], weights=full[rows], minlength=size)
            votes[-1] = 0.0  # items without a code say nothing about the code
            out.append(votes / total)
        return out

    def indicator_distribution(self, codes):
        """The degenerate distribution of a demand whose codes are given."""
        out = []
        for (level, _), lookup in zip(LEVELS, self.lookups, strict=True):
            dist = np.zeros(len(lookup) + 1)
            for code in codes:
                p = code_prefix(code, level)
                if p is not None and p in lookup:
                    dist[lookup[p]] = 1.0
            out.append(dist)
        return out


def _as_list(codes) -> list:
    if codes is None:
        return []
    if isinstance(codes, str):
        return [codes]
    return [c for c in codes if c is not None]


def combined_similarity(sc, sw):
    return CHAR_SHARE * sc + (1.0 - CHAR_SHARE) * sw
