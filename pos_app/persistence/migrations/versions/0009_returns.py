"""returns: a return is an order (kind 'return') linked to the sale it gives back

orders.original_order_id: the sale a return order gives back (NULL for a sale).
order_lines.original_line_id: the sale line a return line gives back.
order_lines.returned_quantity: pieces of a sale line given back so far; a return adds to it
with ``UPDATE ... WHERE returned_quantity + :q <= quantity`` that must touch one row, and the
CHECK keeps it within the line even if a writer forgot, so nothing is returned twice.
payments.original_payment_id: the sale's tender a refund payment row gives back to.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_RETURNED_WITHIN = 'returned_quantity >= 0 AND (returned_quantity = 0 OR returned_quantity <= quantity)'


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_order_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(op.f('fk_orders_original_order_id_orders'), 'orders',
                                    ['original_order_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_orders_original_order_id'), ['original_order_id'],
                              unique=False)
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_line_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('returned_quantity', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_foreign_key(op.f('fk_order_lines_original_line_id_order_lines'),
                                    'order_lines', ['original_line_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_order_lines_returned_within_quantity'),
                                         _RETURNED_WITHIN)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_payment_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(op.f('fk_payments_original_payment_id_payments'), 'payments',
                                    ['original_payment_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_payments_original_payment_id'),
                              ['original_payment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_original_payment_id'))
        batch_op.drop_constraint(op.f('fk_payments_original_payment_id_payments'),
                                 type_='foreignkey')
        batch_op.drop_column('original_payment_id')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_lines_returned_within_quantity'), type_='check')
        batch_op.drop_constraint(op.f('fk_order_lines_original_line_id_order_lines'),
                                 type_='foreignkey')
        batch_op.drop_column('returned_quantity')
        batch_op.drop_column('original_line_id')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_original_order_id'))
        batch_op.drop_constraint(op.f('fk_orders_original_order_id_orders'), type_='foreignkey')
        batch_op.drop_column('original_order_id')
