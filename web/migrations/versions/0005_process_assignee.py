"""human tasks remember that the process named their assignee (it cannot be released to a group)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_by_process', sa.Boolean(), server_default=sa.false(), nullable=False))
    # tasks waiting when this runs: the process named their assignee when their spec has one and nobody claimed
    # them since (a claimed task has a task_claimed event after its task_created one)
    op.execute("""
        UPDATE human_task SET assigned_by_process = true
        WHERE assignee IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM history_event e
            WHERE e.task_id = human_task.id AND e.event_type = 'task_claimed')
    """)


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('assigned_by_process')
