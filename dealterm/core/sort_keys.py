"""Each deal's list sort keys for title, client and responsible, kept by SQLite (migration 0009).

The list sorts by ``lower(title)``, by the lower-cased client (the company's name, else the
primary contact's) and by the lower-cased responsible's name. ``lower`` is the app's own
(Python's, Unicode-aware: names here are often Cyrillic), so no index on an expression
can hold it, and sorting 100,000 deals called it for every deal: 150-330 ms before the
first rows of such a sort, as long again for a one-letter search in it.

``deal_sort_keys`` holds the three keys per deal, with an index on each (then the deal id),
so the list's first page is an index walk. Triggers keep it right for every writer: a deal
written or deleted, a company or contact renamed, a contact linked or unlinked (for deals
without a company), a user renamed. A connection that writes without the app's functions
(the ``sqlite3`` shell) computes keys with SQLite's ASCII ``lower``: the order of its
non-ASCII names is then off until the next change, nothing worse.

Bulk loads of deals set the deals' trigger aside and fill the keys of the new deals once
(:data:`FILL_MISSING`). PostgreSQL has no such table: its ``lower`` is its own, and it
sorts by the expressions.
"""

from __future__ import annotations

__all__ = [
    "COLUMNS",
    "DROP_TRIGGERS",
    "FILL_CONTACT_CLIENTS",
    "FILL_MISSING",
    "INDEXES",
    "INDEX_NAMES",
    "INSERT_TRIGGER",
    "LINK_TRIGGERS",
    "TABLE",
    "TABLE_SQL",
    "TRIGGERS",
]

TABLE = "deal_sort_keys"
# The list's sort keys held here, by the column of the table.
COLUMNS = {"title": "title", "client": "client", "responsible": "responsible"}

TABLE_SQL = """
CREATE TABLE deal_sort_keys (
    deal_id INTEGER NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    client TEXT NOT NULL,
    responsible TEXT NOT NULL
)
"""

INDEX_NAMES = [f"ix_deal_sort_keys_{name}" for name in COLUMNS.values()]
INDEXES = [
    f"CREATE INDEX {index} ON deal_sort_keys ({name}, deal_id)"
    for index, name in zip(INDEX_NAMES, COLUMNS.values(), strict=True)
]


def _client(deal: str) -> str:
    """The client key of the deal whose id is ``deal`` (SQL): as the list's client column."""
    return f"""lower(coalesce(
        (SELECT co.title FROM deals AS d JOIN companies AS co ON co.id = d.company_id
         WHERE d.id = {deal}),
        (SELECT ct.name FROM deal_contacts AS dc JOIN contacts AS ct ON ct.id = dc.contact_id
         WHERE dc.deal_id = {deal} ORDER BY dc.is_primary DESC, dc.sort LIMIT 1),
        ''))"""


def _responsible(user: str) -> str:
    return f"coalesce(lower((SELECT u.name FROM users AS u WHERE u.id = {user})), '')"


def _row(deal: str) -> str:
    """The keys of deal row ``deal`` (``new`` or a table alias), as a VALUES tuple."""
    return (
        f"{deal}.id, coalesce(lower({deal}.title), ''), {_client(f'{deal}.id')}, "
        f"{_responsible(f'{deal}.responsible_id')}"
    )


def _set_client(where: str) -> str:
    return f"UPDATE deal_sort_keys SET client = {_client('deal_sort_keys.deal_id')} WHERE {where};"


# The keys of deals that have none (those a bulk load wrote with the trigger set aside): the
# same keys as the triggers', with each company's and user's name lower-cased once.
FILL_MISSING = f"""
WITH company_key AS MATERIALIZED (SELECT id, lower(title) AS k FROM companies),
     user_key AS MATERIALIZED (SELECT id, coalesce(lower(name), '') AS k FROM users)
INSERT INTO deal_sort_keys (deal_id, title, client, responsible)
SELECT d0.id, coalesce(lower(d0.title), ''),
       coalesce(company_key.k, {_client("d0.id")}), coalesce(user_key.k, '')
FROM deals AS d0
LEFT JOIN company_key ON company_key.id = d0.company_id
LEFT JOIN user_key ON user_key.id = d0.responsible_id
WHERE NOT EXISTS (SELECT 1 FROM deal_sort_keys AS k WHERE k.deal_id = d0.id)
"""

# The client keys of deals without a company, from their contacts (after a bulk load of
# links with their trigger set aside).
FILL_CONTACT_CLIENTS = _set_client(
    "deal_id IN (SELECT id FROM deals WHERE company_id IS NULL)"
).rstrip(";")

# A new or changed deal's keys, written again. No OR REPLACE: a trigger's conflict clause
# gives way to the one of the statement that fired it (a company's delete, setting its
# deals' company to NULL, failed on it).
_REWRITE_NEW = f"""DELETE FROM deal_sort_keys WHERE deal_id = new.id;
        INSERT INTO deal_sort_keys (deal_id, title, client, responsible)
        VALUES ({_row("new")});"""

TRIGGERS = {
    "deal_keys_insert": f"""CREATE TRIGGER deal_keys_insert AFTER INSERT ON deals BEGIN
        {_REWRITE_NEW}
    END""",
    "deal_keys_update": f"""CREATE TRIGGER deal_keys_update
    AFTER UPDATE OF title, company_id, responsible_id ON deals BEGIN
        {_REWRITE_NEW}
    END""",
    "deal_keys_delete": """CREATE TRIGGER deal_keys_delete AFTER DELETE ON deals BEGIN
        DELETE FROM deal_sort_keys WHERE deal_id = old.id;
    END""",
    "deal_keys_company": f"""CREATE TRIGGER deal_keys_company
    AFTER UPDATE OF title ON companies BEGIN
        {_set_client("deal_id IN (SELECT id FROM deals WHERE company_id = new.id)")}
    END""",
    "deal_keys_contact": f"""CREATE TRIGGER deal_keys_contact
    AFTER UPDATE OF name ON contacts BEGIN
        {_set_client("deal_id IN (SELECT deal_id FROM deal_contacts WHERE contact_id = new.id)")}
    END""",
    # A deal's contacts name it only without a company.
    "deal_keys_link_insert": f"""CREATE TRIGGER deal_keys_link_insert
    AFTER INSERT ON deal_contacts
    WHEN (SELECT company_id FROM deals WHERE id = new.deal_id) IS NULL BEGIN
        {_set_client("deal_id = new.deal_id")}
    END""",
    "deal_keys_link_update": f"""CREATE TRIGGER deal_keys_link_update
    AFTER UPDATE ON deal_contacts BEGIN
        {_set_client("deal_id IN (old.deal_id, new.deal_id)")}
    END""",
    "deal_keys_link_delete": f"""CREATE TRIGGER deal_keys_link_delete
    AFTER DELETE ON deal_contacts
    WHEN (SELECT company_id FROM deals WHERE id = old.deal_id) IS NULL BEGIN
        {_set_client("deal_id = old.deal_id")}
    END""",
    "deal_keys_user": f"""CREATE TRIGGER deal_keys_user AFTER UPDATE OF name ON users BEGIN
        UPDATE deal_sort_keys SET responsible = {_responsible("new.id")}
        WHERE deal_id IN (SELECT id FROM deals WHERE responsible_id = new.id);
    END""",
}
INSERT_TRIGGER = "deal_keys_insert"  # what a bulk load of deals sets aside
LINK_TRIGGERS = "deal_keys_link_%"  # what a bulk load of contact links sets aside
DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
