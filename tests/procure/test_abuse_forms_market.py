"""Arbitrary text and numbers posted to the market's forms, as the right signed-in user.

The demand (new and edit, with requirement rows), product, reverse proposal (answers per
requirement), public question and competitive-dialogue message forms. For every example: never a
500; either the record is saved exactly as the app promises (text stripped of surrounding
whitespace, blank optional text empty, numbers parsed as whole numbers) or the post is refused
with a message that says what is wrong, and nothing is half-written (no new row, or the edited
row unchanged). Each request commits a savepoint inside the test's rolled-back transaction, so
the examples of one test share it; they compare against counts and snapshots taken just before.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import factories
from factories import kept
from procure.clock import local_today
from procure.extensions import db
from procure.models import (
    Demand,
    DemandRequirement,
    Product,
    Question,
    RequirementResponse,
    ReverseProposal,
)
from procure.models.dialogue import (
    Dialogue,
    DialogueMessage,
    DialogueParticipant,
    DialogueStatus,
    ParticipantStatus,
)

HOSTILE = st.sampled_from(
    [
        "혁신 드론",
        "",
        " ",
        " \u3000\t\r\n",  # whitespace only, ideographic space included
        "\x00",
        "a\x00b",
        "\x01\x07\x1b[31m\x7f",
        "\u202eevil\u202c",
        "\u200f שלום \u200e",
        "😀" * 60,
        "👩\u200d👩\u200d👧\u200d👦",
        "e\u0301\u0301\u0301",
        "\ufeffBOM",
        "\U0010ffff",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        '=HYPERLINK("http://evil.example")',
        "가" * 5000,
        "x" * 40,
        "x" * 41,
        "x" * 100,
        "x" * 101,
        "x" * 200,
        "x" * 201,
        "  padded  ",
    ]
)
TEXT = st.one_of(
    HOSTILE,
    st.text(max_size=300),
    st.text(alphabet="가나다\u200f\u0301\x01\x0b\x1f \u3000😀<>&\"'", max_size=60),
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1",
            " 42 ",
            "+5",
            "1_000",
            "1,000",
            "1e3",
            "0x10",
            "NaN",
            "١٢٣",  # Arabic-Indic digits: Python's int() reads them, the forms refuse them
            "²",  # a digit to str.isdigit(), not to int()
            "9" * 5000,  # beyond int()'s digit limit
            "1000000000000000",
            "1000000000000001",
        ]
    ),
    TEXT,
)
DAY = st.one_of(
    st.sampled_from(["", "2027-03-01", "2027-02-30", "0001-01-01", "9999-12-31", "yesterday"]),
    TEXT,
)
BOUNDED = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# A field message on a re-rendered form, a list of messages on the error page, or the NUL notice.
MARKERS = (
    "form-hint-invalid",
    "app-form-errors",
    "Must not contain NUL characters",
    "Must not contain control characters",
    "This field is required",
    "Use at most",
)


class Outcomes:
    """Counts saved and refused examples, so a test can show it reached both."""

    def __init__(self):
        self.saved = self.refused = 0

    def check_both(self):
        assert self.saved > 0, "no example was saved: the test only exercised refusals"
        assert self.refused > 0, "no example was refused: the strategies are too tame"


def explains(response) -> None:
    assert response.status_code in (400, 409, 422), response.status_code
    page = response.get_data(as_text=True)
    assert any(marker in page for marker in MARKERS), page[:2000]


def number(raw: str) -> int | None:
    """What an IntegerField reads: nothing for blank, else int() of ASCII digits (a saved form
    that held other digits, "١٢٣", fails here: they are refused since 2026-12-02), with
    thousands separators in groups of three ("1,000") read as written."""
    if raw.strip() == "":
        return None
    assert raw.strip().isascii(), f"saved a number written in other digits: {raw!r}"
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", raw.strip()):
        return int(raw.replace(",", ""))
    return int(raw)


def day(raw: str):
    return None if raw == "" else datetime.strptime(raw, "%Y-%m-%d").date()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- demands ---------------------------------------------------------------------------------


def changes(**kinds):
    """Up to four fields of a valid form replaced by hostile values: ``changes(title=TEXT)``.

    Changing a few fields at a time keeps enough valid examples to exercise saving as well as
    refusing, and lets a refusal be pinned on the changed fields.
    """
    pairs = [st.tuples(st.just(name), strategy) for name, strategy in kinds.items()]
    return st.lists(st.one_of(pairs), max_size=4).map(dict)


DEMAND = {
    "title": "해안 순찰용 드론",
    "problem": "해안 국립공원 순찰 인력이 부족하다.",
    "desired_outcome": "정지비행 드론으로 순찰",
    "contact_name": "김담당",
    "contact_email": "officer@agency.go.kr",
    "contact_phone": "044-000-0000",
    "budget": "120000000",
    "quantity": "4",
    "codes": "35613000",
    "region": "51",
    "opens_on": "",
    "closes_on": "2027-03-01",
    "requirements-0-name": "정지비행 안정성",
    "requirements-0-target_value": "0.5",
    "requirements-0-unit": "m",
    "requirements-1-name": "비행시간",
    "requirements-1-target_value": "40",
    "requirements-1-unit": "분",
}
DEMAND_CHANGES = changes(
    **{
        name: TEXT
        for name in DEMAND
        if name not in ("budget", "quantity", "codes", "region", "opens_on", "closes_on")
    },
    budget=NUMBER,
    quantity=NUMBER,
    codes=st.one_of(st.sampled_from(["", "35613000-4, 39000000", "35613000;1", " 1 "]), TEXT),
    region=st.one_of(st.sampled_from(["", "11", "99"]), TEXT),
    opens_on=DAY,
    closes_on=DAY,
    **{"requirements-0-mandatory": st.sampled_from(["y", "false", ""])},
    **{f"requirements-2-{key}": TEXT for key in ("name", "target_value", "unit")},
)


def _demand_form(changed: dict) -> dict:
    data = {"demand_type": "purchase", "language": "ko", **DEMAND, **changed}
    for index in range(3):
        data.setdefault(f"requirements-{index}-mandatory", "y")
    return data


def _expected_rows(data: dict) -> list[tuple]:
    rows = []
    for index in range(3):
        name = kept(data.get(f"requirements-{index}-name", ""))
        if name:
            rows.append(
                (
                    name,
                    kept(data.get(f"requirements-{index}-target_value", "")),
                    kept(data.get(f"requirements-{index}-unit", "")),
                    data[f"requirements-{index}-mandatory"] == "y",
                )
            )
    return rows


def _rows_of(demand: Demand) -> list[tuple]:
    return [(r.name, r.target_value, r.unit, r.mandatory) for r in demand.requirements]


def _check_demand(demand: Demand, data: dict) -> None:
    assert (demand.title, demand.problem) == (kept(data["title"]), kept(data["problem"]))
    assert (demand.desired_outcome or "") == kept(data["desired_outcome"])
    contacts = ("contact_name", "contact_email", "contact_phone")
    assert [getattr(demand, c) for c in contacts] == [kept(data[c]) or None for c in contacts]
    assert (demand.budget, demand.quantity) == (number(data["budget"]), number(data["quantity"]))
    assert demand.region == (data["region"] or None)
    assert (demand.opens_on, demand.closes_on) == (day(data["opens_on"]), day(data["closes_on"]))
    codes = {c.split("-")[0].strip() for c in re.split(r"[\s,;]+", data["codes"])} - {""}
    assert demand.code_values == sorted(codes)
    assert _rows_of(demand) == _expected_rows(data)


def test_new_demand_form_saves_exactly_or_explains(app, client, login):
    factories.add_cpv_codes()
    officer = login(factories.user_with_role("officer"))
    seen = Outcomes()

    @BOUNDED
    @given(changed=DEMAND_CHANGES)
    def post(changed):
        data = _demand_form(changed)
        before = (count(Demand), count(DemandRequirement))
        response = client.post("/demands/new", data=data)
        assert response.status_code < 500
        if response.status_code != 302:
            explains(response)
            assert (count(Demand), count(DemandRequirement)) == before
            seen.refused += 1
            return
        seen.saved += 1
        demand = db.session.scalars(select(Demand).order_by(Demand.id.desc())).first()
        assert demand.agency_id == officer.organisation_id and demand.status == "draft"
        _check_demand(demand, data)

    post()
    seen.check_both()


def test_demand_edit_form_saves_exactly_or_leaves_the_demand_unchanged(app, client, login):
    from procure.demands import services

    factories.add_cpv_codes()
    officer = login(factories.user_with_role("officer"))
    demand = factories.in_request(app, services.create_demand, officer, factories.demand_input())
    demand_id = demand.id
    seen = Outcomes()

    @BOUNDED
    @given(changed=DEMAND_CHANGES)
    def post(changed):
        db.session.expire_all()
        demand = db.session.get(Demand, demand_id)
        before, version = services.snapshot(demand), demand.version
        rows_before = count(DemandRequirement)
        data = {**_demand_form(changed), "version": str(version)}
        response = client.post(f"/demands/{demand_id}/edit", data=data)
        assert response.status_code < 500
        db.session.expire_all()
        demand = db.session.get(Demand, demand_id)
        if response.status_code != 302:
            explains(response)
            assert services.snapshot(demand) == before and demand.version == version
            assert count(DemandRequirement) == rows_before
            seen.refused += 1
            return
        seen.saved += 1
        _check_demand(demand, data)
        assert count(DemandRequirement, DemandRequirement.demand_id == demand_id) == len(
            _expected_rows(data)
        )

    post()
    seen.check_both()


# -- products --------------------------------------------------------------------------------

PRODUCT = {
    "name": "정지비행 드론",
    "name_en": "Hovering drone",
    "summary": "강풍에서도 정지비행하는 순찰 드론",
    "description": "자체 개발 비행제어기",
    "unit": "대",
    "price": "30000000",
    "trl": "8",
    "specs-0-name": "비행시간",
    "specs-0-value": "40",
    "specs-0-unit": "분",
    "certifications-0-kind": "GS",
    "certifications-0-number": "GS-2026-001",
    "certifications-0-issuer": "TTA",
    "certifications-0-valid_until": "2028-12-31",
    "patents-0-number": "10-2026-0001234",
    "patents-0-title": "정지비행 제어 방법",
}
PRODUCT_CHANGES = changes(
    **{
        name: TEXT
        for name in PRODUCT
        if name not in ("price", "trl", "certifications-0-valid_until")
    },
    price=NUMBER,
    trl=NUMBER,
    **{"certifications-0-valid_until": DAY},
    **{f"specs-1-{key}": TEXT for key in ("name", "value", "unit")},
)


def _row(data: dict, prefix: str, keys: tuple) -> list[tuple]:
    values = tuple(kept(data.get(f"{prefix}-{key}", "")) for key in keys)
    return [values] if any(values) else []


def test_product_form_saves_exactly_or_explains(app, client, login):
    factories.add_cpv_codes()
    supplier = login(factories.user_with_role("supplier"))
    seen = Outcomes()

    @BOUNDED
    @given(changed=PRODUCT_CHANGES)
    def post(changed):
        data = {**PRODUCT, "codes": "35613000", "language": "ko", **changed}
        before = count(Product)
        response = client.post("/products/new", data={**data, "regions": ["11", "51"]})
        assert response.status_code < 500
        if response.status_code != 302:
            explains(response)
            assert count(Product) == before
            seen.refused += 1
            return
        seen.saved += 1
        product = db.session.scalars(select(Product).order_by(Product.id.desc())).first()
        assert product.supplier_id == supplier.organisation_id
        assert (product.name, product.summary) == (kept(data["name"]), kept(data["summary"]))
        assert product.name_en == (kept(data["name_en"]) or None)
        assert (product.description or "") == kept(data["description"])
        assert product.unit == (kept(data["unit"]) or None)
        assert (product.price, product.trl) == (number(data["price"]), number(data["trl"]))
        assert product.regions == ["11", "51"] and product.code_values == ["35613000"]
        specs = _row(data, "specs-0", ("name", "value", "unit"))
        specs += _row(data, "specs-1", ("name", "value", "unit"))
        assert [(s.name, s.value, s.unit) for s in product.specs] == specs
        certification = _row(data, "certifications-0", ("kind", "number", "issuer", "valid_until"))
        assert [(c.kind, c.number, c.issuer, c.valid_until) for c in product.certifications] == [
            (*row[:3], day(row[3])) for row in certification
        ]
        assert [(p.number, p.title) for p in product.patents] == _row(
            data, "patents-0", ("number", "title")
        )

    post()
    seen.check_both()


# -- reverse proposals -----------------------------------------------------------------------

PROPOSAL = {
    "title": "정지비행 드론 제안",
    "summary": "자체 개발 비행제어기로 강풍에서도 정지비행합니다.",
    "delivery_plan": "계약 후 60일 안에 납품",
    "price_offer": "110000000",
    "delivery_days": "60",
    "responses-0-compliance": "meets",
    "responses-0-offered_value": "0.3 m",
    "responses-0-evidence": "시험성적서",
}
PROPOSAL_CHANGES = changes(
    title=TEXT,
    summary=TEXT,
    delivery_plan=TEXT,
    price_offer=NUMBER,
    delivery_days=NUMBER,
    **{
        "responses-0-requirement_id": st.sampled_from(["²", "99999999999999999999", "-1", "x", ""]),
        "responses-0-compliance": st.one_of(st.sampled_from(["", "partly", "bogus"]), TEXT),
        "responses-0-offered_value": TEXT,
        "responses-0-evidence": TEXT,
    },
)


def test_proposal_form_saves_exactly_or_explains(app, client, login):
    factories.add_cpv_codes()
    demand = factories.published_demand(app, factories.user_with_role("officer"))
    requirement_ids = [r.id for r in demand.requirements]
    demand_id = demand.id
    supplier = login(factories.user_with_role("supplier"))
    seen = Outcomes()

    @BOUNDED
    @given(changed=PROPOSAL_CHANGES)
    @example(changed={"responses-0-requirement_id": "²"})  # was a 500: isdigit() but not int()
    @example(changed={"responses-0-requirement_id": "99999999999999999999"})
    def post(changed):
        data = {**PROPOSAL, "responses-0-requirement_id": str(requirement_ids[0]), **changed}
        before = (count(ReverseProposal), count(RequirementResponse))
        response = client.post(f"/proposals/new?demand={demand_id}", data=data)
        assert response.status_code < 500
        if response.status_code != 302:
            explains(response)
            assert (count(ReverseProposal), count(RequirementResponse)) == before
            seen.refused += 1
            return
        seen.saved += 1
        proposal = db.session.scalars(
            select(ReverseProposal).order_by(ReverseProposal.id.desc())
        ).first()
        assert (proposal.supplier_id, proposal.demand_id) == (supplier.organisation_id, demand_id)
        assert (proposal.title, proposal.summary) == (
            kept(data["title"]),
            kept(data["summary"]),
        )
        assert (proposal.delivery_plan or "") == kept(data["delivery_plan"])
        assert (proposal.price_offer, proposal.delivery_days) == (
            number(data["price_offer"]),
            number(data["delivery_days"]),
        )
        # An answer for a requirement the demand does not have is refused, never saved.
        assert data["responses-0-requirement_id"] == str(requirement_ids[0])
        answers = {
            r.requirement_id: (r.compliance, r.offered_value, r.evidence)
            for r in proposal.responses
        }
        answer = tuple(
            data[f"responses-0-{k}"] for k in ("compliance", "offered_value", "evidence")
        )
        assert answers == {
            requirement_ids[0]: tuple(kept(a) for a in answer),
            **dict.fromkeys(requirement_ids[1:], ("", "", "")),
        }

    post()
    seen.check_both()


# -- public questions on a demand ------------------------------------------------------------


def test_question_form_saves_exactly_or_explains(app, client, login):
    factories.add_cpv_codes()
    demand = factories.published_demand(app, factories.user_with_role("officer"))
    demand_id = demand.id
    supplier = login(factories.user_with_role("supplier"))
    seen = Outcomes()

    @BOUNDED
    @given(body=st.one_of(TEXT, st.sampled_from(["가" * 2000, "가" * 2001])))
    def post(body):
        before = count(Question)
        response = client.post(f"/demands/{demand_id}/questions", data={"body": body})
        assert response.status_code < 500
        if response.status_code != 302:
            explains(response)
            assert count(Question) == before
            seen.refused += 1
            return
        seen.saved += 1
        question = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
        assert (question.demand_id, question.asked_by_id) == (demand_id, supplier.id)
        assert question.body == kept(body)

    post()
    seen.check_both()


# -- competitive dialogue: a partner's private message ---------------------------------------


def _running_dialogue(app, officer, supplier) -> DialogueParticipant:
    demand = factories.published_demand(app, officer, demand_type="dialogue")
    today = local_today()
    dialogue = Dialogue(
        demand_id=demand.id,
        agency_id=officer.organisation_id,
        created_by_id=officer.id,
        title="해안 감시 경쟁적 대화",
        notice="대화로 방안을 찾습니다.",
        status=DialogueStatus.DIALOGUE_1,
        basic_scheme="dialogue_basic-v1",
        final_scheme="dialogue_final-v1",
        basic_due_on=today - timedelta(days=1),
        dialogue_1_due_on=today + timedelta(days=20),
        dialogue_2_due_on=today + timedelta(days=30),
        final_due_on=today + timedelta(days=40),
    )
    participant = DialogueParticipant(
        dialogue=dialogue, supplier_id=supplier.organisation_id, status=ParticipantStatus.PARTNER
    )
    db.session.add_all([dialogue, participant])
    db.session.flush()
    return participant


def test_dialogue_message_form_saves_exactly_or_explains(app, client, login):
    factories.add_cpv_codes()
    supplier = factories.user_with_role("supplier")
    participant = _running_dialogue(app, factories.user_with_role("officer"), supplier)
    first = DialogueMessage(
        participant=participant,
        stage=DialogueStatus.DIALOGUE_1,
        author_id=supplier.id,
        from_agency=False,
        body="첫 메시지",
    )
    db.session.add(first)
    db.session.flush()
    participant_id, first_id = participant.id, first.id
    login(supplier)
    seen = Outcomes()

    @BOUNDED
    @given(
        body=st.one_of(TEXT, st.sampled_from(["가" * 20_000, "가" * 20_001])),
        parent=st.sampled_from(["", "first", "²", "99999999999999999999", "-1", "abc", "0"]),
    )
    @example(body="답장", parent="²")  # was a 500: isdigit() but not int()
    @example(body="답장", parent="99999999999999999999")  # was a generic out-of-range page
    def post(body, parent):
        if parent == "first":
            parent = str(first_id)
        before = count(DialogueMessage)
        response = client.post(
            f"/dialogues/threads/{participant_id}/messages",
            data={"body": body, "parent_id": parent},
        )
        assert response.status_code < 500
        if response.status_code != 302:
            explains(response)
            assert count(DialogueMessage) == before
            seen.refused += 1
            return
        seen.saved += 1
        message = db.session.scalars(
            select(DialogueMessage).order_by(DialogueMessage.id.desc())
        ).first()
        assert (message.participant_id, message.author_id) == (participant_id, supplier.id)
        assert message.body == kept(body) and not message.from_agency
        # A reply names a message of this thread; any other parent is refused, never dropped.
        assert parent in ("", str(first_id))
        assert message.parent_id == (first_id if parent else None)

    post()
    seen.check_both()


# -- numbers typed in odd digits -------------------------------------------------------------

ODD_NUMBERS = ["²", "١٢", "9" * 5000, "-1", "1e3"]


def test_posted_ids_and_whole_numbers_take_ascii_digits_only():
    from procure.validators import posted_id, whole_number

    assert [posted_id(v) for v in ("", None, " 12 ", "0", "²", "2147483648", "x")] == [
        None,
        None,
        12,
        -1,
        -1,
        -1,
        -1,
    ]
    assert whole_number("20", 1, 20) == 20
    assert [whole_number(v, 0, 10**15) for v in [*ODD_NUMBERS, " 7"]] == [None] * 6


def test_number_parameters_in_odd_digits_are_refused_not_a_500(app, client, login):
    login(factories.user_with_role("officer"))
    for value in ODD_NUMBERS:
        for path, name in (
            ("/api/v1/search/suggest", "limit"),
            ("/api/v1/demands/1/matches", "k"),  # k is read before the demand
            ("/api/v1/search", "amount_min"),
            ("/search/", "amount_min"),
            ("/search/", "agency"),
        ):
            response = client.get(path, query_string={name: value})
            assert response.status_code in (200, 422), (path, name, value, response.status_code)
            if path.startswith("/api/"):
                assert response.status_code == 422, (path, name, value)
                assert response.json["errors"][0]["field"] == name
