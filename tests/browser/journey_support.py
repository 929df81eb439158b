"""What the browser suite's conftest and journeys share: paths, the password, the cast."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
PASSWORD = "browser-journey-2026"


@dataclass
class Cast:
    """Who takes part in one language's journey, and the supplier's listed product."""

    lang: str
    officer: str
    supplier: str
    rival: str
    operator: str
    evaluators: list[str]
    product_id: int
    product_name: str
    evaluator_ids: list[int]
