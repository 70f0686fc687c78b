"""Extension points of the engine: features own commands and buttons, guards gate starts.

A feature (credits, admin, story bank...) is a small class wired in `bot.app`; the engine
routes its commands and button kinds to it after the consent gate (or before it, for the
names in `before_consent`). Guards are asked before an interview starts or an answer is
taken, inside the same unit of work, and refuse with a Reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.models import ChatRef, Inbound, Reply
from bot.core.ports import ReplySink
from bot.core.records import SessionRecord, TurnRecord, UserRecord
from bot.core.store import UnitOfWork
from bot.flows.commands import Command


@dataclass(frozen=True, slots=True)
class Request:
    """One routed event: who sent it (None before consent) and where replies go."""

    inbound: Inbound
    user: UserRecord | None
    sink: ReplySink

    @property
    def chat(self) -> ChatRef:
        return self.inbound.chat

    async def reply(self, reply: Reply | str) -> None:
        await self.sink.send(self.chat, Reply(reply) if isinstance(reply, str) else reply)


class Feature(Protocol):
    """Owns some commands (`/credits`) and button kinds (`buy:...`)."""

    commands: frozenset[str]
    buttons: frozenset[str]
    before_consent: frozenset[str]
    """Command names routed even when the sender has not consented (user may be None)."""

    async def command(self, request: Request, command: Command) -> None: ...

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None: ...


class Guard(Protocol):
    """Asked before an interview starts and before an answer is taken; a Reply refuses."""

    async def before_start(self, uow: UnitOfWork, user: UserRecord) -> Reply | None: ...

    async def before_answer(
        self, uow: UnitOfWork, user: UserRecord, inbound: Inbound
    ) -> Reply | None: ...


@dataclass(frozen=True, slots=True)
class Features:
    """The features and guards wired into one engine."""

    features: Sequence[Feature] = ()
    guards: Sequence[Guard] = ()

    @property
    def commands(self) -> frozenset[str]:
        return frozenset(name for f in self.features for name in f.commands)

    def for_command(self, name: str) -> Feature | None:
        return next((f for f in self.features if name in f.commands), None)

    def for_button(self, kind: str) -> Feature | None:
        return next((f for f in self.features if kind in f.buttons), None)

    async def refuse_start(self, uow: UnitOfWork, user: UserRecord) -> Reply | None:
        for guard in self.guards:
            refusal = await guard.before_start(uow, user)
            if refusal is not None:
                return refusal
        return None

    async def refuse_answer(
        self, uow: UnitOfWork, user: UserRecord, inbound: Inbound
    ) -> Reply | None:
        for guard in self.guards:
            refusal = await guard.before_answer(uow, user, inbound)
            if refusal is not None:
                return refusal
        return None


class SessionHooks(Protocol):
    """Told when an interview starts and ends, in the same unit of work (credits, #8)."""

    async def started(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> None: ...

    async def ended(
        self, uow: UnitOfWork, user: UserRecord, session: SessionRecord, turns: list[TurnRecord]
    ) -> None: ...
