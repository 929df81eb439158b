"""Typed settings read from the environment, in one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


ENVIRONMENTS = ("development", "production", "testing")


@dataclass(frozen=True)
class Settings:
    """Every setting the application reads, with its type and default.

    Environment variable names are the field names in upper case.
    """

    env: str = "development"
    database_url: str = ""
    search_url: str = ""
    secret_key: str = ""
    mail_url: str = "console://"
    mail_from: str = "procure <no-reply@procure.local>"
    base_url: str = "http://127.0.0.1:5000"
    upload_max_mb: int = 20
    upload_dir: str = ""
    login_max_failures: int = 5  # per account, within the window
    # Per address: higher, for an agency's office behind one NAT address (one person's typos
    # must not lock the whole office out); still stops one address spraying many accounts.
    login_max_failures_per_address: int = 30
    login_window_minutes: int = 15
    password_reset_max_age_minutes: int = 60
    api_per_page_max: int = 100
    default_locale: str = "ko"
    display_timezone: str = "Asia/Seoul"
    web_workers: int = 2
    # Open data (docs/open-data.md): the OCDS ocid prefix and the public API's rate limits.
    ocds_prefix: str = "ocds-procure"
    ocds_publisher: str = "procure"
    api_rate_limit: int = 120  # requests per window without a token (per IP); 0 turns limits off
    api_rate_limit_token: int = 600  # requests per window with a token (per token)
    api_rate_window_seconds: int = 60
    api_rate_store: str = "database"  # database (shared by workers) or memory (per process)
    # Demand gaps (docs/insights.md): up to this many analysed demands the operator's page
    # analyses as it opens; above it, it shows stored runs that `procure worker` computes.
    gap_live_max_demands: int = 300
    # The privacy policy (/privacy, docs/privacy.md): who runs the service and whom people
    # write to about their personal data; sign-in attempts are deleted after this many days.
    operator_name: str = ""
    privacy_officer: str = ""
    privacy_email: str = ""
    privacy_phone: str = ""
    login_attempt_retention_days: int = 365

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict:
        """The Flask configuration mapping derived from these settings."""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(self.database_url),
            "MAX_CONTENT_LENGTH": self.upload_max_mb * 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.is_production,
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.display_timezone,
            "WTF_CSRF_TIME_LIMIT": None,
            "TESTING": self.env == "testing",
            "SETTINGS": self,
        }

    def public_dict(self) -> dict:
        """Settings safe to print: secrets masked."""
        data = asdict(self)
        data["secret_key"] = "***" if self.secret_key else ""
        data["database_url"] = _mask_password(self.database_url)
        data["mail_url"] = _mask_password(self.mail_url)
        return data


def _mask_password(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _parse(name: str, raw: str, kind: type):
    if kind is int:
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name.upper()} must be a whole number, got {raw!r}") from None
        if value < 0:
            raise ConfigError(f"{name.upper()} must not be negative, got {raw!r}")
        return value
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None,
    instance_path: str | os.PathLike | None = None,
    overrides: Mapping | None = None,
) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``), then apply ``overrides``.

    :raise ConfigError: a value is malformed, or production runs without ``SECRET_KEY``.
    """
    environ = os.environ if environ is None else environ
    instance = Path(instance_path or "instance")
    values: dict = {}
    for field in fields(Settings):
        key = "PROCURE_ENV" if field.name == "env" else field.name.upper()
        if key in environ and environ[key] != "":
            kind = int if field.type in ("int", int) else str
            values[field.name] = _parse(field.name, environ[key], kind)
    values.update(overrides or {})

    env = values.get("env", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PROCURE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    if env == "production" and not values.get("secret_key"):
        raise ConfigError(
            "SECRET_KEY is not set. In production the secret key must come from the "
            "environment (for example: export SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_hex(32))'))."
        )
    if not values.get("secret_key"):
        values["secret_key"] = _instance_secret(instance)
    if not values.get("database_url"):
        values["database_url"] = f"sqlite:///{(instance / 'procure.db').resolve()}"
    values["database_url"] = normalise_database_url(values["database_url"])
    if not values.get("search_url"):
        values["search_url"] = f"embedded://{(instance / 'search').resolve()}"
    if not values.get("upload_dir"):
        values["upload_dir"] = str((instance / "uploads").resolve())
    if env == "testing":
        # The test suite calls the API many times a second; tests of the limits set them.
        values.setdefault("api_rate_limit", 0)
        values.setdefault("api_rate_limit_token", 0)
    if values.get("api_rate_store", "database") not in ("database", "memory"):
        raise ConfigError("API_RATE_STORE must be database or memory")
    if values.get("api_rate_window_seconds", 60) == 0:
        raise ConfigError("API_RATE_WINDOW_SECONDS must be at least 1")
    if values.get("login_attempt_retention_days", 365) < 30:
        raise ConfigError(
            "LOGIN_ATTEMPT_RETENTION_DAYS must be at least 30 (the sign-in throttle and "
            "investigations of break-in attempts read them)"
        )
    if values.get("upload_max_mb", 20) == 0:
        raise ConfigError("UPLOAD_MAX_MB must be at least 1")
    return Settings(**values)


def _instance_secret(instance: Path) -> str:
    """Generate the secret key once and keep it in the instance folder (embedded default)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
