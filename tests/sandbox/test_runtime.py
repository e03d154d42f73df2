"""The sandbox end to end: a person's actions reach the real bot as Slack's signed requests, and what the bot
does shows in the right person's state."""

import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from PIL import Image

from bot.sandbox.clock import SandboxError
from bot.sandbox.runtime import Sandbox
from bot.sandbox.startup import sandbox
from bot.sandbox.workspace import GENERAL
from services.organisation.org import Organisation
from tests.support.org import STAFF, TEAM_CHANNEL, TECH_1

PEOPLE = {STAFF: "Ana Ruiz"}


@pytest.fixture
async def box(database_url: str, org: Organisation) -> AsyncIterator[Sandbox]:
    async with sandbox(org, database_url, port=0, people=PEOPLE) as running:
        yield running


def action_ids(view: dict[str, Any]) -> dict[str, str]:
    """block_id → the action_id of its element, for every input block of a modal."""
    return {b["block_id"]: b["element"]["action_id"] for b in view["blocks"] if b["type"] == "input"}


def filled(view: dict[str, Any], **values: dict[str, Any]) -> dict[str, Any]:
    ids = action_ids(view)
    return {"values": {block: {ids[block]: value} for block, value in values.items()}}


def select(value: str | None, kind: str = "static_select") -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"type": kind, "selected_option": option}


def button(message: dict[str, Any], label: str) -> tuple[str, dict[str, Any]]:
    """(block_id, element) of the button called `label` in a message's blocks."""
    for block in message["blocks"] or []:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return block["block_id"], element
    raise AssertionError(f"no {label!r} button in {[b['type'] for b in message['blocks'] or []]}")


async def open_form(box: Sandbox) -> dict[str, Any]:
    await box.act("command", {"user": STAFF, "channel": GENERAL, "command": "/request", "text": "leak in 204"})
    modals = box.state(STAFF)["modals"]
    assert len(modals) == 1 and modals[0]["view"]["callback_id"] == "request_modal"
    assert box.state(TECH_1)["modals"] == []  # only on the screen of who typed it
    return modals[0]


async def file(box: Sandbox, priority: str | None = None, **more: dict[str, Any]) -> dict[str, Any]:
    """File a request as STAFF (with `more` of the form's values); the card in the team channel, as the
    technician sees it."""
    modal = await open_form(box)
    state = filled(
        modal["view"],
        title={"type": "plain_text_input", "value": "Leaking pipe in 204"},
        category=select("plumbing"),
        location=select("text:Room 204", "external_select"),
        priority=select(priority),
        **more,
    )
    assert await box.act("view_submit", {"user": STAFF, "view_id": modal["view_id"], "state": state}) == {}
    assert box.state(STAFF)["modals"] == []
    await box.run_jobs()  # waits for the outbox too
    cards = box.state(TECH_1)["messages"][TEAM_CHANNEL]
    assert cards, "no card in the team channel"
    return cards[-1]


async def test_a_request_opens_the_form_refuses_a_bad_value_and_posts_the_card(box: Sandbox) -> None:
    modal = await open_form(box)
    bad = filled(modal["view"], title={"type": "plain_text_input", "value": "Leak"}, category=select(None))
    answer = await box.act("view_submit", {"user": STAFF, "view_id": modal["view_id"], "state": bad})
    assert answer["errors"] and box.state(STAFF)["modals"][0]["errors"] == answer["errors"]

    card = await file(box)
    assert "Leaking pipe in 204" in str(card["blocks"]) and card["bot"]
    dm = box.state(STAFF)["messages"]["D" + STAFF[1:]]
    assert dm and "Leaking pipe in 204" in str(dm[-1]["blocks"] or dm[-1]["text"])
    assert TEAM_CHANNEL not in box.state(STAFF)["messages"]  # a requester is not in the team's channel


async def test_a_click_on_claim_updates_the_card(box: Sandbox) -> None:
    card = await file(box)
    block_id, element = button(card, "Claim")
    await box.act(
        "block_action",
        {
            "user": TECH_1,
            "container": {"type": "message", "channel": TEAM_CHANNEL, "ts": card["ts"]},
            "block_id": block_id,
            "action_id": element["action_id"],
            "action": {"type": "button", "value": element.get("value"), "text": element["text"]},
        },
    )
    await box.run_jobs()
    now = next(m for m in box.state(TECH_1)["messages"][TEAM_CHANNEL] if m["ts"] == card["ts"])
    assert now.get("edited") and now["blocks"] != card["blocks"]


async def test_moving_the_clock_runs_the_sla_watch(box: Sandbox) -> None:
    card = await file(box, priority="urgent")  # resolve within 4 h: warned at 3 h
    answer = await box.act("clock", {"user": TECH_1, "advance": "3h"})
    assert answer["ran"]["check_sla"] >= 1
    replies = box.state(TECH_1)["threads"][f"{TEAM_CHANNEL}:{card['ts']}"]
    assert any("75%" in r["text"] for r in replies), [r["text"] for r in replies]


async def test_a_late_answer_fails_the_action_as_slack_does(box: Sandbox) -> None:
    box.ack_seconds = 0.0001
    with pytest.raises(SandboxError, match="did not answer in time"):
        await box.act("command", {"user": STAFF, "channel": GENERAL, "command": "/request", "text": ""})


async def test_the_http_api_state_events_and_an_unknown_person(box: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{box.url}/sandbox/api/state", params={"user": STAFF}) as response:
            state = await response.json()
        assert (
            state["me"] == STAFF
            and state["sandbox"]
            and {"/request", "/wo"} <= {c["command"] for c in state["commands"]}
        )
        assert {c["id"] for c in state["conversations"]} == {GENERAL, "D" + STAFF[1:]}
        async with http.post(f"{box.url}/sandbox/api/home_opened", json={"user": "U0NOBODY"}) as response:
            assert (await response.json())["ok"] is False
        async with http.post(f"{box.url}/sandbox/api/home_opened", json={"user": TECH_1}) as response:
            assert await response.json() == {"ok": True}
        async with http.get(f"{box.url}/sandbox/api/events") as response:
            assert response.headers["Content-Type"] == "text/event-stream"
            assert (await response.content.readline()).startswith(b"data: ")
    await box.run_jobs()
    assert box.state(TECH_1)["home"] is not None and box.state(STAFF)["home"] is None


async def test_a_file_chosen_in_a_form_is_uploaded_and_linked_on_the_card(box: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        form = aiohttp.FormData()
        form.add_field("user", STAFF)
        form.add_field("file", b"\x89PNG fake bytes", filename="leak.png", content_type="image/png")
        async with http.post(f"{box.url}/sandbox/api/upload", data=form) as response:
            uploaded = (await response.json())["file"]
        async with http.get(uploaded["url_private"]) as response:
            assert await response.read() == b"\x89PNG fake bytes"
        nobody = aiohttp.FormData()
        nobody.add_field("user", "U0NOBODY")
        nobody.add_field("file", b"x", filename="x.txt")
        async with http.post(f"{box.url}/sandbox/api/upload", data=nobody) as response:
            assert response.status == 400
    card = await file(box, files={"type": "file_input", "files": [uploaded]})
    assert f"<{uploaded['permalink']}|leak.png>" in str(card["blocks"])


async def test_send_to_contractor_and_the_link_opens_the_contractor_page_on_the_sandbox(box: Sandbox) -> None:
    from functools import partial

    from services.contracting import vendors

    assert box.bot is not None
    deps = box.bot.deps
    await deps.db.run(
        partial(
            vendors.add_vendor,
            org=deps.org,
            now=deps.clock(),
            values={"key": "acme", "name": "Acme", "trades": "plumbing"},
        )
    )
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(picture, format="PNG")
    photo = box.emulator.keep_upload("leak.png", picture.getvalue(), user=STAFF)
    card = await file(box, files={"type": "file_input", "files": [photo]})
    manage = next(
        (b["block_id"], e)
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "wo_manage"
    )
    choice = next(o for o in manage[1]["options"] if o["value"].startswith("contractor|"))
    container = {"type": "message", "channel": TEAM_CHANNEL, "ts": card["ts"]}
    await box.act(
        "block_action",
        {
            "user": TECH_1,
            "container": container,
            "block_id": manage[0],
            "action_id": "wo_manage",
            "action": {"type": "overflow", "selected_option": choice},
        },
    )
    [modal] = box.state(TECH_1)["modals"]
    assert modal["view"]["callback_id"] == "contractor_modal"
    offered = await box.act(
        "options",
        {"user": TECH_1, "view_id": modal["view_id"], "action_id": "pick_vendor", "block_id": "vendor", "value": ""},
    )
    assert [o["text"]["text"] for o in offered["options"]] == ["Acme"]
    state = filled(
        modal["view"],
        vendor={"type": "external_select", "selected_option": offered["options"][0]},
        not_to_exceed={"type": "plain_text_input", "value": "250"},
    )
    assert await box.act("view_submit", {"user": TECH_1, "view_id": modal["view_id"], "state": state}) == {}
    [shown] = box.state(TECH_1)["modals"]
    link = next(part for part in str(shown["view"]).split("`") if "/contractor/" in part)
    assert link.startswith(box.url + "/contractor/")
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as page:
            assert page.status == 200 and "Leaking pipe in 204" in await page.text()
        async with http.get(link + "/photos/1") as shown:  # the team's photo, read from the stand-in's files
            assert shown.status == 200 and Image.open(io.BytesIO(await shown.read())).size == (64, 48)
        async with http.post(link, data={"do": "accept"}, headers={"Origin": box.url}, allow_redirects=False) as done:
            assert done.status == 303 and done.headers["Location"].endswith("?ok=accept")
    await box.run_jobs()
    thread = str(box.state(TECH_1))
    assert "accepted the job" in thread
