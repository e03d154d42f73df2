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
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger("wrench.slack")

Handler = Any  # aiohttp's handler type: async (web.Request) -> web.Response
MAX_AGE_SECONDS = 300  # Slack's advice: refuse requests signed more than five minutes ago (replays)
TIMESTAMP_DIGITS = 12  # Unix seconds until the year 33658: anything longer is no time Slack signed
# The parts of a payload bolt reads before any listener runs, and what each must be.
SHAPES: dict[str, type] = {"event": dict, "actions": list, "view": dict, "message": dict, "user": dict, "team": dict}


def unix_seconds(value: str) -> int | None:
    """`X-Slack-Request-Timestamp` as Unix seconds, or None. Only ASCII digits count (`str.isdigit` also
    takes "²", which `int` refuses), and at most 12 of them: a longer number does not fit a float, and
    comparing it with the clock raised OverflowError (a 500 for anyone, no signature needed)."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > TIMESTAMP_DIGITS:
        return None
    return int(text)


def signed(secret: bytes, raw: bytes, headers: Any, now: float) -> bool:
    """Slack's v0 signature over the raw bytes (any bytes: a body need not be UTF-8 to be checked)."""
    sent_at = headers.get("X-Slack-Request-Timestamp", "")
    timestamp = unix_seconds(sent_at)
    if timestamp is None or abs(now - timestamp) > MAX_AGE_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + sent_at.encode() + b":" + raw, hashlib.sha256).hexdigest()
    sent = headers.get("X-Slack-Signature", "")
    # compare_digest refuses a str with characters beyond ASCII (TypeError): compare bytes
    return hmac.compare_digest(expected.encode(), sent.encode("utf-8", "surrogateescape"))


def as_checked(request: web.Request) -> dict[str, str | Sequence[str]]:
    """The headers for bolt, one value each: the first, which `signed` checked (bolt would read the last of
    a repeated header and check its signature again with `int()`, a 500 for "abc"). Bolt's own internal
    headers (`X-Slack-Bolt-*`, for its lazy listeners) are not for senders to set."""
    first: dict[str, str | Sequence[str]] = {}  # bolt's type for headers (dict is invariant)
    for name, value in request.headers.items():
        key = name.lower()
        if not key.startswith("x-slack-bolt-"):
            first.setdefault(key, value)
    return first


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
            bolt_request = AsyncBoltRequest(body=raw.decode(), query=request.query_string, headers=as_checked(request))
            if not slack_shaped(bolt_request.body):
                raise TypeError("not a payload Slack sends")
        except Exception as error:  # signed, yet not JSON or a form, not UTF-8, or not Slack's shape
            log.warning("slack events: a signed body could not be read (%s: %s)", type(error).__name__, error)
            return web.json_response({"error": "unreadable request"}, status=400)
        return await to_aiohttp_response(await bolt_app.async_dispatch(bolt_request))

    return slack_events
