"""The OpenAPI document against the running API: it is a valid OpenAPI 3.1 document, it lists exactly
the routes the server has, and every answer the server gives (success or problem) has a status the
document names for that operation and a body that matches the schema it gives."""

import json
from functools import partial
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from bot.api import ENDPOINTS, PREFIX, build_api
from bot.api.openapi import openapi_path
from services.inventory import parts, places
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.support.api import Answer, ApiClient, api_client
from tests.support.bot import BotClient
from tests.support.org import CONFIG, MANAGER, STAFF, TECH_1

# Requests for every operation: what a client would send, right and wrong. Each is checked against the
# document; the last column is the status the test expects (the document must also allow it).
CASES: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, int]] = [
    ("GET", "/work-orders", {"limit": 1}, None, 200),
    ("GET", "/work-orders", {"status": "open", "team": "facilities", "priority": "medium"}, None, 200),
    ("GET", "/work-orders", {"asset": "AHU-1", "updated_since": "2020-01-01T00:00:00Z"}, None, 200),
    ("GET", "/work-orders", {"status": "sideways"}, None, 422),
    ("GET", "/work-orders", {"limit": "many"}, None, 422),
    ("GET", "/work-orders", {"updated_since": "last tuesday"}, None, 422),
    ("GET", "/work-orders", {"asset": "NOPE"}, None, 422),
    ("POST", "/work-orders", None, {"category": "plumbing", "title": "Leak", "actor": TECH_1}, 201),
    ("POST", "/work-orders", None, {"category": "plumbing", "title": "Leak", "actor": STAFF}, 403),
    ("POST", "/work-orders", None, {"category": "plumbing", "title": 7, "actor": TECH_1}, 422),
    ("GET", "/work-orders/1", None, None, 200),
    ("GET", "/work-orders/999", None, None, 404),
    ("GET", "/work-orders/1/events", None, None, 200),
    ("POST", "/work-orders/1/status", None, {"status": "in_progress", "actor": TECH_1}, 200),
    ("POST", "/work-orders/1/status", None, {"status": "closed", "actor": TECH_1}, 409),
    ("POST", "/work-orders/1/status", None, {"status": "nowhere", "actor": TECH_1}, 422),
    ("POST", "/work-orders/1/assignment", None, {"assignee": MANAGER, "actor": MANAGER}, 200),
    ("POST", "/work-orders/1/assignment", None, {"assignee": "bob", "actor": MANAGER}, 422),
    ("GET", "/requests", {"status": "approved"}, None, 200),
    ("POST", "/requests", None, {"category": "keys", "title": "Key", "actor": STAFF}, 201),
    ("POST", "/requests", None, {"title": "Key", "actor": STAFF}, 422),
    ("GET", "/requests/1", None, None, 200),
    ("GET", "/requests/999", None, None, 404),
    ("GET", "/assets", {"updated_since": "2020-01-01T00:00:00+01:00"}, None, 200),
    ("GET", "/assets/AHU-1", None, None, 200),
    ("GET", "/assets/NOPE", None, None, 404),
    ("GET", "/locations", None, None, 200),
    ("GET", "/parts", None, None, 200),
    ("GET", "/parts/FLT-1", None, None, 200),
    ("GET", "/parts/NOPE", None, None, 404),
    ("GET", "/pm-schedules", {"team": "facilities"}, None, 200),
    ("GET", "/kpis", {"team": "facilities", "days": 30}, None, 200),
    ("GET", "/kpis", {"days": 30}, None, 422),
    ("POST", "/vendors", None, {"key": "acme", "name": "Acme", "hourly_rate": "85.50", "actor": MANAGER}, 201),
    ("POST", "/vendors", None, {"key": "bolt", "name": "Bolt", "email": "bolt at", "actor": MANAGER}, 422),
    ("POST", "/vendors", None, {"key": "bolt", "name": "Bolt", "hourly_rate": 85.5, "actor": MANAGER}, 422),
    ("POST", "/vendors", None, {"key": "bolt", "name": "Bolt", "actor": STAFF}, 403),
    ("GET", "/vendors", {"limit": 10}, None, 200),
    ("GET", "/vendors/ACME", None, None, 200),
    ("GET", "/vendors/nope", None, None, 404),
    ("PATCH", "/vendors/acme", None, {"phone": "+1 555 0100", "expires_on": None, "actor": MANAGER}, 200),
    ("PATCH", "/vendors/acme", None, {"currency": "EURO", "actor": MANAGER}, 422),
    ("PATCH", "/vendors/nope", None, {"name": "Nope", "actor": MANAGER}, 404),
    (
        "POST",
        "/purchase-requests",
        None,
        {"vendor": "acme", "lines": [{"sku": "FLT-1", "quantity": 3}], "actor": TECH_1},
        201,
    ),
    (
        "POST",
        "/purchase-requests",
        None,
        {"vendor": "acme", "lines": [{"sku": "FLT-1", "quantity": 0}], "actor": TECH_1},
        422,
    ),
    (
        "POST",
        "/purchase-requests",
        None,
        {"vendor": "acme", "lines": [{"sku": "FLT-1", "quantity": 1}], "actor": STAFF},
        403,
    ),
    ("GET", "/purchase-orders", {"status": "ordered", "limit": 5}, None, 200),
    ("GET", "/purchase-orders", {"status": "lost"}, None, 422),
    ("GET", "/purchase-orders/PO-1", None, None, 200),
    ("GET", "/purchase-orders/PO-99", None, None, 404),
    (
        "POST",
        "/purchase-orders/PO-1/receipts",
        None,
        {"lines": [{"sku": "FLT-1", "quantity": 9}], "actor": TECH_1},
        422,
    ),
    ("POST", "/purchase-orders/PO-1/receipts", None, {"actor": TECH_1}, 200),
    ("POST", "/purchase-orders/PO-1/receipts", None, {"actor": TECH_1}, 409),
    ("GET", "/spend", {"days": 30, "team": "facilities"}, None, 200),
    ("GET", "/spend", {"days": 0}, None, 422),
]


@pytest.fixture
def org() -> Organisation:
    """Requests under 50 are approved at once: a purchase order to read and receive."""
    return parse_organisation(CONFIG + "purchasing:\n  auto_approve_below: {amount: '50'}\n")


@pytest.fixture
async def spec(bot: BotClient) -> dict[str, Any]:
    async with bot.http.get(f"{bot.url}{PREFIX}/openapi.json") as response:
        assert response.status == 200
        return await response.json()


def test_the_document_is_valid_openapi_31() -> None:
    from bot.api.openapi import document

    doc = document(ENDPOINTS, version="test")
    validate_openapi(doc)
    assert doc["openapi"] == "3.1.0"


def test_the_document_lists_exactly_the_routes_served() -> None:
    from bot.api.openapi import document

    documented = {
        (method.upper(), path) for path, ops in document(ENDPOINTS, version="t")["paths"].items() for method in ops
    }
    served = set()
    for route in build_api(deps=None).router.routes():  # type: ignore[arg-type]
        if route.method == "HEAD" or route.name == "openapi":
            continue
        served.add((route.method, openapi_path(route.resource.canonical)[0]))
    assert served == documented


def _schema_for(spec: dict[str, Any], method: str, path: str, status: int, content_type: str) -> dict[str, Any]:
    template = next((p for p in spec["paths"] if _matches(p, path) and method.lower() in spec["paths"][p]), None)
    assert template is not None, f"{method} {path} is not documented"
    responses = spec["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} answered {status}, which the document does not list"
    content = responses[str(status)]["content"]
    assert content_type in content, f"{method} {template} {status}: {content_type} not documented"
    return content[content_type]["schema"]


def _matches(template: str, path: str) -> bool:
    parts_t, parts_p = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts_t) == len(parts_p) and all(
        t.startswith("{") or t == p for t, p in zip(parts_t, parts_p, strict=True)
    )


def check(spec: dict[str, Any], method: str, path: str, answer: Answer) -> None:
    schema = _schema_for(spec, method, path, answer.status, answer.content_type)
    validator = Draft202012Validator({**schema, "components": spec["components"]})
    problems = sorted(validator.iter_errors(answer.body), key=str)
    assert not problems, f"{method} {path} {answer.status}: {problems[0].message} at {list(problems[0].path)}"


async def test_every_answer_matches_the_document(bot: BotClient, spec: dict[str, Any]) -> None:
    deps = bot.running.deps
    now = deps.clock()
    await deps.db.run(partial(places.add_asset, now=now, tag="AHU-1", name="Air handler", location="HQ / Roof"))
    await deps.db.run(partial(parts.add_part, now=now, actor_id="cli", sku="FLT-1", name="Filter", unit_cost=1))
    api = await api_client(bot)
    seen: set[tuple[str, str]] = set()
    for method, path, query, body, expected in CASES:
        if method == "GET":
            answer = await api.get(path, **(query or {}))
        else:
            answer = await (api.patch(path, body) if method == "PATCH" else api.post(path, body))
        assert answer.status == expected, f"{method} {path} {query or body}: {answer.status} {answer.body}"
        check(spec, method, path, answer)
        seen.add((method, next(p for p in spec["paths"] if _matches(p, path))))
    # every operation was exercised, and the problems every operation may give are real
    assert seen == {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    unauthorised = await ApiClient(bot, None).get("/work-orders")
    check(spec, "GET", "/work-orders", unauthorised)
    reader = await api_client(bot, name="reader", scopes=())  # type: ignore[arg-type]
    check(spec, "POST", "/requests", await reader.post("/requests", {"category": "keys", "title": "K"}))


async def test_the_served_document_is_the_generated_one(spec: dict[str, Any]) -> None:
    from bot.api.openapi import document

    assert json.loads(json.dumps(document(ENDPOINTS, version=spec["info"]["version"]))) == spec
