"""Smoke test of the load benchmark: ``bench/load.py --quick`` runs end to end on SQLite.

It seeds 2,000 documents, serves them with gunicorn and sends 400 requests from 50 users. The
figures are not checked (the machine may be busy); that it runs, that every request kind is
exercised and that no request failed, is. The full run is `bench/load.py` (docs/performance.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 240


@pytest.mark.slow
def test_quick_load_benchmark_runs_without_errors(tmp_path):
    out = tmp_path / "load-quick.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--quick"]
    command += ["--docs", "2000", "--requests", "400", "--think", "0.2"]
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
        pytest.fail(f"bench/load.py --quick did not finish within {BUDGET_SECONDS} s")
    assert bench.returncode == 0, stdout[-2000:] + stderr[-4000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    summary = report["summary"]
    assert report["settings"]["documents"] == 2_000
    assert report["seed"]["indexed"] > 1_800
    assert summary["requests"] >= 400
    assert summary["errors"] == 0, summary["error_examples"]
    endpoints = {e["endpoint"] for e in summary["endpoints"]}
    assert {"GET /", "GET /demands/", "GET /search/", "GET /api/v1/demands"} <= endpoints
    assert {"POST /demands/<id>/questions", "POST /demands/new"} <= endpoints  # real forms
    assert summary["throughput_rps"] > 0
    assert "slowest (p95)" in stdout
