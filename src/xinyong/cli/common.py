"""What every command shares: the settings of this command line, kept in the command's context
(not in globals), the application built from them once, date options, and the consoles.

A command calls :func:`application` and one use case, then prints; it holds no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console

from xinyong.application import Application
from xinyong.catalog.items import Catalog
from xinyong.errors import InvalidInput
from xinyong.reference.identifiers import MaskPolicy
from xinyong.schemes.library import Library
from xinyong.settings import Settings

out = Console()
err = Console(stderr=True)

CatalogOption = Annotated[
    list[Path] | None, typer.Option("--catalog", help="Extra catalog file (repeatable).")
]
AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today).")]
On = Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default: today).")]
By = Annotated[str, typer.Option("--by", help="Who takes the step (a named person).")]


@dataclass
class Session:
    """One command line's settings and the application built from them."""

    settings: Settings
    built: dict[tuple[Path, ...], Application] = field(default_factory=dict)

    def with_catalog(self, extra: list[Path] | None) -> Settings:
        if not extra:
            return self.settings
        paths = [*self.settings.catalog_paths, *extra]
        return self.settings.model_copy(update={"catalog_paths": paths})

    def application(self, extra_catalog: list[Path] | None = None) -> Application:
        """The application over the configured database (which must be migrated)."""
        key = tuple(extra_catalog or ())
        if key not in self.built:
            self.built[key] = Application.build(self.with_catalog(extra_catalog))
        return self.built[key]


def session() -> Session:
    """The session the main callback put in the command's context (a fresh one from the
    environment when a command function is called on its own)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and isinstance(root.obj, Session):
        return root.obj
    return Session(Settings())


def settings() -> Settings:
    return session().settings


def application(extra_catalog: list[Path] | None = None) -> Application:
    return session().application(extra_catalog)


def scratch(extra_catalog: list[Path] | None = None) -> Application:
    """An application over a new in-memory database, for a scheme's own test cases."""
    chosen = session().with_catalog(extra_catalog).model_copy(update={"database_url": "sqlite://"})
    return Application.build(chosen, migrate=True)


def catalog(extra: list[Path] | None = None) -> Catalog:
    """The catalog (and any extra files), without touching the database."""
    return Catalog.load([*settings().catalog_paths, *(extra or [])])


def library(used: Catalog) -> Library:
    return Library.load(used, settings().scheme_paths)


def mask() -> MaskPolicy:
    return MaskPolicy.named(settings().mask_policy)


def as_of(text: str | None) -> date:
    """A date option, or today (``XINYONG_TODAY`` or the system's)."""
    if text is None:
        return settings().current_date()
    return parse_day(text)


def day(text: str | None) -> date | None:
    """A date option as given, or None for the application clock's today."""
    return None if text is None else parse_day(text)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date; write YYYY-MM-DD") from None
