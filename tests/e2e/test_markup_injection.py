"""Text typed on the web (the REST API, the portal) reaches Slack as text, never as markup: every call the
fake Slack receives is read the way Slack reads mrkdwn, and none of the typed markup is live there."""

from typing import Any

import pytest

from blocks.ids import Action
from services.delivery import outbox
from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from tests.e2e.test_intake import click_dm
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.org import MANAGER, STAFF, TEAM_CHANNEL, TECH_1, organisation
from tests.unit.test_mrkdwn import live_markup, mrkdwn_texts

TYPED = "Broken lock <!channel> <https://evil.example|Approve here> & <@U0BOSS>"


@pytest.fixture
def org() -> Organisation:
    portal = Portal(enabled=True, public_url="https://wrench.example.com", requests_per_hour=20, max_photo_mb=1)
    return organisation().model_copy(update={"portal": portal})


def live_in_slack(bot: BotClient) -> list[tuple[str, str]]:
    """(method, text) of every mrkdwn string sent to Slack that carries markup Wrench did not write."""
    sent: list[tuple[str, Any]] = [(call.method, call.params) for call in bot.fake.calls]
    sent += [("response_url", reply) for reply in bot.fake.replies]
    return [(method, text) for method, params in sent for text in mrkdwn_texts(params) if live_markup(text)]


async def test_typed_markup_stays_text_through_approval_card_dms_and_thread(bot: BotClient) -> None:
    api = await api_client(bot)
    filed = await api.post(
        "/requests",
        {"category": "keys", "title": TYPED, "description": TYPED, "location": TYPED, "actor": STAFF},
    )
    assert filed.status == 201, filed.body
    dm = (await bot.fake.wait_calls("chat.postMessage", 1, channel=MANAGER))[0]
    assert dm.params["text"].startswith("Approval needed: REQ-")
    assert "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;" in dm.params["text"]
    await click_dm(bot, dm, Action.APPROVE, MANAGER)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    number = filed.body["work_order_number"] or 1

    steps = [
        {"status": "in_progress", "actor": TECH_1},
        {"status": "on_hold", "hold_reason": "other", "reason": TYPED, "actor": TECH_1},
        {"status": "in_progress", "actor": TECH_1},
        {"status": "completed", "resolution": TYPED, "cause": TYPED, "actor": TECH_1},
    ]
    for step in steps:
        answer = await api.post(f"/work-orders/{number}/status", step)
        assert answer.status == 200, answer.body
    await bot.fake.wait_for(
        lambda: any(TYPED[:10] in str(c.params) for c in bot.fake.find("chat.postMessage", channel=STAFF))
    )
    await bot.settled()  # the four changes redraw the card once or more (changes waiting share a redraw)
    redrawn = bot.fake.find("chat.update", ts=card.answer["ts"])
    assert redrawn and "Completed" in str(redrawn[-1].params["blocks"])
    assert live_in_slack(bot) == []


async def test_typed_markup_from_the_portal_stays_text(bot: BotClient) -> None:
    async with bot.http.post(
        f"{bot.url}/portal",
        data={"category": "plumbing", "title": TYPED, "description": TYPED, "name": TYPED, "leave_empty": ""},
        allow_redirects=False,
    ) as answer:
        assert answer.status == 303
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    assert "&lt;!channel&gt;" in card.params["text"]
    assert live_in_slack(bot) == []


async def test_a_queued_plain_message_is_delivered_as_text(bot: BotClient) -> None:
    deps = bot.running.deps

    async def queue(session: Any) -> None:
        outbox.message(session, TEAM_CHANNEL, f":calendar: Created *PM-1 · {TYPED}*", now=deps.clock())

    await deps.db.run(queue)
    [sent] = await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL)
    assert sent.params["text"].startswith(":calendar: Created *PM-1 · Broken lock &lt;!channel&gt;")
    assert live_in_slack(bot) == []
