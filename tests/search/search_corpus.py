"""The small Korean/English corpus every backend is tested on (ids are what tests assert)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from search import Classification, SearchDocument

NOW = datetime.now(UTC).replace(microsecond=0)

UAV = Classification("35613000", "무인항공기", "Unmanned aerial vehicles")
CHAIRS = Classification("39112000", "의자", "Chairs")
VACUUM = Classification("39713430", "진공청소기", "Vacuum cleaners")
SECURITY_SW = Classification("48730000", "보안 소프트웨어", "Security software package")
STANDS = Classification("30237000", "컴퓨터 부품", "Parts of computers")
CAMERAS = Classification("35125300", "보안 카메라", "Security cameras")
LIGHTING = Classification("31520000", "조명기구", "Lamps and light fittings")

#: Principals of a supplier with no part in proposal:8 and of one of its parties.
OUTSIDER = ["public", "org:7", "user:3", "role:supplier"]
INSIDER = ["public", "org:5", "user:12", "role:supplier"]
CONFIDENTIAL_TITLE = "드론 기반 산불 감시 역제안"


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def corpus_documents() -> list[SearchDocument]:
    return [
        SearchDocument(
            id="product:1",
            type="product",
            title="소형 드론을 활용한 시설 점검 서비스",
            body="고해상도 카메라와 센서를 탑재한 드론으로 교량을 점검합니다.",
            classifications=[UAV],
            organisation_id="5",
            organisation_name="드론코리아",
            region="서울",
            status="listed",
            designated=True,
            innovativeness=87.5,
            readiness_level=8,
            amount=50_000_000,
            published_at=ago(5),
        ),
        SearchDocument(
            id="product:2",
            type="product",
            title="인체공학 사무용 의자",
            body="장시간 근무에 맞춘 의자와 책상 세트",
            classifications=[CHAIRS],
            organisation_id="6",
            region="부산",
            status="listed",
            readiness_level=9,
            amount=300_000,
            published_at=ago(60),
        ),
        SearchDocument(
            id="product:3",
            type="product",
            title="Ergonomic office chair with lumbar support",
            body="Adjustable chairs for public offices.",
            classifications=[CHAIRS],
            organisation_id="7",
            region="서울",
            status="listed",
            readiness_level=9,
            amount=450_000,
            published_at=ago(90),
            language="en",
        ),
        SearchDocument(
            id="demand:4",
            type="demand",
            title="공공청사 청소로봇 도입",
            body="바닥 청소를 자동화하는 로봇이 필요합니다.",
            classifications=[VACUUM],
            organisation_id="9",
            organisation_name="세종시청",
            region="세종",
            status="open",
            amount=2_000_000_000,
            published_at=ago(10),
            closes_at=NOW + timedelta(days=10),
        ),
        SearchDocument(
            id="demand:5",
            type="demand",
            title="Road inspection drones for winter",
            body="Drones with thermal camera sensors to inspect bridges and roads.",
            classifications=[UAV],
            organisation_id="9",
            region="세종",
            status="open",
            amount=120_000_000,
            published_at=ago(20),
            closes_at=NOW + timedelta(days=3),
            language="en",
        ),
        SearchDocument(
            id="product:6",
            type="product",
            title="업무용 노트북을 위한 보안 소프트웨어",
            body="노트북 분실 시 데이터를 보호합니다.",
            classifications=[SECURITY_SW],
            organisation_id="7",
            region="경기",
            status="listed",
            designated=True,
            readiness_level=7,
            amount=5_000_000,
            published_at=ago(120),
        ),
        SearchDocument(
            id="product:7",
            type="product",
            title="알루미늄 노트북 거치대",
            body="접이식 거치대",
            classifications=[STANDS],
            organisation_id="6",
            region="부산",
            status="listed",
            amount=30_000,
            published_at=ago(200),
        ),
        SearchDocument(
            id="proposal:8",
            type="proposal",
            title=CONFIDENTIAL_TITLE,
            body="열화상 카메라 드론으로 산불을 감시하는 제안 (confidential zeppelin)",
            classifications=[UAV],
            organisation_id="5",
            region="강원",
            status="submitted",
            amount=80_000_000,
            published_at=ago(2),
            acl=["org:5", "org:9", "role:operator", "user:12"],
        ),
        SearchDocument(
            id="idea:9",
            type="idea",
            title="하천 쓰레기 청소 아이디어",
            body="시민이 제안하는 하천 청소 방법",
            region="서울",
            status="open",
            published_at=ago(30),
        ),
        SearchDocument(
            id="organisation:10",
            type="organisation",
            title="드론코리아 주식회사",
            body="산업용 드론 제조 기업",
            region="서울",
            published_at=ago(400),
        ),
        SearchDocument(
            id="product:11",
            type="product",
            title="<script>alert(1)</script> 안전 카메라",
            body='Camera & sensor <b>bold</b> "quoted"',
            classifications=[CAMERAS],
            organisation_id="6",
            region="부산",
            status="listed",
            amount=900_000,
            published_at=ago(45),
        ),
        SearchDocument(
            id="demand:12",
            type="demand",
            title="스마트 조명 제어 시스템",
            body="LED lighting with motion sensors",
            classifications=[LIGHTING],
            organisation_id="8",
            region="대구",
            status="closed",
            amount=30_000_000,
            published_at=ago(400),
            closes_at=ago(300),
        ),
    ]


PUBLIC_COUNT = len([d for d in corpus_documents() if "public" in d.acl])
