"""The command line as a user runs it: `python -m rectlens regions|ingest|history|restore|withdraw`."""

from __future__ import annotations

from pathlib import Path

from audit_trail import audit_rows
from workbooks import check_row, checks_sheet, ledger_row, ledger_sheet, regions_xlsx, xlsx

from rectlens.access import audit
from rectlens.access.roles import cli_operator

V1 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")]))
V2 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002"), ledger_row("JC-003", status="未启动")]))
CHECKS = xlsx(checks_sheet([check_row("JC-001"), check_row("JC-009", result="虚假整改")]))


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_upload_lifecycle_through_the_command_line(cli, cli_main, tmp_path, dump_database) -> None:
    db = tmp_path / "data" / "lens.duckdb"  # the folder does not exist yet
    regions = write(tmp_path, "地区表.xlsx", regions_xlsx())
    v1 = write(tmp_path, "江城市2026年10月台账.xlsx", V1)
    v2 = write(tmp_path, "江城市2026年10月台账（更正）.xlsx", V2)
    checks = write(tmp_path, "暗访核查.xlsx", CHECKS)

    done = cli("regions", regions, "--db", db)
    assert (done.code, done.out.strip()) == (0, "地区表已载入：3 个地区")

    done = cli("ingest", v1, "--db", db)
    assert done.code == 0, done.err
    assert done.out.strip() == "「江城市2026年10月台账.xlsx」已保存：问题台账（江城市 2026-10） 2 行（上传 #1）"

    before = dump_database(db)
    done = cli("ingest", v1, "--db", db)
    assert done.code == 0 and "完全相同，未作任何更改" in done.out
    assert dump_database(db) == before

    done = cli("ingest", v2, checks, "--db", db)
    assert done.code == 0, done.err
    assert "问题台账（江城市 2026-10） 3 行（上传 #2，替换了上传 #1）" in done.out
    assert "核查结果 2 行（上传 #3）" in done.out
    assert "JC-009" in done.err and "从未出现" in done.err  # a notice, not an error

    done = cli("history", "--db", db)
    assert done.code == 0
    lines = done.out.splitlines()
    assert lines[0].split() == ["上传编号", "类别", "地区", "月份", "行数", "状态", "时间", "文件", "上传人"]
    by_id = {line.split()[0]: line for line in lines[1:]}
    # the command line acts as the system user's operator, and the history names it so
    operator = cli_operator()
    assert "已被替换" in by_id["1"] and operator.label in by_id["1"] and "2026-10" in by_id["1"]
    assert "生效" in by_id["2"] and "核查结果" in by_id["3"]

    done = cli("restore", "1", "--db", db)
    assert (done.code, done.out.strip()) == (0, "上传 #1 已恢复为生效版本（替换了上传 #2）")

    done = cli("withdraw", "3", "--db", db)
    assert (done.code, done.out.strip()) == (0, "上传 #3 已撤回；可用 restore 3 恢复")

    before = dump_database(db)
    for args, says in [
        (("restore", "1"), "已是生效版本"),
        (("withdraw", "3"), "已经撤回"),
        (("restore", "42"), "没有编号为 42 的上传记录"),
    ]:
        done = cli_main(*args, "--db", db)  # in-process: the same `main`, faster
        assert done.code == 2 and says in done.err and "Traceback" not in done.err, (args, done.err)
    assert dump_database(db) == before
    assert [row[7] for row in sorted(before["uploads"])] == ["active", "superseded", "withdrawn"]
    # every step is in the audit log under the operator's account, the duplicate included, and the chain holds
    trail = audit_rows(db)
    assert {(row["account"], row["roles"]) for row in trail} == {(operator.login, "operator")}
    assert [(row["action"], row["outcome"]) for row in trail] == [
        ("regions_load", "ok"),
        ("upload", "ok"),
        ("upload", "duplicate"),
        ("supersede", "ok"),
        ("upload", "ok"),
        ("upload", "ok"),
        ("supersede", "ok"),
        ("restore", "ok"),
        ("withdraw", "ok"),
    ]
    assert audit.verify(db).intact


def test_several_files_each_judged_on_its_own(cli, baseline_db, tmp_path, query) -> None:
    good = write(
        tmp_path, "山阳市2026年10月台账.xlsx", xlsx(ledger_sheet([ledger_row("SY-001", region="山阳市", county="山阳区")], unit="山阳市"))
    )
    bad = write(
        tmp_path,
        "江城市2026年10月台账.xlsx",
        xlsx(ledger_sheet([ledger_row("JC-001", status="差不多了"), ledger_row("JC-002", region="东海市")])),
    )
    not_excel = write(tmp_path, "台账.xlsx", b"%PDF-1.4\n")
    done = cli("ingest", bad, good, not_excel, "--db", baseline_db)
    assert done.code == 2
    assert "「山阳市2026年10月台账.xlsx」已保存" in done.out
    assert "「江城市2026年10月台账.xlsx」有 2 处错误，未保存任何数据" in done.err
    assert "第 4 行 「整改状态」列（L 列）：值「差不多了」有误" in done.err
    assert "第 5 行 「地区」列（B 列）：值「东海市」有误" in done.err
    assert "「台账.xlsx」有 1 处错误" in done.err and "不是 Excel 工作簿" in done.err
    assert "Traceback" not in done.err
    # the baseline 江城市 ledger is untouched; only 山阳市 was added
    assert query("SELECT upload_id, region, state FROM uploads ORDER BY upload_id") == [(1, "江城市", "active"), (2, "山阳市", "active")]


def test_month_option(cli_main, regions_db, tmp_path, query) -> None:
    untitled = write(tmp_path, "台账.xlsx", xlsx(ledger_sheet([ledger_row("JC-001")], titles=["江城市整改整治问题台账"])))
    done = cli_main("ingest", untitled, "--db", regions_db)
    assert done.code == 2 and "无法确定报送月份" in done.err
    for bad in ("2026-13", "2026/10", "十月"):
        done = cli_main("ingest", untitled, "--db", regions_db, "--month", bad)
        assert done.code == 2 and f"月份「{bad}」格式不对" in done.err, done.err
    assert query("SELECT count(*) FROM uploads") == [(0,)]
    done = cli_main("ingest", untitled, "--db", regions_db, "--month", "2026-10")
    assert done.code == 0, done.err
    assert query("SELECT strftime(month, '%Y-%m') FROM uploads") == [("2026-10",)]


def test_bad_region_master_changes_nothing(cli_main, regions_db, tmp_path, dump_database) -> None:
    before = dump_database(regions_db)
    clash = write(tmp_path, "地区表.xlsx", regions_xlsx([("江城市", "南片", "江城区"), ("江城市", "北片", "临江县")]))
    done = cli_main("regions", clash, "--db", regions_db)
    assert done.code == 2 and "同一地区只能属于一个片区" in done.err and "第 3 行" in done.err
    not_master = write(tmp_path, "名单.xlsx", xlsx(ledger_sheet([ledger_row("JC-001")])))
    done = cli_main("regions", not_master, "--db", regions_db)
    assert done.code == 2 and "没有找到" in done.err
    done = cli_main("regions", tmp_path / "缺失.xlsx", "--db", regions_db)
    assert done.code == 2 and "无法读取文件" in done.err
    assert dump_database(regions_db) == before


def test_history_of_an_empty_database(cli_main, db) -> None:
    done = cli_main("history", "--db", db)
    assert (done.code, done.out.strip()) == (0, "还没有任何上传记录")


def test_db_path_that_is_not_a_database(cli_main, tmp_path) -> None:
    workbook = write(tmp_path, "江城市2026年10月台账.xlsx", V1)
    not_a_db = write(tmp_path, "notes.duckdb", "这不是数据库".encode())
    folder = tmp_path / "folder.duckdb"
    folder.mkdir()
    for db, says in [(not_a_db, "这不是 DuckDB 数据库文件"), (folder, "这是一个文件夹")]:
        for args in (("ingest", workbook), ("history",), ("restore", "1")):
            done = cli_main(*args, "--db", db)
            assert done.code == 1, (args, done.err)
            assert done.err.startswith("错误：无法打开数据库文件") and says in done.err
    assert not_a_db.read_bytes() == "这不是数据库".encode()
