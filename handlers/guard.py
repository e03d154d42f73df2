"""Listeners never let an exception escape: the person who clicked is told, the operator gets a log line.

Why not rely on `@app.error` alone: slack-bolt's async runner (checked with 1.30) resets the ack
when a listener raises right after acking, so Slack would get a 404 three seconds later instead of
the 200 it was already owed. `bot.errors` remains the backstop for errors raised in middleware.
"""

import asyncio
import functools
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.response import BoltResponse

from blocks import text as t
from blocks.ids import Unreadable
from handlers import forms
from handlers.context import Ack
from services.delivery import outbox
from services.errors import DomainError, Stale
from services.ports import Deps

log = logging.getLogger("wrench.errors")

Listener = Callable[..., Awaitable[None]]


WORK_SLOTS = 4  # listeners doing their work after the ack at once (those opening a modal not counted)
BACKLOG = 1000  # listeners acknowledged, waiting for or holding a turn, beyond which a new request waits for room
MODALS_IN_FLIGHT = 200  # listeners opening a modal at once, beyond which a new request waits for room (Slack slow)
ROOM_WAIT_SECONDS = 1.5  # how long it waits before it is refused: well within Slack's 3 s, trigger_id's too
BUSY = "Wrench is busy right now and did nothing with that. Please try again in a minute."


class InFlight:
    """Listeners still running after their ack (bolt runs them in tasks it does not keep): a process
    shutting down waits for them, so a click that was acknowledged is also carried out.

    Their work takes turns (`slots`): acks need only CPU, the work after them needs the database too, and
    in a burst every ack would otherwise wait behind every click's transaction. So a burst is acknowledged
    first and carried out just after. Listeners that open a modal go at once: a trigger_id lasts 3 s.

    What is acknowledged and waits for its turn or holds one is bounded (`backlog`): clicks arriving faster
    than their work can be done would otherwise pile up in memory without end, each a promise made to
    someone. Past the bound a new request waits for room before its ack, first come first served, one place
    for each such listener that finishes (`room`); `ack_at_once` refuses it when none comes in time.
    Listeners opening a modal are not counted there: they take no turn and last one `views.open` call. They
    have a bound of their own (`modals`), reached only when Slack is slow to answer: then they too would
    pile up without end, and a new request waits for one of them to finish."""

    CONTEXT_KEY = "in_flight"

    def __init__(
        self,
        slots: int = WORK_SLOTS,
        *,
        backlog: int = BACKLOG,
        modals: int = MODALS_IN_FLIGHT,
        room_wait: float = ROOM_WAIT_SECONDS,
    ) -> None:
        self.tasks: set[asyncio.Task[object]] = set()
        self.turn_takers: set[asyncio.Task[object]] = set()  # those of `tasks` that wait for or hold a turn
        self.slots = asyncio.Semaphore(slots)
        self.backlog, self.modals, self.room_wait = backlog, modals, room_wait
        self._waiting: deque[asyncio.Future[None]] = deque()
        self.refused, self._told_at = 0, -60.0

    def track(self, *, takes_turns: bool = True) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
            if takes_turns:
                self.turn_takers.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[object]) -> None:
        self.tasks.discard(task)
        self.turn_takers.discard(task)
        while self._waiting and self._has_room():  # its place goes to the request that has waited longest
            place = self._waiting.popleft()
            if not place.done():
                place.set_result(None)
                return

    def count(self) -> int:
        """Listeners acknowledged and not finished: running, or waiting for a turn."""
        return len(self.tasks)

    def _has_room(self) -> bool:
        opening_modals = len(self.tasks) - len(self.turn_takers)
        return len(self.turn_takers) < self.backlog and opening_modals < self.modals

    async def room(self) -> bool:
        """Whether there is room for one more acknowledged request, waiting up to `room_wait` for it."""
        if self._has_room() and not self._waiting:
            return True
        place = asyncio.get_running_loop().create_future()
        self._waiting.append(place)
        try:
            await asyncio.wait_for(place, self.room_wait)
        except TimeoutError:
            self.refused += 1
            if time.monotonic() - self._told_at > 10:  # an operator is told, not flooded
                self._told_at = time.monotonic()
                log.warning("busy: %d requests refused so far, %d acknowledged waiting", self.refused, self.backlog)
            return False
        return True

    async def settle(self, seconds: float) -> int:
        """Wait up to `seconds` for running listeners; returns how many were running."""
        running = set(self.tasks)
        if running:
            await asyncio.wait(running, timeout=seconds)
        return len(running)


ANSWERED_EMPTY = frozenset({"block_actions", "shortcut", "message_action"})  # what Slack wants is a bare 200


async def ack_at_once(
    body: dict[str, Any], ack: AsyncAck, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Global middleware: answer clicks, shortcuts and slash commands before their listener runs.

    Their answer is an empty 200 whatever the listener decides (it tells people by ephemeral message or
    modal). bolt's listener runner starts the listener in a task, then polls for its ack every 10 ms:
    every click waited at least that long, longer while the event loop was busy. Forms (errors go in
    the answer) and type-aheads (options) are left to their listeners.

    With the backlog full (`InFlight`) the request waits for room; none in time, it is refused and its
    listener never runs: a command is told so (Slack shows the answer to the person alone), a click or a
    shortcut is answered 503, which Slack shows as a failed click. Nothing is acknowledged that will not be
    done."""
    if body.get("type") in ANSWERED_EMPTY or "command" in body:
        in_flight = context.get(InFlight.CONTEXT_KEY)
        if isinstance(in_flight, InFlight) and not await in_flight.room():
            if "command" in body:
                return BoltResponse(status=200, body=BUSY)
            return BoltResponse(status=503, body=BUSY)
        await ack()
    await next()
    return None


UNREADABLE = "That button or form could not be read; it may be from an older version of Wrench. Nothing was changed."


def describe(error: Exception) -> str:
    """What to tell the user: a domain refusal verbatim, anything else as an error id to quote."""
    if isinstance(error, DomainError):
        return t.service_text(str(error))
    if isinstance(error, Unreadable):  # an old message or modal, or a forged one: no bug of ours to trace
        log.warning("refused a payload that could not be read: %s", error)
        return UNREADABLE
    error_id = uuid.uuid4().hex[:8]
    log.error("unhandled error %s", error_id, exc_info=error)
    return f"Something went wrong on our side (error id `{error_id}`). Nothing was changed."


FORM_RETRY_SECONDS = 2.0  # a form's answer is due within Slack's 3 s; a lost connection is retried this long
FORM_NOT_SAVED = "Could not save just now — nothing was lost from this form, press Submit again."


def form_errors(body: dict[str, Any], error: Exception, *, lost: bool) -> dict[str, str] | None:
    """For a form submission not yet answered: `response_action: errors` keeps the modal open with the
    person's input, the message under its first input block. None for anything else (or no input block)."""
    if body.get("type") != "view_submission":
        return None
    blocks = (body.get("view") or {}).get("blocks") or []
    block_id = next((b.get("block_id") for b in blocks if b.get("type") == "input" and b.get("block_id")), None)
    if not isinstance(block_id, str):
        return None
    # an input's error is plain text to Slack, not mrkdwn: a refusal goes as the services wrote it
    said = str(error) if isinstance(error, DomainError) else describe(error)
    return {block_id: FORM_NOT_SAVED if lost else said}


def response_url(body: dict[str, Any]) -> str | None:
    if body.get("response_url"):
        return str(body["response_url"])
    urls = body.get("response_urls") or []
    return str(urls[0]["response_url"]) if urls else None


class AckThenTurn:
    """The `ack` a listener gets: answers Slack at once, then waits for the listener's turn to work."""

    def __init__(self, ack: Ack, slots: asyncio.Semaphore) -> None:
        self.ack, self.slots, self.held = ack, slots, False

    @property
    def response(self) -> BoltResponse | None:
        return self.ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        answered = await self.ack(*args, **kwargs)
        if not self.held:
            await self.slots.acquire()
            self.held = True
        return answered

    def release(self) -> None:
        if self.held:
            self.slots.release()
            self.held = False


STALE_FORM = "Close this form and open it again from the card."


async def redraw_stale_card(deps: Deps, stale: Stale, *, form_ack: Ack | None = None, form_field: str = "") -> None:
    """A click or a form carried an old version of a card (`Stale`): queue the card's redraw with the current
    state. A form is answered first, under `form_field`, with the refusal and that it has to be opened again
    (it still carries the old version)."""
    if form_ack is not None:
        reopen = Stale(f"{stale} {STALE_FORM}", current=stale.current)
        await forms.reject(form_ack, reopen, default_field=form_field)
    await deps.db.run(partial(outbox.redraw_card, work_order_id=stale.current.id, now=deps.clock()))


def guarded(listener: Listener, *, opens_modal: bool = False) -> Listener:
    """Wrap a listener (which must take `ack`, `context` and `body` or `command`). One that opens a modal
    does its work at once; others wait their turn after the ack (`InFlight`)."""

    @functools.wraps(listener)  # bolt reads the wrapped function's argument names
    async def run(**kwargs: Any) -> None:
        in_flight = (kwargs.get("context") or {}).get(InFlight.CONTEXT_KEY)
        turn = None
        if in_flight is not None:
            in_flight.track(takes_turns=not opens_modal)
            if not opens_modal:
                turn = kwargs["ack"] = AckThenTurn(kwargs["ack"], in_flight.slots)
        body = kwargs.get("body") or kwargs.get("command") or {}
        try:
            if body.get("type") == "view_submission":  # stores before its answer: retries end in time for it
                with kwargs["context"]["deps"].db.answer_within(FORM_RETRY_SECONDS):
                    await listener(**kwargs)
            else:
                await listener(**kwargs)
        except Exception as error:
            ack = kwargs["ack"]
            deps = kwargs["context"]["deps"]
            if ack.response is None:
                errors = form_errors(body, error, lost=deps.db.connection_lost(error))
                if errors is not None:  # the form stays open with what was typed, and says why
                    await ack(response_action="errors", errors=errors)
                    return
                await ack()
            text = describe(error)
            notifier = deps.notifier
            if isinstance(error, Stale):  # the clicked card was out of date: redraw it
                await redraw_stale_card(deps, error)
            url = response_url(body)
            if url:
                await notifier.reply(url, text)
            elif (body.get("user") or {}).get("id"):  # a click on the Home tab or in a modal
                await notifier.tell(body["user"]["id"], text)
        finally:
            if turn is not None:
                turn.release()

    return run
