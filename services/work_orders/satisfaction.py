"""The requester's rating of closed work: 1 to 5 and an optional comment, given once."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, Status
from models.schemas import Change, WorkOrderRead
from services.errors import Forbidden, InvalidInput, InvalidTransition
from services.inputs import checked_text
from services.organisation.org import Organisation
from services.work_orders import changes

COMMENT_MAX = 1000
LOW = 2  # a rating at or under this tells the team's managers at once
SCALE = range(1, 6)


async def check_rater(session: AsyncSession, *, work_order_id: int, user_id: str) -> WorkOrderRead:
    """The work order `user_id` is about to rate: refused unless they asked for it."""
    work_order = await changes.load(session, work_order_id)
    if user_id != work_order.requester_id:
        raise Forbidden(f"Only the person who asked for {changes.ref(work_order)} can rate it.")
    return WorkOrderRead.model_validate(work_order)


async def rate(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    rating: int,
    comment: str = "",
) -> Change:
    """Record the requester's rating of their closed work order; a second rating is refused."""
    if rating not in SCALE:
        raise InvalidInput("Pick a rating from 1 to 5.", field="rating")
    comment = checked_text(comment, field="comment", limit=COMMENT_MAX, required=False)
    work_order = await changes.load(session, work_order_id)
    ref = changes.ref(work_order)
    if user_id != work_order.requester_id:
        raise Forbidden(f"Only the person who asked for {ref} can rate it.")
    if work_order.rating is not None:
        raise InvalidTransition(f"You already rated {ref} {work_order.rating} of 5. Thank you!")
    if work_order.status is not Status.CLOSED:
        raise InvalidTransition(f"{ref} is {work_order.status.label.lower()}: it can be rated once it is closed.")
    work_order.rating, work_order.rating_comment, work_order.rated_at = rating, comment or None, now
    data = {"rating": rating, "comment": comment}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.RATED, data=data)
    return await changes.done(session, work_order, event)
