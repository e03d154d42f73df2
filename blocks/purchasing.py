"""Purchasing's messages in Slack: the approver's DM with Approve / Reject, the purchase order's message with
Receive, the lines and DMs that follow, a part's Order more, and `/wo parts` and `/wo po`. The forms are
`blocks.purchase_forms`."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from blocks.approvals import approve_or_reject
from blocks.card import button
from blocks.ids import Action, Block
from models.enums import PurchaseStatus
from models.views import PurchaseLineRead, PurchaseRead

SYSTEM = "wrench"  # who approved a request below the threshold
STATUS_BADGE = {
    PurchaseStatus.REQUESTED: ":hourglass_flowing_sand: Waiting for approval",
    PurchaseStatus.REJECTED: ":x: Rejected",
    PurchaseStatus.ORDERED: ":package: Ordered",
    PurchaseStatus.PARTLY_RECEIVED: ":inbox_tray: Partly received",
    PurchaseStatus.RECEIVED: ":white_check_mark: Received",
    PurchaseStatus.CANCELLED: ":no_entry_sign: Cancelled",
}


def _facts(order: PurchaseRead) -> list[t.Mrkdwn]:
    facts = [
        t.md("*Vendor*\n{}", order.vendor_name),
        t.md("*Total*\n{} {}", order.total, order.currency),
        t.md("*Asked by*\n{}", t.user(order.requested_by)),
        t.md("*For*\n{}", order.work_order_ref or "stock"),
    ]
    return facts


def _lines(order: PurchaseRead, *, received: bool) -> t.Mrkdwn:
    def one(line: PurchaseLineRead) -> t.Mrkdwn:
        got = t.md(" · {} received", line.received) if received and line.received else ""
        return t.md(
            "• {} x {} {} — {} at {} {}{}",
            line.quantity,
            line.sku,
            line.name,
            line.amount,
            line.unit_cost,
            order.currency,
            got,
        )

    return t.lines(one(line) for line in order.lines)


def approval_request(order: PurchaseRead) -> dict[str, Any]:
    """The DM each purchase approver gets; once anyone decided, the same message without buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": t.mrkdwn(t.md(":package: *Purchase approval needed: {}*", order.ref))},
        {"type": "section", "fields": [t.mrkdwn(fact, t.FIELD_TEXT) for fact in _facts(order)]},
        {"type": "section", "text": t.mrkdwn(_lines(order, received=False))},
    ]
    if order.note:
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md("Note: {}", order.note))]})
    if order.status is PurchaseStatus.REQUESTED:
        blocks.append(approve_or_reject(str(order.id), approve=Action.PO_APPROVE, reject=Action.PO_REJECT))
    else:
        blocks.append({"type": "context", "elements": [t.mrkdwn(decision(order))]})
    return t.message(t.md("Purchase approval needed: {} {} {}", order.ref, order.total, order.currency), blocks)


def decision(order: PurchaseRead) -> t.Mrkdwn:
    if order.status is PurchaseStatus.REJECTED:
        reason = t.md(": {}", order.rejection_reason) if order.rejection_reason else "."
        return t.clip(t.md(":x: Rejected by {}{}", t.user(order.decided_by), reason), t.SECTION_TEXT)
    if order.status is PurchaseStatus.CANCELLED and order.decided_at is None:
        return t.md(":no_entry_sign: Withdrawn by {}.", t.user(order.cancelled_by))
    if order.decided_by == SYSTEM:
        return t.md(":white_check_mark: Approved at once (below the approval threshold): {}.", order.ref)
    return t.md(":white_check_mark: Approved by {}: {}.", t.user(order.decided_by), order.ref)


def purchase_order(order: PurchaseRead) -> dict[str, Any]:
    """The purchase order's message in the purchasing channel: what was ordered and what arrived, Receive."""
    title = f"{order.ref} · {order.vendor_name}"
    state = t.md(
        "*{}* · {} received of {} {}", STATUS_BADGE[order.status], order.received_amount, order.total, order.currency
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain(title, t.HEADER_TEXT)},
        {"type": "section", "fields": [t.mrkdwn(fact, t.FIELD_TEXT) for fact in _facts(order)]},
        {"type": "section", "text": t.mrkdwn(_lines(order, received=True))},
        {"type": "section", "text": t.mrkdwn(state)},
    ]
    footer = [decision(order)]
    if order.status is PurchaseStatus.CANCELLED:
        why = t.md(": {}", order.cancel_reason) if order.cancel_reason else "."
        footer.append(t.md("Cancelled by {}{}", t.user(order.cancelled_by), why))
    if order.emailed_to:
        footer.append(t.md("Emailed to {}", order.emailed_to))
    elif order.vendor_email and order.number is not None:
        footer.append(t.md("Not emailed (no mail server): send the PDF to {}", order.vendor_email))
    blocks.append({"type": "context", "elements": [t.mrkdwn(t.lines(footer, " · "))]})
    if order.is_open:
        blocks.append(
            {
                "type": "actions",
                "block_id": Block.PO_LINES,
                "elements": [
                    button("Receive", Action.PO_RECEIVE, f"{order.id}:{order.version}", style="primary"),
                    button("Cancel order", Action.PO_CANCEL, str(order.id)),
                ],
            }
        )
    text = t.md(
        "{} for {} {} from {}: {}", order.ref, order.total, order.currency, order.vendor_name, order.status.label
    )
    return t.message(text, blocks)


def received_line(arrived: Sequence[dict[str, Any]], *, by: str, complete: bool) -> t.Mrkdwn:
    """A line in the purchase order's thread: who received what."""
    what = t.lines((t.md("{} x {}", a.get("quantity"), a.get("sku")) for a in arrived), ", ")
    done = " Everything has arrived." if complete else ""
    return t.md(":inbox_tray: {} received {}.{}", t.user(by), what, done)


def requested_dm(order: PurchaseRead, *, approvers: Sequence[str]) -> t.Mrkdwn:
    who = t.lines((t.user(approver) for approver in approvers), ", ")
    return t.md(
        ":hourglass_flowing_sand: Your purchase request {} ({} {} from {}) is waiting for approval by {}.",
        order.ref,
        order.total,
        order.currency,
        order.vendor_name,
        who,
    )


def decided_dm(order: PurchaseRead, *, channel: str | None) -> t.Mrkdwn:
    """Who asked hears the decision; an approved order says where its message is."""
    if order.status is PurchaseStatus.REJECTED:
        return t.clip(
            t.md(
                ":x: Your purchase request {} was not approved by {}: {}",
                order.ref,
                t.user(order.decided_by),
                order.rejection_reason or "",
            ),
            t.SECTION_TEXT,
        )
    where = t.md(" It is posted in {}.", t.channel(channel)) if channel else ""
    return t.md(
        ":white_check_mark: Your purchase request is approved: {} to {}.{}", order.ref, order.vendor_name, where
    )


def low_stock_alert(event_data: dict[str, Any], text: t.Mrkdwn) -> dict[str, Any]:
    """The low-stock alert with **Order more** (when the event names its part)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": t.mrkdwn(text)}]
    part_id = event_data.get("part_id")
    if isinstance(part_id, int):
        blocks.append({"type": "actions", "elements": [button("Order more", Action.ORDER_MORE, str(part_id))]})
    return t.message(text, blocks)


def parts_list(rows: Sequence[tuple[int, str, str, float, float, str]], *, heading: str) -> dict[str, Any]:
    """`/wo parts`: parts with their stock (low ones marked), each with Order more. Rows are
    (id, sku, name, on hand, reorder point, unit)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": t.mrkdwn(t.md("*{}*", heading))}]
    for part_id, sku, name, on_hand, reorder_point, unit in rows[: t.MESSAGE_BLOCKS - 2]:
        low = " :warning: low" if on_hand <= reorder_point else ""
        line = t.md("*{}* {} — {:g} {} in stock (reorder at {:g}){}", sku, name, on_hand, unit, reorder_point, low)
        blocks.append(
            {
                "type": "section",
                "text": t.mrkdwn(line),
                "accessory": button("Order more", Action.ORDER_MORE, str(part_id)),
            }
        )
    if not rows:
        blocks.append({"type": "context", "elements": [t.mrkdwn("No parts match.")]})
    return t.message(t.md("{}", heading), blocks)


def open_orders(orders: Sequence[PurchaseRead]) -> dict[str, Any]:
    """`/wo po`: purchase orders still to arrive and requests waiting for approval."""
    lines = [
        t.md("*{}* {} — {} {} · {}", o.ref, o.vendor_name, o.total, o.currency, o.status.label) for o in orders[:40]
    ]
    text = t.lines(lines) if lines else t.md("No purchase orders are open.")
    return t.message(
        t.md("Open purchase orders"), [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]
    )
