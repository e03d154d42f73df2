"""The loop of a background worker that works in rounds (the webhook and mail queues)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable


async def run_rounds(
    work_once: Callable[[], Awaitable[bool]],
    *,
    wake: asyncio.Event,
    stopping: asyncio.Event,
    idle_seconds: Callable[[], float],
    log: logging.Logger,
    name: str,
) -> None:
    """Run `work_once` again at once while it says there may be more to do, else once `wake` is set or
    `idle_seconds()` have passed, until `stopping` is set. A round that raises is logged, not fatal."""
    while not stopping.is_set():
        try:
            busy = await work_once()
        except Exception:
            log.exception("%s: a round failed; trying again shortly", name)
            busy = False
        if not busy and not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), idle_seconds())
            wake.clear()
