"""Posting forms in a real browser: a second click sends nothing (docs/browser-tests.md)."""

from __future__ import annotations

import pytest
from journey_support import PASSWORD
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

#: Counts the submissions that would leave the page, and keeps them from leaving: the test
#: then sees what a second click does while the first submission is still on its way.
COUNT_SUBMISSIONS = """() => {
  window.sent = 0;
  document.querySelector("main form").addEventListener("submit", (event) => {
    if (!event.defaultPrevented) { window.sent += 1; }
    event.preventDefault();
  });
}"""


def test_a_second_click_on_submit_sends_the_form_once(browser, live_server, cast_for):
    cast = cast_for("ko")
    context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#email", cast.officer)
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).not_to_have_url(f"{live_server.url}/login")
        page.goto("/ideas/new")
        page.fill("#title", "버스 정류장 온열 의자")
        page.fill("#problem", "겨울철 버스 정류장에서 기다리는 시간이 너무 춥습니다.")
        page.evaluate(COUNT_SUBMISSIONS)
        button = page.locator("main form button[type=submit]")
        button.click()
        button.click()
        button.dblclick()
        assert page.evaluate("window.sent") == 1
        form = page.locator("main form")
        expect(form).to_have_attribute("aria-busy", "true")
        # Only the form sent is held; the search box and other GET forms never are.
        assert page.evaluate("document.querySelectorAll('form[data-sending]').length") == 1
    finally:
        context.close()
    assert not live_server.errors, live_server.errors


def test_search_suggestions_are_used_from_the_keyboard(browser, live_server, cast_for):
    """Arrow keys move through the suggestions while the focus stays in the box; Enter opens
    one; Tab leaves for the next field with the list closed (no focus lost to the page)."""
    cast_for("ko")
    context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/search/")
        box = page.locator("#search-q")
        box.press_sequentially("정지비행", delay=30)
        options = page.locator("#search-suggestions [role=option]")
        expect(options.first).to_be_visible()
        assert page.locator("#search-suggestions a, #search-suggestions [tabindex]").count() == 0
        box.press("Tab")
        assert page.evaluate("document.activeElement.id") == "search-sort"
        expect(page.locator("#search-suggestions")).to_be_hidden()
        box.focus()
        box.press_sequentially(" ", delay=30)
        expect(options.first).to_be_visible()
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", "search-suggestion-0")
        assert page.evaluate("document.activeElement.id") == "search-q"
        target = options.first.get_attribute("data-href")
        box.press("Enter")
        page.wait_for_url(f"**{target}")
    finally:
        context.close()
    assert not live_server.errors, live_server.errors
