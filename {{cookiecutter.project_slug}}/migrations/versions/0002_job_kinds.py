"""Job kinds and fan-out: a kind per job, a parent per child, a count of children.

Jobs stored before kinds existed get the kind that did their queue's work then: `digest`
on the CPU queue, `echo` elsewhere.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("kind", sa.String(64), nullable=True))
    op.execute("UPDATE jobs SET kind = CASE WHEN queue = 'cpu' THEN 'digest' ELSE 'echo' END")
    op.alter_column("jobs", "kind", nullable=False)
    op.add_column("jobs", sa.Column("parent_id", sa.Uuid(), nullable=True))
    op.add_column("jobs", sa.Column("children_total", sa.Integer(), nullable=True))
    # The fan-in asks "is any child of this parent unfinished?" after every child.
    op.create_index("ix_jobs_parent_id", "jobs", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_parent_id", table_name="jobs")
    op.drop_column("jobs", "children_total")
    op.drop_column("jobs", "parent_id")
    op.drop_column("jobs", "kind")
