"""Demand gaps: clusters of demands, their labels in both languages, supply, reproducibility."""

from __future__ import annotations

import json
import random

import pytest

from matching import Matcher
from matching.gaps import (
    ANSWER_SCORE,
    GapReport,
    cluster_key,
    find_gaps,
    k_max,
    matcher_scorer,
    term_tokens,
)

LISTINGS = [
    {"id": "d1", "text": "해안 순찰 드론, 정지비행과 안내방송 스피커", "codes": ["35613000-4"]},
    {"id": "d2", "text": "열화상 카메라 감시 드론, 야간 순찰", "codes": ["35613000-4"]},
    {"id": "d3", "text": "산불 감시 드론 자동 비행", "codes": ["35613000-4"]},
    {"id": "c1", "text": "인체공학 민원실 의자, 등받이 조절", "codes": ["39110000-6"]},
    {"id": "c2", "text": "사무용 회전 의자 높이 조절", "codes": ["39110000-6"]},
    {"id": "c3", "text": "대기실 의자 장시간 착석", "codes": ["39110000-6"]},
]

DRONES = [
    (1, "해안 순찰용 드론", "해안 절벽 순찰 인력이 부족해 정지비행 드론이 필요하다", "A", 100),
    (2, "산불 감시 드론", "야간 산불 감시를 위한 열화상 드론", "B", 200),
    (3, "드론 순찰 장비", "국립공원 드론 순찰과 안내방송", "C", 50),
]
CHAIRS = [
    (4, "민원실 대기 의자", "장시간 대기하는 민원인을 위한 편안한 의자", "A", 10),
    (5, "사무용 의자 교체", "높이 조절이 가능한 사무용 의자", "B", 20),
    (6, "인체공학 의자", "등받이 조절 인체공학 의자 구매", "D", 30),
]
# The known gap: nobody lists a desalination unit.
WATER = [
    (7, "섬 지역 소형 해수담수화 장치", "도서 지역 식수 부족, 소형 해수담수화 장치", "E", 900),
    (8, "이동식 해수담수화 설비", "재난 때 식수를 공급할 이동식 해수담수화 설비", "F", 700),
    (9, "태양광 해수담수화", "전력이 없는 섬에서 태양광으로 해수담수화", "G", 500),
]


def _demands(rows, code):
    return [
        {"id": i, "title": t, "text": x, "codes": [code], "agency": a, "budget": b}
        for i, t, x, a, b in rows
    ]


DEMANDS = (
    _demands(DRONES, "35613000-4") + _demands(CHAIRS, "39110000-6") + _demands(WATER, "42912300-5")
)
CODE_LABELS = {
    "35613000": ("보안·소방·치안·국방 장비", "Unmanned aerial vehicles"),
    "39110000": ("가구·생활용품·청소용품", "Seats, chairs and related products"),
    "42912300": ("산업기계", "Machinery and apparatus for filtering or purifying water"),
}


@pytest.fixture(scope="module")
def matcher():
    return Matcher(random_state=0).fit(LISTINGS)


@pytest.fixture(scope="module")
def report(matcher):
    return find_gaps(DEMANDS, matcher_scorer(matcher), seed=0, code_labels=CODE_LABELS)


def _cluster_of(report, demand_id):
    return next(c for c in report.clusters if demand_id in c.demand_ids)


def test_the_known_gap_is_found_and_only_it(report):
    assert report.k == 3
    assert [sorted(c.demand_ids) for c in report.gaps] == [[7, 8, 9]]
    gap = report.gaps[0]
    assert report.clusters[0] is gap  # gaps come first
    assert gap.supply < 0.2 and gap.gap_score > 0.8
    assert gap.answering_listings == [] and gap.pilots == 0
    assert gap.agencies == ["E", "F", "G"] and gap.total_budget == 2100
    assert gap.key == cluster_key([9, 8, 7])
    for served in (_cluster_of(report, 1), _cluster_of(report, 4)):
        assert not served.is_gap
        assert served.supply > 0.6
        assert all(score >= ANSWER_SCORE for score in served.best_scores)


def test_clusters_follow_the_topics(report):
    assert sorted(sorted(c.demand_ids) for c in report.clusters) == [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
    ]


def test_labels_in_korean_terms_and_english_from_the_code(report):
    gap = _cluster_of(report, 7)
    assert "해수담수화" in gap.terms_ko and gap.label_ko.startswith("해수담수화")
    assert gap.terms_en == []  # Korean text only: the English label is the code's
    assert gap.code == "42912300"
    assert gap.label_en == "Machinery and apparatus for filtering or purifying water"
    assert gap.label("en") == gap.label_en and gap.label("ko") == gap.label_ko
    assert "의자" in _cluster_of(report, 4).terms_ko
    assert "드론" in _cluster_of(report, 1).terms_ko


def test_english_terms_label_english_text():
    code = ["42912300-5"]
    demands = [
        *DEMANDS,
        {"id": 10, "text": "portable seawater desalination unit 해수담수화", "codes": code},
        {"id": 11, "text": "solar desalination plant for islands 해수담수화", "codes": code},
    ]
    report = find_gaps(demands, None, seed=0)
    water = _cluster_of(report, 10)
    assert 7 in water.demand_ids
    assert "desalination" in water.terms_en and water.label_en.startswith("desalination")
    assert all(not any("\uac00" <= ch <= "\ud7a3" for ch in t) for t in water.terms_en)


def test_same_seed_same_report_whatever_the_input_order(matcher):
    shuffled = list(DEMANDS)
    random.Random(4).shuffle(shuffled)
    a = find_gaps(DEMANDS, matcher_scorer(matcher), seed=7).to_dict()
    b = find_gaps(shuffled, matcher_scorer(matcher), seed=7).to_dict()
    assert a == b
    assert a["seed"] == 7


def test_a_report_survives_a_json_round_trip(report):
    stored = json.loads(json.dumps(report.to_dict()))
    again = GapReport.from_dict(stored)
    assert again == report and again.to_dict() == report.to_dict()
    assert again.gaps == report.gaps and all(isinstance(k, int) for k in again.k_scores)
    assert again.cluster(report.gaps[0].key).demand_ids == report.gaps[0].demand_ids


def test_proposals_and_pilots_count_as_supply(report):
    scores = {d["id"]: [("x", 0.05)] for d in DEMANDS}
    scores.update({7: [("p", 0.9)], 8: [("p", 0.1)], 9: []})
    plain = find_gaps(DEMANDS, scores, seed=0)
    assert _cluster_of(plain, 7).is_gap
    with_proposals = find_gaps(DEMANDS, scores, seed=0, proposals={7: 2, 8: 1, 9: 1})
    water = _cluster_of(with_proposals, 7)
    assert water.proposals == 4 and water.proposal_share == 1.0 and not water.is_gap
    with_pilots = find_gaps(DEMANDS, scores, seed=0, pilots={"p": 6, "x": 50})
    water = _cluster_of(with_pilots, 7)
    # Only the answering listing "p" (score ≥ ANSWER_SCORE) counts, not the weak "x".
    assert water.pilots == 6 and water.answering_listings == ["p"]
    assert water.supply > _cluster_of(plain, 7).supply


def test_min_size_decides_what_real_demand_is(matcher):
    report = find_gaps(DEMANDS, matcher_scorer(matcher), seed=0, min_size=4)
    assert report.gaps == []
    assert _cluster_of(report, 7).gap_score > 0.8


def test_small_and_bad_inputs():
    assert find_gaps([], None).clusters == []
    one = find_gaps([{"id": 1, "text": "드론"}], None)
    assert len(one.clusters) == 1 and one.clusters[0].is_gap is False  # below min_size 2
    with pytest.raises(ValueError, match="unique"):
        find_gaps([{"id": 1, "text": "a"}, {"id": 1, "text": "b"}], None)
    with pytest.raises(ValueError, match="id"):
        find_gaps([{"text": "a"}], None)


def test_k_range_and_terms():
    assert k_max(3) == 2 and k_max(50) == 10 and k_max(10_000) == 30
    assert term_tokens("드론을 the drones 2024년 해안에서 설치한다") == ["드론", "drones", "해안"]


def test_large_inputs_are_sampled_yet_every_demand_is_clustered(monkeypatch):
    """Above the sampling thresholds (lowered here) k-means fits a sample and assigns the
    rest, the silhouette is measured on a sample and the matcher ranks listings for a
    bounded number of demands per cluster; on well-separated demands the partition is the
    exact one, and the result is reproducible."""
    import matching.gaps as gaps

    demands = []
    for copy in range(8):  # 72 demands: eight wordings of each of the nine
        for d in DEMANDS:
            demands.append({**d, "id": copy * 100 + d["id"], "text": f"{d['text']} {copy}"})
    asked = []

    def scorer(demand):
        asked.append(demand["id"])
        served = demand["id"] % 100 <= 6  # drones and chairs have supply, water has none
        return [(f"l{n}", 0.9 if served else 0.1) for n in range(3)]

    def partition(report):
        return sorted(sorted(c.demand_ids) for c in report.clusters)

    exact = find_gaps(demands, scorer, seed=0)
    assert len(asked) == len(demands)
    monkeypatch.setattr(gaps, "KMEANS_SAMPLE", 30)
    monkeypatch.setattr(gaps, "SILHOUETTE_SAMPLE", 25)
    monkeypatch.setattr(gaps, "MAX_SCORED_PER_CLUSTER", 4)
    asked.clear()
    report = find_gaps(demands, scorer, seed=0)
    assert sum(c.size for c in report.clusters) == len(demands)
    assert partition(report) == partition(exact)
    assert len(asked) == sum(min(4, c.size) for c in report.clusters) < len(demands)
    assert all(len(c.best_scores) == min(4, c.size) for c in report.clusters)
    water = {d["id"] for d in demands if d["id"] % 100 >= 7}
    assert {i for c in report.gaps for i in c.demand_ids} == water
    assert [c.match for c in report.clusters] == [c.match for c in exact.clusters]
    assert partition(find_gaps(demands, scorer, seed=0)) == partition(report)
