"""App Home: publish the person's own work and requests when they open the tab."""

from functools import partial
from typing import Any

from blocks import home
from blocks.ids import Event
from handlers.context import deps_of
from handlers.guard import guarded
from services import work_orders


def register(app: Any) -> None:
    app.event(Event.APP_HOME_OPENED)(guarded(publish_home))


async def publish_home(ack: Any, event: dict[str, Any], context: Any) -> None:
    await ack()
    if event.get("tab") != "home":
        return
    deps = deps_of(context)
    assigned, requested = await deps.db.run(partial(work_orders.for_person, user_id=event["user"]))
    await deps.notifier.publish_home(event["user"], home.home(assigned=assigned, requested=requested))
