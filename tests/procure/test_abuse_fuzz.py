"""The API fuzzed from its own OpenAPI document (Schemathesis): no operation answers 500.

Every operation in ``/api/v1/openapi.json`` is called with generated parameters and bodies, valid
ones (positive) and invalid ones (negative), anonymously and with the bearer token of a signed-in
officer, supplier and operator. Responses must not be server errors, and must use the status
codes, content types and body schemas the document declares.

The Schemathesis pytest plugin (``@schema.parametrize``) needs pytest internals that pytest 9
removed, so this module drives the same strategies and checks with Hypothesis directly.
"""

from __future__ import annotations

import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

import factories
from procure.extensions import db
from procure.models.evaluation import Designation

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Small and reproducible: the whole module runs in well under two minutes.
FUZZ = settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _token_for(app, role: str) -> str:
    return factories.api_token(app, factories.user_with_role(role), "fuzz")


def _fuzz(
    api_schema,
    headers: dict,
    modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    ids: dict | None = None,
    reached: list | None = None,
):
    """Run every operation in every mode; return one line per failing operation.

    With ``ids``, path parameters of those names are set to real records, so generated bodies
    reach the services' rules instead of a 404; ``reached`` collects (operation, status) of
    those calls.
    """
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for mode in modes:

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                for name in list(case.path_parameters or {}):
                    if ids and name in ids:
                        case.path_parameters[name] = ids[name]
                # A fresh context per request, as a server gives, so ``g`` never carries over.
                response = contextvars.Context().run(case.call, headers=headers)
                if reached is not None and case.path_parameters:
                    reached.append((case.operation.label, response.status_code))
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as error:  # reported below, with the operation
                failures.append(f"{operation.label} [{mode.value}]: {str(error)[:1500]}")
    return failures


@pytest.mark.parametrize("role", [None, "officer", "supplier", "operator"])
def test_every_operation_survives_fuzzing(app, db_session, api_schema, role):
    headers = {}
    if role is not None:
        headers["Authorization"] = f"Bearer {_token_for(app, role)}"
    failures = _fuzz(api_schema, headers)
    assert failures == [], "\n\n".join(failures)


@pytest.fixture
def market(app, db_session):
    """Real records for every kind of id in the API's paths, and the people who own them."""
    from procure.demands import services as demands
    from procure.ideas import services as ideas
    from test_pilots_helpers import apply, designated_product, file_plan, open_round

    factories.add_cpv_codes()
    people = {role: factories.user_with_role(role) for role in ("officer", "supplier", "operator")}
    citizen = factories.user_with_role("citizen")
    demand = factories.published_demand(app, people["officer"])
    question = factories.in_request(
        app, demands.ask_question, people["supplier"], demand, "시험 조건은 무엇인가요?"
    )
    proposal = factories.answered_proposal(app, people["supplier"], demand)
    product = designated_product(people["supplier"])
    idea = factories.in_request(
        app,
        ideas.submit_idea,
        citizen,
        title="버스 정류장 안내",
        problem="밤에는 정류장 안내가 보이지 않는다.",
        suggestion="큰 화면",
    )
    round_ = open_round(app, people["operator"], [product])
    plan = file_plan(app, people["supplier"], round_, product)
    application = apply(app, people["officer"], round_, plan)
    ids = {
        "demand_id": demand.id,
        "question_id": question.id,
        "proposal_id": proposal.id,
        "product_id": product.id,
        "designation_id": db.session.scalar(
            select(Designation.id).where(Designation.product_id == product.id)
        ),
        "idea_id": idea.id,
        "round_id": round_.id,
        "application_id": application.id,
        "org_id": people["officer"].organisation_id,
    }
    return people, ids


@pytest.mark.parametrize("role", ["officer", "supplier", "operator"])
def test_every_operation_on_real_records_survives_fuzzing(app, api_schema, market, role):
    """The same, with path ids set to records the caller's organisation owns (or, for the
    operator, may act on): transitions and edits with generated bodies, not only 404s."""
    people, ids = market
    from procure.account.services import create_api_token

    with app.test_request_context():
        _row, token = create_api_token(people[role], "fuzz")
    db.session.flush()
    reached: list = []
    failures = _fuzz(api_schema, {"Authorization": f"Bearer {token}"}, ids=ids, reached=reached)
    assert failures == [], "\n\n".join(failures)
    # The records were really reached: reads answer 200, and some writes got past the 404.
    found = {label for label, status in reached if status == 200 and label.startswith("GET")}
    assert len(found) >= 10, sorted(found)
    written = {label for label, status in reached if status < 300 and not label.startswith("GET")}
    assert written or role == "operator", sorted(set(reached))


# -- what the fuzzer found, pinned as plain tests ------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/demands/99999999999999999999"),
        ("GET", "/api/v1/demands/99999999999999999999"),
        ("PATCH", "/api/v1/demands/2147483648"),
        ("POST", "/api/v1/pilot-rounds/99999999999/applications"),
        ("GET", "/attachments/99999999999999999999"),
    ],
)
def test_ids_too_large_for_a_key_are_404_not_500(client, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 404


def test_numbers_too_large_in_a_json_body_are_422_not_500(app, db_session, client):
    token = _token_for(app, "operator")
    response = client.post(
        "/api/v1/evaluation-rounds",
        json={"title": "x", "chair_id": 10**30},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "chair_id"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/ideas", {"title": "\ud800 정류장", "problem": "겨울 대기 시간이 춥다"}, "title"),
        (
            "/api/v1/demands",
            {"title": "드론", "requirements": [{"name": "비행 \udc00", "mandatory": True}]},
            "requirements-0-name",
        ),
        ("/api/v1/ideas", {"title": "정류장", "problem": "nul \x00 here"}, "problem"),
        ("/api/v1/demands", {"title": "드론", "codes": ["3561\udfff"]}, "codes"),
    ],
)
def test_text_no_column_can_store_is_a_422_naming_the_field(
    app, db_session, client, path, body, field
):
    """Lone surrogates ("\\ud800" in JSON) and NUL cannot be stored as text: refused up front
    with the field named, not a 500 from deep inside a flush, and nothing is written."""
    from procure.models import CitizenIdea, Demand

    token = _token_for(app, "officer")
    before = [db.session.scalar(select(func.count()).select_from(m)) for m in (CitizenIdea, Demand)]
    response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert [error["field"] for error in response.json["errors"]] == [field]
    after = [db.session.scalar(select(func.count()).select_from(m)) for m in (CitizenIdea, Demand)]
    assert after == before


def test_json_nested_beyond_any_body_of_ours_is_refused_clearly(app, db_session, client):
    token = _token_for(app, "citizen")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    parser_limit = '{"a":' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/ideas", data=parser_limit, headers=headers)
    assert response.status_code == 400
    assert response.json["detail"] == "The body is not well-formed JSON."
    deep = '{"title":' + "[" * 30 + "]" * 30 + "}"
    response = client.post("/api/v1/ideas", data=deep, headers=headers)
    assert response.status_code == 422
    assert "nested too deeply" in response.json["errors"][0]["message"]


def test_the_document_lists_each_operations_error_statuses(client):
    doc = client.get("/api/v1/openapi.json").json
    operation = doc["paths"]["/api/v1/demands/{demand_id}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "415", "422"} <= operation.keys()
    assert "default" not in operation
    listing = doc["paths"]["/api/v1/demands"]["get"]["responses"]
    assert "401" not in listing and "422" in listing
