"""A small typed router: each endpoint names its scope and its query, body and response models. The
same table serves the requests, checks them, and writes the OpenAPI document."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api import problems
from bot.deps import Deps
from services import inputs
from services.errors import DomainError, Forbidden, InvalidInput
from services.organisation import api_tokens
from services.organisation.api_tokens import Scope, TokenRead

MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Call:
    """One API request, parsed: what a handler works with."""

    deps: Deps
    token: TokenRead
    path: dict[str, str]
    query: Any
    body: Any

    def actor(self, named: str | None) -> str:
        """Who a write is made as: the token's person, or the `actor` the body names."""
        if self.token.acts_as is not None:
            if named not in (None, self.token.acts_as):
                raise Forbidden(f"This token acts as {self.token.acts_as}; it cannot act as {named}.")
            return self.token.acts_as
        if named is None:
            raise InvalidInput("Name the Slack user this change is made as.", field="actor")
        return named


Handler = Callable[[Call], Awaitable[BaseModel]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    tag: str
    handler: Handler
    response: type[BaseModel]
    scope: Scope = Scope.READ
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    status: int = 200
    description: str = ""

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _authenticate(request: web.Request, deps: Deps, scope: Scope) -> TokenRead | web.Response:
    secret = _bearer(request)
    if secret is None:
        return problems.problem(401, "Unauthorized", "Send `Authorization: Bearer <token>` (wrench token create).")

    async def check(session: Any) -> TokenRead | None:
        return await api_tokens.authenticate(session, now=deps.clock(), token=secret)

    token = await deps.db.run(check)
    if token is None:
        return problems.problem(401, "Unauthorized", "This token is not valid (mistyped, or revoked).")
    if scope not in token.scopes:
        return problems.problem(403, "Forbidden", f"This token lacks the {scope.value} scope.")
    return token


class DuplicateKey(ValueError):
    """A JSON object names the same key twice: `json` would silently keep the last one."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads`' object_pairs_hook: an object, refusing a key it already has."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def read_json(data: bytes) -> Any:
    """The body as JSON (`json` reads UTF-8, UTF-16 and UTF-32); `DuplicateKey` for a repeated key."""
    return json.loads(data or b"null", object_pairs_hook=_object)


def is_json(content_type: str) -> bool:
    """`application/json`, or a JSON type of its own (`application/merge-patch+json`); parameters such as
    `charset` were already split off by aiohttp."""
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _parse(model: type[BaseModel] | None, data: Any) -> Any:
    return None if model is None else model.model_validate(data)


def serve(endpoint: Endpoint, deps: Deps) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        token = await _authenticate(request, deps, endpoint.scope)
        if isinstance(token, web.Response):
            return token
        sent = dict(request.query)
        if (where := inputs.unstorable_at(sent)) is not None:
            return problems.unstorable(where, within="query")
        try:
            query = _parse(endpoint.query, sent)
        except ValidationError as error:
            return problems.from_validation(error, where="query")
        body = None
        if endpoint.body is not None:
            if not is_json(request.content_type):  # aiohttp names a missing type application/octet-stream
                sent_as = request.headers.get("Content-Type") or "no Content-Type"
                detail = f"Send the body as JSON with Content-Type: application/json (this was {sent_as[:100]})."
                return problems.problem(415, "Unsupported media type", detail)
            data = await request.content.read(MAX_BODY + 1)
            if len(data) > MAX_BODY:
                return problems.problem(413, "Too large", f"A request body may be at most {MAX_BODY} bytes.")
            try:
                raw = read_json(data)
                where = inputs.unstorable_at(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                return problems.problem(400, "Malformed JSON", f"The body is not JSON: {error}.")
            except DuplicateKey as error:
                key = json.dumps(error.key)[:100]
                detail = f"The key {key} appears twice in one object; send each key once."
                return problems.problem(
                    400,
                    "Malformed JSON",
                    detail,
                    [problems.FieldError(field=error.key[:100] or "body", message=detail)],
                )
            except ValueError:  # Python reads integers of at most 4300 digits
                return problems.problem(400, "Malformed JSON", "A number in the body has too many digits.")
            except RecursionError:
                return problems.problem(400, "Malformed JSON", "The body nests too deeply.")
            if where is not None:
                return problems.unstorable(where, within="body")
            try:
                body = endpoint.body.model_validate(raw)
            except ValidationError as error:
                return problems.from_validation(error, where="body")
        call = Call(deps=deps, token=token, path=dict(request.match_info), query=query, body=body)
        try:
            result = await endpoint.handler(call)
        except DomainError as error:
            return problems.from_domain(error)
        return web.json_response(result.model_dump(mode="json"), status=endpoint.status)

    return handle
