"""A phone-sized browser: the main menu is reachable, no page is wider than the screen, and
downloads arrive whole from a real server (docs/browser-tests.md)."""

from __future__ import annotations

import pytest
from journey_support import PASSWORD
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def _fits(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than a {PHONE['width']}px screen"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="ko-KR", timezone_id="Asia/Seoul", viewport=PHONE
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_main_menu_opens_on_a_phone_and_pages_fit(phone, cast_for, live_server):
    cast = cast_for("ko")
    page = phone
    _fits(page, "/")
    expect(page.locator("nav.app-nav")).to_be_hidden()  # KRDS hides the desktop menu here
    menu = page.locator("details.app-nav-mobile")
    menu.locator("summary").click()
    menu.get_by_role("link", name="혁신수요", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/demands/")
    for path in ("/demands/", "/products/", "/open-data/", "/pilots/stats", "/demand-info"):
        _fits(page, path)

    # Downloads stream to the end from the real server (they broke off after the BOM).
    download = page.request.get("/open-data/products.csv")
    assert download.status == 200
    body = download.body().decode("utf-8")
    assert body.startswith("\ufeff") and cast.product_name in body

    # Tables with row actions or inputs scroll inside their frame, not the whole page.
    _sign_in(page, cast.officer, live_server.url)
    for path in ("/dashboard", "/demands/new", "/proposals/"):
        _fits(page, path)
    page.context.clear_cookies()
    _sign_in(page, cast.operator, live_server.url)
    for path in ("/admin/users", "/admin/audit/", "/admin/organisations"):
        _fits(page, path)
    assert not live_server.errors, live_server.errors


def _sign_in(page: Page, email: str, base: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(f"{base}/login")


def _menu_lines(page: Page) -> int:
    page.evaluate("document.fonts.ready.then(() => true)")  # widths in the real typeface
    tops = page.evaluate(
        "[...document.querySelectorAll('nav.app-nav .gnb-menu > li')]"
        ".map(e => Math.round(e.getBoundingClientRect().top))"
    )
    return len(set(tops))


@pytest.mark.parametrize(
    ("who", "language"), [("operator", "ko"), ("operator", "en"), ("officer", "en")]
)
def test_the_main_menu_fits_one_line_on_a_desktop(browser, cast_for, live_server, who, language):
    """At 1280 px the main menu fits one line in both languages, even the operator's (its four
    administration pages open from one "Operations" entry); notifications and the account sit
    in the utility bar (docs/browser-tests.md)."""
    cast = cast_for("ko")
    context = browser.new_context(
        base_url=live_server.url,
        locale="ko-KR",
        timezone_id="Asia/Seoul",
        viewport={"width": 1280, "height": 800},
    )
    try:
        page = context.new_page()
        _sign_in(page, getattr(cast, who), live_server.url)
        page.goto("/dashboard")
        if language == "en":
            page.locator("button[name=locale][value=en]").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        menu = page.locator("nav.app-nav .gnb-menu > li")
        expect(menu.first).to_be_visible()
        assert _menu_lines(page) == 1, "the menu wraps"
        assert menu.count() >= 8
        if who == "operator":
            operations = {"ko": "운영", "en": "Operations"}[language]
            audit = {"ko": "감사 기록", "en": "Audit log"}[language]
            group = page.locator("nav.app-nav details.app-nav-menu")
            expect(group.get_by_role("link", name=audit)).to_be_hidden()
            group.locator("summary", has_text=operations).click()
            expect(group.locator(".app-nav-sub a")).to_have_count(4)
            page.locator("main h1").click()  # a click elsewhere closes it
            expect(group.get_by_role("link", name=audit)).to_be_hidden()
            group.locator("summary").click()
            group.get_by_role("link", name=audit).click()
            expect(page).to_have_url(f"{live_server.url}/admin/audit/")
            expect(page.locator("nav.app-nav summary.active")).to_have_text(operations)
        notifications = {"ko": "알림", "en": "Notifications"}[language]
        utility = page.locator(".app-utility")
        utility.get_by_role("link", name=notifications).click()
        expect(page).to_have_url(f"{live_server.url}/notifications/")
        expect(utility.get_by_role("link", name=notifications)).to_have_attribute(
            "aria-current", "page"
        )
        if language == "en":  # the choice is saved on the account: leave it as it was
            page.locator("button[name=locale][value=ko]").click()
            expect(page.locator("html")).to_have_attribute("lang", "ko")
    finally:
        context.close()
    assert not live_server.errors, live_server.errors
