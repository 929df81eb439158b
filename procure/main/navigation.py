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
    #: Entries sharing a group open from one menu entry on wide screens (the operator's
    #: administration pages); the phone menu lists them one by one.
    group: str | None = None


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
            operations = _("Operations")
            items += [
                NavItem(_("Verification"), url_for("admin.organisations"), group=operations),
                NavItem(_("Users"), url_for("admin.users"), group=operations),
                NavItem(_("Audit log"), url_for("audit.index"), group=operations),
                NavItem(_("Demand gaps"), url_for("insights.gaps"), group=operations),
            ]
        items.append(NavItem(_("Notifications"), url_for("notifications.index"), personal=True))
        items.append(NavItem(_("My account"), url_for("account.profile"), personal=True))
    for item in items:
        home = item.url == "/"
        item.active = request.path == item.url if home else request.path.startswith(item.url)
    return items


@dataclass
class NavGroup:
    """Menu entries shown under one heading on wide screens."""

    label: str
    items: list[NavItem]

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


def desktop_menu(items: list[NavItem]) -> list[NavItem | NavGroup]:
    """The wide-screen main menu: personal entries left out (they sit in the utility bar),
    grouped entries gathered where their group first appears."""
    out: list[NavItem | NavGroup] = []
    groups: dict[str, NavGroup] = {}
    for item in items:
        if item.personal:
            continue
        if item.group is None:
            out.append(item)
        elif item.group in groups:
            groups[item.group].items.append(item)
        else:
            groups[item.group] = NavGroup(item.group, [item])
            out.append(groups[item.group])
    return out


def utility_links(items: list[NavItem]) -> list[NavItem]:
    """Personal entries for the header's utility bar on wide screens; the account is left
    out, as the bar links it under the user's name."""
    account = url_for("account.profile")
    return [item for item in items if item.personal and item.url != account]


@bp.app_context_processor
def inject_layout():
    items = nav_items()
    return {
        "nav_items": items,
        "desktop_menu": desktop_menu(items),
        "utility_links": utility_links(items),
        "current_locale": str(get_locale()),
    }
