"""regional: a cache of each assessment's section scores and roadmap needs, for regional statistics

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "regional_score",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.String(length=60), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("overall", sa.Float(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("visible", sa.Integer(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("source_updated_at", sa.DateTime(), nullable=False),
        sa.Column("content_key", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE",
                                name=op.f("fk_regional_score_assessment_id_assessment")),
        sa.PrimaryKeyConstraint("assessment_id", "section_id", name=op.f("pk_regional_score")),
    )


def downgrade():
    op.drop_table("regional_score")
