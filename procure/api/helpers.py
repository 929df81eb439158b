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
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser's recursion limit
        data = None
    if data is None:
        raise ServiceError(_("The body is not well-formed JSON."))
    if not isinstance(data, dict):
        raise ServiceError(_("The body must be a JSON object."))
    problem = _body_problem(data)
    if problem is not None:
        raise Invalid(_("Check the body."), [FieldError(*problem)])
    return data


# Beyond 2**53 JSON numbers lose precision in most clients, and no column of ours holds them.
MAX_JSON_INT = 2**53 - 1
#: No body of ours nests deeper (a demand's requirements: object > list > object > list).
MAX_JSON_DEPTH = 20
#: Lone UTF-16 surrogates ("\ud800" in JSON) cannot be stored as UTF-8 text.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _body_problem(data) -> tuple[str, str] | None:
    """(field, message) for the first value of a parsed body that cannot be taken, or None.

    Every string and number is checked here, once, so that no service meets a value no column
    can hold (the database would refuse it deep in a flush, a 500). The field is named as the
    services name it: ``title``, ``requirements-0-name``; ``body`` for a key.
    """
    pending = [(data, (), 0)]
    while pending:
        value, path, depth = pending.pop()
        field = "-".join(str(part) for part in path) or "body"
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return "body", _(
                "The body is nested too deeply (at most %(max)d levels).", max=MAX_JSON_DEPTH
            )
        if isinstance(value, str):
            if "\x00" in value:
                return field, _("Must not contain NUL characters.")
            if _SURROGATE.search(value):
                return field, _(
                    "Text must be valid Unicode: it holds a lone surrogate (\\ud800–\\udfff), "
                    "which no text can store."
                )
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float):
            finite = not isinstance(value, float) or math.isfinite(value)
            if not finite or not -MAX_JSON_INT <= value <= MAX_JSON_INT:
                return field, _("Numbers must lie between -%(max)d and %(max)d.", max=MAX_JSON_INT)
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key or _SURROGATE.search(key):
                    return "body", _("A key of the body holds characters no text can store.")
                pending.append((item, (*path, key), depth))
        elif isinstance(value, list):
            # Rows (objects) are named by index, as the services name them; a list of plain
            # values (``codes``) is one field.
            pending.extend(
                (item, (*path, index) if isinstance(item, dict | list) else path, depth)
                for index, item in enumerate(value)
            )
    return None


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
