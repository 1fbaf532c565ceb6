"""The domain-error hierarchy. Each error has a short title; the HTTP service maps each class to
a status in one table (:mod:`xinyong.api.problems`), so the core knows nothing of HTTP."""

from __future__ import annotations

from typing import Self


class XinyongError(Exception):
    """Base of every error xinyong raises on purpose. Its message is for developers and logs;
    an error a person meets on a page also names its message in the portal's catalog
    (:meth:`saying`), so that the page tells it in the reader's language."""

    title = "Internal error"
    key: str | None = None
    params: dict[str, object] = {}  # noqa: RUF012  (replaced, never mutated)

    def saying(self, key: str, **params: object) -> Self:
        """The same error, told to people by the catalog message ``key`` with ``params``."""
        self.key, self.params = key, params
        return self


class NotFound(XinyongError):
    """A subject, record, batch or item that was asked for does not exist."""

    title = "Not found"


class InvalidInput(XinyongError):
    """Input that cannot be accepted; the message names the field and the fix."""

    title = "Invalid input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class InvalidIdentifier(InvalidInput):
    """A USCC or resident ID that fails its format or checksum."""

    title = "Invalid identifier"


class InvalidCatalog(XinyongError):
    """A catalog file that breaks a rule; says the file, the line and what is wrong."""

    title = "Invalid catalog"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message  # what is wrong, without where
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


class BatchConflict(XinyongError):
    """The same (source, batch id) was sent again with different content."""

    title = "Batch conflict"


class BatchRejected(XinyongError):
    """A strict batch had rejected rows, so none of it was accepted."""

    title = "Batch rejected"


class UnsupportedFile(InvalidInput):
    """A file whose format or encoding cannot be read."""

    title = "Unsupported file"


class Unauthenticated(XinyongError):
    """No credentials, or a token that is unknown, expired or revoked."""

    title = "Not signed in"


class Forbidden(XinyongError):
    """The caller's role or region does not allow this; the message says which rule refused."""

    title = "Forbidden"


class Conflict(XinyongError):
    """The request conflicts with what is already stored (e.g. a reused idempotency key)."""

    title = "Conflict"


class AccessNotLogged(XinyongError):
    """A read of non-public data could not be written to the access log, so nothing is returned."""

    title = "Access log unavailable"


class Unsupported(XinyongError):
    """What was asked for is not supported here: a feature a backend lacks ("not supported on
    <backend>"), or an engine that is not installed."""

    title = "Not supported"


class TooManyAttempts(Unauthenticated):
    """Too many failed sign-ins from one client in a short time; it may try again later."""

    title = "Too many attempts"
