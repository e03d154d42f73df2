"""The card's ⏱ Timer button and the stop / discard buttons of the answer only its presser sees."""

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import messages
from blocks.ids import Action, parse_id, parse_ref
from handlers.context import Ack, deps_of, run_as
from handlers.guard import guarded
from models.enums import EventKind
from services.work_orders import timers


def register(app: AsyncApp) -> None:
    app.action(Action.TIMER)(guarded(press))
    app.action(Action.TIMER_STOP)(guarded(stop))
    app.action(Action.TIMER_DISCARD)(guarded(stop))


async def press(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Start the presser's timer, or (running already) offer to stop it."""
    await ack()
    deps = deps_of(context)
    work_order_id, _ = parse_ref(action["value"])
    pressed = await run_as(deps, timers.press, user_id=body["user"]["id"], work_order_id=work_order_id)
    if pressed.change is not None:
        await deps.notifier.reply(body["response_url"], messages.timer_started(pressed))
        return
    shown = messages.timer_running(pressed, too_long=timers.too_long(pressed.minutes))
    await deps.notifier.reply(body["response_url"], shown["text"], shown["blocks"])


async def stop(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    log = action["action_id"] == Action.TIMER_STOP
    change = await run_as(
        deps, timers.stop, timer_id=parse_id(action["value"], "a timer id"), user_id=body["user"]["id"], log=log
    )
    stopped = next(event for event in change.events if event.kind == EventKind.TIMER_STOPPED)
    minutes = int(stopped.data["minutes"])
    await deps.notifier.replace(
        body["response_url"], messages.timer_stopped(change.work_order.ref, minutes=minutes, logged=log)
    )
