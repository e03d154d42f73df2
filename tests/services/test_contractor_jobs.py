"""Contractor jobs on a real database (SQLite, and PostgreSQL when configured): one open job per work order
even when two people send at once, two contractor submissions at once move the job once, the vendors a
work order may go to, exact amounts in any currency, the link closed by completion or cancellation, and
what contractors charged counted in the work order's cost."""

import asyncio
from datetime import date
from functools import partial

import pytest
from sqlalchemy import func, select

from models.contractor_jobs import ContractorJob
from models.db import Database
from models.tables import WorkOrderEvent
from services.contracting import vendors
from services.contractor_jobs import jobs, page
from services.errors import Conflict, Forbidden, InvalidInput
from services.organisation.integrations import Portal
from services.organisation.org import Organisation, Person
from services.work_orders import costs, lifecycle, outside_work
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act, new_work_order
from tests.support.org import MANAGER, OTHER_TECH, TECH_1, TECH_2, organisation


@pytest.fixture
def org() -> Organisation:
    return organisation().model_copy(update={"portal": Portal(public_url="https://w.example"), "currency": "GBP"})


async def vendor(db: Database, org: Organisation, clock: FrozenClock, key: str, **values: str) -> int:
    made = await db.run(
        partial(vendors.add_vendor, org=org, now=clock(), values={"key": key, "name": key.title(), **values})
    )
    return made.id


async def send(
    db: Database, org: Organisation, clock: FrozenClock, wo_id: int, vendor_id: int, user: str = TECH_1, **kw: str
) -> jobs.Sent:
    return await db.run(
        partial(jobs.send, org=org, now=clock(), work_order_id=wo_id, user_id=user, vendor_id=vendor_id, **kw)
    )


async def test_two_people_sending_at_once_make_one_open_job(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    acme, other = await vendor(db, org, clock, "acme"), await vendor(db, org, clock, "other")
    wo = (await new_work_order(db, org, clock)).work_order
    results = await asyncio.gather(
        send(db, org, clock, wo.id, acme, TECH_1), send(db, org, clock, wo.id, other, TECH_2), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Sent"], results
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(ContractorJob)) == 1
        sent = await session.scalar(select(func.count()).where(WorkOrderEvent.kind == "contractor_sent"))
    assert sent == 1
    with pytest.raises(Conflict, match="already with"):
        await send(db, org, clock, wo.id, acme)


async def test_two_accepts_and_two_dones_at_once_move_the_job_once(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    acme = await vendor(db, org, clock, "acme")
    wo = (await new_work_order(db, org, clock)).work_order
    key = (await send(db, org, clock, wo.id, acme)).key
    common = {"org": org, "now": clock(), "key": key}
    accepted = await asyncio.gather(*(db.run(partial(page.accept, **common)) for _ in range(3)), return_exceptions=True)
    assert sorted(type(r).__name__ for r in accepted) == ["Change", "Conflict", "Conflict"]
    done = await asyncio.gather(
        *(db.run(partial(page.mark_done, **common, resolution=f"fixed {n}")) for n in range(3)), return_exceptions=True
    )
    assert sum(type(r).__name__ == "Change" for r in done) == 1
    assert all(isinstance(r, page.LinkClosed | Conflict) for r in done if type(r).__name__ != "Change")
    async with db.unit_of_work() as session:
        kinds = list(await session.scalars(select(WorkOrderEvent.kind).where(WorkOrderEvent.kind.like("contractor_%"))))
    assert kinds == ["contractor_sent", "contractor_accepted", "contractor_done"]


async def test_the_vendors_offered_are_the_trades_and_expiry_shows(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await vendor(db, org, clock, "pipes", trades="plumbing", expires_on="2026-02-20")
    await vendor(db, org, clock, "sparks", trades="electrical")
    wo = (await new_work_order(db, org, clock)).work_order
    today = date(2026, 3, 2)
    found = await db.run(partial(jobs.vendor_choices, org=org, work_order_id=wo.id, typed="", today=today))
    assert [(c.name, c.expiry) for c in found] == [("Pipes", vendors.Expiry.EXPIRED)]
    hvac = (await new_work_order(db, org, clock, category="hvac", custom_fields={"floor": 2})).work_order
    every = await db.run(partial(jobs.vendor_choices, org=org, work_order_id=hvac.id, typed="", today=today))
    assert [c.name for c in every] == ["Pipes", "Sparks"]  # nobody serves hvac: every vendor


async def test_amounts_are_exact_in_the_currency(db: Database, org: Organisation, clock: FrozenClock) -> None:
    assert jobs.not_to_exceed("450.5", "GBP") == 45050
    assert jobs.not_to_exceed("", "GBP") is None
    assert jobs.not_to_exceed("1200", "JPY") == 1200
    for wrong in ("12.5", "1e3", "0x10", "  -1 "):
        with pytest.raises(InvalidInput) as refused:
            jobs.not_to_exceed(wrong, "JPY")
        assert refused.value.field == "not_to_exceed"
    assert page.parse_hours("2.5") == 150 and page.parse_hours("") is None
    for wrong in ("0", "-1", "nan", "inf", "1001", "two"):
        with pytest.raises(InvalidInput):
            page.parse_hours(wrong)
    assert (outside_work.cents(1200, "JPY"), outside_work.cents(12345, "KWD"), outside_work.cents(999, "GBP")) == (
        120000,
        1234,
        999,
    )


async def test_cancelling_revokes_completing_reviews_and_the_cost_counts(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    acme = await vendor(db, org, clock, "acme")
    wo = (await new_work_order(db, org, clock)).work_order
    key = (await send(db, org, clock, wo.id, acme)).key
    with pytest.raises(Forbidden):
        await act(db, org, clock, jobs.revoke, wo.id, TECH_1)
    with pytest.raises(Forbidden):
        await send(db, org, clock, wo.id, acme, OTHER_TECH)
    change = await act(db, org, clock, lifecycle.cancel, wo.id, MANAGER, reason="duplicate")
    assert [e.kind for e in change.events][-2:] == ["contractor_revoked", "status_changed"]
    with pytest.raises(page.LinkClosed, match="finished"):
        await db.run(partial(page.show, org=org, key=key))

    done_wo = (await new_work_order(db, org, clock)).work_order
    key = (await send(db, org, clock, done_wo.id, acme, not_to_exceed_text="100")).key
    common = {"org": org, "now": clock(), "key": key}
    await db.run(partial(page.accept, **common))
    cost = await db.run(partial(page.set_cost, **common, cost="120.40", hours="1"))
    assert cost.events[0].data["over_not_to_exceed"] == "100.00 GBP"
    await db.run(partial(page.mark_done, **common, resolution="done"))
    assert await db.run(partial(costs.total_cents, work_order_id=done_wo.id)) == 12040
    completed = await act(db, org, clock, jobs.confirm_completion, done_wo.id, TECH_2)
    assert completed.work_order.status == "completed" and completed.work_order.completed_by == TECH_2
    async with db.unit_of_work() as session:
        reviewed = (await session.scalars(select(ContractorJob).where(ContractorJob.work_order_id == done_wo.id))).one()
    assert (reviewed.state, reviewed.reviewed_by, reviewed.closed_at is not None) == ("done", TECH_2, True)


def test_slack_ids_become_names() -> None:
    named = organisation().model_copy(update={"people": {"U0TECH1": Person(name="Ana Ruiz")}})
    text = "Ask <@U0TECH1> or @U0TECH2 in <#C0FACILITY|facilities> <!here>"
    assert page.without_slack_ids(text, named) == "Ask Ana Ruiz or a colleague in facilities a colleague"


async def test_the_page_shows_the_categorys_answers_and_people_by_name_only(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    acme = await vendor(db, org, clock, "acme")
    answers = {"floor": 3, "kind": "Too hot", "contact": "U0TECH2", "safe": True}
    wo = (await new_work_order(db, org, clock, category="hvac", custom_fields=answers)).work_order
    key = (await send(db, org, clock, wo.id, acme)).key
    shown = await db.run(partial(page.show, org=org, key=key))
    assert shown.details == (("Floor", "3"), ("What is wrong", "Too hot"), ("Nobody is at risk", "Yes"))
    named = org.model_copy(update={"people": {"U0TECH2": Person(name="Lee Park")}})
    shown = await db.run(partial(page.show, org=named, key=key))
    assert ("Who to ask on site", "Lee Park") in shown.details
