"""Speech-to-text through any OpenAI-compatible `/v1/audio/transcriptions` (Whisper).

Works with OpenAI, Together.AI, Groq or a local server (`base_url`). Asks for
`verbose_json` with word timestamps (the speech metrics use them); a server that refuses
it with a 400 is asked again, and from then on, for plain `json` (text only, no timings).
Audio goes up as-is: Telegram's `.oga` voice notes are named `voice.ogg`. The SDK retries
(`max_retries`: 429, 5xx, timeouts, with jitter, honouring `retry-after`); each whole call
is bounded by `bot.providers.retry.deadline_s`. Neither audio nor transcript is logged.
"""

from __future__ import annotations

import logging
from typing import Any

import openai
from openai import AsyncOpenAI

from bot.core.errors import ProviderError
from bot.core.models import AudioClip, Transcript, Word
from bot.core.usage import UsageMeter
from bot.providers.metering import metered
from bot.providers.retry import DEFAULT_MAX_RETRIES, as_provider_error, deadline_s, within

log = logging.getLogger(__name__)
WHAT = "speech recognition"
EXTENSIONS = {
    "audio/ogg": "ogg", "audio/opus": "ogg", "audio/oga": "ogg", "audio/wav": "wav",
    "audio/x-wav": "wav", "audio/wave": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3",
    "audio/mp4": "m4a", "audio/x-m4a": "m4a", "audio/webm": "webm", "audio/flac": "flac",
}  # fmt: skip
LANGUAGE_CODES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "polish": "pl", "russian": "ru", "ukrainian": "uk",
}  # fmt: skip


def upload_name(clip: AudioClip) -> tuple[str, str]:
    """(filename, mime) for the upload: `voice.<ext>`, with `.oga` sent as `.ogg`."""
    mime = clip.mime.split(";", 1)[0].strip().lower() or "audio/ogg"
    ext = EXTENSIONS.get(mime)
    if ext is None:
        ext = clip.filename.rsplit(".", 1)[-1].lower() if "." in clip.filename else "ogg"
        ext = "ogg" if ext == "oga" else ext
    return f"voice.{ext}", "audio/ogg" if ext == "ogg" else mime


def language_code(name: str | None) -> str | None:
    """OpenAI answers `english`; other servers `en`. Return the ISO 639-1 code when known."""
    if not name:
        return None
    name = name.strip().lower()
    return name if len(name) == 2 else LANGUAGE_CODES.get(name)


def to_transcript(result: Any) -> Transcript:
    """A `Transcription` or `TranscriptionVerbose` (or a bare string) as a Transcript."""
    if isinstance(result, str):
        return Transcript(text=result.strip())
    words = tuple(
        Word(text=w.word.strip(), start_s=float(w.start), end_s=float(w.end))
        for w in (getattr(result, "words", None) or ())
        if w.word.strip()
    )
    duration = getattr(result, "duration", None)
    return Transcript(
        text=(result.text or "").strip(),
        words=words,
        language=language_code(getattr(result, "language", None)),
        duration_s=float(duration) if duration is not None else None,
    )


class OpenAIWhisperSTT:
    """`SpeechToText` over the official `openai` SDK."""

    name = "openai-whisper"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = "whisper-1",
        language: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        meter: UsageMeter | None = None,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )
        self.model = model
        self.language = language
        self.deadline_s = deadline_s(timeout_s, max_retries)
        self.meter = meter
        self.verbose = True
        """False once the server refused `verbose_json`; later calls ask for `json`."""

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        """Transcribe `clip`; raises ProviderError (retryable or not) when the service fails."""
        async with metered(self.meter, stage="stt", provider=self.name, model=self.model) as tally:
            tally.audio_seconds = clip.duration_s or 0.0
            return await self._transcribe_any(clip, language or self.language)

    async def _transcribe_any(self, clip: AudioClip, lang: str | None) -> Transcript:
        """`verbose_json` until a server refuses it, then plain `json`."""
        if self.verbose:
            try:
                return await self._transcribe(clip, lang, verbose=True)
            except _VerboseRefused:
                transcript = await self._transcribe(clip, lang, verbose=False)
                log.warning("speech server refused verbose_json; using json without timings")
                self.verbose = False
                return transcript
        return await self._transcribe(clip, lang, verbose=False)

    async def _transcribe(
        self, clip: AudioClip, language: str | None, *, verbose: bool
    ) -> Transcript:
        result = await within(
            self._request(clip, language, verbose=verbose),
            seconds=self.deadline_s,
            what=WHAT,
        )
        return to_transcript(result)

    async def _request(self, clip: AudioClip, language: str | None, *, verbose: bool) -> Any:
        filename, mime = upload_name(clip)
        extra: dict[str, Any] = {"language": language} if language else {}
        if verbose:
            extra["response_format"] = "verbose_json"
            extra["timestamp_granularities"] = ["word"]
        else:
            extra["response_format"] = "json"
        try:
            return await self._client.audio.transcriptions.create(
                model=self.model, file=(filename, clip.data, mime), **extra
            )
        except openai.BadRequestError as exc:
            if verbose:
                raise _VerboseRefused("verbose_json refused") from exc
            raise as_provider_error(exc, WHAT) from exc
        except openai.OpenAIError as exc:
            raise as_provider_error(exc, WHAT) from exc

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


class _VerboseRefused(ProviderError):
    """A 400 to a `verbose_json` request: the caller retries once with plain `json`."""
