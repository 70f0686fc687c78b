"""Cut text into sentences, whole or as it streams in, with the same result either way.

A sentence ends at `.`, `!`, `?` or `…` (closing quotes and brackets included) followed by
whitespace and then a character that is not a lower-case letter; a `.` after a known
abbreviation ("e.g.", "Dr.") or a lone initial ("J.") does not end one, and "3.5" has no
whitespace after its dot. Every decision needs only the text up to the first character of
the next sentence, so `SentenceCutter` can hand each sentence out as soon as that character
arrives and still agree with `split_sentences` on the whole text, however it was chunked.
Sentences come out with their whitespace collapsed.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    "e.g i.e etc vs approx dr mr mrs ms prof st jr sr inc ltd co no fig cf al "
    "u.s u.k a.m p.m".split()
)
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(\s+)(?=\S)")
_LAST_WORD = re.compile(r"(\S+)$")


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the punctuation run `match` (followed by a visible character) ends a sentence."""
    if text[match.end()].islower():
        return False
    if not match.group(0).startswith(".") or match.group(0).startswith(".."):
        return True
    word = _LAST_WORD.search(text, 0, match.start())
    if word is None:
        return True
    stem = word.group(1).lstrip("\"'“‘([").lower()
    is_initial = len(stem) == 1 and stem.isalpha()
    return not (is_initial or stem in ABBREVIATIONS)


class SentenceCutter:
    """Feed text deltas; get back each sentence as soon as it is known to be complete."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[str]:
        """Sentences completed by `text` (possibly none)."""
        self._buffer += text
        done: list[str] = []
        start = 0
        for match in _END.finditer(self._buffer):
            if _ends_sentence(self._buffer, match):
                sentence = _normalised(self._buffer[start : match.start(1)])
                if sentence:
                    done.append(sentence)
                start = match.end()
        self._buffer = self._buffer[start:]
        return done

    def finish(self) -> list[str]:
        """The last sentence, once the text has ended (it needs no full stop)."""
        rest, self._buffer = _normalised(self._buffer), ""
        return [rest] if rest else []


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, exactly as `SentenceCutter` hands them out."""
    cutter = SentenceCutter()
    return cutter.feed(text) + cutter.finish()
