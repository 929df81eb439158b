import math

import numpy as np
import pytest

from matching.bm25 import BM25
from matching.metrics import ndcg_at_k, recall_at_k, reciprocal_rank


def test_ndcg_against_hand_computed_value():
    ranked = [3, 0, 4]
    everything = [4, 3, 0, 1]
    dcg = 7 / 1 + 0 / math.log2(3) + 15 / math.log2(4)
    ideal = 15 / 1 + 7 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, everything, k=3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k([4, 3, 1], everything, k=3) == pytest.approx(1.0)
    assert ndcg_at_k([0, 0], [0, 0, 0], k=2) is None


def test_mrr_and_recall():
    assert reciprocal_rank([0, 2, 3, 4], threshold=3, k=10) == pytest.approx(1 / 3)
    assert reciprocal_rank([0, 2, 1, 4], threshold=3, k=3) == 0.0
    assert recall_at_k([4, 0, 3], [4, 3, 3, 0, 1], threshold=3, k=2) == pytest.approx(1 / 3)
    assert recall_at_k([1], [1, 2], threshold=3, k=1) is None


def test_bm25_against_hand_computed_scores():
    bm25 = BM25().fit(["drone drone camera", "chair", "drone speaker"])
    scores = bm25.scores("drone")
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    avgdl = 2.0
    norm0 = 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl)
    norm2 = 1.2 * (1 - 0.75 + 0.75 * 2 / avgdl)
    expected = [idf * 2 * 2.2 / (2 + norm0), 0.0, idf * 1 * 2.2 / (1 + norm2)]
    np.testing.assert_allclose(scores, expected)
    assert bm25.rank("drone", k=2) == [0, 2]
    # Unique query terms: repeating a term does not change the score.
    np.testing.assert_allclose(bm25.scores("drone drone"), expected)
    np.testing.assert_allclose(bm25.scores("unknown"), [0.0, 0.0, 0.0])
