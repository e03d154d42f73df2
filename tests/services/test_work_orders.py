"""Work-order use cases on a real database (SQLite always, PostgreSQL when configured)."""

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import select

from models.db import Database
from models.enums import HoldReason, Priority, Status
from models.schemas import Change, RequestCreate
from models.tables import LaborEntry, WorkOrderEvent
from services.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.requests import service as requests
from services.sla import watch
from services.work_orders import assignment, changes, lifecycle, work_log
from services.work_orders import service as work_orders
from tests.conftest import FrozenClock
from tests.support.org import CONFIG, MANAGER, STAFF, TECH_1, TECH_2


async def new_work_order(db: Database, org: Organisation, clock: FrozenClock, **values: object) -> Change:
    request = RequestCreate(**{"title": "Leaking pipe", "category": "plumbing", **values})
    submission = await db.run(partial(requests.submit, org=org, now=clock(), requester_id=STAFF, request=request))
    assert submission is not None and submission.change is not None
    return submission.change


async def act(db: Database, org: Organisation, clock: FrozenClock, service, wo_id: int, user: str, **kw) -> Change:
    return await db.run(partial(service, org=org, now=clock(), work_order_id=wo_id, user_id=user, **kw))


async def test_create_numbers_prioritises_and_sets_due_times(db: Database, org: Organisation, clock) -> None:
    first = (await new_work_order(db, org, clock)).work_order
    second = (await new_work_order(db, org, clock, category="electrical")).work_order
    urgent = (await new_work_order(db, org, clock, priority=Priority.URGENT)).work_order
    assert [first.number, second.number, urgent.number] == [1, 2, 3]
    assert (first.priority, second.priority, urgent.priority) == ("medium", "high", "urgent")
    assert first.response_due_at == clock() + timedelta(hours=4)
    assert first.resolution_due_at == clock() + timedelta(days=3)
    assert urgent.resolution_due_at == clock() + timedelta(hours=4)
    assert (first.team, first.status, first.version, first.ref) == ("facilities", Status.OPEN, 1, "WO-1")


async def test_claim_stamps_first_response_once(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    clock.advance(minutes=10)
    claimed = await act(db, org, clock, assignment.claim, wo.id, TECH_1)
    assert claimed.work_order.first_response_at == clock()
    assert [e.kind for e in claimed.events] == ["assigned"]
    clock.advance(minutes=10)
    started = await act(db, org, clock, lifecycle.start, wo.id, TECH_1)
    assert started.work_order.first_response_at == clock() - timedelta(minutes=10)
    assert [(e.from_status, e.to_status) for e in started.events] == [(Status.OPEN, Status.IN_PROGRESS)]


async def test_start_on_unclaimed_work_claims_it(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    started = await act(db, org, clock, lifecycle.start, wo.id, TECH_2)
    assert started.work_order.assignee_id == TECH_2
    assert [e.kind for e in started.events] == ["assigned", "status_changed"]


async def test_lifecycle_rules_are_enforced(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    done = await act(db, org, clock, lifecycle.complete, wo.id, TECH_1, resolution="Fixed", minutes=30)
    assert (done.work_order.status, done.work_order.completed_by) == (Status.COMPLETED, TECH_1)
    with pytest.raises(InvalidTransition, match="WO-1 is completed; it cannot become in progress"):
        await act(db, org, clock, lifecycle.start, wo.id, TECH_1)
    with pytest.raises(Conflict, match="WO-1 is completed; there is nothing to claim"):
        await act(db, org, clock, assignment.claim, wo.id, TECH_2)


async def test_claiming_held_work_says_who_holds_it(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, assignment.claim, wo.id, TECH_1)
    with pytest.raises(Conflict, match="You already hold WO-1"):
        await act(db, org, clock, assignment.claim, wo.id, TECH_1)
    with pytest.raises(Conflict, match=f"WO-1 is already claimed by <@{TECH_1}>"):
        await act(db, org, clock, assignment.claim, wo.id, TECH_2)


async def test_complete_validates_its_input(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    with pytest.raises(InvalidInput) as blank:
        await act(db, org, clock, lifecycle.complete, wo.id, TECH_1, resolution="  ")
    assert blank.value.field == "resolution"
    with pytest.raises(InvalidInput) as too_long:
        await act(db, org, clock, lifecycle.complete, wo.id, TECH_1, resolution="ok", minutes=24 * 60 + 1)
    assert too_long.value.field == "minutes"
    assert (await db.run(partial(work_orders.get, work_order_id=wo.id))).status is Status.OPEN


async def test_refusals_change_nothing(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, assignment.claim, wo.id, TECH_1)
    with pytest.raises(Forbidden):
        await act(db, org, clock, lifecycle.complete, wo.id, TECH_2, resolution="Fixed")
    with pytest.raises(Forbidden):
        await act(db, org, clock, assignment.claim, wo.id, STAFF)
    done = await act(db, org, clock, lifecycle.complete, wo.id, MANAGER, resolution="Fixed")
    assert (done.work_order.assignee_id, done.work_order.completed_by) == (TECH_1, MANAGER)
    events = await db.run(partial(work_orders.events_of, work_order_id=wo.id))
    assert [e.kind for e in events] == ["created", "assigned", "status_changed"]


async def test_lookup_and_card_reference(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    await db.run(partial(work_orders.attach_card, work_order_id=wo.id, channel="C0FACILITY", ts="1.2"))
    found = await db.run(partial(work_orders.get_by_number, number=1))
    assert (found.card_channel, found.card_ts, found.version) == ("C0FACILITY", "1.2", 1)
    with pytest.raises(NotFound, match="There is no WO-7"):
        await db.run(partial(work_orders.get_by_number, number=7))


async def claim_twice_at_once(
    db: Database, org: Organisation, clock: FrozenClock, wo_id: int
) -> tuple[Change, Conflict]:
    """Two technicians claim at once: (the winner's change, the loser's refusal)."""
    results = await asyncio.gather(
        act(db, org, clock, assignment.claim, wo_id, TECH_1),
        act(db, org, clock, assignment.claim, wo_id, TECH_2),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, Change)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    return winners[0], losers[0]


async def test_concurrent_claims_one_wins_on_every_database(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    winner, loser = await claim_twice_at_once(db, org, clock, wo.id)
    assert str(loser) == f"WO-1 is already claimed by <@{winner.work_order.assignee_id}>."


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_interleaved_claims_one_wins_the_other_learns_who(
    db: Database, org: Organisation, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both transactions read version 1 before either writes: the version check decides. (PostgreSQL
    only: on SQLite each unit of work begins IMMEDIATE, so the second cannot read until the first has
    committed; `test_concurrent_claims_one_wins_on_every_database` covers it there.)"""
    wo = (await new_work_order(db, org, clock)).work_order
    both_read = asyncio.Barrier(2)
    original_load = changes.load
    loads = 0

    async def load_then_wait(session, work_order_id):
        nonlocal loads
        found = await original_load(session, work_order_id)
        loads += 1
        if loads <= 2:  # the first read of each claimer; retries go straight through
            await both_read.wait()
        return found

    monkeypatch.setattr(changes, "load", load_then_wait)
    winner, loser = await claim_twice_at_once(db, org, clock, wo.id)
    assert loads == 3  # two first reads and the loser's retry
    assert str(loser) == f"WO-1 is already claimed by <@{winner.work_order.assignee_id}>."
    async with db.unit_of_work() as session:
        assigned = (await session.execute(select(WorkOrderEvent).where(WorkOrderEvent.kind == "assigned"))).all()
    assert len(assigned) == 1


async def test_the_event_log_is_append_only(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await new_work_order(db, org, clock)
    with pytest.raises(PermissionError, match="append-only"):
        async with db.unit_of_work() as session:
            created = (await session.execute(select(WorkOrderEvent))).scalar_one()
            created.kind = "tampered"
    with pytest.raises(PermissionError, match="append-only"):
        async with db.unit_of_work() as session:
            await session.delete((await session.execute(select(WorkOrderEvent))).scalar_one())
    async with db.unit_of_work() as session:
        assert (await session.execute(select(WorkOrderEvent.kind))).scalars().all() == ["created"]


async def test_concurrent_requests_get_distinct_sequential_numbers(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    changes = await asyncio.gather(*(new_work_order(db, org, clock, title=f"Job {n}") for n in range(12)))
    assert sorted(change.work_order.number for change in changes) == list(range(1, 13))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_two_schedulers_escalate_each_work_order_once(
    database_url: str, org: Organisation, clock: FrozenClock
) -> None:
    """Two replicas ticking at the same moment against one PostgreSQL database."""
    first, second = Database(database_url), Database(database_url)
    try:
        for n in range(20):
            await new_work_order(first, org, clock, title=f"Job {n}")
        clock.advance(days=10)
        tick = partial(watch.check, org=org, now=clock())
        found = await asyncio.gather(first.run(tick), second.run(tick))
        assert sorted(c.work_order.number for c in [*found[0], *found[1]]) == list(range(1, 21))
        async with first.unit_of_work() as session:
            escalations = (
                await session.execute(select(WorkOrderEvent).where(WorkOrderEvent.kind == "escalated"))
            ).all()
        assert len(escalations) == 20
    finally:
        await first.dispose()
        await second.dispose()


async def test_due_times_count_the_teams_business_hours(db: Database, clock: FrozenClock) -> None:
    office = CONFIG.replace(
        "    technicians: [U0TECH1, U0TECH2]\n",
        "    technicians: [U0TECH1, U0TECH2]\n"
        "    business_hours: {days: [mon, tue, wed, thu, fri], start: '08:00', end: '18:00'}\n",
    )
    org = parse_organisation(office)
    clock.now = datetime(2026, 3, 27, 17, tzinfo=UTC)  # Friday 17:00 in London (GMT)
    wo = (await new_work_order(db, org, clock, priority=Priority.URGENT)).work_order  # respond 15m, resolve 4h
    assert wo.response_due_at == datetime(2026, 3, 27, 17, 15, tzinfo=UTC)
    assert wo.resolution_due_at == datetime(2026, 3, 30, 10, tzinfo=UTC)  # Monday 11:00 BST, after the clock change


@pytest.mark.parametrize(
    ("team_holidays", "org_holidays", "resolve_by"),
    [
        # Thursday 17:00, 4 h to resolve: 1 h on Thursday, Good Friday, the weekend and Easter Monday off,
        # 3 h from Tuesday 08:00 BST
        ("{country: GB, subdivision: ENG}", None, datetime(2027, 3, 30, 10, tzinfo=UTC)),
        (None, "{country: GB, subdivision: ENG}", datetime(2027, 3, 30, 10, tzinfo=UTC)),  # every team's
        # Easter Monday worked: 3 h from Monday 08:00 BST
        ("{country: GB, subdivision: ENG, remove: [2027-03-29]}", None, datetime(2027, 3, 29, 10, tzinfo=UTC)),
        # Scotland works Easter Monday
        ("{country: GB, subdivision: SCT}", None, datetime(2027, 3, 29, 10, tzinfo=UTC)),
    ],
)
async def test_due_times_skip_public_holidays(
    db: Database, clock: FrozenClock, team_holidays: str | None, org_holidays: str | None, resolve_by: datetime
) -> None:
    hours = "{days: [mon, tue, wed, thu, fri], start: '08:00', end: '18:00'"
    hours += f", holidays: {team_holidays}}}" if team_holidays else "}"
    office = CONFIG.replace(
        "    technicians: [U0TECH1, U0TECH2]\n",
        f"    technicians: [U0TECH1, U0TECH2]\n    business_hours: {hours}\n",
    ) + (f"holidays: {org_holidays}\n" if org_holidays else "")
    org = parse_organisation(office)
    clock.now = datetime(2027, 3, 25, 17, tzinfo=UTC)  # Thursday 17:00 in London (GMT)
    wo = (await new_work_order(db, org, clock, priority=Priority.URGENT)).work_order  # respond 15m, resolve 4h
    assert wo.response_due_at == datetime(2027, 3, 25, 17, 15, tzinfo=UTC)
    assert wo.resolution_due_at == resolve_by


async def test_the_same_source_submitted_twice_at_once_files_once(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    """Two people react to one message at the same moment: one request, and no error for the other."""
    request = RequestCreate(title="Door sticks", category="plumbing")
    submit = partial(requests.submit, org=org, now=clock(), requester_id=STAFF, request=request, source_key="r:C1:1.2")
    results = await asyncio.gather(db.run(submit), db.run(submit))
    assert sorted(result is None for result in results) == [False, True]


async def test_resuming_unclaimed_work_takes_it(db: Database, org: Organisation, clock: FrozenClock) -> None:
    wo = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, lifecycle.hold, wo.id, MANAGER, reason=HoldReason.ACCESS)
    await act(db, org, clock, assignment.unassign, wo.id, MANAGER)
    resumed = await act(db, org, clock, lifecycle.resume, wo.id, TECH_2)
    assert (resumed.work_order.status, resumed.work_order.assignee_id) == (Status.IN_PROGRESS, TECH_2)


async def test_labor_is_costed_at_the_rate_in_force_when_logged(db: Database, clock: FrozenClock) -> None:
    priced = parse_organisation(
        CONFIG.replace(
            "    technicians: [U0TECH1, U0TECH2]\n", "    technicians: [U0TECH1, U0TECH2]\n    hourly_rate: 60\n"
        )
        + "hourly_rates: {U0TECH2: 90.5}\ncurrency: EUR\n"
    )
    wo = (await new_work_order(db, priced, clock)).work_order
    await act(db, priced, clock, work_log.log_time, wo.id, TECH_1, minutes=30, worker_id=TECH_1)
    await act(db, priced, clock, work_log.log_time, wo.id, TECH_1, minutes=40, worker_id=TECH_2)
    async with db.unit_of_work() as session:
        entries = (await session.execute(select(LaborEntry).order_by(LaborEntry.id))).scalars().all()
    # 30 min at 60.00/h = 30.00; 40 min at 90.50/h = 60.333... → 60.33
    assert [(e.user_id, e.rate_cents, e.cost_cents) for e in entries] == [(TECH_1, 6000, 3000), (TECH_2, 9050, 6033)]


@pytest.mark.parametrize(("remind_every", "reminders"), [("2h", 1), ("0s", 0)])
async def test_escalated_work_is_reminded_about_unless_remind_every_is_zero(
    db: Database, clock: FrozenClock, remind_every: str, reminders: int
) -> None:
    """`escalation.remind_every: 0s` turns reminders off, as docs/configuration.md says."""
    org = parse_organisation(CONFIG + f"escalation: {{remind_every: {remind_every}}}\n")
    await new_work_order(db, org, clock, priority=Priority.URGENT)
    clock.advance(minutes=30)  # the 15-minute response target is missed: level 1
    assert [c.events[0].kind for c in await db.run(partial(watch.check, org=org, now=clock()))] == ["escalated"]
    for _ in range(5):  # 2 h 30 min later, still unclaimed (level 2 comes 4 h after level 1)
        clock.advance(minutes=30)
        await db.run(partial(watch.check, org=org, now=clock()))
    async with db.unit_of_work() as session:
        kinds = (await session.execute(select(WorkOrderEvent.kind).where(WorkOrderEvent.kind == "sla_reminder"))).all()
    assert len(kinds) == reminders
