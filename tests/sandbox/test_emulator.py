"""The emulator keeps what each person would see, from the Web API calls the bot makes."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox.emulator import BOT_TOKEN, FakeSlack
from bot.sandbox.workspace import Channel, Person, ResponseTarget, Workspace

ANA, SAM = "U0ANA", "U0SAM"
CARD = [{"type": "section", "text": {"type": "mrkdwn", "text": "*WO-1*"}}]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Request"}, "blocks": []}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    people = {ANA: Person(ANA, "Ana Ruiz"), SAM: Person(SAM, "Sam Ortiz", "Technician")}
    workspace = Workspace(people=people, channels={"C0TEAM": Channel("C0TEAM", "team", {SAM})})
    fake = FakeSlack(workspace=workspace, exact=True, strict=False)
    await fake.start()
    yield fake
    await fake.stop()


async def call(fake: FakeSlack, method: str, **params: Any) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {BOT_TOKEN}"}) as http,
        http.post(fake.api_url + method, json=params) as response,
    ):
        return dict(await response.json())


async def test_messages_threads_updates_and_dms_land_where_people_see_them(slack: FakeSlack) -> None:
    card = await call(slack, "chat.postMessage", channel="C0TEAM", text="card", blocks=CARD)
    await call(slack, "chat.postMessage", channel="C0TEAM", thread_ts=card["ts"], text="claimed")
    await call(slack, "chat.postMessage", channel="C0TEAM", thread_ts=card["ts"], text="late", reply_broadcast=True)
    await call(slack, "chat.update", channel="C0TEAM", ts=card["ts"], text="card, claimed", blocks=CARD)
    dm = await call(slack, "chat.postMessage", channel=ANA, text="filed")
    assert dm["channel"] == "D0ANA"
    sam, ana = slack.workspace.state_for(SAM), slack.workspace.state_for(ANA)
    top = sam["messages"]["C0TEAM"]
    assert [m["text"] for m in top] == ["card, claimed", "late"] and top[0]["reply_count"] == 2
    assert [m["text"] for m in sam["threads"][f"C0TEAM:{card['ts']}"]] == ["claimed", "late"]
    assert "C0TEAM" not in ana["messages"] and [m["text"] for m in ana["messages"]["D0ANA"]] == ["filed"]
    assert (await call(slack, "chat.postMessage", channel="C0TEAM", thread_ts="1.2", text="x"))["error"] == (
        "thread_not_found"
    )


async def test_ephemerals_and_response_urls_reach_one_person(slack: FakeSlack) -> None:
    await call(slack, "chat.postEphemeral", channel="C0TEAM", user=SAM, text="only you")
    assert [e["text"] for e in slack.workspace.state_for(SAM)["ephemeral"]] == ["only you"]
    assert slack.workspace.state_for(ANA)["ephemeral"] == []
    card = await call(slack, "chat.postMessage", channel="C0TEAM", text="card", blocks=CARD)
    key = slack.workspace.response_key(ResponseTarget(SAM, "C0TEAM", message_ts=card["ts"]))
    async with aiohttp.ClientSession() as http:
        for body in ({"text": "saved"}, {"replace_original": True, "text": "card v2"}):
            async with http.post(slack.response_url(key), json=body) as response:
                assert response.status == 200
        async with http.post(slack.response_url("nobody"), json={"text": "x"}) as response:
            assert response.status == 404
    assert [e["text"] for e in slack.workspace.state_for(SAM)["ephemeral"]] == ["only you", "saved"]
    assert slack.workspace.state_for(SAM)["messages"]["C0TEAM"][0]["text"] == "card v2"


async def test_modals_need_a_fresh_trigger_the_emulator_issued(slack: FakeSlack) -> None:
    assert (await call(slack, "views.open", trigger_id="made.up", view=MODAL))["error"] == "invalid_trigger_id"
    trigger = slack.workspace.issue_trigger(ANA)
    opened = await call(slack, "views.open", trigger_id=trigger, view=MODAL)
    assert opened["ok"] and [m["view_id"] for m in slack.workspace.state_for(ANA)["modals"]] == [opened["view"]["id"]]
    assert (await call(slack, "views.open", trigger_id=trigger, view=MODAL))["error"] == "invalid_trigger_id"
    pushed = await call(slack, "views.push", trigger_id=slack.workspace.issue_trigger(ANA), view=MODAL)
    updated = {**MODAL, "title": {"type": "plain_text", "text": "Saved"}}
    assert (await call(slack, "views.update", view_id=pushed["view"]["id"], view=updated))["ok"]
    assert [m["view"]["title"]["text"] for m in slack.workspace.state_for(ANA)["modals"]] == ["Request", "Saved"]
    assert slack.workspace.state_for(SAM)["modals"] == []
    assert (await call(slack, "views.update", view_id="V0GONE", view=MODAL))["error"] == "not_found"
    slack.workspace.trigger_seconds = 0.01
    late = slack.workspace.issue_trigger(SAM)
    await asyncio.sleep(0.02)
    assert (await call(slack, "views.open", trigger_id=late, view=MODAL))["error"] == "expired_trigger_id"


async def test_home_users_files_rule_breaks_and_rate_limits(slack: FakeSlack) -> None:
    home = {"type": "home", "blocks": CARD}
    assert (await call(slack, "views.publish", user_id=SAM, view=home))["ok"]
    assert (
        slack.workspace.state_for(SAM)["home"]["view"]["blocks"] == CARD and not slack.workspace.state_for(ANA)["home"]
    )
    assert (await call(slack, "users.info", user=SAM))["user"]["profile"]["display_name"] == "Sam Ortiz"
    assert (await call(slack, "users.info", user="U0WHO"))["error"] == "user_not_found"
    upload = await call(slack, "files.getUploadURLExternal", filename="chart.png", length=3)
    async with aiohttp.ClientSession() as http, http.post(upload["upload_url"], data=b"png") as response:
        assert response.status == 200
    done = await call(slack, "files.completeUploadExternal", files=[{"id": upload["file_id"]}], channel_id="C0TEAM")
    assert done["ok"]
    shown = slack.workspace.state_for(SAM)["messages"]["C0TEAM"][-1]["files"]
    assert [f["name"] for f in shown] == ["chart.png"]
    async with aiohttp.ClientSession() as http, http.get(shown[0]["url"]) as response:
        assert await response.read() == b"png"
    broken = [{"type": "section"}]  # no text, no fields: Slack refuses it, the sandbox shows why
    assert (await call(slack, "chat.postMessage", channel="C0OTHER", text="x", blocks=broken))["ok"]
    assert slack.calls[-1].violations
    slack.tiers = True  # about a message a second per channel, a burst of three allowed
    answers = [await call(slack, "chat.postMessage", channel="C0OTHER", text="again") for _ in range(4)]
    assert [a.get("error") for a in answers] == [None] * 3 + ["ratelimited"]
    assert [c.method for c in slack.calls[-2:]] == ["chat.postMessage", "chat.postMessage#429"]


async def test_the_feed_tells_subscribers_of_a_change(slack: FakeSlack) -> None:
    feed = slack.workspace.subscribe()
    await call(slack, "chat.postMessage", channel=ANA, text="hello")
    assert feed.get_nowait() == {"type": "changed"}
