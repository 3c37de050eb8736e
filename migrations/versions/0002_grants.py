"""grant drafts and admin-edited grant program facts

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "grant_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(length=60), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("quotes", sa.JSON(), nullable=False),
        sa.Column("acknowledged_ineligible", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["town_id"], ["town.id"], name=op.f("fk_grant_draft_town_id_town")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_grant_draft_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_grant_draft_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_draft")),
    )
    with op.batch_alter_table("grant_draft") as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_draft_town_id"), ["town_id"], unique=False)
    op.create_table(
        "grant_program_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(length=60), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_grant_program_fact_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_program_fact")),
        sa.UniqueConstraint("program_id", "field", name=op.f("uq_grant_program_fact_program_id_field")),
    )
    with op.batch_alter_table("grant_program_fact") as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_program_fact_program_id"), ["program_id"], unique=False)


def downgrade():
    with op.batch_alter_table("grant_program_fact") as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_program_fact_program_id"))
    op.drop_table("grant_program_fact")
    with op.batch_alter_table("grant_draft") as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_draft_town_id"))
    op.drop_table("grant_draft")
