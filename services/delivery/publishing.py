"""Events for the outside world, written in the same transaction as the change that caused them.

A change that rolls back publishes nothing; a committed one is delivered to webhooks even if the
process dies right after (the webhook worker reads `published_events`). Nothing here waits on a
network: a Slack interaction never waits for a webhook.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import event_types
from models.integrations import PublishedEvent
from models.public import RequestOut, WebhookEvent, WorkOrderOut
from models.requests import ServiceRequest
from models.work_orders import WorkOrder, WorkOrderEvent
from services.delivery import payloads

PUBLISHED_FLAG = "wrench.published"  # set in `session.info` so the process can wake its webhook worker


def _row(event: WebhookEvent) -> dict[str, Any]:
    payload = event.model_dump(mode="json", exclude={"id"})
    return {"type": event.type, "occurred_at": event.occurred_at, "payload": payload}


def _add(session: AsyncSession, event: WebhookEvent) -> None:
    session.add(PublishedEvent(**_row(event)))
    session.info[PUBLISHED_FLAG] = True


async def work_order_events(
    session: AsyncSession, changed: Sequence[tuple[WorkOrder, Sequence[WorkOrderEvent]]]
) -> None:
    """One published event per history entry, each with its work order as it stands after the change."""
    changed = [(work_order, events) for work_order, events in changed if events]
    if not changed:
        return
    shown: list[WorkOrderOut] = await payloads.work_orders_out(session, [work_order for work_order, _ in changed])
    rows = []
    for (_, events), work_order_out in zip(changed, shown, strict=True):
        for event in events:
            data: dict[str, Any] = dict(event.data or {})
            if event.from_status is not None or event.to_status is not None:
                data |= {"from_status": event.from_status, "to_status": event.to_status}
            published = WebhookEvent(
                id=0,
                type=event_types.work_order_event(event.kind),
                occurred_at=event.at,
                actor=event.actor_id,
                data=data,
                work_order=work_order_out,
            )
            rows.append(_row(published))
    await session.execute(insert(PublishedEvent), rows)  # one INSERT for a batch of changes
    session.info[PUBLISHED_FLAG] = True


async def request_event(
    session: AsyncSession, request: ServiceRequest, what: str, *, actor: str, now: datetime
) -> None:
    shown: RequestOut = (await payloads.requests_out(session, [request]))[0]
    _add(
        session,
        WebhookEvent(id=0, type=event_types.request_event(what), occurred_at=now, actor=actor, request=shown),
    )
