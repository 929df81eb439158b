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
