"""Service errors and how they become responses: HTML pages for people, problem+json for the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, json, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError
from sqlalchemy.exc import OperationalError as DatabaseOperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from procure.security import request_locale
from procure.urls import safe_next


@dataclass
class FieldError:
    field: str
    message: str


class ServiceError(Exception):
    """A rule refused the action; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, errors: list[FieldError] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    """The record changed since the user loaded it (optimistic locking) or a duplicate."""

    status = 409


class Invalid(ServiceError):
    status = 422


@dataclass
class Throttled(ServiceError):
    message: str
    retry_after: int = 60
    errors: list = field(default_factory=list)
    status = 429

    def __post_init__(self):
        Exception.__init__(self, self.message)


def stale_message() -> str:
    return _(
        "Someone else changed this record after you opened it. "
        "Reload the page to see their changes, then make yours again."
    )


def out_of_range_message() -> str:
    return _("A value is out of range. Check the numbers and the length of what you entered.")


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, errors=None, **extra) -> Response:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = [
            {"field": e.field, "message": e.message} if isinstance(e, FieldError) else e
            for e in errors
        ]
    body.update(extra)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    return response


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Sign-in required"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Too much sent at once"),
        415: _("Unsupported content type"),
        422: _("Invalid input"),
        429: _("Too many requests"),
        500: _("Server error"),
        503: _("Service temporarily unavailable"),
    }


def _details() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Check what you entered and try again."),
        401: _("Sign in to continue."),
        403: _("You do not have permission to see this page or take this action."),
        404: _("The page you asked for does not exist or has been removed."),
        405: _("This address does not accept that kind of request."),
        413: _(
            "What you sent is larger than the allowed size (%(mb)d MB for the whole form, "
            "files and text together). Send smaller files, or less text at once.",
            mb=current_app.config["SETTINGS"].upload_max_mb,
        ),
        429: _("Too many requests in a short time. Wait a moment and try again."),
        500: _("Something went wrong on our side. It has been logged; please try again later."),
        503: _(
            "The database did not answer. Nothing from this request was saved; "
            "please try again in a moment."
        ),
    }


#: Answers to a submitted form that the user can put right on the page they came from.
CORRECTABLE = (400, 409, 413, 422)


def back_url() -> str | None:
    """The same-site page a refused form was sent from, for a "go back and correct" button.

    Only for submissions (not GET) with a Referer on this host; its path and query only.
    """
    if request.method in ("GET", "HEAD") or not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if target == request.full_path.rstrip("?"):  # the refused address itself
        return None
    return safe_next(target)


def render_error(status: int, detail: str | None = None, errors=None, headers=None):
    title = _titles().get(status, _("Error"))
    detail = detail or _details().get(status)
    if wants_problem_json():
        response = problem(status, title, detail, errors)
    else:
        template = f"errors/{status}.html" if status in ERROR_PAGES else "errors/generic.html"
        back = back_url() if status in CORRECTABLE else None
        response = Response(
            render_template(
                template, status=status, title=title, detail=detail, errors=errors, back_url=back
            ),
            status=status,
        )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


ERROR_PAGES = (400, 403, 404, 413, 429, 500)

#: Seconds a client is asked to wait after the database did not answer.
DATABASE_RETRY_AFTER = 5


def is_database_unavailable(error: Exception) -> bool:
    """A lost or refused database connection (or a locked SQLite file): worth a retry,
    not a bug. Constraint violations and bad SQL are not."""
    if isinstance(error, DisconnectionError):
        return True
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, DatabaseOperationalError)
    )


def database_unavailable() -> Response:
    """503 with Retry-After; the session's transaction is rolled back first, so nothing of the
    request is kept, and the broken connection has already left the pool."""
    from procure.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: closing the session is all that is left
        db.session.close()
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER)}
    try:
        return render_error(503, headers=headers)
    except Exception:  # the page itself needed the database: a plain answer still helps
        # The signed-in user's language setting would need the database again.
        with force_locale(request_locale()):
            body = f"{_titles()[503]}\n{_details()[503]}\n"
        return Response(body, status=503, mimetype="text/plain", headers=headers)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _("Your form has expired or was not sent from this site. Reload and try again.")
        )

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        headers = {}
        if isinstance(error, Throttled):
            headers["Retry-After"] = str(error.retry_after)
        return render_error(error.status, error.message, error.errors, headers)

    @app.errorhandler(StaleDataError)
    def stale(error):
        return render_error(409, stale_message())

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error):
        # The last line of defence when a value the checks let through does not fit its column
        # (a number beyond its integer type, text the database refuses): the request was bad,
        # not the server, and nothing it started may stay half-written.
        from procure.extensions import db

        db.session.rollback()
        app.logger.warning(
            "database refused a value on %s %s: %s", request.method, request.path, error
        )
        return render_error(422, out_of_range_message())

    @app.errorhandler(DBAPIError)
    @app.errorhandler(DisconnectionError)
    def database_error(error: Exception):
        if not is_database_unavailable(error):
            return unexpected(error)
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
        return database_unavailable()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 401 and not wants_problem_json():
            return app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if error.code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="procure"'  # RFC 6750, as for bad tokens
        detail = error.description if _is_custom(error) else None
        return render_error(error.code or 500, detail, headers=headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        # The error may have left the session's transaction failed (an error in a flush); the
        # error page itself reads the user, so nothing of it may be used again.
        from procure.extensions import db

        try:
            db.session.rollback()
        except Exception:  # a connection already gone: the page needs none
            app.logger.warning("rollback after the unhandled error failed", exc_info=True)
        return render_error(500)


def _is_custom(error: HTTPException) -> bool:
    """Werkzeug's default English descriptions are replaced by translated ones."""
    return type(error).description != error.description
