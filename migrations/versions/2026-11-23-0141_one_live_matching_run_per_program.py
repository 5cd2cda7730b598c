"""one live matching run per program

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 01:41:56.618199+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.alter_column(
            "solver",
            existing_type=sa.VARCHAR(length=32),
            type_=sa.String(length=120),
            existing_nullable=True,
        )
        batch_op.create_index(
            "uq_matching_runs_live_program",
            ["program_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
        )


def downgrade() -> None:
    op.execute("UPDATE matching_runs SET solver = substr(solver, 1, 32) WHERE length(solver) > 32")
    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_matching_runs_live_program",
            sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
        )
        batch_op.alter_column(
            "solver",
            existing_type=sa.String(length=120),
            type_=sa.VARCHAR(length=32),
            existing_nullable=True,
        )
