"""The webhook queue on a real database: events published with the change that caused them, fanned out
once per subscribing webhook, leased by one worker at a time, retried on a growing schedule, given up
after the last attempt, shown by `status`, queued again by `retry_failed`, and pruned when old."""

import json
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.integrations import PublishedEvent, WebhookDelivery
from models.schemas import RequestCreate
from services.delivery import webhooks
from services.errors import Forbidden
from services.organisation.integrations import Webhook
from services.organisation.org import Organisation
from services.requests import service as requests
from services.work_orders import assignment
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act, new_work_order
from tests.support.org import MANAGER, STAFF, TECH_1

ALL = Webhook(name="erp", url="http://127.0.0.1:9/hook", secret="s" * 16)
REQUESTS_ONLY = Webhook(name="desk", url="http://127.0.0.1:9/desk", events=("request.*",), secret="t" * 16)


async def published(db: Database) -> list[PublishedEvent]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(PublishedEvent).order_by(PublishedEvent.id)))


async def fan_out(db: Database, clock: FrozenClock, *hooks: Webhook) -> int:
    return await db.run(partial(webhooks.fan_out, webhooks=hooks, now=clock()))


async def lease(db: Database, clock: FrozenClock, *hooks: Webhook) -> list[webhooks.Outgoing]:
    return await db.run(partial(webhooks.lease_due, webhooks=hooks, now=clock()))


async def answer(db: Database, clock: FrozenClock, outgoing: webhooks.Outgoing, status: int | None, **kw) -> str:
    return await db.run(
        partial(webhooks.record_result, now=clock(), delivery_id=outgoing.delivery_id, status=status, **kw)
    )


async def one_event_queued(db: Database, org: Organisation, clock: FrozenClock) -> None:
    """A request waiting for approval: one event (request.submitted), queued for ALL."""
    request = RequestCreate(title="Key", category="keys")
    await db.run(partial(requests.submit, org=org, now=clock(), requester_id=STAFF, request=request))
    await fan_out(db, clock, ALL)


async def test_changes_publish_their_events_in_the_same_transaction(db: Database, org: Organisation, clock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, assignment.claim, wo.id, TECH_1)
    with pytest.raises(Forbidden):  # a refused change publishes nothing
        await act(db, org, clock, assignment.assign, wo.id, STAFF, assignee_id=TECH_1)
    events = await published(db)
    assert [e.type for e in events] == ["work_order.created", "request.submitted", "work_order.assigned"]
    created, submitted, claimed = (e.payload for e in events)
    assert created["work_order"]["ref"] == "WO-1" and created["work_order"]["status"] == "open"
    assert created["actor"] == STAFF
    assert submitted["request"]["work_order_number"] == 1 and submitted["request"]["status"] == "approved"
    assert claimed["work_order"]["assignee"] == TECH_1 and claimed["actor"] == TECH_1
    assert claimed["work_order"]["version"] == 2


async def test_approval_and_rejection_are_published(db: Database, org: Organisation, clock) -> None:
    ask = partial(requests.submit, org=org, now=clock(), requester_id=STAFF)
    first = await db.run(partial(ask, request=RequestCreate(title="Key for B2", category="keys")))
    second = await db.run(partial(ask, request=RequestCreate(title="Key for B3", category="keys")))
    await db.run(partial(requests.approve, org=org, now=clock(), request_id=first.request.id, user_id=MANAGER))
    reject = partial(requests.reject, org=org, now=clock(), request_id=second.request.id, user_id=MANAGER)
    await db.run(partial(reject, reason="Not your floor"))
    types = [(e.type, (e.payload.get("request") or {}).get("id")) for e in await published(db)]
    assert types == [
        ("request.submitted", first.request.id),
        ("request.submitted", second.request.id),
        ("work_order.created", None),
        ("request.approved", first.request.id),
        ("request.rejected", second.request.id),
    ]
    approved = (await published(db))[3].payload["request"]
    assert approved["work_order_number"] == 1 and approved["decided_by"] == MANAGER


async def test_fan_out_queues_each_event_once_per_subscribing_webhook(db: Database, org: Organisation, clock) -> None:
    await new_work_order(db, org, clock)
    assert await fan_out(db, clock, ALL, REQUESTS_ONLY) == 3  # erp: 2 events, desk: request.submitted
    assert await fan_out(db, clock, ALL, REQUESTS_ONLY) == 0  # nothing fanned out twice
    sent = await lease(db, clock, ALL, REQUESTS_ONLY)
    assert sorted((o.webhook, o.event_type) for o in sent) == [
        ("desk", "request.submitted"),
        ("erp", "request.submitted"),
        ("erp", "work_order.created"),
    ]
    body = json.loads(sent[0].body)
    assert body["id"] == sent[0].event_id and body["type"] == sent[0].event_type


async def test_a_leased_delivery_is_not_leased_again_until_its_lease_ends(db: Database, org, clock) -> None:
    await new_work_order(db, org, clock)
    await fan_out(db, clock, ALL)
    assert len(await lease(db, clock, ALL)) == 2
    assert await lease(db, clock, ALL) == []  # another worker finds nothing
    clock.advance(seconds=webhooks.LEASE.total_seconds() + 1)  # the first worker died mid-send
    assert len(await lease(db, clock, ALL)) == 2


async def test_failures_back_off_then_give_up(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await one_event_queued(db, org, clock)
    pauses = []
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        [outgoing] = await lease(db, clock, ALL)
        assert outgoing.attempt == attempt
        state = await answer(db, clock, outgoing, 500, error="HTTP 500: boom")
        if state == webhooks.FAILED:
            break
        async with db.unit_of_work() as session:
            due = await session.scalar(select(WebhookDelivery.next_attempt_at))
        pauses.append(due - clock())
        assert await lease(db, clock, ALL) == []  # not due yet
        clock.now = due
    assert attempt == webhooks.MAX_ATTEMPTS and pauses == list(webhooks.BACKOFF)
    clock.advance(days=2)
    assert await lease(db, clock, ALL) == []  # failed for good
    [shown] = await db.run(partial(webhooks.status, webhooks=[ALL]))
    assert (shown.failed, shown.pending, shown.delivered, shown.last_error) == (1, 0, 0, "HTTP 500: boom")
    assert await db.run(partial(webhooks.retry_failed, webhook=ALL, name="erp", now=clock())) == 1
    [again] = await lease(db, clock, ALL)
    assert await answer(db, clock, again, 204) == webhooks.DELIVERED
    [shown] = await db.run(partial(webhooks.status, webhooks=[ALL]))
    assert (shown.failed, shown.pending, shown.delivered, shown.last_delivered_at) == (0, 0, 1, clock())


async def test_retry_after_stretches_the_pause(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await one_event_queued(db, org, clock)
    [outgoing] = await lease(db, clock, ALL)
    await answer(db, clock, outgoing, 429, retry_after=timedelta(minutes=5))
    [shown] = await db.run(partial(webhooks.status, webhooks=[ALL]))
    assert (shown.pending, shown.failing) == (1, 1)
    clock.advance(minutes=4)
    assert await lease(db, clock, ALL) == []
    clock.advance(minutes=1)
    assert len(await lease(db, clock, ALL)) == 1


async def test_prune_forgets_old_events_once_nothing_waits_on_them(db: Database, org, clock: FrozenClock) -> None:
    await new_work_order(db, org, clock)
    await fan_out(db, clock, REQUESTS_ONLY)  # work_order.created: no delivery; request.submitted: one
    clock.advance(days=31)
    assert await db.run(partial(webhooks.prune, now=clock())) == 1  # the one still pending stays
    [outgoing] = await lease(db, clock, REQUESTS_ONLY)
    await answer(db, clock, outgoing, 200)
    assert await db.run(partial(webhooks.prune, now=clock())) == 1
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    # a known answer (computed once with `openssl dgst -sha256 -hmac`), so a change to the scheme shows
    expected = "v1=abab1cd14b442fe958fe2a6fa7d5c84b3ff267ace7f9c8dc9ce73853e0cf0b3e"
    assert webhooks.sign("s" * 16, 1700000000, b'{"id":1}') == expected


def test_retry_after_is_read_as_seconds_or_a_date_and_capped() -> None:
    from bot.http_headers import retry_after

    cap, now = webhooks.MAX_RETRY_AFTER, datetime(2026, 10, 21, 7, 0, tzinfo=UTC)
    assert retry_after("120", cap=cap) == timedelta(seconds=120)
    assert retry_after(" 99999999999999 ", cap=cap) == webhooks.MAX_RETRY_AFTER  # no overflow
    assert retry_after("Wed, 21 Oct 2026 07:28:00 GMT", cap=cap, now=now) == timedelta(minutes=28)
    assert retry_after(None, cap=cap) is None  # tests/unit/test_retry_after.py has the rest
