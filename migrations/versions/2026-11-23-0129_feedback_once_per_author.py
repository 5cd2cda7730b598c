"""feedback once per author

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:29:10.722562+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(
            "uq_feedback_author_pair",
            ["pair_id", "author_id"],
            unique=True,
            sqlite_where=sa.text("is_concern = 0 AND session_id IS NULL"),
            postgresql_where=sa.text("is_concern = false AND session_id IS NULL"),
        )
        batch_op.create_index(
            "uq_feedback_author_session",
            ["author_id", "session_id"],
            unique=True,
            sqlite_where=sa.text("is_concern = 0 AND session_id IS NOT NULL"),
            postgresql_where=sa.text("is_concern = false AND session_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_feedback_author_session",
            sqlite_where=sa.text("is_concern = 0 AND session_id IS NOT NULL"),
            postgresql_where=sa.text("is_concern = false AND session_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_feedback_author_pair",
            sqlite_where=sa.text("is_concern = 0 AND session_id IS NULL"),
            postgresql_where=sa.text("is_concern = false AND session_id IS NULL"),
        )
