"""The OpenAPI 3.1 document, assembled from the routes and the ``document`` decorator."""

from __future__ import annotations

import re

from flask import Flask

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {"int": {"type": "integer"}, "string": {"type": "string"}, None: {"type": "string"}}

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def document(summary: str, *, responses: dict | None = None, parameters=None, body=None, tags=None):
    """Attach the OpenAPI description of one API view."""

    def decorate(view):
        view.openapi = {
            "summary": summary,
            "responses": responses or {"200": {"description": "OK"}},
            "parameters": parameters or [],
            "body": body,
            "tags": tags or [],
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
            operation = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": spec["summary"],
                "tags": spec["tags"],
                "parameters": path_params + spec["parameters"],
                "responses": {
                    **spec["responses"],
                    "default": {
                        "description": "Error",
                        "content": {"application/problem+json": {"schema": PROBLEM}},
                    },
                },
            }
            if rule_obj is not None and not rule_obj.public:
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
