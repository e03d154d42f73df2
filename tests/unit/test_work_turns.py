"""Listeners answer Slack at once and then take turns to work (handlers.guard): a burst is acknowledged
before it is carried out, and a listener opening a modal never waits its turn."""

import asyncio
from typing import Any

from handlers.guard import InFlight, guarded


class Progress:
    """What the listeners have done so far, awaited on a condition (no polling)."""

    def __init__(self) -> None:
        self.acked: list[str] = []
        self.worked: list[str] = []
        self.changed = asyncio.Condition()
        self.gate = asyncio.Event()  # the work takes until this is set

    async def note(self, done: list[str], name: str) -> None:
        async with self.changed:
            done.append(name)
            self.changed.notify_all()

    async def until(self, condition: Any) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(condition), 1)


class FakeAck:
    def __init__(self, progress: Progress, name: str) -> None:
        self.progress, self.name, self.response = progress, name, None

    async def __call__(self, **answer: Any) -> Any:
        self.response = answer or {"ok": True}
        await self.progress.note(self.progress.acked, self.name)
        return self.response


async def click(ack: Any, body: dict[str, Any], context: Any) -> None:
    await ack()
    progress: Progress = context["progress"]
    await progress.note(progress.worked, body["id"])
    await progress.gate.wait()


def call(wrapped: Any, in_flight: InFlight, progress: Progress, name: str) -> asyncio.Task[None]:
    context = {InFlight.CONTEXT_KEY: in_flight, "progress": progress}
    return asyncio.create_task(wrapped(ack=FakeAck(progress, name), body={"id": name}, context=context))


async def turns_free(in_flight: InFlight, count: int) -> bool:
    """Whether `count` turns can be taken at once (then given back)."""
    taken = 0
    try:
        for _ in range(count):
            await asyncio.wait_for(in_flight.slots.acquire(), 0.1)
            taken += 1
    except TimeoutError:
        return False
    finally:
        for _ in range(taken):
            in_flight.slots.release()
    return True


async def test_a_burst_is_acknowledged_at_once_and_worked_in_turns() -> None:
    in_flight, progress = InFlight(slots=2), Progress()
    tasks = [call(guarded(click), in_flight, progress, f"click {n}") for n in range(5)]
    await progress.until(lambda: len(progress.acked) == 5 and len(progress.worked) == 2)
    assert progress.worked == ["click 0", "click 1"]  # every click answered, two at work, three waiting
    assert not await turns_free(in_flight, 1)
    progress.gate.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert progress.worked == [f"click {n}" for n in range(5)]
    assert await turns_free(in_flight, 2)  # every turn given back


async def test_a_listener_opening_a_modal_does_not_wait_its_turn() -> None:
    in_flight, progress = InFlight(slots=1), Progress()
    busy = call(guarded(click), in_flight, progress, "claim")
    await progress.until(lambda: progress.worked == ["claim"])
    opening = call(guarded(click, opens_modal=True), in_flight, progress, "open form")
    await progress.until(lambda: "open form" in progress.worked)  # while the claim still holds the turn
    progress.gate.set()
    await asyncio.wait_for(asyncio.gather(busy, opening), 1)


async def test_a_failing_listener_gives_its_turn_back() -> None:
    in_flight, progress = InFlight(slots=1), Progress()

    async def failing(ack: Any, body: dict[str, Any], context: Any) -> None:
        await ack()
        raise RuntimeError("boom")

    class Notifier:
        async def tell(self, user_id: str, text: str) -> None:
            pass

    class Deps:
        notifier = Notifier()

    context = {InFlight.CONTEXT_KEY: in_flight, "deps": Deps()}
    await guarded(failing)(ack=FakeAck(progress, "x"), body={"user": {"id": "U1"}}, context=context)
    assert await turns_free(in_flight, 1)
