"""The process: prepare the database, check the token, serve HTTP (and Socket Mode), shut down cleanly."""

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.ext.asyncio import AsyncSession

from blocks import digest as digest_blocks
from bot import api, contractor, portal
from bot.api.webhook_worker import WebhookWorker
from bot.app import build_app
from bot.calendar_feed import add_calendar_feeds
from bot.config import CoreSettings, Mode, Settings
from bot.deps import Deps, utcnow
from bot.mail.intake import MailIntake
from bot.mail.worker import MailWorker
from bot.metrics import MeteredWebClient, Metrics
from bot.pages import add_base_stylesheet
from bot.slack import receiver
from bot.slack.notifier import SlackNotifier, deliver_digest
from bot.slack.outbox_worker import OutboxWorker
from bot.slack.pacing import make_pacer
from bot.slack.web_api import RateLimitRetry, SlackApi, sdk_logger, slack_error
from handlers.guard import InFlight
from models import migrate
from models.db import Database
from models.enums import Status
from scheduler.setup import Scheduler, build_scheduler
from services.delivery import outbox, webhooks
from services.mail import queue as mail
from services.organisation.org import Organisation
from services.ports import Clock
from services.reporting import digest, records

log = logging.getLogger("wrench")
SHUTDOWN_SECONDS = 10.0  # on SIGTERM: for listeners still running after their ack, then for the outbox


class StartupError(RuntimeError):
    """Start-up cannot go on; the message is one line for the operator."""


@dataclass(frozen=True)
class Running:
    port: int
    deps: Deps
    app: AsyncApp
    scheduler: Scheduler | None = None
    listeners: InFlight | None = None  # listeners still at work after their ack


def create_web_app(
    deps: Deps, bolt_app: AsyncApp | None, metrics: Metrics | None = None, *, signing_secret: str = ""
) -> web.Application:
    """`/healthz`, `/metrics`, the REST API and calendar feeds always; the web portal when enabled;
    `/slack/events` only in HTTP mode (Socket Mode has no signing secret)."""
    metrics = metrics or Metrics()

    async def healthz(_: web.Request) -> web.Response:
        healthy = await deps.db.ping()
        return web.json_response(
            {"status": "ok" if healthy else "database unavailable"}, status=200 if healthy else 503
        )

    async def metrics_page(_: web.Request) -> web.Response:
        await _read_gauges(deps, metrics)
        return metrics.render()

    web_app = web.Application(middlewares=[metrics.middleware()])
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_page)
    web_app.add_subapp(api.PREFIX, api.build_api(deps))
    add_base_stylesheet(web_app, portal.PREFIX, contractor.PREFIX)
    portal.add_portal(web_app, deps)
    contractor.add_contractor_page(web_app, deps)
    add_calendar_feeds(web_app, deps)
    if bolt_app is not None:
        web_app.router.add_post("/slack/events", receiver.endpoint(bolt_app, signing_secret))
    return web_app


async def _read_gauges(deps: Deps, metrics: Metrics) -> None:
    """The gauges that are database state, read when Prometheus scrapes."""

    async def read(
        session: AsyncSession,
    ) -> tuple[list[tuple[Status, str, int]], list[webhooks.WebhookStatus], outbox.OutboxStatus, mail.MailStatus]:
        counts = await records.open_counts(session)
        webhook_queues = await webhooks.status(session, deps.org.webhooks)
        return counts, webhook_queues, await outbox.status(session), await mail.status(session)

    counts, queues, slack_queue, mail_queue = await deps.db.run(read)
    metrics.open_work_orders.clear()
    for status, team, count in counts:
        metrics.open_work_orders.labels(status.value, team).set(count)
    for queue in queues:
        for state, value in (("pending", queue.pending), ("failing", queue.failing), ("failed", queue.failed)):
            metrics.webhook_queue.labels(queue.name, state).set(value)
    metrics.outbox_queue.labels("pending").set(slack_queue.pending)
    metrics.outbox_queue.labels("retrying").set(slack_queue.retrying)
    metrics.outbox_queue.labels("gave_up").set(slack_queue.gave_up)
    for state, value in (
        ("pending", mail_queue.pending),
        ("failing", mail_queue.failing),
        ("failed", mail_queue.failed),
    ):
        metrics.mail_queue.labels(state).set(value)


async def prepare_database(db: Database) -> None:
    """SQLite is migrated in place; a shared PostgreSQL must be migrated on purpose (`wrench db upgrade`)."""
    sqlite_file = db.sqlite_path()
    if sqlite_file is not None and not sqlite_file.parent.is_dir():
        # checked here: aiosqlite's worker thread outlives a failed connect and prints a traceback at exit
        raise StartupError(f"DATABASE_URL: folder {sqlite_file.parent} does not exist")
    try:
        if db.backend == "sqlite":
            await migrate.upgrade(db.engine)
            return
        current = await migrate.current_revision(db.engine)
    except Exception as error:  # unreadable file, connection refused, unknown database, bad password...
        reason = getattr(error, "orig", None) or error  # the driver's own words, without SQLAlchemy's footer
        raise StartupError(f"DATABASE_URL: cannot use the database ({type(reason).__name__}: {reason})") from None
    head = migrate.head_revision()
    if current != head:
        raise StartupError(
            f"DATABASE_URL: schema is at {current or 'nothing'}, code needs {head}: run `wrench db upgrade`"
        )


def make_client(settings: Settings, session: aiohttp.ClientSession, metrics: Metrics | None = None) -> AsyncWebClient:
    client = MeteredWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        session=session,
        metrics=metrics or Metrics(),
        logger=sdk_logger(),
    )
    client.retry_handlers.append(RateLimitRetry(max_retry_count=2))
    return client


async def check_token(client: AsyncWebClient) -> AsyncSlackResponse:
    try:
        identity = await client.auth_test()
    except SlackApiError as error:
        raise StartupError(f"SLACK_BOT_TOKEN: Slack refused it ({slack_error(error)})") from None
    except aiohttp.ClientError as error:
        raise StartupError(f"SLACK_API_URL: cannot reach {client.base_url} ({error})") from None
    log.info("connected to Slack as %s in %s", identity.get("user"), identity.get("team"))
    return identity


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise StartupError(f"PORT: cannot listen on {host}:{port} ({error.strerror})") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def running(
    settings: Settings, org: Organisation, *, mode: Mode | None, clock: Clock = utcnow, scheduler_on: bool = True
) -> AsyncIterator[Running]:
    """Everything a Wrench process runs, started in order and stopped in reverse.

    `mode` None serves no Slack listeners (the `wrench scheduler` process: jobs and `/healthz` only).
    """
    db = Database(settings.database_url)
    http = aiohttp.ClientSession()
    runner: web.AppRunner | None = None
    socket_mode: AsyncSocketModeHandler | None = None
    scheduler = None
    worker: WebhookWorker | None = None
    mailer: MailWorker | None = None
    intake: MailIntake | None = None
    deliveries: OutboxWorker | None = None
    listeners = InFlight()
    metrics = Metrics()
    metrics.count_work_in_flight(listeners.count)
    try:
        await prepare_database(db)
        client = make_client(settings, http, metrics)
        identity = await check_token(client)
        notifier = SlackNotifier(SlackApi(client, http), db, org, clock)
        deps = Deps(org=org, db=db, notifier=notifier, clock=clock)
        pacer = make_pacer(db, scale=settings.wrench_slack_rate_scale)
        deliveries = OutboxWorker(db, org, client, http, clock=clock, wall=utcnow, metrics=metrics, pacer=pacer)
        deliveries.start()  # what an earlier run left undelivered goes out now
        app = build_app(settings, deps, client, listeners, identity=identity)
        sock = bind(settings.wrench_host, settings.port)
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        web_app = create_web_app(deps, app if mode is Mode.HTTP else None, metrics, signing_secret=secret)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        port = sock.getsockname()[1]
        if mode is Mode.SOCKET:
            socket_mode = await _connect_socket_mode(app, settings)
        if scheduler_on:
            scheduler = build_scheduler(deps, tick_seconds=settings.wrench_tick_seconds, on_job_done=metrics.job_done)
            scheduler.start()
            try:
                worker = WebhookWorker(db, org, clock, http, metrics)
            except ValueError as error:  # a webhook's secret_env is not set
                raise StartupError(str(error)) from None
            worker.start()
            if org.smtp is not None:
                mailer = MailWorker(db, org.smtp, clock, metrics)
                mailer.start()
            if org.email is not None:
                intake = MailIntake(db, org, clock, metrics)
                intake.start()
        role = f"{mode.value} mode" if mode else "scheduler only"
        jobs = f", jobs every {settings.wrench_tick_seconds}s" if scheduler_on else ", no scheduler"
        log.info("wrench is up: %s%s, http on %s:%s", role, jobs, settings.wrench_host, port)
        yield Running(port=port, deps=deps, app=app, scheduler=scheduler, listeners=listeners)
    finally:
        # stop taking work, let what was acknowledged finish, deliver what it can, then close
        if socket_mode is not None:
            await socket_mode.close_async()  # type: ignore[no-untyped-call]  # slack_bolt leaves it unannotated
        if runner is not None:
            await runner.cleanup()
        if await listeners.settle(SHUTDOWN_SECONDS):
            log.info("shutting down: waited for listeners still at work")
        if scheduler is not None:
            await scheduler.stop()
        if deliveries is not None:
            await deliveries.stop(flush_seconds=SHUTDOWN_SECONDS)
        if worker is not None:
            await worker.stop()
        if intake is not None:
            await intake.stop()
        if mailer is not None:
            await mailer.stop()
        await http.close()
        await db.dispose()


async def _connect_socket_mode(app: AsyncApp, settings: Settings) -> AsyncSocketModeHandler:
    """Check the app token (the client would otherwise retry a refused one forever), then connect."""
    assert settings.slack_app_token is not None
    app_token = settings.slack_app_token.get_secret_value()
    try:
        opened = await app.client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        raise StartupError(f"SLACK_APP_TOKEN: Slack refused it ({slack_error(error)})") from None
    handler = AsyncSocketModeHandler(app, app_token)
    handler.client.wss_uri = opened["url"]  # use the URL just issued instead of asking again
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler


async def post_digest(settings: CoreSettings, org: Organisation, team: str, *, dry_run: bool) -> str:
    """`wrench digest`: build a team's digest now; post it unless `dry_run`. Returns what to print."""
    db = Database(settings.database_url)
    try:
        await prepare_database(db)
        now = utcnow()
        async with db.unit_of_work() as session:
            data = await digest.build(session, org=org, team=team, now=now)
        channel = next((d.channel for d in org.digests if d.team == team and d.channel), org.team(team).channel)
        if dry_run:
            what = "the digest" if data.quiet else "the digest and its chart image"
            text = digest_blocks.as_text(digest_blocks.digest(data))
            return f"{text}\n(dry run: nothing posted; {what} would go to {channel})"
        chart = await db.run(partial(digest.chart_or_none, org=org, team=team, now=now))
        assert isinstance(settings, Settings)
        async with aiohttp.ClientSession() as http:
            client = make_client(settings, http)
            await check_token(client)
            posted = await deliver_digest(SlackApi(client, http), channel, data, chart)
        if posted is None:
            raise StartupError(f"could not post the digest to {channel}; see the log line above")
        return f"posted the {org.team(team).name} digest to {channel}"
    finally:
        await db.dispose()
