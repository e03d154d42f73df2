"""A preventive work order's checklist on its card: one line per item with its control, and one-click
follow-ups for failed items; and the modal that takes an item's reading."""

from typing import Any

from blocks import text as t
from blocks.ids import INPUT_ACTION, Action, Block, Callback, Unreadable, parse_id, parse_ref, ref_value
from blocks.modals import input_block, modal
from models.enums import ChecklistKind
from models.schemas import WorkOrderRead

MARKS = {None: ":white_medium_square:", "done": ":white_check_mark:", "pass": ":white_check_mark:", "fail": ":x:"}
CHOICES = {
    ChecklistKind.PASS_FAIL: (("Pass", "pass"), ("Fail", "fail"), ("Clear", "clear")),
    ChecklistKind.CHECK: (("Done", "done"), ("Clear", "clear")),
}
FOLLOW_UP_BUTTONS = 5
RESULTS = ("", "done", "pass", "fail", "clear")  # what a control's value ends with (none: a button)


def item_value(wo: WorkOrderRead, index: int, result: str = "") -> str:
    """What a checklist control carries: "id:version|index|result"."""
    return f"{ref_value(wo.id, wo.version)}|{index}|{result}"


def parse_item_value(value: object) -> tuple[str, int, str]:
    """(ref, index, result) of `item_value`; `Unreadable` for anything else."""
    parts = value.split("|") if isinstance(value, str) else []
    if len(parts) != 3 or parts[2] not in RESULTS:
        raise Unreadable("a checklist control", value)
    ref, index, result = parts
    parse_ref(ref)
    return ref, parse_id(index, "a checklist item"), result


def parse_reading_metadata(metadata: object) -> tuple[str, int]:
    """(ref, index) of the reading modal's private_metadata; `Unreadable` for anything else."""
    ref, bar, index = metadata.partition("|") if isinstance(metadata, str) else ("", "", "")
    if not bar:
        raise Unreadable("a checklist reading form", metadata)
    parse_ref(ref)
    return ref, parse_id(index, "a checklist item")


def checklist(wo: WorkOrderRead, *, controls: bool) -> list[dict[str, Any]]:
    """The checklist's blocks (none for work without one); controls only while the work is open."""
    if not wo.checklist:
        return []
    done = sum(1 for item in wo.checklist if item.get("result"))
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [t.mrkdwn(t.md("*Checklist* · {} of {} done", done, len(wo.checklist)))]}
    ]
    for index, item in enumerate(wo.checklist):
        section: dict[str, Any] = {"type": "section", "text": t.mrkdwn(_line(item))}
        if controls:
            section["block_id"] = f"{Block.CHECKLIST}:{index}"
            section["accessory"] = _control(wo, index, item)
        blocks.append(section)
    failed = [
        (i, item) for i, item in enumerate(wo.checklist) if item.get("result") == "fail" and not item.get("follow_up")
    ]
    for index, item in failed[:FOLLOW_UP_BUTTONS] if controls else ():
        button = {
            "type": "button",
            "action_id": Action.FOLLOW_UP,
            "text": t.plain(f"Open follow-up: {item['label']}", t.BUTTON_TEXT),
            "value": item_value(wo, index),
            "style": "danger",
        }
        blocks.append({"type": "actions", "block_id": f"{Block.FOLLOW_UPS}:{index}", "elements": [button]})
    return blocks


def _line(item: dict[str, Any]) -> t.Mrkdwn:
    text = t.md("{} {}", MARKS.get(item.get("result"), MARKS[None]), item["label"])
    if item.get("kind") == ChecklistKind.NUMBER:
        low, high = item.get("min"), item.get("max")
        bounds = t.md(" ({} to {})", _num(low), _num(high)) if low is not None or high is not None else ""
        unit = t.md(" {}", item["unit"]) if item.get("unit") else ""
        reading = t.md("*{}{}*", _num(item["value"]), unit) if item.get("value") is not None else "_no reading_"
        text += t.md(": {}{}", reading, bounds)
    if item.get("by"):
        text += t.md(" · {}", t.user(item["by"]))
    if item.get("follow_up"):
        text += t.md(" · follow-up WO-{}", item["follow_up"])
    return t.clip(text, t.SECTION_TEXT)


def _num(value: float | None) -> str:
    return "…" if value is None else f"{value:g}"


def _control(wo: WorkOrderRead, index: int, item: dict[str, Any]) -> dict[str, Any]:
    kind = ChecklistKind(item.get("kind", ChecklistKind.CHECK))
    if kind is ChecklistKind.NUMBER:
        label = "Change reading" if item.get("value") is not None else "Enter reading"
        return {
            "type": "button",
            "action_id": Action.CHECKLIST_READING,
            "text": t.plain(label, t.BUTTON_TEXT),
            "value": item_value(wo, index),
        }
    return {
        "type": "overflow",
        "action_id": Action.CHECKLIST,
        "options": [
            {"text": t.plain(text, t.OPTION_TEXT), "value": item_value(wo, index, result)}
            for text, result in CHOICES[kind]
        ],
    }


def reading_modal(wo: WorkOrderRead, index: int) -> dict[str, Any]:
    item = wo.checklist[index]
    low, high = item.get("min"), item.get("max")
    hint = f"Passes from {_num(low)} to {_num(high)}." if low is not None or high is not None else None
    unit = f" ({item['unit']})" if item.get("unit") else ""
    element = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": True}
    return modal(
        Callback.READING_MODAL,
        "Record reading",
        "Save",
        [
            {"type": "section", "text": t.mrkdwn(t.md("*{} · {}*", wo.ref, wo.title))},
            input_block(Block.READING, f"{item['label']}{unit}"[:2000], element, hint=hint),
        ],
        metadata=f"{ref_value(wo.id, wo.version)}|{index}",
    )
