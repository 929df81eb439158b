"""Rank supply for a demand (and demands for a supplier), classify procurement texts, explain.

Plain scikit-learn-style estimators over plain dicts; this package never imports ``procure``.
"""

from matching.classifier import CodeClassifier, CodeSuggestion
from matching.codes import LEVELS, agreement_depth, code_prefix, normalize_code
from matching.matcher import DemandMatch, Match, Matcher, PreparedDemands
from matching.persistence import IncompatibleModelError
from matching.reasons import Reason

__version__ = "0.1.0"

__all__ = [
    "LEVELS",
    "CodeClassifier",
    "CodeSuggestion",
    "DemandMatch",
    "IncompatibleModelError",
    "Match",
    "Matcher",
    "PreparedDemands",
    "Reason",
    "__version__",
    "agreement_depth",
    "code_prefix",
    "normalize_code",
]
