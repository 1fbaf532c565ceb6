"""The domain-error hierarchy. Each error carries the HTTP status the service maps it to."""

from __future__ import annotations


class XinyongError(Exception):
    """Base of every error xinyong raises on purpose."""

    status_code = 500
    title = "Internal error"


class NotFound(XinyongError):
    """A subject, record, batch or item that was asked for does not exist."""

    status_code = 404
    title = "Not found"


class InvalidInput(XinyongError):
    """Input that cannot be accepted; the message names the field and the fix."""

    status_code = 422
    title = "Invalid input"


class InvalidIdentifier(InvalidInput):
    """A USCC or resident ID that fails its format or checksum."""

    title = "Invalid identifier"


class InvalidCatalog(XinyongError):
    """A catalog file that breaks a rule; says the file, the line and what is wrong."""

    status_code = 422
    title = "Invalid catalog"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


class BatchConflict(XinyongError):
    """The same (source, batch id) was sent again with different content."""

    status_code = 409
    title = "Batch conflict"


class BatchRejected(XinyongError):
    """A strict batch had rejected rows, so none of it was accepted."""

    status_code = 422
    title = "Batch rejected"


class UnsupportedFile(InvalidInput):
    """A file whose format or encoding cannot be read."""

    title = "Unsupported file"
