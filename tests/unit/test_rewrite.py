"""The offline "Stronger answer": a STAR skeleton of the candidate's own sentences."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.models import Question
from bot.core.records import TurnRecord
from bot.flows.rewrite import full_answer, weakest_turn
from bot.providers.coach.rule_rewrite import (
    ADD_NUMBER,
    ENGLISH_ONLY,
    GAPS,
    YOUR_ROLE,
    RuleRewriter,
    star_draft,
    star_rewrite,
)

QUESTION = Question(
    id="swe-1", role="software-engineer", text="Tell me about a production incident you fixed."
)
STRONG = (
    "At my last job at a payments startup, our checkout service started timing out every "
    "evening. I was the on-call engineer, so it was my job to find the cause. I pulled the "
    "traces in Datadog and found a missing index on the orders table. I added the index and "
    "set up an alert on p95 latency. As a result, p95 latency dropped from 4 seconds to 300 "
    "milliseconds."
)
WE_ONLY = (
    "We had a disagreement on the team about which framework to use. We discussed it in a "
    "few meetings and we looked at the pros and cons. In the end it worked out well for us."
)


def test_a_complete_story_fills_every_star_part_with_the_candidates_own_sentences() -> None:
    draft = star_draft(QUESTION, STRONG)
    assert draft.notes == {}
    assert draft.parts["situation"][0].startswith("At my last job at a payments startup")
    assert "it was my job to find the cause" in " ".join(draft.parts["task"])
    assert "I pulled the traces in Datadog" in " ".join(draft.parts["action"])
    assert "from 4 seconds to 300 milliseconds" in " ".join(draft.parts["result"])


def test_every_sentence_is_kept_and_nothing_is_invented() -> None:
    text = star_rewrite(QUESTION, STRONG)
    for sentence in STRONG.split(". "):
        assert sentence.strip(".") in text
    said = " ".join(" ".join(part) for part in star_draft(QUESTION, STRONG).parts.values())
    assert sorted(said.split()) == sorted(STRONG.split())


def test_we_without_i_and_a_result_without_a_number_are_marked() -> None:
    draft = star_draft(QUESTION, WE_ONLY)
    assert YOUR_ROLE in draft.notes["action"]
    assert ADD_NUMBER in draft.notes["result"]
    assert draft.notes["task"] == (GAPS["task"],)


def test_missing_parts_are_marked_and_rendered_one_line_each() -> None:
    text = star_rewrite(QUESTION, "I fixed the bug in the login page.")
    lines = text.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Situation", "Task", "Action", "Result"]
    assert lines[0] == f"Situation: {GAPS['situation']}"
    assert lines[2] == "Action: I fixed the bug in the login page."
    assert lines[3] == f"Result: {GAPS['result']}"


def test_fillers_are_dropped_from_the_candidates_words() -> None:
    text = star_rewrite(
        QUESTION, "Um, so I, uh, rolled back the release, you know, in ten minutes."
    )
    assert "Um" not in text and "uh" not in text and "you know" not in text
    assert "rolled back the release" in text and "in ten minutes" in text


def test_an_unpunctuated_transcript_is_cut_into_readable_sentences() -> None:
    asr = (
        "so this was at my last company we pushed a release on a thursday that broke the log in "
        "page and i jumped on the incident channel and i rolled back the deploy in ten minutes "
        "and then i wrote the post mortem and the error rate went from fifteen percent to zero"
    )
    draft = star_draft(QUESTION, asr)
    sentences = [s for part in draft.parts.values() for s in part]
    assert len(sentences) >= 3
    assert all(s[0].isupper() and s.endswith(".") for s in sentences)
    assert any("I rolled back the deploy" in s for s in sentences)
    assert any("fifteen percent to zero" in s for s in draft.parts["result"])


def test_an_empty_answer_is_all_gaps() -> None:
    assert star_draft(QUESTION, "").notes == {part: (GAPS[part],) for part in GAPS}


async def test_the_offline_rewriter_says_it_is_english_only_for_other_languages() -> None:
    rewriter = RuleRewriter()
    english = await rewriter.rewrite(question=QUESTION, answer=STRONG, language="en")
    german = await rewriter.rewrite(question=QUESTION, answer=STRONG, language="de")
    assert ENGLISH_ONLY not in english
    assert german.startswith(ENGLISH_ONLY) and german.endswith(english)


def turn(seq: int, overall: int | None, text: str, **extra: object) -> TurnRecord:
    values: dict[str, object] = {
        "id": seq, "session_id": 1, "seq": seq, "question_id": "q1", "question_text": "Q?",
        "is_follow_up": False, "attempt": 1, "status": "scored",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC), "overall": overall,
        "transcript": {"text": text, "language": "en"} if text else None,
    }  # fmt: skip
    values.update(extra)
    return TurnRecord(**values)  # type: ignore[arg-type]


def test_the_weakest_turn_is_the_lowest_scored_answer() -> None:
    turns = [turn(1, 70, "first"), turn(2, 30, "second"), turn(3, None, ""), turn(4, 50, "x")]
    assert weakest_turn(turns) == turns[1]
    assert weakest_turn([turn(1, None, "")]) is None


def test_a_follow_up_is_rewritten_together_with_the_answer_it_follows() -> None:
    first = turn(1, 40, "I fixed the outage.")
    follow = turn(2, 60, "Latency fell by half.", question_id="q1#follow-up", is_follow_up=True)
    assert full_answer([first, follow], follow) == "I fixed the outage.\nLatency fell by half."
    assert full_answer([first, follow], first) == "I fixed the outage."


def test_the_score_change_lists_each_dimension_both_attempts_scored() -> None:
    from bot.core.models import Assessment, DimensionScore
    from bot.flows.session_state import score_change

    dims = [{"name": "impact", "score": 2}, {"name": "clarity", "score": 4}]
    first = turn(1, 40, "a", assessment={"overall": 40, "dimensions": dims})
    again = turn(2, None, "", attempt=2)
    now = Assessment(55, (DimensionScore("impact", 4, ""), DimensionScore("clarity", 4, ""),
                          DimensionScore("star", 3, "")))  # fmt: skip
    assert score_change([first, again], again, now).splitlines() == [
        "Retry: 40 → 55 (+15)", "  Quantified impact: 2 → 4 (+2)", "  Clarity: 4 → 4 (same)",
    ]  # fmt: skip
    unscored = turn(1, 40, "a")  # stored before dimensions were kept: the overall only
    assert score_change([unscored, again], again, now) == "Retry: 40 → 55 (+15)"
    assert score_change([first], first, now) == ""  # a first attempt has nothing to compare
