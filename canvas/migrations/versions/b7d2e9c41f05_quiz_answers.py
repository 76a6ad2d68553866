"""self-check answers

Revision ID: b7d2e9c41f05
Revises: 7b2f7c335b64
Create Date: 2026-12-04 09:00:00

One row per user and self-check question: the first and the latest answer and the number of
tries. Portable types only (SQLite and PostgreSQL); the rows go with their user.
"""
import sqlalchemy as sa
from alembic import op

# 64-bit on PostgreSQL like every id (b5e7a9c1d3f2); SQLite's INTEGER already is.
INT64 = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

# revision identifiers, used by Alembic.
revision = 'b7d2e9c41f05'
down_revision = '7b2f7c335b64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_answers',
        sa.Column('id', INT64, nullable=False),
        sa.Column('user_id', INT64, nullable=False),
        sa.Column('quiz_id', sa.String(length=80), nullable=False),
        sa.Column('question_id', sa.String(length=80), nullable=False),
        sa.Column('first_choice', sa.String(length=80), nullable=False),
        sa.Column('first_right', sa.Boolean(), nullable=False),
        sa.Column('last_choice', sa.String(length=80), nullable=False),
        sa.Column('last_right', sa.Boolean(), nullable=False),
        sa.Column('attempts', INT64, nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'quiz_id', 'question_id',
                            name='uq_quiz_answers_user_question'),
    )
    with op.batch_alter_table('quiz_answers') as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_answers_user_id'), ['user_id'])


def downgrade():
    with op.batch_alter_table('quiz_answers') as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_answers_user_id'))
    op.drop_table('quiz_answers')
