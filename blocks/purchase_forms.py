"""The purchasing forms: the purchase request, receiving (and its confirmation step when more arrived than
was ordered), rejecting and cancelling, and a form's last word when someone else got there first."""

import json
from dataclasses import dataclass
from typing import Any

from blocks import text as t
from blocks.ids import INPUT_ACTION, Action, Block, Callback
from blocks.modals import input_block, modal, option, picker, text_input
from models.views import PurchaseRead

ROWS = 3  # part rows of the request form
FORM_MARK = "purchase:1"  # the request form's private_metadata: a form no builder of ours made is refused
NOTE_MAX = 1000
REASON_MAX = 1000


@dataclass(frozen=True)
class PurchaseDraft:
    """What the request form starts with: a part (id, label) and a quantity, the work order it is for,
    and why it was opened (stock too short for Use parts)."""

    part: tuple[int, str] | None = None
    quantity: int | None = None
    work_order: str = ""  # "WO-12"
    reason: str = ""


def row_block(name: str, row: int) -> str:
    return name if row == 1 else f"{name}_{row}"


def request_modal(draft: PurchaseDraft | None = None, *, currency: str) -> dict[str, Any]:
    """Up to three parts (type-ahead, with their stock), each with a quantity and an expected unit cost; the
    vendor (type-ahead from the register), the work order it is for, a note."""
    draft = draft or PurchaseDraft()
    blocks: list[dict[str, Any]] = []
    if draft.reason:
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md(":warning: {}", draft.reason))]})
    blocks.append(input_block(Block.VENDOR, "Vendor", picker(Action.PICK_PO_VENDOR, "Type a vendor's name or key")))
    for row in range(1, ROWS + 1):
        later = row > 1
        chosen = option(draft.part[1], f"part:{draft.part[0]}") if draft.part and row == 1 else None
        quantity = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": False, "min_value": "1"}
        if row == 1 and draft.quantity:
            quantity["initial_value"] = str(draft.quantity)
        blocks += [
            input_block(
                row_block(Block.PART, row),
                f"Part {row}" if later else "Part",
                picker(Action.PICK_PART, "Type a SKU or part name", chosen),
                optional=later,
            ),
            input_block(row_block(Block.QUANTITY, row), "Quantity", quantity, optional=later),
            input_block(
                row_block(Block.UNIT_COST, row),
                f"Expected unit cost ({currency})",
                text_input(20),
                optional=True,
                hint="Leave empty for the part's cost in the register.",
            ),
        ]
    blocks += [
        input_block(Block.WORK_ORDER, "For work order", text_input(20, initial=draft.work_order), optional=True),
        input_block(Block.NOTE, "Note for the approver", text_input(NOTE_MAX, multiline=True), optional=True),
    ]
    return modal(Callback.PURCHASE_MODAL, "Order parts", "Ask to order", blocks, metadata=FORM_MARK)


def receive_block(line_id: int) -> str:
    return f"received_{line_id}"


def cost_block(line_id: int) -> str:
    return f"cost_{line_id}"


def receive_modal(order: PurchaseRead) -> dict[str, Any]:
    """A quantity (what is still to come, to begin with) and the actual unit cost of each line."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": t.mrkdwn(t.md("*{} · {}*", order.ref, order.vendor_name))},
    ]
    for line in order.lines:
        quantity = {
            "type": "number_input",
            "action_id": INPUT_ACTION,
            "is_decimal_allowed": False,
            "min_value": "0",
            "initial_value": str(line.outstanding),
        }
        label = f"{line.sku} {line.name}: received ({line.received} of {line.quantity} so far)"
        blocks += [
            input_block(receive_block(line.id), label[:2000], quantity),
            input_block(
                cost_block(line.id),
                f"{line.sku}: actual unit cost ({order.currency})",
                text_input(20, initial=line.unit_cost),
            ),
        ]
    metadata = f"{order.id}:{order.version}"
    return modal(Callback.PO_RECEIVE_MODAL, f"Receive {order.ref}", "Receive", blocks, metadata=metadata)


def over_modal(order: PurchaseRead, *, message: str, arrivals: dict[int, tuple[int, int | None]]) -> dict[str, Any]:
    """The second step when more arrived than was ordered: the same receipt, confirmed."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": t.mrkdwn(t.md(":warning: *{}*\n{}", order.ref, message))},
        {"type": "context", "elements": [t.mrkdwn("Receive it to add it all to stock, or go back and change it.")]},
    ]
    metadata = json.dumps({"id": order.id, "v": order.version, "a": {str(k): v for k, v in arrivals.items()}})
    return modal(Callback.PO_OVER_MODAL, f"Receive {order.ref}?", "Receive anyway", blocks, metadata=metadata)


def reject_modal(order: PurchaseRead) -> dict[str, Any]:
    heading = {
        "type": "section",
        "text": t.mrkdwn(t.md("*{} · {} {} {}*", order.ref, order.vendor_name, order.total, order.currency)),
    }
    reason = input_block(Block.REASON, "Why? (who asked sees this)", text_input(REASON_MAX, multiline=True))
    return modal(Callback.PO_REJECT_MODAL, f"Reject {order.ref}", "Reject", [heading, reason], metadata=str(order.id))


def cancel_modal(order: PurchaseRead) -> dict[str, Any]:
    heading = {
        "type": "section",
        "text": t.mrkdwn(t.md("*{} · {} {} {}*", order.ref, order.vendor_name, order.total, order.currency)),
    }
    note = "What already arrived stays in stock; nothing more is expected."
    reason = input_block(Block.REASON, "Why?", text_input(REASON_MAX, multiline=True), optional=True, hint=note)
    return modal(
        Callback.PO_CANCEL_MODAL, f"Cancel {order.ref}", "Cancel order", [heading, reason], metadata=str(order.id)
    )


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A form's last word when it cannot do what it asked (someone else got there first): no submit."""
    return {
        "type": "modal",
        "title": t.plain(title, t.MODAL_TITLE),
        "close": t.plain("Close", t.MODAL_TITLE),
        "blocks": [{"type": "section", "text": t.mrkdwn(t.service_text(text))}],
    }
