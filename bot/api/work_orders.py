"""`/work-orders` and `/requests`: list, read, file, and change status and assignment. Changes go through
the same services (state machine, permissions) as Slack, and the team's card follows them."""

from collections.abc import Awaitable, Callable
from functools import partial

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.routing import Call, Endpoint
from bot.api.schemas import (
    AssignmentBody,
    RequestBody,
    RequestQuery,
    StatusBody,
    WorkOrderBody,
    WorkOrderQuery,
)
from bot.deps import Deps
from models.public import EventOut, Page, RequestOut, WorkOrderOut
from models.schemas import Change, RequestCreate, Submission
from services.errors import InvalidInput, NotFound
from services.inventory import places
from services.organisation.api_tokens import Scope
from services.reporting import records
from services.requests import service as requests
from services.work_orders import service as work_orders
from services.work_orders import transitions


class EventList(BaseModel):
    items: list[EventOut]


def _number(call: Call) -> int:
    return int(call.path["number"])


async def list_work_orders(call: Call) -> Page[WorkOrderOut]:
    query = call.query
    filters = records.WorkOrderFilter(
        status=query.status,
        team=query.team,
        asset_tag=query.asset,
        priority=query.priority,
        updated_since=query.updated_since,
    )
    return await call.deps.db.run(
        partial(records.list_work_orders, filters=filters, cursor=query.cursor, limit=query.limit)
    )


async def get_work_order(call: Call) -> WorkOrderOut:
    async def read(session: AsyncSession) -> WorkOrderOut:
        found = await records.work_order_by_number(session, _number(call))
        return await records.work_order_out(session, found.id)

    return await call.deps.db.run(read)


async def work_order_events(call: Call) -> EventList:
    async def read(session: AsyncSession) -> EventList:
        found = await records.work_order_by_number(session, _number(call))
        events = await work_orders.events_of(session, found.id)
        return EventList(items=[EventOut.model_validate({**e.model_dump(), "actor": e.actor_id}) for e in events])

    return await call.deps.db.run(read)


async def _request_of(session: AsyncSession, body: RequestBody) -> RequestCreate:
    asset_id = None
    if body.asset is not None:
        try:
            asset_id = (await places.asset_by_tag(session, body.asset)).id
        except NotFound:
            raise InvalidInput(f"There is no asset tagged {body.asset}.", field="asset") from None
    return RequestCreate(
        title=body.title.strip(),
        category=body.category,
        description=body.description.strip(),
        location=body.location.strip(),
        priority=body.priority,
        asset_id=asset_id,
        asset_down=body.asset_down,
        custom_fields=body.custom_fields,
    )


async def _file(deps: Deps, *, requester: str, body: RequestBody, filed_by: str | None) -> Submission:
    async def work(session: AsyncSession) -> Submission:
        submission = await requests.submit(
            session,
            org=deps.org,
            now=deps.clock(),
            requester_id=requester,
            request=await _request_of(session, body),
            filed_by=filed_by,
        )
        assert submission is not None  # no source key: never a duplicate
        return submission

    return await deps.db.run(work)


async def create_work_order(call: Call) -> WorkOrderOut:
    body: WorkOrderBody = call.body
    actor = call.actor(body.actor)
    submission = await _file(call.deps, requester=body.requester or actor, body=body, filed_by=actor)
    assert submission.change is not None  # filed directly: never waits for approval
    return await call.deps.db.run(partial(records.work_order_out, work_order_id=submission.change.work_order.id))


async def _changed(call: Call, change_with: Callable[..., Awaitable[Change]]) -> WorkOrderOut:
    async def work(session: AsyncSession) -> tuple[Change, WorkOrderOut]:
        found = await records.work_order_by_number(session, _number(call))
        change = await change_with(session, work_order_id=found.id)
        return change, await records.work_order_out(session, found.id)

    _, shown = await call.deps.db.run(work)
    return shown


async def change_status(call: Call) -> WorkOrderOut:
    body: StatusBody = call.body
    target = transitions.StatusChange(
        status=body.status,
        reason=body.reason,
        hold_reason=body.hold_reason,
        resolution=body.resolution,
        cause=body.cause,
        minutes=body.minutes,
    )
    move = partial(
        transitions.move_to,
        org=call.deps.org,
        now=call.deps.clock(),
        user_id=call.actor(body.actor),
        target=target,
        seen_version=body.version,
    )
    return await _changed(call, move)


async def change_assignment(call: Call) -> WorkOrderOut:
    body: AssignmentBody = call.body
    assign = partial(
        transitions.set_assignee,
        org=call.deps.org,
        now=call.deps.clock(),
        user_id=call.actor(body.actor),
        assignee_id=body.assignee,
        seen_version=body.version,
    )
    return await _changed(call, assign)


async def list_requests(call: Call) -> Page[RequestOut]:
    query = call.query
    return await call.deps.db.run(
        partial(
            records.list_requests,
            status=query.status,
            updated_since=query.updated_since,
            cursor=query.cursor,
            limit=query.limit,
        )
    )


async def get_request(call: Call) -> RequestOut:
    return await call.deps.db.run(partial(records.request_out, request_id=int(call.path["id"])))


async def create_request(call: Call) -> RequestOut:
    body: RequestBody = call.body
    submission = await _file(call.deps, requester=call.actor(body.actor), body=body, filed_by=None)
    return await call.deps.db.run(partial(records.request_out, request_id=submission.request.id))


NUMBER = "/work-orders/{number:[0-9]{1,9}}"
ENDPOINTS = (
    Endpoint(
        "GET",
        "/work-orders",
        "List work orders",
        "work orders",
        list_work_orders,
        Page[WorkOrderOut],
        query=WorkOrderQuery,
    ),
    Endpoint(
        "POST",
        "/work-orders",
        "File a work order directly (no approval step)",
        "work orders",
        create_work_order,
        WorkOrderOut,
        scope=Scope.WRITE,
        body=WorkOrderBody,
        status=201,
        description="The actor must be a technician or manager of the category's team, or an admin. "
        "The team's card is posted to Slack as for /request.",
    ),
    Endpoint("GET", NUMBER, "Get a work order", "work orders", get_work_order, WorkOrderOut),
    Endpoint("GET", NUMBER + "/events", "A work order's history", "work orders", work_order_events, EventList),
    Endpoint(
        "POST",
        NUMBER + "/status",
        "Change a work order's status",
        "work orders",
        change_status,
        WorkOrderOut,
        scope=Scope.WRITE,
        body=StatusBody,
        description="Each target status goes through the same rules as the Slack buttons: in_progress "
        "(start or resume), on_hold (hold_reason), completed (resolution), cancelled (reason), "
        "closed (confirm), open (reopen, reason).",
    ),
    Endpoint(
        "POST",
        NUMBER + "/assignment",
        "Assign, claim or unassign a work order",
        "work orders",
        change_assignment,
        WorkOrderOut,
        scope=Scope.WRITE,
        body=AssignmentBody,
    ),
    Endpoint("GET", "/requests", "List requests", "requests", list_requests, Page[RequestOut], query=RequestQuery),
    Endpoint(
        "POST",
        "/requests",
        "File a request, as /request does",
        "requests",
        create_request,
        RequestOut,
        scope=Scope.WRITE,
        body=RequestBody,
        status=201,
        description="Categories that need approval wait for an approver (asked in Slack); others become "
        "a work order at once.",
    ),
    Endpoint("GET", "/requests/{id:[0-9]{1,9}}", "Get a request", "requests", get_request, RequestOut),
)
