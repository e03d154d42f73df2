"""Group commit: small units of work from many tasks share one transaction.

The outbox worker leases notices, records each Slack call it made and finishes each notice: under load,
dozens of tiny writes a second, each of which would otherwise be a transaction of its own (on SQLite a
turn of the single writer, and a round of BEGIN and COMMIT on either database). Units handed to
`GroupCommit.run` while a shared transaction is under way wait and go together in the next one, so a
quiet process still writes at once and a busy one writes less often, in bigger transactions.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from models.db import Database, connection_lost

T = TypeVar("T")
log = logging.getLogger("wrench.db")

MOST_PER_TRANSACTION = 64  # a few milliseconds of writes: other writers do not wait long for the lock

Work = Callable[[AsyncSession], Awaitable[Any]]


class GroupCommit:
    """Runs units of work for many tasks, those that arrive together in one transaction.

    Each unit must be one that may share a transaction: short, and not failing on purpose (a unit that
    raises rolls back the others with it; they are then run again one by one, so each gets its own
    answer, and only the one at fault fails)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work`'s result, once the transaction it went in has committed."""
        answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        answer.add_done_callback(_looked_at)  # an error nobody waits for any more is not "never retrieved"
        self._waiting.append((work, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="group-commit")
        return await asyncio.shield(answer)  # a caller giving up does not take the others' writes with it

    async def _write(self) -> None:
        batch: list[tuple[Work, asyncio.Future[Any]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MOST_PER_TRANSACTION], self._waiting[MOST_PER_TRANSACTION:]
                await self._write_batch(batch)
        except BaseException:  # cancelled (the loop closing): those waiting are told, none waits for ever
            stranded, self._waiting = [*batch, *self._waiting], []
            for _, answer in stranded:
                if not answer.done():
                    answer.cancel()
            raise

    async def _write_batch(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        if len(batch) == 1:
            await self._alone(*batch[0])
            return
        try:
            results = await self.db.run(partial(_each, works=[work for work, _ in batch]))
        except Exception as error:
            if connection_lost(error):  # not one unit's fault, and `Database.run` has tried again already
                for _, answer in batch:
                    _settle(answer, error=error)
                return
            log.debug("a shared transaction failed (%s): its units run one by one", error)
            for work, answer in batch:
                await self._alone(work, answer)
            return
        for (_, answer), result in zip(batch, results, strict=True):
            _settle(answer, result=result)

    async def _alone(self, work: Work, answer: asyncio.Future[Any]) -> None:
        try:
            result = await self.db.run(work)
        except Exception as error:
            _settle(answer, error=error)
        else:
            _settle(answer, result=result)


async def _each(session: AsyncSession, *, works: list[Work]) -> list[Any]:
    return [await work(session) for work in works]


def _looked_at(answer: asyncio.Future[Any]) -> None:
    if not answer.cancelled():
        answer.exception()


def _settle(answer: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None) -> None:
    if answer.done():  # cancelled: nobody waits for it any more
        return
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(result)
