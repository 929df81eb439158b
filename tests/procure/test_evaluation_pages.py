"""The evaluation pages: operators run rounds, evaluators declare and score, everyone sees
certificates, suppliers see anonymised comments on their product page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import factories
from factories import english_client, in_request
from procure.clock import local_today
from procure.evaluation import services
from procure.extensions import db
from procure.models import Designation, EvaluationRound
from procure.models.base import utcnow
from test_evaluation_common import (
    SCHEME,
    criterion_levels,
    declare_and_submit,
    listed_product,
    make_round,
    sheet_input,
)


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


@pytest.fixture
def signed_in(app, login):
    def make(user, language="en"):
        new_client = english_client(app)
        new_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        login(user, on=new_client)
        return new_client

    return make


def sheet_form(level="good", **levels) -> dict:
    form = {f"level-{i.id}": levels.get(i.id, level) for i in SCHEME.items}
    form.update({f"gate-{g.id}": "yes" for g in SCHEME.gates})
    form.update({f"comment-{c.id}": f"{c.id} 평가 의견" for c in SCHEME.criteria})
    return form


def test_a_round_through_the_pages(app, signed_in):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(3)]
    product = listed_product(app, supplier)
    op = signed_in(operator)
    form = op.get("/evaluation/rounds/new").get_data(as_text=True)
    assert product.name in form and panel[0].email in form
    # Several rows of each list show at once, with how to choose more than one.
    panel_list = re.search(r'<select[^>]*id="evaluator_ids"[^>]*>', form)[0]
    assert "multiple" in panel_list and re.search(r'size="(\d+)"', panel_list)[1] == "4"
    assert 'aria-describedby="evaluator_ids-multiple"' in panel_list
    assert 'id="evaluator_ids-multiple">Hold Ctrl' in form
    response = op.post(
        "/evaluation/rounds/new",
        data={
            "title": "",
            "scheme": "default-v1",
            "deadline": (local_today() + timedelta(days=7)).isoformat(),
            "product_ids": [product.id],
            "evaluator_ids": [e.id for e in panel],
        },
    )
    assert response.status_code == 400
    impossible = op.post(
        "/evaluation/rounds/new",
        data={
            "title": "없는 날짜",
            "scheme": "default-v1",
            "deadline": "2027-02-30",
            "product_ids": [product.id],
            "evaluator_ids": [e.id for e in panel],
        },
    )
    assert impossible.status_code == 400
    text = impossible.get_data(as_text=True)
    assert "Not a valid date value." in text and "Deadline: This field is required." not in text
    # Values that are not on the lists: one message of ours, not WTForms' raw wording.
    for bad in ("zz", "99999999"):
        refused = op.post(
            "/evaluation/rounds/new",
            data={
                "title": "목록 밖 선택",
                "scheme": "default-v1",
                "deadline": (local_today() + timedelta(days=7)).isoformat(),
                "product_ids": [bad],
                "evaluator_ids": [bad],
            },
        )
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400
        assert page.count("Choose only from the list: one of the chosen items is not") >= 2
        assert "coerced" not in page and "not a valid choice" not in page
    response = op.post(
        "/evaluation/rounds/new",
        data={
            "title": "2026 지정 평가",
            "scheme": "default-v1",
            "deadline": (local_today() + timedelta(days=7)).isoformat(),
            "product_ids": [product.id],
            "product_kind": "proven",
            "evaluator_ids": [e.id for e in panel],
        },
    )
    assert response.status_code == 302
    round_ = db.session.scalar(
        select(EvaluationRound).where(EvaluationRound.title == "2026 지정 평가")
    )
    item = round_.items[0]
    assert item.product_kind == "proven"
    # Evaluators see nothing of a draft round.
    first = signed_in(panel[0])
    assert first.get(f"/evaluation/rounds/{round_.id}").status_code == 404
    assert (
        op.post(
            f"/evaluation/rounds/{round_.id}/open", data={"version": round_.version}
        ).status_code
        == 302
    )
    page = first.get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    assert "Declare conflicts" in page
    # The dossier stays closed until the declaration.
    assert first.get(f"/evaluation/items/{item.id}/sheet").status_code == 403
    assert (
        first.post(
            f"/evaluation/items/{item.id}/conflict", data={"has_conflict": "yes"}
        ).status_code
        == 422
    )
    response = first.post(f"/evaluation/items/{item.id}/conflict", data={"has_conflict": "no"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sheet")
    # The sheet shows the rubric descriptors in the page's language.
    page = first.get(f"/evaluation/items/{item.id}/sheet").get_data(as_text=True)
    novelty = SCHEME.item("novelty")
    assert novelty.descriptors["good"].en in page and novelty.descriptors["good"].ko not in page
    korean = signed_in(panel[0], "ko")
    assert novelty.descriptors["good"].ko in korean.get(
        f"/evaluation/items/{item.id}/sheet"
    ).get_data(as_text=True)
    # A gate answered with anything but yes or no is refused, not saved as unanswered.
    gate = SCHEME.gates[0].id
    refused = first.post(
        f"/evaluation/items/{item.id}/sheet",
        data={**sheet_form(), f"gate-{gate}": "maybe", "action": "save", "version": 0},
    )
    assert refused.status_code == 422
    assert "Choose yes or no." in refused.get_data(as_text=True)
    assert services.sheet_of(panel[0].id, item) is None
    # Save a draft, then submit.
    response = first.post(
        f"/evaluation/items/{item.id}/sheet", data={**sheet_form(), "action": "save", "version": 0}
    )
    assert response.status_code == 302
    row = services.sheet_of(panel[0].id, item)
    assert row.status == "draft"
    stale = first.post(
        f"/evaluation/items/{item.id}/sheet", data={**sheet_form(), "action": "save", "version": 0}
    )
    assert stale.status_code == 409
    response = first.post(
        f"/evaluation/items/{item.id}/sheet",
        data={**sheet_form(), "action": "submit", "version": row.version},
    )
    assert response.status_code == 302
    second = signed_in(panel[1])
    second.post(f"/evaluation/items/{item.id}/conflict", data={"has_conflict": "no"})
    second.post(
        f"/evaluation/items/{item.id}/sheet",
        data={**sheet_form(), "action": "submit", "version": 0},
    )
    # The third scores Technology far below the others: the page asks for a justification.
    third = signed_in(panel[2])
    third.post(f"/evaluation/items/{item.id}/conflict", data={"has_conflict": "no"})
    harsh = sheet_form(**criterion_levels("technology", "very_poor"))
    response = third.post(
        f"/evaluation/items/{item.id}/sheet", data={**harsh, "action": "submit", "version": 0}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "differs markedly" in page and 'name="justification-technology"' in page
    assert "24" not in re.sub(r"<[^>]+>", "", page.split('id="form-errors"')[1].split("</div>")[0])
    harsh["justification-technology"] = "시험 데이터 부족"
    response = third.post(
        f"/evaluation/items/{item.id}/sheet", data={**harsh, "action": "submit", "version": 0}
    )
    assert response.status_code == 302
    # The operator's overview, then close and decide.
    db.session.refresh(round_)
    page = op.get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    assert page.count(">Submitted<") == 3 and ">Sheets submitted<" in page
    assert (
        op.post(
            f"/evaluation/rounds/{round_.id}/close", data={"version": round_.version}
        ).status_code
        == 302
    )
    page = op.get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    assert "Kendall" in page and "ICC(2,1)" in page
    # One dossier cannot measure agreement: said in the reader's language, with the counts.
    assert "Needs at least 2 dossiers and 2 evaluators who scored them all (here 1 and 3)." in page
    assert "needs at least" not in page
    page = op.get(f"/evaluation/items/{item.id}").get_data(as_text=True)
    assert "Record the decision" in page and panel[2].name in page
    assert (
        op.post(f"/evaluation/items/{item.id}/decide", data={"decision": "override"}).status_code
        == 422
    )
    assert (
        op.post(f"/evaluation/items/{item.id}/decide", data={"decision": "confirm"}).status_code
        == 302
    )
    db.session.refresh(item)
    assert item.decision == "confirmed"
    designation = db.session.scalar(select(Designation).where(Designation.item_id == item.id))
    assert designation is not None


def test_overview_shows_late_and_missing_evaluations(app, signed_in):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(3)]
    product = listed_product(app, supplier)
    from test_evaluation_common import make_round

    round_ = make_round(app, operator, [product], panel)
    item = round_.items[0]
    declare_and_submit(app, panel[0], item)
    declare_and_submit(app, panel[1], item, submit=False)
    in_request(app, services.declare_conflict, panel[2], item, True, "가족 회사")
    round_.deadline = utcnow() - timedelta(hours=1)
    db.session.flush()
    page = signed_in(operator).get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    assert ">Submitted<" in page and "conflict of interest" in page
    assert "deadline passed" in page and page.count(">overdue<") == 1  # the draft
    late = signed_in(panel[1]).get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    assert ">overdue<" in late


def _designated_product(app):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator", name=f"심사위원{n}") for n in range(3)]
    product = listed_product(app, supplier)
    from test_evaluation_common import make_round

    round_ = make_round(app, operator, [product], panel)
    item = round_.items[0]
    for n, evaluator in enumerate(panel):
        declare_and_submit(app, evaluator, item, sheet_input("good", comment=f"의견 번호 {n}"))
    in_request(app, services.close_round, operator, round_)
    in_request(app, services.decide_item, operator, item, "confirm")
    designation = db.session.scalar(select(Designation).where(Designation.item_id == item.id))
    return operator, supplier, panel, product, designation


def test_certificate_page_is_public(app, client, signed_in):
    operator, _supplier, _panel, product, designation = _designated_product(app)
    response = client.get(f"/evaluation/designations/{designation.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert designation.number in page and product.name in page
    assert f"Designated until {designation.ends_on.isoformat()}" in page
    assert "<svg" in page and "<polygon" in page and "80.00" in page
    assert "<script" not in page.split("</main>")[0].split("<main")[-1] and " style=" not in page
    assert "Revoke" not in page
    op = signed_in(operator)
    assert "Revoke" in op.get(f"/evaluation/designations/{designation.id}").get_data(as_text=True)
    response = op.post(
        f"/evaluation/designations/{designation.id}/extend", data={"version": designation.version}
    )
    db.session.refresh(designation)
    assert response.status_code == 302 and designation.extensions == 1
    assert (
        op.post(
            f"/evaluation/designations/{designation.id}/revoke", data={"reason": ""}
        ).status_code
        == 422
    )
    too_long = op.post(
        f"/evaluation/designations/{designation.id}/revoke",
        data={"reason": "가" * 5001, "version": designation.version},
    )
    assert too_long.status_code == 422
    text = too_long.get_data(as_text=True)
    assert "5000" in text and "This field is required." not in text
    response = op.post(
        f"/evaluation/designations/{designation.id}/revoke",
        data={"reason": "허위 자료", "version": designation.version},
    )
    assert response.status_code == 302
    page = client.get(f"/evaluation/designations/{designation.id}").get_data(as_text=True)
    assert "revoked" in page and "허위 자료" in page
    assert client.get("/evaluation/designations/999999").status_code == 404


def test_product_page_shows_index_and_anonymised_comments(app, client, signed_in):
    _operator, supplier, panel, product, designation = _designated_product(app)
    public = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Designated innovative product until" in public and designation.number in public
    assert "<svg" in public
    assert "의견 번호" not in public  # comments only for the supplier and operators
    own = signed_in(supplier).get(f"/products/{product.id}").get_data(as_text=True)
    assert "History of evaluations" in own
    assert all(f"의견 번호 {n}" in own for n in range(3))
    assert not any(e.name in own or e.email in own for e in panel)
    # Suppliers never reach individual scores.
    item_id = designation.item_id
    assert signed_in(supplier).get(f"/evaluation/items/{item_id}").status_code == 403


def test_pages_in_korean_use_the_scheme_labels(app, signed_in):
    _operator, _supplier, _panel, _product, designation = _designated_product(app)
    korean = english_client(app)
    korean.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    page = korean.get(f"/evaluation/designations/{designation.id}").get_data(as_text=True)
    assert SCHEME.criterion("technology").label.ko in page
    assert SCHEME.title.ko in page


def test_a_confidential_proposal_is_shown_only_to_unconflicted_panel_members(app, signed_in):
    from test_evaluation_common import make_round

    operator = factories.user_with_role("operator")
    officer = factories.user_with_role("officer")
    supplier = factories.user_with_role("supplier")
    demand = factories.published_demand(app, officer)
    proposal = factories.answered_proposal(app, supplier, demand, summary="기밀 제안 내용 XYZ")
    clean, conflicted = (factories.user_with_role("evaluator") for _ in range(2))
    round_ = make_round(app, operator, [proposal], [clean, conflicted])
    item = round_.items[0]
    assert item.proposal_id == proposal.id
    in_request(app, services.declare_conflict, conflicted, item, True, "경쟁사 자문")
    blocked = signed_in(conflicted)
    assert blocked.get(f"/evaluation/items/{item.id}/sheet").status_code == 403
    assert "XYZ" not in blocked.get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    reader = signed_in(clean)
    assert reader.get(f"/evaluation/items/{item.id}/sheet").status_code == 403
    reader.post(f"/evaluation/items/{item.id}/conflict", data={"has_conflict": "no"})
    page = reader.get(f"/evaluation/items/{item.id}/sheet").get_data(as_text=True)
    assert "기밀 제안 내용 XYZ" in page and "confidential" in page


def test_a_conflict_declared_after_submitting_warns_and_withdraws_the_scores(app, signed_in):
    """An evaluator may find a conflict after scoring; the form says the submitted scores will
    stop counting, the flash confirms it, the audit trail records it, and they are dropped."""
    from procure.models import AuditEvent
    from test_evaluation_common import make_round

    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(4)]
    round_ = make_round(app, operator, [listed_product(app, supplier)], panel)
    item = round_.items[0]
    for evaluator in panel[:3]:
        declare_and_submit(app, evaluator, item)
    assert len(services.counted_sheets(item)) == 3
    late = signed_in(panel[0])
    page = late.get(f"/evaluation/items/{item.id}/conflict").get_data(as_text=True)
    assert "You have already submitted your scores for this dossier." in page
    stranger = signed_in(factories.user_with_role("evaluator"))  # not on the panel
    assert stranger.get(f"/evaluation/items/{item.id}/conflict").status_code == 404
    response = late.post(
        f"/evaluation/items/{item.id}/conflict",
        data={"has_conflict": "yes", "note": "배우자가 해당 기업 임원으로 확인됨"},
        follow_redirects=True,
    )
    assert "The scores you submitted for this dossier no longer count." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert len(services.counted_sheets(item)) == 2
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "evaluation.conflict_declared")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["submitted_sheet_withdrawn"] is True
    # A panel member who has not submitted sees the form without the warning.
    other = signed_in(panel[3]).get(f"/evaluation/items/{item.id}/conflict")
    assert other.status_code == 200 and "You have already submitted" not in other.get_data(
        as_text=True
    )


def test_every_agreement_reason_is_explained_in_the_readers_language(app):
    """Each reason the scoring library gives for a missing statistic has its own words in
    both languages; a statistic with a value shows it to three decimals."""
    from flask_babel import force_locale

    from procure.evaluation import labels
    from scoring.reliability import REASON_CODES, icc, kendalls_w

    measures = {
        "too_small": kendalls_w([[60, 80]]),
        "no_variance": kendalls_w([[70, 70], [70, 70], [70, 70]]),
        "undefined": icc([[0, 20], [20, 0]])[1],
    }
    assert set(measures) == set(REASON_CODES)
    with app.test_request_context():
        for code, measure in measures.items():
            stored = measure.to_dict()
            assert stored["reason_code"] == code
            with force_locale("en"):
                english = labels.measure(stored)
            with force_locale("ko"):
                korean = labels.measure(stored)
            assert english != stored["reason"] and english != korean, code
            assert re.search("[가-힣]", korean), korean
        with force_locale("ko"):
            assert labels.measure(kendalls_w([[1, 2], [2, 1], [3, 3]]).to_dict()) == "0.750"


def test_dashboards_show_the_work_waiting(app, signed_in):
    from test_evaluation_common import setup

    operator, _supplier, panel, _items, round_ = setup(app, evaluators=2, product_count=2)
    evaluator = panel[0]
    page = signed_in(evaluator).get("/dashboard").get_data(as_text=True)
    assert "Dossiers to score" in page and "2 to score by" in page
    declare_and_submit(app, evaluator, round_.items[0], sheet_input("good"))
    page = signed_in(evaluator).get("/dashboard").get_data(as_text=True)
    assert "1 to score by" in page
    declare_and_submit(app, evaluator, round_.items[1], sheet_input("good"))
    page = signed_in(evaluator).get("/dashboard").get_data(as_text=True)
    assert "Dossiers to score" not in page
    # The operator's list counts what waits for them.
    round_.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = signed_in(operator).get("/dashboard").get_data(as_text=True)
    assert re.search(r"past their deadline, to close</a> \(1\)", page)
    assert re.search(r"awaiting a verdict</a> \(0\)", page)


def test_the_dossiers_to_score_leave_out_conflicts_and_ones_own_and_take_one_query(app, signed_in):
    from test_evaluation_common import listed_product, make_round, setup
    from test_query_counts import count_queries

    operator, supplier, panel, _items, round_ = setup(app, evaluators=2, product_count=2)
    evaluator = panel[0]
    in_request(app, services.declare_conflict, evaluator, round_.items[0], True, "전 직장")
    assert [(r.id, n) for r, n in services.rounds_awaiting(evaluator)] == [(round_.id, 1)]
    # A member of the supplier who also evaluates: its own dossiers are never to score.
    insider = factories.user_with_role("evaluator", organisation=supplier.organisation)
    other = factories.user_with_role("supplier")
    mixed = make_round(
        app,
        operator,
        [listed_product(app, supplier, "자사 제품"), listed_product(app, other, "타사 제품")],
        [insider, panel[1]],
        title="섞인 회차",
    )
    assert [(r.id, n) for r, n in services.rounds_awaiting(insider)] == [(mixed.id, 1)]
    # The dashboard's count is one query, however many dossiers wait.
    client = signed_in(panel[1])
    counts = []
    for extra in (0, 5):
        if extra:
            make_round(
                app,
                operator,
                [listed_product(app, other, f"추가 제품 {n}") for n in range(extra)],
                [panel[1]],
                title="큰 회차",
            )
        client.get("/dashboard")
        with count_queries(db.engine) as statements:
            page = client.get("/dashboard").get_data(as_text=True)
        counts.append(len(statements))
    assert "5 to score by" in page
    assert counts[0] == counts[1], counts  # (it was 22 and 38 with a query per dossier)


def test_an_operator_changes_or_deletes_a_draft_round(app, signed_in):
    from procure.evaluation import applications
    from procure.models import AuditEvent

    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(2)]
    kept, dropped = (
        listed_product(app, supplier, "남길 제품"),
        listed_product(app, supplier, "뺄 제품"),
    )
    in_request(app, applications.apply, supplier, dropped)
    round_ = make_round(app, operator, [kept, dropped], panel, open_it=False, title="초안 회차")
    client = signed_in(operator)
    detail = client.get(f"/evaluation/rounds/{round_.id}").get_data(as_text=True)
    assert f"/evaluation/rounds/{round_.id}/edit" in detail
    assert f"/evaluation/rounds/{round_.id}/delete" in detail
    form = client.get(f"/evaluation/rounds/{round_.id}/edit").get_data(as_text=True)
    assert 'value="초안 회차"' in form and "Change the draft round" in form
    # Its own products are offered (and chosen), though a round holds them.
    for product in (kept, dropped):
        assert f'<option selected value="{product.id}">' in form
    deadline = (local_today() + timedelta(days=20)).isoformat()
    response = client.post(
        f"/evaluation/rounds/{round_.id}/edit",
        data={
            "title": "고친 회차",
            "scheme": "default-v1",
            "deadline": deadline,
            "product_ids": [str(kept.id)],
            "evaluator_ids": [str(u.id) for u in panel],
            "version": str(round_.version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(round_)
    assert round_.title == "고친 회차" and [i.product_id for i in round_.items] == [kept.id]
    # The product taken out waits for a round again.
    assert dropped.id in applications.waiting_product_ids()
    # Deleting the draft frees its products and is recorded.
    draft_id = round_.id
    response = client.post(
        f"/evaluation/rounds/{round_.id}/delete", data={"version": str(round_.version)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(EvaluationRound).where(EvaluationRound.id == draft_id)) is None
    assert services.undecided_round(kept.id) is None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "evaluation.round_deleted")
    )
    # An open round is neither changed nor deleted.
    opened = make_round(app, operator, [kept], panel, title="열린 회차")
    assert client.get(f"/evaluation/rounds/{opened.id}/edit").status_code == 409
    assert (
        client.post(
            f"/evaluation/rounds/{opened.id}/delete", data={"version": str(opened.version)}
        ).status_code
        == 409
    )
    # Evaluators cannot do either.
    evaluator = signed_in(panel[0])
    assert evaluator.get(f"/evaluation/rounds/{opened.id}/edit").status_code == 403
