"""Hostile input through Slack (property tests against the running bot, with payloads signed as Slack
signs them): modal submissions full of odd values, slash commands and type-aheads with odd text, and
payloads that are not what Slack sends at all. A form comes back with field errors under blocks the
modal has, or is carried out exactly; nothing is half-written; no listener fails; the bot keeps serving."""

import json
import logging
from functools import partial
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from sqlalchemy import select, update

from blocks import checklist as checklist_blocks
from blocks import modals
from blocks import pm as pm_blocks
from handlers.card_forms import CARD_FORMS
from handlers.requests import request_modal
from models.db import Database
from models.enums import Status
from models.maintenance import PmSchedule
from models.requests import ServiceRequest
from models.schemas import RequestCreate, WorkOrderRead
from models.work_orders import WorkOrder
from services.inventory import parts, places
from services.requests import service as requests
from services.work_orders import service as work_orders
from tests.support import hostile
from tests.support import slack_requests as sr
from tests.support.bot import FORM, BotClient
from tests.support.fuzz import E2E, row_counts
from tests.support.org import MANAGER, STAFF, TECH_1, TECH_2

USERS = (STAFF, TECH_1, MANAGER, "U0NOBODY")
ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD)


def deps_of(bot: BotClient) -> Any:
    """The running bot's dependencies, as the handlers' builders take them."""
    return bot.running.deps


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(block["block_id"]): block["element"] for block in view["blocks"] if block["type"] == "input"}


def sensible(block_id: str, element: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """What a person could put in this input through Slack's own controls (odd text included)."""
    kind = element["type"]
    if kind == "plain_text_input":
        return hostile.storable_text().map(sr.text_value)
    if kind == "number_input":
        return st.integers(0, 60).map(str).map(sr.number_value)
    if kind in ("static_select", "radio_buttons"):
        offered = [option["value"] for option in element["options"]]
        return st.sampled_from(offered).map(lambda value: sr.select_value(value, kind=kind))
    if kind == "external_select":
        typed = hostile.storable_text(max_size=30).map(lambda text: f"text:{text}")
        known = st.just(f"{block_id.partition('_')[0]}:1")  # asset:1, part:1 (the `asset_id` fixture's)
        picked = typed if block_id == "location" else known
        return picked.map(lambda value: sr.select_value(value, kind=kind))
    if kind == "datepicker":
        return st.dates().map(str).map(sr.date_value)
    if kind == "datetimepicker":
        return st.integers(1_772_500_000, 1_800_000_000).map(sr.datetime_value)  # after the frozen clock
    if kind == "users_select":
        return st.sampled_from((TECH_1, TECH_2, STAFF)).map(sr.user_value)
    if kind == "checkboxes":
        offered = [option["value"] for option in element["options"]]
        return st.lists(st.sampled_from(offered), unique=True).map(ticked)
    if kind == "file_input":
        return st.lists(hostile.storable_text(max_size=20), max_size=2).map(lambda names: sr.files_value(*names))
    raise AssertionError(f"no strategy for a {kind} input")


def wild(block_id: str, element: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """What only a forged payload could hold: any value of the input's type."""
    words = st.one_of(hostile.text(), hostile.huge(longest=3001))  # Slack posts at most 3000 characters
    kind = element["type"]
    if kind == "number_input":
        return hostile.numberish().map(sr.number_value)
    if kind in ("static_select", "radio_buttons"):
        return words.map(lambda value: sr.select_value(value, kind=kind))
    if kind == "external_select":
        prefix = {"location": ("text:", "loc:"), "asset": ("asset:",), "part": ("part:",)}.get(block_id, ("",))
        typed = st.one_of(hostile.numberish(), words)
        return st.tuples(st.sampled_from(prefix), typed).map(lambda p: sr.select_value(p[0] + p[1], kind=kind))
    if kind == "datepicker":
        return hostile.text(max_size=12).map(sr.date_value)
    if kind == "datetimepicker":
        return st.integers().map(sr.datetime_value)
    if kind == "users_select":
        return hostile.text(max_size=12).map(sr.user_value)
    if kind == "file_input":
        return st.lists(words, max_size=2).map(lambda names: sr.files_value(*names))
    if kind == "checkboxes":
        return st.lists(hostile.text(max_size=10), max_size=3).map(ticked)
    return words.map(sr.text_value)


def ticked(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [{"value": value} for value in values]}


def filled(
    view: dict[str, Any], data: st.DataObject, *, only_kept: bool = False, **kept: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Values for the view's inputs: up to two of them wild, the others as `kept`, or sensible or left
    empty (left empty with `only_kept`)."""
    blocks = input_blocks(view)
    odd = data.draw(st.sets(st.sampled_from(sorted(blocks)), max_size=2), label="wild blocks")
    values = {}
    for block_id, element in blocks.items():
        if block_id not in odd and (block_id in kept or only_kept):
            if block_id in kept:
                values[block_id] = kept[block_id]
            continue
        value = (wild if block_id in odd else sensible)(block_id, element)
        drawn = data.draw(st.one_of(value, value, st.none()), label=block_id)
        if drawn is not None:
            values[block_id] = drawn
    return values


def unhandled(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "wrench.errors" and r.levelno >= logging.ERROR]


async def submitted_cleanly(
    bot: BotClient,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    view: dict[str, Any],
    values: dict[str, dict[str, Any]],
    *,
    user_id: str,
) -> dict[str, str] | None:
    """Submit the modal and check the answer is clean; returns its field errors (None: carried out)."""
    await bot.settled()
    before, failures = await row_counts(db), len(unhandled(caplog))
    status, body = await bot.submit(view, values, user_id=user_id)
    assert status == 200, body
    await bot.settled()
    assert unhandled(caplog)[failures:] == [], "a listener failed on this input"
    if body is None:
        if currently_in_test_context():
            event("carried out")
        return None
    assert body["response_action"] == "errors" and body["errors"], body
    shown_under = set(input_blocks(view))
    for block_id, message in body["errors"].items():
        assert block_id in shown_under, f"Slack refuses an error under {block_id!r}, not an input of the modal"
        assert isinstance(message, str) and message.strip() and "Traceback" not in message
    assert await row_counts(db) == before, "a refused form wrote something"
    if currently_in_test_context():
        event(f"refused under {sorted(body['errors'])}")
    return dict(body["errors"])


CATEGORIES = ("plumbing", "hvac", "keys", "electrical")


@E2E
@given(category=st.sampled_from(CATEGORIES), data=st.data())
async def test_a_hostile_request_form_gets_field_errors_or_is_filed_exactly(
    bot: BotClient,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    asset_id: int,
    category: str,
    data: st.DataObject,
) -> None:
    view = request_modal(deps_of(bot), modals.RequestDraft(category=category))  # as redrawn for it
    values = filled(view, data, category=sr.select_value(category))
    errors = await submitted_cleanly(bot, db, caplog, view, values, user_id=data.draw(st.sampled_from(USERS)))
    if errors is not None:
        return
    async with db.unit_of_work() as session:
        stored = (await session.execute(select(ServiceRequest).order_by(ServiceRequest.id.desc()))).scalars().first()
    assert stored is not None
    assert stored.title == values["title"]["value"].strip()
    assert stored.description == (values.get("description") or {}).get("value", "").strip()


@pytest.fixture
async def asset_id(bot: BotClient) -> int:
    """A part, and an asset (its id) for the work orders, so the parts and asset-down forms can succeed."""
    deps = bot.running.deps
    now = deps.clock()
    await deps.db.run(
        partial(parts.add_part, now=now, actor_id="cli", sku="FLT-1", name="Filter", unit_cost=2, on_hand=50)
    )
    return await deps.db.run(partial(places.add_asset, now=now, tag="AHU-1", name="Air handler", location=None))


async def active_work_order(bot: BotClient, asset_id: int) -> WorkOrderRead:
    """An open, in progress or held work order (a new one when an earlier example finished them all)."""
    deps = bot.running.deps
    async with deps.db.unit_of_work() as session:
        found = await session.scalars(select(WorkOrder.id).where(WorkOrder.status.in_(ACTIVE)).limit(1))
        work_order_id = found.first()
    if work_order_id is None:
        request = RequestCreate(title="Noisy fan", category="plumbing", asset_id=asset_id)
        filed = await deps.db.run(
            partial(requests.submit, org=deps.org, now=deps.clock(), requester_id=STAFF, request=request)
        )
        assert filed is not None and filed.change is not None
        work_order_id = filed.change.work_order.id
    return await deps.db.run(partial(work_orders.get, work_order_id=work_order_id))


@E2E
@given(callback_id=st.sampled_from(sorted(CARD_FORMS)), data=st.data())
async def test_a_hostile_card_form_gets_field_errors_or_is_carried_out(
    bot: BotClient,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    asset_id: int,
    callback_id: str,
    data: st.DataObject,
) -> None:
    work_order = await active_work_order(bot, asset_id)
    user = data.draw(st.sampled_from((TECH_1, MANAGER)), label="user")
    view = CARD_FORMS[callback_id].draw(work_order, user)
    await submitted_cleanly(bot, db, caplog, view, filled(view, data), user_id=user)


@E2E
@given(data=st.data())
async def test_a_hostile_pm_form_gets_field_errors_or_is_saved(
    bot: BotClient, db: Database, caplog: pytest.LogCaptureFixture, asset_id: int, data: st.DataObject
) -> None:
    deps = bot.running.deps
    categories = [(c.key, c.name) for c in deps.org.categories]
    view = pm_blocks.pm_form(teams=[("facilities", "Facilities")], categories=categories)
    anchor = data.draw(st.sampled_from(("fixed", "floating")), label="anchor")
    kept = {
        "title": data.draw(hostile.storable_text().map(sr.text_value), label="title"),
        "team": sr.select_value("facilities"),
        "repeat": sr.select_value("weeks"),
        "every": sr.number_value("2"),
        "starts_on": sr.date_value("2026-03-09"),
        "anchor": sr.select_value(anchor, kind="radio_buttons"),
        "non_working": sr.select_value("keep"),
    }
    values = filled(view, data, only_kept=True, **kept)
    if await submitted_cleanly(bot, db, caplog, view, values, user_id=MANAGER) is not None:
        return
    async with db.unit_of_work() as session:
        saved = (await session.execute(select(PmSchedule).order_by(PmSchedule.id.desc()))).scalars().first()
    assert saved is not None
    assert saved.title == values["title"]["value"].strip()
    chosen = {key: (values.get(key) or {}).get("selected_option") for key in ("team", "anchor")}
    assert saved.team == chosen["team"]["value"]  # type: ignore[index]
    assert saved.anchor == (chosen["anchor"] or {"value": "fixed"})["value"]


async def test_an_option_id_past_what_the_database_holds_is_a_field_error(
    bot: BotClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the request form property: a 10-digit id overflowed PostgreSQL's integer (a 500 inside)."""
    view = request_modal(deps_of(bot))
    for block_id, picked in (("location", "loc:99999999999999999999"), ("location", "loc:3000000000")):
        values = {"title": sr.text_value("Leak"), "category": sr.select_value("plumbing")}
        values[block_id] = sr.select_value(picked, kind="external_select")
        errors = await submitted_cleanly(bot, db, caplog, view, values, user_id=STAFF)
        assert errors == {block_id: "Pick one of the options."}
    values = {"title": sr.text_value("Leak"), "category": sr.select_value("plumbing")}
    values["asset"] = sr.select_value("asset:3000000000", kind="external_select")
    errors = await submitted_cleanly(bot, db, caplog, view, values, user_id=STAFF)
    assert errors == {"asset": "Pick one of the options."}


@pytest.fixture
async def with_checklist(bot: BotClient, asset_id: int) -> int:
    """A work order whose checklist asks for a reading (as a PM schedule's would); its id."""
    work_order = await active_work_order(bot, asset_id)
    item = {"label": "Pressure", "kind": "number", "unit": "bar", "min": 1.0, "max": 2.0}
    async with bot.running.deps.db.unit_of_work() as session:
        await session.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(checklist=[item]))
    return work_order.id


@E2E
@given(reading=st.one_of(hostile.numberish(), st.floats().map(repr)))
@example(reading="nan")
@example(reading="-inf")
async def test_a_hostile_checklist_reading_is_a_field_error_or_recorded(
    bot: BotClient, db: Database, caplog: pytest.LogCaptureFixture, with_checklist: int, reading: str
) -> None:
    deps = bot.running.deps
    work_order = await deps.db.run(partial(work_orders.get, work_order_id=with_checklist))
    view = checklist_blocks.reading_modal(work_order, 0)
    values = {"reading": sr.number_value(reading)}
    if await submitted_cleanly(bot, db, caplog, view, values, user_id=TECH_1) is None:
        recorded = (await deps.db.run(partial(work_orders.get, work_order_id=with_checklist))).checklist[0]
        assert recorded["value"] == float(reading) and recorded["result"] in ("pass", "fail")


async def test_a_due_time_past_what_a_datetime_holds_is_a_field_error(
    bot: BotClient, db: Database, caplog: pytest.LogCaptureFixture, asset_id: int
) -> None:
    view = CARD_FORMS["plan_modal"].draw(await active_work_order(bot, asset_id), MANAGER)
    errors = await submitted_cleanly(bot, db, caplog, view, {"due": sr.datetime_value(10**12)}, user_id=MANAGER)
    assert errors == {"due": "Pick a date and time."}


def odd_body() -> st.SearchStrategy[tuple[bytes, str]]:
    """Bodies Slack would never send: broken JSON, missing keys, wrong types (with a content type)."""
    kinds = ("view_submission", "block_actions", "block_suggestion", "shortcut", "message_action", "event_callback")
    shaped = st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(kinds), hostile.json_value())},
        optional={
            "user": st.one_of(st.just({"id": STAFF}), hostile.json_value()),
            "view": st.one_of(
                st.just({"id": "V1", "callback_id": "request_modal", "state": {"values": {}}}),
                st.just({"id": "V1", "callback_id": "complete_modal", "private_metadata": "x", "state": {}}),
                hostile.json_value(),
            ),
            "actions": st.one_of(st.just([{"action_id": "wo_claim", "value": "x:y"}]), hostile.json_value()),
            "event": st.one_of(st.just({"type": "app_home_opened"}), hostile.json_value()),  # no user
            "callback_id": st.one_of(st.sampled_from(("new_request", "create_work_order")), hostile.json_value()),
            "action_id": st.one_of(st.sampled_from(("pick_location", "pick_asset")), hostile.json_value()),
            "trigger_id": hostile.json_value(),
            "value": hostile.json_value(),
        },
    )
    as_form = shaped.map(lambda payload: urlencode({"payload": json.dumps(payload)}).encode())
    return st.one_of(
        st.tuples(as_form, st.just(FORM)),
        st.tuples(shaped.map(lambda payload: json.dumps(payload).encode()), st.just("application/json")),
        st.tuples(st.binary(max_size=100), st.sampled_from((FORM, "application/json"))),
    )


async def still_serving(bot: BotClient) -> None:
    """A real /request still opens its modal."""
    opened = len(bot.fake.find("views.open"))
    response, _ = await bot.command("/request", "still here", user_id=STAFF)
    assert response.status == 200
    await bot.fake.wait_calls("views.open", opened + 1)


@E2E
@given(sent=odd_body(), signed=st.booleans())
async def test_bodies_slack_never_sends_change_nothing_and_the_bot_keeps_serving(
    bot: BotClient, db: Database, sent: tuple[bytes, str], signed: bool
) -> None:
    body, content_type = sent
    before = await row_counts(db)
    headers = sr.signed_headers(body, content_type=content_type) if signed else {"Content-Type": content_type}
    async with bot.http.post(f"{bot.url}/slack/events", data=body, headers=headers) as response:
        status, text = response.status, await response.text()
    assert "Traceback" not in text and 'File "' not in text
    if not signed:
        assert status == 401, (status, text)
    event(f"answered {status}")
    await bot.settled()
    assert await row_counts(db) == before
    await still_serving(bot)


UNREADABLE = (
    (b"payload=%7Bnot+json", FORM),  # the payload is not JSON
    (b"payload=%5B1%5D", FORM),  # JSON, but not an object
    (b"\xff\xfe", FORM),  # not UTF-8
    (b"[1, 2]", "application/json"),
    (b'{"type": "event_callback", "event": "x"}', "application/json"),  # signed, but not Slack's shape
    (b'{"type": "block_actions", "actions": "x"}', "application/json"),
)


async def test_an_unreadable_body_is_refused_not_answered_500(bot: BotClient) -> None:
    answers = []
    for body, content_type in UNREADABLE:
        for signed in (True, False):
            headers = sr.signed_headers(body, content_type=content_type) if signed else {"Content-Type": content_type}
            async with bot.http.post(f"{bot.url}/slack/events", data=body, headers=headers) as response:
                answers.append((body, signed, response.status))
    assert [status for _, signed, status in answers] == [400 if signed else 401 for _, signed, _ in answers], answers
    await still_serving(bot)


@E2E
@given(
    command=st.sampled_from(("/wo", "/request")),
    text=st.one_of(hostile.text(), hostile.huge(longest=3001)).map(hostile.without_surrogates),
)
@example(command="/wo", text="search \x00")
@example(command="/wo", text="asset \x00")
@example(command="/wo", text="open \ufffd")
@example(command="/wo", text="pm edit 99999999999999999999")
@example(command="/wo", text="pm pause \u00b2")
@example(command="/wo", text="meter \x00 5")
async def test_a_slash_command_with_hostile_text_is_answered_without_a_crash(
    bot: BotClient, caplog: pytest.LogCaptureFixture, command: str, text: str
) -> None:
    failures = len(unhandled(caplog))
    response, _ = await bot.command(command, text, user_id=TECH_1)
    assert response.status == 200
    await bot.settled()
    assert unhandled(caplog)[failures:] == []


@E2E
@given(
    action_id=st.sampled_from(("pick_location", "pick_asset", "pick_part")),
    typed=st.one_of(hostile.text(), hostile.huge(longest=3001)),
)
@example(action_id="pick_location", typed="\x00")
async def test_a_type_ahead_with_hostile_text_offers_options_without_a_crash(
    bot: BotClient, caplog: pytest.LogCaptureFixture, action_id: str, typed: str
) -> None:
    failures = len(unhandled(caplog))
    status, answer = await bot.send(sr.options_request(action_id, typed, user_id=STAFF))
    assert status == 200, answer
    assert isinstance(answer["options"], list)
    for option in answer["options"]:
        assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150  # Slack's limits
    assert unhandled(caplog)[failures:] == []
