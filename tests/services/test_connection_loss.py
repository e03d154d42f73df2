"""`Database.run` runs a unit of work cut off with its connection again, on a fresh one, for a bounded
time; one whose COMMIT went through but whose answer was lost runs again too, and a request filing
then finds itself already filed instead of storing twice. (Real terminated backends: test_database.py.)"""

from functools import partial

import asyncpg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from models import db as db_module
from models.db import Database, connection_lost
from models.requests import ServiceRequest
from models.schemas import RequestCreate
from services.organisation.org import Organisation
from services.requests import service as requests
from tests.conftest import FrozenClock
from tests.support.org import STAFF


class Lost(DBAPIError):
    """What SQLAlchemy raises for a statement on a connection the server dropped."""


def test_what_counts_as_a_lost_connection() -> None:
    invalidated = Lost("SELECT 1", None, Exception("boom"), connection_invalidated=True)
    assert connection_lost(invalidated)
    assert connection_lost(ConnectionResetError("reset by peer"))

    for driver_error in (  # as asyncpg raises them, under SQLAlchemy's wrapper
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.InterfaceError("cannot call Transaction.rollback(): the underlying connection is closed"),
    ):
        try:
            try:
                raise driver_error
            except Exception as cause:
                raise OperationalError("COMMIT", None, Exception("wrapped")) from cause
        except OperationalError as wrapped:
            assert connection_lost(wrapped), driver_error
    assert not connection_lost(IntegrityError("INSERT", None, Exception("duplicate key")))
    assert not connection_lost(OperationalError("INSERT", None, Exception("database is locked")))
    assert not connection_lost(ValueError("connection is closed"))  # not the driver's


async def test_a_lost_connection_is_tried_again_then_given_up(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    tries = []

    async def flaky(session: object) -> str:
        tries.append(1)
        if len(tries) < 3:
            raise ConnectionResetError("connection reset")
        return "done"

    assert await db.run(flaky) == "done" and len(tries) == 3

    async def gone(session: object) -> None:
        tries.append(1)
        raise ConnectionResetError("connection refused for good")

    monkeypatch.setattr(db_module, "RECONNECT_SECONDS", 0.3)
    tries.clear()
    with pytest.raises(ConnectionResetError):
        await db.run(gone)
    assert 2 <= len(tries) <= 6  # 50, 100, 200 ms... until 0.3 s are over
    tries.clear()
    with db.answer_within(0.0), pytest.raises(ConnectionResetError):  # a form due now: no second try
        await db.run(gone)
    assert len(tries) == 1


async def test_a_filing_whose_commit_answer_was_lost_is_already_filed_on_the_retry(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    """The COMMIT went through, the connection died before its answer: the retry stores nothing twice."""
    answers_lost = []

    def lose_the_answer(session: Session) -> None:
        if not answers_lost and not session.in_nested_transaction():  # the COMMIT, not a savepoint's release
            answers_lost.append(1)
            raise ConnectionResetError("connection lost after COMMIT was sent")

    request = RequestCreate(title="Leaking pipe", category="plumbing")
    file = partial(requests.submit, org=org, now=clock(), requester_id=STAFF, request=request, source_key="V123")
    event.listen(Session, "after_commit", lose_the_answer)
    try:
        assert await db.run(file) is None  # the retry found it filed
    finally:
        event.remove(Session, "after_commit", lose_the_answer)
    assert answers_lost
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(ServiceRequest)) == 1
