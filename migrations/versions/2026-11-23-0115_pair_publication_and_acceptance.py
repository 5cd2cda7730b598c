"""pair publication and acceptance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:15:23.246050+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("mentor_accepted_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("mentee_accepted_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_column("mentee_accepted_at")
        batch_op.drop_column("mentor_accepted_at")
        batch_op.drop_column("published_at")
        batch_op.drop_column("pinned")
