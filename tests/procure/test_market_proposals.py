"""Reverse proposals: point-by-point answers, the lifecycle, decisions and confidentiality."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.attachments import services as attachments
from procure.errors import Conflict, Forbidden, Invalid, NotFound
from procure.extensions import db
from procure.models import Notification, ReverseProposal
from procure.proposals import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


@pytest.fixture
def market(app, db_session):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    supplier_a = factories.user_with_role("supplier")
    supplier_b = factories.user_with_role("supplier")
    return officer, demand, supplier_a, supplier_b


def test_submit_requires_an_answer_to_every_requirement(app, market):
    _officer, demand, supplier, _ = market
    data = services.ProposalInput(
        demand_id=demand.id,
        title="부분 답변",
        summary="설명",
        responses=[services.ResponseInput(demand.requirements[0].id, "meets", "0.4 m", "")],
    )
    proposal = in_request(app, services.create_proposal, supplier, data)
    with pytest.raises(Invalid) as refused:
        in_request(app, services.submit, supplier, proposal)
    missing = {e.field for e in refused.value.errors}
    assert missing == {f"requirement-{r.id}" for r in demand.requirements[1:]}
    assert proposal.status == "draft"


def test_lifecycle_with_notifications(app, market):
    officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand)
    assert proposal.status == "submitted" and proposal.submitted_at
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == officer.id, Notification.kind == "proposal.received"
        )
    )
    in_request(app, services.decide, officer, proposal, "shortlisted")
    in_request(app, services.decide, officer, proposal, "accepted")
    assert proposal.status == "accepted"
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == supplier.id)
    ).all()
    assert kinds.count("proposal.status") == 2


@pytest.mark.parametrize(
    ("path", "move", "expected"),
    [
        ([], "accepted", Conflict),  # submitted → accepted skips the shortlist
        (["declined"], "shortlisted", Conflict),
        (["withdrawn"], "shortlisted", Conflict),
        (["shortlisted", "accepted"], "declined", Conflict),
    ],
)
def test_illegal_moves_are_refused(app, market, path, move, expected):
    officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand)
    for step in path:
        if step == "withdrawn":
            in_request(app, services.withdraw, supplier, proposal)
        else:
            in_request(app, services.decide, officer, proposal, step, "사유")
    with pytest.raises(expected):
        in_request(app, services.decide, officer, proposal, move, "사유")


def test_declining_needs_a_reason(app, market):
    officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand)
    with pytest.raises(Invalid):
        in_request(app, services.decide, officer, proposal, "declined", "")
    in_request(app, services.decide, officer, proposal, "declined", "예산 초과")
    assert proposal.decision_reason == "예산 초과"


def test_only_the_receiving_agency_decides(app, market):
    _officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand)
    stranger = factories.user_with_role("officer")
    with pytest.raises(NotFound):
        in_request(app, services.decide, stranger, proposal, "shortlisted")
    with pytest.raises(Forbidden):
        in_request(
            app, services.decide, factories.user_with_role("operator"), proposal, "shortlisted"
        )


def test_withdraw_before_a_decision_only(app, market):
    officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand)
    in_request(app, services.decide, officer, proposal, "shortlisted")
    in_request(app, services.decide, officer, proposal, "accepted")
    with pytest.raises(Conflict):
        in_request(app, services.withdraw, supplier, proposal)


def test_unsolicited_proposal_to_an_agency_and_to_a_category(app, market, client, login):
    officer, _demand, supplier, _ = market
    to_agency = in_request(
        app,
        services.create_proposal,
        supplier,
        services.ProposalInput(
            target_agency_id=officer.organisation_id, title="역제안", summary="새 해법"
        ),
    )
    in_request(app, services.submit, supplier, to_agency)
    in_request(app, services.decide, officer, to_agency, "shortlisted")
    # The officer's list names who each proposal is addressed to: the agency by its name (in
    # the page's language; the client reads English).
    login(officer)
    row = next(
        r for r in client.get("/proposals/").get_data(as_text=True).split("<tr>") if "역제안" in r
    )
    assert officer.organisation.display_name("en") in row
    to_category = in_request(
        app,
        services.create_proposal,
        supplier,
        services.ProposalInput(target_code="35613000", title="분류 역제안", summary="새 해법"),
    )
    in_request(app, services.submit, supplier, to_category)
    operator = factories.user_with_role("operator")
    in_request(app, services.decide, operator, to_category, "declined", "해당 수요 없음")
    with pytest.raises(Invalid):
        in_request(
            app,
            services.create_proposal,
            supplier,
            services.ProposalInput(title="대상 없음", summary="x"),
        )


def test_a_stale_proposal_edit_is_refused(app, market):
    _officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand, submit=False)
    version = proposal.version
    data = services.ProposalInput(title="수정", summary="수정된 설명")
    in_request(app, services.update_proposal, supplier, proposal, data, version)
    with pytest.raises(Conflict):
        in_request(app, services.update_proposal, supplier, proposal, data, version)


# -- confidentiality: supplier B learns nothing of supplier A's proposal -----------------


def test_supplier_b_cannot_see_supplier_as_proposal_anywhere(app, market, client_as, mail_outbox):
    officer, demand, supplier_a, supplier_b = market
    secret_title = "기밀 제안 A사 비행제어 알고리즘"
    proposal = factories.answered_proposal(
        app,
        supplier_a,
        demand,
        title=secret_title,
        summary="A사 독자 기술: 풍속 보상 제어",
        price_offer=98_765_432,
    )
    attachment = in_request(
        app, attachments.save, supplier_a, "proposal", proposal.id, "a사_기술.pdf", PDF
    )
    db.session.flush()
    rival, _ = client_as(None)
    rival.post("/login", data={"email": supplier_b.email, "password": factories.PASSWORD})
    secrets = (
        secret_title,
        "풍속 보상 제어",
        "98765432",
        "98,765,432",
        supplier_a.organisation.name,
    )

    def leaks(response):
        text = response.get_data(as_text=True)
        return [s for s in secrets if s in text]

    assert rival.get(f"/proposals/{proposal.id}").status_code == 404
    assert leaks(rival.get(f"/proposals/{proposal.id}")) == []
    assert leaks(rival.get("/proposals/")) == []
    assert rival.get(f"/demands/{demand.id}/proposals").status_code == 403
    assert leaks(rival.get(f"/demands/{demand.id}")) == []
    assert rival.get(f"/attachments/{attachment.id}").status_code == 404
    assert rival.post(f"/proposals/{proposal.id}/withdraw").status_code == 404
    assert rival.post(f"/proposals/{proposal.id}/edit", data={"title": "x"}).status_code == 404
    assert rival.post(f"/attachments/proposal/{proposal.id}", data={}).status_code == 404
    assert leaks(rival.get("/notifications/")) == []
    assert leaks(rival.get("/dashboard")) == []
    assert not [m for m in mail_outbox if m.to == supplier_b.email]
    # The right people do see it.
    owner, _ = client_as(None)
    owner.post("/login", data={"email": supplier_a.email, "password": factories.PASSWORD})
    assert secret_title in owner.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    agency, _ = client_as(None)
    agency.post("/login", data={"email": officer.email, "password": factories.PASSWORD})
    assert secret_title in agency.get(f"/demands/{demand.id}/proposals").get_data(as_text=True)
    download = agency.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()


def test_drafts_are_visible_to_their_supplier_only(app, market, client_as):
    officer, demand, supplier_a, _ = market
    proposal = factories.answered_proposal(app, supplier_a, demand, submit=False)
    for who in (officer, factories.user_with_role("operator")):
        other, _ = client_as(None)
        other.post("/login", data={"email": who.email, "password": factories.PASSWORD})
        assert other.get(f"/proposals/{proposal.id}").status_code == 404


def test_the_policy_query_matches_the_object_rule(app, market):
    """Lists and detail pages use two forms of the rule; they must agree for every role."""
    from procure import policy

    officer, demand, supplier_a, supplier_b = market
    factories.answered_proposal(app, supplier_a, demand)
    factories.answered_proposal(app, supplier_b, demand, submit=False)
    in_request(
        app,
        services.create_proposal,
        supplier_b,
        services.ProposalInput(target_code="35613000", title="분류", summary="x"),
    )
    everyone = [
        officer,
        supplier_a,
        supplier_b,
        factories.user_with_role("operator"),
        factories.user_with_role("citizen"),
        factories.user_with_role("officer"),
    ]
    rows = db.session.scalars(select(ReverseProposal)).all()
    for user in everyone:
        listed = set(db.session.scalars(services.visible_query(user)).all())
        readable = {p for p in rows if policy.can_read_proposal(user, p)}
        assert listed == readable, user.email


def _version_on_button(page: str, proposal) -> str:
    """The version a decision button on the comparison page sends for ``proposal``."""
    return re.search(
        rf'action="/proposals/{proposal.id}/decide">.*?name="version" value="(\d+)"', page
    )[1]


def test_officer_compares_side_by_side_and_shortlists(app, market, client, login):
    officer, demand, supplier_a, supplier_b = market
    first = factories.answered_proposal(app, supplier_a, demand, title="제안 가")
    factories.answered_proposal(app, supplier_b, demand, title="제안 나")
    login(officer)
    page = client.get(f"/demands/{demand.id}/proposals").get_data(as_text=True)
    assert "제안 가" in page and "제안 나" in page
    for requirement in demand.requirements:
        assert requirement.name in page

    # Each decision button carries the version the officer saw: a colleague's decision in
    # between makes it stale (409), not silently overwritten.
    def shortlist_from(page, proposal):
        return client.post(
            f"/proposals/{proposal.id}/decide",
            data={
                "decision": "shortlisted",
                "version": _version_on_button(page, proposal),
                "next": f"/demands/{demand.id}/proposals",
            },
        )

    seen_before = page
    in_request(app, services.decide, officer, first, "declined", "다른 담당자의 결정")
    stale = shortlist_from(seen_before, first)
    assert stale.status_code == 409
    db.session.expire_all()
    assert first.status == "declined"
    second = factories.answered_proposal(
        app, factories.user_with_role("supplier"), demand, title="제안 다"
    )
    page = client.get(f"/demands/{demand.id}/proposals").get_data(as_text=True)
    response = shortlist_from(page, second)
    assert response.status_code == 302 and response.headers["Location"].endswith("/proposals")
    db.session.expire_all()
    assert second.status == "shortlisted"


def test_supplier_drafts_and_submits_through_the_pages(app, market, client, login):
    _officer, demand, supplier, _ = market
    login(supplier)
    page = client.get(f"/proposals/new?demand={demand.id}")
    assert page.status_code == 200
    form = {
        "title": "화면 제안",
        "summary": "설명",
        "price_offer": "100000000",
        "delivery_days": "30",
    }
    for index, requirement in enumerate(demand.requirements):
        form[f"responses-{index}-requirement_id"] = str(requirement.id)
        form[f"responses-{index}-compliance"] = "exceeds"
        form[f"responses-{index}-offered_value"] = "초과 달성"
    response = client.post(f"/proposals/new?demand={demand.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal = db.session.scalar(
        select(ReverseProposal).where(ReverseProposal.title == "화면 제안")
    )
    assert len(proposal.responses) == len(demand.requirements)
    assert (
        client.post(
            f"/proposals/{proposal.id}/submit", data={"version": proposal.version}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert proposal.status == "submitted"


def test_only_evaluators_who_declared_no_conflict_read_a_proposal_and_its_files(
    app, market, client_as
):
    """An evaluator on the panel reads the proposal (page, API, list, attachments) only after
    declaring no conflict of interest: before, its price, answers and files stay closed, as
    the dossier does; a declared conflict, or no seat on the panel, closes it for good."""
    from procure import policy
    from procure.evaluation import services as evaluation
    from test_evaluation_common import make_round

    _officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand, title="평가 대상 제안")
    attachment = in_request(
        app, attachments.save, supplier, "proposal", proposal.id, "기술서.pdf", PDF
    )
    operator = factories.user_with_role("operator")
    cleared = factories.user_with_role("evaluator")
    undeclared = factories.user_with_role("evaluator")
    conflicted = factories.user_with_role("evaluator")
    outsider = factories.user_with_role("evaluator")
    round_ = make_round(app, operator, [proposal], [cleared, undeclared, conflicted])
    item = round_.items[0]
    in_request(app, evaluation.declare_conflict, conflicted, item, True, "전 직장")
    in_request(app, evaluation.declare_conflict, cleared, item, False)
    expected = ((cleared, True), (undeclared, False), (conflicted, False), (outsider, False))
    for user, visible in expected:
        assert policy.can_read_proposal(user, proposal) is visible
        listed = proposal in db.session.scalars(services.visible_query(user)).all()
        assert listed is visible
        client, _ = client_as(None)
        api = client.get(f"/api/v1/proposals/{proposal.id}", headers=factories.bearer(app, user))
        assert api.status_code == (200 if visible else 404)
        client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert (client.get(f"/proposals/{proposal.id}").status_code == 200) is visible
        download = client.get(f"/attachments/{attachment.id}")
        assert download.status_code == (200 if visible else 404)
        download.close()


def test_a_refused_action_offers_a_way_back_to_the_form_it_came_from(app, market, client, login):
    """An action refused with 422 (a decline with a blank reason) says why and links back to
    the page the form was on, so the user can correct it there; never to another site."""
    officer, demand, supplier, _ = market
    proposal = factories.answered_proposal(app, supplier, demand)
    login(officer)
    compare = f"http://localhost/demands/{demand.id}/proposals"
    form = {"decision": "declined", "reason": "   ", "version": proposal.version}
    refused = client.post(
        f"/proposals/{proposal.id}/decide", data=form, headers={"Referer": compare}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'href="/demands/{demand.id}/proposals" data-back>Go back and correct it<' in page
    assert "Go to the home page" in page
    for foreign in ("https://evil.example/demands/1/proposals", "javascript:alert(1)", ""):
        page = client.post(
            f"/proposals/{proposal.id}/decide", data=form, headers={"Referer": foreign}
        ).get_data(as_text=True)
        assert "data-back" not in page and "evil.example" not in page
    db.session.expire_all()
    assert db.session.get(type(proposal), proposal.id).status == "submitted"


def test_the_receiving_agency_sees_whom_to_call_and_what_comes_after_acceptance(
    app, market, client, login
):
    officer, demand, supplier_a, _supplier_b = market
    proposal = factories.answered_proposal(app, supplier_a, demand)
    in_request(app, services.decide, officer, proposal, "shortlisted")
    in_request(app, services.decide, officer, proposal, "accepted")
    login(officer)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f"mailto:{supplier_a.email}" in page
    assert "Next steps" in page and "pilot purchase" in page
    # A stranger to the proposal never gets the contact (it is not even shown to citizens).
    other = factories.english_client(app)
    login(factories.user_with_role("citizen"), on=other)
    assert other.get(f"/proposals/{proposal.id}").status_code == 404


def test_the_proposal_list_filters_by_keyword_and_demand(app, market, client, login):
    officer, demand, supplier_a, supplier_b = market
    other = factories.published_demand(app, officer, title="스마트 가로등 실증")
    factories.answered_proposal(app, supplier_a, demand, title="정지비행 드론 제안")
    factories.answered_proposal(app, supplier_b, other, title="가로등 제어기 제안")
    login(officer)

    def titles(query):
        page = client.get(f"/proposals/?{query}").get_data(as_text=True)
        return {t for t in ("정지비행 드론 제안", "가로등 제어기 제안") if t in page}

    assert titles("") == {"정지비행 드론 제안", "가로등 제어기 제안"}
    assert titles("q=제어기") == {"가로등 제어기 제안"}  # the proposal's title
    assert titles("q=스마트 가로등") == {"가로등 제어기 제안"}  # the title of its demand
    assert titles(f"demand={demand.id}") == {"정지비행 드론 제안"}
    assert titles("q=100%25_") == set()  # LIKE wildcards are taken literally
    page = client.get("/proposals/").get_data(as_text=True)
    assert 'value="draft"' not in page  # an agency never sees drafts: no such filter


def test_a_sent_proposal_offers_a_listed_product_and_answers_each_requirement_once(
    app, market, login
):
    from procure.products import services as products

    _officer, demand, supplier, _ = market
    product = in_request(
        app,
        products.create_product,
        supplier,
        products.ProductInput(
            name="준비 중인 드론",
            summary="아직 등록하지 않음",
            trl=6,
            price=1_000,
            unit="대",
            codes=["35613000"],
        ),
    )
    first = demand.requirements[0]
    twice = services.ProposalInput(
        demand_id=demand.id,
        title="중복 답변",
        summary="설명",
        responses=[
            services.ResponseInput(first.id, "meets", "A", ""),
            services.ResponseInput(first.id, "meets", "B", ""),
        ],
    )
    with pytest.raises(Invalid) as refused:
        in_request(app, services.create_proposal, supplier, twice)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("responses-1", "This requirement is answered twice; keep one answer.")
    ]
    draft = factories.answered_proposal(app, supplier, demand, submit=False)
    draft.product_id = product.id
    db.session.flush()
    # The form says which products are not listed yet.
    page = factories.english_client(app)
    login(supplier, on=page)
    form = page.get(f"/proposals/{draft.id}/edit").get_data(as_text=True)
    assert "준비 중인 드론 (not listed: list it before sending)" in form
    with pytest.raises(Invalid) as unlisted:
        in_request(app, services.submit, supplier, draft)
    assert [e.field for e in unlisted.value.errors] == ["product_id"]
    in_request(app, products.change_status, supplier, product, "listed")
    in_request(app, services.submit, supplier, draft)
    assert draft.status == "submitted"
