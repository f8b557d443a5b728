"""delivery: article bodies, measured use, true-ups, corrections

The catalog keeps each article's sanitised body (HTML, plain text, fingerprint) and each asset's
source URL; pixel hits are folded per license, day and referrer domain (never an IP address or a
cookie), each folded batch recorded once; staff's actions on usage flags, true-up quotes and the
corrections sent to licensees.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles') as batch:
        batch.add_column(sa.Column('body_html', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('body_text', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('body_sha256', sa.String(64), nullable=False, server_default=''))
    # article_assets.url comes with migration 0010 (the schema.org contentUrl, the same column)

    op.create_table(
        'usage_daily',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('license_id', sa.Integer(), sa.ForeignKey('licenses.id'), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('referrer_domain', sa.String(253), nullable=False),
        sa.Column('views', sa.BigInteger(), nullable=False),
        sa.Column('bot_views', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('license_id', 'day', 'referrer_domain', name='uq_usage_daily_license_day_domain'),
        sa.CheckConstraint('views >= 0 AND bot_views >= 0', name='views_not_negative'),
    )
    op.create_table(
        'usage_batches',
        sa.Column('batch_id', sa.String(40), primary_key=True),
        sa.Column('hits', sa.BigInteger(), nullable=False),
        sa.Column('folded_at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'true_up_quotes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('license_id', sa.Integer(), sa.ForeignKey('licenses.id'), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('licensed_audience', sa.BigInteger(), nullable=False),
        sa.Column('measured_audience', sa.BigInteger(), nullable=False),
        sa.Column('window_start', sa.Date(), nullable=False),
        sa.Column('window_end', sa.Date(), nullable=False),
        sa.Column('rate_card_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('token_sha256', sa.String(64), nullable=False, unique=True),
        sa.Column('invoice_number', sa.String(20), nullable=True, unique=True),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('paid_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('sent', 'accepted', 'paid', 'void')", name='true_up_status_known'),
        sa.CheckConstraint('amount > 0', name='true_up_amount_positive'),
    )
    op.create_index('ix_true_up_quotes_license_id', 'true_up_quotes', ['license_id'])
    op.create_table(
        'usage_flag_actions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('license_id', sa.Integer(), sa.ForeignKey('licenses.id'), nullable=False),
        sa.Column('flag', sa.String(30), nullable=False),
        sa.Column('action', sa.String(20), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('actor_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('license_id', 'flag', 'action', 'day', name='uq_usage_flag_action_once_a_day'),
        sa.CheckConstraint("action IN ('true_up', 'reminder')", name='flag_action_known'),
    )
    op.create_index('ix_usage_flag_actions_license', 'usage_flag_actions', ['license_id'])
    op.create_table(
        'article_corrections',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('article_id', sa.Integer(), sa.ForeignKey('articles.id'), nullable=False),
        sa.Column('diff_text', sa.Text(), nullable=False),
        sa.Column('old_sha256', sa.String(64), nullable=False),
        sa.Column('new_sha256', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_article_corrections_article_id', 'article_corrections', ['article_id'])
    op.create_table(
        'correction_notices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('correction_id', sa.Integer(), sa.ForeignKey('article_corrections.id'), nullable=False),
        sa.Column('license_id', sa.Integer(), sa.ForeignKey('licenses.id'), nullable=False),
        sa.Column('sent_to', sa.String(320), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('correction_id', 'license_id', name='uq_correction_notice_once'),
    )
    op.create_index('ix_correction_notices_license_id', 'correction_notices', ['license_id'])


def downgrade() -> None:
    for table in ('correction_notices', 'article_corrections', 'usage_flag_actions', 'true_up_quotes',
                  'usage_batches', 'usage_daily'):
        op.drop_table(table)
    with op.batch_alter_table('articles') as batch:
        for column in ('body_sha256', 'body_text', 'body_html'):
            batch.drop_column(column)
