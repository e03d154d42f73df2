"""The small modals a card's controls open: complete, hold, note, time, parts, plan, cancel, reopen,
and the approver's reject. Each carries the work order (or request) in `private_metadata`."""

from typing import Any

from blocks import text as t
from blocks.ids import INPUT_ACTION, Action, Block, Callback, ref_value
from blocks.modals import (
    MINUTES_MAX,
    checkboxes,
    file_input,
    input_block,
    modal,
    option,
    picker,
    text_input,
)
from models.enums import HoldReason, Priority
from models.schemas import CAUSE_MAX, RESOLUTION_MAX, ServiceRequestRead, WorkOrderRead

REASON_MAX = 1000
NOTE_MAX = 3000


def _heading(wo: WorkOrderRead) -> dict[str, Any]:
    return {"type": "section", "text": t.mrkdwn(t.md("*{} · {}*", wo.ref, wo.title))}


def _minutes(*, optional_min: int = 0) -> dict[str, Any]:
    return {
        "type": "number_input",
        "action_id": INPUT_ACTION,
        "is_decimal_allowed": False,
        "min_value": str(optional_min),
        "max_value": str(MINUTES_MAX),
    }


def _for(wo: WorkOrderRead, callback: str, title: str, submit: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return modal(callback, title, submit, [_heading(wo), *blocks], metadata=ref_value(wo.id, wo.version))


def complete_modal(wo: WorkOrderRead) -> dict[str, Any]:
    """Ask for the resolution (required), the cause, the time spent and a photo of the result."""
    return _for(
        wo,
        Callback.COMPLETE_MODAL,
        f"Complete {wo.ref}",
        "Complete",
        [
            input_block(Block.RESOLUTION, "What was done?", text_input(RESOLUTION_MAX, multiline=True)),
            input_block(Block.CAUSE, "Cause", text_input(CAUSE_MAX), optional=True),
            input_block(
                Block.MINUTES,
                "Time spent (minutes)",
                _minutes(),
                optional=True,
                hint="Besides running timers: they stop and log their time when you complete.",
            ),
            input_block(Block.FILES, "Photo or file", file_input(), optional=True),
        ],
    )


def hold_modal(wo: WorkOrderRead) -> dict[str, Any]:
    reasons = {
        "type": "static_select",
        "action_id": INPUT_ACTION,
        "options": [option(reason.label, reason.value) for reason in HoldReason],
    }
    return _for(
        wo,
        Callback.HOLD_MODAL,
        f"Hold {wo.ref}",
        "Put on hold",
        [
            input_block(Block.REASON, "Waiting for", reasons),
            input_block(
                Block.NOTE,
                "Note",
                text_input(REASON_MAX, multiline=True),
                optional=True,
                hint="Required for “Other”. The requester sees it.",
            ),
        ],
    )


def note_modal(wo: WorkOrderRead) -> dict[str, Any]:
    return _for(
        wo,
        Callback.NOTE_MODAL,
        f"Note on {wo.ref}",
        "Add note",
        [input_block(Block.NOTE, "Note", text_input(NOTE_MAX, multiline=True))],
    )


def time_modal(wo: WorkOrderRead, *, user_id: str) -> dict[str, Any]:
    worker = {"type": "users_select", "action_id": INPUT_ACTION, "initial_user": user_id}
    return _for(
        wo,
        Callback.TIME_MODAL,
        f"Time on {wo.ref}",
        "Log time",
        [
            input_block(Block.MINUTES, "Minutes", _minutes(optional_min=1)),
            input_block(Block.WORKER, "Who did the work", worker, hint="A member of the team; you by default."),
        ],
    )


PARTS_ROWS = 3  # parts one "Use parts" form records


def part_row_block(name: str, row: int) -> str:
    """Row 1 is `part` / `quantity`; later rows `part_2` / `quantity_2`..."""
    return name if row == 1 else f"{name}_{row}"


def parts_modal(wo: WorkOrderRead) -> dict[str, Any]:
    """Up to three parts from the register (type-ahead, with their stock) and the quantity of each."""
    quantity = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": True, "min_value": "0"}
    override = checkboxes([("yes", "Take it even though the stock says there is not enough (managers)")])
    rows = []
    for row in range(1, PARTS_ROWS + 1):
        later = row > 1
        part = picker(Action.PICK_PART, "Type a SKU or part name")
        rows += [
            input_block(part_row_block(Block.PART, row), f"Part {row}" if later else "Part", part, optional=later),
            input_block(part_row_block(Block.QUANTITY, row), "Quantity", quantity, optional=later),
        ]
    return _for(
        wo,
        Callback.PARTS_MODAL,
        f"Parts for {wo.ref}",
        "Record parts",
        [*rows, input_block(Block.OVERRIDE, "Stock", override, optional=True)],
    )


def plan_modal(wo: WorkOrderRead) -> dict[str, Any]:
    priorities = {
        "type": "static_select",
        "action_id": INPUT_ACTION,
        "options": [option(priority.label, priority.value) for priority in Priority],
        "initial_option": option(wo.priority.label, wo.priority.value),
    }
    due: dict[str, Any] = {"type": "datetimepicker", "action_id": INPUT_ACTION}
    if wo.resolution_due_at:
        due["initial_date_time"] = int(wo.resolution_due_at.timestamp())
    return _for(
        wo,
        Callback.PLAN_MODAL,
        f"Plan {wo.ref}",
        "Save",
        [
            input_block(
                Block.PRIORITY, "Priority", priorities, optional=True, hint="A new priority recomputes the due times."
            ),
            input_block(Block.DUE, "Resolution due", due, optional=True),
        ],
    )


def cancel_modal(wo: WorkOrderRead) -> dict[str, Any]:
    return _for(
        wo,
        Callback.CANCEL_MODAL,
        f"Cancel {wo.ref}",
        "Cancel work order",
        [input_block(Block.REASON, "Why is it cancelled?", text_input(REASON_MAX, multiline=True))],
    )


def cost_modal(wo: WorkOrderRead) -> dict[str, Any]:
    amount = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": True, "min_value": "0"}
    return _for(
        wo,
        Callback.COST_MODAL,
        "Add a cost",
        "Add cost",
        [
            input_block(Block.DESCRIPTION, "What for?", text_input(200), hint="A contractor's invoice, a rental..."),
            input_block(Block.AMOUNT, "Amount", amount),
        ],
    )


def down_modal(wo: WorkOrderRead) -> dict[str, Any]:
    return _for(
        wo,
        Callback.DOWN_MODAL,
        "Asset is down",
        "Mark it down",
        [input_block(Block.REASON, "What is wrong with it?", text_input(REASON_MAX, multiline=True))],
    )


def reopen_modal(wo: WorkOrderRead) -> dict[str, Any]:
    return _for(
        wo,
        Callback.REOPEN_MODAL,
        f"Reopen {wo.ref}",
        "Reopen",
        [input_block(Block.REASON, "What is still wrong?", text_input(REASON_MAX, multiline=True))],
    )


def reject_modal(request: ServiceRequestRead) -> dict[str, Any]:
    heading = {"type": "section", "text": t.mrkdwn(t.md("*{} · {}*", request.ref, request.title))}
    return modal(
        Callback.REJECT_MODAL,
        f"Reject {request.ref}",
        "Reject",
        [heading, input_block(Block.REASON, "Why? (the requester sees this)", text_input(REASON_MAX, multiline=True))],
        metadata=str(request.id),
    )
