"""Who may touch a card, and what happens when two people click at once."""

import asyncio

from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.tables import WorkOrder, WorkOrderEvent
from tests.e2e.flow import card_ref, file_request, latest_card, ref_of
from tests.support.bot import BotClient
from tests.support.fake_slack import Call
from tests.support.org import MANAGER, OTHER_TECH, OUTSIDER, STAFF, TECH_1, TECH_2


async def stored(db: Database) -> tuple[WorkOrder, list[str]]:
    async with db.unit_of_work() as session:
        work_order = (await session.execute(select(WorkOrder))).scalar_one()
        kinds = (await session.execute(select(WorkOrderEvent.kind).order_by(WorkOrderEvent.id))).scalars().all()
    return work_order, list(kinds)


async def click(bot: BotClient, card: Call, action: str, user_id: str, *, latest: bool = True) -> str:
    """Click a card button as the card now looks in Slack (`latest`) or as `card` showed it;
    returns the response_url key replies to this click arrive under."""
    channel, ts = card_ref(card)
    shown = latest_card(bot, card) if latest else card.params
    response, key = await bot.click(action, ref_of(shown), user_id=user_id, channel=channel, message_ts=ts)
    assert response.status == 200
    return key


WORKERS = "the assignee and Facilities technicians and managers"


async def test_outsiders_cannot_claim_start_or_complete(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    for user in (OUTSIDER, STAFF, OTHER_TECH):
        for action in (Action.CLAIM, Action.START, Action.COMPLETE):
            key = await click(bot, card, action, user)
            reply = (await bot.replies_to(key))[0]
            assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
            who = "Facilities technicians and managers" if action == Action.CLAIM else WORKERS
            assert reply["text"] == f"Only {who} can {action.removeprefix('wo_')} this work order."
    work_order, kinds = await stored(db)
    assert (work_order.status, work_order.assignee_id, work_order.version) == ("open", None, 1)
    assert kinds == ["created"]
    assert not bot.fake.find("chat.update") and len(bot.fake.find("views.open")) == 1  # only the request modal


async def test_a_colleague_cannot_complete_claimed_work_but_a_manager_can(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await click(bot, card, Action.CLAIM, TECH_1)
    await bot.fake.wait_calls("chat.update", 1)

    key = await click(bot, card, Action.COMPLETE, TECH_2)
    assert (await bot.replies_to(key))[0]["text"] == f"<@{TECH_1}> holds this work order; ask them or a manager."
    assert len(bot.fake.find("views.open")) == 1

    await click(bot, card, Action.COMPLETE, MANAGER)
    modal = (await bot.fake.wait_calls("views.open", 2))[-1]
    assert modal.params["view"]["callback_id"] == "complete_modal"


async def test_two_technicians_claim_at_once_exactly_one_wins(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    keys = await asyncio.gather(
        click(bot, card, Action.CLAIM, TECH_1, latest=False), click(bot, card, Action.CLAIM, TECH_2, latest=False)
    )

    await bot.fake.wait_for(lambda: bot.fake.replies)
    work_order, kinds = await stored(db)
    assert work_order.assignee_id in (TECH_1, TECH_2)
    loser_key = keys[1] if work_order.assignee_id == TECH_1 else keys[0]
    assert [r["text"] for r in bot.fake.replies] == [f"WO-1 is already claimed by <@{work_order.assignee_id}>."]
    assert bot.fake.replies[0]["key"] == loser_key
    assert kinds == ["created", "assigned"] and work_order.version == 2
    # the winner's update and the loser's out-of-date card redrawn (one redraw when the second came while
    # the first still waited: it draws the card as it stands): the card shows the winner
    await bot.settled()
    channel, ts = card_ref(card)
    updates = bot.fake.find("chat.update", channel=channel, ts=ts)
    assert updates and all(f"held by <@{work_order.assignee_id}>" in u.params["text"] for u in updates)


async def test_ten_simultaneous_claims_leave_one_assignment(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    clickers = [TECH_1, TECH_2, MANAGER] * 3 + [TECH_1]
    await asyncio.gather(*(click(bot, card, Action.CLAIM, user, latest=False) for user in clickers))
    await bot.fake.wait_for(lambda: len(bot.fake.replies) >= len(clickers) - 1)
    work_order, kinds = await stored(db)
    assert kinds.count("assigned") == 1 and work_order.version == 2
    assert all("already" in r["text"] or "You already hold" in r["text"] for r in bot.fake.replies)
    assert len(bot.fake.replies) == len(clickers) - 1
