"""Scheme-agnostic handling of procurement classification codes as prefix hierarchies.

CPV (``45210000-2``), UNSPSC (``43211503``) and GSIN (``N6115B``) all encode their
hierarchy as string prefixes. Rather than hard-coding each scheme, a code is compared at
fixed prefix lengths: two characters (the *division*), three (the *group*), four (the
*class*) and the whole normalised code (*exact*). The agreement depth of two codes is the
number of levels at which they agree: 0 (different divisions) up to 4 (same code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Hierarchy levels, coarse to fine, with the prefix length that defines each
#: (``None``: the whole normalised code).
LEVELS: tuple[tuple[str, int | None], ...] = (
    ("division", 2),
    ("group", 3),
    ("class", 4),
    ("exact", None),
)
LEVEL_NAMES: tuple[str, ...] = tuple(name for name, _ in LEVELS)
MAX_DEPTH = len(LEVELS)

_SEPARATORS = re.compile(r"[-/.\s]")
_CODE_IN_DESCRIPTION = re.compile(r"(?:^|,\s*)([A-Z0-9]{2,12})\s*:\s")


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
    length = LEVELS[level_index(level)][1]
    if length is None:
        return norm
    return norm[:length] if len(norm) >= length else None


def agreement_depth(a: object, b: object) -> int:
    """How deep two codes agree: 0 none, 1 division, 2 group, 3 class, 4 exact."""
    na, nb = normalize_code(a), normalize_code(b)
    if na is None or nb is None:
        return 0
    if na == nb:
        return MAX_DEPTH
    depth = 0
    for _, length in LEVELS[:-1]:
        if length is not None and len(na) >= length and na[:length] == nb[:length]:
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
