"""Sends the mail queue: wakes when this process commits a message, and polls for the rest (messages
queued by other replicas, retries coming due). Never in the path of a Slack interaction."""

import asyncio
import contextlib
import logging
import time
from functools import partial
from typing import Any

from bot.mail import smtp
from bot.metrics import Metrics
from models.db import Database
from services.mail import queue
from services.organisation.integrations import Smtp
from services.ports import Clock

log = logging.getLogger("wrench.mail")
POLL_SECONDS = 5.0
MAX_IN_FLIGHT = 4  # SMTP servers limit connections per client; a few at once is plenty
PRUNE_EVERY_SECONDS = 3600
STOP_GRACE_SECONDS = 5.0


class MailWorker:
    def __init__(self, db: Database, config: Smtp, clock: Clock, metrics: Metrics) -> None:
        self.db = db
        self.config = config
        self.sender = config.from_address
        self.clock = clock
        self.metrics = metrics
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._last_prune = 0.0

    def start(self) -> None:
        self.db.after_commit.append(self._on_commit)
        self._task = asyncio.create_task(self._loop(), name="mail-worker")

    async def stop(self, *, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Start nothing new and give sends under way `grace_seconds`; one cut off is sent again when its
        lease runs out (the same Message-ID, so a reader whose server took it once sees one email)."""
        with contextlib.suppress(ValueError):
            self.db.after_commit.remove(self._on_commit)
        self._stopping.set()
        self._wake.set()
        waiting = [task for task in (self._task, *self._in_flight) if task is not None]
        if waiting:
            await asyncio.wait(waiting, timeout=grace_seconds)
        for task in waiting:
            task.cancel()

    def _on_commit(self, info: dict[Any, Any]) -> None:
        if info.get(queue.FLAG):
            self._wake.set()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = await self.work_once()
            except Exception:
                log.exception("mail worker: a round failed; trying again shortly")
                busy = False
            if not busy and not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                self._wake.clear()

    async def work_once(self) -> bool:
        """Send what is due; True when there may be more to do at once."""
        room = MAX_IN_FLIGHT - len(self._in_flight)
        leased: list[queue.Leased] = []
        if room > 0 and not self._stopping.is_set():
            leased = await self.db.run(partial(queue.lease_due, now=self.clock(), limit=room))
        for mail in leased:
            task = asyncio.create_task(self._send(mail))
            self._in_flight.add(task)
            task.add_done_callback(self._sent)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            await self.db.run(partial(queue.prune, now=self.clock()))
        return bool(leased)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()

    async def _send(self, mail: queue.Leased) -> None:
        try:
            outcome = await smtp.send(self.config, self.sender, mail.recipient, mail.message)
            state = await self.db.run(
                partial(
                    queue.record_result,
                    now=self.clock(),
                    mail_id=mail.mail_id,
                    error=outcome.error,
                    permanent=outcome.permanent,
                )
            )
        except asyncio.CancelledError:
            raise
        except Exception:  # its lease runs out and another round sends it again
            log.exception("mail %s: sending failed", mail.mail_id)
            return
        self.metrics.mail_sent.labels(
            "sent" if state == queue.SENT else state if state == queue.FAILED else "retry"
        ).inc()
        if outcome.error:
            log.warning("mail %s to %s (attempt %d): %s", mail.mail_id, mail.recipient, mail.attempt, outcome.error)
