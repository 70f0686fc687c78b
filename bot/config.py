"""Settings: the only reader of the environment. Secrets never appear in reprs or logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigError


class Settings(BaseSettings):
    """Every setting of the application, read from the environment and an optional `.env`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("./data"), alias="COACH_DATA_DIR")
    database_url: str = Field("", alias="COACH_DATABASE_URL", repr=False)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="COACH_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field("text", alias="COACH_LOG_FORMAT")
    master_key: SecretStr | None = Field(None, alias="COACH_MASTER_KEY")
    master_key_file: Path = Field(
        Path("~/.config/interview-coach/master.key"), alias="COACH_MASTER_KEY_FILE"
    )

    questions_per_interview: int = Field(5, ge=1, le=20, alias="COACH_QUESTIONS")
    max_answer_seconds: float = Field(180.0, gt=0, le=1800, alias="COACH_MAX_ANSWER_SECONDS")
    max_audio_bytes: int = Field(20 * 1024 * 1024, gt=0, alias="COACH_MAX_AUDIO_BYTES")
    tts_engine: Literal["auto", "flite", "espeak", "cartesia", "none"] = Field(
        "auto", alias="COACH_TTS"
    )
    tts_voice: str = Field("slt", alias="COACH_TTS_VOICE")
    stt_engine: Literal["auto", "pocketsphinx", "openai"] = Field("auto", alias="COACH_STT")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str = Field("https://api.openai.com/v1", alias="OPENAI_BASE_URL")
    stt_model: str = Field("whisper-1", min_length=1, alias="COACH_STT_MODEL")
    stt_language: str | None = Field(None, alias="COACH_STT_LANGUAGE")
    cartesia_api_key: SecretStr | None = Field(None, alias="CARTESIA_API_KEY")
    cartesia_base_url: str = Field("https://api.cartesia.ai", alias="CARTESIA_BASE_URL")
    tts_model: str = Field("sonic-3", min_length=1, alias="COACH_TTS_MODEL")
    tts_voice_id: str | None = Field(None, alias="COACH_TTS_VOICE_ID")
    provider_timeout_s: float = Field(30.0, gt=0, le=600, alias="COACH_PROVIDER_TIMEOUT_S")
    privacy_contact: str = Field("privacy@example.org", alias="COACH_PRIVACY_CONTACT")
    deletion_grace_days: int = Field(30, ge=0, le=365, alias="COACH_DELETION_GRACE_DAYS")
    purge_interval_s: int = Field(3600, ge=60, alias="COACH_PURGE_INTERVAL")
    financial_retention_years: int = Field(7, ge=0, le=30, alias="COACH_FINANCIAL_RETENTION_YEARS")
    exports_per_day: int = Field(3, ge=1, le=100, alias="COACH_EXPORTS_PER_DAY")

    tts_concurrency: int = Field(3, ge=1, le=64, alias="COACH_TTS_CONCURRENCY")
    llm_engine: Literal["auto", "rules", "anthropic"] = Field("auto", alias="COACH_LLM")
    anthropic_api_key: SecretStr | None = Field(None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(None, alias="ANTHROPIC_BASE_URL")
    llm_model: str = Field("claude-sonnet-5-5", alias="COACH_LLM_MODEL")
    llm_timeout_s: float = Field(30.0, gt=0, le=300, alias="COACH_LLM_TIMEOUT_S")

    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    discord_bot_token: SecretStr | None = Field(None, alias="DISCORD_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    telegram_file_base_url: str = Field(
        "https://api.telegram.org/file/bot", alias="TELEGRAM_FILE_BASE_URL"
    )
    telegram_webhook_url: str | None = Field(None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")
    http_host: str = Field("127.0.0.1", alias="COACH_HTTP_HOST")
    http_port: int = Field(8080, ge=0, le=65535, alias="COACH_HTTP_PORT")

    # -- Discord (#6) --

    # -- credits and payments (#8) --

    # -- admins and operations (#9) --

    # -- coaching (#10) --

    # -- reliability (#12) --

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "telegram_bot_token", "discord_bot_token", "master_key", "telegram_webhook_url",
        "telegram_webhook_secret", "openai_api_key", "cartesia_api_key", "stt_language",
        "tts_voice_id", "anthropic_api_key", "anthropic_base_url", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        """Telegram's webhook secret: required with a webhook URL, 1-256 of A-Z a-z 0-9 _ -."""
        secret = self.telegram_webhook_secret
        if self.telegram_webhook_url and secret is None:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
        if secret is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()
        ):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256)")
        return self

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'coach.db').as_posix()}"

    @property
    def platforms(self) -> tuple[str, ...]:
        """Chat platforms whose token is configured."""
        found = []
        if self.telegram_bot_token:
            found.append("telegram")
        if self.discord_bot_token:
            found.append("discord")
        return tuple(found)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> Settings:
    """Build Settings from `environ` (default: the process environment).

    A wrong value raises ConfigError naming the variable, e.g. `COACH_QUESTIONS: ...`.
    """
    try:
        if environ is None:
            return Settings(_env_file=env_file)  # type: ignore[call-arg]
        known = {f.alias for f in Settings.model_fields.values() if f.alias}
        values: dict[str, Any] = {k: v for k, v in environ.items() if k in known}
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(part) for part in err["loc"]) or "settings"
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("Invalid configuration: " + "; ".join(problems)) from exc
