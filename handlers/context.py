"""What a listener gets from the composition root through bolt's context."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from services.org import Organisation
from services.ports import Clock, Notifier

T = TypeVar("T")


class Transactions(Protocol):
    async def run(self, work: Callable[[Any], Awaitable[T]], *, attempts: int = 3) -> T:
        """Run `work(session)` in one committed transaction, retrying lost optimistic-lock races."""


class Deps(Protocol):
    org: Organisation
    db: Transactions
    notifier: Notifier
    clock: Clock


def deps_of(context: Any) -> Deps:
    deps: Deps = context["deps"]
    return deps
