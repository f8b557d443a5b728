"""accepted domains: referrer domains staff accepted for one license

Views from such a domain no longer raise the "other domain" usage flag; who accepted it and when
is kept.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-05 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'license_accepted_domains',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('license_id', sa.Integer(), sa.ForeignKey('licenses.id'), nullable=False),
        sa.Column('domain', sa.String(253), nullable=False),
        sa.Column('accepted_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('accepted_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('license_id', 'domain', name='uq_license_accepted_domain'),
    )


def downgrade() -> None:
    op.drop_table('license_accepted_domains')
