"""The data registry: every table, column group, blob kind and third party, and its fate.

Pure data (no database driver): tables and columns are named, not imported. Erasure, the
purge job, export and `/privacy` read it; `tests/unit/test_registry.py` fails when the
schema in `storage.tables` and this registry disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Category = Literal[
    "identity",
    "profile",
    "consent",
    "interview content",
    "audio",
    "analytics",
    "financial",
    "operational",
]
LegalBasis = Literal["consent", "contract", "legal obligation", "legitimate interest"]
Disposition = Literal["delete", "anonymise", "none"]

CATEGORIES: tuple[Category, ...] = (
    "identity",
    "profile",
    "consent",
    "interview content",
    "audio",
    "analytics",
    "financial",
    "operational",
)
LEGAL_BASES: tuple[LegalBasis, ...] = (
    "consent",
    "contract",
    "legal obligation",
    "legitimate interest",
)
DISPOSITIONS: tuple[Disposition, ...] = ("delete", "anonymise", "none")
FINANCIAL_RETENTION_YEARS = 7
"""Anonymised financial records are kept this long (tax and fraud-prevention law)."""
AUDIT_RETENTION_YEARS = 2
"""Audit log entries are kept this long (accountability), then the purge job deletes them."""


@dataclass(frozen=True, slots=True)
class ColumnGroup:
    """Columns of one table that share a category, purpose and legal basis."""

    columns: tuple[str, ...]
    category: Category
    purpose: str
    basis: LegalBasis
    sealed: bool = False  # encrypted with the person's data key
    note: str = ""


@dataclass(frozen=True, slots=True)
class PersonLink:
    """How a row leads to its person: `column` holds a user id, or, with `via`, the id of a
    row of `via` whose `user_id` is the person (e.g. turns.session_id -> interview_sessions)."""

    column: str
    via: str | None = None


@dataclass(frozen=True, slots=True)
class TableEntry:
    name: str
    groups: tuple[ColumnGroup, ...]
    disposition: Disposition
    link: PersonLink | None = None
    keep_years: int | None = None  # only for "anonymise": kept, unlinked, this long
    anonymise: tuple[str, ...] = ()  # columns set to NULL when anonymising
    note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for g in self.groups for c in g.columns)

    @property
    def categories(self) -> frozenset[Category]:
        return frozenset(g.category for g in self.groups)

    @property
    def personal(self) -> bool:
        """True when any column says something about a person."""
        return any(g.category != "operational" for g in self.groups)


@dataclass(frozen=True, slots=True)
class BlobKind:
    """Objects in the blob store, named `<prefix>-<random>`, referenced by `table.column`."""

    name: str
    prefix: str
    referenced_by: str
    category: Category
    purpose: str
    basis: LegalBasis
    disposition: Disposition


@dataclass(frozen=True, slots=True)
class Processor:
    """A third party that would receive personal data, and what it receives."""

    name: str
    service: str
    receives: tuple[str, ...]
    categories: tuple[Category, ...]
    purpose: str
    basis: LegalBasis
    called_offline: bool = False  # called with the offline defaults (no API keys)?
    erasure_api: bool = False  # we can ask it to forget a person


def _g(
    cols: str, category: Category, purpose: str, basis: LegalBasis, *, note: str = ""
) -> ColumnGroup:
    return ColumnGroup(tuple(cols.split()), category, purpose, basis, note=note)


def _sealed(cols: str, category: Category, purpose: str, basis: LegalBasis) -> ColumnGroup:
    return ColumnGroup(tuple(cols.split()), category, purpose, basis, sealed=True)


_ROW = "row identity and timestamps"
_USER = PersonLink("user_id")
_PROCESS = "run interview practice and give feedback"

# Erasure walks this tuple in order: rows that reference others come first.
TABLES: tuple[TableEntry, ...] = (
    TableEntry("turn_inbox", (
        _g("turn_id user_id step worker lease_until attempts received_at updated_at",
           "operational", "finish every accepted answer once, after a crash too", "contract"),
        ColumnGroup(("chat",), "operational", "where to send the reply of an answer in progress",
                    "contract", sealed=True, note="cleared once the reply is sent"),
    ), "delete", _USER),
    TableEntry("turns", (
        _g("id session_id seq created_at answered_at", "operational", _ROW, "contract"),
        _g("question_id question_text is_follow_up attempt status answer_kind recording_id",
           "interview content", "which question was asked and how it went", "contract"),
        _sealed("answer_text transcript assessment", "interview content", _PROCESS, "contract"),
        _g("metrics overall", "analytics", "speaking metrics and scores for progress",
           "contract"),
    ), "delete", PersonLink("session_id", via="interview_sessions")),
    TableEntry("recordings", (
        _g("id user_id blob_key created_at", "operational", _ROW, "contract"),
        _g("mime size duration_s", "audio", "answer audio metadata", "contract"),
    ), "delete", _USER),
    TableEntry("interview_sessions", (
        _g("id user_id created_at finished_at status", "operational", _ROW, "contract"),
        _g("platform", "operational", "which platform the interview ran on", "contract"),
        _g("role level planned_questions seed", "interview content", _PROCESS, "contract"),
    ), "delete", _USER),
    TableEntry("stories", (
        _g("id user_id created_at updated_at", "operational", _ROW, "contract"),
        _g("tags overall", "interview content", "the story bank: reuse and refine good answers",
           "contract"),
        _sealed("question text", "interview content",
                "the story bank: reuse and refine good answers", "contract"),
    ), "delete", _USER),
    TableEntry("reminders", (
        _g("user_id created_at last_sent_at next_at", "operational", _ROW, "contract"),
        _g("local_time timezone", "profile", "send practice reminders the person asked for",
           "consent"),
        _g("platform", "operational", "which platform sends the practice reminder", "consent"),
        _sealed("chat", "identity", "where to send the practice reminder", "consent"),
    ), "delete", _USER),
    TableEntry("documents", (
        _g("id user_id blob_key created_at", "operational", _ROW, "contract"),
        _g("kind filename", "profile", "tailor questions to a CV or job description",
           "contract"),
        _sealed("text", "profile", "tailor questions to a CV or job description", "contract"),
    ), "delete", _USER),
    TableEntry("consents", (
        _g("id user_id", "operational", _ROW, "contract"),
        _g("policy_version purposes age_confirmed given_at withdrawn_at", "consent",
           "prove what the person agreed to and when", "legal obligation"),
    ), "delete", _USER),
    TableEntry("identities", (
        _g("user_id created_at", "operational", _ROW, "contract"),
        _g("platform lookup_hash", "identity", "recognise the person on a chat platform",
           "contract", note="keyed hash of the platform id, never the id"),
    ), "delete", _USER),
    TableEntry("contact_points", (
        _g("id user_id created_at", "operational", _ROW, "contract"),
        _g("platform", "identity", "which platform can reach the person", "legal obligation"),
        _sealed("address", "identity",
                "reach the person outside a conversation: breach notices, opted-in updates",
                "legal obligation"),
    ), "delete", _USER),
    TableEntry("deletion_requests", (
        _g("id user_id requested_at due_at cancelled_at completed_at", "operational",
           "carry out a deletion after its grace period", "legal obligation"),
    ), "delete", _USER),
    TableEntry("purchase_tokens", (
        _g("token user_id created_at used_at", "operational",
           "match a payment to the buyer without sending their id to the provider", "contract"),
        _g("provider credits price", "financial", "the credit pack being bought", "contract"),
    ), "delete", _USER),
    TableEntry("marketing_optins", (
        _g("user_id", "operational", _ROW, "consent"),
        _g("opted_in_at method opted_out_at", "consent",
           "prove the double opt-in to marketing e-mail (when and how)", "consent"),
        _g("subscriber_id", "identity", "reach the subscriber at MailerLite to unsubscribe or "
           "forget them", "consent"),
    ), "delete", _USER),
    TableEntry("email_codes", (
        _g("user_id", "operational", _ROW, "consent"),
        _g("code_hash expires_at attempts sends first_sent_at", "operational",
           "confirm the e-mail address by a one-time code (only its keyed hash is kept)",
           "consent"),
    ), "delete", _USER),
    TableEntry("credit_ledger", (
        _g("id user_id created_at", "operational", _ROW, "contract"),
        _g("kind amount", "financial", "credits bought and spent", "legal obligation"),
        _g("provider external_id", "financial", "match a payment at the payment provider",
           "legal obligation", note="identifies a payment, not a person"),
    ), "anonymise", _USER, keep_years=FINANCIAL_RETENTION_YEARS, anonymise=("user_id",),
        note="tax and fraud-prevention law: kept unlinked, then deleted"),
    TableEntry("users", (
        _g("id created_at", "operational", _ROW, "contract"),
        _sealed("display_name email", "identity", "address the person; account e-mail",
                "contract"),
        _g("email_confirmed", "identity", "whether the e-mail was confirmed", "contract"),
        _g("language target_role target_level", "profile", "pick questions", "contract"),
        _g("data_key", "operational", "the person's wrapped data key (crypto-shredding)",
           "contract"),
    ), "delete", PersonLink("id")),
    TableEntry("audit_log", (
        _g("id at actor action detail", "operational",
           "accountability: who did what, as keyed hashes and counts", "legitimate interest",
           note="actor is a keyed hash; detail holds counts, never content"),
    ), "none", note=f"kept {AUDIT_RETENTION_YEARS} years, then deleted by the purge job"),
    TableEntry("processed_updates", (
        _g("platform update_id processed_at", "operational",
           "answer each platform update once", "legitimate interest",
           note="update ids are not linked to people; forgotten after a few days"),
    ), "none"),
    TableEntry("erasure_receipts", (
        _g("id at counts", "operational", "proof that an erasure happened (counts only)",
           "legal obligation"),
    ), "none"),
    TableEntry("discord_guilds", (
        _g("guild_id practice_channel_id question_of_the_day updated_at", "operational",
           "each Discord server's practice channel and question-of-the-day choice",
           "legitimate interest", note="server and channel ids only; no person's data"),
    ), "none"),
    TableEntry("provider_usage", (
        _g("id at turn_id stage provider model latency_ms ok error_kind input_tokens "
           "output_tokens audio_seconds characters", "operational",
           "provider latency, errors and cost for the admins", "legitimate interest",
           note="figures only; turn_id is set to NULL when the turn is erased"),
    ), "none"),
)  # fmt: skip

BLOBS: tuple[BlobKind, ...] = (
    BlobKind("answer recording", "answer", "recordings.blob_key", "audio",
             "transcribe and score voice answers; export", "contract", "delete"),
    BlobKind("document file", "document", "documents.blob_key", "profile",
             "keep the uploaded CV or job description; export", "contract", "delete"),
)  # fmt: skip

PROCESSORS: tuple[Processor, ...] = (
    Processor("OpenAI-compatible Whisper", "speech to text", ("answer audio",),
              ("audio",), "transcribe voice answers", "contract"),
    Processor("Anthropic", "language model",
              ("transcripts", "typed answers", "CV text", "job description"),
              ("interview content", "profile"), "score answers and choose questions",
              "contract"),
    Processor("Cartesia", "text to speech", ("reply text",), ("interview content",),
              "speak questions and feedback", "contract"),
    Processor("OpenAI-compatible chat model (COACH_LLM=openai)", "language model",
              ("transcripts", "typed answers", "CV text", "job description"),
              ("interview content", "profile"), "score answers and choose questions",
              "contract"),
    Processor("OpenAI-compatible speech (COACH_TTS=openai)", "text to speech", ("reply text",),
              ("interview content",), "speak questions and feedback", "contract"),
    Processor("Telegram", "chat platform", ("messages", "voice replies", "exports"),
              ("identity", "interview content", "audio"), "talk to the person", "contract"),
    Processor("Discord", "chat platform", ("messages", "voice replies", "exports"),
              ("identity", "interview content", "audio"), "talk to the person", "contract"),
    Processor("Lemon Squeezy", "payments", ("e-mail", "name", "payment details"),
              ("identity", "financial"), "sell credits", "contract"),
    Processor("MailerLite", "e-mail marketing", ("e-mail", "name"), ("identity",),
              "tips and updates, only with marketing consent", "consent", erasure_api=True),
)  # fmt: skip


def table(name: str) -> TableEntry:
    """The registry entry of a table; KeyError when the table is not registered."""
    for entry in TABLES:
        if entry.name == name:
            return entry
    raise KeyError(name)
