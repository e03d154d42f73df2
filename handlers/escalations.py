"""Acknowledge on an escalation message: someone of the team is on it, so the reminders stop."""

from functools import partial
from typing import Any

from blocks import messages
from blocks.ids import Action, parse_ref
from handlers.context import deps_of
from handlers.guard import guarded
from services.sla import watch


def register(app: Any) -> None:
    app.action(Action.ACKNOWLEDGE)(guarded(acknowledge))


async def acknowledge(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    deps = deps_of(context)
    work_order_id, _ = parse_ref(action["value"])
    acknowledged = partial(
        watch.acknowledge, org=deps.org, now=deps.clock(), work_order_id=work_order_id, user_id=body["user"]["id"]
    )
    change = await deps.db.run(acknowledged)
    if body.get("response_url"):
        await deps.notifier.replace(body["response_url"], messages.acknowledged(change.work_order))
