"""queue speed: an index on requests.updated_at (the version key of the cached counts per status)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 06:40:00
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index('ix_requests_updated_at', ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_updated_at')
