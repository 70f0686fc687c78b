"""Settings: defaults, validation that names the variable, secrets kept out of reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError


def test_defaults_keep_all_state_in_the_data_dir_on_sqlite() -> None:
    settings = load_settings({})
    assert settings.data_dir == Path("data")
    assert settings.db_url == "sqlite+aiosqlite:///data/coach.db"
    assert settings.platforms == ()


def test_a_configured_database_url_wins_and_is_not_shown_in_repr() -> None:
    url = "postgresql+asyncpg://coach:hunter2@db:5432/coach"
    settings = load_settings({"COACH_DATABASE_URL": url})
    assert settings.db_url == url
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COACH_QUESTIONS", "many"),
        ("COACH_QUESTIONS", "0"),
        ("COACH_LOG_FORMAT", "xml"),
        ("COACH_LOG_LEVEL", "LOUD"),
        ("COACH_MAX_ANSWER_SECONDS", "-1"),
        ("COACH_TTS", "siri"),
    ],
)
def test_a_wrong_value_fails_with_a_message_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_tokens_are_secret_and_blank_tokens_mean_unset() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "123:SECRET", "DISCORD_BOT_TOKEN": " "})
    assert settings.platforms == ("telegram",)
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


def test_log_level_is_case_insensitive() -> None:
    assert load_settings({"COACH_LOG_LEVEL": "debug"}).log_level == "DEBUG"


def test_an_env_file_is_read_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("COACH_QUESTIONS=7\nCOACH_DATA_DIR=/srv/coach\n")
    monkeypatch.delenv("COACH_QUESTIONS", raising=False)
    monkeypatch.delenv("COACH_DATA_DIR", raising=False)
    settings = load_settings(env_file=env_file)
    assert settings.questions_per_interview == 7 and settings.data_dir == Path("/srv/coach")


def test_env_example_lists_every_setting() -> None:
    from bot.config import Settings

    example = (Path(__file__).parents[2] / ".env.example").read_text()
    listed = {
        line.split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and not line.startswith("#")
    }
    aliases = {f.alias for f in Settings.model_fields.values()}
    assert aliases == listed
