"""64-bit ids and versions on databases other than SQLite

Revision ID: b5e7a9c1d3f2
Revises: f4100bd35f25
Create Date: 2026-12-03 11:00:00

SQLite's INTEGER is already 64-bit. On PostgreSQL `sa.Integer` made 32-bit columns (and
SERIAL sequences that stop at 2**31 - 1), so an id the app accepts in a URL (up to 2**63 - 1)
could not even be compared with them; they become bigint, sequences included.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5e7a9c1d3f2'
down_revision = 'f4100bd35f25'
branch_labels = None
depends_on = None

# table -> its integer columns that hold ids, versions or numbers
COLUMNS = {
    'users': ('id',),
    'canvases': ('id', 'owner_id', 'version'),
    'worksheets': ('id', 'canvas_id', 'version'),
    'snapshots': ('id', 'canvas_id', 'number'),
    'refused_saves': ('id', 'owner_id', 'object_id', 'canvas_id', 'based_on_version'),
    'user_sessions': ('id', 'user_id'),
    'sign_in_failures': ('id', 'count', 'locks'),
    'audit_events': ('id', 'user_id', 'actor_id'),
}


def _retype(type_, sequence_type: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=type_)
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq AS {sequence_type}")


def upgrade():
    _retype(sa.BigInteger(), 'bigint')


def downgrade():
    _retype(sa.Integer(), 'integer')
