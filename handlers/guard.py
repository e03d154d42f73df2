"""Listeners never let an exception escape: the person who clicked is told, the operator gets a log line.

Why not rely on `@app.error` alone: slack-bolt's async runner (checked with 1.30) resets the ack
when a listener raises right after acking, so Slack would get a 404 three seconds later instead of
the 200 it was already owed. `bot.errors` remains the backstop for errors raised in middleware.
"""

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from services.errors import DomainError, Stale

log = logging.getLogger("wrench.errors")

Listener = Callable[..., Awaitable[None]]


def describe(error: Exception) -> str:
    """What to tell the user: a domain refusal verbatim, anything else as an error id to quote."""
    if isinstance(error, DomainError):
        return str(error)
    error_id = uuid.uuid4().hex[:8]
    log.error("unhandled error %s", error_id, exc_info=error)
    return f"Something went wrong on our side (error id `{error_id}`). Nothing was changed."


def response_url(body: dict[str, Any]) -> str | None:
    if body.get("response_url"):
        return str(body["response_url"])
    urls = body.get("response_urls") or []
    return str(urls[0]["response_url"]) if urls else None


def guarded(listener: Listener) -> Listener:
    """Wrap a listener (which must take `ack`, `context` and `body` or `command`)."""

    @functools.wraps(listener)  # bolt reads the wrapped function's argument names
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as error:
            ack = kwargs["ack"]
            if ack.response is None:
                await ack()
            text = describe(error)
            notifier = kwargs["context"]["deps"].notifier
            if isinstance(error, Stale):  # the clicked card was out of date: redraw it
                await notifier.refresh_card(error.current)
            body = kwargs.get("body") or kwargs.get("command") or {}
            url = response_url(body)
            if url:
                await notifier.reply(url, text)
            elif (body.get("user") or {}).get("id"):  # a click on the Home tab or in a modal
                await notifier.tell(body["user"]["id"], text)

    return run
