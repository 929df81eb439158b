"""Load-test the whole application: 50 concurrent users against gunicorn on a seeded database.

Seeds the database with 100,000 documents once (bench/load_seed.py; skipped when the database
already holds them), starts ``procure serve`` (gunicorn, several worker processes) on
127.0.0.1, and runs 50 simulated users — anonymous readers, signed-in suppliers and officers
who go through the real forms with their CSRF tokens, and API clients with bearer tokens —
for a fixed budget of requests after a warm-up. Prints per-endpoint percentiles, errors,
throughput and the slowest endpoints; writes bench/results/load.json (load-quick.json).

    .venv/bin/python bench/load.py          # PostgreSQL bench_load, 100k docs, 5,000 requests
    .venv/bin/python bench/load.py --quick  # SQLite, 10k docs, 1,000 requests
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1/other

Targets (issue 9): p95 ≤ 200 ms for pages, ≤ 100 ms for API reads, no errors.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import platform
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script: import the checkout's packages, not bench/search.py as ``search``.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import load_seed  # noqa: E402 - after the path set-up

RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bench_load"
PAGE_TARGET_MS = 200
API_TARGET_MS = 100
SEARCH_WORDS = ["드론", "로봇", "센서", "조명", "가로등", "정수기", "camera", "drone", "solar"]
SEARCH_WORDS += ["배터리", "스마트 조명", "공기청정기", "charger", "sensor", "소형 드론"]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, instance: Path, port: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "PROCURE_ENV": "production",
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-" + "k" * 40,
            "DATABASE_URL": args.database_url,
            "SEARCH_URL": f"embedded://{instance / 'search'}",
            "UPLOAD_DIR": str(instance / "uploads"),
            "MAIL_URL": "console://",
            "BASE_URL": f"http://127.0.0.1:{port}",
            # Every simulated user comes from 127.0.0.1, so the per-address API limit would
            # answer 429 to the anonymous API readers together; the benchmark measures the
            # application, and rate limits are tested in tests/procure/test_api_rate_limits.py.
            "API_RATE_LIMIT": "0",
            "API_RATE_LIMIT_TOKEN": "0",
        }
    )
    procure = Path(sys.executable).with_name("procure")
    command = [str(procure), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(args.workers), "--threads", str(args.threads)]
    log = log_path.open("w")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start-up; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise SystemExit("the server did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# Users ------------------------------------------------------------------------------------


class Budget:
    """The shared request budget: warm-up requests first, then the measured ones."""

    def __init__(self, warmup: int, measured: int):
        self.warmup, self.total = warmup, warmup + measured
        self.taken = 0
        self.lock = threading.Lock()
        self.started_at: float | None = None

    def take(self) -> int | None:
        with self.lock:
            if self.taken >= self.total:
                return None
            self.taken += 1
            if self.taken == self.warmup + 1:
                self.started_at = time.perf_counter()
            return self.taken


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = collections.defaultdict(list)
        self.kinds: dict[str, str] = {}
        self.errors: dict[str, int] = collections.Counter()
        self.error_examples: list[str] = []
        self.finished_at = 0.0

    def add(self, endpoint: str, kind: str, ms: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.samples[endpoint].append(ms)
            self.kinds[endpoint] = kind
            if not ok:
                self.errors[endpoint] += 1
                if len(self.error_examples) < 20:
                    self.error_examples.append(f"{endpoint}: {detail}")
            self.finished_at = time.perf_counter()


class User:
    """One simulated person: a keep-alive connection, a cookie jar and a role."""

    def __init__(self, n: int, role: str, port: int, ids: dict, args, rng: random.Random):
        self.n, self.role, self.port, self.ids, self.args, self.rng = n, role, port, ids, args, rng
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.token = None
        if role == "api":
            self.token = f"{load_seed.TOKEN}supplier{n % load_seed.SUPPLIERS + 1}"

    # -- HTTP ----------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: bytes | None, headers: dict):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
            except Exception:
                # A timeout or a broken response leaves the connection unusable: drop it.
                self.conn.close()
                self.conn = None
                raise
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Accept-Language": "ko", "User-Agent": "procure-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response, data = self._send(method, path, body, headers)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", data

    def timed(self, stats: Stats, endpoint: str, kind: str, method: str, path: str, **kw):
        started = time.perf_counter()
        try:
            status, location, data = self.request(method, path, **kw)
        except (OSError, http.client.HTTPException) as error:
            stats.add(endpoint, kind, (time.perf_counter() - started) * 1000, False, repr(error))
            return None, b""
        ms = (time.perf_counter() - started) * 1000
        ok = status < 400 and not (method == "POST" and status != 302)
        if method == "POST" and status == 302 and "/login" in location:
            ok = False
        stats.add(endpoint, kind, ms, ok, f"{status} {path}")
        return status, data

    # -- behaviour -----------------------------------------------------------------------

    def sign_in(self) -> None:
        """The real sign-in form (not counted): GET for the CSRF token, then POST."""
        _status, _location, page = self.request("GET", "/login")
        number = self.n % (load_seed.OFFICERS if self.role == "officer" else load_seed.SUPPLIERS)
        status, location, _data = self.request(
            "POST",
            "/login",
            form={
                "csrf_token": csrf(page),
                "email": f"{self.role}{number + 1}@{load_seed.EMAIL_DOMAIN}",
                "password": load_seed.PASSWORD,
            },
        )
        if status != 302 or "/login" in location:
            raise SystemExit(f"bench user {self.role}{number + 1} could not sign in ({status})")

    def actions(self):
        """(weight, function) pairs for this user's role."""
        reads = [
            (8, self.home),
            (14, self.demand_list),
            (9, self.product_list),
            (3, self.idea_list),
            (2, self.organisation_list),
            (10, self.search_page),
            (14, self.demand_detail),
            (9, self.product_detail),
            (2, self.idea_detail),
            (2, self.organisation_detail),
        ]
        api = [
            (5, self.api_demands),
            (5, self.api_demand),
            (4, self.api_products),
            (3, self.api_product),
            (3, self.api_search),
            (2, self.api_ocds),
        ]
        if self.role == "anonymous":
            return reads + api
        if self.role == "api":
            return [*api, (3, self.api_proposals)]
        extra = [(4, self.dashboard)]
        if self.role == "supplier":
            extra += [(3, self.ask_question), (2, self.proposal_list)]
        else:
            extra += [(3, self.save_demand_draft)]
        return reads + extra

    def run(self, budget: Budget, stats: Stats) -> None:
        actions = self.actions()
        weights = [w for w, _f in actions]
        functions = [f for _w, f in actions]
        while budget.take() is not None:
            self.rng.choices(functions, weights)[0](stats)
            if self.args.think:
                time.sleep(self.rng.expovariate(1 / self.args.think))
        if self.conn is not None:
            self.conn.close()

    def pick(self, kind: str) -> int:
        return self.rng.choice(self.ids[kind])

    def home(self, stats):
        self.timed(stats, "GET /", "page", "GET", "/")

    def demand_list(self, stats):
        query = {"page": self.rng.choice([1, 1, 1, 2, 3, 10])}
        roll = self.rng.random()
        if roll < 0.2:
            query["region"] = self.rng.choice(load_seed.REGIONS)
        elif roll < 0.3:
            query["sort"] = "closing"
        elif roll < 0.4:
            query["q"] = self.rng.choice(SEARCH_WORDS)
        path = "/demands/?" + urllib.parse.urlencode(query)
        name = "GET /demands/?q=" if "q" in query else "GET /demands/"
        self.timed(stats, name, "page", "GET", path)

    def product_list(self, stats):
        query = {"page": self.rng.choice([1, 1, 2, 5])}
        if self.rng.random() < 0.2:
            query["q"] = self.rng.choice(SEARCH_WORDS)
        path = "/products/?" + urllib.parse.urlencode(query)
        name = "GET /products/?q=" if "q" in query else "GET /products/"
        self.timed(stats, name, "page", "GET", path)

    def idea_list(self, stats):
        self.timed(stats, "GET /ideas/", "page", "GET", "/ideas/")

    def organisation_list(self, stats):
        self.timed(stats, "GET /organisations/", "page", "GET", "/organisations/")

    def proposal_list(self, stats):
        self.timed(stats, "GET /proposals/", "page", "GET", "/proposals/")

    def dashboard(self, stats):
        self.timed(stats, "GET /dashboard", "page", "GET", "/dashboard")

    def search_page(self, stats):
        query = {"q": self.rng.choice(SEARCH_WORDS)}
        if self.rng.random() < 0.3:
            query["type"] = self.rng.choice(["demand", "product"])
        path = "/search/?" + urllib.parse.urlencode(query)
        self.timed(stats, "GET /search/", "page", "GET", path)

    def demand_detail(self, stats):
        self.timed(stats, "GET /demands/<id>", "page", "GET", f"/demands/{self.pick('demand')}")

    def product_detail(self, stats):
        path = f"/products/{self.pick('product')}"
        self.timed(stats, "GET /products/<id>", "page", "GET", path)

    def idea_detail(self, stats):
        self.timed(stats, "GET /ideas/<id>", "page", "GET", f"/ideas/{self.pick('idea')}")

    def organisation_detail(self, stats):
        path = f"/organisations/{self.pick('organisation')}"
        self.timed(stats, "GET /organisations/<id>", "page", "GET", path)

    def api_demands(self, stats):
        path = f"/api/v1/demands?page={self.rng.choice([1, 1, 2, 7])}"
        self.timed(stats, "GET /api/v1/demands", "api", "GET", path)

    def api_demand(self, stats):
        path = f"/api/v1/demands/{self.pick('demand')}"
        self.timed(stats, "GET /api/v1/demands/<id>", "api", "GET", path)

    def api_products(self, stats):
        self.timed(stats, "GET /api/v1/products", "api", "GET", "/api/v1/products")

    def api_product(self, stats):
        path = f"/api/v1/products/{self.pick('product')}"
        self.timed(stats, "GET /api/v1/products/<id>", "api", "GET", path)

    def api_search(self, stats):
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": self.rng.choice(SEARCH_WORDS)})
        self.timed(stats, "GET /api/v1/search", "api", "GET", path)

    def api_ocds(self, stats):
        """An OCDS page, releases or records, now and then only what changed lately."""
        kind = self.rng.choice(["releases", "records"])
        query = {"page": self.rng.choice([1, 1, 2, 50])}
        if self.rng.random() < 0.3:
            query["since"] = "2026-01-01"
        path = f"/api/v1/ocds/{kind}?" + urllib.parse.urlencode(query)
        self.timed(stats, f"GET /api/v1/ocds/{kind}", "api", "GET", path)

    def api_proposals(self, stats):
        self.timed(stats, "GET /api/v1/proposals", "api", "GET", "/api/v1/proposals")

    def ask_question(self, stats):
        """Read a demand, then post a question through its form (the write is timed)."""
        demand = self.pick("demand")
        status, page = self.timed(stats, "GET /demands/<id>", "page", "GET", f"/demands/{demand}")
        if status != 200:
            return
        form = {"csrf_token": csrf(page), "body": f"납품 일정 문의 {self.rng.randrange(10**6)}"}
        self.timed(
            stats, "POST /demands/<id>/questions", "write", "POST",
            f"/demands/{demand}/questions", form=form,
        )  # fmt: skip

    def save_demand_draft(self, stats):
        """Open the new-demand form, then save a draft."""
        status, page = self.timed(stats, "GET /demands/new", "page", "GET", "/demands/new")
        if status != 200:
            return
        form = {
            "csrf_token": csrf(page),
            "title": f"벤치 수요 초안 {self.rng.randrange(10**6)}",
            "problem": "현장 점검 인력이 부족합니다.",
            "demand_type": "purchase",
            "language": "ko",
            "codes": "",
            "region": "",
        }
        self.timed(stats, "POST /demands/new", "write", "POST", "/demands/new", form=form)


def csrf(page: bytes) -> str:
    match = CSRF_RE.search(page.decode("utf-8", "replace"))
    if not match:
        raise SystemExit("no CSRF token on the page")
    return match.group(1) or match.group(2)


def visible_ids(app) -> dict[str, list[int]]:
    """Ids anyone may open, for detail requests (sampled, not all)."""
    from sqlalchemy import select

    from procure.extensions import db
    from procure.models import CitizenIdea, Demand, Organisation, Product

    with app.app_context():
        out = {
            "demand": db.session.scalars(
                select(Demand.id).where(Demand.status == "published", Demand.deleted_at.is_(None))
            ).all(),
            "product": db.session.scalars(
                select(Product.id).where(Product.status == "listed", Product.deleted_at.is_(None))
            ).all(),
            "idea": db.session.scalars(
                select(CitizenIdea.id).where(CitizenIdea.status == "approved")
            ).all(),
            "organisation": db.session.scalars(
                select(Organisation.id).where(
                    Organisation.verified_at.is_not(None),
                    Organisation.kind != "operator",
                    Organisation.deleted_at.is_(None),
                )
            ).all(),
        }
        db.session.remove()
    return {k: list(v) for k, v in out.items()}


# Report -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def summarise(stats: Stats, seconds: float) -> dict:
    endpoints = []
    for name, values in stats.samples.items():
        endpoints.append(
            {
                "endpoint": name,
                "kind": stats.kinds[name],
                "requests": len(values),
                "errors": stats.errors.get(name, 0),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "p99_ms": round(percentile(values, 99), 1),
                "max_ms": round(max(values), 1),
            }
        )
    endpoints.sort(key=lambda e: -e["p95_ms"])
    by_kind = {}
    for kind in ("page", "api", "write"):
        values = [v for n, vs in stats.samples.items() if stats.kinds[n] == kind for v in vs]
        if values:
            by_kind[kind] = {
                "requests": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "p99_ms": round(percentile(values, 99), 1),
            }
    total = sum(len(v) for v in stats.samples.values())
    errors = sum(stats.errors.values())
    targets = {
        "pages_p95_ms": PAGE_TARGET_MS,
        "api_p95_ms": API_TARGET_MS,
        "pages_met": by_kind.get("page", {}).get("p95_ms", 0) <= PAGE_TARGET_MS,
        "api_met": by_kind.get("api", {}).get("p95_ms", 0) <= API_TARGET_MS,
        "no_errors": errors == 0,
    }
    return {
        "requests": total,
        "errors": errors,
        "error_examples": stats.error_examples,
        "seconds": round(seconds, 1),
        "throughput_rps": round(total / seconds, 1) if seconds else 0.0,
        "by_kind": by_kind,
        "endpoints": endpoints,
        "slowest": [e["endpoint"] for e in endpoints[:5]],
        "targets": targets,
    }


def print_table(report: dict) -> None:
    s = report["summary"]
    head = f"{'endpoint':34} {'kind':>5} {'n':>6} {'err':>4} " + " ".join(
        f"{c:>7}" for c in ("p50", "p95", "p99", "max")
    )
    print(head)
    print("-" * len(head))
    for e in s["endpoints"]:
        print(
            f"{e['endpoint']:34} {e['kind']:>5} {e['requests']:>6} {e['errors']:>4}"
            f" {e['p50_ms']:>7} {e['p95_ms']:>7} {e['p99_ms']:>7} {e['max_ms']:>7}"
        )
    print("-" * len(head))
    for kind, k in s["by_kind"].items():
        print(f"{kind:>5}: {k['requests']} requests, p50 {k['p50_ms']} ms, p95 {k['p95_ms']} ms")
    t = s["targets"]
    print(
        f"{s['requests']} requests in {s['seconds']} s: {s['throughput_rps']} requests/s, "
        f"{s['errors']} errors; pages p95 ≤ {t['pages_p95_ms']} ms: "
        f"{'met' if t['pages_met'] else 'MISSED'}; API p95 ≤ {t['api_p95_ms']} ms: "
        f"{'met' if t['api_met'] else 'MISSED'}"
    )
    print(f"slowest (p95): {', '.join(s['slowest'])}")
    if "server_cpu_ms_per_request" in s:
        print(
            f"server CPU: {s['server_cpu_seconds']} s, {s['server_cpu_ms_per_request']} ms "
            "per request (start-up and warm-up included)"
        )
    for example in s["error_examples"][:5]:
        print(f"  error: {example}")


# Driver -----------------------------------------------------------------------------------


def roles_for(users: int) -> list[str]:
    """60 % anonymous readers, 20 % suppliers, 10 % officers, 10 % API clients."""
    pattern = ["anonymous"] * 6 + ["supplier"] * 2 + ["officer", "api"]
    return [pattern[i % len(pattern)] for i in range(users)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="SQLite, 10k documents, 1,000 requests")
    p.add_argument("--database-url", help=f"default {DEFAULT_PG} (--quick: SQLite)")
    p.add_argument("--docs", type=int, help="documents to seed (default 100,000; quick 10,000)")
    p.add_argument("--requests", type=int, help="measured requests (default 5,000; quick 1,000)")
    p.add_argument("--warmup", type=int, help="requests before measuring (default 10 %%)")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--think", type=float, default=2.0, help="mean think time per user (s)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=4, help="threads per worker")
    p.add_argument("--instance", help="folder for the search index and seed marker")
    p.add_argument("--out", help="JSON report (default bench/results/load[-quick].json)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--matcher",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fit and save the matcher when seeding (default: on, off with --quick)",
    )
    args = p.parse_args(argv)
    if args.matcher is None:
        args.matcher = not args.quick
    name = "load-quick" if args.quick else "load"
    args.docs = args.docs or (10_000 if args.quick else 100_000)
    args.requests = args.requests or (1_000 if args.quick else 5_000)
    args.warmup = args.warmup if args.warmup is not None else max(50, args.requests // 10)
    instance = Path(args.instance or RESULTS / f"{name}-instance").resolve()
    if not args.database_url:
        args.database_url = f"sqlite:///{instance / 'procure.db'}" if args.quick else DEFAULT_PG
    instance.mkdir(parents=True, exist_ok=True)
    load_seed.ensure_database(args.database_url)

    app = load_seed.make_app(args.database_url, instance)
    marker = load_seed.ensure(
        app, instance, args.docs, log=lambda m: print(m, file=sys.stderr), train=args.matcher
    )
    ids = visible_ids(app)
    with app.app_context():
        from procure.extensions import db

        db.engine.dispose()

    port = free_port()
    server_log = instance / "server.log"
    print(
        f"serving on 127.0.0.1:{port} ({args.workers} workers x {args.threads} threads); "
        f"{args.users} users, {args.warmup} warm-up + {args.requests} requests",
        file=sys.stderr,
    )
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = start_server(args, instance, port, server_log)

    def interrupted(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")  # runs the finally: stops the server

    signal.signal(signal.SIGTERM, interrupted)
    stats, warm = Stats(), Stats()
    try:
        rng = random.Random(args.seed)
        users = [
            User(n, role, port, ids, args, random.Random(rng.random()))
            for n, role in enumerate(roles_for(args.users))
        ]
        for user in users:
            if user.role in ("supplier", "officer"):
                user.sign_in()
        budget = Budget(args.warmup, args.requests)

        def run(user: User) -> None:
            # Route each sample by the budget position at the time it was taken.
            user_stats = _Router(budget, warm, stats)
            user.run(budget, user_stats)

        load_started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(u,), daemon=True) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        finished = time.perf_counter()
    finally:
        stop_server(server)
    measured_start = budget.started_at or load_started
    seconds = (stats.finished_at or finished) - measured_start
    summary = summarise(stats, seconds)
    # CPU the server used (its workers are reaped by the master, the master by us): a figure
    # that depends far less on other work on the machine than the latencies do.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    served = sum(len(v) for v in stats.samples.values()) + sum(
        len(v) for v in warm.samples.values()
    )
    summary["server_cpu_seconds"] = round(cpu, 1)
    summary["server_cpu_ms_per_request"] = round(cpu * 1000 / max(1, served), 1)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "load_average_at_end": list(os.getloadavg()),
        },
        "settings": {
            "database": load_seed.masked(args.database_url),
            "documents": args.docs,
            "users": args.users,
            "think_seconds_mean": args.think,
            "workers": args.workers,
            "threads": args.threads,
            "warmup_requests": args.warmup,
            "measured_requests": args.requests,
            "roles": dict(collections.Counter(roles_for(args.users))),
        },
        "seed": marker,
        "summary": summary,
    }
    out = Path(args.out or RESULTS / f"{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print_table(report)
    print(f"wrote {out}")
    return 0


class _Router:
    """Looks like Stats to a user: samples taken during the warm-up are kept apart."""

    def __init__(self, budget: Budget, warm: Stats, measured: Stats):
        self.budget, self.warm, self.measured = budget, warm, measured

    def add(self, *args, **kwargs) -> None:
        target = self.warm if self.budget.started_at is None else self.measured
        target.add(*args, **kwargs)


if __name__ == "__main__":
    raise SystemExit(main())
