"""Benchmark the matcher at marketplace scale: fit time, rank latency, memory.

    .venv/bin/python bench/matching.py [--listings 100000] [--queries 300] [--seed 0]

Listings: the Canadian tenders (../shared/data) plus generated Korean product listings up
to the requested count. Writes bench/results/matching-<UTC time>.json and prints a table.
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching import Matcher, __version__  # noqa: E402 - after the path set-up
from matching.ocds import load_tenders  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CANADA = DATA / "ca_buyandsell_tenders_2014.json.gz"
RESULTS = ROOT / "bench" / "results"

# Generated Korean listings: (product, code prefix) pairs crossed with modifiers.
PRODUCTS = [
    ("순찰 드론", "N1550"),
    ("측량용 드론", "N1551"),
    ("열화상 카메라", "N6720"),
    ("AI 영상분석 CCTV", "N5836"),
    ("수위 감지 센서", "N6680"),
    ("미세먼지 측정기", "N6665"),
    ("전기 버스", "N2310"),
    ("자율주행 청소차", "N3825"),
    ("스마트 가로등", "N6210"),
    ("태양광 패널", "N6117"),
    ("에너지 저장 장치", "N6140"),
    ("사무용 의자", "N7110"),
    ("전동 책상", "N7111"),
    ("교육용 태블릿", "N7021"),
    ("원격 진료 키트", "N6515"),
    ("재난 안내방송 스피커", "N5830"),
    ("스마트 쓰레기통", "N7240"),
    ("수질 분석 장비", "N6630"),
    ("로봇 청소기", "N7910"),
    ("전자 칠판", "N7020"),
]
FEATURES = [
    "정지비행",
    "야간 촬영",
    "방수 방진",
    "저전력",
    "클라우드 연동",
    "원격 제어",
    "실시간 경보",
    "국산 부품",
    "장시간 운용",
    "경량 구조",
    "음성 안내",
    "자동 보고서",
    "모바일 앱",
    "다국어 지원",
    "고해상도",
]
REGIONS = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원"]
DEMANDS = [
    "순찰용 드론, 정지비행, 안내방송",
    "하천 홍수 경보를 위한 수위 센서",
    "학교 교실용 전자 칠판과 태블릿",
    "Patrol drone with loudspeaker for coastal surveillance",
    "Diesel generator replacement at headquarters",
    "스마트 가로등 및 CCTV 통합 관제",
    "Snow removal services for parking lots",
    "미세먼지 측정기 설치, 실시간 경보",
    "Office furniture: ergonomic chairs and desks",
    "전기 버스 충전 인프라와 에너지 저장 장치",
]


def generated_listing(i: int, rng: random.Random) -> dict:
    product, prefix = rng.choice(PRODUCTS)
    features = rng.sample(FEATURES, k=3)
    code = f"{prefix}{rng.choice('ABCDE')}"
    return {
        "id": f"kr-{i}",
        "text": f"{product} {' '.join(features)} 모델 {rng.randint(1, 999)}",
        "codes": [code],
        "code_names": {code: product},
        "price": rng.randrange(100_000, 500_000_000, 10_000),
        "region": rng.choice(REGIONS),
        "trl": rng.randint(3, 9),
        "index": round(rng.uniform(40, 95), 1),
        "pilots": rng.randint(0, 5),
    }


def build_listings(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    listings = []
    if CANADA.exists():
        for t in load_tenders(CANADA)[:n]:
            text = f"{t['text']} {t.get('code_text', '')}".strip()
            listings.append(
                {
                    "id": f"ca-{t['id']}",
                    "text": text,
                    "codes": t["codes"],
                    "code_names": t.get("code_names", {}),
                }
            )
    listings.extend(generated_listing(i, rng) for i in range(n - len(listings)))
    return listings


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile_ms(samples, q):
    return round(1000 * float(np.percentile(samples, q)), 2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rss_start = rss_mb()
    listings = build_listings(args.listings, args.seed)
    rss_data = rss_mb()
    started = time.perf_counter()
    matcher = Matcher(random_state=args.seed).fit(listings)
    fit_seconds = time.perf_counter() - started
    rss_fitted = rss_mb()

    rng = random.Random(args.seed)
    queries = []
    for i in range(args.queries):
        demand = {"text": DEMANDS[i % len(DEMANDS)]}
        if i % 3 == 0:
            demand["budget"] = rng.randrange(1_000_000, 100_000_000, 100_000)
            demand["region"] = rng.choice(REGIONS)
        if i % 5 == 0:
            demand["codes"] = ["N1550"]
        queries.append(demand)
    matcher.rank(queries[0])  # warm-up
    rank_times, explain_free = [], []
    for demand in queries:
        t0 = time.perf_counter()
        matcher.rank(demand, k=10)
        rank_times.append(time.perf_counter() - t0)
    for demand in queries[:100]:
        t0 = time.perf_counter()
        matcher.rank(demand, k=10, explain=False)
        explain_free.append(time.perf_counter() - t0)
    suggest_times = []
    for demand in queries[:100]:
        t0 = time.perf_counter()
        matcher.suggest_codes(demand["text"], k=3)
        suggest_times.append(time.perf_counter() - t0)
    demands_for_supplier = [{"id": i, **q} for i, q in enumerate(queries[:50])]
    t0 = time.perf_counter()
    matcher.rank_demands(listings[-1], demands_for_supplier, k=10)
    rank_demands_seconds = time.perf_counter() - t0
    # The supplier dashboard: 200 open demands prepared once, then ranked against listings.
    open_demands = [{"id": i, **queries[i % len(queries)]} for i in range(200)]
    t0 = time.perf_counter()
    prepared = matcher.prepare_demands(open_demands)
    prepare_seconds = time.perf_counter() - t0
    prepared_times = []
    for listing in listings[-20:]:
        t0 = time.perf_counter()
        matcher.rank_demands(listing, prepared, k=10)
        prepared_times.append(time.perf_counter() - t0)
    model_path = RESULTS / "matching-model.joblib"
    t0 = time.perf_counter()
    matcher.save(model_path)
    save_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    Matcher.load(model_path)
    load_seconds = time.perf_counter() - t0
    model_mb = model_path.stat().st_size / 2**20
    model_path.unlink()

    report = {
        "benchmark": "matching",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "library_version": __version__,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "listings": len(listings),
        "queries": len(queries),
        "fit_seconds": round(fit_seconds, 2),
        "weights_source": matcher.weights_source_,
        "rank_ms": {
            "p50": percentile_ms(rank_times, 50),
            "p95": percentile_ms(rank_times, 95),
            "p99": percentile_ms(rank_times, 99),
            "max": percentile_ms(rank_times, 100),
        },
        "rank_no_reasons_ms_p95": percentile_ms(explain_free, 95),
        "suggest_codes_ms_p95": percentile_ms(suggest_times, 95),
        "rank_demands_50_ms": round(1000 * rank_demands_seconds, 1),
        "prepare_demands_200_ms": round(1000 * prepare_seconds, 1),
        "rank_prepared_200_ms_p95": percentile_ms(prepared_times, 95),
        "save_seconds": round(save_seconds, 2),
        "load_seconds": round(load_seconds, 2),
        "model_file_mb": round(model_mb, 1),
        "memory_mb": {
            "peak_rss_before": round(rss_start, 1),
            "peak_rss_with_data": round(rss_data, 1),
            "peak_rss_after_fit": round(rss_fitted, 1),
            "fit_increment": round(rss_fitted - rss_data, 1),
        },
        "targets": {"rank_p95_ms": 50, "fit_seconds": 120},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"matching-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")

    rows = [
        ("listings", f"{report['listings']:,}"),
        ("fit", f"{report['fit_seconds']} s (target < 120 s)"),
        (
            "rank p50 / p95 / p99",
            "{p50} / {p95} / {p99} ms (target p95 ≤ 50)".format(**report["rank_ms"]),
        ),
        ("rank p95 without reasons", f"{report['rank_no_reasons_ms_p95']} ms"),
        ("suggest_codes p95", f"{report['suggest_codes_ms_p95']} ms"),
        ("rank_demands (50 demands)", f"{report['rank_demands_50_ms']} ms"),
        ("prepare_demands (200, ⅕ with codes)", f"{report['prepare_demands_200_ms']} ms"),
        ("rank_demands over them, p95", f"{report['rank_prepared_200_ms_p95']} ms"),
        ("save / load", f"{report['save_seconds']} s / {report['load_seconds']} s"),
        ("model file", f"{report['model_file_mb']} MB"),
        ("peak RSS after fit", f"{report['memory_mb']['peak_rss_after_fit']} MB"),
        ("fit memory increment", f"{report['memory_mb']['fit_increment']} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
