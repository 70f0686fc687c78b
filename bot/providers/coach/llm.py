"""The `Coach` port over any language model: judge with one repair, streamed interviewer.

A vendor module supplies a `ChatModel` (two calls: one structured scoring answer, one
streamed text); everything else lives here once, for Claude and OpenAI-compatible servers
alike:

- Judge: the model's scoring output is validated with `ScoreOutput` (pydantic); invalid
  output gets one repair request naming the problems, then a `ProviderError`. Evidence
  quotes the transcript does not contain are dropped; the overall score is computed in code
  from the dimensions (`overall_score`), never taken from the model, and the speech metrics
  are never asked of it.
- Interviewer: the next question is streamed (each text delta goes to `on_text` when the
  caller wants to voice it while it is written) and cleaned; on any provider failure the
  offline coach's bank question is used instead.

Candidate text is never logged.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from bot.core.errors import ProviderError
from bot.core.models import (
    Assessment,
    DimensionScore,
    InterviewContext,
    Question,
    SpeechMetrics,
    Transcript,
)
from bot.core.ports import Coach
from bot.flows.questions import questions_for
from bot.flows.rubric import overall_score
from bot.flows.text import content_words, spoken_text
from bot.providers.coach import llm_prompts as prompts
from bot.providers.coach.rules import RuleBasedCoach

log = logging.getLogger(__name__)
QuestionSource = Callable[[InterviewContext], Awaitable[Question]]
TextSink = Callable[[str], None]
MIN_SHARED_WORDS = 2
"""A bank question sharing this many content words lends its keywords and strong answer."""


@dataclass(frozen=True, slots=True)
class RawScore:
    """The model's scoring answer before validation: parsed arguments or raw JSON text."""

    call_id: str
    data: dict[str, Any] | str


@dataclass(frozen=True, slots=True)
class Repair:
    """An invalid scoring answer and what was wrong with it, for the one repair request."""

    previous: RawScore
    problems: str


class ChatModel(Protocol):
    """What a coach needs from a language-model API; errors are raised as ProviderError."""

    name: str

    async def score(self, prompt: str, repair: Repair | None = None) -> RawScore:
        """The judge's structured answer to `prompt` (asked again with `repair`)."""
        ...

    async def stream(self, prompt: str, on_text: TextSink) -> str:
        """The interviewer's reply to `prompt`, each text delta passed to `on_text`."""
        ...

    async def aclose(self) -> None: ...


def grounded(evidence: str, transcript: str) -> str:
    """The transcript's own text for `evidence` if it occurs there (any case), else ""."""
    quote = evidence.strip().strip("\"'“”‘’").strip()
    if not quote:
        return ""
    found = re.search(re.escape(quote), transcript, re.IGNORECASE)
    return found.group(0) if found else ""


def to_assessment(output: prompts.ScoreOutput, transcript: str) -> Assessment:
    """Validated scores as an Assessment: evidence checked, overall computed here."""
    dims = tuple(
        DimensionScore(d.name, d.score, d.justification.strip(), grounded(d.evidence, transcript))
        for d in output.dimensions
    )
    follow_up = (output.follow_up or "").strip() or None
    return Assessment(
        overall=overall_score(dims),
        dimensions=dims,
        strengths=tuple(s.strip() for s in output.strengths if s.strip()),
        improvements=tuple(s.strip() for s in output.improvements if s.strip()),
        feedback=output.feedback.strip(),
        follow_up=follow_up,
    )


def validated(raw: RawScore) -> prompts.ScoreOutput:
    """`raw` checked against the schema; raises ValidationError (bad JSON included)."""
    if isinstance(raw.data, str):
        return prompts.ScoreOutput.model_validate_json(raw.data)
    return prompts.ScoreOutput.model_validate(raw.data)


def problems_of(error: ValidationError) -> str:
    """The validation errors as one line for the repair request."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in error.errors()
    )


def next_kind(context: InterviewContext) -> str:
    """Alternate behavioural and role questions, starting behavioural."""
    if not context.turns:
        return "behavioural"
    return "role" if context.turns[-1].question.kind == "behavioural" else "behavioural"


def closest_bank_question(text: str, role: str, level: str) -> Question | None:
    """The bank question sharing most content words with `text`, if it shares enough."""
    try:
        bank = questions_for(role, level)
    except ValueError:
        return None
    words = set(content_words(text))
    best = max(bank, key=lambda q: len(words & _bank_words(q.text)), default=None)
    if best is None or len(words & _bank_words(best.text)) < MIN_SHARED_WORDS:
        return None
    return best


@functools.lru_cache(maxsize=4096)
def _bank_words(question: str) -> frozenset[str]:
    """A bank question's content words, worked out once (every planned question asks)."""
    return frozenset(content_words(question))


def clean_question(text: str) -> str:
    """Collapse whitespace and strip quotes the model may wrap the question in."""
    return " ".join(text.split()).strip("\"'“”").strip()


def question_from(context: InterviewContext, text: str) -> Question:
    """The model's question, borrowing notes from a close bank question when there is one."""
    kind = next_kind(context)
    bank = closest_bank_question(text, context.role, context.level)
    return Question(
        id=f"llm-{len(context.asked_ids) + 1}",
        role=context.role,
        text=text,
        kind="role" if kind == "role" else "behavioural",
        competencies=bank.competencies if bank else (),
        strong_answer=bank.strong_answer if bank else (),
        keywords=bank.keywords if bank else (),
        levels=(context.level,),
    )


def _ignore(_text: str) -> None:
    """A text sink for callers that do not voice the question while it streams."""


class ModelCoach:
    """`Coach` (and `StreamingCoach`) over a `ChatModel`."""

    def __init__(
        self, model: ChatModel, *, fallback_questions: Coach | QuestionSource | None = None
    ) -> None:
        self.model = model
        self.name = model.name
        source = fallback_questions or RuleBasedCoach()
        self._fallback: QuestionSource = source if callable(source) else source.next_question

    async def assess(
        self, *, question: Question, transcript: Transcript, metrics: SpeechMetrics
    ) -> Assessment:
        """Score one answer; ProviderError when the model fails or answers invalidly twice."""
        text = spoken_text(transcript)
        prompt = prompts.judge_prompt(question, text, metrics, transcript.language)
        raw = await self.model.score(prompt)
        try:
            return to_assessment(validated(raw), text)
        except ValidationError as exc:
            log.warning(
                "judge output invalid (%s errors); asking once to repair", exc.error_count()
            )
            repair = Repair(raw, problems_of(exc))
        raw = await self.model.score(prompt, repair)
        try:
            return to_assessment(validated(raw), text)
        except ValidationError as exc:
            raise ProviderError("the AI judge returned invalid scores twice") from exc

    async def next_question(self, context: InterviewContext) -> Question:
        """The model's next question; the offline coach's bank question on failure."""
        return await self.stream_question(context, _ignore)

    async def stream_question(self, context: InterviewContext, on_text: TextSink) -> Question:
        """`next_question`, passing each text delta to `on_text` while the model writes it."""
        prompt = prompts.interviewer_prompt(context, next_kind(context))
        try:
            text = clean_question(await self.model.stream(prompt, on_text))
            if not text:
                raise ProviderError("the interviewer returned an empty question")
        except ProviderError as exc:
            log.warning("interviewer unavailable (%s); using a bank question", exc)
            return await self._fallback(context)
        return question_from(context, text)

    async def aclose(self) -> None:
        """Close the model's HTTP connection pool."""
        await self.model.aclose()
