"""ids never reused; refused saves for every editor

Revision ID: a1c3e5f70b21
Revises: 49e8d4923aaa
Create Date: 2026-12-03 10:00:00

Pages keep unsent text under the user's and the object's ids, so an id must never come to
mean someone else's account or canvas: SQLite tables are rebuilt with AUTOINCREMENT (other
databases' sequences never reuse ids). Refused saves are kept for every editor (the board
too), with their owner, only the inputs the editor knows, and whether they were dealt with.
"""
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c3e5f70b21'
down_revision = '49e8d4923aaa'
branch_labels = None
depends_on = None

NEVER_REUSED = ('users', 'canvases', 'worksheets', 'snapshots')


def _autoincrement(table: str, on: bool) -> None:
    with op.batch_alter_table(table, recreate='always',
                              table_kwargs={'sqlite_autoincrement': on}):
        pass


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for table in NEVER_REUSED:
            _autoincrement(table, True)
    old = op.get_bind().execute(sa.text(
        'SELECT r.id, r.worksheet_id, r.based_on_version, r.step, r.payload, r.created_at, '
        'w.canvas_id, c.owner_id FROM refused_saves r JOIN worksheets w ON w.id = r.worksheet_id '
        'JOIN canvases c ON c.id = w.canvas_id')).fetchall()
    op.drop_table('refused_saves')
    refused = op.create_table(
        'refused_saves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('editor', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('canvas_id', sa.Integer(), nullable=True),
        sa.Column('based_on_version', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=80), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('dealt_with_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['canvas_id'], ['canvases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('refused_saves') as batch_op:
        batch_op.create_index(batch_op.f('ix_refused_saves_owner_id'), ['owner_id'])
        batch_op.create_index(batch_op.f('ix_refused_saves_canvas_id'), ['canvas_id'])
    rows = []

    def moment(value):  # SQLite hands back text
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    for (id_, worksheet_id, based_on, step, payload, created_at, canvas_id, owner_id) in old:
        try:
            posted = json.loads(payload)  # {input: [values]} as the form or autosave sent it
        except ValueError:
            posted = {}
        fields = {k: v[0] if isinstance(v, list) and len(v) == 1 else v
                  for k, v in (posted.items() if isinstance(posted, dict) else ())
                  if k not in ('csrf_token', 'version', 'go')}
        rows.append({'id': id_, 'owner_id': owner_id, 'editor': 'worksheet',
                     'object_id': worksheet_id, 'canvas_id': canvas_id,
                     'based_on_version': based_on, 'step': step, 'payload': fields,
                     'created_at': moment(created_at), 'dealt_with_at': None})
    if rows:
        op.bulk_insert(refused, rows)


def downgrade():
    old = op.get_bind().execute(sa.text(
        "SELECT id, object_id, based_on_version, step, payload, created_at FROM refused_saves "
        "WHERE editor = 'worksheet'")).fetchall()
    op.drop_table('refused_saves')
    refused = op.create_table(
        'refused_saves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('worksheet_id', sa.Integer(), nullable=False),
        sa.Column('based_on_version', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=80), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['worksheet_id'], ['worksheets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(refused, [
        {'id': r[0], 'worksheet_id': r[1], 'based_on_version': r[2], 'step': r[3],
         'payload': r[4] if isinstance(r[4], str) else json.dumps(r[4]),
         'created_at': datetime.fromisoformat(r[5]) if isinstance(r[5], str) else r[5]}
        for r in old])
    if op.get_bind().dialect.name == 'sqlite':
        for table in NEVER_REUSED:
            _autoincrement(table, False)
