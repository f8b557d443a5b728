"""invited users: an account stays "invited" until its invitation's link has set a password

Existing accounts are taken as signed up (false): before this column, invited and active accounts
could not be told apart, and marking them all invited would offer to invite real users again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('invited', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('invited')
