"""Reading a file's bytes from Slack: the bot token goes to Slack's hosts (or the API's own) and nowhere else,
redirects included, and a file larger than asked for is not read whole."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.file_download import download, trusted
from bot.slack.web_api import SlackApi


def test_the_token_goes_to_slack_or_to_the_api_itself() -> None:
    slack = "https://slack.com/api/"
    assert trusted("https://files.slack.com/files-pri/T1-F1/leak.jpg", slack)
    assert not trusted("http://files.slack.com/files-pri/T1-F1/leak.jpg", slack)  # not over plain http
    assert not trusted("https://files.slack.com.evil.example/x.jpg", slack)
    assert not trusted("https://evil.example/slack.com/x.jpg", slack)
    emulator = "http://127.0.0.1:8123/api/"
    assert trusted("http://127.0.0.1:8123/files/F1/leak.jpg", emulator)
    assert not trusted("http://127.0.0.1:8124/files/F1/leak.jpg", emulator)
    assert not trusted("https://files.slack.com/files-pri/T1-F1/leak.jpg", emulator)  # the sandbox's token


class Servers:
    """Slack's stand-in (files.info, the file, a redirect elsewhere) and another host that logs who came."""

    def __init__(self) -> None:
        self.elsewhere_heard: list[str] = []
        self.file_url = ""  # the file on Slack's stand-in
        self.elsewhere = ""  # the other host's address

    def slack(self) -> web.Application:
        async def files_info(request: web.Request) -> web.Response:
            named = request.query.get("file") or (await request.post()).get("file")
            urls = {"F1": self.file_url, "F2": self.file_url.replace("/file", "/redirect"), "F3": self.file_url}
            size = 10_000_000 if named == "F3" else 4
            return web.json_response({"ok": True, "file": {"id": named, "size": size, "url_private": urls[str(named)]}})

        async def file(request: web.Request) -> web.Response:
            assert request.headers["Authorization"] == "Bearer xoxb-test"
            return web.Response(body=b"\xff\xd8\xff\x00", content_type="image/jpeg")

        async def redirect(_: web.Request) -> web.Response:
            raise web.HTTPFound(self.elsewhere + "/stolen")

        app = web.Application()
        app.router.add_route("*", "/api/files.info", files_info)
        app.router.add_get("/file", file)
        app.router.add_get("/redirect", redirect)
        return app

    def other(self) -> web.Application:
        async def stolen(request: web.Request) -> web.Response:
            self.elsewhere_heard.append(request.headers.get("Authorization", ""))
            return web.Response(body=b"data", content_type="image/jpeg")

        app = web.Application()
        app.router.add_get("/stolen", stolen)
        return app


async def serve(app: web.Application, host: str) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def api_and_servers() -> AsyncIterator[tuple[SlackApi, Servers]]:
    servers = Servers()
    slack_runner, slack_url = await serve(servers.slack(), "127.0.0.1")
    other_runner, other_url = await serve(servers.other(), "localhost")
    servers.file_url, servers.elsewhere = f"{slack_url}/file", other_url
    async with aiohttp.ClientSession() as session:
        yield (
            SlackApi(AsyncWebClient(token="xoxb-test", base_url=f"{slack_url}/api/", session=session), session),
            servers,
        )
    await slack_runner.cleanup()
    await other_runner.cleanup()


async def test_the_bytes_are_read_with_the_token_and_never_sent_elsewhere(
    api_and_servers: tuple[SlackApi, Servers],
) -> None:
    api, servers = api_and_servers
    assert await download(api, "F1", max_bytes=1024) == b"\xff\xd8\xff\x00"
    assert await download(api, "F2", max_bytes=1024) is None  # redirected to another host: not followed
    assert servers.elsewhere_heard == []
    assert await download(api, "F3", max_bytes=1024) is None  # Slack says it is larger than asked for
    assert await download(api, "F1", max_bytes=2) is None  # larger than asked for, whatever Slack said
