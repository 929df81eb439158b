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


def nav_items() -> list[NavItem]:
    items = [NavItem(_("Home"), url_for("main.home"))]
    if current_user.is_authenticated:
        items.append(NavItem(_("My dashboard"), url_for("main.dashboard")))
        if current_user.has_role(Role.OPERATOR):
            items += [
                NavItem(_("Organisations"), url_for("admin.organisations")),
                NavItem(_("Users"), url_for("admin.users")),
                NavItem(_("Audit log"), url_for("audit.index")),
            ]
        items.append(NavItem(_("My account"), url_for("account.profile")))
    for item in items:
        item.active = item.url == request.path
    return items


@bp.app_context_processor
def inject_layout():
    return {"nav_items": nav_items(), "current_locale": str(get_locale())}
