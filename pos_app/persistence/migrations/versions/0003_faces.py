"""faces: consents, embeddings and the processing record

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('face_consents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notice_version', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('terminal_code', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.String(length=36), nullable=False),
    sa.Column('minor', sa.Boolean(), nullable=False),
    sa.Column('guardian_name', sa.String(length=80), nullable=True),
    sa.Column('guardian_relationship', sa.String(length=32), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=32), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_consents'))
    )
    with op.batch_alter_table('face_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_consents_member_id'), ['member_id'], unique=False)
        batch_op.create_index('uq_face_consents_active_member', ['member_id'], unique=True,
                              sqlite_where=sa.text('withdrawn_at IS NULL'),
                              postgresql_where=sa.text('withdrawn_at IS NULL'))

    op.create_table('face_embeddings',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('capture_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('embedding', sa.LargeBinary(length=512), nullable=False),
    sa.Column('model', sa.String(length=48), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('terminal_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('member_id', 'capture_no', name=op.f('pk_face_embeddings'))
    )
    op.create_table('face_processing_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('terminal_code', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('staff_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_processing_log'))
    )
    with op.batch_alter_table('face_processing_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_processing_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_face_processing_log_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('face_processing_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_face_processing_log_member_id'))
        batch_op.drop_index(batch_op.f('ix_face_processing_log_at'))

    op.drop_table('face_processing_log')
    op.drop_table('face_embeddings')
    with op.batch_alter_table('face_consents', schema=None) as batch_op:
        batch_op.drop_index('uq_face_consents_active_member')
        batch_op.drop_index(batch_op.f('ix_face_consents_member_id'))

    op.drop_table('face_consents')
