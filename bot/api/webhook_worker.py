"""Sends queued webhook deliveries: wakes when this process commits an event, and polls for the rest
(events from other replicas, retries coming due). Never in the path of a Slack interaction."""

import asyncio
import logging
import time
from datetime import timedelta
from functools import partial

import aiohttp

from bot import http_headers
from bot.metrics import Metrics
from bot.rounds import RoundWorker
from models.db import Database
from services.delivery import publishing, webhooks
from services.organisation.integrations import Webhook
from services.organisation.org import Organisation
from services.ports import Clock

log = logging.getLogger("wrench.webhooks")
POLL_SECONDS = 2.0
IDLE_POLL_SECONDS = 60.0  # no webhooks configured: events are only marked and, when old, pruned
SEND_TIMEOUT_SECONDS = 10
MAX_IN_FLIGHT = 50  # sends at once, across webhooks
USER_AGENT = "Wrench-Webhooks/1"


class WebhookWorker(RoundWorker):
    """Stopping cuts off the sends still waiting on their receiver once the grace is over (each is sent again
    when its lease runs out: receivers dedupe on X-Wrench-Delivery), never one recording its result."""

    def __init__(
        self, db: Database, org: Organisation, clock: Clock, http: aiohttp.ClientSession, metrics: Metrics
    ) -> None:
        # with nothing to send, a commit is no reason to wake
        wake_flag = publishing.PUBLISHED_FLAG if org.webhooks else None
        super().__init__(db, name="webhook worker", wake_flag=wake_flag, log=log)
        self.org = org
        self.clock = clock
        self.http = http
        self.metrics = metrics
        self.by_name: dict[str, Webhook] = {webhook.name: webhook for webhook in org.webhooks}
        self.secrets = {webhook.name: webhook.signing_secret() for webhook in org.webhooks}  # fails early

    def idle_seconds(self) -> float:
        return POLL_SECONDS if self.org.webhooks else IDLE_POLL_SECONDS

    async def work_once(self) -> bool:
        """Fan out new events, send what is due; True when there may be more to do at once."""
        hooks = self.org.webhooks
        queued = await self.db.run(partial(webhooks.fan_out, webhooks=hooks, now=self.clock()))
        room = self._room(MAX_IN_FLIGHT)
        leased = []
        if room:
            leased = await self.db.run(partial(webhooks.lease_due, webhooks=hooks, now=self.clock(), limit=room))
        for outgoing in leased:
            self._launch(self._send_logged(outgoing))
        if self._prune_due():
            await self.db.run(partial(webhooks.prune, now=self.clock()))
        return bool(queued or leased)

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
        with self._recording_result():
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
