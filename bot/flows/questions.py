"""Question banks (`bot/flows/banks/<role>.json`, read as package resources): loading,
validation, role/level parsing and seeded, CV-steerable picking."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Set as AbstractSet
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.core.models import Question

ROLES: dict[str, str] = {
    "software-engineer": "Software engineer",
    "data-scientist": "Data scientist",
    "product-manager": "Product manager",
    "sales": "Sales",
    "customer-support": "Customer support",
    "behavioural": "General behavioural",
}
LEVELS = ("junior", "mid", "senior")
KINDS = ("behavioural", "role")
_LIST_FIELDS = ("competencies", "strong_answer", "keywords", "levels")

_ROLE_ALIASES = {
    "software-engineer": "software engineer|software engineering|software developer|software|"
    "swe|sde|engineer|engineering|developer|dev|programmer|coder|web developer|backend|frontend|"
    "backend developer|frontend developer|backend engineer|frontend engineer|full stack|fullstack",
    "data-scientist": "data scientist|data science|ds|data|data analyst|analyst|analytics|ml|"
    "machine learning|ml engineer",
    "product-manager": "product manager|product management|product|pm|product owner|po|apm",
    "sales": "sales|salesperson|sales rep|sales representative|account executive|ae|sdr|bdr|"
    "business development|account manager|selling",
    "customer-support": "customer support|support|customer service|customer success|cs|"
    "helpdesk|help desk|support agent|customer care|service desk|technical support|tech support",
    "behavioural": "behavioural|behavioral|behaviour|behavior|general|general behavioural|"
    "general behavioral|generic|any|soft skills|star",
}
_LEVEL_ALIASES = {
    "junior": "junior|jr|jnr|entry|graduate|grad|new grad|intern|internship|beginner|trainee",
    "mid": "mid|middle|midlevel|intermediate|medior|regular",
    "senior": "senior|sr|snr|lead|staff|principal|manager|head|director|expert",
}
_FILLER = re.compile(
    r"\b(an?|the|[im]|[ia]m|as|for|position|(role|interview|question|job)s?|practice|level)\b"
)


def _lookup(text: str, aliases: dict[str, str]) -> str | None:
    """The key whose `|`-separated aliases include `text`, ignoring case, punctuation, filler."""
    phrase = " ".join(_FILLER.sub(" ", re.sub(r"[^a-z0-9]+", " ", text.lower())).split())
    return next((key for key, names in aliases.items() if phrase in names.split("|")), None)


def normalise_role(text: str) -> str | None:
    """Map free text such as "SWE", "data science" or "behavioral" to a role id, else None."""
    return _lookup(text, _ROLE_ALIASES)


def normalise_level(text: str) -> str | None:
    """Map free text such as "jr", "mid-level" or "lead" to one of `LEVELS`, else None."""
    return _lookup(text, _LEVEL_ALIASES)


def _strings(entry: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    items = entry.get(name) if isinstance(entry.get(name), list) else []
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise ValueError(f"{where}: {name!r} must be a non-empty list of non-empty strings")
    return tuple(item.strip() for item in items)


def _question(entry: object, *, role: str, source: str) -> Question:
    """One validated `Question`; errors name the file and the question id."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise ValueError(f"{source}: every question needs a string 'id', got {entry!r:.60}")
    where = f"{source}: question {entry['id']!r}"
    text, kind = entry.get("text"), entry.get("kind")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: 'text' must be a non-empty string")
    if kind not in KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {KINDS}, got {kind!r}")
    lists: dict[str, Any] = {name: _strings(entry, name, where) for name in _LIST_FIELDS}
    if any(k != k.lower() for k in lists["keywords"]):
        raise ValueError(f"{where}: 'keywords' must be lower-case")
    if not set(lists["levels"]) <= set(LEVELS):
        raise ValueError(f"{where}: 'levels' must be a subset of {LEVELS}, got {lists['levels']}")
    lists["levels"] = tuple(level for level in LEVELS if level in lists["levels"])
    return Question(id=entry["id"], role=role, text=text.strip(), kind=kind, **lists)


def parse_bank(data: object, *, role: str, source: str) -> tuple[Question, ...]:
    """Validate a decoded bank document for `role`; `source` names it in error messages."""
    if not isinstance(data, dict) or (data.get("role"), data.get("title")) != (role, ROLES[role]):
        raise ValueError(f"{source}: expected an object with role {role!r}, title {ROLES[role]!r}")
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: 'questions' must be a non-empty list")
    questions = tuple(_question(entry, role=role, source=source) for entry in entries)
    ids = [q.id for q in questions]
    if twice := sorted({i for i in ids if ids.count(i) > 1}):
        raise ValueError(f"{source}: question ids appear more than once: {', '.join(twice)}")
    return questions


@lru_cache(maxsize=16)
def load_bank(role: str) -> tuple[Question, ...]:
    """Every question for `role`, read once from its packaged JSON file."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}")
    raw = (resources.files("bot.flows") / "banks" / f"{role}.json").read_text(encoding="utf-8")
    return parse_bank(json.loads(raw), role=role, source=f"banks/{role}.json")


def find_question(role: str, question_id: str) -> Question | None:
    """The question `question_id` of `role`'s bank, or None (also for an unknown role)."""
    return (
        next((q for q in load_bank(role) if q.id == question_id), None) if role in ROLES else None
    )


def questions_for(role: str, level: str) -> tuple[Question, ...]:
    """The questions of `role`'s bank suitable for `level`."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; valid levels: {', '.join(LEVELS)}")
    return tuple(q for q in load_bank(role) if level in q.levels)


def pick_questions(
    role: str,
    level: str,
    count: int,
    *,
    seed: int,
    exclude: AbstractSet[str] = frozenset(),
    prefer_keywords: AbstractSet[str] = frozenset(),
) -> tuple[Question, ...]:
    """Up to `count` distinct questions, fixed by `seed`; kinds alternate while both remain and,
    within a kind, those sharing most keywords with `prefer_keywords` (a CV's words) come first."""
    pool = [q for q in questions_for(role, level) if q.id not in exclude]
    random.Random(seed).shuffle(pool)
    wanted = {k.strip().lower() for k in prefer_keywords}
    pool.sort(key=lambda q: len(wanted.intersection(q.keywords)), reverse=True)
    first = pool[0].kind if pool else KINDS[0]
    rank = {q.id: i for k in KINDS for i, q in enumerate(q for q in pool if q.kind == k)}
    pool.sort(key=lambda q: (rank[q.id], q.kind != first))
    return tuple(pool[: max(count, 0)])
