"""App Home shows a person the work they hold and the requests they filed."""

import json
import time

from blocks.ids import Action
from tests.e2e.flow import card_ref, file_request
from tests.support.bot import BotClient
from tests.support.org import STAFF, TECH_1


def home_opened(user_id: str, tab: str = "home") -> bytes:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0TEST",
            "api_app_id": "A0WRENCH",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user_id,
                "channel": "D0HOME",
                "tab": tab,
                "event_ts": f"{time.time():.6f}",
            },
        }
    ).encode()


async def open_home(bot: BotClient, user_id: str) -> str:
    before = len(bot.fake.find("views.publish", user_id=user_id))
    response = await bot.post(home_opened(user_id), content_type="application/json")
    assert response.status == 200
    published = await bot.fake.wait_calls("views.publish", before + 1, user_id=user_id)
    return json.dumps(published[-1].params["view"])


async def test_home_lists_assigned_work_and_own_requests(bot: BotClient) -> None:
    card = await file_request(bot)
    assert "Nothing assigned to you" in await open_home(bot, TECH_1)
    channel, ts = card_ref(card)
    await bot.click(
        Action.CLAIM, card.params["blocks"][-1]["elements"][0]["value"], user_id=TECH_1, channel=channel, message_ts=ts
    )
    await bot.fake.wait_calls("chat.update")

    technician_home = await open_home(bot, TECH_1)
    assert "*WO-1* Leaking pipe in 204" in technician_home
    requester_home = await open_home(bot, STAFF)
    assert "Nothing assigned to you" in requester_home and "*WO-1* Leaking pipe in 204" in requester_home


async def test_messages_tab_does_not_publish(bot: BotClient) -> None:
    response = await bot.post(home_opened(STAFF, tab="messages"), content_type="application/json")
    assert response.status == 200
    await open_home(bot, STAFF)  # a later home-tab open is the first publish
    assert len(bot.fake.find("views.publish")) == 1
