"""Repeated rows on the forms: full records open for editing, and too many rows are refused.

WTForms raises ``AssertionError`` when a row is added past a list's ``max_entries`` (a 500),
and silently keeps only the first ``max_entries`` rows of a submission (lost rows).
"""

from __future__ import annotations

import inspect

import pytest
from sqlalchemy import func, select
from wtforms import FieldList

import factories
from factories import english_client, in_request
from procure.demands import forms as demand_forms
from procure.demands import services as demands
from procure.demands.services import MAX_REQUIREMENTS, RequirementInput
from procure.extensions import db
from procure.forms import RowList
from procure.models import Demand, PilotPurchase, Product, ProductSpec, ReverseProposal
from procure.pilots import forms as pilot_forms
from procure.products import forms as product_forms
from procure.products import services as products
from procure.products.services import MAX_ROWS
from procure.proposals import forms as proposal_forms
from test_pilots_helpers import pilot_in_use

TOO_MANY_EN = "At most {n} rows can be entered; {sent} were sent. Nothing was saved."
TOO_MANY_KO = "최대 {n}행까지 입력할 수 있는데 {sent}행이 전송되었습니다."


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


def _requirements(n: int) -> list[RequirementInput]:
    return [RequirementInput(f"요구사항 {i}", str(i), "m", True) for i in range(n)]


def _row_count(page: str, prefix: str, field: str) -> int:
    """How many rows of ``prefix`` the page shows, counted by their ``field`` inputs."""
    return sum(1 for n in range(200) if f'name="{prefix}-{n}-{field}"' in page)


def _demand_post(n_rows: int, **extra) -> dict:
    form = {
        "title": "행 한도 시험",
        "problem": "요구사항이 아주 많은 수요",
        "demand_type": "purchase",
        "language": "ko",
        "codes": "35613000",
    }
    for i in range(n_rows):
        form[f"requirements-{i}-name"] = f"요구사항 {i}"
        form[f"requirements-{i}-target_value"] = str(i)
        form[f"requirements-{i}-mandatory"] = "y"
    form.update(extra)
    return form


# -- every repeated group is a RowList, as large as its service allows ---------------------


def test_every_repeated_group_refuses_extra_rows_and_fits_its_services_limit():
    groups = {}
    for module in (demand_forms, product_forms, proposal_forms, pilot_forms):
        for form_name, form_class in inspect.getmembers(module, inspect.isclass):
            for name, unbound in vars(form_class).items():
                field_class = getattr(unbound, "field_class", None)
                if field_class is not None and issubclass(field_class, FieldList):
                    assert issubclass(field_class, RowList), f"{form_name}.{name}"
                    groups[f"{form_name}.{name}"] = unbound.kwargs["max_entries"]
    assert groups["DemandForm.requirements"] == MAX_REQUIREMENTS
    assert groups["ProposalForm.responses"] == MAX_REQUIREMENTS  # one answer per requirement
    for name in ("specs", "certifications", "patents"):
        assert groups[f"ProductForm.{name}"] == MAX_ROWS
    assert groups["ReportForm.measurements"] >= MAX_ROWS  # one row per specification


# -- full records open for editing ---------------------------------------------------------


@pytest.mark.parametrize("n", [MAX_REQUIREMENTS - 2, MAX_REQUIREMENTS - 1, MAX_REQUIREMENTS])
def test_a_demand_with_the_most_requirements_opens_for_editing(app, officer, client, login, n):
    demand = in_request(
        app,
        demands.create_demand,
        officer,
        factories.demand_input(requirements=_requirements(n)),
    )
    assert len(demand.requirements) == n
    login(officer)
    response = client.get(f"/demands/{demand.id}/edit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _row_count(page, "requirements", "name") == MAX_REQUIREMENTS  # blanks up to the limit
    assert f'value="요구사항 {n - 1}"' in page


def test_a_product_with_the_most_specs_opens_for_editing(app, supplier, client, login):
    data = products.ProductInput(
        name="사양 많은 제품",
        summary="사양이 아주 많다",
        codes=["35613000"],
        specs=[{"name": f"사양 {i}", "value": str(i), "unit": "mm"} for i in range(MAX_ROWS)],
        certifications=[{"kind": f"인증 {i}", "number": str(i)} for i in range(MAX_ROWS)],
        patents=[{"number": f"10-{i}", "title": f"특허 {i}"} for i in range(MAX_ROWS)],
    )
    product = in_request(app, products.create_product, supplier, data)
    assert len(product.specs) == MAX_ROWS
    login(supplier)
    response = client.get(f"/products/{product.id}/edit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _row_count(page, "specs", "name") == MAX_ROWS
    assert _row_count(page, "patents", "number") == MAX_ROWS
    assert f'value="사양 {MAX_ROWS - 1}"' in page


def _pilot_for_product_with_specs(app, n: int):
    w, _round, pilot = pilot_in_use(app)
    product = db.session.get(Product, pilot.product_id)
    for i in range(n):
        product.specs.append(ProductSpec(position=i, name=f"사양 {i}", value=str(i), unit="W"))
    db.session.flush()
    return w, pilot


def test_the_field_report_of_a_product_with_the_most_specs_opens(app, login, db_session):
    w, pilot = _pilot_for_product_with_specs(app, MAX_ROWS)
    client = english_client(app)
    login(w["officers"][0], on=client)
    response = client.get(f"/pilots/{pilot.id}/report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _row_count(page, "measurements", "name") == MAX_ROWS  # one row per specification
    assert f'value="사양 {MAX_ROWS - 1}"' in page


# -- too many rows are refused, never cut -------------------------------------------------


def test_the_most_requirements_are_accepted_through_the_form(officer, client, login):
    login(officer)
    response = client.post("/demands/new", data=_demand_post(MAX_REQUIREMENTS))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    demand = db.session.scalar(select(Demand).where(Demand.title == "행 한도 시험"))
    assert len(demand.requirements) == MAX_REQUIREMENTS


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", TOO_MANY_EN), ("ko", TOO_MANY_KO)],
    ids=["en", "ko"],
)
@pytest.mark.parametrize("sent", [MAX_REQUIREMENTS + 1, 80])
def test_more_requirements_than_the_limit_are_refused_not_cut(
    officer, client, login, language, expected, sent
):
    login(officer)
    response = client.post(
        "/demands/new", data=_demand_post(sent), headers={"Accept-Language": language}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert expected.format(n=MAX_REQUIREMENTS, sent=sent) in page
    assert db.session.scalar(select(Demand).where(Demand.title == "행 한도 시험")) is None


def test_an_edit_with_too_many_requirements_changes_nothing(app, officer, client, login):
    demand = in_request(app, demands.create_demand, officer, factories.demand_input())
    login(officer)
    form = _demand_post(MAX_REQUIREMENTS + 1, version=str(demand.version))
    response = client.post(
        f"/demands/{demand.id}/edit", data=form, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert TOO_MANY_EN.format(n=MAX_REQUIREMENTS, sent=MAX_REQUIREMENTS + 1) in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).title == "해안 순찰용 드론"
    assert len(db.session.get(Demand, demand.id).requirements) == 3


def test_a_row_number_that_is_not_an_ascii_digit_is_no_server_error(officer, client, login):
    login(officer)
    form = _demand_post(1, **{"requirements-²-name": "윗첨자"})
    response = client.post("/demands/new", data=form)
    assert response.status_code == 302
    demand = db.session.scalar(select(Demand).where(Demand.title == "행 한도 시험"))
    assert [r.name for r in demand.requirements] == ["요구사항 0"]


def test_a_message_about_the_whole_group_reaches_the_page(officer, client, login):
    """Two rows with one name: the group's own message (not a row's) is shown at the top and
    above the rows, not only "check the rows"."""
    login(officer)
    form = _demand_post(3, **{"requirements-2-name": "요구사항 0", "requirements-1-name": ""})
    form["requirements-1-target_value"] = ""
    response = client.post("/demands/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Give each requirement a different name.") == 2  # summary and group
    assert "Check the requirement rows." not in page


@pytest.mark.parametrize("group", ["specs", "certifications", "patents"])
def test_more_product_rows_than_the_limit_are_refused(supplier, client, login, group):
    login(supplier)
    first = {"specs": "name", "certifications": "kind", "patents": "number"}[group]
    form = {
        "name": "행이 너무 많은 제품",
        "summary": "요약",
        "codes": "35613000",
        "language": "ko",
        **{f"{group}-{i}-{first}": f"항목 {i}" for i in range(MAX_ROWS + 1)},
    }
    response = client.post("/products/new", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert TOO_MANY_EN.format(n=MAX_ROWS, sent=MAX_ROWS + 1) in response.get_data(as_text=True)
    assert db.session.scalar(select(Product).where(Product.name == "행이 너무 많은 제품")) is None


def _report_post(measurements: int, defects: int = 0) -> dict:
    form = {"summary": "요약", "satisfaction": "4", "would_buy_again": "yes"}
    for i in range(measurements):
        form |= {
            f"measurements-{i}-name": f"사양 {i}",
            f"measurements-{i}-target": str(i),
            f"measurements-{i}-measured": str(i),
            f"measurements-{i}-met": "y",
        }
    for i in range(defects):
        form[f"defects-{i}-description"] = f"결함 {i}"
    return form


def test_a_field_report_on_every_spec_is_filed(app, login, db_session):
    w, pilot = _pilot_for_product_with_specs(app, MAX_ROWS)
    client = english_client(app)
    login(w["officers"][0], on=client)
    response = client.post(f"/pilots/{pilot.id}/report", data=_report_post(MAX_ROWS))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert len(db.session.get(PilotPurchase, pilot.id).report.measurements) == MAX_ROWS


@pytest.mark.parametrize(
    ("measurements", "defects", "limit", "sent"),
    [
        (MAX_ROWS + 1, 0, MAX_ROWS, MAX_ROWS + 1),
        (1, pilot_forms.MAX_DEFECTS + 1, pilot_forms.MAX_DEFECTS, pilot_forms.MAX_DEFECTS + 1),
    ],
)
def test_a_field_report_with_too_many_rows_is_refused(
    app, login, db_session, measurements, defects, limit, sent
):
    w, pilot = _pilot_for_product_with_specs(app, 3)
    client = english_client(app)
    login(w["officers"][0], on=client)
    response = client.post(f"/pilots/{pilot.id}/report", data=_report_post(measurements, defects))
    assert response.status_code == 400
    assert TOO_MANY_EN.format(n=limit, sent=sent) in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(PilotPurchase, pilot.id).report


# -- proposals: one answer row per requirement -----------------------------------------------


def _proposal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ReverseProposal))


def test_a_proposal_with_a_full_set_of_foreign_answers_is_no_server_error(
    app, officer, supplier, client, login
):
    demand = factories.published_demand(app, officer)
    login(supplier)
    before = _proposal_count()
    form = {"title": "x"} | {
        f"responses-{i}-requirement_id": "999999" for i in range(MAX_REQUIREMENTS)
    }
    response = client.post(f"/proposals/new?demand={demand.id}", data=form)
    assert response.status_code == 400
    form["summary"] = "설명"  # complete: the rules refuse the answers to unknown requirements
    response = client.post(
        f"/proposals/new?demand={demand.id}", data=form, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "This answer is for a requirement the demand does not have." in response.get_data(
        as_text=True
    )
    assert _proposal_count() == before


def test_a_proposal_with_more_answers_than_requirements_allowed_is_refused(
    app, officer, supplier, client, login
):
    demand = factories.published_demand(app, officer, requirements=_requirements(MAX_REQUIREMENTS))
    login(supplier)
    before = _proposal_count()
    page = client.get(f"/proposals/new?demand={demand.id}")
    assert page.status_code == 200
    assert _row_count(page.get_data(as_text=True), "responses", "requirement_id") == (
        MAX_REQUIREMENTS
    )
    form = {"title": "x", "summary": "설명"} | {
        f"responses-{i}-requirement_id": str(r.id) for i, r in enumerate(demand.requirements)
    }
    form[f"responses-{MAX_REQUIREMENTS}-requirement_id"] = str(demand.requirements[0].id)
    response = client.post(
        f"/proposals/new?demand={demand.id}", data=form, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert TOO_MANY_EN.format(n=MAX_REQUIREMENTS, sent=MAX_REQUIREMENTS + 1) in (
        response.get_data(as_text=True)
    )
    assert _proposal_count() == before
