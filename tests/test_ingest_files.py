"""Files that are not readable workbooks, or are too big: a clear refusal, never a traceback, nothing stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbooks import ledger_row, ledger_sheet, ledger_xlsx, xlsx

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def only_problem(refusal) -> str:  # type: ignore[no-untyped-def]
    assert len(refusal.problems) == 1, [p.text() for p in refusal.problems]
    problem = refusal.problems[0]
    assert problem.row is None and problem.column == ""
    return problem.expected


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The same .xlsx with some members replaced or added (deflated)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


# --- size limits ------------------------------------------------------------------------------


def test_file_over_the_size_cap(rejected, settings_file) -> None:
    data = ledger_xlsx()
    settings_file("[upload]\nmax_file_mb = 0.002\n")  # about 2 KB
    message = only_problem(rejected(data))
    assert "超过上限" in message and "MB" in message


def test_file_under_a_raised_size_cap_is_stored(store, settings_file, query) -> None:
    settings_file("[upload]\nmax_file_mb = 1\n")
    store(ledger_xlsx())
    assert query("SELECT count(*) FROM ledger_items") == [(2,)]


def test_zip_bomb_over_the_unpacked_limit(rejected, settings_file) -> None:
    settings_file("[upload]\nmax_unpacked_mb = 1\n")
    bomb = rezip(ledger_xlsx(), add={"xl/media/image1.png": b"\0" * 3_000_000})
    assert len(bomb) < 20_000
    message = only_problem(rejected(bomb))
    assert "解压后" in message and "超过上限 1 MB" in message


def test_zip_bomb_by_compression_ratio(rejected) -> None:
    sheet = zipfile.ZipFile(io.BytesIO(ledger_xlsx())).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</worksheet>", b"<!--" + b" " * 12_000_000 + b"--></worksheet>")
    bomb = rezip(ledger_xlsx(), replace={"xl/worksheets/sheet1.xml": padded})
    assert len(bomb) < 100_000
    assert "压缩比异常" in only_problem(rejected(bomb))


def test_rows_beyond_the_row_limit(rejected, settings_file) -> None:
    settings_file("[upload]\nmax_rows = 40\n")
    sheet = ledger_sheet([ledger_row("JC-001")], extra_cells={"A60": "注：以下空白"})
    refusal = rejected(xlsx(sheet))
    assert len(refusal.problems) == 1
    assert refusal.problems[0].sheet == "问题台账" and "超过 40 行上限" in refusal.problems[0].expected


# --- a million empty rows ------------------------------------------------------------------------


def test_million_empty_rows_written_by_openpyxl(store, query) -> None:
    """openpyxl writes an empty inline string that calamine does not count as a cell."""
    store(xlsx(ledger_sheet([ledger_row("JC-001")], extra_cells={"A1000000": "", "Z1000000": ""})))
    assert query("SELECT item_id, excel_row FROM ledger_items") == [("JC-001", 4)]


def test_million_empty_rows_with_a_real_empty_string_cell(store, query) -> None:
    """An empty *string value* at row 1,000,000 (Excel and WPS write these): calamine sees a million rows."""
    data = xlsx(ledger_sheet([ledger_row("JC-001")], extra_cells={"A1000000": "x"}))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    stray = b'<c r="A1000000" t="inlineStr"><is><t>x</t></is></c>'
    assert stray in sheet
    data = rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.replace(stray, b'<c r="A1000000" t="str"><v></v></c>')})
    store(data)
    assert query("SELECT item_id, excel_row FROM ledger_items") == [("JC-001", 4)]


# --- not a workbook ------------------------------------------------------------------------------


def test_password_protected_xlsx(rejected) -> None:
    """A real file encrypted by msoffcrypto-tool (see fixtures/make_encrypted_xlsx.py)."""
    data = (FIXTURES / "encrypted_ledger.xlsx").read_bytes()
    assert "打开密码" in only_problem(rejected(data))


def test_password_protected_minimal_ole(rejected) -> None:
    data = OLE_MAGIC + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000
    assert "打开密码" in only_problem(rejected(data, name="加密.xls"))


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("台账.xlsx", "\ufeff问题编号,地区,整治项目\nJC-001,江城市,违规吃喝\n".encode(), "不是 Excel 工作簿"),
        ("台账.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "不是 Excel 工作簿"),
        ("台账.xls", "<html><body><table><tr><td>问题编号</td></tr></table></body></html>".encode(), "不是 Excel 工作簿"),
        ("台账.xlsx", b"", "文件为空"),
        ("台账.xlsx", b"PK\x03\x04" + b"\0" * 200, "文件已损坏"),
        ("台账.xls", OLE_MAGIC + b"\0" * 2000, "文件无法读取"),
    ],
    ids=["csv", "pdf", "html-as-xls", "empty", "broken-zip", "broken-ole"],
)
def test_not_an_excel_file(rejected, name: str, data: bytes, says: str) -> None:
    assert says in only_problem(rejected(data, name=name))


def test_truncated_xlsx(rejected) -> None:
    data = ledger_xlsx()
    message = only_problem(rejected(data[: len(data) // 2]))
    assert "损坏" in message or "无法读取" in message


def test_zip_that_is_not_a_workbook(rejected) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("台账.csv", "问题编号,地区\n")
    assert "压缩包" in only_problem(rejected(out.getvalue()))


def test_unreadable_path(cli_main, regions_db, tmp_path, dump_database) -> None:
    before = dump_database(regions_db)
    result = cli_main("ingest", tmp_path / "没有这个文件.xlsx", "--db", regions_db)
    assert result.code == 2
    assert "无法读取文件" in result.err and "Traceback" not in result.err
    assert dump_database(regions_db) == before


def test_damaged_xls_that_makes_the_reader_panic(rejected) -> None:
    """One changed byte makes calamine panic in Rust; pyo3 raises that past `except Exception`."""
    data = bytearray((FIXTURES / "legacy_ledger.xls").read_bytes())
    data[1493] = 63
    assert "文件无法读取" in only_problem(rejected(bytes(data), name="台账.xls"))


def test_zip_claiming_a_newer_zip_version(rejected) -> None:
    data = bytearray(ledger_xlsx())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (211).to_bytes(2, "little")  # "version needed to extract: 21.1"
    assert "文件已损坏" in only_problem(rejected(bytes(data)))


# --- zip bombs that lie about their sizes ---------------------------------------------------------


def declaring(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s uncompressed size patched to `size` in its local header and the central directory."""
    patched = bytearray(data)
    name = member.encode()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    local = info.header_offset
    assert patched[local : local + 4] == b"PK\x03\x04" and patched[local + 30 : local + 30 + len(name)] == name
    patched[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = patched.index(b"PK\x01\x02")
    while patched[central + 46 : central + 46 + len(name)] != name:  # the member's central directory entry
        central = patched.index(b"PK\x01\x02", central + 4)
    patched[central + 24 : central + 28] = size.to_bytes(4, "little")
    lied = zipfile.ZipFile(io.BytesIO(bytes(patched))).getinfo(member)
    assert lied.file_size == size and lied.compress_size == info.compress_size
    return bytes(patched)


def test_zip_bomb_declaring_a_small_size_is_judged_by_what_it_inflates_to(rejected, settings_file) -> None:
    settings_file("[upload]\nmax_unpacked_mb = 1\n")
    bomb = declaring(rezip(ledger_xlsx(), add={"xl/media/image1.png": b"\0" * 3_000_000}), "xl/media/image1.png", 1_000)
    assert sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) < 100_000  # it claims to be small
    message = only_problem(rejected(bomb))
    assert "解压后超过上限 1 MB" in message and "实际解压" in message


def test_a_sheet_declaring_a_small_size_is_refused_by_its_real_compression_ratio(rejected) -> None:
    original = ledger_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(original)).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</worksheet>", b"<!--" + b" " * 12_000_000 + b"--></worksheet>")
    bomb = declaring(rezip(original, replace={"xl/worksheets/sheet1.xml": padded}), "xl/worksheets/sheet1.xml", len(sheet))
    assert len(bomb) < 100_000
    assert "压缩比异常" in only_problem(rejected(bomb))


def test_one_part_over_the_member_limit(rejected, settings_file) -> None:
    settings_file("[upload]\nmax_member_unpacked_mb = 1\n")
    filler = b"".join(f"<!-- row {i} -->".encode() for i in range(120_000))  # about 2 MB, compresses about 10:1
    honest = rezip(ledger_xlsx(), add={"xl/media/notes.xml": filler})
    assert "一个部分（如一张工作表）解压后超过上限 1 MB" in only_problem(rejected(honest, name="如实.xlsx"))
    lying = declaring(honest, "xl/media/notes.xml", 500)
    assert "一个部分（如一张工作表）解压后超过上限 1 MB" in only_problem(rejected(lying, name="谎报.xlsx"))


def test_a_size_that_lies_within_the_limits_is_refused(rejected) -> None:
    data = declaring(rezip(ledger_xlsx(), add={"xl/media/image1.png": b"\0" * 200_000}), "xl/media/image1.png", 100)
    assert "大小与实际内容不符" in only_problem(rejected(data))


def test_a_refused_zip_bomb_is_annotated_without_inflating_it(monkeypatch) -> None:
    from rectlens import annotate
    from rectlens.ingest.problems import Problem

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl must not open a refused archive")

    monkeypatch.setattr(annotate, "load_workbook", never)
    sheet = zipfile.ZipFile(io.BytesIO(ledger_xlsx())).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</worksheet>", b"<!--" + b" " * 12_000_000 + b"--></worksheet>")
    bomb = rezip(ledger_xlsx(), replace={"xl/worksheets/sheet1.xml": padded})
    problem = Problem("", None, "", "", "文件压缩比异常（疑似压缩炸弹），已拒绝", file="x.xlsx")
    book = load_workbook(io.BytesIO(annotate.annotate(bomb, "x.xlsx", [problem])))
    assert book.sheetnames == [annotate.ERRORS_SHEET]


def test_the_reader_opens_a_workbook_without_reading_its_worksheets(rejected) -> None:
    """Worksheets are counted while the reader opens the workbook on another thread (rectlens.ingest.excel.XlsxBook):
    safe only while opening inflates no worksheet. A worksheet whose deflate data is garbage shows it."""
    import fastexcel

    data = bytearray(ledger_xlsx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = (int.from_bytes(data[info.header_offset + at : info.header_offset + at + 2], "little") for at in (26, 28))
    start = info.header_offset + 30 + name_length + extra_length
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    reader = fastexcel.read_excel(bytes(data))  # opens: the worksheet was not read
    assert reader.sheet_names == ["问题台账"]
    assert "文件已损坏" in only_problem(rejected(bytes(data)))  # and the product refuses it, as damaged


def test_checking_the_inflated_sizes_accepts_an_ordinary_workbook(store, query) -> None:
    store(ledger_xlsx())
    assert query("SELECT count(*) FROM ledger_items") == [(2,)]
