"""Slack's published rate limits, and the pace Wrench's outbox keeps so that Slack never has to say 429.

Slack counts each Web API method per workspace and app against its tier (calls a minute), and posting
in one channel (a DM included) at about a message a second. The outbox books a slot for each call before
making it: calls of one key go out `spacing` apart. A 429 still rests the key for Slack's `Retry-After`.

`scale` runs Slack's clock faster (tests and benchmarks against the fake Slack, which applies the same
scale): limits allow `scale` times more calls a second, and Retry-After's seconds are that much shorter.
`0` turns the spacing off (rests after a 429 still apply, unscaled).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from models.db import Database
from services.delivery import pacing

# Slack's tiers (calls a minute) for the methods Wrench makes, as published on each method's page.
TIERS = {
    "auth.test": 100,
    "chat.getPermalink": 100,
    "chat.postEphemeral": 100,
    "chat.update": 50,
    "conversations.history": 50,
    "conversations.replies": 50,
    "files.completeUploadExternal": 20,
    "files.getUploadURLExternal": 20,
    "users.info": 100,
    "views.open": 100,
    "views.publish": 100,
    "views.push": 100,
    "views.update": 100,
}
POST_SECONDS = 1.0  # one message a second in a channel
BURST = 3  # calls of one key Slack takes at once before its pace applies (the fake Slack allows as many)
MAX_WAIT_IN_PLACE = 30.0  # Slack seconds: a call whose turn is further off is handed back, not waited for
POSTS = frozenset({"chat_postMessage", "files_upload_v2"})  # each shows a new message in the channel
SDK_NAMES = {"files_upload_v2": "files.completeUploadExternal"}  # slack_sdk helpers → the method Slack counts
HOME_WINDOW = 2.0  # Slack seconds a Home tab waits to be redrawn after a change: a burst redraws it once
SAFETY = 1.02  # pace a little under the limit: calls leave here a moment before Slack counts them


def slack_method(method: str) -> str:
    """slack_sdk's name (`chat_postMessage`) → Slack's (`chat.postMessage`)."""
    return SDK_NAMES.get(method) or method.replace("_", ".", 1)


@dataclass(frozen=True)
class Slot:
    key: str  # what Slack counts on its own: a method, or posting in one channel ("post:C0123")
    spacing: float  # Slack seconds between two calls of the key


def slots(method: str, channel: str | None) -> list[Slot]:
    """The slots one call takes: its method's tier, and for a post its channel's pace."""
    name = slack_method(method)
    taken = [Slot(name, 60.0 / TIERS[name])] if name in TIERS else []
    if method in POSTS and channel:
        taken.append(Slot(f"post:{channel}", POST_SECONDS))
    return taken


def rest_keys(method: str, channel: str | None) -> list[str]:
    """What a 429 to this call rests: a post its channel, anything else its method."""
    if method in POSTS and channel:
        return [f"post:{channel}"]
    return [slack_method(method)]


class Resting(Exception):
    """The call's turn is further off than is worth waiting for here: give the work back for `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"resting for {seconds:.1f}s")
        self.seconds = seconds


class Pacer:
    """Paces the calls of this process (SQLite: one process delivers); `SharedPacer` paces replicas."""

    def __init__(
        self,
        *,
        scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.scale = scale
        self.time_factor = 1 / scale if scale > 0 else 1.0  # Slack seconds → seconds here
        self.monotonic = monotonic
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._resting: dict[str, float] = {}
        self._sent: dict[str, float] = {}  # when this process last made a call of each key

    def seconds(self, slack_seconds: float) -> float:
        return slack_seconds * self.time_factor

    def later(self, told: timedelta) -> timedelta:
        """Slack's Retry-After as time here."""
        return told * self.time_factor

    @property
    def home_window(self) -> float:
        """Seconds a Home tab waits after a change to be redrawn (none when pacing is off)."""
        return self.seconds(HOME_WINDOW) if self.scale > 0 else 0.0

    @property
    def max_wait(self) -> float:
        return self.seconds(MAX_WAIT_IN_PLACE)

    def _spaced(self, method: str, channel: str | None) -> list[tuple[str, float]]:
        if self.scale <= 0:
            return []
        return [(slot.key, self.seconds(slot.spacing) * SAFETY) for slot in slots(method, channel)]

    def turn(self, method: str, channel: str | None) -> float:
        """Seconds to wait before making this call; books its slots unless that is over `max_wait`
        (handed back: booking for it would push every later call further off, and after a long 429
        nothing would go out again)."""
        now = self.monotonic()
        spaced = self._spaced(method, channel)
        keys = [key for key, _ in spaced] + rest_keys(method, channel)
        ready = max([now, *(self._next.get(k, 0.0) for k, _ in spaced), *(self._resting.get(k, 0.0) for k in keys)])
        if ready - now <= self.max_wait:
            for key, spacing in spaced:
                self._next[key] = ready + spacing
        return ready - now

    async def book(self, method: str, channel: str | None) -> float:
        """Book this call's slots; returns when it may be made (on `monotonic`'s clock)."""
        now = self.monotonic()
        return now + self.turn(method, channel)

    async def rest(self, method: str, channel: str | None, slack_seconds: float) -> None:
        """Slack answered 429: keep off what it counts for this call for `slack_seconds`."""
        until = self.monotonic() + self.seconds(slack_seconds)
        for key in rest_keys(method, channel):
            self._resting[key] = max(self._resting.get(key, 0.0), until)

    def _rest_left(self, method: str, channel: str | None) -> float:
        until = max((self._resting.get(key, 0.0) for key in rest_keys(method, channel)), default=0.0)
        return max(0.0, until - self.monotonic())

    async def wait(self, method: str, channel: str | None) -> None:
        """Wait for this call's turn, or raise `Resting` when it is too far off to wait for here. A 429
        answered to another call while this one slept is a rest this one keeps too."""
        while (delay := await self.book(method, channel) - self.monotonic()) > 0:
            if delay > self.max_wait:
                raise Resting(delay)
            await self.sleep(delay)
            if not self._rest_left(method, channel):
                break
        await self._spaced_from_last(method, channel)

    async def _spaced_from_last(self, method: str, channel: str | None) -> None:
        """Keep `spacing` after this process's last call of each key, whatever the slots say: calls whose
        slots passed while the process was held up (a busy event loop wakes them late) would otherwise go
        out together, more at once than Slack's burst."""
        spaced = self._spaced(method, channel)
        while spaced:
            now = self.monotonic()
            early = max(self._sent.get(key, -spacing) + spacing - now for key, spacing in spaced)
            early = max(early, self._rest_left(method, channel))  # a 429 told meanwhile is kept too
            if early <= 0:
                break
            if early > self.max_wait:  # the clock stepped back (the wall clock), or a long rest began
                raise Resting(early)
            await self.sleep(early)
        now = self.monotonic()
        for key, _ in spaced:
            self._sent[key] = now


class SharedPacer(Pacer):
    """Books slots in the database (`services.delivery.pacing`): replicas share one app token, and so
    one budget. Time is the wall clock, which the replicas share."""

    def __init__(self, db: Database, *, scale: float = 1.0, wall: Callable[[], float] = time.time) -> None:
        super().__init__(scale=scale, monotonic=wall)
        self.db = db

    async def book(self, method: str, channel: str | None) -> float:
        spaced = self._spaced(method, channel)
        keys = {key for key, _ in spaced}
        spaced += [(key, 0.0) for key in rest_keys(method, channel) if key not in keys]  # a rest, no spacing
        now = self.monotonic()
        # the slot, not a delay from before the database answered: a slow answer does not push the call
        # later, where it would bunch up with the next one
        return now + await self.db.run(partial(pacing.book, slots=spaced, now=now, max_wait=self.max_wait))

    async def rest(self, method: str, channel: str | None, slack_seconds: float) -> None:
        until = self.monotonic() + self.seconds(slack_seconds)
        await self.db.run(partial(pacing.rest, keys=rest_keys(method, channel), until=until))
        await super().rest(method, channel, slack_seconds)  # this process's calls waiting now keep it too


def make_pacer(db: Database, *, scale: float) -> Pacer:
    """PostgreSQL lets replicas run side by side: they book in the database. SQLite has one process."""
    return SharedPacer(db, scale=scale) if db.sqlite_path() is None else Pacer(scale=scale)
