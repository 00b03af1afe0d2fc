"""Opening untrusted Excel bytes safely and reading sheets as grids.

Checks size, zip-bomb ratio, encryption and file type before calamine
parses anything, so a hostile or broken file gets a clear message.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import python_calamine as calamine

from rectlens.config import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
Cell = object


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


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # BadZipFile, but also NotImplementedError, EOFError... for damaged headers
        raise UnreadableFile("文件已损坏，无法作为 .xlsx 打开；请在 Excel 中重新另存为 .xlsx 后上传") from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableFile("这是一个压缩包而不是 Excel 工作簿；请上传 .xlsx 或 .xls 文件")
    if "xl/workbook.bin" in names:
        raise UnreadableFile("不支持 .xlsb 格式；请在 Excel 中另存为 .xlsx 后上传")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"文件解压后约 {unpacked / 1e6:.0f} MB，超过上限 {limits.max_unpacked_bytes / 1e6:.0f} MB"
            "（可能是异常文件）；请删除多余内容后重新上传"
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio and info.file_size > 10_000_000:
            raise UnreadableFile("文件压缩比异常（疑似压缩炸弹），已拒绝；请上传正常的 Excel 文件")


def open_workbook(data: bytes, limits: Limits) -> calamine.CalamineWorkbook:
    if len(data) == 0:
        raise UnreadableFile("文件为空（0 字节）；请选择填好的 Excel 文件")
    if len(data) > limits.max_file_bytes:
        raise UnreadableFile(
            f"文件大小 {len(data) / 1e6:.1f} MB，超过上限 {limits.max_file_bytes / 1e6:.0f} MB；请拆分或删除多余内容后上传"
        )
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, limits)
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
