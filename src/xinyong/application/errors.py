"""The one table from domain error to status, shared by the HTTP API (problem details) and the
portal (error pages); a subclass takes its nearest ancestor's status."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from xinyong.dueprocess.lifecycle import IllegalTransition
from xinyong.errors import (
    AccessNotLogged,
    BatchConflict,
    BatchRejected,
    Conflict,
    Forbidden,
    InvalidCatalog,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
    Unsupported,
    XinyongError,
)
from xinyong.store.database import DatabaseNotReady

#: The database could not be reached or used (down, locked, wrong URL): interfaces report it
#: without a traceback. Named here so that no interface imports the database driver's errors.
DatabaseUnavailable = OperationalError

STATUS: dict[type[XinyongError], int] = {
    InvalidInput: 422,
    InvalidCatalog: 422,
    BatchRejected: 422,
    Unauthenticated: 401,
    TooManyAttempts: 429,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    BatchConflict: 409,
    IllegalTransition: 409,
    Unsupported: 501,
    AccessNotLogged: 503,
    DatabaseNotReady: 503,
    XinyongError: 500,
}


def status_of(error: XinyongError) -> int:
    """The status of ``error``: its class's, or its nearest ancestor's."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500
