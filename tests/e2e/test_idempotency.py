"""What Slack delivers more than once happens once, even when the copies arrive together: an event and
its retries (`X-Slack-Retry-Num`), one modal submitted several times, and a click sent twice."""

import asyncio
import json

from sqlalchemy import func, select

from blocks.ids import Action
from models.db import Database
from models.enums import EventKind
from models.requests import ServiceRequest
from models.work_orders import WorkOrderEvent
from tests.e2e.flow import card_ref, click_card, file_request, open_request_modal, posted_cards, request_values
from tests.e2e.test_finding_work import reply
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.org import STAFF, TECH_1

JSON = "application/json"


async def count(db: Database, statement: object) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(statement) or 0)  # type: ignore[call-overload]


async def test_an_event_and_its_retries_arriving_together_make_one_note(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    _, ts = card_ref(card)
    body = sr.event_callback(reply(ts, "The leak is worse now"), event_id="EvTWICE")

    def headers(retry: int) -> dict[str, str]:
        signed = sr.signed_headers(body, content_type=JSON)
        return {**signed, "X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else signed

    answers = await asyncio.gather(*(bot.post(body, content_type=JSON, headers=headers(n)) for n in range(3)))
    assert [answer.status for answer in answers] == [200, 200, 200]
    await bot.settled()
    notes = select(func.count()).where(WorkOrderEvent.kind == EventKind.NOTE_ADDED)
    assert await count(db, notes) == 1


async def test_one_modal_submitted_three_times_at_once_files_one_request(bot: BotClient, db: Database) -> None:
    view = await open_request_modal(bot)
    answers = await asyncio.gather(
        *(bot.submit(view, request_values(), user_id=STAFF, view_id="V0ONCE") for _ in range(3))
    )
    assert answers == [(200, None)] * 3
    await bot.settled()
    assert await count(db, select(func.count()).select_from(ServiceRequest)) == 1
    assert len(posted_cards(bot)) == 1 and len(bot.fake.find("chat.postMessage", channel=STAFF)) == 1


async def test_a_claim_clicked_twice_at_once_claims_once(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await asyncio.gather(*(click_card(bot, card, Action.CLAIM, TECH_1) for _ in range(2)))
    await bot.settled()
    assigned = select(func.count()).where(WorkOrderEvent.kind == EventKind.ASSIGNED)
    assert await count(db, assigned) == 1
    _, ts = card_ref(card)
    updates = bot.fake.find("chat.update", ts=ts)
    assert updates and f"<@{TECH_1}>" in json.dumps(updates[-1].params["blocks"])
    assert len(bot.fake.find("chat.postMessage", thread_ts=ts)) == 1  # one "claimed" line
