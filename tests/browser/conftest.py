"""A real server and a real browser for the journey tests (docs/browser-tests.md).

The application runs in a werkzeug server thread on a free port of 127.0.0.1, with CSRF on,
search drained on commit into an embedded index, and its own database:

- SQLite in a temporary instance folder by default;
- with ``DATABASE_URL`` set, a separate PostgreSQL database ``<name>_browser`` on the same
  server, dropped and created at start and dropped at the end, so the suite never touches the
  schema that tests/procure resets and uses in the same pytest run.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright; no browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import got_request_exception
from journey_support import AXE, PASSWORD, Cast
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from procure import create_app
from procure.config import normalise_database_url


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: end-to-end journeys in headless Chromium against a live server"
    )


def _browser_database(instance: Path) -> tuple[str, str | None]:
    """The database URL for the live server, and the PostgreSQL database to drop afterwards."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'procure.db'}", None
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_browser"
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False), name


def _admin(base, *statements: str) -> None:
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the journeys make hundreds of requests
        pass


@dataclass
class LiveServer:
    app: object
    url: str
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The application served on 127.0.0.1 in a thread, with a fresh database."""
    instance = tmp_path_factory.mktemp("browser-instance")
    database_url, pg_database = _browser_database(instance)
    app = create_app(
        {
            "env": "testing",
            "database_url": database_url,
            "search_url": f"embedded://{instance / 'search'}",
            "upload_dir": str(instance / "uploads"),
            "INSTANCE_PATH": str(instance),
            "SEARCH_DRAIN_ON_COMMIT": True,
            "SERVER_NAME": None,
            # A failing view renders the 500 page, as in production; the hook below records it.
            "PROPAGATE_EXCEPTIONS": False,
            # Browsers keep the stylesheets, scripts and fonts instead of asking on every page.
            "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")

    errors: list[str] = []

    def record_error(sender, exception, **extra):
        errors.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record_error, app, weak=False)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", errors=errors)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record_error, app)
        from procure.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if pg_database:
            base = make_url(normalise_database_url(os.environ["DATABASE_URL"]))
            _admin(base, f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system (Playwright's own browsers are never downloaded)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed (apt-get install chromium).")
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE} (npm install).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable)
        try:
            yield chromium
        finally:
            chromium.close()


# -- the people and records the journeys start from (not part of the journeys) -------------

CPV = {
    "35000000": "Security, fire-fighting, police and defence equipment",
    "35600000": "Military aircraft, missiles and spacecraft",
    "35613000": "Unmanned aerial vehicles",
    "39000000": "Furniture and furnishings",
    "39110000": "Seats, chairs and related products",
    "90900000": "Cleaning and sanitation services",
}


def _in_request(app, function, *args, **kwargs):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return function(*args, **kwargs)


def _organisation(kind: str, name: str, name_en: str, number: int):
    from procure.models import Organisation
    from procure.models.base import utcnow
    from procure.validators import business_number_with_check_digit

    org = Organisation(kind=kind, name=name, name_en=name_en, region="11", verified_at=utcnow())
    if kind == "supplier":
        org.business_number = business_number_with_check_digit(f"{300 + number:03d}81{number:04d}")
        org.is_sme = True
    return org


def _person(email: str, name: str, roles, organisation=None, password_hash: str = ""):
    from procure.models import User, UserRole
    from procure.models.base import utcnow

    return User(
        email=email,
        name=name,
        password_hash=password_hash,
        organisation=organisation,
        approved_at=utcnow() if organisation is not None else None,
        role_rows=[UserRole(role=role) for role in roles],
    )


def _listed_product(app, supplier, name: str, summary: str, codes, specs):
    from procure.products import services as products

    data = products.ProductInput(
        name=name,
        summary=summary,
        description=summary,
        trl=8,
        price=25_000_000,
        unit="unit",
        codes=codes,
        specs=specs,
    )
    product = _in_request(app, products.create_product, supplier, data)
    _in_request(app, products.change_status, supplier, product, "listed")
    return product


TEXT = {
    "ko": {
        "agency": ("국립공원공단 해안사무소", "Coastal Office, National Park Service"),
        "supplier": ("(주)하늘정찰드론", "Haneul Patrol Drone Co."),
        "rival": ("(주)바다감시", "Sea Watch Inc."),
        "operator": ("조달청 혁신조달과", "PPS Innovation Procurement Division"),
        "product": "정지비행 순찰 드론 K1",
        "summary": "강풍에서도 정지비행하며 안내방송을 하는 해안 순찰용 드론",
        "rival_product": "해상 감시 드론 S2",
        "specs": [
            {"name": "정지비행 오차", "value": "0.3", "unit": "m"},
            {"name": "비행시간", "value": "45", "unit": "분"},
        ],
        "people": ["박수요", "최공급", "정경쟁", "김운영", "한평가", "오평가", "류평가"],
    },
    "en": {
        "agency": ("해양경찰청 장비과", "Coast Guard Equipment Division"),
        "supplier": ("(주)스카이워치", "SkyWatch Drones Ltd."),
        "rival": ("(주)마린아이", "Marine Eye Ltd."),
        "operator": ("조달청 혁신조달기획과", "PPS Innovation Planning Division"),
        "product": "Hover patrol drone E1",
        "summary": "A coastal patrol drone that hovers steadily in strong wind and broadcasts",
        "rival_product": "Sea surveillance drone M2",
        "specs": [
            {"name": "Hover drift", "value": "0.3", "unit": "m"},
            {"name": "Flight time", "value": "45", "unit": "min"},
        ],
        "people": [
            "Alice Officer",
            "Bob Supplier",
            "Carol Rival",
            "Dan Operator",
            "Eve Evaluator",
            "Finn Evaluator",
            "Gina Evaluator",
        ],
    },
}


@pytest.fixture(scope="session")
def cast_for(live_server):
    """Return a function creating one language's cast: accounts and listed products."""
    from procure.account.services import hash_password
    from procure.extensions import db
    from procure.models import ClassificationCode, Role

    app = live_server.app
    password_hash = hash_password(PASSWORD)
    with app.app_context():
        from procure.classification.services import cpv_level

        for code, label in CPV.items():
            if db.session.get(ClassificationCode, ("CPV", code)) is None:
                db.session.add(
                    ClassificationCode(
                        scheme="CPV", code=code, level=cpv_level(code), label_en=label
                    )
                )
        db.session.commit()
    made: dict[str, Cast] = {}

    def make(lang: str) -> Cast:
        if lang in made:
            return made[lang]
        words = TEXT[lang]
        names = iter(words["people"])
        with app.app_context():
            agency = _organisation("agency", *words["agency"], number=0)
            supplier_org = _organisation("supplier", *words["supplier"], number=len(made) * 2 + 1)
            rival_org = _organisation("supplier", *words["rival"], number=len(made) * 2 + 2)
            operator_org = _organisation("operator", *words["operator"], number=0)
            emails = {
                key: f"{key}-{lang}@journey.procure.kr"
                for key in ("officer", "supplier", "rival", "operator")
            }
            people = [
                _person(emails["officer"], next(names), [Role.OFFICER], agency, password_hash),
                _person(
                    emails["supplier"], next(names), [Role.SUPPLIER], supplier_org, password_hash
                ),
                _person(emails["rival"], next(names), [Role.SUPPLIER], rival_org, password_hash),
                _person(
                    emails["operator"], next(names), [Role.OPERATOR], operator_org, password_hash
                ),
            ]
            evaluator_emails = [f"evaluator{i}-{lang}@journey.procure.kr" for i in (1, 2, 3)]
            evaluators = [
                _person(email, next(names), [Role.CITIZEN, Role.EVALUATOR], None, password_hash)
                for email in evaluator_emails
            ]
            db.session.add_all(
                [agency, supplier_org, rival_org, operator_org, *people, *evaluators]
            )
            db.session.commit()
            product = _listed_product(
                app,
                people[1],
                words["product"],
                words["summary"],
                ["35613000"],
                words["specs"],
            )
            # The rival lists a drone too, and an unrelated product: the matcher needs three
            # listings to rank anything.
            _listed_product(
                app, people[2], words["rival_product"], words["summary"], ["35613000"], []
            )
            _listed_product(
                app,
                people[2],
                "사무용 의자" if lang == "ko" else "Office chair",
                "허리를 받쳐 주는 사무용 의자" if lang == "ko" else "An ergonomic office chair",
                ["39110000"],
                [],
            )
            db.session.commit()
            ids = [e.id for e in evaluators]
            cast = Cast(
                lang=lang,
                officer=emails["officer"],
                supplier=emails["supplier"],
                rival=emails["rival"],
                operator=emails["operator"],
                evaluators=evaluator_emails,
                product_id=product.id,
                product_name=product.name,
                evaluator_ids=sorted(ids),
            )
        made[lang] = cast
        return cast

    return make
