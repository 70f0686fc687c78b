"""reliability: durable inbox (#12)

One row per accepted answer: which step it reached, which worker holds it and until when,
and (sealed) where to reply, so unfinished turns resume after a crash or restart.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turn_inbox",
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("chat", sa.LargeBinary(), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("worker", sa.String(length=32), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["turn_id"],
            ["turns.id"],
            name=op.f("fk_turn_inbox_turn_id_turns"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_turn_inbox_user_id_users"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("turn_id", name=op.f("pk_turn_inbox")),
    )
    op.create_index("ix_turn_inbox_step_lease", "turn_inbox", ["step", "lease_until"])
    op.create_index("ix_turn_inbox_user_id", "turn_inbox", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_turn_inbox_user_id", table_name="turn_inbox")
    op.drop_index("ix_turn_inbox_step_lease", table_name="turn_inbox")
    op.drop_table("turn_inbox")
