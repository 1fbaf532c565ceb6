"""xinyong: public-credit schemes as versioned, testable policy files, with due process built in.

The public surface is listed in ``__all__``; other modules are free to move.
"""

from __future__ import annotations

from xinyong.catalog.items import Catalog, CatalogItem
from xinyong.catalog.terms import Category, Disclosure, Polarity, Severity
from xinyong.errors import (
    BatchConflict,
    BatchRejected,
    InvalidCatalog,
    InvalidIdentifier,
    InvalidInput,
    NotFound,
    XinyongError,
)
from xinyong.ingest.pipeline import BatchReport, Ingestor
from xinyong.reference.identifiers import (
    Identifier,
    MaskPolicy,
    SubjectKind,
    mask,
    parse_identifier,
)
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.registry.records import RecordState, RecordView
from xinyong.settings import Settings
from xinyong.store.database import Database

__version__ = "0.1.0"

__all__ = [
    "BatchConflict",
    "BatchRejected",
    "BatchReport",
    "Catalog",
    "CatalogItem",
    "Category",
    "Database",
    "Disclosure",
    "Identifier",
    "Industries",
    "Ingestor",
    "InvalidCatalog",
    "InvalidIdentifier",
    "InvalidInput",
    "MaskPolicy",
    "NotFound",
    "Polarity",
    "RecordState",
    "RecordView",
    "Regions",
    "Settings",
    "Severity",
    "SubjectKind",
    "XinyongError",
    "mask",
    "parse_identifier",
]
