"""Request parsing and response shaping shared by API views."""

from __future__ import annotations

import math
import re

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from procure.errors import FieldError, Invalid, ServiceError
from procure.pagination import Page


class UnsupportedMediaType(ServiceError):
    status = 415


def json_body() -> dict:
    """The request's JSON object.

    :raise UnsupportedMediaType: the body is not declared as JSON.
    :raise ServiceError: the body is not well-formed JSON or not an object (400).
    """
    if not request.is_json:
        raise UnsupportedMediaType(_("Send the body as JSON with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if data is None:
        raise ServiceError(_("The body is not well-formed JSON."))
    if not isinstance(data, dict):
        raise ServiceError(_("The body must be a JSON object."))
    if not _numbers_in_range(data):
        raise Invalid(
            _("Check the body."),
            [
                FieldError(
                    "body", _("Numbers must lie between -%(max)d and %(max)d.", max=MAX_JSON_INT)
                )
            ],
        )
    return data


# Beyond 2**53 JSON numbers lose precision in most clients, and no column of ours holds them.
MAX_JSON_INT = 2**53 - 1


def _numbers_in_range(value, depth: int = 0) -> bool:
    if depth > 50:
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_JSON_INT <= value <= MAX_JSON_INT
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) <= MAX_JSON_INT
    if isinstance(value, dict):
        return all(_numbers_in_range(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return all(_numbers_in_range(item, depth + 1) for item in value)
    return True


def page_params() -> tuple[int, int]:
    """``page`` and ``per_page``, validated strictly: bad values are a 422, not a guess."""
    maximum = current_app.config["SETTINGS"].api_per_page_max
    errors = []
    values = {}
    for name, default, top in (("page", 1, 10_000), ("per_page", 20, maximum)):
        raw = request.args.get(name)
        if raw is None:
            values[name] = default
            continue
        if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= top:
            errors.append(FieldError(name, _("Use a whole number from 1 to %(max)d.", max=top)))
        else:
            values[name] = int(raw)
    if errors:
        raise Invalid(_("Check the query parameters."), errors)
    return values["page"], values["per_page"]


def page_response(page: Page, serialise) -> object:
    return jsonify(
        items=[serialise(item) for item in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
    )


def string_field(data: dict, name: str, *, max_length: int, required: bool = False, errors: list):
    value = data.get(name)
    if value is None:
        if required:
            errors.append(FieldError(name, _("This field is required.")))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(name, _("Must be text.")))
        return None
    if len(value) > max_length:
        errors.append(FieldError(name, _("Use at most %(max)d characters.", max=max_length)))
        return None
    return value
