"""What a listener gets from the composition root through bolt's context, and the types of what bolt hands it."""

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.response import BoltResponse

from services.ports import Deps

T = TypeVar("T")


class Ack(Protocol):
    """A listener's `ack`: bolt's `AsyncAck`, or `handlers.guard.AckThenTurn` standing in for it."""

    @property
    def response(self) -> BoltResponse | None: ...

    async def __call__(
        self,
        text: str | dict[str, Any] = "",
        *,
        options: Sequence[dict[str, Any]] | None = None,
        response_action: str | None = None,
        errors: dict[str, str] | None = None,
        view: dict[str, Any] | None = None,
    ) -> BoltResponse: ...


def deps_of(context: AsyncBoltContext) -> Deps:
    deps: Deps = context["deps"]
    return deps


async def run_as(deps: Deps, service: Callable[..., Awaitable[T]], /, *, user_id: str, **arguments: Any) -> T:
    """Run `service` for the person `user_id` in one unit of work: a use case that takes the organisation
    and the time (`org`, `now`) as well as who is acting, like most of what a click or a form asks for."""
    return await deps.db.run(partial(service, org=deps.org, now=deps.clock(), user_id=user_id, **arguments))


async def open_checked_modal(
    body: dict[str, Any],
    context: AsyncBoltContext,
    check: Callable[..., Awaitable[T]],
    modal: Callable[[T], dict[str, Any]],
    /,
    **arguments: Any,
) -> None:
    """Open `modal` on what `check` returns, run for the person who clicked: the check refuses someone who
    may not (or a thing past deciding) before any modal opens, as a Reject or Cancel button does."""
    deps = deps_of(context)
    found = await deps.db.run(partial(check, org=deps.org, user_id=body["user"]["id"], **arguments))
    await deps.notifier.open_modal(body["trigger_id"], modal(found))


def one_of(identifiers: Iterable[str]) -> re.Pattern[str]:
    """A bolt constraint matching exactly these action or callback ids: one listener for a group."""
    return re.compile("^(?:" + "|".join(re.escape(str(identifier)) for identifier in identifiers) + ")$")
