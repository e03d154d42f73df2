"""Sends queued webhook deliveries: wakes when this process commits an event, and polls for the rest
(events from other replicas, retries coming due). Never in the path of a Slack interaction."""

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from functools import partial
from typing import Any

import aiohttp

from bot import http_headers
from bot.metrics import Metrics
from bot.rounds import run_rounds
from models.db import Database
from services.delivery import publishing, webhooks
from services.organisation.integrations import Webhook
from services.organisation.org import Organisation
from services.ports import Clock

log = logging.getLogger("wrench.webhooks")
POLL_SECONDS = 2.0
IDLE_POLL_SECONDS = 60.0  # no webhooks configured: events are only marked and, when old, pruned
SEND_TIMEOUT_SECONDS = 10
PRUNE_EVERY_SECONDS = 3600
MAX_IN_FLIGHT = 50  # sends at once, across webhooks
STOP_GRACE_SECONDS = 5.0  # at shutdown, how long sends under way may take before they are cut off
USER_AGENT = "Wrench-Webhooks/1"


class WebhookWorker:
    def __init__(
        self, db: Database, org: Organisation, clock: Clock, http: aiohttp.ClientSession, metrics: Metrics
    ) -> None:
        self.db = db
        self.org = org
        self.clock = clock
        self.http = http
        self.metrics = metrics
        self.by_name: dict[str, Webhook] = {webhook.name: webhook for webhook in org.webhooks}
        self.secrets = {webhook.name: webhook.signing_secret() for webhook in org.webhooks}  # fails early
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._last_prune = 0.0
        # Stopping never cancels a task inside a transaction (on SQLite a connection cut off mid-transaction
        # can keep the write lock): the loop sees `_stopping`; a send is cut off only while it waits on its
        # receiver, never while `_recording` its result.
        self._stopping = asyncio.Event()
        self._recording: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        if self.org.webhooks:  # with nothing to send, a commit is no reason to wake
            self.db.after_commit.append(self._on_commit)
        self._task = asyncio.create_task(self._loop(), name="webhook-worker")

    async def stop(self, *, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Start nothing new, give the sends under way `grace_seconds`, then cut off those still waiting on
        their receiver (each is sent again when its lease runs out: receivers dedupe on X-Wrench-Delivery)."""
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
        if info.get(publishing.PUBLISHED_FLAG):
            self._wake.set()

    async def _loop(self) -> None:
        await run_rounds(
            self.work_once,
            wake=self._wake,
            stopping=self._stopping,
            idle_seconds=lambda: POLL_SECONDS if self.org.webhooks else IDLE_POLL_SECONDS,
            log=log,
            name="webhook worker",
        )

    async def work_once(self) -> bool:
        """Fan out new events, send what is due; True when there may be more to do at once."""
        hooks = self.org.webhooks
        queued = await self.db.run(partial(webhooks.fan_out, webhooks=hooks, now=self.clock()))
        room = MAX_IN_FLIGHT - len(self._in_flight)
        leased = []
        if room > 0 and not self._stopping.is_set():
            leased = await self.db.run(partial(webhooks.lease_due, webhooks=hooks, now=self.clock(), limit=room))
        for outgoing in leased:  # each send on its own: a slow receiver holds up only its own deliveries
            task = asyncio.create_task(self._send_logged(outgoing))
            self._in_flight.add(task)
            task.add_done_callback(self._sent)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            await self.db.run(partial(webhooks.prune, now=self.clock()))
        return bool(queued or leased)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # room for more

    async def _send_logged(self, outgoing: webhooks.Outgoing) -> None:
        try:
            await self._send(outgoing)
        except asyncio.CancelledError:
            raise
        except Exception:  # its lease runs out and another round sends it again
            log.exception("webhook %s: sending delivery %s failed", outgoing.webhook, outgoing.delivery_id)

    async def _send(self, outgoing: webhooks.Outgoing) -> None:
        webhook = self.by_name[outgoing.webhook]
        timestamp = int(self.clock().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Wrench-Event": outgoing.event_type,
            "X-Wrench-Delivery": str(outgoing.delivery_id),
            "X-Wrench-Attempt": str(outgoing.attempt),
            "X-Wrench-Timestamp": str(timestamp),
            "X-Wrench-Signature": webhooks.sign(self.secrets[webhook.name], timestamp, outgoing.body),
        }
        status: int | None = None
        error: str | None = None
        retry_after: timedelta | None = None
        started = time.perf_counter()
        try:
            async with self.http.post(
                webhook.url,
                data=outgoing.body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS),
            ) as response:
                status = response.status
                retry_after = http_headers.retry_after(
                    response.headers.get("Retry-After"), cap=webhooks.MAX_RETRY_AFTER, now=self.clock()
                )
                if not 200 <= status < 300:
                    error = f"HTTP {status}: {(await response.text(errors='replace'))[:200]}"
        except (aiohttp.ClientError, TimeoutError) as failure:
            error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
        self.metrics.webhook_seconds.labels(webhook.name).observe(time.perf_counter() - started)
        recording = asyncio.current_task()
        assert recording is not None
        self._recording.add(recording)
        try:
            state = await self.db.run(
                partial(
                    webhooks.record_result,
                    now=self.clock(),
                    delivery_id=outgoing.delivery_id,
                    status=status,
                    error=error,
                    retry_after=retry_after,
                )
            )
        finally:
            self._recording.discard(recording)
        outcome = "delivered" if state == webhooks.DELIVERED else "failed" if state == webhooks.FAILED else "retry"
        self.metrics.webhook_deliveries.labels(webhook.name, outcome).inc()
        if error:
            log.warning(
                "webhook %s: %s %s (attempt %d): %s",
                webhook.name,
                outgoing.event_type,
                outgoing.delivery_id,
                outgoing.attempt,
                error,
            )
