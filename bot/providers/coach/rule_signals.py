"""What the rule-based coach can detect in an answer: STAR cues, actions, numbers, names.

Each detector returns token indices, so the scorer can quote the candidate's exact words.
Cue lists are regular expressions over the normalised token line (lowercase, no punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.flows.text import STOPWORDS, Token, find_phrase, match_tokens, tokenize, word_set


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
    r"\b(our|my|the|a|one) (\w+ ){0,2}(team|company|service|product|app|system|client|customer|"
    r"queue|manager|colleague|developer|prospect|account|director|lead|boss|partner|vendor|ceo|"
    r"cto|stakeholder)s? (was|were|had|kept|started|wanted|asked|called|emailed|moved|told)\b",
    r"\b(in|last|this|that|back in|by) (january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
    r"\bin (19|20)\d\d\b",
    r"\bduring (a|an|the|my|our)\b",
    r"\bi was (the|a|an|working|given|on|in|selling)\b",
    r"\b(i|we) (joined|inherited|were acquired)\b",
    r"\bin my (first|second|third|last|previous) (year|role|month|job|week)\b",
)
TASK_CUES = _rx(
    r"\b(my|our|the) (\w+ )?(goal|aim|task|job|role|objective|target|responsibility|mission|"
    r"challenge|priority|brief|problem|issue) (was|is)\b",
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
FRAME_CUES = _rx(
    r"\b(it|that) (depends|starts) (on|with|from)\b",
    r"\bthe (goal|key|first thing|aim|question|point|priority) (is|would be)\b",
    r"\b(i'd|i would|i|i'll|i always|i usually) (start|begin|open)\b",
    r"\b(start|starting|begin|beginning) (by|with|from)\b",
    r"\bmy (first|approach|rule|process)\b",
    r"\bfirst (i'd|i would|i'll|i)\b",
)
"""Role questions: how the candidate frames their approach before the steps."""
STEP_CUES = _rx(r"\b(first|firstly|second|secondly|third|then|next|after that|finally|lastly)\b")
REASON_CUES = _rx(
    r"\b(because|so that|which means|the reason|trade ?offs?|otherwise|that way|since|"
    r"in order to)\b"
)
EXAMPLE_CUES = _rx(r"\b(for example|for instance|e g|like when|a (good|recent|real) example)\b")
OUTCOME_WORDS = word_set(
    """reduced reduce increased increase cut cuts saved save saving savings grew grow improved
    improve dropped drop fell fall rose rise climbed doubled tripled halved boosted went from
    faster quicker fewer less more lower higher revenue churn conversion retention latency cost
    costs profit quota pipeline win renewed signed closed contract worth deal hit target score
    rate back under over rating review up down reached time timeouts tickets stayed
    satisfaction nps csat roi"""
)
QUALITATIVE_OUTCOMES = word_set(
    """well better happier smoothly smoother successful success improved faster resolved fixed
    solved worked calmer adopted renewed stayed"""
)
GENERIC_WORDS = word_set(
    """stuff things always various everything everyone everybody anything somehow etc
    whatever generally usually typically often sometimes lots many kinda"""
)
GENERIC_PHRASES = (
    "a lot", "in general", "all sorts", "and so on", "at the end of the day",
    "things like that", "stuff like that", "that kind of thing",
)  # fmt: skip
TOOLS = word_set(
    """python sql java kotlin rust react javascript typescript postgres postgresql mysql redis
    kafka aws gcp azure kubernetes docker terraform jenkins github gitlab jira confluence slack
    excel tableau looker amplitude mixpanel fullstory datadog grafana sentry salesforce hubspot
    zendesk freshdesk intercom linkedin figma notion xgboost pandas spark airflow dbt snowflake
    bigquery pytorch tensorflow sklearn stripe shopify locust gong"""
)
DOMAIN_TERMS = word_set(
    """api index cache query queries migration pipeline dashboard macro macros sla csat nps roi
    arr mrr kpi okr auc precision recall churn funnel conversion backlog rota quota crm spec
    roadmap latency p95 p99 throughput endpoint endpoints schema sprint cohort holdout a/b
    retention onboarding activation rollout rollback deploy release incident outage refund
    escalation ticket tickets contract invoice discount budget forecast model feature flag
    test tests alert"""
)
ACTION_VERBS = word_set(
    """built led wrote rewrote ran made took gave sent spoke met set put found sat drove brought
    sold taught chose began cut shipped drew held kept told showed bought dug won paid split
    rebuilt redesigned flew spent sought bought caught oversaw undertook grew stood rang sped
    """
)
"""Irregular past-tense actions; regular "-ed" verbs straight after "I" count too."""
NON_ACTION_ED = word_set(
    """needed wanted liked loved hoped seemed supposed based interested excited involved
    related tired bored scared worried stressed pleased surprised concerned used attached
    expected"""
)
ACTION_BASES = word_set(
    """build lead write ask check start measure compare run set map talk call test split
    profile add track review estimate prioritise prioritize break plan design define identify
    analyse analyze look listen acknowledge apologise apologize escalate explain propose
    negotiate trade offer quarantine fix reproduce bisect monitor alert deploy roll automate
    document share summarise summarize schedule block research interview segment validate
    clean query model train tune evaluate launch ship iterate align agree confirm follow send
    reply open close qualify present demo price pick choose reach prepare walk use"""
)
"""Present or hypothetical actions ("I'd check", "I ask"), counted for role questions only."""
_I_SUBJECTS = frozenset({"i", "i've", "i'd", "i'll"})
_WE_SUBJECTS = frozenset({"we", "we've"})
_OTHER_SUBJECTS = frozenset({"he", "she", "they", "it", "you", "nobody", "everyone", "team"})
_BRIDGES = word_set(
    """then also personally quickly immediately first actually just finally eventually later
    myself directly initially really even now had would will usually always normally"""
)
NUMBER_WORDS = word_set(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion dozen half twice percent"""
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
    frame: tuple[int, ...]
    steps: tuple[int, ...]
    reasons: tuple[int, ...]
    examples: tuple[int, ...]


def detect(text: str, *, role_question: bool = False) -> Signals:
    """Run every detector over `text` once; role questions also accept "I'd ..." actions."""
    tokens = tokenize(text)
    quantities = find_quantities(tokens)
    i_actions, we_actions = find_actions(tokens, hypothetical=role_question)
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
        frame=tuple(match_tokens(tokens, FRAME_CUES)),
        steps=tuple(match_tokens(tokens, STEP_CUES)),
        reasons=tuple(match_tokens(tokens, REASON_CUES)),
        examples=tuple(match_tokens(tokens, EXAMPLE_CUES)),
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
    return any(
        tokens[j].sentence == sent and tokens[j].text in OUTCOME_WORDS for j in range(lo, hi)
    )


def find_actions(
    tokens: Sequence[Token], *, hypothetical: bool = False
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Action verbs done by "I" and by "we", following the clause's subject.

    Past tense only ("I built"), unless `hypothetical`: then "I'd check", "I ask" count too.
    """
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
        acted = _is_action(tok.text) or (hypothetical and tok.text in ACTION_BASES)
        if subject in ("i", "we") and (direct or chained) and acted:
            (mine if subject == "i" else ours).append(i)
    return tuple(mine), tuple(ours)


def _is_action(word: str) -> bool:
    if word in ACTION_VERBS:
        return True
    return len(word) > 4 and word.endswith("ed") and word not in NON_ACTION_ED


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
