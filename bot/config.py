"""Settings: the only reader of the environment. Secrets never appear in reprs or logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.admin.costs import DEFAULT_PRICES, parse_prices
from bot.admin.mail import parse_smtp_url
from bot.core.errors import ConfigError
from bot.payments.packs import parse_pairs


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
    tts_engine: Literal["auto", "flite", "espeak", "cartesia", "openai", "none"] = Field(
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
    llm_engine: Literal["auto", "rules", "anthropic", "openai"] = Field("auto", alias="COACH_LLM")
    anthropic_api_key: SecretStr | None = Field(None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(None, alias="ANTHROPIC_BASE_URL")
    llm_model: str = Field("claude-sonnet-5-5", alias="COACH_LLM_MODEL")
    llm_timeout_s: float = Field(30.0, gt=0, le=300, alias="COACH_LLM_TIMEOUT_S")
    llm_base_url: str | None = Field(None, alias="COACH_LLM_BASE_URL")
    llm_api_key: SecretStr | None = Field(None, alias="COACH_LLM_API_KEY")
    tts_openai_model: str = Field("gpt-4o-mini-tts", min_length=1, alias="COACH_TTS_OPENAI_MODEL")
    tts_openai_voice: str = Field("alloy", min_length=1, alias="COACH_TTS_OPENAI_VOICE")
    voice_streaming: bool = Field(True, alias="COACH_VOICE_STREAMING")
    provider_max_retries: int = Field(2, ge=0, le=10, alias="COACH_PROVIDER_MAX_RETRIES")

    @field_validator("llm_base_url", "llm_api_key", mode="before")
    @classmethod
    def _blank_provider_setting_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

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
    discord_api_base_url: str = Field("https://discord.com/api/v10", alias="DISCORD_API_BASE_URL")
    discord_gateway_url: str | None = Field(None, alias="DISCORD_GATEWAY_URL")
    discord_guild_ids: str = Field("", pattern=r"^[0-9, ]*$", alias="DISCORD_GUILD_IDS")
    discord_shards: int | Literal["auto"] | None = Field(None, alias="DISCORD_SHARDS")

    # -- credits and payments (#8) --
    credits: Literal["on", "off"] = Field("on", alias="COACH_CREDITS")
    free_credits: int = Field(3, ge=0, le=1000, alias="COACH_FREE_CREDITS")
    interview_cost: int = Field(1, ge=0, le=1000, alias="COACH_INTERVIEW_COST")
    star_packs: str = Field("5:250,20:900", alias="COACH_STAR_PACKS")
    lemonsqueezy_checkout_url: str | None = Field(None, alias="LEMONSQUEEZY_CHECKOUT_URL")
    lemonsqueezy_webhook_secret: SecretStr | None = Field(None, alias="LEMONSQUEEZY_WEBHOOK_SECRET")
    lemonsqueezy_variants: str = Field("", alias="LEMONSQUEEZY_VARIANTS")
    mailerlite_api_key: SecretStr | None = Field(None, alias="MAILERLITE_API_KEY")
    mailerlite_base_url: str = Field(
        "https://connect.mailerlite.com/api", alias="MAILERLITE_BASE_URL"
    )
    mailerlite_group_id: str | None = Field(None, alias="MAILERLITE_GROUP_ID")

    @field_validator(
        "lemonsqueezy_checkout_url", "lemonsqueezy_webhook_secret", "mailerlite_api_key",
        "mailerlite_group_id", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_payment_setting_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("star_packs", "lemonsqueezy_variants")
    @classmethod
    def _packs_parse(cls, value: str) -> str:
        parse_pairs(value)  # raises ValueError with a plain message
        return value

    # -- admins and operations (#9) --
    admin_ids: str = Field("", alias="COACH_ADMIN_IDS")
    rate_voice_per_minute: int = Field(6, ge=1, le=600, alias="COACH_RATE_VOICE_PER_MINUTE")
    rate_interviews_per_day: int = Field(10, ge=1, le=1000, alias="COACH_RATE_INTERVIEWS_PER_DAY")
    prices: str = Field(DEFAULT_PRICES, alias="COACH_PRICES")
    smtp_url: SecretStr | None = Field(None, alias="COACH_SMTP_URL")
    mail_from: str = Field("", alias="COACH_MAIL_FROM")

    @field_validator("prices")
    @classmethod
    def _prices_parse(cls, value: str) -> str:
        parse_prices(value)  # raises ValueError with a plain message
        return value

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _smtp_parse(cls, value: object) -> object:
        if isinstance(value, str) and value.strip():
            parse_smtp_url(value.strip())  # raises ValueError without echoing the password
            return value.strip()
        return None

    @model_validator(mode="after")
    def _mail_needs_sender(self) -> Settings:
        if self.smtp_url is not None and "@" not in self.mail_from:
            raise ValueError("COACH_MAIL_FROM (an e-mail address) is required with COACH_SMTP_URL")
        return self

    # -- coaching (#10) --

    # -- reliability (#12) --
    shutdown_grace_s: float = Field(30.0, ge=0, le=600, alias="COACH_SHUTDOWN_GRACE_SECONDS")
    turn_lease_s: float = Field(180.0, gt=0, le=3600, alias="COACH_TURN_LEASE_SECONDS")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "telegram_bot_token", "discord_bot_token", "master_key", "telegram_webhook_url",
        "telegram_webhook_secret", "openai_api_key", "cartesia_api_key", "stt_language",
        "tts_voice_id", "anthropic_api_key", "anthropic_base_url", "discord_gateway_url",
        "discord_shards", mode="before",
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
