"""Modals: the request form and the completion form."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from blocks.ids import INPUT_ACTION, Block, Callback
from models.enums import Priority
from models.schemas import WorkOrderRead

TITLE_MAX = 150
DESCRIPTION_MAX = 3000
LOCATION_MAX = 200
RESOLUTION_MAX = 3000
CAUSE_MAX = 500
MINUTES_MAX = 24 * 60


def request_modal(*, title: str, categories: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The `/request` form; `categories` are (key, name) pairs, `title` prefills the title."""
    category_options = [_option(name, key) for key, name in categories]
    priority_options = [_option(priority.label, priority.value) for priority in Priority]
    blocks = [
        _input(Block.TITLE, "Title", _text_input(TITLE_MAX, initial=t.clip(title.strip(), TITLE_MAX))),
        _input(
            Block.CATEGORY,
            "Category",
            {
                "type": "static_select",
                "action_id": INPUT_ACTION,
                "options": category_options,
                "placeholder": t.plain("What kind of work is it?", 150),
            },
        ),
        _input(Block.DESCRIPTION, "Description", _text_input(DESCRIPTION_MAX, multiline=True), optional=True),
        _input(
            Block.LOCATION,
            "Location",
            _text_input(LOCATION_MAX),
            optional=True,
            hint="Building, floor, room: where should the technician go?",
        ),
        _input(
            Block.PRIORITY,
            "Priority",
            {
                "type": "static_select",
                "action_id": INPUT_ACTION,
                "options": priority_options,
                "placeholder": t.plain("Category default", 150),
            },
            optional=True,
            hint="Leave empty to use the category's usual priority.",
        ),
    ]
    return _modal(Callback.REQUEST_MODAL, "New work request", "Submit", blocks)


def complete_modal(wo: WorkOrderRead) -> dict[str, Any]:
    """Ask for the resolution (required), the cause and the time spent; the work order id rides along."""
    minutes = {
        "type": "number_input",
        "action_id": INPUT_ACTION,
        "is_decimal_allowed": False,
        "min_value": "0",
        "max_value": str(MINUTES_MAX),
    }
    blocks = [
        {"type": "section", "text": t.mrkdwn(f"*{wo.ref} · {t.escape(wo.title)}*")},
        _input(Block.RESOLUTION, "What was done?", _text_input(RESOLUTION_MAX, multiline=True)),
        _input(Block.CAUSE, "Cause", _text_input(CAUSE_MAX), optional=True),
        _input(Block.MINUTES, "Time spent (minutes)", minutes, optional=True),
    ]
    view = _modal(Callback.COMPLETE_MODAL, f"Complete {wo.ref}", "Complete", blocks)
    view["private_metadata"] = str(wo.id)
    return view


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": t.plain(title, t.MODAL_TITLE),
        "submit": t.plain(submit, t.MODAL_TITLE),
        "close": t.plain("Cancel", t.MODAL_TITLE),
        "blocks": blocks,
    }


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": t.plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = t.plain(hint, 2000)
    return block


def _text_input(max_length: int, *, multiline: bool = False, initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "max_length": max_length,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial
    return element


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": t.plain(label, t.OPTION_TEXT), "value": value}
