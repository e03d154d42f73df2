"""What the domain needs from the outside world, as protocols. `bot.notifier` implements them for Slack."""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from models.schemas import Change, Listing, ServiceRequestRead, WorkOrderRead
from models.views import DigestChart, DigestData
from services.org import Organisation

Clock = Callable[[], datetime]
T = TypeVar("T")


class Notifier(Protocol):
    """Every message Wrench sends goes through here, so delivery policy lives in one place."""

    async def work_order_created(self, work_order: WorkOrderRead) -> None:
        """Post the card to the team channel and tell the requester (and the source thread) where it is."""

    async def work_order_changed(self, change: Change) -> None:
        """Refresh the card, write the change into its thread, tell the people it matters to."""

    async def refresh_card(self, work_order: WorkOrderRead) -> None:
        """Redraw the card as the work order now stands (after a click on an out-of-date card)."""

    async def request_awaiting_approval(self, request: ServiceRequestRead) -> None:
        """Ask the category's approvers to approve or reject; tell the requester who decides."""

    async def request_decided(self, request: ServiceRequestRead) -> None:
        """Show the decision on every approver's message; tell the requester if it was rejected."""

    async def digest(self, channel: str, data: DigestData, chart: DigestChart | None = None) -> None:
        """Post a backlog digest to `channel`, then its chart image (a failed chart never stops the digest)."""

    async def morning_dm(self, user_id: str, work: Listing) -> None:
        """A person's own open work, most overdue first (the opt-in morning DM)."""

    async def reply(self, response_url: str, text: str, blocks: Sequence[dict[str, Any]] | None = None) -> None:
        """Answer the person who ran a command or clicked a button, visible only to them."""

    async def tell(self, user_id: str, text: str) -> None:
        """A direct message to one person (when there is no response_url to answer on)."""

    async def announce(self, channel: str, text: str) -> None:
        """A message to a channel (a PM schedule that paused itself tells its team)."""

    async def replace(self, response_url: str, text: str) -> None:
        """Replace the message whose button was clicked (its buttons go away)."""

    async def refresh_homes(self, user_ids: Iterable[str], *, expanded: bool = False) -> None:
        """Republish the Home tab of those of `user_ids` who use it."""

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        """Open a modal on the clicker's screen (the trigger id is valid for 3 seconds, once)."""

    async def update_modal(self, view_id: str, view: dict[str, Any], *, hash: str | None = None) -> None:
        """Redraw an open modal (the request form when its category changes)."""

    async def fetch_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message `ts` in `channel` (text, user), or None when it cannot be read."""


class Transactions(Protocol):
    async def run(self, work: Callable[[Any], Awaitable[T]], *, attempts: int = 3) -> T:
        """Run `work(session)` in one committed transaction, retrying lost optimistic-lock races."""


class Deps(Protocol):
    """What listeners and jobs get from the composition root (`bot.deps.Deps` provides it)."""

    org: Organisation
    db: Transactions
    notifier: Notifier
    clock: Clock
