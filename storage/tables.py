"""SQLAlchemy Core tables: one schema for SQLite and PostgreSQL.

Personal text (transcripts, feedback, CV text) is sealed with the person's own data key
before it reaches these tables or the blob store; deleting `users.data_key` shreds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = UtcDateTime()


def _user_fk() -> sa.Column[int]:
    return sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("display_name", sa.LargeBinary, nullable=True),  # sealed
    sa.Column("email", sa.LargeBinary, nullable=True),  # sealed
    sa.Column("email_confirmed", sa.Boolean, nullable=False, default=False),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("target_role", sa.String(64), nullable=True),
    sa.Column("target_level", sa.String(16), nullable=True),
    sa.Column("data_key", sa.LargeBinary, nullable=True),  # wrapped per-user key
)

identities = sa.Table(
    "identities",
    metadata,
    sa.Column("platform", sa.String(16), primary_key=True),
    sa.Column("lookup_hash", sa.String(64), primary_key=True),  # keyed hash, never the id
    _user_fk(),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_identities_user_id", "user_id"),
)

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _user_fk(),
    sa.Column("policy_version", sa.String(32), nullable=False),
    sa.Column("purposes", sa.String(200), nullable=False),  # comma-separated purpose ids
    sa.Column("age_confirmed", sa.Boolean, nullable=False),
    sa.Column("given_at", TS, nullable=False),
    sa.Column("withdrawn_at", TS, nullable=True),
    sa.Index("ix_consents_user_id", "user_id"),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _user_fk(),
    sa.Column("kind", sa.String(8), nullable=False),  # cv | jd
    sa.Column("filename", sa.String(200), nullable=True),
    sa.Column("blob_key", sa.String(80), nullable=True),
    sa.Column("text", sa.LargeBinary, nullable=True),  # sealed
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_documents_user_id", "user_id"),
)

recordings = sa.Table(
    "recordings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _user_fk(),
    sa.Column("blob_key", sa.String(80), nullable=False, unique=True),
    sa.Column("mime", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("duration_s", sa.Float, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_recordings_user_id", "user_id"),
)

interview_sessions = sa.Table(
    "interview_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _user_fk(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("role", sa.String(64), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("planned_questions", sa.Integer, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active | finished | abandoned
    sa.Column("created_at", TS, nullable=False),
    sa.Column("finished_at", TS, nullable=True),
    sa.Index("ix_interview_sessions_user_status", "user_id", "status"),
)

turns = sa.Table(
    "turns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "session_id",
        sa.Integer,
        sa.ForeignKey("interview_sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("question_id", sa.String(64), nullable=False),
    sa.Column("question_text", sa.Text, nullable=False),
    sa.Column("is_follow_up", sa.Boolean, nullable=False, default=False),
    sa.Column("attempt", sa.Integer, nullable=False, default=1),
    sa.Column("status", sa.String(16), nullable=False),  # asked|received|scored|failed|skipped
    sa.Column("answer_kind", sa.String(8), nullable=True),  # voice | text
    sa.Column("recording_id", sa.Integer, sa.ForeignKey("recordings.id", ondelete="SET NULL")),
    sa.Column("answer_text", sa.LargeBinary, nullable=True),  # sealed typed answer
    sa.Column("transcript", sa.LargeBinary, nullable=True),  # sealed JSON
    sa.Column("metrics", sa.JSON, nullable=True),
    sa.Column("assessment", sa.LargeBinary, nullable=True),  # sealed JSON (quotes answer)
    sa.Column("overall", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("answered_at", TS, nullable=True),
    sa.UniqueConstraint("session_id", "seq", name="uq_turns_session_seq"),
    sa.Index("ix_turns_recording_id", "recording_id"),
)

credit_ledger = sa.Table(
    "credit_ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("kind", sa.String(16), nullable=False),  # grant|purchase|spend|refund|adjust
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("external_id", sa.String(128), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.UniqueConstraint("provider", "external_id", "kind", name="uq_credit_ledger_external"),
    sa.Index("ix_credit_ledger_user_id", "user_id"),
)

deletion_requests = sa.Table(
    "deletion_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("requested_at", TS, nullable=False),
    sa.Column("due_at", TS, nullable=False),
    sa.Column("cancelled_at", TS, nullable=True),
    sa.Column("completed_at", TS, nullable=True),
    sa.Index("ix_deletion_requests_user_id", "user_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", TS, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),  # keyed hash, never an id
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.JSON, nullable=True),  # counts and ids of rows, never content
)

processed_updates = sa.Table(
    "processed_updates",
    metadata,
    sa.Column("platform", sa.String(16), primary_key=True),
    sa.Column("update_id", sa.String(64), primary_key=True),
    sa.Column("processed_at", TS, nullable=False),
)

erasure_receipts = sa.Table(
    "erasure_receipts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", TS, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),  # rows and blobs per table, no identifiers
)

# -- provider usage (#4) --

provider_usage = sa.Table(  # one row per provider call: figures only, no person, no content
    "provider_usage",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", TS, nullable=False, index=True),
    sa.Column("turn_id", sa.Integer, sa.ForeignKey("turns.id", ondelete="SET NULL"), nullable=True),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("model", sa.String(128), nullable=False),
    sa.Column("latency_ms", sa.Integer, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("error_kind", sa.String(64), nullable=True),
    sa.Column("input_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("output_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("audio_seconds", sa.Float, nullable=False, default=0.0),
    sa.Column("characters", sa.Integer, nullable=False, default=0),
    sa.Index("ix_provider_usage_turn_id", "turn_id"),
)

# -- Discord (#6) --

discord_guilds = sa.Table(  # server settings only: no person's data
    "discord_guilds",
    metadata,
    sa.Column("guild_id", sa.String(32), primary_key=True),
    sa.Column("practice_channel_id", sa.String(32), nullable=True),
    sa.Column("question_of_the_day", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", TS, nullable=False),
)

# -- credits and payments (#8) --

purchase_tokens = sa.Table(
    "purchase_tokens",
    metadata,
    sa.Column("token", sa.String(64), primary_key=True),  # opaque, random; sent to the provider
    _user_fk(),
    sa.Column("provider", sa.String(32), nullable=False),  # telegram-stars | lemonsqueezy
    sa.Column("credits", sa.Integer, nullable=True),  # the pack (Stars); None: the variant says
    sa.Column("price", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("used_at", TS, nullable=True),
    sa.Index("ix_purchase_tokens_user_id", "user_id"),
)

marketing_optins = sa.Table(
    "marketing_optins",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("opted_in_at", TS, nullable=True),
    sa.Column("method", sa.String(32), nullable=True),  # how the opt-in was confirmed
    sa.Column("subscriber_id", sa.String(64), nullable=True),  # MailerLite's id
    sa.Column("opted_out_at", TS, nullable=True),
)

email_codes = sa.Table(  # a pending e-mail confirmation code: only its keyed hash
    "email_codes",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("sends", sa.Integer, nullable=False, default=1),
    sa.Column("first_sent_at", TS, nullable=False),  # start of the resend window
)

# -- admins and operations (#9) --

contact_points = sa.Table(
    "contact_points",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _user_fk(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("address", sa.LargeBinary, nullable=False),  # sealed JSON {chat_id, user_id}
    sa.Column("created_at", TS, nullable=False),
    sa.UniqueConstraint("user_id", "platform", name="uq_contact_points_user_platform"),
)

# -- coaching (#10) --

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _user_fk(),
    sa.Column("tags", sa.String(200), nullable=False),  # comma-separated tag ids
    sa.Column("question", sa.LargeBinary, nullable=True),  # sealed
    sa.Column("text", sa.LargeBinary, nullable=False),  # sealed: the candidate's story
    sa.Column("overall", sa.Integer, nullable=True),  # the score it earned when saved
    sa.Column("created_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_stories_user_id", "user_id"),
)

reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("chat", sa.LargeBinary, nullable=False),  # sealed JSON {chat_id, user_id}
    sa.Column("local_time", sa.String(5), nullable=False),  # HH:MM in `timezone`
    sa.Column("timezone", sa.String(64), nullable=False),  # IANA name, e.g. Europe/Berlin
    sa.Column("next_at", TS, nullable=False),  # the next reminder, in UTC
    sa.Column("created_at", TS, nullable=False),
    sa.Column("last_sent_at", TS, nullable=True),
    sa.Index("ix_reminders_next_at", "next_at"),
)

# -- reliability (#12) --

turn_inbox = sa.Table(
    "turn_inbox",
    metadata,
    sa.Column(
        "turn_id", sa.Integer, sa.ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True
    ),
    _user_fk(),
    sa.Column("chat", sa.LargeBinary, nullable=True),  # sealed reply address, cleared when done
    sa.Column("step", sa.String(16), nullable=False),  # received|transcribed|scored|replied|failed
    sa.Column("worker", sa.String(32), nullable=True),  # claim token of the worker running it
    sa.Column("lease_until", TS, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=1),
    sa.Column("received_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_turn_inbox_step_lease", "step", "lease_until"),
    sa.Index("ix_turn_inbox_user_id", "user_id"),
)
