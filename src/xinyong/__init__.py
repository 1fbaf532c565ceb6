"""xinyong: public-credit schemes as versioned, testable policy files, with due process built in.

The public surface is listed in ``__all__``; other modules are free to move.
"""

from __future__ import annotations

from xinyong.catalog import Catalog, CatalogItem, Category, Disclosure, Polarity, Severity
from xinyong.database import Database
from xinyong.errors import (
    BatchConflict,
    BatchRejected,
    InvalidCatalog,
    InvalidIdentifier,
    InvalidInput,
    NotFound,
    XinyongError,
)
from xinyong.identifiers import Identifier, MaskPolicy, SubjectKind, mask, parse_identifier
from xinyong.industries import Industries
from xinyong.ingest import BatchReport, Ingestor
from xinyong.records import RecordState, RecordView
from xinyong.regions import Regions
from xinyong.settings import Settings

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
