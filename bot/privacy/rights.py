"""The candidate's rights from the chat: export, correction, deletion, objection, marketing."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.models import Button, ChatRef, Document, Reply
from bot.core.records import UserRecord
from bot.core.store import Store, UnitOfWork
from bot.privacy import texts
from bot.privacy.hashing import PersonHasher
from bot.privacy.policy import POLICY_VERSION, PURPOSE_INTERVIEW, PURPOSE_MARKETING

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

ExportBuilder = Callable[[UnitOfWork, UserRecord, datetime, ChatRef], Awaitable[Document]]


class Eraser(Protocol):
    async def erase_now(self, user_id: int) -> dict[str, int]: ...


@dataclass(frozen=True, slots=True)
class RightsSettings:
    grace_days: int = 30
    exports_per_day: int = 3
    contact: str = "privacy@example.org"


class PrivacyRights:
    def __init__(
        self, *, store: Store, clock: Clock, hasher: PersonHasher, exporter: ExportBuilder,
        eraser: Eraser, settings: RightsSettings,
    ) -> None:  # fmt: skip
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.exporter = exporter
        self.eraser = eraser
        self.settings = settings

    async def export(self, uow: UnitOfWork, user: UserRecord, chat: ChatRef) -> Reply:
        """A ZIP of everything about the person, a few times a day at most."""
        now = self.clock.now()
        actor = self.hasher.tag(chat.platform, chat.user_id)
        recent = await uow.audit.count_since(
            actor=actor, action="privacy.export", since=now - timedelta(days=1)
        )
        if recent >= self.settings.exports_per_day:
            return Reply(texts.EXPORT_LIMIT.format(limit=self.settings.exports_per_day))
        document = await self.exporter(uow, user, now, chat)
        await uow.audit.record(actor=actor, action="privacy.export", now=now)
        log.info("export delivered to %s", actor)
        return Reply(texts.EXPORT_READY, document=document, private=True)

    def confirm_deletion(self) -> Reply:
        buttons = (
            (Button(f"Delete in {self.settings.grace_days} days", "delete:confirm"),),
            (Button("Delete everything now", "delete:now"), Button("Keep my data", "delete:keep")),
        )
        text = texts.DELETE_CONFIRM.format(days=self.settings.grace_days)
        return Reply(text, buttons=buttons, private=True)

    async def deletion_button(
        self, uow: UnitOfWork, user: UserRecord, chat: ChatRef, action: str
    ) -> Reply:
        now = self.clock.now()
        actor = self.hasher.tag(chat.platform, chat.user_id)
        if action == "confirm":
            if await uow.deletions.pending(user.id) is None:
                due = now + timedelta(days=self.settings.grace_days)
                await uow.deletions.request(user.id, now=now, due_at=due)
                await uow.audit.record(actor=actor, action="privacy.deletion_requested", now=now)
            return await self.pending_notice(uow, user)
        if action == "cancel":
            return await self.cancel(uow, user, chat)
        if action == "now":
            await uow.audit.record(actor=actor, action="privacy.erased_now", now=now)
            return Reply(texts.ERASING_NOW)
        return Reply(texts.DELETE_KEPT)

    async def erase_now(self, user: UserRecord) -> Reply:
        """Erase at once (after the caller's transaction committed the audit entry)."""
        counts = await self.eraser.erase_now(user.id)
        log.info("immediate erasure done: %s rows", sum(counts.values()))
        return Reply(texts.ERASED)

    async def cancel(self, uow: UnitOfWork, user: UserRecord, chat: ChatRef) -> Reply:
        now = self.clock.now()
        if not await uow.deletions.cancel(user.id, now=now):
            return Reply(texts.NOTHING_TO_CANCEL)
        actor = self.hasher.tag(chat.platform, chat.user_id)
        await uow.audit.record(actor=actor, action="privacy.deletion_cancelled", now=now)
        return Reply(texts.DELETE_CANCELLED)

    async def pending_notice(self, uow: UnitOfWork, user: UserRecord) -> Reply:
        pending = await uow.deletions.pending(user.id)
        when = pending.due_at.strftime("%d %B %Y") if pending else "soon"
        buttons = ((Button("Cancel deletion", "delete:cancel"), Button("Export", "export")),)
        return Reply(texts.DELETION_PENDING.format(date=when), buttons=buttons, private=True)

    async def withdraw(self, uow: UnitOfWork, user: UserRecord, chat: ChatRef) -> Reply:
        """Objection: processing stops at once; export and deletion stay available."""
        now = self.clock.now()
        await uow.consents.withdraw(user.id, now=now)
        actor = self.hasher.tag(chat.platform, chat.user_id)
        await uow.audit.record(actor=actor, action="consent.withdrawn", now=now)
        buttons = ((Button("Export my data", "export"), Button("Delete my data", "delete:ask")),)
        return Reply(texts.CONSENT_WITHDRAWN, buttons=buttons, private=True)

    async def marketing(
        self, uow: UnitOfWork, user: UserRecord, chat: ChatRef, args: tuple[str, ...]
    ) -> Reply:
        """`/marketing on|off`: the optional purpose, recorded as a new consent."""
        current = await uow.consents.current(user.id)
        has = current is not None and PURPOSE_MARKETING in current.purposes
        choice = args[0].lower() if args else ""
        if choice not in ("on", "off"):
            return Reply(texts.MARKETING_STATUS.format(state="on" if has else "off"))
        wanted = choice == "on"
        if wanted != has:
            purposes = (PURPOSE_INTERVIEW, PURPOSE_MARKETING) if wanted else (PURPOSE_INTERVIEW,)
            now = self.clock.now()
            await uow.consents.withdraw(user.id, now=now)
            await uow.consents.give(
                user.id, policy_version=POLICY_VERSION, purposes=purposes, age_confirmed=True,
                now=now,
            )  # fmt: skip
            actor = self.hasher.tag(chat.platform, chat.user_id)
            await uow.audit.record(actor=actor, action=f"consent.marketing_{choice}", now=now)
        return Reply(texts.MARKETING_STATUS.format(state=choice))

    async def profile(self, uow: UnitOfWork, user: UserRecord, args: tuple[str, ...]) -> Reply:
        """`/profile`, `/profile name Jane Doe`, `/profile email jane@example.org`."""
        if len(args) >= 2 and args[0].lower() in ("name", "email"):
            field, value = args[0].lower(), " ".join(args[1:]).strip()
            problem = validate_profile(field, value)
            if problem:
                return Reply(problem)
            if field == "name":
                await uow.users.set_profile(user, display_name=value)
            else:
                await uow.users.set_profile(user, email=value)
        data = await uow.users.profile(user)
        return Reply(
            texts.PROFILE.format(
                name=data.get("display_name") or "(not set)",
                email=data.get("email") or "(not set)",
            ),
            private=True,
        )


def validate_profile(field: str, value: str) -> str | None:
    """A plain message when a name or e-mail is unusable, else None."""
    if not value or any(not ch.isprintable() for ch in value):
        return texts.PROFILE_INVALID.format(field=field)
    if field == "name" and len(value) > 100:
        return texts.PROFILE_INVALID.format(field=field)
    if field == "email" and (len(value) > 254 or not EMAIL.match(value)):
        return texts.PROFILE_INVALID.format(field=field)
    return None
