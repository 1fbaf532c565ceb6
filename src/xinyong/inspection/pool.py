"""The inspector pool: officials with their department, region and qualifications, and the
relations they declare with subjects (under which they step aside). Loading a pool file adds
inspectors and declarations and marks the ones who left; nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.errors import InvalidCatalog, InvalidInput
from xinyong.reference.identifiers import parse_identifier
from xinyong.schemes.inspection import RELATIONS
from xinyong.store import audit
from xinyong.store.tables import inspector_relations, inspectors
from xinyong.yamlsource import FileModel, load_yaml, validate


class InvalidPool(InvalidCatalog):
    title = "Invalid inspector pool"


class Relation(FileModel):
    subject: str = Field(min_length=15, max_length=18)
    kind: Literal["relative", "household", "former_employer", "shareholder", "other"]
    declared_on: date
    ended_on: date | None = None


class InspectorEntry(FileModel):
    code: str = Field(pattern=r"^[A-Za-z0-9-]{4,32}$")
    name: str = Field(min_length=1, max_length=100)
    department: str = Field(min_length=1, max_length=100)
    region: str = Field(pattern=r"^\d{6}$")
    qualifications: list[str] = Field(default_factory=list)
    active_from: date
    active_to: date | None = None
    relations: list[Relation] = Field(default_factory=list)


class PoolFile(FileModel):
    pool: str = Field(min_length=2, description="whose pool, e.g. the department")
    inspectors: list[InspectorEntry] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Loaded:
    added: int
    updated: int
    relations: int


def read_pool(path: Path) -> PoolFile:
    document = load_yaml(path, error=InvalidPool)
    return validate(PoolFile, document, path, error=InvalidPool)


def load_pool(conn: Connection, pool: PoolFile, actor: str) -> Loaded:
    """Add the file's inspectors (or update their department, region, qualifications and
    dates) and the relations they declared that are not yet stored."""
    now = clock.now()
    added = updated = relations = 0
    for entry in pool.inspectors:
        values: dict[str, Any] = {
            "name": entry.name,
            "department": entry.department,
            "region_code": entry.region,
            "qualifications": sorted(entry.qualifications),
            "active_from": entry.active_from,
            "active_to": entry.active_to,
        }
        found = conn.execute(
            select(inspectors.c.id).where(inspectors.c.code == entry.code)
        ).scalar_one_or_none()
        if found is None:
            found = conn.execute(
                insert(inspectors).returning(inspectors.c.id),
                {"code": entry.code, "created_at": now, **values},
            ).scalar_one()
            added += 1
        else:
            conn.execute(update(inspectors).where(inspectors.c.id == found).values(**values))
            updated += 1
        for relation in entry.relations:
            try:
                code = parse_identifier(relation.subject).code
            except InvalidInput as exc:
                raise InvalidInput(f"inspector {entry.code}: {exc}") from None
            known = conn.execute(
                select(inspector_relations.c.id).where(
                    inspector_relations.c.inspector_id == found,
                    inspector_relations.c.subject_code == code,
                    inspector_relations.c.kind == relation.kind,
                    inspector_relations.c.declared_on == relation.declared_on,
                )
            ).scalar_one_or_none()
            if known is None:
                conn.execute(
                    insert(inspector_relations),
                    {
                        "inspector_id": found,
                        "subject_code": code,
                        "kind": relation.kind,
                        "declared_on": relation.declared_on,
                        "ended_on": relation.ended_on,
                        "created_at": now,
                    },
                )
                relations += 1
            elif relation.ended_on is not None:
                conn.execute(
                    update(inspector_relations)
                    .where(inspector_relations.c.id == known)
                    .values(ended_on=relation.ended_on)
                )
    audit.append(
        conn,
        actor=actor,
        action="inspection.pool",
        target=f"pool:{pool.pool}",
        details={"added": added, "updated": updated, "relations": relations},
    )
    return Loaded(added, updated, relations)


__all__ = ["RELATIONS", "InvalidPool", "Loaded", "PoolFile", "load_pool", "read_pool"]
