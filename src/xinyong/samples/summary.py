"""What is in a database, for the demo and for operators: subjects by kind, records in effect
by category, batches, and quarantined rows grouped by reason."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Category
from xinyong.registry.records import count_by_category
from xinyong.registry.subjects import count_by_kind
from xinyong.store.tables import batches, quarantine, records


@dataclass(slots=True)
class Summary:
    subjects: dict[str, int]
    records: dict[Category, int]
    records_total: int
    batches: int
    quarantined: int
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    busiest_subject: tuple[str, str, int] | None = None


def _reason(field_name: str | None, message: str) -> str:
    first = message.split("; ")[0]
    first = first.split(": ", 1)[1] if ": " in first else first
    # Drop quoted values so that one bucket holds one kind of problem.
    shape = re.sub(r"'[^']*'|\d{4}-\d{2}-\d{2}|\d+", "…", first.split(",")[0])
    return f"{field_name or 'row'}: {shape}"


def summarise(conn: Connection, catalog: Catalog) -> Summary:
    reasons: Counter[str] = Counter(
        _reason(f, m) for f, m in conn.execute(select(quarantine.c.field, quarantine.c.message))
    )
    from xinyong.store.tables import subjects

    busiest = conn.execute(
        select(subjects.c.code, subjects.c.name, func.count(records.c.id).label("n"))
        .join(records, records.c.subject_id == subjects.c.id)
        .group_by(subjects.c.code, subjects.c.name)
        .order_by(func.count(records.c.id).desc(), subjects.c.code)
        .limit(1)
    ).first()
    return Summary(
        subjects=count_by_kind(conn),
        records=count_by_category(conn, catalog),
        records_total=conn.execute(select(func.count()).select_from(records)).scalar_one(),
        batches=conn.execute(select(func.count()).select_from(batches)).scalar_one(),
        quarantined=sum(reasons.values()),
        quarantine_reasons=reasons,
        busiest_subject=(busiest.code, busiest.name, int(busiest.n)) if busiest else None,
    )
