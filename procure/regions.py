"""The seventeen 시·도 (first-level administrative divisions), with English names."""

from flask_babel import get_locale

REGIONS: dict[str, tuple[str, str]] = {
    "11": ("서울특별시", "Seoul"),
    "26": ("부산광역시", "Busan"),
    "27": ("대구광역시", "Daegu"),
    "28": ("인천광역시", "Incheon"),
    "29": ("광주광역시", "Gwangju"),
    "30": ("대전광역시", "Daejeon"),
    "31": ("울산광역시", "Ulsan"),
    "36": ("세종특별자치시", "Sejong"),
    "41": ("경기도", "Gyeonggi-do"),
    "51": ("강원특별자치도", "Gangwon"),
    "43": ("충청북도", "Chungcheongbuk-do"),
    "44": ("충청남도", "Chungcheongnam-do"),
    "52": ("전북특별자치도", "Jeonbuk"),
    "46": ("전라남도", "Jeollanam-do"),
    "47": ("경상북도", "Gyeongsangbuk-do"),
    "48": ("경상남도", "Gyeongsangnam-do"),
    "50": ("제주특별자치도", "Jeju"),
}


def region_name(code: str | None, locale: str | None = None) -> str:
    if not code or code not in REGIONS:
        return ""
    locale = locale or str(get_locale())
    ko, en = REGIONS[code]
    return en if locale == "en" else ko


def region_choices(locale: str | None = None) -> list[tuple[str, str]]:
    return [(code, region_name(code, locale)) for code in REGIONS]
