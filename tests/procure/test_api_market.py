"""API v1 for the market: demands, questions, products, proposals and ideas, driven by tokens."""

from __future__ import annotations

from datetime import timedelta

import flask
import pytest
from werkzeug.routing import BuildError

import factories
from procure.account.services import create_api_token
from procure.clock import local_today
from procure.demands import services as demand_services
from procure.extensions import db
from procure.ideas import services as idea_services
from procure.models import ClassificationCode
from procure.proposals import services as proposal_services

CODES = {
    "35613000": "Unmanned aerial vehicles",
    "35600000": "Military aircraft, missiles and spacecraft",
    "48000000": "Software package and information systems",
    "90900000": "Cleaning and sanitation services",
}


@pytest.fixture(autouse=True)
def cpv(db_session):
    """A few CPV codes (the session's database has none; the rows are rolled back)."""
    for code, label in CODES.items():
        if db_session.get(ClassificationCode, ("CPV", code)) is None:
            db_session.add(ClassificationCode(scheme="CPV", code=code, level=4, label_en=label))
    db_session.flush()


@pytest.fixture(autouse=True)
def page_links(monkeypatch):
    """Notifications link to pages; where a page does not exist yet, link to a placeholder.

    The services build those links with ``url_for``; the API must work whatever pages exist.
    """
    real = flask.url_for

    def url_for(endpoint, **values):
        try:
            return real(endpoint, **values)
        except BuildError:
            return f"/{endpoint}"

    for module in (demand_services, proposal_services, idea_services):
        monkeypatch.setattr(module, "url_for", url_for)


class Caller:
    """One API caller: a bearer token (or none) on the shared test client."""

    def __init__(self, client, user, token):
        self.client, self.user, self.token = client, user, token

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self._headers(), **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.client.post(path, json=json, headers=self._headers(), **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.client.patch(path, json=json, headers=self._headers(), **kwargs)

    def raw(self, method, path, data, content_type):
        headers = {**self._headers(), "Content-Type": content_type}
        return self.client.open(path, method=method, data=data, headers=headers)


@pytest.fixture
def api(app, client):
    """``api("officer")`` → a caller with a new user of that role; ``api(user=…)``; ``api()``."""

    def make(role=None, *, user=None, organisation=None):
        if user is None and role is not None:
            user = factories.user_with_role(role, organisation=organisation)
        token = None
        if user is not None:
            with app.test_request_context():
                _row, token = create_api_token(user, "t")
            db.session.flush()
        return Caller(client, user, token)

    return make


def future(days=30) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def demand_body(**overrides) -> dict:
    body = {
        "title": "해안 순찰용 드론",
        "problem": "해안 국립공원 순찰 인력이 부족해 넓은 구역을 감시하기 어렵다.",
        "desired_outcome": "정지비행과 안내방송이 가능한 드론",
        "demand_type": "pilot",
        "budget": 120_000_000,
        "quantity": 4,
        "region": "51",
        "closes_on": future(),
        "codes": ["35613000"],
        "requirements": [
            {"name": "정지비행 안정성", "target_value": "0.5", "unit": "m"},
            {"name": "비행시간", "target_value": "40", "unit": "분", "mandatory": False},
        ],
    }
    body.update(overrides)
    return body


def product_body(**overrides) -> dict:
    body = {
        "name": "순찰 드론 P1",
        "name_en": "Patrol drone P1",
        "summary": "해안 순찰용 자율비행 드론",
        "trl": 8,
        "price": 30_000_000,
        "unit": "대",
        "regions": ["11", "51"],
        "codes": ["35613000"],
        "specs": [{"name": "비행시간", "value": "45", "unit": "분"}],
        "certifications": [
            {"kind": "GS", "number": "GS-1", "issuer": "TTA", "valid_until": future(365)}
        ],
        "patents": [{"number": "10-1234567", "title": "자율비행 제어"}],
    }
    body.update(overrides)
    return body


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.json


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.content_type == "application/problem+json"
    return response.json


def fields(response) -> set[str]:
    return {e["field"] for e in problem(response, 422)["errors"]}


@pytest.fixture
def officer(api):
    return api("officer")


@pytest.fixture
def published(officer):
    """A published demand of ``officer``'s agency."""
    demand = ok(officer.post("/api/v1/demands", json=demand_body()), 201)
    return ok(officer.post(f"/api/v1/demands/{demand['id']}/publish"))


def answers(demand, compliance="meets"):
    return [
        {"requirement_id": r["id"], "compliance": compliance, "offered_value": "ok"}
        for r in demand["requirements"]
    ]


@pytest.fixture
def submitted(api, published):
    """A supplier and its proposal submitted to ``published``."""
    supplier = api("supplier")
    body = {
        "demand_id": published["id"],
        "title": "P1 드론 제안",
        "summary": "정지비행 0.3 m",
        "responses": answers(published),
    }
    proposal = ok(supplier.post("/api/v1/proposals", json=body), 201)
    proposal = ok(supplier.post(f"/api/v1/proposals/{proposal['id']}/submit"))
    return supplier, proposal


# -- demands -----------------------------------------------------------------------------


def test_demand_create_publish_close(api, officer):
    anonymous = api()
    response = officer.post("/api/v1/demands", json=demand_body())
    draft = ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/demands/{draft['id']}"
    assert draft["status"] == "draft" and draft["version"] == 1
    assert draft["agency"] == {"id": officer.user.organisation_id, "name": draft["agency"]["name"]}
    assert draft["codes"] == ["35613000"]
    assert [r["name"] for r in draft["requirements"]] == ["정지비행 안정성", "비행시간"]
    assert all(isinstance(r["id"], int) for r in draft["requirements"])
    assert [r["mandatory"] for r in draft["requirements"]] == [True, False]
    assert draft["closes_on"] == future() and draft["created_at"].endswith("+00:00")

    path = f"/api/v1/demands/{draft['id']}"
    problem(anonymous.get(path), 404)
    assert draft["id"] not in [d["id"] for d in ok(anonymous.get("/api/v1/demands"))["items"]]
    assert ok(officer.get(path))["id"] == draft["id"]

    published = ok(officer.post(f"{path}/publish", json={"version": draft["version"]}))
    assert published["status"] == "published" and published["revision"] == 1
    assert published["published_at"] and published["opens_on"] == local_today().isoformat()
    assert ok(anonymous.get(path))["status"] == "published"
    problem(officer.post(f"{path}/publish"), 409)  # already published

    closed = ok(officer.post(f"{path}/close", json={"outcome": "awarded", "note": "P1 구매"}))
    assert closed["status"] == "closed"
    assert (closed["outcome"], closed["outcome_note"]) == ("awarded", "P1 구매")
    assert closed["closed_at"]
    problem(officer.post(f"{path}/close", json={"outcome": "awarded"}), 409)


def test_publish_refuses_an_incomplete_draft(officer):
    draft = ok(
        officer.post(
            "/api/v1/demands", json=demand_body(codes=[], requirements=[], closes_on=None)
        ),
        201,
    )
    response = officer.post(f"/api/v1/demands/{draft['id']}/publish")
    assert fields(response) == {"requirements", "codes", "closes_on"}


def test_close_needs_a_known_outcome(officer, published):
    path = f"/api/v1/demands/{published['id']}/close"
    assert fields(officer.post(path, json={})) == {"outcome"}
    assert fields(officer.post(path, json={"outcome": "won"})) == {"outcome"}
    assert fields(officer.post(path, json={"outcome": "awarded", "note": "가" * 2001})) == {"note"}


def test_update_with_a_stale_version_is_409(officer):
    draft = ok(officer.post("/api/v1/demands", json=demand_body()), 201)
    path = f"/api/v1/demands/{draft['id']}"
    changed = ok(officer.patch(path, json={"title": "새 제목", "version": draft["version"]}))
    assert changed["title"] == "새 제목" and changed["version"] > draft["version"]
    # Fields left out keep their values; requirement rows keep their ids.
    assert changed["budget"] == draft["budget"]
    assert [r["id"] for r in changed["requirements"]] == [r["id"] for r in draft["requirements"]]
    stale = problem(officer.patch(path, json={"title": "늦음", "version": draft["version"]}), 409)
    assert "changed this record" in stale["detail"]
    assert ok(officer.get(path))["title"] == "새 제목"
    problem(officer.post(f"{path}/publish", json={"version": draft["version"]}), 409)


def test_editing_a_published_demand_adds_a_revision(officer, published):
    path = f"/api/v1/demands/{published['id']}"
    body = {
        "version": published["version"],
        "budget": 150_000_000,
        "note": "예산 증액",
        "requirements": [*published["requirements"], {"name": "방수 등급", "target_value": "IP67"}],
    }
    # The rows read back carry ids and positions, which are not input fields.
    body["requirements"] = [
        {k: v for k, v in r.items() if k not in ("id", "position")} for r in body["requirements"]
    ]
    changed = ok(officer.patch(path, json=body))
    assert changed["revision"] == 2 and changed["budget"] == 150_000_000
    assert len(changed["requirements"]) == 3
    assert changed["requirements"][0]["id"] == published["requirements"][0]["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 5}, "title"),
        ({"title": ["a"]}, "title"),
        ({"budget": "100"}, "budget"),
        ({"budget": 1.5}, "budget"),
        ({"budget": True}, "budget"),
        ({"quantity": {"n": 1}}, "quantity"),
        ({"closes_on": 20300101}, "closes_on"),
        ({"closes_on": "next week"}, "closes_on"),
        ({"region": ["11"]}, "region"),
        ({"region": "99"}, "region"),
        ({"demand_type": ["pilot"]}, "demand_type"),
        ({"demand_type": None}, "demand_type"),
        ({"language": {"ko": 1}}, "language"),
        ({"codes": "35613000"}, "codes"),
        ({"codes": [35613000]}, "codes"),
        ({"codes": ["99999999"]}, "codes"),
        ({"requirements": "빠를 것"}, "requirements"),
        ({"requirements": {"name": "x"}}, "requirements"),
        ({"requirements": [5]}, "requirements-0"),
        ({"requirements": [{"name": 3}]}, "requirements-0-name"),
        ({"requirements": [{"name": "x", "unit": ["m"]}]}, "requirements-0-unit"),
        ({"requirements": [{"name": "x", "mandatory": "yes"}]}, "requirements-0-mandatory"),
        ({"requirements": [{"name": "x", "colour": "red"}]}, "requirements-0-colour"),
        ({"colour": "red"}, "colour"),
        ({"title": "가" * 201}, "title"),
        # PostgreSQL refuses NUL in text: a field error, not a failure on saving.
        ({"title": "드론\x00"}, "title"),
        ({"codes": ["3561\x003000"]}, "codes"),
        ({"requirements": [{"name": "a\x00"}]}, "requirements-0-name"),
    ],
)
def test_wrong_types_are_422_with_field_errors(officer, body, field):
    response = officer.post("/api/v1/demands", json=demand_body(**body))
    assert field in fields(response)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "version"),
        ({"title": "x", "version": "1"}, "version"),
        ({"title": "x", "version": None}, "version"),
        ({"version": 1, "note": 7}, "note"),
        ({"version": 1, "requirements": [{"name": {}}]}, "requirements-0-name"),
    ],
)
def test_update_needs_the_version_and_right_types(officer, body, field):
    draft = ok(officer.post("/api/v1/demands", json=demand_body()), 201)
    assert field in fields(officer.patch(f"/api/v1/demands/{draft['id']}", json=body))


def test_malformed_json_is_400_and_other_content_types_415(officer, published):
    for path in ("/api/v1/demands", f"/api/v1/demands/{published['id']}/close"):
        malformed = officer.raw("POST", path, "{not json", "application/json")
        assert problem(malformed, 400)["detail"].startswith("The body is not well-formed JSON")
        problem(officer.raw("POST", path, "title=x", "application/x-www-form-urlencoded"), 415)
        problem(officer.raw("POST", path, "[1, 2]", "application/json"), 400)
    patch = officer.raw("PATCH", f"/api/v1/demands/{published['id']}", "{", "application/json")
    problem(patch, 400)
    # An action without a body is fine; a body that is sent must be JSON.
    publish = f"/api/v1/demands/{published['id']}/publish"
    problem(officer.raw("POST", publish, "version=1", "text/plain"), 415)


def test_other_agencies_cannot_see_drafts_or_change_demands(api, officer, published):
    draft = ok(officer.post("/api/v1/demands", json=demand_body()), 201)
    other = api("officer")
    problem(other.get(f"/api/v1/demands/{draft['id']}"), 404)
    problem(other.patch(f"/api/v1/demands/{draft['id']}", json={"version": 1}), 404)
    problem(other.post(f"/api/v1/demands/{draft['id']}/publish"), 404)
    path = f"/api/v1/demands/{published['id']}"
    problem(other.patch(path, json={"title": "x", "version": published["version"]}), 403)
    problem(other.post(f"{path}/close", json={"outcome": "withdrawn"}), 403)
    problem(api("supplier").post("/api/v1/demands", json=demand_body()), 403)
    problem(api().post("/api/v1/demands", json=demand_body()), 401)


def test_unverified_officer_is_told_why(api):
    agency = factories.OrganisationFactory(pending=True)
    caller = api(user=factories.user_with_role("officer", organisation=agency))
    refused = problem(caller.post("/api/v1/demands", json=demand_body()), 403)
    assert "not been verified" in refused["detail"]


def test_anonymous_lists_show_only_published_demands(api, officer, published):
    draft = ok(officer.post("/api/v1/demands", json=demand_body(title="초안")), 201)
    listing = ok(api().get("/api/v1/demands?per_page=100"))
    ids = [d["id"] for d in listing["items"]]
    assert published["id"] in ids and draft["id"] not in ids
    assert {d["status"] for d in listing["items"]} <= {"published", "closed"}
    assert listing["page"] == 1 and listing["per_page"] == 100
    assert listing["total"] == len(ids)
    own = [d["id"] for d in ok(officer.get("/api/v1/demands?status=draft"))["items"]]
    assert own == [draft["id"]]
    assert ok(api("supplier").get("/api/v1/demands?status=draft"))["items"] == []


def test_demand_filters(api, officer):
    made = {}
    for key, body in {
        "drone": demand_body(title="드론 A", region="51", demand_type="pilot"),
        "software": demand_body(
            title="민원 챗봇 100%", region="11", demand_type="rnd", codes=["48000000"]
        ),
        "cleaning": demand_body(title="청소 로봇", region="11", codes=["90900000"]),
    }.items():
        draft = ok(officer.post("/api/v1/demands", json=body), 201)
        made[key] = ok(officer.post(f"/api/v1/demands/{draft['id']}/publish"))["id"]
    anonymous = api()

    def ids(query):
        return {d["id"] for d in ok(anonymous.get(f"/api/v1/demands?{query}"))["items"]}

    agency = officer.user.organisation_id
    assert ids(f"agency={agency}") == set(made.values())
    assert ids(f"agency={agency}&region=11") == {made["software"], made["cleaning"]}
    assert ids(f"agency={agency}&type=rnd") == {made["software"]}
    assert ids(f"agency={agency}&division=35") == {made["drone"]}
    assert ids(f"agency={agency}&division=48") == {made["software"]}
    assert ids(f"agency={agency}&q=드론") == {made["drone"]}
    assert ids(f"agency={agency}&q=100%25") == {made["software"]}  # % is literal
    assert ids(f"agency={agency}&q=1_0") == set()  # so is _
    assert ids(f"agency={agency}&status=closed") == set()
    page = ok(anonymous.get(f"/api/v1/demands?agency={agency}&per_page=2&page=2"))
    assert page["total"] == 3 and len(page["items"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "status=open",
        "type=buy",
        "region=99",
        "agency=abc",
        "agency=0",
        "agency=-1",
        "agency=" + "9" * 30,
        "division=3",
        "division=351",
        "division=ab",
        "q=" + "x" * 101,
        "page=0",
        "per_page=101",
    ],
)
def test_bad_demand_filters_are_422(api, query):
    response = api().get(f"/api/v1/demands?{query}")
    assert fields(response) == {query.split("=")[0]}


def test_nul_in_a_filter_is_refused_before_it_reaches_the_database(api):
    response = api().get("/api/v1/demands?q=a%00b")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"


# -- questions ---------------------------------------------------------------------------


def test_questions_hide_the_asker_from_everyone_else(api, officer, published):
    asker = api("supplier")
    colleague = api(user=factories.user_with_role("supplier", organisation=asker.user.organisation))
    rival = api("supplier")
    path = f"/api/v1/demands/{published['id']}/questions"
    response = asker.post(path, json={"body": "야간 비행도 필요한가요?"})
    question = ok(response, 201)
    assert question["organisation"]["id"] == asker.user.organisation_id
    assert "asked_by" not in question

    def asker_seen_by(caller):
        return ok(caller.get(path))["items"][0]["organisation"]

    assert asker_seen_by(api()) is None
    assert asker_seen_by(rival) is None
    assert asker_seen_by(api("citizen")) is None
    assert asker_seen_by(colleague)["id"] == asker.user.organisation_id
    assert asker_seen_by(officer)["id"] == asker.user.organisation_id
    assert asker_seen_by(api("operator"))["id"] == asker.user.organisation_id

    answer_path = f"/api/v1/questions/{question['id']}/answer"
    problem(api("officer").post(answer_path, json={"answer": "아니요"}), 403)
    assert fields(officer.post(answer_path, json={"answer": ""})) == {"answer"}
    assert fields(officer.post(answer_path, json={"answer": 5})) == {"answer"}
    answered = ok(officer.post(answer_path, json={"answer": "주간만 필요합니다."}))
    assert answered["answer"] == "주간만 필요합니다." and answered["answered_at"]
    listing = ok(rival.get(path))
    assert listing["total"] == 1 and listing["items"][0]["answer"] == "주간만 필요합니다."
    problem(officer.post("/api/v1/questions/999999/answer", json={"answer": "x"}), 404)


def test_a_corrected_answer_keeps_the_earlier_one_and_tells_the_suppliers(
    app, api, officer, published, login
):
    from sqlalchemy import select

    from procure.models import Notification

    asker, bidder = api("supplier"), api("supplier")
    ok(
        bidder.post(
            "/api/v1/proposals",
            json={"demand_id": published["id"], "title": "준비 중", "summary": "초안"},
        ),
        201,
    )
    path = f"/api/v1/demands/{published['id']}/questions"
    question = ok(asker.post(path, json={"body": "야간 비행도 필요한가요?"}), 201)
    answer_path = f"/api/v1/questions/{question['id']}/answer"
    first = ok(officer.post(answer_path, json={"answer": "주간만 필요합니다."}))
    assert first["earlier_answer"] is None and first["first_answered_at"] is None
    corrected = ok(officer.post(answer_path, json={"answer": "야간 비행도 필요합니다."}))
    assert corrected["earlier_answer"] == "주간만 필요합니다."
    assert corrected["first_answered_at"] == first["answered_at"]
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "question.corrected")
    ).all()
    assert set(told) >= {asker.user.id, bidder.user.id}
    # The public page shows the correction beside the earlier answer.
    page = factories.english_client(app).get(f"/demands/{published['id']}").get_data(as_text=True)
    assert "야간 비행도 필요합니다." in page and "Earlier answer" in page and "corrected" in page
    # Sending the same text again changes nothing.
    again = ok(officer.post(answer_path, json={"answer": "야간 비행도 필요합니다."}))
    assert again["earlier_answer"] == "주간만 필요합니다."


def test_questions_only_on_open_demands(api, officer):
    draft = ok(officer.post("/api/v1/demands", json=demand_body()), 201)
    supplier = api("supplier")
    path = f"/api/v1/demands/{draft['id']}/questions"
    problem(supplier.post(path, json={"body": "?"}), 404)
    problem(api().get(path), 404)
    published = ok(officer.post(f"/api/v1/demands/{draft['id']}/publish"))
    assert fields(supplier.post(path, json={"body": "  "})) == {"body"}
    assert fields(supplier.post(path, json={"body": ["?"]})) == {"body"}
    problem(officer.post(path, json={"body": "?"}), 403)
    ok(officer.post(f"/api/v1/demands/{published['id']}/close", json={"outcome": "withdrawn"}))
    problem(supplier.post(path, json={"body": "늦은 질문"}), 409)


# -- products ----------------------------------------------------------------------------


def test_product_lifecycle_and_visibility(api):
    supplier = api("supplier")
    anonymous = api()
    draft = ok(supplier.post("/api/v1/products", json=product_body()), 201)
    assert draft["status"] == "draft" and draft["regions"] == ["11", "51"]
    assert draft["specs"] == [{"name": "비행시간", "value": "45", "unit": "분"}]
    assert draft["certifications"][0]["valid_until"] == future(365)
    path = f"/api/v1/products/{draft['id']}"
    problem(anonymous.get(path), 404)
    assert ok(anonymous.get("/api/v1/products"))["items"] == []

    listed = ok(supplier.post(f"{path}/status", json={"status": "listed"}))
    assert listed["status"] == "listed" and listed["listed_at"]
    items = ok(anonymous.get("/api/v1/products"))["items"]
    assert [p["id"] for p in items] == [draft["id"]]

    operator = api("operator")
    assert fields(operator.post(f"{path}/status", json={"status": "suspended"})) == {"note"}
    suspended = ok(
        operator.post(f"{path}/status", json={"status": "suspended", "note": "인증 만료 확인"})
    )
    assert suspended["status"] == "suspended" and suspended["status_note"] == "인증 만료 확인"
    assert ok(supplier.get(path))["status_note"] == "인증 만료 확인"
    problem(anonymous.get(path), 404)
    assert fields(supplier.post(f"{path}/status", json={"status": "listed"})) == {"status"}
    problem(api("supplier").post(f"{path}/status", json={"status": "archived"}), 404)
    ok(operator.post(f"{path}/status", json={"status": "listed"}))
    assert ok(anonymous.get(path))["status_note"] is None  # for the supplier and operators only
    problem(
        supplier.post(f"{path}/status", json={"status": "archived", "version": 1}), 409
    )  # stale
    current = ok(supplier.get(path))
    archived = ok(
        supplier.post(f"{path}/status", json={"status": "archived", "version": current["version"]})
    )
    assert archived["status"] == "archived"
    problem(supplier.post(f"{path}/status", json={"status": "listed"}), 409)
    assert fields(supplier.post(f"{path}/status", json={"status": "draft"})) == {"status"}


def test_product_update(api):
    supplier = api("supplier")
    draft = ok(supplier.post("/api/v1/products", json=product_body()), 201)
    path = f"/api/v1/products/{draft['id']}"
    changed = ok(supplier.patch(path, json={"price": 25_000_000, "version": draft["version"]}))
    assert changed["price"] == 25_000_000 and changed["specs"] == draft["specs"]
    assert changed["certifications"] == draft["certifications"]
    problem(supplier.patch(path, json={"price": 1, "version": draft["version"]}), 409)
    ok(supplier.post(f"{path}/status", json={"status": "listed"}))
    other = api("supplier")
    problem(other.patch(path, json={"price": 1, "version": changed["version"] + 1}), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 1}, "name"),
        ({"trl": "8"}, "trl"),
        ({"trl": 10}, "trl"),
        ({"price": [1]}, "price"),
        ({"regions": "11"}, "regions"),
        ({"regions": [["11"]]}, "regions"),
        ({"regions": [{"11": 1}]}, "regions"),
        ({"regions": ["99"]}, "regions"),
        ({"codes": {"35613000": 1}}, "codes"),
        ({"specs": {"name": "x"}}, "specs"),
        ({"specs": ["x"]}, "specs-0"),
        ({"specs": [{"name": 5}]}, "specs-0-name"),
        ({"certifications": [{"kind": "GS", "valid_until": 2030}]}, "certifications-0-valid_until"),
        (
            {"certifications": [{"kind": "GS", "valid_until": "soon"}]},
            "certifications-0-valid_until",
        ),
        ({"patents": [{"number": {}}]}, "patents-0-number"),
        ({"summary": None}, "summary"),
    ],
)
def test_product_wrong_types_are_422(api, body, field):
    assert field in fields(api("supplier").post("/api/v1/products", json=product_body(**body)))


def test_product_filters(api):
    supplier = api("supplier")
    other = api("supplier")
    made = {}
    for key, caller, body in (
        ("drone", supplier, product_body()),
        (
            "cheap",
            supplier,
            product_body(
                name="청소 로봇_1",
                name_en="Cleaning robot",
                price=900_000,
                trl=6,
                regions=["26"],
                codes=["90900000"],
            ),
        ),
        (
            "other",
            other,
            product_body(
                name="Chatbot", name_en=None, trl=9, price=None, regions=[], codes=["48000000"]
            ),
        ),
    ):
        product = ok(caller.post("/api/v1/products", json=body), 201)
        ok(caller.post(f"/api/v1/products/{product['id']}/status", json={"status": "listed"}))
        made[key] = product["id"]
    anonymous = api()

    def ids(query):
        return {p["id"] for p in ok(anonymous.get(f"/api/v1/products?{query}"))["items"]}

    assert ids("") == set(made.values())
    assert ids(f"supplier={supplier.user.organisation_id}") == {made["drone"], made["cheap"]}
    assert ids("region=51") == {made["drone"]}
    assert ids("region=26") == {made["cheap"]}
    assert ids("division=90") == {made["cheap"]}
    assert ids("trl_min=8") == {made["drone"], made["other"]}
    assert ids("price_max=1000000") == {made["cheap"]}
    assert ids("q=patrol") == {made["drone"]}
    assert ids("q=chat") == {made["other"]}
    assert ids("q=로봇_") == {made["cheap"]}
    assert ids("status=draft") == set()


@pytest.mark.parametrize(
    "query",
    [
        "status=gone",
        "supplier=x",
        "region=1",
        "division=9",
        "trl_min=0",
        "trl_min=10",
        "price_max=-5",
        "price_max=1e6",
        "q=" + "가" * 101,
    ],
)
def test_bad_product_filters_are_422(api, query):
    assert fields(api().get(f"/api/v1/products?{query}")) == {query.split("=")[0]}


# -- proposals ---------------------------------------------------------------------------


def test_submit_needs_every_requirement_answered(api, published):
    supplier = api("supplier")
    first, second = published["requirements"]
    body = {
        "demand_id": published["id"],
        "title": "부분 답변",
        "summary": "설명",
        "responses": [{"requirement_id": first["id"], "compliance": "meets"}],
    }
    response = supplier.post("/api/v1/proposals", json=body)
    draft = ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/proposals/{draft['id']}"
    assert draft["status"] == "draft" and draft["demand"]["id"] == published["id"]
    path = f"/api/v1/proposals/{draft['id']}"
    refused = supplier.post(f"{path}/submit", json={"version": draft["version"]})
    assert fields(refused) == {f"requirement-{second['id']}"}
    assert ok(supplier.get(path))["status"] == "draft"

    changed = ok(
        supplier.patch(path, json={"responses": answers(published), "version": draft["version"]})
    )
    assert {r["requirement_id"] for r in changed["responses"]} == {first["id"], second["id"]}
    assert changed["title"] == "부분 답변"  # left out, kept
    problem(supplier.post(f"{path}/submit", json={"version": draft["version"]}), 409)
    submitted = ok(supplier.post(f"{path}/submit", json={"version": changed["version"]}))
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    problem(supplier.patch(path, json={"title": "x", "version": submitted["version"]}), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 1}, "title"),
        ({"demand_id": "1"}, "demand_id"),
        ({"demand_id": 999_999}, "demand_id"),
        ({"price_offer": "싸게"}, "price_offer"),
        ({"responses": "all"}, "responses"),
        ({"responses": [[1]]}, "responses-0"),
        (
            {"responses": [{"requirement_id": [1], "compliance": "meets"}]},
            "responses-0-requirement_id",
        ),
        ({"responses": [{"compliance": "meets"}]}, "responses-0-requirement_id"),
        ({"responses": [{"requirement_id": 1, "compliance": ["meets"]}]}, "responses-0-compliance"),
        ({"responses": [{"requirement_id": 1, "compliance": "maybe"}]}, "responses-0-compliance"),
        ({"responses": [{"requirement_id": 1, "evidence": {}}]}, "responses-0-evidence"),
        ({"responses": [{"requirement_id": 999_999, "compliance": "meets"}]}, "responses-0"),
        ({"target_code": 35613000}, "target_code"),
    ],
)
def test_proposal_wrong_types_are_422(api, published, body, field):
    payload = {"demand_id": published["id"], "title": "제안", "summary": "설명", **body}
    assert field in fields(api("supplier").post("/api/v1/proposals", json=payload))


def test_targets_are_set_only_when_creating(api, published):
    supplier = api("supplier")
    body = {"demand_id": published["id"], "title": "제안", "summary": "설명"}
    draft = ok(supplier.post("/api/v1/proposals", json=body), 201)
    response = supplier.patch(
        f"/api/v1/proposals/{draft['id']}", json={"demand_id": 1, "version": draft["version"]}
    )
    assert fields(response) == {"demand_id"}


def test_proposals_are_confidential(api, officer, published, submitted):
    supplier, proposal = submitted
    path = f"/api/v1/proposals/{proposal['id']}"
    rival = api("supplier")
    rival_draft = ok(
        rival.post(
            "/api/v1/proposals",
            json={"demand_id": published["id"], "title": "경쟁 제안", "summary": "비밀"},
        ),
        201,
    )
    # The rival never sees A's proposal, by id or in any list.
    problem(rival.get(path), 404)
    for query in ("", f"?demand={published['id']}", "?status=submitted"):
        listed = ok(rival.get(f"/api/v1/proposals{query}"))
        own = [] if "status" in query else [rival_draft["id"]]
        assert [p["id"] for p in listed["items"]] == own
    problem(rival.patch(path, json={"title": "x", "version": proposal["version"]}), 404)
    problem(rival.post(f"{path}/submit"), 404)
    problem(rival.post(f"{path}/withdraw"), 404)
    # The receiving agency sees submitted proposals, never drafts.
    agency_view = [p["id"] for p in ok(officer.get("/api/v1/proposals"))["items"]]
    assert agency_view == [proposal["id"]]
    assert ok(officer.get(path))["responses"] == proposal["responses"]
    problem(officer.get(f"/api/v1/proposals/{rival_draft['id']}"), 404)
    # Another agency, citizens and anonymous callers see nothing.
    problem(api("officer").get(path), 404)
    assert ok(api("officer").get("/api/v1/proposals"))["items"] == []
    assert ok(api("citizen").get("/api/v1/proposals"))["total"] == 0
    problem(api("citizen").get(path), 404)
    problem(api().get("/api/v1/proposals"), 401)
    problem(api().get(path), 401)
    # Operators see submitted proposals only.
    operator = api("operator")
    assert [p["id"] for p in ok(operator.get("/api/v1/proposals"))["items"]] == [proposal["id"]]
    problem(operator.get(f"/api/v1/proposals/{rival_draft['id']}"), 404)
    # A colleague of the supplier sees it.
    colleague = api(
        user=factories.user_with_role("supplier", organisation=supplier.user.organisation)
    )
    assert ok(colleague.get(path))["id"] == proposal["id"]


def test_officer_shortlists_declines_and_accepts(api, officer, published, submitted):
    supplier, proposal = submitted
    path = f"/api/v1/proposals/{proposal['id']}"
    problem(supplier.post(f"{path}/shortlist"), 403)
    problem(api("officer").post(f"{path}/shortlist"), 404)
    problem(officer.post(f"{path}/accept"), 409)  # only a shortlisted proposal is accepted
    problem(officer.post(f"{path}/shortlist", json={"version": 999}), 409)
    shortlisted = ok(officer.post(f"{path}/shortlist", json={"reason": "성능 우수"}))
    assert shortlisted["status"] == "shortlisted"
    accepted = ok(officer.post(f"{path}/accept", json={"version": shortlisted["version"]}))
    assert accepted["status"] == "accepted" and accepted["decided_at"]
    problem(officer.post(f"{path}/decline", json={"reason": "x"}), 409)
    problem(supplier.post(f"{path}/withdraw"), 409)

    second = api("supplier")
    body = {
        "demand_id": published["id"],
        "title": "두 번째",
        "summary": "설명",
        "responses": answers(published, "partly"),
    }
    draft = ok(second.post("/api/v1/proposals", json=body), 201)
    second_path = f"/api/v1/proposals/{draft['id']}"
    problem(officer.post(f"{second_path}/decline", json={"reason": "x"}), 404)  # a draft
    ok(second.post(f"{second_path}/submit"))
    assert fields(officer.post(f"{second_path}/decline")) == {"reason"}
    assert fields(officer.post(f"{second_path}/decline", json={"reason": "  "})) == {"reason"}
    assert fields(officer.post(f"{second_path}/decline", json={"reason": 3})) == {"reason"}
    declined = ok(officer.post(f"{second_path}/decline", json={"reason": "비행시간 부족"}))
    assert declined["status"] == "declined" and declined["decision_reason"] == "비행시간 부족"
    assert ok(second.get(second_path))["decision_reason"] == "비행시간 부족"


def test_supplier_withdraws(api, submitted):
    supplier, proposal = submitted
    path = f"/api/v1/proposals/{proposal['id']}"
    problem(supplier.post(f"{path}/withdraw", json={"version": proposal["version"] - 1}), 409)
    withdrawn = ok(supplier.post(f"{path}/withdraw", json={"version": proposal["version"]}))
    assert withdrawn["status"] == "withdrawn"
    problem(supplier.post(f"{path}/withdraw"), 409)


def test_unsolicited_proposal_to_an_agency(api, officer):
    supplier = api("supplier")
    body = {
        "target_agency_id": officer.user.organisation_id,
        "title": "순찰 드론 역제안",
        "summary": "수요가 공고되지 않았지만 제안합니다",
    }
    draft = ok(supplier.post("/api/v1/proposals", json=body), 201)
    assert draft["target_agency"]["id"] == officer.user.organisation_id
    assert draft["demand"] is None
    ok(supplier.post(f"/api/v1/proposals/{draft['id']}/submit"))
    assert [p["id"] for p in ok(officer.get("/api/v1/proposals"))["items"]] == [draft["id"]]
    shortlisted = ok(officer.post(f"/api/v1/proposals/{draft['id']}/shortlist"))
    assert shortlisted["status"] == "shortlisted"


def test_proposal_list_filters(api, published, submitted):
    supplier, proposal = submitted

    def ids(query):
        return [p["id"] for p in ok(supplier.get(f"/api/v1/proposals?{query}"))["items"]]

    assert ids(f"demand={published['id']}") == [proposal["id"]]
    assert ids(f"demand={published['id'] + 1000}") == []
    assert ids("status=submitted") == [proposal["id"]]
    assert ids("status=draft") == []
    for bad in ("demand=x", "demand=0", "status=sent"):
        assert fields(supplier.get(f"/api/v1/proposals?{bad}")) == {bad.split("=")[0]}


# -- ideas -------------------------------------------------------------------------------


def test_idea_submit_moderate_adopt(api, officer):
    citizen = api("citizen")
    anonymous = api()
    response = citizen.post(
        "/api/v1/ideas",
        json={"title": "버스정류장 온열의자", "problem": "겨울 대기가 춥다", "region": "11"},
    )
    idea = ok(response, 201)
    assert idea["status"] == "submitted" and idea["mine"] is True
    path = f"/api/v1/ideas/{idea['id']}"
    problem(anonymous.get(path), 404)
    assert idea["id"] not in [i["id"] for i in ok(anonymous.get("/api/v1/ideas"))["items"]]
    assert [i["id"] for i in ok(citizen.get("/api/v1/ideas"))["items"]] == [idea["id"]]

    changed = ok(
        citizen.patch(path, json={"suggestion": "태양광 온열", "version": idea["version"]})
    )
    assert changed["suggestion"] == "태양광 온열" and changed["title"] == idea["title"]
    problem(citizen.patch(path, json={"title": "x", "version": idea["version"]}), 409)

    problem(officer.post(f"{path}/adopt"), 404)  # not public yet
    operator = api("operator")
    assert fields(operator.post(f"{path}/moderate", json={"decision": "maybe"})) == {"decision"}
    assert fields(operator.post(f"{path}/moderate", json={})) == {"decision"}
    problem(operator.post(f"{path}/moderate", json={"decision": "approved", "version": 1}), 409)
    approved = ok(operator.post(f"{path}/moderate", json={"decision": "approved"}))
    assert approved["status"] == "approved" and approved["mine"] is False
    assert ok(anonymous.get(path))["status"] == "approved"
    problem(operator.post(f"{path}/moderate", json={"decision": "rejected", "note": "x"}), 409)
    problem(
        citizen.patch(path, json={"title": "x", "version": approved["version"]}), 403
    )  # reviewed

    response = officer.post(f"{path}/adopt")
    demand = ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/demands/{demand['id']}"
    assert demand["status"] == "draft" and demand["idea_id"] == idea["id"]
    assert demand["title"] == "버스정류장 온열의자" and demand["region"] == "11"
    adopted = ok(anonymous.get(path))
    assert adopted["status"] == "adopted"
    assert adopted["adopted_by"]["id"] == officer.user.organisation_id
    problem(api("officer").post(f"{path}/adopt"), 409)
    assert [i["id"] for i in ok(anonymous.get("/api/v1/ideas?status=adopted"))["items"]] == [
        idea["id"]
    ]


def test_rejected_idea_needs_a_note_that_only_the_author_sees(api):
    citizen = api("citizen")
    idea = ok(citizen.post("/api/v1/ideas", json={"title": "제안", "problem": "문제"}), 201)
    path = f"/api/v1/ideas/{idea['id']}"
    operator = api("operator")
    assert fields(operator.post(f"{path}/moderate", json={"decision": "rejected"})) == {"note"}
    rejected = ok(
        operator.post(f"{path}/moderate", json={"decision": "rejected", "note": "중복 제안"})
    )
    assert rejected["status"] == "rejected" and rejected["moderation_note"] == "중복 제안"
    assert ok(citizen.get(path))["moderation_note"] == "중복 제안"
    problem(api("citizen").get(path), 404)
    problem(api().get(path), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 1, "problem": "p"}, "title"),
        ({"title": "t"}, "problem"),
        ({"title": "t", "problem": "p", "region": 11}, "region"),
        ({"title": "t", "problem": "p", "region": ["11"]}, "region"),
        ({"title": "t", "problem": "p", "author_id": 1}, "author_id"),
    ],
)
def test_idea_wrong_types_are_422(api, body, field):
    assert field in fields(api("citizen").post("/api/v1/ideas", json=body))


def test_bad_idea_filter_is_422(api):
    assert fields(api().get("/api/v1/ideas?status=public")) == {"status"}


# -- the OpenAPI document ----------------------------------------------------------------


def test_market_endpoints_are_documented(api):
    doc = ok(api().get("/api/v1/openapi.json"))
    paths = doc["paths"]
    create = paths["/api/v1/demands"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] is False
    assert {"title", "requirements", "codes"} <= schema["properties"].keys()
    assert create["security"] == [{"bearer": []}]
    update = paths["/api/v1/demands/{demand_id}"]["patch"]
    assert update["requestBody"]["content"]["application/json"]["schema"]["required"] == ["version"]
    proposal_update = paths["/api/v1/proposals/{proposal_id}"]["patch"]
    properties = proposal_update["requestBody"]["content"]["application/json"]["schema"]
    assert "demand_id" not in properties["properties"]
    listing = paths["/api/v1/demands"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert names == {"status", "type", "region", "agency", "division", "q", "page", "per_page"}
    assert "security" not in listing
    for ref in ("Demand", "Question", "Product", "Proposal", "Idea", "OrganisationRef"):
        assert ref in doc["components"]["schemas"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["summary"], (path, method)
            if method in ("post", "patch"):
                assert "requestBody" in operation, (path, method)
