"""Demo data for the features built on the market: two competitive dialogues, a demand gap, and
ministries' R&D demand surveys for the one-stop demand information.

* 해양경찰청's "스마트 해안 감시 시스템" dialogue is in dialogue stage 1: partners selected, a
  few private messages in each partner's thread, two specification versions.
* 한국도로공사's tunnel dialogue ran to a published award months ago.
* Four agencies published demands for self-heating emergency meals, which no listed product
  answers: ``procure insights gaps`` and /admin/insights/gaps show them as a gap, left for the
  operator to publish as R&D demand during the demo.
* Three ministries post R&D demand surveys (demand type "rnd") whose opening, closing and
  expected purchase dates spread over the next 18 months, so the one-stop page has short- and
  long-term items and upcoming ones.

Everything goes through the services, acting as the right people, so rules and audit apply.
The dialogue rules refuse to close a stage before its deadline has passed, so the steps of a
procedure are replayed on the days they happened (``_on``): the rules see that day as today.
The content is fixed and every date is relative to ``local_today()``: two loads give the same
rows, and running the demo again changes nothing (the ``MARKER`` audit event).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from procure.account.services import hash_password
from procure.audit.services import record
from procure.classification.services import CPV, cpv_level, ensure_divisions
from procure.clock import local_today
from procure.demands.services import (
    DemandInput,
    RequirementInput,
    close_demand,
    create_demand,
    publish_demand,
)
from procure.extensions import db
from procure.models import (
    AuditEvent,
    ClassificationCode,
    Demand,
    Organisation,
    OrganisationKind,
    ProposalKind,
    Role,
    User,
    UserRole,
)
from procure.models.base import utcnow

MARKER = "demo.features.loaded"
RND_CODE = "73120000"

# (Korean name, English name, region, officer e-mail, officer name)
MINISTRIES = [
    (
        "과학기술정보통신부",
        "Ministry of Science and ICT",
        "36",
        "officer13@demo.procure.kr",
        "남궁현",
    ),
    (
        "산업통상자원부",
        "Ministry of Trade, Industry and Energy",
        "36",
        "officer14@demo.procure.kr",
        "선우진",
    ),
    (
        "행정안전부",
        "Ministry of the Interior and Safety",
        "36",
        "officer15@demo.procure.kr",
        "제갈민",
    ),
]

# Codes the new demands use that the market's list does not have: (code, parent, en, ko).
FOOD_CODES = [
    ("15800000", "15000000", "Miscellaneous food products", "기타 식품"),
    ("15890000", "15800000", "Miscellaneous food products and dried goods", "기타 식품·건조식품"),
    ("15894000", "15890000", "Processed food products", "가공식품"),
    ("15894200", "15894000", "Prepared meals", "조리된 식사"),
]
GAP_CODES = ["15894200", "15894000"]


@dataclass(frozen=True)
class Plain:
    """A demand posted as it is: agency (index into demo.AGENCIES, or "m<n>" for a ministry)."""

    agency: int | str
    kind: str
    title: str
    problem: str
    outcome: str
    budget: int
    quantity: int | None
    codes: tuple[str, ...]
    requirements: tuple[tuple[str, str, str, bool], ...]
    opens: int  # days from today
    closes: int
    purchase: int
    region: str | None = None


# -- the demand gap: self-heating emergency meals --------------------------------------------

MEAL_REQS = (
    ("유통·보존 기간 (상온)", "≥ 5", "년", True),
    ("자체 발열 조리 시간 (물 없이)", "≤ 15", "분", True),
    ("1식 열량", "≥ 700", "kcal", True),
    ("알레르기 유발 성분 표시·대체 식단", "지원", "", True),
)

GAP_DEMANDS = [
    Plain(
        8,
        "purchase",
        "대형 재난 현장 대원용 자체발열 비상식량",
        "산불·붕괴 현장에서 48시간 넘게 교대 없이 활동하는 대원들이 식사를 거르거나 차가운 "
        "주먹밥으로 끼니를 때운다. 현장에는 물과 불을 쓸 조리 공간이 없다.",
        "물과 불 없이 15분 안에 데워지는 1식 700kcal 이상의 비상식량을 현장 지휘차에 상시 "
        "비축한다.",
        240_000_000,
        40_000,
        ("15894200", "15894000"),
        MEAL_REQS,
        -6,
        34,
        90,
    ),
    Plain(
        7,
        "purchase",
        "태풍 고립 섬 주민 구호용 장기보존 비상식량",
        "태풍으로 배편이 끊기면 추자도·우도 등 부속 섬 주민이 며칠씩 고립되지만, 섬 "
        "창고의 구호 식품은 라면과 생수뿐이고 유통기한이 짧아 해마다 폐기한다.",
        "상온에서 5년 이상 보존되고 어르신도 먹기 쉬운 발열 식사를 섬 마을 창고에 비축한다.",
        180_000_000,
        25_000,
        ("15894200",),
        (
            ("상온 보존 기간", "≥ 5", "년", True),
            ("발열체 조리 시간", "≤ 15", "분", True),
            ("고령자용 연화식 메뉴", "지원", "", False),
        ),
        -10,
        28,
        75,
        "50",
    ),
    Plain(
        1,
        "purchase",
        "지진·대형 화재 이재민 구호용 즉석 발열 식사",
        "대형 화재나 지진으로 이재민 임시 거처가 열리면 첫 사흘은 도시락 배달이 끊겨 "
        "빵과 생수로 버틴다. 알레르기가 있는 아이와 당뇨 어르신은 먹을 것이 없다.",
        "알레르기 유발 성분을 뺀 대체 식단을 포함한 즉석 발열 식사를 구호 물자로 비축한다.",
        310_000_000,
        50_000,
        ("15894200", "15894000"),
        (
            ("알레르기 유발 성분 표시·대체 식단", "지원", "", True),
            ("1식 열량", "≥ 650", "kcal", True),
            ("유통·보존 기간 (상온)", "≥ 3", "년", True),
        ),
        -3,
        40,
        100,
        "11",
    ),
    Plain(
        6,
        "purchase",
        "학교 재난 대비 학생용 비상식량 비축",
        "지진 대피 훈련 때 학생들이 학교에 머물러야 하는 상황을 가정하면 급식실이 멈춘 "
        "동안 먹을 식사가 없다. 식품 알레르기 학생이 학급마다 있다.",
        "물 없이 데워 먹는 학생용 비상식사를 학교별 1일분씩 비축하고 5년마다 교체한다.",
        150_000_000,
        30_000,
        ("15894200",),
        (
            ("유통·보존 기간 (상온)", "≥ 5", "년", True),
            ("알레르기 유발 성분 표시·대체 식단", "지원", "", True),
            ("자체 발열 조리 시간 (물 없이)", "≤ 20", "분", False),
        ),
        -8,
        45,
        120,
        "41",
    ),
]

# -- R&D demand surveys of the ministries (opens/closes/purchase in days from today) ---------

SURVEYS = [
    Plain(
        "m2",
        "rnd",
        "극한호우 도시 침수 예측·경보 기술 수요조사",
        "시간당 100mm가 넘는 극한호우가 잦아졌지만 도심 저지대의 침수를 30분 전에 알 수 있는 "
        "관측·예측 체계가 없다. 지자체마다 기상 관측 장비가 달라 자료를 합치기 어렵다.",
        "지자체 기상 관측망과 하수관 수위 자료로 저지대 침수를 30분 전에 예측해 주민에게 "
        "알리는 기술의 연구개발 수요를 조사한다.",
        2_400_000_000,
        None,
        ("38127000", RND_CODE),
        (
            ("침수 예측 선행 시간", "≥ 30", "분", False),
            ("강우 관측 주기", "≤ 1", "분", False),
        ),
        -12,
        25,
        200,
    ),
    Plain(
        "m2",
        "rnd",
        "재난 취약계층 비접촉 이상 감지 기술 수요조사",
        "홀로 사는 어르신과 장애인은 폭염·한파 때 쓰러져도 알릴 사람이 없다. 카메라나 "
        "착용형 기기는 거부감이 커서 설치가 어렵다.",
        "카메라 없이 호흡·움직임 이상을 감지해 읍면동 복지 담당자에게 알리는 기술의 "
        "연구개발 수요를 조사한다.",
        1_800_000_000,
        None,
        ("33195000", RND_CODE),
        (
            ("호흡 이상 감지 정확도", "≥ 95", "%", False),
            ("카메라 미사용", "지원", "", True),
        ),
        40,
        75,
        420,
    ),
    Plain(
        "m0",
        "rnd",
        "공공 CCTV 온디바이스 AI 객체 인식 기술 수요조사",
        "전국 지자체 관제센터의 CCTV 영상을 서버로 모아 분석하면 통신비와 개인정보 위험이 "
        "크다. 카메라 안에서 사람·차량을 인식하는 기술은 아직 공공 현장에서 검증되지 않았다.",
        "카메라 안에서 객체를 인식하고 익명화된 결과만 보내는 온디바이스 AI의 연구개발 "
        "수요를 조사한다.",
        3_200_000_000,
        None,
        ("35125300", "32323500", RND_CODE),
        (
            ("야간 객체 인식 정확도", "≥ 90", "%", False),
            ("영상 외부 전송 없이 익명화", "지원", "", True),
        ),
        -5,
        40,
        380,
    ),
    Plain(
        "m0",
        "rnd",
        "재난 대응 디지털트윈 지도 플랫폼 기술 수요조사",
        "홍수·산사태 대응에 쓰는 지도가 기관마다 따로 있어 상황실끼리 같은 화면을 보지 못한다.",
        "공공 공간정보를 하나의 3차원 디지털트윈으로 묶어 재난 상황을 함께 보는 플랫폼의 "
        "연구개발 수요를 조사한다.",
        4_500_000_000,
        None,
        ("48326000", RND_CODE),
        (
            ("지도 갱신 주기", "≤ 1", "일", False),
            ("표준 공간정보 형식 지원", "지원", "", True),
        ),
        120,
        160,
        540,
    ),
    Plain(
        "m1",
        "rnd",
        "사용 후 배터리 재사용 ESS 안전 진단 기술 수요조사",
        "전기차 사용 후 배터리를 에너지저장장치로 재사용하려 해도 셀마다 상태가 달라 화재 "
        "위험을 미리 진단할 방법이 없다.",
        "재사용 배터리 모듈의 잔존 수명과 화재 위험을 30분 안에 진단하는 기술의 연구개발 "
        "수요를 조사한다.",
        2_000_000_000,
        None,
        ("31400000", "31422000", RND_CODE),
        (
            ("잔존 수명 추정 오차", "≤ 5", "%", False),
            ("진단 소요 시간", "≤ 30", "분", False),
        ),
        20,
        55,
        240,
    ),
    Plain(
        "m1",
        "rnd",
        "전기버스 차고지 고속 충전 실증 기술 수요조사",
        "전기버스가 늘면서 차고지 충전기 앞에 야간 대기 줄이 생기고, 계약 전력을 넘을까 봐 "
        "충전 속도를 낮춘다.",
        "차고지 전력 한도 안에서 여러 대를 동시에 빠르게 충전하는 관리 기술의 연구개발 "
        "수요를 조사한다.",
        1_500_000_000,
        None,
        ("31158100", RND_CODE),
        (
            ("동시 충전 대수", "≥ 10", "대", False),
            ("계약 전력 초과", "없음", "", True),
        ),
        -3,
        45,
        330,
    ),
]


# -- the dialogues ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """A message in a partner's thread on a day (relative to today); reply to an earlier one."""

    day: int
    from_agency: bool
    body: str
    reply_to: int | None = None  # index of an earlier message of the same thread


@dataclass(frozen=True)
class Bid:
    supplier: int  # index into demo.SUPPLIERS
    day: int
    title: str
    summary: str
    basic_level: tuple[str, ...]  # one rubric level per item of the basic scheme (cycled)
    partner: bool
    talk: tuple[Say, ...] = ()
    final: tuple[int, str, str, int, tuple[str, ...]] | None = (
        None  # day, title, text, price, levels
    )


COAST_NOTICE = (
    "해양경찰청은 연안 사고 취약 구역(갯바위·방파제·해수욕장 외곽)을 24시간 감시하는 방법을 "
    "경쟁적 대화로 찾습니다.\n\n"
    "현재 연안 순찰은 함정과 파출소 인력의 눈에 의존하며, 야간과 악천후에는 사실상 공백이 "
    "생깁니다. 레이더·열영상·AI 영상 분석 중 어떤 조합이 현장에 맞는지는 업체와의 대화로 "
    "정합니다.\n\n"
    "평가: 기술 80점, 가격 20점. 대화 상대자는 2개 이상 선정합니다."
)
COAST_SPECS = [
    (
        "1. 감시 범위: 해안선 5km 구간, 주간·야간\n"
        "2. 탐지 대상: 사람(갯바위 고립·추락), 소형 선박\n"
        "3. 탐지 후 상황실 경보: 1분 이내\n"
        "4. 운용: 파출소 단말에서 영상 확인",
        "대화 1단계 출발점 (공고 내용 정리)",
    ),
    (
        "1. 감시 범위: 해안선 5km 구간, 주간·야간, 풍속 15 m/s·강우 시간당 30mm까지\n"
        "2. 탐지 대상: 사람(갯바위 고립·추락), 소형 선박, 익수자\n"
        "3. 탐지 후 상황실 경보: 1분 이내, 오경보 하루 3건 이하\n"
        "4. 운용: 파출소 단말과 상황실에서 영상 확인\n"
        "5. 개인정보: 얼굴 비식별 처리 후 저장",
        "대화 1단계 의견 반영: 악천후 조건, 익수자 탐지, 오경보 한도, 비식별 처리",
    ),
]
COAST_BIDS = [
    Bid(
        8,
        -25,
        "레이더·열영상 복합 연안 감시 체계",
        "X-밴드 소형 레이더로 움직임을 먼저 잡고 열영상 카메라가 자동으로 따라가 확인한다. "
        "야간·안개에서도 사람 크기 표적을 1.5km까지 탐지한다.",
        ("excellent", "excellent", "good", "excellent", "good", "good"),
        True,
        (
            Say(
                -5,
                False,
                "야간 시험 영상 자료를 스레드에 올렸습니다. 갯바위 1.2km 거리에서 "
                "사람 크기 표적을 탐지한 결과입니다.",
            ),
            Say(-4, True, "강우 시간당 30mm 이상일 때 레이더 오탐지는 어느 정도입니까?", 0),
            Say(
                -3,
                False,
                "시간당 30mm에서 오탐지가 하루 5건 정도였고, 필터 개선 후 2건으로 "
                "줄였습니다. 상세 수치는 다음 회의 때 보여 드리겠습니다.",
                1,
            ),
            Say(-1, True, "사양 2판에 오경보 하루 3건 이하 조건을 넣었습니다. 의견 주십시오."),
        ),
    ),
    Bid(
        23,
        -20,
        "기존 CCTV 활용 AI 해안 위험 행동 인식",
        "파출소·지자체가 이미 설치한 해안 CCTV 영상에서 갯바위 진입, 추락, 익수 동작을 AI로 "
        "인식해 상황실에 알린다. 새 장비 설치를 최소화한다.",
        ("good", "excellent", "excellent", "good", "good", "fair"),
        True,
        (
            Say(
                -5,
                True,
                "기존 CCTV 중 야간 적외선이 없는 카메라가 절반입니다. 야간 인식은 "
                "어떻게 보장합니까?",
            ),
            Say(
                -4,
                False,
                "적외선 조명 보강 구간을 지도에 표시해 제안하겠습니다. 조명 없는 "
                "구간은 열영상 보조 카메라가 필요합니다.",
                0,
            ),
            Say(
                -2,
                False,
                "얼굴 비식별 처리는 카메라 단에서 하고 원본은 저장하지 않는 방식을 제안합니다.",
            ),
        ),
    ),
    Bid(
        33,
        -14,
        "부표형 열영상 카메라와 해상 익수자 탐지",
        "해안에서 200m 떨어진 부표에 열영상 카메라를 달아 해안 쪽을 바라보게 하여 갯바위 "
        "뒤편 사각지대와 물에 빠진 사람을 찾는다.",
        ("good", "good", "excellent", "fair", "good", "good"),
        True,
        (
            Say(
                -5,
                False,
                "부표 설치에는 해역 점용 허가가 필요합니다. 허가 절차는 기관에서 "
                "진행하는 것으로 보면 됩니까?",
            ),
            Say(-4, True, "점용 허가는 기관이 맡습니다. 부표 유지보수 주기를 알려 주십시오.", 0),
            Say(-2, False, "분기마다 1회 점검, 배터리는 태양광 충전으로 2년 교체 주기입니다.", 1),
        ),
    ),
    Bid(
        20,
        -10,
        "연안 감시 드론 정기 순찰 서비스",
        "하루 4회 정해진 경로로 드론이 순찰하며 영상을 상황실로 보낸다.",
        ("fair", "poor", "poor", "fair", "poor", "poor"),
        False,
    ),
]

TUNNEL_NOTICE = (
    "한국도로공사는 장대 터널의 화재와 2차 사고를 초기에 감지하고 뒤따르는 차량에 즉시 "
    "알리는 체계를 경쟁적 대화로 정합니다.\n\n"
    "터널 안 정차 차량과 연기는 지금도 CCTV로 보지만 상황실 근무자가 알아채는 데 평균 "
    "4분이 걸립니다.\n\n"
    "평가: 기술 80점, 가격 20점. 대화 상대자는 2개 이상 선정합니다."
)
TUNNEL_SPECS = [
    (
        "1. 대상: 길이 1km 이상 터널 12곳\n"
        "2. 감지: 정차 차량, 역주행, 연기·화재\n"
        "3. 감지 후 경보: 30초 이내\n"
        "4. 후속 차량 알림: 터널 입구 전광판",
        "대화 1단계 출발점",
    ),
    (
        "1. 대상: 길이 1km 이상 터널 12곳\n"
        "2. 감지: 정차 차량, 역주행, 보행자, 연기·화재\n"
        "3. 감지 후 경보: 30초 이내, 오경보 터널당 주 1건 이하\n"
        "4. 후속 차량 알림: 터널 입구 전광판과 내비게이션 연계\n"
        "5. 기존 CCTV 재사용",
        "대화 1단계 의견 반영: 보행자 감지, 내비게이션 연계, 기존 CCTV 재사용",
    ),
    (
        "1. 대상: 길이 1km 이상 터널 12곳\n"
        "2. 감지: 정차 차량, 역주행, 보행자, 연기·화재\n"
        "3. 감지 후 경보: 20초 이내, 오경보 터널당 주 1건 이하\n"
        "4. 후속 차량 알림: 터널 입구 전광판, 내비게이션 연계, 터널 라디오 재방송\n"
        "5. 기존 CCTV 재사용, 부족 구간은 열감지 센서 보강\n"
        "6. 하자보수 3년, 상황실 운영자 교육 포함",
        "최종 사양: 대화 2단계 결과 반영",
    ),
]
TUNNEL_BIDS = [
    Bid(
        18,
        -125,
        "터널 CCTV 영상 AI 돌발상황 검지",
        "기존 터널 CCTV 영상에서 정차·역주행·연기를 AI로 검지해 20초 안에 상황실과 입구 "
        "전광판에 알린다.",
        ("excellent", "excellent", "good", "excellent", "good", "excellent"),
        True,
        (
            Say(-104, True, "검지 후 전광판 표출까지 걸리는 시간을 구간별로 설명해 주십시오."),
            Say(
                -102, False, "영상 분석 8초, 상황실 확인 없이 자동 표출 시 전광판까지 4초입니다.", 0
            ),
            Say(-78, True, "2단계: 내비게이션 연계에 필요한 자료 형식을 알려 주십시오."),
            Say(-76, False, "국가교통정보센터 돌발정보 형식으로 보내는 방식을 제안합니다.", 2),
        ),
        (
            -40,
            "터널 돌발상황 AI 검지·알림 체계 최종제안",
            "최종 사양 3판의 6개 항목을 모두 충족한다. 기존 CCTV 90%를 재사용하고 열감지 "
            "센서 36대를 보강한다. 12개 터널 설치 150일, 하자보수 3년.",
            1_380_000_000,
            ("excellent", "excellent", "good", "excellent", "good", "good"),
        ),
    ),
    Bid(
        17,
        -118,
        "열감지 센서와 레이더 기반 터널 안전 경보",
        "터널 천장에 열감지 센서와 레이더를 50m 간격으로 달아 영상 없이 화재와 정차를 감지한다.",
        ("good", "good", "excellent", "good", "good", "good"),
        True,
        (
            Say(
                -100,
                False,
                "레이더 설치 간격을 70m로 늘리면 비용이 30% 줄어듭니다. 검토 부탁드립니다.",
            ),
            Say(-97, True, "70m 간격에서의 검지율 시험 결과를 보내 주십시오.", 0),
            Say(-70, False, "2단계 시험 결과: 70m 간격에서 정차 검지율 97%입니다."),
        ),
        (
            -33,
            "열감지·레이더 터널 경보 최종제안",
            "레이더 70m 간격 설치로 정차 검지율 97%, 화재 감지 15초. 기존 CCTV와 연동한다.",
            1_190_000_000,
            ("good", "good", "good", "good", "fair", "good"),
        ),
    ),
    Bid(
        19,
        -115,
        "터널 화재 초기 진압 연계 감지 시스템",
        "연기 감지와 동시에 터널 소화전 구간을 알려 초기 진압을 돕는다.",
        ("good", "fair", "good", "good", "fair", "good"),
        True,
        (
            Say(-95, True, "화재 외 정차·역주행 감지는 어떻게 제안하십니까?"),
            Say(-92, False, "협력사의 영상 검지 모듈을 함께 제안하겠습니다.", 0),
        ),
        (
            -30,
            "터널 화재 감지·초기 진압 연계 최종제안",
            "연기 감지 20초, 소화전 구간 안내. 정차·역주행은 협력사 영상 검지 모듈로 대응한다.",
            1_050_000_000,
            ("fair", "fair", "fair", "fair", "poor", "fair"),
        ),
    ),
    Bid(
        28,
        -112,
        "터널 관제 보안 강화 솔루션",
        "터널 관제 시스템의 사이버 보안을 강화한다.",
        ("poor", "poor", "fair", "poor", "poor", "fair"),
        False,
    ),
]


def load_features(password: str) -> bool:
    """Create the dialogues, the gap and the surveys once; False when done or no market."""
    from procure.demo_market import MARKER as MARKET_MARKER
    from procure.demo_market import _People, _request_context

    if _marker(MARKER) or not _marker(MARKET_MARKER):
        return False
    people = _People.find()
    if people is None:
        return False
    with _request_context():
        _Features(people, password).run()
    return True


def _marker(action: str) -> bool:
    query = select(AuditEvent.id).where(AuditEvent.action == action).limit(1)
    return db.session.scalar(query) is not None


@contextmanager
def _on(day: date):
    """Replay a step on an earlier day: the demand and dialogue rules take it as today.

    Only the demo uses this, while it loads, in one thread; the services keep every rule.
    """
    from procure.demands import services as demands
    from procure.dialogue import services as dialogue

    moment = datetime.combine(day, time(10, 0), tzinfo=ZoneInfo("Asia/Seoul")).astimezone(UTC)
    saved = [(m, m.local_today, m.utcnow) for m in (demands, dialogue)]
    for module in (demands, dialogue):
        module.local_today = lambda: day
        module.utcnow = lambda: moment
    try:
        yield
    finally:
        for module, today, now in saved:
            module.local_today, module.utcnow = today, now


class _Features:
    def __init__(self, people, password: str):
        self.p = people
        self.password = password
        self.today = local_today()
        self.counts: dict[str, int] = {}

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    # -- setup -----------------------------------------------------------------------------

    def codes(self) -> None:
        ensure_divisions()
        for code, parent, label_en, label_ko in FOOD_CODES:
            if db.session.get(ClassificationCode, (CPV, code)) is None:
                db.session.add(
                    ClassificationCode(
                        scheme=CPV,
                        code=code,
                        parent=parent,
                        level=cpv_level(code),
                        label_en=label_en,
                        label_ko=label_ko,
                    )
                )
        db.session.flush()

    def ministries(self) -> list[User]:
        """The ministries (agencies that post R&D demand surveys) and one officer of each."""
        officers = []
        for name, name_en, region, email, person in MINISTRIES:
            officer = db.session.scalar(select(User).where(User.email == email))
            if officer is None:
                ministry = Organisation(
                    kind=OrganisationKind.AGENCY,
                    name=name,
                    name_en=name_en,
                    region=region,
                    verified_at=utcnow(),
                )
                officer = User(
                    email=email,
                    name=person,
                    password_hash=hash_password(self.password),
                    organisation=ministry,
                    approved_at=utcnow(),
                    role_rows=[UserRole(role=Role.OFFICER)],
                )
                db.session.add_all([ministry, officer])
                db.session.flush()
            officers.append(officer)
        return officers

    # -- plain demands -----------------------------------------------------------------------

    def officer(self, agency: int | str) -> User:
        if isinstance(agency, str):
            return self.ministry_officers[int(agency[1:])]
        return self.p.officers[agency]

    def post(self, plain: Plain) -> Demand:
        officer = self.officer(plain.agency)
        demand = create_demand(
            officer,
            DemandInput(
                title=plain.title,
                problem=plain.problem,
                desired_outcome=plain.outcome,
                demand_type=plain.kind,
                budget=plain.budget,
                quantity=plain.quantity,
                region=plain.region,
                opens_on=self.day(plain.opens),
                closes_on=self.day(plain.closes),
                expected_purchase_on=self.day(plain.purchase),
                contact_name=officer.name,
                contact_email=officer.email,
                codes=list(plain.codes),
                requirements=[
                    RequirementInput(name=n, target_value=t, unit=u, mandatory=m)
                    for n, t, u, m in plain.requirements
                ],
            ),
        )
        publish_demand(officer, demand)
        return demand

    # -- dialogues ---------------------------------------------------------------------------

    def dialogue(
        self,
        agency: int,
        demand: DemandInput,
        title: str,
        notice: str,
        start: int,
        deadlines: tuple[int, int, int, int],
        bids: list[Bid],
        specs: list[tuple[str, str]],
        stage_days: dict[str, int],
    ):
        """Run a dialogue from its notice to the stage ``stage_days`` reaches, on its days."""
        from procure.dialogue import services as dialogues

        officer = self.p.officers[agency]
        with _on(self.day(start)):
            record_ = create_demand(officer, demand)
            publish_demand(officer, record_)
            basic, first, second, final = (self.day(d) for d in deadlines)
            dialogue = dialogues.create_dialogue(
                officer,
                record_,
                dialogues.DialogueInput(
                    title=title,
                    notice=notice,
                    technical_weight=80,
                    price_weight=20,
                    min_partners=2,
                    basic_due_on=basic,
                    dialogue_1_due_on=first,
                    dialogue_2_due_on=second,
                    final_due_on=final,
                ),
            )
            dialogues.move(officer, dialogue, "publish", dialogue.version)
        for bid in bids:
            with _on(self.day(bid.day)):
                dialogues.submit_proposal(
                    self.p.sellers[bid.supplier],
                    dialogue,
                    ProposalKind.BASIC,
                    dialogues.ProposalInput(title=bid.title, summary=bid.summary),
                )
        with _on(self.day(stage_days["close_basic"])):
            dialogues.move(officer, dialogue, "close_basic", dialogue.version)
            for bid in bids:
                participant = self.participant(dialogue, bid)
                self.score(officer, participant.proposal(ProposalKind.BASIC), bid.basic_level)
        with _on(self.day(stage_days["select_partners"])):
            chosen = [self.participant(dialogue, b).id for b in bids if b.partner]
            dialogues.select_partners(officer, dialogue, chosen, dialogue.version)
        partners = [b for b in bids if b.partner]
        spec_days = stage_days["specs"]
        self.spec(officer, dialogue, specs[0], spec_days[0])
        self.talk(officer, dialogue, partners, stage_days.get("start_stage_2"), before=True)
        if "start_stage_2" not in stage_days:
            self.spec(officer, dialogue, specs[1], spec_days[1])
            self.committee(officer, dialogue, partners, spec_days[1])
            return dialogue
        with _on(self.day(stage_days["start_stage_2"])):
            dialogues.move(officer, dialogue, "start_stage_2", dialogue.version)
        self.spec(officer, dialogue, specs[1], spec_days[1])
        self.talk(officer, dialogue, partners, stage_days["start_stage_2"], before=False)
        with _on(self.day(stage_days["close_dialogue"])):
            dialogues.move(officer, dialogue, "close_dialogue", dialogue.version)
        self.spec(officer, dialogue, specs[2], spec_days[2])
        with _on(self.day(stage_days["issue_final_spec"])):
            dialogues.move(officer, dialogue, "issue_final_spec", dialogue.version)
        for bid in partners:
            day, final_title, text, price, _levels = bid.final
            with _on(self.day(day)):
                dialogues.submit_proposal(
                    self.p.sellers[bid.supplier],
                    dialogue,
                    ProposalKind.FINAL,
                    dialogues.ProposalInput(title=final_title, summary=text, price=price),
                )
        with _on(self.day(stage_days["close_final"])):
            dialogues.move(officer, dialogue, "close_final", dialogue.version)
            for bid in partners:
                proposal = self.participant(dialogue, bid).proposal(ProposalKind.FINAL)
                self.score(officer, proposal, bid.final[4])
        with _on(self.day(stage_days["award"])):
            dialogues.award(
                officer,
                dialogue,
                "기술 평가와 가격을 합산한 종합 점수가 가장 높고, 최종 사양 6개 항목을 모두 "
                "충족했다. 기존 CCTV 재사용으로 설치 기간이 가장 짧다.",
                dialogue.version,
            )
            winner = dialogue.winner_supplier.name
            close_demand(
                officer,
                record_,
                "awarded",
                f"경쟁적 대화 결과 {winner}을(를) 계약 상대자로 정했습니다.",
            )
        return dialogue

    def committee(self, officer: User, dialogue, partners: list[Bid], day: int) -> None:
        """The running dialogue's final proposals will be scored by the demo's evaluators, who
        have declared no conflict with the partners (docs/dialogue.md)."""
        from procure.dialogue import committee

        with _on(self.day(day)):
            for email in ("evaluator@demo.procure.kr", "evaluator2@demo.procure.kr"):
                evaluator = db.session.scalar(select(User).where(User.email == email))
                committee.add_member(officer, dialogue, evaluator.id)
                for bid in partners:
                    committee.declare(evaluator, self.participant(dialogue, bid), False)

    @staticmethod
    def participant(dialogue, bid: Bid):
        return next(p for p in dialogue.participants if p.supplier.name == _supplier(bid.supplier))

    def score(self, officer: User, proposal, levels: tuple[str, ...]) -> None:
        from procure.dialogue import services as dialogues

        scheme = dialogues.proposal_scheme(proposal)
        dialogues.score(
            officer,
            proposal,
            {item.id: levels[n % len(levels)] for n, item in enumerate(scheme.items)},
            {c.id: COMMENTS[n % len(COMMENTS)] for n, c in enumerate(scheme.criteria)},
            {},
        )

    def spec(self, officer: User, dialogue, spec: tuple[str, str], offset: int) -> None:
        from procure.dialogue import services as dialogues

        with _on(self.day(offset)):
            dialogues.add_spec_version(officer, dialogue, spec[0], spec[1])

    def talk(self, officer, dialogue, partners: list[Bid], stage_2: int | None, before: bool):
        """The partners' private threads, message by message in date order."""
        from procure.dialogue import services as dialogues

        lines = []
        for bid in partners:
            for index, say in enumerate(bid.talk):
                in_stage_1 = stage_2 is None or say.day < stage_2
                if in_stage_1 == before:
                    lines.append((say.day, bid.supplier, index, say, bid))
        posted: dict[tuple[int, int], int] = {}
        for day, supplier, index, say, bid in sorted(lines, key=lambda x: x[:3]):
            participant = self.participant(dialogue, bid)
            author = officer if say.from_agency else self.p.sellers[supplier]
            parent = posted.get((supplier, say.reply_to)) if say.reply_to is not None else None
            with _on(self.day(day)):
                message = dialogues.post_message(author, participant, say.body, parent)
            posted[(supplier, index)] = message.id
        self.counts["messages"] = self.counts.get("messages", 0) + len(lines)

    # -- all ---------------------------------------------------------------------------------

    def run(self) -> None:
        self.codes()
        self.ministry_officers = self.ministries()
        gap = [self.post(plain) for plain in GAP_DEMANDS]
        surveys = [self.post(plain) for plain in SURVEYS]
        coast = self.dialogue(
            10,
            DemandInput(
                title="스마트 해안 감시 시스템",
                problem="갯바위·방파제 고립과 추락 사고가 야간과 악천후에 집중되지만 연안 순찰은 "
                "함정과 인력의 눈에 의존한다. 어떤 감시 기술 조합이 현장에 맞는지 정하기 어렵다.",
                desired_outcome="해안선 5km 구간을 24시간 감시하고 위험 상황을 1분 안에 "
                "상황실에 알리는 체계를 업체와 경쟁적 대화로 설계한다.",
                demand_type="dialogue",
                budget=1_200_000_000,
                region="28",
                opens_on=self.day(-30),
                closes_on=self.day(56),
                expected_purchase_on=self.day(150),
                contact_name=self.p.officers[10].name,
                contact_email=self.p.officers[10].email,
                codes=["35125000", "32323500"],
                requirements=[
                    RequirementInput("야간 사람 탐지 거리", "≥ 1", "km"),
                    RequirementInput("탐지 후 상황실 경보", "≤ 1", "분"),
                ],
            ),
            "스마트 해안 감시 시스템 경쟁적 대화",
            COAST_NOTICE,
            -30,
            (-9, 12, 33, 56),
            COAST_BIDS,
            COAST_SPECS,
            {"close_basic": -8, "select_partners": -6, "specs": (-6, -1)},
        )
        tunnel = self.dialogue(
            2,
            DemandInput(
                title="장대 터널 돌발상황 조기 감지·알림 체계",
                problem="터널 안 정차 차량과 화재를 상황실이 알아채는 데 평균 4분이 걸려 "
                "뒤따르는 차량의 2차 사고가 반복된다.",
                desired_outcome="돌발상황을 30초 안에 감지해 터널 입구와 운전자에게 알리는 "
                "체계를 경쟁적 대화로 정한다.",
                demand_type="dialogue",
                budget=1_500_000_000,
                opens_on=self.day(-130),
                closes_on=self.day(-25),
                expected_purchase_on=self.day(60),
                contact_name=self.p.officers[2].name,
                contact_email=self.p.officers[2].email,
                codes=["34970000", "31625100"],
                requirements=[
                    RequirementInput("돌발상황 감지 후 경보", "≤ 30", "초"),
                    RequirementInput("오경보 (터널당)", "≤ 1", "건/주"),
                ],
            ),
            "장대 터널 돌발상황 감지 체계 경쟁적 대화",
            TUNNEL_NOTICE,
            -130,
            (-110, -85, -60, -25),
            TUNNEL_BIDS,
            TUNNEL_SPECS,
            {
                "close_basic": -109,
                "select_partners": -107,
                "specs": (-106, -80, -55),
                "start_stage_2": -84,
                "close_dialogue": -59,
                "issue_final_spec": -50,
                "close_final": -24,
                "award": -18,
            },
        )
        self.counts.update(
            gap_demands=len(gap),
            surveys=len(surveys),
            dialogues=2,
            ministries=len(MINISTRIES),
        )
        record(
            MARKER,
            "database",
            None,
            after={**self.counts, "dialogue_ids": [coast.id, tunnel.id]},
        )


COMMENTS = [
    "현장 조건을 구체적으로 이해했고 근거 자료가 제시되었다.",
    "제안 방식의 장단점이 분명하며 시험 결과로 뒷받침된다.",
    "운영 인력과 유지보수 계획이 현실적이다.",
]


def _supplier(index: int) -> str:
    from procure import demo

    return demo.SUPPLIERS[index][0]
