"""The Slack side of `services.ports.Notifier`: cards, thread lines, DMs, ephemeral replies, modals.

A failed Slack call is logged and the rest of the delivery goes on: the database already holds the
truth. (Retrying failed deliveries from an outbox is issue #7.)
"""

import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from blocks import card, messages
from models.db import Database
from models.enums import Status
from models.schemas import Change, WorkOrderRead
from services import work_orders
from services.org import Organisation

log = logging.getLogger(__name__)


def slack_error(error: SlackApiError) -> str:
    """Slack's error code (`channel_not_found`...), or the HTTP status when the body was not JSON."""
    data = error.response.data
    return str(data.get("error")) if isinstance(data, dict) else f"HTTP {error.response.status_code}"


class SlackNotifier:
    def __init__(
        self,
        client: AsyncWebClient,
        db: Database,
        org: Organisation,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.org = org
        self.session = session

    async def work_order_created(self, work_order: WorkOrderRead) -> None:
        team = self.org.team(work_order.team)
        posted = await self._call("chat_postMessage", channel=team.channel, **self._card(work_order))
        permalink = None
        if posted is not None:
            channel, ts = posted["channel"], posted["ts"]
            async with self.db.unit_of_work() as session:
                await work_orders.attach_card(session, work_order_id=work_order.id, channel=channel, ts=ts)
            permalink = await self._permalink(channel, ts)
        text = messages.filed_dm(work_order, team_name=team.name, permalink=permalink)
        await self._call("chat_postMessage", channel=work_order.requester_id, text=text)

    async def work_order_changed(self, change: Change) -> None:
        work_order = change.work_order
        channel, ts = work_order.card_channel, work_order.card_ts
        if channel is None or ts is None:
            log.warning("%s changed but has no card to update", work_order.ref)
            return
        await self._call("chat_update", channel=channel, ts=ts, **self._card(work_order))
        for event in change.events:
            line = messages.thread_line(event)
            if line:
                await self._call("chat_postMessage", channel=channel, thread_ts=ts, text=line)
        if any(event.to_status is Status.COMPLETED for event in change.events):
            text = messages.completed_dm(work_order, permalink=await self._permalink(channel, ts))
            await self._call("chat_postMessage", channel=work_order.requester_id, text=text)

    async def reply(self, response_url: str, text: str, blocks: Sequence[dict[str, Any]] | None = None) -> None:
        webhook = AsyncWebhookClient(response_url, session=self.session)
        try:
            response = await webhook.send(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        except aiohttp.ClientError as error:
            log.warning("reply to response_url failed: %s", error)
            return
        if response.status_code != 200:
            log.warning("reply to response_url failed: %s %s", response.status_code, response.body)

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await self._call("views_publish", user_id=user_id, view=view)

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self._call("views_open", trigger_id=trigger_id, view=view)

    def _card(self, work_order: WorkOrderRead) -> dict[str, Any]:
        return card.card(
            work_order,
            category_name=self.org.category_name(work_order.category),
            team_name=self.org.team(work_order.team).name,
        )

    async def _permalink(self, channel: str, ts: str) -> str | None:
        found = await self._call("chat_getPermalink", channel=channel, message_ts=ts)
        return found["permalink"] if found is not None else None

    async def _call(self, method: str, **kwargs: Any) -> Any:
        """Call a Web API method; log and return None when Slack or the network says no."""
        try:
            return await getattr(self.client, method)(**kwargs)
        except SlackApiError as error:
            log.warning("slack %s failed: %s", method, slack_error(error))
        except aiohttp.ClientError as error:
            log.warning("slack %s failed: %s", method, error)
        return None
