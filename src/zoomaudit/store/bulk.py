"""Many rows into one table in one executemany, without SQLAlchemy's per-row work.

``session.execute(insert(table), rows)`` runs SQLAlchemy's generic parameter processing for every
row (~13 us a row here); a 5,000-meeting run writes ~140,000 findings, and that processing was
most of the time the store took. Here the statement is compiled once for the dialect, each
column's bind processor (JSON, timezone-aware timestamps) is looked up once, and the rows go to
the driver's executemany as plain tuples (or dicts, for a named paramstyle).
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


def prepared_insert(
    dialect: Dialect, model: type[Base], rows: Sequence[dict[str, Any]]
) -> tuple[str, list[Any]]:
    """The statement and driver parameters that insert ``rows`` on ``dialect``: what
    ``insert_rows`` runs, or another connection to the same database (``store.writer_process``)."""
    keys = list(rows[0])
    table = model.__table__
    compiled = insert(model).compile(dialect=dialect, column_keys=keys)
    processors: dict[str, Callable[[Any], Any] | None] = {
        key: table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys
    }
    if compiled.positional:
        order = list(compiled.positiontup or ())
        values = itemgetter(*order)
        processed = [
            (i, _by_identity(process))
            for i, key in enumerate(order)
            if (process := processors[key]) is not None
        ]
        params: list[Any] = []
        for row in rows:
            one = list(values(row)) if len(order) > 1 else [row[order[0]]]
            for i, process in processed:
                one[i] = process(one[i])
            params.append(tuple(one))
    else:
        named = [
            (key, None if process is None else _by_identity(process)) for key, process in processors.items()
        ]
        params = [
            {key: row[key] if process is None else process(row[key]) for key, process in named}
            for row in rows
        ]
    return compiled.string, params


def _by_identity(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process``, remembering its answer per object: the findings of one policy share their
    ``expected`` value (one object), so it is turned into JSON once, not once a finding. Keyed by
    ``id``, which is safe while the rows being inserted keep every value alive."""
    seen: dict[int, Any] = {}

    def once(value: Any) -> Any:
        key = id(value)
        found = seen.get(key, seen)
        if found is seen:
            found = seen[key] = process(value)
        return found

    return once
