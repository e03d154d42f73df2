"""`seed()`: the demo's registers and history made through the services, in one transaction."""

import heapq
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sandbox.demo import purchasing
from bot.sandbox.demo.organisation import ADMIN, HISTORY_WORKDAYS, SAM
from bot.sandbox.demo.registers import ASSETS, LOCATIONS, PARTS, SERVICED_BY, VENDORS
from bot.sandbox.demo.routine import routine_stories
from bot.sandbox.demo.schedules import schedules
from bot.sandbox.demo.stories import told_stories
from bot.sandbox.demo.summary import SeedSummary, summary
from bot.sandbox.demo.timeline import Step, Story, Timeline, When
from models.db import Database
from models.enums import (
    ChecklistKind,
    EventKind,
    RequestStatus,
    Status,
)
from models.requests import ServiceRequest
from models.schemas import Change, RequestCreate
from models.work_orders import WorkOrder
from services.contracting import vendors
from services.delivery import outbox
from services.inventory import parts, places
from services.maintenance import checklists, meters, pm_generation, pm_schedules
from services.organisation.org import Organisation
from services.requests import service as requests
from services.sla import watch
from services.work_orders import assignment, downtime, lifecycle, parts_used, work_log
from services.work_orders import service as work_orders

# -- what seed() made -------------------------------------------------------------------------------


Job = Callable[[AsyncSession, datetime], Awaitable[None]]


class _Seeder:
    def __init__(self, org: Organisation, now: datetime) -> None:
        self.org, self.now = org, now
        self.timeline = Timeline(org, now)
        self.queue: list[tuple[datetime, int, Job]] = []
        self.order = count()
        self.work_order_of: dict[str, int] = {}
        self.request_of: dict[str, int] = {}
        self.asset_ids: dict[str, int] = {}
        self.location_ids: dict[str, int] = {}
        self.part_ids: dict[str, int] = {}
        self.readings = 0
        self.pm_turn = 0

    def moment(self, when: When) -> datetime:
        return self.timeline.ago(when) if isinstance(when, int) else self.timeline.at(*when)

    def later(self, at: datetime, job: Job) -> None:
        if at <= self.now:
            heapq.heappush(self.queue, (at, next(self.order), job))

    async def run(self, session: AsyncSession) -> None:
        while self.queue:
            at, _, job = heapq.heappop(self.queue)
            await job(session, at)

    # -- registers ----------------------------------------------------------------------------------

    async def registers(self, session: AsyncSession, at: datetime) -> None:
        for key, path in LOCATIONS.items():
            self.location_ids[key] = await places.add_location(session, path, now=at)
        for key, name, trades, contact, email, phone, rate, days_left in VENDORS:
            runs_out = self.timeline.today + timedelta(days=days_left)  # the first one warns in the digest
            values = {"key": key, "name": name, "trades": trades, "contact_name": contact, "email": email}
            values |= {"phone": phone, "hourly_rate": rate, "expires_on": runs_out.isoformat()}
            await vendors.add_vendor(session, org=self.org, now=at, values=values)
        for tag, name, where, kind, parent, maker, model, criticality, age in ASSETS:
            self.asset_ids[tag] = await places.add_asset(
                session,
                tag=tag,
                name=name,
                location=LOCATIONS[where],
                now=at,
                category=kind,
                parent=parent,
                manufacturer=maker,
                model=model,
                serial=f"{tag.replace('-', '')}-{2026 - age}",
                installed_on=date(self.timeline.today.year - age, 4, 1),
                criticality=criticality,
                service_vendor=SERVICED_BY.get(tag, ""),
            )
        for sku, name, unit, cost, on_hand, reorder, store in PARTS:
            part = await parts.add_part(
                session,
                now=at,
                actor_id=ADMIN,
                sku=sku,
                name=name,
                unit=unit,
                unit_cost=cost,
                on_hand=on_hand,
                reorder_point=reorder,
                location=store,
            )
            self.part_ids[sku] = part.id
        tomorrow = self.timeline.today + timedelta(days=1)
        made = schedules(self.org.local_date(at), tomorrow, location_ids=self.location_ids, asset_ids=self.asset_ids)
        for schedule in made:
            await pm_schedules.create(session, org=self.org, now=at, user_id=None, data=schedule)

    # -- requests and what follows ------------------------------------------------------------------

    def plan_story(self, story: Story) -> None:
        filed = self.moment(story.filed)
        for step in story.steps:
            assert self.moment(step.when) > filed, (story.key, step)
        self.later(filed, self._filer(story))
        for step in story.steps:
            self.later(self.moment(step.when), self._stepper(story, step))

    def _fields(self, story: Story) -> dict[str, Any]:
        values = {}
        for key, value in story.fields.items():
            if isinstance(value, str) and value.startswith("{day"):  # a date relative to today
                back = int(value[4:-1])
                day = self.timeline.workday(back) if back >= 0 else self.timeline.today - timedelta(days=back)
                value = day.isoformat()
            values[key] = value
        return values

    def _filer(self, story: Story) -> Job:
        async def file(session: AsyncSession, at: datetime) -> None:
            request = RequestCreate(
                title=story.title,
                category=story.category,
                description=story.description,
                priority=story.priority,
                location_id=self.location_ids[story.place] if story.place else None,
                asset_id=self.asset_ids[story.asset] if story.asset else None,
                custom_fields=self._fields(story),
                asset_down=story.asset_down,
            )
            submitted = await requests.submit(
                session, org=self.org, now=at, requester_id=story.requester, request=request
            )
            assert submitted is not None
            self.request_of[story.key] = submitted.request.id
            if submitted.change is not None:
                self.work_order_of[story.key] = submitted.change.work_order.id

        return file

    def _stepper(self, story: Story, step: Step) -> Job:
        async def act(session: AsyncSession, at: datetime) -> None:
            if step.verb == "approve":
                approved = await requests.approve(
                    session, org=self.org, now=at, request_id=self.request_of[story.key], user_id=step.actor
                )
                assert approved.change is not None
                self.work_order_of[story.key] = approved.change.work_order.id
                return
            common: dict[str, Any] = {
                "org": self.org,
                "now": at,
                "work_order_id": self.work_order_of[story.key],
                "user_id": step.actor,
            }
            args = dict(step.args)
            if step.verb == "parts":
                lines = [parts_used.PartLine(self.part_ids[sku], quantity) for sku, quantity in args.pop("lines")]
                await parts_used.use(session, **common, lines=lines, **args)
            elif step.verb == "assign":
                await assignment.assign(session, **common, assignee_id=args["assignee"])
            else:
                await VERBS[step.verb](session, **common, **args)

        return act

    # -- the scheduler's ticks and PM work ----------------------------------------------------------

    def plan_ticks(self, first: date) -> None:
        """What the scheduler would have done: three ticks a day (PM, SLA watch, auto-close), and the
        meters read every Monday morning."""
        day = first
        while day <= self.timeline.today:
            for clock in ("06:30", "12:30", "17:30"):
                moment = datetime.combine(day, time.fromisoformat(clock), tzinfo=self.org.zone())
                self.later(moment.astimezone(self.now.tzinfo), self._tick)
            if day.weekday() == 0:
                moment = datetime.combine(day, time(7, 45), tzinfo=self.org.zone()).astimezone(self.now.tzinfo)
                self.later(moment, self._read_meters)
            day += timedelta(days=1)
        self.later(self.now, self._tick)

    async def _read_meters(self, session: AsyncSession, at: datetime) -> None:
        weeks = (at - self.timeline.at(HISTORY_WORKDAYS + 1, "07:00")).days // 7
        for tag, start, per_week in (("HQ-GEN-1", 1180.0, 11.5), ("HQ-AHU-1", 20400.0, 62.0)):
            value = start + weeks * per_week
            await meters.record(session, now=at, actor_id=SAM, asset_id=self.asset_ids[tag], meter="hours", value=value)
            self.readings += 1
        await pm_generation.check(session, org=self.org, now=at)  # as a reading from Slack does

    async def _tick(self, session: AsyncSession, at: datetime) -> None:
        made = await pm_generation.check(session, org=self.org, now=at)
        for work_order in made.created:
            self._plan_pm(work_order.id, work_order.team, at)
        await watch.check(session, org=self.org, now=at)
        await lifecycle.close_unconfirmed(session, org=self.org, now=at)

    def _plan_pm(self, work_order_id: int, team: str, created: datetime) -> None:
        """A technician of the team does the PM work the next working day, ticking its checklist."""
        techs = self.org.team(team).technicians
        tech = techs[self.pm_turn % len(techs)]
        self.pm_turn += 1
        local = created.astimezone(self.org.zone())
        day = local.date() + timedelta(days=1 if local.time() >= time(12, 0) else 0)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, time(10, 0), tzinfo=self.org.zone()).astimezone(self.now.tzinfo)
        if start + timedelta(hours=1) > self.now - timedelta(hours=2):
            return  # recent PM work stays open
        self.later(start, self._pm_done(work_order_id, tech))

    def _pm_done(self, work_order_id: int, tech: str) -> Job:
        async def do(session: AsyncSession, at: datetime) -> None:
            common: dict[str, Any] = {"org": self.org, "work_order_id": work_order_id, "user_id": tech}
            await lifecycle.start(session, now=at, **common)
            work_order = await work_orders.get(session, work_order_id)
            for index, item in enumerate(work_order.checklist):
                marked: dict[str, Any] = {"result": "done"}
                if item.get("kind") == ChecklistKind.PASS_FAIL:
                    marked = {"result": "pass"}
                elif item.get("kind") == ChecklistKind.NUMBER:
                    low, high = item.get("min") or 0, item.get("max") or 100
                    marked = {"value": round(low + (high - low) * 0.6, 1)}
                moment = at + timedelta(minutes=5 * (index + 1))
                await checklists.mark(session, now=moment, seen_version=None, index=index, **common, **marked)
            done = at + timedelta(minutes=50)
            await lifecycle.complete(session, now=done, resolution="Done as planned.", minutes=45, **common)

        return do

    # -- what Slack is told -------------------------------------------------------------------------

    async def settle_outbox(self, session: AsyncSession) -> tuple[int, int]:
        """Mark every notice of the history delivered, then queue what people would still act on:
        (skipped, queued)."""
        skipped = 0
        while leased := await outbox.lease_due(session, now=self.now, limit=1000):
            for entry in leased:
                await outbox.finish(session, entry_id=entry.id, token=entry.token, failures=[], now=self.now)
            skipped += len(leased)
        live = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED)
        ids = await session.scalars(select(WorkOrder.id).where(WorkOrder.status.in_(live)).order_by(WorkOrder.number))
        for work_order_id in list(ids):
            work_order = await work_orders.get(session, work_order_id)
            events = await work_orders.events_of(session, work_order_id)
            created = next(event for event in events if event.kind == EventKind.CREATED)
            told = [Change(work_order=work_order, events=(created,))]
            if work_order.status is Status.COMPLETED:
                done = [e for e in events if e.kind == EventKind.STATUS_CHANGED and e.to_status is Status.COMPLETED]
                told.append(Change(work_order=work_order, events=(done[-1],)))
            await outbox.work_order_changes(session, told)
        pending = await session.scalars(
            select(ServiceRequest.id)
            .where(ServiceRequest.status == RequestStatus.PENDING_APPROVAL)
            .order_by(ServiceRequest.id)
        )
        for request_id in list(pending):
            outbox.request_awaiting_approval(session, request_id, now=self.now)
        await purchasing.queue_open(session, now=self.now)
        return skipped, (await outbox.status(session)).pending  # the history's notices are all delivered


VERBS: dict[str, Callable[..., Awaitable[Any]]] = {
    "claim": assignment.claim,
    "start": lifecycle.start,
    "hold": lifecycle.hold,
    "resume": lifecycle.resume,
    "complete": lifecycle.complete,
    "confirm": lifecycle.confirm,
    "reopen": lifecycle.reopen,
    "cancel": lifecycle.cancel,
    "note": work_log.add_note,
    "time": work_log.log_time,
    "down": downtime.report_down,
}


def needs_demo(org: Organisation) -> None:
    missing = [key for key in ("general", "plumbing", "hvac", "access", "network", "printing") if not org.category(key)]
    if missing or {team.key for team in org.teams} != {"facilities", "it"}:
        raise ValueError("seed() makes the demo organisation's data: start from demo_organisation()")


async def seed(db: Database, org: Organisation, *, now: datetime) -> SeedSummary:
    """Fill an empty database with the demo's registers and six weeks of history ending at `now`, through
    the services, in one transaction (all or nothing). Call it only on an empty database."""
    needs_demo(org)
    seeder = _Seeder(org, now)
    start = seeder.timeline.at(HISTORY_WORKDAYS + 1, "07:00")
    seeder.later(start, seeder.registers)
    for story in [*routine_stories(seeder.timeline), *told_stories()]:
        seeder.plan_story(story)
    seeder.plan_ticks(org.local_date(start) + timedelta(days=1))
    purchasing.plan(org, moment=seeder.moment, later=seeder.later)
    async with db.unit_of_work() as session:
        await seeder.run(session)
        skipped, queued = await seeder.settle_outbox(session)
        return await summary(session, readings=seeder.readings, skipped=skipped, queued=queued)
