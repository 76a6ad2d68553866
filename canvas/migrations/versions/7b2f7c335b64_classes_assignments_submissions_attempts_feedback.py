"""classes, assignments, submissions, attempts, feedback; teachers awaiting approval

Revision ID: 7b2f7c335b64
Revises: c8d1e3f5a7b9
Create Date: 2026-12-03 10:08:50.769301

Portable types only (SQLite and PostgreSQL alike); ids are never reused, as elsewhere.
"""
import sqlalchemy as sa
from alembic import op

# 64-bit on PostgreSQL like every id (b5e7a9c1d3f2); SQLite's INTEGER already is.
INT64 = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

# revision identifiers, used by Alembic.
revision = '7b2f7c335b64'
down_revision = 'c8d1e3f5a7b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classes',
    sa.Column('id', INT64, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=True),
    sa.Column('join_needs_approval', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('join_code'),
    sqlite_autoincrement=True
    )
    op.create_table('assignments',
    sa.Column('id', INT64, nullable=False),
    sa.Column('class_id', INT64, nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('definition_id', sa.String(length=80), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_class_id'), ['class_id'], unique=False)

    op.create_table('class_members',
    sa.Column('id', INT64, nullable=False),
    sa.Column('class_id', INT64, nullable=False),
    sa.Column('user_id', INT64, nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('class_id', 'user_id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_members_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_members_user_id'), ['user_id'], unique=False)

    op.create_table('extensions',
    sa.Column('id', INT64, nullable=False),
    sa.Column('assignment_id', INT64, nullable=False),
    sa.Column('student_id', INT64, nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id', 'student_id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extensions_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extensions_student_id'), ['student_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', INT64, nullable=False),
    sa.Column('assignment_id', INT64, nullable=False),
    sa.Column('student_id', INT64, nullable=False),
    sa.Column('canvas_id', INT64, nullable=True),
    sa.Column('worksheet_id', INT64, nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('feedback_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['canvas_id'], ['canvases.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worksheet_id'], ['worksheets.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id', 'student_id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_canvas_id'), ['canvas_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_student_id'), ['student_id'], unique=False)

    op.create_table('attempts',
    sa.Column('id', INT64, nullable=False),
    sa.Column('submission_id', INT64, nullable=False),
    sa.Column('number', INT64, nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('receipt', sa.String(length=64), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'number'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_submission_id'), ['submission_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', INT64, nullable=False),
    sa.Column('attempt_id', INT64, nullable=False),
    sa.Column('version', INT64, nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('overall', sa.Text(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', INT64, nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attempt_id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_released_at'), ['released_at'], unique=False)

    # SQLite rebuilds the table for this column; the rebuild must keep ids never reused.
    with op.batch_alter_table('users', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('awaiting_approval', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('awaiting_approval')

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_released_at'))

    op.drop_table('feedback')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_submission_id'))

    op.drop_table('attempts')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_student_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_status'))
        batch_op.drop_index(batch_op.f('ix_submissions_canvas_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_assignment_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extensions_student_id'))
        batch_op.drop_index(batch_op.f('ix_extensions_assignment_id'))

    op.drop_table('extensions')
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_members_class_id'))

    op.drop_table('class_members')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_class_id'))

    op.drop_table('assignments')
    op.drop_table('classes')
