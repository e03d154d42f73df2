"""Listeners never let an exception escape: the person who clicked is told, the operator gets a log line.

Why not rely on `@app.error` alone: slack-bolt's async runner (checked with 1.30) resets the ack
when a listener raises right after acking, so Slack would get a 404 three seconds later instead of
the 200 it was already owed. `bot.errors` remains the backstop for errors raised in middleware.
"""

import asyncio
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from services import outbox
from services.errors import DomainError, Stale

log = logging.getLogger("wrench.errors")

Listener = Callable[..., Awaitable[None]]


class InFlight:
    """Listeners still running after their ack (bolt runs them in tasks it does not keep): a process
    shutting down waits for them, so a click that was acknowledged is also carried out."""

    CONTEXT_KEY = "in_flight"

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[object]] = set()

    def track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def settle(self, seconds: float) -> int:
        """Wait up to `seconds` for running listeners; returns how many were running."""
        running = set(self.tasks)
        if running:
            await asyncio.wait(running, timeout=seconds)
        return len(running)


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
        in_flight = (kwargs.get("context") or {}).get(InFlight.CONTEXT_KEY)
        if in_flight is not None:
            in_flight.track()
        try:
            await listener(**kwargs)
        except Exception as error:
            ack = kwargs["ack"]
            if ack.response is None:
                await ack()
            text = describe(error)
            deps = kwargs["context"]["deps"]
            notifier = deps.notifier
            if isinstance(error, Stale):  # the clicked card was out of date: redraw it
                await deps.db.run(partial(outbox.redraw_card, work_order_id=error.current.id, now=deps.clock()))
            body = kwargs.get("body") or kwargs.get("command") or {}
            url = response_url(body)
            if url:
                await notifier.reply(url, text)
            elif (body.get("user") or {}).get("id"):  # a click on the Home tab or in a modal
                await notifier.tell(body["user"]["id"], text)

    return run
