"""What the domain needs from the outside world, as protocols. `bot.slack.notifier` implements them for Slack."""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from services.organisation.org import Organisation

Clock = Callable[[], datetime]
T = TypeVar("T")


class Notifier(Protocol):
    """Answers to the person acting, made at once: they are only worth anything now (a trigger id
    lasts 3 seconds). Everything a change tells Slack (cards, thread lines, DMs, Home tabs, digests)
    is queued instead, in the change's own transaction: see `services.delivery.outbox`."""

    async def reply(self, response_url: str, text: str, blocks: Sequence[dict[str, Any]] | None = None) -> None:
        """Answer the person who ran a command or clicked a button, visible only to them."""

    async def tell(self, user_id: str, text: str) -> None:
        """A direct message to one person (why their click failed, when there is no response_url)."""

    async def replace(self, response_url: str, text: str) -> None:
        """Replace the message whose button was clicked (its buttons go away)."""

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        """Open a modal on the clicker's screen (the trigger id is valid for 3 seconds, once)."""

    async def update_modal(self, view_id: str, view: dict[str, Any], *, hash: str | None = None) -> None:
        """Redraw an open modal (the request form when its category changes)."""

    async def fetch_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message `ts` in `channel` (text, user), or None when it cannot be read."""

    async def fetch_file(self, file_id: str, *, max_bytes: int) -> bytes | None:
        """The bytes of a file shared in Slack, or None when they cannot be read or are over `max_bytes`."""


class Transactions(Protocol):
    async def run(self, work: Callable[[Any], Awaitable[T]], *, attempts: int = 3) -> T:
        """Run `work(session)` in one committed transaction, retrying lost optimistic-lock races, and on a
        fresh connection when the connection was lost."""

    def connection_lost(self, error: BaseException) -> bool:
        """True when `error` is the database connection dropped or refused (nothing the work did)."""

    def answer_within(self, seconds: float) -> AbstractContextManager[None]:
        """Within this block, `run` gives up retrying a lost connection `seconds` from now."""


class Deps(Protocol):
    """What listeners and jobs get from the composition root (`bot.deps.Deps`, a frozen dataclass, provides
    it). Read-only: a settable protocol member would need a settable attribute of exactly its type, so
    neither a frozen dataclass nor `db: Database` (a `Transactions`, not the protocol itself) would fit."""

    @property
    def org(self) -> Organisation: ...

    @property
    def db(self) -> Transactions: ...

    @property
    def notifier(self) -> Notifier: ...

    @property
    def clock(self) -> Clock: ...
