"""Reading the files departments send: CSV (UTF-8 or GB18030/GBK), JSON Lines and Excel.

Each reader yields :class:`RawRow` objects that carry the row number a clerk would see (the line
of a CSV or JSONL file, the row of the worksheet), so an error can point at it. A row that cannot
even be split into fields is yielded with ``problem`` set, never skipped.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinyong.errors import UnsupportedFile

FORMATS = ("csv", "jsonl", "xlsx")


@dataclass(slots=True)
class RawRow:
    number: int
    values: dict[str, Any]
    problem: str | None = None


@dataclass(slots=True)
class RawFile:
    """A file read into memory, with what was found out about it."""

    name: str
    format: str
    encoding: str | None
    sha256: str
    columns: list[str]
    rows: list[RawRow] = field(default_factory=list)


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix == "xls":
        raise UnsupportedFile(f"{path.name}: old .xls workbooks are not read; save it as .xlsx")
    raise UnsupportedFile(f"{path.name}: unknown file type {suffix!r}; send CSV, JSONL or XLSX")


def decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Decode ``data`` strictly; without an ``encoding``, try UTF-8 (with or without BOM), then
    GB18030 (a superset of GBK and GB2312). Never guesses past that: no mojibake."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UnsupportedFile(f"{name}: unknown encoding {encoding!r}") from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise UnsupportedFile(
                f"{name}: line {line} is not valid {encoding} (byte {exc.start}); "
                "check the encoding the file was saved in"
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        # UTF-8 with a few lines in another encoding (a GBK row pasted in): read as UTF-8,
        # and those lines carry U+FFFD, so the row checks refuse them, naming the field.
        return data.decode("utf-8", errors="replace"), "utf-8"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    raise UnsupportedFile(
        f"{name}: the file is neither UTF-8 nor GB18030/GBK text; pass --encoding"
    )


def _mostly_utf8(data: bytes) -> bool:
    """Whether text that is not all valid UTF-8 still has lines of Chinese in UTF-8: GBK
    text almost never forms valid multi-byte UTF-8, so such a line settles the encoding."""
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _clean_header(cells: list[Any]) -> list[str]:
    return [str(c).strip().lstrip("\ufeff") if c is not None else "" for c in cells]


def _read_csv(text: str, raw: RawFile) -> None:
    # strict: a quote left open to the end of the file is an error, not one endless cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = _clean_header(next(reader))
    except StopIteration:
        raise UnsupportedFile(f"{raw.name}: the file is empty") from None
    except csv.Error as exc:
        raise UnsupportedFile(f"{raw.name}: the header line cannot be read: {exc}") from None
    _check_header(header, raw.name)
    raw.columns = header
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raw.rows.append(RawRow(start_line, {}, f"the line cannot be split into cells: {exc}"))
            continue
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            values = {f"cell {i + 1}": c for i, c in enumerate(cells)}
            raw.rows.append(
                RawRow(
                    start_line,
                    values,
                    f"the row has {len(cells)} cells but the header has {len(header)}; "
                    "a comma or quote inside a value is the usual cause",
                )
            )
            continue
        # Empty cells are not kept: they carry nothing, and wide sparse files are common.
        raw.rows.append(RawRow(start_line, {h: c for h, c in zip(header, cells, strict=True) if c}))


def _check_header(header: list[str], name: str) -> None:
    if not any(header):
        raise UnsupportedFile(f"{name}: the first row must name the columns")
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            raise UnsupportedFile(f"{name}: column {column!r} appears twice in the header")
        seen.add(column)


def _read_jsonl(text: str, raw: RawFile) -> None:
    columns: dict[str, None] = {}
    # Lines end at "\n" only: str.splitlines() would also split at U+2028 and the other
    # Unicode line separators, which JSON allows inside a string.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raw.rows.append(RawRow(number, {"line": line[:500]}, f"not valid JSON: {exc.msg}"))
            continue
        if not isinstance(value, dict):
            raw.rows.append(RawRow(number, {"line": line[:500]}, "each line must be a JSON object"))
            continue
        attributes = value.pop("attributes", None)
        if isinstance(attributes, dict):
            value = {**attributes, **value}
        elif attributes is not None:
            raw.rows.append(RawRow(number, value, "'attributes' must be an object"))
            continue
        columns.update(dict.fromkeys(value))
        raw.rows.append(RawRow(number, value))
    raw.columns = list(columns)


def _read_xlsx(data: bytes, raw: RawFile) -> None:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise UnsupportedFile(f"{raw.name}: not a readable .xlsx workbook ({exc})") from None
    sheet = workbook.worksheets[0]
    # The size a workbook states for its sheet is often wrong (written by another program,
    # or trimmed); read every row there is, not the stated range.
    reset = getattr(sheet, "reset_dimensions", None)
    if reset is not None:
        reset()
    rows = sheet.iter_rows(values_only=True)
    try:
        header = _clean_header(list(next(rows)))
    except StopIteration:
        raise UnsupportedFile(f"{raw.name}: the first worksheet is empty") from None
    while header and not header[-1]:
        header.pop()
    _check_header(header, raw.name)
    raw.columns = header
    for number, cells in enumerate(rows, start=2):
        values = list(cells)
        if not any(v is not None and str(v).strip() for v in values):
            continue
        extra = [v for v in values[len(header) :] if v is not None and str(v).strip()]
        padded = values[: len(header)] + [None] * (len(header) - len(values))
        row = {h: v for h, v in zip(header, padded, strict=True) if v is not None and v != ""}
        problem = (
            f"the row has values beyond the last named column ({len(header)})" if extra else None
        )
        raw.rows.append(RawRow(number, row, problem))
    workbook.close()


def read_file(path: Path, *, encoding: str | None = None, fmt: str | None = None) -> RawFile:
    """Read ``path`` whole; raise :class:`UnsupportedFile` if it cannot be read at all."""
    fmt = fmt or detect_format(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedFile(f"{path}: cannot be read ({exc.strerror})") from None
    return read_bytes(data, path.name, fmt, encoding=encoding)


def read_bytes(data: bytes, name: str, fmt: str, *, encoding: str | None = None) -> RawFile:
    """Read a file's content that arrived other than as a file (e.g. an HTTP request body)."""
    if fmt not in FORMATS:
        raise UnsupportedFile(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    raw = RawFile(name, fmt, None, hashlib.sha256(data).hexdigest(), [])
    if fmt == "xlsx":
        _read_xlsx(data, raw)
        return raw
    text, raw.encoding = decode(data, encoding, name)
    if fmt == "csv":
        _read_csv(text, raw)
    else:
        _read_jsonl(text, raw)
    return raw
