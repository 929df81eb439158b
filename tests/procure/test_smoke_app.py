"""The application starts, serves its home page and signs people in."""


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "procure" in response.get_data(as_text=True)


def test_sign_in_as_each_role(client_as):
    for role in ("citizen", "officer", "supplier", "evaluator", "operator"):
        signed_in, user = client_as(role)
        response = signed_in.get("/dashboard")
        assert response.status_code == 200
        assert user.name in response.get_data(as_text=True)


def test_every_template_compiles(app):
    """A syntax error in a template a test never renders (an apostrophe closing a quoted
    message early) would otherwise reach users first; it also hides the template's messages
    from the catalogue's extraction."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith(".html")]
    assert len(names) > 50
    for name in names:
        env.get_template(name)  # raises TemplateSyntaxError


def test_no_id_is_used_twice_on_a_page_with_several_forms(app, client_as):
    """Each form's CSRF field used to render id="csrf_token" again (WCAG 4.1.1)."""
    import re
    from collections import Counter

    from procure.extensions import db
    from procure.notifications.services import notify

    client, user = client_as("operator")
    with app.test_request_context():
        for n in range(3):  # each notification has its own "mark as read" form
            notify([user], "test", lambda n=n: f"알림 {n}", lambda: "", "/dashboard")
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True  # the tests run without; the fields are what counts
    try:
        for path in ("/notifications/", "/dashboard", "/admin/users", "/admin/organisations"):
            page = client.get(path).get_data(as_text=True)
            assert page.count('name="csrf_token"') >= (4 if path == "/notifications/" else 1)
            ids = Counter(re.findall(r'\sid="([^"]+)"', page))
            assert [i for i, n in ids.items() if n > 1] == [], path
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
