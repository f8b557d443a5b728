"""standard terms: versions of the terms document, the version each request accepted and each
license names, and each article asset's address (media:content@url, for image markup)

The first version is published by the app on its first run (or `flask demo load`), from
licensing/terms/demo_terms.md filled with the settings' licensor, law and courts: the migration
cannot know those. Requests and licenses from before keep no version (NULL): the terms they
accepted were not kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _triggers(table: str) -> list[tuple[str, str]]:
    """SQLite: the table's triggers and indexes as (name, SQL). Batch mode copies the table and
    renames the copy, which drops the triggers (0008's organisation search lives on them) and the
    expression indexes it cannot reflect (ix_requests_email_lower)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return []
    rows = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') "
                                "AND tbl_name = ? AND sql IS NOT NULL", (table,))
    return [(row[0], row[1]) for row in rows]


def _restore(saved: list[tuple[str, str]]) -> None:
    bind = op.get_bind()
    for name, sql in saved:
        if not bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).first():
            op.execute(sql)
    if saved and bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'requests_organisation_fts'").first():
        op.execute("INSERT INTO requests_organisation_fts(requests_organisation_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.create_table(
        'standard_terms',
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_standard_terms_published_by_id_users')),
        sa.PrimaryKeyConstraint('version', name=op.f('pk_standard_terms')),
    )
    triggers = _triggers('requests')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_requests_terms_version_standard_terms'), 'standard_terms',
                                    ['terms_version'], ['version'])
    _restore(triggers)
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_licenses_terms_version_standard_terms'), 'standard_terms',
                                    ['terms_version'], ['version'])
    with op.batch_alter_table('article_assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('url', sa.String(length=2000), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('article_assets', schema=None) as batch_op:
        batch_op.drop_column('url')
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_licenses_terms_version_standard_terms'), type_='foreignkey')
        batch_op.drop_column('terms_version')
    triggers = _triggers('requests')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_requests_terms_version_standard_terms'), type_='foreignkey')
        batch_op.drop_column('terms_version')
    _restore(triggers)
    op.drop_table('standard_terms')
