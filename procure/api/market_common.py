"""Shared pieces of the market API: bodies checked by type, strict query filters, JSON helpers.

The services check content (lengths, ranges, codes, states); this layer only makes sure each
value has the JSON type the service expects, so a number sent for text, or an object sent for
a list, is a 422 with field errors and never reaches code that would fail on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import jsonify, request
from flask_babel import gettext as _

from procure.api.helpers import json_body
from procure.errors import Conflict, FieldError, Invalid, stale_message
from procure.regions import REGIONS

MAX_ID = 2**62
_DIGITS = re.compile(r"[0-9]{1,19}")


# -- request bodies ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a JSON body: its kind, for checking its type and for the OpenAPI document.

    ``kind``: text, int, date, bool, choice (text from ``choices``), codes (list of text),
    regions (list of 시·도 codes), rows (list of objects whose fields are ``row``).
    Lengths and ranges are only documented here; the services enforce them.
    """

    kind: str
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple = ()
    nullable: bool = True
    row: dict | None = None
    required: bool = False
    create_only: bool = False
    description: str = ""


VERSION = Field("int", nullable=False, required=True, description="The version you read")
OPTIONAL_VERSION = Field("int", description="The version you read (checked when sent)")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_value(name: str, spec: Field, value, errors: list[FieldError]) -> None:
    if value is None:
        if spec.required or not spec.nullable:
            errors.append(FieldError(name, _required_message(spec)))
        return
    kind = spec.kind
    if kind == "text" and not isinstance(value, str):
        errors.append(FieldError(name, _("Must be text.")))
    elif kind in ("text", "date", "choice") and isinstance(value, str) and "\x00" in value:
        errors.append(FieldError(name, _nul_message()))
    elif kind == "int" and not _is_int(value):
        errors.append(FieldError(name, _number_message(spec)))
    elif kind == "date" and not isinstance(value, str):
        errors.append(FieldError(name, _("Enter a date as YYYY-MM-DD.")))
    elif kind == "choice":
        if not isinstance(value, str) or (value and value not in spec.choices):
            errors.append(FieldError(name, _("Choose one of the listed options.")))
        elif not value and spec.required:
            errors.append(FieldError(name, _("This field is required.")))
    elif kind == "codes" and not (
        isinstance(value, list) and all(isinstance(c, str) and "\x00" not in c for c in value)
    ):
        errors.append(FieldError(name, _("Give the codes as a list of text values.")))
    elif kind == "regions" and not (
        isinstance(value, list) and all(isinstance(r, str) and r in REGIONS for r in value)
    ):
        errors.append(FieldError(name, _("Choose regions from the list.")))
    elif kind == "rows":
        if not isinstance(value, list):
            errors.append(FieldError(name, _("Give a list.")))
            return
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                errors.append(FieldError(f"{name}-{index}", _("Each row must be an object.")))
                continue
            check_fields(item, spec.row or {}, errors, prefix=f"{name}-{index}-")
    # "bool" is left to the service, which names the field in its message.


def _nul_message() -> str:
    # PostgreSQL refuses NUL in text; refuse it here rather than fail on saving.
    return _("Must not contain NUL characters.")


def _required_message(spec: Field) -> str:
    if spec is VERSION or spec is OPTIONAL_VERSION:
        return _("Send the version you read, as a whole number.")
    return _("This field is required.")


def _number_message(spec: Field) -> str:
    if spec is VERSION or spec is OPTIONAL_VERSION:
        return _("Send the version you read, as a whole number.")
    return _("Enter a whole number.")


def check_fields(
    data: dict, fields: dict[str, Field], errors: list[FieldError], prefix: str = ""
) -> None:
    """Add an error for each unknown field and each value of the wrong JSON type."""
    for key in data:
        if key not in fields:
            errors.append(FieldError(f"{prefix}{key}", _("Unknown field.")))
    for key, spec in fields.items():
        if key in data or spec.required:
            _check_value(f"{prefix}{key}", spec, data.get(key), errors)


def read_body(fields: dict[str, Field], *, updating: bool = False, optional: bool = False) -> dict:
    """The request's JSON object, with every field of the right type.

    ``updating``: fields marked ``create_only`` are refused. ``optional``: an empty body is {}.

    :raise Invalid: unknown fields or wrong types (422); see ``json_body`` for 400 and 415.
    """
    data = {} if optional and not request.get_data(cache=True) else json_body()
    errors: list[FieldError] = []
    if updating:
        for key, spec in fields.items():
            if spec.create_only and key in data:
                errors.append(FieldError(key, _("This field can be set only when creating.")))
        fields = {k: v for k, v in fields.items() if not v.create_only}
        data = {k: v for k, v in data.items() if k not in {e.field for e in errors}}
    check_fields(data, fields, errors)
    if errors:
        raise Invalid(_("Some fields need your attention."), errors)
    return data


def check_version(record, version: int | None) -> None:
    """For actions whose service takes no version: refuse a stale one that was sent."""
    if version is not None and version != record.version:
        raise Conflict(stale_message())


def renamed(error: Invalid, names: dict[str, str]) -> Invalid:
    """The same error with service field names replaced by the API's."""
    for item in error.errors:
        item.field = names.get(item.field, item.field)
    return error


def field_schema(spec: Field) -> dict:
    kind = spec.kind
    if kind == "text":
        schema: dict = {"type": "string"}
        if spec.max_length:
            schema["maxLength"] = spec.max_length
    elif kind == "int":
        schema = {"type": "integer"}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "choice":
        schema = {"type": "string", "enum": list(spec.choices)}
    elif kind in ("codes", "regions"):
        items = {"type": "string"}
        if kind == "regions":
            items["enum"] = list(REGIONS)
        schema = {"type": "array", "items": items}
    else:  # rows
        schema = {"type": "array", "items": body_schema(spec.row or {})}
    if spec.nullable:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    if spec.description:
        schema["description"] = spec.description
    return schema


def body_schema(fields: dict[str, Field], *, updating: bool = False) -> dict:
    """The JSON schema of a body, for the OpenAPI document."""
    chosen = {k: v for k, v in fields.items() if not (updating and v.create_only)}
    schema: dict = {
        "type": "object",
        "additionalProperties": False,
        "properties": {key: field_schema(spec) for key, spec in chosen.items()},
    }
    required = [key for key, spec in chosen.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


def overlay(base, data: dict, skip=("version", "note")):
    """Set the fields the client sent on an input built from the current record (PATCH)."""
    for key, value in data.items():
        if key not in skip:
            setattr(base, key, value)
    return base


# -- query strings -----------------------------------------------------------------------


class Filters:
    """Read list filters strictly: a bad value is a field error, never a guess."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def _raw(self, name: str) -> str | None:
        value = request.args.get(name)
        return value if value not in (None, "") else None

    def choice(self, name: str, allowed) -> str | None:
        value = self._raw(name)
        if value is not None and value not in set(allowed):
            self.errors.append(FieldError(name, _("Choose one of the listed options.")))
            return None
        return value

    def integer(self, name: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
        value = self._raw(name)
        if value is None:
            return None
        if not _DIGITS.fullmatch(value) or not minimum <= int(value) <= maximum:
            self.errors.append(
                FieldError(
                    name,
                    _(
                        "Enter a number from %(min)s to %(max)s.",
                        min=f"{minimum:,}",
                        max=f"{maximum:,}",
                    ),
                )
            )
            return None
        return int(value)

    def region(self, name: str = "region") -> str | None:
        value = self._raw(name)
        if value is not None and value not in REGIONS:
            self.errors.append(FieldError(name, _("Unknown region code.")))
            return None
        return value

    def division(self, name: str = "division") -> str | None:
        value = self._raw(name)
        if value is not None and not (len(value) == 2 and _DIGITS.fullmatch(value)):
            self.errors.append(
                FieldError(name, _("Use the two digits of a CPV division, such as 35."))
            )
            return None
        return value

    def text(self, name: str = "q", max_length: int = 100) -> str | None:
        value = self._raw(name)
        if value is not None and len(value) > max_length:
            self.errors.append(
                FieldError(name, _("Use at most %(max)d characters.", max=max_length))
            )
            return None
        if value is not None and "\x00" in value:
            self.errors.append(FieldError(name, _nul_message()))
            return None
        if value is None:
            return None
        return value.strip() or None

    def done(self) -> None:
        if self.errors:
            raise Invalid(_("Check the query parameters."), self.errors)


# -- responses ---------------------------------------------------------------------------


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def org_ref(org) -> dict | None:
    return {"id": org.id, "name": org.name} if org is not None else None


def created(payload: dict, location: str):
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def one(ref: str, description: str, status: str = "200") -> dict:
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        }
    }


def page_of(ref: str, description: str) -> dict:
    return {
        "200": {
            "description": description,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {"$ref": f"#/components/schemas/{ref}"},
                            },
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                            "total": {"type": "integer"},
                        },
                    }
                }
            },
        }
    }
