"""Smoke test of the load benchmark: ``bench/load.py --quick`` runs end to end on SQLite.

It seeds 10,000 documents, serves them with gunicorn and sends 1,000 requests from 50 users.
The figures are not checked (the machine may be busy); that it runs, that every request kind
is exercised and that no request failed, is. Skipped when it cannot finish within 60 seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 60


@pytest.mark.slow
def test_quick_load_benchmark_runs_without_errors(tmp_path):
    out = tmp_path / "load-quick.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--quick"]
    command += ["--instance", str(tmp_path / "instance"), "--out", str(out)]
    bench = subprocess.Popen(  # noqa: S603 - our own benchmark script
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = bench.communicate(timeout=BUDGET_SECONDS)
    except subprocess.TimeoutExpired:
        bench.terminate()  # the benchmark stops its gunicorn server on SIGTERM
        bench.communicate(timeout=60)
        pytest.skip(f"bench/load.py --quick needs more than {BUDGET_SECONDS} s on this machine")
    assert bench.returncode == 0, stdout[-2000:] + stderr[-4000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    summary = report["summary"]
    assert report["settings"]["documents"] == 10_000
    assert report["seed"]["indexed"] > 9_000
    assert summary["requests"] >= 1_000
    assert summary["errors"] == 0, summary["error_examples"]
    endpoints = {e["endpoint"] for e in summary["endpoints"]}
    assert {"GET /", "GET /demands/", "GET /search/", "GET /api/v1/demands"} <= endpoints
    assert {"POST /demands/<id>/questions", "POST /demands/new"} <= endpoints  # real forms
    assert summary["throughput_rps"] > 0
    assert "slowest (p95)" in stdout
