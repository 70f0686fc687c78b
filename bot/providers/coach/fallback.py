"""A coach that falls back to the offline one when the cloud judge or interviewer fails."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from bot.core.errors import ProviderError
from bot.core.models import Assessment, InterviewContext, Question, SpeechMetrics, Transcript
from bot.core.ports import Coach

log = logging.getLogger(__name__)
OFFLINE_NOTE = "(Offline feedback: the AI judge is unavailable right now.) "


class FallbackCoach:
    """Use `primary`; on a `ProviderError` answer with `offline`, marked as such.

    The candidate always gets feedback; the caller keeps the recorded answer so it can be
    re-scored by the AI judge later.
    """

    def __init__(self, primary: Coach, offline: Coach) -> None:
        self.primary = primary
        self.offline = offline
        self.name = f"{primary.name}+{offline.name}"

    @property
    def providers(self) -> tuple[Coach, Coach]:
        """The chain, primary first (the app closes each on shutdown)."""
        return (self.primary, self.offline)

    async def assess(
        self, *, question: Question, transcript: Transcript, metrics: SpeechMetrics
    ) -> Assessment:
        try:
            return await self.primary.assess(
                question=question, transcript=transcript, metrics=metrics
            )
        except ProviderError as exc:
            log.warning("%s judge failed (%s); using %s", self.primary.name, exc, self.offline.name)
        result = await self.offline.assess(
            question=question, transcript=transcript, metrics=metrics
        )
        return dataclasses.replace(result, feedback=OFFLINE_NOTE + result.feedback)

    async def next_question(self, context: InterviewContext) -> Question:
        try:
            return await self.primary.next_question(context)
        except ProviderError as exc:
            return await self._offline_question(context, exc)

    async def stream_question(
        self, context: InterviewContext, on_text: Callable[[str], None]
    ) -> Question:
        """The primary's streamed question when it streams, else `next_question`."""
        stream = getattr(self.primary, "stream_question", None)
        if stream is None:
            return await self.next_question(context)
        try:
            question: Question = await stream(context, on_text)
            return question
        except ProviderError as exc:
            return await self._offline_question(context, exc)

    async def _offline_question(self, context: InterviewContext, exc: ProviderError) -> Question:
        log.warning(
            "%s interviewer failed (%s); using %s", self.primary.name, exc, self.offline.name
        )
        return await self.offline.next_question(context)

    async def aclose(self) -> None:
        """Close the primary's connection pool if it has one."""
        close = getattr(self.primary, "aclose", None)
        if callable(close):
            await close()
