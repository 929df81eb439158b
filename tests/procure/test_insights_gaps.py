"""Demand gaps in the app: the analysis, the CLI, the operator page and publishing R&D demand."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import factories
import matching.gaps as gaps_library
from factories import in_request
from matching.gaps import GapReport
from procure import policy
from procure.account.services import create_api_token
from procure.clock import local_today
from procure.demands import services as demands
from procure.errors import Forbidden
from procure.extensions import db
from procure.insights import runs, services
from procure.models import (
    AuditEvent,
    ClassificationCode,
    Demand,
    DemandType,
    GapAnalysisRun,
    Notification,
)
from procure.products import services as products

CATALOGUE = [
    ("해안 순찰 드론 H1", "정지비행과 안내방송 스피커를 갖춘 순찰용 드론", "35613000"),
    ("무인 감시 드론 S2", "열화상 카메라로 야간 순찰이 가능한 드론", "35613000"),
    ("산불 감시 드론 F3", "산불 감시용 자동 비행 드론", "35613000"),
    ("인체공학 민원실 의자", "장시간 대기에도 편안한 등받이 조절 의자", "39110000"),
    ("사무용 회전 의자", "높이 조절 바퀴 의자", "39110000"),
    ("대기실 의자", "장시간 착석용 대기실 의자", "39110000"),
]
DRONES = [
    ("해안 순찰용 드론", "해안 절벽 순찰 인력이 부족해 정지비행 드론으로 순찰한다.", 100_000_000),
    ("산불 감시 드론", "야간 산불 감시를 위한 열화상 드론으로 순찰한다.", 200_000_000),
    ("국립공원 드론 순찰", "국립공원 드론 순찰과 안내방송이 필요하다.", 50_000_000),
]
CHAIRS = [
    ("민원실 대기 의자", "장시간 대기하는 민원인을 위한 편안한 의자가 필요하다.", 10_000_000),
    ("사무용 의자 교체", "높이 조절이 가능한 사무용 의자로 교체한다.", 20_000_000),
    ("인체공학 의자 구매", "등받이 조절이 되는 인체공학 의자를 구매한다.", 30_000_000),
]
# The known gap: nobody lists a desalination unit.
WATER = [
    (
        "섬 지역 소형 해수담수화 장치",
        "도서 지역 식수가 부족해 소형 해수담수화 장치가 필요하다.",
        900_000_000,
    ),
    (
        "이동식 해수담수화 설비",
        "재난 때 식수를 공급할 이동식 해수담수화 설비가 필요하다.",
        700_000_000,
    ),
    (
        "태양광 해수담수화 장치",
        "전력이 없는 섬에서 태양광으로 해수담수화를 하려 한다.",
        500_000_000,
    ),
]
WATER_CODE = "42912300"


@pytest.fixture
def market(app, db_session):
    """Listed drones and chairs; published demands for drones, chairs and desalination."""
    factories.add_cpv_codes()
    db.session.add(
        ClassificationCode(
            scheme="CPV",
            code=WATER_CODE,
            level=5,
            label_en="Machinery and apparatus for filtering or purifying water",
        )
    )
    db.session.flush()
    supplier = factories.user_with_role("supplier")
    for name, summary, code in CATALOGUE:
        product = in_request(
            app,
            products.create_product,
            supplier,
            products.ProductInput(name=name, summary=summary, codes=[code]),
        )
        in_request(app, products.change_status, supplier, product, "listed")
    demands = {}
    for topic, rows, code in (
        ("drones", DRONES, "35613000"),
        ("chairs", CHAIRS, "39110000"),
        ("water", WATER, WATER_CODE),
    ):
        demands[topic] = [
            factories.published_demand(
                app,
                factories.user_with_role("officer"),
                title=title,
                problem=problem,
                desired_outcome="",
                budget=budget,
                codes=[code],
            )
            for title, problem, budget in rows
        ]
    app.extensions.pop("matcher", None)
    return demands


def text(response) -> str:
    """The page as text: entities decoded (messages are escaped, template text is not)."""
    return html.unescape(response.get_data(as_text=True))


def _ids(demands):
    return sorted(d.id for d in demands)


def _gap_of(analysis):
    assert len(analysis.report.gaps) == 1, [c.label_ko for c in analysis.report.clusters]
    return analysis.report.gaps[0]


def test_the_known_gap_is_found(app, market):
    analysis = in_request(app, services.analyse, 0, 2)
    gap = _gap_of(analysis)
    assert sorted(gap.demand_ids) == _ids(market["water"])
    assert gap.total_budget == 2_100_000_000 and len(gap.agencies) == 3
    assert "해수담수화" in gap.terms_ko
    # Korean text only: the English label comes from the cluster's CPV code.
    assert gap.label_en == "Machinery and apparatus for filtering or purifying water"
    served = [c for c in analysis.report.clusters if not c.is_gap]
    assert sorted(_ids(market["drones"]) + _ids(market["chairs"])) == sorted(
        i for c in served for i in c.demand_ids
    )
    assert all(c.supply > 0.5 for c in served)


def test_proposals_received_count_as_supply(app, market):
    supplier = factories.user_with_role("supplier")
    for demand in market["water"]:
        factories.answered_proposal(app, supplier, demand)
    analysis = in_request(app, services.analyse, 0, 2)
    water = next(c for c in analysis.report.clusters if market["water"][0].id in c.demand_ids)
    assert water.proposals == 3 and not water.is_gap
    assert analysis.report.gaps == []


def test_same_seed_gives_the_same_report(app, market):
    first = in_request(app, services.analyse, 5, 2).report.to_dict()
    again = in_request(app, services.analyse, 5, 2).report.to_dict()
    assert first == again and first["seed"] == 5


def test_cli_lists_the_gap_as_a_table_and_as_json(app, market):
    runner = app.test_cli_runner()
    table = runner.invoke(args=["insights", "gaps", "--seed", "0"])
    assert table.exit_code == 0, table.output
    assert "9 demands, 3 clusters" in table.output and "1 gaps" in table.output
    gap_lines = [line for line in table.output.splitlines() if line.startswith("GAP ")]
    assert any("해수담수화" in line for line in gap_lines)
    assert "섬 지역 소형 해수담수화 장치" in table.output
    first = runner.invoke(args=["insights", "gaps", "--json", "--seed", "3"])
    again = runner.invoke(args=["insights", "gaps", "--json", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert first.output == again.output
    report = json.loads(first.output)
    gaps = [c for c in report["clusters"] if c["is_gap"]]
    assert [sorted(d["id"] for d in c["demands"]) for c in gaps] == [_ids(market["water"])]
    only = json.loads(runner.invoke(args=["insights", "gaps", "--json", "--gaps-only"]).output)
    assert len(only["clusters"]) == 1
    bad = runner.invoke(args=["insights", "gaps", "--min-size", "0"])
    assert bad.exit_code != 0 and "min-size" in bad.output


def test_only_operators_see_the_page(app, market, client_as):
    for role, status in (("officer", 403), ("supplier", 403), ("citizen", 403)):
        client, _user = client_as(role)
        assert client.get("/admin/insights/gaps").status_code == status
    anonymous, _none = client_as(None)
    assert anonymous.get("/admin/insights/gaps").status_code == 302
    operator, _user = client_as("operator")
    page = text(operator.get("/admin/insights/gaps"))
    assert "Demand gaps" in page and "1 gaps" in page
    for demand in market["water"]:
        assert demand.title in page
    bad = operator.get("/admin/insights/gaps?seed=-1")
    assert bad.status_code == 400 and "Number must be" in text(bad)


def test_publish_creates_the_rnd_demand_once(app, market, client_as):
    operator_client, operator = client_as("operator")
    gap = _gap_of(in_request(app, services.analyse, 0, 2))
    detail = operator_client.get(f"/admin/insights/gaps/{gap.key}?seed=0&min_size=2")
    assert detail.status_code == 200
    assert "Publish as R&D demand" in text(detail)
    closes = (local_today() + timedelta(days=45)).isoformat()
    form = {"seed": "0", "min_size": "2", "title": "", "closes_on": closes}
    missing = operator_client.post(f"/admin/insights/gaps/{gap.key}/publish", data=form)
    assert missing.status_code == 400 and "This field is required." in missing.get_data(
        as_text=True
    )
    past = {**form, "title": "해수담수화 R&D", "closes_on": "2001-01-01"}
    refused = operator_client.post(f"/admin/insights/gaps/{gap.key}/publish", data=past)
    assert refused.status_code == 422
    assert "The closing date is in the past." in text(refused)
    assert db.session.scalar(select(Demand).where(Demand.source == "gap")) is None

    form["title"] = "소형 해수담수화 장치 수요기반 R&D"
    form["budget"] = "1500000000"
    response = operator_client.post(f"/admin/insights/gaps/{gap.key}/publish", data=form)
    assert response.status_code == 302
    demand = db.session.scalar(select(Demand).where(Demand.external_id == f"gap:{gap.key}"))
    assert demand is not None and response.headers["Location"].endswith(f"/demands/{demand.id}")
    assert demand.demand_type == DemandType.RND and demand.source == "gap"
    assert demand.status == "published" and demand.agency_id == operator.organisation_id
    assert demand.budget == 1_500_000_000 and demand.closes_on.isoformat() == closes
    for source in market["water"]:
        assert f"/demands/{source.id}" in demand.problem and source.title in demand.problem
    assert WATER_CODE in demand.code_values and demand.requirements
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.target_type == "demand", AuditEvent.target_id == str(demand.id)
            )
        )
    )
    assert {"demand.created", "demand.published", "insights.gap_published"} <= actions
    public = factories.english_client(app).get(f"/demands/{demand.id}")
    assert public.status_code == 200 and "소형 해수담수화 장치 수요기반 R&D" in text(public)

    # The R&D demand is not analysed itself, so the cluster stays and says it was published.
    page = operator_client.get(f"/admin/insights/gaps/{gap.key}?seed=0&min_size=2")
    assert page.status_code == 200 and "Published as R&D demand" in text(page)
    again = operator_client.post(f"/admin/insights/gaps/{gap.key}/publish", data=form)
    assert again.status_code == 409
    assert "already published as the R&D demand" in text(again)
    assert len(db.session.scalars(select(Demand).where(Demand.source == "gap")).all()) == 1


def test_a_cluster_with_supply_is_not_published(app, market, client_as):
    operator_client, _operator = client_as("operator")
    analysis = in_request(app, services.analyse, 0, 2)
    served = next(c for c in analysis.report.clusters if not c.is_gap)
    form = {"seed": "0", "min_size": "2", "title": "의자 R&D", "closes_on": "2099-01-01"}
    response = operator_client.post(f"/admin/insights/gaps/{served.key}/publish", data=form)
    assert response.status_code == 409
    assert "only gaps become R&D demands" in text(response)
    assert "answered well enough by the market" in text(response)
    unknown = operator_client.post("/admin/insights/gaps/0123456789abcdef/publish", data=form)
    assert unknown.status_code == 404


def test_a_cluster_too_small_for_the_analysis_is_refused_for_that_reason(app, market, client_as):
    operator_client, _operator = client_as("operator")
    gap = _gap_of(in_request(app, services.analyse, 0, 2))
    many = in_request(app, services.analyse, 0, 50)
    assert not next(c for c in many.report.clusters if c.key == gap.key).is_gap
    form = {"seed": "0", "min_size": "50", "title": "R&D", "closes_on": "2099-01-01"}
    response = operator_client.post(f"/admin/insights/gaps/{gap.key}/publish", data=form)
    assert response.status_code == 409
    assert f"has {gap.size} demands, fewer than the 50 this analysis asks of a gap" in text(
        response
    )


def test_a_key_no_cluster_can_have_is_404_before_any_analysis(app, market, client_as, monkeypatch):
    """A malformed key is refused at once: an analysis costs about a second."""
    operator_client, _operator = client_as("operator")
    analysed = []
    monkeypatch.setattr(services, "analyse", lambda *a: analysed.append(a))
    for key in ("nonexistent", "0123456789ABCDEF", "0123456789abcdef0", "%EC%9D%98"):
        response = operator_client.get(f"/admin/insights/gaps/{key}")
        assert response.status_code == 404
        assert "There is no such cluster" in text(response)
    assert analysed == []


def test_publishing_needs_the_csrf_token(app, market, client_as):
    operator_client, _operator = client_as("operator")
    gap = _gap_of(in_request(app, services.analyse, 0, 2))
    form = {"seed": "0", "min_size": "2", "title": "R&D", "closes_on": "2099-01-01"}
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = operator_client.post(f"/admin/insights/gaps/{gap.key}/publish", data=form)
        assert response.status_code == 400
        assert db.session.scalar(select(Demand).where(Demand.source == "gap")) is None
        page = text(operator_client.get(f"/admin/insights/gaps/{gap.key}"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = operator_client.post(
            f"/admin/insights/gaps/{gap.key}/publish", data={**form, "csrf_token": token}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert ok.status_code == 302


# -- stored analyses: a market too large to analyse while the page opens ------------------------


@pytest.fixture
def large(app, market, monkeypatch):
    """The market above, treated as large: the page shows stored runs only."""
    settings = dataclasses.replace(app.config["SETTINGS"], gap_live_max_demands=5)
    monkeypatch.setitem(app.config, "SETTINGS", settings)
    return market


def _runs():
    return db.session.scalars(select(GapAnalysisRun).order_by(GapAnalysisRun.id)).all()


def test_small_markets_are_analysed_as_the_page_opens(app, market, client_as):
    operator, _user = client_as("operator")
    page = text(operator.get("/admin/insights/gaps"))
    assert "Analysed just now, over all 9 published demands." in page
    assert "Analyse now" not in page and "Analyse again" not in page
    assert _runs() == []  # nothing stored: the page only reads


def test_a_large_market_shows_stored_runs_the_worker_makes(app, large, client_as):
    operator, user = client_as("operator")
    first = text(operator.get("/admin/insights/gaps"))
    assert "There is no analysis with these parameters yet. With 9 demands" in first
    assert "Analyse now" in first and "1 gaps" not in first
    water_title, user_id = large["water"][0].title, user.id  # the worker ends this session
    assert water_title not in first
    missing = operator.get("/admin/insights/gaps/0123456789abcdef?seed=0&min_size=2")
    assert missing.status_code == 404 and "no analysis with these parameters" in text(missing)

    asked = operator.post("/admin/insights/gaps/analyse", data={"seed": "0", "min_size": "2"})
    assert asked.status_code == 302 and "seed=0" in asked.headers["Location"]
    [run] = _runs()
    assert (run.status, run.seed, run.min_size, run.requested_by_id) == ("requested", 0, 2, user_id)
    run_id = run.id
    waiting = text(operator.get("/admin/insights/gaps"))
    assert "is waiting or running" in waiting and "Analyse now" not in waiting
    again = operator.post(
        "/admin/insights/gaps/analyse", data={"seed": "0", "min_size": "2"}, follow_redirects=True
    )
    assert "already waiting or running" in text(again) and len(_runs()) == 1
    audit = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "gap_analysis_run")
    ).all()
    assert audit == ["insights.gaps_requested"]

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert f"Gap analysis {run_id}: done" in result.output
    run = db.session.get(GapAnalysisRun, run_id)  # the worker began a new session
    assert run.status == "done" and run.demand_count == 9 and run.seconds >= 0
    ready = db.session.scalars(
        select(Notification).where(Notification.kind == "insights.gaps_analysed")
    ).all()
    # In the operator's language (Korean by default), in the centre and by e-mail.
    assert [(n.user_id, n.title) for n in ready] == [(user_id, "수요 공백 분석이 끝났습니다")]
    assert ready[0].body == "수요 9건, 군집 3개(시드 0), 수요 공백 1개."
    assert ready[0].link == "/admin/insights/gaps?seed=0&min_size=2"
    assert run.report == in_request(app, services.analyse, 0, 2).report.to_dict()

    stored = text(operator.get("/admin/insights/gaps"))
    assert "Stored analysis of" in stored and "over 9 demands" in stored and "1 gaps" in stored
    assert water_title in stored and "Analyse again" in stored
    assert "Demands were published, changed or closed" not in stored

    # A demand published since makes the stored run out of date; the page says so.
    officer = factories.user_with_role("officer")
    factories.published_demand(app, officer, title="새 수요", problem="새로운 문제")
    stale = text(operator.get("/admin/insights/gaps"))
    assert "Demands were published, changed or closed since this analysis (10 demands now)" in (
        stale
    )
    assert water_title in stale  # still shown, as analysed

    # The cluster pages and publishing work from the stored run.
    gap = GapReport.from_dict(run.report).gaps[0]
    detail = operator.get(f"/admin/insights/gaps/{gap.key}?seed=0&min_size=2")
    assert detail.status_code == 200 and water_title in text(detail)
    form = {"seed": "0", "min_size": "2", "title": "해수담수화 R&D", "closes_on": "2099-01-01"}
    published = operator.post(f"/admin/insights/gaps/{gap.key}/publish", data=form)
    assert published.status_code == 302
    assert db.session.scalar(select(Demand).where(Demand.external_id == f"gap:{gap.key}"))


def test_the_cli_stores_a_run_and_old_runs_are_pruned(app, large, client_as):
    runner = app.test_cli_runner()
    for _ in range(runs.KEEP_RUNS + 2):
        result = runner.invoke(args=["insights", "gaps", "--save", "--json"])
        assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    stored = _runs()
    assert len(stored) == runs.KEEP_RUNS and all(r.status == "done" for r in stored)
    assert stored[-1].report["clusters"][0]["key"] == report["clusters"][0]["key"]
    operator, _user = client_as("operator")
    assert "1 gaps" in text(operator.get("/admin/insights/gaps"))
    other = text(operator.get("/admin/insights/gaps?seed=4"))
    assert "There is no analysis with these parameters yet" in other  # runs are per parameters


def test_a_failed_run_is_shown_and_may_be_asked_again(app, large, client_as, monkeypatch):
    operator, _user = client_as("operator")
    operator.post("/admin/insights/gaps/analyse", data={"seed": "0", "min_size": "2"})

    class OutOfMemory:
        def __init__(self, *args, **kwargs):
            raise MemoryError("no memory for k-means")

    with monkeypatch.context() as broken:
        broken.setattr(gaps_library, "KMeans", OutOfMemory)
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    [run] = _runs()
    assert run.status == "failed" and "MemoryError: no memory for k-means" in run.error
    told = db.session.scalar(
        select(Notification).where(Notification.kind == "insights.gaps_analysed")
    )
    assert told.title == "수요 공백 분석이 실패했습니다" and "no memory for k-means" in told.body
    page = text(operator.get("/admin/insights/gaps"))
    assert "failed: MemoryError: no memory for k-means" in page and "Analyse now" in page
    retry = operator.post("/admin/insights/gaps/analyse", data={"seed": "0", "min_size": "2"})
    assert retry.status_code == 302 and len(_runs()) == 2
    assert runs.run_requested()[0].status == "done"
    page = text(operator.get("/admin/insights/gaps"))
    assert "failed" not in page and "1 gaps" in page


def test_an_abandoned_run_is_taken_up_again_and_claimed_once(app, large):
    operator = factories.user_with_role("operator")
    run = in_request(app, runs.request_run, operator, 0, 2)
    db.session.commit()
    assert runs.claim_next().id == run.id
    assert runs.claim_next() is None  # running: nobody else takes it
    assert in_request(app, runs.view, 0, 2).pending.id == run.id
    run.started_at = run.started_at - runs.STALE_RUNNING - timedelta(minutes=1)
    db.session.commit()
    assert in_request(app, runs.view, 0, 2).pending is None  # the page offers to ask again
    retaken = runs.claim_next()
    assert retaken.id == run.id and retaken.status == "running"
    assert runs.execute(retaken).status == "done"
    with pytest.raises(Forbidden):
        in_request(app, runs.request_run, factories.user_with_role("officer"), 0, 2)


def test_operators_run_the_rnd_demand_they_published(app, market, client_as):
    """A gap R&D demand belongs to the operators' organisation: they answer its questions,
    edit and close it and decide its proposals; nobody else's demands become theirs."""
    operator_client, operator = client_as("operator")
    analysis = in_request(app, services.analyse, 0, 2)
    gap = _gap_of(analysis)
    data = services.PublishInput(title="해수담수화 R&D", closes_on=local_today() + timedelta(30))
    demand = in_request(app, services.publish_gap, operator, analysis, gap.key, data)
    db.session.commit()
    assert policy.manages_demand(operator, demand) and policy.can_edit_demand(operator, demand)

    supplier = factories.user_with_role("supplier")
    question = in_request(app, demands.ask_question, supplier, demand, "시험 조건은 무엇인가요?")
    asked = db.session.scalars(
        select(Notification).where(Notification.kind == "question.asked")
    ).all()
    assert [n.user_id for n in asked] == [operator.id]  # the operators hear of it
    answer = operator_client.post(
        f"/demands/{demand.id}/questions/{question.id}/answer", data={"answer": "염분 35‰ 기준"}
    )
    assert answer.status_code == 302
    db.session.refresh(question)
    assert question.answer == "염분 35‰ 기준"

    # The API too: the operator's token answers (corrects) the answer.
    with app.test_request_context():
        _row, token = create_api_token(operator, "gap")
    api = operator_client.post(
        f"/api/v1/questions/{question.id}/answer",
        json={"answer": "염분 35‰, 수온 20℃ 기준"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200, api.get_data(as_text=True)
    db.session.refresh(question)
    assert question.answer == "염분 35‰, 수온 20℃ 기준"

    edit = operator_client.get(f"/demands/{demand.id}/edit")
    assert edit.status_code == 200
    changed = factories.demand_input(
        title=demand.title,
        problem=demand.problem,
        desired_outcome=demand.desired_outcome,
        demand_type=demand.demand_type,
        budget=2_000_000_000,
        quantity=None,
        region=None,
        closes_on=demand.closes_on,
        contact_name=demand.contact_name,
        contact_email=demand.contact_email,
        codes=demand.code_values,
        requirements=[
            demands.RequirementInput(r.name, r.target_value, r.unit, r.mandatory)
            for r in demand.requirements
        ],
    )
    in_request(app, demands.update_demand, operator, demand, changed, demand.version, "예산 확정")
    assert demand.revision == 2 and demand.budget == 2_000_000_000

    proposal = factories.answered_proposal(app, supplier, demand)
    assert policy.can_decide_proposal(operator, proposal)
    decided = operator_client.post(
        f"/proposals/{proposal.id}/decide",
        data={"decision": "shortlisted", "version": proposal.version},
    )
    assert decided.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "shortlisted"

    # Not theirs: another organisation's operator, an officer elsewhere, an agency's demand.
    stranger = factories.user_with_role("operator")
    assert not policy.manages_demand(stranger, demand)
    assert not policy.manages_demand(factories.user_with_role("officer"), demand)
    agency_demand = market["water"][0]
    assert not policy.manages_demand(operator, agency_demand)
    refused = operator_client.post(
        f"/demands/{agency_demand.id}/close", data={"outcome": "withdrawn"}
    )
    assert refused.status_code == 403
    db.session.refresh(agency_demand)
    assert agency_demand.status == "published"

    closed = operator_client.post(
        f"/demands/{demand.id}/close",
        data={"outcome": "unsuccessful", "outcome_note": "제안 부족", "version": demand.version},
    )
    assert closed.status_code == 302
    db.session.refresh(demand)
    assert demand.status == "closed"
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.target_type == "demand", AuditEvent.target_id == str(demand.id)
            )
        )
    )
    assert {"question.answered", "demand.updated", "demand.closed"} <= actions


def test_long_clusters_are_cut_and_deleted_demands_left_out(app, large, client_as, monkeypatch):
    """A stored report names demands by id: the list names a few per cluster, a demand deleted
    since is left out, and an R&D demand's problem text names at most MAX_LISTED_SOURCES."""
    from procure.insights import views
    from procure.models.base import utcnow

    operator_client, operator = client_as("operator")
    run = in_request(app, runs.run_now, 0, 2)
    assert run.status == "done"
    monkeypatch.setattr(views, "LIST_MEMBERS", 1)
    page = text(operator_client.get("/admin/insights/gaps"))
    assert page.count("and 2 more") == 3  # three clusters of three demands, one named each
    water = large["water"]
    gone = db.session.get(Demand, water[1].id)
    gone.deleted_at = utcnow()
    db.session.commit()
    gap = GapReport.from_dict(run.report).gaps[0]
    detail = text(operator_client.get(f"/admin/insights/gaps/{gap.key}?seed=0&min_size=2"))
    assert water[0].title in detail and water[2].title in detail
    assert water[1].title not in detail and "and 1 more" in detail

    monkeypatch.setattr(services, "MAX_LISTED_SOURCES", 1)
    data = services.PublishInput(title="해수담수화 R&D", closes_on=local_today() + timedelta(30))
    analysis = in_request(app, runs.analysis_of, run)
    demand = in_request(app, services.publish_gap, operator, analysis, gap.key, data, "en")
    assert water[0].title in demand.problem and water[2].title not in demand.problem
    assert "- and 1 more" in demand.problem


def test_a_worker_told_not_to_analyse_leaves_requests_waiting(app, large, client_as):
    operator_client, _operator = client_as("operator")
    operator_client.post("/admin/insights/gaps/analyse", data={"seed": "0", "min_size": "2"})
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--no-analyses"])
    assert result.exit_code == 0, result.output
    assert "Gap analysis" not in result.output
    assert [r.status for r in _runs()] == ["requested"]
