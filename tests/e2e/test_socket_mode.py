"""Socket Mode: the same app, reached over a WebSocket instead of signed HTTP."""

import aiohttp
import pytest

from bot.config import Mode
from bot.server import StartupError, running
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import request_values
from tests.support import slack_requests as sr
from tests.support.bot import settings_for
from tests.support.fake_slack import APP_TOKEN, FakeSlack
from tests.support.org import STAFF, TEAM_CHANNEL


async def test_request_filed_over_socket_mode(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    settings = settings_for(database_url, fake_slack, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    async with running(settings, org, mode=Mode.SOCKET, clock=clock) as bot:
        command = sr.slash_command_fields(
            "/request", "leaking pipe", user_id=STAFF, response_url=fake_slack.response_url("s")
        )
        assert await fake_slack.send_envelope("slash_commands", command) is None
        view = (await fake_slack.wait_calls("views.open"))[0].params["view"]

        rejected = sr.view_submission_payload(view, request_values(title=" "), user_id=STAFF)
        assert await fake_slack.send_envelope("interactive", rejected) == {
            "response_action": "errors",
            "errors": {"title": "This is required."},
        }
        accepted = sr.view_submission_payload(view, request_values(), user_id=STAFF)
        assert await fake_slack.send_envelope("interactive", accepted) is None
        card = (await fake_slack.wait_calls("chat.postMessage", channel=TEAM_CHANNEL))[0]
        assert card.params["text"].startswith("WO-1 Leaking pipe in 204")

        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as health:
                assert health.status == 200
            async with http.post(f"http://127.0.0.1:{bot.port}/slack/events", data=b"{}") as events:
                assert events.status in (404, 405)  # no signing secret in Socket Mode: nothing to verify with


async def test_a_refused_app_token_stops_startup(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    settings = settings_for(database_url, fake_slack, slack_app_token="xapp-1-revoked", slack_signing_secret=None)
    with pytest.raises(StartupError, match=r"^SLACK_APP_TOKEN: Slack refused it \(invalid_auth\)$"):
        async with running(settings, org, mode=Mode.SOCKET, clock=clock):
            pass
