"""orders: an index on (store_id, completed_at) for the sales report

The manager's report reads the orders completed in a store between two instants; without
the index SQLite and PostgreSQL read every order the store ever had.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_store_completed', ['store_id', 'completed_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_store_completed')
