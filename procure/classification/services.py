"""Load, look up and label classification codes."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from procure.classification.divisions import CPV_DIVISIONS
from procure.extensions import db
from procure.models import ClassificationCode

CPV = "CPV"
SCHEMES = (CPV, "UNSPSC", "GSIN", "KR")  # KR: 물품분류번호; room for more without code changes
_CPV_CODE = re.compile(r"^\d{8}$")


def cpv_level(code: str) -> int:
    """1 division (2 digits), 2 group (3), 3 class (4), 4–7 category (5–8 significant digits)."""
    significant = code.rstrip("0")
    return max(1, len(significant) - 1) if len(significant) > 2 else 1


def cpv_parent(code: str) -> str | None:
    significant = code.rstrip("0")
    if len(significant) <= 2:
        return None
    return (
        (significant[:-1]).ljust(8, "0") if len(significant) > 3 else significant[:2].ljust(8, "0")
    )


def normalise_code(raw: str) -> str:
    """``35613000-4`` → ``35613000``; spaces trimmed."""
    return (raw or "").strip().split("-")[0].strip()


def division_rows() -> list[ClassificationCode]:
    return [
        ClassificationCode(
            scheme=CPV, code=div + "000000", parent=None, level=1, label_en=en, label_ko=ko
        )
        for div, (ko, en) in CPV_DIVISIONS.items()
    ]


def load_cpv(path: str | Path) -> int:
    """Load (or refresh) the CPV 2008 vocabulary from its CSV; return the number of codes.

    Division rows keep our Korean labels. Running it again updates labels and adds nothing twice.
    """
    existing = {
        row.code: row
        for row in db.session.scalars(
            select(ClassificationCode).where(ClassificationCode.scheme == CPV)
        )
    }
    count = 0
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            code = normalise_code(record["code"])
            if not _CPV_CODE.match(code):
                continue
            parent = normalise_code(record.get("parent") or "") or None
            division = CPV_DIVISIONS.get(code[:2])
            label_ko = division[0] if division and code.endswith("000000") else None
            row = existing.get(code)
            if row is None:
                row = ClassificationCode(scheme=CPV, code=code)
                db.session.add(row)
                existing[code] = row
            row.parent = parent
            row.level = cpv_level(code)
            row.label_en = record["name_en"].strip()[:400]
            row.label_ko = label_ko or row.label_ko
            count += 1
    db.session.flush()
    return count


def ensure_divisions() -> None:
    """Make sure at least the 45 divisions exist (the demo runs without the CPV file)."""
    present = set(
        db.session.scalars(
            select(ClassificationCode.code).where(
                ClassificationCode.scheme == CPV, ClassificationCode.level == 1
            )
        )
    )
    for row in division_rows():
        if row.code not in present:
            db.session.add(row)
    db.session.flush()


def existing_codes(scheme: str, codes: Iterable[str]) -> set[str]:
    codes = list(codes)
    if not codes:
        return set()
    return set(
        db.session.scalars(
            select(ClassificationCode.code).where(
                ClassificationCode.scheme == scheme, ClassificationCode.code.in_(codes)
            )
        )
    )


def check_codes(
    check, field: str, raw_codes, *, scheme: str = CPV, required: bool = False
) -> list[str]:
    """Validate a list of codes into ``check``; return them normalised and de-duplicated."""
    if raw_codes is None:
        raw_codes = []
    if isinstance(raw_codes, str):
        raw_codes = [part for part in re.split(r"[\s,;]+", raw_codes) if part]
    if not isinstance(raw_codes, list) or not all(isinstance(c, str) for c in raw_codes):
        check.fail(field, _("Give the codes as a list of text values."))
        return []
    codes = list(dict.fromkeys(normalise_code(c) for c in raw_codes if normalise_code(c)))
    if required and not codes:
        check.fail(field, _("Choose at least one classification code."))
    if len(codes) > 10:
        check.fail(field, _("Use at most %(max)d classification codes.", max=10))
        return codes[:10]
    unknown = [c for c in codes if c not in existing_codes(scheme, codes)]
    if unknown:
        check.fail(
            field, _("Unknown classification codes: %(codes)s", codes=", ".join(unknown[:5]))
        )
    return codes


def labels(codes: Iterable[str], scheme: str = CPV, locale: str | None = None) -> dict[str, str]:
    """Labels for codes in the reader's language (Korean falls back to the division's label)."""
    locale = locale or str(get_locale())
    codes = list(codes)
    if not codes:
        return {}
    rows = db.session.scalars(
        select(ClassificationCode).where(
            ClassificationCode.scheme == scheme, ClassificationCode.code.in_(codes)
        )
    ).all()
    out = {row.code: row.label(locale) for row in rows}
    if locale == "ko":
        for row in rows:
            if not row.label_ko and scheme == CPV and row.code[:2] in CPV_DIVISIONS:
                out[row.code] = f"{CPV_DIVISIONS[row.code[:2]][0]} › {row.label_en}"
    return out


def bilingual_labels(codes: Iterable[str]) -> dict[str, str]:
    """``{code: "Korean label English label"}`` for ``codes`` of any scheme (the matcher's
    classifier learns from both languages at once); codes without a row are left out."""
    wanted = sorted(set(codes))
    names: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        rows = db.session.scalars(
            select(ClassificationCode).where(
                ClassificationCode.code.in_(wanted[start : start + 500])
            )
        )
        for row in rows:
            text = " ".join(part for part in (row.label_ko, row.label_en) if part)
            if text:
                names.setdefault(row.code, text)
    return names


def division_label(division: str, locale: str | None = None) -> str:
    locale = locale or str(get_locale())
    ko, en = CPV_DIVISIONS.get(division, (division, division))
    return ko if locale == "ko" else en


def search_codes(query: str, limit: int = 20) -> list[ClassificationCode]:
    """Codes whose number starts with, or whose label contains, the query."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    like = f"%{query.lower()}%"
    return db.session.scalars(
        select(ClassificationCode)
        .where(
            ClassificationCode.scheme == CPV,
            or_(
                ClassificationCode.code.startswith(normalise_code(query)),
                func.lower(ClassificationCode.label_en).like(like),
                func.lower(func.coalesce(ClassificationCode.label_ko, "")).like(like),
            ),
        )
        .order_by(ClassificationCode.level, ClassificationCode.code)
        .limit(limit)
    ).all()
