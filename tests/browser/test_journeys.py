"""The marketplace's main journeys in a real browser, in Korean and in English.

An officer posts a demand with performance requirements; a supplier finds it by search and
among its suggested demands and sends a reverse proposal answering each requirement; the
officer compares the proposals and shortlists one; an operator runs an evaluation round in
which the evaluators score (one must justify an outlying score) and the product is designated;
an officer applies for a pilot, the operator allocates, the pilot is delivered, reported and
published; the public statistics page shows it.

Every page visited is screenshotted to tests/artifacts/browser/<lang>/ and checked with
axe-core; serious and critical violations fail the test (docs/browser-tests.md).
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from flask_babel import force_locale, gettext, pgettext
from journey_support import ARTIFACTS, AXE, PASSWORD
from playwright.sync_api import Page, expect

import scoring
from procure.clock import local_today

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCHEME = scoring.load_scheme("default", 1)
FAILING_IMPACTS = ("serious", "critical")
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" "))
  }));
}"""
BROWSER_LOCALE = {"ko": "ko-KR", "en": "en-GB"}

DEMAND = {
    "ko": {
        "title": "해안 순찰용 정지비행 드론",
        "search": "정지비행",
        "problem": (
            "해안 국립공원의 순찰 인력이 부족해 넓은 구역을 살피기 어렵습니다. 강풍 속에서도 "
            "한자리에 머물며 방문객에게 안내방송을 할 수단이 필요합니다."
        ),
        "outcome": "정지비행과 안내방송이 가능한 드론으로 위험 구역을 순찰합니다.",
        "requirements": [
            ("정지비행 오차", "0.5", "m"),
            ("안내방송 음압", "100", "dB"),
            ("비행시간", "40", "분"),
        ],
        "answers": [
            ("0.3 m", "풍동 시험 성적서"),
            ("105 dB", "음압 측정 보고서"),
            ("45분", "비행 기록"),
        ],
        "proposal": (
            "자체 비행제어기로 초속 12 m 바람에서도 0.3 m 안에서 정지비행하고, "
            "105 dB 스피커로 안내방송을 합니다."
        ),
        "rival": "해상 감시 드론 S2 제안",
        "round": "2026년 혁신제품 지정 평가 (여정)",
        "pilot_round": "2026년 혁신제품 시범구매 (여정)",
        "site": "태안해안국립공원",
        "use": "여름철 해수욕장 순찰과 이안류 경고 안내방송",
        "improvement": "순찰 인력 2명이 살피던 구역을 드론 1대로 감시",
        "report": "강풍 속에서도 정지비행이 안정적이었고 안내방송이 멀리까지 들렸습니다.",
        "verdict": "성능 목표를 모두 충족했습니다.",
        "comment": "근거 자료가 충실함",
        "justification": "시험성적서가 실험실 조건뿐이라 현장 성능을 확인할 수 없음",
    },
    "en": {
        "title": "Hovering drone for coastal patrols",
        "search": "hovering",
        "problem": (
            "The coastal park has too few rangers to watch its long shoreline. It needs a way to "
            "hold position in strong wind and broadcast warnings to visitors."
        ),
        "outcome": "Patrol dangerous areas with a drone that hovers and broadcasts.",
        "requirements": [
            ("Hover drift", "0.5", "m"),
            ("Broadcast loudness", "100", "dB"),
            ("Flight time", "40", "min"),
        ],
        "answers": [
            ("0.3 m", "Wind tunnel test"),
            ("105 dB", "Sound test report"),
            ("45 min", "Flight log"),
        ],
        "proposal": (
            "Our own flight controller holds within 0.3 m in 12 m/s wind; "
            "a 105 dB speaker broadcasts warnings."
        ),
        "rival": "Sea surveillance drone M2 proposal",
        "round": "Innovative product designation 2026 (journey)",
        "pilot_round": "Pilot purchases 2026 (journey)",
        "site": "Taean coastal national park",
        "use": "Summer beach patrols and rip-current warnings",
        "improvement": "One drone watches the area two rangers used to cover",
        "report": "It hovered steadily in strong wind and the broadcasts carried far.",
        "verdict": "Every performance target was met.",
        "comment": "Well supported by evidence",
        "justification": "The test reports cover laboratory conditions only, not the field",
    },
}


class Journey:
    """One language's run: people in separate browser contexts, a screenshot and an axe check
    after every page, the server's errors and the pages' script errors collected."""

    def __init__(self, server, browser, cast):
        self.server = server
        server.errors.clear()  # each language reports its own
        self.browser = browser
        self.cast = cast
        self.lang = cast.lang
        self.words = DEMAND[cast.lang]
        self.count = 0
        self.violations: list[str] = []
        self.script_errors: list[str] = []
        self.unchecked: dict[int, list[str]] = {}
        self.contexts = []
        self.people: dict[str, Page] = {}
        self.folder = ARTIFACTS / self.lang
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # this run's screenshots only
            old.unlink()
        self.checked: set[str] = set()
        self.pages_checked = 0
        self.advisories: dict[str, int] = {}  # every violation found: "impact rule" -> pages
        self.timing = {"screenshots": 0.0, "axe": 0.0, "start": time.perf_counter()}

    # -- text from the application's own catalog, in the journey's language ---------------

    def t(self, msgid: str, **values) -> str:
        with self.server.app.test_request_context(), force_locale(self.lang):
            return gettext(msgid, **values)

    def menu_label(self, msgid: str) -> str:
        """A main-menu entry: short labels live in the catalog's "menu" context."""
        with self.server.app.test_request_context(), force_locale(self.lang):
            short = pgettext("menu", msgid)
            return short if short != msgid else gettext(msgid)

    # -- people ------------------------------------------------------------------------------

    def person(self, email: str | None = None, then: str | None = None) -> Page:
        """The browser of the person with this e-mail, signed in on first use (to the page
        ``then`` when given); without an e-mail, a visitor who does not sign in."""
        if email in self.people:
            return self.people[email]
        context = self.browser.new_context(
            base_url=self.server.url,
            locale=BROWSER_LOCALE[self.lang],
            timezone_id="Asia/Seoul",
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,  # axe is injected as a script the CSP would refuse
        )
        context.set_default_timeout(15_000)
        # Registered once, evaluated by the browser itself in every new document: cheaper
        # than sending the 640 kB script over the wire for each check.
        context.add_init_script(path=str(AXE))
        self.contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        pending = self.unchecked.setdefault(id(page), [])
        page.on(
            "framenavigated",
            lambda frame: pending.append(frame.url) if frame == page.main_frame else None,
        )
        if email:
            self.sign_in(page, email, then)
            self.people[email] = page
        return page

    def sign_in(self, page: Page, email: str, then: str | None) -> None:
        who = email.split("@")[0]
        page.goto("/login" + (f"?next={quote(then)}" if then else ""))
        self.step(page, f"sign-in-{who}", kind="sign-in")
        page.get_by_label(self.t("E-mail"), exact=True).fill(email)
        page.get_by_label(self.t("Password"), exact=True).fill(PASSWORD)
        page.locator("main").get_by_role("button", name=self.t("Sign in")).click()
        self.step(page, f"signed-in-{who}", kind=f"signed-in-{re.sub(r'[0-9]', '', who)}")
        self.flash(page, self.t("Welcome, %(name)s.", name=self.name_of(email)))
        if not then:
            expect(page.locator("h1")).to_have_text(self.t("My dashboard"))

    def name_of(self, email: str) -> str:
        from procure.extensions import db
        from procure.models import User

        with self.server.app.app_context():
            return db.session.query(User.name).filter_by(email=email).scalar()

    def nav(self, page: Page, label: str, step: str) -> None:
        menu = page.get_by_role("navigation", name=self.t("Main menu"))
        menu.get_by_role("link", name=self.menu_label(label), exact=True).click()
        self.step(page, step)

    def capture_failure(self) -> None:
        """Screenshot every open browser as it was when the journey failed."""
        for email, page in self.people.items():
            if not page.is_closed():
                who = email.split("@")[0]
                page.screenshot(path=self.folder / f"failure-{who}.png", full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    # -- after every page: screenshot, accessibility, server errors ------------------------

    def step(self, page: Page, name: str, kind: str | None = None) -> None:
        """After every page: no server error, no page left unchecked, a screenshot, and the
        axe check. Pages of one ``kind`` (the sign-in form; the second and third evaluators'
        pages, the same as the first's) are checked once per language."""
        pending = self.unchecked[id(page)]
        waited = 0
        while not pending:  # the click's navigation may not have started yet
            assert waited < 15_000, f"{name}: the page did not change"
            page.wait_for_timeout(25)
            waited += 25
        page.wait_for_load_state("load")
        assert not self.server.errors, "the server failed:\n" + "\n".join(self.server.errors)
        skipped = [url for url in pending[:-1] if url != page.url]
        assert not skipped, f"pages visited without a check before {name}: {skipped}"
        pending.clear()
        assert page.locator("html").get_attribute("lang") == self.lang, f"{name}: wrong language"
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        started = time.perf_counter()
        page.screenshot(path=self.folder / f"{self.count:02d}-{slug}.png", full_page=True)
        self.timing["screenshots"] += time.perf_counter() - started
        kind = kind or name
        if kind in self.checked:
            return
        self.checked.add(kind)
        self.pages_checked += 1
        started = time.perf_counter()
        found = page.evaluate(AXE_RUN)
        self.timing["axe"] += time.perf_counter() - started
        for violation in found:
            key = f"{violation['impact']} {violation['id']}"
            self.advisories[key] = self.advisories.get(key, 0) + 1
            if violation["impact"] in FAILING_IMPACTS:
                self.violations.append(
                    f"{violation['impact']} {violation['id']} on {page.url} ({name}): "
                    f"{violation['help']}; nodes: {json.dumps(violation['targets'][:8])}"
                )

    def tick(self, control) -> None:
        """Tick a radio button or checkbox by its label, as people do (KRDS draws the label
        over the native control)."""
        control.page.locator(f"label[for='{control.get_attribute('id')}']").click()
        expect(control).to_be_checked()

    def flash(self, page: Page, message: str) -> None:
        expect(page.locator(".app-flashes")).to_contain_text(message)

    def finish(self) -> None:
        self.close()
        took = time.perf_counter() - self.timing["start"]
        print(
            f"\n{self.lang}: {took:.0f}s, {self.count} pages screenshotted "
            f"({self.timing['screenshots']:.0f}s), {self.pages_checked} checked by axe "
            f"({self.timing['axe']:.0f}s); violations by impact and rule (pages): "
            f"{json.dumps(self.advisories, sort_keys=True) if self.advisories else 'none'}"
        )
        assert not self.server.errors, "the server failed:\n" + "\n".join(self.server.errors)
        assert not self.script_errors, "script errors:\n" + "\n".join(self.script_errors)
        assert not self.violations, (
            f"{len(self.violations)} serious or critical accessibility violations:\n"
            + "\n".join(self.violations)
        )


# -- the journey ---------------------------------------------------------------------------


#: ``JOURNEY_LANGS=ko`` runs one language only: CI's second pass (PostgreSQL) does, to stay
#: inside its time budget; the first pass and ``./run test`` run both.
LANGS = [lang for lang in ("ko", "en") if lang in os.environ.get("JOURNEY_LANGS", "ko en").split()]


@pytest.mark.parametrize("lang", LANGS)
def test_demand_to_published_pilot(live_server, browser, cast_for, lang):
    cast = cast_for(lang)
    journey = Journey(live_server, browser, cast)
    try:
        demand_url = post_demand(journey)
        proposal_title = propose(journey, demand_url)
        rival_proposal(journey, demand_url)
        shortlist(journey, demand_url, proposal_title)
        designate(journey)
        run_pilot(journey)
        public_statistics(journey)
    except Exception:
        journey.capture_failure()
        raise
    finally:
        journey.close()
    journey.finish()


def post_demand(j: Journey) -> str:
    """The officer posts a demand with three performance requirements and publishes it."""
    w, t = j.words, j.t
    officer = j.person(j.cast.officer)
    officer.get_by_role("link", name=t("Post a demand")).first.click()
    j.step(officer, "demand-form")
    officer.get_by_label(t("Title"), exact=True).fill(w["title"])
    officer.get_by_label(t("Problem to solve"), exact=True).fill(w["problem"])
    officer.get_by_label(t("Desired outcome"), exact=True).fill(w["outcome"])
    officer.get_by_label(t("Type"), exact=True).select_option("purchase")
    officer.get_by_label(t("Classification codes (CPV)"), exact=True).fill("35613000")
    officer.get_by_label(t("Language of this demand"), exact=True).select_option(j.lang)
    for n, (name, target, unit) in enumerate(w["requirements"], start=1):
        officer.get_by_label(t("Requirement %(n)d", n=n), exact=True).fill(name)
        officer.get_by_label(t("Target value %(n)d", n=n), exact=True).fill(target)
        officer.get_by_label(t("Unit %(n)d", n=n), exact=True).fill(unit)
        expect(officer.get_by_label(f"{t('Mandatory')} {n}", exact=True)).to_be_checked()
    officer.get_by_label(t("Estimated budget (won)"), exact=True).fill("120000000")
    officer.get_by_label(t("Quantity"), exact=True).fill("4")
    officer.get_by_label(t("Delivery region"), exact=True).select_option("44")
    closes = local_today() + timedelta(days=30)
    officer.get_by_label(t("Closes on"), exact=True).fill(closes.isoformat())
    officer.get_by_role("button", name=t("Save")).click()
    j.step(officer, "demand-draft")
    j.flash(officer, t("The draft is saved. Publish it when it is ready."))
    officer.get_by_role("button", name=t("Publish")).click()
    j.step(officer, "demand-published")
    j.flash(officer, t("The demand is published. Suppliers can now see it and send proposals."))
    expect(officer.locator("h1")).to_have_text(w["title"])
    rows = officer.get_by_role("table", name=t("Performance requirements")).locator("tbody tr")
    expect(rows).to_have_count(3)
    return officer.url


def propose(j: Journey, demand_url: str) -> str:
    """The supplier finds the demand by search and among its suggestions, then proposes."""
    w, t = j.words, j.t
    supplier = j.person(j.cast.supplier)
    # Found by search.
    supplier.get_by_role("link", name=t("Search"), exact=True).click()
    j.step(supplier, "search")
    box = supplier.get_by_label(t("Keyword"), exact=True)
    box.fill(w["search"])
    box.press("Enter")
    j.step(supplier, "search-results")
    hits = supplier.locator(".app-search-hits")
    expect(hits.get_by_role("link", name=w["title"])).to_be_visible()
    hits.get_by_role("link", name=w["title"]).click()
    j.step(supplier, "demand-found-by-search")
    assert supplier.url == demand_url
    # Among the demands the matcher suggests for the supplier's products.
    j.nav(supplier, "My dashboard", "supplier-dashboard")
    suggested = supplier.locator("section", has=supplier.locator("#could-title"))
    expect(suggested.get_by_role("link", name=w["title"])).to_be_visible()
    suggested.get_by_role("link", name=w["title"]).click()
    j.step(supplier, "demand-from-suggestions")
    assert supplier.url == demand_url
    # The reverse proposal answers each requirement.
    supplier.get_by_role("link", name=t("Send a proposal")).click()
    j.step(supplier, "proposal-form")
    title = supplier.get_by_label(t("Title"), exact=True).input_value()
    assert w["title"] in title
    supplier.get_by_label(t("The proposed solution"), exact=True).fill(w["proposal"])
    supplier.get_by_label(t("Product (optional)"), exact=True).select_option(str(j.cast.product_id))
    supplier.get_by_label(t("Price offer (won)"), exact=True).fill("100000000")
    supplier.get_by_label(t("Delivery time (days)"), exact=True).fill("60")
    answers = supplier.locator(".app-response")
    expect(answers).to_have_count(3)
    for index, (value, evidence) in enumerate(w["answers"]):
        answer = answers.nth(index)
        expect(answer).to_contain_text(w["requirements"][index][0])
        answer.get_by_label(t("Compliance"), exact=True).select_option(
            "exceeds" if index < 2 else "meets"
        )
        answer.get_by_label(t("Offered value"), exact=True).fill(value)
        answer.get_by_label(t("Evidence"), exact=True).fill(evidence)
    supplier.get_by_role("button", name=t("Save draft")).click()
    j.step(supplier, "proposal-draft")
    j.flash(supplier, t("The draft is saved. Only your company can see it until you submit it."))
    supplier.get_by_role("button", name=t("Submit"), exact=True).click()
    j.step(supplier, "proposal-submitted")
    j.flash(supplier, t("Your proposal is submitted. The agency has been notified."))
    table = supplier.get_by_role("table", name=t("Answers to the performance requirements"))
    for name, _target, _unit in w["requirements"]:
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text(t("not answered"))
    return title


def rival_proposal(j: Journey, demand_url: str) -> None:
    """A second supplier's proposal, so there is something to compare (made by the service)."""
    from procure.extensions import db
    from procure.models import Demand, User
    from procure.proposals import services

    demand_id = int(demand_url.rstrip("/").rsplit("/", 1)[1])
    app = j.server.app
    with app.app_context():
        demand = db.session.get(Demand, demand_id)
        rival = db.session.query(User).filter_by(email=j.cast.rival).one()
        data = services.ProposalInput(
            demand_id=demand.id,
            title=j.words["rival"],
            summary=j.words["rival"],
            price_offer=90_000_000,
            delivery_days=90,
            responses=[
                services.ResponseInput(r.id, "partly", f"{r.target_value} {r.unit}", "-")
                for r in demand.requirements
            ],
        )
        with app.test_request_context():
            proposal = services.create_proposal(rival, data)
            services.submit(rival, proposal)
        db.session.commit()


def shortlist(j: Journey, demand_url: str, proposal_title: str) -> None:
    """The officer compares the two proposals requirement by requirement and shortlists one."""
    t = j.t
    officer = j.person(j.cast.officer)
    j.nav(officer, "My dashboard", "officer-dashboard")
    incoming = officer.locator("section", has=officer.locator("#in-title"))
    expect(incoming.get_by_role("link", name=proposal_title)).to_be_visible()
    officer.locator("section", has=officer.locator("#md-title")).get_by_role(
        "link", name=j.words["title"]
    ).click()
    j.step(officer, "demand-with-proposals")
    assert officer.url == demand_url
    officer.get_by_role("link", name=t("Compare proposals (%(n)d)", n=2)).click()
    j.step(officer, "compare-proposals")
    table = officer.get_by_role("table", name=t("Requirements as rows, proposals as columns"))
    expect(table.locator("thead th")).to_have_count(3)
    expect(table).to_contain_text(t("Exceeds"))
    expect(table).to_contain_text(t("Partly"))
    table.get_by_role("button", name=f"{t('Shortlist')} {proposal_title}").click()
    j.step(officer, "proposal-shortlisted")
    j.flash(
        officer,
        t(
            "The proposal is now %(status)s. The supplier has been notified.",
            status=t("shortlisted"),
        ),
    )
    expect(officer.get_by_role("button", name=f"{t('Accept')} {proposal_title}")).to_be_visible()


def score(j: Journey, email: str, round_url: str, harsh: bool, name: str) -> None:
    """An evaluator follows the link of the notification to the round, declares no conflict
    and scores the dossier; a harsh one must justify the outlying score."""
    t = j.t
    page = j.person(email, then=urlsplit(round_url).path)
    expect(page.locator("h1")).to_have_text(j.words["round"])
    page.get_by_role("link", name=t("Declare conflicts")).click()
    j.step(page, f"{name}-declaration", kind="evaluator-declaration")
    j.tick(page.get_by_label(t("No"), exact=True))
    page.get_by_role("button", name=t("Declare")).click()
    j.step(page, f"{name}-sheet", kind="evaluator-sheet")
    j.flash(page, t("Your declaration is recorded."))
    for gate in SCHEME.gates:
        j.tick(page.locator(f"#gate-{gate.id}-yes"))
    for criterion in SCHEME.criteria:
        level = "very_poor" if harsh and criterion.id == "technology" else "excellent"
        for item in criterion.items:
            j.tick(page.locator(f"#level-{item.id}-{level}"))
        label = t("Comment on %(criterion)s", criterion=criterion.label.get(j.lang))
        page.get_by_label(label, exact=True).fill(j.words["comment"])
    page.get_by_role("button", name=t("Submit"), exact=True).click()
    if harsh:
        j.step(page, f"{name}-outlier-refused", kind="evaluator-outlier-refused")
        technology = SCHEME.criterion("technology").label.get(j.lang)
        expect(page.locator("#form-errors")).to_contain_text(
            t(
                "Your score on %(criterion)s differs markedly from the other evaluators'. "
                "Explain your reasons in the justification box.",
                criterion=technology,
            )
        )
        label = t("Justification of your score on %(criterion)s", criterion=technology)
        page.get_by_label(label, exact=True).fill(j.words["justification"])
        page.get_by_role("button", name=t("Submit"), exact=True).click()
    j.step(page, f"{name}-submitted", kind="evaluator-submitted")
    j.flash(page, t("Your sheet is submitted. Thank you."))


def designate(j: Journey) -> None:
    """The operator runs a round: three evaluators score, the product is designated."""
    t, w = j.t, j.words
    operator = j.person(j.cast.operator)
    j.nav(operator, "Evaluation", "evaluation-rounds")
    operator.get_by_role("link", name=t("New evaluation round")).click()
    j.step(operator, "evaluation-round-form")
    operator.get_by_label(t("Title"), exact=True).fill(w["round"])
    operator.get_by_label(t("Deadline"), exact=True).fill(
        (local_today() + timedelta(days=14)).isoformat()
    )
    operator.get_by_label(t("Products"), exact=True).select_option([str(j.cast.product_id)])
    operator.get_by_label(t("Panel of evaluators"), exact=True).select_option(
        [str(i) for i in j.cast.evaluator_ids]
    )
    operator.get_by_role("button", name=t("Save as draft")).click()
    j.step(operator, "evaluation-round-draft")
    j.flash(operator, t("The round is saved as a draft. Open it when the panel is ready."))
    operator.get_by_role("button", name=t("Open the round")).click()
    j.step(operator, "evaluation-round-open")
    j.flash(operator, t("The round is open. The evaluators have been notified."))
    round_url = operator.url

    # The scheme judges a score against at least two others: the first two evaluators agree,
    # the third scores Technology far below them and has to explain why.
    for number, email in enumerate(j.cast.evaluators, start=1):
        score(j, email, round_url, harsh=number == 3, name=f"evaluator{number}")

    operator.goto(round_url)
    j.step(operator, "evaluation-panel-progress")
    progress = operator.get_by_role(
        "table",
        name=t(
            "Each dossier by each evaluator: not started, draft, submitted or conflict of interest"
        ),
    )
    expect(progress.locator("tbody td").first).to_have_text(t("submitted"))
    operator.get_by_role("button", name=t("Close the round and compute the results")).click()
    j.step(operator, "evaluation-results")
    j.flash(operator, t("The round is closed and the results are computed."))
    operator.get_by_role(
        "table", name=t("Innovation index of each dossier and the committee's decision")
    ).get_by_role("link", name=j.cast.product_name).click()
    j.step(operator, "evaluation-item")
    expect(operator.locator("main")).to_contain_text(t("certified"))
    expect(operator.locator("main")).to_contain_text(t("justified"))
    j.tick(operator.get_by_label(t("Confirm the result"), exact=True))
    operator.get_by_role("button", name=t("Record the decision")).click()
    j.step(operator, "evaluation-decided")
    j.flash(operator, t("The decision is recorded and the supplier notified."))
    operator.get_by_role(
        "link", name=re.compile(re.escape(t("Designation %(number)s", number="")))
    ).click()
    j.step(operator, "designation-certificate")
    expect(operator.locator("main")).to_contain_text(j.cast.product_name)


def run_pilot(j: Journey) -> None:
    """A pilot round for the designated product, from application to the published verdict."""
    t, w = j.t, j.words
    today = local_today()
    operator = j.person(j.cast.operator)
    j.nav(operator, "Pilots", "pilots")
    operator.get_by_role("link", name=t("Open a new round")).click()
    j.step(operator, "pilot-round-form")
    operator.get_by_label(t("Title"), exact=True).fill(w["pilot_round"])
    operator.get_by_label(t("Budget (won)"), exact=True).fill("200000000")
    operator.get_by_label(t("Kind of pilot"), exact=True).select_option("purchase")
    operator.get_by_label(t("Period starts"), exact=True).fill(today.isoformat())
    operator.get_by_label(t("Period ends"), exact=True).fill(
        (today + timedelta(days=180)).isoformat()
    )
    # No closing day: the journey allocates on the day it applies (with a closing day the
    # optimiser waits until the next day; tests/procure/test_pilots_services.py shows that).
    expect(operator.get_by_label(t("Applications close"), exact=True)).to_have_value("")
    operator.get_by_label(t("Eligible designated products"), exact=True).select_option(
        [str(j.cast.product_id)]
    )
    operator.get_by_role("button", name=t("Save as draft")).click()
    j.step(operator, "pilot-round-draft")
    j.flash(operator, t("The round is saved as a draft. Open it when it is ready."))
    operator.get_by_role("button", name=t("Open the round")).click()
    j.step(operator, "pilot-round-open")
    round_url = operator.url

    # The supplier offers units of its product for the pilot.
    supplier = j.person(j.cast.supplier)
    supplier.goto(round_url)
    j.step(supplier, "supplier-pilot-round")
    supplier.get_by_role("link", name=t("File a pilot-use plan")).click()
    j.step(supplier, "pilot-plan-form")
    supplier.get_by_label(t("Product"), exact=True).select_option(str(j.cast.product_id))
    supplier.get_by_label(t("Units offered"), exact=True).fill("5")
    supplier.get_by_label(t("Unit price (won)"), exact=True).fill("20000000")
    supplier.get_by_label(t("Test period (days)"), exact=True).fill("60")
    supplier.get_by_label(t("Support offered"), exact=True).fill(w["improvement"])
    supplier.get_by_role("button", name=t("File the plan")).click()
    j.step(supplier, "pilot-plan-filed")
    j.flash(supplier, t("Your pilot-use plan is filed. Agencies can now apply for it."))

    # The officer applies.
    officer = j.person(j.cast.officer)
    j.nav(officer, "Pilots", "officer-pilots")
    officer.get_by_role("link", name=w["pilot_round"]).click()
    j.step(officer, "officer-pilot-round")
    officer.get_by_role("link", name=t("Apply for a pilot")).click()
    j.step(officer, "pilot-application-form")
    plan = officer.get_by_label(t("Product"), exact=True)
    expect(plan.locator("option:checked")).to_contain_text(j.cast.product_name)
    officer.get_by_label(t("Quantity"), exact=True).fill("2")
    officer.get_by_label(t("Site"), exact=True).fill(w["site"])
    officer.get_by_label(t("Intended use"), exact=True).fill(w["use"])
    officer.get_by_label(t("The improvement you expect"), exact=True).fill(w["improvement"])
    j.tick(officer.get_by_label(t("We plan to buy more afterwards with our own budget")))
    officer.get_by_role("button", name=t("Send the application")).click()
    j.step(officer, "pilot-applied")
    j.flash(officer, t("Your application is sent. Only your agency and the operators can see it."))

    # The operator allocates with the optimiser and publishes; then records the contract.
    operator.goto(round_url)
    j.step(operator, "pilot-round-with-application")
    operator.get_by_role("button", name=t("Run the optimiser")).click()
    j.step(operator, "pilot-allocated")
    j.flash(
        operator,
        t("The optimiser has allocated the budget. Review it, adjust if needed, then publish."),
    )
    expect(operator.locator("main")).to_contain_text(
        t("Chosen: covers an agency not otherwise covered")
    )
    operator.get_by_role("button", name=t("Publish the allocation")).click()
    j.step(operator, "pilot-allocation-published")
    j.nav(operator, "Pilots", "operator-pilots")
    mine = operator.get_by_role("table", name=t("All pilots"))
    mine.get_by_role("link", name=j.cast.product_name).click()
    j.step(operator, "pilot-allocated-page")
    pilot_url = operator.url
    operator.get_by_label(t("Contract number"), exact=True).fill(f"PPS-2026-{j.lang.upper()}-001")
    operator.get_by_label(t("Contract date"), exact=True).fill(today.isoformat())
    operator.get_by_role("button", name=t("Record")).click()
    j.step(operator, "pilot-contracted")
    j.flash(operator, t("The contract is recorded."))

    # The agency records delivery, puts it to use and files the field report.
    officer.goto(pilot_url)
    j.step(officer, "officer-pilot")
    officer.get_by_label(t("Delivery date"), exact=True).fill(today.isoformat())
    officer.get_by_label(t("Accepted on"), exact=True).fill(today.isoformat())
    officer.get_by_role("button", name=t("Record")).click()
    j.step(officer, "pilot-delivered")
    j.flash(officer, t("The delivery and acceptance are recorded."))
    officer.get_by_label(t("In use since"), exact=True).fill(today.isoformat())
    officer.get_by_role("button", name=t("Record")).click()
    j.step(officer, "pilot-in-use")
    officer.get_by_role("link", name=t("File the field report")).click()
    j.step(officer, "pilot-report-form")
    officer.get_by_label(t("Summary of the pilot"), exact=True).fill(w["report"])
    j.tick(officer.locator("input[name=satisfaction][value='5']"))
    j.tick(officer.locator("input[name=would_buy_again][value=yes]"))
    rows = officer.locator("div.app-response[id^=measurements-]")
    for index, measured in enumerate(("0.2", "48")):
        row = rows.nth(index)
        expect(row.get_by_label(t("Specification item"), exact=True)).not_to_have_value("")
        row.get_by_label(t("Measured"), exact=True).fill(measured)
        j.tick(row.get_by_label(t("Met"), exact=True))
    officer.get_by_role("button", name=t("File the report")).click()
    j.step(officer, "pilot-reported")
    j.flash(officer, t("Your field report is filed. The operator will record the verdict."))

    # The operator's verdict publishes the result.
    operator.goto(pilot_url)
    j.step(operator, "pilot-report-to-judge")
    j.tick(operator.get_by_label(t("Success"), exact=True))
    operator.get_by_label(t("Note (required when insufficient)"), exact=True).fill(w["verdict"])
    operator.get_by_role("button", name=t("Record the verdict")).click()
    j.step(operator, "pilot-published")
    j.flash(operator, t("The verdict is recorded and published."))


def public_statistics(j: Journey) -> None:
    """Anyone can see the finished pilot among the results and in the statistics."""
    t = j.t
    visitor = j.person()
    visitor.goto("/")
    j.step(visitor, "public-home")
    j.nav(visitor, "Pilots", "public-pilots")
    visitor.get_by_role("link", name=t("Results of finished pilots")).click()
    j.step(visitor, "public-results")
    results = visitor.get_by_role(
        "table", name=re.compile(re.escape(t("Finished pilots (%(n)d)", n=0)[:-3]))
    )
    row = results.locator("tbody tr", has=visitor.get_by_role("link", name=j.cast.product_name))
    expect(row).to_contain_text(t("Success"))
    visitor.go_back()
    j.unchecked[id(visitor)].clear()  # back to the page checked just before
    visitor.get_by_role("link", name=t("Statistics"), exact=True).click()
    j.step(visitor, "public-statistics")
    products = visitor.get_by_role("table", name=t("Pilot and follow-on spend per product"))
    row = products.locator("tbody tr", has=visitor.get_by_text(j.cast.product_name, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("1")
