"""factory_boy factories for the models, bound to the test's rolled-back session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from procure.account.services import hash_password
from procure.clock import local_today
from procure.extensions import db
from procure.models import Organisation, OrganisationKind, Role, User, UserRole
from procure.models.base import utcnow
from procure.validators import business_number_with_check_digit

PASSWORD = "correct horse battery"
# Hashing with scrypt costs tens of milliseconds; one hash serves every factory user.
_PASSWORD_HASH = hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - read at call time
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.AGENCY
    name = factory.Sequence(lambda n: f"기관 {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    region = "11"
    verified_at = factory.LazyFunction(utcnow)

    class Params:
        supplier = factory.Trait(
            kind=OrganisationKind.SUPPLIER,
            name=factory.Sequence(lambda n: f"(주)혁신기업 {n}"),
            business_number=factory.Sequence(
                lambda n: business_number_with_check_digit(f"{100 + n % 800:03d}81{n % 10000:04d}")
            ),
            is_sme=True,
        )
        operator = factory.Trait(kind=OrganisationKind.OPERATOR, name="조달청")
        pending = factory.Trait(verified_at=None)


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.kr")
    name = factory.Sequence(lambda n: f"사용자 {n}")
    password_hash = _PASSWORD_HASH
    organisation = None
    approved_at = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or (Role.CITIZEN,):
            self.role_rows.append(UserRole(role=role))
        if create:
            db.session.flush()


ORG_FOR_ROLE = {
    "officer": {},
    "supplier": {"supplier": True},
    "operator": {"operator": True},
}


def user_with_role(role: str, *, organisation=None, approved: bool = True, **fields) -> User:
    """A user holding ``role``; officers, suppliers and operators get a verified organisation."""
    if role in ORG_FOR_ROLE and organisation is None:
        organisation = OrganisationFactory(**ORG_FOR_ROLE[role])
    roles = [Role.CITIZEN, Role.EVALUATOR] if role == "evaluator" else [role]
    return UserFactory(
        organisation=organisation,
        approved_at=utcnow() if organisation is not None and approved else None,
        roles=roles,
        **fields,
    )


# -- market helpers: records made through the services, as people make them ---------------

CPV_SAMPLE = {
    "35000000": "Security, fire-fighting, police and defence equipment",
    "35600000": "Military aircraft, missiles and spacecraft",
    "35613000": "Unmanned aerial vehicles",
    "39000000": "Furniture and furnishings",
    "39110000": "Seats, chairs and related products",
    "90900000": "Cleaning and sanitation services",
    "32000000": "Radio, television and communication equipment",
}


def add_cpv_codes() -> None:
    from procure.classification.services import cpv_level
    from procure.models import ClassificationCode

    for code, label in CPV_SAMPLE.items():
        if db.session.get(ClassificationCode, ("CPV", code)) is None:
            db.session.add(
                ClassificationCode(scheme="CPV", code=code, level=cpv_level(code), label_en=label)
            )
    db.session.flush()


def in_request(app, function, *args, **kwargs):
    """Call a service the way a view does: inside a request context (for url_for and addresses).

    The request asks for English, so tests can quote the services' messages.
    """
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return function(*args, **kwargs)


def api_token(app, user, name: str = "test") -> str:
    """A personal API token of ``user``, made through the service as the profile page does."""
    from procure.account.services import create_api_token

    with app.test_request_context():
        _row, token = create_api_token(user, name)
    db.session.flush()
    return token


def bearer(app, user) -> dict[str, str]:
    """The Authorization header of a new token of ``user``."""
    return {"Authorization": f"Bearer {api_token(app, user)}"}


def demand_input(**overrides):
    from datetime import timedelta

    from procure.demands.services import DemandInput, RequirementInput

    values = {
        "title": "해안 순찰용 드론",
        "problem": "해안 국립공원 순찰 인력이 부족해 넓은 구역을 감시하기 어렵다.",
        "desired_outcome": "정지비행과 안내방송이 가능한 드론으로 순찰",
        "demand_type": "purchase",
        "budget": 120_000_000,
        "quantity": 4,
        "region": "51",
        "closes_on": local_today() + timedelta(days=30),
        "codes": ["35613000"],
        "requirements": [
            RequirementInput("정지비행 안정성", "0.5", "m", True),
            RequirementInput("안내방송 음압", "100", "dB", True),
            RequirementInput("비행시간", "40", "분", False),
        ],
    }
    values.update(overrides)
    return DemandInput(**values)


def listed_product(app, supplier, name: str, summary: str, codes: list[str]):
    """A product created and listed through the services, as a supplier would."""
    from procure.products import services

    data = services.ProductInput(name=name, summary=summary, codes=codes)
    product = in_request(app, services.create_product, supplier, data)
    in_request(app, services.change_status, supplier, product, "listed")
    return product


def published_demand(app, officer, **overrides):
    from procure.demands import services

    demand = in_request(app, services.create_demand, officer, demand_input(**overrides))
    in_request(app, services.publish_demand, officer, demand)
    return demand


def answered_proposal(app, supplier, demand, submit=True, **overrides):
    from procure.proposals import services

    data = services.ProposalInput(
        demand_id=demand.id,
        title=overrides.pop("title", "정지비행 드론 제안"),
        summary=overrides.pop("summary", "자체 개발 비행제어기로 강풍에서도 정지비행합니다."),
        price_offer=overrides.pop("price_offer", 110_000_000),
        delivery_days=60,
        responses=[
            services.ResponseInput(r.id, "meets", f"{r.target_value} {r.unit}", "시험성적서")
            for r in demand.requirements
        ],
    )
    proposal = in_request(app, services.create_proposal, supplier, data)
    if submit:
        in_request(app, services.submit, supplier, proposal)
    return proposal


def english_client(app):
    """A test client whose browser asks for English, so assertions can quote English text.

    Korean stays the default for browsers that ask for nothing (tested in test_i18n).
    """
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


def kept(raw: str) -> str:
    """The text a service keeps of what was typed: line breaks as the browser counted them,
    ends trimmed, and nothing at all when only spaces and invisible characters were typed."""
    from procure.checks import is_blank

    value = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "" if is_blank(value) else value


def dialogue_row(demand, status: str = "dialogue_1", title: str = "대화"):
    """A competitive dialogue on ``demand`` standing in ``status``, written directly: for tests
    of what depends on a dialogue running (tests/procure/test_dialogue.py runs the procedure)."""
    from datetime import timedelta

    from procure.models import Dialogue

    today = local_today()
    dialogue = Dialogue(
        demand_id=demand.id,
        agency_id=demand.agency_id,
        title=title,
        notice="공고",
        status=status,
        basic_scheme="default-v1",
        final_scheme="default-v1",
        basic_due_on=today,
        dialogue_1_due_on=today + timedelta(days=10),
        dialogue_2_due_on=today + timedelta(days=20),
        final_due_on=today + timedelta(days=30),
    )
    db.session.add(dialogue)
    db.session.flush()
    return dialogue
