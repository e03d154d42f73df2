"""`/wo`: one work order (`/wo 42`), your work (`mine`), open work (`open [team]`), search
(`search TEXT`), an asset's history (`asset TAG`), preventive maintenance (`pm ...`, `meter ...`:
handlers/pm.py); and the Open button next to each listed work order."""

import re
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import assets as asset_blocks
from blocks import card, lists, messages
from blocks.ids import Action, Command, parse_ref
from handlers import calendars, pm, purchasing
from handlers.context import Ack, deps_of
from handlers.guard import guarded
from models.schemas import WorkOrderRead
from services.ports import Deps
from services.reporting import assets, finding
from services.reporting.card_context import card_context
from services.work_orders import service as work_orders

NUMBER = re.compile(r"^(?:wo-?|#)?(\d{1,9})$", re.IGNORECASE)


def register(app: AsyncApp) -> None:
    app.command(Command.WO)(guarded(wo_command))
    app.action(Action.SHOW)(guarded(show_listed, opens_modal=True))


def parse_number(text: str) -> int | None:
    """`42`, `WO-42`, `wo42` and `#42` all mean work order 42."""
    match = NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


async def wo_command(ack: Ack, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    user_id, url = command["user_id"], command["response_url"]
    word, _, rest = command.get("text", "").strip().partition(" ")
    number = parse_number(word) if not rest else None
    if number is not None:
        work_order = await deps.db.run(partial(work_orders.get_by_number, number=number))
        shown = await _summary(deps, work_order)
    elif word.lower() == "mine":
        listing = await deps.db.run(partial(finding.mine, user_id=user_id))
        shown = lists.results("Your open work", listing, empty="Nothing assigned to you right now.")
    elif word.lower() == "open":
        teams = finding.teams_asked(deps.org, rest.strip(), user_id)
        listing = await deps.db.run(partial(finding.open_work, teams=teams))
        shown = lists.results(f"Open work{_of(deps, teams)}", listing, empty="No open work. :tada:")
    elif word.lower() == "pm":
        await pm.pm_command(deps, command, rest)
        return
    elif word.lower() == "asset" and rest.strip():
        found = await deps.db.run(partial(assets.asset_card, org=deps.org, tag=rest.strip(), now=deps.clock()))
        shown = asset_blocks.asset_card(found)
    elif word.lower() == "parts":
        shown = await purchasing.parts_command(deps, rest)
    elif word.lower() == "po":
        shown = await purchasing.orders_command(deps)
    elif word.lower() == "meter":
        await pm.meter_command(deps, command, rest)
        return
    elif word.lower() == "calendar":
        await calendars.calendar_command(deps, command, rest)
        return
    elif word.lower() == "search" and rest.strip():
        listing = await deps.db.run(partial(finding.search, text=rest))
        shown = lists.results(
            f"Matching “{rest.strip()[:50]}”", listing, empty=f"Nothing matches “{rest.strip()[:50]}”."
        )
    else:
        await deps.notifier.reply(url, messages.wo_usage())
        return
    await deps.notifier.reply(url, shown["text"], shown["blocks"])


async def show_listed(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Open next to a listed work order: its summary, in the same place the list was."""
    await ack()
    deps = deps_of(context)
    work_order = await deps.db.run(partial(work_orders.get, work_order_id=parse_ref(action["value"])[0]))
    shown = await _summary(deps, work_order)
    if body.get("response_url"):
        await deps.notifier.reply(body["response_url"], shown["text"], shown["blocks"])
    else:  # from the Home tab: show it in a modal
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": work_order.ref[:24]},
            "blocks": shown["blocks"],
        }
        await deps.notifier.open_modal(body["trigger_id"], view)


async def _summary(deps: Deps, work_order: WorkOrderRead) -> dict[str, Any]:
    context = await deps.db.run(partial(card_context, org=deps.org, work_order=work_order))
    return card.summary(work_order, context)


def _of(deps: Deps, teams: tuple[str, ...] | None) -> str:
    return "" if teams is None else " in " + ", ".join(deps.org.team(key).name for key in teams)
