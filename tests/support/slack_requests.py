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
    action_id: str, value: str, *, user_id: str, channel: str, message_ts: str, response_url: str
) -> bytes:
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
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "card_actions",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
    )


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
