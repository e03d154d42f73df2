"""Steering SQLite's query planner, which keeps no statistics: a term marked `unindexed` is read as it is
on PostgreSQL, and on SQLite it carries a unary `+` (SQLite's documented way to keep a term from choosing
the index: it does not change the value), so the planner takes the index the query was written for.

Used where, without statistics, SQLite would pick an index that reads a team's whole history (every
unassigned work order ever filed; every row of a team in order of creation, to save sorting a few open
ones). The SLA watch and the digest (reporting may read `sla`) use it.
"""

from typing import Any, TypeVar

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

T = TypeVar("T")


class unindexed(ColumnElement[T]):
    """`column` itself, except that SQLite will not look it up in an index."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[T] | QueryableAttribute[T]) -> None:
        self.column = column.__clause_element__() if isinstance(column, QueryableAttribute) else column
        self.type = self.column.type


@compiles(unindexed)
def _as_is(element: unindexed[Any], compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(unindexed, "sqlite")
def _sqlite(element: unindexed[Any], compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))
