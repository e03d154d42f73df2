"""`wrench sandbox`: the real bot in a browser, with a local stand-in for Slack (not Slack).

`emulator` answers the bot's Web API calls and keeps what each person would see; `block_kit` holds Slack's
Block Kit rules; `payloads` builds and signs the requests Slack sends; `bot_link` posts them to the bot as
Slack does; `runtime` turns a person's actions into those requests; `ui_api` serves the browser UI's API;
`startup` starts the emulator and the bot together.
"""
