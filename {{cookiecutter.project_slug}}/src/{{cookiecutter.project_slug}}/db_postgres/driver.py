"""The hottest statements, compiled once and run on the asyncpg connection underneath.

Every job runs two statements (its claim and its result) and every POST one (the insert).
SQLAlchemy's execution of a statement, its compiled-cache look-up, parameter and result
processing around asyncpg's own call, cost a worker about 0.45 ms of CPU per job, a fifth
of a short job (ADR 0003; `benchmarks/variants/core-statements.patch` in the template).
`DriverStatement` compiles a statement from statements.py once, at import, to the SQL and
positional parameters asyncpg takes, and runs it on the connection SQLAlchemy checked out:
the same SQL, the same pool, the same autocommit, without the layer in between. Everything
else stays on SQLAlchemy Core.

SQLAlchemy's asyncpg dialect gives each connection JSON codecs when it connects, so JSON
columns come back decoded; parameters of JSON type are serialised here, as SQLAlchemy would.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asyncpg import Record
from sqlalchemy import JSON, ClauseElement
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy


@dataclass(frozen=True)
class DriverStatement:
    sql: str
    #: The name of each positional parameter ($1, $2, ...), in order.
    names: tuple[str, ...]
    #: Values the statement itself fixes (its literal statuses, say), by name.
    fixed: dict[str, Any]
    #: Parameters of JSON type, serialised before they are sent.
    json: frozenset[str]

    @classmethod
    def compile(cls, statement: ClauseElement, columns: Sequence[str] = ()) -> "DriverStatement":
        """`columns`: for an INSERT, the columns its parameters name."""
        compiled = statement.compile(dialect=_DIALECT, column_keys=list(columns) or None)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {statement!r}")
        names = tuple(compiled.positiontup or ())
        binds = [(name, compiled.binds[name]) for name in names]  # as the SQL names them
        return cls(
            sql=str(compiled),
            names=names,
            fixed={name: bind.value for name, bind in binds if not bind.required},
            json=frozenset(name for name, bind in binds if isinstance(bind.type, JSON)),
        )

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        values = self.fixed | params
        return [json.dumps(values[n]) if n in self.json else values[n] for n in self.names]

    async def fetchrow(self, connection: AsyncConnection, **params: Any) -> Record | None:
        """Run it on `connection`'s asyncpg connection: the one row it returns, or None.

        A connection that fails closed is invalidated, as SQLAlchemy does with a disconnect,
        so its pool never hands it out again (engines.py keeps closed ones from being checked
        out). Errors are asyncpg's own, which errors.py sorts as it does SQLAlchemy's.
        """
        driver: Any = (await connection.get_raw_connection()).driver_connection
        try:
            row: Record | None = await driver.fetchrow(self.sql, *self.arguments(params))
        except Exception as exc:
            if driver.is_closed():
                await connection.invalidate(exc)
            raise
        return row
