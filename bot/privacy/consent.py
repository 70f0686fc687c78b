"""The consent and age gate: nothing is stored and no provider is called before it passes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.core.clock import Clock
from bot.core.models import Button, ChatRef, Reply
from bot.core.records import UserRecord
from bot.core.store import UnitOfWork
from bot.flows import texts
from bot.privacy.hashing import PersonHasher
from bot.privacy.policy import POLICY_VERSION, REQUIRED_PURPOSES

log = logging.getLogger(__name__)
ConsentHook = Callable[[UnitOfWork, UserRecord], Awaitable[object]]

AGE_OK = "age:16plus"
AGE_UNDER = "age:under16"
AGREE = "consent:agree:16plus"
DECLINE = "consent:decline"


class ConsentGate:
    def __init__(
        self, *, clock: Clock, hasher: PersonHasher, processors_note: str,
        on_consent: ConsentHook | None = None,
    ) -> None:  # fmt: skip
        self.clock = clock
        self.hasher = hasher
        self.processors_note = processors_note
        self.on_consent = on_consent
        """Called in the same unit of work when consent is recorded (welcome credits, #8)."""

    async def consented_user(self, uow: UnitOfWork, chat: ChatRef) -> UserRecord | None:
        """The person behind `chat` if they consented to the current policy, else None."""
        user = await uow.users.find(chat.platform, chat.user_id)
        if user is None or user.data_key is None:  # no key: being erased
            return None
        consent = await uow.consents.current(user.id)
        if consent is None or consent.policy_version != POLICY_VERSION:
            return None
        if not consent.age_confirmed or not set(REQUIRED_PURPOSES) <= set(consent.purposes):
            return None
        return user

    def prompt(self) -> Reply:
        text = texts.CONSENT_PROMPT.format(processors=self.processors_note)
        buttons = ((Button("I'm 16 or older", AGE_OK), Button("I'm under 16", AGE_UNDER)),)
        return Reply(text, buttons=buttons)

    def handles(self, button: str) -> bool:
        return button in (AGE_OK, AGE_UNDER, AGREE, DECLINE)

    async def press(self, uow: UnitOfWork, chat: ChatRef, button: str) -> tuple[Reply, bool]:
        """Answer a consent-flow button; True when consent was just given."""
        if button == AGE_OK:
            buttons = ((Button("I agree", AGREE), Button("No thanks", DECLINE)),)
            return Reply(texts.AGE_CONFIRMED, buttons=buttons), False
        if button == AGE_UNDER:
            return Reply(texts.UNDER_AGE), False
        if button == DECLINE:
            return Reply(texts.CONSENT_DECLINED), False
        await self.give(uow, chat)
        return Reply(texts.CONSENT_THANKS), True

    async def give(self, uow: UnitOfWork, chat: ChatRef) -> UserRecord:
        """Record consent to the current policy with the 16+ confirmation."""
        now = self.clock.now()
        user = await uow.users.find(chat.platform, chat.user_id)
        if user is None:
            user = await uow.users.create(chat.platform, chat.user_id, now=now)
        await uow.contacts.remember(user, chat, now=now)  # breach notices must reach them
        current = await uow.consents.current(user.id)
        if current is None or current.policy_version != POLICY_VERSION:
            await uow.consents.give(
                user.id,
                policy_version=POLICY_VERSION,
                purposes=REQUIRED_PURPOSES,
                age_confirmed=True,
                now=now,
            )
            actor = self.hasher.tag(chat.platform, chat.user_id)
            await uow.audit.record(
                actor=actor, action="consent.given", now=now, detail={"policy": POLICY_VERSION}
            )
            log.info("consent given by %s (policy %s)", actor, POLICY_VERSION)
            if self.on_consent is not None:
                await self.on_consent(uow, user)
        return user
