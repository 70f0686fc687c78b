"""What the rule-based coach can detect in an answer: STAR cues, actions, numbers, names.

Each detector returns token indices, so the scorer can quote the candidate's exact words.
Cue lists are regular expressions over the normalised token line (lowercase, no punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.flows.text import STOPWORDS, Token, find_phrase, match_tokens, tokenize


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


SITUATION_CUES = _rx(
    r"\b(at|in|with|on) (my|our|a) (last|previous|current|former|old|first|second) "
    r"(job|role|company|team|position|employer|internship|project)",
    r"\b(at|in|for) (a|an|my|our) ([a-z-]+ ){0,2}(startup|company|firm|agency|bank|provider|"
    r"retailer|business|shop|school|hospital|consultancy|organisation|organization|store)\b",
    r"\b(last|this|that) (year|quarter|month|spring|summer|autumn|fall|winter|week)\b",
    r"\b(a few|two|three|several|some) (months|years|weeks) ago\b",
    r"\b(when|while|after|before) (i|we) (was|were|joined|started|moved|took)\b",
    r"\b(our|my|the|a) (\w+ )?(team|company|service|product|app|system|client|customer|queue|"
    r"manager|colleague|developer|prospect) (was|were|had|kept|started|wanted|asked|called|"
    r"emailed|moved|told)\b",
    r"\bin (19|20)\d\d\b",
    r"\bduring (a|an|the|my|our)\b",
    r"\bi was (the|a|an|working|given|on|in|selling)\b",
    r"\b(i|we) (joined|inherited|were acquired)\b",
    r"\bin my (first|second|third|last|previous) (year|role|month|job|week)\b",
)
TASK_CUES = _rx(
    r"\b(my|our|the) (main )?(goal|aim|task|job|role|objective|target|responsibility|mission|"
    r"challenge|priority|brief) (was|is)\b",
    r"\bi was (responsible|asked|tasked|given|assigned|expected|supposed|accountable)\b",
    r"\b(i|we) (needed|had|wanted|decided|committed) to\b",
    r"\bit was (my|on me) (job|responsibility|call)?\b",
    r"\bi set (myself|out)\b",
    r"\b(needed|had) to (be|get|find|fix|deliver|decide|close|ship|make|keep|raise)\b",
)
RESULT_CUES = _rx(
    r"\bas a result\b",
    r"\b(which|that|this|it) (led|resulted|meant|helped|allowed|cut|saved|reduced|increased)\b",
    r"\bin the end\b",
    r"\bended up\b",
    r"\b(the )?(result|outcome|impact) was\b",
    r"\b(reduced|increased|cut|saved|improved|doubled|tripled|halved|boosted|lifted|raised)\b",
    r"\b(went|came|dropped|fell|rose|climbed|grew|jumped) (up|down|from|to|by|back)\b",
    r"\b(we|i|they|she|he) (hit|exceeded|beat|closed|won|delivered|shipped|signed|renewed|"
    r"cleared|stayed|adopted)\b",
    r"\b(since then|after that|within (a|the|two|three|six) \w+)\b",
)
OUTCOME_WORDS = frozenset(
    """reduced reduce increased increase cut cuts saved save saving savings grew grow improved
    improve dropped drop fell fall rose rise climbed doubled tripled halved boosted went from
    faster quicker fewer less more lower higher revenue churn conversion retention latency cost
    costs profit quota pipeline win renewed signed closed contract worth deal hit target score
    rate back under over rating review up down reached time timeouts tickets stayed
    satisfaction nps csat roi""".split()
)
QUALITATIVE_OUTCOMES = frozenset(
    """well better happier smoothly smoother successful success improved faster resolved fixed
    solved worked calmer adopted renewed stayed""".split()
)
GENERIC_WORDS = frozenset(
    """stuff things thing always various everything everyone everybody anything somehow etc
    whatever generally usually typically often sometimes lots many kinda""".split()
)
GENERIC_PHRASES = ("a lot", "in general", "all sorts", "and so on", "at the end of the day",
                   "it depends", "things like that", "stuff like that", "that kind of thing")  # fmt: skip
TOOLS = frozenset(
    """python sql java kotlin rust react javascript typescript postgres postgresql mysql redis
    kafka aws gcp azure kubernetes docker terraform jenkins github gitlab jira confluence slack
    excel tableau looker amplitude mixpanel fullstory datadog grafana sentry salesforce hubspot
    zendesk freshdesk intercom linkedin figma notion xgboost pandas spark airflow dbt snowflake
    bigquery pytorch tensorflow sklearn stripe shopify locust gong""".split()
)
DOMAIN_TERMS = frozenset(
    """api index cache query queries migration pipeline dashboard macro macros sla csat nps roi
    arr mrr kpi okr auc precision recall churn funnel conversion backlog rota quota crm spec
    roadmap latency p95 p99 throughput endpoint endpoints schema sprint cohort holdout a/b
    retention onboarding activation rollout rollback deploy release incident outage refund
    escalation ticket tickets contract invoice discount budget forecast model feature flag
    test tests alert""".split()
)
ACTION_VERBS = frozenset(
    """built led wrote rewrote ran made took gave sent spoke met set put found sat drove brought
    sold taught chose began cut shipped drew held kept told showed bought dug won paid split
    rebuilt redesigned""".split()
)
"""Irregular past-tense actions; regular "-ed" verbs straight after "I" count too."""
NON_ACTION_ED = frozenset(
    """needed wanted liked loved hoped seemed supposed based interested excited involved
    related tired bored scared worried stressed pleased surprised concerned used attached
    expected""".split()
)
_I_SUBJECTS = frozenset({"i", "i've"})
_WE_SUBJECTS = frozenset({"we", "we've"})
_OTHER_SUBJECTS = frozenset({"he", "she", "they", "it", "you", "nobody", "everyone", "team"})
_BRIDGES = frozenset(
    """then also personally quickly immediately first actually just finally eventually later
    myself directly initially really even now had""".split()
)
NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion dozen half twice percent""".split()
)
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True, slots=True)
class Signals:
    """Token indices of everything the scorer looks at, for one answer."""

    text: str
    tokens: tuple[Token, ...]
    situation: tuple[int, ...]
    task: tuple[int, ...]
    result: tuple[int, ...]
    i_actions: tuple[int, ...]
    we_actions: tuple[int, ...]
    quantities: tuple[int, ...]
    outcome_quantities: tuple[int, ...]
    qualitative: tuple[int, ...]
    names: tuple[int, ...]
    domain_terms: tuple[int, ...]
    generic: tuple[int, ...]


def detect(text: str) -> Signals:
    """Run every detector over `text` once."""
    tokens = tokenize(text)
    quantities = find_quantities(tokens)
    i_actions, we_actions = find_actions(tokens)
    return Signals(
        text=text,
        tokens=tokens,
        situation=tuple(match_tokens(tokens, SITUATION_CUES)),
        task=tuple(match_tokens(tokens, TASK_CUES)),
        result=tuple(match_tokens(tokens, RESULT_CUES)),
        i_actions=i_actions,
        we_actions=we_actions,
        quantities=quantities,
        outcome_quantities=tuple(q for q in quantities if _near_outcome(tokens, q)),
        qualitative=tuple(i for i, t in enumerate(tokens) if t.text in QUALITATIVE_OUTCOMES),
        names=find_names(text, tokens),
        domain_terms=_first_of_each(tokens, DOMAIN_TERMS),
        generic=find_generic(tokens),
    )


def find_quantities(tokens: Sequence[Token]) -> tuple[int, ...]:
    """Start index of each number, written ("20%", "$4,000") or spoken ("forty five")."""
    found: list[int] = []
    prev_numeric = False
    for i, tok in enumerate(tokens):
        numeric = tok.is_number or tok.text in NUMBER_WORDS
        if numeric and not (prev_numeric and not tok.boundary):
            found.append(i)
        prev_numeric = numeric
    return tuple(found)


def _near_outcome(tokens: Sequence[Token], q: int, window: int = 8) -> bool:
    """A number tied to an outcome: same sentence as an outcome word, and not a year."""
    if _YEAR.fullmatch(tokens[q].text):
        return False
    sent = tokens[q].sentence
    lo, hi = max(0, q - window), min(len(tokens), q + window + 1)
    return any(tokens[j].sentence == sent and tokens[j].text in OUTCOME_WORDS for j in range(lo, hi))


def find_actions(tokens: Sequence[Token]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Past-tense action verbs done by "I" and by "we", following the clause's subject."""
    mine: list[int] = []
    ours: list[int] = []
    subject, since = "", 99
    for i, tok in enumerate(tokens):
        if i > 0 and tok.sentence != tokens[i - 1].sentence:
            subject = ""
        if tok.text in _I_SUBJECTS or tok.text in _WE_SUBJECTS or tok.text in _OTHER_SUBJECTS:
            subject = "i" if tok.text in _I_SUBJECTS else "we" if tok.text in _WE_SUBJECTS else "-"
            since = 0
            continue
        since += 1
        direct = since == 1 or (since <= 3 and tokens[i - 1].text in _BRIDGES)
        chained = tokens[i - 1].text in {"and", "then"} or tok.boundary
        if subject in ("i", "we") and (direct or chained) and _is_action(tok.text, loose=direct):
            (mine if subject == "i" else ours).append(i)
    return tuple(mine), tuple(ours)


def _is_action(word: str, *, loose: bool) -> bool:
    if word in ACTION_VERBS:
        return True
    return loose and len(word) > 4 and word.endswith("ed") and word not in NON_ACTION_ED


def find_names(text: str, tokens: Sequence[Token]) -> tuple[int, ...]:
    """Named things: known tools, or capitalised words that do not start a sentence."""
    found: list[int] = []
    for i, tok in enumerate(tokens):
        raw = text[tok.start : tok.end]
        sentence_start = i == 0 or tokens[i - 1].sentence != tok.sentence
        capital = raw[:1].isupper() and not sentence_start and tok.text not in STOPWORDS
        if (tok.text in TOOLS or capital) and not (found and found[-1] == i - 1):
            found.append(i)
    return tuple(found)


def find_generic(tokens: Sequence[Token]) -> tuple[int, ...]:
    """Vague words and stock phrases ("stuff", "always", "it depends")."""
    hits = [i for i, t in enumerate(tokens) if t.text in GENERIC_WORDS]
    for phrase in GENERIC_PHRASES:
        hits.extend(find_phrase(tokens, phrase))
    return tuple(sorted(set(hits)))


def _first_of_each(tokens: Sequence[Token], vocabulary: frozenset[str]) -> tuple[int, ...]:
    seen: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok.text in vocabulary:
            seen.setdefault(tok.text, i)
    return tuple(sorted(seen.values()))
