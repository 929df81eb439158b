"""When a score sheet may be submitted: complete, on the rubric, commented, deviations justified."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.deviation import deviation_flags
from scoring.model import Scheme, Text
from scoring.sheets import Problem, ScoreSheet, SheetError, has_text, structural_problems


def check_submittable(
    scheme: Scheme,
    sheet: ScoreSheet,
    other_sheets: Sequence[ScoreSheet] = (),
    *,
    product_kind: str | None = None,
) -> list[Problem]:
    """Every reason `sheet` cannot be submitted yet; an empty list means it can.

    Checks: every item scored with a rubric level, every applicable gate answered, a
    comment on every criterion, and a written justification for every criterion on which
    the sheet deviates from `other_sheets` (the other evaluators' sheets on the same
    dossier, see `deviation_flags`).
    """
    problems = structural_problems(scheme, sheet, product_kind=product_kind)
    for criterion in scheme.criteria:
        if not has_text(sheet.comments.get(criterion.id)):
            problems.append(
                Problem(
                    "missing_comment",
                    criterion.id,
                    Text(
                        f"'{criterion.label.ko}' 평가 의견을 작성해야 합니다.",
                        f"A comment on '{criterion.label.en}' is required.",
                    ),
                )
            )
    for flag in deviation_flags(scheme, sheet, other_sheets):
        if not has_text(sheet.justifications.get(flag.criterion_id)):
            criterion = scheme.criterion(flag.criterion_id)
            problems.append(
                Problem(
                    "missing_justification",
                    flag.criterion_id,
                    Text(
                        f"'{criterion.label.ko}' 소계 {flag.subtotal:g}점이 다른 평가위원 "
                        f"평균 {flag.others_mean:.2f}점과 표준편차의 {flag.sd_multiple:g}배 "
                        "이상 차이 나므로 사유를 작성해야 합니다.",
                        f"Your '{criterion.label.en}' subtotal of {flag.subtotal:g} is "
                        f"{flag.sd_multiple:g} or more standard deviations from the other "
                        f"evaluators' mean of {flag.others_mean:.2f}; write a justification.",
                    ),
                )
            )
    return problems


def ensure_submittable(
    scheme: Scheme,
    sheet: ScoreSheet,
    other_sheets: Sequence[ScoreSheet] = (),
    *,
    product_kind: str | None = None,
) -> None:
    """Like `check_submittable`, but raises.

    :raise SheetError: listing every problem.
    """
    problems = check_submittable(scheme, sheet, other_sheets, product_kind=product_kind)
    if problems:
        raise SheetError(problems)
