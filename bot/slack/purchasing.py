"""The Slack calls a purchasing notice stands for (`outbox.Notice.PURCHASE`): approvers' DMs with Approve /
Reject, the purchase order's message with its PDF in the thread, lines in that thread as parts arrive, and
the news for who asked. The order is read as it stands when the notice is delivered."""

import asyncio
from functools import partial
from typing import Any

from blocks import purchasing as blocks
from bot.slack.notifier import SlackNotifier, is_slack_user
from models.db import Database
from models.views import PurchaseRead
from services.purchasing import mailing, orders, pdf, reading


async def deliver(notifier: SlackNotifier, db: Database, payload: dict[str, Any]) -> None:
    order = await db.run(partial(reading.get, order_id=int(payload["order_id"])))
    news = str(payload.get("news"))
    if news == "requested":
        await _ask_approvers(notifier, db, order)
        return
    for sent in order.approval_messages:  # the approvers' DMs show the decision (or that it was withdrawn)
        await notifier.api.call("chat_update", channel=sent["channel"], ts=sent["ts"], **blocks.approval_request(order))
    channel = orders.channel_of(notifier.org, order)
    if news == "approved":
        await _post_order(notifier, db, order, channel)
        if is_slack_user(order.requested_by) and order.decided_by != order.requested_by:
            await notifier.api.post(order.requested_by, blocks.decided_dm(order, channel=channel))
    elif news == "rejected":
        if is_slack_user(order.requested_by):
            await notifier.api.post(order.requested_by, blocks.decided_dm(order, channel=None))
    elif order.message_channel and order.message_ts:
        drawn = blocks.purchase_order(order)
        await notifier.api.call("chat_update", channel=order.message_channel, ts=order.message_ts, **drawn)
        if news == "received":
            line = blocks.received_line(
                payload.get("lines") or [], by=str(payload.get("by")), complete=bool(payload.get("complete"))
            )
            await notifier.api.post(order.message_channel, line, thread_ts=order.message_ts)
    notifier.homes_soon([*orders.approvers_of(notifier.org, order.team), *notifier.org.admins])


async def _ask_approvers(notifier: SlackNotifier, db: Database, order: PurchaseRead) -> None:
    approvers = orders.approvers_of(notifier.org, order.team)
    sent = []
    for approver in approvers:
        posted = await notifier.api.post(approver, **blocks.approval_request(order))
        if posted is not None:
            sent.append({"channel": posted["channel"], "ts": posted["ts"]})
    await db.run(partial(orders.attach_approval_messages, order_id=order.id, messages=sent))
    if is_slack_user(order.requested_by):
        await notifier.api.post(order.requested_by, blocks.requested_dm(order, approvers=approvers))
    notifier.homes_soon([*approvers, *notifier.org.admins])  # their Home tabs list what waits for them


async def _post_order(notifier: SlackNotifier, db: Database, order: PurchaseRead, channel: str) -> None:
    """The purchase order's message (once), and its PDF in the message's thread."""
    if order.message_channel and order.message_ts:  # a retry after the message was posted and kept
        where = (order.message_channel, order.message_ts)
    else:
        posted = await notifier.api.post(channel, **blocks.purchase_order(order))
        if posted is None:
            return
        where = (posted["channel"], posted["ts"])
        await db.run(partial(orders.attach_message, order_id=order.id, channel=where[0], ts=where[1]))
    document = await asyncio.to_thread(mailing.document, notifier.org, order)
    title = f"Purchase order {order.ref} for {order.vendor_name}"
    await notifier.api.upload(where[0], document, filename=pdf.filename(order), title=title, thread_ts=where[1])
