"""Evaluate the matcher against a BM25 baseline on OCDS tenders whose codes grade relevance.

    python -m matching.evaluate --ocds PATH [--seed N] [--k 10] [--json] [--code-names]
                                [--no-code-names] [--primary-code]

Protocol (docs/matching.md): tenders with a code and ≥ 20 characters of text, duplicate
texts dropped, shuffled with the seed; the first half become listings (text and codes),
the second half demands (text only). Listings carry their codes' names (the
classification descriptions) in a field of their own, as a catalogue knows the names of its
codes; demands never see them (``--no-code-names``: listings without names;
``--code-names``: names in the listing text too). A listing's relevance grade for a demand is the
best agreement depth over all pairs of their codes (0 none … 4 exact; ``--primary-code``:
of their first codes only). Reported: NDCG@k (gain
2^grade − 1, ideal from all listings), MRR@k and recall@k with "relevant" = grade ≥ 3
(same class or exact code), for the matcher and for BM25 over the same listings; and the
classifier's top-1/top-3 accuracy at group level on the demands (a hit when any of the
demand's true groups is predicted). A second baseline, BM25 over listing text plus code
names, shows what the names alone give a keyword search.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from matching.bm25 import BM25
from matching.codes import LEVEL_NAMES, code_prefix
from matching.matcher import Matcher
from matching.metrics import ndcg_at_k, recall_at_k, reciprocal_rank
from matching.ocds import load_tenders

#: Grade from which a listing counts as relevant for MRR and recall (3 = same class).
RELEVANT_GRADE = 3
CLASSIFICATION_LEVEL = "group"
MIN_TENDERS = 4


def split(tenders, seed, code_names=False, names_field=True):
    """Shuffle with ``seed``; first half listings (with codes), second half demands.

    Listings carry ``code_names`` ({code: name}, from the classification descriptions)
    unless ``names_field`` is false; with ``code_names`` their text also carries those
    names, as a listing shows its category. Demands never see names.
    """
    order = np.random.RandomState(seed).permutation(len(tenders))
    shuffled = [tenders[i] for i in order]
    half = len(shuffled) // 2
    listings = [
        {
            "id": t["id"],
            "text": f"{t['text']} {t.get('code_text', '')}".strip() if code_names else t["text"],
            "codes": t["codes"],
            **({"code_names": t.get("code_names", {})} if names_field else {}),
        }
        for t in shuffled[:half]
    ]
    demands = [
        {"id": t["id"], "text": t["text"], "hidden_codes": t["codes"]} for t in shuffled[half:]
    ]
    return listings, demands


class _Grader:
    """Relevance grades of every listing for a demand, vectorised over prefix levels.

    A listing's grade is the best agreement depth over all pairs of the demand's and the
    listing's codes (``primary_only``: of their first codes only). Prefixes nest, so that
    is the deepest level at which any pair agrees.
    """

    def __init__(self, listing_codes, primary_only=False):
        self.primary_only = primary_only
        self.n = len(listing_codes)
        self.levels = []  # per level: (rows, prefixes) of every listing code
        for name in LEVEL_NAMES:
            rows, prefixes = [], []
            for row, codes in enumerate(listing_codes):
                for code in codes[:1] if primary_only else codes:
                    p = code_prefix(code, name)
                    if p is not None:
                        rows.append(row)
                        prefixes.append(p)
            self.levels.append((np.array(rows, dtype=np.int64), np.array(prefixes, dtype=object)))

    def grades(self, codes) -> np.ndarray:
        codes = list(codes)[:1] if self.primary_only else list(codes)
        grade = np.zeros(self.n, dtype=np.int64)
        for depth, (name, (rows, prefixes)) in enumerate(
            zip(LEVEL_NAMES, self.levels, strict=True), start=1
        ):
            wanted = {p for p in (code_prefix(c, name) for c in codes) if p is not None}
            if wanted and rows.size:
                hit = np.isin(prefixes, list(wanted))
                grade[rows[hit]] = depth
        return grade


def _metrics(ranked, all_grades, k):
    return (
        ndcg_at_k(ranked, all_grades, k),
        reciprocal_rank(ranked, RELEVANT_GRADE, k) if max(all_grades) >= RELEVANT_GRADE else None,
        recall_at_k(ranked, all_grades, RELEVANT_GRADE, k),
    )


def _mean(values):
    values = [v for v in values if v is not None]
    return (float(np.mean(values)), len(values)) if values else (None, 0)


def evaluate(
    tenders,
    seed=0,
    k=10,
    code_names=False,
    matcher_params=None,
    primary_only=False,
    names_field=True,
):
    """Run the protocol on ``tenders`` (from :func:`matching.ocds.load_tenders`); a dict.

    ``primary_only`` grades relevance and classification by the first code of each tender
    only (the earlier reading); by default every code counts.

    :raise ValueError: with fewer than ``MIN_TENDERS`` tenders.
    """
    if len(tenders) < MIN_TENDERS:
        raise ValueError(f"need at least {MIN_TENDERS} tenders, got {len(tenders)}")
    listings, demands = split(tenders, seed, code_names=code_names, names_field=names_field)
    started = time.perf_counter()
    matcher = Matcher(random_state=seed, **(matcher_params or {})).fit(listings)
    fit_seconds = time.perf_counter() - started
    bm25 = BM25().fit([listing["text"] for listing in listings])
    # The keyword baseline given the same names as the matcher (as listing text).
    bm25_names = None
    if names_field and not code_names:
        bm25_names = BM25().fit(
            [" ".join([listing["text"], *listing["code_names"].values()]) for listing in listings]
        )
    grader = _Grader([listing["codes"] for listing in listings], primary_only=primary_only)
    position = {listing["id"]: p for p, listing in enumerate(listings)}
    results = {"matcher": [], "bm25": []}
    if bm25_names is not None:
        results["bm25_names"] = []
    hits = {name: [0, 0, 0] for name in LEVEL_NAMES}  # per level: evaluated, top-1, top-3
    rank_seconds = []
    for demand in demands:
        truth = demand["hidden_codes"][:1] if primary_only else demand["hidden_codes"]
        all_grades = grader.grades(truth)
        query = {"text": demand["text"]}
        t0 = time.perf_counter()
        matches = matcher.rank(query, k=k, explain=False)
        rank_seconds.append(time.perf_counter() - t0)
        ranked = [all_grades[position[m.listing_id]] for m in matches]
        results["matcher"].append(_metrics(ranked, all_grades, k))
        ranked = [all_grades[i] for i in bm25.rank(demand["text"], k=k)]
        results["bm25"].append(_metrics(ranked, all_grades, k))
        if bm25_names is not None:
            ranked = [all_grades[i] for i in bm25_names.rank(demand["text"], k=k)]
            results["bm25_names"].append(_metrics(ranked, all_grades, k))
        dist, similarity = matcher.classifier_._distributions([demand["text"]])[0]
        for name, row in hits.items():
            true_prefixes = {p for p in (code_prefix(c, name) for c in truth) if p is not None}
            if not true_prefixes:
                continue
            suggested = [
                s.code
                for s in matcher.classifier_._suggest_from_distribution(
                    dist, similarity, k=3, level=name
                )
            ]
            row[0] += 1
            row[1] += bool(suggested[:1]) and suggested[0] in true_prefixes
            row[2] += bool(true_prefixes.intersection(suggested))
    report = {
        "n_tenders": len(tenders),
        "n_listings": len(listings),
        "n_demands": len(demands),
        "seed": seed,
        "k": k,
        "listing_code_names": code_names,
        "listing_code_name_field": names_field,
        "classifier_name_rows": getattr(matcher.classifier_, "n_name_rows_", 0),
        "grading": "primary code" if primary_only else "all codes",
        "relevant_grade": RELEVANT_GRADE,
        "weights_source": matcher.weights_source_,
        "relevance_choice": (matcher.relevance_selection_ or {}).get("chosen", "default"),
        "classifier_blend": matcher.classifier_.blend_,
        "classifier_temperature": matcher.classifier_.temperature_,
        "classifier_reranker": getattr(matcher.classifier_, "reranker_", None) is not None,
        "classifier_rerank_gain": matcher.classifier_.cv_scores_.get("rerank_gain"),
        "fit_seconds": round(fit_seconds, 3),
        "rank_ms_mean": round(1000 * float(np.mean(rank_seconds)), 3),
    }
    for system, rows in results.items():
        ndcg, n_ndcg = _mean([r[0] for r in rows])
        mrr, n_rel = _mean([r[1] for r in rows])
        recall, _ = _mean([r[2] for r in rows])
        report[system] = {
            f"ndcg@{k}": ndcg,
            f"mrr@{k}": mrr,
            f"recall@{k}": recall,
            "demands_with_any_relevance": n_ndcg,
            "demands_with_relevant": n_rel,
        }
    base = report["bm25"][f"ndcg@{k}"]
    mine = report["matcher"][f"ndcg@{k}"]
    report["ndcg_ratio"] = (mine / base) if base and mine is not None else None
    if "bm25_names" in report:
        base = report["bm25_names"][f"ndcg@{k}"]
        report["ndcg_ratio_bm25_names"] = (mine / base) if base and mine is not None else None
    classified, top1, top3 = hits[CLASSIFICATION_LEVEL]
    report["classification"] = {
        "level": CLASSIFICATION_LEVEL,
        "n": classified,
        "top1": top1 / classified if classified else None,
        "top3": top3 / classified if classified else None,
        "by_level": {
            name: {"n": n, "top1": a / n if n else None, "top3": b / n if n else None}
            for name, (n, a, b) in hits.items()
        },
    }
    return report


def _fmt(value):
    return "—" if value is None else f"{value:.3f}"


def _names_mode(report) -> str:
    if report["listing_code_names"]:
        return "in listing text"
    return "listing field" if report.get("listing_code_name_field") else "none"


def format_report(report, name="") -> str:
    k = report["k"]
    lines = [
        f"{name}  tenders={report['n_tenders']} listings={report['n_listings']} "
        f"demands={report['n_demands']} seed={report['seed']} weights={report['weights_source']}"
        f" code names={_names_mode(report)}"
        f" grading={report['grading']}",
        f"{'system':<10}{'NDCG@' + str(k):>10}{'MRR@' + str(k):>10}{'R@' + str(k):>10}",
    ]
    for system in ("matcher", "bm25", "bm25_names"):
        if system not in report:
            continue
        row = report[system]
        lines.append(
            f"{system:<10}{_fmt(row[f'ndcg@{k}']):>10}{_fmt(row[f'mrr@{k}']):>10}"
            f"{_fmt(row[f'recall@{k}']):>10}"
        )
    c = report["classification"]
    lines.append(f"NDCG ratio matcher/BM25: {_fmt(report['ndcg_ratio'])}")
    if report.get("ndcg_ratio_bm25_names") is not None:
        lines.append(
            f"NDCG ratio matcher/BM25 over text + code names: "
            f"{_fmt(report['ndcg_ratio_bm25_names'])}"
        )
    lines.append(
        f"classification ({c['level']}, n={c['n']}): top-1 {_fmt(c['top1'])}, "
        f"top-3 {_fmt(c['top3'])}"
    )
    lines.append(
        "  by level (top-1/top-3): "
        + ", ".join(
            f"{name} {_fmt(v['top1'])}/{_fmt(v['top3'])}" for name, v in c["by_level"].items()
        )
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__)
    parser.add_argument("--ocds", required=True, help="OCDS file (.json/.json.gz) or folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--code-names",
        action="store_true",
        help="variant: listings also carry their codes' names in their text",
    )
    parser.add_argument(
        "--no-code-names",
        action="store_true",
        help="variant: listings carry no code names at all (not even as a field)",
    )
    parser.add_argument(
        "--primary-code",
        action="store_true",
        help="variant: grade by each tender's first code only (default: best pair of codes)",
    )
    args = parser.parse_args(argv)
    tenders = load_tenders(args.ocds)
    try:
        report = evaluate(
            tenders,
            seed=args.seed,
            k=args.k,
            code_names=args.code_names,
            primary_only=args.primary_code,
            names_field=not args.no_code_names,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report["ocds"] = str(args.ocds)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_report(report, name=str(args.ocds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
