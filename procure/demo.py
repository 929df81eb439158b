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
    ("해양경찰청", "Korea Coast Guard", "28"),
    ("대구광역시 교통국", "Daegu Metropolitan City Transport Bureau", "27"),
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
    ("(주)아라마린", "Ara Marine Co., Ltd.", "26", True),
    ("(주)온누리모빌리티", "Onnuri Mobility Co., Ltd.", "41", True),
    ("(주)케어메디", "CareMedi Inc.", "11", True),
    ("(주)휠투게더", "Wheel Together Co., Ltd.", "43", True),
    ("(주)소리누리", "Sorinuri Co., Ltd.", "30", True),
    ("(주)빛고을라이팅", "Bitgoeul Lighting Co., Ltd.", "29", True),
    ("(주)에어하이", "AirHi Inc.", "44", True),
    ("(주)다온에듀테크", "Daon EduTech Inc.", "11", True),
    ("(주)지오매핑", "GeoMapping Co., Ltd.", "30", True),
    ("(주)세이프가드시스템", "Safeguard Systems Co., Ltd.", "41", True),
    ("(주)트래픽랩", "Traffic Lab Inc.", "27", True),
    ("(주)한결소방", "Hangyeol Fire Co., Ltd.", "48", True),
    ("(주)블루오션테크", "Blue Ocean Tech Co., Ltd.", "50", True),
    ("(주)에코순환", "Eco Cycle Co., Ltd.", "44", True),
    ("(주)메디허브", "MediHub Inc.", "36", True),
    ("(주)두리번AI", "Duribeon AI Inc.", "11", True),
    ("(주)코리아배터리", "Korea Battery Co., Ltd.", "43", False),
    ("(주)청정수", "Cheongjeongsu Co., Ltd.", "52", True),
    ("(주)안전모아", "Anjeon Moa Co., Ltd.", "31", True),
    ("(주)미래연구소", "Mirae Research Institute Inc.", "30", True),
    ("(주)큐브시큐리티", "Cube Security Inc.", "11", True),
    ("(주)한글AI번역", "Hangeul AI Translation Inc.", "11", True),
    ("(주)스마트쉘터", "Smart Shelter Co., Ltd.", "28", True),
    ("(주)웨더링크", "WeatherLink Korea Inc.", "51", True),
    ("(주)나래항공", "Narae Aero Co., Ltd.", "48", True),
    ("(주)비전아이", "Vision Eye Inc.", "41", True),
    ("(주)그린모빌", "Green Mobil Co., Ltd.", "27", True),
    ("(주)다함복지", "Daham Welfare Tech Co., Ltd.", "47", True),
    ("(주)파이프아이", "PipeEye Inc.", "31", True),
    ("(주)솔라웨이", "SolarWay Co., Ltd.", "46", True),
    ("(주)클린로드", "Clean Road Co., Ltd.", "41", True),
    ("(주)케이사운드", "K-Sound Co., Ltd.", "26", True),
]

# One approved member for every organisation the people above leave without one (so each can
# act through the services), and a few more citizens for the ideas.
# fmt: off
MEMBER_NAMES = [
    "강민준", "고서연", "권도윤", "김하은", "남지호", "노수아", "류시우", "문예린",
    "민서준", "박지안", "배하린", "백도현", "서윤우", "석채원", "손건우", "송다인",
    "신유찬", "안서아", "양준서", "엄소율", "오태윤", "우지유", "유은호", "윤하윤",
    "이승민", "임아린", "장현우", "전수빈", "정우진", "조예나", "주민재", "차서현",
    "채이준", "최윤서", "하지훈", "한소희", "허재민", "홍나연", "황보영", "표승우",
    "구하람", "길도연", "나윤재", "도서영", "마준혁", "방예준", "변지아", "봉수현",
]
# fmt: on
CITIZENS = ["김바다", "이산들", "박누리", "정하늘", "Minji Park"]

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
    from procure.demo_market import load_market

    if db.session.scalar(select(User).where(User.email == PEOPLE[0][1])) is None:
        _create()
        db.session.commit()
    if load_market():
        db.session.commit()
    from procure.demo_programmes import load_programmes

    if load_programmes(DEMO_PASSWORD):
        db.session.commit()
    from procure.demo_features import load_features

    if load_features(DEMO_PASSWORD):
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
    with_member = {org_ref for _r, _e, _n, org_ref, _x in PEOPLE if isinstance(org_ref, tuple)}
    names = iter(MEMBER_NAMES)
    for kind, orgs, role in (
        ("agency", agencies, Role.OFFICER),
        ("supplier", suppliers, Role.SUPPLIER),
    ):
        for i, org in enumerate(orgs):
            if (kind, i) in with_member:
                continue
            prefix = "officer" if kind == "agency" else "supplier"
            db.session.add(
                User(
                    email=f"{prefix}{i + 1}@demo.procure.kr",
                    name=next(names),
                    password_hash=password,
                    organisation=org,
                    approved_at=now,
                    role_rows=[UserRole(role=role)],
                )
            )
    for i, name in enumerate(CITIZENS):
        db.session.add(
            User(
                email=f"citizen{i + 2}@demo.procure.kr",
                name=name,
                password_hash=password,
                locale="en" if name.isascii() else None,
                role_rows=[UserRole(role=Role.CITIZEN)],
            )
        )
    db.session.flush()
    record(
        "demo.loaded",
        "database",
        None,
        after={"organisations": 1 + len(AGENCIES) + len(SUPPLIERS) + 1},
    )
