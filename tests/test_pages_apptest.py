"""Pages run headless with Streamlit's AppTest against a database built by the CLI, signed in as a person would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from signin_helpers import LEADER_LI, Person, assert_no_exception, click_demo, mark_as_demo, open_link, open_signed_in, showing_sign_in_form
from streamlit.testing.v1 import AppTest
from submission_data import UNITS_IN_DISPLAY_ORDER, build_reporting_history

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


@pytest.fixture(scope="module")
def reported_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_reporting_history(tmp_path_factory.mktemp("apptest") / "rectlens.duckdb")


@pytest.fixture
def app(reported_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RECTLENS_DB", str(reported_db))
    return open_submissions_page(reported_db)


def open_submissions_page(db: Path, person: Person = LEADER_LI) -> AppTest:
    """Open the dashboard, sign in, then switch to 报送情况 (whichever page is the default)."""
    return to_submissions(open_signed_in(db, person))


def to_submissions(at: AppTest) -> AppTest:
    at.switch_page("pages/submissions.py").run()
    assert_no_exception(at)
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_page_has_title_and_as_of_time(app: AppTest) -> None:
    assert app.title[0].value == "报送情况"
    assert "数据截至" in app.caption[0].value


def test_grid_lists_units_by_zone_and_marks_missing_months(app: AppTest) -> None:
    grid = app.table[0].value
    assert grid.columns.tolist() == [("", "片区"), ("", "地区"), ("2026年", "9月"), ("2026年", "10月")]
    grid.columns = ["片区", "地区", "2026年9月", "2026年10月"]
    assert grid["地区"].tolist() == list(UNITS_IN_DISPLAY_ORDER)
    by_unit = grid.set_index("地区")
    assert by_unit.loc["白石市", "2026年10月"] == "未报送"
    assert by_unit.loc["白石市", "2026年9月"] == "仅汇总"
    assert by_unit.loc["东川市", "2026年10月"] == "未报送"
    assert by_unit.loc["临河市", "2026年10月"] == "已报送"


def test_latest_month_is_chosen_and_its_counts_shown(app: AppTest) -> None:
    assert app.selectbox(key="month").value == "2026-10"
    assert metric_values(app) == {"应报送单位": "4", "台账和汇总齐全": "2", "只报送了一部分": "0", "未报送": "2"}
    assert "白石市、东川市" in app.warning[0].value


def test_choosing_an_earlier_month_updates_counts(app: AppTest) -> None:
    app.selectbox(key="month").select("2026-09").run()
    assert metric_values(app)["未报送"] == "1"
    assert metric_values(app)["只报送了一部分"] == "2"
    assert app.warning[0].value.startswith("2026年9月未报送")
    assert "东川市" in app.warning[0].value


def test_history_shows_every_version_and_filters_by_state_and_unit(app: AppTest) -> None:
    history: pd.DataFrame = app.dataframe[0].value
    assert len(history) == 11
    assert {"上传编号", "地区", "报送月份", "类别", "文件", "上传时间", "上传人", "状态"} <= set(history.columns)
    assert set(history["状态"]) == {"生效", "已被替换", "已撤回"}
    app.multiselect(key="history_states").select("已撤回").run()
    withdrawn = app.dataframe[0].value
    assert withdrawn[["地区", "报送月份", "类别"]].values.tolist() == [["东川市", "2026年10月", "问题台账"]]
    app.multiselect(key="history_states").unselect("已撤回").run()
    app.multiselect(key="history_units").select("临河市").run()
    linhe = app.dataframe[0].value
    assert set(linhe["地区"]) == {"临河市"}
    assert sorted(linhe["状态"]) == ["已被替换", "生效", "生效", "生效"]


def test_no_demo_badge_on_real_data(app: AppTest) -> None:
    assert "示例数据" not in app.title[0].value


def test_empty_database_says_nothing_was_submitted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rectlens.storage.database import connect

    db = tmp_path / "rectlens.duckdb"
    with connect(db):  # an up-to-date schema with no uploads
        pass
    monkeypatch.setenv("RECTLENS_DB", str(db))
    at = open_submissions_page(db)
    assert "还没有任何单位报送" in at.info[0].value
    assert not at.table and not at.dataframe


def test_first_start_builds_the_demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rectlens import demo

    built: list[Path] = []

    def fake_build(path: Path, out_dir: Path | None = None, seed: int = 2026, echo: Callable[[str], object] = print) -> str:
        built.append(path)
        echo("正在写入示例工作簿")
        build_reporting_history(path)
        mark_as_demo(path)  # as the real build does last: the demo marker and the 演示账号
        return "ok"

    monkeypatch.setattr(demo, "build", fake_build)
    db = tmp_path / "fresh" / "rectlens.duckdb"
    monkeypatch.setenv("RECTLENS_DB", str(db))
    at = open_link()
    assert built == [db]
    assert showing_sign_in_form(at)  # built before anything is shown, and still nothing but the sign-in page
    at = to_submissions(click_demo(at, "demo-leader"))
    assert at.table[0].value.shape[0] == len(UNITS_IN_DISPLAY_ORDER)
    assert "示例数据" in at.title[0].value


def test_a_failed_first_build_leaves_no_half_built_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rectlens import demo

    def broken_build(path: Path, out_dir: Path | None = None, seed: int = 2026, echo: Callable[[str], object] = print) -> str:
        path.write_bytes(b"half written")
        raise OSError("disk full")

    monkeypatch.setattr(demo, "build", broken_build)
    db = tmp_path / "rectlens.duckdb"
    monkeypatch.setenv("RECTLENS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    assert at.exception and "disk full" in at.exception[0].message
    assert not db.exists()
    assert not at.text_input and not at.metric  # neither a sign-in form on a half-built database nor any page
