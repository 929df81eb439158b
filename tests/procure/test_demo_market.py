"""The demo market: enough of everything, the seed's drone story, rules kept, same every time."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from procure import demo
from procure.audit.services import verify_chain
from procure.clock import local_today
from procure.extensions import db
from procure.models import (
    AuditEvent,
    CitizenIdea,
    Compliance,
    Demand,
    DemandCode,
    DemandStatus,
    Organisation,
    Product,
    ProductCode,
    ProposalStatus,
    Question,
    ReverseProposal,
    User,
)


def fingerprint() -> str:
    """A digest of what the demo made, with ids relative to the first row of each table."""

    def rows(model):
        items = db.session.scalars(select(model).order_by(model.id)).all()
        base = items[0].id if items else 0
        return items, (lambda row_id: None if row_id is None else row_id - base)

    today = local_today()
    demands, demand_id = rows(Demand)
    products, product_id = rows(Product)
    proposals, proposal_id = rows(ReverseProposal)
    ideas, idea_id = rows(CitizenIdea)
    position = {r.id: r.position for d in demands for r in d.requirements}
    out = {
        "demands": [
            [
                demand_id(d.id),
                d.agency.name,
                d.title,
                d.status,
                d.outcome,
                d.demand_type,
                d.budget,
                d.quantity,
                d.region,
                d.language,
                d.code_values,
                idea_id(d.idea_id),
                (d.closes_on - today).days if d.closes_on else None,
                [[r.name, r.target_value, r.unit, r.mandatory] for r in d.requirements],
            ]
            for d in demands
        ],
        "products": [
            [
                product_id(p.id),
                p.supplier.name,
                p.name,
                p.status,
                p.price,
                p.unit,
                p.trl,
                p.regions,
                p.code_values,
                [[s.name, s.value, s.unit] for s in p.specs],
                [[c.kind, c.number] for c in p.certifications],
                [x.number for x in p.patents],
            ]
            for p in products
        ],
        "proposals": [
            [
                proposal_id(p.id),
                p.supplier.name,
                p.title,
                p.status,
                demand_id(p.demand_id),
                product_id(p.product_id),
                p.target_code,
                p.price_offer,
                p.decision_reason,
                sorted(
                    [position[r.requirement_id], r.compliance, r.offered_value] for r in p.responses
                ),
            ]
            for p in proposals
        ],
        "ideas": [[idea_id(i.id), i.title, i.status, i.moderation_note] for i in ideas],
        "questions": db.session.scalar(select(func.count(Question.id))),
    }
    return hashlib.sha256(json.dumps(out, ensure_ascii=False, default=str).encode()).hexdigest()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fresh_fingerprint(tmp_path: Path) -> str:
    """Load the demo into a new SQLite database in another process and return its fingerprint."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from flask_migrate import upgrade
        from procure import create_app, demo
        from test_demo_market import fingerprint
        app = create_app({{
            "env": "testing",
            "database_url": "sqlite:///{tmp_path / "fresh.db"}",
            "search_url": "embedded://{tmp_path / "search"}",
            "INSTANCE_PATH": {str(tmp_path)!r},
            "SERVER_NAME": None,
        }})
        with app.app_context():
            upgrade(revision="heads")
            demo.load()
            print("FINGERPRINT", fingerprint())
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("FINGERPRINT ")]
    return lines[-1].split()[1]


def test_demo_market_is_complete_lawful_and_deterministic(app, db_session, tmp_path):
    demo.load()
    today = local_today()

    # Counts.
    demands = db.session.scalars(select(Demand).order_by(Demand.id)).all()
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    proposals = db.session.scalars(select(ReverseProposal).order_by(ReverseProposal.id)).all()
    ideas = db.session.scalars(select(CitizenIdea).order_by(CitizenIdea.id)).all()
    assert len(demands) >= 60 and len(products) >= 200
    assert len(proposals) >= 80 and len(ideas) >= 30
    codes = set(db.session.scalars(select(DemandCode.code))) | set(
        db.session.scalars(select(ProductCode.code))
    )
    assert len({code[:2] for code in codes}) >= 15
    assert len({d.agency_id for d in demands}) >= 10
    assert len({p.supplier_id for p in products}) >= 40
    for org in db.session.scalars(
        select(Organisation).where(Organisation.verified_at.is_not(None))
    ):
        members = select(func.count(User.id)).where(
            User.organisation_id == org.id, User.approved_at.is_not(None)
        )
        assert db.session.scalar(members) >= 1, org.name

    # Everything went through the services, which audit each creation.
    def audited(action: str) -> int:
        return db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == action)
        )

    assert audited("demand.created") == len(demands)
    assert audited("product.created") == len(products)
    assert audited("proposal.created") == len(proposals)
    assert audited("idea.submitted") == len(ideas)

    # The seed's story: the national park service's coastal patrol drone.
    drone = next(
        d for d in demands if d.agency.name == "국립공원공단" and "해안 순찰용 드론" in d.title
    )
    assert drone.status == DemandStatus.PUBLISHED and drone.closes_on >= today
    names = " ".join(r.name for r in drone.requirements)
    assert "정지비행" in names and "안내방송" in names
    answers = [p for p in proposals if p.demand_id == drone.id and p.status != ProposalStatus.DRAFT]
    assert answers and all(len(p.responses) == len(drone.requirements) for p in answers)

    # Every proposal sent to a demand answers every requirement, point by point.
    for proposal in proposals:
        if proposal.demand is None or proposal.status == ProposalStatus.DRAFT:
            continue
        answered = {r.requirement_id: r for r in proposal.responses}
        for requirement in proposal.demand.requirements:
            assert answered[requirement.id].compliance in set(Compliance), proposal.title
            assert answered[requirement.id].offered_value
    assert {r.compliance for p in proposals for r in p.responses} == set(Compliance)

    # A realistic mix of states, kinds and languages.
    assert {p.status for p in proposals} == set(ProposalStatus)
    assert all(p.decision_reason for p in proposals if p.status == ProposalStatus.DECLINED)
    assert any(p.demand_id is None and p.target_agency_id for p in proposals)
    assert any(p.demand_id is None and p.target_code for p in proposals)
    assert {d.status for d in demands} == set(DemandStatus)
    assert {d.outcome for d in demands if d.status == DemandStatus.CLOSED} >= {"awarded"}
    assert {d.demand_type for d in demands} == {"purchase", "pilot", "rnd", "dialogue"}
    assert all(d.closes_on >= today for d in demands if d.status == DemandStatus.PUBLISHED)
    assert all(isinstance(d.budget, int) for d in demands if d.idea_id is None)
    assert {i.status for i in ideas} == {"submitted", "approved", "rejected", "adopted"}
    assert all(i.moderation_note for i in ideas if i.status == "rejected")
    adopted = {i.id for i in ideas if i.status == "adopted"}
    assert adopted and adopted == {d.idea_id for d in demands if d.idea_id}
    assert {p.status for p in products} >= {"listed", "draft", "suspended", "archived"}
    assert all(5 <= p.trl <= 9 and p.price > 0 and p.specs for p in products)
    assert sum(p.language == "en" for p in products) >= 15
    assert sum(d.language == "en" for d in demands) >= 5
    questions = db.session.scalars(select(Question)).all()
    assert questions and any(q.answer for q in questions) and any(not q.answer for q in questions)

    assert verify_chain().ok

    # Loading again changes nothing.
    first = fingerprint()
    events = _count(AuditEvent)
    demo.load()
    assert _count(AuditEvent) == events and fingerprint() == first

    # A second load into a fresh database produces exactly the same market.
    assert _fresh_fingerprint(tmp_path) == first
