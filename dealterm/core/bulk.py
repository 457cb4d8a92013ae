"""Fast bulk inserts for demo data and imports, inside the caller's transaction.

Rows are plain dicts (:func:`bulk_insert`), or columns of values with the same value for
some columns (:func:`bulk_insert_columns`, for callers that hold their data column by
column: no dict per row is made). Values go through each column type's own bind
processor (so cents, UTC timestamps and JSON are stored exactly as the ORM stores them),
but skip SQLAlchemy's per-row statement machinery. For big loads the table's secondary
indexes are dropped and rebuilt afterwards: building an index once from sorted data is
several times faster than updating it row by row, unless the table already holds more
rows than the load brings (:func:`outweighs`). The schema at the end is identical, and
because SQLite and PostgreSQL both have transactional DDL, a failure rolls the indexes
back too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter, itemgetter, methodcaller
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from dealterm.core import sort_keys, stage_totals
from dealterm.core.sql import sqlite_triggers_aside
from dealterm.core.types import Fixed, UTCDateTime

__all__ = [
    "BATCH",
    "INDEX_DEFERRAL_ROWS",
    "REFRESH_NEXT_ACTIVITY",
    "bulk_insert",
    "bulk_insert_columns",
    "deferred_indexes",
    "deferred_next_activity",
    "insert_rows",
    "loading",
    "outweighs",
]

BATCH = 5000
INDEX_DEFERRAL_ROWS = 20_000
SORT_THREADS = 2  # helper threads SQLite may sort with while it rebuilds indexes


def _table(model: Any) -> Table:
    table: Table = model.__table__ if hasattr(model, "__table__") else model
    return table


def outweighs(conn: Connection, model: Any, rows: int) -> bool:
    """Whether a load of ``rows`` rows is worth setting ``model``'s indexes aside for.

    It is when the load is big (``INDEX_DEFERRAL_ROWS``) and brings at least as many rows
    as the table holds: the rebuild sorts the rows already there too. Measured at 100,000
    deals, importing 25,000 more took 5.0-6.4 s row by row against 7.3-7.6 s with the
    rebuild; 83,000 more took the same either way. Counts at most ``rows + 1`` rows.
    """
    if rows < INDEX_DEFERRAL_ROWS:
        return False
    table = conn.dialect.identifier_preparer.format_table(_table(model))
    held = conn.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {int(rows) + 1}) AS held"
    ).scalar_one()
    return bool(held <= rows)


@contextmanager
def loading(conn: Connection, model: Any, rows: int) -> Iterator[None]:
    """A load of ``rows`` rows into ``model``'s table: its indexes are set aside
    (:func:`deferred_indexes`) when the load outweighs the table."""
    with deferred_indexes(conn, model) if outweighs(conn, model, rows) else nullcontext():
        yield


def insert_rows(conn: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """:func:`bulk_insert` inside :func:`loading`."""
    with loading(conn, model, len(rows)):
        bulk_insert(conn, model, rows)


@contextmanager
def deferred_indexes(conn: Connection, *models: Any) -> Iterator[None]:
    """Drop the secondary indexes of ``models``' tables, and rebuild them on exit.

    SQLite may sort on helper threads while it rebuilds them (set back afterwards). A load
    of deals on SQLite also sets aside the triggers keeping ``stage_totals`` and rebuilds
    that table once at the end, and the trigger writing new deals' sort keys, whose keys
    are written once at the end (:data:`~dealterm.core.sort_keys.FILL_MISSING`); a load of
    contact links sets aside the triggers keeping the client keys of deals without a
    company, and works those out once.
    """
    tables = {_table(model).name for model in models}
    indexes = [index for model in models for index in _table(model).indexes]
    sqlite = conn.dialect.name == "sqlite"
    totals = sqlite and "deals" in tables
    links = sqlite and "deal_contacts" in tables
    with ExitStack() as aside:
        if totals:
            aside.enter_context(sqlite_triggers_aside(conn, stage_totals.TRIGGERS))
            aside.enter_context(sqlite_triggers_aside(conn, sort_keys.INSERT_TRIGGER))
        if links:
            aside.enter_context(sqlite_triggers_aside(conn, sort_keys.LINK_TRIGGERS))
        for index in indexes:
            index.drop(conn)
        yield
        with _sort_threads(conn):
            for index in indexes:
                index.create(conn)
            if totals:
                for statement in stage_totals.REBUILD:
                    conn.exec_driver_sql(statement)
                _fill_sort_keys(conn)
        if links:
            conn.exec_driver_sql(sort_keys.FILL_CONTACT_CLIENTS)
    # Fresh statistics: without them the planner guesses, and after a bulk load it guesses
    # wrong (the activities board's nearest-activity lookup picked a full index walk).
    for name in dict.fromkeys(_table(model).name for model in models):
        conn.exec_driver_sql(f'ANALYZE "{name}"')


def _fill_sort_keys(conn: Connection) -> None:
    """The sort keys of the deals a load wrote, their indexes built once afterwards."""
    for name in sort_keys.INDEX_NAMES:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    conn.exec_driver_sql(sort_keys.FILL_MISSING)
    for statement in sort_keys.INDEXES:
        conn.exec_driver_sql(statement)


@contextmanager
def _sort_threads(conn: Connection) -> Iterator[None]:
    """On SQLite, let index builds sort with helper threads (set back afterwards)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA threads").scalar() or 0)
    conn.exec_driver_sql(f"PRAGMA threads = {SORT_THREADS}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA threads = {before}")


# What the triggers of migration 0007 run for the deals an activity change touches.
REFRESH_NEXT_ACTIVITY = """UPDATE deals SET
    next_deadline = (SELECT min(a.deadline) FROM activities a
                     WHERE a.deal_id = deals.id AND a.completed = false),
    next_incoming = EXISTS (SELECT 1 FROM activities a
                            WHERE a.deal_id = deals.id AND a.completed = false
                              AND a.direction = 'incoming')"""


@contextmanager
def deferred_next_activity(conn: Connection) -> Iterator[None]:
    """Load activities in bulk without a trigger per row keeping ``deals.next_deadline``.

    The triggers are off for the load; on exit they are back and the deals of the loaded
    activities (those with a higher id than any before) are brought up to date with one
    statement. All of it is inside the caller's transaction.
    """
    before = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM activities").scalar_one())
    if conn.dialect.name == "sqlite":
        with sqlite_triggers_aside(conn, "deal_next_activity_%"):
            yield
    else:
        conn.exec_driver_sql("ALTER TABLE activities DISABLE TRIGGER deal_next_activity")
        yield
        conn.exec_driver_sql("ALTER TABLE activities ENABLE TRIGGER deal_next_activity")
    conn.exec_driver_sql(
        f"{REFRESH_NEXT_ACTIVITY} "
        f"WHERE deals.id IN (SELECT deal_id FROM activities WHERE id > {before})"
    )


def _processor(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The bind processor of one value, as SQLAlchemy would apply it (with fast paths)."""
    sqlite = dialect.name == "sqlite"
    if isinstance(column_type, UTCDateTime):

        def to_naive(value: datetime | None) -> datetime | None:
            if value is None or value.tzinfo is None:
                return value
            return value.astimezone(UTC).replace(tzinfo=None)

        if sqlite:

            def to_text(value: datetime | None) -> str | None:
                naive = to_naive(value)
                return None if naive is None else naive.isoformat(" ", "microseconds")

            return to_text
        return to_naive
    if isinstance(column_type, Fixed):
        factor = Decimal(10) ** column_type.scale

        def to_units(value: Any) -> int | None:
            if value is None:
                return None
            if not isinstance(value, Decimal):
                value = Decimal(str(value))
            return int((value * factor).to_integral_value(rounding=ROUND_HALF_UP))

        return to_units
    if isinstance(column_type, Boolean) and sqlite:
        return None  # sqlite3 stores True/False as 1/0 itself
    return column_type.dialect_impl(dialect).bind_processor(dialect)


Column = tuple[Any, ...]


def _converter(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Column], Column] | None:
    """Convert a whole column of values at once.

    Where every value allows it, the work is done by C-level ``map`` over a method
    (``datetime.isoformat``, ``Decimal.scaleb``) instead of a Python call per value;
    otherwise each value goes through :func:`_processor`. Both give the same result.
    """
    one = _processor(column_type, dialect)
    if one is None:
        return None
    per_value: Callable[[Any], Any] = one
    sqlite = dialect.name == "sqlite"

    def general(values: Column) -> Column:
        return tuple(map(per_value, values))

    if isinstance(column_type, UTCDateTime) and sqlite:
        iso = methodcaller("isoformat", " ", "microseconds")

        def datetimes(values: Column) -> Column:
            if None not in values and set(map(_TZINFO, values)) == {None}:
                return tuple(map(iso, values))
            return general(values)

        return datetimes
    if isinstance(column_type, Fixed):
        shift = methodcaller("scaleb", column_type.scale)

        def fixed(values: Column) -> Column:
            if set(map(type, values)) != {Decimal}:
                return general(values)
            scaled = tuple(map(shift, values))
            units = tuple(map(int, scaled))
            # int() truncates; equal sums of magnitudes mean nothing was cut off.
            if sum(map(abs, scaled)) == sum(map(abs, units)):
                return units
            return general(values)

        return fixed
    if isinstance(column_type, Date) and not isinstance(column_type, DateTime) and sqlite:

        def dates(values: Column) -> Column:
            if set(map(type, values)) == {date}:
                return tuple(map(date.isoformat, values))
            return general(values)

        return dates
    if isinstance(column_type, JSON):

        def documents(values: Column) -> Column:
            if set(map(type, values)) == {dict} and set(map(len, values)) == {0}:
                return (per_value({}),) * len(values)  # the common case: no custom fields
            return general(values)

        return documents
    return general


_TZINFO = attrgetter("tzinfo")


def _chunks(
    rows: Sequence[dict[str, Any]],
    names: list[str],
    converters: list[Callable[[Column], Column] | None],
) -> Iterator[list[Column]]:
    """Rows turned into driver-ready tuples, :data:`BATCH` at a time."""
    getter = itemgetter(*names)
    for start in range(0, len(rows), BATCH):
        part = rows[start : start + BATCH]
        # Column by column: one map() per typed column instead of a call per value per row.
        if len(names) > 1:
            columns = list(zip(*map(getter, part), strict=True))
        else:
            columns = [tuple(getter(row) for row in part)]
        for index, convert in enumerate(converters):
            if convert is not None:
                columns[index] = convert(columns[index])
        yield list(zip(*columns, strict=True))


def _statement(conn: Connection, table: Table, names: Sequence[str]) -> str:
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(n) for n in names)}) VALUES ({', '.join([mark] * len(names))})"
    )


def bulk_insert(conn: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with the driver's executemany."""
    if not rows:
        return
    table = _table(model)
    names = list(rows[0])
    converters = [_converter(table.c[name].type, conn.dialect) for name in names]
    sql = _statement(conn, table, names)
    for chunk in _chunks(rows, names, converters):
        conn.exec_driver_sql(sql, chunk)


def bulk_insert_columns(
    conn: Connection,
    model: Any,
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows given column by column with the driver's executemany.

    Args:
        columns: per column name, its values (one per row, all of the same length).
        constants: columns with the same value on every row (converted once).
    """
    lengths = set(map(len, columns.values()))
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    if not count:
        return
    table = _table(model)
    dialect = conn.dialect
    names = list(columns)
    values: list[Sequence[Any]] = []
    for name, column in columns.items():
        convert = _converter(table.c[name].type, dialect)
        values.append(column if convert is None else convert(tuple(column)))
    for name, value in (constants or {}).items():
        names.append(name)
        convert = _converter(table.c[name].type, dialect)
        stored = value if convert is None else convert((value,))[0]
        values.append((stored,) * count)
    sql = _statement(conn, table, names)
    for start in range(0, count, BATCH):
        stop = start + BATCH
        # strict: the lengths were checked above
        part = zip(*(column[start:stop] for column in values), strict=True)
        conn.exec_driver_sql(sql, list(part))
