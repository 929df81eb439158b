"""Small Korean and English listings shared by the matching tests."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CANADA = DATA / "ca_buyandsell_tenders_2014.json.gz"

KOREAN_LISTINGS = [
    {
        "id": "drone-speaker",
        "text": "안내방송용 스피커를 탑재한 순찰 드론, 정지비행(호버링) 및 야간 열화상 촬영",
        "codes": ["N1550A"],
        "price": 30_000_000,
        "region": "부산",
        "trl": 8,
        "index": 82.5,
        "pilots": 2,
    },
    {
        "id": "drone-survey",
        "text": "측량용 고정익 드론, 자동 경로비행과 정사영상 제작",
        "codes": ["N1550B"],
        "price": 45_000_000,
        "region": "대전",
        "trl": 7,
    },
    {
        "id": "chair",
        "text": "사무용 인체공학 의자, 메쉬 등받이와 높이 조절",
        "codes": ["N7110A"],
        "price": 350_000,
        "region": "서울",
    },
    {
        "id": "desk",
        "text": "높이 조절 전동 책상, 사무실 가구",
        "codes": ["N7110B"],
        "price": 900_000,
    },
    {
        "id": "water-sensor",
        "text": "하천 수위 감지 IoT 센서와 홍수 경보 방송 시스템",
        "codes": ["N6665"],
        "price": 12_000_000,
        "region": "부산",
    },
    {
        "id": "cctv",
        "text": "AI 영상분석 CCTV 카메라, 침입 감지 및 경고 방송",
        "codes": ["N6665B"],
        "price": 8_000_000,
    },
]

ENGLISH_LISTINGS = [
    {"id": "e-drone", "text": "Patrol drone with loudspeaker and hover mode", "codes": ["N1550"]},
    {"id": "e-chair", "text": "Ergonomic office chair with mesh back", "codes": ["N7110"]},
    {"id": "e-boat", "text": "Rescue boat with outboard engine", "codes": ["N1940"]},
    {"id": "e-sensor", "text": "Flood water level sensor with alarm", "codes": ["N6665"]},
]


@pytest.fixture
def korean_listings():
    return [dict(listing) for listing in KOREAN_LISTINGS]


@pytest.fixture
def english_listings():
    return [dict(listing) for listing in ENGLISH_LISTINGS]


@pytest.fixture
def canada_path():
    if not CANADA.exists():
        pytest.skip(f"shared data not found at {CANADA}")
    return CANADA
