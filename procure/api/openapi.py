"""The OpenAPI 3.1 document, assembled from the routes and the ``document`` decorator."""

from __future__ import annotations

import re

from flask import Flask

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": {"type": "integer"}, "string": {"type": "string"}, None: {"type": "string"}}

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def document(
    summary: str,
    *,
    responses: dict | None = None,
    parameters=None,
    body=None,
    tags=None,
    errors: tuple[int, ...] = (),
):
    """Attach the OpenAPI description of one API view.

    The error statuses every operation can give follow from its shape (see ``error_statuses``);
    ``errors`` adds the ones particular to this view (a 409 for a record in the wrong state).
    """

    def decorate(view):
        view.openapi = {
            "summary": summary,
            "responses": responses or {"200": {"description": "OK"}},
            "parameters": parameters or [],
            "body": body,
            "tags": tags or [],
            "errors": tuple(errors),
        }
        return view

    return decorate


def query_param(name: str, schema: dict, description: str = "") -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGE_PARAMS = [
    query_param("page", {"type": "integer", "minimum": 1}, "Page number, from 1"),
    query_param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Items per page"),
]


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _CONVERTER.findall(rule):
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _TYPES.get(converter or None, _TYPES[None]),
            }
        )
    return _CONVERTER.sub(r"{\2}", rule), params


ERROR_DESCRIPTIONS = {
    400: "The request is malformed: NUL characters, a body that is not well-formed JSON",
    401: "No valid bearer token",
    403: "The caller's role or organisation may not do this",
    404: "No such record, or one the caller may not know exists",
    409: "The record changed since it was read, or its state refuses this action",
    413: "The body is larger than the allowed size",
    415: "The body is not sent as application/json",
    422: "A parameter or field is invalid; `errors` says which and why",
}


def error_statuses(spec: dict, *, secured: bool, path_params: bool, method: str) -> list[int]:
    """The error statuses an operation can answer, from what it takes and who may call it."""
    statuses = {400, *spec.get("errors", ())}
    if secured:
        statuses |= {401, 403}
        if method != "GET":
            statuses.add(409)  # stale version, or a record in a state that refuses the action
    if path_params:
        statuses.add(404)
    if spec["parameters"]:
        statuses.add(422)
    if spec["body"] and method in ("POST", "PUT", "PATCH"):
        statuses |= {400, 413, 415, 422}
    return sorted(statuses)


def build(app: Flask, prefix: str = "/api/v1") -> dict:
    paths: dict = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix):
            continue
        view = app.view_functions[rule.endpoint]
        spec = getattr(view, "openapi", None)
        if spec is None:
            raise RuntimeError(f"API route {rule.rule} has no OpenAPI description")
        path, path_params = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rule_obj = getattr(view, "authz_rule", None)
            secured = rule_obj is not None and not rule_obj.public
            errors = error_statuses(
                spec, secured=secured, path_params=bool(path_params), method=method
            )
            operation = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": spec["summary"],
                "tags": spec["tags"],
                "parameters": path_params + spec["parameters"],
                "responses": {
                    **spec["responses"],
                    **{
                        str(status): {
                            "description": ERROR_DESCRIPTIONS.get(status, "Error"),
                            "content": {"application/problem+json": {"schema": PROBLEM}},
                        }
                        for status in errors
                    },
                },
            }
            if secured:
                operation["security"] = [{"bearer": []}]
            if spec["body"] and method in ("POST", "PUT", "PATCH"):
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": spec["body"]}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "procure API",
            "version": "1.0.0",
            "description": (
                "The JSON API of procure, the innovative public procurement marketplace. "
                "Authenticate with a personal token from your profile: "
                "`Authorization: Bearer <token>`. "
                "Version 1 of the API: every path starts with `/api/v1`; incompatible changes get "
                "a new prefix (`/api/v2`) and the old one is kept for at least six months after a "
                "`Deprecation` header announces its end. Lists are paginated (`page`, `per_page`). "
                "Requests are rate-limited per token, or per IP address without one: the "
                "`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers tell the "
                "allowance, and a refused request is a 429 problem with `Retry-After` seconds. "
                "Open data: `/api/v1/ocds/releases` and `/api/v1/ocds/records` (OCDS 1.1)."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                **SCHEMAS,
            },
        },
    }


SCHEMAS = {
    "Organisation": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["agency", "supplier", "operator"]},
            "name": {"type": "string"},
            "name_en": {"type": ["string", "null"]},
            "region": {"type": ["string", "null"]},
            "is_sme": {"type": "boolean"},
            "verified": {"type": "boolean"},
        },
    },
    "Me": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "phone": {"type": ["string", "null"]},
            "locale": {"type": ["string", "null"]},
            "roles": {"type": "array", "items": {"type": "string"}},
            "version": {"type": "integer"},
            "organisation": {
                "oneOf": [{"$ref": "#/components/schemas/Organisation"}, {"type": "null"}]
            },
        },
    },
}
