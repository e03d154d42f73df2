"""What `/metrics` shows, in Prometheus' text format: HTTP traffic, Slack Web API calls, scheduler jobs,
webhook deliveries, and (read at scrape time) open work orders and webhook queues.

Every process has its own registry, so tests can run several in one interpreter.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.web_api import slack_error

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "wrench_http_requests", "HTTP requests served", ["method", "route", "status"], registry=r
        )
        self.http_seconds = Histogram(
            "wrench_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"], registry=r
        )
        self.slack_calls = Counter("wrench_slack_api_calls", "Slack Web API calls made", ["method"], registry=r)
        self.slack_errors = Counter(
            "wrench_slack_api_errors", "Slack Web API calls that failed", ["method", "error"], registry=r
        )
        self.job_seconds = Histogram(
            "wrench_scheduler_job_duration_seconds", "Time a scheduler job took", ["job"], registry=r
        )
        self.job_failures = Counter("wrench_scheduler_job_failures", "Scheduler jobs that raised", ["job"], registry=r)
        self.webhook_deliveries = Counter(
            "wrench_webhook_deliveries", "Webhook sends by outcome", ["webhook", "outcome"], registry=r
        )
        self.webhook_seconds = Histogram(
            "wrench_webhook_delivery_duration_seconds",
            "Time a webhook receiver took to answer",
            ["webhook"],
            registry=r,
        )
        self.open_work_orders = Gauge(
            "wrench_open_work_orders",
            "Work orders not yet completed, by status and team",
            ["status", "team"],
            registry=r,
        )
        self.webhook_queue = Gauge(
            "wrench_webhook_queue", "Webhook deliveries by state", ["webhook", "state"], registry=r
        )
        self.mail_sent = Counter(
            "wrench_mail_sends",
            "Emails handed to the SMTP server, by outcome (sent, retry, failed)",
            ["outcome"],
            registry=r,
        )
        self.mail_queue = Gauge(
            "wrench_mail_queue", "Emails queued: pending, failing (of those), failed", ["state"], registry=r
        )
        self.outbox_deliveries = Counter(
            "wrench_slack_outbox_deliveries",
            "Slack outbox entries tried, by notice and outcome (delivered, retry, gave_up)",
            ["kind", "outcome"],
            registry=r,
        )
        self.outbox_queue = Gauge(
            "wrench_slack_outbox",
            "Slack outbox entries: pending, retrying (of those), gave_up (kept 7 days)",
            ["state"],
            registry=r,
        )

    def count_work_in_flight(self, count: Callable[[], int]) -> None:
        """Read at scrape time: Slack requests acknowledged whose work is still running or waiting for its
        turn (a burst is acknowledged first and carried out just after)."""
        Gauge(
            "wrench_slack_work_in_flight",
            "Slack requests acknowledged whose work is not done yet",
            registry=self.registry,
        ).set_function(lambda: float(count()))

    def job_done(self, job: str, seconds: float, failed: bool) -> None:
        self.job_seconds.labels(job).observe(seconds)
        if failed:
            self.job_failures.labels(job).inc()

    def middleware(self) -> Any:
        @web.middleware
        async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            started = time.perf_counter()
            status = 500
            try:
                response = await handler(request)
                status = response.status
                return response
            except web.HTTPException as error:
                status = error.status
                raise
            finally:
                self.http_requests.labels(request.method, route, str(status)).inc()
                self.http_seconds.labels(request.method, route).observe(time.perf_counter() - started)

        return measure

    def render(self) -> web.Response:
        response = web.Response(body=generate_latest(self.registry))
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response


class MeteredWebClient(AsyncWebClient):
    """The Web API client, counting every call and every error by method (Bolt's calls included)."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:
        self.metrics.slack_calls.labels(api_method).inc()
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            self.metrics.slack_errors.labels(api_method, slack_error(error)).inc()
            raise
        except Exception as error:
            self.metrics.slack_errors.labels(api_method, type(error).__name__).inc()
            raise
