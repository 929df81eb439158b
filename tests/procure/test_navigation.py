"""The header's menus: what each role sees, where, and in which shape."""

from __future__ import annotations

import re

import pytest


def _main_menu(html: str) -> str:
    return html.split('class="krds-main-menu app-nav"', 1)[1].split("</nav>", 1)[0]


def _utility(html: str) -> str:
    return html.split('class="app-utility"', 1)[1].split("</div>", 1)[0]


def _phone_menu(html: str) -> str:
    return html.split('class="app-nav-mobile"', 1)[1].split("</details>", 1)[0]


@pytest.mark.parametrize("role", [None, "citizen", "supplier", "officer", "evaluator", "operator"])
def test_each_role_gets_one_main_menu_a_utility_bar_and_a_phone_menu(client_as, role):
    client, _user = client_as(role)
    html = client.get("/dashboard" if role else "/").get_data(as_text=True)
    main, utility, phone = _main_menu(html), _utility(html), _phone_menu(html)
    # Short English labels from the catalog's "menu" context, long page titles elsewhere.
    assert ">Demands<" in main and ">Pilots<" in main and ">Pilot purchases<" not in main
    # Notifications and the account sit in the utility bar, never in the main menu; the
    # phone menu lists every entry.
    assert "/notifications/" not in main and "/account" not in main
    if role:
        assert 'href="/notifications/"' in utility and "(My account)" in utility
        assert 'href="/notifications/"' in phone and ">My account<" in phone
    else:
        assert "/notifications/" not in html
    # Only the operator's administration pages are gathered under one heading.
    groups = re.findall(r'<details class="app-nav-menu">(.*?)</details>', main, re.S)
    admin = ("/admin/organisations", "/admin/users", "/admin/audit/", "/admin/insights/gaps")
    if role == "operator":
        assert len(groups) == 1 and ">Operations<" in groups[0]
        assert re.findall(r'href="([^"]+)"', groups[0]) == list(admin)
        assert all(f'href="{path}"' in phone for path in admin)
    else:
        assert groups == [] and not any(path in html for path in admin)


def test_the_group_heading_is_marked_when_one_of_its_pages_is_open(client_as):
    client, _user = client_as("operator")
    main = _main_menu(client.get("/admin/users").get_data(as_text=True))
    assert '<summary class="app-nav-link active">Operations</summary>' in main
    assert 'class="active" href="/admin/users" aria-current="page"' in main
