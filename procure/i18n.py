"""Translations and display helpers shared by templates: dates in Asia/Seoul, money in won."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import format_decimal, get_locale, gettext

from procure.clock import local_zone

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Compile .po catalogs to .mo when a catalog is newer than its compiled form."""
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            # A temporary file of this process's own, then an atomic rename: processes that
            # start together (workers, several commands) neither read half a file nor take
            # each other's temporary file away.
            fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
            try:
                with os.fdopen(fd, "wb") as target:
                    write_mo(target, catalog)
                os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a server's own user
                os.replace(tmp, mo)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise


def local_datetime(value: datetime | None, with_time: bool = True) -> str:
    """A stored moment as pages show it: in the service's time zone, to the minute."""
    if value is None:
        return ""
    value = value.astimezone(local_zone())
    return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def won(amount: int | None) -> str:
    """An amount of won as the page's language writes it: 1,500,000원 / ₩1,500,000."""
    if amount is None:
        return ""
    number = format_decimal(amount)
    return f"{number}원" if str(get_locale()) == "ko" else f"₩{number}"


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    compile_catalogs()

    from procure.labels import kind_label, role_label, role_labels
    from procure.regions import region_name
    from procure.validators import format_business_number

    def readable_json(value) -> str:
        """Data as indented JSON with Korean as Korean (``tojson`` writes \\uc815…); the page
        escapes it like any other text."""
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["readable_json"] = readable_json
    app.jinja_env.filters["number"] = lambda value: "" if value is None else format_decimal(value)
    app.jinja_env.filters["month_name"] = lambda day: format_skeleton(
        "yMMMM", day, locale=str(get_locale())
    )
    app.jinja_env.filters["won"] = won
    app.jinja_env.filters["bizno"] = format_business_number
    app.jinja_env.globals.update(
        role_label=role_label,
        role_labels=role_labels,
        kind_label=kind_label,
        region_name=region_name,
    )
    from procure import labels as label_tables
    from procure.classification.divisions import CPV_DIVISIONS
    from procure.classification.services import division_label

    tables = {
        "demand_status": label_tables.DEMAND_STATUS,
        "demand_outcome": label_tables.DEMAND_OUTCOME,
        "demand_type": label_tables.DEMAND_TYPE,
        "product_status": label_tables.PRODUCT_STATUS,
        "proposal_status": label_tables.PROPOSAL_STATUS,
        "compliance": label_tables.COMPLIANCE,
        "idea_status": label_tables.IDEA_STATUS,
        "pilot_status": label_tables.PILOT_STATUS,
    }

    def label(kind: str, value) -> str:
        return label_tables.label(tables[kind], value)

    def demand_state(demand) -> str:
        """The demand's status as people read it: an open demand past its closing day
        says so, though it stays published until the agency records the outcome."""
        from procure.demands.services import accepts_proposals, opens_later

        if opens_later(demand):
            return gettext("open for proposals from %(day)s", day=demand.opens_on.isoformat())
        if demand.status == "published" and not accepts_proposals(demand):
            return gettext("closed for proposals")
        return label("demand_status", demand.status)

    app.jinja_env.globals.update(
        label=label,
        demand_state=demand_state,
        demand_types=lambda: [(k, str(v)) for k, v in label_tables.DEMAND_TYPE.items()],
        division_choices=lambda: [(d, division_label(d)) for d in CPV_DIVISIONS],
        division_label=division_label,
        upload_max_mb=lambda: app.config["SETTINGS"].upload_max_mb,
    )
