"""Credit packs from settings: `5:250,20:900` (credits:stars) and `123:5` (variant:credits)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pack:
    """A number of credits sold for a price in the smallest unit (Telegram Stars: 1 star)."""

    credits: int
    price: int


def parse_pairs(text: str) -> list[tuple[int, int]]:
    """`"5:250, 20:900"` -> [(5, 250), (20, 900)]; empty text -> []; ValueError when malformed."""
    pairs: list[tuple[int, int]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        left, sep, right = item.partition(":")
        if not sep or not left.strip().isdigit() or not right.strip().isdigit():
            raise ValueError(f"{item!r} should look like 5:250 (two whole numbers)")
        first, second = int(left), int(right)
        if first <= 0 or second <= 0:
            raise ValueError(f"{item!r}: both numbers must be positive")
        pairs.append((first, second))
    return pairs


def star_packs(text: str) -> tuple[Pack, ...]:
    """The Stars packs of `COACH_STAR_PACKS`, cheapest first."""
    return tuple(sorted((Pack(c, p) for c, p in parse_pairs(text)), key=lambda p: p.price))


def variant_credits(text: str) -> dict[str, int]:
    """`LEMONSQUEEZY_VARIANTS`: Lemon Squeezy variant id -> credits one purchase gives."""
    return {str(variant): credits for variant, credits in parse_pairs(text)}
