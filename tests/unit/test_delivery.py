"""How the outbox worker talks to Slack, without a network: the per-channel pace, the rest after a 429,
calls made once per entry (a retry returns what Slack answered the first time), and Slack's answers sorted
into done, try again later, and given up for good."""

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.delivery import DeliveryApi, HandBack, TryLater
from bot.slack.pacing import SAFETY, Pacer, Resting


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_messages_to_one_channel_are_a_second_apart_and_other_channels_do_not_wait() -> None:
    ticks = Ticks()
    pacer = Pacer(monotonic=ticks)
    assert [pacer.turn("chat_postMessage", "C1") for _ in range(3)] == pytest.approx([0.0, 1.02, 2.04])
    assert pacer.turn("chat_postMessage", "C2") == 0.0
    ticks.now += 5
    assert pacer.turn("chat_postMessage", "C1") == 0.0


def test_every_method_is_paced_to_its_tier_across_channels() -> None:
    """chat.update is Tier 3 (50 a minute), views.publish Tier 4 (100 a minute): for the workspace, not
    per channel or person; an edit does not wait for the channel's posts."""
    pacer = Pacer(monotonic=Ticks())
    assert pacer.turn("chat_postMessage", "C1") == 0.0
    assert [pacer.turn("chat_update", c) for c in ("C1", "C2")] == pytest.approx([0.0, 1.2 * SAFETY])
    assert [pacer.turn("views_publish", u) for u in ("U1", "U2")] == pytest.approx([0.0, 0.6 * SAFETY])
    assert pacer.turn("chat_postMessage", "D1") == 0.0  # a DM is a channel of its own


def test_scale_runs_slacks_clock_faster() -> None:
    pacer = Pacer(scale=10, monotonic=Ticks())
    assert [pacer.turn("chat_postMessage", "C1") for _ in range(2)] == pytest.approx([0.0, 0.1 * SAFETY])
    assert pacer.later(timedelta(seconds=45)) == timedelta(seconds=4.5)


def test_a_429_rests_the_method_in_that_channel_for_retry_after() -> None:
    ticks = Ticks()
    pacer = Pacer(scale=0, monotonic=ticks)
    asyncio.run(pacer.rest("chat_postMessage", "C1", 7))
    assert pacer.turn("chat_postMessage", "C1") == 7.0
    assert pacer.turn("chat_postMessage", "C2") == 0.0
    asyncio.run(pacer.rest("views_publish", "U1", 3))  # not a post: the whole method rests
    assert pacer.turn("views_publish", "U2") == 3.0


async def test_a_long_rest_gives_the_entry_back_instead_of_sleeping() -> None:
    pacer = Pacer(scale=0, monotonic=Ticks())
    await pacer.rest("chat_update", None, 120)
    with pytest.raises(Resting) as later:
        await pacer.wait("chat_update", "C1")
    assert later.value.seconds == 120


async def post_all(pacer: Pacer, ticks: Ticks, entries: int, *, until: float) -> list[float]:
    """The outbox in miniature: each entry tries to post in channel C1 when it is due; one handed back
    (`Resting`) is due again when the pacer said. Sleeping moves the clock. Returns when each posted."""
    due = dict.fromkeys(range(entries), ticks.now)
    posted: list[float] = []
    while due and ticks.now < until:
        entry = min(due, key=lambda e: (due[e], e))
        ticks.now = max(ticks.now, due[entry])
        try:
            await pacer.wait("chat_postMessage", "C1")
        except Resting as later:
            due[entry] = ticks.now + later.seconds
            continue
        posted.append(ticks.now)
        del due[entry]
    return posted


async def test_a_long_429_over_many_waiting_posts_does_not_stop_the_channel_for_good() -> None:
    """45 posts wait on one channel when Slack says 429 with Retry-After 45 s: those handed back book no
    slot, so when the rest is over they go out a second apart (booking them pushed the channel's next
    slot away faster than time went by, and nothing was sent again)."""
    ticks = Ticks()

    async def sleep(seconds: float) -> None:
        ticks.now += seconds

    pacer = Pacer(monotonic=ticks, sleep=sleep)
    start = ticks.now
    await pacer.rest("chat_postMessage", "C1", 45)
    posted = await post_all(pacer, ticks, 45, until=start + 2 * 3600)
    assert len(posted) == 45
    assert posted[0] == start + 45 and posted[-1] <= start + 45 + 45 * SAFETY + 0.01
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(posted))


async def test_a_429_answered_while_a_post_waits_for_its_slot_is_kept_by_it_too() -> None:
    ticks = Ticks()
    pacer: Pacer

    async def sleep(seconds: float) -> None:
        ticks.now += seconds
        if 101.0 <= ticks.now < 101.1:  # while this post waited for its slot, another call was told 429, 10 s
            await pacer.rest("chat_postMessage", "C1", 10)

    pacer = Pacer(monotonic=ticks, sleep=sleep)
    assert pacer.turn("chat_postMessage", "C1") == 0.0  # the channel's slot now is taken
    await pacer.wait("chat_postMessage", "C1")
    assert ticks.now == pytest.approx(111.02)  # not at 101, in the middle of the rest


async def test_calls_whose_slots_passed_while_the_process_was_held_up_still_go_out_a_slot_apart() -> None:
    """Posts booked a second apart; the event loop is held up for 5 s during the second one's wait, so the
    slots of the next ones pass meanwhile. They must not then go out at once (more than Slack's burst):
    each keeps its spacing from the call made before it."""
    ticks, held_up = Ticks(), [5.0]

    async def sleep(seconds: float) -> None:
        ticks.now += seconds + (held_up.pop() if held_up else 0.0)

    pacer = Pacer(monotonic=ticks, sleep=sleep)
    made = []
    for _ in range(4):
        await pacer.wait("chat_postMessage", "C1")
        made.append(ticks.now)
    assert made == pytest.approx([100.0, 106.02, 107.04, 108.06])  # not 106.02 three times


async def test_a_429_told_while_a_call_waits_for_its_spacing_is_kept_by_it() -> None:
    ticks = Ticks()
    pacer: Pacer

    async def sleep(seconds: float) -> None:
        ticks.now += seconds
        if 101.0 <= ticks.now < 101.1:  # while this call kept its spacing, another one was told 429, 10 s
            await pacer.rest("chat_postMessage", "C1", 10)

    pacer = Pacer(monotonic=ticks, sleep=sleep)
    await pacer.wait("chat_postMessage", "C1")  # made at 100
    pacer._next.clear()  # its slot forgotten: only the spacing from the call made holds the next one back
    await pacer.wait("chat_postMessage", "C1")
    assert ticks.now == pytest.approx(111.02)  # after the rest, not at 101.02 in the middle of it


def slack_answer(status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> AsyncSlackResponse:
    return AsyncSlackResponse(
        client=None,  # type: ignore[arg-type]
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data=data,
        headers=headers or {},
        status_code=status,
    )


class ScriptedClient:
    """Answers each call with the next scripted answer (a dict, or an exception to raise)."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Any:
        async def call(**kwargs: Any) -> Any:
            self.calls.append((method, kwargs))
            answer = self.answers.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return call


def delivery(client: ScriptedClient, steps: dict[str, Any] | None = None) -> tuple[DeliveryApi, list[dict[str, Any]]]:
    saved: list[dict[str, Any]] = []

    async def save(steps: dict[str, Any]) -> None:
        saved.append(dict(steps))

    api = DeliveryApi(client, None, steps=steps or {}, save=save, pacer=Pacer(scale=0))  # type: ignore[arg-type]
    return api, saved


async def test_a_call_already_made_is_not_made_again_on_the_next_try() -> None:
    client = ScriptedClient({"ok": True, "channel": "C1", "ts": "1.1"}, {"ok": True, "channel": "C1", "ts": "1.2"})
    api, saved = delivery(client)
    first = await api.post("C1", "card")
    await api.post("C1", "line", thread_ts="1.1")
    assert first == {"channel": "C1", "ts": "1.1"} and len(saved) == 1  # the card, saved before the line
    assert api.unsaved  # the line: saved by the next call, or by whatever ends this try
    await api.save_made()
    assert len(saved) == 2 and not api.unsaved
    again = ScriptedClient({"ok": True, "channel": "C1", "ts": "1.3"})
    api, _ = delivery(again, steps=saved[-1])  # the entry is tried again (a later call failed, say)
    assert await api.post("C1", "card") == {"channel": "C1", "ts": "1.1"}  # Slack's first answer
    assert await api.post("C1", "line", thread_ts="1.1") == {"channel": "C1", "ts": "1.2"}
    assert await api.post("C1", "line", thread_ts="1.1") == {"channel": "C1", "ts": "1.3"}  # a third, new call
    assert [method for method, _ in again.calls] == ["chat_postMessage"]


async def test_a_card_update_is_not_saved_on_its_own_since_making_it_again_shows_the_same_card() -> None:
    client = ScriptedClient({"ok": True}, {"ok": True, "channel": "C1", "ts": "1.2"})
    api, saved = delivery(client)
    await api.call("chat_update", channel="C1", ts="1.1", text="card")
    assert saved == []  # a try cut short here updates the card again: no transaction spent on it
    await api.post("C1", "line", thread_ts="1.1")  # a post must never be made twice: saved, with the update
    assert saved == [] and api.unsaved  # before the next call, or with whatever ends the try
    await api.save_made()
    line = {"channel": "C1", "ts": "1.2"}
    assert saved == [{"chat_update:C1:1.1#1": {"ok": True}, "chat_postMessage:C1:1.1#1": line}]


async def test_the_last_call_is_saved_before_a_read_that_follows_it() -> None:
    client = ScriptedClient({"ok": True, "channel": "C1", "ts": "1.2"}, {"ok": True, "permalink": "https://x/p1"})
    api, saved = delivery(client)
    await api.post("C1", "line", thread_ts="1.1")
    await api.call("chat_getPermalink", channel="C1", message_ts="1.1")
    assert saved == [{"chat_postMessage:C1:1.1#1": {"channel": "C1", "ts": "1.2"}}] and not api.unsaved


@pytest.mark.parametrize(
    ("error", "retry_after"),
    [
        (SlackApiError("", slack_answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "9"})), 9),
        (SlackApiError("", slack_answer(503, {"ok": False, "error": "service_unavailable"})), None),
        (SlackApiError("", slack_answer(200, {"ok": False, "error": "invalid_auth"})), None),
        (aiohttp.ServerDisconnectedError(), None),
        (TimeoutError(), None),
    ],
)
async def test_what_slack_refuses_for_now_is_tried_later(error: Exception, retry_after: int | None) -> None:
    api, saved = delivery(ScriptedClient(error))
    with pytest.raises(TryLater) as later:
        await api.call("chat_update", channel="C1", ts="1.1", text="card")
    assert later.value.retry_after == (timedelta(seconds=retry_after) if retry_after else None)
    assert saved == [] and api.failures == []


async def test_what_slack_refuses_for_good_is_given_up_and_the_rest_goes_on() -> None:
    gone = SlackApiError("", slack_answer(200, {"ok": False, "error": "channel_not_found"}))
    client = ScriptedClient(gone, {"ok": True, "channel": "U1", "ts": "2.1"})
    api, saved = delivery(client)
    assert await api.post("C404", "card") is None
    assert await api.post("U1", "dm") == {"channel": "U1", "ts": "2.1"}
    assert api.failures == [{"call": "chat_postMessage:C404:#1", "error": "channel_not_found"}]
    assert saved[-1]["chat_postMessage:C404:#1"] == {"refused": "channel_not_found"}  # not asked again
    again, _ = delivery(ScriptedClient(), steps=saved[-1])  # a later try (another call failed for now)
    assert await again.post("C404", "card") is None
    assert again.failures == api.failures  # and the refusal is still reported when the entry is done


async def test_reads_are_not_recorded_and_a_failed_read_is_no_reason_to_wait() -> None:
    refused = SlackApiError("", slack_answer(200, {"ok": False, "error": "message_not_found"}))
    api, saved = delivery(ScriptedClient({"ok": True, "permalink": "https://x/p1"}, refused))
    assert await api.permalink("C1", "1.1") == "https://x/p1"
    assert await api.permalink("C1", "1.2") is None
    assert saved == [] and api.failures == []


async def test_a_stopping_worker_hands_the_entry_back_before_its_next_call() -> None:
    client = ScriptedClient({"ok": True, "channel": "C1", "ts": "1.1"})
    api, saved = delivery(client)
    await api.post("C1", "card")
    await api.save_made()
    stopping = DeliveryApi(client, None, steps=saved[-1], save=api.save, pacer=api.pacer, stop=lambda: True)  # type: ignore[arg-type]
    assert await stopping.post("C1", "card") == {"channel": "C1", "ts": "1.1"}  # made already: no call needed
    with pytest.raises(HandBack):
        await stopping.post("C1", "line", thread_ts="1.1")
    assert len(client.calls) == 1


async def test_a_worker_stopping_after_a_call_saves_it_before_handing_back() -> None:
    client = ScriptedClient({"ok": True, "channel": "C1", "ts": "1.1"})
    stopping = False
    saved: list[dict[str, Any]] = []

    async def save(steps: dict[str, Any]) -> None:
        saved.append(dict(steps))

    api = DeliveryApi(client, None, steps={}, save=save, pacer=Pacer(scale=0), stop=lambda: stopping)  # type: ignore[arg-type]
    await api.post("C1", "card")
    stopping = True
    with pytest.raises(HandBack):
        await api.post("C1", "line", thread_ts="1.1")
    assert saved == [{"chat_postMessage:C1:#1": {"channel": "C1", "ts": "1.1"}}]
