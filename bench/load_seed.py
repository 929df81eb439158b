"""Seed a database with a market of ``N`` documents for the load benchmark, fast and once.

Rows go in with SQLAlchemy Core ``INSERT`` batches (explicit ids, no ORM objects, no services,
no outbox rows), then the embedded search index is rebuilt from the database in one pass. A
marker file in the instance folder remembers what was seeded: a second run with the same
database and size does nothing.

    .venv/bin/python bench/load_seed.py --database-url postgresql://postgres@127.0.0.1/bench_load

Used by ``bench/load.py``; the shapes follow the demo (procure/demo_market.py) and the OCDS
importer: demands with codes and requirements, listed products with codes and specs, submitted
reverse proposals, approved citizen ideas and verified organisations.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script: import the checkout's packages, not bench/search.py as ``search``.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

SEED_VERSION = 1
PASSWORD = "bench-password-2026"  # noqa: S105 - the benchmark's own throw-away accounts
TOKEN = "prc_bench-token-"  # noqa: S105 - plain API tokens are TOKEN + user number
EMAIL_DOMAIN = "bench.procure.kr"
OFFICERS = 10
SUPPLIERS = 30
CHUNK = 5000

# Shares of the documents (they add up to 1).
SHARES = {
    "organisation": 0.01,
    "demand": 0.40,
    "product": 0.35,
    "proposal": 0.16,
    "idea": 0.08,
}

REGIONS = ["11", "26", "27", "28", "29", "30", "31", "36", "41", "51", "43", "44", "52"]
REGIONS += ["46", "47", "48", "50"]
NOUNS = [
    ("드론", "drone"),
    ("의자", "chair"),
    ("로봇", "robot"),
    ("청소기", "vacuum cleaner"),
    ("카메라", "camera"),
    ("센서", "sensor"),
    ("노트북", "laptop"),
    ("조명", "lighting"),
    ("배터리", "battery"),
    ("가로등", "street light"),
    ("정수기", "water purifier"),
    ("공기청정기", "air purifier"),
    ("소화기", "fire extinguisher"),
    ("태양광 패널", "solar panel"),
    ("전기차 충전기", "EV charger"),
    ("전자 칠판", "electronic board"),
    ("수위 센서", "water level sensor"),
    ("미세먼지 측정기", "fine dust monitor"),
    ("안내 로봇", "guide robot"),
    ("스마트 쓰레기통", "smart bin"),
]
MODIFIERS = ["소형", "대형", "스마트", "친환경", "인공지능", "자율주행", "저전력", "고성능"]
MODIFIERS += ["휴대용", "산업용", "공공용", "방수형", "무선"]
PURPOSES = ["공공청사 도입", "시설 점검", "재난 대응", "교육용 구매", "실증 사업", "유지보수"]
PURPOSES += ["성능 개선", "현장 적용", "시범 운영", "통합 관리"]
EN_PREFIXES = ["Supply of", "Pilot of", "Replacement of", "Annual purchase of", "Trial of"]
REQUIREMENTS = [("작동 시간", "4", "시간"), ("방수 등급", "IP67", ""), ("무게", "2", "kg")]
REQUIREMENTS += [("정확도", "95", "％"), ("소음", "40", "dB"), ("보증 기간", "2", "년")]


def masked(url: str) -> str:
    from procure.config import _mask_password

    return _mask_password(url)


def marker_path(instance: Path) -> Path:
    return instance / "bench-seed.json"


def wanted(docs: int) -> dict[str, int]:
    counts = {kind: int(docs * share) for kind, share in SHARES.items()}
    counts["demand"] += docs - sum(counts.values())
    return counts


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_seeded(app, instance: Path, docs: int) -> bool:
    """The marker says this database holds ``docs`` documents and the index was built."""
    from procure.extensions import db
    from procure.models import Demand

    path = marker_path(instance)
    if not path.is_file():
        return False
    marker = json.loads(path.read_text(encoding="utf-8"))
    if marker.get("version") != SEED_VERSION or marker.get("docs") != docs:
        return False
    if marker.get("database") != masked(app.config["SQLALCHEMY_DATABASE_URI"]):
        return False
    with app.app_context():
        have = db.session.scalar(
            select(func.count()).select_from(Demand).where(Demand.source == "bench")
        )
    return have == wanted(docs)["demand"]


def _next_id(conn, table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _insert(conn, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


def _fix_sequences(conn, tables) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table.name}"))'
            )
        )


def _title(rng: random.Random) -> tuple[str, str, str]:
    """A (Korean or English) title, its language and the noun it is about."""
    noun, en = rng.choice(NOUNS)
    if rng.random() < 0.75:
        return f"{rng.choice(MODIFIERS)} {noun} {rng.choice(PURPOSES)}", "ko", noun
    return f"{rng.choice(EN_PREFIXES)} {en}s for public buildings", "en", noun


def seed(app, docs: int, seed_value: int = 9) -> dict[str, int]:
    """Insert ``docs`` documents (and their child rows); return the counts by kind."""
    from procure import models as m
    from procure.account.services import hash_password
    from procure.classification.services import CPV, cpv_level, ensure_divisions, load_cpv
    from procure.clock import local_today
    from procure.demo_market import CODES, _cpv_file
    from procure.extensions import db

    rng = random.Random(seed_value)
    counts = wanted(docs)
    now = datetime.now(UTC)
    today = local_today()
    with app.app_context():
        # Classification codes: the full CPV when the file is at hand, the demo's codes always.
        path = _cpv_file()
        have_codes = db.session.scalar(select(func.count()).select_from(m.ClassificationCode))
        if path is not None and have_codes < 1000:
            load_cpv(path)
        ensure_divisions()
        present = set(db.session.scalars(select(m.ClassificationCode.code)))
        for code, parent, label_en, label_ko in CODES:
            if code not in present:
                db.session.add(
                    m.ClassificationCode(
                        scheme=CPV,
                        code=code,
                        parent=parent,
                        level=cpv_level(code),
                        label_en=label_en,
                        label_ko=label_ko,
                    )
                )
        db.session.commit()
        codes = [c[0] for c in CODES]
        password = hash_password(PASSWORD)

        conn = db.session.connection()
        tables = {name: getattr(model, "__table__", None) for name, model in vars(m).items()}
        t = {name: table for name, table in tables.items() if table is not None}
        org_t, user_t, role_t, token_t = (
            t["Organisation"],
            t["User"],
            t["UserRole"],
            t["ApiToken"],
        )

        # Organisations: 30 % agencies, 70 % suppliers, all verified.
        org_id = _next_id(conn, org_t)
        n_org = max(counts["organisation"], 20)
        agencies, suppliers, orgs = [], [], []
        for i in range(n_org):
            kind = "agency" if i % 10 < 3 else "supplier"
            oid = org_id + i
            (agencies if kind == "agency" else suppliers).append(oid)
            noun = NOUNS[i % len(NOUNS)][0]
            name = f"벤치{'기관' if kind == 'agency' else noun + '기업'} {i + 1}"
            orgs.append(
                {
                    "id": oid,
                    "kind": kind,
                    "name": name,
                    "name_en": f"Bench {'Agency' if kind == 'agency' else 'Supplier'} {i + 1}",
                    "region": rng.choice(REGIONS),
                    "is_sme": kind == "supplier",
                    "verified_at": now - timedelta(days=rng.randint(1, 700)),
                    "version": 1,
                }
            )
        _insert(conn, org_t, orgs)

        # People who sign in during the run, each with an API token (plain: TOKEN + number).
        user_id = _next_id(conn, user_t)
        users, roles, tokens = [], [], []
        people = [("officer", agencies[i % len(agencies)]) for i in range(OFFICERS)]
        people += [("supplier", suppliers[i % len(suppliers)]) for i in range(SUPPLIERS)]
        for n, (role, org) in enumerate(people):
            uid = user_id + n
            number = n + 1 if role == "officer" else n + 1 - OFFICERS
            users.append(
                {
                    "id": uid,
                    "email": f"{role}{number}@{EMAIL_DOMAIN}",
                    "name": f"벤치 {role} {number}",
                    "password_hash": password,
                    "organisation_id": org,
                    "approved_at": now,
                    "version": 1,
                }
            )
            roles.append({"user_id": uid, "role": role})
            plain = f"{TOKEN}{role}{number}"
            tokens.append(
                {
                    "user_id": uid,
                    "name": "bench",
                    "prefix": plain[:12],
                    "token_hash": _digest(plain),
                }
            )
        citizen = user_id + len(people)
        users.append(
            {
                "id": citizen,
                "email": f"citizen@{EMAIL_DOMAIN}",
                "name": "벤치 시민",
                "password_hash": password,
                "organisation_id": None,
                "approved_at": None,
                "version": 1,
            }
        )
        roles.append({"user_id": citizen, "role": "citizen"})
        _insert(conn, user_t, users)
        _insert(conn, role_t, roles)
        _insert(conn, token_t, tokens)

        # Demands with two codes and three requirements each.
        demand_t, dcode_t, dreq_t = t["Demand"], t["DemandCode"], t["DemandRequirement"]
        demand_id = _next_id(conn, demand_t)
        demands, dcodes, dreqs = [], [], []
        for i in range(counts["demand"]):
            did = demand_id + i
            title, language, noun = _title(rng)
            published = now - timedelta(days=rng.uniform(0, 700))
            closed = rng.random() < 0.15
            demands.append(
                {
                    "id": did,
                    "agency_id": rng.choice(agencies),
                    "title": title,
                    "problem": f"{noun} 관련 현장의 문제를 해결하려 합니다. {title}. "
                    f"기존 장비는 {rng.choice(MODIFIERS)} 요구를 충족하지 못합니다.",
                    "desired_outcome": f"{rng.choice(PURPOSES)}에 활용합니다.",
                    "demand_type": rng.choice(["purchase", "purchase", "pilot", "rnd"]),
                    "budget": rng.randrange(10, 5000) * 1_000_000,
                    "quantity": rng.randint(1, 50),
                    "region": rng.choice(REGIONS),
                    "opens_on": today - timedelta(days=rng.randint(0, 30)),
                    "closes_on": today + timedelta(days=rng.randint(-30 if closed else 1, 120)),
                    "language": language,
                    "status": "closed" if closed else "published",
                    "outcome": "awarded" if closed else None,
                    "revision": 1,
                    "published_at": published,
                    "closed_at": published + timedelta(days=30) if closed else None,
                    "source": "bench",
                    "external_id": f"bench-demand-{did}",
                    "version": 1,
                }
            )
            for code in rng.sample(codes, 2):
                dcodes.append({"demand_id": did, "scheme": "CPV", "code": code})
            for position, (name, value, unit) in enumerate(rng.sample(REQUIREMENTS, 3)):
                dreqs.append(
                    {
                        "demand_id": did,
                        "position": position,
                        "name": name,
                        "target_value": value,
                        "unit": unit,
                        "mandatory": position == 0,
                    }
                )
        _insert(conn, demand_t, demands)
        _insert(conn, dcode_t, dcodes)
        _insert(conn, dreq_t, dreqs)
        demand_ids = [d["id"] for d in demands if d["status"] == "published"]
        del demands, dcodes, dreqs

        # Products: 90 % listed, with two codes and two specs.
        product_t, pcode_t, spec_t = t["Product"], t["ProductCode"], t["ProductSpec"]
        product_id = _next_id(conn, product_t)
        products, pcodes, specs = [], [], []
        for i in range(counts["product"]):
            pid = product_id + i
            title, language, noun = _title(rng)
            listed = rng.random() < 0.9
            products.append(
                {
                    "id": pid,
                    "supplier_id": rng.choice(suppliers),
                    "name": title.replace("도입", "").strip(),
                    "name_en": NOUNS[i % len(NOUNS)][1].title(),
                    "summary": f"{rng.choice(MODIFIERS)} {noun}",
                    "description": f"{noun} 제품입니다. {rng.choice(PURPOSES)}에 적합합니다.",
                    "trl": rng.randint(4, 9),
                    "price": rng.randrange(1, 500) * 100_000,
                    "unit": "대",
                    "regions": [rng.choice(REGIONS)],
                    "language": language,
                    "status": "listed" if listed else "draft",
                    "listed_at": now - timedelta(days=rng.uniform(0, 700)) if listed else None,
                    "version": 1,
                }
            )
            for code in rng.sample(codes, 2):
                pcodes.append({"product_id": pid, "scheme": "CPV", "code": code})
            for position, (name, value, unit) in enumerate(rng.sample(REQUIREMENTS, 2)):
                specs.append(
                    {
                        "product_id": pid,
                        "position": position,
                        "name": name,
                        "value": value,
                        "unit": unit,
                    }
                )
        _insert(conn, product_t, products)
        _insert(conn, pcode_t, pcodes)
        _insert(conn, spec_t, specs)
        del products, pcodes, specs

        # Reverse proposals answering published demands (submitted, so agencies see them).
        proposal_t = t["ReverseProposal"]
        proposal_id = _next_id(conn, proposal_t)
        proposals = []
        for i in range(counts["proposal"]):
            title, _language, noun = _title(rng)
            submitted = now - timedelta(days=rng.uniform(0, 300))
            proposals.append(
                {
                    "id": proposal_id + i,
                    "supplier_id": rng.choice(suppliers),
                    "demand_id": rng.choice(demand_ids),
                    "title": f"{title} 제안",
                    "summary": f"{noun}(으)로 요구사항을 충족합니다.",
                    "price_offer": rng.randrange(1, 500) * 1_000_000,
                    "delivery_plan": "계약 후 60일 이내 납품",
                    "delivery_days": rng.randint(10, 120),
                    "status": "submitted",
                    "submitted_at": submitted,
                    "version": 1,
                }
            )
        _insert(conn, proposal_t, proposals)
        del proposals

        # Approved citizen ideas.
        idea_t = t["CitizenIdea"]
        idea_id = _next_id(conn, idea_t)
        ideas = []
        for i in range(counts["idea"]):
            noun = rng.choice(NOUNS)[0]
            ideas.append(
                {
                    "id": idea_id + i,
                    "author_id": citizen,
                    "title": f"{noun}(으)로 {rng.choice(PURPOSES)}을 하면 좋겠습니다",
                    "problem": f"동네에 {noun}이(가) 부족해 불편합니다.",
                    "suggestion": f"{rng.choice(MODIFIERS)} {noun} 도입",
                    "region": rng.choice(REGIONS),
                    "status": "approved",
                    "moderated_at": now - timedelta(days=rng.uniform(0, 300)),
                    "version": 1,
                }
            )
        _insert(conn, idea_t, ideas)
        written = [org_t, user_t, role_t, token_t, demand_t, dcode_t, dreq_t, product_t]
        _fix_sequences(conn, [*written, pcode_t, spec_t, proposal_t, idea_t])
        db.session.commit()
        if conn.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))  # what autovacuum would have done by now
    counts["organisation"] = n_org
    return counts


def reindex(app) -> int:
    """Rebuild the embedded index from the database; return the number of documents."""
    from procure import indexing, search_service
    from procure.extensions import db

    with app.app_context():
        backend = search_service.get_backend(app)
        counted = 0

        def documents():
            nonlocal counted
            for doc in indexing.all_documents(db.session()):
                counted += 1
                yield doc

        backend.reindex(documents())
        db.session.rollback()
    return counted


def train_matcher(app) -> float | None:
    """Fit the matcher on the listed products and save it where the served app loads it
    (``procure match train`` does the same); return the seconds it took."""
    from procure import matching_service

    with app.test_request_context():
        if matching_service.model_path().exists():
            return None
        started = time.perf_counter()
        matcher = matching_service.fit_matcher(feedback=False)
        if matcher is not None:
            matcher.save(matching_service.model_path(), metrics={"source": "bench/load_seed.py"})
        took = time.perf_counter() - started
        from procure.extensions import db

        db.session.remove()
    return took


def ensure(app, instance: Path, docs: int, log=print, train: bool = True) -> dict:
    """Seed and index unless the marker says it is done; return the marker."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")
    path = marker_path(instance)
    if is_seeded(app, instance, docs):
        log(f"seed: {docs:,} documents already in {masked(app.config['SQLALCHEMY_DATABASE_URI'])}")
        marker = json.loads(path.read_text(encoding="utf-8"))
        if train and marker.get("matcher_seconds") is None:
            log("seed: fitting the matcher (once; saved in the instance folder) …")
            marker["matcher_seconds"] = train_matcher(app)
            path.write_text(json.dumps(marker, indent=2), encoding="utf-8")
        return marker
    started = time.perf_counter()
    counts = seed(app, docs)
    seeded = time.perf_counter() - started
    log(f"seed: inserted {sum(counts.values()):,} documents in {seeded:.1f} s {counts}")
    started = time.perf_counter()
    indexed = reindex(app)
    took = time.perf_counter() - started
    log(f"seed: indexed {indexed:,} documents in {took:.1f} s ({indexed / took:,.0f}/s)")
    marker = {
        "version": SEED_VERSION,
        "docs": docs,
        "database": masked(app.config["SQLALCHEMY_DATABASE_URI"]),
        "counts": counts,
        "seed_seconds": round(seeded, 1),
        "index_seconds": round(took, 1),
        "indexed": indexed,
        "index_docs_per_second": round(indexed / took),
        "matcher_seconds": None,
    }
    path.write_text(json.dumps(marker, indent=2), encoding="utf-8")
    if train:
        log("seed: fitting the matcher (once; saved in the instance folder) …")
        seconds = train_matcher(app)
        marker["matcher_seconds"] = round(seconds, 1) if seconds is not None else None
        log(f"seed: matcher fitted in {marker['matcher_seconds']} s")
    path.write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return marker


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of the URL when it does not exist yet."""
    if not url.startswith(("postgresql", "postgres:")):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from procure.config import normalise_database_url

    target = make_url(normalise_database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def make_app(database_url: str, instance: Path):
    from procure import create_app

    instance.mkdir(parents=True, exist_ok=True)
    return create_app(
        {
            "database_url": database_url,
            "search_url": f"embedded://{instance / 'search'}",
            "upload_dir": str(instance / "uploads"),
            "INSTANCE_PATH": str(instance),
            "SEARCH_DRAIN_ON_COMMIT": False,
        }
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--instance", required=True, help="folder for the search index and marker")
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--no-matcher", action="store_true", help="do not fit and save the matcher")
    args = p.parse_args(argv)
    instance = Path(args.instance).resolve()
    ensure_database(args.database_url)
    ensure(make_app(args.database_url, instance), instance, args.docs, train=not args.no_matcher)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
