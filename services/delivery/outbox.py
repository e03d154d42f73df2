"""The Slack outbox: notices written in the same transaction as the change that calls for them.

A service that changes state queues what people must be told (`work_order_changed`, `message`...);
the transaction commits both or neither, so a crash after the commit loses nothing and a rollback
tells nobody. The bot's outbox worker leases due entries (`lease_due`), makes the Slack calls, records
each call it made (`record_step`, so a retry does not post twice), and finishes, retries later or
gives up on what Slack refused for good. Nothing here knows Slack: a notice is a kind and a payload.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind
from models.outbox import OutboxEntry
from models.schemas import Change, Listing
from models.slack_events import HomeViewer
from models.views import DigestChart, DigestData

# The hot writes below (leases, records, finishes) are Core statements on the table: a fraction of the
# ORM's cost for the same SQL.
_outbox: Table = OutboxEntry.__table__  # type: ignore[assignment]
QUEUED_FLAG = "wrench.outbox"  # set in `session.info`: the process wakes its outbox worker after the commit
LEASE = timedelta(seconds=15)  # renewed while an entry is being delivered; a crashed worker's lapses
MAX_BACKOFF = timedelta(minutes=10)
KEEP_FAILED = timedelta(days=7)  # entries with calls given up on stay this long for `wrench doctor`


class Notice(StrEnum):
    WORK_ORDER_CREATED = "work_order_created"
    WORK_ORDER_CHANGED = "work_order_changed"
    CARD_REFRESH = "card_refresh"
    REQUEST_AWAITING_APPROVAL = "request_awaiting_approval"
    REQUEST_DECIDED = "request_decided"
    DIGEST = "digest"
    MESSAGE = "message"
    MORNING = "morning"
    HOMES = "homes"
    PURCHASE = "purchase"


def _entry(kind: Notice, payload: dict[str, Any], *, lane: str, now: datetime) -> dict[str, Any]:
    return {
        "lane": lane,
        "kind": kind.value,
        "payload": payload,
        "created_at": now,
        "steps": {},
        "failures": [],
        "attempts": 0,
        "crashes": 0,
    }


def _add(session: AsyncSession, kind: Notice, payload: dict[str, Any], *, lane: str, now: datetime) -> None:
    session.add(OutboxEntry(**_entry(kind, payload, lane=lane, now=now)))
    session.info[QUEUED_FLAG] = True


def work_order_lane(work_order_id: int) -> str:
    return f"wo:{work_order_id}"


CARD_LANES = "card:"  # a card's redraws
HOME_LANES = "home:"  # a person's Home tab


def card_lane(work_order_id: int) -> str:
    return f"{CARD_LANES}{work_order_id}"


def home_lane(user_id: str) -> str:
    return f"{HOME_LANES}{user_id}"


# Events that only add to the card's thread: the card itself does not change.
THREAD_ONLY = frozenset(
    {
        EventKind.NOTE_ADDED,
        EventKind.LABOR_LOGGED,
        EventKind.PARTS_USED,
        EventKind.COST_ADDED,
        EventKind.RATED,
        EventKind.CONTRACTOR_UPDATE,
        EventKind.CONTRACTOR_FILES,  # shared in the thread, then the card is redrawn listing them
    }
)


async def _coalesced(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue each row unless its lane already has an entry waiting that nobody is delivering yet: that one
    draws the card or Home tab as it stands when it is delivered, so it shows this change too.

    The UPDATE locks the waiting entry until this transaction commits, so a worker cannot lease it and
    read the state before this change is in it (it leases after the commit, or it leased before and
    this finds nothing waiting, and queues a new entry)."""
    lanes = list(dict.fromkeys(row["lane"] for row in rows))
    if not lanes:
        return
    waiting = await session.scalars(
        update(_outbox)
        .where(_outbox.c.lane.in_(lanes), _outbox.c.done_at.is_(None), _outbox.c.leased_until.is_(None))
        .values(attempts=_outbox.c.attempts)
        .returning(_outbox.c.lane)
    )
    covered = set(waiting.all())
    fresh = [row for row in rows if row["lane"] not in covered]
    if fresh:
        await session.execute(insert(_outbox), fresh)
        session.info[QUEUED_FLAG] = True


# -- what services queue ----------------------------------------------------------------------------


async def work_order_changes(session: AsyncSession, changes: Sequence[Change]) -> None:
    """For each change, post the card if it created the work order (and tell the requester, answer in the
    source thread, share photos); else write the thread lines and DM who must hear, and redraw the card
    (one redraw for any number of changes still waiting: `_coalesced`). A few statements for all (the
    scheduler changes hundreds of work orders in one go)."""
    rows, redraws = [], []
    for change in changes:
        queued_at = change.events[-1].at if change.events else change.work_order.updated_at
        lane = work_order_lane(change.work_order.id)
        if any(event.kind == EventKind.CREATED for event in change.events):
            payload = {"work_order": change.work_order.model_dump(mode="json")}
            rows.append(_entry(Notice.WORK_ORDER_CREATED, payload, lane=lane, now=queued_at))
            continue
        payload = {"change": change.model_dump(mode="json")}
        rows.append(_entry(Notice.WORK_ORDER_CHANGED, payload, lane=lane, now=queued_at))
        if not all(event.kind in THREAD_ONLY for event in change.events):
            redraws.append(_card_refresh_row(change.work_order.id, now=queued_at))
    if rows:
        await session.execute(insert(_outbox), rows)  # after a flush of what is pending: lane order kept
        session.info[QUEUED_FLAG] = True
    await _coalesced(session, redraws)


def _card_refresh_row(work_order_id: int, *, now: datetime) -> dict[str, Any]:
    payload = {"work_order_id": work_order_id}
    return _entry(Notice.CARD_REFRESH, payload, lane=card_lane(work_order_id), now=now)


async def redraw_card(session: AsyncSession, *, work_order_id: int, now: datetime) -> None:
    """Redraw a card as the work order now stands (after a click on a card that was out of date)."""
    await _coalesced(session, [_card_refresh_row(work_order_id, now=now)])


def request_awaiting_approval(session: AsyncSession, request_id: int, *, now: datetime) -> None:
    _add(session, Notice.REQUEST_AWAITING_APPROVAL, {"request_id": request_id}, lane=f"req:{request_id}", now=now)


def request_decided(session: AsyncSession, request_id: int, *, now: datetime) -> None:
    _add(session, Notice.REQUEST_DECIDED, {"request_id": request_id}, lane=f"req:{request_id}", now=now)


def purchase(session: AsyncSession, order_id: int, news: str, *, now: datetime, **data: Any) -> None:
    """A purchase request or order changed (`news`: requested, approved, rejected, received, cancelled):
    its approvers' DMs, its message and whoever must hear are brought up to date as it then stands."""
    _add(session, Notice.PURCHASE, {"order_id": order_id, "news": news, **data}, lane=f"po:{order_id}", now=now)


def digest(session: AsyncSession, channel: str, data: DigestData, chart: DigestChart | None, *, now: datetime) -> None:
    payload = {
        "channel": channel,
        "data": data.model_dump(mode="json"),
        "chart": chart and chart.model_dump(mode="json"),
    }
    _add(session, Notice.DIGEST, payload, lane=f"to:{channel}", now=now)


def message(session: AsyncSession, channel: str, text: str, *, now: datetime) -> None:
    """A message to a channel or a person (a DM). `text` is plain text: it is escaped for Slack's mrkdwn when
    delivered, so a title or name in it stays text (`*bold*` and `code` marks still show)."""
    _add(session, Notice.MESSAGE, {"channel": channel, "text": text}, lane=f"to:{channel}", now=now)


def morning(session: AsyncSession, user_id: str, work: Listing, *, now: datetime) -> None:
    payload = {"user_id": user_id, "listing": work.model_dump(mode="json")}
    _add(session, Notice.MORNING, payload, lane=f"to:{user_id}", now=now)


def homes(session: AsyncSession, user_ids: list[str], *, expanded: bool = False, now: datetime) -> None:
    """Redraw these people's Home tabs (those who have opened it)."""
    payload = {"user_ids": user_ids, "expanded": expanded}
    _add(session, Notice.HOMES, payload, lane=f"home:{','.join(sorted(user_ids))[:74]}", now=now)


async def show_homes(session: AsyncSession, *, user_ids: list[str], expanded: bool = False, now: datetime) -> None:
    """`homes` as a unit of work of its own (a Home tab asked to show more)."""
    homes(session, user_ids, expanded=expanded, now=now)


async def homes_soon(session: AsyncSession, *, user_ids: list[str], now: datetime, due: datetime) -> None:
    """Redraw the Home tab of each of these people who has opened it, at `due` (the outbox worker's clock):
    one entry per person, and one redraw for any number of changes until it is delivered."""
    viewers = await session.scalars(select(HomeViewer.user_id).where(HomeViewer.user_id.in_(sorted(set(user_ids)))))
    rows = [_entry(Notice.HOMES, {"user_ids": [user_id]}, lane=home_lane(user_id), now=now) for user_id in viewers]
    await _coalesced(session, [{**row, "due_at": due} for row in rows])


# -- what the worker does with them -----------------------------------------------------------------


@dataclass(frozen=True)
class Leased:
    id: int
    kind: str  # a `Notice`, unless a newer version queued it (a rolling deploy): then it waits for one
    payload: dict[str, Any]
    steps: dict[str, Any]
    attempts: int
    crashes: int
    token: str
    lane: str = ""


async def lease_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
    caps: dict[str, int] | None = None,
) -> list[Leased]:
    """Lease up to `limit` due entries, each the oldest undelivered entry of its lane (a lane waits for
    its head, even one waiting to be retried). Replicas leasing at once each get different entries.
    `caps` limits the lanes starting with a prefix ("card:" → 2): a redraw left waiting is shared by the
    changes made meanwhile, so redraws are leased only as fast as Slack's pace can take them."""
    pending = _outbox.c.done_at.is_(None)
    free = (
        pending
        & (_outbox.c.due_at.is_(None) | (_outbox.c.due_at <= now))
        & (_outbox.c.leased_until.is_(None) | (_outbox.c.leased_until < now))
    )
    oldest_of_lane = select(func.min(_outbox.c.id)).where(pending).group_by(_outbox.c.lane)
    room = dict(caps or {})
    candidates = await session.execute(  # ids and lanes only: most candidates of a busy round are left
        select(_outbox.c.id, _outbox.c.lane)
        .where(_outbox.c.id.in_(oldest_of_lane), free)
        .order_by(_outbox.c.id)
        .limit(limit + sum(max(0, n) for n in room.values()) + 4 * len(room))
    )
    tokens: dict[int, str] = {}
    for entry_id, lane in candidates.all():
        if len(tokens) >= limit:
            break
        prefix = next((prefix for prefix in room if lane.startswith(prefix)), None)
        if prefix is not None:
            if room[prefix] <= 0:
                continue
            room[prefix] -= 1
        token = secrets.token_hex(8)
        taken = await session.execute(  # taken by another worker since the select: not ours
            update(_outbox).where(_outbox.c.id == entry_id, free).values(leased_until=now + lease, lease_token=token)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            tokens[entry_id] = token
    if not tokens:
        return []
    found = await session.execute(
        select(
            _outbox.c.id,
            _outbox.c.kind,
            _outbox.c.payload,
            _outbox.c.steps,
            _outbox.c.attempts,
            _outbox.c.crashes,
            _outbox.c.lane,
        )
        .where(_outbox.c.id.in_(tokens))
        .order_by(_outbox.c.id)
    )
    return [
        Leased(id_, kind, payload, dict(steps), attempts, crashes, tokens[id_], lane)
        for id_, kind, payload, steps, attempts, crashes, lane in found.all()
    ]


def _held(entry_id: int, token: str) -> Any:
    return (_outbox.c.id == entry_id) & (_outbox.c.lease_token == token) & _outbox.c.done_at.is_(None)


async def _update_held(session: AsyncSession, entry_id: int, token: str, **values: Any) -> bool:
    """Change an entry only while this lease holds it; False when it does not any more."""
    changed = await session.execute(update(_outbox).where(_held(entry_id, token)).values(**values))
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


async def renew(session: AsyncSession, held: dict[int, str], *, now: datetime, lease: timedelta = LEASE) -> None:
    """Keep the leases of entries still being delivered."""
    for entry_id, token in held.items():
        await _update_held(session, entry_id, token, leased_until=now + lease)


async def record_step(session: AsyncSession, *, entry_id: int, token: str, steps: dict[str, Any]) -> bool:
    """Save the calls made so far; False when the lease was lost (another worker has the entry now)."""
    return await _update_held(session, entry_id, token, steps=steps)


async def finish(
    session: AsyncSession,
    *,
    entry_id: int,
    token: str,
    failures: list[dict[str, str]],
    now: datetime,
    homes: Sequence[str] = (),
    homes_at: datetime | None = None,
    homes_due: datetime | None = None,
) -> None:
    """Delivered: forgotten at once, or kept a while when some call was given up on. The Home tabs the
    notice changed (`homes`) are queued in the same transaction (at `homes_at`, the domain's clock), to be
    redrawn at `homes_due` (the worker's)."""
    if homes:
        await homes_soon(session, user_ids=list(homes), now=homes_at or now, due=homes_due or now)
    if not failures:
        await session.execute(delete(_outbox).where(_held(entry_id, token)))
        return
    await _update_held(
        session, entry_id, token, done_at=now, failures=failures, leased_until=None, last_error=failures[-1]["error"]
    )


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s... up to 10 minutes: transient failures are retried until Slack takes the call."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


async def retry_later(
    session: AsyncSession,
    *,
    entry: Leased,
    error: str,
    now: datetime,
    retry_after: timedelta | None = None,
    crashed: bool = False,
) -> timedelta:
    """A call failed for now (429, 5xx, the network; or our own code, `crashed`): try the entry again
    after Slack's `Retry-After` when it gave one, else after the backoff; returns the wait."""
    wait = retry_after if retry_after is not None else backoff(entry.attempts)
    await _update_held(
        session,
        entry.id,
        entry.token,
        attempts=_outbox.c.attempts + 1,
        crashes=_outbox.c.crashes + (1 if crashed else 0),
        due_at=now + wait,
        leased_until=None,
        lease_token=None,
        last_error=error[:500],
    )
    return wait


async def release(session: AsyncSession, held: dict[int, str]) -> None:
    """Hand entries back at once (a worker stopping mid-delivery): another worker may take them now."""
    for entry_id, token in held.items():
        await _update_held(session, entry_id, token, leased_until=None, lease_token=None)


async def prune(session: AsyncSession, *, now: datetime) -> int:
    gone = await session.execute(delete(_outbox).where(_outbox.c.done_at < now - KEEP_FAILED))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


# -- how it is doing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStatus:
    pending: int  # waiting to be delivered
    retrying: int  # of those, failed at least once
    oldest: datetime | None  # when the oldest pending entry was queued
    gave_up: int  # entries with calls Slack refused for good, kept `KEEP_FAILED`
    last_error: str | None  # the newest error among pending entries


async def status(session: AsyncSession) -> OutboxStatus:
    pending = OutboxEntry.done_at.is_(None)
    row = (
        await session.execute(
            select(
                func.count().filter(pending),
                func.count().filter(pending & (OutboxEntry.attempts > 0)),
                func.min(OutboxEntry.created_at).filter(pending),
                func.count().filter(OutboxEntry.done_at.is_not(None)),
            )
        )
    ).one()
    last_error = await session.scalar(
        select(OutboxEntry.last_error)
        .where(pending, OutboxEntry.last_error.is_not(None))
        .order_by(OutboxEntry.due_at.desc())
        .limit(1)
    )
    return OutboxStatus(pending=row[0], retrying=row[1], oldest=row[2], gave_up=row[3], last_error=last_error)


async def given_up(session: AsyncSession, *, limit: int = 10) -> list[tuple[datetime, str, list[Any]]]:
    """The latest entries with calls given up on: (when, kind, the calls and Slack's errors)."""
    found = await session.execute(
        select(OutboxEntry.done_at, OutboxEntry.kind, OutboxEntry.failures)
        .where(OutboxEntry.done_at.is_not(None))
        .order_by(OutboxEntry.done_at.desc())
        .limit(limit)
    )
    return [(done, kind, list(failures)) for done, kind, failures in found.all() if done is not None]
