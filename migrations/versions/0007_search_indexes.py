"""search speed: e-mail searches from an index of lower(e-mail) (requests and invoices), the
queue's organisation search from a trigram index (PostgreSQL), and the queue's counts per status
under a medium or territory filter from covering indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_requests_medium_status', 'requests', ['medium', 'status'], unique=False)
    op.create_index('ix_requests_medium_submitted_at', 'requests', ['medium', 'submitted_at'], unique=False)
    op.create_index('ix_requests_status_territory', 'requests', ['status', 'territory'], unique=False)
    op.create_index('ix_requests_email_lower', 'requests', [sa.text('lower(email)')], unique=False)
    op.create_index('ix_invoices_buyer_email_lower', 'invoices', [sa.text('lower(buyer_email)')], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # ILIKE '%text%' from a trigram index
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_requests_organisation_trgm', 'requests', ['organisation'], postgresql_using='gin',
                        postgresql_ops={'organisation': 'gin_trgm_ops'})


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_requests_organisation_trgm', table_name='requests')
    op.drop_index('ix_invoices_buyer_email_lower', table_name='invoices')
    op.drop_index('ix_requests_email_lower', table_name='requests')
    op.drop_index('ix_requests_status_territory', table_name='requests')
    op.drop_index('ix_requests_medium_submitted_at', table_name='requests')
    op.drop_index('ix_requests_medium_status', table_name='requests')
