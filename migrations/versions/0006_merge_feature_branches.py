"""merge the feature branches (grants, funding, accounts, regional) into one head; no schema change

0002-0005 were each written against 0001, so the history had four heads and a plain `alembic upgrade head` /
`flask db upgrade` refused it. This revision joins them: from here on there is one head and new revisions
take `down_revision = "0006"` (or whatever is newest), never 0001.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-11-23 08:00:00

"""

revision = "0006"
down_revision = ("0002", "0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
