"""Arbitrary text posted to the main forms: never a 500; either saved exactly or refused with a
field message. Korean, NUL and control characters, right-to-left marks, emoji, very long text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import factories
from factories import kept
from procure.extensions import db
from procure.models import CitizenIdea

HOSTILE = st.sampled_from(
    ["혁신 드론", "\x00", "a\x00b", "\u202eevil", "😀" * 50, "\r\n\t", "가" * 5000, " ", "<b>"]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=300), st.text(alphabet="가나다\u200f\x01 ", max_size=50))
BOUNDED = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_idea_form_saves_exactly_or_explains(app, client, login):
    login(factories.user_with_role("citizen"))

    @BOUNDED
    @given(title=TEXT, problem=TEXT)
    def post(title, problem):
        response = client.post("/ideas/new", data={"title": title, "problem": problem})
        assert response.status_code < 500
        if response.status_code == 302:
            idea = db.session.scalars(select(CitizenIdea).order_by(CitizenIdea.id.desc())).first()
            assert idea.title == kept(title) and idea.problem == kept(problem)
        else:
            assert response.status_code in (400, 422)
            page = response.get_data(as_text=True)
            assert "form-hint-invalid" in page or "NUL" in page  # a message says what is wrong

    post()


def test_search_and_registration_never_fail(app, client):
    @BOUNDED
    @given(q=TEXT, name=TEXT)
    def post(q, name):
        assert client.get("/search/", query_string={"q": q}).status_code < 500
        assert client.get("/demands/", query_string={"q": q}).status_code < 500
        response = client.post(
            "/register",
            data={
                "account_type": "citizen",
                "email": "fuzz@example.kr",
                "name": name,
                "password": "long enough password",
                "password_confirm": "long enough password",
            },
        )
        assert response.status_code < 500
        client.post("/logout")

    post()
