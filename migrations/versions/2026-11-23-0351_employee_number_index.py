"""employee number index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 03:51:12.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_employees_tenant_source_number",
            ["tenant_id", "source", "employee_number"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index("ix_employees_tenant_source_number")
