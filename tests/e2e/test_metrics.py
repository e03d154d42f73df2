"""`/metrics` in Prometheus' text format, read with Prometheus' own parser after real traffic: HTTP
requests and latency, Slack Web API calls and errors by method, open work orders by status and team,
scheduler job durations, webhook deliveries and queues."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from blocks.ids import Action
from tests.conftest import FrozenClock
from tests.e2e.flow import click_card, file_request
from tests.e2e.test_webhooks import with_webhook
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import TECH_1
from tests.support.receiver import Receiver


@pytest.fixture
async def hooked(database_url: str, fake_slack: FakeSlack, clock: FrozenClock) -> AsyncIterator[BotClient]:
    receiver = Receiver(answers=[500])
    await receiver.start()
    async with started_bot(database_url, fake_slack, with_webhook(receiver.url), clock=clock) as client:
        client.receiver = receiver  # type: ignore[attr-defined]
        yield client
    await receiver.stop()


async def scrape(bot: BotClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with bot.http.get(f"{bot.url}/metrics") as response:
        assert response.status == 200 and response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_what_happened(hooked: BotClient) -> None:
    receiver: Receiver = hooked.receiver  # type: ignore[attr-defined]
    card = await file_request(hooked, title="Leak")
    await click_card(hooked, card, Action.CLAIM, user_id=TECH_1)
    await receiver.wait_for(3)
    await hooked.settled()  # the claim's redraw is out
    updates = len(hooked.fake.find("chat.update"))
    hooked.fake.fail("chat.update", "message_not_found")  # the card was deleted in Slack
    await click_card(hooked, card, Action.START, user_id=TECH_1)
    await hooked.fake.wait_calls("chat.update", updates + 1)
    retried = ("wrench_webhook_deliveries_total", (("outcome", "retry"), ("webhook", "erp")))
    delivered = ("wrench_webhook_deliveries_total", (("outcome", "delivered"), ("webhook", "erp")))
    job = ("wrench_scheduler_job_duration_seconds_count", (("job", "check_sla"),))
    for _ in range(500):  # the scheduler's first round and each delivery are measured after they end
        seen = await scrape(hooked)
        if seen.get(job) and seen.get(retried) and seen.get(delivered, 0) >= 2:
            break
        await asyncio.sleep(0.01)
    events = ("wrench_http_requests_total", (("method", "POST"), ("route", "/slack/events"), ("status", "200")))
    assert seen[events] >= 3
    assert seen[("wrench_http_request_duration_seconds_count", (("method", "POST"), ("route", "/slack/events")))] >= 3
    assert seen[("wrench_slack_api_calls_total", (("method", "chat.postMessage"),))] >= 1
    assert seen[("wrench_slack_api_calls_total", (("method", "chat.update"),))] >= 1
    failed_update = (("error", "message_not_found"), ("method", "chat.update"))
    assert seen[("wrench_slack_api_errors_total", failed_update)] >= 1
    assert seen[("wrench_open_work_orders", (("status", "in_progress"), ("team", "facilities")))] == 1
    assert seen[retried] == 1
    assert seen[delivered] >= 2
    assert seen[("wrench_webhook_queue", (("state", "failing"), ("webhook", "erp")))] == 1
    assert seen[("wrench_slack_work_in_flight", ())] >= 0  # served by the running process (0 once all is done)
