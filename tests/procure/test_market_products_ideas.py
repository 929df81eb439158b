"""Products and citizen ideas: lifecycles, permissions, pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.errors import Conflict, Forbidden, Invalid
from procure.extensions import db
from procure.ideas import services as ideas
from procure.models import CitizenIdea, Demand, Notification, Product
from procure.products import services as products


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def product_input(**overrides):
    values = {
        "name": "AI 순찰 드론 H1",
        "summary": "강풍에서도 정지비행하는 순찰용 드론",
        "trl": 8,
        "price": 27_000_000,
        "unit": "대",
        "regions": ["51", "47"],
        "codes": ["35613000"],
        "specs": [{"name": "비행시간", "value": "45", "unit": "분"}],
        "certifications": [
            {
                "kind": "KC 인증",
                "number": "R-R-HND-H1",
                "issuer": "국립전파연구원",
                "valid_until": "2028-12-31",
            }
        ],
        "patents": [{"number": "10-2345678", "title": "풍속 보상 정지비행 제어 방법"}],
    }
    values.update(overrides)
    return products.ProductInput(**values)


def test_product_lifecycle(app, db_session):
    supplier = factories.user_with_role("supplier")
    product = in_request(app, products.create_product, supplier, product_input())
    assert product.status == "draft" and product.certifications[0].valid_until.year == 2028
    for target in ("listed", "suspended", "listed", "archived"):
        in_request(app, products.change_status, supplier, product, target)
        assert product.status == target
    with pytest.raises(Conflict):
        in_request(app, products.change_status, supplier, product, "listed")


def test_operator_suspension_needs_a_reason_and_only_an_operator_lifts_it(app, db_session):
    supplier = factories.user_with_role("supplier")
    operator = factories.user_with_role("operator")
    product = in_request(app, products.create_product, supplier, product_input())
    in_request(app, products.change_status, supplier, product, "listed")
    with pytest.raises(Invalid):
        in_request(app, products.change_status, operator, product, "suspended", "")
    in_request(app, products.change_status, operator, product, "suspended", "허위 인증서 확인 중")
    with pytest.raises(Invalid):
        in_request(app, products.change_status, supplier, product, "listed")
    in_request(app, products.change_status, operator, product, "listed")
    assert product.status == "listed"
    with pytest.raises(Forbidden):
        in_request(app, products.change_status, operator, product, "archived")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trl", 10),
        ("trl", 0),
        ("price", -1),
        ("regions", ["00"]),
        ("specs", [{"value": "이름 없음"}]),
        ("certifications", [{"kind": "KC", "valid_until": "내년"}]),
        ("name", ""),
    ],
)
def test_product_bad_input(app, db_session, field, value):
    supplier = factories.user_with_role("supplier")
    with pytest.raises(Invalid) as refused:
        in_request(app, products.create_product, supplier, product_input(**{field: value}))
    assert any(e.field.startswith(field) for e in refused.value.errors)


def test_other_suppliers_cannot_edit_and_drafts_are_private(app, client_as, db_session):
    supplier = factories.user_with_role("supplier")
    product = in_request(app, products.create_product, supplier, product_input(name="비공개 제품"))
    rival = factories.user_with_role("supplier")
    with pytest.raises(Forbidden):
        in_request(app, products.update_product, rival, product, product_input(), product.version)
    anonymous, _ = client_as(None)
    assert anonymous.get(f"/products/{product.id}").status_code == 404
    in_request(app, products.change_status, supplier, product, "listed")
    page = anonymous.get(f"/products/{product.id}").get_data(as_text=True)
    assert "비공개 제품" in page and "10-2345678" in page and "KC 인증" in page


def test_supplier_lists_a_product_through_the_pages(client, login, db_session):
    supplier = login(factories.user_with_role("supplier"))
    form = {
        "name": "청소 로봇 C2",
        "summary": "공공청사 바닥 청소 로봇",
        "codes": "90900000",
        "trl": "9",
        "price": "15000000",
        "unit": "대",
        "language": "ko",
        "regions": ["11", "41"],
        "specs-0-name": "청소 면적",
        "specs-0-value": "1200",
        "specs-0-unit": "㎡/h",
    }
    assert client.post("/products/new", data=form).status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "청소 로봇 C2"))
    assert product.supplier_id == supplier.organisation_id and product.regions == ["11", "41"]
    # The regions are KRDS checkboxes (KRDS hides the native box and draws one for
    # .krds-form-check labels only), and the chosen ones show as checked.
    edit = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    boxes = re.findall(r'<li class="krds-form-check">(<input[^>]*name="regions"[^>]*>)<label', edit)
    assert len(boxes) == 17
    assert sorted(re.search(r'value="(\d+)"', b)[1] for b in boxes if "checked" in b) == [
        "11",
        "41",
    ]
    # The button posts the version the page showed; without it the change is refused as stale.
    status_url = f"/products/{product.id}/status"
    assert client.post(status_url, data={"status": "listed"}).status_code == 409
    db.session.refresh(product)
    assert product.status == "draft"
    listed = client.post(status_url, data={"status": "listed", "version": product.version})
    assert listed.status_code == 302
    assert "청소 로봇 C2" in client.get("/products/?q=청소").get_data(as_text=True)


def test_idea_submit_moderate_adopt(app, db_session):
    citizen = factories.user_with_role("citizen")
    operator = factories.user_with_role("operator")
    officer = factories.user_with_role("officer")
    idea = in_request(
        app, ideas.submit_idea, citizen, title="버스정류장 폭염", problem="여름 정류장이 너무 덥다."
    )
    with pytest.raises(Conflict):
        in_request(app, ideas.adopt, officer, idea)
    with pytest.raises(Invalid):
        in_request(app, ideas.moderate, operator, idea, "rejected", "")
    in_request(app, ideas.moderate, operator, idea, "approved")
    demand = in_request(app, ideas.adopt, officer, idea)
    assert idea.status == "adopted" and demand.idea_id == idea.id and demand.status == "draft"
    assert demand.agency_id == officer.organisation_id
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == citizen.id)
    ).all()
    assert {"idea.moderated", "idea.adopted"} <= set(kinds)
    with pytest.raises(Conflict):
        in_request(app, ideas.adopt, factories.user_with_role("officer"), idea)


def test_unreviewed_ideas_are_private_and_only_operators_moderate(app, client_as, db_session):
    citizen = factories.user_with_role("citizen")
    idea = in_request(app, ideas.submit_idea, citizen, title="비공개 아이디어", problem="내용")
    anonymous, _ = client_as(None)
    assert anonymous.get(f"/ideas/{idea.id}").status_code == 404
    with pytest.raises(Forbidden):
        in_request(app, ideas.moderate, factories.user_with_role("officer"), idea, "approved")
    author, _ = client_as(None)
    author.post("/login", data={"email": citizen.email, "password": factories.PASSWORD})
    assert author.get(f"/ideas/{idea.id}").status_code == 200


def test_adopted_idea_link_is_shown_both_ways(app, client_as, db_session):
    citizen = factories.user_with_role("citizen")
    officer = factories.user_with_role("officer")
    idea = in_request(
        app, ideas.submit_idea, citizen, title="공원 화장실 안전", problem="야간에 어둡다."
    )
    in_request(app, ideas.moderate, factories.user_with_role("operator"), idea, "approved")
    demand = in_request(app, ideas.adopt, officer, idea)
    in_request(app, _complete_and_publish, app, officer, demand)
    anonymous, _ = client_as(None)
    assert "공원 화장실 안전" in anonymous.get(f"/demands/{demand.id}").get_data(as_text=True)
    assert f"/demands/{demand.id}" in anonymous.get(f"/ideas/{idea.id}").get_data(as_text=True)


def _complete_and_publish(app, officer, demand: Demand):
    from procure.demands import services

    services.update_demand(
        officer, demand, factories.demand_input(title=demand.title), demand.version
    )
    services.publish_demand(officer, demand)


def test_citizen_submits_through_the_page(client, login, db_session):
    login(factories.user_with_role("citizen"))
    response = client.post(
        "/ideas/new", data={"title": "무인 민원 안내", "problem": "민원실 안내 인력이 부족하다."}
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(select(CitizenIdea).where(CitizenIdea.title == "무인 민원 안내")).status
        == "submitted"
    )
    # A form that comes back with errors says so first in the title (read first by screen
    # readers); the same page without errors does not.
    refused = client.post("/ideas/new", data={"title": "", "problem": "설명"})
    assert refused.status_code in (400, 422)
    assert re.search(r"<title>(오류|Error): ", refused.get_data(as_text=True))
    assert not re.search(r"<title>(오류|Error): ", client.get("/ideas/new").get_data(as_text=True))


def test_an_error_in_a_row_names_the_row_and_marks_its_field(client, login, db_session):
    """Three rows refused for the same reason are told apart at the top of the form, and the
    refused fields are marked where they are; nothing is saved."""
    login(factories.user_with_role("supplier"))
    form = {
        "name": "측정 드론 M1",
        "summary": "하천 수위 측정 드론",
        "language": "ko",
        "specs-0-name": "비행시간",
        "specs-0-value": "40",
        "specs-1-value": "3",  # a value without a name
        "certifications-0-number": "KC-123",  # a number without a kind
        "patents-0-title": "수위 측정 방법",  # a title without a number
    }
    page = client.post("/products/new", data=form, headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Key specifications, row 2, Specification: This field is required." in html
    assert "Certifications, row 1, " in html and "Patents, row 1, " in html
    marked = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', html)
    assert {re.search(r'\sid="([^"]+)"', tag)[1] for tag in marked} == {
        "specs-1-name",
        "certifications-0-kind",
        "patents-0-number",
    }
    assert all("is-error" in tag for tag in marked)
    assert 'id="specs-1-name-error"' in html
    assert db.session.scalar(select(Product).where(Product.name == "측정 드론 M1")) is None


def test_the_product_form_reports_the_fields_and_the_rows_in_one_pass(client, login, db_session):
    """A field the form itself refuses (TRL 10) does not hide what the rules say about the
    rows and codes: everything is reported at once."""
    login(factories.user_with_role("supplier"))
    form = {
        "name": "측정 드론 M2",
        "summary": "하천 수위 측정 드론",
        "language": "ko",
        "trl": "10",
        "codes": "9999",
        "specs-0-value": "3",  # a value without a name
        "patents-0-title": "수위 측정 방법",  # a title without a number
    }
    page = client.post("/products/new", data=form, headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    summary = html[html.index('id="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    for where in ('href="#trl"', 'href="#codes"', "Key specifications, row 1", "Patents, row 1"):
        assert where in summary, where
    assert db.session.scalar(select(Product).where(Product.name == "측정 드론 M2")) is None


def test_an_idea_changed_after_the_operator_opened_it_is_not_published_unseen(app, client_as):
    citizen = factories.user_with_role("citizen")
    idea = in_request(
        app, ideas.submit_idea, citizen, title="버스 정류장 온열 의자", problem="겨울에 춥다."
    )
    operator, _ = client_as("operator")
    page = operator.get(f"/ideas/{idea.id}").get_data(as_text=True)
    shown = int(re.search(r'name="version" value="(\d+)"', page)[1])
    assert shown == idea.version
    in_request(
        app,
        ideas.update_idea,
        citizen,
        idea,
        idea.version,
        title="광고 링크 http://spam.example",
        problem="광고",
    )
    stale = operator.post(
        f"/ideas/{idea.id}/moderate", data={"decision": "approved", "version": str(shown)}
    )
    assert stale.status_code == 409
    db.session.refresh(idea)
    assert idea.status == "submitted"
    missing = operator.post(f"/ideas/{idea.id}/moderate", data={"decision": "approved"})
    assert missing.status_code == 409  # a post without the version read is not taken as current
    fresh = operator.post(
        f"/ideas/{idea.id}/moderate", data={"decision": "approved", "version": str(idea.version)}
    )
    assert fresh.status_code == 302


def test_a_specification_row_needs_both_a_name_and_a_value(app):
    supplier = factories.user_with_role("supplier")
    for row, field in (({"name": "무게", "value": ""}, "value"), ({"value": "3"}, "name")):
        with pytest.raises(Invalid) as refused:
            in_request(app, products.create_product, supplier, product_input(specs=[row]))
        assert [e.field for e in refused.value.errors] == [f"specs-0-{field}"]
