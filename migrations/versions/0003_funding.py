"""Nutmeg Network funding: scenarios, per-facility cost defaults, equity scores

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "funding_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("include_unknown", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], ondelete="SET NULL",
                                name=op.f("fk_funding_scenario_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_scenario")),
        sa.UniqueConstraint("state", "name", name=op.f("uq_funding_scenario_state_name")),
    )
    with op.batch_alter_table("funding_scenario", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_scenario_state"), ["state"], unique=False)
    op.create_table(
        "funding_cost_default",
        sa.Column("facility", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"], ondelete="SET NULL",
                                name=op.f("fk_funding_cost_default_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("facility", "state", name=op.f("pk_funding_cost_default")),
    )
    op.create_table(
        "funding_equity_score",
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["town_id"], ["town.id"], ondelete="CASCADE",
                                name=op.f("fk_funding_equity_score_town_id_town")),
        sa.PrimaryKeyConstraint("town_id", name=op.f("pk_funding_equity_score")),
    )


def downgrade():
    op.drop_table("funding_equity_score")
    op.drop_table("funding_cost_default")
    with op.batch_alter_table("funding_scenario", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_scenario_state"))
    op.drop_table("funding_scenario")
