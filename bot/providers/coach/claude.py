"""The `Coach` port over Anthropic's Messages API (the official `anthropic` SDK).

Judge: one forced `score_answer` tool call whose input is validated with pydantic; invalid
input gets one repair request (the validation error is sent back as an error tool result),
then a `ProviderError`. Evidence quotes the transcript does not contain are dropped; the
overall score is computed in code from the dimensions (`overall_score`), never taken from the
model, and the speech metrics are never asked of it. The static system prompt is cached.

Interviewer: the next question is streamed and collected; on any provider failure the
offline coach's bank question is used instead. The SDK does not retry (`max_retries=0`);
`bot.providers.retry` does, on 429, 529, 5xx and timeouts only. Candidate text is never logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

import anthropic
from anthropic import AsyncAnthropic
from anthropic.types import Message, MessageParam, TextBlockParam, ToolParam, ToolUseBlock
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
from bot.providers.coach import claude_prompts as prompts
from bot.providers.coach.rules import RuleBasedCoach
from bot.providers.retry import RetryPolicy, status_is_retryable, with_retries

log = logging.getLogger(__name__)
QuestionSource = Callable[[InterviewContext], Awaitable[Question]]
MIN_SHARED_WORDS = 2
"""A bank question sharing this many content words lends its keywords and strong answer."""


def as_provider_error(exc: anthropic.AnthropicError, what: str) -> ProviderError:
    """Translate an SDK error; the message names the failure, never the payload."""
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError(f"{what} timed out", retryable=True)
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError(f"{what} unreachable", retryable=True)
    if isinstance(exc, anthropic.APIStatusError):
        retryable = status_is_retryable(exc.status_code)
        return ProviderError(f"{what} failed with HTTP {exc.status_code}", retryable=retryable)
    return ProviderError(f"{what} failed ({type(exc).__name__})")


def grounded(evidence: str, transcript: str) -> str:
    """The transcript's own text for `evidence` if it occurs there (any case), else ""."""
    quote = evidence.strip().strip("\"'“”‘’").strip()
    if not quote:
        return ""
    found = re.search(re.escape(quote), transcript, re.IGNORECASE)
    return found.group(0) if found else ""


def to_assessment(output: prompts.ScoreOutput, transcript: str) -> Assessment:
    """Validated tool input as an Assessment: evidence checked, overall computed here."""
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
    best = max(bank, key=lambda q: len(words.intersection(content_words(q.text))), default=None)
    if best is None or len(words.intersection(content_words(best.text))) < MIN_SHARED_WORDS:
        return None
    return best


def clean_question(text: str) -> str:
    """Collapse whitespace and strip quotes the model may wrap the question in."""
    return " ".join(text.split()).strip("\"'“”").strip()


class ClaudeCoach:
    """`Coach` over Claude: a rubric judge with structured output and a streamed interviewer."""

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        fallback_questions: Coach | QuestionSource | None = None,
        max_tokens: int = 1024,
    ) -> None:
        self._client = AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )
        self.model = model
        self.retry = retry or RetryPolicy()
        self.max_tokens = max_tokens
        source = fallback_questions or RuleBasedCoach()
        self._fallback: QuestionSource = source if callable(source) else source.next_question

    async def assess(
        self, *, question: Question, transcript: Transcript, metrics: SpeechMetrics
    ) -> Assessment:
        """Score one answer; raises ProviderError when Claude fails or answers invalidly twice."""
        text = spoken_text(transcript)
        messages: list[MessageParam] = [
            {"role": "user", "content": prompts.judge_prompt(question, text, metrics)}
        ]
        call = await self._score(messages)
        try:
            return to_assessment(prompts.ScoreOutput.model_validate(call.input), text)
        except ValidationError as exc:
            log.warning(
                "judge output invalid (%s errors); asking once to repair", exc.error_count()
            )
            messages += _repair_turns(call, exc)
        call = await self._score(messages)
        try:
            return to_assessment(prompts.ScoreOutput.model_validate(call.input), text)
        except ValidationError as exc:
            raise ProviderError("the AI judge returned invalid scores twice") from exc

    async def next_question(self, context: InterviewContext) -> Question:
        """Claude's next question, streamed; the offline coach's bank question on failure."""
        try:
            text = await with_retries(
                lambda: self._stream_question(context, next_kind(context)),
                policy=self.retry,
                what="interviewer",
            )
        except ProviderError as exc:
            log.warning("interviewer unavailable (%s); using a bank question", exc)
            return await self._fallback(context)
        return self._question(context, text)

    def _question(self, context: InterviewContext, text: str) -> Question:
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

    async def _score(self, messages: Sequence[MessageParam]) -> ToolUseBlock:
        async def once() -> Message:
            try:
                return await self._client.messages.create(
                    model=self.model,
                    max_tokens=self.max_tokens,
                    system=_cached(prompts.JUDGE_SYSTEM),
                    messages=list(messages),
                    tools=[cast(ToolParam, prompts.SCORE_TOOL)],
                    tool_choice={"type": "tool", "name": prompts.TOOL_NAME},
                )
            except anthropic.AnthropicError as exc:
                raise as_provider_error(exc, "the AI judge") from exc

        message = await with_retries(once, policy=self.retry, what="the AI judge")
        for block in message.content:
            if isinstance(block, ToolUseBlock) and block.name == prompts.TOOL_NAME:
                return block
        raise ProviderError("the AI judge did not call the scoring tool")

    async def _stream_question(self, context: InterviewContext, kind: str) -> str:
        chunks: list[str] = []
        try:
            async with self._client.messages.stream(
                model=self.model,
                max_tokens=300,
                system=_cached(prompts.INTERVIEWER_SYSTEM),
                messages=[{"role": "user", "content": prompts.interviewer_prompt(context, kind)}],
            ) as stream:
                async for text in stream.text_stream:
                    chunks.append(text)
        except anthropic.AnthropicError as exc:
            raise as_provider_error(exc, "the interviewer") from exc
        question = clean_question("".join(chunks))
        if not question:
            raise ProviderError("the interviewer returned an empty question")
        return question

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


def _cached(text: str) -> list[TextBlockParam]:
    """A static system prompt as one block marked for prompt caching."""
    return [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]


def _repair_turns(call: ToolUseBlock, error: ValidationError) -> list[MessageParam]:
    """The invalid tool call and an error tool result naming what to fix."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in error.errors()
    )
    tool_use: dict[str, Any] = {
        "type": "tool_use",
        "id": call.id,
        "name": call.name,
        "input": call.input,
    }
    return [
        {"role": "assistant", "content": [cast(Any, tool_use)]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": call.id,
                    "is_error": True,
                    "content": f"Invalid input, call {prompts.TOOL_NAME} again. {problems}",
                }
            ],
        },
    ]
