"""Settings: typed, read in one place, safe defaults, refusal in production without a secret."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from procure.config import ConfigError, load_settings, normalise_database_url


def test_defaults_for_the_embedded_mode(tmp_path):
    settings = load_settings(environ={}, instance_path=tmp_path)
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'procure.db'}"
    assert settings.search_url == f"embedded://{tmp_path / 'search'}"
    assert settings.mail_url == "console://"
    assert settings.upload_max_mb == 20
    assert settings.flask_config()["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_settings(environ={}, instance_path=tmp_path).secret_key
    second = load_settings(environ={}, instance_path=tmp_path).secret_key
    assert first == second and len(first) == 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_typed_values_from_the_environment(tmp_path):
    settings = load_settings(
        environ={"UPLOAD_MAX_MB": "5", "DATABASE_URL": "postgresql://u:pw@db/x", "SECRET_KEY": "k"},
        instance_path=tmp_path,
    )
    assert settings.upload_max_mb == 5
    assert settings.database_url == "postgresql+psycopg://u:pw@db/x"
    assert settings.public_dict()["database_url"] == "postgresql+psycopg://u:***@db/x"
    assert settings.public_dict()["secret_key"] == "***"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"UPLOAD_MAX_MB": "lots"}, "UPLOAD_MAX_MB must be a whole number"),
        ({"UPLOAD_MAX_MB": "0"}, "UPLOAD_MAX_MB must be at least 1"),
        ({"PROCURE_ENV": "staging"}, "PROCURE_ENV must be one of"),
        ({"PROCURE_ENV": "production"}, "SECRET_KEY is not set"),
    ],
)
def test_bad_settings_stop_with_a_clear_message(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ, instance_path=tmp_path)


def test_production_start_up_without_secret_key_exits_with_the_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(PROCURE_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    procure = Path(sys.executable).with_name("procure")
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(procure), "routes"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_cookies_are_secure(tmp_path):
    settings = load_settings(
        environ={"PROCURE_ENV": "production", "SECRET_KEY": "x" * 64}, instance_path=tmp_path
    )
    config = settings.flask_config()
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_normalisation():
    assert normalise_database_url("postgres://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
