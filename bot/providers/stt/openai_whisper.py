"""Speech-to-text through any OpenAI-compatible `/v1/audio/transcriptions` (Whisper).

Works with OpenAI, Together.AI, Groq or a local server (`base_url`). Asks for
`verbose_json` with word timestamps (the speech metrics use them); a server that refuses
it with a 400 is asked again, and from then on, for plain `json` (text only, no timings).
Audio goes up as-is: Telegram's `.oga` voice notes are named `voice.ogg`. The SDK does not
retry (`max_retries=0`); `bot.providers.retry` does, with jitter, on retryable errors only.
Neither audio nor transcript text is ever logged.
"""

from __future__ import annotations

import logging
from typing import Any

import openai
from openai import AsyncOpenAI

from bot.core.errors import ProviderError
from bot.core.models import AudioClip, Transcript, Word
from bot.providers.retry import RetryPolicy, status_is_retryable, with_retries

log = logging.getLogger(__name__)
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


def as_provider_error(exc: openai.OpenAIError) -> ProviderError:
    """Translate an SDK error; the message names the failure, never the payload."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("speech recognition timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError("speech recognition unreachable", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        retryable = status_is_retryable(exc.status_code)
        return ProviderError(
            f"speech recognition failed with HTTP {exc.status_code}", retryable=retryable
        )
    return ProviderError(f"speech recognition failed ({type(exc).__name__})")


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
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )
        self.model = model
        self.language = language
        self.retry = retry or RetryPolicy()
        self.verbose = True
        """False once the server refused `verbose_json`; later calls ask for `json`."""

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        """Transcribe `clip`; raises ProviderError (retryable or not) when the service fails."""
        lang = language or self.language
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
        async def once() -> Transcript:
            return to_transcript(await self._request(clip, language, verbose=verbose))

        return await with_retries(once, policy=self.retry, what="speech recognition")

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
            raise as_provider_error(exc) from exc
        except openai.OpenAIError as exc:
            raise as_provider_error(exc) from exc

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


class _VerboseRefused(ProviderError):
    """A 400 to a `verbose_json` request: the caller retries once with plain `json`."""
