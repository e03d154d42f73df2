"""Calendar feeds on a real database: the PM plan worked out from each schedule's rule as the generator
will (holidays moved, end counts, floating and paused schedules), open work's due dates, and the
addresses themselves (made once, checked by hash, revoked, who may manage which)."""

from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest

from models.db import Database
from models.enums import Anchor, NonWorking, Repeat
from services.errors import Forbidden, NotFound
from services.maintenance import pm_generation, pm_schedules
from services.maintenance.recurrence import next_due
from services.organisation import calendar_feeds
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.reporting import calendar
from services.work_orders import assignment
from tests.conftest import FrozenClock
from tests.services.test_pm import schedule
from tests.services.test_work_orders import new_work_order
from tests.support.org import ADMIN, CONFIG, MANAGER, STAFF, TECH_1

ENGLAND = CONFIG.replace(
    "    technicians: [U0TECH1, U0TECH2]\n",
    "    technicians: [U0TECH1, U0TECH2]\n"
    "    business_hours: {start: '08:00', end: '18:00', holidays: {country: GB, subdivision: ENG}}\n",
    1,
)


async def plan(db: Database, org: Organisation, today: date, days: int = 90) -> list[tuple[int, int, date]]:
    found = await db.run(partial(calendar.planned, org=org, team="facilities", today=today, days=days))
    return [(pm.schedule_id, pm.number, pm.due_on) for pm in found]


async def test_the_plan_follows_the_rule_and_moves_past_public_holidays(db: Database, clock: FrozenClock) -> None:
    org = parse_organisation(ENGLAND)
    clock.now = datetime(2027, 3, 15, 9, tzinfo=UTC)  # a Monday
    mondays = await schedule(db, org, clock, non_working=NonWorking.NEXT_WORKING_DAY)
    today = clock().date()
    shown = await plan(db, org, today)
    stored = await db.run(partial(pm_schedules.get, schedule_id=mondays))
    rule = pm_schedules.recurrence(stored, org)
    expected, due = [], stored.next_due_on
    while due is not None and due <= today + timedelta(days=90):
        expected.append(due)
        due = next_due(rule, due)
    assert [on for _, _, on in shown] == expected
    assert [number for _, number, _ in shown] == list(range(1, len(expected) + 1))
    assert date(2027, 3, 30) in expected and date(2027, 3, 29) not in expected  # Easter Monday moved
    assert date(2027, 5, 4) in expected and date(2027, 5, 3) not in expected  # early May bank holiday
    assert date(2027, 5, 31) not in expected  # spring bank holiday


async def test_counts_floating_and_paused_schedules(db: Database, org: Organisation, clock: FrozenClock) -> None:
    today = clock().date()
    counted = await schedule(db, org, clock, title="Three times", max_count=3)
    floating = await schedule(db, org, clock, title="Floating", anchor=Anchor.FLOATING, repeat=Repeat.MONTHS)
    paused = await schedule(db, org, clock, title="Paused")
    await db.run(
        partial(pm_schedules.set_paused, org=org, now=clock(), user_id=MANAGER, schedule_id=paused, paused=True)
    )
    shown = await plan(db, org, today)
    assert [n for s, n, _ in shown if s == counted] == [1, 2, 3]
    assert len([s for s, _, _ in shown if s == floating]) == 1
    assert not [s for s, _, _ in shown if s == paused]
    await db.run(partial(pm_generation.check, org=org, now=clock()))  # the first of three is made today
    assert [n for s, n, _ in await plan(db, org, today) if s == counted] == [2, 3]


async def test_due_work_of_a_team_and_of_a_person(db: Database, org: Organisation, clock: FrozenClock) -> None:
    first = (await new_work_order(db, org, clock, title="Leak")).work_order
    second = (await new_work_order(db, org, clock, title="Door")).work_order
    await db.run(partial(assignment.claim, org=org, now=clock(), work_order_id=second.id, user_id=TECH_1))
    team = await db.run(partial(calendar.due_work, team="facilities"))
    assert {w.number for w in team} == {first.number, second.number}
    mine = await db.run(partial(calendar.due_work, assignee=TECH_1))
    assert [w.number for w in mine] == [second.number]
    assert mine[0].due_at == second.resolution_due_at


async def test_an_address_is_shown_once_and_checked_by_its_hash(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    made = partial(calendar_feeds.create, org=org, now=clock(), created_by=MANAGER, team="facilities")
    feed, token = await db.run(made)
    assert token.startswith(f"cal_{feed.prefix}_") and len(token) == 56
    opened = await db.run(partial(calendar_feeds.authenticate, now=clock(), token=token))
    assert opened is not None and opened.team == "facilities" and opened.last_used_at == clock()
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "cal_nope", token + "x", ""):
        assert await db.run(partial(calendar_feeds.authenticate, now=clock(), token=wrong)) is None
    await db.run(partial(calendar_feeds.revoke, org=org, now=clock(), prefix=feed.shown_prefix, user_id=MANAGER))
    assert await db.run(partial(calendar_feeds.authenticate, now=clock(), token=token)) is None


async def test_who_may_make_and_revoke_which_address(db: Database, org: Organisation, clock: FrozenClock) -> None:
    def make(by: str, **whose: str) -> partial:
        return partial(calendar_feeds.create, org=org, now=clock(), created_by=by, **whose)

    with pytest.raises(Forbidden):
        await db.run(make(TECH_1, team="facilities"))
    with pytest.raises(Forbidden):
        await db.run(make(STAFF, person=TECH_1))
    mine, _ = await db.run(make(TECH_1, person=TECH_1))
    again, _ = await db.run(partial(make(TECH_1, person=TECH_1), replace_own=True))
    listed = await db.run(partial(calendar_feeds.listing, org=org, user_id=TECH_1))
    assert [feed.id for feed in listed] == [again.id]  # the new one replaced the old
    with pytest.raises(NotFound):  # not theirs: as if it did not exist
        await db.run(partial(calendar_feeds.revoke, org=org, now=clock(), prefix=again.prefix, user_id=STAFF))
    team_feed, _ = await db.run(make(ADMIN, team="facilities"))
    revoked = await db.run(
        partial(calendar_feeds.revoke, org=org, now=clock(), prefix=team_feed.prefix, user_id=MANAGER)
    )
    assert revoked.revoked_at == clock()
    assert mine.id != again.id
