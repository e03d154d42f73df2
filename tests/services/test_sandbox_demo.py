"""The sandbox's demo: its organisation, the people it names, and the data `seed` makes through the services
(on SQLite and PostgreSQL): the documented counts, figures in every team's report, always the same."""

import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox import demo
from models.db import Database
from models.enums import AssetStatus, Status
from models.outbox import OutboxEntry
from models.places import Asset
from models.work_orders import WorkOrder
from services.inventory import parts
from services.maintenance import pm_generation
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation, Person
from services.reporting import assets, reports
from tests.support import databases
from tests.support.org import CONFIG

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning, as the sandbox would start


@pytest.fixture(scope="module")
def org() -> Organisation:
    return demo.demo_organisation()


def test_the_demo_organisation_has_what_the_sandbox_shows(org: Organisation) -> None:
    assert [team.key for team in org.teams] == ["facilities", "it"]
    assert all(team.managers and team.technicians and team.business_hours for team in org.teams)
    assert org.admins and org.sla and org.emoji_intake.enabled
    assert {digest.team for digest in org.digests} == {"facilities", "it"}
    needs_approval = [c for c in org.categories if c.requires_approval]
    assert [c.key for c in needs_approval] == ["access"] and needs_approval[0].approvers == ("U0APPROVER",)
    kinds = {field.type.value for category in org.categories for field in category.fields}
    assert {"text", "select", "number", "date", "user"} <= kinds
    people = demo.demo_people()
    named = set(org.admins) | {u for t in org.teams for u in (*t.managers, *t.technicians)} | {"U0APPROVER"}
    assert named <= set(people) and {"U0STAFF1", "U0STAFF4"} <= set(people)
    assert people["U0FTECH1"] == Person(name="Sam Ortiz", title="Facilities Technician")
    assert demo.people_of(org) == people  # everyone is named


def test_people_of_a_config_without_names_are_generated() -> None:
    org = parse_organisation(CONFIG + "people:\n  U0TECH2: Jo Okafor\n  U0STAFF: {name: Ana Ruiz}\n")
    people = demo.people_of(org)
    assert people == {
        "U0ADMIN": Person(name="Admin 1", title="Admin"),
        "U0MANAGER": Person(name="Manager 1", title="Facilities manager"),
        "U0TECH1": Person(name="Technician 1", title="Facilities technician"),
        "U0TECH2": Person(name="Jo Okafor"),
        "U0ITTECH": Person(name="Technician 2", title="IT technician"),
        "U0STAFF": Person(name="Ana Ruiz"),
    }


def test_seed_refuses_another_organisation() -> None:
    with pytest.raises(ValueError, match="demo organisation"):
        demo.needs_demo(parse_organisation(CONFIG))


async def test_seed_makes_the_documented_demo(db: Database, org: Organisation) -> None:
    started = time.monotonic()
    summary = await demo.seed(db, org, now=NOW)
    assert time.monotonic() - started < 20  # a few seconds; generous for a loaded CI machine
    assert (summary.locations, summary.assets, summary.parts, summary.pm_schedules) == (22, 10, 11, 5)
    assert summary.work_orders == 76 and summary.pm_work_orders == 15 and summary.meter_readings == 14
    assert summary.by_status == {
        "cancelled": 1,
        "closed": 54,
        "completed": 8,
        "in_progress": 3,
        "on_hold": 3,
        "open": 7,
    }
    assert (summary.requests_pending, summary.downtime_periods, summary.assets_down) == (1, 5, 1)
    assert summary.escalated >= 1

    async with db.unit_of_work() as session:
        lift = await session.scalar(select(Asset).where(Asset.tag == "HQ-LIFT-1"))
        assert lift is not None and lift.status is AssetStatus.DOWN
        belt = await parts.by_sku(session, "BELT-SPA1250")
        assert belt.on_hand == belt.reorder_point  # three belts used of five: at its reorder point
        escalated_open = await session.scalars(
            select(WorkOrder.title).where(WorkOrder.escalation_level >= 1, WorkOrder.status == Status.OPEN)
        )
        assert "Meeting room 2.04 freezing, radiator cold" in list(escalated_open)
        card = await assets.asset_card(session, org=org, tag="HQ-AHU-2", now=NOW)
        assert card is not None
        # Slack is told only what is still open: one card per live work order, its DMs, the approval
        queued = list(await session.scalars(select(OutboxEntry.kind).order_by(OutboxEntry.id)))
    live = sum(summary.by_status[s] for s in ("open", "in_progress", "on_hold", "completed"))
    assert queued.count("work_order_created") == live
    assert queued.count("work_order_changed") == summary.by_status["completed"]  # "please confirm" DMs
    assert queued.count("request_awaiting_approval") == 1 and len(queued) == summary.notices_queued

    for team in ("facilities", "it"):
        report = await db.run(partial(reports.team_report, org=org, team=team, now=NOW, days=30))
        assert report.completion.team.requested > 0 and report.completion.team.completed > 0, team
        assert report.downtime is not None and report.downtime.summary.events > 0, team
        assert report.downtime.summary.hours > 0 and report.recurring, team
        assert any(person.open and person.completed for person in report.workload), team
        assert report.backlog.count > 0, team
        assert report.costs.total > 0 and report.sla, team

    tomorrow = await db.run(partial(pm_generation.check, org=org, now=NOW + timedelta(days=1)))
    assert "Monthly boiler inspection" in [work_order.title for work_order in tomorrow.created]


async def _work_done(db: Database) -> list[tuple[object, ...]]:
    async with db.unit_of_work() as session:
        found = await session.execute(
            select(
                WorkOrder.number,
                WorkOrder.title,
                WorkOrder.status,
                WorkOrder.assignee_id,
                WorkOrder.created_at,
                WorkOrder.completed_at,
                WorkOrder.closed_at,
                WorkOrder.escalation_level,
            ).order_by(WorkOrder.number)
        )
        return [tuple(row) for row in found.all()]


async def test_seeding_is_deterministic(
    db: Database, org: Organisation, templates: databases.Templates, backend: str, tmp_path: Path
) -> None:
    await demo.seed(db, org, now=NOW)
    first = await _work_done(db)
    url, to_drop = await databases.clone(templates, backend, tmp_path)
    again = Database(url)
    try:
        await demo.seed(again, org, now=NOW)
        assert await _work_done(again) == first
    finally:
        await again.dispose()
        if to_drop:
            await databases.drop(to_drop)
