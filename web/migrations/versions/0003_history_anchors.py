"""history anchors: checkpoints over every instance's chain head

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:05:00
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('history_anchor',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('instances', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('heads_sha256', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('prev_hash')
    )
    op.create_table('history_anchor_head',
    sa.Column('anchor_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['anchor_id'], ['history_anchor.id'], ),
    sa.PrimaryKeyConstraint('anchor_id', 'instance_id')
    )
    with op.batch_alter_table('history_anchor_head', schema=None) as batch_op:
        batch_op.create_index('ix_anchor_head_instance', ['instance_id', 'anchor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('history_anchor_head', schema=None) as batch_op:
        batch_op.drop_index('ix_anchor_head_instance')
    op.drop_table('history_anchor_head')
    op.drop_table('history_anchor')
