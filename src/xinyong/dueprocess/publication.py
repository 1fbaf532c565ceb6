"""Publication periods: when a record stops being public and from when its subject may apply for
credit repair.

Both follow from the record's catalog item (its severity tier sets the period, 发改办财金〔2019〕
527号 as restated in 国办发〔2025〕22号) and its decision date: the minimum period runs from the
decision, after which repair may be asked for; at the maximum the record comes down by itself. A
granted repair ends publication on the day it is granted. Nothing is stored or flagged by a job:
whether a record is public on a date is worked out from these dates whenever it is asked, so
public views change by themselves as time passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from xinyong.catalog.items import Catalog, CatalogItem
from xinyong.catalog.terms import Disclosure, Period, Polarity
from xinyong.store.tables import records


@dataclass(frozen=True, slots=True)
class Window:
    """A record's publication window."""

    disclosure: Disclosure
    public_from: date
    public_until: date | None  # None: public while the fact holds
    repair_from: date | None  # None: not a negative record, nothing to repair

    def public_on(self, at: date) -> bool:
        return (
            self.disclosure is Disclosure.PUBLIC
            and self.public_from <= at
            and (self.public_until is None or at < self.public_until)
        )


def window(item: CatalogItem, decided_on: date) -> Window:
    publication = item.publication
    until = _first_day_past(publication.max, decided_on) if publication.max else None
    repair = publication.min.after(decided_on) if item.polarity is Polarity.NEGATIVE else None
    return Window(item.disclosure, decided_on, until, repair)


def _first_day_past(period: Period, decided_on: date) -> date:
    """The first day ``at`` on which ``decided_on <= period.before(at)``: the day the record
    comes down. Defined through ``before`` so that it agrees exactly with the cut-off date that
    :func:`public_condition` compares against (month ends make ``after`` and ``before`` differ
    by a day or two)."""
    day = period.after(decided_on)
    while period.before(day - timedelta(days=1)) >= decided_on:
        day -= timedelta(days=1)
    while period.before(day) < decided_on:
        day += timedelta(days=1)
    return day


def public_condition(catalog: Catalog, at: date, table: Any = records) -> ColumnElement[bool]:
    """A SQL condition on ``table`` (records) that holds for records whose item is public and
    whose publication period has not ended on ``at``. Each item's cut-off is a date literal
    computed here, so the test is an index-friendly comparison on every engine. (Whether the
    record is still in effect, not revoked, corrected or repaired, is a separate condition.)"""
    # Items that share a cut-off share one test: item_code IN (...) AND decided_on > cut-off.
    by_cutoff: dict[date | None, list[str]] = {}
    for item in catalog:
        if item.disclosure is not Disclosure.PUBLIC:
            continue
        # decided_on + max > at  <=>  decided_on > at - max (month ends clamped alike)
        cutoff = item.publication.max.before(at) if item.publication.max else None
        by_cutoff.setdefault(cutoff, []).append(item.code)
    parts: list[ColumnElement[bool]] = []
    for cutoff, codes in sorted(by_cutoff.items(), key=lambda kv: str(kv[0])):
        same = table.c.item_code.in_(sorted(codes))
        parts.append(same if cutoff is None else and_(same, table.c.decided_on > cutoff))
    if not parts:
        return false()
    return and_(table.c.decided_on <= at, or_(*parts))
