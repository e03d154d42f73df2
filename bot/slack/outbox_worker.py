"""Delivers the Slack outbox: wakes when this process commits a notice, polls for the rest (notices
from other replicas or the scheduler process, retries coming due), and keeps each lane in order."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar, cast

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.metrics import Metrics
from bot.slack import purchasing as purchasing_delivery
from bot.slack.delivery import DeliveryApi, HandBack, LeaseLost, TryLater
from bot.slack.notifier import SlackNotifier
from bot.slack.pacing import Pacer
from models.db import Database, connection_lost
from models.group_commit import GroupCommit
from models.schemas import Change, Listing
from models.views import DigestChart, DigestData
from services.delivery import outbox
from services.delivery.outbox import Notice
from services.organisation.org import Organisation
from services.ports import Clock
from services.reporting import home_kpis
from services.requests import service as requests
from services.work_orders import service as work_orders

log = logging.getLogger("wrench.outbox")
T = TypeVar("T")
POLL_SECONDS = 2.0
GATHER_SECONDS = 0.01  # after a wake, what else comes due meanwhile (deliveries ending together) is leased at once
MAX_IN_FLIGHT = 32  # entries delivered at once (each is one lane: a card, a request, a channel)
# Card redraws and Home tabs leased at once: enough to keep chat.update's and views.publish's pace busy;
# those left waiting are shared by the changes made meanwhile (each draws the card or tab as it stands).
REDRAWS_IN_FLIGHT = {outbox.CARD_LANES: 2, outbox.HOME_LANES: 2}
GIVE_UP_AFTER_CRASHES = 5  # an entry whose delivery raises (not Slack refusing: our bug) this often is dropped
PRUNE_EVERY_SECONDS = 3600
NOTICES = {notice.value for notice in Notice}
HAND_BACK_SECONDS = 5.0  # at shutdown, for deliveries to reach their next Slack call and hand back
NEWER_VERSION_WAIT = timedelta(minutes=1)
KEEP_UNRECORDED_SECONDS = 3600.0  # calls Slack answered whose record was lost, kept for the entry's next try


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        org: Organisation,
        client: AsyncWebClient,
        http: aiohttp.ClientSession | None,
        *,
        clock: Clock,
        wall: Clock,
        metrics: Metrics,
        pacer: Pacer,
    ) -> None:
        """`clock` is the domain's (what notices show); `wall` times leases and retries."""
        self.db = db
        self.org = org
        self.client = client
        self.http = http
        self.clock = clock
        self.wall = wall
        self.metrics = metrics
        self.pacer = pacer
        self.book = GroupCommit(db)  # leases, records and finishes of concurrent deliveries, in shared transactions
        self.kpis = home_kpis.KpiCache()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._in_flight: dict[asyncio.Task[None], tuple[int, str]] = {}
        self._lanes: dict[asyncio.Task[None], str] = {}
        self._last_prune = 0.0
        # Stopping never cancels a task inside a transaction (on SQLite a connection cut off mid-transaction
        # can keep the write lock): the loops see `_stopping`, deliveries `_handing_back` before each call.
        self._stopping = asyncio.Event()
        self._handing_back = False
        # entry id → (when, its steps): calls Slack answered whose record failed (the database was gone for
        # longer than `Database.run` retries). Recorded before the entry's next try here; never made again.
        self._unrecorded: dict[int, tuple[float, dict[str, Any]]] = {}

    def start(self) -> None:
        self.db.after_commit.append(self._on_commit)
        self._task = asyncio.create_task(self._loop(), name="outbox-worker")
        self._renewer = asyncio.create_task(self._renew_leases(), name="outbox-leases")

    def _on_commit(self, info: dict[Any, Any]) -> None:
        if info.get(outbox.QUEUED_FLAG):
            self._wake.set()

    async def stop(self, *, flush_seconds: float = 10.0) -> None:
        """Deliver what is due for at most `flush_seconds`, then hand back what is still under way at its
        next Slack call (another replica, or the next start, carries on from the calls recorded)."""
        with contextlib.suppress(ValueError):
            self.db.after_commit.remove(self._on_commit)
        self._stopping.set()
        self._wake.set()
        background = [task for task in (self._task, self._renewer) if task is not None]
        await asyncio.wait(background, timeout=flush_seconds)
        deadline = time.monotonic() + flush_seconds
        while time.monotonic() < deadline:
            try:
                busy = await self.work_once()
            except Exception:
                log.exception("outbox: could not deliver what was due at shutdown")
                break
            if self._in_flight:
                await asyncio.wait(list(self._in_flight), timeout=min(0.5, max(0.0, deadline - time.monotonic())))
            elif not busy:
                break
        self._handing_back = True
        if self._in_flight:
            log.info("outbox: stopping, %d notices under way are handed back", len(self._in_flight))
            await asyncio.wait(list(self._in_flight), timeout=HAND_BACK_SECONDS)
        for task in [*self._in_flight, *background]:  # stuck past all that: cut off (its lease runs out)
            task.cancel()
        log.info("outbox: stopped")

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                leased, room = await self._lease_round()
                busy = 0 < room <= leased  # as many as there was room for: more may be due at once
            except Exception:
                log.exception("outbox worker: a round failed; trying again shortly")
                busy = False
            if not busy and not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                    await asyncio.sleep(GATHER_SECONDS)
                self._wake.clear()

    async def work_once(self) -> bool:
        """Lease what is due and start delivering it; True when it leased something."""
        leased, _ = await self._lease_round()
        return leased > 0

    async def _lease_round(self) -> tuple[int, int]:
        """Lease what is due and start delivering it: (how many were leased, how many there was room for)."""
        room = MAX_IN_FLIGHT - len(self._in_flight)
        if room <= 0:
            return 0, 0
        caps = {
            prefix: most - sum(1 for lane in self._lanes.values() if lane.startswith(prefix))
            for prefix, most in REDRAWS_IN_FLIGHT.items()
        }
        leased = await self.book.run(partial(outbox.lease_due, now=self.wall(), limit=room, caps=caps))
        for entry in leased:
            if entry.id in self._unrecorded:  # what Slack answered last time here counts, recorded or not
                for key, answer in self._unrecorded[entry.id][1].items():
                    entry.steps.setdefault(key, answer)
            task = asyncio.create_task(self._deliver(entry), name=f"outbox-{entry.id}")
            self._in_flight[task] = (entry.id, entry.token)
            self._lanes[task] = entry.lane
            task.add_done_callback(self._delivered)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            for entry_id, (since, _steps) in list(self._unrecorded.items()):
                if time.monotonic() - since > KEEP_UNRECORDED_SECONDS:  # delivered elsewhere, or long given up
                    del self._unrecorded[entry_id]
            await self.db.run(partial(outbox.prune, now=self.wall()))
        return len(leased), room

    def _delivered(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._lanes.pop(task, None)
        self._wake.set()  # room for more, and the lane's next entry may be due
        if not task.cancelled() and task.exception() is not None:  # recording the outcome failed: the lease
            log.error("outbox: %s could not record its outcome", task.get_name(), exc_info=task.exception())

    async def _renew_leases(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), outbox.LEASE.total_seconds() / 3)
                return
            held = dict(self._in_flight.values())
            if held:
                with contextlib.suppress(Exception):
                    await self.book.run(partial(outbox.renew, held=held, now=self.wall()))

    async def _deliver(self, entry: outbox.Leased) -> None:
        async def save(steps: dict[str, Any]) -> None:
            try:
                record = partial(outbox.record_step, entry_id=entry.id, token=entry.token, steps=steps)
                kept = await self.book.run(record)
            except Exception as error:  # Slack answered, the record did not make it: keep the answer here
                if _database_unavailable(error):
                    self._unrecorded[entry.id] = (time.monotonic(), dict(steps))
                raise
            self._unrecorded.pop(entry.id, None)
            if not kept:
                raise LeaseLost(entry.id)

        api = DeliveryApi(
            self.client, self.http, steps=entry.steps, save=save, pacer=self.pacer, stop=lambda: self._handing_back
        )
        window = timedelta(seconds=self.pacer.home_window)
        db = cast(Database, RecordedFirst(self.db, api))
        notifier = SlackNotifier(api, db, self.org, self.clock, kpis=self.kpis)
        retry = partial(outbox.retry_later, entry=entry)
        try:
            if entry.id in self._unrecorded:  # first record what an earlier try here could not
                await save(entry.steps)
            await dispatch(notifier, db, entry)
        except LeaseLost:  # held up past its lease: another worker delivers it from the steps saved
            log.warning("outbox entry %s (%s): lease lost, left to the worker that has it", entry.id, entry.kind)
            return
        except HandBack:  # shutting down: the next worker carries on from the calls recorded
            with contextlib.suppress(Exception):
                await api.save_made()
            await self.book.run(partial(outbox.release, held={entry.id: entry.token}))
            return
        except Exception as failure:
            with contextlib.suppress(Exception):  # the calls made, for the next try (kept here if this fails)
                await api.save_made()
            if isinstance(failure, TryLater) or _database_unavailable(failure):  # not the notice's fault: later
                after = failure.retry_after if isinstance(failure, TryLater) else None
                if entry.id in self._unrecorded:  # the database may be back already: record them now
                    with contextlib.suppress(Exception):
                        await save(entry.steps)
                wait = await self.book.run(partial(retry, error=_short(failure), now=self.wall(), retry_after=after))
                seconds = wait.total_seconds()
                log.info("outbox entry %s (%s) tried again in %ss: %s", entry.id, entry.kind, seconds, failure)
                self.metrics.outbox_deliveries.labels(entry.kind, "retry").inc()
                return
            if entry.crashes + 1 < GIVE_UP_AFTER_CRASHES:  # our own code failed: a few more tries, then set aside
                log.exception("outbox entry %s (%s) failed; it will be tried again", entry.id, entry.kind)
                await self.book.run(partial(retry, error=_short(failure), now=self.wall(), crashed=True))
                self.metrics.outbox_deliveries.labels(entry.kind, "retry").inc()
                return
            log.exception("outbox entry %s (%s) failed %d times: given up", entry.id, entry.kind, entry.crashes + 1)
            failures = [*api.failures, {"call": "(delivery)", "error": _short(failure)}]
        else:
            failures = api.failures
        homes = sorted(notifier.homes_wanted)  # queued with the finish: one transaction, both or neither
        finish = partial(outbox.finish, entry_id=entry.id, token=entry.token, failures=failures, homes=homes)
        try:
            await self.book.run(partial(finish, now=self.wall(), homes_at=self.clock(), homes_due=self.wall() + window))
        except Exception:  # the last call's answer was to be saved by the finish: saved on its own, else kept here
            if api.unsaved:
                self._unrecorded[entry.id] = (time.monotonic(), dict(entry.steps))
                with contextlib.suppress(Exception):
                    await api.save_made()  # the next try (here or on another replica) carries on after it
            raise
        self._unrecorded.pop(entry.id, None)
        self.metrics.outbox_deliveries.labels(entry.kind, "gave_up" if failures else "delivered").inc()


class RecordedFirst:
    """The database as one notice's delivery uses it: the Slack calls made and not yet recorded are recorded
    before any other unit of work (a card's place, a request's approval messages), so a crash or a cut-off
    during that work never leaves a post unrecorded behind a change that came after it."""

    def __init__(self, db: Database, api: DeliveryApi) -> None:
        self._db, self._api = db, api

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = 3) -> T:
        await self._api.save_made()
        return await self._db.run(work, attempts=attempts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def _database_unavailable(error: Exception) -> bool:
    """Locked, restarting or unreachable (a failover): not a fault of the notice."""
    if connection_lost(error):
        return True
    return isinstance(error, DBAPIError) and isinstance(error, OperationalError | InterfaceError)


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


async def dispatch(notifier: SlackNotifier, db: Database, entry: outbox.Leased) -> None:
    """Make the Slack calls one notice stands for. Work orders and requests are read as they stand now,
    so a card is never drawn from an older state than the database holds."""
    payload = entry.payload
    if entry.kind not in NOTICES:  # queued by a newer version (a rolling deploy): left for it
        raise TryLater(f"{entry.kind}: unknown to this version", NEWER_VERSION_WAIT)
    kind = Notice(entry.kind)
    if kind in (Notice.WORK_ORDER_CREATED, Notice.CARD_REFRESH):
        work_order_id = payload["work_order"]["id"] if "work_order" in payload else payload["work_order_id"]
        if kind is Notice.WORK_ORDER_CREATED:
            await notifier.work_order_created(await db.run(partial(work_orders.get, work_order_id=work_order_id)))
        else:
            await notifier.refresh_card(work_order_id)
    elif kind is Notice.WORK_ORDER_CHANGED:
        await notifier.work_order_changed(Change.model_validate(payload["change"]))
    elif kind in (Notice.REQUEST_AWAITING_APPROVAL, Notice.REQUEST_DECIDED):
        request = await db.run(partial(requests.get, request_id=payload["request_id"]))
        if kind is Notice.REQUEST_AWAITING_APPROVAL:
            await notifier.request_awaiting_approval(request)
        else:
            await notifier.request_decided(request)
    elif kind is Notice.DIGEST:
        chart = DigestChart.model_validate(payload["chart"]) if payload.get("chart") else None
        await notifier.digest(payload["channel"], DigestData.model_validate(payload["data"]), chart)
    elif kind is Notice.MESSAGE:
        await notifier.announce(payload["channel"], payload["text"])
    elif kind is Notice.MORNING:
        await notifier.morning_dm(payload["user_id"], Listing.model_validate(payload["listing"]))
    elif kind is Notice.HOMES:
        await notifier.refresh_homes(payload["user_ids"], expanded=bool(payload.get("expanded")))
    elif kind is Notice.PURCHASE:
        await purchasing_delivery.deliver(notifier, db, payload)
    else:  # pragma: no cover - every Notice is handled above
        raise ValueError(f"unknown outbox notice {kind}")
