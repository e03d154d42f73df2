"""The request modal, and the element helpers every modal shares."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from blocks import text as t
from blocks.ids import INPUT_ACTION, Action, Block, Callback, custom_field_block
from models.enums import FieldType, Priority
from models.schemas import DESCRIPTION_MAX, TITLE_MAX, CustomField

MINUTES_MAX = 24 * 60
MAX_FILES = 5
CHECKED = "yes"


@dataclass(frozen=True)
class RequestDraft:
    """What the request modal starts with: typed text, a chosen category, the message it came from."""

    title: str = ""
    description: str = ""
    category: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # custom field values typed so far
    source: dict[str, str] | None = None  # {"channel", "ts", "user"} of the message it came from
    asset: tuple[int, str] | None = None  # (id, label) of the asset it is about (the asset card's button)


def request_modal(
    *,
    categories: Sequence[tuple[str, str]],
    fields: Sequence[CustomField] = (),
    draft: RequestDraft | None = None,
) -> dict[str, Any]:
    """The request form; `categories` are (key, name) pairs, `fields` the chosen category's own fields."""
    draft = draft or RequestDraft()
    category_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.REQUEST_CATEGORY,
        "options": [option(name, key) for key, name in categories],
        "placeholder": t.plain("What kind of work is it?", 150),
    }
    chosen = next(((key, name) for key, name in categories if key == draft.category), None)
    if chosen:
        category_select["initial_option"] = option(chosen[1], chosen[0])
    blocks: list[dict[str, Any]] = []
    if draft.source:
        origin = t.md(
            "From a message by {} in {}", t.user(draft.source.get("user")), t.channel(draft.source["channel"])
        )
        blocks.append({"type": "context", "elements": [t.mrkdwn(origin)]})
    blocks += [
        input_block(Block.TITLE, "Title", text_input(TITLE_MAX, initial=t.clip(draft.title.strip(), TITLE_MAX))),
        {**input_block(Block.CATEGORY, "Category", category_select), "dispatch_action": True},
        input_block(
            Block.DESCRIPTION,
            "Description",
            text_input(DESCRIPTION_MAX, multiline=True, initial=t.clip(draft.description, DESCRIPTION_MAX)),
            optional=True,
        ),
        input_block(
            Block.LOCATION,
            "Location",
            picker(Action.PICK_LOCATION, "Type a building or room"),
            optional=True,
            hint="Pick from the list, or type where it is and choose “Use …”.",
        ),
        input_block(Block.ASSET, "Asset", _asset_picker(draft), optional=True),
        input_block(
            Block.ASSET_DOWN,
            "Is it down?",
            checkboxes([(CHECKED, "The asset has stopped working")]),
            optional=True,
            hint="Tick if the asset has stopped working: its downtime is counted from now.",
        ),
        input_block(
            Block.PRIORITY,
            "Priority",
            {
                "type": "static_select",
                "action_id": INPUT_ACTION,
                "options": [option(priority.label, priority.value) for priority in Priority],
                "placeholder": t.plain("Category default", 150),
            },
            optional=True,
            hint="Leave empty to use the category's usual priority.",
        ),
        *(custom_field_input(spec, draft.values.get(spec.key)) for spec in fields),
        input_block(Block.FILES, "Photo or file", file_input(), optional=True),
    ]
    view = modal(Callback.REQUEST_MODAL, "New work request", "Submit", blocks)
    if draft.source:
        view["private_metadata"] = json.dumps({"source": draft.source})
    return view


def custom_field_input(spec: CustomField, initial: Any = None) -> dict[str, Any]:
    """The input block for one custom field (block id `cf_<key>`)."""
    element: dict[str, Any]
    if spec.type in (FieldType.TEXT, FieldType.LONG_TEXT):
        element = text_input(spec.max_length, multiline=spec.type is FieldType.LONG_TEXT, initial=str(initial or ""))
    elif spec.type is FieldType.NUMBER:
        element = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": spec.decimals}
        for bound, name in ((spec.min, "min_value"), (spec.max, "max_value")):
            if bound is not None:
                element[name] = str(int(bound)) if not spec.decimals and bound.is_integer() else str(bound)
    elif spec.type is FieldType.SELECT:
        element = {
            "type": "static_select",
            "action_id": INPUT_ACTION,
            "options": [option(choice, choice) for choice in spec.options],
        }
    elif spec.type is FieldType.DATE:
        element = {"type": "datepicker", "action_id": INPUT_ACTION}
    elif spec.type is FieldType.USER:
        element = {"type": "users_select", "action_id": INPUT_ACTION}
    else:
        element = checkboxes([(CHECKED, spec.label)])
    return input_block(custom_field_block(spec.key), spec.label, element, optional=not spec.required, hint=spec.help)


def _asset_picker(draft: RequestDraft) -> dict[str, Any]:
    chosen = option(draft.asset[1], f"asset:{draft.asset[0]}") if draft.asset else None
    return picker(Action.PICK_ASSET, "Type an asset tag or name", chosen)


def picker(action_id: str, placeholder: str, initial: dict[str, Any] | None = None) -> dict[str, Any]:
    """A type-ahead select whose options are served from the database (`app.options(action_id)`)."""
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": action_id,
        "min_query_length": 0,
        "placeholder": t.plain(placeholder, 150),
    }
    if initial is not None:
        element["initial_option"] = initial
    return element


def file_input() -> dict[str, Any]:
    return {"type": "file_input", "action_id": INPUT_ACTION, "max_files": MAX_FILES}


def modal(
    callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]], *, metadata: str = ""
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": t.plain(title, t.MODAL_TITLE),
        "submit": t.plain(submit, t.MODAL_TITLE),
        "close": t.plain("Cancel", t.MODAL_TITLE),
        "blocks": blocks,
    }
    if metadata:
        view["private_metadata"] = metadata
    return view


def input_block(
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


def text_input(max_length: int, *, multiline: bool = False, initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "max_length": max_length,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial
    return element


def checkboxes(choices: Sequence[tuple[str, str]], initial: Sequence[str] = ()) -> dict[str, Any]:
    """Tick boxes; `choices` are (value, label) pairs, `initial` the values ticked to begin with."""
    options = [option(label, value) for value, label in choices]
    element: dict[str, Any] = {"type": "checkboxes", "action_id": INPUT_ACTION, "options": options}
    chosen = [o for o in options if o["value"] in initial]
    if chosen:
        element["initial_options"] = chosen
    return element


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": t.plain(label, t.OPTION_TEXT), "value": value[:150]}
