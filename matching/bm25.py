"""Okapi BM25 over word tokens: the baseline the matcher is measured against.

score(q, d) = Σ_{t ∈ unique terms of q} idf(t)·tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)),
tf = tf(t, d)
with idf(t) = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5)) (the non-negative Lucene form).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching.text import word_tokens


class BM25(BaseEstimator):
    """BM25 ranking of a fixed collection of documents (``k1=1.2``, ``b=0.75``)."""

    def __init__(self, k1=1.2, b=0.75):
        self.k1 = k1
        self.b = b

    def fit(self, documents):
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = []
        for row, doc in enumerate(documents):
            tokens = word_tokens(doc)
            lengths.append(len(tokens))
            counts: dict[int, int] = {}
            for token in tokens:
                col = vocab.setdefault(token, len(vocab))
                counts[col] = counts.get(col, 0) + 1
            for col, tf in counts.items():
                rows.append(row)
                cols.append(col)
                vals.append(tf)
        n = len(lengths)
        if n == 0:
            raise ValueError("cannot fit BM25 on no documents")
        tf = sp.csr_matrix((vals, (rows, cols)), shape=(n, max(len(vocab), 1)), dtype=np.float64)
        length = np.asarray(lengths, dtype=np.float64)
        avgdl = length.mean() if length.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1])
        self.idf_ = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = self.k1 * (1.0 - self.b + self.b * length / avgdl)
        weights = tf.tocoo()
        data = weights.data * (self.k1 + 1.0) / (weights.data + norm[weights.row])
        data *= self.idf_[weights.col]
        self.weights_t_ = sp.csr_matrix((data, (weights.col, weights.row)), shape=tf.shape[::-1])
        self.vocabulary_ = vocab
        self.avgdl_ = avgdl
        return self

    def scores(self, query) -> np.ndarray:
        """BM25 score of every document for ``query`` (a string)."""
        check_is_fitted(self, "weights_t_")
        terms = {self.vocabulary_[t] for t in word_tokens(query) if t in self.vocabulary_}
        if not terms:
            return np.zeros(self.weights_t_.shape[1])
        rows = self.weights_t_[sorted(terms)]
        return np.asarray(rows.sum(axis=0)).ravel()

    def rank(self, query, k=10) -> list[int]:
        """Indices of the ``k`` best documents, best first (ties: lower index first)."""
        s = self.scores(query)
        k = min(k, s.size)
        return list(np.lexsort((np.arange(s.size), -s))[:k])
