"""The candidate's language: kept on the answer, passed to a cloud coach; offline is English.

The transcriber's detected language wins; for typed answers the chat client's language
(Telegram's `language_code`, e.g. "de" or "pt-br") stands in.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.models import Transcript
from bot.flows import texts

OFFLINE_COACHES = frozenset({"rules"})
"""Coach names (see `Coach.name`) that only understand English."""


def base_language(code: str | None) -> str | None:
    """ "pt-BR" -> "pt"; None or "" -> None."""
    if not code:
        return None
    return code.strip().lower().replace("_", "-").split("-", 1)[0] or None


def is_english(code: str | None) -> bool:
    """Unknown counts as English: offline speech recognition only hears English."""
    base = base_language(code)
    return base is None or base == "en"


def language_of_answer(transcript: Transcript, chat_language: str | None) -> Transcript:
    """The transcript with its language: the recogniser's, else the chat client's."""
    language = base_language(transcript.language) or base_language(chat_language)
    return transcript if language == transcript.language else replace(transcript, language=language)


def english_only_note(coach_name: str, *languages: str | None) -> str | None:
    """One plain line when the English-only offline coach meets a candidate whose answer or
    chat app is in another language (the offline recogniser always reports English)."""
    if coach_name not in OFFLINE_COACHES or all(is_english(code) for code in languages):
        return None
    return texts.ENGLISH_ONLY
