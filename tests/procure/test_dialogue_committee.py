"""A competitive dialogue's evaluation committee: appointed from outside the agency, declares
conflicts per supplier before reading, scores instead of the officers; the officers' manage
page is never drawn for anyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from factories import english_client, user_with_role
from procure.dialogue import committee, services
from procure.extensions import db
from procure.models import AuditEvent, Dialogue, Notification
from test_dialogue import (
    DUE,
    _version,
    create,
    make_clock,
    make_people,
    move,
    participant_of,
    proposal_of,
    score,
    status_of,
    submit,
)


@pytest.fixture
def clock(monkeypatch):
    return make_clock(monkeypatch)


@pytest.fixture
def people(app, db_session, login):
    return make_people(app, login)


def _appoint(client, dialogue_id, user):
    return client.post(f"/dialogues/{dialogue_id}/committee", data={"user_id": str(user.id)})


def _declare(client, dialogue_id, supplier, answer, note=""):
    participant = participant_of(dialogue_id, supplier)
    return client.post(
        f"/dialogues/participants/{participant.id}/conflict",
        data={"has_conflict": answer, "note": note},
    )


def test_a_committee_declares_conflicts_and_scores_instead_of_the_officers(
    app, people, clock, login
):
    users, clients = people
    dialogue_id = create(app, clients, users)
    title = db.session.get(Dialogue, dialogue_id).title
    outsider, second = user_with_role("evaluator"), user_with_role("evaluator")
    insider = user_with_role("evaluator", organisation=users["officer"].organisation)
    bystander = user_with_role("evaluator")
    for name, user in (("E1", outsider), ("E2", second), ("X", bystander)):
        clients[name] = english_client(app)
        login(user, on=clients[name])

    # Appointing: evaluators only, from outside the agency, once each; members are told.
    assert _appoint(clients["officer"], dialogue_id, outsider).status_code == 302
    response = _appoint(clients["officer"], dialogue_id, insider)
    assert response.status_code == 422
    assert b"from the agency or from a participating supplier" in response.data
    assert _appoint(clients["officer"], dialogue_id, users["A"]).status_code == 422
    assert _appoint(clients["officer"], dialogue_id, outsider).status_code == 409
    assert _appoint(clients["officer"], dialogue_id, second).status_code == 302
    assert _appoint(clients["A"], dialogue_id, bystander).status_code == 403  # a supplier
    told = db.session.scalars(select(Notification).where(Notification.user_id == outsider.id)).all()
    assert [n.kind for n in told] == ["dialogue.committee"] and title in told[0].title
    page = clients["officer"].get(f"/dialogues/{dialogue_id}/manage")
    assert "Evaluation committee" in page.text and outsider.name in page.text
    # A member appointed to a draft reads the notice (the notification links to it); nobody
    # else outside the agency does.
    assert clients["E1"].get(f"/dialogues/{dialogue_id}").status_code == 200
    assert f"/dialogues/{dialogue_id}" in clients["E1"].get("/dashboard").text
    assert f"/dialogues/{dialogue_id}" in clients["E1"].get("/evaluation/").text
    assert clients["X"].get(f"/dialogues/{dialogue_id}").status_code == 404
    assert f"/dialogues/{dialogue_id}" not in clients["X"].get("/evaluation/").text
    offered = page.text.split('name="user_id"')[1].split("</select>")[0]
    assert f'value="{bystander.id}"' in offered
    assert f'value="{insider.id}"' not in offered and f'value="{outsider.id}"' not in offered

    assert move(clients, dialogue_id, "publish").status_code == 302
    for name in ("A", "B", "C"):
        response = submit(clients[name], dialogue_id, "basic", f"{name} 기본제안", f"{name}비밀")
        assert response.status_code == 302
    a_basic = proposal_of(dialogue_id, users["A"], "basic")
    b_basic = proposal_of(dialogue_id, users["B"], "basic")
    c_basic = proposal_of(dialogue_id, users["C"], "basic")

    # Before the evaluation, nobody on the committee reads a proposal, declared or not.
    assert _declare(clients["E1"], dialogue_id, users["A"], "no").status_code == 302
    assert clients["E1"].get(f"/dialogues/proposals/{a_basic.id}").status_code == 404

    clock(DUE["basic_due_on"] + timedelta(days=1))
    assert move(clients, dialogue_id, "close_basic").status_code == 302
    for member in (outsider, second):  # appointed, then told the evaluation is open
        told = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == member.id)
        ).all()
        assert told == ["dialogue.committee", "dialogue.committee"]
    # While it scores, the committee may take in a member and let go of one who has not
    # scored (to replace a member in conflict); it may not be set up or dissolved (below).
    assert _appoint(clients["officer"], dialogue_id, bystander).status_code == 302
    response = clients["officer"].post(f"/dialogues/{dialogue_id}/committee/{bystander.id}/remove")
    assert response.status_code == 302

    # E1: no conflict with A and B, a conflict with C (a note is required; it is final).
    response = _declare(clients["E1"], dialogue_id, users["C"], "yes")
    assert response.status_code == 422
    assert _declare(clients["E1"], dialogue_id, users["B"], "no").status_code == 302
    assert _declare(clients["E1"], dialogue_id, users["C"], "yes", "전 직장").status_code == 302
    assert _declare(clients["E1"], dialogue_id, users["C"], "no").status_code == 409
    assert clients["E1"].get(f"/dialogues/proposals/{a_basic.id}").status_code == 200
    assert clients["E1"].get(f"/dialogues/proposals/{c_basic.id}").status_code == 404
    assert score(clients["E1"], c_basic, "excellent").status_code == 404
    detail = clients["E1"].get(f"/dialogues/{dialogue_id}")
    assert "Your evaluation" in detail.text and "Conflict of interest" in detail.text
    # E2 has not declared yet: nothing to read; the bystander is on no committee.
    assert clients["E2"].get(f"/dialogues/proposals/{a_basic.id}").status_code == 404
    assert clients["X"].get(f"/dialogues/proposals/{a_basic.id}").status_code == 404
    assert _declare(clients["X"], dialogue_id, users["A"], "no").status_code == 404
    assert score(clients["X"], a_basic, "good").status_code == 404
    assert clients["E2"].get(f"/dialogues/proposals/{a_basic.id}/score").status_code == 404
    assert "Your evaluation" not in clients["X"].get(f"/dialogues/{dialogue_id}").text

    # The officers no longer score; the members do.
    response = score(clients["officer"], a_basic, "excellent")
    assert response.status_code == 403
    assert b"evaluation committee scores" in response.data
    for name, level in (("A", "excellent"), ("B", "good")):
        proposal = proposal_of(dialogue_id, users[name], "basic")
        assert score(clients["E1"], proposal, level).status_code == 302
    for name in ("A", "B", "C"):
        assert _declare(clients["E2"], dialogue_id, users[name], "no").status_code == 302
    for name, level in (("A", "excellent"), ("B", "good"), ("C", "poor")):
        proposal = proposal_of(dialogue_id, users[name], "basic")
        assert score(clients["E2"], proposal, level).status_code == 302

    # E2 then finds a tie to B: E2's sheet on B no longer counts (it stays on record).
    assert _declare(clients["E2"], dialogue_id, users["B"], "yes", "공동 연구").status_code == 302
    assert clients["E2"].get(f"/dialogues/proposals/{b_basic.id}").status_code == 404

    # C's score is E2's sheet alone, B's E1's; A's both members'.
    for proposal in (a_basic, b_basic, c_basic):
        db.session.refresh(proposal)
    assert len(b_basic.sheets) == 2
    assert [s.evaluator_id for s in committee.counted_sheets(b_basic)] == [outsider.id]
    assert len(committee.counted_sheets(a_basic)) == 2
    assert [s.evaluator_id for s in committee.counted_sheets(c_basic)] == [second.id]
    page = clients["officer"].get(f"/dialogues/{dialogue_id}/manage")
    assert "전 직장" in page.text  # the declared conflict is shown to the agency

    ids = [participant_of(dialogue_id, users[n]).id for n in ("A", "B")]
    response = clients["officer"].post(
        f"/dialogues/{dialogue_id}/partners",
        data={"participant_ids": ids, "version": _version(dialogue_id)},
    )
    assert response.status_code == 302, response.data[:2000]
    assert status_of(dialogue_id) == "dialogue_1"
    # A member who scored stays; one who did not could leave (none here: both scored).
    response = clients["officer"].post(f"/dialogues/{dialogue_id}/committee/{outsider.id}/remove")
    assert response.status_code == 409
    # Members read the basic proposals on; they never read the private threads.
    assert clients["E1"].get(f"/dialogues/proposals/{a_basic.id}").status_code == 200
    a = participant_of(dialogue_id, users["A"])
    assert clients["E1"].get(f"/dialogues/threads/{a.id}").status_code == 404

    # The evaluator's dashboard lists the dialogue.
    assert f"/dialogues/{dialogue_id}" in clients["E1"].get("/dashboard").text

    events = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.target_type == "dialogue", AuditEvent.target_id == str(dialogue_id)
        )
    ).all()
    assert events.count("dialogue.evaluator_added") == 3
    assert events.count("dialogue.evaluator_removed") == 1
    assert events.count("dialogue.conflict_declared") == 7  # E1: A, B, C; E2: A, B, C, B
    assert events.count("dialogue.sheet_submitted") == 5


def test_members_are_removed_before_they_score_and_only_by_the_agency_or_operators(
    app, people, clock, login
):
    users, clients = people
    dialogue_id = create(app, clients, users)
    member = user_with_role("evaluator")
    operator = user_with_role("operator")
    stranger = user_with_role("officer")
    for name, user in (("operator", operator), ("stranger", stranger)):
        clients[name] = english_client(app)
        login(user, on=clients[name])
    assert _appoint(clients["operator"], dialogue_id, member).status_code == 302
    # Another agency's officer: the draft does not exist for them.
    assert _appoint(clients["stranger"], dialogue_id, member).status_code == 404
    assert move(clients, dialogue_id, "publish").status_code == 302
    response = clients["stranger"].post(f"/dialogues/{dialogue_id}/committee/{member.id}/remove")
    assert response.status_code == 403
    assert "Evaluation committee" not in response.text  # the manage page is not drawn
    response = clients["officer"].post(f"/dialogues/{dialogue_id}/committee/{member.id}/remove")
    assert response.status_code == 302
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert dialogue.committee == []
    response = clients["officer"].post(f"/dialogues/{dialogue_id}/committee/{member.id}/remove")
    assert response.status_code == 404
    assert _appoint(clients["officer"], dialogue_id, user_with_role("citizen")).status_code == 422
    assert clients["officer"].post(
        f"/dialogues/{dialogue_id}/committee", data={"user_id": "abc"}
    ).status_code in (400, 422)

    # Without a committee the officers score, as before; none is set up mid-evaluation.
    submit(clients["A"], dialogue_id, "basic", "A 기본제안", "A")
    clock(DUE["basic_due_on"] + timedelta(days=1))
    assert move(clients, dialogue_id, "close_basic").status_code == 302
    response = _appoint(clients["officer"], dialogue_id, member)
    assert response.status_code == 409
    assert b"whoever began the evaluation finishes it" in response.data
    a_basic = proposal_of(dialogue_id, users["A"], "basic")
    assert score(clients["officer"], a_basic, "good").status_code == 302
    assert services.result_of(a_basic) is not None


def test_a_refused_manage_action_never_draws_the_manage_page(app, people, clock, login):
    """Before the committee, a foreign officer's refused post (403) drew the whole manage
    page, with every proposal's title and score, under the error."""
    users, clients = people
    dialogue_id = create(app, clients, users)
    assert move(clients, dialogue_id, "publish").status_code == 302
    submit(clients["A"], dialogue_id, "basic", "A의 비밀 제안 제목", "A")
    stranger = user_with_role("officer")
    other = english_client(app)
    login(stranger, on=other)
    response = other.post(
        f"/dialogues/{dialogue_id}/move",
        data={"action": "cancel", "reason": "x", "version": _version(dialogue_id)},
    )
    assert response.status_code == 403
    assert "A의 비밀 제안 제목" not in response.text


def test_an_evaluation_keeps_whoever_began_it():
    """The rule behind the pages: in an evaluation stage a committee may grow or shrink but
    never appear or vanish; before, anything goes; after the end, nothing."""
    from procure.models import DialogueEvaluator

    def dialogue(status, members):
        return Dialogue(status=status, committee=[DialogueEvaluator(user_id=i) for i in members])

    assert committee.may_change(dialogue("dialogue_1", []), adding=True)
    assert committee.may_change(dialogue("dialogue_1", [1]), adding=False)
    for status in ("basic_evaluation", "final_evaluation"):
        assert not committee.may_change(dialogue(status, []), adding=True)
        assert committee.may_change(dialogue(status, [1]), adding=True)
        assert not committee.may_change(dialogue(status, [1]), adding=False)
        assert committee.may_change(dialogue(status, [1, 2]), adding=False)
    for status in ("awarded", "cancelled"):
        assert not committee.may_change(dialogue(status, [1, 2]), adding=True)
        assert not committee.may_change(dialogue(status, [1, 2]), adding=False)


def test_a_second_request_racing_for_the_same_row_is_a_409(app, people, clock, login):
    """Two tabs appoint the same evaluator, or declare twice, at once: the second insert meets
    the unique key; it is a 409 and the transaction goes on (no 500, nothing half-written)."""
    from procure.database import insert_unique
    from procure.errors import Conflict
    from procure.models import DialogueConflict, DialogueEvaluator

    users, clients = people
    dialogue_id = create(app, clients, users)
    member = user_with_role("evaluator")
    assert _appoint(clients["officer"], dialogue_id, member).status_code == 302
    with pytest.raises(Conflict):  # what the second request's service would insert
        insert_unique(DialogueEvaluator(dialogue_id=dialogue_id, user_id=member.id))
    assert move(clients, dialogue_id, "publish").status_code == 302
    submit(clients["A"], dialogue_id, "basic", "A 기본제안", "A")
    participant = participant_of(dialogue_id, users["A"])
    client = english_client(app)
    login(member, on=client)
    assert _declare(client, dialogue_id, users["A"], "no").status_code == 302
    with pytest.raises(Conflict):
        insert_unique(
            DialogueConflict(
                participant_id=participant.id, evaluator_id=member.id, has_conflict=True
            )
        )
    dialogue = db.session.get(Dialogue, dialogue_id)
    db.session.refresh(dialogue)
    assert [m.user_id for m in dialogue.committee] == [member.id]  # the session still works
