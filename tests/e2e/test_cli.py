"""The `coach` command as a person runs it: subprocesses, real files, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import pytest

from tests.conftest import POSTGRES_SKIP, POSTGRES_URL

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "answer.ogg"
STRONG = (
    "When our checkout service started timing out during a big sale I was the on-call engineer "
    "responsible for it. I profiled the endpoint, found an unindexed query, added the index and "
    "a cache, and rolled it out behind a flag. As a result p99 latency dropped from 2 seconds "
    "to 300 milliseconds and we recovered about 40 thousand dollars of orders a day."
)


def coach(
    *args: str, data_dir: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "TELEGRAM_"))}
    environ.update(
        {
            "COACH_DATA_DIR": str(data_dir),
            "COACH_MASTER_KEY_FILE": str(data_dir.parent / f"{data_dir.name}.key"),
            **(env or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, env=environ, cwd=data_dir, timeout=300,
    )  # fmt: skip


HEAD = max(
    path.name.split("_")[0]
    for path in (Path(__file__).parents[2] / "storage" / "migrations" / "versions").glob("0*.py")
)


def test_help_lists_every_subcommand(tmp_path: Path) -> None:
    result = coach("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for name in ("run", "practice", "score", "db"):
        assert name in result.stdout


def test_db_upgrade_creates_the_schema_on_sqlite(tmp_path: Path) -> None:
    result = coach("db", "upgrade", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"schema revision: {HEAD}" in result.stdout and (tmp_path / "coach.db").exists()


def test_db_upgrade_creates_the_schema_on_postgres(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    import asyncio

    from tests.conftest import _drop_postgres_database, _fresh_postgres_database

    url = asyncio.run(_fresh_postgres_database())
    try:
        result = coach("db", "upgrade", data_dir=tmp_path, env={"COACH_DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        assert f"schema revision: {HEAD} (postgresql)" in result.stdout
    finally:
        asyncio.run(_drop_postgres_database(url))


def test_a_wrong_setting_stops_start_up_with_the_variable_named(tmp_path: Path) -> None:
    result = coach("run", data_dir=tmp_path, env={"COACH_QUESTIONS": "lots"})
    assert result.returncode == 2 and "COACH_QUESTIONS" in result.stderr


def test_piped_practice_with_text_and_voice_reaches_the_summary_and_writes_valid_opus(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    script = f"{STRONG}\n:voice {FIXTURE}\n"
    result = coach(
        "practice", "--role", "software-engineer", "--questions", "2", "--audio-dir", str(out),
        data_dir=tmp_path, stdin=script,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Question 1 of 2" in result.stdout and "Score:" in result.stdout
    assert "Interview summary" in result.stdout
    written = sorted(out.glob("*.ogg"))
    assert written, "no spoken replies were written"
    for path in written:
        assert f"(voice: {path})" in result.stdout
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            assert stream.codec_context.name == "opus" and stream.rate == 48000


def test_practice_on_empty_input_exits_cleanly_with_a_summary(tmp_path: Path) -> None:
    result = coach("practice", "--role", "sales", data_dir=tmp_path, stdin="")
    assert result.returncode == 0, result.stderr
    assert "Question 1 of 5" in result.stdout and "Interview finished" in result.stdout


def test_run_without_tokens_starts_the_terminal_interview_menu(tmp_path: Path) -> None:
    result = coach("run", data_dir=tmp_path, stdin="1\n2\n", env={"COACH_TTS": "none"})
    assert result.returncode == 0, result.stderr
    assert "Which role" in result.stdout and "Question 1 of 5" in result.stdout


def test_score_json_reports_overall_dimensions_metrics_and_transcript(tmp_path: Path) -> None:
    result = coach(
        "score", "--text", STRONG, "--question", "Tell me about a production incident.",
        "--json", data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert 0 <= report["overall"] <= 100
    assert set(report["dimensions"]) == {
        "star", "specificity", "impact", "ownership", "relevance", "clarity"
    }  # fmt: skip
    assert report["transcript"] == STRONG and report["metrics"]["word_count"] > 50


def test_score_an_audio_answer_transcribes_it(tmp_path: Path) -> None:
    result = coach("score", "--audio", str(FIXTURE), "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "latency" in report["transcript"] and report["metrics"]["timed"] is True


def test_score_rejects_a_file_that_is_not_audio_plainly(tmp_path: Path) -> None:
    pdf = ROOT / "tests" / "fixtures" / "not_audio.pdf"
    result = coach("score", "--audio", str(pdf), data_dir=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
