"""The team's photos of the work, as the contractor page shows them: the bytes are in Slack, fetched with the
bot token, proved to be images and re-encoded (which drops what rode along, such as a phone's GPS position
in EXIF), then kept a while in memory so a page opened again does not ask Slack again. The link is checked
on every request before anything kept is served, so a revoked link shows nothing."""

import asyncio
import logging
from collections import OrderedDict

from services.errors import InvalidInput
from services.ports import Notifier
from services.requests import photos
from services.requests.photos import PreparedPhoto

log = logging.getLogger("wrench.contractor")
MAX_FROM_SLACK = 20 * 1024 * 1024  # a phone's photo is a few MB; Slack takes far larger files than a page needs
KEPT_BYTES = 32 * 1024 * 1024  # what the memory keeps of prepared photos, the least recently shown dropped first


class PhotoUnavailable(Exception):
    """Slack did not give the file's bytes (unreachable, the file deleted, no `files:read`)."""


class TeamPhotos:
    def __init__(self, notifier: Notifier, *, kept_bytes: int = KEPT_BYTES) -> None:
        self.notifier = notifier
        self.kept_bytes = kept_bytes
        self.kept: OrderedDict[str, PreparedPhoto] = OrderedDict()

    async def photo(self, file_id: str) -> PreparedPhoto:
        """The photo ready to serve; `PhotoUnavailable` when Slack does not give it, `InvalidInput` when what
        it gave is not an image a browser shows."""
        if (kept := self.kept.get(file_id)) is not None:
            self.kept.move_to_end(file_id)
            return kept
        content = await self.notifier.fetch_file(file_id, max_bytes=MAX_FROM_SLACK)
        if content is None:
            raise PhotoUnavailable(file_id)
        try:
            prepared = await asyncio.to_thread(photos.prepare, content, max_bytes=MAX_FROM_SLACK)
        except InvalidInput:
            log.info("contractor page: the team's file %s is not an image a page can show", file_id)
            raise
        self._keep(file_id, prepared)
        return prepared

    def _keep(self, file_id: str, prepared: PreparedPhoto) -> None:
        self.kept[file_id] = prepared
        while sum(len(p.content) for p in self.kept.values()) > self.kept_bytes and len(self.kept) > 1:
            self.kept.popitem(last=False)
