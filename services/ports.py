"""What the domain needs from the outside world, as protocols. `bot.notifier` implements them for Slack."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from models.schemas import Change, WorkOrderRead

Clock = Callable[[], datetime]


class Notifier(Protocol):
    """Every message Wrench sends goes through here, so delivery policy lives in one place."""

    async def work_order_created(self, work_order: WorkOrderRead) -> None:
        """Post the card to the team channel and tell the requester where it is."""

    async def work_order_changed(self, change: Change) -> None:
        """Refresh the card, write the change into its thread, tell the requester what matters."""

    async def reply(self, response_url: str, text: str, blocks: Sequence[dict[str, Any]] | None = None) -> None:
        """Answer the person who ran a command or clicked a button, visible only to them."""

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Replace what `user_id` sees in the app's Home tab."""

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        """Open a modal on the clicker's screen (the trigger id is valid for 3 seconds, once)."""
