"""`/admin ...`: run the service from the chat. To anyone else it is an unknown command.

Every admin action (and every refused attempt) goes to the audit log with the actor's keyed
hash and counts, never message text or anyone's content.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.admin import notices, texts
from bot.admin.costs import Prices, parse_prices
from bot.admin.ids import parse_admin_ids, parse_person
from bot.admin.mail import smtp_mailer
from bot.admin.stats import stats_text
from bot.core.clock import Clock
from bot.core.models import ChatRef, Document, Reply
from bot.core.ports import ReplySink
from bot.core.records import UserRecord
from bot.flows import texts as flow_texts
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.privacy.hashing import PersonHasher
from bot.privacy.policy import PURPOSE_MARKETING
from bot.privacy.purge import PurgeReport

log = logging.getLogger(__name__)

Exporter = Callable[[Any, UserRecord, datetime, ChatRef], Awaitable[Document]]


@dataclass(frozen=True, slots=True)
class AdminServices:
    """What the admin commands act on; `senders` is App.senders (filled as platforms start)."""

    store: Any  # storage.db.Database: unit_of_work() with users, stats, ledger, contacts...
    clock: Clock
    hasher: PersonHasher
    purge: Callable[[], Awaitable[PurgeReport]]
    exporter: Exporter
    senders: Mapping[str, ReplySink]
    contact: str
    prices: Prices
    mailer: notices.Mailer | None  # the e-mail channel (COACH_SMTP_URL), None when not set


class AdminFeature:
    commands = frozenset({"admin"})
    buttons: frozenset[str] = frozenset()
    before_consent = frozenset({"admin"})  # admins need not consent to run the service

    def __init__(self, services: AdminServices, admins: frozenset[tuple[str, str]]) -> None:
        self.services = services
        self.admins = admins
        self._handlers = {
            "stats": self._stats, "user": self._user, "grant": self._grant,
            "refund": self._refund, "purge": self._purge, "export": self._export,
            "breach": self._breach, "broadcast": self._broadcast,
        }  # fmt: skip

    async def command(self, request: Request, command: Command) -> None:
        chat = request.chat
        actor = self.services.hasher.tag(chat.platform, chat.user_id)
        if (chat.platform, chat.user_id) not in self.admins:
            await self._audit(actor, "admin.refused")
            log.warning("admin command refused for %s", actor)
            await request.reply(flow_texts.UNKNOWN_COMMAND.format(command="/admin"))
            return
        name = command.args[0].lower() if command.args else ""
        handler = self._handlers.get(name)
        if handler is None:
            await request.reply(Reply(texts.USAGE, private=True))
            return
        rest = command.rest.split(maxsplit=1)[1] if len(command.args) > 1 else ""
        reply = await handler(request, actor, command.args[1:], rest)
        if reply is not None:
            await request.reply(Reply(reply, private=True))

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        return None

    async def _audit(self, actor: str, action: str, **detail: Any) -> None:
        async with self.services.store.unit_of_work() as uow:
            await uow.audit.record(
                actor=actor, action=action, now=self.services.clock.now(), detail=detail or None
            )

    async def _person(self, uow: Any, target: str) -> tuple[UserRecord | None, str]:
        """The person named PLATFORM:ID (None if unknown or erased) and their keyed hash."""
        person = parse_person(target)
        if person is None:
            return None, ""
        user = await uow.users.find(*person)
        tag = self.services.hasher.tag(*person)
        return (user if user is not None and user.data_key is not None else None), tag

    async def _stats(self, request: Request, actor: str, args: tuple[str, ...], rest: str) -> str:
        now = self.services.clock.now()
        async with self.services.store.unit_of_work() as uow:
            text = await stats_text(uow, now, self.services.prices)
            await uow.audit.record(actor=actor, action="admin.stats", now=now)
        return text

    async def _user(self, request: Request, actor: str, args: tuple[str, ...], rest: str) -> str:
        if len(args) != 1:
            return texts.USER_USAGE
        now = self.services.clock.now()
        async with self.services.store.unit_of_work() as uow:
            user, tag = await self._person(uow, args[0])
            if user is None:
                return texts.NO_PERSON if tag else texts.BAD_PERSON
            text = await _metadata(uow, user)
            await uow.audit.record(
                actor=actor, action="admin.user", now=now, detail={"person": tag}
            )
        return text

    async def _grant(self, request: Request, actor: str, args: tuple[str, ...], rest: str) -> str:
        return await self._adjust(actor, args, kind="grant")

    async def _refund(self, request: Request, actor: str, args: tuple[str, ...], rest: str) -> str:
        return await self._adjust(actor, args, kind="refund")

    async def _adjust(self, actor: str, args: tuple[str, ...], *, kind: str) -> str:
        """`grant PLATFORM:ID N REASON` (N may be negative to correct), `refund ... N REASON`
        (N > 0, credits given back): one ledger entry each, audited with the reason."""
        amount = _int(args[1]) if len(args) >= 3 else None
        if amount is None or amount == 0 or (kind == "refund" and amount < 0):
            return texts.ADJUST_USAGE.format(kind=kind)
        reason = " ".join(args[2:])[:80]
        now = self.services.clock.now()
        async with self.services.store.unit_of_work() as uow:
            user, tag = await self._person(uow, args[0])
            if user is None:
                return texts.NO_PERSON if tag else texts.BAD_PERSON
            await uow.ledger.add(
                user.id, kind=kind, amount=amount, provider="admin",
                external_id=f"admin-{uuid.uuid4().hex}", now=now,
            )  # fmt: skip
            balance = sum(e["amount"] for e in await uow.ledger.entries(user.id))
            detail = {"person": tag, "amount": amount, "reason": reason}
            await uow.audit.record(actor=actor, action=f"admin.{kind}", now=now, detail=detail)
        return texts.ADJUSTED.format(kind=kind, amount=amount, balance=balance)

    async def _purge(self, request: Request, actor: str, args: tuple[str, ...], rest: str) -> str:
        report = await self.services.purge()
        counts = {
            "people_erased": report.people_erased, "people_failed": report.people_failed,
            "rows": sum(report.rows.values()), "blobs": report.blobs_deleted,
            "financial_rows": report.financial_rows_deleted,
            "updates_forgotten": report.updates_forgotten, "skipped": report.skipped,
        }  # fmt: skip
        await self._audit(actor, "admin.purge", **counts)
        if report.skipped:
            return texts.PURGE_SKIPPED
        return texts.PURGED.format(**counts)

    async def _export(
        self, request: Request, actor: str, args: tuple[str, ...], rest: str
    ) -> str | None:
        if len(args) != 1:
            return texts.EXPORT_USAGE
        person = parse_person(args[0])
        now = self.services.clock.now()
        async with self.services.store.unit_of_work() as uow:
            user, tag = await self._person(uow, args[0])
            if user is None or person is None:
                return texts.NO_PERSON if tag else texts.BAD_PERSON
            chat = ChatRef(person[0], "", person[1])
            document = await self.services.exporter(uow, user, now, chat)
            detail = {"person": tag}
            await uow.audit.record(actor=actor, action="admin.export", now=now, detail=detail)
        await request.reply(Reply(texts.EXPORTED, document=document, private=True))
        return None

    async def _breach(self, request: Request, actor: str, args: tuple[str, ...], rest: str) -> str:
        """The breach notice: in-bot to every person we hold data about, on every platform,
        and by e-mail to every confirmed address we hold when an e-mail channel is set."""
        if not rest.strip():
            return texts.BREACH_USAGE
        async with self.services.store.unit_of_work() as uow:
            addresses = await uow.contacts.everyone()
            emails = [email for _, email in await uow.contacts.confirmed_emails()]
            unaddressed = await uow.stats.people() - len({user.id for user, _ in addresses})
        text = notices.BREACH_NOTICE.format(message=rest.strip(), contact=self.services.contact)
        recipients = [chat for _, chat in addresses]
        delivery = await self._send(request, recipients, text, texts.BREACH_PROGRESS)
        mailer = self.services.mailer
        mailed = notices.EmailDelivery()
        if mailer is not None:
            mailed = await notices.deliver_emails(emails, notices.BREACH_SUBJECT, text, mailer)
        await self._audit(
            actor, "admin.breach", **delivery.as_dict(), people_without_address=unaddressed,
            emails_held=len(emails), emails_sent=mailed.sent, emails_failed=mailed.failed,
            email_channel="smtp" if mailer is not None else "none configured",
        )  # fmt: skip
        done = texts.BREACH_DONE.format(**delivery.as_dict(), unaddressed=unaddressed)
        if mailer is None:
            return done + " " + texts.BREACH_NO_EMAIL.format(emails=len(emails))
        return (
            done
            + " "
            + texts.BREACH_EMAILED.format(
                emails=len(emails), sent=mailed.sent, failed=mailed.failed
            )
        )

    async def _broadcast(
        self, request: Request, actor: str, args: tuple[str, ...], rest: str
    ) -> str:
        """An update, only to people who turned updates on (`/marketing on`)."""
        if not rest.strip():
            return texts.BROADCAST_USAGE
        async with self.services.store.unit_of_work() as uow:
            recipients = []
            for user, chat in await uow.contacts.everyone():
                consent = await uow.consents.current(user.id)
                if consent is not None and PURPOSE_MARKETING in consent.purposes:
                    recipients.append(chat)
        text = notices.UPDATE.format(message=rest.strip())
        delivery = await self._send(request, recipients, text, texts.BROADCAST_PROGRESS)
        await self._audit(actor, "admin.broadcast", **delivery.as_dict())
        return texts.BROADCAST_DONE.format(**delivery.as_dict())

    async def _send(
        self, request: Request, recipients: list[ChatRef], text: str, progress_text: str
    ) -> notices.Delivery:
        async def progress(done: int, total: int) -> None:
            await request.reply(Reply(progress_text.format(done=done, total=total), private=True))

        await request.reply(
            Reply(progress_text.format(done=0, total=len(recipients)), private=True)
        )
        reply = Reply(text, private=True)
        return await notices.deliver(recipients, reply, self.services.senders, progress=progress)


async def _metadata(uow: Any, user: UserRecord) -> str:
    """Account metadata only: never transcripts, scores or profile text."""
    consent = await uow.consents.current(user.id)
    pending = await uow.deletions.pending(user.id)
    credits = sum(e["amount"] for e in await uow.ledger.entries(user.id))
    sessions = await uow.sessions.for_user(user.id)
    platforms = sorted({c["platform"] for c in await uow.contacts.for_user(user)})
    return texts.USER.format(
        created=f"{user.created_at:%Y-%m-%d}",
        consent=(
            f"given {consent.given_at:%Y-%m-%d}, policy {consent.policy_version}, "
            f"purposes {', '.join(consent.purposes)}"
            if consent
            else "none (withdrawn or never given)"
        ),
        credits=credits,
        deletion=f"requested, due {pending.due_at:%Y-%m-%d}" if pending else "none",
        sessions=len(sessions),
        platforms=", ".join(platforms) or "none recorded",
    )


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def admin_feature(
    settings: Any,
    store: Any,
    clock: Clock,
    hasher: PersonHasher,
    purge: Any,
    exporter: Exporter,
    senders: Mapping[str, ReplySink],
) -> AdminFeature:
    """The feature as `bot.app` wires it (settings: `bot.config.Settings`, purge: PurgeJob)."""
    services = AdminServices(
        store,
        clock,
        hasher,
        purge.run,
        exporter,
        senders,
        settings.privacy_contact,
        parse_prices(settings.prices),
        smtp_mailer(_secret(settings.smtp_url), settings.mail_from),
    )
    return AdminFeature(services, parse_admin_ids(settings.admin_ids))
