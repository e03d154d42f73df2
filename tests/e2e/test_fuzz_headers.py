"""Hostile HTTP headers (property tests against the running bot): every endpoint, for each header it reads,
answers any value (any bytes but a line end, repeated or not, with or without a good signature or token)
with a 4xx or its usual answer, never a 500 or a stack trace.

Requests are written on a raw socket, so a header holds exactly the bytes of the example (an HTTP client
would check or re-encode them)."""

import asyncio
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from tests.support import hostile
from tests.support import slack_requests as sr
from tests.support.api import api_client
from tests.support.bot import FORM, BotClient
from tests.support.fuzz import E2E
from tests.support.org import STAFF, organisation


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    reads: tuple[str, ...]  # the headers this endpoint acts on


ENDPOINTS = (
    Endpoint("POST", "/slack/events", ("X-Slack-Request-Timestamp", "X-Slack-Signature", "Content-Type")),
    Endpoint("GET", "/api/v1/work-orders", ("Authorization",)),
    Endpoint("POST", "/api/v1/requests", ("Authorization", "Content-Type")),
    Endpoint("GET", "/portal", ("X-Forwarded-For",)),
    Endpoint("POST", "/portal", ("X-Forwarded-For", "Content-Type")),
    Endpoint("GET", "/metrics", ("Accept",)),
    Endpoint("GET", "/healthz", ("Accept",)),
)
BY_PATH = {f"{e.method} {e.path}": e for e in ENDPOINTS}
ODD = (
    b"1" * 400,  # a timestamp past a float: OverflowError
    b"-1",
    b"1e10",
    b"\xc2\xb2",  # "²": str.isdigit says yes, int() says no
    "١٢٣".encode(),
    b"0x10",
    b"",
    b" ",
    b"\xff\xfe",
    b"\xc3\xa9",  # é: hmac.compare_digest refuses a str beyond ASCII
    b"v0=" + "é".encode() * 32,
    b"Bearer",
    b"Bearer \xc3\xa9",
    b"bearer wrn_00000000_" + b"x" * 43,
    b"application/json; charset=utf-99",
    b"multipart/form-data",
    b"multipart/form-data; boundary=",
    b"text/plain",
    b"application/x-www-form-urlencoded; charset=\xff",
    b"1.2.3.4, , [::1]:80, unknown, 999.1.1.1",
    b"\x01\x7f",
    b"x" * 9000,  # past aiohttp's 8190-byte header line
)


def header_value() -> st.SearchStrategy[bytes]:
    """Any bytes a header line can hold (no CR or LF, which would end it)."""
    return st.one_of(
        st.sampled_from(ODD),
        st.binary(max_size=80),
        hostile.text().map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.integers().map(lambda number: str(number).encode()),
    ).map(lambda value: value.replace(b"\r", b"").replace(b"\n", b""))


@pytest.fixture
def org() -> Organisation:
    """The portal on, behind one proxy, so it reads X-Forwarded-For."""
    portal = Portal(enabled=True, public_url="https://wrench.example.com", requests_per_hour=1000, trusted_proxies=1)
    return organisation().model_copy(update={"portal": portal})


@pytest.fixture
async def token(bot: BotClient) -> str:
    made = (await api_client(bot, name="headers")).token
    assert made is not None
    return made


def good_headers(endpoint: Endpoint, token: str, body: bytes, timestamp: bytes) -> dict[str, bytes]:
    """What a well-behaved sender would send (the signature is made over `timestamp`, whatever it is)."""
    if endpoint.path == "/slack/events":
        base = b"v0:" + timestamp + b":" + body
        signature = "v0=" + hmac.new(sr.SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        return {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature.encode(),
            "Content-Type": b"application/json",
        }
    if endpoint.path.startswith("/api/"):
        return {"Authorization": f"Bearer {token}".encode(), "Content-Type": b"application/json"}
    if endpoint.path == "/portal":
        return {"X-Forwarded-For": b"203.0.113.9", "Content-Type": FORM.encode()}
    return {"Accept": b"*/*"}


def body_for(endpoint: Endpoint) -> bytes:
    if endpoint.path == "/slack/events":  # signed, it is carried out: the Messages tab opened, nothing to do
        return sr.event_callback({"type": "app_home_opened", "user": STAFF, "tab": "messages"})
    if endpoint.path == "/api/v1/requests":
        return b'{"category": "plumbing", "title": "Leak", "actor": "U0STAFF"}'
    if endpoint.method == "POST":
        return b"title=Leak&category=plumbing"
    return b""


async def raw_request(
    url: str, method: str, path: str, headers: list[tuple[str, bytes]], body: bytes
) -> tuple[int, bytes]:
    """One HTTP/1.1 request with exactly these header bytes; the status and the body of the answer."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    try:
        lines = [f"{method} {path} HTTP/1.1".encode(), f"Host: {where.netloc}".encode()]
        lines += [name.encode() + b": " + value for name, value in headers]
        lines += [f"Content-Length: {len(body)}".encode(), b"Connection: close"]
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split(b" ")[1]), rest.partition(b"\r\n\r\n")[2]


async def send(bot: BotClient, token: str, endpoint: Endpoint, odd: dict[str, bytes], repeat: bool) -> int:
    """The endpoint's request with the `odd` header values: instead of the good ones, or (`repeat`) after
    them as a second line of the same header."""
    body = body_for(endpoint)
    timestamp = odd.get("X-Slack-Request-Timestamp", str(int(time.time())).encode()) if not repeat else None
    good = good_headers(endpoint, token, body, timestamp or str(int(time.time())).encode())
    headers = [*good.items(), *odd.items()] if repeat else [*{**good, **odd}.items()]
    status, answer = await raw_request(bot.url, endpoint.method, endpoint.path, headers, body)
    assert status < 500, (status, answer[:500])
    assert b"Traceback" not in answer and b'File "' not in answer, answer[:500]
    return status


def chosen(data: st.DataObject) -> tuple[Endpoint, dict[str, bytes], bool]:
    endpoint = data.draw(st.sampled_from(ENDPOINTS), label="endpoint")
    names = data.draw(st.sets(st.sampled_from(endpoint.reads), min_size=1), label="odd headers")
    odd = {name: data.draw(header_value(), label=name) for name in sorted(names)}
    return endpoint, odd, data.draw(st.booleans(), label="repeated")


@E2E
@given(data=st.data())
async def test_any_header_value_is_answered_below_500(bot: BotClient, token: str, data: st.DataObject) -> None:
    endpoint, odd, repeat = chosen(data)
    status = await send(bot, token, endpoint, odd, repeat)
    event(f"{endpoint.method} {endpoint.path}: {status}")


# The values the review found, and those the property found, on each endpoint that reads them.
REGRESSIONS: list[tuple[str, dict[str, bytes], bool, int | tuple[int, ...]]] = [
    ("POST /slack/events", {"X-Slack-Request-Timestamp": b"1" * 400}, False, 401),
    ("POST /slack/events", {"X-Slack-Request-Timestamp": b"\xc2\xb2"}, False, 401),
    ("POST /slack/events", {"X-Slack-Signature": "v0=é".encode()}, False, 401),
    ("POST /slack/events", {"X-Slack-Request-Timestamp": b"abc"}, True, 200),  # the first one is checked
    ("POST /slack/events", {"X-Slack-Request-Timestamp": b"1" * 400}, True, 200),
    ("POST /api/v1/requests", {"Content-Type": b"text/plain"}, False, 415),
    ("GET /api/v1/work-orders", {"Authorization": b"Bearer \xc3\xa9"}, False, 401),
    ("POST /portal", {"X-Forwarded-For": b"\xff, [::1"}, False, (303, 422)),
]


@pytest.mark.parametrize(("where", "odd", "repeat", "expected"), REGRESSIONS)
async def test_the_headers_that_broke_things_are_refused(
    bot: BotClient, token: str, where: str, odd: dict[str, bytes], repeat: bool, expected: Any
) -> None:
    status = await send(bot, token, BY_PATH[where], odd, repeat)
    assert status in (expected if isinstance(expected, tuple) else (expected,))
