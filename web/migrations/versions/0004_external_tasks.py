"""external tasks: service steps done by workers through the REST API

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:40:00
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('external_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=120), nullable=False),
    sa.Column('definition_key', sa.String(length=100), nullable=False),
    sa.Column('business_key', sa.String(length=120), nullable=True),
    sa.Column('element_id', sa.String(length=200), nullable=False),
    sa.Column('element_name', sa.String(length=300), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('worker_id', sa.String(length=200), nullable=True),
    sa.Column('lock_expires_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retries', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.create_index('ix_external_task_fetch', ['topic', 'status', 'lock_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_external_task_instance_id'), ['instance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_task_instance_id'))
        batch_op.drop_index('ix_external_task_fetch')
    op.drop_table('external_task')
