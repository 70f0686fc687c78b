"""FlowEngine: the one entry point adapters call. Routes commands, buttons and answers."""

from __future__ import annotations

import asyncio
import logging
import weakref

from bot.core.clock import Clock
from bot.core.models import Button, ChatRef, Inbound, Reply
from bot.core.ports import ReplySink
from bot.core.records import UserRecord
from bot.core.store import Store
from bot.core.tracing import traced
from bot.flows import texts
from bot.flows.commands import KNOWN, Command, parse_button, parse_command
from bot.flows.documents import DocumentFlow, is_cv_file, is_document
from bot.flows.features import Features, Request
from bot.flows.interview import InterviewFlow
from bot.flows.progress import progress_points, progress_reply
from bot.flows.questions import LEVELS, ROLES, normalise_level, normalise_role
from bot.privacy import texts as privacy_texts
from bot.privacy.consent import ConsentGate
from bot.privacy.hashing import PersonHasher
from bot.privacy.rights import PrivacyRights

log = logging.getLogger(__name__)

GENERIC_ERROR = (
    "Sorry, something went wrong on my side. Anything you already sent is saved; "
    "please try again in a moment."
)


class FlowEngine:
    def __init__(
        self,
        *,
        store: Store,
        interview: InterviewFlow,
        consent: ConsentGate,
        rights: PrivacyRights,
        hasher: PersonHasher,
        clock: Clock,
        max_answer_minutes: float = 3,
        privacy_text: str = "",
        features: Features | None = None,
    ) -> None:
        self.store = store
        self.interview = interview
        self.consent = consent
        self.rights = rights
        self.hasher = hasher
        self.clock = clock
        self.max_answer_minutes = max_answer_minutes
        self.privacy_text = privacy_text
        self.documents = DocumentFlow(store=store, clock=clock)
        self.features = features or Features()
        self.known = KNOWN | self.features.commands
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock]
        self._locks = weakref.WeakValueDictionary()

    @traced  # a turn id on every log line of this update (#9)
    async def handle(self, inbound: Inbound, sink: ReplySink) -> None:
        """Handle one inbound event; never raises, always answers something sensible."""
        chat = inbound.chat
        tag = self.hasher.tag(chat.platform, chat.user_id)
        lock = self.lock_for(chat)
        try:
            async with lock:
                if not await self._first_delivery(inbound):
                    log.info("duplicate update %s from %s dropped", inbound.update_id, tag)
                    return
                await self._route(inbound, sink)
        except Exception:
            log.exception("handling an update from %s failed", tag)
            await sink.send(chat, Reply(GENERIC_ERROR))

    def lock_for(self, chat: ChatRef) -> asyncio.Lock:
        """One person's lock: their updates (and resumed turns) run one at a time."""
        return self._locks.setdefault((chat.platform, chat.user_id), asyncio.Lock())

    async def _first_delivery(self, inbound: Inbound) -> bool:
        async with self.store.unit_of_work() as uow:
            return await uow.updates.claim(
                inbound.chat.platform, inbound.update_id, now=self.clock.now()
            )

    async def _route(self, inbound: Inbound, sink: ReplySink) -> None:
        chat = inbound.chat
        payments = self.features.for_button("payment") if inbound.payment else None
        if payments is not None:  # money moved: settle it whatever the consent state
            await payments.button(Request(inbound, None, sink), "payment", ())
            return
        command = parse_command(inbound.text, known=self.known)
        if command is not None and not command.known:
            await sink.send(chat, Reply(texts.UNKNOWN_COMMAND.format(command="/" + command.name)))
            return
        if command is not None and command.name in ("help", "privacy"):
            await sink.send(chat, Reply(self._static(command.name)))
            return
        feature = self.features.for_command(command.name) if command else None
        if command is not None and feature is not None and command.name in feature.before_consent:
            async with self.store.unit_of_work() as uow:
                anyone = await uow.users.find(chat.platform, chat.user_id)
            await feature.command(Request(inbound, anyone, sink), command)
            return
        button = inbound.button
        if button and self.consent.handles(button):
            async with self.store.unit_of_work() as uow:
                reply, given = await self.consent.press(uow, chat, button)
            await sink.send(chat, reply)
            if given:
                await sink.send(chat, self._role_menu())
            return
        if _is_rights_action(command, button):
            await self._rights(inbound, command, button, sink)
            return
        async with self.store.unit_of_work() as uow:
            user = await self.consent.consented_user(uow, chat)
            pending = user is not None and await uow.deletions.pending(user.id) is not None
            notice = await self.rights.pending_notice(uow, user) if user and pending else None
        if notice is not None:  # deletion requested: processing stops until it is cancelled
            await sink.send(chat, notice)
            return
        if user is None:  # nothing stored, nothing downloaded, no provider called
            await sink.send(chat, self._consent_prompt(command))
            return
        if feature is not None and command is not None:
            await feature.command(Request(inbound, user, sink), command)
        elif command is not None:
            await self._command(user, command, chat, sink)
        elif button and (owner := self.features.for_button(button.split(":", 1)[0])):
            kind, args = parse_button(button) or ("", ())
            await owner.button(Request(inbound, user, sink), kind, args)
        elif button:
            await self._button(user, button, chat, sink)
        else:
            await self._answer(user, inbound, sink)

    def _consent_prompt(self, command: Command | None) -> Reply:
        gate = self.consent.prompt()
        lead = (
            texts.WELCOME
            if command is not None and command.name == "start"
            else (texts.CONSENT_NEEDED)
        )
        return Reply(f"{lead}\n\n{gate.text}", buttons=gate.buttons)

    async def _rights(
        self, inbound: Inbound, command: Command | None, button: str | None, sink: ReplySink
    ) -> None:
        """Export, deletion, correction and objection work with or without current consent."""
        chat, erase = inbound.chat, False
        name = command.name if command else ""
        args = command.args if command else ()
        async with self.store.unit_of_work() as uow:
            user = await uow.users.find(chat.platform, chat.user_id)
            if user is None:
                reply = Reply(privacy_texts.NO_DATA)
            elif name == "export" or button == "export":
                reply = await self.rights.export(uow, user, chat)
            elif name == "profile":
                reply = await self.rights.profile(uow, user, args)
            elif name == "consent":
                reply = await self.rights.withdraw(uow, user, chat)
            elif name == "delete" and args[:1] == ("cancel",):
                reply = await self.rights.cancel(uow, user, chat)
            elif name == "delete" or button == "delete:ask":
                reply = self.rights.confirm_deletion()
            else:
                action = (button or "").removeprefix("delete:")
                reply = await self.rights.deletion_button(uow, user, chat, action)
                erase = action == "now"
        await sink.send(chat, reply)
        if erase and user is not None:
            await sink.send(chat, await self.rights.erase_now(user))

    def _static(self, name: str) -> str:
        if name == "help":
            return texts.HELP.format(max_minutes=f"{self.max_answer_minutes:g}")
        return self.privacy_text

    async def _command(
        self, user: UserRecord, command: Command, chat: ChatRef, sink: ReplySink
    ) -> None:
        name = command.name
        if name in ("start", "consent"):
            await self._welcome_back(user, chat, sink)
        elif name == "interview":
            await self._interview_command(user, command.args, chat, sink)
        elif name == "progress":
            async with self.store.unit_of_work() as uow:
                points = await progress_points(uow, user)
            await sink.send(chat, await progress_reply(points))
        elif name in ("skip", "retry", "end"):
            await self._session_command(user, name, chat, sink)
        elif name in ("cv", "jd"):
            await sink.send(chat, await self.documents.command(user, command))

    async def _welcome_back(self, user: UserRecord, chat: ChatRef, sink: ReplySink) -> None:
        async with self.store.unit_of_work() as uow:
            session = await uow.sessions.active(user.id)
            if session is not None:
                reply = await self.interview.resume(uow, user, session)
            else:
                reply = self._role_menu()
        await sink.send(chat, await self.interview.voiced(reply))

    async def _interview_command(
        self, user: UserRecord, args: tuple[str, ...], chat: ChatRef, sink: ReplySink
    ) -> None:
        role = normalise_role(args[0]) if args else None
        level = normalise_level(args[1]) if len(args) > 1 else None
        if role is None:
            await sink.send(chat, self._role_menu())
        elif level is None:
            await sink.send(chat, self._level_menu(role))
        else:
            await self._start(user, role, level, chat, sink, restart=False)

    async def _button(self, user: UserRecord, data: str, chat: ChatRef, sink: ReplySink) -> None:
        parsed = parse_button(data)
        kind, args = parsed if parsed else ("", ())
        if kind == "role" and args and args[0] in ROLES:
            await sink.send(chat, self._level_menu(args[0]))
        elif kind == "level" and len(args) == 2 and args[0] in ROLES and args[1] in LEVELS:
            await self._start(user, args[0], args[1], chat, sink, restart=False)
        elif kind == "restart" and len(args) == 2 and args[0] in ROLES and args[1] in LEVELS:
            await self._start(user, args[0], args[1], chat, sink, restart=True)
        elif kind == "continue":
            await self._welcome_back(user, chat, sink)
        else:  # stale or forged button: say so plainly
            await sink.send(
                chat, Reply("That button has expired. Send /help to see what I can do.")
            )

    async def _start(
        self, user: UserRecord, role: str, level: str, chat: ChatRef, sink: ReplySink, *,
        restart: bool,
    ) -> None:  # fmt: skip
        async with self.store.unit_of_work() as uow:
            active = await uow.sessions.active(user.id)
            if active is not None and not restart:
                turns = await uow.turns.for_session(active.id, user)
                reply = Reply(
                    texts.ALREADY_RUNNING.format(
                        role=ROLES.get(active.role, active.role), number=len(turns)
                    ),
                    buttons=(
                        (
                            Button("Continue", "continue"),
                            Button("Start over", f"restart:{role}:{level}"),
                        ),
                    ),
                )
                await sink.send(chat, reply)
                return
            refusal = await self.features.refuse_start(uow, user)
            documents = await uow.users.documents(user)
        if refusal is not None:
            await sink.send(chat, refusal)
            return
        first = await self.interview.plan_first(role, level, documents)  # no transaction open
        if first is None:
            await sink.send(chat, Reply(texts.BANK_EXHAUSTED))
            return
        async with self.store.unit_of_work() as uow:  # the person's lock keeps this consistent
            if active is not None:
                await self.interview.abandon(uow, user, active)
            reply = await self.interview.start(uow, user, chat, role, level, first)
        await sink.send(chat, await self.interview.voiced(reply))

    async def _session_command(
        self, user: UserRecord, name: str, chat: ChatRef, sink: ReplySink
    ) -> None:
        async with self.store.unit_of_work() as uow:
            session = await uow.sessions.active(user.id)
            if session is None:
                replies = [Reply(texts.NO_INTERVIEW)]
            elif name == "retry":
                replies = [await self.interview.retry(uow, user, session)]
            elif name == "end":
                replies = await self.interview.end(uow, user, session)
        if session is not None and name == "skip":  # plans the next question between commits
            replies = await self.interview.skip(user, session)
        for reply in replies:
            await sink.send(chat, await self.interview.voiced(reply))
        if session is not None and name in ("skip", "end"):
            await self.interview.rewrite_if_finished(user, session, chat, sink)

    async def _answer(self, user: UserRecord, inbound: Inbound, sink: ReplySink) -> None:
        """An answer to the current question; a CV document (or any document) outside one."""
        async with self.store.unit_of_work() as uow:
            session = await uow.sessions.active(user.id)
            turn = await uow.turns.latest(session.id, user) if session else None
            refusal = await self.features.refuse_answer(uow, user, inbound)
        if refusal is not None:
            await sink.send(inbound.chat, refusal)
            return
        waiting = turn is not None and turn.status in ("asked", "received")
        att = inbound.attachment
        if att is not None and is_document(att) and (is_cv_file(att) or not waiting):
            await sink.send(inbound.chat, await self.documents.upload(user, att))
            return
        if session is None or turn is None:
            await sink.send(inbound.chat, Reply(texts.NO_INTERVIEW))
            return
        if turn.status not in ("asked", "received"):  # "received": an earlier try failed
            await sink.send(inbound.chat, Reply(texts.ALREADY_ANSWERED))
            return
        await self.interview.answer(user, session, turn, inbound, sink)

    def _role_menu(self) -> Reply:
        items = [Button(title, f"role:{role}") for role, title in ROLES.items()]
        buttons = tuple(tuple(items[i : i + 2]) for i in range(0, len(items), 2))
        return Reply(texts.CHOOSE_ROLE, buttons=buttons)

    def _level_menu(self, role: str) -> Reply:
        row = tuple(Button(level.capitalize(), f"level:{role}:{level}") for level in LEVELS)
        return Reply(texts.CHOOSE_LEVEL.format(role=ROLES[role]), buttons=(row,))


def _is_rights_action(command: Command | None, button: str | None) -> bool:
    if command is not None:
        if command.name in ("export", "delete", "profile"):
            return True
        return command.name == "consent" and command.args[:1] == ("withdraw",)
    return bool(button) and (button == "export" or str(button).startswith("delete:"))
