"""The story bank (`/stories`): the candidate's best answers, tagged, to reuse and refine.

Saved from a turn (the "Save story" button under feedback, or `/stories save [tags]` for the
latest scored answer), listed, read back with a STAR rewrite to refine them, re-tagged and
deleted. Stories are sealed at rest, exported and erased with everything else.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.clock import Clock
from bot.core.models import Question
from bot.core.records import SessionRecord, StoryRecord, TurnRecord, UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.flows.rewrite import (
    QuestionOf,
    Rewriter,
    answer_of,
    find_turn,
    full_answer,
    turn_id_of,
)
from bot.flows.text import words

TAGS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "leadership": (
        frozenset({"leadership", "mentoring"}),
        ("led", "lead", "mentor", "coach", "managed", "hired", "onboard"),
    ),
    "conflict": (
        frozenset({"conflict", "negotiation", "de-escalation"}),
        ("disagre", "conflict", "pushback", "pushed back", "argu", "upset", "angry", "tension"),
    ),
    "failure": (
        frozenset({"resilience", "reflection", "accountability"}),
        ("fail", "mistake", "missed", "wrong", "broke", "lesson", "regret"),
    ),
    "impact": (
        frozenset({"impact", "metrics"}),
        (
            "increas",
            "reduc",
            "saved",
            "revenue",
            "percent",
            "doubled",
            "dropped",
            "improv",
            "grew",
            "recovered",
        ),
    ),
    "teamwork": (
        frozenset({"collaboration"}),
        ("together", "cross-functional", "colleague", "paired", "teammate"),
    ),
    "customer": (
        frozenset({"customer-focus", "empathy", "escalation"}),
        ("customer", "client", "user"),
    ),
    "initiative": (
        frozenset({"initiative", "ownership"}),
        ("volunteer", "proposed", "noticed", "on my own", "took it on"),
    ),
    "pressure": (
        frozenset({"time-management", "prioritisation"}),
        (
            "deadline",
            "outage",
            "incident",
            "urgent",
            "pressure",
            "overnight",
            "on-call",
            "timing out",
        ),
    ),
    "influence": (
        frozenset({"influence", "stakeholder-management"}),
        ("convinc", "persuad", "stakeholder", "buy-in", "won them over"),
    ),
    "learning": (
        frozenset({"learning", "growth", "adaptability"}),
        ("learned", "learnt", "taught myself", "new to", "picked up"),
    ),
}
"""Tag -> (bank competencies that imply it, word beginnings in the question or answer)."""
MAX_TAGS = 4
PREVIEW_WORDS = 18

HOW = (
    "Your story bank keeps your best answers so you can reuse them. Save one with the "
    '"Save story" button under feedback, or /stories save [tags] for your last answer.\n'
    "/stories - list · /stories N - read story N with a STAR version to refine it · "
    "/stories tag N tags - retag · /stories delete N - delete\n"
    f"Tags: {', '.join(TAGS)}"
)
EMPTY = "Your story bank is empty. " + HOW
NOTHING_TO_SAVE = "There's no scored answer to save yet. Answer a question first."
NO_SUCH_STORY = "There's no story {number}. Send /stories to see their numbers."
UNKNOWN_TAGS = "I don't know the tag(s) {tags}. Tags: {known}."


def infer_tags(question: str, answer: str, competencies: Iterable[str] = ()) -> tuple[str, ...]:
    """Up to four tags, most evident first, from the question's competencies and the words
    of the question and answer."""
    text = " " + " ".join(words(f"{question} {answer}")) + " "
    given = set(competencies)
    hits: dict[str, int] = {}
    for tag, (implied, cues) in TAGS.items():
        count = 2 * bool(given & implied) + sum(text.count(" " + cue) for cue in cues)
        if count:
            hits[tag] = count
    ranked = sorted(hits, key=lambda tag: (-hits[tag], list(TAGS).index(tag)))
    return tuple(ranked[:MAX_TAGS])


def parse_tags(args: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(known tags, unknown words) from `leadership, conflict` / `#impact` style input."""
    given = [a.strip("#,;").lower() for a in args]
    known = tuple(dict.fromkeys(t for t in given if t in TAGS))
    unknown = tuple(t for t in given if t and t not in TAGS)
    return known, unknown


def story_list(stories: list[StoryRecord]) -> str:
    """Numbered stories with their tags, score and first words."""
    if not stories:
        return EMPTY
    lines = ["Your story bank:"]
    for number, story in enumerate(stories, start=1):
        tags = ", ".join(story.tags) or "untagged"
        score = f" · {story.overall}/100" if story.overall is not None else ""
        preview = " ".join(story.text.split()[:PREVIEW_WORDS])
        lines.append(f'{number}. [{tags}]{score}: "{preview}…"')
    return "\n".join(lines) + "\n\n" + HOW


class StoriesFeature:
    """`/stories` and the "Save story" button (`story:<turn id>`)."""

    commands = frozenset({"stories"})
    buttons = frozenset({"story"})
    before_consent: frozenset[str] = frozenset()

    def __init__(
        self, *, store: Store, clock: Clock, rewriter: Rewriter, question_of: QuestionOf
    ) -> None:
        self.store = store
        self.clock = clock
        self.rewriter = rewriter
        self.question_of = question_of

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        assert request.user is not None
        turn_id = turn_id_of(args)
        async with self.store.unit_of_work() as uow:
            found = await find_turn(uow, request.user, turn_id) if turn_id else None
            if found is None:
                reply = NOTHING_TO_SAVE
            else:
                reply = await self._save(uow, request.user, *found, ())
        await request.reply(reply)

    async def command(self, request: Request, command: Command) -> None:
        assert request.user is not None
        user, args = request.user, command.args
        action = args[0].lower() if args else ""
        async with self.store.unit_of_work() as uow:
            stories = await uow.stories.for_user(user)
            if action == "save":
                reply = await self._save_latest(uow, user, args[1:])
            elif action in ("delete", "tag") and len(args) > 1:
                reply = await self._change(uow, user, stories, action, args[1], args[2:])
            elif action.isdigit():
                reply = await self._show(stories, int(action))
            else:
                reply = story_list(stories)
        await request.reply(reply)

    async def _save_latest(self, uow: UnitOfWork, user: UserRecord, args: tuple[str, ...]) -> str:
        for session in reversed(await uow.sessions.for_user(user.id)):
            turns = await uow.turns.for_session(session.id, user)
            scored = [t for t in turns if t.overall is not None and answer_of(t)]
            if scored:
                return await self._save(uow, user, session, turns, scored[-1], args)
        return NOTHING_TO_SAVE

    async def _save(
        self, uow: UnitOfWork, user: UserRecord, session: SessionRecord, turns: list[TurnRecord],
        turn: TurnRecord, args: tuple[str, ...],
    ) -> str:  # fmt: skip
        if not answer_of(turn):
            return NOTHING_TO_SAVE
        tags, unknown = parse_tags(args)
        if unknown:
            return UNKNOWN_TAGS.format(tags=", ".join(unknown), known=", ".join(TAGS))
        text = full_answer(turns, turn)
        if not tags:
            question = self.question_of(session, turn)
            tags = infer_tags(turn.question_text, text, question.competencies)
        await uow.stories.save(
            user, text=text, question=turn.question_text, tags=tags, overall=turn.overall,
            now=self.clock.now(),
        )  # fmt: skip
        number = len(await uow.stories.for_user(user))
        shown = ", ".join(tags) or "none (add some with /stories tag)"
        return f"Saved as story {number}. Tags: {shown}. Send /stories to see your bank."

    async def _change(
        self, uow: UnitOfWork, user: UserRecord, stories: list[StoryRecord], action: str,
        number: str, rest: tuple[str, ...],
    ) -> str:  # fmt: skip
        story = _numbered(stories, number)
        if story is None:
            return NO_SUCH_STORY.format(number=number)
        if action == "delete":
            await uow.stories.delete(user, story.id)
            return f"Story {number} is deleted."
        tags, unknown = parse_tags(rest)
        if unknown or not tags:
            return UNKNOWN_TAGS.format(tags=", ".join(unknown) or "(none)", known=", ".join(TAGS))
        await uow.stories.set_tags(user, story.id, tags, now=self.clock.now())
        return f"Story {number} is now tagged: {', '.join(tags)}."

    async def _show(self, stories: list[StoryRecord], number: int) -> str:
        story = _numbered(stories, str(number))
        if story is None:
            return NO_SUCH_STORY.format(number=number)
        question = Question(id="story", role="", text=story.question or "")
        rewrite = await self.rewriter.rewrite(question=question, answer=story.text)
        head = f"Story {number} [{', '.join(story.tags) or 'untagged'}]"
        asked = f"\nQuestion: {story.question}" if story.question else ""
        return f"{head}{asked}\n\n{story.text}\n\nTo refine it, in STAR form:\n{rewrite}"


def _numbered(stories: list[StoryRecord], number: str) -> StoryRecord | None:
    if not number.isdigit() or not 1 <= int(number) <= len(stories):
        return None
    return stories[int(number) - 1]
