"""`Retry-After` in both of RFC 9110's forms, read by one helper wherever Wrench reads the header: the
outbox's Slack calls, slack_sdk's in-place retry of a 429, and webhook deliveries."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.http_headers import header, retry_after
from bot.slack import web_api
from bot.slack.delivery import TryLater
from tests.unit.test_delivery import ScriptedClient, delivery, slack_answer

NOW = datetime(2026, 10, 21, 7, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta()),
        ("Wed, 21 Oct 2026 07:28:00 GMT", timedelta(minutes=28)),  # IMF-fixdate
        ("Wednesday, 21-Oct-26 07:00:30 GMT", timedelta(seconds=30)),  # obsolete RFC 850 form
        ("Wed Oct 21 07:00:05 2026", timedelta(seconds=5)),  # obsolete asctime form
        ("Wed, 21 Oct 2026 06:00:00 GMT", timedelta()),  # a date in the past: no wait
        ("Thu, 22 Oct 2026 07:00:00 GMT", HOUR),  # capped
        ("99999999999999", HOUR),  # no overflow
        (None, None),
        ("", None),
        ("soon", None),  # garbage: the caller's backoff applies
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("-5", None),
        ("1.5", None),
        ("Wed, 32 Oct 2026 07:28:00 GMT", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value: str | None, expected: timedelta | None) -> None:
    assert retry_after(value, cap=HOUR, now=NOW) == expected


def test_header_is_found_whatever_its_case_and_shape() -> None:
    assert header({"retry-after": ["7"]}, "Retry-After") == "7"  # slack_sdk's retry handlers see lists
    assert header({"Retry-After": "7"}, "retry-after") == "7"
    assert header({}, "Retry-After") is None


async def test_the_outbox_waits_until_the_date_slack_gives() -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    date = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    limited = SlackApiError("", slack_answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": date}))
    api, _ = delivery(ScriptedClient(limited))
    with pytest.raises(TryLater) as later:
        await api.call("chat_update", channel="C1", ts="1.1", text="card")
    assert later.value.retry_after is not None
    assert timedelta(minutes=9) < later.value.retry_after <= timedelta(minutes=10)


async def test_a_429_with_a_date_is_retried_in_place_when_short(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    handler = web_api.RateLimitRetry(max_retry_count=2)
    request = HttpRequest(method="POST", url="https://slack.test/api/views.open", headers={})
    soon = (datetime.now(UTC) + timedelta(seconds=20)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    later = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")

    async def retried(headers: dict[str, Any]) -> bool:
        state = RetryState()
        response = HttpResponse(status_code=429, headers=headers)
        if not await handler.can_retry_async(state=state, request=request, response=response):
            return False
        await handler.prepare_for_next_attempt_async(state=state, request=request, response=response)
        return True

    assert await retried({"retry-after": soon}) and 18 <= slept[-1] <= 20
    assert await retried({"retry-after": "soon"}) and 1 <= slept[-1] <= 2  # unreadable: about a second
    assert await retried({"retry-after": "Wed, 21 Oct 2020 07:28:00 GMT"}) and slept[-1] == 0  # in the past
    assert not await retried({"retry-after": later})  # too long to wait in place: the caller waits it out
    assert not await retried({"retry-after": "600"})
