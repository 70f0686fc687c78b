"""The offline "Stronger answer": a STAR skeleton filled with the candidate's own sentences.

Each sentence (long run-on sentences are cut at "and", "so", "then", "but") goes to the STAR
part whose cues it carries, using the same detectors as the offline judge; filler words are
dropped and nothing is invented. What is missing is marked in [brackets]: a part with no
sentence, actions told only with "we", a result without a number. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.models import Question
from bot.flows.metrics import find_fillers
from bot.flows.text import Token
from bot.providers.coach.rule_signals import Signals, detect

PARTS = ("situation", "task", "action", "result")
TITLES = {"situation": "Situation", "task": "Task", "action": "Action", "result": "Result"}
GAPS = {
    "situation": "[Add the setting: where you were, when, and what was at stake.]",
    "task": "[Add your goal: what you were responsible for or asked to achieve.]",
    "action": '[Add two or three things you did yourself, each starting with "I".]',
    "result": "[Add how it ended: what changed because of what you did.]",
}
YOUR_ROLE = '[Your part: which of this did you do yourself? Say "I".]'
ADD_NUMBER = "[Add a number: a percentage, time or money saved, or a before and after.]"
PRONOUN_I = frozenset({"i", "i'm", "i'd", "i've", "i'll"})
SPLIT_WORDS = frozenset({"and", "so", "then", "but"})
MAX_CHUNK = 15
"""Sentences longer than this many words are cut at a joining word (run-on or unpunctuated
speech), so each STAR part gets its own clause."""
MIN_CHUNK = 8
ENGLISH_ONLY = "(Offline rewrites are in English only.)"


@dataclass(frozen=True, slots=True)
class StarDraft:
    """The candidate's sentences per STAR part, and the marked gaps."""

    parts: dict[str, tuple[str, ...]]
    notes: dict[str, tuple[str, ...]]

    def render(self) -> str:
        lines = []
        for part in PARTS:
            said = " ".join(self.parts.get(part, ()))
            marks = " ".join(self.notes.get(part, ()))
            lines.append(f"{TITLES[part]}: {' '.join(x for x in (said, marks) if x)}")
        return "\n".join(lines)


def star_draft(question: Question, answer: str) -> StarDraft:
    """Sort the answer's sentences into STAR parts and mark what is missing."""
    sig = detect(answer, role_question=question.kind == "role")
    if not sig.tokens:
        return StarDraft({}, {part: (GAPS[part],) for part in PARTS})
    skip = _filler_tokens(sig.tokens)
    parts: dict[str, list[str]] = {part: [] for part in PARTS}
    for chunk in _chunks(sig.tokens):
        text = _clean(answer, sig.tokens, chunk, skip)
        if text:
            parts[_part_of(sig, chunk, seen_action=bool(parts["action"]))].append(text)
    notes: dict[str, list[str]] = {part: [] for part in PARTS}
    for part in PARTS:
        if not parts[part]:
            notes[part].append(GAPS[part])
    if parts["action"] and not sig.i_actions:
        notes["action"].append(YOUR_ROLE)
    if parts["result"] and not sig.outcome_quantities:
        notes["result"].append(ADD_NUMBER)
    return StarDraft(
        {k: tuple(v) for k, v in parts.items() if v}, {k: tuple(v) for k, v in notes.items() if v}
    )


def star_rewrite(question: Question, answer: str) -> str:
    """`star_draft` rendered as text, one line per STAR part."""
    return star_draft(question, answer).render()


class RuleRewriter:
    """The offline `Rewriter`: `star_rewrite`, English only."""

    name = "rules"

    async def rewrite(self, *, question: Question, answer: str, language: str | None = None) -> str:
        text = star_rewrite(question, answer)
        english = language is None or language.lower().startswith("en")
        return text if english else f"{ENGLISH_ONLY}\n{text}"


def _chunks(tokens: Sequence[Token]) -> list[list[int]]:
    """Token indices per sentence; long sentences cut before a joining word."""
    chunks: list[list[int]] = []
    for i, tok in enumerate(tokens):
        new_sentence = i == 0 or tok.sentence != tokens[i - 1].sentence
        long_enough = bool(chunks) and len(chunks[-1]) >= MIN_CHUNK
        cut = long_enough and tok.text in SPLIT_WORDS and _runs_on(tokens, chunks[-1])
        if new_sentence or cut:
            chunks.append([])
        chunks[-1].append(i)
    return chunks


def _runs_on(tokens: Sequence[Token], chunk: list[int]) -> bool:
    """Whether the sentence `chunk` belongs to is too long to keep whole."""
    sentence = tokens[chunk[0]].sentence
    return sum(1 for t in tokens if t.sentence == sentence) > MAX_CHUNK


def _part_of(sig: Signals, chunk: list[int], *, seen_action: bool) -> str:
    """The STAR part a chunk belongs to, by its cues; a chunk without cues is setting before
    the first action and action after it."""
    members = set(chunk)
    acts = members & set(sig.i_actions) or members & set(sig.we_actions)
    if members & set(sig.result) or (members & set(sig.outcome_quantities) and not acts):
        return "result"
    if members & set(sig.task):
        return "task"
    if members & set(sig.situation) and not seen_action:
        return "situation"
    if acts or seen_action:
        return "action"
    return "situation"


def _filler_tokens(tokens: Sequence[Token]) -> set[int]:
    """Indices of filler words ("um", "you know", "like" as a filler) to leave out."""
    skip: set[int] = set()
    for phrase, first in find_fillers(tokens):
        skip.update(range(first, first + len(phrase.split())))
    return skip


def _clean(text: str, tokens: Sequence[Token], chunk: list[int], skip: set[int]) -> str:
    """The chunk's own words (fillers dropped), capitalised and ending with a full stop."""
    kept = [i for i in chunk if i not in skip]
    if kept and tokens[kept[0]].text in SPLIT_WORDS:
        kept = kept[1:]
    if not kept:
        return ""
    pieces: list[str] = []
    for n, i in enumerate(kept):
        if n:  # the text between two kept words; one space where a filler was dropped
            prev = kept[n - 1]
            pieces.append(text[tokens[prev].end : tokens[i].start] if i == prev + 1 else " ")
        word = text[tokens[i].start : tokens[i].end]
        pieces.append("I" + word[1:] if tokens[i].text in PRONOUN_I else word)
    sentence = "".join(pieces).strip().strip(",;:—–-").strip()
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."
