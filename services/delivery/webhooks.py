"""Webhook deliveries: a durable queue in the database, worked by `bot.api.webhook_worker`.

Each published event becomes one delivery per webhook that subscribes to it (the fan-out marks the
event, so two workers never fan it out twice). A worker leases due deliveries with a conditional
UPDATE, sends them, and records the answer: delivered, or due again after a growing pause, or failed
for good after the last attempt. Several replicas can work the same queue.
"""

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.integrations import PublishedEvent, WebhookDelivery
from services.errors import NotFound
from services.organisation.integrations import Webhook

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# The pause after each failed attempt; after the last one the delivery has failed (about a day in all).
BACKOFF: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (10, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200)
)
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(seconds=60)  # longer than a send can take (its timeout is 10 s)
MAX_RETRY_AFTER = timedelta(hours=12)
KEEP_FOR = timedelta(days=30)  # delivered events are kept this long, then pruned
ERROR_MAX = 500


@dataclass(frozen=True)
class Outgoing:
    """A delivery leased to this worker, ready to send."""

    delivery_id: int
    webhook: str
    event_id: int
    event_type: str
    attempt: int
    body: bytes


@dataclass(frozen=True)
class WebhookStatus:
    name: str
    url: str
    pending: int
    failing: int  # pending after at least one failed attempt
    failed: int  # gave up
    delivered: int
    last_delivered_at: datetime | None
    oldest_pending_at: datetime | None
    last_error: str | None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256 of `{timestamp}.{body}` with the webhook's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def body_of(event: PublishedEvent) -> bytes:
    """The JSON a receiver gets: the published payload with the event's id (the same on every attempt)."""
    return json.dumps({"id": event.id, **event.payload}, separators=(",", ":"), sort_keys=True).encode()


async def fan_out(session: AsyncSession, webhooks: Sequence[Webhook], *, now: datetime, limit: int = 500) -> int:
    """Queue a delivery of each new event to each webhook that wants it; returns deliveries queued."""
    fresh = await session.scalars(
        select(PublishedEvent).where(PublishedEvent.fanned_out_at.is_(None)).order_by(PublishedEvent.id).limit(limit)
    )
    queued = 0
    for event in list(fresh):
        taken = await session.execute(
            update(PublishedEvent)
            .where(PublishedEvent.id == event.id, PublishedEvent.fanned_out_at.is_(None))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker took it
        for webhook in webhooks:
            if webhook.wants(event.type):
                session.add(
                    WebhookDelivery(
                        webhook=webhook.name, event_id=event.id, state=PENDING, next_attempt_at=now, created_at=now
                    )
                )
                queued += 1
    await session.flush()
    return queued


async def lease_due(
    session: AsyncSession, webhooks: Sequence[Webhook], *, now: datetime, limit: int = 20
) -> list[Outgoing]:
    """Deliveries due now, leased to the caller so no other worker sends them meanwhile."""
    names = [webhook.name for webhook in webhooks]
    if not names:
        return []
    free = or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now)
    due = await session.execute(
        select(WebhookDelivery, PublishedEvent)
        .join(PublishedEvent, PublishedEvent.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.state == PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookDelivery.webhook.in_(names),
            free,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    leased = []
    for delivery, event in due:
        taken = await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id, WebhookDelivery.state == PENDING, free)
            .values(leased_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            leased.append(
                Outgoing(delivery.id, delivery.webhook, event.id, event.type, delivery.attempts + 1, body_of(event))
            )
    return leased


async def record_result(
    session: AsyncSession,
    *,
    now: datetime,
    delivery_id: int,
    status: int | None,
    error: str | None = None,
    retry_after: timedelta | None = None,
) -> str:
    """Note how a send went (a 2xx `status` is delivered); returns the delivery's state after it."""
    delivery = await session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.state != PENDING:
        return delivery.state if delivery else FAILED
    delivery.attempts += 1
    delivery.leased_until = None
    delivery.last_status = status
    if status is not None and 200 <= status < 300:
        delivery.state = DELIVERED
        delivery.delivered_at = now
        delivery.last_error = None
    else:
        delivery.last_error = (error or f"HTTP {status}")[:ERROR_MAX]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = FAILED
        else:
            pause = BACKOFF[delivery.attempts - 1]
            if retry_after is not None:
                pause = max(pause, min(retry_after, MAX_RETRY_AFTER))
            delivery.next_attempt_at = now + pause
    await session.flush()
    return delivery.state


async def status(session: AsyncSession, webhooks: Sequence[Webhook]) -> list[WebhookStatus]:
    """How each configured webhook is doing, for `wrench webhooks status` and `/metrics`."""
    counts = await session.execute(
        select(
            WebhookDelivery.webhook,
            WebhookDelivery.state,
            func.count(),
            func.sum(case((WebhookDelivery.attempts > 0, 1), else_=0)),
            func.min(WebhookDelivery.created_at),
            func.max(WebhookDelivery.delivered_at),
        ).group_by(WebhookDelivery.webhook, WebhookDelivery.state)
    )
    tallies: dict[str, dict[str, int]] = {}
    oldest: dict[str, datetime] = {}
    last_delivered: dict[str, datetime] = {}
    for name, state, count, tried, first_created, delivered_at in counts:
        tally = tallies.setdefault(name, {})
        tally[state] = count
        if state == PENDING:
            tally["failing"] = int(tried or 0)
            oldest[name] = first_created
        if delivered_at is not None:
            last_delivered[name] = max(delivered_at, last_delivered.get(name, delivered_at))
    found = []
    for webhook in webhooks:
        tally = tallies.get(webhook.name, {})
        last_error = await session.scalar(
            select(WebhookDelivery.last_error)
            .where(WebhookDelivery.webhook == webhook.name, WebhookDelivery.last_error.is_not(None))
            .order_by(WebhookDelivery.id.desc())
            .limit(1)
        )
        found.append(
            WebhookStatus(
                name=webhook.name,
                url=webhook.url,
                pending=tally.get(PENDING, 0),
                failing=tally.get("failing", 0),
                failed=tally.get(FAILED, 0),
                delivered=tally.get(DELIVERED, 0),
                last_delivered_at=last_delivered.get(webhook.name),
                oldest_pending_at=oldest.get(webhook.name),
                last_error=last_error,
            )
        )
    return found


async def retry_failed(session: AsyncSession, *, webhook: Webhook | None, name: str, now: datetime) -> int:
    """Queue the deliveries that failed for good again (the receiver is fixed); returns how many."""
    if webhook is None:
        raise NotFound(f"There is no webhook named {name} in the config.")
    requeued = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook == name, WebhookDelivery.state == FAILED)
        .values(state=PENDING, attempts=0, next_attempt_at=now, leased_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(requeued.rowcount)  # type: ignore[attr-defined]


async def prune(session: AsyncSession, *, now: datetime) -> int:
    """Forget events older than `KEEP_FOR` that nothing still has to deliver; returns how many."""
    waiting = select(WebhookDelivery.id).where(
        WebhookDelivery.event_id == PublishedEvent.id, WebhookDelivery.state == PENDING
    )
    old = await session.execute(
        delete(PublishedEvent)
        .where(
            PublishedEvent.occurred_at < now - KEEP_FOR,
            PublishedEvent.fanned_out_at.is_not(None),
            ~waiting.exists(),
        )
        .execution_options(synchronize_session=False)
    )
    return int(old.rowcount)  # type: ignore[attr-defined]
