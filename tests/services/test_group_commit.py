"""Group commit on a real database: units of work arriving together share one transaction, each gets its
own answer, and a unit that fails fails alone."""

import asyncio
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import Database
from models.group_commit import GroupCommit
from models.outbox import OutboxEntry
from services.delivery import outbox
from services.delivery.outbox import Notice
from tests.conftest import FrozenClock


def counting_commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _connection: commits.append(1))
    return commits


async def lanes(db: Database) -> list[str]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(OutboxEntry.lane).order_by(OutboxEntry.id)))


async def test_units_arriving_together_share_one_transaction_and_each_gets_its_answer(
    db: Database, clock: FrozenClock
) -> None:
    book, commits = GroupCommit(db), counting_commits(db)
    answers = await asyncio.gather(*(book.run(partial(_queued, clock=clock, lane=f"lane:{n}")) for n in range(5)))
    assert answers == [f"lane:{n}" for n in range(5)]
    assert len(commits) <= 2  # the first alone (nothing under way yet), the other four together
    assert await lanes(db) == [f"lane:{n}" for n in range(5)]


async def test_a_unit_that_fails_fails_alone_and_the_others_are_written(db: Database, clock: FrozenClock) -> None:
    book = GroupCommit(db)

    async def broken(session: AsyncSession) -> Any:
        await _queued(session, clock=clock, lane="lane:broken")  # written, then rolled back with the failure
        raise ValueError("a bug in this unit")

    first = asyncio.ensure_future(book.run(partial(_queued, clock=clock, lane="lane:first")))
    await asyncio.sleep(0)  # under way: the next three wait and share one transaction
    results = await asyncio.gather(
        book.run(partial(_queued, clock=clock, lane="lane:a")),
        book.run(broken),
        book.run(partial(_queued, clock=clock, lane="lane:b")),
        return_exceptions=True,
    )
    assert await first == "lane:first"
    assert results[0] == "lane:a" and results[2] == "lane:b"
    assert isinstance(results[1], ValueError)
    assert await lanes(db) == ["lane:first", "lane:a", "lane:b"]


async def test_a_caller_that_gives_up_does_not_take_the_others_writes_with_it(db: Database, clock: FrozenClock) -> None:
    book = GroupCommit(db)
    slow = asyncio.ensure_future(book.run(partial(_queued, clock=clock, lane="lane:1")))
    other = asyncio.ensure_future(book.run(partial(_queued, clock=clock, lane="lane:2")))
    await asyncio.sleep(0)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert await other == "lane:2"
    await asyncio.sleep(0.05)
    assert sorted(await lanes(db)) == ["lane:1", "lane:2"]


async def _queued(session: AsyncSession, *, clock: FrozenClock, lane: str) -> str:
    row = outbox._entry(Notice.MESSAGE, {"channel": "C1", "text": lane}, lane=lane, now=clock())
    await session.execute(insert(OutboxEntry), [row])
    return lane


async def test_when_the_writer_is_cancelled_nobody_waits_for_ever(db: Database, clock: FrozenClock) -> None:
    book, stuck = GroupCommit(db), asyncio.Event()

    async def hangs(session: AsyncSession) -> None:
        stuck.set()
        await asyncio.Event().wait()

    first = asyncio.ensure_future(book.run(hangs))
    await asyncio.wait_for(stuck.wait(), 5)
    second = asyncio.ensure_future(book.run(partial(_queued, clock=clock, lane="lane:after")))
    await asyncio.sleep(0)
    assert book._writer is not None
    book._writer.cancel()  # the event loop closing
    done, _ = await asyncio.wait([first, second], timeout=5)
    assert done == {first, second} and all(task.cancelled() for task in done)
