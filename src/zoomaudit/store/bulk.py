"""Many rows into one table in one executemany, without SQLAlchemy's per-row work.

``session.execute(insert(table), rows)`` runs SQLAlchemy's generic parameter processing for every
row (~13 us a row here); a 5,000-meeting run writes ~145,000 findings, and that processing was
most of the time the store took. Here the statement is compiled once for the dialect, each
column's bind processor (JSON, timezone-aware timestamps, booleans) is looked up once and run
only on its own column, and the rows go to the driver's executemany as plain sequences (or
dicts, for a named paramstyle).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, insert

from zoomaudit.store.models import Base


def insert_rows(connection: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, column names of ``model``'s table) in one executemany."""
    if rows:
        connection.exec_driver_sql(*prepared_insert(connection.dialect, model, rows))


def insert_values(
    connection: Connection, model: type[Base], keys: Sequence[str], values: list[list[Any]]
) -> None:
    """``insert_rows`` of rows given as lists of values in ``keys`` order (changed in place)."""
    if values:
        connection.exec_driver_sql(*prepared_values(connection.dialect, model, keys, values))


def prepared_insert(
    dialect: Dialect, model: type[Base], rows: Sequence[dict[str, Any]]
) -> tuple[str, list[Any]]:
    """The statement and driver parameters that insert ``rows`` on ``dialect``: what
    ``insert_rows`` runs, or another connection to the same database (``store.writer_process``)."""
    keys = list(rows[0])
    values = itemgetter(*keys) if len(keys) > 1 else None
    listed = [list(values(row)) if values is not None else [row[keys[0]]] for row in rows]
    return prepared_values(dialect, model, keys, listed)


def prepared_values(
    dialect: Dialect, model: type[Base], keys: Sequence[str], values: list[list[Any]]
) -> tuple[str, list[Any]]:
    """``prepared_insert`` of rows given as lists of values in ``keys`` order, processed in
    place (the driver then gets them as tuples, reordered only when ``keys`` is not already
    the statement's order, as ``runs.FINDING_ROW_KEYS`` is)."""
    keys = list(keys)
    table = model.__table__
    compiled = insert(model).compile(dialect=dialect, column_keys=keys)
    for i, key in enumerate(keys):
        bind = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            _bind_column(values, i, bind)
    if not compiled.positional:
        return compiled.string, [dict(zip(keys, row, strict=True)) for row in values]
    order = [keys.index(key) for key in compiled.positiontup or ()]
    if order == list(range(len(keys))):
        return compiled.string, list(map(tuple, values))
    pick = itemgetter(*order)
    return compiled.string, [pick(row) if len(order) > 1 else (row[order[0]],) for row in values]


def _bind_column(values: list[list[Any]], i: int, bind: Callable[[Any], Any]) -> None:
    """Put column ``i`` of every row through its bind processor, once per distinct object: the
    findings of one policy share their ``expected`` value (one object), and those of one
    verdict their ``actual``, so each is turned into JSON once, not once a finding. Keyed by
    ``id``; each entry holds its object, so no other object can take that id meanwhile (the
    rows, changed in place, may have held the only other reference)."""
    seen: dict[int, tuple[Any, Any]] = {}
    get = seen.get
    for row in values:
        value = row[i]
        found = get(id(value))
        if found is None:
            found = seen[id(value)] = (value, bind(value))
        row[i] = found[1]
