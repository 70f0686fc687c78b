"""credits and payments (#8)

One-time purchase tokens (the opaque reference a payment provider carries back to us) and
the marketing opt-in record (when and how the person opted in, the MailerLite subscriber).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purchase_tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=True),
        sa.Column("price", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_purchase_tokens_user_id_users"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("token", name=op.f("pk_purchase_tokens")),
    )
    op.create_index("ix_purchase_tokens_user_id", "purchase_tokens", ["user_id"])
    op.create_table(
        "marketing_optins",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opted_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("subscriber_id", sa.String(length=64), nullable=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_marketing_optins_user_id_users"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_marketing_optins")),
    )


def downgrade() -> None:
    op.drop_table("marketing_optins")
    op.drop_index("ix_purchase_tokens_user_id", table_name="purchase_tokens")
    op.drop_table("purchase_tokens")
