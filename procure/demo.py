"""Deterministic demo data: organisations and people for every role, Korean first."""

from __future__ import annotations

from sqlalchemy import select

from procure.account.services import hash_password
from procure.audit.services import record
from procure.extensions import db
from procure.models import Organisation, OrganisationKind, Role, User, UserRole
from procure.models.base import utcnow
from procure.validators import business_number_with_check_digit

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, documented in README

AGENCIES = [
    ("국립공원공단", "Korea National Park Service", "51"),
    ("서울특별시 안전총괄실", "Seoul Metropolitan Government Safety Office", "11"),
    ("한국도로공사", "Korea Expressway Corporation", "27"),
    ("부산광역시 해운대구청", "Haeundae-gu Office, Busan", "26"),
    ("국립중앙의료원", "National Medical Center", "11"),
    ("한국수자원공사", "K-water", "30"),
    ("경기도교육청", "Gyeonggi Provincial Office of Education", "41"),
    ("제주특별자치도청", "Jeju Special Self-Governing Province", "50"),
    ("소방청", "National Fire Agency", "36"),
    ("한국환경공단", "Korea Environment Corporation", "28"),
]

SUPPLIERS = [
    ("(주)하늘드론", "Haneul Drone Co., Ltd.", "47", True),
    ("(주)바른로봇", "Bareun Robotics Inc.", "41", True),
    ("그린센서(주)", "Green Sensor Corp.", "30", True),
    ("(주)한빛에너지", "Hanbit Energy Co., Ltd.", "46", True),
    ("세이프랩(주)", "SafeLab Inc.", "11", True),
    ("(주)스마트워터", "Smart Water Co., Ltd.", "48", True),
    ("누리소프트(주)", "Nuri Soft Inc.", "11", True),
    ("(주)대한정밀", "Daehan Precision Co., Ltd.", "26", False),
]

PEOPLE = [
    # (role, e-mail, name, organisation index or None, extra roles)
    (Role.OPERATOR, "operator@demo.procure.kr", "김운영", "operator", ()),
    (Role.OFFICER, "officer@demo.procure.kr", "박수요", ("agency", 0), ()),
    (Role.OFFICER, "officer2@demo.procure.kr", "이담당", ("agency", 1), ()),
    (Role.SUPPLIER, "supplier@demo.procure.kr", "최공급", ("supplier", 0), ()),
    (Role.SUPPLIER, "supplier2@demo.procure.kr", "정혁신", ("supplier", 1), ()),
    (Role.EVALUATOR, "evaluator@demo.procure.kr", "한평가", None, (Role.EVALUATOR,)),
    (Role.EVALUATOR, "evaluator2@demo.procure.kr", "Jane Evaluator", None, (Role.EVALUATOR,)),
    (Role.CITIZEN, "citizen@demo.procure.kr", "오시민", None, ()),
    (Role.SUPPLIER, "pending@demo.procure.kr", "윤대기", ("pending", 0), ()),
]


def load() -> list[tuple[str, str, str]]:
    """Create the demo data once (running it again changes nothing); return the accounts."""
    if db.session.scalar(select(User).where(User.email == PEOPLE[0][1])) is None:
        _create()
        db.session.commit()
    return [(str(role), email, name) for role, email, name, _org, _extra in PEOPLE]


def _create() -> None:
    now = utcnow()
    operator = Organisation(
        kind=OrganisationKind.OPERATOR,
        name="조달청 혁신조달기획과",
        name_en="Public Procurement Service, Innovation Procurement Division",
        region="30",
        verified_at=now,
    )
    agencies = [
        Organisation(
            kind=OrganisationKind.AGENCY, name=ko, name_en=en, region=region, verified_at=now
        )
        for ko, en, region in AGENCIES
    ]
    suppliers = [
        Organisation(
            kind=OrganisationKind.SUPPLIER,
            name=ko,
            name_en=en,
            region=region,
            is_sme=sme,
            business_number=business_number_with_check_digit(f"{214 + i:03d}81{5000 + i * 37:04d}"),
            verified_at=now,
        )
        for i, (ko, en, region, sme) in enumerate(SUPPLIERS)
    ]
    pending = [
        Organisation(
            kind=OrganisationKind.SUPPLIER,
            name="(주)새싹테크",
            name_en="Saessak Tech Inc.",
            region="43",
            is_sme=True,
            business_number=business_number_with_check_digit("301869012"),
        )
    ]
    groups = {"agency": agencies, "supplier": suppliers, "pending": pending}
    db.session.add_all([operator, *agencies, *suppliers, *pending])
    password = hash_password(DEMO_PASSWORD)
    for role, email, name, org_ref, extra in PEOPLE:
        if org_ref == "operator":
            org = operator
        elif org_ref is None:
            org = None
        else:
            org = groups[org_ref[0]][org_ref[1]]
        roles = {role, *extra} if role != Role.EVALUATOR else {Role.CITIZEN, *extra}
        user = User(
            email=email,
            name=name,
            password_hash=password,
            organisation=org,
            approved_at=now if org is not None and org.verified_at else None,
            locale="en" if name.isascii() else None,
            role_rows=[UserRole(role=r) for r in sorted(roles)],
        )
        db.session.add(user)
    db.session.flush()
    record(
        "demo.loaded",
        "database",
        None,
        after={"organisations": 1 + len(AGENCIES) + len(SUPPLIERS) + 1},
    )
