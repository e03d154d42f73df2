"""Listeners answer Slack at once and then take turns to work (handlers.guard): a burst is acknowledged
before it is carried out, and a listener opening a modal never waits its turn."""

import asyncio
import json
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from handlers.guard import InFlight, ack_at_once, guarded
from tests.support import slack_requests as sr
from tests.support.bot import FORM


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


def bolt_app_with(gate: asyncio.Event, entered: dict[str, asyncio.Event]) -> AsyncApp:
    """A bolt app with Wrench's early ack whose listeners wait for `gate` before they ack themselves."""

    async def authorize(**_: Any) -> AuthorizeResult:  # no auth.test call: there is no Slack here
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="UBOT")

    app = AsyncApp(
        client=AsyncWebClient(),
        signing_secret=sr.SIGNING_SECRET,
        process_before_response=False,
        authorize=authorize,
    )
    app.middleware(ack_at_once)

    async def slow(ack: Any, body: dict[str, Any]) -> None:
        entered[body["type"]].set()
        await gate.wait()
        await ack(response_action="errors", errors={"title": "Too short."})

    app.action("claim")(slow)
    app.view("form")(slow)
    return app


def bolt_request(body: bytes) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=body.decode(), headers=sr.signed_headers(body, content_type=FORM))


async def test_a_click_is_answered_without_waiting_for_its_listener_and_a_form_waits_for_its_listener() -> None:
    """bolt would poll for the click's ack every 10 ms; Wrench answers it in middleware instead. A form's
    answer is its listener's to give (field errors go in it)."""
    gate, entered = asyncio.Event(), {"block_actions": asyncio.Event(), "view_submission": asyncio.Event()}
    app = bolt_app_with(gate, entered)
    click_body = sr.block_action("claim", "1:1", user_id="U1", channel="C1", message_ts="1.1", response_url="")
    answered = await asyncio.wait_for(app.async_dispatch(bolt_request(click_body)), 1)
    assert (answered.status, answered.body) == (200, "")  # while its listener still waits to ack
    submission = sr.view_submission({"callback_id": "form", "blocks": []}, {}, user_id="U1")
    form = asyncio.create_task(app.async_dispatch(bolt_request(submission)))
    await asyncio.wait_for(entered["view_submission"].wait(), 1)  # the click's listener may have begun too
    assert not form.done()
    gate.set()
    assert json.loads((await asyncio.wait_for(form, 1)).body) == {
        "response_action": "errors",
        "errors": {"title": "Too short."},
    }


async def test_metrics_count_the_work_acknowledged_and_not_done() -> None:
    """`wrench_slack_work_in_flight` is what a benchmark (or an operator) waits on to know that every
    acknowledged click has been carried out: listeners running or waiting for a turn count, done ones not."""
    in_flight, metrics, gate = InFlight(), Metrics(), asyncio.Event()
    metrics.count_work_in_flight(in_flight.count)

    async def listener() -> None:
        in_flight.track()
        await gate.wait()

    def seen() -> float:
        families = text_string_to_metric_families(metrics.render().text or "")
        (value,) = [s.value for f in families for s in f.samples if s.name == "wrench_slack_work_in_flight"]
        return value

    tasks = [asyncio.create_task(listener()) for _ in range(3)]
    await asyncio.sleep(0)
    assert seen() == 3
    gate.set()
    await asyncio.gather(*tasks)
    assert seen() == 0


def bolt_app_bounded(
    in_flight: InFlight, gates: dict[str, asyncio.Event], worked: list[str], began: asyncio.Queue[str]
) -> AsyncApp:
    """Wrench's early ack in front of guarded listeners that each wait for the gate of the value clicked."""

    async def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="UBOT")

    app = AsyncApp(
        client=AsyncWebClient(), signing_secret=sr.SIGNING_SECRET, process_before_response=False, authorize=authorize
    )

    async def provide(context: Any, next: Any) -> None:
        context[InFlight.CONTEXT_KEY] = in_flight
        await next()

    app.middleware(provide)
    app.middleware(ack_at_once)

    async def claim(ack: Any, body: dict[str, Any], context: Any) -> None:
        value = body["actions"][0]["value"]
        began.put_nowait(value)
        await ack()  # waits for its turn
        await gates.setdefault(value, asyncio.Event()).wait()
        worked.append(value)

    async def command(ack: Any, command: dict[str, Any], context: Any) -> None:
        await ack()
        worked.append(command["text"])

    app.action("claim")(guarded(claim))
    app.command("/wo")(guarded(command))
    return app


def signed_click(value: str) -> AsyncBoltRequest:
    return bolt_request(sr.block_action("claim", value, user_id="U1", channel="C1", message_ts="1.1", response_url=""))


async def test_clicks_past_the_backlog_wait_for_room_and_are_refused_when_none_comes() -> None:
    """What is acknowledged and not done stays bounded: past the bound a click waits for a finished
    listener's place before its ack, and is refused (503, its work never done) when none comes in time."""
    in_flight, gates, worked = InFlight(slots=1, backlog=2, room_wait=0.3), {}, []  # type: ignore[var-annotated]
    began: asyncio.Queue[str] = asyncio.Queue()
    app = bolt_app_bounded(in_flight, gates, worked, began)
    for value in ("a", "b"):
        answered = await asyncio.wait_for(app.async_dispatch(signed_click(value)), 1)
        assert answered.status == 200
    assert {await asyncio.wait_for(began.get(), 1) for _ in range(2)} == {"a", "b"}  # both listeners started
    waiting = asyncio.create_task(app.async_dispatch(signed_click("c")))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # no room: not acknowledged yet
    gates.setdefault("a", asyncio.Event()).set()  # "a" finishes: its place goes to "c"
    assert (await asyncio.wait_for(waiting, 1)).status == 200
    refused = await asyncio.wait_for(app.async_dispatch(signed_click("d")), 1)  # "b" and "c" hold the backlog
    assert (refused.status, in_flight.refused) == (503, 1)
    command = sr.slash_command("/wo", "mine", user_id="U1", response_url="")
    busy = await asyncio.wait_for(app.async_dispatch(bolt_request(command)), 1)
    assert busy.status == 200 and "busy" in busy.body  # a command is told, to the person alone
    for value in ("b", "c", "d"):
        gates.setdefault(value, asyncio.Event()).set()
    await asyncio.wait_for(in_flight.settle(1), 2)
    assert sorted(worked) == ["a", "b", "c"]  # every click acknowledged was carried out, the refused ones not


async def test_listeners_opening_a_modal_are_not_counted_against_the_backlog() -> None:
    """They take no turn, and a slow views.open (their trigger ends them in seconds) must not hold back
    the clicks behind them; the backlog is what waits for or holds a turn."""
    in_flight, progress = InFlight(slots=1, backlog=1, room_wait=0.05), Progress()
    opening = call(guarded(click, opens_modal=True), in_flight, progress, "open form")
    await progress.until(lambda: progress.worked == ["open form"])
    assert in_flight.count() == 1 and await in_flight.room()  # counted as in flight, not as backlog
    claiming = call(guarded(click), in_flight, progress, "claim")
    await progress.until(lambda: "claim" in progress.worked)
    assert not await in_flight.room()
    progress.gate.set()
    await asyncio.wait_for(asyncio.gather(opening, claiming), 1)
    assert await in_flight.room()


async def test_listeners_opening_a_modal_have_a_bound_of_their_own_for_when_slack_is_slow() -> None:
    """A views.open Slack is slow to answer holds its listener: past `modals` of them a new request waits
    for one to finish (and is refused when none does in time) instead of piling up without end."""
    in_flight, progress = InFlight(slots=1, backlog=10, modals=2, room_wait=0.05), Progress()
    opening = [call(guarded(click, opens_modal=True), in_flight, progress, f"form {n}") for n in range(2)]
    await progress.until(lambda: len(progress.worked) == 2)
    assert not await in_flight.room()  # both modal places taken: nothing more is acknowledged
    assert (in_flight.refused, await turns_free(in_flight, 1)) == (1, True)  # clicks' turns were never taken
    progress.gate.set()  # Slack answers: the modals open, their places free
    await asyncio.wait_for(asyncio.gather(*opening), 1)
    assert await in_flight.room()
