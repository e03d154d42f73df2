"""Who holds a work order: claim (take it myself), assign (give it to a team member), unassign."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.schemas import Change
from services.errors import Conflict, InvalidInput
from services.organisation.org import Organisation
from services.work_orders import changes, rules


async def claim(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    seen_version: int | None = None,
) -> Change:
    work_order = await changes.load(session, work_order_id)

    def claimable() -> None:
        if work_order.status not in rules.ACTIVE:
            raise Conflict(
                f"{changes.ref(work_order)} is {work_order.status.label.lower()}; there is nothing to claim."
            )
        if work_order.assignee_id == user_id:
            raise Conflict(f"You already hold {changes.ref(work_order)}.")
        if work_order.assignee_id is not None:
            raise Conflict(f"{changes.ref(work_order)} is already claimed by <@{work_order.assignee_id}>.")

    changes.check(org, work_order, user_id, rules.Permission.CLAIM, seen_version=seen_version, extra=claimable)
    event = changes.assign(session, work_order, user_id, now=now, actor_id=user_id)
    return await changes.done(session, work_order, event)


async def assign(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    assignee_id: str,
    seen_version: int | None = None,
) -> Change:
    """Give the work order to a technician or manager of its team (replacing whoever held it; a technician
    may give away only unclaimed work or their own, `rules.WORK_ON_HELD`)."""
    work_order = await changes.load(session, work_order_id)

    def assignable() -> None:
        if work_order.status not in rules.ACTIVE:
            raise Conflict(f"{changes.ref(work_order)} is {work_order.status.label.lower()}; it cannot be assigned.")
        if not rules.is_team_member(assignee_id, team=work_order.team, org=org):
            team = org.team(work_order.team).name
            raise InvalidInput(f"<@{assignee_id}> is not on the {team} team.", field="assignee")
        if work_order.assignee_id == assignee_id:
            raise Conflict(f"<@{assignee_id}> already holds {changes.ref(work_order)}.")

    changes.check(org, work_order, user_id, rules.Permission.ASSIGN, seen_version=seen_version, extra=assignable)
    event = changes.assign(session, work_order, assignee_id, now=now, actor_id=user_id)
    return await changes.done(session, work_order, event)


async def unassign(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    seen_version: int | None = None,
) -> Change:
    """Put it back in the team's queue (the holder lets go, or a manager takes it away)."""
    work_order = await changes.load(session, work_order_id)

    def held() -> None:
        if work_order.assignee_id is None:
            raise Conflict(f"Nobody holds {changes.ref(work_order)}.")
        if work_order.status not in rules.ACTIVE:
            raise Conflict(f"{changes.ref(work_order)} is {work_order.status.label.lower()}; it stays with its holder.")

    changes.check(org, work_order, user_id, rules.Permission.UNASSIGN, seen_version=seen_version, extra=held)
    event = changes.assign(session, work_order, None, now=now, actor_id=user_id)
    return await changes.done(session, work_order, event)
