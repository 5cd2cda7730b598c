"""erasure tombstones

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:21:23.701304+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_tombstones",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subject_digest", sa.String(length=64), nullable=False),
        sa.Column("erased_by", sa.String(length=320), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_erasure_tombstones_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_tombstones")),
    )
    with op.batch_alter_table("erasure_tombstones", schema=None) as batch_op:
        batch_op.create_index(
            "uq_erasure_tombstones_tenant_digest", ["tenant_id", "subject_digest"], unique=True
        )

    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_column("erased_at")

    with op.batch_alter_table("erasure_tombstones", schema=None) as batch_op:
        batch_op.drop_index("uq_erasure_tombstones_tenant_digest")

    op.drop_table("erasure_tombstones")
