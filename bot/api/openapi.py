"""The OpenAPI 3.1 document, written from the endpoint table and its pydantic models."""

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.api.problems import Problem
from bot.api.routing import Endpoint

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"\{(\w+)(?::([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")


def openapi_path(path: str) -> tuple[str, list[tuple[str, str | None]]]:
    """`/work-orders/{number:[0-9]+}` → (`/work-orders/{number}`, [("number", "[0-9]+")])."""
    params = [(m.group(1), m.group(2)) for m in _PARAM.finditer(path)]
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", path), params


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k != "description"},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema["properties"].items()
    ]


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": REF.format(model="Problem")}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


def document(endpoints: tuple[Endpoint, ...], *, version: str) -> dict[str, Any]:
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Problem, "serialization")}
    for endpoint in endpoints:
        wanted.add((endpoint.response, "serialization"))
        wanted.update((model, "validation") for model in (endpoint.query, endpoint.body) if model is not None)
    refs, top = models_json_schema(sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1])), ref_template=REF)
    components = top.get("$defs", {})

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return refs[(model, mode)]

    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        path, path_params = openapi_path(endpoint.path)
        responses: dict[str, Any] = {
            str(endpoint.status): {
                "description": "OK",
                "content": {"application/json": {"schema": ref(endpoint.response, "serialization")}},
            },
            "401": _problem("No token, or a token that is not valid"),
            "403": _problem("The token lacks the scope, or the actor may not do this"),
            "422": _problem("A value is not valid; `errors` names each field"),
        }
        if path_params:
            responses["404"] = _problem("Not found")
        if endpoint.body is not None:
            responses["400"] = _problem("The body is not JSON, or an object in it repeats a key (the detail names it)")
            responses["413"] = _problem("The body is over 256 KiB")
            responses["415"] = _problem("The body is not sent as `Content-Type: application/json`")
            responses["409"] = _problem("The work order changed, or the change does not fit its status")
        operation: dict[str, Any] = {
            "operationId": endpoint.operation_id,
            "summary": endpoint.summary,
            "tags": [endpoint.tag],
            "security": [{"bearer": [endpoint.scope.value]}],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": f"^{rx}$"}}
                for name, rx in path_params
            ]
            + (_query_parameters(endpoint.query) if endpoint.query else []),
            "responses": responses,
        }
        if endpoint.description:
            operation["description"] = endpoint.description
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(endpoint.body, "validation")}},
            }
        paths.setdefault(path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wrench API",
            "version": version,
            "description": "Work orders, requests, assets, parts, PM schedules and KPIs. See docs/api.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A token from `wrench token create`."}
            },
        },
    }
