"""The plain-language privacy summary served by /privacy."""

from __future__ import annotations

from bot.privacy.policy import MINIMUM_AGE, POLICY_VERSION

_NOTICE = """How your data is handled (policy version {version})

What I collect: your answers (voice recordings and transcripts), the scores and feedback \
I give, your chosen role and level, and your consent choices. Nothing before you agree.

Who processes it: {processors}

How it's protected: recordings, transcripts and feedback are encrypted with a key of \
your own; deleting your data destroys that key.

How long: while you use the service. When you ask for deletion there is a 30-day grace \
period in which you can change your mind; after that everything about you is erased.

Your rights: get a copy of your data (/export), correct it, delete it (/delete), or \
withdraw consent and object to processing (/consent withdraw).

Age: this service is for people aged {age} or older.

Questions or requests: {contact}"""


def privacy_notice(*, processors: str, contact: str) -> str:
    return _NOTICE.format(
        version=POLICY_VERSION, processors=processors, contact=contact, age=MINIMUM_AGE
    )
