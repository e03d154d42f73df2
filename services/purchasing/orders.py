"""Purchase requests and their decisions: a request for parts from a vendor (approved at once below the
threshold of `purchasing:` in wrench.yml), its approval into a numbered purchase order or its rejection,
and cancelling. Receiving what arrives is `services.purchasing.receiving`."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.counters import Counter
from models.enums import PurchaseStatus
from models.parts import Part
from models.purchasing import MAX_LINES, NOTE_MAX, PurchaseLine, PurchaseOrder
from models.views import PurchaseRead
from services.contracting import money
from services.delivery import outbox
from services.errors import Conflict, Forbidden, InvalidInput, InvalidValues
from services.inputs import checked_text
from services.organisation.org import Organisation
from services.purchasing import amounts, checks, mailing, reading
from services.purchasing.checks import LineInput

SEQUENCE = "purchase_order"
SYSTEM_ACTOR = "wrench"  # who approved a request below the threshold
REASON_MAX = 1000


def may_request(org: Organisation, user_id: str) -> bool:
    """Technicians and managers of any team, the purchase approvers and the admins."""
    return (
        user_id in org.admins
        or user_id in org.purchasing.approvers
        or any(user_id in team.technicians or user_id in team.managers for team in org.teams)
    )


def approvers_of(org: Organisation, team: str) -> tuple[str, ...]:
    return org.purchase_approvers(team)


def may_decide(org: Organisation, team: str, user_id: str) -> bool:
    return user_id in approvers_of(org, team) or user_id in org.admins


async def request(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    user_id: str,
    vendor: str | int | None,
    lines: Sequence[LineInput],
    work_order: int | str | None = None,
    note: str = "",
) -> PurchaseRead:
    """Store a purchase request; below the threshold it is approved at once (an order with its number).
    Every wrong value is named at once (`InvalidValues`, keyed by the form's fields); nothing is stored then."""
    if not may_request(org, user_id):
        raise Forbidden("Only technicians, managers and purchase approvers can ask for parts to be bought.")
    errors: dict[str, str] = {}
    currency = org.currency
    found_vendor = await checks.vendor_of(session, vendor, currency, errors)
    filled = [line for line in lines if line.part not in (None, "") or line.quantity not in (None, "")]
    if not filled:
        errors["part"] = "Pick a part to order."
    if len(filled) > MAX_LINES:
        errors["part"] = f"A request has at most {MAX_LINES} lines."
    checked: list[tuple[Part, int, int]] = []
    for line in filled[:MAX_LINES]:
        got = await checks.line_of(session, line, currency, errors)
        if got is not None:
            checked.append(got)
    seen: set[int] = set()
    for (part, _, _), line in zip(checked, filled, strict=False):
        if part.id in seen:
            errors.setdefault(line.field("part"), f"{part.sku} is on two lines: put it on one.")
        seen.add(part.id)
    target = await checks.work_order_of(session, work_order, errors)
    try:
        note = checked_text(note, field="note", limit=NOTE_MAX, ask="", required=False)
    except InvalidInput as error:
        errors["note"] = str(error)
    total = sum(quantity * cost for _, quantity, cost in checked)
    if total > amounts.MAX_TOTAL_MINOR:
        errors.setdefault("quantity", "That order's total is too large to store: split it into several orders.")
    if errors:
        raise InvalidValues(errors)
    assert found_vendor is not None
    team = target.team if target is not None else checks.team_of(org, user_id)
    order = PurchaseOrder(
        status=PurchaseStatus.REQUESTED,
        team=team,
        vendor_id=found_vendor.id,
        work_order_id=target.id if target is not None else None,
        requested_by=user_id,
        note=note,
        currency=currency,
        total_minor=total,
        approval_messages=[],
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    session.add_all(
        PurchaseLine(order_id=order.id, position=i, part_id=p.id, quantity=q, unit_cost_minor=c, received=0)
        for i, (p, q, c) in enumerate(checked, start=1)
    )
    await session.flush()
    if money.from_minor(total, currency) < org.purchasing.auto_approve_below.amount:
        await _order(session, org, order, user_id=SYSTEM_ACTOR, now=now)
    else:
        outbox.purchase(session, order.id, "requested", now=now)
    return await reading.get(session, order.id)


async def approve(
    session: AsyncSession, *, org: Organisation, now: datetime, order_id: int, user_id: str
) -> PurchaseRead:
    """An approver's yes: the request becomes purchase order PO-n (numbered now, without gaps)."""
    order = await _deciding(session, org, order_id, user_id)
    await _order(session, org, order, user_id=user_id, now=now)
    return await reading.get(session, order.id)


async def reject(
    session: AsyncSession, *, org: Organisation, now: datetime, order_id: int, user_id: str, reason: str
) -> PurchaseRead:
    reason = checked_text(reason, field="reason", limit=REASON_MAX, ask="Tell who asked why.")
    order = await _deciding(session, org, order_id, user_id)
    await _decide_once(session, order, PurchaseStatus.REJECTED, decided_by=user_id, now=now, rejection_reason=reason)
    outbox.purchase(session, order.id, "rejected", now=now)
    return await reading.get(session, order.id)


async def check_approver(session: AsyncSession, *, org: Organisation, order_id: int, user_id: str) -> PurchaseRead:
    """Refuse (before the reject form opens) someone who may not decide, or a request already decided."""
    await _deciding(session, org, order_id, user_id)
    return await reading.get(session, order_id)


async def cancel(
    session: AsyncSession, *, org: Organisation, now: datetime, order_id: int, user_id: str, reason: str = ""
) -> PurchaseRead:
    """Nothing more is expected: a request withdrawn, or an order (or what is still to come of it) called off.
    The team's managers, the approvers and the admins may; who asked may while it is still a request."""
    reason = checked_text(reason, field="reason", limit=REASON_MAX, ask="", required=False)
    order = await reading.load(session, order_id, lock=True)
    _check_cancel(org, order, user_id)
    order.status = PurchaseStatus.CANCELLED
    order.cancelled_by, order.cancelled_at, order.cancel_reason = user_id, now, reason or None
    order.version += 1
    order.updated_at = now
    await session.flush()
    outbox.purchase(session, order.id, "cancelled", now=now)
    return await reading.get(session, order.id)


async def check_cancel(session: AsyncSession, *, org: Organisation, order_id: int, user_id: str) -> PurchaseRead:
    """Refuse (before the cancel form opens) someone who may not cancel, or an order with nothing to cancel."""
    _check_cancel(org, await reading.load(session, order_id), user_id)
    return await reading.get(session, order_id)


def _check_cancel(org: Organisation, order: PurchaseOrder, user_id: str) -> None:
    ref = _ref(order)
    allowed = may_decide(org, order.team, user_id) or user_id in org.team(order.team).managers
    if order.status is PurchaseStatus.REQUESTED and order.requested_by == user_id:
        allowed = True
    if not allowed:
        raise Forbidden(f"Only {org.team(order.team).name} managers and purchase approvers can cancel {ref}.")
    if order.status not in (PurchaseStatus.REQUESTED, PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED):
        raise Conflict(f"{ref} is {order.status.label.lower()}: there is nothing to cancel.")


async def attach_approval_messages(session: AsyncSession, *, order_id: int, messages: Sequence[dict[str, str]]) -> None:
    await session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == order_id)
        .values(approval_messages=list(messages))
        .execution_options(synchronize_session=False)
    )


async def attach_message(session: AsyncSession, *, order_id: int, channel: str, ts: str) -> None:
    """Where the purchase order's message is (its Receive button, its PDF in the thread)."""
    await session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == order_id)
        .values(message_channel=channel, message_ts=ts)
        .execution_options(synchronize_session=False)
    )


def channel_of(org: Organisation, order: PurchaseRead) -> str:
    return org.purchasing.channel or org.team(order.team).channel


# -- inside -------------------------------------------------------------------------------------------


def _ref(order: PurchaseOrder) -> str:
    return f"PO-{order.number}" if order.number is not None else f"PR-{order.id}"


async def _deciding(session: AsyncSession, org: Organisation, order_id: int, user_id: str) -> PurchaseOrder:
    order = await reading.load(session, order_id)
    if not may_decide(org, order.team, user_id):
        raise Forbidden(f"Only the purchase approvers can decide on {_ref(order)}.")
    if order.status is not PurchaseStatus.REQUESTED:
        raise Conflict(_decided(order))
    return order


async def _order(
    session: AsyncSession, org: Organisation, order: PurchaseOrder, *, user_id: str, now: datetime
) -> None:
    """Approved: numbered PO-n (the counter's row lock: no gaps, no twins), emailed to the vendor when a mail
    server is configured, and posted in Slack with its PDF."""
    bumped = await session.execute(
        update(Counter).where(Counter.name == SEQUENCE).values(value=Counter.value + 1).returning(Counter.value)
    )
    number = int(bumped.scalar_one())
    await _decide_once(
        session, order, PurchaseStatus.ORDERED, decided_by=user_id, now=now, number=number, ordered_at=now
    )
    await mailing.email_vendor(session, org, await reading.get(session, order.id), now=now)
    outbox.purchase(session, order.id, "approved", now=now)


async def _decide_once(
    session: AsyncSession,
    order: PurchaseOrder,
    status: PurchaseStatus,
    *,
    decided_by: str,
    now: datetime,
    **values: object,
) -> None:
    """The conditional UPDATE lets exactly one of two approvers clicking at once decide; the other is told."""
    decided = await session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == order.id, PurchaseOrder.status == PurchaseStatus.REQUESTED)
        .values(
            status=status,
            decided_by=decided_by,
            decided_at=now,
            updated_at=now,
            version=PurchaseOrder.version + 1,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_decided(await reading.load(session, order.id)))
    await session.refresh(order)


def _decided(order: PurchaseOrder) -> str:
    if order.status is PurchaseStatus.REJECTED:
        return f"{_ref(order)} was already rejected by <@{order.decided_by}>."
    if order.status is PurchaseStatus.CANCELLED:
        return f"{_ref(order)} was cancelled by <@{order.cancelled_by}>."
    return f"{_ref(order)} was already approved by <@{order.decided_by}>."
