"""Every fallback, with faults injected into the loopback services behind the real SDKs.

No voice: a text-only reply. No transcript: the candidate is asked to resend or type, and
the recorded answer is kept. No judge: the offline coach's feedback, marked as such.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.usage import UsageMeter
from bot.flows import texts
from bot.providers.coach.fallback import OFFLINE_NOTE
from bot.providers.stt.openai_whisper import OpenAIWhisperSTT
from bot.providers.tts.cartesia import CartesiaTTS
from tests.e2e.test_cloud_turn import Cloud, answer_first_question, assert_opus, started_cloud, stop
from tests.fake_servers import cartesia_api, openai_api
from tests.fake_servers.sdk_retries import FAST

MANY = 50
"""More injected failures than retries and calls of one turn."""


@pytest.fixture
async def cloud() -> AsyncIterator[Cloud]:
    servers = await started_cloud()
    yield servers
    await stop(servers)


async def test_no_judge_gives_the_offline_feedback_marked_as_such(
    tmp_path: Path, cloud: Cloud
) -> None:
    cloud.claude.fail(529, times=MANY, retry_after=FAST)

    turn = await answer_first_question(tmp_path, cloud.env())

    assert OFFLINE_NOTE.strip() in turn.reply.text and "Score:" in turn.reply.text
    assert turn.reply.expects_answer, "the interview goes on with a bank question"
    assert_opus(turn.reply)
    judge = next(row for row in turn.usage if row["stage"] == "judge")
    assert judge["calls"] == judge["errors"] == 1
    assert len(cloud.claude.requests) > 3, "the SDK retried before giving up"


async def test_a_cartesia_outage_is_spoken_by_the_offline_voice(
    tmp_path: Path, cloud: Cloud
) -> None:
    cloud.voice.fail(500, times=MANY, retry_after=FAST)

    turn = await answer_first_question(tmp_path, cloud.env())

    assert "Score:" in turn.reply.text
    assert_opus(turn.reply)
    tts = next(row for row in turn.usage if row["stage"] == "tts")
    assert tts["errors"] == tts["calls"] > 0


async def test_no_voice_at_all_gives_a_text_only_reply(tmp_path: Path, cloud: Cloud) -> None:
    cloud.voice.fail(503, times=MANY, retry_after=FAST)
    only_cartesia = CartesiaTTS(
        api_key=cartesia_api.API_KEY, voice_id="v", base_url=cloud.voice.base_url
    )

    turn = await answer_first_question(tmp_path, cloud.env(), tts=only_cartesia)

    assert turn.reply.voice is None
    assert "Score:" in turn.reply.text and turn.reply.expects_answer


async def test_no_transcript_asks_to_resend_or_type_and_keeps_the_recording(
    tmp_path: Path, cloud: Cloud
) -> None:
    cloud.whisper.fail(500, times=MANY, retry_after=FAST)
    meter = UsageMeter()
    only_whisper = OpenAIWhisperSTT(
        api_key=openai_api.API_KEY, base_url=cloud.whisper.base_url, meter=meter
    )

    turn = await answer_first_question(
        tmp_path, cloud.env(), stt=only_whisper, meter=meter, then=cloud.whisper.failures.clear
    )

    failed, scored = turn.replies
    assert failed.text == texts.TRANSCRIBE_FAILED
    assert "type your answer" in failed.text and failed.voice is None
    assert "Score:" in scored.text, "sent again once the service is back, it is scored"
    assert turn.first_turn["answer_kind"] == "voice"
    assert turn.first_turn["recording_id"] is not None
    stt = next(row for row in turn.usage if row["stage"] == "stt")
    assert (stt["calls"], stt["errors"]) == (2, 1)
