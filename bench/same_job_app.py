"""The second yardstick for bench/ack.py: a minimal slack-bolt AsyncApp doing the job Wrench does after the
ack, against the same fake Slack, served the way Wrench serves `/slack/events`.

    python -m bench.same_job_app PORT SLACK_API_URL     (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN from the environment)

`/request`: ack, then `views.open` of a one-field modal (callback_id `same_job_request`). Claim: ack,
then one `chat.update` of the clicked message, the part of a claim Slack sees; no database (Wrench's
claim is a transaction and three notices: the Claim target is against the ack-only app, bench/bare_app.py,
and this line is shown for reference). bolt runs each listener in a task of its own and keeps no bound on
them, as most bolt apps do.
"""

import os
import sys
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_app import served
from blocks.ids import Action, Command

CALLBACK_ID = "same_job_request"
MODAL = {
    "type": "modal",
    "callback_id": CALLBACK_ID,
    "title": {"type": "plain_text", "text": "New request"},
    "submit": {"type": "plain_text", "text": "Submit"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "What is wrong?"},
            "element": {"type": "plain_text_input", "action_id": "title"},
        }
    ],
}


def build(api_url: str) -> web.Application:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url)
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=False)

    async def request(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=command["trigger_id"], view=MODAL)

    async def claim(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        text = f"Claimed by <@{body['user']['id']}>"
        await client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=text,
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        )

    app.command(Command.REQUEST)(request)
    app.action(Action.CLAIM)(claim)
    return served(app)


if __name__ == "__main__":
    web.run_app(build(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
