"""Search index and saved filters.

The search index holds, for each deal, its title, company name, contact names and
comments, and the database keeps it in sync with triggers:

- SQLite: an FTS5 table ``deal_fts`` with the trigram tokenizer (substring matching
  that uses the index from three characters on). Without trigram support (SQLite
  before 3.34) a plain table with the same shape is used and searched with LIKE.
- PostgreSQL: a ``deal_search`` table filled by PL/pgSQL triggers, with a trigram GIN
  index when the pg_trgm extension can be created (it needs the right to create
  extensions; without it searches still work, by scanning).

Existing deals are indexed by the upgrade. The downgrade drops all of it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:12:06.368671
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dealterm.core.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The text of deal X, as one string (SQLite and PostgreSQL both understand this).
BODY = """(
    SELECT coalesce(d.title, '') || ' ' || coalesce(c.title, '') || ' ' ||
           coalesce((SELECT {agg} FROM deal_contacts dc
                     JOIN contacts ct ON ct.id = dc.contact_id
                     WHERE dc.deal_id = d.id), '') || ' ' ||
           coalesce(d.comments, '')
    FROM deals d LEFT JOIN companies c ON c.id = d.company_id
    WHERE d.id = {deal}
)"""


def _sqlite_body(deal: str) -> str:
    return BODY.format(agg="group_concat(ct.name, ' ')", deal=deal)


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER deal_fts_deal_insert AFTER INSERT ON deals BEGIN
        INSERT INTO deal_fts (rowid, body) VALUES (new.id, {_sqlite_body("new.id")});
    END""",
    f"""CREATE TRIGGER deal_fts_deal_update AFTER UPDATE OF title, comments, company_id ON deals
    BEGIN
        DELETE FROM deal_fts WHERE rowid = old.id;
        INSERT INTO deal_fts (rowid, body) VALUES (new.id, {_sqlite_body("new.id")});
    END""",
    """CREATE TRIGGER deal_fts_deal_delete AFTER DELETE ON deals BEGIN
        DELETE FROM deal_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER deal_fts_link_insert AFTER INSERT ON deal_contacts BEGIN
        DELETE FROM deal_fts WHERE rowid = new.deal_id;
        INSERT INTO deal_fts (rowid, body)
            SELECT new.deal_id, {_sqlite_body("new.deal_id")}
            WHERE EXISTS (SELECT 1 FROM deals WHERE id = new.deal_id);
    END""",
    f"""CREATE TRIGGER deal_fts_link_delete AFTER DELETE ON deal_contacts BEGIN
        DELETE FROM deal_fts WHERE rowid = old.deal_id;
        INSERT INTO deal_fts (rowid, body)
            SELECT old.deal_id, {_sqlite_body("old.deal_id")}
            WHERE EXISTS (SELECT 1 FROM deals WHERE id = old.deal_id);
    END""",
    f"""CREATE TRIGGER deal_fts_company_update AFTER UPDATE OF title ON companies BEGIN
        DELETE FROM deal_fts WHERE rowid IN (SELECT id FROM deals WHERE company_id = new.id);
        INSERT INTO deal_fts (rowid, body)
            SELECT d.id, {_sqlite_body("d.id")} FROM deals d WHERE d.company_id = new.id;
    END""",
    f"""CREATE TRIGGER deal_fts_contact_update AFTER UPDATE OF name ON contacts BEGIN
        DELETE FROM deal_fts WHERE rowid IN
            (SELECT deal_id FROM deal_contacts WHERE contact_id = new.id);
        INSERT INTO deal_fts (rowid, body)
            SELECT dc.deal_id, {_sqlite_body("dc.deal_id")}
            FROM deal_contacts dc WHERE dc.contact_id = new.id;
    END""",
]

PG_BODY = BODY.format(agg="string_agg(ct.name, ' ')", deal="target")
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dealterm_reindex_deal(target integer) RETURNS void AS $$
BEGIN
    DELETE FROM deal_search WHERE deal_id = target;
    INSERT INTO deal_search (deal_id, body)
        SELECT target, {PG_BODY} WHERE EXISTS (SELECT 1 FROM deals WHERE id = target);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION dealterm_search_trigger() RETURNS trigger AS $$
DECLARE
    deal integer;
BEGIN
    IF TG_TABLE_NAME = 'deals' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN NULL;  -- deal_search rows go with the deal (ON DELETE CASCADE)
        END IF;
        PERFORM dealterm_reindex_deal(NEW.id);
    ELSIF TG_TABLE_NAME = 'deal_contacts' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM dealterm_reindex_deal(OLD.deal_id);
        ELSE
            PERFORM dealterm_reindex_deal(NEW.deal_id);
        END IF;
    ELSIF TG_TABLE_NAME = 'companies' THEN
        FOR deal IN SELECT id FROM deals WHERE company_id = NEW.id LOOP
            PERFORM dealterm_reindex_deal(deal);
        END LOOP;
    ELSIF TG_TABLE_NAME = 'contacts' THEN
        FOR deal IN SELECT deal_id FROM deal_contacts WHERE contact_id = NEW.id LOOP
            PERFORM dealterm_reindex_deal(deal);
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = [
    "CREATE TRIGGER deal_search_deal_insert AFTER INSERT ON deals "
    "FOR EACH ROW EXECUTE FUNCTION dealterm_search_trigger()",
    "CREATE TRIGGER deal_search_deal_update AFTER UPDATE OF title, comments, company_id ON deals "
    "FOR EACH ROW EXECUTE FUNCTION dealterm_search_trigger()",
    "CREATE TRIGGER deal_search_link_change AFTER INSERT OR DELETE ON deal_contacts "
    "FOR EACH ROW EXECUTE FUNCTION dealterm_search_trigger()",
    "CREATE TRIGGER deal_search_company_update AFTER UPDATE OF title ON companies "
    "FOR EACH ROW EXECUTE FUNCTION dealterm_search_trigger()",
    "CREATE TRIGGER deal_search_contact_update AFTER UPDATE OF name ON contacts "
    "FOR EACH ROW EXECUTE FUNCTION dealterm_search_trigger()",
]


def _sqlite_has_trigram(bind: sa.Connection) -> bool:
    try:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')"
        )
    except sa.exc.OperationalError:
        return False
    bind.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def _upgrade_sqlite(bind: sa.Connection) -> None:
    if _sqlite_has_trigram(bind):
        op.execute("CREATE VIRTUAL TABLE deal_fts USING fts5(body, tokenize='trigram')")
    else:
        op.execute("CREATE TABLE deal_fts (rowid INTEGER PRIMARY KEY, body TEXT)")
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute(
        f"INSERT INTO deal_fts (rowid, body) SELECT d0.id, {_sqlite_body('d0.id')} FROM deals d0"
    )


def _upgrade_postgresql(bind: sa.Connection) -> None:
    op.execute(
        "CREATE TABLE deal_search ("
        " deal_id integer PRIMARY KEY REFERENCES deals (id) ON DELETE CASCADE,"
        " body text NOT NULL)"
    )
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            bind.exec_driver_sql(
                "CREATE INDEX ix_deal_search_trgm ON deal_search USING gin (body gin_trgm_ops)"
            )
    except sa.exc.DBAPIError:
        pass  # no right to create the extension: searches scan deal_search instead
    op.execute(PG_FUNCTION)
    for trigger in PG_TRIGGERS:
        op.execute(trigger)
    op.execute(
        f"INSERT INTO deal_search (deal_id, body) SELECT d0.id, {PG_BODY.replace('target', 'd0.id')} FROM deals d0"
    )


def upgrade() -> None:
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_filters_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_filters_user_name"),
        sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _upgrade_sqlite(bind)
    else:
        _upgrade_postgresql(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in (
            "deal_insert",
            "deal_update",
            "deal_delete",
            "link_insert",
            "link_delete",
            "company_update",
            "contact_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS deal_fts_{name}")
        op.execute("DROP TABLE IF EXISTS deal_fts")
    else:
        for name, table in (
            ("deal_insert", "deals"),
            ("deal_update", "deals"),
            ("link_change", "deal_contacts"),
            ("company_update", "companies"),
            ("contact_update", "contacts"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS deal_search_{name} ON {table}")
        op.execute("DROP TABLE IF EXISTS deal_search")
        op.execute("DROP FUNCTION IF EXISTS dealterm_search_trigger()")
        op.execute("DROP FUNCTION IF EXISTS dealterm_reindex_deal(integer)")
    op.drop_table("saved_filters")
