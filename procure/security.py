"""Response hardening (headers) and the locale choice."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

LOCALES = ("ko", "en")

# No inline script or style anywhere: every script and stylesheet is a file we serve.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def select_locale() -> str:
    """The user's setting, then the session's choice, then the browser, then Korean."""
    if not has_request_context():  # commands and background work use the default
        return current_app.config["SETTINGS"].default_locale
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return request_locale()


def request_locale() -> str:
    """The session's choice, then the browser, then Korean: the locale without the database
    (the error page for a database that is gone uses it)."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or "ko"


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]

    @app.before_request
    def refuse_nul_characters():
        # No legitimate text holds NUL, and PostgreSQL refuses it deep inside a query.
        from flask import abort
        from flask_babel import gettext as _

        if _has_nul(request.args.values()) or (
            request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _has_nul(request.form.values())
        ):
            abort(400, description=_("Must not contain NUL characters."))

    @app.after_request
    def harden(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if settings.is_production:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
