"""The Slack side of `services.ports.Notifier`: who hears what, and in which message.

Cards go to the team channel and are updated in place; each change writes a line in the card's
thread; requesters hear about what matters to them (claimed, on hold, completed, cancelled) by DM;
assignees hear when work is given to them or reopened; Home tabs of the people involved are redrawn.
"""

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from blocks import approvals, card, contractor, home, lists, messages
from blocks import digest as digest_blocks
from blocks import purchasing as purchasing_blocks
from blocks import satisfaction as satisfaction_blocks
from bot.slack import file_download
from bot.slack.chart import render as render_chart
from bot.slack.delivery import DeliveryInterrupt
from bot.slack.web_api import SlackApi
from models.db import Database
from models.enums import EventKind, Status
from models.schemas import (
    OUTSIDE_REQUESTERS,
    CardContext,
    Change,
    EventRead,
    Listing,
    ServiceRequestRead,
    WorkOrderRead,
)
from models.views import DigestChart, DigestData
from services.contractor_jobs import files as contractor_files
from services.delivery import outbox, slack_events
from services.organisation.org import CHANNEL_ID, USER_ID, Organisation
from services.ports import Clock
from services.reporting import finding, home_kpis
from services.reporting.card_context import card_context
from services.requests import portal, requester_mail
from services.requests import service as requests
from services.work_orders import satisfaction
from services.work_orders import service as work_orders

log = logging.getLogger("wrench.notifier")

CARD_ONLY = {EventKind.TIMER_STARTED, EventKind.TIMER_STOPPED}  # redraw the card; nobody's Home changes


async def deliver_digest(api: SlackApi, channel: str, data: DigestData, chart: DigestChart | None) -> Any:
    """The digest message, then its chart image as a file shared in the same channel (not in a thread, so
    the picture shows in the channel under the digest); a chart that cannot be drawn or uploaded is logged
    and never stops the digest (which is already posted by then), and a digest that could not be posted
    gets no chart. Returns the digest's chat.postMessage answer."""
    posted = await api.post(channel, **digest_blocks.digest(data))
    if chart is None or data.quiet or posted is None:
        return posted
    try:
        names = {user_id: await api.display_name(user_id) for user_id, _ in chart.completions}
        png = await asyncio.to_thread(render_chart, chart, names=names)  # ~25 ms of drawing: off the loop
    except DeliveryInterrupt:  # the outbox tries again (or another worker has it)
        raise
    except Exception:
        log.warning("the %s digest chart could not be drawn", data.team, exc_info=True)
        return posted
    title = f"{data.team} backlog, last {len(chart.backlog)} days"
    try:
        await api.upload(channel, png, filename=f"backlog-{data.local_date.isoformat()}.png", title=title)
    except DeliveryInterrupt:  # the outbox tries again (or another worker has it)
        raise
    except Exception:  # api.upload logs Slack's and the network's errors; this is anything else
        log.warning("the %s digest chart could not be uploaded", data.team, exc_info=True)
    return posted


def is_slack_user(user_id: str) -> bool:
    """A person to DM: not the scheduler ("wrench") nor the web portal ("portal")."""
    return USER_ID.match(user_id) is not None


class SlackNotifier:
    """Makes the Slack calls each notice stands for. The outbox worker runs it with a `DeliveryApi`
    (each call once, retried until Slack takes it); handlers use it directly to answer the person in
    front of the screen (ephemeral replies, modals), which is only worth doing at once."""

    def __init__(
        self,
        api: SlackApi,
        db: Database,
        org: Organisation,
        clock: Clock,
        *,
        kpis: home_kpis.KpiCache | None = None,
    ) -> None:
        self.api = api
        self.db = db
        self.org = org
        self.clock = clock
        self.kpis = kpis or home_kpis.KpiCache()  # managers' Home figures, kept a few minutes
        # the Home tabs a notice changed: the outbox worker queues their redraw with the notice's finish
        self.homes_wanted: set[str] = set()

    # -- work orders ------------------------------------------------------------------------------

    async def work_order_created(self, work_order: WorkOrderRead) -> None:
        team = self.org.team(work_order.team)
        if work_order.source_channel and work_order.source_ts and not work_order.source_link:
            link = await self.api.permalink(work_order.source_channel, work_order.source_ts)
            if link:
                await self.db.run(partial(work_orders.attach_source_link, work_order_id=work_order.id, link=link))
                work_order = work_order.model_copy(update={"source_link": link})
        drawn = await self._card(work_order)
        posted = await self.api.post(team.channel, **drawn)
        permalink = None
        if posted is not None:
            channel, ts = posted["channel"], posted["ts"]
            await self.db.run(partial(work_orders.attach_card, work_order_id=work_order.id, channel=channel, ts=ts))
            # A change made while the card was on its way found no card to redraw. Not every change is a new
            # version (a contractor's progress, an asset going down, parts arriving keep the card's buttons
            # valid): the card as it stands now is compared with the one posted.
            _, current = await self._as_it_stands(work_order.id)
            if current != drawn:
                await self.api.call("chat_update", channel=channel, ts=ts, **current)
            permalink = await self._card_permalink(work_order.id, channel, ts)
            if work_order.request_id is not None:
                await self._share_photos(work_order, channel, ts)
        if is_slack_user(work_order.requester_id):  # not PM work (its schedule asked) nor the web portal
            await self.api.post(
                work_order.requester_id, messages.filed_dm(work_order, team_name=team.name, permalink=permalink)
            )
        if work_order.source_channel and work_order.source_ts:
            reply = messages.intake_reply(work_order, permalink=permalink)
            await self.api.post(work_order.source_channel, reply, thread_ts=work_order.source_ts)
        self.homes_soon(self._involved(work_order))

    async def _card_permalink(self, work_order_id: int, channel: str, ts: str) -> str | None:
        """Asked of Slack once per card and kept: a card posted before the link was kept gets it here."""
        link: str | None = await self.api.permalink(channel, ts)
        if link:
            await self.db.run(partial(work_orders.attach_card_permalink, work_order_id=work_order_id, link=link))
        return link

    async def _share_photos(self, work_order: WorkOrderRead, channel: str, ts: str) -> None:
        """Photos sent with a web portal request go into the card's thread; the card then lists them."""
        assert work_order.request_id is not None
        request_id = work_order.request_id
        photos = await self.db.run(partial(portal.photos_to_share, request_id=request_id))
        shared_earlier = await self.db.run(partial(portal.shared_photo_count, request_id=request_id))  # a try cut short
        if not photos and not shared_earlier:
            return
        for photo in photos:
            title = f"{work_order.ref}: photo from the requester"
            shared = await self.api.upload(channel, photo.content, filename=photo.filename, title=title, thread_ts=ts)
            if shared is None:  # logged by the upload; the bytes stay in the database
                continue
            await self.db.run(
                partial(
                    portal.photo_shared,
                    photo_id=photo.id,
                    work_order_id=work_order.id,
                    file=shared.get("file") or {},
                    now=self.clock(),
                )
            )
        await self.refresh_card(work_order.id)  # the card lists them now

    async def _share_contractor_files(self, work_order: WorkOrderRead, channel: str, ts: str) -> None:
        """Photos and the invoice a contractor sent go into the card's thread; the card then lists them."""
        waiting = await self.db.run(partial(contractor_files.to_share, work_order_id=work_order.id))
        for kept in waiting:
            title = f"{work_order.ref}: {'invoice' if kept.kind == 'invoice' else 'photo'} from the contractor"
            shared = await self.api.upload(channel, kept.content, filename=kept.filename, title=title, thread_ts=ts)
            if shared is None:  # logged by the upload; the bytes stay in the database
                continue
            done = partial(
                contractor_files.shared,
                file_id=kept.id,
                work_order_id=work_order.id,
                file=shared.get("file") or {},
                now=self.clock(),
            )
            await self.db.run(done)
        if waiting:
            await self.refresh_card(work_order.id)

    async def work_order_changed(self, change: Change) -> None:
        """Thread lines, DMs and Home tabs; the card is redrawn by a notice of its own (`outbox.redraw_card`)."""
        work_order = change.work_order
        if not (work_order.card_ts and work_order.card_permalink):  # posted (or linked) after the change
            current = await self.db.run(partial(work_orders.get, work_order_id=work_order.id))
            where = {"card_channel": current.card_channel, "card_ts": current.card_ts}
            work_order = work_order.model_copy(update=where | {"card_permalink": current.card_permalink})
        channel, ts = work_order.card_channel, work_order.card_ts
        if channel is None or ts is None:  # the card was never posted: people are still told
            log.warning("%s changed but has no card to update", work_order.ref)
        else:
            await self._write_thread(work_order, change, channel, ts)
            if any(event.kind == EventKind.CONTRACTOR_FILES for event in change.events):
                await self._share_contractor_files(work_order, channel, ts)
        for event in change.events:
            if event.kind == EventKind.PARTS_USED and event.data.get("low_stock"):
                alert = purchasing_blocks.low_stock_alert(event.data, messages.low_stock_alert(event))
                await self.api.post(self.org.team(work_order.team).channel, **alert)
        permalink = work_order.card_permalink
        for recipient, message in self._news(change):
            if not is_slack_user(recipient) and not CHANNEL_ID.match(recipient):
                continue  # the requester of PM work is its schedule; of a portal request, a web form
            if channel and ts:
                permalink = permalink or await self._card_permalink(work_order.id, channel, ts)
            body = message(permalink)
            await self.api.post(recipient, **(body if isinstance(body, dict) else {"text": body}))
        if work_order.requester_id in OUTSIDE_REQUESTERS:  # the portal's or the mailbox's: by email, once each
            await self.db.run(partial(requester_mail.work_order_updates, org=self.org, now=self.clock(), change=change))
        if all(event.kind in outbox.THREAD_ONLY | CARD_ONLY for event in change.events):
            return  # notes, time, parts and timers do not change anyone's Home tab
        previous = {was for e in change.events if (was := e.data.get("previous_assignee_id"))}
        self.homes_soon([*self._involved(work_order), *previous])

    async def _write_thread(self, work_order: WorkOrderRead, change: Change, channel: str, ts: str) -> None:
        """Write each event's line in the card's thread."""
        for event in change.events:
            line = messages.thread_line(event)
            if line:
                # an SLA warning on unclaimed work is shown to the whole channel, not only the thread
                broadcast = event.kind == EventKind.SLA_WARNING and work_order.assignee_id is None
                await self.api.post(channel, line, thread_ts=ts, **({"reply_broadcast": True} if broadcast else {}))

    async def refresh_card(self, work_order_id: int) -> None:
        """Redraw the card from the work order as it stands now."""
        current, drawn = await self._as_it_stands(work_order_id)
        if current.card_channel and current.card_ts:
            await self.api.call("chat_update", channel=current.card_channel, ts=current.card_ts, **drawn)

    async def _as_it_stands(self, work_order_id: int) -> tuple[WorkOrderRead, dict[str, Any]]:
        """The work order now and its card: read in one transaction."""

        async def read(session: AsyncSession) -> tuple[WorkOrderRead, CardContext]:
            current = await work_orders.get(session, work_order_id)
            return current, await card_context(session, org=self.org, work_order=current)

        current, context = await self.db.run(read)
        return current, card.card(current, context)

    def _news(self, change: Change) -> list[tuple[str, Any]]:
        """(recipient, message-from-permalink) for each DM this change calls for."""
        wo = change.work_order
        news: list[tuple[str, Any]] = []
        # holding or completing unclaimed work also assigns it: the requester hears of the hold or completion
        told_anyway = any(e.to_status in (Status.ON_HOLD, Status.COMPLETED) for e in change.events)
        for event in change.events:
            actor = event.actor_id
            if (
                _first_assignment(event)
                and not told_anyway
                and wo.requester_id not in (actor, event.data.get("assignee_id"))
            ):
                news.append((wo.requester_id, lambda link: messages.claimed_dm(wo, permalink=link)))
            if event.kind == EventKind.ASSIGNED and event.data.get("assignee_id") != actor:
                assignee = str(event.data["assignee_id"])
                news.append((assignee, lambda link, by=actor: messages.assigned_dm(wo, by=by, permalink=link)))
            if event.to_status is Status.ON_HOLD and wo.requester_id != actor:
                news.append((wo.requester_id, lambda link: messages.on_hold_dm(wo, permalink=link)))
            if event.to_status is Status.COMPLETED:
                news.append((wo.requester_id, lambda link: messages.completed_dm(wo, permalink=link)))
            if event.to_status is Status.CLOSED and wo.rating is None:  # confirmed, or closed by itself
                news.append((wo.requester_id, lambda link: satisfaction_blocks.rating_request_dm(wo, permalink=link)))
            if event.kind == EventKind.RATED and wo.rating is not None and wo.rating <= satisfaction.LOW:
                news += [
                    (manager, lambda link: satisfaction_blocks.low_rating_dm(wo, permalink=link))
                    for manager in self.org.team(wo.team).managers
                ]
            if event.to_status is Status.CANCELLED and wo.requester_id != actor:
                news.append((wo.requester_id, lambda link, by=actor: messages.cancelled_dm(wo, by=by, permalink=link)))
            reopened = event.to_status is Status.OPEN and event.from_status is Status.COMPLETED
            if reopened and wo.assignee_id and wo.assignee_id != actor:
                news.append((wo.assignee_id, lambda link, by=actor: messages.reopened_dm(wo, by=by, permalink=link)))
            if event.kind in (EventKind.CONTRACTOR_DECLINED, EventKind.CONTRACTOR_DONE) and event.data.get("sent_by"):
                news.append(
                    (str(event.data["sent_by"]), lambda link, e=event: contractor.sender_dm(wo, e, permalink=link))
                )
            if event.kind == EventKind.SLA_WARNING and wo.assignee_id:
                news.append((wo.assignee_id, lambda link: messages.sla_warning_dm(wo, permalink=link)))
            if event.kind in (EventKind.ESCALATED, EventKind.SLA_REMINDER):
                reminder = event.kind == EventKind.SLA_REMINDER
                message = self._escalation(wo, int(event.data["level"]), reminder=reminder)
                news += [(to, message) for to in self._escalate_to(wo, event)]
        return news

    def _escalate_to(self, wo: WorkOrderRead, event: EventRead) -> list[str]:
        """Level 1: the team's managers and its escalation channel; level 2 adds the admins."""
        team = self.org.team(wo.team)
        people = [*team.managers, *(self.org.admins if int(event.data["level"]) >= 2 else ())]
        channel = [team.escalation_channel] if team.escalation_channel else []
        return list(dict.fromkeys([*people, *channel]))

    def _escalation(self, wo: WorkOrderRead, level: int, *, reminder: bool) -> Any:
        team_name = self.org.team(wo.team).name
        return lambda link: messages.escalation_message(
            wo, level=level, team_name=team_name, permalink=link, reminder=reminder
        )

    async def _card(self, work_order: WorkOrderRead) -> dict[str, Any]:
        context = await self.db.run(partial(card_context, org=self.org, work_order=work_order))
        return card.card(work_order, context)

    def _involved(self, work_order: WorkOrderRead) -> list[str]:
        team = self.org.team(work_order.team)
        people = [work_order.requester_id, *team.technicians, *team.managers]
        return [*people, work_order.assignee_id] if work_order.assignee_id else people

    # -- requests awaiting approval ---------------------------------------------------------------

    async def request_awaiting_approval(self, request: ServiceRequestRead) -> None:
        category = requests.category_for(self.org, request)
        approvers = self.org.approvers(category) if category else ()
        message = approvals.approval_request(request, category_name=self.org.category_name(request.category))
        sent = []
        for approver in approvers:
            posted = await self.api.post(approver, **message)
            if posted is not None:
                sent.append({"channel": posted["channel"], "ts": posted["ts"]})
        await self.db.run(partial(requests.attach_approval_messages, request_id=request.id, messages=sent))
        if is_slack_user(request.requester_id):
            await self.api.post(request.requester_id, approvals.awaiting_approval_dm(request, approvers=approvers))
        self.homes_soon([*approvers, *self.org.admins])  # admins see every approval waiting

    async def request_decided(self, request: ServiceRequestRead) -> None:
        message = approvals.approval_request(request, category_name=self.org.category_name(request.category))
        for sent in request.approval_messages:
            await self.api.call("chat_update", channel=sent["channel"], ts=sent["ts"], **message)
        if request.rejection_reason is not None and is_slack_user(request.requester_id):
            await self.api.post(request.requester_id, approvals.rejected_dm(request))
        if request.requester_id in OUTSIDE_REQUESTERS:
            await self.db.run(partial(requester_mail.request_decided, org=self.org, now=self.clock(), request=request))
        category = requests.category_for(self.org, request)
        deciders = self.org.approvers(category) if category else ()
        self.homes_soon([request.requester_id, *deciders, *self.org.admins])

    # -- digests ----------------------------------------------------------------------------------

    async def digest(self, channel: str, data: DigestData, chart: DigestChart | None = None) -> None:
        await deliver_digest(self.api, channel, data, chart)

    # -- answers, modals, Home --------------------------------------------------------------------

    async def reply(self, response_url: str, text: str, blocks: Sequence[dict[str, Any]] | None = None) -> None:
        await self.api.respond(
            response_url, text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )

    async def tell(self, user_id: str, text: str) -> None:
        await self.api.post(user_id, text)

    async def morning_dm(self, user_id: str, work: Listing) -> None:
        shown = lists.results("Good morning: your open work", work, empty="")
        await self.api.post(user_id, shown["text"], blocks=shown["blocks"])

    async def announce(self, channel: str, text: str) -> None:
        await self.api.post(channel, text)

    async def replace(self, response_url: str, text: str) -> None:
        await self.api.respond(response_url, text=text, replace_original=True)

    def homes_soon(self, user_ids: Iterable[str]) -> None:
        """Redraw these people's Home tabs (those who opened it) soon: once for any number of changes in a
        short window (`outbox.homes_soon`, queued with the notice's finish)."""
        self.homes_wanted.update(user_ids)

    async def refresh_homes(self, user_ids: Iterable[str], *, expanded: bool = False) -> None:
        """Publish these people's Home tabs (those who opened it) as they stand now."""
        viewers = await self.db.run(partial(slack_events.home_viewers, user_ids=list(user_ids)))
        names = {category.key: category.name for category in self.org.categories}
        limit = home.LONG if expanded else home.SHORT
        for user_id in viewers:
            now = self.clock()

            async def read(session: AsyncSession, user_id: str = user_id, now: datetime = now) -> tuple[Any, Any]:
                """The person's dashboard and KPIs, in one transaction."""
                board = await finding.dashboard(session, org=self.org, user_id=user_id, now=now, limit=limit)
                kpis = await home_kpis.for_manager(session, org=self.org, user_id=user_id, now=now, cache=self.kpis)
                return board, kpis

            board, kpis = await self.db.run(read)
            view = home.home(board, category_names=names, expanded=expanded, kpis=kpis)
            await self.api.call("views_publish", user_id=user_id, view=view)

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self.api.call("views_open", trigger_id=trigger_id, view=view)

    async def update_modal(self, view_id: str, view: dict[str, Any], *, hash: str | None = None) -> None:
        await self.api.call("views_update", view_id=view_id, view=view, hash=hash)

    async def fetch_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return await self.api.message(channel, ts)

    async def fetch_file(self, file_id: str, *, max_bytes: int) -> bytes | None:
        return await file_download.download(self.api, file_id, max_bytes=max_bytes)


def _first_assignment(event: EventRead) -> bool:
    return event.kind == EventKind.ASSIGNED and not event.data.get("previous_assignee_id")
