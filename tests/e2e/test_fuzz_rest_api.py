"""Hostile input to the REST API (property tests against the running bot): any body, any query, any
token. Every answer is a problem document naming what is wrong (never a 500 or a stack trace), a
refused call changes nothing in the database, and accepted text is stored exactly as sent."""

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from models.db import Database
from services import inputs
from tests.e2e.flow import file_request
from tests.support import hostile
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.fuzz import E2E, row_counts
from tests.support.org import MANAGER, STAFF, TECH_1

PROBLEM = "application/problem+json"
WRITES = ("/requests", "/work-orders", "/work-orders/1/status", "/work-orders/1/assignment")
BODY_FIELDS = (
    "category",
    "title",
    "description",
    "location",
    "asset",
    "asset_down",
    "priority",
    "custom_fields",
    "actor",
    "requester",
    "status",
    "reason",
    "hold_reason",
    "resolution",
    "cause",
    "minutes",
    "version",
    "assignee",
)


async def call(bot: BotClient, token: str, method: str, path: str, data: bytes | None = None) -> tuple[int, Any]:
    """One raw call (the path already percent-encoded); returns the status and the JSON answer, after
    checking it is a clean one: below 500, and a problem document naming what is wrong when refused."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with bot.http.request(method, f"{bot.url}/api/v1{path}", data=data, headers=headers) as response:
        status, content_type, text = response.status, response.content_type, await response.text()
    assert status < 500, (status, text)
    assert "Traceback" not in text and 'File "' not in text, text
    body = json.loads(text)
    if status >= 400:
        assert content_type == PROBLEM, (status, content_type, text)
        assert body["status"] == status and body["title"] and body["detail"], body
        if status == 422:
            assert body["errors"] and all(e["field"] and e["message"] for e in body["errors"]), body
    return status, body


@pytest.fixture
async def token(bot: BotClient) -> str:
    """A read and write token, made once per test (before its examples run)."""
    made = (await api_client(bot, name="fuzz")).token
    assert made is not None
    return made


@pytest.fixture
async def work_order(bot: BotClient) -> int:
    """WO-1, for the paths that change one."""
    await file_request(bot, title="Broken tap")
    return 1


async def work_order_one(bot: BotClient, token: str) -> Any:
    return (await call(bot, token, "GET", "/work-orders/1"))[1]


def almost_right() -> st.SearchStrategy[dict[str, Any]]:
    """A body shaped like the real ones, with fields left out, added, or of the wrong type."""
    good: dict[str, Any] = {
        "category": "plumbing",
        "title": "Leak",
        "actor": TECH_1,
        "status": "in_progress",
        "assignee": TECH_1,
    }
    return st.fixed_dictionaries(
        {},
        optional={
            **{key: st.one_of(st.just(value), hostile.json_value()) for key, value in good.items()},
            **{key: hostile.json_value() for key in BODY_FIELDS if key not in good},
        },
    )


def any_body() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=200),
        hostile.json_value().map(lambda value: json.dumps(value).encode()),
        almost_right().map(lambda value: json.dumps(value).encode()),
        st.sampled_from(
            (
                b"",
                b"{",
                b"\xff\xfe{}",
                b'{"title": "\\ud800"}',
                b'{"title": NaN, "category": Infinity}',
                b'{"title": 1' + b"0" * 5000 + b"}",
                b'{"title": "a", "title": "b"}',
                b"[" * 5000,
            )
        ),
    )


@E2E
@given(path=st.sampled_from(WRITES), body=any_body())
@example(path="/requests", body=b'{"category": "plumbing", "title": 1' + b"0" * 5000 + b', "actor": "U0STAFF"}')
@example(path="/work-orders/1/status", body=b'{"status": "open", "actor": "U0TECH1", "version": 1' + b"0" * 30 + b"}")
@example(path="/work-orders/1/assignment", body=b'{"assignee": null, "actor": "U0MANAGER", "version": -1e400}')
async def test_any_body_gets_a_clean_answer_and_a_refusal_changes_nothing(
    bot: BotClient, db: Database, token: str, work_order: int, path: str, body: bytes
) -> None:
    await bot.settled()
    before, shown = await row_counts(db), await work_order_one(bot, token)
    status, answer = await call(bot, token, "POST", path, body)
    event(f"answered {status}")
    if status >= 400:
        assert await row_counts(db) == before
        assert await work_order_one(bot, token) == shown
    else:
        assert status in (200, 201), answer


def request_body() -> st.SearchStrategy[dict[str, Any]]:
    """A valid request with hostile text in its text fields, and now and then a hostile other value."""
    words = st.one_of(hostile.text(), hostile.text(), hostile.huge())
    texts = st.fixed_dictionaries({"title": words}, optional={"description": words, "location": words})
    others = st.fixed_dictionaries(
        {},
        optional={
            "category": st.one_of(st.sampled_from(("hvac", "keys")), hostile.text(max_size=70)),
            "actor": st.one_of(st.sampled_from((TECH_1, MANAGER)), hostile.text(max_size=12)),
            "priority": st.one_of(st.sampled_from(("low", "urgent")), hostile.text(max_size=10)),
            "custom_fields": st.fixed_dictionaries(
                {"floor": st.one_of(st.integers(-5, 50), hostile.scalar())},
                optional={"kind": hostile.scalar(), "noticed": hostile.scalar(), "contact": hostile.scalar()},
            ),
            "asset": hostile.text(max_size=70),
        },
    )
    base = {"category": "plumbing", "actor": STAFF}
    return st.tuples(texts, st.one_of(st.just({}), others)).map(lambda parts: {**base, **parts[0], **parts[1]})


@E2E
@given(path=st.sampled_from(("/requests", "/work-orders")), sent=request_body())
@example(path="/requests", sent={"category": "plumbing", "title": "Leak\x00", "actor": STAFF})
@example(path="/requests", sent={"category": "plumbing", "title": "Leak \ud800", "actor": STAFF})
@example(path="/work-orders", sent={"category": "plumbing", "title": "' OR 1=1; --", "actor": TECH_1})
@example(path="/requests", sent={"category": "hvac\x00", "title": "Cold", "actor": STAFF})
@example(path="/requests", sent={"category": "plumbing", "title": "<b>x</b>", "actor": STAFF, "location": "\x00"})
async def test_hostile_text_is_stored_exactly_or_refused_naming_the_field(
    bot: BotClient, db: Database, token: str, path: str, sent: dict[str, Any]
) -> None:
    await bot.settled()
    before = await row_counts(db)
    status, answer = await call(bot, token, "POST", path, json.dumps(sent).encode())
    event(f"answered {status}")
    if inputs.unstorable_at(sent) is not None:  # NUL, a lone surrogate: refused alike on every database
        assert status == 422 and answer["errors"][0]["message"] == inputs.UNSTORABLE, answer
    if status >= 400:
        assert await row_counts(db) == before
        if status == 422:
            named = {error["field"].split(".")[0] for error in answer["errors"]}
            assert named <= set(sent) | {"body"}, answer
        return
    assert status == 201, answer
    if path == "/requests":
        stored = (await call(bot, token, "GET", f"/requests/{answer['id']}"))[1]
    else:
        stored = (await call(bot, token, "GET", f"/work-orders/{answer['number']}"))[1]
    assert stored["title"] == sent["title"].strip()
    assert stored["description"] == sent.get("description", "").strip()
    if "location" in sent and "asset" not in sent:
        assert stored["location"] == sent["location"].strip()
    await bot.settled()  # its card and DMs reach Slack: nothing in them is left undeliverable


def encoded(value: str) -> str:
    """Percent-encode anything, a lone surrogate too (as the bytes a careless client would send)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


READS = ("/work-orders", "/requests", "/assets", "/locations", "/parts", "/pm-schedules", "/kpis")
QUERY_KEYS = ("cursor", "limit", "status", "team", "asset", "priority", "updated_since", "days")


@E2E
@given(
    path=st.sampled_from(READS),
    query=st.dictionaries(
        st.one_of(st.sampled_from(QUERY_KEYS), hostile.text(max_size=10).filter(bool)),
        st.one_of(
            hostile.text(),
            hostile.numberish(),
            st.sampled_from(("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "2026-13-45T99:00:00Z")),
        ),
        max_size=4,
    ),
)
@example(path="/work-orders", query={"team": "\x00"})
@example(path="/work-orders", query={"updated_since": "0001-01-01T00:00:00+14:00"})
@example(path="/requests", query={"updated_since": "9999-12-31T23:59:59-23:59"})
async def test_any_query_gets_a_clean_answer_naming_the_parameter(
    bot: BotClient, token: str, path: str, query: dict[str, str]
) -> None:
    wanted = "&".join(f"{encoded(key)}={encoded(value)}" for key, value in query.items())
    status, answer = await call(bot, token, "GET", f"{path}?{wanted}")
    if status == 422:  # the server reads bytes that are not UTF-8 as U+FFFD
        sent = {key.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for key in query}
        required = {"team"} if path == "/kpis" else set()
        assert {error["field"] for error in answer["errors"]} <= sent | required, answer


@E2E
@given(
    kind=st.sampled_from(("/assets/", "/parts/", "/work-orders/", "/requests/")),
    key=st.one_of(hostile.text(max_size=80).filter(bool), st.integers().map(str)),
)
async def test_any_path_gets_a_clean_answer(bot: BotClient, token: str, kind: str, key: str) -> None:
    status, _ = await call(bot, token, "GET", kind + quote(key.encode("utf-8", "surrogatepass"), safe="/"))
    assert status in (200, 404, 422)


@E2E
@given(st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=80))
@example("wrn_00000000_" + "x" * 43)
@example("wrn_' OR 1=1 --_" + "x" * 43)
async def test_any_token_is_refused_cleanly(bot: BotClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with bot.http.get(f"{bot.url}/api/v1/work-orders", headers=headers) as response:
        status, content_type, body = response.status, response.content_type, await response.json(content_type=None)
    assert (status, content_type) == (401, PROBLEM) and body["detail"]
