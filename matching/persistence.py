"""Save and load fitted matchers inside a versioned envelope.

The file is a joblib pickle of ``{"format", "format_version", "library_version",
"trained_at", "n_listings", "metrics", "model"}``. Unpickling runs code chosen by whoever
wrote the file, so only load files this application wrote itself (trust assumption).
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import joblib
from sklearn.utils.validation import check_is_fitted

FORMAT = "procure-matching/matcher"
#: Bump whenever a saved matcher could no longer be used as-is by this code.
FORMAT_VERSION = 2


class IncompatibleModelError(ValueError):
    """A saved model cannot be used: other format version, foreign or corrupt file."""


def save_matcher(matcher, path, metrics=None) -> None:
    """Write ``matcher`` (fitted) atomically to ``path``."""
    from matching import __version__

    check_is_fitted(matcher, "index_")
    envelope = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "trained_at": matcher.fit_info_["trained_at"],
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_listings": matcher.fit_info_["n_listings"],
        "metrics": dict(metrics or {}),
        "model": matcher,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(envelope, tmp, compress=3)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_envelope(path) -> dict:
    """The envelope of a saved matcher, checked.

    :raise IncompatibleModelError: see :func:`load_matcher`.
    :raise FileNotFoundError: if there is no such file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        envelope = joblib.load(path)
    except Exception as exc:  # any failure to unpickle means unusable
        raise IncompatibleModelError(f"{path} is not a readable saved matcher: {exc}") from exc
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise IncompatibleModelError(f"{path} is not a saved matcher")
    version = envelope.get("format_version")
    if version != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"{path} has matcher format version {version!r}; this code reads version "
            f"{FORMAT_VERSION}. Refit the matcher."
        )
    return envelope


def load_matcher(path):
    """The fitted matcher saved at ``path``, with ``saved_metadata_`` from its envelope.

    :raise IncompatibleModelError: other format version, a corrupt or foreign file.
    """
    from matching.matcher import Matcher

    envelope = read_envelope(path)
    model = envelope["model"]
    if not isinstance(model, Matcher):
        raise IncompatibleModelError(f"{path} does not hold a Matcher")
    model.saved_metadata_ = {k: v for k, v in envelope.items() if k != "model"}
    return model
