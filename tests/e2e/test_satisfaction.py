"""The requester's satisfaction rating through signed Slack payloads: asked by DM once the work closes
(confirmed, or closed by itself), given once with a comment, shown in the card's thread and the event
log, a low one sent to the team's managers at once."""

from functools import partial

from sqlalchemy import select

from blocks import workload
from blocks.ids import Action
from blocks.satisfaction import rate_action
from models.db import Database
from models.tables import WorkOrder, WorkOrderEvent
from scheduler import jobs
from services.reporting import digest, home_kpis, reports
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, file_request
from tests.support import slack_requests as sr
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.org import MANAGER, STAFF, TECH_1


async def completed(bot: BotClient, db: Database, clock: FrozenClock) -> tuple[int, str]:
    """A filed request, claimed and completed by TECH_1 (the services do that part); (id, card ts)."""
    card = await file_request(bot, title="Leaking pipe")
    _, ts = card_ref(card)
    async with db.unit_of_work() as session:
        wo_id = (await session.execute(select(WorkOrder.id))).scalar_one()
    org = bot.running.deps.org
    await db.run(partial(assignment.claim, org=org, now=clock(), work_order_id=wo_id, user_id=TECH_1))
    complete = partial(
        lifecycle.complete, org=org, now=clock(), work_order_id=wo_id, user_id=TECH_1, resolution="New washer"
    )
    await db.run(complete)
    return wo_id, ts


def rating_dm(bot: BotClient) -> dict:
    asks = [c for c in bot.fake.find("chat.postMessage", channel=STAFF) if "How well was" in c.params["text"]]
    assert len(asks) == 1, [c.params["text"] for c in bot.fake.find("chat.postMessage", channel=STAFF)]
    return asks[0].params


async def open_form(bot: BotClient, value: str, *, user_id: str = STAFF) -> tuple[dict, str]:
    """Click a rating button in the DM; the form it opens, and the key of the click's replies."""
    before = len(bot.fake.find("views.open"))
    action = rate_action(int(value.partition("|")[0]))
    _, key = await bot.click(action, value, user_id=user_id, channel="D0STAFF", message_ts="1.1")
    [view] = [c.params["view"] for c in (await bot.fake.wait_calls("views.open", before + 1))[before:]]
    return view, key


async def send(
    bot: BotClient, view: dict, *, user_id: str = STAFF, comment: str | None = None
) -> tuple[int, dict | None]:
    chosen = next(b for b in view["blocks"] if b.get("block_id") == "rating")["element"]["initial_option"]["value"]
    values = {"rating": sr.select_value(chosen, kind="radio_buttons"), "comment": sr.text_value(comment)}
    return await bot.submit(view, values, user_id=user_id)


async def test_confirmed_work_asks_once_and_the_rating_reaches_the_thread(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    wo_id, ts = await completed(bot, db, clock)
    await bot.fake.wait_for(
        lambda: any("was completed by" in c.params["text"] for c in bot.fake.find("chat.postMessage", channel=STAFF))
    )
    await bot.click(Action.CONFIRM, str(wo_id), user_id=STAFF, channel="D0STAFF", message_ts="1.0")
    await bot.fake.wait_for(
        lambda: any("How well was" in c.params["text"] for c in bot.fake.find("chat.postMessage", channel=STAFF))
    )
    asked = rating_dm(bot)
    buttons = asked["blocks"][1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["1 · Poor", "2 · Not good", "3 · OK", "4 · Good", "5 · Excellent"]

    view, key = await open_form(bot, buttons[3]["value"])
    second_device, _ = await open_form(bot, buttons[0]["value"])  # opened before the first is sent
    assert (await send(bot, view, comment="Quick, *tidy* <!channel> work")) == (200, None)
    [thanks] = await bot.replies_to(key)
    assert thanks["replace_original"] and "you rated *WO-1 · Leaking pipe* 4 of 5" in thanks["text"]
    line = (
        await bot.fake.wait_for(
            lambda: [c for c in bot.fake.find("chat.postMessage", thread_ts=ts) if "rated this" in c.params["text"]]
        )
    )[0].params["text"]
    assert line == f":star::star::star::star: <@{STAFF}> rated this 4 of 5: “Quick, *tidy* &lt;!channel&gt; work”"
    async with db.unit_of_work() as session:
        stored = await session.get(WorkOrder, wo_id)
        kinds = (await session.execute(select(WorkOrderEvent.kind).order_by(WorkOrderEvent.id))).scalars().all()
    assert stored is not None and (stored.rating, stored.rating_comment) == (4, "Quick, *tidy* <!channel> work")
    assert kinds[-1] == "rated"
    told = [c for c in bot.fake.find("chat.postMessage", channel=MANAGER) if "rated" in c.params["text"]]
    assert told == []  # a good rating is quiet

    refused = {"response_action": "errors", "errors": {"rating": "You already rated WO-1 4 of 5. Thank you!"}}
    assert await send(bot, second_device) == (200, refused)  # the first rating stands
    _, key = await bot.click(rate_action(1), buttons[0]["value"], user_id=STAFF, channel="D0STAFF", message_ts="1.1")
    assert "you rated *WO-1 · Leaking pipe* 4 of 5" in (await bot.replies_to(key))[0]["text"]  # no second form
    _, key = await bot.click(rate_action(1), buttons[0]["value"], user_id=TECH_1, channel="D0STAFF", message_ts="1.1")
    assert "Only the person who asked for WO-1 can rate it." in (await bot.replies_to(key))[0]["text"]
    async with db.unit_of_work() as session:
        again = await session.get(WorkOrder, wo_id, populate_existing=True)
    assert again is not None and again.rating == 4

    # the KPIs: the REST API, and the figures `wrench report` and the Home tab show
    kpis = (await (await api_client(bot)).get("/kpis", team="facilities", days=7)).body
    assert kpis["satisfaction"] == {"count": 1, "average": 4.0, "rated_4_or_5": 1, "share_4_or_5": 1.0}
    assert kpis["satisfaction_by_person"] == {TECH_1: kpis["satisfaction"]}
    deps = bot.running.deps
    report = await db.run(partial(reports.team_report, org=deps.org, team="facilities", now=clock(), days=7))
    assert ("Satisfaction (requesters' ratings)", "4.0 of 5 (n=1), 100% rated 4 or 5") in reports.summary_rows(report)
    assert (f"Satisfaction, {TECH_1}", "4.0 of 5 (n=1), 100% rated 4 or 5") in reports.report_rows(report)
    data = await db.run(partial(digest.build, org=deps.org, team="facilities", now=clock()))
    assert (data.ratings_7d, data.rating_average_7d, data.low_ratings_24h) == (1, 4.0, ())
    home = await db.run(partial(home_kpis.KpiCache().team, org=deps.org, team="facilities", days=7, now=clock()))
    [tech] = [person for person in home.workload if person.user_id == TECH_1]
    assert (tech.ratings, tech.rating_average) == (1, 4.0)
    shown = str(workload.workload_section(home))
    assert f"<@{TECH_1}> — 0 open (0.0 h est., 0 overdue) · 1 completed in 7 days · :star: 4.0 (1 rated)" in shown


async def test_work_that_closes_itself_asks_too_and_a_low_rating_tells_the_managers(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    wo_id, ts = await completed(bot, db, clock)
    clock.advance(days=bot.running.deps.org.auto_close_days + 1)
    await jobs.close_unconfirmed(bot.running.deps)
    await bot.fake.wait_for(
        lambda: any("How well was" in c.params["text"] for c in bot.fake.find("chat.postMessage", channel=STAFF))
    )
    buttons = rating_dm(bot)["blocks"][1]["elements"]
    view, _ = await open_form(bot, buttons[1]["value"])
    assert await send(bot, view, comment="Still drips") == (200, None)
    told = await bot.fake.wait_for(
        lambda: [c for c in bot.fake.find("chat.postMessage", channel=MANAGER) if "rated" in c.params["text"]]
    )
    data = await db.run(partial(digest.build, org=bot.running.deps.org, team="facilities", now=clock()))
    assert data.low_ratings_24h == (("WO-1 · Leaking pipe", 2, "Still drips"),)
    text = told[0].params["text"]
    assert f"<@{STAFF}> rated *WO-1 · Leaking pipe* 2 of 5 (completed by <@{TECH_1}>)" in text and "Still drips" in text
    del wo_id, ts
