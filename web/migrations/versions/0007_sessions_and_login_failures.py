"""sign-in sessions kept on the server (revocable) and failed sign-ins counted per account and address

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:40:00
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['username'], ['app_user.username'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_user_session_username', 'user_session', ['username'])
    op.create_table('login_failure',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('login_failure')
    op.drop_index('ix_user_session_username', table_name='user_session')
    op.drop_table('user_session')
