"""procure: an open marketplace for innovative public procurement (혁신조달 플랫폼)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings from the environment, then ``config`` on top.

    ``config`` may hold setting names in lower case (``{"database_url": ...}``) and Flask keys
    in upper case (``{"WTF_CSRF_ENABLED": False}``). The instance folder (secret key, embedded
    database and index, saved matcher) is ``config["INSTANCE_PATH"]``, else the
    ``INSTANCE_PATH`` environment variable, else ``instance/`` in the checkout.

    :raise ConfigError: a setting is malformed, or production runs without ``SECRET_KEY``.
    """
    from procure.config import load_settings

    config = dict(config or {})
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=config.pop("INSTANCE_PATH", None)
        or os.environ.get("INSTANCE_PATH")
        or str(ROOT / "instance"),
        instance_relative_config=True,
    )
    overrides = {k: v for k, v in config.items() if k.islower()}
    settings = load_settings(instance_path=app.instance_path, overrides=overrides)
    app.config.update(settings.flask_config())
    app.config.update({k: v for k, v in config.items() if k.isupper()})

    from procure.urls import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from procure import authz, database, forms, i18n, indexing, mail, security
    from procure.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=security.select_locale, timezone_selector=lambda: None)
    i18n.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    security.init_app(app)
    # Authorisation runs before the CSRF check so an unauthorised caller learns nothing.
    authz.init_app(app)
    csrf.init_app(app)
    forms.init_app(app)
    indexing.init_app(app)


def register_blueprints(app: Flask) -> None:
    from procure import (
        account,
        admin,
        api,
        attachments,
        audit,
        auth,
        authz,
        demands,
        dialogue,
        evaluation,
        ideas,
        insights,
        main,
        notifications,
        onestop,
        opendata,
        organisations,
        pilots,
        products,
        proposals,
        searching,
    )

    for module in (
        main,
        auth,
        account,
        admin,
        audit,
        notifications,
        attachments,
        demands,
        products,
        proposals,
        ideas,
        organisations,
        evaluation,
        pilots,
        onestop,
        dialogue,
        searching,
        insights,
        opendata,
        api,
    ):
        app.register_blueprint(module.bp)
    authz.check_routes(app)


def register_errorhandlers(app: Flask) -> None:
    from procure import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from procure import cli

    cli.register(app)
