"""The Slack outbox on a real database: notices queued in the transaction of the change (and gone with
its rollback), leased one lane head at a time, each lease to one worker, calls recorded under the lease,
retried on a growing schedule, kept a while when something was given up on, and counted by `status`."""

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from models.db import Database
from models.outbox import OutboxEntry
from services.delivery import outbox, slack_events
from services.delivery.outbox import Notice
from services.errors import Forbidden
from services.organisation.org import Organisation
from services.work_orders import assignment
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act, new_work_order
from tests.support.org import STAFF, TECH_1


async def entries(db: Database) -> list[OutboxEntry]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


async def lease(db: Database, clock: FrozenClock, limit: int = 10) -> list[outbox.Leased]:
    return await db.run(partial(outbox.lease_due, now=clock(), limit=limit))


async def queue_messages(db: Database, clock: FrozenClock, *where: str) -> None:
    async def work(session) -> None:  # type: ignore[no-untyped-def]
        for channel in where:
            outbox.message(session, channel, f"to {channel}", now=clock())

    await db.run(work)


async def test_a_change_queues_its_notice_and_a_refused_one_queues_nothing(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    work_order = (await new_work_order(db, org, clock)).work_order
    queued = await entries(db)
    assert [(e.kind, e.lane) for e in queued] == [(Notice.WORK_ORDER_CREATED, f"wo:{work_order.id}")]
    with pytest.raises(Forbidden):  # the requester may not claim: the transaction rolls back, and its notice
        await act(db, org, clock, assignment.claim, work_order.id, STAFF)
    assert len(await entries(db)) == 1
    await act(db, org, clock, assignment.claim, work_order.id, TECH_1)
    changed, redraw = (await entries(db))[-2:]
    assert changed.kind == Notice.WORK_ORDER_CHANGED and changed.lane == f"wo:{work_order.id}"
    assert changed.payload["change"]["work_order"]["assignee_id"] == TECH_1
    assert redraw.kind == Notice.CARD_REFRESH and redraw.lane == f"card:{work_order.id}"


async def test_changes_to_a_card_waiting_to_be_redrawn_share_its_one_redraw(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    """Each change writes its own thread lines and DMs; the card is drawn as it stands when delivered, so
    one redraw waiting shows every change made until a worker takes it. One taken: the next change
    queues another (the taken one may have read the card before it)."""
    work_order = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, assignment.claim, work_order.id, TECH_1)
    await act(db, org, clock, assignment.unassign, work_order.id, TECH_1)
    await act(db, org, clock, assignment.claim, work_order.id, TECH_1)
    kinds = [e.kind for e in await entries(db)]
    assert kinds.count(Notice.WORK_ORDER_CHANGED) == 3 and kinds.count(Notice.CARD_REFRESH) == 1
    taken = [e for e in await lease(db, clock) if e.kind == Notice.CARD_REFRESH]
    assert len(taken) == 1
    await act(db, org, clock, assignment.unassign, work_order.id, TECH_1)
    redraws = [e for e in await entries(db) if e.kind == Notice.CARD_REFRESH]
    assert len(redraws) == 2 and redraws[1].leased_until is None


async def test_home_tabs_are_queued_once_per_person_who_opened_theirs(db: Database, clock: FrozenClock) -> None:
    await db.run(partial(slack_events.opened_home, user_id="U1", now=clock()))
    await db.run(partial(slack_events.opened_home, user_id="U2", now=clock()))
    for entry in await lease(db, clock):  # opening it drew it
        await db.run(partial(outbox.finish, entry_id=entry.id, token=entry.token, failures=[], now=clock()))
    due = clock() + timedelta(seconds=2)
    for _ in range(3):
        await db.run(partial(outbox.homes_soon, user_ids=["U1", "U2", "U3"], now=clock(), due=due))
    homes = await entries(db)
    assert sorted((e.lane, e.payload["user_ids"][0]) for e in homes) == [("home:U1", "U1"), ("home:U2", "U2")]
    assert {e.due_at for e in homes} == {due.replace(tzinfo=None)} or {e.due_at for e in homes} == {due}
    assert await lease(db, clock) == []  # not before the window is over
    clock.advance(seconds=2)
    assert len(await lease(db, clock)) == 2


async def test_only_the_head_of_each_lane_is_leased_and_only_once(db: Database, clock: FrozenClock) -> None:
    await queue_messages(db, clock, "C1", "C1", "C2")
    first = await lease(db, clock)
    assert [e.payload["channel"] for e in first] == ["C1", "C2"]  # C1's second waits for its first
    assert await lease(db, clock) == []  # leased: nobody else gets them
    c1 = first[0]
    await db.run(partial(outbox.finish, entry_id=c1.id, token=c1.token, failures=[], now=clock()))
    second = await lease(db, clock)
    assert [e.payload["channel"] for e in second] == ["C1"] and second[0].id > c1.id


async def test_a_lapsed_lease_is_taken_over_and_the_old_holder_can_no_longer_write(
    db: Database, clock: FrozenClock
) -> None:
    await queue_messages(db, clock, "C1")
    (held,) = await lease(db, clock)
    record = partial(outbox.record_step, entry_id=held.id, steps={"chat_postMessage:C1:#1": {"ts": "1"}})
    assert await db.run(partial(record, token=held.token))
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)  # the holder died: its lease runs out
    (taken,) = await lease(db, clock)
    assert taken.id == held.id and taken.steps == {"chat_postMessage:C1:#1": {"ts": "1"}}  # goes on from there
    assert not await db.run(partial(record, token=held.token))  # the old holder is refused


async def test_a_retry_waits_longer_each_time_and_holds_up_its_lane(db: Database, clock: FrozenClock) -> None:
    await queue_messages(db, clock, "C1", "C1")
    waits = []
    for _ in range(3):
        (head,) = await lease(db, clock)
        wait = await db.run(partial(outbox.retry_later, entry=head, error="chat_postMessage: timeout", now=clock()))
        waits.append(wait)
        assert await lease(db, clock) == []  # not due yet, and the lane's second entry waits behind it
        clock.advance(seconds=wait.total_seconds())
    assert waits == [timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=4)]
    (head,) = await lease(db, clock)
    told = timedelta(seconds=3)
    waited = await db.run(partial(outbox.retry_later, entry=head, error="429", now=clock(), retry_after=told))
    assert waited == told  # Slack's Retry-After, not the backoff (8 s by now)
    status = await db.run(outbox.status)
    assert (status.pending, status.retrying, status.last_error) == (2, 1, "429")


async def test_what_was_given_up_on_is_kept_a_week_and_shown(db: Database, clock: FrozenClock) -> None:
    await queue_messages(db, clock, "C1", "C2")
    one, two = await lease(db, clock)
    failure = {"call": "chat_postMessage:C2:#1", "error": "channel_not_found"}
    await db.run(partial(outbox.finish, entry_id=one.id, token=one.token, failures=[], now=clock()))
    await db.run(partial(outbox.finish, entry_id=two.id, token=two.token, failures=[failure], now=clock()))
    assert [e.id for e in await entries(db)] == [two.id]  # delivered cleanly: gone
    status = await db.run(outbox.status)
    assert (status.pending, status.gave_up) == (0, 1)
    shown = await db.run(outbox.given_up)
    assert [(kind, failures) for _, kind, failures in shown] == [(Notice.MESSAGE, [failure])]
    clock.advance(days=8)
    assert await db.run(partial(outbox.prune, now=clock())) == 1
    assert await entries(db) == []


async def test_released_entries_are_due_again_at_once(db: Database, clock: FrozenClock) -> None:
    await queue_messages(db, clock, "C1")
    (held,) = await lease(db, clock)
    await db.run(partial(outbox.release, held={held.id: held.token}))
    assert [e.id for e in await lease(db, clock)] == [held.id]


async def test_a_unit_of_work_is_all_or_nothing_even_with_a_savepoint_first(db: Database, clock: FrozenClock) -> None:
    """On SQLite the driver left a transaction unopened until the first write, so a SAVEPOINT coming first
    opened one of its own and its RELEASE committed it: a request could be stored without its work order
    (the SIGKILL test found it). Now every unit of work begins at once and commits once."""
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            await session.execute(select(OutboxEntry.id))  # a read first: no write yet
            async with session.begin_nested():
                outbox.message(session, "C1", "inside a savepoint", now=clock())
            raise RuntimeError("the rest of the unit of work fails")
    assert await entries(db) == []


async def test_redraws_are_leased_only_as_fast_as_their_cap(db: Database, clock: FrozenClock) -> None:
    """Redraws left waiting are shared by later changes: the worker leases at most a few at a time."""

    async def redraws(session) -> None:  # type: ignore[no-untyped-def]
        for work_order_id in range(1, 6):
            await outbox.redraw_card(session, work_order_id=work_order_id, now=clock())
        outbox.message(session, "C1", "hello", now=clock())

    await db.run(redraws)
    leased = await db.run(partial(outbox.lease_due, now=clock(), limit=10, caps={outbox.CARD_LANES: 2}))
    assert sorted(entry.lane for entry in leased) == ["card:1", "card:2", "to:C1"]
