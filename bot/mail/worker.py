"""Sends the mail queue: wakes when this process commits a message, and polls for the rest (messages
queued by other replicas, retries coming due). Never in the path of a Slack interaction."""

import asyncio
import logging
from functools import partial

from bot.mail import smtp
from bot.metrics import Metrics
from bot.rounds import RoundWorker
from models.db import Database
from services.mail import queue
from services.organisation.integrations import Smtp
from services.ports import Clock

log = logging.getLogger("wrench.mail")
POLL_SECONDS = 5.0
MAX_IN_FLIGHT = 4  # SMTP servers limit connections per client; a few at once is plenty


class MailWorker(RoundWorker):
    """Stopping gives sends under way a grace; one cut off is sent again when its lease runs out (the same
    Message-ID, so a reader whose server took it once sees one email)."""

    def __init__(self, db: Database, config: Smtp, clock: Clock, metrics: Metrics) -> None:
        super().__init__(db, name="mail worker", wake_flag=queue.FLAG, log=log)
        self.config = config
        self.sender = config.from_address
        self.clock = clock
        self.metrics = metrics

    def idle_seconds(self) -> float:
        return POLL_SECONDS

    async def work_once(self) -> bool:
        """Send what is due; True when there may be more to do at once."""
        room = self._room(MAX_IN_FLIGHT)
        leased = await self.db.run(partial(queue.lease_due, now=self.clock(), limit=room)) if room else []
        for mail in leased:
            self._launch(self._send(mail))
        if self._prune_due():
            await self.db.run(partial(queue.prune, now=self.clock()))
        return bool(leased)

    async def _send(self, mail: queue.Leased) -> None:
        try:
            outcome = await smtp.send(self.config, self.sender, mail.recipient, mail.message)
            with self._recording_result():  # sent: stopping lets the record of it be written, not sent twice
                state = await self.db.run(
                    partial(
                        queue.record_result,
                        now=self.clock(),
                        mail_id=mail.mail_id,
                        error=outcome.error,
                        permanent=outcome.permanent,
                    )
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # its lease runs out and another round sends it again
            log.exception("mail %s: sending failed", mail.mail_id)
            return
        self.metrics.mail_sent.labels(
            "sent" if state == queue.SENT else state if state == queue.FAILED else "retry"
        ).inc()
        if outcome.error:
            log.warning("mail %s to %s (attempt %d): %s", mail.mail_id, mail.recipient, mail.attempt, outcome.error)
