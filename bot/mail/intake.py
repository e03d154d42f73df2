"""Reads the requests mailbox every `email.poll_seconds` and takes each new message once: filed as a
request, added to the work order it answers, or set aside. Runs where the scheduler runs; replicas may
read the same mailbox (each message is taken by whichever commits it first)."""

import asyncio
import contextlib
import imaplib
import logging
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import IntegrityError

from bot.mail import imap
from bot.metrics import Metrics
from models.db import Database
from services.errors import InvalidInput
from services.mail.incoming import Incoming, parse
from services.organisation.integrations import EmailIntake
from services.organisation.org import Organisation
from services.ports import Clock
from services.requests import email_intake, photos
from services.requests.email_intake import Photo, Taken

log = logging.getLogger("wrench.mail")
MAX_MESSAGE_BYTES = 60 * 1024 * 1024  # larger than any mail server delivers; past it, only the headers are read
SEEN = Taken("seen")


@dataclass(frozen=True)
class Read:
    uid: bytes
    taken: Taken


class MailIntake:
    def __init__(self, db: Database, org: Organisation, clock: Clock, metrics: Metrics) -> None:
        assert org.email is not None
        self.db = db
        self.org = org
        self.config: EmailIntake = org.email
        self.clock = clock
        self.metrics = metrics
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="mail-intake")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=self.config.imap.timeout_seconds)
            self._task.cancel()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.poll_once()
            except imap.MailboxError as failure:
                log.warning("requests mailbox: %s; trying again in %d s", failure, self.config.poll_seconds)
            except Exception:
                log.exception("requests mailbox: a poll failed; trying again in %d s", self.config.poll_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.config.poll_seconds)

    async def poll_once(self) -> list[Read]:
        """One look at the mailbox: every unseen message taken (up to a batch), then marked seen."""
        connection = await asyncio.to_thread(imap.connect, self.config.imap)
        try:
            done = []
            for uid in await asyncio.to_thread(imap.unseen, connection):
                taken = await self._take(connection, uid)
                await asyncio.to_thread(imap.mark_seen, connection, uid)  # only once what was done is stored
                self.metrics.mail_received.labels(taken.outcome).inc()
                if taken.outcome != "seen":
                    log.info("requests mailbox: %s %s %s", uid.decode(), taken.outcome, taken.ref or taken.reason)
                done.append(Read(uid, taken))
            return done
        finally:
            await asyncio.to_thread(imap.disconnect, connection)

    async def _take(self, connection: imaplib.IMAP4, uid: bytes) -> Taken:
        raw = await asyncio.to_thread(imap.fetch, connection, uid)
        if raw is None:
            return SEEN
        mail = parse(raw if len(raw) <= MAX_MESSAGE_BYTES else raw.split(b"\r\n\r\n", 1)[0])
        if await self.db.run(partial(email_intake.seen, message_id=mail.message_id)):
            return SEEN  # taken before (its seen flag was lost, or another reader has it)
        kept, not_kept = await asyncio.to_thread(self._photos, mail)
        take = partial(email_intake.take, org=self.org, now=self.clock(), mail=mail, photos=kept, not_kept=not_kept)
        try:
            return await self.db.run(take)
        except IntegrityError:  # another reader committed this Message-ID first
            return SEEN

    def _photos(self, mail: Incoming) -> tuple[list[Photo], list[str]]:
        """Image attachments as the portal keeps photos (checked, upright, re-encoded); the rest named."""
        kept, not_kept = [], []
        for attachment in mail.attachments:
            if not attachment.content_type.startswith("image/"):
                not_kept.append(f"{attachment.filename} (not a photo)")
                continue
            try:
                prepared = photos.prepare(attachment.content, max_bytes=self.config.max_attachment_bytes)
            except InvalidInput as refused:
                not_kept.append(f"{attachment.filename} ({str(refused).rstrip('.').lower()})")
                continue
            kept.append(Photo(attachment.filename, prepared))
        return kept, not_kept
