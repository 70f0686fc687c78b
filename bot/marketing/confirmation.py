"""The bot's own double opt-in: a 6-digit code e-mailed over SMTP (bot.admin.mail), stored
only as a keyed hash, with an expiry, a limit on wrong tries and a limit on resends."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.admin.mail import smtp_mailer
from bot.config import Settings
from bot.core.store import UnitOfWork
from bot.marketing import texts

CODE_TTL = timedelta(minutes=30)
MAX_ATTEMPTS = 5  # wrong tries per code
MAX_SENDS = 3  # codes per SEND_WINDOW
SEND_WINDOW = timedelta(hours=1)

Outcome = Literal["ok", "none", "expired", "locked", "wrong"]


class Mailer(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None: ...


class EmailCodes:
    """Issues and checks confirmation codes; the code itself is only ever in the e-mail."""

    def __init__(self, mailer: Mailer, key: bytes) -> None:
        self.mailer = mailer
        self._key = hmac.new(key, b"email-confirmation-code", hashlib.sha256).digest()

    def _digest(self, user_id: int, code: str) -> str:
        return hmac.new(self._key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()

    async def issue(self, uow: UnitOfWork, user_id: int, email: str, now: datetime) -> bool:
        """Store a new code's hash and e-mail the code; False when too many were sent lately.
        A refused e-mail raises (smtplib.SMTPException, OSError): the caller rolls back."""
        window = await self._window(uow, user_id, now)
        if window is None:
            return False
        sends, first_sent_at = window
        code = f"{secrets.randbelow(10**6):06d}"
        await uow.marketing.save_code(
            user_id, code_hash=self._digest(user_id, code), expires_at=now + CODE_TTL,
            attempts=0, sends=sends, first_sent_at=first_sent_at,
        )  # fmt: skip
        minutes = int(CODE_TTL.total_seconds() // 60)
        body = texts.EMAIL_BODY.format(code=code, minutes=minutes)
        await self.mailer.send(email, texts.EMAIL_SUBJECT, body)
        return True

    async def may_send(self, uow: UnitOfWork, user_id: int, now: datetime) -> bool:
        """Whether another code may be sent now (at most MAX_SENDS per SEND_WINDOW)."""
        return await self._window(uow, user_id, now) is not None

    async def _window(
        self, uow: UnitOfWork, user_id: int, now: datetime
    ) -> tuple[int, datetime] | None:
        """(codes sent, window start) counting the next code; None when over the limit."""
        pending = await uow.marketing.code(user_id)
        if pending is None or now - pending.first_sent_at >= SEND_WINDOW:
            return 1, now
        if pending.sends >= MAX_SENDS:
            return None
        return pending.sends + 1, pending.first_sent_at

    async def check(self, uow: UnitOfWork, user_id: int, code: str, now: datetime) -> Outcome:
        """Compare `code` with the pending one; a match uses it up, a miss counts a try."""
        pending = await uow.marketing.code(user_id)
        if pending is None:
            return "none"
        if now >= pending.expires_at:
            return "expired"
        if pending.attempts >= MAX_ATTEMPTS:
            return "locked"
        if hmac.compare_digest(pending.code_hash, self._digest(user_id, code.strip())):
            await uow.marketing.drop_code(user_id)
            return "ok"
        await uow.marketing.save_code(user_id, attempts=pending.attempts + 1)
        return "wrong"


def email_codes(settings: Settings, key: bytes) -> EmailCodes | None:
    """Codes over `COACH_SMTP_URL`; None (MailerLite confirms instead) without it."""
    url = settings.smtp_url.get_secret_value() if settings.smtp_url else None
    mailer = smtp_mailer(url, settings.mail_from)
    return EmailCodes(mailer, key) if mailer else None
