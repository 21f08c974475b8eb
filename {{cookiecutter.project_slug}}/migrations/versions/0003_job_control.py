"""Job control: owners, idempotency, progress, cancellation, and indexes for listing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: GET /jobs lists newest first, filtered by owner and optionally by one of these columns.
LIST_FILTERS = ("status", "kind", "queue")


def upgrade() -> None:
    op.add_column("jobs", sa.Column("owner", sa.String(64), nullable=True))
    op.add_column("jobs", sa.Column("request_digest", sa.String(64), nullable=True))
    op.add_column("jobs", sa.Column("progress", sa.Float(), nullable=True))
    op.add_column("jobs", sa.Column("progress_message", sa.String(200), nullable=True))
    op.add_column(
        "jobs",
        sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_jobs_created_at_id", "jobs", ["created_at", "id"])
    op.create_index("ix_jobs_owner_created_at_id", "jobs", ["owner", "created_at", "id"])
    for column in LIST_FILTERS:
        op.create_index(
            f"ix_jobs_owner_{column}_created_at_id", "jobs", ["owner", column, "created_at", "id"]
        )


def downgrade() -> None:
    for column in LIST_FILTERS:
        op.drop_index(f"ix_jobs_owner_{column}_created_at_id", table_name="jobs")
    op.drop_index("ix_jobs_owner_created_at_id", table_name="jobs")
    op.drop_index("ix_jobs_created_at_id", table_name="jobs")
    for column in ("cancel_requested", "progress_message", "progress", "request_digest", "owner"):
        op.drop_column("jobs", column)
