"""Competitive dialogue: stages and illegal moves, deadlines, confidentiality between partners,
specification versions, scoring and the award."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factories import add_cpv_codes, english_client, published_demand, user_with_role
from procure.clock import local_today
from procure.dialogue import services
from procure.extensions import db
from procure.models import (
    Attachment,
    AuditEvent,
    Dialogue,
    DialogueParticipant,
    DialogueProposal,
    Notification,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
BASE = local_today()
DUE = {
    "basic_due_on": BASE + timedelta(days=10),
    "dialogue_1_due_on": BASE + timedelta(days=20),
    "dialogue_2_due_on": BASE + timedelta(days=30),
    "final_due_on": BASE + timedelta(days=40),
}


def make_clock(monkeypatch):
    """The dialogue's idea of today, moved by the test."""
    state = {"today": BASE}
    monkeypatch.setattr(services, "local_today", lambda: state["today"])

    def set_day(day):
        state["today"] = day

    return set_day


def make_people(app, login):
    """An agency officer and three suppliers, each signed in on an English client."""
    add_cpv_codes()
    officer = user_with_role("officer")
    suppliers = {name: user_with_role("supplier") for name in ("A", "B", "C")}
    clients = {}
    for name, user in [("officer", officer), *suppliers.items()]:
        clients[name] = english_client(app)
        login(user, on=clients[name])
    return {"officer": officer, **suppliers}, clients


@pytest.fixture
def clock(monkeypatch):
    return make_clock(monkeypatch)


@pytest.fixture
def people(app, db_session, login):
    return make_people(app, login)


def _version(dialogue_id: int) -> int:
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    return dialogue.version


def move(clients, dialogue_id, action, **extra):
    data = {"action": action, "version": _version(dialogue_id), **extra}
    return clients["officer"].post(f"/dialogues/{dialogue_id}/move", data=data)


def create(app, clients, users, **overrides) -> int:
    demand = published_demand(app, users["officer"], demand_type="dialogue")
    form = {
        "title": "스마트 해안 감시 경쟁적 대화",
        "notice": "해안 감시 방안을 대화로 찾습니다.",
        "technical_weight": 80,
        "price_weight": 20,
        "min_partners": 2,
        **{k: v.isoformat() for k, v in DUE.items()},
        **overrides,
    }
    response = clients["officer"].post(f"/dialogues/new/{demand.id}", data=form)
    assert response.status_code == 302, response.data[:3000]
    return db.session.scalar(select(Dialogue.id).where(Dialogue.demand_id == demand.id))


def submit(client, dialogue_id, kind, title, summary, price=None):
    data = {"title": title, "summary": summary}
    if price is not None:
        data["price"] = price
    return client.post(f"/dialogues/{dialogue_id}/{kind}", data=data)


def proposal_of(dialogue_id, user, kind) -> DialogueProposal:
    return db.session.scalar(
        select(DialogueProposal)
        .join(DialogueParticipant)
        .where(
            DialogueParticipant.dialogue_id == dialogue_id,
            DialogueParticipant.supplier_id == user.organisation_id,
            DialogueProposal.kind == kind,
        )
    )


def participant_of(dialogue_id, user) -> DialogueParticipant:
    return db.session.scalar(
        select(DialogueParticipant).where(
            DialogueParticipant.dialogue_id == dialogue_id,
            DialogueParticipant.supplier_id == user.organisation_id,
        )
    )


def score(client, proposal, level):
    scheme = services.proposal_scheme(proposal)
    data = {f"level-{item.id}": level for item in scheme.items}
    data.update({f"comment-{c.id}": "근거 있음" for c in scheme.criteria})
    return client.post(f"/dialogues/proposals/{proposal.id}/score", data=data)


def status_of(dialogue_id) -> str:
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    return dialogue.status


def run_to_dialogue(app, clients, users, clock) -> int:
    """Notice, three basic proposals, scores (C below the threshold), partners A and B."""
    dialogue_id = create(app, clients, users)
    assert move(clients, dialogue_id, "publish").status_code == 302
    for name in ("A", "B", "C"):
        response = submit(
            clients[name], dialogue_id, "basic", f"{name} 기본제안", f"{name}의 비밀 아이디어"
        )
        assert response.status_code == 302, response.data[:2000]
    clock(DUE["basic_due_on"] + timedelta(days=1))
    assert move(clients, dialogue_id, "close_basic").status_code == 302
    for name, level in (("A", "excellent"), ("B", "good"), ("C", "poor")):
        response = score(clients["officer"], proposal_of(dialogue_id, users[name], "basic"), level)
        assert response.status_code == 302, response.data[:3000]
    ids = [participant_of(dialogue_id, users[n]).id for n in ("A", "B")]
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/partners",
        data={"participant_ids": ids, "version": _version(dialogue_id)},
    )
    assert response.status_code == 302, response.data[:3000]
    return dialogue_id


def talk(clients, users, dialogue_id):
    """Each partner shares an idea and a document in its own thread; the agency answers A."""
    a = participant_of(dialogue_id, users["A"])
    b = participant_of(dialogue_id, users["B"])
    assert (
        clients["A"]
        .post(f"/dialogues/threads/{a.id}/messages", data={"body": "A의 라이다 아이디어"})
        .status_code
        == 302
    )
    first = a.messages[0] if a.messages else None
    db.session.refresh(a)
    first = a.messages[0]
    response = clients["officer"].post(
        f"/dialogues/threads/{a.id}/messages",
        data={"body": "라이다 성능을 알려주세요", "parent_id": first.id},
    )
    assert response.status_code == 302
    assert (
        clients["B"]
        .post(f"/dialogues/threads/{b.id}/messages", data={"body": "B의 열화상 아이디어"})
        .status_code
        == 302
    )
    upload = clients["A"].post(
        f"/attachments/dialogue_thread/{a.id}",
        data={"file": (io.BytesIO(PDF), "a-lidar.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.data[:2000]
    return a, b


def add_spec(clients, dialogue_id, body, note=""):
    return clients["officer"].post(
        f"/dialogues/{dialogue_id}/specification/versions", data={"body": body, "note": note}
    )


def run_to_final_evaluation(app, clients, users, clock) -> int:
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    talk(clients, users, dialogue_id)
    assert add_spec(clients, dialogue_id, "감시 범위 10km\n야간 감시").status_code == 302
    assert move(clients, dialogue_id, "start_stage_2").status_code == 302
    assert add_spec(clients, dialogue_id, "감시 범위 12km\n야간 감시\n자동 경보").status_code == 302
    assert move(clients, dialogue_id, "close_dialogue").status_code == 302
    assert move(clients, dialogue_id, "issue_final_spec").status_code == 302
    for name, price in (("A", 100_000_000), ("B", 80_000_000)):
        response = submit(clients[name], dialogue_id, "final", f"{name} 최종제안", "최종", price)
        assert response.status_code == 302, response.data[:2000]
    clock(DUE["final_due_on"] + timedelta(days=1))
    assert move(clients, dialogue_id, "close_final").status_code == 302
    for name, level in (("A", "excellent"), ("B", "good")):
        response = score(clients["officer"], proposal_of(dialogue_id, users[name], "final"), level)
        assert response.status_code == 302, response.data[:3000]
    return dialogue_id


# -- stages ---------------------------------------------------------------------------------


def test_the_procedure_runs_through_every_stage_to_the_award(app, people, clock, mail_outbox):
    users, clients = people
    dialogue_id = run_to_final_evaluation(app, clients, users, clock)
    assert status_of(dialogue_id) == "final_evaluation"

    dialogue = db.session.get(Dialogue, dialogue_id)
    assert {p.supplier_id: p.status for p in dialogue.participants} == {
        users["A"].organisation_id: "partner",
        users["B"].organisation_id: "partner",
        users["C"].organisation_id: "not_selected",
    }
    basic_a = proposal_of(dialogue_id, users["A"], "basic")
    assert basic_a.technical_score == 100.0 and basic_a.result["certified"] is True
    assert proposal_of(dialogue_id, users["C"], "basic").technical_score == 25.0
    final_a = proposal_of(dialogue_id, users["A"], "final")
    assert final_a.spec_number == 2  # answers the final specification

    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={"reason": "기술점수와 종합점수 모두 1위", "version": _version(dialogue_id)},
    )
    assert response.status_code == 302, response.data[:3000]
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert dialogue.status == "awarded"
    assert dialogue.winner_supplier_id == users["A"].organisation_id
    assert dialogue.award_reason == "기술점수와 종합점수 모두 1위"
    scores = {row["supplier_id"]: row for row in dialogue.award_scores}
    a, b = scores[users["A"].organisation_id], scores[users["B"].organisation_id]
    # A: technical 100, price 80M/100M×100 = 80 → 100×0.8 + 80×0.2 = 96.
    assert (a["technical"], a["price_score"], a["combined"], a["rank"]) == (100.0, 80.0, 96.0, 1)
    # B: technical 75, lowest price → 75×0.8 + 100×0.2 = 80.
    assert (b["technical"], b["price_score"], b["combined"], b["rank"]) == (75.0, 100.0, 80.0, 2)

    # Every participant, selected or not, is told of the award.
    for name in ("A", "B", "C"):
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == users[name].id)
        ).all()
        assert "dialogue.awarded" in kinds, name
    # Mail goes out in each recipient's language (Korean by default).
    award_mail = [m for m in mail_outbox if "낙찰" in m.subject or "awarded" in m.subject]
    assert {m.to for m in award_mail} >= {users[n].email for n in ("A", "B", "C")}

    # Every state change is in the audit trail.
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.target_type == "dialogue", AuditEvent.target_id == str(dialogue_id)
            )
        )
    )
    for action in (
        "publish",
        "close_basic",
        "select_partners",
        "start_stage_2",
        "close_dialogue",
        "issue_final_spec",
        "close_final",
        "award",
    ):
        assert f"dialogue.{action}" in actions


def test_public_award_page_and_procedure_page_after_award(app, people, clock):
    users, clients = people
    dialogue_id = run_to_final_evaluation(app, clients, users, clock)
    anonymous = english_client(app)
    assert anonymous.get(f"/dialogues/{dialogue_id}/award").status_code == 404
    assert anonymous.get(f"/dialogues/{dialogue_id}/specification").status_code == 404
    clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={"reason": "종합점수 1위", "version": _version(dialogue_id)},
    )
    page = anonymous.get(f"/dialogues/{dialogue_id}/award")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    winner = users["A"].organisation.name
    assert winner in text and "종합점수 1위" in text
    assert "96.00" in text and "80.00" in text
    detail = anonymous.get(f"/dialogues/{dialogue_id}").get_data(as_text=True)
    english = users["A"].organisation.display_name("en")  # an English page names it so
    assert english in detail and "Awarded" in detail
    assert "자동 경보" in detail  # the final specification is public now
    # Still private after the award: the threads and the proposals.
    assert "A의 라이다 아이디어" not in detail
    assert "A의 비밀 아이디어" not in page.get_data(as_text=True)
    spec = anonymous.get(f"/dialogues/{dialogue_id}/specification")
    assert spec.status_code == 200


def test_the_award_is_published_in_open_data(app, people, clock):
    """The award page is public, and so is its OCDS release: the winner and the final price
    (the losing partners' prices stay off it)."""
    from procure.opendata import ocds

    users, clients = people
    dialogue_id = run_to_final_evaluation(app, clients, users, clock)
    dialogue = db.session.get(Dialogue, dialogue_id)
    demand_id = dialogue.demand_id

    def award_releases():
        process = ocds.processes(demand_ids=[demand_id], pilot_ids=[], designation_ids=[])
        return [r for p in process for r in p.releases if "award" in r["tag"]]

    assert award_releases() == []  # not before the award
    clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={"reason": "종합점수 1위", "version": _version(dialogue_id)},
    )
    db.session.expire_all()
    (release,) = award_releases()
    (award,) = release["awards"]
    winner = users["A"].organisation
    assert release["id"].endswith(f"-award-dialogue-{dialogue_id}")
    assert award["suppliers"][0]["name"] == winner.name
    assert award["value"] == {"amount": 100_000_000, "currency": "KRW"}
    assert "80000000" not in json.dumps(release)  # the other partner's price
    listed = english_client(app).get("/api/v1/ocds/releases?per_page=100").get_json()
    assert release["id"] in {r["id"] for r in listed["releases"]}


def test_moves_out_of_order_are_refused_with_409(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    for action in ("close_basic", "start_stage_2", "close_final", "issue_final_spec"):
        response = move(clients, dialogue_id, action)
        assert response.status_code == 409, action
        assert "is not possible while the procedure is at the stage" in response.get_data(
            as_text=True
        )
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={"reason": "x", "version": _version(dialogue_id)},
    )
    assert response.status_code == 409
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/partners", data={"version": _version(dialogue_id)}
    )
    assert response.status_code == 409
    assert move(clients, dialogue_id, "fly_to_the_moon").status_code == 422
    assert status_of(dialogue_id) == "draft"

    assert move(clients, dialogue_id, "publish").status_code == 302
    assert move(clients, dialogue_id, "publish").status_code == 409
    # A stale version is refused, not applied.
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/move", data={"action": "cancel", "reason": "x", "version": 1}
    )
    assert response.status_code == 409
    assert status_of(dialogue_id) == "basic_proposals"
    # Cancelling needs a reason.
    assert move(clients, dialogue_id, "cancel").status_code == 422
    assert move(clients, dialogue_id, "cancel", reason="예산 삭감").status_code == 302
    assert status_of(dialogue_id) == "cancelled"
    assert move(clients, dialogue_id, "close_basic").status_code == 409


def test_only_the_agency_officers_move_the_procedure(app, people, clock, login):
    users, clients = people
    dialogue_id = create(app, clients, users)
    stranger = user_with_role("officer")
    other = english_client(app)
    login(stranger, on=other)
    response = other.post(
        f"/dialogues/{dialogue_id}/move", data={"action": "publish", "version": 1}
    )
    assert response.status_code == 404  # a draft of another agency does not exist for them
    assert move(clients, dialogue_id, "publish").status_code == 302
    response = other.post(
        f"/dialogues/{dialogue_id}/move",
        data={"action": "cancel", "reason": "x", "version": _version(dialogue_id)},
    )
    assert response.status_code == 403
    assert other.get(f"/dialogues/{dialogue_id}/manage").status_code == 404
    assert (
        clients["A"].post(f"/dialogues/{dialogue_id}/move", data={"action": "cancel"}).status_code
        == 403
    )


def test_notice_terms_are_checked(app, people, clock):
    users, clients = people
    demand = published_demand(app, users["officer"], demand_type="dialogue")
    form = {
        "title": "t",
        "notice": "n",
        "technical_weight": 70,
        "price_weight": 20,
        "min_partners": 2,
        "basic_due_on": DUE["dialogue_1_due_on"].isoformat(),
        "dialogue_1_due_on": DUE["basic_due_on"].isoformat(),
        "dialogue_2_due_on": DUE["dialogue_2_due_on"].isoformat(),
        "final_due_on": DUE["final_due_on"].isoformat(),
    }
    response = clients["officer"].post(f"/dialogues/new/{demand.id}", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "must add up to 100" in text and "must come after the one before it" in text
    assert db.session.scalar(select(func.count(Dialogue.id))) == 0
    # A demand of another type cannot be run as a dialogue.
    purchase = published_demand(app, users["officer"], demand_type="purchase")
    form.update(technical_weight=80, **{k: v.isoformat() for k, v in DUE.items()})
    response = clients["officer"].post(f"/dialogues/new/{purchase.id}", data=form)
    assert response.status_code == 409


# -- deadlines ------------------------------------------------------------------------------


def test_deadlines_close_submissions_and_open_closing(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    # A draft notice does not exist for suppliers yet.
    assert submit(clients["A"], dialogue_id, "basic", "t", "s").status_code == 404
    move(clients, dialogue_id, "publish")
    assert submit(clients["A"], dialogue_id, "basic", "첫 제안", "s").status_code == 302
    assert db.session.scalar(  # the officer hears of a new proposal (not of a replacement)
        select(Notification.id).where(
            Notification.user_id == users["officer"].id,
            Notification.kind == "dialogue.proposal_received",
        )
    )
    clock(DUE["basic_due_on"])  # the deadline day itself still counts
    first = proposal_of(dialogue_id, users["A"], "basic")
    # Replacing needs the version that was read: a stale one is refused.
    stale = {"title": "고친 제안", "summary": "s", "version": first.version + 5}
    assert clients["A"].post(f"/dialogues/{dialogue_id}/basic", data=stale).status_code == 409
    fresh = {"title": "고친 제안", "summary": "s", "version": first.version}
    assert clients["A"].post(f"/dialogues/{dialogue_id}/basic", data=fresh).status_code == 302
    db.session.refresh(first)
    assert first.title == "고친 제안"
    response = move(clients, dialogue_id, "close_basic")
    assert response.status_code == 409 and "can be closed after that day" in response.get_data(
        as_text=True
    )
    # The page offers no button that would be refused: it says from when closing is possible.
    page = clients["officer"].get(f"/dialogues/{dialogue_id}/manage").get_data(as_text=True)
    assert 'value="close_basic"' not in page
    assert f"possible after {DUE['basic_due_on'].isoformat()}" in page
    clock(DUE["basic_due_on"] + timedelta(days=1))
    page = clients["officer"].get(f"/dialogues/{dialogue_id}/manage").get_data(as_text=True)
    assert 'value="close_basic"' in page
    response = submit(clients["B"], dialogue_id, "basic", "늦은 제안", "s")
    assert response.status_code == 409 and "has passed" in response.get_data(as_text=True)
    assert participant_of(dialogue_id, users["B"]) is None
    assert move(clients, dialogue_id, "close_basic").status_code == 302


def test_a_message_refused_once_the_dialogue_moved_on_says_why(app, people, clock):
    users, clients = people
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    a = participant_of(dialogue_id, users["A"])
    talk(clients, users, dialogue_id)
    assert add_spec(clients, dialogue_id, "감시 범위 10km").status_code == 302
    assert move(clients, dialogue_id, "start_stage_2").status_code == 302
    assert add_spec(clients, dialogue_id, "감시 범위 12km").status_code == 302
    assert move(clients, dialogue_id, "close_dialogue").status_code == 302
    db.session.refresh(a)
    before = len(a.messages)
    response = clients["A"].post(f"/dialogues/threads/{a.id}/messages", data={"body": "늦은 질문"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Messages can be sent only to partners while the dialogue runs." in text
    db.session.refresh(a)
    assert len(a.messages) == before


def test_messages_after_the_stage_deadline_are_refused(app, people, clock):
    users, clients = people
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    a = participant_of(dialogue_id, users["A"])
    clock(DUE["dialogue_1_due_on"] + timedelta(days=1))
    response = clients["A"].post(f"/dialogues/threads/{a.id}/messages", data={"body": "늦음"})
    assert response.status_code == 409
    assert a.messages == []
    upload = clients["A"].post(
        f"/attachments/dialogue_thread/{a.id}",
        data={"file": (io.BytesIO(PDF), "late.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403


def test_partner_selection_rules(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    move(clients, dialogue_id, "publish")
    for name in ("A", "B", "C"):
        submit(clients[name], dialogue_id, "basic", name, "s")
    clock(DUE["basic_due_on"] + timedelta(days=1))
    move(clients, dialogue_id, "close_basic")
    ids = {n: participant_of(dialogue_id, users[n]).id for n in ("A", "B", "C")}

    def select_(chosen):
        return clients["officer"].post(
            f"/dialogues/{dialogue_id}/partners",
            data={"participant_ids": chosen, "version": _version(dialogue_id)},
        )

    response = select_([ids["A"], ids["B"]])
    assert response.status_code == 409 and "no score sheet yet" in response.get_data(as_text=True)
    for name, level in (("A", "excellent"), ("B", "good"), ("C", "poor")):
        score(clients["officer"], proposal_of(dialogue_id, users[name], "basic"), level)
    response = select_([ids["A"]])
    assert response.status_code == 422 and "at least 2" in response.get_data(as_text=True)
    response = select_([ids["A"], ids["C"]])
    assert response.status_code == 422 and "meets the threshold" in response.get_data(as_text=True)
    assert status_of(dialogue_id) == "basic_evaluation"
    assert select_([ids["A"], ids["B"]]).status_code == 302
    assert status_of(dialogue_id) == "dialogue_1"
    kinds = {
        name: set(
            db.session.scalars(
                select(Notification.kind).where(Notification.user_id == users[name].id)
            )
        )
        for name in ("A", "C")
    }
    assert "dialogue.selected" in kinds["A"] and "dialogue.not_selected" in kinds["C"]
    # Not selected: no final proposal.
    clock(DUE["dialogue_2_due_on"])
    for action in ("start_stage_2", "close_dialogue"):
        move(clients, dialogue_id, action)
    add_spec(clients, dialogue_id, "최종 과업")
    move(clients, dialogue_id, "issue_final_spec")
    assert submit(clients["C"], dialogue_id, "final", "c", "s", 1000).status_code == 403


def test_an_incomplete_score_sheet_is_refused_with_field_messages(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    move(clients, dialogue_id, "publish")
    submit(clients["A"], dialogue_id, "basic", "A", "s")
    clock(DUE["basic_due_on"] + timedelta(days=1))
    move(clients, dialogue_id, "close_basic")
    proposal = proposal_of(dialogue_id, users["A"], "basic")
    response = clients["officer"].post(
        f"/dialogues/proposals/{proposal.id}/score", data={"level-understanding": "good"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert proposal.sheets == []


# -- confidentiality ------------------------------------------------------------------------


def test_one_partner_never_sees_another_partners_ideas(app, people, clock, login):
    users, clients = people
    dialogue_id = run_to_final_evaluation(app, clients, users, clock)
    a = participant_of(dialogue_id, users["A"])
    b = participant_of(dialogue_id, users["B"])
    a_basic = proposal_of(dialogue_id, users["A"], "basic")
    a_final = proposal_of(dialogue_id, users["A"], "final")
    a_file = db.session.scalar(
        select(Attachment).where(
            Attachment.owner_type == "dialogue_thread", Attachment.owner_id == a.id
        )
    )
    assert a_file is not None
    # A's own pages show A's thread, proposals and document.
    assert "A의 라이다 아이디어" in clients["A"].get(f"/dialogues/threads/{a.id}").get_data(
        as_text=True
    )
    download = clients["A"].get(f"/attachments/{a_file.id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()
    assert clients["A"].get(f"/dialogues/proposals/{a_final.id}").status_code == 200

    outsiders = {"B": clients["B"], "C": clients["C"]}
    stranger = user_with_role("officer")
    outsiders["other agency"] = english_client(app)
    login(stranger, on=outsiders["other agency"])
    outsiders["anonymous"] = english_client(app)
    for who, client in outsiders.items():
        for path in (
            f"/dialogues/threads/{a.id}",
            f"/dialogues/proposals/{a_basic.id}",
            f"/dialogues/proposals/{a_final.id}",
            f"/attachments/{a_file.id}",
        ):
            response = client.get(path)
            expected = (302,) if who == "anonymous" and "attachments" not in path else (404,)
            assert response.status_code in expected, (who, path, response.status_code)
            assert "라이다" not in response.get_data(as_text=True)
            response.close()
        response = client.post(f"/dialogues/threads/{a.id}/messages", data={"body": "엿보기"})
        assert response.status_code in (302, 403, 404), who
        upload = client.post(
            f"/attachments/dialogue_thread/{a.id}",
            data={"file": (io.BytesIO(PDF), "x.pdf")},
            content_type="multipart/form-data",
        )
        assert upload.status_code in (302, 404), who
    db.session.refresh(a)
    assert all(m.body != "엿보기" for m in a.messages)

    # B's own pages hold nothing of A.
    for path in (
        f"/dialogues/threads/{b.id}",
        f"/dialogues/{dialogue_id}/mine",
        f"/dialogues/{dialogue_id}",
        f"/dialogues/{dialogue_id}/specification",
        f"/dialogues/proposals/{proposal_of(dialogue_id, users['B'], 'final').id}",
    ):
        response = clients["B"].get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert "A의 라이다 아이디어" not in text and "A의 비밀 아이디어" not in text, path
        assert "A 최종제안" not in text and "a-lidar.pdf" not in text, path
    assert "B의 열화상 아이디어" in clients["B"].get(f"/dialogues/threads/{b.id}").get_data(
        as_text=True
    )
    # Suppliers never reach the officer's dashboard or the score sheets.
    assert clients["B"].get(f"/dialogues/{dialogue_id}/manage").status_code == 403
    assert clients["B"].get(f"/dialogues/proposals/{a_final.id}/score").status_code == 403
    # C, not selected, does not follow the specification before the award.
    assert clients["C"].get(f"/dialogues/{dialogue_id}/specification").status_code == 404
    # The agency sees both threads.
    officer_page = clients["officer"].get(f"/dialogues/threads/{a.id}").get_data(as_text=True)
    assert "A의 라이다 아이디어" in officer_page and "라이다 성능을 알려주세요" in officer_page


def test_thread_documents_are_removed_only_by_who_added_them(app, people, clock):
    users, clients = people
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    a, _b = talk(clients, users, dialogue_id)
    document = db.session.scalar(
        select(Attachment).where(
            Attachment.owner_type == "dialogue_thread", Attachment.owner_id == a.id
        )
    )
    assert clients["officer"].post(f"/attachments/{document.id}/remove").status_code == 403
    assert clients["B"].post(f"/attachments/{document.id}/remove").status_code == 404
    db.session.refresh(document)
    assert document.deleted_at is None
    assert clients["A"].post(f"/attachments/{document.id}/remove").status_code == 302
    db.session.refresh(document)
    assert document.deleted_at is not None


def test_replies_are_threaded_and_belong_to_the_same_thread(app, people, clock):
    users, clients = people
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    a, b = talk(clients, users, dialogue_id)
    db.session.refresh(a)
    question, answer = a.messages
    assert answer.parent_id == question.id and answer.from_agency is True
    assert services.threaded(a.messages) == [(question, 0), (answer, 1)]
    # A reply cannot hang under another partner's message.
    response = clients["B"].post(
        f"/dialogues/threads/{b.id}/messages", data={"body": "x", "parent_id": question.id}
    )
    assert response.status_code == 422


# -- the specification ----------------------------------------------------------------------


def test_every_specification_version_is_kept_and_compared(app, people, clock):
    users, clients = people
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    assert add_spec(clients, dialogue_id, "감시 범위 10km\n야간 감시", "초안").status_code == 302
    assert add_spec(clients, dialogue_id, "감시 범위 10km\n야간 감시").status_code == 422
    body = "감시 범위 12km\n야간 감시\n자동 경보"
    assert add_spec(clients, dialogue_id, body, "대화 반영").status_code == 302
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert [(v.number, v.body) for v in dialogue.spec_versions] == [
        (1, "감시 범위 10km\n야간 감시"),
        (2, body),
    ]
    assert services.compare_specs(dialogue, 1, 2) == [
        ("removed", "감시 범위 10km"),
        ("added", "감시 범위 12km"),
        ("same", "야간 감시"),
        ("added", "자동 경보"),
    ]
    page = clients["A"].get(f"/dialogues/{dialogue_id}/specification?from=1&to=2")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.search(r'class="app-del">감시 범위 10km<', text)
    assert re.search(r'class="app-ins">감시 범위 12km<', text)
    assert (
        clients["A"].get(f"/dialogues/{dialogue_id}/specification?from=1&to=9").status_code == 404
    )
    # Suppliers cannot write it.
    assert add_spec({"officer": clients["A"]}, dialogue_id, "x").status_code == 403
    # The issued version is marked final and fixed; later versions are refused.
    clock(DUE["dialogue_2_due_on"])
    move(clients, dialogue_id, "start_stage_2")
    move(clients, dialogue_id, "close_dialogue")
    move(clients, dialogue_id, "issue_final_spec")
    db.session.refresh(dialogue)
    assert [v.is_final for v in dialogue.spec_versions] == [False, True]
    assert add_spec(clients, dialogue_id, "바뀐 과업").status_code == 409


def test_issuing_needs_a_specification(app, people, clock):
    users, clients = people
    dialogue_id = run_to_dialogue(app, clients, users, clock)
    move(clients, dialogue_id, "start_stage_2")
    move(clients, dialogue_id, "close_dialogue")
    response = move(clients, dialogue_id, "issue_final_spec")
    assert response.status_code == 409 and "Write the specification" in response.get_data(
        as_text=True
    )
    assert status_of(dialogue_id) == "specification"


# -- award ----------------------------------------------------------------------------------


def test_awarding_another_than_the_top_needs_a_reason(app, people, clock):
    users, clients = people
    dialogue_id = run_to_final_evaluation(app, clients, users, clock)
    b = participant_of(dialogue_id, users["B"])
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={"reason": "가격 우위", "winner": b.id, "version": _version(dialogue_id)},
    )
    assert response.status_code == 422
    assert "Say why the award does not go to the highest combined score" in response.get_data(
        as_text=True
    )
    assert status_of(dialogue_id) == "final_evaluation"
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={
            "reason": "가격 우위",
            "winner": b.id,
            "override_reason": "A는 납기 위험이 확인됨",
            "version": _version(dialogue_id),
        },
    )
    assert response.status_code == 302
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert dialogue.winner_supplier_id == users["B"].organisation_id
    assert dialogue.override_reason == "A는 납기 위험이 확인됨"
    page = english_client(app).get(f"/dialogues/{dialogue_id}/award").get_data(as_text=True)
    assert "A는 납기 위험이 확인됨" in page
    won = db.session.scalars(
        select(Notification.title).where(
            Notification.user_id == users["B"].id, Notification.kind == "dialogue.awarded"
        )
    ).all()
    assert won and "낙찰되었습니다" in won[0]  # the winner's notice, in their language (Korean)


def test_demand_page_links_to_its_dialogue(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    dialogue = db.session.get(Dialogue, dialogue_id)
    page = clients["officer"].get(f"/demands/{dialogue.demand_id}").get_data(as_text=True)
    assert f"/dialogues/{dialogue_id}" in page
    other = published_demand(app, users["officer"], demand_type="dialogue")
    page = clients["officer"].get(f"/demands/{other.id}").get_data(as_text=True)
    assert f"/dialogues/new/{other.id}" in page
    # The officer's dashboard lists the agency's dialogues.
    dashboard = clients["officer"].get("/dashboard").get_data(as_text=True)
    assert f"/dialogues/{dialogue_id}" in dashboard


def test_notice_is_edited_only_as_a_draft_and_pages_render(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    officer = clients["officer"]
    assert officer.get(f"/dialogues/{dialogue_id}/edit").status_code == 200
    form = {
        "title": "고친 공고",
        "notice": "n",
        "technical_weight": 70,
        "price_weight": 30,
        "min_partners": 3,
        "version": _version(dialogue_id),
        **{k: v.isoformat() for k, v in DUE.items()},
    }
    assert officer.post(f"/dialogues/{dialogue_id}/edit", data=form).status_code == 302
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert (dialogue.title, dialogue.technical_weight, dialogue.price_weight) == (
        "고친 공고",
        70,
        30,
    )
    # Nobody but the agency sees the draft.
    assert english_client(app).get(f"/dialogues/{dialogue_id}").status_code == 404
    assert "고친 공고" not in english_client(app).get("/dialogues/").get_data(as_text=True)
    move(clients, dialogue_id, "publish")
    form["version"] = _version(dialogue_id)
    response = officer.post(f"/dialogues/{dialogue_id}/edit", data=form)
    assert response.status_code == 409
    assert "can no longer change" in response.get_data(as_text=True)
    public = english_client(app)
    assert "고친 공고" in public.get("/dialogues/").get_data(as_text=True)
    notice = public.get(f"/dialogues/{dialogue_id}").get_data(as_text=True)
    assert "Technical 70, price 30" in notice and DUE["basic_due_on"].isoformat() in notice
    for path in (f"/dialogues/{dialogue_id}/basic", f"/dialogues/{dialogue_id}/mine"):
        assert clients["A"].get(path).status_code == 200, path
    # Final proposals are not accepted yet, and the form says so on submission.
    assert submit(clients["A"], dialogue_id, "final", "t", "s", 10).status_code == 409


def test_score_sheet_page_shows_the_scheme(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    move(clients, dialogue_id, "publish")
    submit(clients["A"], dialogue_id, "basic", "A", "s")
    clock(DUE["basic_due_on"] + timedelta(days=1))
    move(clients, dialogue_id, "close_basic")
    proposal = proposal_of(dialogue_id, users["A"], "basic")
    page = clients["officer"].get(f"/dialogues/proposals/{proposal.id}/score")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Understanding of the problem" in text and 'name="comment-solution"' in text
    assert score(clients["officer"], proposal, "good").status_code == 302
    manage = clients["officer"].get(f"/dialogues/{dialogue_id}/manage").get_data(as_text=True)
    assert "75.00" in manage and "meets the threshold" in manage


def extend(client, dialogue_id, reason="공급자 요청으로 기간 연장", **days):
    data = {"version": _version(dialogue_id), "reason": reason}
    data.update({k: v.isoformat() for k, v in days.items()})
    return client.post(f"/dialogues/{dialogue_id}/deadlines", data=data)


def test_deadlines_are_extended_later_only_with_a_reason_and_everyone_is_told(app, people, clock):
    users, clients = people
    dialogue_id = create(app, clients, users)
    later = {k: v + timedelta(days=5) for k, v in DUE.items()}
    response = extend(clients["officer"], dialogue_id, basic_due_on=later["basic_due_on"])
    assert response.status_code == 409 and "still a draft" in response.get_data(as_text=True)
    move(clients, dialogue_id, "publish")
    assert submit(clients["A"], dialogue_id, "basic", "A 제안", "s").status_code == 302
    page = clients["officer"].get(f"/dialogues/{dialogue_id}/manage").get_data(as_text=True)
    assert "Extend deadlines" in page and 'name="final_due_on"' in page

    def refused(response, message):
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and message in text, text[:2000]

    earlier = DUE["basic_due_on"] - timedelta(days=1)
    refused(
        extend(clients["officer"], dialogue_id, basic_due_on=earlier), "can only be moved later"
    )
    refused(
        extend(clients["officer"], dialogue_id, reason="", basic_due_on=later["basic_due_on"]),
        "This field is required",
    )
    past_stage_1 = DUE["dialogue_1_due_on"] + timedelta(days=1)
    refused(
        extend(clients["officer"], dialogue_id, basic_due_on=past_stage_1),
        "must come after the one before it",
    )
    refused(
        extend(clients["officer"], dialogue_id, **DUE), "every date is the one already announced"
    )
    assert extend(clients["A"], dialogue_id, **later).status_code == 403
    stale = {"version": _version(dialogue_id) - 1, "reason": "x"}
    stale.update({k: v.isoformat() for k, v in later.items()})
    assert (
        clients["officer"].post(f"/dialogues/{dialogue_id}/deadlines", data=stale).status_code
        == 409
    )
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert dialogue.basic_due_on == DUE["basic_due_on"]  # nothing refused was half-applied

    response = extend(clients["officer"], dialogue_id, **later)
    assert response.status_code == 302
    db.session.refresh(dialogue)
    assert [getattr(dialogue, k) for k in DUE] == list(later.values())
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "dialogue.deadlines_extended")
    )
    assert event.after["reason"] == "공급자 요청으로 기간 연장"
    assert event.after["changed"] == list(DUE)
    assert event.before["deadlines"][0] == DUE["basic_due_on"].isoformat()
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "dialogue.deadlines")
    ).all()
    assert {n.user_id for n in told} == {users["A"].id}
    # The old deadline has passed, the new one has not: B may still take part.
    clock(DUE["basic_due_on"] + timedelta(days=1))
    assert submit(clients["B"], dialogue_id, "basic", "B 제안", "s").status_code == 302
    # Once the new basic deadline has passed it stays: only the later stages can move.
    clock(later["basic_due_on"] + timedelta(days=1))
    assert services.extendable_deadlines(dialogue) == [
        "dialogue_1_due_on",
        "dialogue_2_due_on",
        "final_due_on",
    ]
    reopened = later["basic_due_on"] + timedelta(days=3)
    refused(extend(clients["officer"], dialogue_id, basic_due_on=reopened), "it stays")


def test_the_api_reads_notices_awards_and_only_the_callers_participation(app, people, clock):
    from procure.account.services import create_api_token

    users, clients = people
    draft_id = create(app, clients, users)  # a notice never published
    dialogue_id = run_to_final_evaluation(app, clients, users, clock)
    anonymous = english_client(app)

    def token_for(user):
        with app.test_request_context():
            _row, token = create_api_token(user, "dialogue")
        db.session.flush()
        return {"Authorization": f"Bearer {token}"}

    listed = anonymous.get("/api/v1/dialogues").get_json()
    assert [d["id"] for d in listed["items"]] == [dialogue_id] and listed["total"] == 1
    assert listed["items"][0]["status"] == "final_evaluation"
    assert listed["items"][0]["award"] is None and "notice" not in listed["items"][0]
    assert anonymous.get(f"/api/v1/dialogues/{draft_id}").status_code == 404

    clients["officer"].post(
        f"/dialogues/{dialogue_id}/decide",
        data={"reason": "종합점수 1위", "version": _version(dialogue_id)},
    )
    one = anonymous.get(f"/api/v1/dialogues/{dialogue_id}").get_json()
    assert one["status"] == "awarded" and one["notice"] == "해안 감시 방안을 대화로 찾습니다."
    assert [s["state"] for s in one["stages"]][-1] == "awarded"
    award = one["award"]
    winner = users["A"].organisation
    assert award["winner"] == {"id": winner.id, "name": winner.name}
    assert award["reason"] == "종합점수 1위" and award["final_specification_version"] >= 1
    top = award["scores"][0]
    assert (top["supplier"]["id"], top["combined"], top["winner"], top["rank"]) == (
        winner.id,
        96.0,  # as on the award page
        True,
        1,
    )
    text = json.dumps(one, ensure_ascii=False)
    assert "A의 라이다 아이디어" not in text and "A의 비밀 아이디어" not in text  # still private

    mine = anonymous.get(
        f"/api/v1/dialogues/{dialogue_id}/participation", headers=token_for(users["A"])
    )
    body = mine.get_json()
    assert mine.status_code == 200 and body["status"] == "partner"
    assert body["supplier"]["id"] == winner.id
    own = {p.id for p in participant_of(dialogue_id, users["A"]).proposals}
    assert {p["id"] for p in body["proposals"]} == own and len(own) == 2
    others = {p.id for p in participant_of(dialogue_id, users["B"]).proposals}
    assert not others & {p["id"] for p in body["proposals"]}
    outsider = user_with_role("supplier")
    refused = anonymous.get(
        f"/api/v1/dialogues/{dialogue_id}/participation", headers=token_for(outsider)
    )
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    officer = anonymous.get(
        f"/api/v1/dialogues/{dialogue_id}/participation", headers=token_for(users["officer"])
    )
    assert officer.status_code == 403
