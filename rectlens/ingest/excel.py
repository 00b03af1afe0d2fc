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
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import python_calamine as calamine

from rectlens.config import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
Cell = object
INFLATE_CHUNK = 1024 * 1024  # bytes inflated at a time while counting
RATIO_FLOOR = 10_000_000  # members smaller than this are never judged by their compression ratio
UNBOUNDED = 1 << 62  # a member's size to read to: the real end of its data, whatever the archive declares
DAMAGED = "文件已损坏，无法作为 .xlsx 打开；请在 Excel 中重新另存为 .xlsx 后上传"
BOMB = "文件压缩比异常（疑似压缩炸弹），已拒绝；请上传正常的 Excel 文件"


class UnreadableFile(Exception):
    """The bytes cannot be read as a workbook; the message is for the user."""


@dataclass
class Grid:
    """A sheet's cells, row 0 being Excel row 1, column 0 column A."""

    name: str
    rows: list[list[Cell]]

    def excel_row(self, index: int) -> int:
        return index + 1


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


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse an .xlsx that is not a workbook, or that inflates past the limits (counted, not declared)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # BadZipFile, but also NotImplementedError, EOFError... for damaged headers
        raise UnreadableFile(DAMAGED) from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableFile("这是一个压缩包而不是 Excel 工作簿；请上传 .xlsx 或 .xls 文件")
    if "xl/workbook.bin" in names:
        raise UnreadableFile("不支持 .xlsb 格式；请在 Excel 中另存为 .xlsx 后上传")
    # The declared sizes first: free, and an archive that admits to being a bomb is refused before inflating anything.
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"文件解压后约 {_mb(unpacked)} MB，超过上限 {_mb(limits.max_unpacked_bytes)} MB（可能是异常文件）；请删除多余内容后重新上传"
        )
    for info in infos:
        if info.file_size > limits.max_member_unpacked_bytes:
            raise UnreadableFile(_member_too_large(limits))
        if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio and info.file_size > RATIO_FLOOR:
            raise UnreadableFile(BOMB)
    # Then the bytes that really come out.
    total = 0
    for info in infos:
        total += _inflated_size(archive, info, total, limits)


def _member_too_large(limits: Limits) -> str:
    return (
        f"文件中的一个部分（如一张工作表）解压后超过上限 {_mb(limits.max_member_unpacked_bytes)} MB"
        "（可能是异常文件）；请删除多余内容，或把数据拆分到几个文件后重新上传"
    )


def _inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, before: int, limits: Limits) -> int:
    """The bytes `info` really inflates to, refusing it as soon as it passes a limit (`before`: the members already counted)."""
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


def open_workbook(data: bytes, limits: Limits) -> calamine.CalamineWorkbook:
    if len(data) == 0:
        raise UnreadableFile("文件为空（0 字节）；请选择填好的 Excel 文件")
    if len(data) > limits.max_file_bytes:
        raise UnreadableFile(
            f"文件大小 {len(data) / (1024 * 1024):.1f} MB，超过上限 {_mb(limits.max_file_bytes)} MB；请拆分或删除多余内容后上传"
        )
    if data.startswith(ZIP_MAGIC):
        check_zip(data, limits)
    elif data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableFile("文件设置了打开密码；请在 Excel 中取消密码保护（文件→信息→保护工作簿）后重新上传")
    else:
        raise UnreadableFile("文件不是 Excel 工作簿（.xlsx 或 .xls）；请不要上传 CSV、PDF、WPS 或改了扩展名的文件")
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise UnreadableFile("文件设置了打开密码；请取消密码保护后重新上传") from exc
    except BaseException as exc:  # calamine raises several error types for broken files
        if not isinstance(exc, Exception) and not is_reader_panic(exc):
            raise
        raise UnreadableFile(f"文件无法读取（{type(exc).__name__}）；请在 Excel 中打开并另存为 .xlsx 后重新上传") from exc


def is_reader_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine: pyo3 raises it as a BaseException, past `except Exception`."""
    return type(exc).__name__ == "PanicException"


class SheetUnreadable(Exception):
    """calamine could not read one sheet of an otherwise readable workbook."""


class SheetTooLarge(Exception):
    pass


def iter_sheets(book: calamine.CalamineWorkbook) -> Iterator[tuple[str, bool]]:
    """(name, hidden) of each worksheet, in workbook order."""
    for meta in book.sheets_metadata:
        if meta.typ == calamine.SheetTypeEnum.WorkSheet:
            yield meta.name, meta.visible != calamine.SheetVisibleEnum.Visible


def _blank_row(row: list[Cell]) -> bool:
    if row.count("") == len(row):  # the common case, checked at C speed
        return True
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def read_grid(book: calamine.CalamineWorkbook, name: str, limits: Limits) -> Grid:
    """All cells of a sheet with merged ranges filled from their top-left cell.

    Rows below the last one with content are dropped while reading: a stray
    empty-string cell far below the table (Excel and WPS write them for
    formatted or cleared cells) makes calamine report a million rows, which
    are not data and must neither be refused nor copied into Python lists.
    """
    try:
        return _read_grid(book, name, limits)
    except SheetTooLarge:
        raise
    except BaseException as exc:
        if not isinstance(exc, Exception) and not is_reader_panic(exc):
            raise
        raise SheetUnreadable(type(exc).__name__) from exc


def _read_grid(book: calamine.CalamineWorkbook, name: str, limits: Limits) -> Grid:
    sheet = book.get_sheet_by_name(name)
    if sheet.end is None:
        return Grid(name, [])
    if sheet.end[0] < limits.max_rows:
        # Within the limit: one call builds every row at native speed.
        rows = sheet.to_python(skip_empty_area=False)
        while rows and _blank_row(rows[-1]):
            rows.pop()
        return Grid(name, _fill_merged(rows, sheet.merged_cell_ranges))
    # iter_rows starts at row 0 but at the first used column: pad back to column A.
    pad: list[Cell] = [""] * (sheet.start[1] if sheet.start else 0)
    rows: list[list[Cell]] = []
    pending_blank = 0
    for row in sheet.iter_rows():
        if _blank_row(row):
            pending_blank += 1
            continue
        if len(rows) + pending_blank + 1 > limits.max_rows:
            raise SheetTooLarge(
                f"工作表的内容超过 {limits.max_rows} 行上限（第 {len(rows) + pending_blank + 1} 行仍有内容）；"
                "请删除多余的行，或把数据拆分到几个文件后重新上传"
            )
        rows.extend([] for _ in range(pending_blank))
        pending_blank = 0
        rows.append(pad + row if pad else row)
    return Grid(name, _fill_merged(rows, sheet.merged_cell_ranges))


def _fill_merged(rows: list[list[Cell]], merged: list[tuple[tuple[int, int], tuple[int, int]]] | None) -> list[list[Cell]]:
    """Give every cell of a merged range the value of its top-left cell."""
    for (top, left), (bottom, right) in merged or []:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row_index in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[row_index]
            for col_index in range(left, min(right, len(row) - 1) + 1):
                row[col_index] = value
    return rows
