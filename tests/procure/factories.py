"""factory_boy factories for the models, bound to the test's rolled-back session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from procure.account.services import hash_password
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
