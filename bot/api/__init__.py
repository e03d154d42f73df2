"""The REST API at `/api/v1`: bearer tokens, JSON in and out, problems as `application/problem+json`.

Mounted on the same aiohttp server as `/slack/events`; docs/api.md describes it for people, and
`/api/v1/openapi.json` for programs. The other way out to other systems, webhooks, is delivered by
`webhook_worker`.
"""

from importlib.metadata import version

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.api import problems, purchasing, registers, vendors, work_orders
from bot.api.openapi import document
from bot.api.routing import Endpoint, serve
from bot.deps import Deps

ENDPOINTS: tuple[Endpoint, ...] = (
    *work_orders.ENDPOINTS,
    *registers.ENDPOINTS,
    *vendors.ENDPOINTS,
    *purchasing.ENDPOINTS,
)
PREFIX = "/api/v1"


@web.middleware
async def _problems_for_http_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own 404 and 405 come back as problem documents too."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return problems.problem(error.status, error.reason, f"{request.method} {request.path}: {error.reason}.")


def build_api(deps: Deps) -> web.Application:
    api = web.Application(middlewares=[_problems_for_http_errors])
    for endpoint in ENDPOINTS:
        api.router.add_route(endpoint.method, endpoint.path, serve(endpoint, deps), name=endpoint.operation_id)
    spec = document(ENDPOINTS, version=version("wrench"))

    async def openapi_json(_: web.Request) -> web.Response:
        return web.json_response(spec)

    api.router.add_get("/openapi.json", openapi_json, name="openapi")
    return api
