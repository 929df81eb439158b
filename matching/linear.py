"""A linear group classifier over the matcher's own TF-IDF features.

One-vs-rest linear SVMs (``LinearSVC``) predict a text's code *group*; a softmax of their
decision values, with a temperature, turns them into probabilities. The model reuses the
index's character and word TF-IDF columns — only the ``max_features`` most frequent among
its training rows, so that the weight matrix stays small at marketplace scale — and trains on
one row per distinct group of each listing (a listing with codes in two groups is an example
of both).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

#: Columns of the TF-IDF views the linear model keeps (most frequent in its training rows).
MAX_FEATURES = 30_000


def stack_views(xc, xw):
    """The two TF-IDF views side by side (the linear model's input space)."""
    return sp.hstack([xc, xw], format="csr", dtype=np.float32)


class GroupLinearModel:
    """One-vs-rest linear SVMs over a column subset; ``proba`` covers every group id."""

    def __init__(self, n_groups, c=0.5, max_features=MAX_FEATURES):
        self.n_groups = n_groups
        self.c = c
        self.max_features = max_features

    def fit(self, x, rows, labels):
        """``x``: stacked views of all items; ``rows[i]`` has group id ``labels[i]``."""
        xs = x[rows]
        df = np.asarray((xs > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(df)
        if keep.size > self.max_features:
            keep = keep[np.argsort(-df[keep], kind="stable")[: self.max_features]]
        self.columns_ = np.sort(keep)
        # Query columns -> model columns (-1: not kept), for a cheap sparse remap at query time.
        self.column_map_ = np.full(x.shape[1], -1, dtype=np.int64)
        self.column_map_[self.columns_] = np.arange(self.columns_.size)
        labels = np.asarray(labels)
        self.classes_ = np.unique(labels)
        if self.classes_.size < 2:
            self.coef_ = None
            return self
        svm = LinearSVC(C=self.c, random_state=0).fit(xs[:, self.columns_], labels)
        coef = svm.coef_.astype(np.float32)
        intercept = svm.intercept_.astype(np.float32)
        if self.classes_.size == 2:  # binary: one decision, the second class's
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        self.coef_ = np.ascontiguousarray(coef.T)  # features × classes
        self.intercept_ = intercept
        return self

    def decision(self, x):
        """Decision values (queries × training classes) for stacked views ``x``."""
        x = sp.csr_matrix(x)
        mapped = self.column_map_[x.indices]
        keep = mapped >= 0
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))[keep]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=x.shape[0]))])
        remapped = sp.csr_matrix(
            (x.data[keep], mapped[keep], indptr), shape=(x.shape[0], self.columns_.size)
        )
        values = np.asarray(remapped @ self.coef_, dtype=np.float64)
        return values + self.intercept_

    def proba(self, x, temperature):
        """Probabilities over all ``n_groups`` group ids (zero for unseen groups)."""
        out = np.zeros((x.shape[0], self.n_groups))
        if self.coef_ is None:
            if self.classes_.size:
                out[:, self.classes_] = 1.0
            return out
        return softmax_into(self.decision(x), temperature, self.classes_, out)


def softmax_into(decision, temperature, classes, out):
    z = (decision - decision.max(axis=1, keepdims=True)) * temperature
    e = np.exp(z)
    out[:, classes] = e / e.sum(axis=1, keepdims=True)
    return out
