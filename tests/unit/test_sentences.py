"""Sentence cutting: whole text and streamed deltas agree, abbreviations and numbers hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.flows.sentences import SentenceCutter, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Tell me about a project. What did you own?",
            ["Tell me about a project.", "What did you own?"],
        ),
        (
            "Name a tool, e.g. Grafana or Datadog. Why that one?",
            ["Name a tool, e.g. Grafana or Datadog.", "Why that one?"],
        ),
        ("Latency fell 3.5 times. Great!", ["Latency fell 3.5 times.", "Great!"]),
        ("Dr. Smith asked J. Doe. Then what?", ["Dr. Smith asked J. Doe.", "Then what?"]),
        ("Really?! I doubt it.", ["Really?!", "I doubt it."]),
        ('She said "stop." Then we did.', ['She said "stop."', "Then we did."]),
        ("Version 2.0 shipped in Q3. 40% faster.", ["Version 2.0 shipped in Q3.", "40% faster."]),
        ("ends without a stop", ["ends without a stop"]),
        ("Wait... OK, go on.", ["Wait...", "OK, go on."]),
        ("It was fine. and then lowercase.", ["It was fine. and then lowercase."]),
        ("  spaced   out.\n\nNext  line.  ", ["spaced out.", "Next line."]),
        ("Question 2 of 5: Why?", ["Question 2 of 5: Why?"]),
        ("", []),
    ],
)
def test_sentences_end_at_terminal_punctuation_but_not_inside_abbreviations_or_numbers(
    text: str, sentences: list[str]
) -> None:
    assert split_sentences(text) == sentences


def test_a_sentence_is_handed_out_as_soon_as_the_next_one_starts() -> None:
    cutter = SentenceCutter()

    assert cutter.feed("Tell me about a ") == []
    assert cutter.feed("time. ") == []  # could still be "time. and ..." or an abbreviation
    assert cutter.feed("What") == ["Tell me about a time."]
    assert cutter.feed(" happened?") == []
    assert cutter.finish() == ["What happened?"]
    assert cutter.finish() == []


WORDS = st.sampled_from(
    ["Tell", "me", "about", "e.g.", "3.5", "Dr.", "J.", "it.", "why?", "Yes!", "ok", "“Hi.”", "…"]
)
SPACES = st.sampled_from([" ", "  ", "\n", " \t "])


@st.composite
def texts_and_cuts(draw: st.DrawFn) -> tuple[str, list[int]]:
    words = draw(st.lists(WORDS, max_size=25))
    text = "".join(word + draw(SPACES) for word in words)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    return text, cuts


@given(texts_and_cuts())
def test_any_chunking_of_a_stream_gives_the_sentences_of_the_whole_text(
    case: tuple[str, list[int]],
) -> None:
    text, cuts = case
    cutter = SentenceCutter()
    streamed: list[str] = []
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        streamed += cutter.feed(text[start:end])
    streamed += cutter.finish()

    assert streamed == split_sentences(text)
    assert " ".join(streamed) == " ".join(text.split())
