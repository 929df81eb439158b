"""Ranking metrics with graded relevance, defined exactly as reported in docs/matching.md.

- ``ndcg_at_k``: DCG@k = Σ_{i=1..k} (2^rel_i − 1) / log2(i + 1); the ideal DCG takes the k
  highest grades among *all* candidates (not only those retrieved). ``None`` when the
  ideal DCG is 0 (no candidate is relevant at all): such queries are left out of means.
- ``reciprocal_rank``: 1 / rank of the first relevant item within the top k, 0 if none.
- ``recall_at_k``: relevant items in the top k / all relevant items.
  For both, "relevant" means a grade ≥ ``threshold``; ``None`` when nothing is relevant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def dcg(grades: Sequence[float]) -> float:
    return sum((2.0**g - 1.0) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_k(ranked_grades: Sequence[float], all_grades: Sequence[float], k: int) -> float | None:
    ideal = dcg(sorted(all_grades, reverse=True)[:k])
    if ideal <= 0:
        return None
    return dcg(list(ranked_grades)[:k]) / ideal


def reciprocal_rank(ranked_grades: Sequence[float], threshold: float, k: int) -> float:
    for i, grade in enumerate(list(ranked_grades)[:k]):
        if grade >= threshold:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(
    ranked_grades: Sequence[float], all_grades: Sequence[float], threshold: float, k: int
) -> float | None:
    total = sum(1 for g in all_grades if g >= threshold)
    if total == 0:
        return None
    return sum(1 for g in list(ranked_grades)[:k] if g >= threshold) / total
