"""A small thesaurus of interview topics, so relevance survives paraphrase.

A question about "performance" is answered by talk of latency, caching and p95; a question
about "difficult feedback" by a one-to-one where someone was told something. Each topic lists
everyday words for it; a question and an answer share a topic when both use one of its words.
Words are stemmed with `text.stem`, so inflections match.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.flows.text import stem, word_set

COMMON_TERMS = frozenset(
    stem(w)
    for w in word_set(
        """
        team teams customer customers data work worked working job company product products
        project projects people user users feature features week weeks day days month months
        year years next test tests ticket tickets call calls review reviews step steps goal
        goals role roles manager business support model change changes new own impact
        """
    )
)
"""Words nearly every answer in some role uses; a shared one is weak evidence of topic."""

TOPICS: dict[str, str] = {
    "performance": """
        performance slow slower fast faster speed latency p95 p99 throughput optimise
        optimize cache caching bottleneck profiled profiling milliseconds timeout timeouts
        efficient
    """,
    "debugging": """
        debug debugging bug bugs incident outage root cause logs traces error crash broken
        broke diagnose investigate investigated reproduce alert regression
    """,
    "failure": """
        fail failed failure mistake wrong behind missed slipped lesson regret owned blame
        apologised
    """,
    "feedback": """
        feedback criticism conversation one-to-one told raised honest constructive specific
        examples review
    """,
    "colleague": """
        colleague teammate coworker peer developer engineer designer report
    """,
    "conflict": """
        disagree disagreed disagreement conflict argument pushback objected convinced
        persuaded compromise debate opinion opinions
    """,
    "deadline": """
        deadline tight early late schedule timeline scope rushed urgent due crunch delivered
        deliver days weeks hours shipped
    """,
    "learning": """
        learn learned learning course tutorial documentation studied ramp practice mentor
        paired
    """,
    "technology": """
        technology technologies language framework library codebase stack tool tools kotlin
        python java rust react
    """,
    "data-quality": """
        messy incomplete missing duplicate duplicates clean cleaning gaps null nulls
        outliers records rows inconsistent quality
    """,
    "analysis": """
        analysis analyses analysed analytics insight insights data dataset sql query numbers
        dashboard usage amplitude mixpanel looker tableau excel
    """,
    "decision": """
        decision decide decided chose choose recommended recommendation trade-off tradeoff
        instead rather objective options
    """,
    "model": """
        model models algorithm prediction predict forecast forecasting training trained
        retrained auc precision recall accuracy xgboost regression classifier
    """,
    "measurement": """
        measure metric metrics evaluate evaluation kpi baseline holdout success calibration
        a/b experiment guardrail guardrails dashboard conversion retention
    """,
    "communication": """
        explain explained presented presentation audience non-technical jargon simple chart
        slides story communicated session understand trust
    """,
    "priority": """
        prioritise prioritize priority priorities competing requests trade-off urgent impact
        effort roadmap backlog reach scored
    """,
    "stakeholders": """
        stakeholder stakeholders sales support director leadership executive executives
        partner partners
    """,
    "launch": """
        launch launched launches release released rollout relaunch relaunched rollback flag
        go-live activation signups
    """,
    "deal": """
        deal deals closed closing contract signed won quota negotiated proposal renewal
        buyer prospect business case demo
    """,
    "loss": """
        lost lose losing loss competitor cheaper win rate review
    """,
    "price": """
        expensive price pricing cost costs discount budget value roi cheaper objection
        billing afford
    """,
    "prospecting": """
        pipeline territory region outreach prospects leads calls sequence linkedin events
        scratch qualified
    """,
    "upset-customer": """
        angry upset furious frustrated complaint cancel vent apologised calm escalated de-
        escalate
    """,
    "customer-care": """
        beyond extra weekend evening friday late myself personally review thanked helped
    """,
    "process": """
        process workflow improve improved automate automated automation macro macros
        streamline efficiency steps articles template
    """,
    "shipping": """
        production prod live deploy deployed deployment shipped ship release released
        rollback rolled hotfix incident outage on-call
    """,
    "support": """
        support ticket tickets queue agent agents zendesk helpdesk sla csat backlog response
    """,
    "pressure": """
        volume pressure busy surge spike outage overwhelmed peak backlog
    """,
    "unknown-answer": """
        know answer question unsure confirm check honest next step
    """,
    "leadership": """
        leadership initiative authority influence nobody volunteered convinced persuaded
        manager title stepped rallied
    """,
    "change": """
        change changes adapt adapted acquired acquisition reorganisation restructure switch
        transition migration moved new
    """,
}
"""Topic -> everyday words for it (space separated)."""

_INDEX: dict[str, frozenset[str]] = {}
for _topic, _words in TOPICS.items():
    for _stem in {stem(w) for w in _words.split()}:
        _INDEX[_stem] = _INDEX.get(_stem, frozenset()) | {_topic}


def topics_of(words: Iterable[str]) -> set[str]:
    """Topics any of `words` belongs to."""
    found: set[str] = set()
    for word in words:
        found |= _INDEX.get(stem(word), frozenset())
    return found


def topics_of_stem(word_stem: str) -> frozenset[str]:
    """Topics of one already-stemmed word."""
    return _INDEX.get(word_stem, frozenset())
