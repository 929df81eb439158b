"""Why a listing matches a demand: short structured reasons for a card, in Korean or English."""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("ko", "en")

_LEVEL_WORDS = {
    "ko": {"division": "대분류", "group": "중분류", "class": "소분류", "exact": "세부코드"},
    "en": {"division": "division", "group": "group", "class": "class", "exact": "exact code"},
}


def _won(amount) -> str:
    return f"{int(amount):,}"


def _times(params) -> str:
    """ " × n" when the demand buys more than one unit (the budget covers them all)."""
    quantity = params.get("quantity") or 1
    return f" × {int(quantity):,}" if quantity > 1 else ""


def _multiple(params) -> int:
    """How many times the budget the cost is, from the percentage over it (200 % over: 3)."""
    return int(1.5 + params["percent"] / 100)  # to the nearest, halves up


_TEMPLATES = {
    "shared_terms": {
        "ko": lambda p: "공통 핵심어: " + ", ".join(p["terms"]),
        "en": lambda p: "Shared key terms: " + ", ".join(p["terms"]),
    },
    "code_match": {
        "ko": lambda p: f"분류코드 {_LEVEL_WORDS['ko'][p['level']]} 일치: {p['code']}",
        "en": lambda p: f"Same {_LEVEL_WORDS['en'][p['level']]}: {p['code']}",
    },
    "predicted_code": {
        "ko": lambda p: (
            f"예상 분류 {p['code']}({_LEVEL_WORDS['ko'][p['level']]}, {p['probability']:.0%}) 일치"
        ),
        "en": lambda p: (
            f"Likely category {p['code']} ({_LEVEL_WORDS['en'][p['level']]}, "
            f"{p['probability']:.0%}) matches"
        ),
    },
    "within_budget": {
        "ko": lambda p: f"예산 이내: {_won(p['price'])}원{_times(p)} ≤ {_won(p['budget'])}원",
        "en": lambda p: f"Within budget: ₩{_won(p['price'])}{_times(p)} ≤ ₩{_won(p['budget'])}",
    },
    # Up to twice the budget the excess reads best as a share; beyond, as a multiple.
    "over_budget": {
        "ko": lambda p: (
            f"예산 {p['percent']}% 초과"
            if p["percent"] < 100
            else f"예산의 약 {_won(_multiple(p))}배"
        ),
        "en": lambda p: (
            f"Over budget by {p['percent']}%"
            if p["percent"] < 100
            else f"About {_won(_multiple(p))} × the budget"
        ),
    },
    "same_region": {
        "ko": lambda p: f"같은 지역: {p['region']}",
        "en": lambda p: f"Same region: {p['region']}",
    },
    "readiness": {
        "ko": lambda p: f"기술성숙도 TRL {p['trl']}",
        "en": lambda p: f"Technology readiness TRL {p['trl']}",
    },
    "innovation_index": {
        "ko": lambda p: f"혁신성 지표 {p['index']:.0f}",
        "en": lambda p: f"Innovation index {p['index']:.0f}",
    },
    "pilot_record": {
        "ko": lambda p: f"시범구매 성공 {p['pilots']}건",
        "en": lambda p: (
            f"{p['pilots']} successful pilot purchase" + ("" if p["pilots"] == 1 else "s")
        ),
    },
    "text_similarity": {
        "ko": lambda p: f"설명 유사도 {p['similarity']:.0%}",
        "en": lambda p: f"Description similarity {p['similarity']:.0%}",
    },
}

#: Every reason code a :class:`Reason` may carry.
REASON_CODES = tuple(_TEMPLATES)


@dataclass(frozen=True)
class Reason:
    """One reason for a match: a stable ``code``, its ``params``, and ``text(lang)``.

    Codes: ``shared_terms`` (terms), ``code_match`` (level, code), ``predicted_code``
    (level, code, probability), ``within_budget`` (price, budget, and quantity when above
    1), ``over_budget`` (percent), ``same_region`` (region), ``readiness`` (trl),
    ``innovation_index`` (index), ``pilot_record`` (pilots), ``text_similarity``
    (similarity).
    """

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in _TEMPLATES:
            raise ValueError(f"unknown reason code {self.code!r}")

    def text(self, lang: str = "ko") -> str:
        """The reason as a short sentence in ``lang`` (``"ko"`` or ``"en"``).

        :raise ValueError: for another language.
        """
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")
        return _TEMPLATES[self.code][lang](self.params)

    def __hash__(self):
        return hash((self.code, repr(sorted(self.params.items()))))
