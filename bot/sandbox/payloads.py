"""Signed requests exactly as Slack sends them: slash commands, block actions, view submissions."""

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
TEAM = {"id": "T0TEST", "domain": "test"}
_ids = itertools.count(1)


def signature(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, *, content_type: str, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(body, timestamp, secret),
    }


def trigger_id() -> str:
    return f"{next(_ids)}.1111.{time.monotonic_ns()}"


def slash_command(command: str, text: str, *, user_id: str, response_url: str, channel_id: str = "C0GENERAL") -> bytes:
    """The form-encoded body Slack POSTs for a slash command (HTTP mode)."""
    return urlencode(
        slash_command_fields(command, text, user_id=user_id, response_url=response_url, channel_id=channel_id)
    ).encode()


def slash_command_fields(
    command: str, text: str, *, user_id: str, response_url: str, channel_id: str = "C0GENERAL"
) -> dict[str, str]:
    """A slash command's fields (Socket Mode sends them as the envelope's JSON payload)."""
    return {
        "token": "legacy",
        "team_id": TEAM["id"],
        "team_domain": TEAM["domain"],
        "channel_id": channel_id,
        "channel_name": "general",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0WRENCH",
        "response_url": response_url,
        "trigger_id": trigger_id(),
    }


def interaction(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_action(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel: str,
    message_ts: str,
    response_url: str,
    element: dict[str, Any] | None = None,
) -> bytes:
    """A click on a message (a card or a DM): a button with `value`, or any `element` state."""
    action = element or {"type": "button", "value": value}
    return interaction(
        {
            "type": "block_actions",
            "team": TEAM,
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "api_app_id": "A0WRENCH",
            "token": "legacy",
            "trigger_id": trigger_id(),
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "facilities"},
            "message": {"type": "message", "ts": message_ts, "text": "card"},
            "response_url": response_url,
            "actions": [{"block_id": "card_actions", **action, "action_id": action_id, "action_ts": str(time.time())}],
        }
    )


def view_action(
    view: dict[str, Any],
    action_id: str,
    block_id: str,
    state: dict[str, Any],
    *,
    user_id: str,
    typed: dict[str, dict[str, Any]] | None = None,
) -> bytes:
    """A dispatch action inside an open modal (the request form's category select), as Slack sends it;
    `typed` is what the other input blocks hold at that moment."""
    submitted = {
        "id": "V0OPENFORM",
        "hash": "1700000000.form",
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view.get("private_metadata", ""),
        "blocks": view["blocks"],
        "state": {"values": {**{b: {"value": v} for b, v in (typed or {}).items()}, block_id: {action_id: state}}},
    }
    return interaction(
        {
            "type": "block_actions",
            "team": TEAM,
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "api_app_id": "A0WRENCH",
            "token": "legacy",
            "trigger_id": trigger_id(),
            "container": {"type": "view", "view_id": "V0OPENFORM"},
            "view": submitted,
            "actions": [{**state, "action_id": action_id, "block_id": block_id, "action_ts": str(time.time())}],
        }
    )


def home_action(action_id: str, value: str, *, user_id: str) -> bytes:
    """A button on the Home tab: no channel, no response_url."""
    return interaction(
        {
            "type": "block_actions",
            "team": TEAM,
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "api_app_id": "A0WRENCH",
            "token": "legacy",
            "trigger_id": trigger_id(),
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        }
    )


def options_request(action_id: str, typed: str, *, user_id: str) -> bytes:
    """Slack asking for an external_select's options (`block_suggestion`)."""
    return interaction(
        {
            "type": "block_suggestion",
            "team": TEAM,
            "user": {"id": user_id, "team_id": TEAM["id"]},
            "api_app_id": "A0WRENCH",
            "token": "legacy",
            "action_id": action_id,
            "block_id": "location",
            "value": typed,
            "container": {"type": "view", "view_id": "V0OPENFORM"},
            "view": {"id": "V0OPENFORM", "type": "modal", "callback_id": "request_modal"},
        }
    )


def message_shortcut(*, user_id: str, channel: str, message: dict[str, Any], response_url: str) -> bytes:
    return interaction(
        {
            "type": "message_action",
            "callback_id": "create_work_order",
            "team": TEAM,
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "channel": {"id": channel, "name": "general"},
            "message": message,
            "message_ts": message["ts"],
            "trigger_id": trigger_id(),
            "response_url": response_url,
            "token": "legacy",
            "action_ts": str(time.time()),
        }
    )


def global_shortcut(*, user_id: str) -> bytes:
    return interaction(
        {
            "type": "shortcut",
            "callback_id": "new_request",
            "team": TEAM,
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
            "trigger_id": trigger_id(),
            "token": "legacy",
            "action_ts": str(time.time()),
        }
    )


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> bytes:
    """An Events API delivery (JSON body)."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM["id"],
            "api_app_id": "A0WRENCH",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
    ).encode()


def view_submission(
    view: dict[str, Any], values: dict[str, dict[str, Any]], *, user_id: str, view_id: str | None = None
) -> bytes:
    """The form-encoded body for submitting `view` with `values` (HTTP mode)."""
    return interaction(view_submission_payload(view, values, user_id=user_id, view_id=view_id))


def view_submission_payload(
    view: dict[str, Any], values: dict[str, dict[str, Any]], *, user_id: str, view_id: str | None = None
) -> dict[str, Any]:
    """Submitting `view` (as our builder made it) with `values`: {block_id: element state}."""
    submitted = {
        "id": view_id or f"V{next(_ids):08d}",
        "team_id": TEAM["id"],
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view.get("private_metadata", ""),
        "blocks": view["blocks"],
        "state": {"values": {block_id: {"value": state} for block_id, state in values.items()}},
        "hash": "1700000000.abcdef",
    }
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0WRENCH",
        "token": "legacy",
        "trigger_id": trigger_id(),
        "view": submitted,
        "response_urls": [],
    }


def text_value(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def select_value(value: str | None, *, kind: str = "static_select") -> dict[str, Any]:
    return {
        "type": kind,
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}} if value else None,
    }


def number_value(value: str | None) -> dict[str, Any]:
    return {"type": "number_input", "value": value}


def date_value(value: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value}


def user_value(value: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": value}


def checkbox_value(checked: bool) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [{"value": "yes"}] if checked else []}


def datetime_value(value: int | None) -> dict[str, Any]:
    return {"type": "datetimepicker", "selected_date_time": value}


def files_value(*names: str) -> dict[str, Any]:
    files = [
        {
            "id": f"F{i}",
            "name": name,
            "permalink": f"https://test.slack.com/files/U0/F{i}/{name}",
            "mimetype": "image/jpeg",
        }
        for i, name in enumerate(names, 1)
    ]
    return {"type": "file_input", "files": files}
