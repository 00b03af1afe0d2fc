"""Opening untrusted Excel bytes safely and reading sheets as grids.

Checks size, zip bombs, encryption and file type before calamine parses
anything, so a hostile or broken file gets a clear message.

The sizes an .xlsx (a zip archive) declares for its members are the
sender's word, and a reader inflates each member to the end of its data
whatever they say. So after a quick look at the declared sizes, every
member is inflated once, in chunks and without keeping the bytes, and the
bytes that really come out are counted against the limits; counting stops
as soon as a limit is passed.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from xml.etree import ElementTree

import fastexcel
import numpy as np
import pyarrow as pa
import python_calamine as calamine

from rectlens.config import Limits
from rectlens.ingest.rendered import blank_mask, decode, render

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
Cell = object
MergedRange = tuple[tuple[int, int], tuple[int, int]]  # ((top, left), (bottom, right)): 0-based, inclusive
WORKSHEETS = "xl/worksheets/"
HEAD_ROWS = 40  # rows kept as Python cells for finding the header (sheets.HEADER_SCAN_ROWS and the row below it)
INFLATE_CHUNK = 1024 * 1024  # bytes inflated at a time while counting
RATIO_FLOOR = 10_000_000  # members smaller than this are never judged by their compression ratio
UNBOUNDED = 1 << 62  # a member's size to read to: the real end of its data, whatever the archive declares
DAMAGED = "文件已损坏，无法作为 .xlsx 打开；请在 Excel 中重新另存为 .xlsx 后上传"
BOMB = "文件压缩比异常（疑似压缩炸弹），已拒绝；请上传正常的 Excel 文件"


class UnreadableFile(Exception):
    """The bytes cannot be read as a workbook; the message is for the user."""


@dataclass
class Grid:
    """A sheet's cells as text columns (see rectlens.ingest.rendered), column 0 being column A and
    row 0 Excel row 1, every column `height` long, merged ranges filled from their top-left cell.

    `head` holds the first rows as decoded cells: headers, titles and the first data rows are
    looked at cell by cell; the data rows themselves are read column-wise."""

    name: str
    columns: list[pa.Array]
    height: int
    head: list[list[Cell]] = field(default_factory=list)
    filled: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))  # [row, column]: the cell is not blank

    def __post_init__(self) -> None:
        if not self.head and self.height:
            self.head = _decoded_rows(self.columns, 0, min(HEAD_ROWS, self.height))
        if self.filled.shape != (self.height, self.width):
            self.filled = np.column_stack([~blank_mask(column) for column in self.columns]) if self.columns else self.filled

    @property
    def width(self) -> int:
        return len(self.columns)

    def excel_row(self, index: int) -> int:
        return index + 1

    def rows(self, start: int, stop: int) -> list[list[Cell]]:
        """Rows `start`..`stop` (exclusive) as decoded cells ("" for an empty cell)."""
        stop = min(stop, self.height)
        if start >= stop:
            return []
        if stop <= len(self.head):
            return self.head[start:stop]
        return _decoded_rows(self.columns, start, stop)

    def row(self, index: int) -> list[Cell]:
        return self.rows(index, index + 1)[0]


def _decoded_rows(columns: list[pa.Array], start: int, stop: int) -> list[list[Cell]]:
    decoded = [[decode(text) for text in column.slice(start, stop - start).to_pylist()] for column in columns]
    return [list(row) for row in zip(*decoded, strict=True)] if decoded else [[] for _ in range(start, stop)]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _mb(size: float) -> str:
    """Bytes as the MB of the settings (1 MB = 1024 × 1024 bytes), e.g. '500'."""
    return f"{size / (1024 * 1024):.0f}"


_MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})"')
_MERGE_CARRY = 512  # bytes kept between chunks, so that a tag cut by a chunk boundary is still found


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


class MergeScanner:
    """Collects the merged ranges (<mergeCell ref="A1:D1"/>) of a worksheet's XML as it is inflated.

    The ranges sit after the sheet's data, and text in the XML cannot hold a raw "<", so a plain
    search for the tag is exact; a chunk without the word costs one fast byte search."""

    def __init__(self) -> None:
        self.ranges: list[MergedRange] = []
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        if b"mergeCell" not in chunk and b"mergeCell" not in self._carry + chunk[: len(b"mergeCell")]:
            # the common chunk: cell data only, searched without copying it
            self._carry = (self._carry + chunk)[-_MERGE_CARRY:] if len(chunk) < _MERGE_CARRY else chunk[-_MERGE_CARRY:]
            return
        text = self._carry + chunk
        end = 0
        if b"mergeCell" in text:
            for match in _MERGE_CELL.finditer(text):
                left, top, right, bottom = match.groups()
                self.ranges.append(((int(top) - 1, _column_index(left)), (int(bottom) - 1, _column_index(right))))
                end = match.end()
        self._carry = text[max(end, len(text) - _MERGE_CARRY) :]


def check_zip(data: bytes, limits: Limits) -> dict[str, list[MergedRange]]:
    """Refuse an .xlsx that is not a workbook, or that inflates past the limits (counted, not declared).

    Returns the merged ranges of each worksheet member, found while inflating it (the one pass over
    its bytes that the count needs anyway)."""
    checked = _ZipCheck(data, limits)
    checked.inflate(worksheets=False)
    return checked.inflate(worksheets=True)


class _ZipCheck:
    """An archive whose declared sizes are within the limits; `inflate` counts what really comes out."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.archive.infolist()
        except Exception as exc:  # BadZipFile, but also NotImplementedError, EOFError... for damaged headers
            raise UnreadableFile(DAMAGED) from exc
        self.limits = limits
        self.total = 0
        names = {info.filename for info in self.infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise UnreadableFile("这是一个压缩包而不是 Excel 工作簿；请上传 .xlsx 或 .xls 文件")
        if "xl/workbook.bin" in names:
            raise UnreadableFile("不支持 .xlsb 格式；请在 Excel 中另存为 .xlsx 后上传")
        # The declared sizes first: free, and an archive that admits to being a bomb is refused before inflating anything.
        unpacked = sum(info.file_size for info in self.infos)
        if unpacked > limits.max_unpacked_bytes:
            raise UnreadableFile(
                f"文件解压后约 {_mb(unpacked)} MB，超过上限 {_mb(limits.max_unpacked_bytes)} MB（可能是异常文件）；请删除多余内容后重新上传"
            )
        for info in self.infos:
            if info.file_size > limits.max_member_unpacked_bytes:
                raise UnreadableFile(_member_too_large(limits))
            if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio and info.file_size > RATIO_FLOOR:
                raise UnreadableFile(BOMB)

    def inflate(self, worksheets: bool) -> dict[str, list[MergedRange]]:
        """Inflate the worksheet members, or all the others; returns the worksheets' merged ranges."""
        merged: dict[str, list[MergedRange]] = {}
        for info in self.infos:
            if _is_worksheet(info) != worksheets:
                continue
            found = MergeScanner() if worksheets else None
            self.total += _inflated_size(self.archive, info, self.total, self.limits, found)
            if found is not None:
                merged[info.filename] = found.ranges
        return merged


def _is_worksheet(info: zipfile.ZipInfo) -> bool:
    return info.filename.startswith(WORKSHEETS) and info.filename.endswith(".xml")


def _member_too_large(limits: Limits) -> str:
    return (
        f"文件中的一个部分（如一张工作表）解压后超过上限 {_mb(limits.max_member_unpacked_bytes)} MB"
        "（可能是异常文件）；请删除多余内容，或把数据拆分到几个文件后重新上传"
    )


def _inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, before: int, limits: Limits, scanner: MergeScanner | None) -> int:
    """The bytes `info` really inflates to, refusing it as soon as it passes a limit (`before`: the members already counted).
    Each chunk is also shown to `scanner`, when given."""
    if info.is_dir():
        return 0
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnreadableFile(DAMAGED)  # Excel and WPS only store or deflate; bzip2 and lzma inflate without a bound
    probe = copy.copy(info)
    probe.file_size = UNBOUNDED  # zipfile would stop at the declared size; read to the real end of the data
    size = 0
    try:
        with archive.open(probe) as member:
            while chunk := member.read(INFLATE_CHUNK):
                size += len(chunk)
                if scanner is not None:
                    scanner.feed(chunk)
                if size > limits.max_member_unpacked_bytes:
                    raise UnreadableFile(_member_too_large(limits))
                if before + size > limits.max_unpacked_bytes:
                    raise UnreadableFile(
                        f"文件解压后超过上限 {_mb(limits.max_unpacked_bytes)} MB（按实际解压出的内容计算，可能是异常文件）；"
                        "请删除多余内容后重新上传"
                    )
                if size > RATIO_FLOOR and size / max(info.compress_size, 1) > limits.max_compression_ratio:
                    raise UnreadableFile(BOMB)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise UnreadableFile(DAMAGED) from exc  # a bad checksum, truncated data, an encrypted member...
    if size != info.file_size:
        raise UnreadableFile(
            "文件内部记录的大小与实际内容不符（文件已损坏或被改动，疑似压缩炸弹），已拒绝；请在 Excel 中打开并另存为 .xlsx 后重新上传"
        )
    return size


@dataclass(frozen=True)
class SheetEntry:
    name: str
    hidden: bool
    merged: tuple[MergedRange, ...] = ()


class Book:
    """An opened workbook: its worksheets, and each one's cells as a Grid."""

    sheets: list[SheetEntry]

    def cells(self, entry: SheetEntry) -> tuple[list[pa.Array], int, tuple[MergedRange, ...]]:
        """The sheet's text columns (from column A), its height and its merged ranges."""
        raise NotImplementedError


class XlsxBook(Book):
    """An .xlsx: fastexcel renders every cell as text straight into Arrow; the sheet list and merged
    ranges come from the workbook's own parts (calamine would parse a whole sheet for them)."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        checked = _ZipCheck(data, limits)
        # Every part the reader opens (shared strings, styles, the workbook) is counted before it opens them.
        # The reader reads no worksheet when opening (a test checks it), so the worksheets are counted, and
        # their merged ranges found, while it opens on another thread: both let go of the GIL.
        checked.inflate(worksheets=False)
        with ThreadPoolExecutor(max_workers=1) as pool:  # leaving it waits for the reader, also on a refusal
            opening = pool.submit(fastexcel.read_excel, data)
            merged = checked.inflate(worksheets=True)
            self.reader = opening.result()
        self.sheets = [SheetEntry(name, hidden, tuple(merged.get(member, ()))) for name, hidden, member in _xlsx_worksheets(data)]

    def cells(self, entry: SheetEntry) -> tuple[list[pa.Array], int, tuple[MergedRange, ...]]:
        # calamine starts a sheet at its first used column: note each column's own letter to put it back.
        # Eager loading converts straight into Arrow (about a third faster than a lazy sheet's to_arrow),
        # and the column filter is the one place it tells the letters.
        letters: list[int] = []

        def keep(column: fastexcel.ColumnInfoNoDtype) -> bool:
            letters.append(column.absolute_index)
            return True

        batch = self.reader.load_sheet(entry.name, header_row=None, skip_rows=0, dtypes="string", eager=True, use_columns=keep)
        placed = dict(zip(letters, batch.columns, strict=True))
        height = batch.num_rows
        width = max(placed, default=-1) + 1
        return [placed.get(index, pa.nulls(height, pa.string())) for index in range(width)], height, entry.merged


class XlsBook(Book):
    """A legacy .xls, read by python-calamine and rendered as the .xlsx reader renders it."""

    def __init__(self, data: bytes) -> None:
        self.book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        self.sheets = [
            SheetEntry(meta.name, meta.visible != calamine.SheetVisibleEnum.Visible)
            for meta in self.book.sheets_metadata
            if meta.typ == calamine.SheetTypeEnum.WorkSheet
        ]

    def cells(self, entry: SheetEntry) -> tuple[list[pa.Array], int, tuple[MergedRange, ...]]:
        sheet = self.book.get_sheet_by_name(entry.name)
        if sheet.end is None:
            return [], 0, ()
        rows = sheet.to_python(skip_empty_area=False)
        width = max((len(row) for row in rows), default=0)
        columns = [pa.array([render(row[index]) if index < len(row) else None for row in rows], pa.string()) for index in range(width)]
        return columns, len(rows), tuple(sheet.merged_cell_ranges or ())


def _xlsx_worksheets(data: bytes) -> list[tuple[str, bool, str]]:
    """(name, hidden, zip member) of each worksheet, in workbook order (chart and dialog sheets left out)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, ValueError) as exc:
        raise UnreadableFile(DAMAGED) from exc
    targets: dict[str, tuple[str, str]] = {}
    for relation in relations.iter():
        if _local(relation.tag) == "Relationship":
            target = relation.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[relation.get("Id", "")] = (member, relation.get("Type", ""))
    found: list[tuple[str, bool, str]] = []
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet":
            continue
        relation_id = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), "")
        member, kind = targets.get(relation_id, ("", ""))
        if not kind.endswith("/worksheet"):
            continue
        found.append((sheet.get("name", ""), sheet.get("state", "visible") != "visible", member))
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def open_workbook(data: bytes, limits: Limits) -> Book:
    if len(data) == 0:
        raise UnreadableFile("文件为空（0 字节）；请选择填好的 Excel 文件")
    if len(data) > limits.max_file_bytes:
        raise UnreadableFile(
            f"文件大小 {len(data) / (1024 * 1024):.1f} MB，超过上限 {_mb(limits.max_file_bytes)} MB；请拆分或删除多余内容后上传"
        )
    if not data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise UnreadableFile("文件不是 Excel 工作簿（.xlsx 或 .xls）；请不要上传 CSV、PDF、WPS 或改了扩展名的文件")
    if data.startswith(OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data:
        raise UnreadableFile("文件设置了打开密码；请在 Excel 中取消密码保护（文件→信息→保护工作簿）后重新上传")
    try:
        # an .xlsx is checked against the zip limits as it opens (XlsxBook)
        return XlsxBook(data, limits) if data.startswith(ZIP_MAGIC) else XlsBook(data)
    except UnreadableFile:
        raise
    except calamine.PasswordError as exc:
        raise UnreadableFile("文件设置了打开密码；请取消密码保护后重新上传") from exc
    except BaseException as exc:  # the readers raise several error types for broken files
        if not isinstance(exc, Exception) and not is_reader_panic(exc):
            raise
        raise UnreadableFile(f"文件无法读取（{type(exc).__name__}）；请在 Excel 中打开并另存为 .xlsx 后重新上传") from exc


def is_reader_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine: pyo3 raises it as a BaseException, past `except Exception`."""
    return type(exc).__name__ == "PanicException"


class SheetUnreadable(Exception):
    """The reader could not read one sheet of an otherwise readable workbook."""


class SheetTooLarge(Exception):
    pass


def iter_sheets(book: Book) -> Iterator[tuple[str, bool]]:
    """(name, hidden) of each worksheet, in workbook order."""
    for entry in book.sheets:
        yield entry.name, entry.hidden


def read_grid(book: Book, name: str, limits: Limits) -> Grid:
    """All cells of a sheet with merged ranges filled from their top-left cell.

    Rows below the last one with content are dropped: a stray empty-string cell far below the
    table (Excel and WPS write them for formatted or cleared cells) makes the reader report a
    million rows, which are not data and must not be refused."""
    entry = next(entry for entry in book.sheets if entry.name == name)
    try:
        columns, height, merged = book.cells(entry)
    except BaseException as exc:
        if not isinstance(exc, Exception) and not is_reader_panic(exc):
            raise
        raise SheetUnreadable(type(exc).__name__) from exc
    return _grid(name, columns, height, merged, limits)


def _grid(name: str, columns: list[pa.Array], height: int, merged: tuple[MergedRange, ...], limits: Limits) -> Grid:
    if not columns or not height:
        return Grid(name, [], 0)
    filled = np.column_stack([~blank_mask(column) for column in columns])
    with_content = np.flatnonzero(filled.any(axis=1))
    if not len(with_content):
        return Grid(name, [], 0)
    height = int(with_content[-1]) + 1
    if height > limits.max_rows:
        first_beyond = int(with_content[np.searchsorted(with_content, limits.max_rows)])
        raise SheetTooLarge(
            f"工作表的内容超过 {limits.max_rows} 行上限（第 {first_beyond + 1} 行仍有内容）；"
            "请删除多余的行，或把数据拆分到几个文件后重新上传"
        )
    columns = [column.slice(0, height) for column in columns]
    filled = filled[:height].copy()
    for index, (top, bottom) in _fill_merged(columns, height, merged).items():
        filled[top : bottom + 1, index] = ~blank_mask(columns[index].slice(top, bottom - top + 1))
    return Grid(name, columns, height, filled=filled)


def _fill_merged(columns: list[pa.Array], height: int, merged: tuple[MergedRange, ...]) -> dict[int, tuple[int, int]]:
    """Give every cell of a merged range the value of its top-left cell, in place; returns the rows
    (top, bottom) each changed column was rewritten in."""
    spans: dict[int, list[tuple[int, int, int]]] = {}  # column -> (top, bottom, source column)
    for (top, left), (bottom, right) in merged:
        if top >= height or left >= len(columns):
            continue
        for index in range(left, min(right, len(columns) - 1) + 1):
            spans.setdefault(index, []).append((top, min(bottom, height - 1), left))
    original = list(columns)
    changed: dict[int, tuple[int, int]] = {}
    for index, column_spans in spans.items():
        # Only the rows `first`..`last` that the column's ranges cover are rebuilt, with one take from
        # those rows: a cell of a range down this column points at the range's top cell, a cell of a range
        # that starts in a column to the left at that cell's value, appended after the rows. The rows
        # around them are sliced and joined, so a title merged across the top row costs a copy of each
        # column, not a gather of every cell.
        first = min(top for top, _bottom, _source in column_spans)
        last = max(bottom for _top, bottom, _source in column_spans)
        window = original[index].slice(first, last - first + 1)
        positions = np.arange(len(window))
        borrowed: list[str | None] = []
        for top, bottom, source in column_spans:
            if source == index:
                positions[top - first : bottom - first + 1] = top - first
            else:
                positions[top - first : bottom - first + 1] = len(window) + len(borrowed)
                borrowed.append(original[source][top].as_py())
        cells = pa.concat_arrays([window, pa.array(borrowed, pa.string())]) if borrowed else window
        rebuilt = cells.take(pa.array(positions))
        columns[index] = pa.concat_arrays([original[index].slice(0, first), rebuilt, original[index].slice(last + 1)])
        changed[index] = (first, last)
    return changed
