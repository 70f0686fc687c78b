"""The plain-language privacy summary served by /privacy, drawn from the data registry."""

from __future__ import annotations

from bot.privacy.policy import MINIMUM_AGE, POLICY_VERSION
from bot.privacy.registry import BLOBS, FINANCIAL_RETENTION_YEARS, PROCESSORS, TABLES

_NOTICE = """How your data is handled (policy version {version})

What I keep, and why (nothing before you agree):
{collected}

Who processes it: {processors}
{available}
How it's protected: recordings, transcripts and feedback are encrypted with a key of \
your own; deleting your data destroys that key.

How long: while you use the service. When you ask for deletion there is a {grace}-day grace \
period in which you can change your mind; after that everything about you is erased. \
Payment records, if any, are anonymised and kept {years} years, as tax law requires.

Your rights: get a copy of your data (/export), correct it (/profile), delete it \
(/delete), or withdraw consent and object to processing (/consent withdraw).

Age: this service is for people aged {age} or older.

Questions or requests: {contact}"""


def collected_lines() -> str:
    """One line per kind of personal data in the registry, with its purposes."""
    purposes: dict[str, list[str]] = {}
    entries = [(g.category, g.purpose) for t in TABLES for g in t.groups]
    entries += [(b.category, b.purpose) for b in BLOBS]
    for category, purpose in entries:
        if category != "operational" and purpose not in purposes.get(category, []):
            purposes.setdefault(category, []).append(purpose)
    return "\n".join(f"• {cat.capitalize()}: {'; '.join(p)}" for cat, p in purposes.items())


def available_processors() -> str:
    """The third parties a deployment may use, and what each would receive."""
    lines = [f"• {p.name} ({p.service}): {', '.join(p.receives)}" for p in PROCESSORS]
    return "Depending on how this bot is set up, these may be used:\n" + "\n".join(lines) + "\n"


def privacy_notice(
    *,
    processors: str,
    contact: str,
    grace_days: int = 30,
    financial_years: int = FINANCIAL_RETENTION_YEARS,
) -> str:
    return _NOTICE.format(
        version=POLICY_VERSION,
        collected=collected_lines(),
        processors=processors,
        available=available_processors(),
        grace=grace_days,
        years=financial_years,
        contact=contact,
        age=MINIMUM_AGE,
    )
