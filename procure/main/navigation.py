"""The header navigation: what each role sees."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from procure.main import bp
from procure.models import Role


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False
    #: Shown in the header's utility bar on wide screens instead of the main menu (the menu
    #: must fit one line at 1280 px); the phone menu lists it with the rest.
    personal: bool = False


def nav_items() -> list[NavItem]:
    items = [
        NavItem(_("Home"), url_for("main.home")),
        NavItem(_("Innovation demands"), url_for("demands.index")),
        NavItem(_("Demand information"), url_for("onestop.index")),
        NavItem(_("Innovative products"), url_for("products.index")),
        NavItem(_("Citizen ideas"), url_for("ideas.index")),
        NavItem(_("Pilot purchases"), url_for("pilots.index")),
        NavItem(_("Agencies and suppliers"), url_for("organisations.index")),
    ]
    if current_user.is_authenticated:
        items.append(NavItem(_("My dashboard"), url_for("main.dashboard")))
        if current_user.has_role(Role.SUPPLIER, Role.OFFICER, Role.OPERATOR):
            items.append(NavItem(_("Proposals"), url_for("proposals.index")))
        if current_user.has_role(Role.EVALUATOR, Role.OPERATOR):
            items.append(NavItem(_("Evaluation"), url_for("evaluation.index")))
        if current_user.has_role(Role.OPERATOR):
            items += [
                NavItem(_("Verification"), url_for("admin.organisations")),
                NavItem(_("Users"), url_for("admin.users")),
                NavItem(_("Audit log"), url_for("audit.index")),
                NavItem(_("Demand gaps"), url_for("insights.gaps")),
            ]
        items.append(NavItem(_("Notifications"), url_for("notifications.index"), personal=True))
        items.append(NavItem(_("My account"), url_for("account.profile"), personal=True))
    for item in items:
        home = item.url == "/"
        item.active = request.path == item.url if home else request.path.startswith(item.url)
    return items


@bp.app_context_processor
def inject_layout():
    return {"nav_items": nav_items(), "current_locale": str(get_locale())}
