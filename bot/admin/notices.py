"""Messages to many people outside a conversation: breach notices and opted-in updates."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.models import ChatRef, Reply
from bot.core.ports import ReplySink

log = logging.getLogger(__name__)

BREACH_NOTICE = (
    "Important notice about your data from the interview coach.\n\n{message}\n\n"
    "Questions: {contact}. You can download your data (/export) or delete it (/delete) at "
    "any time."
)
BREACH_SUBJECT = "Important notice about your data (interview coach)"
UPDATE = "{message}\n\n(You get updates because you turned them on; /marketing off stops them.)"

Progress = Callable[[int, int], Awaitable[None]]


class Mailer(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a mass message went: counts only."""

    total: int = 0
    sent: int = 0
    failed: int = 0  # the platform refused or errored
    unreachable: int = 0  # their platform is not connected to this process
    sent_by_platform: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total, "sent": self.sent, "failed": self.failed,
            "unreachable": self.unreachable, "sent_by_platform": self.sent_by_platform,
        }  # fmt: skip


async def deliver(
    recipients: Sequence[ChatRef],
    reply: Reply,
    senders: Mapping[str, ReplySink],
    *,
    progress: Progress | None = None,
) -> Delivery:
    """Send `reply` to every recipient, one at a time (platform rate limits), reporting
    progress about ten times along the way. One failed send never stops the others."""
    total, step = len(recipients), max(10, len(recipients) // 10)
    sent: Counter[str] = Counter()
    failed = unreachable = 0
    for done, chat in enumerate(recipients, start=1):
        sink = senders.get(chat.platform)
        if sink is None:
            unreachable += 1
        else:
            try:
                await sink.send(chat, reply)
            except Exception as exc:  # a blocked bot, a deleted account...
                failed += 1
                log.warning("notice not delivered on %s: %s", chat.platform, type(exc).__name__)
            else:
                sent[chat.platform] += 1
        if progress is not None and done % step == 0 and done < total:
            await progress(done, total)
    return Delivery(total, sum(sent.values()), failed, unreachable, dict(sent))


@dataclass(frozen=True, slots=True)
class EmailDelivery:
    """How the e-mails went: counts only."""

    sent: int = 0
    failed: int = 0


async def deliver_emails(
    addresses: Sequence[str], subject: str, body: str, mailer: Mailer
) -> EmailDelivery:
    """E-mail `body` to each address, one at a time; one refusal never stops the others and
    is logged by kind only (no address, no text)."""
    sent = failed = 0
    for address in addresses:
        try:
            await mailer.send(address, subject, body)
        except Exception as exc:  # refused recipient, server down, TLS or login failure
            failed += 1
            log.warning("notice e-mail not delivered: %s", type(exc).__name__)
        else:
            sent += 1
    return EmailDelivery(sent, failed)
