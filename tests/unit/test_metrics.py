"""Speech metrics: fillers, hedges, pace, pauses (from word timings and from raw audio)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.models import Pcm, Transcript, Word
from bot.flows.metrics import (
    TYPED_WPM,
    estimate_pauses_from_pcm,
    find_fillers,
    find_hedges,
    speech_metrics,
)
from bot.flows.text import tokenize

RATE = 16_000


def fillers_in(text: str) -> list[str]:
    return [name for name, _ in find_fillers(tokenize(text))]


def timed(*spans: tuple[str, float, float]) -> Transcript:
    words = tuple(Word(text, start, end) for text, start, end in spans)
    return Transcript(text=" ".join(w.text for w in words), words=words)


def test_like_after_a_subject_is_a_verb_not_a_filler() -> None:
    assert fillers_in("I like Python") == []


def test_like_and_um_between_commas_are_two_fillers() -> None:
    assert fillers_in("it was, like, um, slow") == ["like", "um"]


@pytest.mark.parametrize(
    "text",
    [
        "I would like to lead the migration",
        "it looks like a caching bug",
        "we used tools like Jira and Kafka",
        "I really like working with customers",
        "something like that happened once",
    ],
)
def test_like_as_verb_or_comparison_is_not_a_filler(text: str) -> None:
    assert "like" not in fillers_in(text)


def test_like_before_a_number_is_a_filler() -> None:
    assert fillers_in("we had like 20 people on the call") == ["like"]


def test_kind_of_is_a_filler_only_without_a_determiner() -> None:
    assert fillers_in("it was kind of slow") == ["kind of"]
    assert fillers_in("what kind of tool did you use") == []


def test_you_know_as_a_real_question_is_not_a_filler() -> None:
    assert fillers_in("do you know how the cache works") == []
    assert fillers_in("and, you know, it was hard") == ["you know"]


def test_sentence_initial_so_and_basically_with_commas_are_fillers() -> None:
    assert fillers_in("So, basically, the build was slow") == ["so", "basically"]
    assert fillers_in("we basically rebuilt it so it would scale") == []


def test_elongated_spellings_fold_onto_one_filler() -> None:
    assert fillers_in("ummm I uhh hmmm did it") == ["um", "uh", "hmm"]


def test_filler_counts_per_filler_are_reported() -> None:
    metrics = speech_metrics(Transcript(text="Um, I think, um, it was, like, fine. Uh, yes."))
    assert metrics.fillers == {"um": 2, "like": 1, "uh": 1}
    assert metrics.filler_count == 4


def test_hedges_count_once_per_phrase_with_the_longest_match() -> None:
    hedges = [h for h, _ in find_hedges(tokenize("I'm not sure, maybe I guess it probably worked"))]
    assert hedges == ["i'm not sure", "maybe", "i guess", "probably"]


def test_i_and_we_are_counted_and_the_us_country_is_not() -> None:
    metrics = speech_metrics(
        Transcript(text="I led it and my team helped us. We shipped to the US.")
    )
    assert (metrics.i_count, metrics.we_count) == (2, 2)


def test_words_per_minute_come_from_word_timings() -> None:
    words = [(f"w{i}", i * 0.4, i * 0.4 + 0.3) for i in range(60)]  # 60 words ending at 23.9 s
    metrics = speech_metrics(timed(*words))
    assert metrics.timed
    assert metrics.duration_s == pytest.approx(23.9)
    assert metrics.words_per_minute == pytest.approx(60 / 23.9 * 60, abs=0.1)


def test_audio_duration_wins_over_the_last_word_end() -> None:
    metrics = speech_metrics(timed(("a", 0, 1), ("b", 1, 2)), duration_s=30.0)
    assert metrics.duration_s == 30.0
    assert metrics.words_per_minute == pytest.approx(4.0)


def test_typed_answers_are_untimed_and_assume_a_speaking_rate() -> None:
    metrics = speech_metrics(Transcript(text=" ".join(["word"] * 75)))
    assert not metrics.timed
    assert metrics.duration_s == pytest.approx(75 / TYPED_WPM * 60)
    assert metrics.words_per_minute == pytest.approx(TYPED_WPM)


def test_gaps_over_two_seconds_between_words_are_long_pauses() -> None:
    transcript = timed(("so", 0.5, 0.8), ("then", 3.5, 3.8), ("I", 4.0, 4.1), ("left", 6.6, 7.0))
    metrics = speech_metrics(transcript)
    assert metrics.long_pauses == 2
    assert metrics.longest_pause_s == pytest.approx(2.7)


def test_pauses_from_the_audio_are_added_for_untimed_transcripts() -> None:
    metrics = speech_metrics(Transcript(text="one two three"), pauses_s=(2.5, 1.0, 4.25))
    assert metrics.long_pauses == 2
    assert metrics.longest_pause_s == 4.25


def test_an_empty_transcript_has_zero_metrics() -> None:
    metrics = speech_metrics(Transcript(text=""))
    assert (metrics.word_count, metrics.words_per_minute, metrics.filler_count) == (0, 0.0, 0)


def pcm_of(*segments: tuple[str, float], noise: float = 0.0) -> Pcm:
    """Concatenate ("tone" | "silence", seconds) segments into 16-bit PCM."""
    rng = np.random.default_rng(7)
    parts = []
    for kind, seconds in segments:
        t = np.arange(int(RATE * seconds)) / RATE
        signal = 0.3 * np.sin(2 * np.pi * 220 * t) if kind == "tone" else np.zeros_like(t)
        parts.append(signal + noise * rng.standard_normal(t.size))
    samples = np.clip(np.concatenate(parts), -1, 1)
    return Pcm(samples=(samples * 32767).astype("<i2").tobytes(), sample_rate=RATE)


def test_silence_inside_speech_is_found_as_a_pause() -> None:
    pcm = pcm_of(("tone", 1.0), ("silence", 3.0), ("tone", 1.0), ("silence", 0.5), ("tone", 1.0))
    (pause,) = estimate_pauses_from_pcm(pcm)
    assert pause == pytest.approx(3.0, abs=0.1)


def test_leading_and_trailing_silence_is_not_a_pause() -> None:
    pcm = pcm_of(("silence", 4.0), ("tone", 2.0), ("silence", 5.0))
    assert estimate_pauses_from_pcm(pcm) == ()


def test_pauses_are_found_under_background_noise() -> None:
    pcm = pcm_of(("tone", 1.0), ("silence", 2.6), ("tone", 1.0), noise=0.003)
    (pause,) = estimate_pauses_from_pcm(pcm)
    assert pause == pytest.approx(2.6, abs=0.1)


def test_the_pause_threshold_is_configurable() -> None:
    pcm = pcm_of(("tone", 1.0), ("silence", 1.5), ("tone", 1.0))
    assert estimate_pauses_from_pcm(pcm) == ()
    assert len(estimate_pauses_from_pcm(pcm, threshold_s=1.0)) == 1


@pytest.mark.parametrize(
    "pcm", [Pcm(b"", RATE), Pcm(b"\x00\x00" * RATE * 3, RATE), Pcm(b"\x01", 0)]
)
def test_empty_or_silent_audio_has_no_pauses(pcm: Pcm) -> None:
    assert estimate_pauses_from_pcm(pcm) == ()
