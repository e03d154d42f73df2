"""Would Slack take this payload? Block Kit's rules in one place, for the fake Slack (every message and view
the bot sends) and for the builders' unit and property tests.

`violations(payload, surface)` lists what Slack would refuse, in words; empty means Slack takes it. It
checks that slack_sdk's models read the payload back unchanged (so every block, element and key is one
Slack knows), then the limits slack_sdk leaves unchecked, and the uniqueness rules: an `action_id` once
per block, a `block_id` once per message or view. Limits are Slack's documented ones
(https://api.slack.com/reference/block-kit).
"""

from collections.abc import Iterator
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

Surface = Literal["message", "modal", "home"]
SURFACES: tuple[Surface, ...] = ("message", "modal", "home")

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MESSAGE_TEXT = 40_000  # chat.postMessage's `text` (Slack truncates past it)
SECTION_TEXT = 3000
SECTION_FIELDS, FIELD_TEXT = 10, 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT, BUTTON_VALUE, URL = 75, 2000, 3000
OPTION_TEXT, OPTION_VALUE, OPTION_DESCRIPTION = 75, 150, 75
OPTIONS, OPTION_GROUPS, OVERFLOW_OPTIONS = 100, 100, 5
PLACEHOLDER = 150
LABEL, HINT = 2000, 2000
IDENTIFIER = 255  # action_id, block_id, callback_id, external_id
VIEW_TITLE = 24  # a modal's title, submit and close
PRIVATE_METADATA = 3000
CONFIRM_TITLE, CONFIRM_TEXT, CONFIRM_BUTTON = 100, 300, 30
INTERACTIVE = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "email_text_input",
    "number_input",
    "plain_text_input",
    "url_text_input",
    "file_input",
    "overflow",
    "radio_buttons",
    "rich_text_input",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
}
SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select", "checkboxes", "radio_buttons", "overflow"}


def violations(payload: dict[str, Any], surface: Surface) -> list[str]:
    """What Slack would refuse in `payload`: a message (`text`, `blocks`...) for "message", a view (the
    `view` argument of views.open / views.publish) for "modal" and "home"."""
    if surface not in SURFACES:
        raise ValueError(f"surface is one of {SURFACES}, not {surface!r}")
    if not isinstance(payload, dict):
        return [f"the payload is a {type(payload).__name__}, not an object"]
    found = _message(payload) if surface == "message" else _view(payload, surface)
    blocks = payload.get("blocks")
    if blocks is None:
        return found
    if not isinstance(blocks, list):
        return [*found, "blocks is not a list"]
    if not 0 < len(blocks) <= MAX_BLOCKS[surface] and (blocks or surface != "message"):
        found.append(f"{len(blocks)} blocks; a {surface} holds 1 to {MAX_BLOCKS[surface]}")
    seen_blocks: dict[str, int] = {}
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(block, dict):
            found.append(f"{where} is not an object")
            continue
        found += [f"{where}: {problem}" for problem in _block(block)]
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            block_id = str(block_id)
            if block_id in seen_blocks:
                found.append(f"{where}: block_id {block_id!r} is also blocks[{seen_blocks[block_id]}]'s")
            seen_blocks.setdefault(block_id, index)
    return found


def _message(payload: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if payload.get("delete_original"):
        return found
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        found.append("no fallback `text` (notifications and screen readers show it)")
    elif len(text) > MESSAGE_TEXT:
        found.append(f"`text` has {len(text)} characters; at most {MESSAGE_TEXT}")
    return found


def _view(view: dict[str, Any], surface: Surface) -> list[str]:
    found = []
    if view.get("type") != surface:
        found.append(f"type is {view.get('type')!r}, not {surface!r}")
    try:
        again = View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        found.append(f"slack_sdk refuses the view: {error}")
    else:
        found += [f"slack_sdk does not read it back the same: {d}" for d in _differences(view, again)]
    if surface == "modal":
        for key in ("title", "submit", "close"):
            found += _text(view.get(key), key, VIEW_TITLE, required=key == "title")
        given = view.get("blocks")
        blocks: list[Any] = given if isinstance(given, list) else []
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            found.append("a modal with input blocks needs `submit`")
    for key in ("callback_id", "external_id"):
        found += _identifier(view.get(key), key)
    metadata = view.get("private_metadata")
    if metadata is not None and (not isinstance(metadata, str) or len(metadata) > PRIVATE_METADATA):
        found.append(f"private_metadata is over {PRIVATE_METADATA} characters or not text")
    return found


def _block(block: dict[str, Any]) -> list[str]:
    found = _parsed(block)
    kind = block.get("type")
    found += _identifier(block.get("block_id"), "block_id")
    if kind == "section":
        found += _text(block.get("text"), "text", SECTION_TEXT, required="fields" not in block)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            found.append(f"{len(fields)} fields; at most {SECTION_FIELDS}")
        for index, field in enumerate(fields):
            found += _text(field, f"fields[{index}]", FIELD_TEXT)
    elif kind == "header":
        found += _text(block.get("text"), "text", HEADER_TEXT)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= CONTEXT_ELEMENTS:
            found.append(f"{len(elements)} context elements; 1 to {CONTEXT_ELEMENTS}")
        for index, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                found += _text(element, f"elements[{index}]", SECTION_TEXT)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= ACTIONS_ELEMENTS:
            found.append(f"{len(elements)} actions elements; 1 to {ACTIONS_ELEMENTS}")
    elif kind == "input":
        found += _text(block.get("label"), "label", LABEL)
        found += _text(block.get("hint"), "hint", HINT, required=False)
    action_ids: dict[str, str] = {}
    for where, element in _elements(block):
        found += [f"{where}: {problem}" for problem in _element(element)]
        action_id = element.get("action_id")
        if isinstance(action_id, str):
            action_id = str(action_id)  # an enum member shows as its value
            if action_id in action_ids:
                found.append(f"{where}: action_id {action_id!r} is also {action_ids[action_id]}'s in this block")
            action_ids.setdefault(action_id, where)
    return found


def _elements(block: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The block's interactive elements, with where each is."""
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            yield key, block[key]
    if block.get("type") == "actions":
        for index, element in enumerate(block.get("elements") or []):
            if isinstance(element, dict):
                yield f"elements[{index}]", element


def _element(element: dict[str, Any]) -> list[str]:
    kind = element.get("type")
    found = _identifier(element.get("action_id"), "action_id")
    if kind not in INTERACTIVE:
        return found
    if kind == "button":
        found += _text(element.get("text"), "text", BUTTON_TEXT)
        found += _length(element.get("value"), "value", BUTTON_VALUE)
        found += _length(element.get("url"), "url", URL)
    found += _text(element.get("placeholder"), "placeholder", PLACEHOLDER, required=False)
    options = element.get("options")
    if kind in SELECTS_WITH_OPTIONS or options is not None:
        options = options or []
        most = OVERFLOW_OPTIONS if kind == "overflow" else OPTIONS
        if len(options) > most or (not options and "option_groups" not in element):
            found.append(f"{len(options)} options; 1 to {most}")
        for index, option in enumerate(options):
            found += [f"options[{index}]: {problem}" for problem in _option(option)]
    groups = element.get("option_groups") or []
    if len(groups) > OPTION_GROUPS:
        found.append(f"{len(groups)} option groups; at most {OPTION_GROUPS}")
    for name in ("initial_option",):
        if isinstance(element.get(name), dict):
            found += [f"{name}: {problem}" for problem in _option(element[name])]
    confirm = element.get("confirm")
    if isinstance(confirm, dict):
        found += _text(confirm.get("title"), "confirm.title", CONFIRM_TITLE)
        found += _text(confirm.get("text"), "confirm.text", CONFIRM_TEXT)
        found += _text(confirm.get("confirm"), "confirm.confirm", CONFIRM_BUTTON)
        found += _text(confirm.get("deny"), "confirm.deny", CONFIRM_BUTTON)
    return found


def _option(option: Any) -> list[str]:
    if not isinstance(option, dict):
        return ["not an object"]
    return [
        *_text(option.get("text"), "text", OPTION_TEXT),
        *_length(option.get("value"), "value", OPTION_VALUE, required=True),
        *_text(option.get("description"), "description", OPTION_DESCRIPTION, required=False),
    ]


def _text(node: Any, name: str, most: int, *, required: bool = True) -> list[str]:
    """A text object: present (if `required`), not empty, at most `most` characters."""
    if node is None:
        return [f"{name} is missing"] if required else []
    if not isinstance(node, dict) or not isinstance(node.get("text"), str):
        return [f"{name} is not a text object"]
    text = node["text"]
    if not text:
        return [f"{name} is empty"]
    if len(text) > most:
        return [f"{name} has {len(text)} characters; at most {most}"]
    return []


def _length(value: Any, name: str, most: int, *, required: bool = False) -> list[str]:
    if value is None:
        return [f"{name} is missing"] if required else []
    if not isinstance(value, str):
        return [f"{name} is not text"]
    return [f"{name} has {len(value)} characters; at most {most}"] if len(value) > most else []


def _identifier(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str) or not value:
        return [f"{name} is empty or not text"]
    return [f"{name} has {len(value)} characters; at most {IDENTIFIER}"] if len(value) > IDENTIFIER else []


def _parsed(block: dict[str, Any]) -> list[str]:
    """slack_sdk reads the block back to the same JSON (a block or key it does not know is dropped)."""
    try:
        model = Block.parse(block)
        again = model.to_dict() if model is not None else None
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        return [f"slack_sdk refuses it: {error}"]
    if again is None:
        return [f"slack_sdk knows no {block.get('type')!r} block"]
    return [f"slack_sdk does not read it back the same: {d}" for d in _differences(block, again)]


def _differences(sent: Any, read: Any, path: str = "") -> list[str]:
    """Where `read` differs from `sent` (at most a few)."""
    if isinstance(sent, dict) and isinstance(read, dict):
        found = [f"{path}.{key} is dropped" for key in sent if key not in read]
        found += [f"{path}.{key} is added" for key in read if key not in sent]
        for key in sent.keys() & read.keys():
            found += _differences(sent[key], read[key], f"{path}.{key}")
        return found[:3]
    if isinstance(sent, list) and isinstance(read, list) and len(sent) == len(read):
        return [
            d
            for index, pair in enumerate(zip(sent, read, strict=True))
            for d in _differences(*pair, f"{path}[{index}]")
        ][:3]
    return [] if sent == read else [f"{path or 'it'} is {read!r:.60} instead of {sent!r:.60}"]
