"""revocable sessions and mail retries: users.session_version, outbox_messages.attempts and
next_attempt_at (users.invited comes with 0012)

The session cookie carries the user's session version; raising it on the server ends every older
session. An invited account stays "invited" until its set-password link is used.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('next_attempt_at')
        batch.drop_column('attempts')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_version')
