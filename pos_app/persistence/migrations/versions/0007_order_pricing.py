"""order pricing: line discounts and what a cart was priced with

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=32), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('member_price_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('label_priced', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('discount_fen', sa.BigInteger(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priced_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'order_coupons',
        sa.Column('order_id', sa.String(length=36), sa.ForeignKey('orders.id', name='fk_order_coupons_order_id_orders'),
                  nullable=False),
        sa.Column('coupon_id', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('order_id', 'coupon_id', name='pk_order_coupons'),
    )
    op.create_table(
        'order_adjustments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('order_id', sa.String(length=36), sa.ForeignKey('orders.id', name='fk_order_adjustments_order_id_orders'),
                  nullable=False),
        sa.Column('line_id', sa.String(length=36), nullable=True),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_order_adjustments'),
    )
    op.create_index('ix_order_adjustments_order_id', 'order_adjustments', ['order_id'])


def downgrade() -> None:
    op.drop_index('ix_order_adjustments_order_id', table_name='order_adjustments')
    op.drop_table('order_adjustments')
    op.drop_table('order_coupons')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('priced_at')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('discount_fen')
        batch_op.drop_column('label_priced')
        batch_op.drop_column('member_price_fen')
        batch_op.drop_column('category')
