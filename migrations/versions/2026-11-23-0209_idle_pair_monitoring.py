"""idle pair monitoring

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 02:09:01.337496+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feedback_requested_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idle_warned_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("idle_warning_days", sa.Integer(), nullable=False, server_default="21")
        )
        batch_op.add_column(
            sa.Column("idle_conclude_days", sa.Integer(), nullable=False, server_default="42")
        )
        batch_op.create_check_constraint(
            op.f("ck_programs_idle_periods"),
            "idle_warning_days > 0 AND idle_conclude_days > idle_warning_days",
        )


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_programs_idle_periods"), type_="check")
        batch_op.drop_column("idle_conclude_days")
        batch_op.drop_column("idle_warning_days")

    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_column("idle_warned_at")

    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.drop_column("feedback_requested_at")
