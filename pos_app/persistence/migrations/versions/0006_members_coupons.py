"""members, stored value, points, coupons and promotions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('member_tiers',
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('member_prices', sa.Boolean(), nullable=False),
    sa.Column('points_per_yuan', sa.Integer(), nullable=False),
    sa.CheckConstraint('points_per_yuan >= 0', name=op.f('ck_member_tiers_points_per_yuan_not_negative')),
    sa.PrimaryKeyConstraint('tier', name=op.f('pk_member_tiers'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.LargeBinary(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('stored_value_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_members_stored_value_not_negative'), 'stored_value_fen >= 0')
        batch_op.create_check_constraint(op.f('ck_members_points_not_negative'), 'points >= 0')

    op.create_table('stored_value_ledger',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('balance_after_fen', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('terminal_code', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_stored_value_ledger_amount_positive')),
    sa.CheckConstraint('balance_after_fen >= 0', name=op.f('ck_stored_value_ledger_balance_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_stored_value_ledger_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_value_ledger'))
    )
    with op.batch_alter_table('stored_value_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_value_ledger_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_value_ledger_order_id'), ['order_id'], unique=False)

    op.create_table('points_ledger',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_points_ledger_balance_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_points_ledger_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_ledger'))
    )
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_ledger_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_ledger_order_id'), ['order_id'], unique=False)

    op.create_table('coupon_keys',
    sa.Column('key_id', sa.String(length=4), nullable=False),
    sa.Column('secret', sa.LargeBinary(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_coupon_keys'))
    )
    op.create_table('coupon_batches',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['coupon_keys.key_id'], name=op.f('fk_coupon_batches_key_id_coupon_keys')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_coupon_batches'))
    )
    op.create_table('coupons',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=12), nullable=True),
    sa.Column('serial', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_order_id', sa.String(length=36), nullable=True),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('issued', 'redeemed', 'void')", name=op.f('ck_coupons_state_known')),
    sa.ForeignKeyConstraint(['batch'], ['coupon_batches.code'], name=op.f('fk_coupons_batch_coupon_batches')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_coupons_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
    sa.UniqueConstraint('batch', 'serial', name='uq_coupons_batch_serial')
    )
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coupons_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupons_redeemed_order_id'), ['redeemed_order_id'], unique=False)

    op.create_table('promotions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotions'))
    )
    pricing_version = op.create_table('pricing_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pricing_version'))
    )
    op.bulk_insert(pricing_version, [{'id': 1, 'version': 0}])
    op.create_table('member_promotion_uses',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('promotion_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.CheckConstraint('applications > 0', name=op.f('ck_member_promotion_uses_applications_positive')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_promotion_uses_member_id_members')),
    sa.PrimaryKeyConstraint('member_id', 'promotion_id', 'order_id', name=op.f('pk_member_promotion_uses'))
    )


def downgrade() -> None:
    op.drop_table('member_promotion_uses')
    op.drop_table('pricing_version')
    op.drop_table('promotions')
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coupons_redeemed_order_id'))
        batch_op.drop_index(batch_op.f('ix_coupons_member_id'))

    op.drop_table('coupons')
    op.drop_table('coupon_batches')
    op.drop_table('coupon_keys')
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_ledger_order_id'))
        batch_op.drop_index(batch_op.f('ix_points_ledger_member_id'))

    op.drop_table('points_ledger')
    with op.batch_alter_table('stored_value_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_value_ledger_order_id'))
        batch_op.drop_index(batch_op.f('ix_stored_value_ledger_member_id'))

    op.drop_table('stored_value_ledger')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_points_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_members_stored_value_not_negative'), type_='check')
        batch_op.drop_column('stored_value_fen')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')

    op.drop_table('member_tiers')
