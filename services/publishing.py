"""Events for the outside world, written in the same transaction as the change that caused them.

A change that rolls back publishes nothing; a committed one is delivered to webhooks even if the
process dies right after (the webhook worker reads `published_events`). Nothing here waits on a
network: a Slack interaction never waits for a webhook.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.integrations import PublishedEvent
from models.public import RequestOut, WebhookEvent, WorkOrderOut
from models.requests import ServiceRequest
from models.work_orders import WorkOrder, WorkOrderEvent
from services import event_types, records

PUBLISHED_FLAG = "wrench.published"  # set in `session.info` so the process can wake its webhook worker


def _add(session: AsyncSession, event: WebhookEvent) -> None:
    payload = event.model_dump(mode="json", exclude={"id"})
    session.add(PublishedEvent(type=event.type, occurred_at=event.occurred_at, payload=payload))
    session.info[PUBLISHED_FLAG] = True


async def work_order_events(session: AsyncSession, work_order: WorkOrder, events: tuple[WorkOrderEvent, ...]) -> None:
    """One published event per history entry, each with the work order as it stands after the change."""
    if not events:
        return
    shown: WorkOrderOut = (await records.work_orders_out(session, [work_order]))[0]
    for event in events:
        data: dict[str, Any] = dict(event.data or {})
        if event.from_status is not None or event.to_status is not None:
            data |= {"from_status": event.from_status, "to_status": event.to_status}
        _add(
            session,
            WebhookEvent(
                id=0,
                type=event_types.work_order_event(event.kind),
                occurred_at=event.at,
                actor=event.actor_id,
                data=data,
                work_order=shown,
            ),
        )


async def request_event(
    session: AsyncSession, request: ServiceRequest, what: str, *, actor: str, now: datetime
) -> None:
    shown: RequestOut = (await records.requests_out(session, [request]))[0]
    _add(
        session,
        WebhookEvent(id=0, type=event_types.request_event(what), occurred_at=now, actor=actor, request=shown),
    )
