"""The demo market: demands, products, reverse proposals, questions and citizen ideas.

Everything is created through the services, acting as the right person (the agency's officer
posts and decides, the supplier lists and proposes, the operator moderates), so the audit chain,
notifications and rules apply exactly as in use. The content is fixed and the choices come from
``random.Random(2026)``: two loads into two fresh databases give the same rows in the same order.
Dates are relative to ``local_today()`` so that published demands are open whenever the demo runs.
"""

from __future__ import annotations

import os
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app, has_request_context
from sqlalchemy import func, select

from procure.audit.services import record
from procure.classification.services import CPV, cpv_level, ensure_divisions, load_cpv
from procure.clock import local_today
from procure.demands.services import (
    DemandInput,
    RequirementInput,
    answer_question,
    ask_question,
    close_demand,
    create_demand,
    publish_demand,
)
from procure.extensions import db
from procure.ideas.services import adopt, moderate, submit_idea
from procure.models import (
    AuditEvent,
    ClassificationCode,
    Compliance,
    Demand,
    Organisation,
    OrganisationKind,
    ProductStatus,
    ProposalStatus,
    User,
)
from procure.products.services import ProductInput, change_status, create_product
from procure.proposals.services import (
    ProposalInput,
    ResponseInput,
    create_proposal,
    decide,
    submit,
    withdraw,
)

SEED = 2026
MARKER = "demo.market.loaded"
PRODUCTS_PER_SUPPLIER = 5
MIN_PROPOSALS = 80

# Real CPV 2008 codes with their real parents; the labels are our own words (English, Korean).
CODES: list[tuple[str, str, str, str]] = [
    (
        "09300000",
        "09000000",
        "Electricity, heat, solar and nuclear energy",
        "전기·열·태양광·원자력 에너지",
    ),
    ("09330000", "09300000", "Solar energy", "태양에너지"),
    ("09331000", "09330000", "Solar panels", "태양광 패널"),
    ("09331200", "09331000", "Photovoltaic solar modules", "태양광 발전 모듈"),
    ("31100000", "31000000", "Motors, generators and transformers", "전동기·발전기·변압기"),
    ("31150000", "31100000", "Ballasts for discharge lamps", "방전램프용 안정기"),
    ("31158000", "31150000", "Chargers", "충전기"),
    (
        "31158100",
        "31158000",
        "Battery chargers (incl. vehicle chargers)",
        "배터리 충전기(전기차 충전기 포함)",
    ),
    ("31400000", "31000000", "Accumulators and batteries", "축전지·전지"),
    ("31420000", "31400000", "Primary batteries", "1차 전지"),
    ("31422000", "31420000", "Battery packs", "배터리 팩"),
    ("31600000", "31000000", "Electrical equipment and apparatus", "전기 기기·장치"),
    ("31620000", "31600000", "Sound and visual signalling apparatus", "음향·시각 신호 장치"),
    ("31625000", "31620000", "Intrusion and fire alarms", "침입·화재 경보기"),
    ("31625100", "31625000", "Fire detection systems", "화재 감지 시스템"),
    (
        "32300000",
        "32000000",
        "Receivers and sound or video recording equipment",
        "수신기·음향·영상 기록 장비",
    ),
    ("32320000", "32300000", "Television and audio-visual equipment", "텔레비전·시청각 장비"),
    ("32323000", "32320000", "Video monitors", "영상 모니터"),
    ("32323500", "32323000", "Video surveillance systems", "영상 감시 시스템"),
    ("32340000", "32300000", "Microphones and loudspeakers", "마이크·스피커"),
    ("32342000", "32340000", "Loudspeakers", "스피커(확성기)"),
    ("33100000", "33000000", "Medical equipment", "의료기기"),
    ("33180000", "33100000", "Functional support devices", "기능 보조 기기"),
    ("33182000", "33180000", "Cardiac support devices", "심장 보조 기기"),
    ("33182100", "33182000", "Defibrillators", "제세동기"),
    ("33185000", "33180000", "Hearing aids", "보청기"),
    ("33190000", "33100000", "Other medical devices and products", "기타 의료기기·용품"),
    ("33193000", "33190000", "Wheelchairs and related devices", "휠체어·관련 기기"),
    ("33193121", "33193000", "Powered wheelchairs", "전동 휠체어"),
    ("33195000", "33190000", "Patient monitoring systems", "환자 감시 시스템"),
    ("34100000", "34000000", "Motor vehicles", "자동차"),
    ("34140000", "34100000", "Heavy motor vehicles", "대형 자동차"),
    ("34144000", "34140000", "Special-purpose vehicles", "특수 목적 차량"),
    ("34144900", "34144000", "Electric vehicles", "전기 자동차"),
    ("34144910", "34144000", "Electric buses", "전기 버스"),
    ("34500000", "34000000", "Ships and boats", "선박·보트"),
    ("34520000", "34500000", "Boats", "보트"),
    ("34521000", "34520000", "Special-purpose boats", "특수 목적 보트"),
    ("34521100", "34521000", "Surveillance boats", "감시용 보트"),
    ("34900000", "34000000", "Other transport equipment and parts", "기타 운송 장비·부품"),
    ("34920000", "34900000", "Road equipment", "도로 장비"),
    ("34928000", "34920000", "Street furniture", "도로 시설물"),
    ("34928480", "34928000", "Litter and waste bins", "쓰레기통·폐기물 용기"),
    ("34928530", "34928000", "Street lamps", "가로등"),
    ("34970000", "34900000", "Traffic monitoring equipment", "교통 감시 장비"),
    ("34972000", "34970000", "Traffic flow measurement systems", "교통량 측정 시스템"),
    (
        "34990000",
        "34900000",
        "Control, safety, signal and lighting equipment",
        "제어·안전·신호·조명 장비",
    ),
    (
        "34996000",
        "34990000",
        "Road control, safety and signal equipment",
        "도로 제어·안전·신호 장비",
    ),
    ("34996100", "34996000", "Traffic signals", "교통 신호등"),
    ("35100000", "35000000", "Emergency and security equipment", "비상·보안 장비"),
    ("35110000", "35100000", "Fire-fighting, rescue and safety equipment", "소방·구조·안전 장비"),
    ("35111000", "35110000", "Fire-fighting equipment", "소방 장비"),
    ("35112000", "35110000", "Rescue and emergency equipment", "구조·응급 장비"),
    ("35113000", "35110000", "Safety equipment", "안전 장비"),
    ("35113400", "35113000", "Protective and safety clothing", "보호복·안전복"),
    ("35120000", "35100000", "Surveillance and security systems", "감시·보안 시스템"),
    ("35125000", "35120000", "Surveillance systems", "감시 시스템"),
    ("35125300", "35125000", "Security cameras", "보안 카메라"),
    (
        "35600000",
        "35000000",
        "Military aircraft, missiles and spacecraft",
        "군용 항공기·미사일·우주선",
    ),
    ("35610000", "35600000", "Military aircraft", "군용 항공기"),
    ("35613000", "35610000", "Unmanned aerial vehicles (drones)", "무인비행장치(드론)"),
    ("38100000", "38000000", "Navigation and weather instruments", "항법·기상 측정기기"),
    ("38120000", "38100000", "Weather instruments", "기상 측정기기"),
    ("38127000", "38120000", "Weather stations", "기상 관측 장비"),
    ("38300000", "38000000", "Measuring instruments", "측정 기기"),
    ("38340000", "38300000", "Instruments measuring quantities", "물리량 측정 기기"),
    ("38344000", "38340000", "Pollution monitoring devices", "오염 측정 장비"),
    ("38400000", "38000000", "Instruments checking physical properties", "물성 측정 기기"),
    (
        "38420000",
        "38400000",
        "Flow, level and pressure instruments for fluids",
        "유량·수위·압력 측정 기기",
    ),
    ("38421000", "38420000", "Flow measurement equipment", "유량 측정 장비"),
    ("38421100", "38421000", "Water meters", "수도 계량기"),
    ("38430000", "38400000", "Detection and analysis apparatus", "검출·분석 장치"),
    ("38432000", "38430000", "Analysis apparatus", "분석 장치"),
    ("38432100", "38432000", "Gas analysers", "가스 분석기"),
    ("38434000", "38430000", "Analysers", "분석기"),
    ("38434300", "38434000", "Noise measuring equipment", "소음 측정 장비"),
    ("39100000", "39000000", "Furniture", "가구"),
    ("39160000", "39100000", "School furniture", "학교용 가구"),
    ("39300000", "39000000", "Miscellaneous equipment", "기타 장비"),
    ("39330000", "39300000", "Disinfection equipment", "소독 장비"),
    ("42500000", "42000000", "Cooling and ventilation equipment", "냉각·환기 장비"),
    (
        "42510000",
        "42500000",
        "Heat exchange, air conditioning and filtering machinery",
        "열교환·공조·여과 기계",
    ),
    ("42514000", "42510000", "Gas filtering and purifying machinery", "기체 여과·정화 기계"),
    ("42514310", "42514000", "Air filters", "공기 필터"),
    ("42900000", "42000000", "Other general and special-purpose machinery", "기타 범용·특수 기계"),
    (
        "42910000",
        "42900000",
        "Distilling, filtering and rectifying apparatus",
        "증류·여과·정류 장치",
    ),
    ("42912000", "42910000", "Liquid filtering and purifying machinery", "액체 여과·정화 기계"),
    ("42912300", "42912000", "Water filtering and purifying machinery", "정수·수처리 장치"),
    ("42990000", "42900000", "Other special-purpose machinery", "기타 특수 기계"),
    ("42995000", "42990000", "Other cleaning machines", "기타 청소 기계"),
    ("42995200", "42995000", "Beach cleaning machines", "해변 청소 장비"),
    ("42997000", "42990000", "Pipeline machinery", "관로 기계"),
    ("42997100", "42997000", "Pipeline interior inspection machines", "관로 내부 점검 장비"),
    ("44200000", "44000000", "Structural products", "구조용 제품"),
    ("44210000", "44200000", "Structures and parts of structures", "구조물·구조물 부품"),
    (
        "44212000",
        "44210000",
        "Structural products other than prefabricated buildings",
        "조립식 건물 외 구조물",
    ),
    ("44212321", "44212000", "Bus shelters", "버스 승차대"),
    ("48100000", "48000000", "Industry-specific software", "산업별 소프트웨어"),
    ("48190000", "48100000", "Educational software", "교육용 소프트웨어"),
    (
        "48300000",
        "48000000",
        "Document, drawing, imaging and productivity software",
        "문서·도면·이미지·생산성 소프트웨어",
    ),
    ("48320000", "48300000", "Drawing and imaging software", "도면·이미지 소프트웨어"),
    ("48326000", "48320000", "Mapping software", "지도 소프트웨어"),
    ("48600000", "48000000", "Database and operating software", "데이터베이스·운영 소프트웨어"),
    ("48610000", "48600000", "Database systems", "데이터베이스 시스템"),
    ("48614000", "48610000", "Data acquisition systems", "데이터 수집 시스템"),
    ("48700000", "48000000", "Software utilities", "소프트웨어 유틸리티"),
    ("48730000", "48700000", "Security software", "보안 소프트웨어"),
    ("48740000", "48700000", "Translation software", "번역 소프트웨어"),
    ("71600000", "71000000", "Technical testing, analysis and consulting", "기술 시험·분석·자문"),
    ("71630000", "71600000", "Technical inspection and testing", "기술 검사·시험"),
    ("71631000", "71630000", "Technical inspection", "기술 검사"),
    ("71631450", "71631000", "Bridge inspection", "교량 점검"),
    ("72300000", "72000000", "Data services", "데이터 서비스"),
    ("72310000", "72300000", "Data processing", "데이터 처리"),
    ("72316000", "72310000", "Data analysis", "데이터 분석"),
    ("73100000", "73000000", "Research and experimental development", "연구·실험 개발"),
    ("73120000", "73100000", "Experimental development", "실험 개발"),
    ("80400000", "80000000", "Adult and other education", "성인·기타 교육"),
    ("80420000", "80400000", "E-learning", "이러닝"),
    ("85300000", "85000000", "Social work and related services", "사회복지 관련 서비스"),
    ("85310000", "85300000", "Social work", "사회복지 서비스"),
    ("85311000", "85310000", "Social work with accommodation", "시설 사회복지 서비스"),
    ("85311100", "85311000", "Care services for older people", "노인 돌봄 서비스"),
    ("90500000", "90000000", "Refuse and waste services", "폐기물 관련 서비스"),
    ("90510000", "90500000", "Refuse disposal and treatment", "폐기물 처리"),
    ("90511000", "90510000", "Refuse collection", "폐기물 수거"),
]


@dataclass(frozen=True)
class Req:
    """A performance requirement: numeric targets read '≥ 40' or '≤ 0.5'; others list offers."""

    ko: str
    en: str
    target: str
    unit: str = ""
    mandatory: bool = True
    offers: tuple[str, str, str, str] | None = None  # exceeds, meets, partly, no


@dataclass(frozen=True)
class Spec:
    ko: str
    en: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Theme:
    codes: tuple[str, ...]
    reqs: tuple[Req, ...]
    kinds: tuple[tuple[str, str], ...]  # product kinds: Korean, English
    summary: tuple[str, str]  # Korean, English; {0}, {1} … are the spec values
    specs: tuple[Spec, ...]
    unit: str
    price: tuple[int, int]
    certs: tuple[str, ...]
    patent: str
    trl: tuple[int, int] = (6, 9)


YES = ("지원(고도화 기능 포함)", "지원", "부분 지원", "미지원")
KC = "KC 인증"


THEMES: dict[str, Theme] = {
    "drone": Theme(
        ("35613000", "32342000"),
        (
            Req(
                "정지비행 위치 유지 오차 (풍속 10 m/s)",
                "Hover position error in 10 m/s wind",
                "≤ 0.5",
                "m",
            ),
            Req(
                "안내방송 스피커 음압 (1 m 거리)",
                "Loudspeaker sound pressure at 1 m",
                "≥ 100",
                "dB",
            ),
            Req(
                "연속 비행시간 (스피커 탑재 상태)",
                "Flight time with loudspeaker fitted",
                "≥ 40",
                "분",
            ),
            Req(
                "방진·방수 등급",
                "Dust and water protection",
                "IP55 이상",
                "",
                True,
                ("IP67", "IP55", "IP54", "IP43"),
            ),
            Req("영상 전송 거리", "Video link range", "≥ 5", "km", False),
        ),
        (
            ("순찰 드론", "Patrol Drone"),
            ("방송 드론", "Loudspeaker Drone"),
            ("감시 드론", "Surveillance Drone"),
        ),
        (
            "정지비행 오차 {0} m, 연속 비행 {1}분, {2} dB 안내방송 스피커를 일체화한 공공 순찰용 "
            "드론",
            "Public patrol drone: {0} m hover error, {1} min flight, built-in {2} dB loudspeaker",
        ),
        (
            Spec("정지비행 오차(풍속 10 m/s)", "Hover error (10 m/s wind)", 0.2, 0.7, "m"),
            Spec("연속 비행시간", "Flight time", 30, 55, "분"),
            Spec("스피커 음압(1 m)", "Loudspeaker SPL (1 m)", 95, 125, "dB"),
            Spec("방수 등급", "Ingress protection", choices=("IP54", "IP55", "IP67")),
            Spec("최대 이륙중량", "Maximum take-off weight", 6, 24, "kg"),
        ),
        "대",
        (18_000_000, 68_000_000),
        ("항공안전기술원 안전성인증", KC, "조달청 혁신제품 지정"),
        "강풍 환경에서의 드론 정지비행 보정 방법",
    ),
    "pa": Theme(
        ("32342000",),
        (
            Req("최대 음압 (1 m)", "Maximum sound pressure at 1 m", "≥ 110", "dB"),
            Req("음성 명료도 (STI, 50 m)", "Speech intelligibility (STI at 50 m)", "≥ 0.6", ""),
            Req("정전 시 배터리 운용 시간", "Battery operation during power cut", "≥ 8", "시간"),
            Req("원격 방송 (LTE·IP)", "Remote broadcast over LTE/IP", "지원", "", True, YES),
        ),
        (
            ("재난 안내방송 스피커", "Emergency PA Speaker"),
            ("옥외 방송 시스템", "Outdoor PA System"),
        ),
        (
            "최대 {0} dB, 50 m 명료도 STI {1}의 재난·안내 방송 장치",
            "Emergency PA: {0} dB peak, STI {1} at 50 m",
        ),
        (
            Spec("최대 음압(1 m)", "Peak SPL (1 m)", 105, 128, "dB"),
            Spec("명료도(STI, 50 m)", "Intelligibility (STI, 50 m)", 0.5, 0.8, ""),
            Spec("배터리 운용 시간", "Battery backup", 6, 24, "시간"),
        ),
        "식",
        (4_500_000, 28_000_000),
        (KC, "성능인증(EPC)"),
        "지향성 배열 스피커의 음향 빔 제어 장치",
    ),
    "cctv": Theme(
        ("35125300", "32323500"),
        (
            Req("객체 검지 정확도 (야간)", "Night-time object detection accuracy", "≥ 95", "%"),
            Req("동시 분석 채널 수 (서버 1대)", "Channels analysed per server", "≥ 32", "채널"),
            Req(
                "개인정보 비식별화 (얼굴·번호판 자동 모자이크)",
                "Automatic masking of faces and plates",
                "지원",
                "",
                True,
                YES,
            ),
            Req("오탐률", "False alarm rate", "≤ 3", "%"),
        ),
        (
            ("AI 영상분석 카메라", "AI Video Analytics Camera"),
            ("지능형 CCTV 관제 솔루션", "Intelligent CCTV Platform"),
        ),
        (
            "야간 검지 정확도 {0}%, 서버당 {1}채널을 분석하는 지능형 영상 관제",
            "Intelligent video monitoring: {0}% night accuracy, {1} channels per server",
        ),
        (
            Spec("야간 검지 정확도", "Night detection accuracy", 91, 99, "%"),
            Spec("서버당 분석 채널", "Channels per server", 16, 64, "채널"),
            Spec("해상도", "Resolution", choices=("2 MP", "4 MP", "8 MP")),
        ),
        "식",
        (12_000_000, 95_000_000),
        ("GS인증 1등급", "TTA 지능형 CCTV 성능인증", KC),
        "딥러닝 기반 야간 객체 재식별 방법",
    ),
    "fire": Theme(
        ("31625100",),
        (
            Req("화재 감지 시간 (훈소)", "Detection time for smouldering fire", "≤ 60", "초"),
            Req("비화재보 발생률", "False alarm rate", "≤ 1", "%"),
            Req("무선 통신 거리 (LoRa)", "Wireless range (LoRa)", "≥ 500", "m"),
            Req(
                "KFI 형식승인",
                "KFI type approval",
                "보유",
                "",
                True,
                ("보유(추가 인증 포함)", "보유", "신청 중", "미보유"),
            ),
        ),
        (
            ("무선 화재감지기", "Wireless Fire Detector"),
            ("AI 복합 화재감지 시스템", "AI Multi-sensor Fire Detection"),
        ),
        (
            "훈소 화재 {0}초 이내 감지, 비화재보율 {1}%의 무선 복합 화재감지기",
            "Wireless multi-sensor detector: smouldering fire in {0} s, {1}% false alarms",
        ),
        (
            Spec("훈소 감지 시간", "Smouldering detection time", 25, 70, "초"),
            Spec("비화재보율", "False alarm rate", 0.2, 1.5, "%"),
            Spec("배터리 수명", "Battery life", 3, 10, "년"),
        ),
        "개",
        (85_000, 650_000),
        ("KFI 형식승인", KC, "조달청 혁신제품 지정"),
        "열·연기·CO 복합 신호 기반 비화재보 판별 방법",
    ),
    "firefight": Theme(
        ("35111000",),
        (
            Req("방수 거리", "Water jet range", "≥ 40", "m"),
            Req("원격 조종 거리", "Remote control range", "≥ 300", "m"),
            Req("내열 성능 (800 ℃ 노출)", "Heat resistance at 800 °C", "≥ 10", "분"),
            Req(
                "전기차 화재 대응 (하부 냉각)",
                "Electric vehicle fire (underbody cooling)",
                "지원",
                "",
                False,
                YES,
            ),
        ),
        (
            ("무인 소방로봇", "Fire-fighting Robot"),
            ("전기차 화재 진압장비", "EV Fire Suppression Kit"),
        ),
        (
            "방수 거리 {0} m, 800 ℃에서 {1}분 견디는 원격 진압 장비",
            "Remote fire suppression: {0} m jet, withstands 800 °C for {1} min",
        ),
        (
            Spec("방수 거리", "Jet range", 30, 65, "m"),
            Spec("내열 시간(800 ℃)", "Heat endurance (800 °C)", 8, 30, "분"),
            Spec("원격 조종 거리", "Control range", 200, 800, "m"),
        ),
        "대",
        (35_000_000, 420_000_000),
        ("KFI 인정", KC, "NEP 신제품 인증"),
        "전기차 배터리 화재 하부 냉각 노즐 장치",
    ),
    "rescue": Theme(
        ("35112000",),
        (
            Req("자동 팽창 시간", "Self-inflation time", "≤ 5", "초"),
            Req("부력", "Buoyancy", "≥ 150", "N"),
            Req("위치 발신 (GPS·AIS)", "Position beacon (GPS/AIS)", "지원", "", True, YES),
            Req("드론 투하 가능 중량", "Weight for drone drop", "≤ 1.5", "kg"),
        ),
        (
            ("자동팽창 구명튜브", "Self-inflating Rescue Tube"),
            ("수난구조 키트", "Water Rescue Kit"),
        ),
        (
            "{0}초 안에 팽창, 부력 {1} N, 위치 발신기 내장 구명장비",
            "Rescue float: inflates in {0} s, {1} N buoyancy, built-in beacon",
        ),
        (
            Spec("팽창 시간", "Inflation time", 2, 6, "초"),
            Spec("부력", "Buoyancy", 120, 260, "N"),
            Spec("중량", "Weight", 0.6, 1.8, "kg"),
        ),
        "개",
        (120_000, 900_000),
        (KC, "해양수산부 형식승인", "성능인증(EPC)"),
        "수면 접촉 감지형 자동 팽창 밸브",
    ),
    "protective": Theme(
        ("35113400",),
        (
            Req("냉각 지속 시간", "Cooling duration", "≥ 120", "분"),
            Req("중량", "Weight", "≤ 1.8", "kg"),
            Req(
                "방염 성능 (KS K ISO 15025)",
                "Flame resistance (ISO 15025)",
                "적합",
                "",
                True,
                ("적합(A1+A2)", "적합", "부분 적합", "부적합"),
            ),
        ),
        (("냉각 조끼", "Cooling Vest"), ("경량 방화복", "Lightweight Turnout Gear")),
        (
            "{0}분 냉각, 무게 {1} kg의 현장 대원용 보호복",
            "Protective wear: {0} min cooling, {1} kg",
        ),
        (
            Spec("냉각 지속 시간", "Cooling time", 90, 240, "분"),
            Spec("중량", "Weight", 1.1, 2.4, "kg"),
        ),
        "개",
        (180_000, 1_600_000),
        ("KFI 인정", "KC 안전인증", "GR 우수재활용제품"),
        "상변화물질을 이용한 착용형 냉각 패드",
        (7, 9),
    ),
    "air": Theme(
        ("38344000", "38432100"),
        (
            Req(
                "PM2.5 측정 정확도 (베타선법 대비)",
                "PM2.5 accuracy against beta attenuation",
                "≥ 90",
                "%",
            ),
            Req(
                "악취 물질 검출 (H₂S·NH₃) 하한",
                "Odour gas detection limit (H₂S, NH₃)",
                "≤ 0.05",
                "ppm",
            ),
            Req("데이터 전송 주기", "Reporting interval", "≤ 1", "분"),
            Req(
                "간이측정기 성능인증 등급",
                "Sensor performance grade",
                "1등급",
                "",
                True,
                ("1등급(전 항목)", "1등급", "2등급", "미인증"),
            ),
        ),
        (
            ("미세먼지 간이측정기", "Fine Dust Sensor Station"),
            ("악취 모니터링 시스템", "Odour Monitoring System"),
        ),
        (
            "베타선법 대비 {0}% 정확도, {1}분 주기 전송 환경측정 장비",
            "Air monitoring: {0}% accuracy vs reference, reports every {1} min",
        ),
        (
            Spec("PM2.5 정확도", "PM2.5 accuracy", 85, 97, "%"),
            Spec("전송 주기", "Reporting interval", 0.5, 5, "분"),
            Spec("측정 항목 수", "Measured parameters", 4, 12, "종"),
        ),
        "대",
        (1_800_000, 24_000_000),
        ("환경부 간이측정기 성능인증 1등급", KC, "녹색기술 인증"),
        "광산란 센서의 습도 보정 방법",
    ),
    "noise": Theme(
        ("38434300",),
        (
            Req("측정 범위", "Measuring range", "≥ 100", "dB"),
            Req("소음원 방향 추정 오차", "Sound source direction error", "≤ 5", "°"),
            Req(
                "KS C IEC 61672 등급",
                "IEC 61672 class",
                "Class 1",
                "",
                True,
                ("Class 1(형식승인)", "Class 1", "Class 2", "해당 없음"),
            ),
        ),
        (
            ("소음원 추적 카메라", "Acoustic Camera"),
            ("상시 소음 측정망", "Continuous Noise Monitor"),
        ),
        (
            "방향 오차 {0}°로 소음원을 찾아내는 음향 카메라·측정망",
            "Finds noise sources within {0}° using an acoustic array",
        ),
        (
            Spec("방향 추정 오차", "Direction error", 2, 8, "°"),
            Spec("측정 범위 상한", "Upper range", 100, 140, "dB"),
            Spec("마이크 채널", "Microphones", 32, 128, "채널"),
        ),
        "대",
        (6_000_000, 55_000_000),
        (KC, "성능인증(EPC)", "NEP 신제품 인증"),
        "빔포밍 기반 이동 소음원 추적 방법",
    ),
    "solar": Theme(
        ("09331200",),
        (
            Req("모듈 변환 효율", "Module efficiency", "≥ 22", "%"),
            Req(
                "투광률 (방음벽형)", "Light transmittance (noise barrier type)", "≥ 30", "%", False
            ),
            Req("25년 출력 보증", "25-year output warranty", "≥ 85", "%"),
            Req(
                "KS 인증",
                "KS certification",
                "보유",
                "",
                True,
                ("보유(KS+TÜV)", "보유", "신청 중", "미보유"),
            ),
        ),
        (
            ("방음벽 일체형 태양광", "Noise-barrier Solar Module"),
            ("수상 태양광 모듈", "Floating PV Module"),
            ("건물일체형 태양광(BIPV)", "Building-integrated PV"),
        ),
        (
            "효율 {0}%, 25년 출력 보증 {1}%의 공공시설용 태양광 모듈",
            "Public-facility PV: {0}% efficiency, {1}% output after 25 years",
        ),
        (
            Spec("변환 효율", "Efficiency", 19, 24, "%"),
            Spec("25년 출력 보증", "25-year warranty", 80, 90, "%"),
            Spec("정격 출력", "Rated output", 300, 600, "W"),
        ),
        "식",
        (9_000_000, 180_000_000),
        ("KS 인증", "에너지공단 신재생에너지 설비인증", "우수조달물품 지정"),
        "양면 수광형 방음벽 태양광 패널 구조",
    ),
    "battery": Theme(
        ("31422000",),
        (
            Req("에너지 밀도", "Energy density", "≥ 160", "Wh/kg"),
            Req(
                "열폭주 전이 차단 (셀 간)",
                "Thermal runaway propagation barrier",
                "지원",
                "",
                True,
                YES,
            ),
            Req("충·방전 수명 (80% 용량)", "Cycle life to 80% capacity", "≥ 6000", "회"),
        ),
        (("ESS 배터리 팩", "ESS Battery Pack"), ("이동형 비상전원", "Mobile Emergency Power Unit")),
        (
            "에너지 밀도 {0} Wh/kg, 수명 {1}회의 화재 확산 차단형 배터리",
            "Battery with propagation barrier: {0} Wh/kg, {1} cycles",
        ),
        (
            Spec("에너지 밀도", "Energy density", 140, 210, "Wh/kg"),
            Spec("충방전 수명", "Cycle life", 4000, 9000, "회"),
            Spec("용량", "Capacity", 5, 500, "kWh"),
        ),
        "대",
        (6_000_000, 240_000_000),
        (KC, "KC 62619 안전인증", "NEP 신제품 인증"),
        "셀 간 열폭주 전이 차단 격벽 구조",
    ),
    "charger": Theme(
        ("31158100",),
        (
            Req("충전 출력", "Charging power", "≥ 100", "kW"),
            Req(
                "과충전 방지 (BMS 연동)",
                "Overcharge prevention linked to BMS",
                "지원",
                "",
                True,
                YES,
            ),
            Req("가동률", "Availability", "≥ 99", "%"),
        ),
        (("급속 충전기", "DC Fast Charger"), ("화재예방형 완속 충전기", "Fire-safe AC Charger")),
        (
            "{0} kW 출력, 가동률 {1}%의 화재예방형 전기차 충전기",
            "EV charger: {0} kW, {1}% availability, fire prevention",
        ),
        (
            Spec("충전 출력", "Output", 7, 350, "kW"),
            Spec("가동률", "Availability", 97, 99.8, "%"),
        ),
        "대",
        (1_200_000, 68_000_000),
        (KC, "환경부 충전기 성능인증", "우수조달물품 지정"),
        "배터리 상태 기반 충전 전류 제어 방법",
    ),
    "ev": Theme(
        ("34144900",),
        (
            Req("1회 충전 주행거리", "Range per charge", "≥ 200", "km"),
            Req("적재 중량", "Payload", "≥ 1000", "kg"),
            Req(
                "작업 장치 전동화 (청소·살수)",
                "Electric work equipment (sweeping, spraying)",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("전기 노면청소차", "Electric Road Sweeper"),
            ("전기 업무용 트럭", "Electric Utility Truck"),
        ),
        (
            "1회 충전 {0} km, 적재 {1} kg의 전기 특수차",
            "Electric special vehicle: {0} km range, {1} kg payload",
        ),
        (
            Spec("주행거리", "Range", 150, 320, "km"),
            Spec("적재 중량", "Payload", 800, 3500, "kg"),
        ),
        "대",
        (85_000_000, 390_000_000),
        ("자동차 제작자 인증", "환경부 저공해차 인증", KC),
        "전동식 흡입 청소 장치의 분진 저감 구조",
        (7, 9),
    ),
    "ebus": Theme(
        ("34144910",),
        (
            Req("1회 충전 주행거리", "Range per charge", "≥ 350", "km"),
            Req(
                "저상 구조 (휠체어 승강 설비)",
                "Low floor with wheelchair ramp",
                "지원",
                "",
                True,
                YES,
            ),
            Req("동절기 주행거리 감소율 (-10 ℃)", "Winter range loss at -10 °C", "≤ 25", "%"),
        ),
        (("저상 전기버스", "Low-floor Electric Bus"), ("수소 연료전지 버스", "Fuel-cell Bus")),
        (
            "1회 충전 {0} km, 동절기 감소율 {1}%의 저상 버스",
            "Low-floor bus: {0} km range, {1}% winter loss",
        ),
        (
            Spec("주행거리", "Range", 300, 480, "km"),
            Spec("동절기 주행거리 감소율", "Winter range loss", 12, 32, "%"),
        ),
        "대",
        (280_000_000, 620_000_000),
        ("자동차 제작자 인증", "환경부 저공해차 인증"),
        "저온 환경 배터리 예열 제어 방법",
        (8, 9),
    ),
    "signal": Theme(
        ("34996100",),
        (
            Req("보행자 검지 정확도", "Pedestrian detection accuracy", "≥ 97", "%"),
            Req("노면 LED 휘도", "In-road LED luminance", "≥ 600", "cd/m²"),
            Req(
                "보행 시간 자동 연장 (교통약자)",
                "Automatic crossing time extension",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("스마트 횡단보도 신호기", "Smart Crosswalk Signal"),
            ("바닥형 보행신호등", "In-ground Pedestrian Light"),
        ),
        (
            "보행자 검지 {0}%, 노면 휘도 {1} cd/m²의 스마트 횡단보도",
            "Smart crosswalk: {0}% pedestrian detection, {1} cd/m² in-road LEDs",
        ),
        (
            Spec("보행자 검지 정확도", "Detection accuracy", 94, 99.5, "%"),
            Spec("노면 LED 휘도", "LED luminance", 450, 900, "cd/m²"),
        ),
        "식",
        (8_000_000, 45_000_000),
        ("경찰청 교통안전시설 표준규격 적합", KC, "조달청 혁신제품 지정"),
        "보행 속도 기반 신호 연장 제어 방법",
    ),
    "traffic": Theme(
        ("34972000",),
        (
            Req("차종 분류 정확도 (12종)", "Vehicle class accuracy (12 classes)", "≥ 95", "%"),
            Req("검지 차로 수 (장비 1대)", "Lanes per unit", "≥ 4", "차로"),
            Req("악천후 검지율 (강우 50 mm/h)", "Detection in heavy rain (50 mm/h)", "≥ 90", "%"),
        ),
        (
            ("레이더 교통량 검지기", "Radar Traffic Counter"),
            ("영상 교통정보 수집장치", "Video Traffic Data Collector"),
        ),
        (
            "12종 차종 분류 {0}%, 장비 1대로 {1}차로를 검지",
            "Classifies 12 vehicle types at {0}%, {1} lanes per unit",
        ),
        (
            Spec("차종 분류 정확도", "Classification accuracy", 92, 99, "%"),
            Spec("검지 차로", "Lanes", 2, 8, "차로"),
        ),
        "대",
        (7_000_000, 38_000_000),
        (KC, "ITS 성능평가 적합", "GS인증 1등급"),
        "레이더·영상 융합 차종 분류 방법",
    ),
    "streetlight": Theme(
        ("34928530",),
        (
            Req("광효율", "Luminous efficacy", "≥ 160", "lm/W"),
            Req(
                "디밍 제어 (보행자 감지)", "Dimming on pedestrian detection", "지원", "", True, YES
            ),
            Req("원격 고장 감지", "Remote fault detection", "지원", "", True, YES),
            Req(
                "방진·방수 등급",
                "Ingress protection",
                "IP66 이상",
                "",
                True,
                ("IP68", "IP66", "IP65", "IP54"),
            ),
        ),
        (
            ("스마트 LED 가로등", "Smart LED Street Light"),
            ("태양광 보안등", "Solar Security Light"),
        ),
        (
            "광효율 {0} lm/W, 보행자 감지 디밍의 스마트 가로등",
            "Smart street light: {0} lm/W with pedestrian-sensing dimming",
        ),
        (
            Spec("광효율", "Efficacy", 140, 190, "lm/W"),
            Spec("소비전력", "Power", 40, 150, "W"),
        ),
        "대",
        (450_000, 3_800_000),
        ("KS 인증", "고효율에너지기자재 인증", KC),
        "보행 궤적 예측 기반 가로등 선행 점등 방법",
        (7, 9),
    ),
    "patient": Theme(
        ("33195000",),
        (
            Req(
                "측정 항목 (심전도·SpO₂·체온·호흡)",
                "Parameters (ECG, SpO₂, temperature, respiration)",
                "≥ 4",
                "종",
            ),
            Req("이상징후 알림 민감도", "Deterioration alert sensitivity", "≥ 90", "%"),
            Req("연속 착용 시간 (1회 충전)", "Wear time per charge", "≥ 72", "시간"),
            Req(
                "의료기기 품목허가 (2등급 이상)",
                "Medical device licence (class 2+)",
                "보유",
                "",
                True,
                ("보유(3등급)", "보유", "신청 중", "미보유"),
            ),
        ),
        (
            ("웨어러블 환자 모니터", "Wearable Patient Monitor"),
            ("병상 원격 모니터링 시스템", "Remote Ward Monitoring"),
        ),
        (
            "{0}종 생체신호를 {1}시간 연속 측정하는 원격 모니터링",
            "Remote monitoring of {0} vital signs for {1} h per charge",
        ),
        (
            Spec("측정 항목", "Parameters", 3, 7, "종"),
            Spec("연속 착용 시간", "Wear time", 48, 168, "시간"),
            Spec("알림 민감도", "Alert sensitivity", 86, 97, "%"),
        ),
        "식",
        (2_500_000, 75_000_000),
        ("의료기기 품목허가", "GMP 적합인정", "혁신의료기기 지정"),
        "다중 생체신호 기반 조기 악화 예측 방법",
    ),
    "wheelchair": Theme(
        ("33193121",),
        (
            Req("등판 성능", "Climbing ability", "≥ 12", "°"),
            Req("1회 충전 주행거리", "Range per charge", "≥ 25", "km"),
            Req("계단·턱 극복 높이", "Kerb climbing height", "≥ 10", "cm"),
        ),
        (
            ("전동 휠체어", "Powered Wheelchair"),
            ("계단 등판형 휠체어", "Stair-climbing Wheelchair"),
        ),
        (
            "등판 {0}°, 1회 충전 {1} km의 전동 휠체어",
            "Powered wheelchair: {0}° climbing, {1} km range",
        ),
        (
            Spec("등판 성능", "Climbing", 8, 18, "°"),
            Spec("주행거리", "Range", 18, 40, "km"),
            Spec("턱 극복 높이", "Kerb height", 5, 20, "cm"),
        ),
        "대",
        (3_200_000, 18_000_000),
        ("의료기기 품목허가", KC, "우수조달물품 지정"),
        "무게중심 보상형 등판 구동 장치",
        (7, 9),
    ),
    "defib": Theme(
        ("33182100",),
        (
            Req("전원 켬 후 첫 충격까지 시간", "Time from power-on to first shock", "≤ 8", "초"),
            Req("한국어 음성·영상 안내", "Korean voice and video guidance", "지원", "", True, YES),
            Req(
                "원격 상태 점검 (배터리·패드)",
                "Remote self-check (battery, pads)",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("자동심장충격기(AED)", "Automated External Defibrillator"),
            ("AED 원격관리 함체", "Connected AED Cabinet"),
        ),
        (
            "전원 켬 후 {0}초 안에 충격 가능한 원격관리형 AED",
            "Connected AED: first shock within {0} s of power-on",
        ),
        (
            Spec("첫 충격까지 시간", "Time to first shock", 6, 12, "초"),
            Spec("대기 수명", "Standby life", 3, 6, "년"),
        ),
        "대",
        (1_100_000, 3_600_000),
        ("의료기기 품목허가", "GMP 적합인정", KC),
        "심폐소생술 압박 깊이 음성 피드백 장치",
        (8, 9),
    ),
    "hearing": Theme(
        ("33185000",),
        (
            Req("소음 환경 어음 인지도 개선", "Speech-in-noise improvement", "≥ 6", "dB"),
            Req("스마트폰 자가 조절 (앱)", "Self-fitting by smartphone app", "지원", "", True, YES),
            Req("1회 충전 사용 시간", "Use time per charge", "≥ 20", "시간"),
        ),
        (
            ("자가적합형 보청기", "Self-fitting Hearing Aid"),
            ("공공장소 청취보조 시스템", "Assistive Listening System"),
        ),
        (
            "소음 속 어음 인지 {0} dB 개선, {1}시간 사용 보청기",
            "Hearing aid: {0} dB better speech in noise, {1} h per charge",
        ),
        (
            Spec("어음 인지도 개선", "Speech-in-noise gain", 4, 10, "dB"),
            Spec("사용 시간", "Use time", 16, 36, "시간"),
        ),
        "개",
        (350_000, 2_400_000),
        ("의료기기 품목허가", KC),
        "딥러닝 음성 분리 기반 보청 신호 처리 방법",
    ),
    "boat": Theme(
        ("34521100",),
        (
            Req("자율 운항 시간", "Autonomous endurance", "≥ 8", "시간"),
            Req("운용 해상 상태", "Operating sea state", "≥ 3", "(Sea State)"),
            Req(
                "야간 열영상 탐지 거리 (사람)",
                "Night thermal detection range (person)",
                "≥ 1",
                "km",
            ),
        ),
        (("무인 감시정", "Unmanned Surface Vessel"), ("수상 드론", "Water Drone")),
        (
            "자율 운항 {0}시간, Sea State {1}에서 운용하는 무인 감시정",
            "Unmanned patrol vessel: {0} h autonomous, sea state {1}",
        ),
        (
            Spec("자율 운항 시간", "Endurance", 4, 16, "시간"),
            Spec("운용 해상 상태", "Sea state", 2, 5, ""),
            Spec("최고 속력", "Top speed", 10, 35, "knot"),
        ),
        "대",
        (45_000_000, 680_000_000),
        ("선박안전기술공단 검사 합격", KC, "NEP 신제품 인증"),
        "파랑 보상 자율 항로 유지 방법",
        (5, 8),
    ),
    "edu": Theme(
        ("48190000", "80420000"),
        (
            Req("학습자 맞춤 진단 문항 수", "Adaptive diagnostic items", "≥ 5000", "문항"),
            Req("동시 접속자", "Concurrent users", "≥ 10000", "명"),
            Req(
                "웹 접근성 인증",
                "Web accessibility certification",
                "보유",
                "",
                True,
                ("보유(WCAG 2.1 AA)", "보유", "신청 중", "미보유"),
            ),
            Req(
                "교육부 학습데이터 표준 (xAPI) 연동",
                "Learning data standard (xAPI)",
                "지원",
                "",
                False,
                YES,
            ),
        ),
        (
            ("AI 맞춤학습 플랫폼", "AI Adaptive Learning Platform"),
            ("디지털 교과서 보조 SW", "Digital Textbook Companion"),
        ),
        (
            "진단 문항 {0}개, 동시 접속 {1}명을 지원하는 AI 맞춤학습",
            "AI adaptive learning: {0} diagnostic items, {1} concurrent users",
        ),
        (
            Spec("진단 문항 수", "Diagnostic items", 3000, 20000, "문항"),
            Spec("동시 접속자", "Concurrent users", 5000, 50000, "명"),
        ),
        "년",
        (12_000_000, 240_000_000),
        ("GS인증 1등급", "웹 접근성 품질인증", "클라우드 보안인증(CSAP)"),
        "학습 이력 기반 지식 상태 추정 방법",
    ),
    "gis": Theme(
        ("48326000",),
        (
            Req("3D 모델 위치 정확도", "3D model positional accuracy", "≤ 10", "cm"),
            Req("드론 영상 처리 속도 (1 km²)", "Drone imagery processing per km²", "≤ 2", "시간"),
            Req(
                "국가공간정보 표준 (KS X ISO 19100) 준수",
                "Geospatial standards compliance",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("디지털트윈 지도 플랫폼", "Digital Twin Mapping Platform"),
            ("드론 측량 SW", "Drone Survey Software"),
        ),
        (
            "위치 정확도 {0} cm, 1 km²를 {1}시간에 처리하는 3D 지도",
            "3D mapping: {0} cm accuracy, {1} h per km²",
        ),
        (
            Spec("위치 정확도", "Accuracy", 3, 12, "cm"),
            Spec("처리 시간(1 km²)", "Processing time per km²", 0.5, 3, "시간"),
        ),
        "식",
        (15_000_000, 160_000_000),
        ("GS인증 1등급", "공간정보 품질인증"),
        "다시점 드론 영상 정합 방법",
    ),
    "data": Theme(
        ("48614000", "72316000"),
        (
            Req("수집 센서 유형", "Sensor types ingested", "≥ 10", "종"),
            Req("이상 탐지 정확도 (F1)", "Anomaly detection accuracy (F1)", "≥ 0.85", ""),
            Req("공공데이터 개방 (Open API)", "Open data API", "지원", "", True, YES),
        ),
        (
            ("IoT 데이터 수집 플랫폼", "IoT Data Platform"),
            ("공공 빅데이터 분석 서비스", "Public Data Analytics Service"),
        ),
        (
            "{0}종 센서를 수집하고 F1 {1}로 이상을 탐지하는 데이터 플랫폼",
            "Data platform: {0} sensor types, anomaly F1 {1}",
        ),
        (
            Spec("수집 센서 유형", "Sensor types", 6, 30, "종"),
            Spec("이상 탐지 F1", "Anomaly F1", 0.78, 0.95, ""),
        ),
        "년",
        (18_000_000, 300_000_000),
        ("GS인증 1등급", "클라우드 보안인증(CSAP)"),
        "시계열 센서 결측 보정 방법",
    ),
    "translate": Theme(
        ("48740000",),
        (
            Req("지원 언어", "Languages supported", "≥ 15", "개"),
            Req("음성 통역 지연", "Speech interpretation latency", "≤ 1.5", "초"),
            Req(
                "행정·의료 용어 사전 반영",
                "Public service and medical glossary",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("민원 창구 AI 통역기", "AI Interpreter for Service Desks"),
            ("다국어 안내 키오스크", "Multilingual Kiosk"),
        ),
        (
            "{0}개 언어, 지연 {1}초의 민원 창구용 AI 통역",
            "AI interpretation: {0} languages, {1} s latency",
        ),
        (
            Spec("지원 언어", "Languages", 10, 40, "개"),
            Spec("통역 지연", "Latency", 0.6, 2, "초"),
        ),
        "식",
        (3_000_000, 60_000_000),
        ("GS인증 1등급", "조달청 혁신제품 지정"),
        "행정 용어 적응형 기계 번역 방법",
    ),
    "security": Theme(
        ("48730000",),
        (
            Req("탐지 정확도 (랜섬웨어 변종)", "Ransomware variant detection", "≥ 99", "%"),
            Req("탐지 후 자동 격리 시간", "Time to automatic isolation", "≤ 10", "초"),
            Req(
                "CC 인증",
                "Common Criteria certification",
                "보유",
                "",
                True,
                ("보유(EAL4)", "보유", "평가 중", "미보유"),
            ),
        ),
        (
            ("랜섬웨어 차단 솔루션", "Anti-ransomware Suite"),
            ("제로트러스트 접근제어", "Zero-trust Access Gateway"),
        ),
        (
            "변종 탐지 {0}%, {1}초 안에 자동 격리하는 보안 솔루션",
            "Security suite: {0}% variant detection, isolation in {1} s",
        ),
        (
            Spec("변종 탐지율", "Variant detection", 97, 99.9, "%"),
            Spec("격리 시간", "Isolation time", 2, 15, "초"),
        ),
        "식",
        (8_000_000, 150_000_000),
        ("CC 인증", "GS인증 1등급", "보안기능 확인서"),
        "파일 엔트로피 변화 기반 암호화 행위 탐지 방법",
    ),
    "water": Theme(
        ("42912300",),
        (
            Req("시간당 정수량", "Purified water per hour", "≥ 2", "㎥"),
            Req(
                "먹는물 수질기준 적합 항목",
                "Drinking water standard parameters met",
                "≥ 60",
                "항목",
            ),
            Req("설치 소요 시간 (재난 현장)", "Set-up time on site", "≤ 30", "분"),
        ),
        (
            ("이동형 비상 정수장치", "Mobile Emergency Water Purifier"),
            ("소규모 수도 정수설비", "Small Water Treatment Unit"),
        ),
        (
            "시간당 {0} ㎥를 정수, {1}분 안에 설치하는 비상 급수 장치",
            "Emergency purification: {0} m³/h, set up in {1} min",
        ),
        (
            Spec("정수량", "Output", 1, 10, "㎥/h"),
            Spec("설치 시간", "Set-up time", 15, 45, "분"),
        ),
        "대",
        (25_000_000, 280_000_000),
        ("KC 위생안전인증", "환경신기술 인증", "NEP 신제품 인증"),
        "세라믹 막 역세척 주기 자동 제어 방법",
    ),
    "pipe": Theme(
        ("42997100", "38421100"),
        (
            Req("누수 위치 추정 오차", "Leak location error", "≤ 1", "m"),
            Req("무단수 점검 가능 관경", "Pipe diameter inspected without shut-off", "≥ 300", "mm"),
            Req("1회 투입 점검 거리", "Inspection length per insertion", "≥ 1000", "m"),
        ),
        (
            ("관로 누수탐지 로봇", "Pipe Leak Inspection Robot"),
            ("스마트 수도미터", "Smart Water Meter"),
        ),
        (
            "누수 위치 오차 {0} m, 1회 {1} m를 점검하는 상수관로 진단",
            "Water main diagnosis: {0} m leak error, {1} m per insertion",
        ),
        (
            Spec("누수 위치 오차", "Leak location error", 0.3, 1.5, "m"),
            Spec("1회 점검 거리", "Length per insertion", 500, 3000, "m"),
        ),
        "식",
        (2_000_000, 350_000_000),
        ("KC 위생안전인증", "환경신기술 인증", "조달청 혁신제품 지정"),
        "관내 음향 신호 기반 누수 지점 추정 방법",
        (5, 9),
    ),
    "beach": Theme(
        ("42995200",),
        (
            Req("시간당 처리 면적", "Area cleaned per hour", "≥ 5000", "㎡"),
            Req(
                "미세 플라스틱 수거 (5 mm 이하)",
                "Micro-plastic collection (under 5 mm)",
                "지원",
                "",
                True,
                YES,
            ),
            Req("모래 유실률", "Sand loss", "≤ 3", "%"),
        ),
        (("해변 청소 장비", "Beach Cleaner"), ("해양쓰레기 수거 로봇", "Marine Litter Robot")),
        (
            "시간당 {0} ㎡를 청소, 모래 유실 {1}%의 해변 정화 장비",
            "Beach cleaning: {0} m² per hour, {1}% sand loss",
        ),
        (
            Spec("시간당 처리 면적", "Area per hour", 3000, 12000, "㎡"),
            Spec("모래 유실률", "Sand loss", 1, 5, "%"),
        ),
        "대",
        (38_000_000, 260_000_000),
        (KC, "NEP 신제품 인증", "GR 우수재활용제품"),
        "진동 체 방식 미세 플라스틱 분리 장치",
        (6, 9),
    ),
    "weather": Theme(
        ("38127000",),
        (
            Req("노면 결빙 감지 정확도", "Road ice detection accuracy", "≥ 95", "%"),
            Req("결빙 예측 선행 시간", "Ice forecast lead time", "≥ 60", "분"),
            Req("비접촉 노면 온도 측정", "Non-contact road temperature", "지원", "", True, YES),
        ),
        (
            ("도로 기상 관측 장비", "Road Weather Station"),
            ("블랙아이스 경보 시스템", "Black Ice Warning System"),
        ),
        (
            "결빙 감지 {0}%, {1}분 앞서 결빙을 예측하는 도로 기상 장비",
            "Road weather: {0}% ice detection, {1} min forecast lead",
        ),
        (
            Spec("결빙 감지 정확도", "Ice detection", 90, 99, "%"),
            Spec("예측 선행 시간", "Forecast lead", 30, 120, "분"),
        ),
        "대",
        (9_000_000, 65_000_000),
        ("기상청 기상측기 검정", KC),
        "노면 분광 반사 기반 결빙 판별 방법",
    ),
    "shelter": Theme(
        ("44212321",),
        (
            Req("냉난방 (폭염·한파 쉼터)", "Heating and cooling shelter", "지원", "", True, YES),
            Req(
                "실내 공기질 (PM2.5, 외기 대비 저감)",
                "Indoor PM2.5 reduction vs outdoors",
                "≥ 70",
                "%",
            ),
            Req("에너지 자립률 (태양광)", "Energy self-sufficiency (solar)", "≥ 30", "%", False),
        ),
        (("스마트 버스쉘터", "Smart Bus Shelter"), ("폭염·한파 쉼터", "Climate Shelter")),
        (
            "미세먼지 {0}% 저감, 에너지 자립률 {1}%의 스마트 쉘터",
            "Smart shelter: {0}% less PM2.5, {1}% solar self-sufficiency",
        ),
        (
            Spec("PM2.5 저감률", "PM2.5 reduction", 60, 90, "%"),
            Spec("에너지 자립률", "Energy self-sufficiency", 15, 50, "%"),
        ),
        "식",
        (28_000_000, 120_000_000),
        (KC, "조달청 혁신제품 지정", "디자인 등록"),
        "개방형 쉘터 에어커튼 구조",
    ),
    "school": Theme(
        ("39160000",),
        (
            Req("높이 조절 범위", "Height adjustment range", "≥ 25", "cm"),
            Req("포름알데히드 방출량", "Formaldehyde emission", "≤ 0.3", "mg/L"),
            Req(
                "모둠 수업 재배치 (1인 이동)",
                "Rearranged by one pupil for group work",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("높이조절 학생 책상", "Height-adjustable Pupil Desk"),
            ("모둠형 교실 가구", "Collaborative Classroom Furniture"),
        ),
        (
            "높이 {0} cm 조절, 포름알데히드 {1} mg/L의 교실 가구",
            "Classroom furniture: {0} cm height range, {1} mg/L formaldehyde",
        ),
        (
            Spec("높이 조절 범위", "Height range", 18, 35, "cm"),
            Spec("포름알데히드 방출량", "Formaldehyde", 0.1, 0.5, "mg/L"),
        ),
        "개",
        (160_000, 780_000),
        ("KS 인증", "환경표지 인증", "우수조달물품 지정"),
        "가스 스프링 일체형 책상 높이 조절 장치",
        (8, 9),
    ),
    "disinfect": Theme(
        ("39330000",),
        (
            Req("살균력 (99.9% 도달 시간)", "Time to 99.9% kill", "≤ 10", "분"),
            Req("자율 주행 소독 면적", "Autonomous coverage", "≥ 500", "㎡/h"),
            Req("유인 감지 시 자동 정지", "Stops when a person is present", "지원", "", True, YES),
        ),
        (
            ("UV-C 자율 소독로봇", "UV-C Disinfection Robot"),
            ("플라즈마 공간 소독기", "Plasma Room Disinfector"),
        ),
        (
            "{0}분 안에 99.9% 살균, 시간당 {1} ㎡를 소독하는 자율 로봇",
            "Autonomous disinfection: 99.9% in {0} min, {1} m² per hour",
        ),
        (
            Spec("99.9% 살균 시간", "Time to 99.9%", 4, 14, "분"),
            Spec("시간당 소독 면적", "Coverage", 300, 1200, "㎡/h"),
        ),
        "대",
        (9_000_000, 72_000_000),
        (KC, "의료기기 품목허가", "NEP 신제품 인증"),
        "인체 감지형 UV-C 조사량 제어 방법",
    ),
    "waste": Theme(
        ("34928480", "90511000"),
        (
            Req("압축 비율", "Compaction ratio", "≥ 5", ":1"),
            Req(
                "적재량 알림 (수거 경로 최적화 연동)",
                "Fill-level alerts for route planning",
                "지원",
                "",
                True,
                YES,
            ),
            Req(
                "재활용품 자동 선별 정확도",
                "Automatic recyclables sorting accuracy",
                "≥ 90",
                "%",
                False,
            ),
        ),
        (
            ("태양광 압축 쓰레기통", "Solar Compacting Bin"),
            ("AI 재활용 선별 회수기", "AI Recycling Kiosk"),
        ),
        (
            "압축비 {0}:1, 선별 정확도 {1}%의 스마트 회수 장치",
            "Smart collection: {0}:1 compaction, {1}% sorting accuracy",
        ),
        (
            Spec("압축 비율", "Compaction", 3, 8, ":1"),
            Spec("선별 정확도", "Sorting accuracy", 85, 98, "%"),
        ),
        "대",
        (2_800_000, 22_000_000),
        (KC, "GR 우수재활용제품", "조달청 혁신제품 지정"),
        "영상 인식 기반 재활용품 재질 분류 방법",
    ),
    "elderly": Theme(
        ("85311100",),
        (
            Req("낙상 감지 정확도", "Fall detection accuracy", "≥ 95", "%"),
            Req("응급 상황 보호자·119 연계 시간", "Time to alert family and 119", "≤ 30", "초"),
            Req(
                "카메라 없는 감지 (사생활 보호)",
                "Camera-free sensing for privacy",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("AI 돌봄 스피커", "AI Care Speaker"),
            ("비접촉 낙상 감지 레이더", "Contactless Fall Radar"),
        ),
        (
            "낙상 감지 {0}%, {1}초 안에 119와 보호자에게 알리는 돌봄 서비스",
            "Care service: {0}% fall detection, alerts within {1} s",
        ),
        (
            Spec("낙상 감지 정확도", "Fall detection", 90, 99, "%"),
            Spec("알림 시간", "Alert time", 10, 45, "초"),
        ),
        "년",
        (180_000, 1_200_000),
        ("KC 인증", "조달청 혁신제품 지정", "GS인증 1등급"),
        "밀리미터파 레이더 호흡·낙상 동시 감지 방법",
    ),
    "inspection": Theme(
        ("71631450", "35613000"),
        (
            Req("균열 검출 최소 폭", "Smallest crack width detected", "≤ 0.2", "mm"),
            Req("교량 1경간 점검 시간", "Inspection time per span", "≤ 30", "분"),
            Req(
                "점검 결과 시설물통합정보관리시스템(FMS) 연계",
                "Reports into the national facility system",
                "지원",
                "",
                True,
                YES,
            ),
        ),
        (
            ("드론 교량 점검 서비스", "Drone Bridge Inspection Service"),
            ("AI 균열 분석 서비스", "AI Crack Analysis Service"),
        ),
        (
            "폭 {0} mm 균열까지 찾아내고 경간당 {1}분에 점검하는 서비스",
            "Inspection service: finds {0} mm cracks, {1} min per span",
        ),
        (
            Spec("최소 균열 폭", "Smallest crack", 0.1, 0.3, "mm"),
            Spec("경간당 점검 시간", "Time per span", 15, 40, "분"),
        ),
        "식",
        (6_000_000, 90_000_000),
        ("안전진단전문기관 등록", "GS인증 1등급"),
        "드론 영상 기반 콘크리트 균열 폭 산정 방법",
    ),
    "airfilter": Theme(
        ("42514310",),
        (
            Req("청정화 능력 (CADR)", "Clean air delivery rate", "≥ 12", "㎥/min"),
            Req("소음 (최대 풍량)", "Noise at full speed", "≤ 45", "dB"),
            Req("이산화탄소 환기 연동", "CO₂-linked ventilation", "지원", "", True, YES),
        ),
        (
            ("교실용 환기청정기", "Classroom Air Purifier with Ventilation"),
            ("전열교환 환기장치", "Heat-recovery Ventilator"),
        ),
        (
            "청정화 능력 {0} ㎥/min, 소음 {1} dB의 교실용 환기청정기",
            "Classroom unit: CADR {0} m³/min at {1} dB",
        ),
        (
            Spec("청정화 능력", "CADR", 8, 20, "㎥/min"),
            Spec("최대 소음", "Max noise", 38, 52, "dB"),
        ),
        "대",
        (900_000, 6_500_000),
        ("CA 인증(공기청정협회)", KC, "우수조달물품 지정"),
        "CO₂ 농도 기반 환기·청정 복합 제어 방법",
        (8, 9),
    ),
}

# What each supplier makes (index into demo.SUPPLIERS): its products and proposals follow.
SPECIALTIES: list[tuple[str, ...]] = [
    ("drone", "inspection", "rescue"),  # 하늘드론
    ("disinfect", "beach", "pipe"),  # 바른로봇
    ("air", "noise", "weather"),  # 그린센서
    ("solar", "battery", "streetlight"),  # 한빛에너지
    ("fire", "protective", "rescue"),  # 세이프랩
    ("pipe", "water"),  # 스마트워터
    ("cctv", "data", "translate"),  # 누리소프트
    ("traffic", "school", "signal", "firefight"),  # 대한정밀
    ("boat", "rescue"),  # 아라마린
    ("ev", "ebus", "charger"),  # 온누리모빌리티
    ("patient", "defib"),  # 케어메디
    ("wheelchair",),  # 휠투게더
    ("hearing", "pa"),  # 소리누리
    ("streetlight", "signal"),  # 빛고을라이팅
    ("airfilter", "disinfect"),  # 에어하이
    ("edu",),  # 다온에듀테크
    ("gis", "inspection"),  # 지오매핑
    ("cctv", "security"),  # 세이프가드시스템
    ("traffic", "signal", "weather"),  # 트래픽랩
    ("firefight", "fire", "protective"),  # 한결소방
    ("beach", "boat"),  # 블루오션테크
    ("waste",),  # 에코순환
    ("defib", "patient"),  # 메디허브
    ("data", "gis"),  # 두리번AI
    ("battery", "charger"),  # 코리아배터리
    ("water", "pipe"),  # 청정수
    ("protective", "rescue"),  # 안전모아
    ("data", "inspection", "air"),  # 미래연구소
    ("security",),  # 큐브시큐리티
    ("translate", "edu"),  # 한글AI번역
    ("shelter", "solar"),  # 스마트쉘터
    ("weather", "air"),  # 웨더링크
    ("drone", "inspection"),  # 나래항공
    ("cctv", "traffic"),  # 비전아이
    ("charger", "ev"),  # 그린모빌
    ("elderly", "hearing", "wheelchair"),  # 다함복지
    ("pipe",),  # 파이프아이
    ("solar", "shelter"),  # 솔라웨이
    ("ev", "waste"),  # 클린로드
    ("pa", "drone"),  # 케이사운드
]


@dataclass(frozen=True)
class D:
    """One demand: agency (index into demo.AGENCIES), theme, what happens to it, and its text."""

    agency: int
    theme: str
    state: str  # draft, open, awarded, unsuccessful, withdrawn
    kind: str  # purchase, pilot, rnd, dialogue
    title: str
    problem: str
    outcome: str
    budget: int
    quantity: int | None = None
    region: str | None = None
    language: str = "ko"


DEMANDS: list[D] = [
    D(
        0,
        "drone",
        "open",
        "rnd",
        "해안 순찰용 드론 (정지비행·안내방송 기능)",
        "태안해안·다도해해상·한려해상 국립공원의 해안 절벽과 갯바위에서 매년 고립·추락 사고가 "
        "반복되지만 "
        "순찰 인력이 접근할 수 없는 구간이 많다. 시중 드론은 해풍(초속 8~12 m)에서 제자리를 "
        "지키지 못하고, "
        "탐방객에게 대피를 알릴 방송 장치가 없어 현장 안내가 불가능하다.",
        "강한 해풍 속에서도 한 지점에 머물며 탐방객에게 안내방송을 하고, 실시간 영상으로 "
        "상황실과 연결되는 "
        "국산 순찰 드론을 맞춤형 연구개발로 확보한다. 시제품 실증 후 해안 국립공원 사무소에 "
        "배치한다.",
        480_000_000,
        12,
        "44",
    ),
    D(
        0,
        "beach",
        "open",
        "pilot",
        "해안 국립공원 해변 미세플라스틱 수거 장비 시범구매",
        "변산반도·태안해안 국립공원 해변에 쌓이는 스티로폼 알갱이와 미세플라스틱은 인력으로 줍기 "
        "어렵고, "
        "기존 장비는 모래까지 함께 퍼 올려 해변 침식을 키운다.",
        "모래 유실 없이 5 mm 이하 조각까지 걸러 내는 장비를 두 개 공원에서 한 시즌 시범 운용하고 "
        "결과를 공개한다.",
        260_000_000,
        2,
        "52",
    ),
    D(
        0,
        "weather",
        "open",
        "purchase",
        "탐방로 기상 급변 감지·경보 장치",
        "지리산·설악산 고지대 탐방로는 안개와 결빙이 갑자기 발생해 조난 신고가 겨울철에 집중된다. "
        "현재는 대피소 직원이 육안으로 판단해 통제한다.",
        "탐방로 결빙·기상 급변을 1시간 전에 예측해 탐방객 앱과 현장 전광판에 알린다.",
        150_000_000,
        10,
        "51",
    ),
    D(
        0,
        "elderly",
        "draft",
        "dialogue",
        "산간 대피소 응급상황 비접촉 감지",
        "야간 무인 대피소에서 쓰러진 탐방객을 아침까지 발견하지 못한 사례가 있다. 카메라 설치는 "
        "사생활 침해 우려가 크다.",
        "카메라 없이 낙상·무호흡을 감지해 상황실로 알리는 방법을 업체와 경쟁적 대화로 찾는다.",
        90_000_000,
        8,
        "51",
    ),
    D(
        1,
        "cctv",
        "open",
        "purchase",
        "침수 취약 반지하 주택가 AI 영상 감시",
        "2022년 집중호우 때 반지하 주택 침수로 인명 피해가 났다. 골목 수위 상승을 관제센터가 "
        "실시간으로 알아채지 못했다.",
        "기존 방범 CCTV 영상으로 골목 침수 수위와 고립 위험 인원을 자동으로 검지해 구청 "
        "재난상황실에 경보한다.",
        620_000_000,
        400,
        "11",
    ),
    D(
        1,
        "pa",
        "open",
        "purchase",
        "재난 안내방송 고출력 스피커 (정전 대비)",
        "지진·대형 화재 때 아파트 단지와 전통시장에 대피 방송이 들리지 않는다는 민원이 많다. "
        "정전 시에는 방송이 끊긴다.",
        "정전에도 8시간 이상 작동하고 50 m 밖에서도 명확히 들리는 옥외 방송 장치를 자치구에 "
        "보급한다.",
        340_000_000,
        60,
        "11",
    ),
    D(
        1,
        "shelter",
        "awarded",
        "pilot",
        "폭염·한파 대비 스마트 버스쉘터 시범 설치",
        "정류장에서 버스를 기다리는 어르신들이 여름철 온열질환과 겨울철 저체온 위험에 노출된다.",
        "냉난방과 공기정화가 되는 쉘터를 10곳에 시범 설치하고 이용자 만족도와 에너지 사용량을 "
        "측정한다.",
        900_000_000,
        10,
        "11",
    ),
    D(
        1,
        "noise",
        "open",
        "rnd",
        "층간·야간 생활소음 원인 추적 기술",
        "야간 오토바이·확성기 소음 민원이 연간 4만 건을 넘지만 소음원을 특정하지 못해 단속이 "
        "어렵다.",
        "음향 카메라로 소음원과 차량을 특정하고 측정 기록을 단속 근거로 쓸 수 있는 수준까지 "
        "개발한다.",
        400_000_000,
        None,
        "11",
    ),
    D(
        1,
        "translate",
        "open",
        "purchase",
        "Multilingual AI interpretation for district service desks",
        "Foreign residents now make up over 4% of Seoul's population, yet most district service "
        "desks rely on "
        "a phone interpretation line with long waits. Officers cannot explain benefits, permits "
        "or emergency steps reliably.",
        "AI interpretation at 25 district offices covering at least 15 languages, with a "
        "glossary of public-service terms "
        "and no storage of residents' speech after the session.",
        275_000_000,
        25,
        "11",
        "en",
    ),
    D(
        2,
        "weather",
        "open",
        "purchase",
        "고속도로 블랙아이스 사전 경보 시스템",
        "교량·터널 출입구의 블랙아이스로 겨울철 다중 추돌 사고가 반복된다. 현재 노면 온도 센서는 "
        "매설형이라 고장이 잦다.",
        "비접촉 방식으로 노면 결빙을 감지하고 1시간 전에 예측해 도로전광표지(VMS)와 내비게이션에 "
        "알린다.",
        850_000_000,
        40,
        "47",
    ),
    D(
        2,
        "inspection",
        "awarded",
        "purchase",
        "고속도로 교량 드론 정밀점검 용역",
        "고속도로 교량 3,000여 개의 하부 점검에 고소작업차가 필요해 차로 통제와 점검 인력 안전 "
        "문제가 있다.",
        "드론 영상과 AI 분석으로 0.2 mm 균열까지 찾아내고 결과를 시설물통합정보관리시스템에 바로 "
        "등록한다.",
        1_200_000_000,
        None,
        "27",
    ),
    D(
        2,
        "traffic",
        "open",
        "pilot",
        "악천후 대응 레이더 교통량 검지기 시범 운용",
        "루프 검지기는 포장 보수 때마다 끊기고 영상 검지기는 폭우·안개에서 정확도가 떨어진다.",
        "레이더 방식 검지기를 경부선 2개 구간에 6개월 시범 설치하여 악천후 검지율을 검증한다.",
        180_000_000,
        12,
        "43",
    ),
    D(
        2,
        "ev",
        "unsuccessful",
        "purchase",
        "휴게소 노면청소용 전기 청소차",
        "휴게소 주차장 청소차는 경유차라 미세먼지와 소음 민원이 있다.",
        "1회 충전으로 하루 작업이 가능한 전기 노면청소차를 도입한다.",
        760_000_000,
        4,
        "41",
    ),
    D(
        2,
        "charger",
        "open",
        "purchase",
        "Fire-safe fast chargers for motorway service areas",
        "Service areas report a growing number of charger faults and two battery fires in the "
        "past year. "
        "Drivers wait because chargers are out of service, and underground sites need stronger "
        "fire prevention.",
        "Fast chargers of at least 100 kW that stop charging on abnormal battery data from the "
        "vehicle's BMS, "
        "with 99% availability reported monthly.",
        1_440_000_000,
        48,
        "41",
        "en",
    ),
    D(
        3,
        "drone",
        "open",
        "pilot",
        "해수욕장 이안류 감시·구조 드론 시범운영",
        "해운대·송정 해수욕장에서 매년 이안류로 인한 구조 출동이 200건을 넘는다. 망루 "
        "감시만으로는 먼바다 쪽 위험을 놓친다.",
        "드론이 이안류 발생 구역 위에 머물며 방송으로 입수를 통제하고, 필요하면 구명튜브를 "
        "투하한다.",
        220_000_000,
        4,
        "26",
    ),
    D(
        3,
        "rescue",
        "open",
        "purchase",
        "드론 투하형 자동팽창 구명튜브",
        "구조 요원이 도착하기 전 골든타임에 물에 빠진 사람에게 부력을 주는 장비가 필요하다.",
        "드론에서 떨어뜨리면 5초 안에 팽창하고 위치를 알리는 구명튜브를 해수욕장에 비치한다.",
        48_000_000,
        120,
        "26",
    ),
    D(
        3,
        "beach",
        "awarded",
        "purchase",
        "해수욕장 야간 해변 청소 장비",
        "피서철 해변에 밤마다 쌓이는 쓰레기를 새벽 인력으로 치우고 있으나 담배꽁초와 작은 "
        "플라스틱이 남는다.",
        "모래를 유실하지 않고 작은 쓰레기까지 걸러 내는 자주식 장비를 도입한다.",
        310_000_000,
        2,
        "26",
    ),
    D(
        3,
        "waste",
        "open",
        "purchase",
        "관광지 태양광 압축 쓰레기통",
        "달맞이길과 해변 산책로의 쓰레기통이 주말마다 넘쳐 민원이 발생한다.",
        "적재량을 원격으로 알리고 5배 이상 압축하는 쓰레기통으로 수거 횟수를 줄인다.",
        96_000_000,
        30,
        "26",
    ),
    D(
        3,
        "noise",
        "draft",
        "purchase",
        "해변 상가 야간 확성기 소음 측정",
        "해변 상가의 야간 호객 확성기 소음 민원이 늘고 있다.",
        "소음원을 특정해 계도할 수 있는 측정 장비를 도입한다.",
        60_000_000,
        4,
        "26",
    ),
    D(
        4,
        "patient",
        "open",
        "pilot",
        "감염병 격리병상 웨어러블 원격 모니터링",
        "음압격리병상 환자의 활력징후를 확인하려고 간호사가 하루 수십 번 보호구를 입고 들어간다.",
        "착용형 센서로 심전도·산소포화도·체온·호흡을 연속 측정하고 악화 징후를 간호사실에 알린다.",
        350_000_000,
        80,
        "11",
    ),
    D(
        4,
        "disinfect",
        "awarded",
        "purchase",
        "응급실·격리구역 UV-C 자율 소독로봇",
        "응급실 소독을 인력으로 하면서 환자 대기 시간이 늘고 소독 품질이 일정하지 않다.",
        "사람이 없을 때 스스로 이동하며 10분 안에 99.9% 살균하는 로봇을 도입한다.",
        190_000_000,
        3,
        "11",
    ),
    D(
        4,
        "hearing",
        "open",
        "purchase",
        "외래 접수창구 청취보조 시스템",
        "난청 어르신이 접수 창구와 진료실에서 안내를 알아듣지 못해 되묻는 일이 많다.",
        "창구와 진료실 안내를 보청기·개인 수신기로 바로 전달하는 청취보조 시스템을 설치한다.",
        70_000_000,
        20,
        "11",
    ),
    D(
        4,
        "data",
        "draft",
        "rnd",
        "응급의료 수요 예측 데이터 분석",
        "권역 응급의료센터의 혼잡을 예측하지 못해 구급차 재이송이 발생한다.",
        "119 출동·병상 데이터를 결합해 6시간 앞 응급실 혼잡도를 예측하는 모델을 개발한다.",
        250_000_000,
        None,
        "11",
    ),
    D(
        4,
        "defib",
        "open",
        "purchase",
        "Connected automated external defibrillators for public buildings",
        "Inspections found that one in six AEDs in public buildings had an expired battery or "
        "pads. "
        "Checks are manual and monthly, and nobody knows when a device is opened.",
        "AEDs that report their own battery and pad status, guide bystanders by voice and video, "
        "and alert the nearest 119 centre when the cabinet is opened.",
        210_000_000,
        120,
        "11",
        "en",
    ),
    D(
        5,
        "pipe",
        "open",
        "rnd",
        "대구경 상수관로 무단수 누수탐지 로봇",
        "광역상수도 관로는 단수하면 수십만 명이 영향을 받아 내부 점검을 거의 하지 못한다. 누수 "
        "위치를 찾으려 굴착을 반복한다.",
        "물을 끊지 않고 관 안을 이동하며 1 m 이내로 누수 위치를 찾는 로봇을 공동 개발한다.",
        900_000_000,
        2,
        "30",
    ),
    D(
        5,
        "water",
        "open",
        "purchase",
        "재난용 이동형 비상 정수장치",
        "가뭄·지진으로 급수가 끊기면 병물 공급에만 의존한다.",
        "트럭으로 옮겨 30분 안에 설치하고 시간당 2 ㎥ 이상을 먹는물 기준으로 정수하는 장치를 "
        "배치한다.",
        420_000_000,
        6,
        "30",
    ),
    D(
        5,
        "solar",
        "awarded",
        "purchase",
        "댐 수면 수상태양광 모듈",
        "댐 수면을 활용한 재생에너지 확대 계획에 맞춰 고효율·내염 모듈이 필요하다.",
        "효율 22% 이상, 25년 출력 85%를 보증하는 수상 태양광 모듈을 구매한다.",
        2_400_000_000,
        None,
        "43",
    ),
    D(
        5,
        "data",
        "open",
        "dialogue",
        "스마트 물관리 IoT 데이터 통합 플랫폼",
        "정수장·관로·계량기 데이터가 서로 다른 시스템에 흩어져 이상 상황을 늦게 안다.",
        "10종 이상의 센서 데이터를 한곳에 모으고 이상을 자동 탐지하는 방법을 경쟁적 대화로 정한다.",
        780_000_000,
        None,
        "30",
    ),
    D(
        5,
        "pipe",
        "withdrawn",
        "purchase",
        "공동주택 스마트 수도미터 원격검침",
        "검침원이 방문하는 방식은 오검침과 누수 발견 지연이 잦다.",
        "원격검침 수도미터로 누수를 자동으로 알린다.",
        320_000_000,
        3000,
        "30",
    ),
    D(
        6,
        "airfilter",
        "open",
        "purchase",
        "교실 환기청정기 (이산화탄소 연동)",
        "미세먼지가 심한 날 창문을 닫으면 교실 이산화탄소 농도가 2,000 ppm을 넘어 학생들이 "
        "집중하지 못한다.",
        "이산화탄소 농도에 따라 환기와 공기청정을 자동 전환하는 조용한 장치를 교실에 설치한다.",
        1_800_000_000,
        900,
        "41",
    ),
    D(
        6,
        "school",
        "awarded",
        "purchase",
        "높이조절 학생 책상·의자",
        "한 교실 안에서도 학생 키 차이가 30 cm 이상 나지만 책상 높이는 같다.",
        "학생 스스로 높이를 바꾸고 모둠 수업 때 쉽게 옮길 수 있는 책상을 보급한다.",
        1_100_000_000,
        2500,
        "41",
    ),
    D(
        6,
        "edu",
        "open",
        "pilot",
        "기초학력 진단 AI 맞춤학습 시범 도입",
        "코로나19 이후 초등 3~6학년 기초학력 미달 학생이 늘었으나 교사 혼자 개별 지도를 하기 "
        "어렵다.",
        "학생별 약점을 진단하고 맞춤 문항을 주는 AI 학습 도구를 30개 학교에서 한 학기 시범 "
        "운용한다.",
        480_000_000,
        30,
        "41",
    ),
    D(
        6,
        "translate",
        "open",
        "purchase",
        "다문화 학부모 상담 통역 서비스",
        "다문화 학생 학부모 상담 때 통역 인력이 부족해 상담이 미뤄진다.",
        "학교에서 바로 쓸 수 있는 15개 언어 이상의 AI 통역을 도입한다.",
        130_000_000,
        None,
        "41",
    ),
    D(
        6,
        "security",
        "draft",
        "purchase",
        "교육청 업무망 랜섬웨어 차단",
        "학교 행정실 PC가 랜섬웨어에 감염되어 학적 자료 복구에 1주일이 걸린 사고가 있었다.",
        "랜섬웨어 변종을 탐지하고 10초 안에 격리하는 솔루션을 도입한다.",
        560_000_000,
        4000,
        "41",
    ),
    D(
        7,
        "boat",
        "open",
        "rnd",
        "연안 불법조업 감시 무인 감시정",
        "제주 연안 마을어장의 야간 불법조업을 어촌계 자율 순찰로는 막기 어렵다.",
        "8시간 이상 자율 운항하며 야간 열영상으로 어선을 식별하는 무인 감시정을 개발·실증한다.",
        1_500_000_000,
        2,
        "50",
    ),
    D(
        7,
        "ebus",
        "open",
        "purchase",
        "저상 전기버스 (동절기 성능 보증)",
        "중산간 노선은 겨울철 기온이 낮아 기존 전기버스의 주행거리가 크게 줄어 운행 중 충전이 "
        "필요하다.",
        "영하 10 ℃에서도 주행거리 감소율 25% 이하인 저상 전기버스를 도입한다.",
        5_600_000_000,
        10,
        "50",
    ),
    D(
        7,
        "charger",
        "unsuccessful",
        "purchase",
        "관광지 주차장 화재예방형 충전기",
        "렌터카 전기차 충전 수요가 많지만 충전기 고장과 화재 우려가 크다.",
        "배터리 상태에 따라 충전을 제어하는 충전기를 설치한다.",
        640_000_000,
        40,
        "50",
    ),
    D(
        7,
        "waste",
        "open",
        "pilot",
        "Recycling kiosks with automatic sorting at tourist sites",
        "Jeju receives over 13 million visitors a year and its landfill is close to capacity. "
        "Mixed waste at beaches and trailheads defeats sorting at the plant.",
        "A one-season pilot of kiosks that sort cans, PET bottles and plastics automatically at "
        "20 tourist sites, "
        "with fill-level data feeding the collection routes.",
        360_000_000,
        20,
        "50",
        "en",
    ),
    D(
        7,
        "solar",
        "open",
        "purchase",
        "공영주차장 건물일체형 태양광(BIPV) 캐노피",
        "공영주차장의 여름철 차량 내부 온도 상승과 전력 자립 요구가 함께 있다.",
        "주차장 캐노피에 건물일체형 태양광을 설치해 그늘과 전력을 함께 얻는다.",
        720_000_000,
        None,
        "50",
    ),
    D(
        8,
        "firefight",
        "open",
        "rnd",
        "지하주차장 전기차 화재 대응 무인 소방로봇",
        "지하주차장 전기차 화재는 열폭주로 수 시간 지속되며 대원이 가까이 접근하기 어렵다.",
        "800 ℃ 환경에서 10분 이상 버티며 차량 하부를 냉각하는 원격 소방로봇을 개발해 실증한다.",
        1_300_000_000,
        3,
        "36",
    ),
    D(
        8,
        "protective",
        "open",
        "purchase",
        "폭염 현장 대원용 냉각 조끼",
        "여름철 화재·구조 현장에서 대원 온열질환이 매년 발생한다.",
        "방화복 안에 입어도 2시간 이상 냉각되고 가벼운 조끼를 보급한다.",
        540_000_000,
        2000,
        "36",
    ),
    D(
        8,
        "fire",
        "awarded",
        "purchase",
        "전통시장 무선 복합 화재감지기",
        "전통시장 점포는 밤에 비어 있고 배선이 노후해 작은 화재가 큰 피해로 번진다.",
        "훈소 화재를 1분 안에 감지하고 상인 휴대전화와 119에 알리는 무선 감지기를 설치한다.",
        880_000_000,
        6000,
        None,
    ),
    D(
        8,
        "drone",
        "open",
        "dialogue",
        "산불 현장 지휘용 열화상·방송 드론",
        "대형 산불 때 연기로 시야가 막혀 주민 대피 안내와 진화선 파악이 늦어진다.",
        "열화상 영상과 안내방송으로 대피를 돕는 드론의 사양을 업체와 대화로 확정한다.",
        700_000_000,
        17,
        None,
    ),
    D(
        8,
        "rescue",
        "draft",
        "purchase",
        "수난구조용 경량 구조 키트",
        "하천 수난사고 때 구조대 도착 전 초기 대응 장비가 부족하다.",
        "구명튜브·던짐 로프를 하나로 묶은 경량 키트를 보급한다.",
        160_000_000,
        800,
        None,
    ),
    D(
        9,
        "air",
        "open",
        "purchase",
        "산업단지 악취·유해가스 상시 측정망",
        "산업단지 주변 악취 민원이 야간에 집중되지만 측정 차량이 도착하면 이미 사라져 원인을 "
        "밝히지 못한다.",
        "H₂S·NH₃ 등을 1분 주기로 측정하는 간이측정기를 촘촘히 설치하고 역추적 분석을 제공한다.",
        690_000_000,
        120,
        "28",
    ),
    D(
        9,
        "data",
        "open",
        "rnd",
        "대기오염 배출원 역추적 분석",
        "측정소 데이터만으로는 고농도 미세먼지의 원인 사업장을 찾기 어렵다.",
        "기상·측정망 데이터를 결합해 배출원을 역추적하는 분석 모델을 개발한다.",
        450_000_000,
        None,
        "28",
    ),
    D(
        9,
        "waste",
        "awarded",
        "pilot",
        "AI 재활용품 선별 회수기 시범 설치",
        "공동주택 분리배출 품질이 낮아 재활용률이 떨어진다.",
        "재질을 자동 선별하는 회수기를 20곳에 설치해 선별 정확도와 회수량을 측정한다.",
        300_000_000,
        20,
        "28",
    ),
    D(
        9,
        "noise",
        "open",
        "purchase",
        "공사장 소음 상시 측정·공개 장비",
        "대형 공사장 소음 민원이 많지만 측정 결과를 주민이 확인할 방법이 없다.",
        "공사장 경계에 Class 1 소음계를 설치하고 측정값을 실시간 공개한다.",
        230_000_000,
        50,
        "28",
    ),
    D(
        9,
        "solar",
        "draft",
        "rnd",
        "매립지 사면 경량 태양광 실증",
        "폐기물 매립지 사면은 지반 침하로 일반 구조물을 설치할 수 없다.",
        "경량 모듈과 부유식 기초를 실증한다.",
        380_000_000,
        None,
        "28",
    ),
    D(
        10,
        "boat",
        "open",
        "pilot",
        "해상 사고 초동 수색용 수상 드론 시범운용",
        "야간 해상 추락 사고 때 함정이 도착하기 전 초동 수색에 공백이 생긴다.",
        "연안 구조대에 수상 드론을 배치해 야간 열영상 수색 성능을 6개월간 검증한다.",
        520_000_000,
        4,
        "28",
    ),
    D(
        10,
        "drone",
        "open",
        "purchase",
        "연안 순찰 고정익 드론",
        "섬 지역 연안 순찰은 함정 운항비가 크고 기상 악화 때 중단된다.",
        "장시간 비행하며 영상을 전송하고 방송으로 계도하는 드론을 도입한다.",
        640_000_000,
        8,
        "46",
    ),
    D(
        10,
        "rescue",
        "awarded",
        "purchase",
        "해상 구조 위치발신 구명조끼",
        "야간 해상 추락자의 위치를 찾지 못해 수색이 길어진다.",
        "AIS 위치 발신기가 달린 자동팽창 구명조끼를 함정 승조원에게 보급한다.",
        410_000_000,
        1500,
        "28",
    ),
    D(
        10,
        "cctv",
        "open",
        "dialogue",
        "항포구 선박 출입 AI 영상 관제",
        "소형 어선 출입항 신고 누락이 많아 사고 선박 파악이 늦어진다.",
        "항포구 CCTV로 선박을 식별해 출입 기록을 자동 작성하는 방법을 업체와 함께 정한다.",
        480_000_000,
        60,
        "46",
    ),
    D(
        11,
        "signal",
        "open",
        "purchase",
        "어린이보호구역 스마트 횡단보도",
        "어린이보호구역 횡단보도 사고가 매년 발생하고, 보행 신호 시간이 짧아 어르신이 건너지 "
        "못하는 곳이 있다.",
        "보행자를 검지해 신호를 자동 연장하고 바닥 신호등과 음성으로 알리는 횡단보도를 설치한다.",
        600_000_000,
        40,
        "27",
    ),
    D(
        11,
        "traffic",
        "open",
        "purchase",
        "Radar traffic counters for adaptive signal control",
        "Daegu plans adaptive signal control on 12 arterial roads, but existing loop detectors "
        "fail after every "
        "resurfacing and video detectors lose accuracy in rain and fog.",
        "Radar counters that classify vehicles into 12 classes at 95% accuracy and keep 90% "
        "detection "
        "in heavy rain, feeding the city's signal controller.",
        430_000_000,
        60,
        "27",
        "en",
    ),
    D(
        11,
        "streetlight",
        "open",
        "purchase",
        "보행자 감지 스마트 LED 가로등",
        "골목길 가로등이 밤새 최대 밝기로 켜져 전력 낭비와 빛공해 민원이 함께 있다.",
        "보행자가 있을 때만 밝아지고 고장을 원격으로 알리는 가로등으로 교체한다.",
        950_000_000,
        1200,
        "27",
    ),
    D(
        11,
        "ebus",
        "awarded",
        "purchase",
        "시내버스 저상 전기버스 교체",
        "노후 CNG 버스 교체 시기가 도래했다.",
        "교통약자가 이용하기 쉬운 저상 전기버스로 교체한다.",
        8_400_000_000,
        15,
        "27",
    ),
    D(
        11,
        "wheelchair",
        "open",
        "pilot",
        "교통약자 전동 휠체어 대여 시범사업",
        "지하철역과 버스정류장 사이 턱과 경사로 때문에 수동 휠체어 이용자의 이동이 제한된다.",
        "등판 성능이 좋은 전동 휠체어를 대여해 6개월간 이동 편의와 안전을 검증한다.",
        150_000_000,
        20,
        "27",
    ),
    D(
        1,
        "elderly",
        "open",
        "purchase",
        "홀몸 어르신 비접촉 낙상 감지 돌봄",
        "홀몸 어르신 고독사와 낙상 후 방치 사고가 늘고 있으나 카메라 설치는 거부감이 크다.",
        "레이더로 낙상·호흡 이상을 감지해 30초 안에 보호자와 119에 알리는 돌봄 서비스를 제공한다.",
        520_000_000,
        1000,
        "11",
    ),
    D(
        5,
        "gis",
        "open",
        "dialogue",
        "댐 유역 디지털트윈 지도",
        "홍수기 댐 방류 결정에 필요한 하류 침수 범위를 빠르게 계산하기 어렵다.",
        "드론 측량으로 10 cm 정확도의 3D 지도를 만들고 침수 모의와 연결하는 방법을 정한다.",
        1_050_000_000,
        None,
        "30",
    ),
    D(
        2,
        "battery",
        "open",
        "rnd",
        "터널 비상전원용 화재 확산 차단 배터리",
        "장대 터널 비상전원 배터리실 화재가 터널 전체 정전으로 번질 위험이 있다.",
        "셀 간 열폭주 전이를 막는 배터리 팩을 개발해 터널 두 곳에서 실증한다.",
        680_000_000,
        6,
        "43",
    ),
    D(
        3,
        "pa",
        "awarded",
        "purchase",
        "해수욕장 구역별 안내방송 시스템",
        "넓은 해변 전체에 같은 방송이 나가 필요한 구역에 정확한 안내가 되지 않는다.",
        "구역별로 방송을 나눠 내보내고 원격으로 제어하는 시스템을 설치한다.",
        180_000_000,
        24,
        "26",
    ),
    D(
        4,
        "patient",
        "withdrawn",
        "purchase",
        "병동 낙상 고위험 환자 감시 시스템",
        "야간 병동 낙상 사고가 반복된다.",
        "침상 이탈을 감지해 간호사실에 알린다.",
        200_000_000,
        100,
        "11",
    ),
    D(
        9,
        "data",
        "open",
        "rnd",
        "Open data platform for coastal water-quality sensors",
        "Buoys, outfall monitors and citizen sensors along the west coast report in a dozen "
        "formats. "
        "Algal blooms and illegal discharges are found days late, after fishers complain.",
        "A platform that ingests at least ten sensor types, flags anomalies with an F1 score of "
        "0.85 "
        "or better, and publishes cleaned data through an open API for researchers and fishers.",
        520_000_000,
        None,
        "44",
        "en",
    ),
]


# Citizen ideas: title, problem, suggestion, region, fate. The fate is "submitted", "approved",
# ("rejected", note to the author) or ("adopted", index of the adopting agency).
IDEAS: list[tuple[str, str, str, str | None, object]] = [
    (
        "해수욕장 이안류를 알려 주는 색깔 부표",
        "해수욕장에서 이안류가 생겨도 피서객은 눈으로 알아보기 어렵습니다. 안내 방송은 파도 "
        "소리에 묻힙니다.",
        "이안류 구간에서 색이 바뀌는 부표나 깃발을 자동으로 올리는 장치를 두면 좋겠습니다.",
        "26",
        ("adopted", 3),
    ),
    (
        "버스정류장 온열의자 전력 절감",
        "겨울철 정류장 온열의자가 사람이 없어도 종일 켜져 있습니다.",
        "앉았을 때만 데워지는 감지형 온열의자로 바꾸면 전기를 아낄 수 있습니다.",
        "11",
        "approved",
    ),
    (
        "등산로 결빙 구간 알림",
        "겨울 산행 중 그늘진 구간의 얼음 때문에 넘어지는 사람이 많습니다.",
        "결빙 구간 입구에 경고등이나 앱 알림을 주면 아이젠을 미리 착용할 수 있습니다.",
        "51",
        ("adopted", 0),
    ),
    (
        "횡단보도 보행 시간 연장 버튼",
        "어르신 걸음으로는 녹색 신호 안에 건너기 어려운 큰 길이 있습니다.",
        "교통약자 카드를 대면 보행 시간이 늘어나는 버튼을 설치해 주세요.",
        "27",
        ("adopted", 11),
    ),
    (
        "학교 앞 불법 주정차 자동 알림",
        "등하교 시간 학교 앞 불법 주정차 때문에 아이들이 차 사이로 뛰어나옵니다.",
        "AI 카메라가 주정차를 감지하면 운전자에게 바로 이동 안내 문자를 보내면 좋겠습니다.",
        "41",
        "approved",
    ),
    (
        "공공화장실 비상벨 위치 안내",
        "공공화장실에서 비상벨 위치를 찾기 어렵다는 이야기를 자주 듣습니다.",
        "야광 표시와 음성 안내를 함께 달아 주세요.",
        "11",
        "submitted",
    ),
    (
        "하천 산책로 수위 경보",
        "집중호우 때 하천 산책로에 갑자기 물이 차서 고립되는 사고가 있었습니다.",
        "수위가 오르면 산책로 입구 차단기와 경광등이 자동으로 작동하게 해 주세요.",
        "11",
        ("adopted", 1),
    ),
    (
        "공원 음수대 수질 표시",
        "공원 음수대 물을 마셔도 되는지 알 수 없어 이용하지 않게 됩니다.",
        "수질 검사 결과를 음수대 화면에 실시간으로 보여 주면 좋겠습니다.",
        "30",
        "approved",
    ),
    (
        "우리 동네 길고양이 급식소 설치",
        "동네에 길고양이가 많아 급식소를 만들어 주면 좋겠습니다.",
        "구청에서 급식소를 설치해 주세요.",
        "41",
        (
            "rejected",
            "조달로 해결할 기술 과제라기보다 지역 동물복지 정책 사항이라 구청 민원 창구로 "
            "안내드립니다.",
        ),
    ),
    (
        "지하철역 엘리베이터 고장 실시간 안내",
        "휠체어를 타고 역에 도착해서야 엘리베이터 고장을 알게 됩니다.",
        "고장 정보를 지도 앱과 역 입구 안내판에 바로 띄워 주세요.",
        "11",
        ("adopted", 11),
    ),
    (
        "해변 담배꽁초 수거 장비",
        "모래 속에 묻힌 담배꽁초는 사람이 줍기 어렵습니다.",
        "모래를 체로 걸러 꽁초만 모으는 작은 장비를 해변에 두면 좋겠습니다.",
        "50",
        "approved",
    ),
    (
        "아파트 층간소음 측정기 대여",
        "층간소음 분쟁 때 객관적인 자료가 없어 감정싸움이 됩니다.",
        "공인 측정기를 주민센터에서 빌려 주면 좋겠습니다.",
        "41",
        (
            "rejected",
            "같은 내용의 제안이 이미 검토 중입니다(층간·야간 생활소음 원인 추적 기술). 그 수요에 "
            "의견을 남겨 주세요.",
        ),
    ),
    (
        "응급실 대기 현황 공개",
        "아이가 아플 때 어느 응급실이 덜 붐비는지 알 수 없습니다.",
        "응급실 혼잡도를 실시간으로 공개하고 예상 대기 시간을 알려 주세요.",
        "11",
        "approved",
    ),
    (
        "소방차 전용 신호 우선 제어",
        "출동하는 소방차가 교차로에서 멈추는 모습을 자주 봅니다.",
        "소방차가 다가오면 신호가 자동으로 바뀌는 장치를 확대해 주세요.",
        "27",
        "submitted",
    ),
    (
        "어린이 통학버스 하차 확인 장치",
        "통학버스에 아이가 남겨지는 사고가 반복됩니다.",
        "차 안에 남은 아이를 감지해 운전자와 보호자에게 알리는 센서를 의무화해 주세요.",
        "41",
        ("adopted", 6),
    ),
    (
        "폐의약품 수거함 확대",
        "먹다 남은 약을 어디에 버려야 할지 모르겠습니다.",
        "약국과 주민센터에 수거함을 늘려 주세요.",
        "28",
        (
            "rejected",
            "제도·운영 개선 사항으로 환경부 정책 제안 창구가 더 적합합니다. 기술 과제가 있으면 "
            "다시 제안해 주세요.",
        ),
    ),
    (
        "섬 지역 드론 택배로 약 배송",
        "여객선이 하루 한 번뿐인 섬에서는 약을 받는 데 며칠이 걸립니다.",
        "보건소 처방약을 드론으로 배송하는 시범사업을 해 주세요.",
        "46",
        "approved",
    ),
    (
        "공공 와이파이 보안 강화",
        "공공 와이파이에서 개인정보가 유출될까 걱정됩니다.",
        "접속할 때 암호화를 기본으로 적용해 주세요.",
        None,
        "submitted",
    ),
    (
        "해안 절벽 추락 위험 알림",
        "해안 산책로 절벽 끝까지 가서 사진을 찍는 사람이 많아 위험해 보입니다.",
        "위험 구역에 들어가면 스피커로 경고해 주는 장치가 있으면 좋겠습니다.",
        "44",
        "approved",
    ),
    (
        "무인 대여 우산",
        "갑자기 비가 오면 우산을 살 곳이 없습니다.",
        "지하철역에 무인 우산 대여함을 설치해 주세요.",
        "11",
        ("rejected", "이미 여러 지자체가 운영하는 서비스라 새로운 기술 수요로 보기 어렵습니다."),
    ),
    (
        "노인정 실내 공기질 관리",
        "겨울철 노인정이 환기를 하지 않아 공기가 탁합니다.",
        "이산화탄소 농도를 보고 자동으로 환기하는 장치를 지원해 주세요.",
        "47",
        "submitted",
    ),
    (
        "전통시장 화재 초기 진압",
        "전통시장 화재 뉴스를 볼 때마다 초기에 끌 수 있는 장치가 있었으면 합니다.",
        "점포마다 자동 소화 장치를 달고 화재를 바로 알리도록 해 주세요.",
        "26",
        "approved",
    ),
    (
        "바닷가 미세플라스틱 수거 봉사 장비",
        "봉사활동으로 해변 정화를 하지만 작은 플라스틱은 손으로 줍기 어렵습니다.",
        "봉사자가 쓸 수 있는 휴대용 체 장비를 빌려 주면 좋겠습니다.",
        "50",
        "submitted",
    ),
    (
        "공공기관 민원실 수어 통역",
        "청각장애인은 민원실에서 의사소통이 어렵습니다.",
        "화상 수어 통역이나 AI 수어 안내를 도입해 주세요.",
        None,
        "approved",
    ),
    (
        "도로 포트홀 자동 신고",
        "비가 온 뒤 포트홀 때문에 타이어가 터지는 일이 많습니다.",
        "버스나 청소차에 카메라를 달아 포트홀을 자동으로 찾아 신고하게 해 주세요.",
        "27",
        "submitted",
    ),
    (
        "Smart signage for foreign hikers",
        "Trail signs in national parks are mostly in Korean, and foreign visitors miss closures "
        "and weather warnings.",
        "QR codes on trail signs that open live warnings in several languages.",
        "51",
        "approved",
    ),
    (
        "Loudspeaker warnings at flooded underpasses",
        "Drivers enter flooded underpasses at night because the warning signs are hard to see in "
        "heavy rain.",
        "Automatic barriers with loud voice warnings when water rises above a set level.",
        "11",
        "submitted",
    ),
    (
        "가로등에 비상벨 달기",
        "밤길 골목에서 위급할 때 도움을 청할 곳이 없습니다.",
        "가로등에 비상벨과 CCTV 연동 기능을 넣어 주세요.",
        "29",
        "approved",
    ),
    (
        "학교 급식실 조리원 화상 예방",
        "급식실 대형 솥 작업 중 화상 사고가 많다고 들었습니다.",
        "조리 로봇이나 자동 교반기를 도입해 주세요.",
        "41",
        (
            "rejected",
            "제안 내용이 구체적이지 않아 공개하지 않았습니다. 어떤 작업이 위험한지 사례를 더해 "
            "다시 제안해 주세요.",
        ),
    ),
    (
        "관광지 쓰레기 넘침 알림",
        "주말 관광지 쓰레기통이 넘쳐 주변이 지저분해집니다.",
        "쓰레기통이 차면 자동으로 수거 요청이 가게 해 주세요.",
        "50",
        "submitted",
    ),
]

QUESTIONS: list[tuple[str, str | None]] = [
    (
        "시험성적서는 KOLAS 공인시험기관 발급분만 인정되나요, 자체 시험 결과도 제출할 수 있나요?",
        "성능 요구사항의 판단은 KOLAS 공인시험기관 성적서를 원칙으로 하되, 공인 시험 항목이 없는 "
        "경우 "
        "시험 방법을 밝힌 자체 시험 결과와 현장 시연으로 대신할 수 있습니다.",
    ),
    (
        "예산에 설치비와 1년 무상 유지보수 비용이 포함되어 있나요?",
        "네, 예산은 설치·시운전과 1년 무상 유지보수를 포함한 금액입니다. 2년 차부터는 별도 "
        "계약합니다.",
    ),
    (
        "현장 사전 답사가 가능한지, 가능하다면 일정은 어떻게 되나요?",
        "다음 달 첫째 주 화요일 오전 10시에 현장 설명회를 겸한 답사를 진행합니다. 참석 희망 "
        "업체는 담당자 이메일로 신청해 주세요.",
    ),
    (
        "필수 요구사항 중 한 항목을 '부분 충족'으로 제안해도 평가 대상이 되나요?",
        "평가 대상입니다. 다만 필수 항목을 충족하지 못하면 감점되며, 보완 계획과 일정을 "
        "구체적으로 적어 주시기 바랍니다.",
    ),
    (
        "컨소시엄(공동수급) 형태로 제안할 수 있나요?",
        "가능합니다. 대표사를 정하고 구성사별 역할과 지분을 제안서에 밝혀 주세요.",
    ),
    ("납품 기한을 계약 후 120일로 조정할 수 있을까요? 부품 수급에 시간이 걸립니다.", None),
    (
        "시범 운용 기간 중 발생한 장비 파손은 누가 부담하나요?",
        "통상적인 사용 중 발생한 고장은 공급사가 무상으로 조치하고, 기관의 과실로 인한 파손은 "
        "협의하여 처리합니다.",
    ),
    (
        "데이터는 기관 내부 서버에 저장해야 하나요, 공공 클라우드(CSAP 인증)도 가능한가요?",
        "CSAP 인증을 받은 공공 클라우드도 가능합니다. 개인정보가 포함된 원본은 국내 리전에만 "
        "저장해야 합니다.",
    ),
    (
        "혁신제품으로 지정된 제품이면 수의계약이 가능한가요?",
        "조달청 혁신제품으로 지정된 제품은 지정 유효기간 안에서 수의계약이 가능합니다. 지정서를 "
        "첨부해 주세요.",
    ),
    ("요구 수량을 나누어 단계적으로 납품하는 안도 검토하시나요?", None),
]

DECLINE_REASONS = [
    "필수 요구사항인 '{req}'을(를) 충족하지 못해 이번에는 채택하지 않습니다. 성능 개선 후 다시 "
    "제안해 주시기 바랍니다.",
    "제안 가격이 예산을 크게 넘어 검토가 어렵습니다. 단계별 도입이나 임차 방식 제안은 환영합니다.",
    "납품 기간이 사업 일정(우기 이전 설치)에 맞지 않습니다.",
    "현장 시연에서 '{req}' 성능이 제안서 수치와 달랐습니다. 공인 시험 결과를 갖추어 다음 공고에 "
    "참여해 주세요.",
    "다른 제안이 요구사항 전반을 더 잘 충족하여 선정되었습니다. 참여해 주셔서 감사합니다.",
]
DECLINE_REASONS_EN = [
    "The mandatory requirement '{req}' is not met. We would welcome a new proposal once "
    "performance improves.",
    "The price offered is well above the budget. A phased or rental offer would be considered.",
    "Another proposal met the requirements more fully and was selected. Thank you for taking part.",
]
SHORTLIST_NOTES = [
    "요구사항 대부분을 충족하여 현장 시연 대상으로 선정했습니다. 시연 일정은 별도로 안내합니다.",
    "성능이 우수하여 기술 협상 대상에 포함했습니다.",
    "",
]
ACCEPT_NOTES = [
    "필수 요구사항을 모두 충족하고 가격이 적정하여 계약 대상자로 선정합니다.",
    "현장 실증 결과가 우수하여 채택합니다. 계약 절차를 안내드리겠습니다.",
]
SHORTLIST_NOTES_EN = [
    "Most requirements are met; you are invited to a field demonstration. We will send the date.",
    "",
]
ACCEPT_NOTES_EN = [
    "All mandatory requirements are met at a fair price; we will start the contract."
]
EVIDENCE = {
    Compliance.EXCEEDS: [
        "KOLAS 공인시험기관 시험성적서 (KTL-2025-{n:04d}) 첨부",
        "한국기계전기전자시험연구원 시험성적서 (KTC-25-{n:04d})",
        "조달청 혁신제품 지정 시 검증된 성능 (지정번호 혁신-2025-{n:04d})",
        "2025년 현장 실증 보고서 (실증기관 발급)",
    ],
    Compliance.MEETS: [
        "공인시험기관 시험성적서 첨부",
        "자체 시험 결과 (시험 방법 및 원자료 첨부)",
        "납품 실적 기관의 사용 확인서",
    ],
    Compliance.PARTLY: [
        "현재 버전은 일부 조건에서만 충족하며, 계약 후 60일 안에 개선 버전을 공급합니다.",
        "시험 조건이 요구 조건과 달라 추가 시험이 필요합니다 (시험 일정 첨부).",
    ],
    Compliance.NO: [
        "현 제품으로는 충족하지 못하며 차기 모델(2027년 상반기)에서 반영 예정입니다.",
        "해당 기능은 제공하지 않으며 대체 운영 방안을 제안서 본문에 적었습니다.",
    ],
}
EVIDENCE_EN = {
    Compliance.EXCEEDS: [
        "Accredited laboratory test report attached (KTL-2025-{n:04d})",
        "Field trial report, 2025",
    ],
    Compliance.MEETS: ["Test report attached", "Customer reference letter"],
    Compliance.PARTLY: [
        "Met under some conditions; an improved version follows within 60 days of contract"
    ],
    Compliance.NO: ["Not met by the current model; planned for the next release"],
}
UNIT_EN = {
    "분": "min",
    "시간": "h",
    "초": "s",
    "개": "",
    "종": "types",
    "명": "users",
    "회": "cycles",
    "차로": "lanes",
    "채널": "channels",
    "문항": "items",
    "항목": "parameters",
    "년": "years",
}
TEXT_EN = {"지원": "Supported", "보유": "Held", "적합": "Compliant"}
INTEGER_UNITS = {"(Sea State)", "종", "차로", "개", "회", "명", "채널", "문항", "항목"}
YES_EN = ("Supported, with extras", "Supported", "Partly supported", "Not supported")

CERT_ISSUERS: dict[str, tuple[str, str]] = {
    "KC 인증": ("국립전파연구원", "R-R-{code}-{model}"),
    "KC 안전인증": ("한국산업기술시험원", "YU{n:05d}-{m:05d}"),
    "KC 62619 안전인증": ("한국산업기술시험원", "HU{n:05d}-{m:05d}"),
    "KC 위생안전인증": ("한국상하수도협회", "제{y}-{n:03d}호"),
    "조달청 혁신제품 지정": ("조달청", "혁신-{y}-{n:04d}"),
    "우수조달물품 지정": ("조달청", "제{y}-{n:03d}호"),
    "GS인증 1등급": ("한국정보통신기술협회(TTA)", "{yy}-{n:04d}"),
    "성능인증(EPC)": ("중소벤처기업부", "제{y}-{n:03d}호"),
    "NEP 신제품 인증": ("산업통상자원부", "NEP-IT-{y}-{n:03d}"),
    "의료기기 품목허가": ("식품의약품안전처", "제허 {yy}-{n:03d} 호"),
    "혁신의료기기 지정": ("식품의약품안전처", "혁신 제{n:02d}호"),
    "GMP 적합인정": ("식품의약품안전처", "GMP-{yy}-{n:04d}"),
    "항공안전기술원 안전성인증": ("항공안전기술원", "KIAST-{y}-{n:04d}"),
    "KFI 형식승인": ("한국소방산업기술원", "감{yy}-{n:04d}"),
    "KFI 인정": ("한국소방산업기술원", "KFI-{yy}-{n:04d}"),
    "환경신기술 인증": ("환경부", "제{n:03d}호"),
    "환경표지 인증": ("한국환경산업기술원", "제{m:05d}호"),
    "녹색기술 인증": ("한국산업기술진흥원", "GT-{yy}-{n:05d}"),
    "KS 인증": ("한국표준협회", "제{m:05d}호"),
    "에너지공단 신재생에너지 설비인증": ("한국에너지공단", "PV-{y}-{n:04d}"),
    "고효율에너지기자재 인증": ("한국에너지공단", "제{y}-{n:04d}호"),
    "환경부 간이측정기 성능인증 1등급": ("국립환경과학원", "PM-{y}-{n:03d}"),
    "TTA 지능형 CCTV 성능인증": ("한국인터넷진흥원(KISA)", "KISA-CCTV-{y}-{n:03d}"),
    "CC 인증": ("IT보안인증사무국", "ISIS-{m:04d}"),
    "보안기능 확인서": ("국가정보원", "제{y}-{n:03d}호"),
    "클라우드 보안인증(CSAP)": ("한국인터넷진흥원(KISA)", "CSAP-{y}-{n:03d}"),
    "웹 접근성 품질인증": ("한국웹접근성인증평가원", "WA-{y}-{n:04d}"),
    "공간정보 품질인증": ("공간정보품질관리원", "SQ-{y}-{n:03d}"),
    "안전진단전문기관 등록": ("국토안전관리원", "제{n:04d}호"),
    "자동차 제작자 인증": ("국토교통부", "KMVSS-{y}-{n:04d}"),
    "환경부 저공해차 인증": ("환경부", "저공해-{y}-{n:04d}"),
    "환경부 충전기 성능인증": ("한국환경공단", "EVC-{y}-{n:04d}"),
    "ITS 성능평가 적합": ("한국건설기술연구원", "ITS-{y}-{n:03d}"),
    "경찰청 교통안전시설 표준규격 적합": ("도로교통공단", "TS-{y}-{n:03d}"),
    "해양수산부 형식승인": ("해양수산부", "MOF-{y}-{n:04d}"),
    "선박안전기술공단 검사 합격": ("선박안전기술공단", "KST-{y}-{n:05d}"),
    "기상청 기상측기 검정": ("기상청", "검정-{y}-{n:04d}"),
    "CA 인증(공기청정협회)": ("한국공기청정협회", "CA-{y}-{n:04d}"),
    "GR 우수재활용제품": ("국가기술표준원", "GR-{y}-{n:03d}"),
    "디자인 등록": ("특허청", "30-{m:07d}"),
}
AREA_CODES = {
    "11": "02",
    "26": "051",
    "27": "053",
    "28": "032",
    "29": "062",
    "30": "042",
    "31": "052",
    "36": "044",
    "41": "031",
    "51": "033",
    "43": "043",
    "44": "041",
    "52": "063",
    "46": "061",
    "47": "054",
    "48": "055",
    "50": "064",
}
CLOSING_NOTES = {
    "awarded": (
        "{supplier}의 제안을 채택하여 계약을 체결했습니다. 납품 후 사용 결과를 공개하겠습니다."
    ),
    "unsuccessful": (
        "필수 성능을 모두 충족한 제안이 없어 유찰되었습니다. 요구사항을 조정해 재공고할 예정입니다."
    ),
    "withdrawn": "예산 조정으로 올해 사업을 보류합니다. 제안해 주신 업체에 감사드립니다.",
}
SUSPEND_NOTE = (
    "인증서 유효기간 만료가 확인되어 판매를 일시 중지합니다. 갱신된 인증서를 제출해 주세요."
)


def load_market() -> bool:
    """Create the demo market once (after demo accounts exist); return True if anything was made."""
    if db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER).limit(1)):
        return False
    people = _People.find()
    if people is None:
        return False
    with _request_context():
        _Builder(people).run()
    return True


@contextmanager
def _request_context():
    """Services build links with ``url_for``; the CLI runs with an application context only."""
    if has_request_context():
        yield
    else:
        with current_app.test_request_context():
            yield


@dataclass
class _People:
    agencies: list[Organisation]
    officers: list[User]
    suppliers: list[Organisation]
    sellers: list[User]
    operator: User
    citizens: list[User]

    @classmethod
    def find(cls) -> _People | None:
        """The demo organisations and one approved member of each; None if any is missing."""
        from procure import demo

        def org(kind: str, name: str) -> Organisation | None:
            return db.session.scalar(
                select(Organisation)
                .where(Organisation.kind == kind, Organisation.name == name)
                .order_by(Organisation.id)
                .limit(1)
            )

        def member(organisation: Organisation | None) -> User | None:
            if organisation is None:
                return None
            return db.session.scalar(
                select(User)
                .where(User.organisation_id == organisation.id, User.approved_at.is_not(None))
                .order_by(User.id)
                .limit(1)
            )

        agencies = [org(OrganisationKind.AGENCY, row[0]) for row in demo.AGENCIES]
        suppliers = [org(OrganisationKind.SUPPLIER, row[0]) for row in demo.SUPPLIERS]
        officers = [member(o) for o in agencies]
        sellers = [member(o) for o in suppliers]
        emails = [demo.PEOPLE[0][1], "citizen@demo.procure.kr"] + [
            f"citizen{i + 2}@demo.procure.kr" for i in range(len(demo.CITIZENS))
        ]
        users = [db.session.scalar(select(User).where(User.email == e)) for e in emails]
        if any(x is None for x in [*agencies, *suppliers, *officers, *sellers, *users]):
            return None
        return cls(agencies, officers, suppliers, sellers, users[0], users[1:])


def _brand(org: Organisation) -> tuple[str, str, str]:
    """Korean brand, English brand and initials from the company's names."""
    ko = org.name.replace("(주)", "").strip()
    en = org.name_en or ko
    for tail in (" Co., Ltd.", " Inc.", " Corp.", " Korea"):
        en = en.replace(tail, "")
    initials = "".join(w[0] for w in en.replace("-", " ").split() if w[0].isalpha()).upper()
    return ko, en.strip(), (initials + "X")[:2]


def _number(value: float, low: float, high: float) -> str:
    """A spec value with sensible precision: whole numbers for whole ranges."""
    if isinstance(low, int) and isinstance(high, int):
        return str(int(round(value, -2))) if high - low >= 1000 else str(round(value))
    if high - low >= 2:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _won(value: float, step: int = 10_000) -> int:
    return max(step, round(value / step) * step)


class _Builder:
    def __init__(self, people: _People):
        self.p = people
        self.rng = random.Random(SEED)
        self.today = local_today()
        self.products: dict[int, list] = {}  # supplier index -> its listed products
        self.counts: dict[str, int] = {}

    # -- classification ------------------------------------------------------------------------

    def codes(self) -> None:
        path = _cpv_file()
        already = db.session.scalar(
            select(func.count())
            .select_from(ClassificationCode)
            .where(ClassificationCode.scheme == CPV)
        )
        if path is not None and already < 1000:
            load_cpv(path)
        ensure_divisions()
        existing = {
            row.code: row
            for row in db.session.scalars(
                select(ClassificationCode).where(
                    ClassificationCode.scheme == CPV,
                    ClassificationCode.code.in_([c[0] for c in CODES]),
                )
            )
        }
        for code, parent, label_en, label_ko in CODES:
            row = existing.get(code)
            if row is None:
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
            elif not row.label_ko:
                row.label_ko = label_ko
        db.session.flush()

    # -- products ------------------------------------------------------------------------------

    def certificate(self, kind: str, initials: str, model: str) -> dict:
        issuer, pattern = CERT_ISSUERS.get(kind, ("인증기관", "{y}-{n:04d}"))
        year = self.today.year - self.rng.randint(0, 2)
        number = pattern.format(
            code=initials,
            model=model.replace("-", ""),
            y=year,
            yy=year % 100,
            n=self.rng.randint(1, 999),
            m=self.rng.randint(1000, 99999),
        )
        until = self.today + timedelta(days=self.rng.randint(240, 1460))
        return {"kind": kind, "number": number, "issuer": issuer, "valid_until": until.isoformat()}

    def product_input(
        self, index: int, supplier: Organisation, theme_key: str, serial: int, english: bool
    ):
        rng, theme = self.rng, THEMES[theme_key]
        brand_ko, brand_en, initials = _brand(supplier)
        kind_ko, kind_en = theme.kinds[serial % len(theme.kinds)]
        model = f"{initials}-{rng.randint(1, 9)}{rng.choice('0258')}{serial % 10}"
        values, specs = [], []
        for spec in theme.specs:
            if spec.choices:
                value = rng.choice(spec.choices)
            else:
                value = _number(rng.uniform(spec.low, spec.high), spec.low, spec.high)
            values.append(value)
            unit = UNIT_EN.get(spec.unit, spec.unit) if english else spec.unit
            specs.append({"name": spec.en if english else spec.ko, "value": value, "unit": unit})
        name_ko, name_en = f"{brand_ko} {kind_ko} {model}", f"{brand_en} {kind_en} {model}"
        summary = (theme.summary[1] if english else theme.summary[0]).format(*values)
        partners = rng.randint(2, 14)
        hours = rng.choice((4, 8, 24, 48))
        if english:
            description = (
                f"{summary}.\n\nIn service with {partners} public bodies in Korea. On-site "
                "support within "
                f"{hours} hours of a fault report, operator training included, spare parts kept "
                "for 7 years."
            )
        else:
            description = (
                f"{summary}.\n\n공공기관 납품 실적 {partners}곳. 장애 접수 후 {hours}시간 안에 "
                "현장 대응하며, "
                f"운용자 교육을 기본 제공하고 부품을 7년간 보유합니다."
            )
        low, high = theme.price
        price = _won(rng.uniform(low, high), 1_000 if high < 2_000_000 else 10_000)
        regions = {supplier.region} | set(rng.sample(sorted(AREA_CODES), rng.randint(1, 6)))
        if rng.random() < 0.2:
            regions = set(AREA_CODES)
        kinds = list(dict.fromkeys(rng.sample(theme.certs, rng.randint(1, len(theme.certs)))))
        if "조달청 혁신제품 지정" not in kinds and rng.random() < 0.25:
            kinds.append("조달청 혁신제품 지정")
        patents = [
            {"number": f"10-{rng.randint(2_100_000, 2_790_000)}", "title": theme.patent}
            for _ in range(rng.choice((0, 1, 1, 2)))
        ]
        return ProductInput(
            name=name_en if english else name_ko,
            name_en=name_en,
            summary=summary,
            description=description,
            trl=max(5, min(9, rng.randint(*theme.trl))),
            price=price,
            unit=theme.unit,
            regions=sorted(regions),
            codes=list(theme.codes),
            specs=specs,
            certifications=[self.certificate(k, initials, model) for k in kinds],
            patents=patents,
            language="en" if english else "ko",
        )

    def make_products(self) -> None:
        number = 0
        for index, supplier in enumerate(self.p.suppliers):
            seller = self.p.sellers[index]
            themes = SPECIALTIES[index]
            listed = []
            for serial in range(PRODUCTS_PER_SUPPLIER):
                theme_key = themes[serial % len(themes)]
                data = self.product_input(
                    index, supplier, theme_key, serial, english=number % 10 == 7
                )
                product = create_product(seller, data)
                if number % 25 != 3:  # a few stay drafts
                    change_status(seller, product, ProductStatus.LISTED)
                    if number % 33 == 5:
                        change_status(
                            self.p.operator, product, ProductStatus.SUSPENDED, note=SUSPEND_NOTE
                        )
                    elif number % 40 == 11:
                        change_status(
                            seller,
                            product,
                            ProductStatus.ARCHIVED,
                            note="후속 모델 출시로 판매 종료",
                        )
                    else:
                        listed.append((theme_key, product))
                number += 1
            self.products[index] = listed
        self.counts["products"] = number

    # -- demands -------------------------------------------------------------------------------

    def demand_input(self, d: D) -> DemandInput:
        rng, theme = self.rng, THEMES[d.theme]
        officer, agency = self.p.officers[d.agency], self.p.agencies[d.agency]
        english = d.language == "en"
        requirements = []
        for req in theme.reqs:
            target, unit = req.target, req.unit
            if english:
                target = TEXT_EN.get(target, target)
                unit = UNIT_EN.get(unit, unit)
            requirements.append(
                RequirementInput(
                    name=req.en if english else req.ko,
                    target_value=target,
                    unit=unit,
                    mandatory=req.mandatory,
                )
            )
        codes = list(theme.codes) + (["73120000"] if d.kind == "rnd" else [])
        if d.state == "draft":
            opens = closes = None
        else:
            opens = self.today - timedelta(days=rng.randint(3, 40))
            closes = (
                self.today
                if d.state != "open"
                else self.today + timedelta(days=rng.randint(12, 80))
            )
        area = AREA_CODES.get(agency.region or "", "044")
        return DemandInput(
            title=d.title,
            problem=d.problem,
            desired_outcome=d.outcome,
            demand_type=d.kind,
            budget=d.budget,
            quantity=d.quantity,
            region=d.region,
            opens_on=opens,
            closes_on=closes,
            expected_purchase_on=(closes + timedelta(days=rng.randint(30, 120)))
            if closes
            else None,
            contact_name=officer.name,
            contact_email=officer.email,
            contact_phone=f"{area}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            codes=codes,
            requirements=requirements,
            language=d.language,
        )

    def make_demands(self) -> list[tuple[D, Demand]]:
        made = []
        for d in DEMANDS:
            officer = self.p.officers[d.agency]
            demand = create_demand(officer, self.demand_input(d))
            if d.state != "draft":
                publish_demand(officer, demand)
            made.append((d, demand))
        return made

    # -- questions -----------------------------------------------------------------------------

    def make_questions(self, demands: list[tuple[D, Demand]]) -> None:
        published = [
            (d, demand) for d, demand in demands if d.state != "draft" and d.language == "ko"
        ]
        chosen = self.rng.sample(published, min(18, len(published)))
        chosen.sort(key=lambda pair: pair[1].id)
        for number, (d, demand) in enumerate(chosen):
            askers = [i for i, themes in enumerate(SPECIALTIES) if d.theme in themes] or [number]
            seller = self.p.sellers[askers[number % len(askers)]]
            body, answer = QUESTIONS[number % len(QUESTIONS)]
            question = ask_question(seller, demand, body)
            if answer and number % 6 != 5:
                answer_question(self.p.officers[d.agency], question, answer)
        self.counts["questions"] = len(chosen)

    # -- proposals -----------------------------------------------------------------------------

    def offer(self, req: Req, compliance: str, english: bool) -> str:
        """The value a supplier offers against a target, better or worse as its answer says."""
        order = (Compliance.EXCEEDS, Compliance.MEETS, Compliance.PARTLY, Compliance.NO)
        position = order.index(compliance)
        if req.offers is not None:
            return (YES_EN if english and req.offers == YES else req.offers)[position]
        op, number = req.target.split()
        base = float(number)
        whole = "." not in number and (base >= 10 or req.unit in INTEGER_UNITS)
        percent = req.unit == "%"
        if op == "≥":
            ceiling = 100 if percent else 1 if base < 1 else None
            value = {
                Compliance.EXCEEDS: min(base * 1.12, base + (ceiling - base) / 2)
                if ceiling
                else base * 1.25,
                Compliance.MEETS: base
                + min(base * self.rng.choice((0, 0.02, 0.05)), (ceiling - base) / 5)
                if ceiling
                else base * (1 + self.rng.choice((0, 0.02, 0.05))),
                Compliance.PARTLY: base * (0.93 if ceiling else 0.88),
                Compliance.NO: base * (0.8 if ceiling else 0.6),
            }[compliance]
        else:
            value = {
                Compliance.EXCEEDS: base * 0.6,
                Compliance.MEETS: base * (1 - self.rng.choice((0, 0.02, 0.05))),
                Compliance.PARTLY: base * 1.3,
                Compliance.NO: base * 2,
            }[compliance]
        if percent:
            value = min(value, 99.9)
            text = f"{value:.1f}".removesuffix(".0")
        elif whole:
            rounded = round(value)
            if compliance in (Compliance.PARTLY, Compliance.NO) and rounded == int(base):
                rounded += -1 if op == "≥" else 1
            if compliance == Compliance.MEETS and (rounded < base if op == "≥" else rounded > base):
                rounded = int(base)
            text = str(rounded)
        else:
            text = f"{value:.2f}".rstrip("0").rstrip(".")
        unit = UNIT_EN.get(req.unit, req.unit) if english else req.unit
        return f"{text}{unit}" if unit.startswith(":") else f"{text} {unit}".strip()

    def responses(self, demand: Demand, d: D, profile: tuple, forced=None, partial=False) -> list:
        rng, english = self.rng, d.language == "en"
        out = []
        reqs = THEMES[d.theme].reqs
        for position, (req, row) in enumerate(zip(reqs, demand.requirements, strict=True)):
            if partial and position >= len(reqs) // 2:
                break
            if forced is not None:
                compliance = forced[position]
            else:
                compliance = rng.choices(
                    (Compliance.EXCEEDS, Compliance.MEETS, Compliance.PARTLY, Compliance.NO),
                    profile,
                )[0]
            pool = (EVIDENCE_EN if english else EVIDENCE)[compliance]
            evidence = rng.choice(pool).format(n=rng.randint(100, 9999))
            out.append(
                ResponseInput(
                    requirement_id=row.id,
                    compliance=str(compliance),
                    offered_value=self.offer(req, compliance, english),
                    evidence=evidence,
                )
            )
        return out

    def proposal_text(
        self, product, demand: Demand | None, english: bool, agency: Organisation | None
    ):
        rng = self.rng
        days = rng.choice((45, 60, 90, 120, 150, 180))
        training, warranty = rng.randint(1, 5), rng.choice((1, 2, 3))
        if english:
            name = product.name_en or product.name
            target = (
                f"“{demand.title}”" if demand else (agency.name_en if agency else "public buyers")
            )
            title = f"{name} for {target}"
            about = f"{product.summary}. " if product.language == "en" else ""
            summary = (
                f"We propose {name}. {about}Each requirement is answered below with test "
                "evidence; where we fall short we give the date of the improved version."
            )
            plan = (
                f"Delivery and installation within {days} days of contract, "
                f"{training} days of operator training, {warranty}-year warranty."
            )
        else:
            if demand is not None:
                title = f"{product.name} — 「{demand.title}」 제안"
            elif agency is not None:
                title = f"{agency.name}에 {product.name} 도입을 제안합니다"
            else:
                title = f"혁신제품 역제안: {product.name}"
            summary = (
                f"「{product.name}」 제안. {product.summary}. 요구사항별 충족 여부와 근거를 아래에 "
                "적었으며, 미흡한 항목은 개선 일정과 함께 제시합니다. 기관 현장에서 무상 시연이 "
                "가능합니다."
            )
            plan = (
                f"계약 후 {days}일 이내 납품·설치, 운용자 교육 {training}일, 하자보수 {warranty}년."
            )
        return title[:200], summary, plan, days

    def pick_product(self, supplier_index: int, theme: str | None):
        listed = self.products[supplier_index]
        matching = [p for t, p in listed if t == theme] or [p for _t, p in listed]
        return matching[0] if matching else None

    def decline_reason(self, proposal, english: bool) -> str:
        weak = [r for r in proposal.responses if r.compliance in (Compliance.PARTLY, Compliance.NO)]
        reasons = DECLINE_REASONS_EN if english else DECLINE_REASONS
        if weak:
            name = next(
                req.name for req in proposal.demand.requirements if req.id == weak[0].requirement_id
            )
            return reasons[0].format(req=name)
        return self.rng.choice([r for r in reasons if "{req}" not in r])

    def propose_to_demand(self, d: D, demand: Demand, supplier_index: int, fate: str, forced=None):
        english = d.language == "en"
        seller = self.p.sellers[supplier_index]
        product = self.pick_product(supplier_index, d.theme)
        title, summary, plan, days = self.proposal_text(product, demand, english, None)
        profile = {
            "accepted": (0.45, 0.5, 0.05, 0.0),
            "shortlisted": (0.35, 0.55, 0.1, 0.0),
            "declined": (0.05, 0.35, 0.3, 0.3),
        }.get(fate, (0.15, 0.55, 0.2, 0.1))
        budget = demand.budget or (product.price or 1_000_000) * (demand.quantity or 1)
        proposal = create_proposal(
            seller,
            ProposalInput(
                demand_id=demand.id,
                product_id=product.id if product else None,
                title=title,
                summary=summary,
                price_offer=_won(budget * self.rng.uniform(0.7, 1.02)),
                delivery_plan=plan,
                delivery_days=days,
                responses=self.responses(demand, d, profile, forced, partial=fate == "draft"),
            ),
        )
        self.finish(proposal, seller, self.p.officers[d.agency], fate, english)
        return proposal

    def finish(self, proposal, seller: User, decider: User, fate: str, english: bool) -> None:
        if fate == "draft":
            return
        submit(seller, proposal)
        if fate == "withdrawn":
            withdraw(seller, proposal)
        elif fate in ("shortlisted", "accepted"):
            notes = SHORTLIST_NOTES_EN if english else SHORTLIST_NOTES
            decide(decider, proposal, ProposalStatus.SHORTLISTED, self.rng.choice(notes))
            if fate == "accepted":
                notes = ACCEPT_NOTES_EN if english else ACCEPT_NOTES
                decide(decider, proposal, ProposalStatus.ACCEPTED, self.rng.choice(notes))
        elif fate == "declined":
            if proposal.demand is not None:
                reason = self.decline_reason(proposal, english)
            else:
                reasons = DECLINE_REASONS_EN if english else DECLINE_REASONS
                reason = self.rng.choice([r for r in reasons[1:] if "{req}" not in r])
            decide(decider, proposal, ProposalStatus.DECLINED, reason)

    def make_proposals(self, demands: list[tuple[D, Demand]]) -> list:
        rng, made = self.rng, []
        for d, demand in demands:
            if d.state == "draft":
                continue
            candidates = [i for i, themes in enumerate(SPECIALTIES) if d.theme in themes]
            rng.shuffle(candidates)
            if d is DEMANDS[0]:
                # The seed's story: the drone maker that builds to the specification, a rival
                # answering in part, and a sound company whose drone cannot hold its position.
                ex, me, pa, no = (
                    Compliance.EXCEEDS,
                    Compliance.MEETS,
                    Compliance.PARTLY,
                    Compliance.NO,
                )
                plan = [
                    (0, "shortlisted", (ex, ex, me, ex, me)),
                    (32, "submitted", (me, pa, me, me, ex)),
                    (39, "declined", (no, ex, pa, me, me)),
                ]
            else:
                count = {
                    "open": rng.choice((0, 1, 1, 2, 2)),
                    "awarded": rng.choice((2, 3)),
                    "unsuccessful": 2,
                    "withdrawn": 1,
                }[d.state]
                fates = {
                    "awarded": ["accepted"] + ["declined"] * 2,
                    "unsuccessful": ["declined"] * 2,
                    "withdrawn": ["declined"],
                }.get(d.state) or [
                    rng.choices(
                        ("submitted", "shortlisted", "declined", "draft", "withdrawn"),
                        (35, 25, 15, 15, 10),
                    )[0]
                    for _ in range(count)
                ]
                plan = [(i, fate, None) for i, fate in zip(candidates[:count], fates, strict=False)]
            for supplier_index, fate, forced in plan:
                made.append((d, self.propose_to_demand(d, demand, supplier_index, fate, forced)))
        return made

    def make_unsolicited(self, count: int) -> int:
        rng, made = self.rng, 0
        for number in range(count):
            supplier_index = (number * 7 + 3) % len(self.p.suppliers)
            product = self.pick_product(supplier_index, None)
            if product is None:
                continue
            seller = self.p.sellers[supplier_index]
            english = product.language == "en"
            to_agency = number % 5 != 4
            theme = next(t for t, listed in self.products[supplier_index] if listed is product)
            interested = sorted({d.agency for d in DEMANDS if d.theme == theme})
            agency_index = rng.choice(interested or range(len(self.p.agencies)))
            agency = self.p.agencies[agency_index] if to_agency else None
            title, summary, plan, days = self.proposal_text(product, None, english, agency)
            proposal = create_proposal(
                seller,
                ProposalInput(
                    target_agency_id=agency.id if agency else None,
                    target_code="" if agency else product.codes[0].code,
                    product_id=product.id,
                    title=title,
                    summary=summary,
                    price_offer=(product.price or 0) * rng.choice((1, 2, 5, 10)),
                    delivery_plan=plan,
                    delivery_days=days,
                ),
            )
            fate = rng.choices(
                ("submitted", "shortlisted", "declined", "accepted", "draft", "withdrawn"),
                (35, 20, 20, 10, 8, 7),
            )[0]
            if not to_agency and fate == "accepted":
                fate = "shortlisted"
            decider = self.p.officers[agency_index] if to_agency else self.p.operator
            self.finish(proposal, seller, decider, fate, english)
            made += 1
        return made

    def close_demands(self, demands: list[tuple[D, Demand]], proposals: list) -> None:
        for d, demand in demands:
            if d.state in ("draft", "open"):
                continue
            winner = next(
                (p for dd, p in proposals if dd is d and p.status == ProposalStatus.ACCEPTED), None
            )
            supplier = winner.supplier.name if winner is not None else ""
            note = CLOSING_NOTES[d.state].format(supplier=supplier)
            close_demand(self.p.officers[d.agency], demand, d.state, note)

    # -- ideas ---------------------------------------------------------------------------------

    def make_ideas(self) -> int:
        adopted = 0
        for number, (title, problem, suggestion, region, fate) in enumerate(IDEAS):
            english = title.isascii()
            citizens = self.p.citizens
            author = citizens[-1] if english else citizens[number % (len(citizens) - 1)]
            idea = submit_idea(
                author, title=title, problem=problem, suggestion=suggestion, region=region
            )
            if fate == "submitted":
                continue
            if isinstance(fate, tuple) and fate[0] == "rejected":
                moderate(self.p.operator, idea, "rejected", fate[1])
                continue
            moderate(self.p.operator, idea, "approved")
            if isinstance(fate, tuple) and fate[0] == "adopted":
                adopt(self.p.officers[fate[1]], idea)
                adopted += 1
        return adopted

    # -- all -----------------------------------------------------------------------------------

    def run(self) -> None:
        self.codes()
        self.make_products()
        demands = self.make_demands()
        self.make_questions(demands)
        proposals = self.make_proposals(demands)
        unsolicited = self.make_unsolicited(max(18, MIN_PROPOSALS + 4 - len(proposals)))
        self.close_demands(demands, proposals)
        adopted = self.make_ideas()
        self.counts.update(
            demands=len(demands) + adopted, proposals=len(proposals) + unsolicited, ideas=len(IDEAS)
        )
        record(MARKER, "database", None, after=self.counts)


def _cpv_file() -> Path | None:
    """The CPV 2008 CSV if present: ``CPV_PATH``, or ``../shared/data`` beside the repository."""
    candidates = [os.environ.get("CPV_PATH")] if os.environ.get("CPV_PATH") else []
    candidates.append(
        str(Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cpv2008_en.csv")
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None
