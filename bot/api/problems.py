"""Errors as RFC 9457 problem documents (`application/problem+json`), naming the field that is wrong."""

import json
import re

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidFields,
    InvalidInput,
    InvalidTransition,
    InvalidValues,
    NotFound,
)
from services.inputs import UNSTORABLE

CONTENT_TYPE = "application/problem+json"
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the wrong value: `title`, `custom_fields.floor`, `cursor`.")
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


def problem(status: int, title: str, detail: str, errors: list[FieldError] | None = None) -> web.Response:
    body = Problem(title=title, status=status, detail=detail, errors=errors or [])
    response = web.Response(status=status, text=json.dumps(body.model_dump()), content_type=CONTENT_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wrench"'
    return response


def from_validation(error: ValidationError, *, where: str) -> web.Response:
    errors = [
        FieldError(field=".".join(str(part) for part in issue["loc"]) or where, message=issue["msg"])
        for issue in error.errors(include_url=False)
    ]
    detail = f"{len(errors)} value(s) in the {where} are not valid: {errors[0].field}: {errors[0].message}."
    return problem(422, "Invalid input", detail, errors)


def unstorable(path: tuple[str | int, ...], *, within: str) -> web.Response:
    """Text no database can store (`services.inputs.unstorable_at` found it at `path`)."""
    field = ".".join(str(part) for part in path) or within
    detail = f"1 value(s) in the {within} are not valid: {field}: {UNSTORABLE}"
    return problem(422, "Invalid input", detail, [FieldError(field=field, message=UNSTORABLE)])


def from_domain(error: DomainError) -> web.Response:
    detail = _MENTION.sub(r"\1", str(error))
    if isinstance(error, InvalidValues):
        errors = [FieldError(field=key, message=text) for key, text in error.errors.items()]
        return problem(422, "Invalid input", detail, errors)
    if isinstance(error, InvalidFields):
        errors = [FieldError(field=f"custom_fields.{key}", message=text) for key, text in error.errors.items()]
        return problem(422, "Invalid input", detail, errors)
    if isinstance(error, InvalidInput):
        return problem(422, "Invalid input", detail, [FieldError(field=error.field or "body", message=detail)])
    if isinstance(error, NotFound):
        return problem(404, "Not found", detail)
    if isinstance(error, Forbidden):
        return problem(403, "Forbidden", detail)
    if isinstance(error, InvalidTransition | Conflict):
        return problem(409, "Conflict", detail)
    return problem(400, "Refused", detail)
