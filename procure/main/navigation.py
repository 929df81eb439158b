"""The header navigation: what each role sees."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import get_locale, pgettext
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
        # Short English labels in context "menu" (the pages' titles stay long), so that the
        # menu fits one line at 1280 px in English as it does in Korean.
        NavItem(pgettext("menu", "Demands"), url_for("demands.index")),
        NavItem(pgettext("menu", "Demand info"), url_for("onestop.index")),
        NavItem(pgettext("menu", "Products"), url_for("products.index")),
        NavItem(pgettext("menu", "Ideas"), url_for("ideas.index")),
        NavItem(pgettext("menu", "Pilots"), url_for("pilots.index")),
        NavItem(pgettext("menu", "Organisations"), url_for("organisations.index")),
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
