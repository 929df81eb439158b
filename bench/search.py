"""Benchmark the embedded search backend against SQLite FTS5 and a plain SQL LIKE search.

Builds 100,000 documents (Canadian federal tenders, varied, plus generated Korean
documents), indexes them in each engine in its own process (so memory figures are its own),
runs the same fixed mix of 1,000 queries with facet counts, and prints a table. Writes
bench/results/search.json.

    .venv/bin/python bench/search.py                   # everything (a few minutes)
    .venv/bin/python bench/search.py --docs 20000 --queries 200 --like-queries 100
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from search import FACETS, Classification, Query, SearchDocument  # noqa: E402
from search import analysis as text  # noqa: E402
from search.embedded import EmbeddedBackend  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ca_buyandsell_tenders_2014.json.gz"
OUT = ROOT / "bench" / "results" / "search.json"
NOW = datetime(2026, 11, 24, tzinfo=UTC)
REGIONS = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원", "충북"]
REGIONS += ["충남", "전북", "전남", "경북", "경남", "제주"]
STATUSES = ["open", "closed", "listed", "awarded", "draft"]

KO_NOUNS = [
    ("드론", "35613000", "무인항공기", "Unmanned aerial vehicles"),
    ("의자", "39112000", "의자", "Chairs"),
    ("로봇", "42997000", "산업용 로봇", "Industrial robots"),
    ("청소기", "39713430", "진공청소기", "Vacuum cleaners"),
    ("카메라", "35125300", "보안 카메라", "Security cameras"),
    ("센서", "38430000", "감지 장치", "Detection and analysis apparatus"),
    ("노트북", "30213100", "휴대용 컴퓨터", "Portable computers"),
    ("조명", "31520000", "조명기구", "Lamps and light fittings"),
    ("배터리", "31440000", "배터리", "Batteries"),
    ("프린터", "30232110", "레이저 프린터", "Laser printers"),
    ("모니터", "30231300", "디스플레이 화면", "Display screens"),
    ("발전기", "31121000", "발전기 세트", "Generating sets"),
    ("정수기", "42912300", "정수 장치", "Water filtering apparatus"),
    ("공기청정기", "39717200", "공기 조화기", "Air-conditioning appliances"),
    ("소화기", "35111300", "소화기", "Fire extinguishers"),
    ("가로등", "34928500", "가로등 장비", "Street-lighting equipment"),
    ("소프트웨어", "48000000", "소프트웨어 패키지", "Software package"),
    ("책상", "39121100", "책상", "Desks"),
    ("태양광 패널", "09331200", "태양광 모듈", "Solar photovoltaic modules"),
    ("전기차 충전기", "31158100", "충전기", "Battery chargers"),
]
KO_MODIFIERS = ["소형", "대형", "스마트", "친환경", "인공지능", "자율주행", "저전력", "고성능"]
KO_MODIFIERS += ["휴대용", "산업용", "공공용", "방수형", "접이식", "무선"]
KO_PURPOSES = [
    "공공청사 도입",
    "시설 점검",
    "재난 대응",
    "교육용 구매",
    "실증 사업",
    "유지보수 용역",
]
KO_PURPOSES += ["성능 개선", "현장 적용", "시범 운영", "통합 관리"]
KO_PARTICLES = ["", "", "을", "를", "의", "이", "와", "으로"]
EN_PREFIXES = ["", "", "Supply of ", "Provision of ", "Replacement of ", "Annual ", "Urgent "]
EN_SUFFIXES = ["", "", " - Phase 2", " (standing offer)", " for regional offices", " and support"]

KO_QUERIES = ["드론", "의자", "청소", "로봇", "조명", "센서", "노트북", "카메라", "책상", "소형"]
KO_QUERIES += ["배터리", "점검", "도입", "스마트", "노트북을", "드론으로", "가로등", "정수기"]
EN_QUERIES = ["services", "supply", "repair", "maintenance", "software", "vehicle", "training"]
EN_QUERIES += ["equipment", "cleaning", "printing", "furniture", "security", "medical", "chair"]
EN_QUERIES += ["construction", "consulting", "camera", "drone", "parts", "engine", "boat", "paper"]
MIXED_QUERIES = ["드론 camera", "의자 office", "청소 services", "소형 드론", "스마트 조명"]
MIXED_QUERIES += ["노트북 software", "robot 청소"]


# Documents -------------------------------------------------------------------------------


def load_tenders(path: Path) -> list[dict]:
    with gzip.open(path) as f:
        releases = json.load(f)["releases"]
    out = []
    for r in releases:
        tender = r.get("tender") or {}
        items = tender.get("items") or []
        if not items:
            continue
        item = items[0]
        described = (item.get("classification") or {}).get("description") or ""
        code, _, label = described.partition(":")
        out.append(
            {
                "title": item.get("description") or "",
                "items": [i.get("description") or "" for i in items[1:4]],
                "code": code.strip(),
                "label": label.strip(),
                "buyer": (r.get("buyer") or {}).get("name", ""),
            }
        )
    return out


def make_documents(n: int, tenders: list[dict], seed: int = 7) -> list[SearchDocument]:
    """n documents: 70 % varied Canadian tenders (English), 30 % generated Korean ones."""
    rng = random.Random(seed)
    buyers = sorted({t["buyer"] for t in tenders})
    docs = []
    for i in range(n):
        amount = int(10 ** rng.uniform(5.5, 9.7)) if rng.random() < 0.9 else None
        published = NOW - timedelta(days=rng.uniform(0, 730))
        closes = published + timedelta(days=rng.uniform(7, 90)) if rng.random() < 0.6 else None
        designated = rng.random() < 0.1
        readiness = rng.randint(1, 9) if rng.random() < 0.7 else None
        confidential = rng.random() < 0.05
        common = {
            "region": rng.choice(REGIONS),
            "status": rng.choice(STATUSES),
            "designated": designated,
            "readiness_level": readiness,
            "amount": amount,
            "published_at": published,
            "closes_at": closes,
            "innovativeness": round(rng.uniform(40, 95), 1) if designated else None,
        }
        org = rng.randrange(500)
        if confidential:
            kind = "proposal"
            acl = [f"org:{org}", f"org:{rng.randrange(500)}", "role:operator"]
        else:
            kind = rng.choice(["demand", "demand", "product", "product", "idea"])
            acl = ["public"]
        if i % 10 < 7:
            t = tenders[(i * 7919) % len(tenders)]
            title = rng.choice(EN_PREFIXES) + t["title"] + rng.choice(EN_SUFFIXES)
            body = ". ".join([title, *t["items"], f"Buyer: {t['buyer']}", t["label"]])
            classes = [Classification(t["code"], "", t["label"])] if t["code"] else []
            org_name = t["buyer"]
            org = buyers.index(t["buyer"]) if t["buyer"] in buyers else org
            lang = "en"
        else:
            noun, code, label_ko, label_en = rng.choice(KO_NOUNS)
            particle = rng.choice(KO_PARTICLES)
            title = f"{rng.choice(KO_MODIFIERS)} {noun}{particle} {rng.choice(KO_PURPOSES)}"
            other = rng.choice(KO_NOUNS)[0]
            body = (
                f"{title}을 위한 {noun} 구매 계획입니다. 기존 {other}와 연동하여 "
                f"{rng.choice(KO_PURPOSES)}에 활용합니다. "
                f"{rng.choice(KO_MODIFIERS)} 제품을 우대합니다."
            )
            classes = [Classification(code, label_ko, label_en)]
            org_name = f"기관{org}"
            lang = "ko"
        docs.append(
            SearchDocument(
                id=f"{kind}:{i}",
                type=kind,
                title=title,
                body=body,
                classifications=classes,
                organisation_id=str(org),
                organisation_name=org_name,
                language=lang,
                acl=acl,
                **common,
            )
        )
    return docs


def make_queries(n: int, docs: list[SearchDocument], seed: int = 11) -> list[dict]:
    """A fixed mix: single English terms, two English terms from one title, Korean
    two-syllable terms, mixed Korean–English, and browsing with filters; all with facets."""
    rng = random.Random(seed)
    english = [d for d in docs if d.language == "en" and "public" in d.acl]
    out = []
    for i in range(n):
        kind = ("en1", "en1", "en1", "en2", "en2", "ko", "ko", "ko", "mixed", "browse")[i % 10]
        if kind == "en1":
            q = rng.choice(EN_QUERIES)
        elif kind == "en2":
            words = [w for w in text.words(rng.choice(english).title) if len(w) >= 4]
            q = " ".join(rng.sample(words, 2)) if len(words) >= 2 else rng.choice(EN_QUERIES)
        elif kind == "ko":
            q = rng.choice(KO_QUERIES)
        elif kind == "mixed":
            q = rng.choice(MIXED_QUERIES)
        else:
            q = ""
        filters: dict = {}
        roll = rng.random()
        if kind == "browse" or roll < 0.3:
            name = rng.choice(["type", "region", "designated", "division", "price_range"])
            filters[name] = {
                "type": rng.choice(["demand", "product"]),
                "region": rng.choice(REGIONS),
                "designated": True,
                "division": rng.choice(["35", "39", "30", "N61", "D30"]),
                "price_range": rng.choice(["10m_100m", "100m_1b"]),
            }[name]
        sort = "relevance" if q and rng.random() < 0.8 else rng.choice(["newest", "closing"])
        principals = ["public", f"org:{rng.randrange(500)}", "role:supplier"]
        out.append(
            {"kind": kind, "text": q, "filters": filters, "sort": sort, "principals": principals}
        )
    return out


# Engines ---------------------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0  # pragma: no cover


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


class Embedded:
    name = "embedded (tantivy)"

    def __init__(self, workdir: Path, create: bool = True):
        self.backend = EmbeddedBackend(workdir / "tantivy")

    def build(self, docs):
        self.backend.reindex(docs)

    def query(self, q: dict) -> tuple[int, list[str], dict]:
        r = self.backend.search(
            Query(q["text"], filters=q["filters"], sort=q["sort"], principals=q["principals"])
        )
        return r.total, r.ids, r.facets


FACET_COLUMNS = ["type", "division", "region", "status", "designated", "readiness_level"]
FACET_COLUMNS += ["price_range", "organisation"]


class SqliteBase:
    """Shared row storage: one row per document plus an acl table, both indexed."""

    fts = False

    def __init__(self, workdir: Path, create: bool = True):
        self.path = workdir / f"{type(self).__name__.lower()}.sqlite"
        self.db = sqlite3.connect(self.path)
        if not create:
            return
        cols = ", ".join(f"{c} TEXT" for c in FACET_COLUMNS)
        self.db.executescript(
            f"""
            PRAGMA journal_mode=WAL;
            CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, body TEXT,
                extra TEXT, {cols}, amount INTEGER, published INTEGER, closes INTEGER);
            CREATE TABLE acl (rowid INTEGER, principal TEXT);
            """
        )
        if self.fts:
            self.db.execute(
                "CREATE VIRTUAL TABLE fts USING fts5(title, body, extra, title_ko, body_ko,"
                " extra_ko, tokenize='porter unicode61')"
            )

    def build(self, docs):
        rows, acl, fts = [], [], []
        for n, d in enumerate(docs, 1):
            facet = [
                d.type,
                ",".join(d.divisions),
                d.region,
                d.status,
                "true" if d.designated else "false",
                None if d.readiness_level is None else str(d.readiness_level),
                d.price_range,
                d.organisation_id,
            ]
            rows.append(
                (n, d.id, d.title, d.body, d.extra_text, *facet, d.amount or -1,
                 int(d.published_at.timestamp()),
                 int(d.closes_at.timestamp()) if d.closes_at else 2**62)
            )  # fmt: skip
            acl += [(n, p) for p in d.acl]
            if self.fts:
                fts.append(
                    (n, d.title, d.body, d.extra_text, text.bigram_text(d.title),
                     text.bigram_text(d.body), text.bigram_text(d.extra_text))
                )  # fmt: skip
        marks = ",".join("?" * (len(FACET_COLUMNS) + 8))
        with self.db:
            self.db.executemany(f"INSERT INTO docs VALUES ({marks})", rows)
            self.db.executemany("INSERT INTO acl VALUES (?, ?)", acl)
            self.db.execute("CREATE INDEX acl_p ON acl(principal, rowid)")
            if self.fts:
                self.db.executemany(
                    "INSERT INTO fts(rowid, title, body, extra, title_ko, body_ko, extra_ko)"
                    " VALUES (?,?,?,?,?,?,?)",
                    fts,
                )

    def _filters(self, q: dict) -> tuple[str, list]:
        where = ["d.rowid IN (SELECT rowid FROM acl WHERE principal IN (%s))"]
        args: list = list(q["principals"])
        where[0] %= ",".join("?" * len(args))
        for name, value in q["filters"].items():
            if name == "division":
                where.append("(',' || d.division || ',') LIKE ?")
                args.append(f"%,{value},%")
            else:
                where.append(f"d.{name} = ?")
                args.append(("true" if value else "false") if name == "designated" else value)
        return " AND ".join(where), args

    def _order(self, q: dict, rank: str) -> str:
        return {"newest": "d.published DESC", "closing": "d.closes ASC"}.get(q["sort"], rank)

    def _facets(self, rows) -> dict:
        counts = {c: collections.Counter() for c in FACET_COLUMNS}
        for row in rows:
            for c, v in zip(FACET_COLUMNS, row, strict=True):
                if v:
                    for part in v.split(",") if c == "division" else (v,):
                        counts[c][part] += 1
        return {c: counts[c].most_common(50) for c in FACET_COLUMNS}


class Fts5(SqliteBase):
    """SQLite FTS5 (porter unicode61) with the same Hangul bigrams in separate columns."""

    name = "SQLite FTS5 + bigrams"
    fts = True

    @staticmethod
    def match(q: str) -> str:
        groups = []
        for qw in text.parse_query(q):
            alts = []
            for f in qw.hangul_forms:
                grams = " AND ".join(f'"{g}"' for g in text.hangul_bigrams(f))
                alts.append(f"({{title_ko body_ko extra_ko}} : ({grams}))")
            for f in qw.other_forms:
                alts.append(f'({{title body extra}} : "{f}")')
            groups.append("(" + " OR ".join(alts) + ")")
        return " AND ".join(groups)

    def query(self, q: dict):
        where, args = self._filters(q)
        cols = ", ".join(f"d.{c}" for c in FACET_COLUMNS)
        if q["text"]:
            base = f"FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ? AND {where}"
            args = [self.match(q["text"]), *args]
            rank = "bm25(fts, 3, 1, 0.5, 3, 1, 0.5)"
        else:
            base, rank = f"FROM docs d WHERE {where}", "d.published DESC"
        facet_rows = self.db.execute(f"SELECT {cols} {base}", args).fetchall()
        order = self._order(q, rank)
        top = self.db.execute(f"SELECT d.id {base} ORDER BY {order} LIMIT 20", args).fetchall()
        return len(facet_rows), [r[0] for r in top], self._facets(facet_rows)


class Like(SqliteBase):
    """A plain SQL LIKE search over the same rows (what a first version would do)."""

    name = "SQLite LIKE"

    def query(self, q: dict):
        where, args = self._filters(q)
        for qw in text.parse_query(q["text"]):
            alts = []
            for f in qw.forms:
                alts.append("(d.title LIKE ? OR d.body LIKE ? OR d.extra LIKE ?)")
                args += [f"%{f}%"] * 3
            where += " AND (" + " OR ".join(alts) + ")"
        cols = ", ".join(f"d.{c}" for c in FACET_COLUMNS)
        rows = self.db.execute(
            f"SELECT {cols}, d.id, d.published, d.closes FROM docs d WHERE {where}", args
        ).fetchall()
        key = {"closing": lambda r: r[-1]}.get(q["sort"], lambda r: -r[-2])
        top = [r[-3] for r in sorted(rows, key=key)[:20]]
        return len(rows), top, self._facets([r[: len(FACET_COLUMNS)] for r in rows])


ENGINES = {"embedded": Embedded, "fts5": Fts5, "like": Like}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def run_build(name: str, args) -> dict:
    """Generate the documents and index them in one engine (child process)."""
    docs = make_documents(args.docs, load_tenders(Path(args.data)))
    engine = ENGINES[name](Path(args.workdir))
    started = time.perf_counter()
    engine.build(docs)
    build_s = time.perf_counter() - started
    writes = {}
    if isinstance(engine, Embedded):
        # Outbox-style writes into the built index: 20 calls of 10 documents, one commit each.
        batch = make_documents(200, load_tenders(Path(args.data)), seed=99)
        t0 = time.perf_counter()
        for i in range(20):
            engine.backend.index_documents(batch[i * 10 : (i + 1) * 10])
        writes["write_10_docs_ms"] = round((time.perf_counter() - t0) / 20 * 1000, 1)
    return {
        **writes,
        "engine": ENGINES[name].name,
        "documents": len(docs),
        "index_seconds": round(build_s, 2),
        "docs_per_second": round(len(docs) / build_s),
        "build_peak_rss_mb": round(peak_mb(), 1),
        "disk_mb": round(dir_mb(Path(args.workdir)), 1),
    }


def run_queries(name: str, args) -> dict:
    """Open the built index in a fresh process, as a web worker would, and time the queries."""
    queries = json.loads(Path(args.queries_file).read_text(encoding="utf-8"))
    if name == "like":
        queries = queries[: args.like_queries]
    start_rss = rss_mb()
    engine = ENGINES[name](Path(args.workdir), create=False)
    for q in queries[:20]:  # warm caches, as a running server would be
        engine.query(q)
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    totals = []
    for q in queries:
        t0 = time.perf_counter()
        total, _ids, _facets = engine.query(q)
        ms = (time.perf_counter() - t0) * 1000
        latencies[q["kind"]].append(ms)
        latencies["all"].append(ms)
        totals.append(total)
    every = latencies["all"]
    return {
        "queries": len(queries),
        "p50_ms": round(statistics.median(every), 2),
        "p95_ms": round(percentile(every, 95), 2),
        "p99_ms": round(percentile(every, 99), 2),
        "mean_ms": round(statistics.fmean(every), 2),
        "p95_ms_by_kind": {k: round(percentile(v, 95), 2) for k, v in latencies.items()},
        "mean_hits": round(statistics.fmean(totals), 1),
        "query_process_rss_mb": round(rss_mb(), 1),
        "query_rss_growth_mb": round(rss_mb() - start_rss, 1),
    }


# Korean analysis: bigrams against a morphological analyser (kiwipiepy, if installed) ----

#: (query, text, relevant?) cases a Korean user would judge.
KOREAN_CASES = [
    ("노트북", "업무용 노트북을 구매합니다", True),
    ("노트북을", "노트북 거치대", True),
    ("드론", "소형드론 점검 서비스", True),
    ("로봇", "청소로봇 도입", True),
    ("청소", "청소로봇 도입", True),
    ("공기청정기", "공기 청정기 임차", True),
    ("의자", "사무용 의자와 책상", True),
    ("카메라", "열화상카메라 구매", True),
    ("센서", "센서를 단 가로등", True),
    ("가로등", "스마트가로등 실증", True),
    ("사자", "자원봉사자 모집", False),
    ("국가", "외국가구 수입", False),
    ("전기", "전기차 충전기", True),
    ("가구", "사무용 가구 구매", True),
    ("가구", "다가구 주택 점검", False),
    ("정수", "정수기 렌탈", True),
    ("수기", "정수기 렌탈", False),
    ("조명", "LED 조명 교체", True),
    ("차량", "전기차량 충전", True),
    ("교육", "교육용 태블릿", True),
]


def bigram_match(query: str, doc: str) -> bool:
    qw = text.parse_query(query)[0]
    grams = set(text.bigram_text(doc).split())
    return any(set(text.hangul_bigrams(f)) <= grams for f in qw.hangul_forms)


def korean_analysis(docs_text: list[str]) -> dict:
    out: dict = {"bigram": _judge(bigram_match)}
    t0 = time.perf_counter()
    for t in docs_text:
        text.bigram_text(t)
    out["bigram"]["docs_per_second"] = round(len(docs_text) / (time.perf_counter() - t0))
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        out["kiwi"] = "kiwipiepy not installed"
        return out
    kiwi = Kiwi()
    keep = ("NNG", "NNP", "NR", "SL", "SN", "XR")

    def morphs(s: str) -> set[str]:
        return {t.form for t in kiwi.tokenize(s) if t.tag.startswith(keep)}

    def kiwi_match(query: str, doc: str) -> bool:
        q = morphs(query)
        return bool(q) and q <= morphs(doc)

    out["kiwi"] = _judge(kiwi_match)
    t0 = time.perf_counter()
    for _ in kiwi.tokenize(docs_text):  # batch mode
        pass
    out["kiwi"]["docs_per_second"] = round(len(docs_text) / (time.perf_counter() - t0))
    return out


def _judge(match) -> dict:
    tp = sum(1 for q, d, rel in KOREAN_CASES if rel and match(q, d))
    fp = sum(1 for q, d, rel in KOREAN_CASES if not rel and match(q, d))
    relevant = sum(1 for *_, rel in KOREAN_CASES if rel)
    misses = [f"{q}→{d}" for q, d, rel in KOREAN_CASES if rel and not match(q, d)]
    false = [f"{q}→{d}" for q, d, rel in KOREAN_CASES if not rel and match(q, d)]
    return {
        "recall": round(tp / relevant, 2),
        "precision": round(tp / max(1, tp + fp), 2),
        "misses": misses,
        "false_matches": false,
    }


# Driver ----------------------------------------------------------------------------------


def _run_engines(args, scratch: Path) -> list[dict]:
    docs = make_documents(args.docs, load_tenders(Path(args.data)))
    queries_file = scratch / "queries.json"
    queries_file.write_text(json.dumps(make_queries(args.queries, docs)), encoding="utf-8")
    del docs
    results = []
    for name in args.engines.split(","):
        workdir = scratch / name
        workdir.mkdir()
        common = [sys.executable, __file__, "--engine", name, "--workdir", str(workdir)]
        common += ["--docs", str(args.docs), "--data", args.data]
        common += ["--queries-file", str(queries_file), "--like-queries", str(args.like_queries)]
        result: dict = {}
        for phase in ("build", "query"):
            print(f"{name}: {phase} ...", file=sys.stderr, flush=True)
            done = subprocess.run(
                [*common, "--phase", phase], check=True, capture_output=True, text=True
            )
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=1_000)
    p.add_argument("--like-queries", type=int, default=1_000, help="queries run on LIKE")
    p.add_argument("--engines", default="embedded,fts5,like")
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--out", default=str(OUT))
    # Child modes: one engine, one phase, JSON on stdout.
    p.add_argument("--engine", help=argparse.SUPPRESS)
    p.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    p.add_argument("--workdir", help=argparse.SUPPRESS)
    p.add_argument("--queries-file", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.engine:
        run = run_build if args.phase == "build" else run_queries
        print(json.dumps(run(args.engine, args)))
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        results = _run_engines(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ko_docs = [
        d.title + " " + d.body for d in make_documents(20_000, load_tenders(Path(args.data)))
    ]
    ko_docs = [t for t in ko_docs if text.HANGUL_RE.search(t)]
    korean = korean_analysis(ko_docs)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "facets": list(FACETS),
        "engines": results,
        "korean_analysis": korean,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    columns = ["docs/s", "p50 ms", "p95 ms", "p99 ms", "RSS MB", "disk MB", "queries"]
    # RSS MB: resident memory of the process that answered the queries (Python included).
    head = f"{'engine':24} " + " ".join(f"{c:>8}" for c in columns)
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['engine']:24} {r['docs_per_second']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8}"
            f" {r['p99_ms']:>8} {r['query_process_rss_mb']:>8} {r['disk_mb']:>8} {r['queries']:>8}"
        )
    for name, k in korean.items():
        if isinstance(k, dict):
            print(
                f"korean {name:8} recall {k['recall']} precision {k['precision']}"
                f" docs/s {k['docs_per_second']}"
            )
            print(f"    misses {k['misses']}\n    false matches {k['false_matches']}")
        else:
            print(f"korean {name:8} {k}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
