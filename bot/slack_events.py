"""`/slack/events` in HTTP mode: the signature is checked before anything reads the body.

slack-bolt parses a body (and builds its context from it) before its own signature check, and its
middleware indexes into the payload as Slack shapes it, so a body that is not one of Slack's shapes would
be answered 500, with a stack trace in the log, even unsigned. Here a forged or stale request gets 401
unread, and a signed body Slack would never send gets 400.
"""

import hashlib
import hmac
import logging
import time
from typing import Any, cast

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger("wrench.slack")

Handler = Any  # aiohttp's handler type: async (web.Request) -> web.Response
MAX_AGE_SECONDS = 300  # Slack's advice: refuse requests signed more than five minutes ago (replays)
# The parts of a payload bolt reads before any listener runs, and what each must be.
SHAPES: dict[str, type] = {"event": dict, "actions": list, "view": dict, "message": dict, "user": dict, "team": dict}


def signed(secret: bytes, raw: bytes, headers: Any, now: float) -> bool:
    """Slack's v0 signature over the raw bytes (any bytes: a body need not be UTF-8 to be checked)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Slack-Signature", ""))


def slack_shaped(body: object) -> bool:
    if not isinstance(body, dict):
        return False
    if any(key in body and not isinstance(body[key], kind) for key, kind in SHAPES.items()):
        return False
    return all(isinstance(action, dict) for action in body.get("actions", []))


def endpoint(bolt_app: AsyncApp, signing_secret: str) -> Handler:
    secret = signing_secret.encode()

    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()
        if not signed(secret, raw, request.headers, time.time()):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode(), query=request.query_string, headers=cast(Any, request.headers)
            )
            if not slack_shaped(bolt_request.body):
                raise TypeError("not a payload Slack sends")
        except Exception as error:  # signed, yet not JSON or a form, not UTF-8, or not Slack's shape
            log.warning("slack events: a signed body could not be read (%s: %s)", type(error).__name__, error)
            return web.json_response({"error": "unreadable request"}, status=400)
        return await to_aiohttp_response(await bolt_app.async_dispatch(bolt_request))

    return slack_events
