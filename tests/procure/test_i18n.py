"""Korean and English: complete catalogs, the locale choice, pages in both languages."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import factories

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def load_catalog_tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_catalogs_translate_every_message_in_the_code(locale):
    tool = load_catalog_tool()
    assert tool.missing(locale) == [], "run: python scripts/i18n.py update, then translate"


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_translations_keep_their_placeholders(locale):
    catalog = load_catalog_tool().read(locale)
    for message in catalog:
        if message.id and message.string:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_korean_is_the_default(client):
    html = client.get("/", headers={"Accept-Language": ""}).get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert "공공조달을 혁신제품의 첫 시장으로" in html


def test_browser_language_is_used_when_nothing_was_chosen(client):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Public procurement as the first market for innovation" in html


def test_the_switcher_overrides_the_browser(client):
    client.post("/locale", data={"locale": "en", "next": "/"})
    html = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_the_users_setting_comes_first(client, login):
    login(factories.UserFactory(locale="en"))
    html = client.get("/dashboard", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "My dashboard" in html


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/", None),
        ("/login", None),
        ("/register", None),
        ("/password/forgot", None),
        ("/dashboard", "citizen"),
        ("/account/", "citizen"),
        ("/account/tokens", "citizen"),
        ("/account/password", "citizen"),
        ("/admin/organisations", "operator"),
        ("/admin/users", "operator"),
        ("/admin/audit/", "operator"),
        ("/no-such-page", None),
    ],
)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_pages_render_in_both_languages(client_as, path, role, language):
    client, _user = client_as(role)
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code in (200, 404)
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    skip = "본문 바로가기" if language == "ko" else "Skip to main content"
    assert skip in html


def test_form_errors_are_tied_to_their_fields(client):
    html = client.post(
        "/register", data={"account_type": "citizen"}, headers={"Accept-Language": "ko"}
    ).get_data(as_text=True)
    assert (
        'aria-describedby="email-error"' in html
        or 'aria-describedby="email-hint email-error"' in html
    )
    assert 'aria-invalid="true"' in html
    assert "필수 입력 항목입니다." in html
    # The summary at the top names each refused field and links to it (WCAG 3.3.1).
    summary = html[
        html.index('id="form-errors"') : html.index("</ul>", html.index('id="form-errors"'))
    ]
    assert '<a href="#email">' in summary and "필수 입력 항목입니다." in summary


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_no_bare_percent_signs(locale):
    """Templates %-format every message, so a lone % would break the page: write ％ or 퍼센트."""
    catalog = load_catalog_tool().read(locale)
    for message in catalog:
        for text in (message.id, message.string):
            if isinstance(text, str) and text:
                assert "%" not in PLACEHOLDER.sub("", text), text


def test_notifications_are_read_in_the_language_used_now(app, client, login):
    """A message sent while the reader used Korean reads in English once they switch."""
    from flask_babel import gettext

    from procure.extensions import db
    from procure.notifications.services import notify

    user = login(factories.UserFactory(locale="ko"))
    with app.test_request_context():
        notify(
            [user],
            "proposal.received",
            lambda: gettext("New proposal received: “%(title)s”", title="해안 드론"),
            lambda: gettext("A supplier has sent a proposal. Open it to compare and decide."),
            "/proposals/1",
        )
        db.session.commit()
    korean = client.get("/notifications/").get_data(as_text=True)
    assert "새 제안이 도착했습니다: “해안 드론”" in korean
    client.post("/locale", data={"locale": "en", "next": "/"})
    english = client.get("/notifications/").get_data(as_text=True)
    assert "New proposal received: “해안 드론”" in english
    assert "A supplier has sent a proposal." in english


def _compile_together(directory, barrier, failures):
    from procure.i18n import compile_catalogs

    barrier.wait()
    try:
        compile_catalogs(Path(directory))
    except Exception as error:  # reported to the test, which fails on it
        failures.put(repr(error))


def test_catalogs_compile_from_several_processes_at_once(tmp_path):
    """Workers or commands that start together each compile the newer catalog; none fails
    on another's temporary file and the result is a whole, readable catalog."""
    import multiprocessing
    import os

    from babel.messages.mofile import read_mo

    from procure.i18n import TRANSLATIONS

    target = tmp_path / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = target / "messages.po"
    po.write_bytes((TRANSLATIONS / "ko/LC_MESSAGES/messages.po").read_bytes())
    context = multiprocessing.get_context("spawn")
    failures = context.Queue()
    for round_ in range(2):
        os.utime(po, (1e9 + round_, 2e9 + round_))  # newer than any compiled form
        barrier = context.Barrier(4)
        workers = [
            context.Process(target=_compile_together, args=(str(tmp_path), barrier, failures))
            for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [w.exitcode for w in workers] == [0] * 4
        assert failures.empty(), failures.get()
    with (target / "messages.mo").open("rb") as compiled:
        assert read_mo(compiled).get("Search") is not None
    assert oct((target / "messages.mo").stat().st_mode & 0o777) == "0o644"
    assert {p.name for p in target.iterdir()} == {"messages.po", "messages.mo"}  # no leftovers
