"""`/wo NUMBER`: show one work order to the person who asked."""

import re
from functools import partial
from typing import Any

from blocks import card, messages
from blocks.ids import Command
from handlers.context import deps_of
from handlers.guard import guarded
from services import work_orders

NUMBER = re.compile(r"^(?:wo-?|#)?(\d{1,9})$", re.IGNORECASE)


def register(app: Any) -> None:
    app.command(Command.WO)(guarded(show_work_order))


def parse_number(text: str) -> int | None:
    """`42`, `WO-42`, `wo42` and `#42` all mean work order 42."""
    match = NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


async def show_work_order(ack: Any, command: dict[str, Any], context: Any) -> None:
    await ack()
    deps = deps_of(context)
    number = parse_number(command.get("text", ""))
    if number is None:
        await deps.notifier.reply(command["response_url"], messages.wo_usage())
        return
    work_order = await deps.db.run(partial(work_orders.get_by_number, number=number))
    shown = card.summary(
        work_order,
        category_name=deps.org.category_name(work_order.category),
        team_name=deps.org.team(work_order.team).name,
    )
    await deps.notifier.reply(command["response_url"], shown["text"], shown["blocks"])
