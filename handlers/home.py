"""App Home: publish the person's dashboard when they open the tab, and more of it on request."""

from functools import partial
from typing import Any

from blocks.ids import Action, Event
from handlers.context import deps_of
from handlers.guard import guarded
from services import home_kpis, morning, slack_events


def register(app: Any) -> None:
    app.event(Event.APP_HOME_OPENED)(guarded(publish_home))
    app.action(Action.HOME_MORE)(guarded(show_more))
    app.action(Action.HOME_MORNING_DM)(guarded(morning_dm))
    app.action(Action.HOME_KPI_DAYS)(guarded(kpi_period))


async def publish_home(ack: Any, event: dict[str, Any], context: Any) -> None:
    await ack()
    if event.get("tab") != "home":
        return
    deps = deps_of(context)
    await deps.db.run(partial(slack_events.opened_home, user_id=event["user"], now=deps.clock()))
    await deps.notifier.refresh_homes([event["user"]])


async def show_more(ack: Any, body: dict[str, Any], context: Any) -> None:
    await ack()
    await deps_of(context).notifier.refresh_homes([body["user"]["id"]], expanded=True)


async def morning_dm(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    """The Home tab's Turn on / Turn off of the personal morning DM."""
    await ack()
    deps, user_id = deps_of(context), body["user"]["id"]
    await deps.db.run(partial(morning.choose, user_id=user_id, on=action["value"] == "on", now=deps.clock()))
    await deps.notifier.refresh_homes([user_id])


async def kpi_period(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    """The managers' KPIs: Last 7 days / Last 30 days (kept for the next time the tab is drawn)."""
    await ack()
    deps, user_id = deps_of(context), body["user"]["id"]
    days = int(action["value"])
    await deps.db.run(partial(home_kpis.choose_period, user_id=user_id, days=days, now=deps.clock()))
    await deps.notifier.refresh_homes([user_id])
