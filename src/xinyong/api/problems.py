"""Errors as RFC 9457 problem details: one table maps each domain error to its HTTP status.

Every error body has ``type``, ``title``, ``status`` and ``detail``; an error about input also
has ``errors``: one entry per field at fault, with where it is (``body.rows.3.decided_on``,
``header.X-Purpose``) and what is wrong.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from xinyong.application.errors import status_of
from xinyong.errors import XinyongError

PROBLEM = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(examples=["body.rows.0.decided_on"])
    message: str = Field(examples=["not a date; write YYYY-MM-DD"])


class ProblemDetails(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["X-Purpose: a read of non-public data must state its purpose"])
    errors: list[FieldError] = Field(default_factory=list)


def _respond(problem: ProblemDetails, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(), status_code=problem.status, media_type=PROBLEM, headers=headers
    )


async def _domain(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, XinyongError)
    status = status_of(error)
    field = getattr(error, "field", None)
    errors = [FieldError(field=field, message=str(error))] if field else []
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    title = getattr(error, "title", "Error")
    return _respond(
        ProblemDetails(title=title, status=status, detail=str(error), errors=errors), headers
    )


async def _validation(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldError(field=".".join(str(p) for p in e["loc"]), message=e["msg"])
        for e in error.errors()
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return _respond(ProblemDetails(title="Invalid input", status=422, detail=detail, errors=errors))


async def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return _respond(
        ProblemDetails(title=str(error.detail), status=error.status_code, detail=str(error.detail)),
        dict(error.headers) if error.headers else None,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(XinyongError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "model": ProblemDetails,
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    for status, description in [
        (400, "The body cannot be parsed (not JSON)"),
        (401, "No token, or an unknown, expired or revoked one"),
        (403, "The role or the region does not allow this"),
        (404, "Not found"),
        (409, "Conflicts with what is stored, or a step out of order"),
        (422, "Invalid input; ``errors`` names each field at fault"),
        (503, "The database or the access log cannot be used; nothing was returned"),
    ]
}
"""The error responses every route documents, as problem details."""
