"""Reading the bytes of a file a person shared in Slack, for a page outside Slack (the contractor page shows
the team's photos). `files.info` says where the bytes are; they are fetched with the bot token, which
goes only to Slack's own hosts (or to the host of the API itself, the emulator's in the sandbox): the
address comes from an API answer, and the token must never follow it anywhere else, redirects included."""

import logging
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.slack.web_api import SlackApi

log = logging.getLogger("wrench.notifier")
TIMEOUT = aiohttp.ClientTimeout(total=20, sock_connect=5)
MAX_REDIRECTS = 3
SLACK_DOMAIN = "slack.com"


async def download(api: SlackApi, file_id: str, *, max_bytes: int) -> bytes | None:
    """The file's bytes; None when Slack does not give them (no such file, no `files:read`, larger than
    `max_bytes`, an answer that is a page rather than the file) or cannot be reached."""
    found = await api.call("files_info", file=file_id)
    described = (found or {}).get("file") or {}
    url = described.get("url_private_download") or described.get("url_private")
    size = described.get("size")
    if not isinstance(url, str) or (isinstance(size, int) and size > max_bytes):
        return None
    token = api.client.token or ""
    if api.session is not None:
        return await _fetch(api.session, url, token=token, api_url=api.client.base_url, max_bytes=max_bytes)
    async with aiohttp.ClientSession() as session:
        return await _fetch(session, url, token=token, api_url=api.client.base_url, max_bytes=max_bytes)


def trusted(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to `url`: the API's own origin, or https on Slack's domain when the
    API is Slack's."""
    target, api = urlsplit(url), urlsplit(api_url)
    if (target.scheme, target.netloc) == (api.scheme, api.netloc):
        return True

    def on_slack(host: str) -> bool:
        return host == SLACK_DOMAIN or host.endswith("." + SLACK_DOMAIN)

    return target.scheme == "https" and on_slack(target.hostname or "") and on_slack(api.hostname or "")


async def _fetch(session: aiohttp.ClientSession, url: str, *, token: str, api_url: str, max_bytes: int) -> bytes | None:
    for _ in range(MAX_REDIRECTS + 1):
        if not trusted(url, api_url):
            log.warning("slack file: not sending the token to %s", urlsplit(url).netloc or url)
            return None
        try:
            async with session.get(
                url, headers={"Authorization": f"Bearer {token}"}, allow_redirects=False, timeout=TIMEOUT
            ) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status != 200 or response.content_type.startswith("text/"):
                    log.warning(
                        "slack file: %s answered %s %s", urlsplit(url).netloc, response.status, response.content_type
                    )
                    return None
                return await _capped(response, max_bytes)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack file: %s", error or type(error).__name__)
            return None
    log.warning("slack file: more than %s redirects", MAX_REDIRECTS)
    return None


async def _capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes | None:
    """The body, or None once it is larger than `max_bytes` (what Slack said of its size aside)."""
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            return None
    return bytes(body)
