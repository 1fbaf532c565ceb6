"""The baseline of the HTTP benchmark: a FastAPI app that answers each request with one
lookup of a subject by code (or by id) in the same database, the way a plain CRUD endpoint
would, served by the same server with the same workers as ``xinyong serve``.

Run by ``bench/api.py`` as ``uvicorn bench.lookup_app:create --factory``; it reads the
database from ``XINYONG_DATABASE_URL``.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import create_engine, text


class LookupIn(BaseModel):
    code: str
    action: str | None = None
    at: str | None = None


def create() -> FastAPI:
    engine = create_engine(os.environ["XINYONG_DATABASE_URL"], pool_size=8, max_overflow=8)
    by_code = text("SELECT id, code, kind, name, region_code FROM subjects WHERE code = :code")
    by_id = text("SELECT id, code, kind, name, region_code FROM subjects WHERE id = :id")
    app = FastAPI()

    def answer(statement: Any, **params: Any) -> dict[str, Any]:
        with engine.connect() as conn:
            row = conn.execute(statement, params).mappings().first()
        if row is None:
            raise HTTPException(404)
        return dict(row)

    @app.post("/lookup")
    def lookup(body: LookupIn) -> dict[str, Any]:
        return answer(by_code, code=body.code)

    @app.get("/lookup/{subject_id}")
    def lookup_id(subject_id: int) -> dict[str, Any]:
        return answer(by_id, id=subject_id)

    return app
