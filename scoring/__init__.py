"""Innovation index (혁신성 지수): schemes, aggregation across evaluators, reliability, validity.

Plain data in, plain data out: this package never imports procure, Flask or SQLAlchemy.
"""

from scoring.aggregate import (
    CriterionResult,
    DroppedScore,
    GateResult,
    ItemResult,
    Result,
    ThresholdResult,
    aggregate,
)
from scoring.certification import ExtensionError, next_extension_years, validity_end
from scoring.deviation import DeviationFlag, deviation_flags, panel_deviation_flags
from scoring.loader import (
    SchemeError,
    SchemeInfo,
    available_schemes,
    load_scheme,
    load_scheme_file,
    parse_scheme,
)
from scoring.model import (
    AggregationRule,
    Criterion,
    DecisionRule,
    DeviationRule,
    Gate,
    Item,
    ProductKind,
    RubricLevel,
    Scheme,
    Text,
    Threshold,
    ValidityRule,
)
from scoring.reliability import Agreement, Measure, agreement, icc, kendalls_w
from scoring.sheets import Problem, ScoreSheet, SheetError
from scoring.submission import check_submittable, ensure_submittable

__all__ = [
    "AggregationRule",
    "Agreement",
    "Criterion",
    "CriterionResult",
    "DecisionRule",
    "DeviationFlag",
    "DeviationRule",
    "DroppedScore",
    "ExtensionError",
    "Gate",
    "GateResult",
    "Item",
    "ItemResult",
    "Measure",
    "Problem",
    "ProductKind",
    "Result",
    "RubricLevel",
    "Scheme",
    "SchemeError",
    "SchemeInfo",
    "ScoreSheet",
    "SheetError",
    "Text",
    "Threshold",
    "ThresholdResult",
    "ValidityRule",
    "aggregate",
    "agreement",
    "available_schemes",
    "check_submittable",
    "deviation_flags",
    "ensure_submittable",
    "icc",
    "kendalls_w",
    "load_scheme",
    "load_scheme_file",
    "next_extension_years",
    "panel_deviation_flags",
    "parse_scheme",
    "validity_end",
]
