"""Claude as judge and interviewer: a `ChatModel` over Anthropic's Messages API.

Judge: one forced `score_answer` tool call; a repair re-sends the invalid call with an
error tool result naming the problems. Interviewer: a streamed text reply. The static
system prompts are cached (prompt caching). The SDK retries (`max_retries`: 429, 529, 5xx,
timeouts, with jitter, honouring `retry-after`) and each whole call is bounded by
`bot.providers.retry.deadline_s`. Validation, grounding and fallbacks live in
`bot.providers.coach.llm.ModelCoach`.
"""

from __future__ import annotations

from typing import Any, cast

import anthropic
from anthropic import AsyncAnthropic
from anthropic.types import Message, MessageParam, TextBlockParam, ToolParam, ToolUseBlock

from bot.core.errors import ProviderError
from bot.core.ports import Coach
from bot.core.usage import UsageMeter
from bot.providers.coach import llm_prompts as prompts
from bot.providers.coach.llm import ModelCoach, QuestionSource, RawScore, Repair, TextSink
from bot.providers.metering import Tally, metered
from bot.providers.retry import (
    BROKEN_BODY,
    DEFAULT_MAX_RETRIES,
    as_provider_error,
    deadline_s,
    within,
)

JUDGE, INTERVIEWER = "the AI judge", "the interviewer"


class ClaudeModel:
    """The two Messages API calls a `ModelCoach` needs."""

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str,
        timeout_s: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_tokens: int = 1024,
        meter: UsageMeter | None = None,
    ) -> None:
        self._client = AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )
        self.model = model
        self.max_tokens = max_tokens
        self.deadline_s = deadline_s(timeout_s, max_retries)
        self.meter = meter

    async def score(self, prompt: str, repair: Repair | None = None) -> RawScore:
        messages: list[MessageParam] = [{"role": "user", "content": prompt}]
        if repair is not None:
            messages += _repair_turns(repair)
        async with metered(
            self.meter, stage="judge", provider=self.name, model=self.model
        ) as tally:
            message = await within(self._create(messages), seconds=self.deadline_s, what=JUDGE)
            _count(tally, message)
        for block in message.content:
            if isinstance(block, ToolUseBlock) and block.name == prompts.TOOL_NAME:
                return RawScore(block.id, cast(dict[str, Any], block.input))
        raise ProviderError("the AI judge did not call the scoring tool")

    async def _create(self, messages: list[MessageParam]) -> Message:
        try:
            return await self._client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=_cached(prompts.JUDGE_SYSTEM),
                messages=messages,
                tools=[cast(ToolParam, prompts.SCORE_TOOL)],
                tool_choice={"type": "tool", "name": prompts.TOOL_NAME},
            )
        except anthropic.AnthropicError as exc:
            raise as_provider_error(exc, JUDGE) from exc

    async def stream(self, prompt: str, on_text: TextSink) -> str:
        stage, model = "interviewer", self.model
        async with metered(self.meter, stage=stage, provider=self.name, model=model) as tally:
            reply = self._stream(prompt, on_text, tally)
            return await within(reply, seconds=self.deadline_s, what=INTERVIEWER)

    async def _stream(self, prompt: str, on_text: TextSink, tally: Tally) -> str:
        chunks: list[str] = []
        try:
            async with self._client.messages.stream(
                model=self.model,
                max_tokens=300,
                system=_cached(prompts.INTERVIEWER_SYSTEM),
                messages=[{"role": "user", "content": prompt}],
            ) as stream:
                async for text in stream.text_stream:
                    chunks.append(text)
                    on_text(text)
                _count(tally, await stream.get_final_message())
        except anthropic.AnthropicError as exc:
            raise as_provider_error(exc, INTERVIEWER) from exc
        except BROKEN_BODY as exc:
            raise ProviderError("the interviewer's stream broke off", retryable=True) from exc
        return "".join(chunks)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


class ClaudeCoach(ModelCoach):
    """`Coach` over Claude: a rubric judge with structured output and a streamed interviewer."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str,
        timeout_s: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        fallback_questions: Coach | QuestionSource | None = None,
        max_tokens: int = 1024,
        meter: UsageMeter | None = None,
    ) -> None:
        claude = ClaudeModel(
            api_key=api_key, base_url=base_url, model=model, timeout_s=timeout_s,
            max_retries=max_retries, max_tokens=max_tokens, meter=meter,
        )  # fmt: skip
        super().__init__(claude, fallback_questions=fallback_questions)


def _count(tally: Tally, message: Message) -> None:
    """Tokens in (cached prompt tokens included) and out."""
    usage = message.usage
    cached = (usage.cache_creation_input_tokens or 0) + (usage.cache_read_input_tokens or 0)
    tally.input_tokens = usage.input_tokens + cached
    tally.output_tokens = usage.output_tokens


def _cached(text: str) -> list[TextBlockParam]:
    """A static system prompt as one block marked for prompt caching."""
    return [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]


def _repair_turns(repair: Repair) -> list[MessageParam]:
    """The invalid tool call and an error tool result naming what to fix."""
    call = repair.previous
    tool_use: dict[str, Any] = {
        "type": "tool_use",
        "id": call.call_id,
        "name": prompts.TOOL_NAME,
        "input": call.data,
    }
    return [
        {"role": "assistant", "content": [cast(Any, tool_use)]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": call.call_id,
                    "is_error": True,
                    "content": f"Invalid input, call {prompts.TOOL_NAME} again. {repair.problems}",
                }
            ],
        },
    ]
