"""App Home: publish the person's dashboard when they open the tab, and more of it on request (each
publish is queued in the outbox with the choice that calls for it)."""

import re
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks.ids import Action, Event, parse_id, parse_one_of
from handlers.context import Ack, deps_of
from handlers.guard import guarded
from services.delivery import outbox, slack_events
from services.reporting import home_kpis, morning

# "Last N days" buttons: `kpi_days_action(N)`, and the bare id on tabs drawn before each had its own
KPI_DAYS = re.compile(rf"^{Action.HOME_KPI_DAYS}(?:_[0-9]{{1,4}})?$")


def register(app: AsyncApp) -> None:
    app.event(Event.APP_HOME_OPENED)(guarded(publish_home))
    app.action(Action.HOME_MORE)(guarded(show_more))
    app.action(Action.HOME_MORNING_DM)(guarded(morning_dm))
    app.action(KPI_DAYS)(guarded(kpi_period))


async def publish_home(ack: Ack, event: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    if event.get("tab") != "home":
        return
    deps = deps_of(context)
    await deps.db.run(partial(slack_events.opened_home, user_id=event["user"], now=deps.clock()))


async def show_more(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    await deps.db.run(partial(outbox.show_homes, user_ids=[body["user"]["id"]], expanded=True, now=deps.clock()))


async def morning_dm(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """The Home tab's Turn on / Turn off of the personal morning DM."""
    await ack()
    deps, user_id = deps_of(context), body["user"]["id"]
    on = parse_one_of(action["value"], ("on", "off"), "the morning DM switch") == "on"
    await deps.db.run(partial(morning.choose, user_id=user_id, on=on, now=deps.clock()))


async def kpi_period(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """The managers' KPIs: Last 7 days / Last 30 days (kept for the next time the tab is drawn)."""
    await ack()
    deps, user_id = deps_of(context), body["user"]["id"]
    days = parse_id(action["value"], "a KPI period")  # a number of days not offered is refused by the service
    await deps.db.run(partial(home_kpis.choose_period, user_id=user_id, days=days, now=deps.clock()))
