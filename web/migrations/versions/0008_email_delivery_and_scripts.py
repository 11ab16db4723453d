"""how far each e-mail's hand-over to the mail server got, under its idempotency key; whether an
administrator allowed a deployment's script tasks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:20:00
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('email_delivery',
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('deployment') as batch:
        batch.add_column(sa.Column('scripts_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('deployment') as batch:
        batch.drop_column('scripts_enabled')
    op.drop_table('email_delivery')
