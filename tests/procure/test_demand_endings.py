"""What happens around a demand when it changes or ends: an amendment reaches the proposals
already sent, closing it settles its open proposals, a running competitive dialogue keeps it
open and takes the suppliers, and a deleted draft made from a citizen's idea gives it back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import factories
from factories import answered_proposal, in_request, published_demand
from procure.demands import services as demands
from procure.demands.services import RequirementInput
from procure.errors import Conflict, Invalid, NotFound
from procure.extensions import db
from procure.ideas import services as ideas
from procure.models import AuditEvent, CitizenIdea, Dialogue, Notification
from procure.proposals import services as proposals
from procure.proposals.services import ResponseInput
from test_dialogue import create as create_dialogue
from test_dialogue import make_clock, make_people
from test_dialogue import move as move_dialogue


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def _titles(user, kind):
    return db.session.scalars(
        select(Notification.title).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def test_an_amendment_reaches_the_proposals_already_sent(app, officer, login):
    demand = published_demand(app, officer)
    sent, shortlisted = factories.user_with_role("supplier"), factories.user_with_role("supplier")
    proposal = answered_proposal(app, sent, demand)
    other = answered_proposal(app, shortlisted, demand)
    in_request(app, proposals.decide, officer, other, "shortlisted")
    assert proposal.demand_revision == 1
    changed = factories.demand_input(
        requirements=[
            RequirementInput("정지비행 안정성", "0.3", "m", True),  # was 0.5 m
            RequirementInput("안내방송 음압", "100", "dB", True),
            RequirementInput("비행시간", "40", "분", False),
            RequirementInput("방수 등급", "IP67", "", True),  # new
        ]
    )
    in_request(app, demands.update_demand, officer, demand, changed, demand.version, "강풍 기준")
    assert demand.revision == 2
    assert _titles(sent, "demand.amended") and _titles(shortlisted, "demand.amended")

    supplier = factories.english_client(app)
    login(sent, on=supplier)
    page = supplier.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "answered version 1 of the demand" in page
    assert "when answered: 0.5 m" in page
    assert "added after this proposal was sent" in page
    buyer = factories.english_client(app)
    login(officer, on=buyer)
    comparison = buyer.get(f"/demands/{demand.id}/proposals").get_data(as_text=True)
    assert "answered version 1" in comparison
    assert "when answered: 0.5 m" in comparison  # beside the answer, not only at the top
    assert f"/proposals/{proposal.id}/reopen" in page

    # The supplier takes it back, answers the new requirement and sends it again.
    response = supplier.post(f"/proposals/{proposal.id}/reopen", data={"version": proposal.version})
    assert response.status_code == 302 and response.location.endswith("/edit")
    db.session.refresh(proposal)
    assert proposal.status == "draft"
    # The agency's earlier link says what happened, not that the proposal does not exist; the
    # draft itself stays the supplier's.
    revising = buyer.get(f"/proposals/{proposal.id}")
    text = revising.get_data(as_text=True)
    assert revising.status_code == 200 and "took this proposal" in text
    assert proposal.summary not in text and "110,000,000" not in text
    other_agency = factories.english_client(app)
    login(factories.user_with_role("officer"), on=other_agency)
    assert other_agency.get(f"/proposals/{proposal.id}").status_code == 404
    with pytest.raises(Invalid):  # the new mandatory requirement is not answered yet
        in_request(app, proposals.submit, sent, proposal)
    data = proposals.ProposalInput(
        title=proposal.title,
        summary=proposal.summary,
        price_offer=proposal.price_offer,
        responses=[
            ResponseInput(r.id, "meets", r.target_value, "시험성적서") for r in demand.requirements
        ],
    )
    in_request(app, proposals.update_proposal, sent, proposal, data, proposal.version)
    in_request(app, proposals.submit, sent, proposal)
    assert proposal.status == "submitted" and proposal.demand_revision == 2
    assert "answered version" not in supplier.get(f"/proposals/{proposal.id}").get_data(
        as_text=True
    )
    # A proposal the agency has acted on is not taken back.
    with pytest.raises(Conflict):
        in_request(app, proposals.reopen, shortlisted, other)


def test_a_draft_withdrawn_stays_the_suppliers(app, officer, login, client):
    """Withdrawing a draft never sent, or one taken back to revise, shows the agency nothing
    of it: not the page, the list, the comparison, search or the API. The agency hears of a
    withdrawal only when it had received the proposal."""
    from procure import indexing, policy
    from procure.models import ReverseProposal

    demand = published_demand(app, officer)
    drafter, reviser = factories.user_with_role("supplier"), factories.user_with_role("supplier")
    never_sent = answered_proposal(app, drafter, demand, submit=False)
    in_request(app, proposals.withdraw, drafter, never_sent)
    assert never_sent.withdrawn_unsent and not policy.can_read_proposal(officer, never_sent)
    assert not _titles(officer, "proposal.withdrawn")  # nothing it ever received

    revised = answered_proposal(app, reviser, demand)
    sent_title = revised.title
    changed = factories.demand_input(
        requirements=[
            RequirementInput("정지비행 안정성", "0.3", "m", True),
            RequirementInput("안내방송 음압", "100", "dB", True),
            RequirementInput("비행시간", "40", "분", False),
        ]
    )
    in_request(app, demands.update_demand, officer, demand, changed, demand.version, "기준 변경")
    in_request(app, proposals.reopen, reviser, revised)
    data = proposals.ProposalInput(
        title="보내지 않은 수정안", summary="내부 검토 메모", price_offer=1, responses=[]
    )
    in_request(app, proposals.update_proposal, reviser, revised, data, revised.version)
    in_request(app, proposals.withdraw, reviser, revised)
    assert revised.status == "withdrawn" and revised.withdrawn_unsent
    assert _titles(officer, "proposal.withdrawn")
    notice = db.session.scalar(
        select(Notification.body).where(
            Notification.user_id == officer.id, Notification.kind == "proposal.withdrawn"
        )
    )
    assert "보내지 않은" not in notice and sent_title not in notice

    buyer = factories.english_client(app)
    login(officer, on=buyer)
    page = buyer.get(f"/proposals/{revised.id}").get_data(as_text=True)
    assert "withdrew it on" in page and "보내지 않은 수정안" not in page and "내부 검토" not in page
    assert buyer.get(f"/proposals/{never_sent.id}").status_code == 404
    for url in (f"/demands/{demand.id}/proposals", f"/proposals/?demand={demand.id}"):
        listing = buyer.get(url).get_data(as_text=True)
        assert "보내지 않은 수정안" not in listing and never_sent.title not in listing
    visible = db.session.scalars(proposals.visible_query(officer)).all()
    assert revised not in visible and never_sent not in visible
    assert indexing.proposal_acl(revised) == [f"org:{reviser.organisation_id}"]
    assert policy.can_read_proposal(reviser, revised)  # its own, as ever
    api = client.get(f"/api/v1/proposals/{revised.id}", headers=factories.bearer(app, officer))
    assert api.status_code == 404
    assert db.session.get(ReverseProposal, revised.id).price_offer == 1  # kept for its supplier


def test_only_answers_that_were_sent_keep_a_requirement(app, officer):
    """An answered requirement keeps its name (a sent answer must not move or vanish); a
    competitor's unsent draft neither freezes the demand nor shows in the refusal, and its
    answer to the removed requirement goes with it."""
    demand = published_demand(app, officer)
    drafter = factories.user_with_role("supplier")
    draft = answered_proposal(app, drafter, demand, submit=False)
    kept = [
        RequirementInput(r.name, r.target_value, r.unit, r.mandatory)
        for r in demand.requirements[:-1]
    ]
    removed_name = demand.requirements[-1].name
    in_request(
        app,
        demands.update_demand,
        officer,
        demand,
        factories.demand_input(requirements=kept),
        demand.version,
        "요구사항 정리",
    )
    assert removed_name not in [r.name for r in demand.requirements]
    db.session.refresh(draft)
    assert {r.requirement.name for r in draft.responses} == {r.name for r in kept}

    sender = factories.user_with_role("supplier")
    answered_proposal(app, sender, demand)
    with pytest.raises(Conflict, match=f"“{kept[-1].name}” has answers in proposals"):
        in_request(
            app,
            demands.update_demand,
            officer,
            demand,
            factories.demand_input(requirements=kept[:-1]),
            demand.version,
            "또 정리",
        )


def test_closing_a_demand_declines_the_proposals_still_waiting_and_tells_their_suppliers(
    app, officer, login
):
    demand = published_demand(app, officer)
    waiting, shortlisted, accepted, draft = (factories.user_with_role("supplier") for _ in "abcd")
    p_waiting = answered_proposal(app, waiting, demand)
    p_short = answered_proposal(app, shortlisted, demand)
    p_accepted = answered_proposal(app, accepted, demand)
    p_draft = answered_proposal(app, draft, demand, submit=False)
    in_request(app, proposals.decide, officer, p_short, "shortlisted")
    in_request(app, proposals.decide, officer, p_accepted, "shortlisted")
    in_request(app, proposals.decide, officer, p_accepted, "accepted")

    in_request(app, demands.close_demand, officer, demand, "awarded", "계약 체결 완료")

    assert (p_waiting.status, p_short.status) == ("declined", "declined")
    assert p_waiting.decision_reason == "계약 체결 완료"  # the agency's note, in no one's language
    # Each reader sees the sentence around it in their own language.
    english, korean = factories.english_client(app), app.test_client()
    login(waiting, on=english)
    login(waiting, on=korean)
    assert "The demand was closed (Awarded" in english.get(f"/proposals/{p_waiting.id}").get_data(
        as_text=True
    )
    page = korean.get(f"/proposals/{p_waiting.id}").get_data(as_text=True)
    assert "수요가 마감되었습니다(" in page and "계약 체결 완료" in page
    assert (p_accepted.status, p_draft.status) == ("accepted", "draft")
    assert _titles(waiting, "proposal.status") and _titles(shortlisted, "proposal.status")
    # Told once for the shortlisting of the accepted one and once for its acceptance; nothing
    # more when the demand closed.
    assert len(_titles(accepted, "proposal.status")) == 2
    assert not _titles(draft, "proposal.status")
    declined = db.session.scalars(
        select(AuditEvent.target_id).where(AuditEvent.action == "proposal.declined")
    ).all()
    assert sorted(declined) == sorted([str(p_waiting.id), str(p_short.id)])
    # Nobody decides on a closed demand any more, and a draft cannot be sent to it.
    with pytest.raises(Conflict):
        in_request(app, proposals.decide, officer, p_accepted, "declined", "늦게 바꿈")
    with pytest.raises(Invalid):
        in_request(app, proposals.submit, draft, p_draft)
    # The draft's supplier hears so, and its page offers no Edit or Submit, only Withdraw.
    assert _titles(draft, "proposal.demand_closed") == [
        f"“{demand.title}” 수요가 더 이상 제안을 받지 않습니다"  # in the supplier's language
    ]
    page_client = factories.english_client(app)
    login(draft, on=page_client)
    page = page_client.get(f"/proposals/{p_draft.id}").get_data(as_text=True)
    assert "The demand no longer takes proposals (Closed), so this draft cannot be sent." in page
    assert f"/proposals/{p_draft.id}/submit" not in page
    assert f"/proposals/{p_draft.id}/edit" not in page
    assert f"/proposals/{p_draft.id}/withdraw" in page


def test_a_demand_before_its_opening_day_takes_drafts_but_no_proposals(app, officer, login):
    from datetime import timedelta

    from procure.clock import local_today

    opens = local_today() + timedelta(days=10)
    demand = published_demand(
        app, officer, opens_on=opens, closes_on=local_today() + timedelta(days=40)
    )
    assert not demands.accepts_proposals(demand) and demands.opens_later(demand)
    supplier = factories.user_with_role("supplier")
    draft = answered_proposal(app, supplier, demand, submit=False)  # preparing is allowed
    with pytest.raises(Invalid) as refused:
        in_request(app, proposals.submit, supplier, draft)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("demand_id", f"The demand takes proposals from {opens.isoformat()}.")
    ]
    assert draft.status == "draft"
    client = factories.english_client(app)
    login(supplier, on=client)
    page = client.get(f"/demands/{demand.id}").get_data(as_text=True)
    assert f"open for proposals from {opens.isoformat()}" in page
    assert f"/proposals/new?demand={demand.id}" in page
    page = client.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert f"takes proposals from {opens.isoformat()}. You can prepare" in page
    assert "cannot be sent" not in page
    # An amendment that leaves the opening day empty keeps it (it would open the call at once).
    in_request(
        app,
        demands.update_demand,
        officer,
        demand,
        factories.demand_input(
            opens_on=None, closes_on=demand.closes_on, title="해안 순찰용 드론 (정정)"
        ),
        demand.version,
    )
    assert demand.opens_on == opens and demand.title == "해안 순찰용 드론 (정정)"
    # The day comes: it is sent.
    demand.opens_on = local_today()
    db.session.flush()
    in_request(app, proposals.submit, supplier, draft)
    assert draft.status == "submitted"


def test_a_demand_past_its_closing_day_says_so_and_takes_no_proposals(app, officer, login):
    from datetime import timedelta

    from procure.clock import local_today

    demand = published_demand(app, officer)
    supplier = factories.user_with_role("supplier")
    draft = answered_proposal(app, supplier, demand, submit=False)
    # An amendment does not move the closing day into the past …
    past = local_today() - timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        in_request(
            app,
            demands.update_demand,
            officer,
            demand,
            factories.demand_input(closes_on=past),
            demand.version,
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("closes_on", "The closing date is in the past.")
    ]
    with pytest.raises(Invalid):
        in_request(
            app,
            demands.update_demand,
            officer,
            demand,
            factories.demand_input(closes_on=None),
            demand.version,
        )
    # … but the day passes: the demand stays published until the agency records the outcome,
    # and the pages say that proposals have stopped.
    demand.closes_on = past
    db.session.flush()
    client = factories.english_client(app)
    login(supplier, on=client)
    page = client.get(f"/demands/{demand.id}").get_data(as_text=True)
    assert ">closed for proposals<" in page
    assert f"/proposals/new?demand={demand.id}" not in page
    listing = client.get("/demands/").get_data(as_text=True)
    assert "closed for proposals" in listing
    page = client.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert "this draft cannot be sent" in page
    # Other corrections still go through with the passed day left as it was.
    in_request(
        app,
        demands.update_demand,
        officer,
        demand,
        factories.demand_input(closes_on=past, title="해안 순찰용 드론 (수정)"),
        demand.version,
    )
    assert demand.title == "해안 순찰용 드론 (수정)"


def test_a_running_dialogue_keeps_its_demand_open_and_takes_the_suppliers(
    app, db_session, login, monkeypatch
):
    make_clock(monkeypatch)
    users, clients = make_people(app, login)
    dialogue_id = create_dialogue(app, clients, users)
    dialogue = db.session.get(Dialogue, dialogue_id)
    demand = dialogue.demand
    officer, supplier = users["officer"], users["A"]
    # A draft procedure changes nothing yet: the demand still takes proposals.
    page = clients["A"].get(f"/demands/{demand.id}").get_data(as_text=True)
    assert f"/proposals/new?demand={demand.id}" in page
    early = answered_proposal(app, users["B"], demand)  # sent before the dialogue opened
    # The demand's type stays while a dialogue stands on it (prepared, here).
    with pytest.raises(Invalid) as retyped:
        in_request(
            app,
            demands.update_demand,
            officer,
            demand,
            factories.demand_input(demand_type="purchase"),
            demand.version,
        )
    assert [e.field for e in retyped.value.errors] == ["demand_type"]
    assert move_dialogue(clients, dialogue_id, "publish").status_code == 302
    # The award is the dialogue's: the proposal sent earlier is not decided beside it.
    with pytest.raises(Conflict, match="award is decided there"):
        in_request(app, proposals.decide, officer, early, "shortlisted")
    page = clients["officer"].get(f"/demands/{demand.id}").get_data(as_text=True)
    assert f"/demands/{demand.id}/close" not in page  # what would be refused is not offered

    page = clients["A"].get(f"/demands/{demand.id}").get_data(as_text=True)
    assert f"/proposals/new?demand={demand.id}" not in page
    assert f"/dialogues/{dialogue_id}" in page
    with pytest.raises(Invalid) as refused:
        answered_proposal(app, supplier, demand, submit=False)
    assert "competitive dialogue" in str(refused.value.errors)
    response = clients["A"].post(
        f"/proposals/new?demand={demand.id}", data={"title": "t", "summary": "s"}
    )
    assert response.status_code == 422
    assert "competitive dialogue" in response.get_data(as_text=True)
    with pytest.raises(Conflict, match="dialogue"):
        in_request(app, demands.close_demand, officer, demand, "withdrawn")

    assert move_dialogue(clients, dialogue_id, "cancel", reason="예산 삭감").status_code == 302
    in_request(app, demands.close_demand, officer, demand, "withdrawn")
    assert demand.status == "closed"


def test_operators_oversee_a_dialogue_without_forms_they_may_not_post(
    app, db_session, login, monkeypatch
):
    make_clock(monkeypatch)
    users, clients = make_people(app, login)
    dialogue_id = create_dialogue(app, clients, users)
    operator = factories.english_client(app)
    login(factories.user_with_role("operator"), on=operator)
    page = operator.get(f"/dialogues/{dialogue_id}/manage").get_data(as_text=True)
    assert f"/dialogues/{dialogue_id}/move" not in page
    assert f"/dialogues/{dialogue_id}/edit" not in page
    assert "for oversight" in page
    # What the page no longer offers is still refused when posted.
    assert move_dialogue({"officer": operator}, dialogue_id, "publish").status_code == 403
    page = clients["officer"].get(f"/dialogues/{dialogue_id}/manage").get_data(as_text=True)
    assert f"/dialogues/{dialogue_id}/move" in page and "for oversight" not in page


def test_deleting_the_draft_made_from_an_idea_gives_the_idea_back(app, db_session, client_as):
    citizen = factories.user_with_role("citizen")
    idea = in_request(
        app, ideas.submit_idea, citizen, title="골목길 가로등", problem="밤에 골목이 어둡다."
    )
    in_request(app, ideas.moderate, factories.user_with_role("operator"), idea, "approved")
    first = factories.user_with_role("officer")
    draft = in_request(app, ideas.adopt, first, idea)
    in_request(app, demands.delete_draft, first, draft)

    assert idea.status == "approved" and idea.adopted_by_id is None
    assert _titles(citizen, "idea.released")
    assert (
        "idea.released"
        in db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(idea.id))
        ).all()
    )
    anonymous, _ = client_as(None)
    page = anonymous.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f"/demands/{draft.id}" not in page
    # Another agency may now adopt it; the idea links to the new draft, not the deleted one.
    second = factories.user_with_role("officer")
    again = in_request(app, ideas.adopt, second, idea)
    assert db.session.get(CitizenIdea, idea.id).status == "adopted"
    other, _ = client_as(None)
    login_page = other.post("/login", data={"email": second.email, "password": factories.PASSWORD})
    assert login_page.status_code == 302
    page = other.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f"/demands/{again.id}" in page and f'/demands/{draft.id}"' not in page


def test_the_api_takes_a_proposal_back_only_after_an_amendment(app, officer, client):
    demand = published_demand(app, officer)
    supplier = factories.user_with_role("supplier")
    proposal = answered_proposal(app, supplier, demand)
    headers = factories.bearer(app, supplier)
    path = f"/api/v1/proposals/{proposal.id}/reopen"
    refused = client.post(path, headers=headers, json={})
    assert refused.status_code == 409 and refused.json["detail"]
    in_request(
        app,
        demands.update_demand,
        officer,
        demand,
        factories.demand_input(budget=150_000_000),
        demand.version,
    )
    body = client.get(f"/api/v1/proposals/{proposal.id}", headers=headers).json
    assert body["demand_revision"] == 1 and body["status"] == "submitted"
    reopened = client.post(path, headers=headers, json={"version": body["version"]})
    assert reopened.status_code == 200 and reopened.json["status"] == "draft"


def test_a_deleted_draft_is_never_changed_again_nor_releases_an_idea_twice(app, db_session):
    citizen = factories.user_with_role("citizen")
    idea = in_request(app, ideas.submit_idea, citizen, title="공원 쉼터", problem="그늘이 없다.")
    in_request(app, ideas.moderate, factories.user_with_role("operator"), idea, "approved")
    first, second = factories.user_with_role("officer"), factories.user_with_role("officer")
    draft = in_request(app, ideas.adopt, first, idea)
    in_request(app, demands.delete_draft, first, draft)
    again = in_request(app, ideas.adopt, second, idea)
    # The first agency's deleted draft: deleting, changing or publishing it is a 404 now, and
    # the idea stays with the agency that adopted it since.
    for action, args in (
        (demands.delete_draft, ()),
        (demands.update_demand, (factories.demand_input(), draft.version)),
        (demands.publish_demand, ()),
    ):
        with pytest.raises(NotFound):
            in_request(app, action, first, draft, *args)
    assert idea.status == "adopted" and idea.adopted_by_id == second.organisation_id
    assert again.deleted_at is None
    assert len(_titles(citizen, "idea.released")) == 1


def test_a_proposal_under_evaluation_or_in_a_dialogue_is_not_taken_back(
    app, db_session, login, monkeypatch
):
    from test_evaluation_common import make_round

    officer = factories.user_with_role("officer")
    demand = published_demand(app, officer)
    supplier = factories.user_with_role("supplier")
    proposal = answered_proposal(app, supplier, demand)
    panel = [factories.user_with_role("evaluator") for _ in range(3)]
    make_round(app, factories.user_with_role("operator"), [proposal], panel)
    in_request(
        app,
        demands.update_demand,
        officer,
        demand,
        factories.demand_input(budget=150_000_000),
        demand.version,
    )
    assert not proposals.may_revise(proposal)
    with pytest.raises(Conflict, match="evaluation round"):
        in_request(app, proposals.reopen, supplier, proposal)

    # On a demand run as a competitive dialogue, a sent proposal could not be sent again.
    make_clock(monkeypatch)
    users, clients = make_people(app, login)
    dialogue_id = create_dialogue(app, clients, users)
    dialogue_demand = db.session.get(Dialogue, dialogue_id).demand
    early = answered_proposal(app, users["A"], dialogue_demand)  # before the dialogue opened
    assert move_dialogue(clients, dialogue_id, "publish").status_code == 302
    in_request(
        app,
        demands.update_demand,
        users["officer"],
        dialogue_demand,
        factories.demand_input(demand_type="dialogue", budget=150_000_000),
        dialogue_demand.version,
    )
    assert not proposals.may_revise(early)


def test_a_procedure_cannot_start_on_a_closed_demand(app, db_session, login, monkeypatch):
    make_clock(monkeypatch)
    users, clients = make_people(app, login)
    dialogue_id = create_dialogue(app, clients, users)  # a draft: the demand may still close
    demand = db.session.get(Dialogue, dialogue_id).demand
    in_request(app, demands.close_demand, users["officer"], demand, "withdrawn")
    response = move_dialogue(clients, dialogue_id, "publish")
    assert response.status_code == 409 and "can only be cancelled" in response.get_data(
        as_text=True
    )
    assert move_dialogue(clients, dialogue_id, "cancel", reason="수요 마감").status_code == 302
