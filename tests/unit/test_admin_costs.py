"""`COACH_PRICES` parsing, the cost estimate, and the e-mail settings' checks."""

from __future__ import annotations

import pytest

from bot.admin.costs import DEFAULT_PRICES, Prices, cost_line, estimate_cost, parse_prices
from bot.admin.mail import SmtpTarget, parse_smtp_url
from bot.config import load_settings
from bot.core.errors import ConfigError

PRICES = Prices(stt_per_min=0.006, llm_in_per_mtok=3.0, llm_out_per_mtok=15.0, tts_per_kchar=0.03)


def test_the_default_prices_parse_to_the_documented_list_prices() -> None:
    assert parse_prices(DEFAULT_PRICES) == PRICES
    assert load_settings({}).prices == DEFAULT_PRICES
    spaced = parse_prices(" tts = 0.05/kchar , stt=0/min,llm_out=1e1/Mtok, llm_in=2/Mtok ")
    assert spaced == Prices(0.0, 2.0, 10.0, 0.05)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("stt=0.006/min,llm_in=3/Mtok,llm_out=15/Mtok", "missing tts"),
        ("", "missing stt, llm_in, llm_out, tts"),
        (DEFAULT_PRICES + ",stt=1/min", "stt is given twice"),
        (DEFAULT_PRICES.replace("0.006/min", "0.006/sec"), "stt is priced per min"),
        (DEFAULT_PRICES.replace("0.006/min", "0.006"), "stt is priced per min"),
        (DEFAULT_PRICES.replace("=3/", "=three/"), "'three' is not a number"),
        (DEFAULT_PRICES.replace("=3/", "=-3/"), "0 or more"),
        (DEFAULT_PRICES.replace("=3/", "=nan/"), "0 or more"),
        (DEFAULT_PRICES.replace("tts=", "voice="), "the keys are stt, llm_in, llm_out, tts"),
        (DEFAULT_PRICES.replace("tts=", "tts:"), "the keys are"),
    ],
)
def test_bad_prices_are_refused_with_a_plain_message(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_prices(text)
    with pytest.raises(ConfigError, match=f"COACH_PRICES: .*{says}"):
        load_settings({"COACH_PRICES": text})


def test_the_estimate_prices_each_stage_by_its_own_measure() -> None:
    rows = [
        {"stage": "interviewer", "provider": "claude", "input_tokens": 200_000,
         "output_tokens": 10_000, "audio_seconds": 0.0, "characters": 0},
        {"stage": "judge", "provider": "claude", "input_tokens": 1_000_000,
         "output_tokens": 100_000, "audio_seconds": 0.0, "characters": 0},
        {"stage": "stt", "provider": "openai-whisper", "input_tokens": 0, "output_tokens": 0,
         "audio_seconds": 600.0, "characters": 0},
        {"stage": "tts", "provider": "cartesia", "input_tokens": 0, "output_tokens": 0,
         "audio_seconds": 42.0, "characters": 20_000},
        {"stage": "tts", "provider": "openai", "input_tokens": 0, "output_tokens": 0,
         "audio_seconds": 9.0, "characters": 10_000},
    ]  # fmt: skip
    estimate = estimate_cost(rows, PRICES)
    assert estimate.by_stage == pytest.approx(
        {"interviewer": 0.6 + 0.15, "judge": 3.0 + 1.5, "stt": 0.06, "tts": 0.9}
    )
    assert estimate.total == pytest.approx(0.75 + 4.5 + 0.06 + 0.9)
    assert cost_line("today", estimate) == (
        "estimated cost today: $6.2100 (interviewer $0.7500, judge $4.5000, stt $0.0600, "
        "tts $0.9000)"
    )


def test_no_usage_rows_cost_nothing() -> None:
    estimate = estimate_cost([], PRICES)
    assert estimate.total == 0 and estimate.by_stage == {}
    assert cost_line("last 7 days", estimate) == (
        "estimated cost last 7 days: $0 (no paid provider calls)"
    )


def test_smtp_urls_parse_and_name_the_tls_mode() -> None:
    assert parse_smtp_url("smtp://me%40x.org:p%3Ass@mail.example.org") == SmtpTarget(
        "mail.example.org", 587, "me@x.org", "p:ss", implicit_tls=False
    )
    assert parse_smtp_url("smtps://mail.example.org:2465") == SmtpTarget(
        "mail.example.org", 2465, "", "", implicit_tls=True
    )
    assert load_settings({"COACH_SMTP_URL": " "}).smtp_url is None


@pytest.mark.parametrize(
    "url", ["http://u:hunter2@host", "smtp://u:hunter2@host:notaport", "smtp://u:hunter2@host/x",
            "u:hunter2@host", "smtp://u:hunter2@:25"],
)  # fmt: skip
def test_a_bad_smtp_url_is_refused_without_echoing_the_password(url: str) -> None:
    with pytest.raises(ConfigError, match="COACH_SMTP_URL") as caught:
        load_settings({"COACH_SMTP_URL": url, "COACH_MAIL_FROM": "coach@example.org"})
    assert "hunter2" not in str(caught.value)


def test_an_smtp_url_needs_a_from_address() -> None:
    with pytest.raises(ConfigError, match="COACH_MAIL_FROM"):
        load_settings({"COACH_SMTP_URL": "smtp://u:p@host"})
    settings = load_settings(
        {"COACH_SMTP_URL": "smtp://u:p@host", "COACH_MAIL_FROM": "coach@example.org"}
    )
    assert settings.smtp_url is not None and "p@host" not in repr(settings)
