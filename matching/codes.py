"""Procurement classification codes as prefix hierarchies, with levels read from the code's shape.

CPV (``45210000-2``), UNSPSC (``43211503``) and GSIN (``N6115B``, ``R019BF``, ``5131BI``) all
encode their hierarchy as string prefixes, but not at the same lengths. A code is compared at
three prefix levels — *division*, *group*, *class* — and as a whole (*exact*); the prefix
length of each level is chosen from the code's shape (:func:`level_lengths`):

* UNSPSC, 8 digits without a one-digit check digit (``43211503``, Paraguay's
  ``43211508-001``): segment 2, family 4, class 6 digits;
* GSIN goods, ``N`` + FSC group (2 digits) + FSC class (2 digits) + item letters
  (``N6115B``): ``N6`` · ``N61`` (FSC group) · ``N6115`` (FSC class);
* everything else — CPV (8 digits with a one-digit check digit, ``45212000-9``: division 2,
  group 3, class 4 digits), GSIN services (``R019BF``) and construction (``5131BI``), unknown
  schemes: 2, 3 and 4 characters.

The agreement depth of two codes is 4 if they are equal, else the deepest level at which
their prefixes are equal (0 – 3); two code *sets* agree as deeply as their best pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Hierarchy levels, coarse to fine, with the default prefix length that defines each
#: (``None``: the whole normalised code). :func:`level_lengths` adapts them per code shape.
LEVELS: tuple[tuple[str, int | None], ...] = (
    ("division", 2),
    ("group", 3),
    ("class", 4),
    ("exact", None),
)
LEVEL_NAMES: tuple[str, ...] = tuple(name for name, _ in LEVELS)
MAX_DEPTH = len(LEVELS)

#: Prefix lengths of division, group and class per recognised code shape.
DEFAULT_LENGTHS = (2, 3, 4)
UNSPSC_LENGTHS = (2, 4, 6)
GSIN_GOODS_LENGTHS = (2, 3, 5)

_SEPARATORS = re.compile(r"[-/.\s]")
_CODE_IN_DESCRIPTION = re.compile(r"(?:^|,\s*)([A-Z0-9]{2,12})\s*:\s")
_EIGHT_DIGITS = re.compile(r"\d{8}")
_CHECK_DIGIT = re.compile(r"\d{8}-\d")
_GSIN_GOODS = re.compile(r"N\d{4}[A-Z0-9]*")


def normalize_code(code: object) -> str | None:
    """Return the comparable part of a code, or ``None`` for an empty one.

    Upper-cases, strips blanks and drops whatever follows the first separator: CPV's check
    digit (``45210000-2``), Armenia's ``/1`` suffix, Paraguay's catalogue extension.
    """
    if code is None:
        return None
    text = str(code).strip().upper()
    if not text:
        return None
    main = _SEPARATORS.split(text, maxsplit=1)[0]
    return main or None


def level_lengths(code: object) -> tuple[int, int, int]:
    """Prefix lengths of the division, group and class of ``code``, from its shape.

    Eight digits are UNSPSC (2/4/6) unless followed by a one-digit check digit, which marks
    CPV (2/3/4); ``N`` + four digits is a GSIN good (2/3/5); anything else 2/3/4.
    """
    text = "" if code is None else str(code).strip().upper()
    norm = normalize_code(text)
    if norm is None:
        return DEFAULT_LENGTHS
    if _EIGHT_DIGITS.fullmatch(norm):
        return DEFAULT_LENGTHS if _CHECK_DIGIT.fullmatch(text) else UNSPSC_LENGTHS
    if _GSIN_GOODS.fullmatch(norm):
        return GSIN_GOODS_LENGTHS
    return DEFAULT_LENGTHS


def level_index(level: str | int) -> int:
    """Position of ``level`` (a name from :data:`LEVELS` or a depth 1–4) in :data:`LEVELS`.

    :raise ValueError: for an unknown level.
    """
    if isinstance(level, int):
        if 1 <= level <= MAX_DEPTH:
            return level - 1
        raise ValueError(f"level depth must be 1..{MAX_DEPTH}, got {level}")
    if level in LEVEL_NAMES:
        return LEVEL_NAMES.index(level)
    raise ValueError(f"unknown level {level!r}; expected one of {LEVEL_NAMES}")


def code_prefix(code: object, level: str | int) -> str | None:
    """The prefix of ``code`` that names its ancestor at ``level`` (``None`` if too short)."""
    norm = normalize_code(code)
    if norm is None:
        return None
    li = level_index(level)
    if li == MAX_DEPTH - 1:
        return norm
    length = level_lengths(code)[li]
    return norm[:length] if len(norm) >= length else None


def code_prefixes(code: object) -> tuple[str | None, ...]:
    """The prefixes of ``code`` at every level of :data:`LEVELS`, coarse to fine."""
    return tuple(code_prefix(code, name) for name in LEVEL_NAMES)


def agreement_depth(a: object, b: object) -> int:
    """How deep two codes agree: 0 none, 1 division, 2 group, 3 class, 4 exact."""
    na, nb = normalize_code(a), normalize_code(b)
    if na is None or nb is None:
        return 0
    if na == nb:
        return MAX_DEPTH
    depth = 0
    for name in LEVEL_NAMES[:-1]:
        pa = code_prefix(a, name)
        if pa is not None and pa == code_prefix(b, name):
            depth += 1
        else:
            break
    return depth


def best_agreement(codes_a: Iterable[object], codes_b: Iterable[object]) -> int:
    """The deepest agreement between any code of ``codes_a`` and any of ``codes_b``."""
    b = list(codes_b)
    return max((agreement_depth(x, y) for x in codes_a for y in b), default=0)


def codes_in_description(description: str) -> list[str]:
    """Codes written at the start of a description, as in ``"N6115B: Generator Set"``.

    Several may be listed: ``"5131BI: Asphalt ..., 5131C: Highways"``.
    """
    return _CODE_IN_DESCRIPTION.findall(description or "")
