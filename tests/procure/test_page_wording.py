"""Wording a probe of the pages found wrong (2026-12-02): each page names things as the rest of
the site does, in the reader's language."""

from __future__ import annotations

import re

import pytest

import factories
from procure.extensions import db


@pytest.fixture(autouse=True)
def codes(db_session):
    factories.add_cpv_codes()


def english(app, login, user):
    client = factories.english_client(app)
    login(user, on=client)
    return client


def test_english_pages_name_agencies_in_english(app, login):
    agency = factories.user_with_role("officer").organisation
    supplier = english(app, login, factories.user_with_role("supplier"))
    form = supplier.get("/proposals/new").get_data(as_text=True)
    assert f">{agency.name_en}</option>" in form and f">{agency.name}</option>" not in form
    operator = english(app, login, factories.user_with_role("operator"))
    budgets = operator.get("/pilots/budgets").get_data(as_text=True)
    assert f">{agency.name_en}</option>" in budgets


def test_the_statistics_ignore_an_agency_filter_that_is_no_agency(app, login):
    supplier = factories.user_with_role("supplier").organisation
    agency = factories.user_with_role("officer").organisation
    client = factories.english_client(app)
    # The page's downloads carry the filters it applied: an agency's id, never a supplier's.
    kept = client.get(f"/pilots/stats?agency={agency.id}").get_data(as_text=True)
    assert re.search(rf'stats\.csv\?[^"]*agency={agency.id}', kept)
    page = client.get(f"/pilots/stats?agency={supplier.id}")
    assert page.status_code == 200
    assert not re.search(r'stats\.csv\?[^"]*agency=', page.get_data(as_text=True))


def test_organisation_as_a_kind_of_record_reads_agency_or_supplier_in_korean(app):
    """Alone, "Organisation" is 소속 (one's affiliation) in Korean; as the kind of a record (a
    search result, an audited record) it is 기관·기업."""
    from flask_babel import force_locale

    from procure import search_service
    from procure.labels import audited_record

    with app.test_request_context(), force_locale("ko"):
        assert str(search_service.TYPE_LABELS["organisation"]) == "기관·기업"
        assert audited_record("organisation", 3) == "기관·기업 #3"


def test_scheme_titles_not_keys_on_the_round_form(app, login):
    operator = english(app, login, factories.user_with_role("operator"))
    form = operator.get("/evaluation/rounds/new").get_data(as_text=True)
    option = re.search(r'<option[^>]*value="default-v1"[^>]*>([^<]*)</option>', form)[1]
    assert option == "Innovative product designation: innovation index (version 1)"


def test_titles_match_the_headings(app, login):
    from factories import in_request
    from procure.ideas import services as ideas

    citizen = factories.user_with_role("citizen")
    idea = in_request(app, ideas.submit_idea, citizen, title="정류장 의자", problem="춥다")
    page = english(app, login, citizen).get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert "<title>Edit your idea" in page and "<h1>Edit your idea</h1>" in page
    listing = factories.english_client(app).get("/organisations/?kind=agency")
    text = listing.get_data(as_text=True)
    assert "<title>Agencies" in text and "<h1>Agencies</h1>" in text


def test_the_closing_note_says_it_is_public(app, login):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    db.session.commit()
    page = english(app, login, officer).get(f"/demands/{demand.id}").get_data(as_text=True)
    assert "Public note" in page and "Do not name other suppliers." in page
