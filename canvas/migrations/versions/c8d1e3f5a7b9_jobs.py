"""jobs: long jobs' state, progress and result

Revision ID: c8d1e3f5a7b9
Revises: b5e7a9c1d3f2
Create Date: 2026-12-03 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8d1e3f5a7b9'
down_revision = 'b5e7a9c1d3f2'
branch_labels = None
depends_on = None

INT64 = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('owner_id', INT64, nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('done', INT64, nullable=False),
    sa.Column('total', INT64, nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('error', sa.String(length=20), nullable=False),
    sa.Column('timeout_seconds', sa.Float(), nullable=False),
    sa.Column('max_bytes', INT64, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('result', sa.LargeBinary(), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=False),
    sa.Column('result_type', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_finished_at'), ['finished_at'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_finished_at'))
        batch_op.drop_index(batch_op.f('ix_jobs_owner_id'))
    op.drop_table('jobs')
