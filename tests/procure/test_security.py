"""Security headers, cookies, CSRF and error pages."""

from __future__ import annotations

import factories


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(client):
    html = client.get("/register").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html
    assert "<script src=" in html


def test_session_cookie_is_httponly_and_samesite(client):
    user = factories.UserFactory()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_missing_csrf_token_is_a_clear_400(client, csrf):
    user = factories.UserFactory()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_csrf_token_from_the_page_is_accepted(client, csrf):
    import re

    user = factories.UserFactory()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_forbidden_page_is_explained(client_as):
    client, _user = client_as("citizen")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "permission" in response.get_data(as_text=True)


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)


def test_upload_too_large_is_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/register", data={"name": "x" * (limit + 10)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    # No file was sent: the message speaks of the whole form, not of a file.
    assert "larger than the allowed size (20 MB for the whole form" in page
    assert "File too large" not in page


def test_unexpected_errors_are_a_friendly_500(tmp_path):
    from flask import Blueprint

    from procure import authz, create_app

    bp = Blueprint("boom", __name__)

    @bp.route("/__boom")
    @authz.public
    def explode():
        raise RuntimeError("boom")

    app = create_app(
        {
            "env": "testing",
            "database_url": f"sqlite:///{tmp_path / 'x.db'}",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    app.register_blueprint(bp)
    app.logger.disabled = True  # the traceback is expected; keep the test output clean
    response = app.test_client().get("/__boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "went wrong on our side" in body
    assert "RuntimeError" not in body
