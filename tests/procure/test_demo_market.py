"""The demo market: enough of everything, the seed's drone story, rules kept, same every time."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from procure import demo, demo_features
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
    Dialogue,
    DialogueMessage,
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
    dialogues, _dialogue_id = rows(Dialogue)

    def days(day):
        return (day - today).days if day else None

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
                days(d.opens_on),
                days(d.closes_on),
                days(d.expected_purchase_on),
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
        "dialogues": [
            [
                demand_id(d.demand_id),
                d.agency.name,
                d.title,
                d.status,
                [days(d.basic_due_on), days(d.dialogue_1_due_on)],
                [days(d.dialogue_2_due_on), days(d.final_due_on)],
                d.winner_supplier.name if d.winner_supplier else None,
                d.award_reason,
                [
                    [
                        p.supplier.name,
                        p.status,
                        [[x.kind, x.title, x.price, x.technical_score] for x in p.proposals],
                        [[m.stage, m.from_agency, m.body, bool(m.parent_id)] for m in p.messages],
                    ]
                    for p in d.participants
                ],
                [[v.number, v.body, v.note, v.is_final] for v in d.spec_versions],
                [
                    [r["supplier"], r["price"], r["technical"], r["combined"], r["rank"]]
                    for r in d.award_scores or []
                ],
            ]
            for d in dialogues
        ],
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
    assert len(demands) >= 70 and len(products) >= 200
    assert len(proposals) >= 80 and len(ideas) >= 30
    codes = set(db.session.scalars(select(DemandCode.code))) | set(
        db.session.scalars(select(ProductCode.code))
    )
    assert len({code[:2] for code in codes}) >= 15
    assert len({d.agency_id for d in demands}) >= 15
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

    _check_dialogues(today)
    _check_gap()
    _check_one_stop(today)

    assert verify_chain().ok

    # Loading again changes nothing.
    first = fingerprint()
    events = _count(AuditEvent)
    demo.load()
    assert _count(AuditEvent) == events and fingerprint() == first

    # A second load into a fresh database produces exactly the same market.
    assert _fresh_fingerprint(tmp_path) == first


def _check_dialogues(today) -> None:
    """One dialogue mid-procedure, with private talk and two specification versions; one awarded.
    Both went through the services: every step is in the audit chain."""
    dialogues = {d.title: d for d in db.session.scalars(select(Dialogue))}
    coast = dialogues["스마트 해안 감시 시스템 경쟁적 대화"]
    assert coast.agency.name == "해양경찰청" and coast.status == "dialogue_1"
    assert coast.basic_due_on < today <= coast.dialogue_1_due_on  # partners can still talk
    partners = [p for p in coast.participants if p.is_partner]
    assert len(partners) >= 2 and len(coast.participants) > len(partners)
    for partner in partners:
        assert len(partner.messages) >= 2
        assert {m.from_agency for m in partner.messages} == {True, False}
        assert all(m.stage == "dialogue_1" for m in partner.messages)
    assert any(m.parent_id for p in partners for m in p.messages)
    assert [v.number for v in coast.spec_versions] == [1, 2]
    assert coast.winner_supplier_id is None

    tunnel = next(d for d in dialogues.values() if d.status == "awarded")
    assert tunnel.winner_supplier_id and tunnel.award_reason and tunnel.awarded_at
    assert tunnel.award_scores[0]["supplier_id"] == tunnel.winner_supplier_id
    assert tunnel.final_due_on < today and tunnel.demand.outcome == "awarded"
    assert sum(v.is_final for v in tunnel.spec_versions) == 1

    actions = dict(
        db.session.execute(
            select(AuditEvent.action, func.count(AuditEvent.id))
            .where(AuditEvent.action.like("dialogue.%"))
            .group_by(AuditEvent.action)
        ).all()
    )
    assert actions["dialogue.created"] == 2 and actions["dialogue.award"] == 1
    assert actions["dialogue.select_partners"] == 2
    assert actions["dialogue.message"] == _count(DialogueMessage)
    assert actions["dialogue.spec_version"] == 5


def _check_gap() -> None:
    """The analysis finds the emergency-meals demands as a gap: no listed product answers them."""
    from procure.insights import services as insights

    titles = {plain.title for plain in demo_features.GAP_DEMANDS}
    analysis = insights.analyse()
    gaps = [{d.title for d in analysis.members(c)} for c in analysis.report.gaps]
    assert any(titles <= members for members in gaps), gaps


def _check_one_stop(today) -> None:
    """R&D demand surveys short- and long-term, some still to open; an adopted idea listed."""
    from procure.onestop import services as onestop

    surveys = onestop.find_all(onestop.Filters(kind="rnd"), today=today)
    ministries = {name for name, *_rest in demo_features.MINISTRIES}
    by_ministry = [item for item in surveys if item.agency.name in ministries]
    assert len({item.agency_id for item in by_ministry}) == len(ministries)
    assert {item.term(today) for item in by_ministry} == {"short", "long"}
    assert any(item.opens_on > today for item in by_ministry)
    assert {item.state(today) for item in by_ministry} == {"open", "upcoming"}
    assert max(item.horizon() for item in by_ministry) >= today + timedelta(days=500)
    assert onestop.find_all(onestop.Filters(kind="idea"), today=today)
