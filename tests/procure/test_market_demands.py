"""Demands: the lifecycle, versions, questions and answers, bad input and concurrent edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.clock import local_today
from procure.demands import services
from procure.demands.services import RequirementInput
from procure.errors import Conflict, Forbidden, Invalid
from procure.extensions import db
from procure.models import AuditEvent, Demand, Notification


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def test_draft_publish_close(app, officer):
    demand = in_request(app, services.create_demand, officer, factories.demand_input())
    assert demand.status == "draft" and demand.agency_id == officer.organisation_id
    in_request(app, services.publish_demand, officer, demand)
    assert demand.status == "published" and demand.revision == 1 and demand.published_at
    in_request(app, services.close_demand, officer, demand, "awarded", "계약 체결")
    assert demand.status == "closed" and demand.outcome == "awarded"
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_id == str(demand.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a in actions if a.startswith("demand.")] == [
        "demand.created",
        "demand.published",
        "demand.closed",
    ]


@pytest.mark.parametrize(
    ("start", "move"),
    [("draft", "close"), ("closed", "publish"), ("closed", "close"), ("published", "publish")],
)
def test_illegal_transitions_are_refused(app, officer, start, move):
    demand = in_request(app, services.create_demand, officer, factories.demand_input())
    if start in ("published", "closed"):
        in_request(app, services.publish_demand, officer, demand)
    if start == "closed":
        in_request(app, services.close_demand, officer, demand, "withdrawn")
    action = services.publish_demand if move == "publish" else services.close_demand
    extra = () if move == "publish" else ("awarded",)
    with pytest.raises(Conflict):
        in_request(app, action, officer, demand, *extra)


def test_publishing_needs_requirements_codes_and_a_future_closing_date(app, officer):
    demand = in_request(
        app,
        services.create_demand,
        officer,
        factories.demand_input(
            requirements=[], codes=[], closes_on=local_today() - timedelta(days=1)
        ),
    )
    with pytest.raises(Invalid) as refused:
        in_request(app, services.publish_demand, officer, demand)
    assert {e.field for e in refused.value.errors} == {"requirements", "codes", "closes_on"}
    assert demand.status == "draft"


def test_only_the_agencys_verified_officers_may_post_or_edit(app, officer):
    supplier = factories.user_with_role("supplier")
    with pytest.raises(Forbidden):
        in_request(app, services.create_demand, supplier, factories.demand_input())
    pending = factories.user_with_role("officer", approved=False)
    with pytest.raises(Forbidden):
        in_request(app, services.create_demand, pending, factories.demand_input())
    demand = in_request(app, services.create_demand, officer, factories.demand_input())
    other_officer = factories.user_with_role("officer")
    with pytest.raises(Forbidden):
        in_request(
            app,
            services.update_demand,
            other_officer,
            demand,
            factories.demand_input(),
            demand.version,
        )


def test_edits_after_publication_keep_comparable_versions(app, officer, client, login):
    demand = factories.published_demand(app, officer)
    in_request(
        app,
        services.update_demand,
        officer,
        demand,
        factories.demand_input(
            budget=150_000_000,
            title="해안 순찰용 드론 (예산 증액)",
            demand_type="pilot",
            region="11",
            requirements=[
                RequirementInput("정지비행 안정성", "0.5", "m", True),
                RequirementInput("안내방송 음압", "100", "dB", False),
                RequirementInput("비행시간", "40", "분", False),
            ],
        ),
        demand.version,
        "예산 증액",
    )
    assert demand.revision == 2
    changes = {field: (a, b) for field, a, b in services.compare(demand, 1, 2)}
    assert changes["budget"] == (120_000_000, 150_000_000)
    # The comparison reads as the demand page does: names, money and words of the page's
    # language, not stored codes.
    page = client.get(f"/demands/{demand.id}/versions?from=1&to=2").get_data(as_text=True)
    assert "₩120,000,000" in page and "₩150,000,000" in page and "120000000" not in page
    assert ">Purchase<" in page and ">Pilot purchase<" in page
    assert ">Seoul<" in page
    assert "안내방송 음압: 100 dB (Desirable)" in page
    korean = factories.english_client(app)
    korean.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    page = korean.get(f"/demands/{demand.id}/versions?from=1&to=2").get_data(as_text=True)
    assert "150,000,000원" in page and "서울특별시" in page and "(선택)" in page


def test_a_stale_edit_is_refused_and_nothing_is_lost(app, officer, client, login):
    demand = factories.published_demand(app, officer)
    stale_version = demand.version
    in_request(
        app,
        services.update_demand,
        officer,
        demand,
        factories.demand_input(title="먼저 저장"),
        stale_version,
    )
    with pytest.raises(Conflict):
        in_request(
            app,
            services.update_demand,
            officer,
            demand,
            factories.demand_input(title="늦은 저장"),
            stale_version,
        )
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).title == "먼저 저장"


def test_stale_edit_through_the_form_gets_a_clear_409(app, officer, client, login):
    demand = in_request(app, services.create_demand, officer, factories.demand_input())
    login(officer)
    form = {
        "title": "새 제목",
        "problem": "문제",
        "demand_type": "purchase",
        "language": "ko",
        "version": str(demand.version - 1),
        "codes": "35613000",
    }
    response = client.post(f"/demands/{demand.id}/edit", data=form)
    assert response.status_code == 409
    assert "changed this record" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "가" * 201),
        ("budget", -5),
        ("budget", "many"),
        ("codes", ["99999999"]),
        ("region", "99"),
        ("demand_type", "auction"),
        ("closes_on", "2026-13-45"),
        ("requirements", "not a list"),
        ("contact_email", "not-an-email"),
        ("contact_phone", "abc"),
    ],
)
def test_bad_input_is_refused_field_by_field(app, officer, field, value):
    with pytest.raises(Invalid) as refused:
        in_request(app, services.create_demand, officer, factories.demand_input(**{field: value}))
    assert field in {e.field.split("-")[0] for e in refused.value.errors}
    assert (
        db.session.scalar(select(Demand).where(Demand.agency_id == officer.organisation_id)) is None
    )


def test_drafts_are_private_to_the_agency(app, officer, client_as):
    demand = in_request(
        app, services.create_demand, officer, factories.demand_input(title="비공개 초안")
    )
    for role in (None, "citizen", "supplier", "officer"):
        other, _user = client_as(role)
        assert other.get(f"/demands/{demand.id}").status_code == 404
        listing = other.get("/demands/?status=all").get_data(as_text=True)
        assert "비공개 초안" not in listing
        # A draft filter is offered only to those who write demands (it finds their own).
        assert ('<option value="draft"' in listing) == (role == "officer"), role
    own = factories.UserFactory(
        organisation=officer.organisation, approved_at=officer.approved_at, roles=["officer"]
    )
    mine, _ = client_as(None)
    mine.post("/login", data={"email": own.email, "password": factories.PASSWORD})
    assert mine.get(f"/demands/{demand.id}").status_code == 200


def test_questions_are_public_but_the_askers_company_is_hidden_from_other_suppliers(
    app, officer, client_as
):
    demand = factories.published_demand(app, officer)
    asker = factories.user_with_role("supplier")
    question = in_request(
        app, services.ask_question, asker, demand, "방수 등급은 IP55 이상이면 됩니까?"
    )
    in_request(app, services.answer_question, officer, question, "네, IP55 이상이면 됩니다.")
    names = (asker.organisation.name, asker.organisation.name_en)
    rival_client, _rival = client_as("supplier")
    for language in ("ko", "en"):
        page = rival_client.get(
            f"/demands/{demand.id}", headers={"Accept-Language": language}
        ).get_data(as_text=True)
        assert "방수 등급은" in page and "IP55 이상이면 됩니다" in page
        assert not any(name in page for name in names)
    anonymous, _ = client_as(None)
    page = anonymous.get(f"/demands/{demand.id}").get_data(as_text=True)
    assert not any(name in page for name in names)
    agency_client, _ = client_as(None)
    agency_client.post("/login", data={"email": officer.email, "password": factories.PASSWORD})
    page = agency_client.get(f"/demands/{demand.id}").get_data(as_text=True)
    assert any(name in page for name in names)
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == asker.id, Notification.kind == "question.answered"
        )
    )


def test_questions_only_on_open_demands_and_only_by_suppliers(app, officer):
    demand = in_request(app, services.create_demand, officer, factories.demand_input())
    supplier = factories.user_with_role("supplier")
    with pytest.raises(Conflict):
        in_request(app, services.ask_question, supplier, demand, "질문")
    in_request(app, services.publish_demand, officer, demand)
    with pytest.raises(Forbidden):
        in_request(app, services.ask_question, factories.user_with_role("citizen"), demand, "질문")


def test_officer_posts_and_publishes_through_the_pages(app, officer, client, login):
    login(officer)
    form = {
        "title": "스마트 의자",
        "problem": "민원실 대기 의자가 불편하다.",
        "demand_type": "pilot",
        "language": "ko",
        "codes": "39110000",
        "budget": "30000000",
        "closes_on": (local_today() + timedelta(days=10)).isoformat(),
        "requirements-0-name": "등받이 각도 조절",
        "requirements-0-target_value": "3",
        "requirements-0-unit": "단계",
        "requirements-0-mandatory": "y",
    }
    # Digits of other scripts are not numbers here: int() reads "٣٠٠٠٠٠٠٠" as 30,000,000.
    for field, value in (("budget", "٣٠٠٠٠٠٠٠"), ("quantity", "٣"), ("budget", "３０００")):
        refused = client.post("/demands/new", data={**form, field: value})
        assert refused.status_code == 400, (field, value)
    assert db.session.scalar(select(Demand).where(Demand.title == "스마트 의자")) is None
    response = client.post("/demands/new", data=form)
    assert response.status_code == 302
    demand = db.session.scalar(select(Demand).where(Demand.title == "스마트 의자"))
    assert [r.name for r in demand.requirements] == ["등받이 각도 조절"]
    response = client.post(f"/demands/{demand.id}/publish", data={"version": demand.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert demand.status == "published"
    listing = client.get("/demands/?q=스마트").get_data(as_text=True)
    assert "스마트 의자" in listing


def test_the_demand_form_reports_every_problem_in_one_pass(app, officer, client, login):
    """The form's own checks (a missing problem) and the service's rules (unknown codes, dates
    in the wrong order, an unnamed requirement, a malformed e-mail) are shown together."""
    login(officer)
    form = {
        "title": "스마트 의자",
        "problem": "",
        "demand_type": "purchase",
        "language": "ko",
        "codes": "12345, abc",
        "opens_on": "2026-12-20",
        "closes_on": "2026-12-10",
        "contact_email": "not-an-email",
        "requirements-0-target_value": "3",
    }
    response = client.post("/demands/new", data=form, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "This field is required.",  # problem, from the form
        "12345",  # unknown codes, from the rules
        "The closing date must not be before the opening date.",
        "Performance requirements, row 1, Requirement: Each requirement needs a name.",
        "Enter a valid e-mail address.",
    ):
        assert message in html, message
    assert html.count('id="problem-error"') == 1  # the form's own error, not repeated
    assert db.session.scalar(select(Demand).where(Demand.title == "스마트 의자")) is None


def test_answered_requirements_cannot_be_removed_and_answers_never_move(app, officer):
    from procure.demands.services import RequirementInput

    demand = factories.published_demand(app, officer)
    supplier = factories.user_with_role("supplier")
    proposal = factories.answered_proposal(app, supplier, demand)
    hover, loud, flight = demand.requirements
    answer_for_hover = proposal.response_for(hover.id).offered_value
    reordered = [
        RequirementInput(flight.name, "45", "분", False),
        RequirementInput(hover.name, "0.3", "m", True),
        RequirementInput(loud.name, "100", "dB", True),
    ]
    in_request(
        app,
        services.update_demand,
        officer,
        demand,
        factories.demand_input(requirements=reordered),
        demand.version,
    )
    by_name = {r.name: r for r in demand.requirements}
    assert by_name[hover.name].id == hover.id and by_name[hover.name].target_value == "0.3"
    assert proposal.response_for(hover.id).offered_value == answer_for_hover
    with pytest.raises(Conflict, match=loud.name):
        in_request(
            app,
            services.update_demand,
            officer,
            demand,
            factories.demand_input(requirements=reordered[:2]),
            demand.version,
        )
    with pytest.raises(Invalid):
        in_request(
            app,
            services.update_demand,
            officer,
            demand,
            factories.demand_input(requirements=[reordered[0], reordered[0]]),
            demand.version,
        )


def test_nul_characters_are_refused_with_a_400(client, login, officer):
    assert client.get("/demands/?q=%00drone").status_code == 400
    assert client.get("/api/v1/organisations?q=%00").status_code == 400
    login(officer)
    response = client.post(
        "/demands/new", data={"title": "a\x00b", "problem": "x", "demand_type": "purchase"}
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["²", "9" * 5000, "-1", "1.5"])
def test_odd_page_numbers_are_422_not_500(client, page):
    response = client.get(f"/api/v1/organisations?page={page}")
    assert response.status_code == 422
    assert client.get(f"/demands/?agency={page}").status_code == 200


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("드론", {"드론 Patrol_X 100%", "해안 드론 patrolzx 1005"}),  # Hangul: compared as stored
        ("PATROL", {"드론 Patrol_X 100%", "해안 드론 patrolzx 1005"}),  # Latin: case ignored
        ("patrol_x", {"드론 Patrol_X 100%"}),  # _ is a character, not a wildcard (patrolzx)
        ("100%", {"드론 Patrol_X 100%"}),  # % likewise (1005)
        ("의자", {"민원실 의자"}),
        ("없는말", set()),
    ],
)
def test_text_filter_matches_literally_ignoring_case(app, client, officer, q, expected):
    titles = ["드론 Patrol_X 100%", "해안 드론 patrolzx 1005", "민원실 의자"]
    for title in titles:
        factories.published_demand(app, officer, title=title)
    page = client.get("/demands/", query_string={"q": q}).get_data(as_text=True)
    assert {t for t in titles if t in page} == expected
    api = client.get("/api/v1/demands", query_string={"q": q}).get_json()
    assert {d["title"] for d in api["items"]} == expected


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "99999999999999999999"])
def test_an_action_posted_without_the_version_the_page_showed_is_refused_as_stale(
    app, officer, client, login, version
):
    """The close button posts the version the page showed. Without it (a crafted request, an
    old cached page) the service must not skip its check: 409, and the demand stays open."""
    demand = factories.published_demand(app, officer)
    login(officer)
    form = {"outcome": "withdrawn", "outcome_note": "예산 삭감"}
    if version is not None:
        form["version"] = version
    response = client.post(f"/demands/{demand.id}/close", data=form)
    assert response.status_code == 409
    db.session.refresh(demand)
    assert demand.status == "published"
    form["version"] = str(demand.version)
    assert client.post(f"/demands/{demand.id}/close", data=form).status_code == 302
    db.session.refresh(demand)
    assert demand.status == "closed"


def test_amounts_take_thousands_separators_and_a_word_gets_one_message(officer, client, login):
    login(officer)
    form = {
        "title": "쉼표 예산",
        "problem": "예산을 쉼표로 적은 수요",
        "demand_type": "purchase",
        "language": "ko",
        "codes": "35613000",
        "budget": "1,500,000,000",
        "quantity": "1,200",
        "requirements-0-name": "조도",
        "requirements-0-target_value": "30",
    }
    assert client.post("/demands/new", data=form).status_code == 302
    demand = db.session.scalar(select(Demand).where(Demand.title == "쉼표 예산"))
    assert (demand.budget, demand.quantity) == (1_500_000_000, 1_200)
    # An optional amount left empty is no error at all.
    blank = client.post("/demands/new", data={**form, "title": "예산 미정", "budget": ""})
    assert blank.status_code == 302
    assert db.session.scalar(select(Demand.budget).where(Demand.title == "예산 미정")) is None
    for bad in ("15억", "1,5000", "1.5e9"):
        refused = client.post("/demands/new", data={**form, "title": "잘못된 예산", "budget": bad})
        assert refused.status_code == 400, bad
        page = refused.get_data(as_text=True)
        assert page.count('<li><a href="#budget">') == 1, bad  # one message in the summary
        assert "Number must be between" not in page, bad
