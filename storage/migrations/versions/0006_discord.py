"""discord (#6): per-server settings (practice channel, question of the day opt-in)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discord_guilds",
        sa.Column("guild_id", sa.String(length=32), nullable=False),
        sa.Column("practice_channel_id", sa.String(length=32), nullable=True),
        sa.Column("question_of_the_day", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_discord_guilds")),
    )


def downgrade() -> None:
    op.drop_table("discord_guilds")
