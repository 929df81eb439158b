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
