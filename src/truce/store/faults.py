"""Which database errors mean "the database is unavailable for now" rather than a defect: the server
is down, restarting or recovering, a connection was cut, every pooled connection is busy. A caller
answers those with "try again shortly" (the API: 503 with Retry-After), never as an internal error."""

from __future__ import annotations

import sys

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["database_unavailable", "sqlite_busy"]


def sqlite_busy(error: BaseException) -> bool:
    """SQLite's write lock held by another process past the driver's bounded wait."""
    return isinstance(error, OperationalError) and any(
        word in str(error.orig) for word in ("locked", "busy")
    )


def database_unavailable(error: BaseException) -> bool:
    """A PostgreSQL connection refused, lost or not yet accepted (the server starting up or shutting
    down), too many clients, a serialisation failure or deadlock; or no pooled connection free in
    time. A statement the server refused (a bad value, a missing table) is not among them."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:  # SQLAlchemy recognised a disconnect
        return True
    psycopg = sys.modules.get("psycopg")  # not imported: the error cannot be PostgreSQL's
    if psycopg is None:
        return False
    # psycopg raises OperationalError for the server's state and the network (connection refused,
    # "server closed the connection", sqlstates 08*, 53*, 57P0*, 40001, 40P01), InterfaceError
    # for a connection already closed; errors in the statement itself are other classes.
    return isinstance(error.orig, (psycopg.OperationalError, psycopg.InterfaceError))
