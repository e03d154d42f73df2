"""Acknowledge on an escalation message: someone of the team is on it, so the reminders stop."""

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import messages
from blocks.ids import Action, parse_ref
from handlers.context import Ack, deps_of, run_as
from handlers.guard import guarded
from services.sla import watch


def register(app: AsyncApp) -> None:
    app.action(Action.ACKNOWLEDGE)(guarded(acknowledge))


async def acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    work_order_id, _ = parse_ref(action["value"])
    change = await run_as(deps, watch.acknowledge, user_id=body["user"]["id"], work_order_id=work_order_id)
    if body.get("response_url"):
        await deps.notifier.replace(body["response_url"], messages.acknowledged(change.work_order))
