"""The background workers that work in rounds (the webhook and mail queues): the loop, sending each item on
a task of its own, waking on this process's commits, pruning now and then, and stopping with a grace."""

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

from models.db import Database

PRUNE_EVERY_SECONDS = 3600
STOP_GRACE_SECONDS = 5.0  # at shutdown, how long sends under way may take before they are cut off


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


class RoundWorker(ABC):
    """A queue's worker: rounds on one task (`work_once`), each item leased sent on a task of its own
    (`_launch`). It wakes when this process commits something flagged `wake_flag` in the commit's info
    (None: nothing wakes it early), and polls for the rest.

    Stopping never cancels a task inside a transaction (on SQLite a connection cut off mid-transaction can
    keep the write lock): the loop sees `_stopping`, and a send marked `_recording_result` is let end."""

    def __init__(self, db: Database, *, name: str, wake_flag: str | None, log: logging.Logger) -> None:
        self.db = db
        self._name = name  # "mail worker": in log lines, and (hyphenated) its task's name
        self._wake_flag = wake_flag
        self._log = log
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._recording: set[asyncio.Task[Any]] = set()
        self._last_prune = 0.0

    @abstractmethod
    async def work_once(self) -> bool:
        """One round; True when there may be more to do at once."""

    @abstractmethod
    def idle_seconds(self) -> float:
        """How long a round that found nothing to do waits for a wake-up before the next."""

    def start(self) -> None:
        if self._wake_flag is not None:
            self.db.after_commit.append(self._on_commit)
        self._task = asyncio.create_task(self._loop(), name=self._name.replace(" ", "-"))

    async def stop(self, *, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Start nothing new, give the round under way and then the sends under way `grace_seconds` each,
        then cut off the sends not recording their result, and give what is left one more grace."""
        with contextlib.suppress(ValueError):
            self.db.after_commit.remove(self._on_commit)
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=grace_seconds)
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=grace_seconds)
        waiting = [task for task in self._in_flight if task not in self._recording]
        for task in waiting:
            task.cancel()
        stuck = [task for task in (self._task, *self._in_flight) if task is not None and not task.done()]
        if stuck:  # recording a result: a short write, let it end
            await asyncio.wait(stuck, timeout=grace_seconds)
        for task in stuck:
            task.cancel()

    def _on_commit(self, info: dict[Any, Any]) -> None:
        if info.get(self._wake_flag):
            self._wake.set()

    async def _loop(self) -> None:
        await run_rounds(
            self.work_once,
            wake=self._wake,
            stopping=self._stopping,
            idle_seconds=self.idle_seconds,
            log=self._log,
            name=self._name,
        )

    def _room(self, max_in_flight: int) -> int:
        """How many more sends may start now: none once stopping."""
        return 0 if self._stopping.is_set() else max(0, max_in_flight - len(self._in_flight))

    def _launch(self, send: Coroutine[Any, Any, None]) -> None:
        """Send one item on its own task: a slow receiver holds up only its own items."""
        task = asyncio.create_task(send)
        self._in_flight.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # room for more

    def _prune_due(self) -> bool:
        """True every `PRUNE_EVERY_SECONDS` (the first round too): time to drop what is kept no longer."""
        if time.monotonic() - self._last_prune <= PRUNE_EVERY_SECONDS:
            return False
        self._last_prune = time.monotonic()
        return True

    @contextlib.contextmanager
    def _recording_result(self) -> Iterator[None]:
        """Around a send's write of its result: stopping lets it end instead of cutting it off."""
        recording = asyncio.current_task()
        assert recording is not None
        self._recording.add(recording)
        try:
            yield
        finally:
            self._recording.discard(recording)
