"""indexes on the foreign keys that had none (erasure checks them per deleted row)

Without them, deleting a person's rows scans the credit ledger and the deletion requests
once per person (and the turns and usage once per recording and turn): the purge slowed
with the square of its size.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_turns_recording_id", "turns", "recording_id"),
    ("ix_credit_ledger_user_id", "credit_ledger", "user_id"),
    ("ix_deletion_requests_user_id", "deletion_requests", "user_id"),
    ("ix_provider_usage_turn_id", "provider_usage", "turn_id"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
