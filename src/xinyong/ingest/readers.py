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
from collections.abc import Callable, Generator, Iterable, Iterator
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
    """A file, with what was found out about it: its columns, and its rows, either read into
    memory (``rows``) or read again from the file each time :meth:`iter_rows` is called
    (``stream``: a large CSV or workbook is never held whole)."""

    name: str
    format: str
    encoding: str | None
    sha256: str
    columns: list[str]
    rows: list[RawRow] = field(default_factory=list)
    stream: Callable[[], Iterator[RawRow]] | None = None
    #: About how many rows there are (the file's lines, for a progress bar); exact in memory.
    estimate: int = 0

    def iter_rows(self) -> Iterator[RawRow]:
        return self.stream() if self.stream is not None else iter(self.rows)

    @property
    def size(self) -> int:
        return len(self.rows) if self.stream is None else self.estimate


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


def _mostly_utf8(data: Iterable[bytes] | bytes) -> bool:
    """Whether text that is not all valid UTF-8 still has lines of Chinese in UTF-8: GBK
    text almost never forms valid multi-byte UTF-8, so such a line settles the encoding."""
    for line in data.split(b"\n") if isinstance(data, bytes) else data:
        line = line.rstrip(b"\n")
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


def _csv_header(reader: Any, name: str) -> list[str]:
    try:
        header = _clean_header(next(reader))
    except StopIteration:
        raise UnsupportedFile(f"{name}: the file is empty") from None
    except csv.Error as exc:
        raise UnsupportedFile(f"{name}: the header line cannot be read: {exc}") from None
    _check_header(header, name)
    return header


def _csv_rows(reader: Any, header: list[str]) -> Iterator[RawRow]:
    """The rows after the header, each numbered by the line it starts on."""
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RawRow(start_line, {}, f"the line cannot be split into cells: {exc}")
            continue
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            values = {f"cell {i + 1}": c for i, c in enumerate(cells)}
            yield RawRow(
                start_line,
                values,
                f"the row has {len(cells)} cells but the header has {len(header)}; "
                "a comma or quote inside a value is the usual cause",
            )
            continue
        # Empty cells are not kept: they carry nothing, and wide sparse files are common.
        yield RawRow(start_line, {h: c for h, c in zip(header, cells, strict=True) if c})


def _read_csv(text: str, raw: RawFile) -> None:
    # strict: a quote left open to the end of the file is an error, not one endless cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    raw.columns = _csv_header(reader, raw.name)
    raw.rows = list(_csv_rows(reader, raw.columns))


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


def _workbook_rows(data: bytes, name: str) -> Generator[list[Any]]:
    """The first worksheet's rows as lists of cells, the header first."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise UnsupportedFile(f"{name}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        # The size a workbook states for its sheet is often wrong (written by another program,
        # or trimmed); read every row there is, not the stated range.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        for cells in sheet.iter_rows(values_only=True):
            yield list(cells)
    finally:
        workbook.close()


def _xlsx_header(data: bytes, name: str) -> list[str]:
    rows = _workbook_rows(data, name)
    try:
        header = _clean_header(next(rows))
    except StopIteration:
        raise UnsupportedFile(f"{name}: the first worksheet is empty") from None
    finally:
        rows.close()
    while header and not header[-1]:
        header.pop()
    _check_header(header, name)
    return header


def _xlsx_rows(data: bytes, name: str, header: list[str]) -> Iterator[RawRow]:
    rows = _workbook_rows(data, name)
    next(rows)  # the header
    for number, values in enumerate(rows, start=2):
        if not any(v is not None and str(v).strip() for v in values):
            continue
        extra = [v for v in values[len(header) :] if v is not None and str(v).strip()]
        padded = values[: len(header)] + [None] * (len(header) - len(values))
        row = {h: v for h, v in zip(header, padded, strict=True) if v is not None and v != ""}
        problem = (
            f"the row has values beyond the last named column ({len(header)})" if extra else None
        )
        yield RawRow(number, row, problem)


def _read_xlsx(data: bytes, raw: RawFile) -> None:
    raw.columns = _xlsx_header(data, raw.name)
    header = raw.columns
    raw.stream = lambda: _xlsx_rows(data, raw.name, header)
    raw.estimate = _xlsx_estimate(data)


def _xlsx_estimate(data: bytes) -> int:
    """The rows the first worksheet says it has: only a progress bar's total (the size a
    workbook states is often wrong, which is why the rows are read to the end regardless)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return max(0, (workbook.worksheets[0].max_row or 1) - 1)
    finally:
        workbook.close()


#: How much of a file is read at a time when it is hashed, measured and read as text.
BLOCK = 1 << 20


def read_file(path: Path, *, encoding: str | None = None, fmt: str | None = None) -> RawFile:
    """Read ``path``; raise :class:`UnsupportedFile` if it cannot be read at all. A CSV file
    is read in two passes over the disk, never whole: the first hashes it, counts its lines
    and settles its encoding as :func:`decode` would, the second (each time its rows are
    iterated) parses it as it goes."""
    fmt = fmt or detect_format(path)
    if fmt != "csv":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnsupportedFile(f"{path}: cannot be read ({exc.strerror})") from None
        return read_bytes(data, path.name, fmt, encoding=encoding)
    try:
        digest, lines, chosen, errors = _survey(path, encoding)
        with path.open(encoding=chosen, errors=errors, newline="") as handle:
            columns = _csv_header(csv.reader(handle, strict=True), path.name)
    except OSError as exc:
        raise UnsupportedFile(f"{path}: cannot be read ({exc.strerror})") from None
    # the lines after the header (one more if the last has no line end): rows, give or take
    # blank lines and cells that span lines
    raw = RawFile(path.name, fmt, chosen, digest, columns, estimate=max(0, lines - 1))

    def stream() -> Iterator[RawRow]:
        with path.open(encoding=chosen, errors=errors, newline="") as handle:
            reader = csv.reader(handle, strict=True)
            next(reader)
            yield from _csv_rows(reader, columns)

    raw.stream = stream
    return raw


def _survey(path: Path, encoding: str | None) -> tuple[str, int, str, str]:
    """A file's SHA-256, its number of lines, and the encoding (and error policy) to read it with:
    the one given, checked strictly, or as :func:`decode` chooses."""
    digest = hashlib.sha256()
    lines = 0
    given = encoding or "utf-8"
    try:
        codecs.lookup(given)
    except LookupError:
        raise UnsupportedFile(f"{path.name}: unknown encoding {encoding!r}") from None
    checker = codecs.getincrementaldecoder(given)(errors="strict")
    failed: int | None = None  # the line the given or UTF-8 decoding failed on
    bom = False
    last = b""
    with path.open("rb") as handle:
        first = True
        while block := handle.read(BLOCK):
            if first:
                bom = encoding is None and block.startswith(codecs.BOM_UTF8)
                first = False
            digest.update(block)
            if failed is None:
                try:
                    checker.decode(block)
                except UnicodeDecodeError as exc:
                    failed = lines + block[: max(exc.start, 0)].count(b"\n") + 1
            lines += block.count(b"\n")
            last = block[-1:]
    if first is False and last != b"\n":
        lines += 1  # a last line without its line end
    if failed is None:
        try:
            checker.decode(b"", final=True)
        except UnicodeDecodeError:
            failed = lines + 1
    if encoding:
        if failed is not None:
            raise UnsupportedFile(
                f"{path.name}: line {failed} is not valid {encoding}; "
                "check the encoding the file was saved in"
            )
        return digest.hexdigest(), lines, encoding, "strict"
    if failed is None:
        return digest.hexdigest(), lines, "utf-8-sig" if bom else "utf-8", "strict"
    with path.open("rb") as handle:
        if _mostly_utf8(handle):
            return digest.hexdigest(), lines, "utf-8", "replace"
    gb = codecs.getincrementaldecoder("gb18030")(errors="strict")
    try:
        with path.open("rb") as handle:
            while block := handle.read(BLOCK):
                gb.decode(block)
        gb.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UnsupportedFile(
            f"{path.name}: the file is neither UTF-8 nor GB18030/GBK text; pass --encoding"
        ) from None
    return digest.hexdigest(), lines, "gb18030", "strict"


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
