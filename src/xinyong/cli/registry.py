"""CLI commands for the subject registry, the quarantine and the catalog (mounted by
:mod:`xinyong.cli.main`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Category
from xinyong.cli.common import application, as_of, catalog, err, out, settings
from xinyong.errors import NotFound
from xinyong.reference.identifiers import MaskPolicy, SubjectKind

subjects_app = typer.Typer(help="The subject registry.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Rows that were refused at ingest.", no_args_is_help=True)
catalog_app = typer.Typer(help="The credit-information catalog.", no_args_is_help=True)


@subjects_app.command("show")
def subjects_show(
    code: Annotated[str, typer.Argument(help="USCC or resident ID.")],
    public: Annotated[
        bool, typer.Option(help="Only what the public sees on the date, identifiers masked.")
    ] = False,
    at: Annotated[str | None, typer.Option("--at", help="YYYY-MM-DD (default: today).")] = None,
) -> None:
    """A subject's credit file: registry entry, records with their state, disputes,
    publication periods, listings in effect and open cases."""
    used = application()
    policy = MaskPolicy.named(settings().mask_policy if public else "none")
    file = used.files.file(code, at=as_of(at), public=public)
    subject = file.subject
    changes = [] if public else used.files.history(subject.code)

    name = policy.mask_name(subject.name, subject.kind)
    out.print(f"[bold]{name}[/bold]  {policy.mask_code(subject.code)}")
    region = " ".join(used.regions.path(subject.region_code)) if subject.region_code else "-"
    # an individual's registration date is its birth date: shown only where the code is
    registered = subject.registered_on or "-"
    if subject.kind is SubjectKind.INDIVIDUAL and public:
        registered = "(masked)"
    out.print(
        f"kind {subject.kind.value} · region {subject.region_code or '-'} {region} · "
        f"industry {subject.industry_code or '-'} · registered {registered} · "
        f"status {subject.status.value}"
        + (
            f" · legal representative {subject.legal_representative}"
            if subject.legal_representative
            else ""
        )
    )
    for other in subject.names:
        out.print(f"{other.kind.value} name: {other.name}")
    for c in changes:
        out.print(
            f"{c.changed_at:%Y-%m-%d} {c.field}: {c.old_value or '-'} -> {c.new_value} "
            f"({c.source}{f', batch #{c.batch_id}' if c.batch_id else ''})"
        )
    table = Table(
        "id", "decided", "item", "severity", "reference", "source", "state", "public until"
    )
    for entry in file.records:
        v = entry.record
        item = used.catalog.get(v.item_code)
        table.add_row(
            str(v.id),
            v.decided_on.isoformat(),
            f"{v.item_code} {item.name.zh if item else ''}",
            str(v.severity or ""),
            v.reference or "",
            v.source,
            v.state.value
            + (f" by #{v.changed_by}" if v.changed_by else "")
            + (" (disputed)" if entry.disputed else ""),
            str(entry.public_until or "-") if entry.public else "not public",
        )
    out.print(table)
    for listing in file.listings:
        out.print(
            f"on list {listing.key} from {listing.state.listed_from} to "
            f"{listing.state.until} (listing #{listing.id})"
        )
    for case in file.open_cases:
        out.print(f"open case {case.reference} ({case.kind.value}), due {case.deadline}")


@subjects_app.command("search")
def subjects_search(text: str, limit: int = 20) -> None:
    """Find subjects by code, part of a name or a former name (two characters or more)."""
    found = application().files.search(text, limit, resident_ids=True)
    for hit in found.hits:
        out.print(f"{hit.code}  {hit.name}")
    if found.broad:
        err.print("many subjects match; these are the best of those registered first")


@subjects_app.command("list")
def subjects_list(
    region: Annotated[
        str | None, typer.Option(help="GB/T 2260 code; a province or city includes all below.")
    ] = None,
    industry: Annotated[
        str | None, typer.Option(help="GB/T 4754 section letter or division number.")
    ] = None,
    kind: Annotated[SubjectKind | None, typer.Option(help="Kind of subject.")] = None,
    limit: int = 50,
) -> None:
    """Subjects by location, industry and kind."""
    rows = application().files.filtered(region=region, industry=industry, kind=kind, limit=limit)
    table = Table("code", "name", "region", "industry")
    for code, name, region_code, industry_code in rows:
        table.add_row(code, name, region_code or "", industry_code or "")
    out.print(table)


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this department's batches.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
) -> None:
    """Rows refused at ingest, with file, row number, field and reason."""
    rows = application().records.quarantined(source, limit)
    table = Table("source", "file", "row", "field", "value", "problem")
    for r in rows:
        table.add_row(
            r["source"],
            r["file_name"] or "",
            str(r["row_number"]),
            r["field"] or "",
            r["value"] or "",
            r["message"],
        )
    out.print(table)
    if not rows:
        out.print("no quarantined rows")


@catalog_app.command("list")
def catalog_list(
    category: Annotated[Category | None, typer.Option(help="Only this category.")] = None,
) -> None:
    """Catalog items with category, polarity, disclosure, severity and publication period."""
    table = Table("code", "name", "category", "polarity", "disclosure", "severity", "published")
    for item in catalog():
        if category and item.category is not category:
            continue
        period = f"{item.publication.min}-{item.publication.max or '∞'}"
        table.add_row(
            item.code,
            item.name.zh,
            item.category.value,
            item.polarity.value,
            item.disclosure.value,
            item.severity.name.lower() if item.severity else "",
            period,
        )
    out.print(table)


@catalog_app.command("show")
def catalog_show(code: str) -> None:
    """One catalog item in full, with its legal basis and attributes."""
    used = catalog()
    item = used.get(code)
    if item is None:
        raise NotFound(f"no catalog item {code}; 'xinyong catalog list' shows them")
    source = used.source(code)
    out.print(
        f"[bold]{item.code}[/bold] {item.name.zh} / {item.name.en}  ({source.path}:{source.line})"
    )
    out.print(
        f"category {item.category.value} ({item.category.zh}); {item.polarity.value}; "
        f"{item.disclosure.value}"
    )
    for basis in item.legal_basis:
        out.print(f"basis: {basis.cite()}")
    for spec in item.attributes:
        out.print(f"attribute {spec.name}: {spec.type}{' (required)' if spec.required else ''}")


@catalog_app.command("check")
def catalog_check(files: list[Path]) -> None:
    """Load catalog files with the shipped catalog and report the first problem, if any."""
    catalog = Catalog.load(files)
    out.print(f"ok: {len(catalog)} items")
