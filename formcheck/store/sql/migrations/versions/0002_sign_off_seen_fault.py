"""Sign-offs say which fault a disagreeing therapist sees.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.add_column(
        "sign_offs", sa.Column("seen_fault", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("sign_offs") as batch:
        batch.drop_column("seen_fault")
