"""Any OpenAI-compatible chat server as judge and interviewer (`/v1/chat/completions`).

For OpenAI, Together.AI or a local model behind Ollama, vLLM or llama.cpp's server. Judge:
one JSON answer constrained with `response_format: json_schema` (the same schema Claude's
scoring tool uses; a model that wraps it in a code fence is unwrapped); a repair re-sends
the invalid answer with the problems. Interviewer: a streamed text reply. The SDK retries
(`max_retries`: 429, 5xx, timeouts, with jitter, honouring `retry-after`) and each whole
call is bounded by `bot.providers.retry.deadline_s`. Validation, grounding and fallbacks
live in `bot.providers.coach.llm.ModelCoach`.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import openai
from openai import AsyncOpenAI
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from bot.core.errors import ProviderError
from bot.core.usage import UsageMeter
from bot.providers.coach import llm_prompts as prompts
from bot.providers.coach.llm import RawScore, Repair, TextSink
from bot.providers.metering import Tally, metered
from bot.providers.retry import (
    BROKEN_BODY,
    DEFAULT_MAX_RETRIES,
    as_provider_error,
    deadline_s,
    within,
)

JUDGE, INTERVIEWER = "the AI judge", "the interviewer"
NO_KEY = "no-key"
"""Local servers need no key, but the SDK insists on one."""
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": prompts.TOOL_NAME, "schema": prompts.SCORE_SCHEMA, "strict": False},
}


def json_text(content: str) -> str:
    """The JSON inside a model's answer, without a Markdown code fence around it."""
    text = content.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


class OpenAIChatModel:
    """The two chat-completions calls a `ModelCoach` needs."""

    name = "openai-chat"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_tokens: int = 1024,
        meter: UsageMeter | None = None,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key or NO_KEY, base_url=base_url, timeout=timeout_s,
            max_retries=max_retries,
        )  # fmt: skip
        self.model = model
        self.max_tokens = max_tokens
        self.deadline_s = deadline_s(timeout_s, max_retries)
        self.meter = meter

    async def score(self, prompt: str, repair: Repair | None = None) -> RawScore:
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": prompts.JUDGE_SYSTEM_JSON},
            {"role": "user", "content": prompt},
        ]
        if repair is not None:
            messages += _repair_turns(repair)
        async with metered(
            self.meter, stage="judge", provider=self.name, model=self.model
        ) as tally:
            completion = await within(self._create(messages), seconds=self.deadline_s, what=JUDGE)
            _count(tally, completion.usage)
        content = completion.choices[0].message.content if completion.choices else None
        if not content:
            raise ProviderError("the AI judge returned no scores")
        return RawScore(completion.id, json_text(content))

    async def _create(self, messages: list[ChatCompletionMessageParam]) -> ChatCompletion:
        try:
            return await self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=self.max_tokens,
                response_format=cast(Any, RESPONSE_FORMAT),
            )
        except openai.OpenAIError as exc:
            raise as_provider_error(exc, JUDGE) from exc

    async def stream(self, prompt: str, on_text: TextSink) -> str:
        stage, model = "interviewer", self.model
        async with metered(self.meter, stage=stage, provider=self.name, model=model) as tally:
            reply = self._stream(prompt, on_text, tally)
            return await within(reply, seconds=self.deadline_s, what=INTERVIEWER)

    async def _stream(self, prompt: str, on_text: TextSink, tally: Tally) -> str:
        chunks: list[str] = []
        try:
            stream = await self._client.chat.completions.create(
                model=self.model,
                max_tokens=300,
                stream=True,
                stream_options={"include_usage": True},
                messages=[
                    {"role": "system", "content": prompts.INTERVIEWER_SYSTEM},
                    {"role": "user", "content": prompt},
                ],
            )
            async with stream:
                async for chunk in stream:
                    _count(tally, chunk.usage)
                    text = chunk.choices[0].delta.content if chunk.choices else None
                    if text:
                        chunks.append(text)
                        on_text(text)
        except openai.OpenAIError as exc:
            raise as_provider_error(exc, INTERVIEWER) from exc
        except BROKEN_BODY as exc:
            raise ProviderError("the interviewer's stream broke off", retryable=True) from exc
        return "".join(chunks)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


def _count(tally: Tally, usage: CompletionUsage | None) -> None:
    """Tokens in and out, when the server reports them."""
    if usage is not None:
        tally.input_tokens = usage.prompt_tokens
        tally.output_tokens = usage.completion_tokens


def _repair_turns(repair: Repair) -> list[ChatCompletionMessageParam]:
    """The invalid answer and a user turn naming what to fix."""
    data = repair.previous.data
    previous = data if isinstance(data, str) else json.dumps(data)
    fix = (
        f"That answer was invalid: {repair.problems}. Answer again with one JSON object "
        f"that follows the {prompts.TOOL_NAME} schema, and nothing else."
    )
    return [{"role": "assistant", "content": previous}, {"role": "user", "content": fix}]
