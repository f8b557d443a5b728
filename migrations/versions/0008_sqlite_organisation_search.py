"""search speed on SQLite: the queue's organisation search from an FTS5 trigram index

SQLite cannot answer `LIKE '%text%'` from a b-tree index, so a search by organisation read all
requests (189 ms at 100,000 requests when the counts are recounted). An external-content FTS5 table
with the trigram tokenizer indexes every three-character run of `requests.organisation` and answers
`LIKE` itself; triggers keep it in step with every insert, update and delete. PostgreSQL has its
trigram index since 0007 and gets nothing here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:30:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLE = 'requests_organisation_fts'


def _has_fts5_trigram(bind) -> bool:
    """FTS5 with the trigram tokenizer (SQLite 3.34 or later, built with FTS5, as Debian's and
    python.org's are). Without it the search reads every request, as before this migration."""
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts5_trigram_probe USING fts5(x, tokenize='trigram')")
    except Exception:
        return False
    bind.exec_driver_sql("DROP TABLE temp.fts5_trigram_probe")
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite' or not _has_fts5_trigram(bind):
        return
    op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
               "organisation, content='requests', content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON requests BEGIN "
               f"INSERT INTO {TABLE}(rowid, organisation) VALUES (new.id, new.organisation); END")
    op.execute(f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON requests BEGIN "
               f"INSERT INTO {TABLE}({TABLE}, rowid, organisation) VALUES ('delete', old.id, old.organisation); END")
    op.execute(f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF organisation ON requests BEGIN "
               f"INSERT INTO {TABLE}({TABLE}, rowid, organisation) VALUES ('delete', old.id, old.organisation); "
               f"INSERT INTO {TABLE}(rowid, organisation) VALUES (new.id, new.organisation); END")
    op.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # the requests already there


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for event in ('insert', 'delete', 'update'):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{event}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
