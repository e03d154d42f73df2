"""A REST API client for tests: a real HTTP client with a bearer token made through the service."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from services.organisation import api_tokens
from services.organisation.api_tokens import Scope
from tests.support.bot import BotClient


@dataclass
class Answer:
    status: int
    body: Any
    content_type: str

    def problem_fields(self) -> list[str]:
        return [error["field"] for error in self.body.get("errors", [])]


@dataclass
class ApiClient:
    bot: BotClient
    token: str | None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def get(self, path: str, **params: Any) -> Answer:
        query = {key: str(value) for key, value in params.items() if value is not None}
        async with self.bot.http.get(f"{self.bot.url}/api/v1{path}", params=query, headers=self._headers()) as r:
            return Answer(r.status, await r.json(content_type=None), r.content_type)

    async def post(
        self, path: str, body: Any = None, *, raw: bytes | None = None, content_type: str = "application/json"
    ) -> Answer:
        url = f"{self.bot.url}/api/v1{path}"
        headers = {**self._headers(), "Content-Type": content_type}
        sent = (
            self.bot.http.post(url, data=raw, headers=headers)
            if raw is not None
            else self.bot.http.post(url, json=body, headers=self._headers())
        )
        async with sent as r:
            return Answer(r.status, await r.json(content_type=None), r.content_type)

    async def patch(self, path: str, body: Any) -> Answer:
        async with self.bot.http.patch(f"{self.bot.url}/api/v1{path}", json=body, headers=self._headers()) as r:
            return Answer(r.status, await r.json(content_type=None), r.content_type)


async def api_client(
    bot: BotClient,
    *,
    name: str = "erp",
    scopes: tuple[Scope, ...] = (Scope.READ, Scope.WRITE),
    acts_as: str | None = None,
) -> ApiClient:
    deps = bot.running.deps
    _, secret = await deps.db.run(
        partial(api_tokens.create, now=deps.clock(), name=name, scopes=list(scopes), acts_as=acts_as)
    )
    return ApiClient(bot, secret)
