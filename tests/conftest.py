"""Shared fixtures: throw-away databases, settings overrides, a CLI runner and a database dump."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `pytest` run from elsewhere than the project root
    sys.path.insert(0, str(ROOT))

from actors import OPERATOR  # noqa: E402
from audit_trail import connect_behind  # noqa: E402
from pgcluster import Cluster  # noqa: E402
from workbooks import ledger_row, ledger_sheet, regions_xlsx, xlsx  # noqa: E402

from rectlens.ingest import service  # noqa: E402
from rectlens.ingest.problems import Problem  # noqa: E402

# The audit log grows with every attempt, refused ones included, by design: a dump leaves it
# (and its head in meta) out, and tests of refusals check the audit record on its own.
AUDIT_TABLES = {"audit_log"}
AUDIT_META_KEYS = ("audit_head",)


def dump_database(path: Path | str) -> dict[str, Any]:
    """Every table's rows (sorted) and every sequence's state, the audit log aside: equal dumps mean unchanged data."""
    con = connect_behind(path)
    try:
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        dump: dict[str, Any] = {}
        for table in tables:
            if table in AUDIT_TABLES:
                continue
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            if table == "meta":
                rows = [row for row in rows if row[0] not in AUDIT_META_KEYS]
            dump[table] = sorted(rows, key=repr)
        dump["__sequences__"] = con.execute("SELECT sequence_name, last_value FROM duckdb_sequences() ORDER BY sequence_name").fetchall()
        return dump
    finally:
        con.close()


def table(path: Path | str, query: str) -> list[tuple[Any, ...]]:
    """Rows of a read-only query against the database file."""
    con = connect_behind(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's data/settings.toml; each test gets its own (absent) override path and cache folder."""
    monkeypatch.setenv("RECTLENS_SETTINGS", str(tmp_path / "no-settings.toml"))
    monkeypatch.setenv("RECTLENS_CACHE_DIR", str(tmp_path / "cache"))  # never the developer's cache either
    for name in ("RECTLENS_DB", "RECTLENS_STORE", "RECTLENS_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)


# --- the lake: a PostgreSQL cluster of the test run's own, lakes made on it ---------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster on 127.0.0.1 in a temporary folder, stopped and removed at the end (one per test worker)."""
    cluster = Cluster()  # under /tmp itself: pytest's folders are closed to the postgres user
    try:
        yield cluster
    finally:
        from rectlens.storage import database

        database.forget_all_lakes()
        cluster.remove()


class LakeMaker:
    """New, empty lakes (schema in place) in a moment: each is a copy of one template catalog database.

    The copies share the template's data folder (DuckLake names every data file by a fresh UUID).
    """

    def __init__(self, cluster: Cluster, folder: Path) -> None:
        from rectlens.storage import database, store

        self.cluster = cluster
        self.made: list[str] = []
        conninfo = cluster.new_database()
        self.template = conninfo.rsplit("dbname=", 1)[1]
        spec = store.POSTGRES_PREFIX + conninfo
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("RECTLENS_DATA_PATH", str(folder / "data"))
            with database.connect(spec):
                pass  # attaching creates the lake; connecting brings its schema up to date
        database.forget_lake(spec)

    def __call__(self) -> str:
        from rectlens.storage import store

        spec = store.POSTGRES_PREFIX + self.cluster.new_database(self.template)
        self.made.append(spec)
        return spec

    def forget(self) -> None:
        from rectlens.storage import database

        for spec in self.made:
            database.forget_lake(spec)
        self.made.clear()


@pytest.fixture(scope="session")
def lake_maker(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> LakeMaker:
    with pytest.MonkeyPatch.context() as patch:  # session fixtures run before the autouse one
        folder = tmp_path_factory.mktemp("lakes")
        patch.setenv("RECTLENS_SETTINGS", str(folder / "no-settings.toml"))
        return LakeMaker(pg_cluster, folder)


@pytest.fixture
def lake(lake_maker: LakeMaker) -> Iterator[str]:
    """An empty lake's store spec (ducklake:postgres:...)."""
    spec = lake_maker()
    yield spec
    from rectlens.storage import database

    database.forget_lake(spec)


@pytest.fixture(scope="module", params=["file", "lake"])
def store_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module against both stores: `builders.Lens` makes a DuckDB file, then a lake."""
    import builders

    if request.param == "file":
        yield "file"
        return
    maker: LakeMaker = request.getfixturevalue("lake_maker")
    builders.LAKES = maker
    try:
        yield "lake"
    finally:
        builders.LAKES = None
        maker.forget()


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Write a settings override and point RECTLENS_SETTINGS at it (a fresh path: config caches by path)."""
    counter = iter(range(1_000_000))

    def write(text: str) -> Path:
        path = tmp_path / f"settings-{next(counter)}.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("RECTLENS_SETTINGS", str(path))
        return path

    return write


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An empty database path (created on first use)."""
    return tmp_path / "rectlens.duckdb"


def _checkpoint(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CHECKPOINT")  # everything in the main file: a plain copy is a complete database
    con.close()


@pytest.fixture(scope="session")
def _regions_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "regions.duckdb"
    with pytest.MonkeyPatch.context() as patch:  # session fixtures run before the autouse one
        patch.setenv("RECTLENS_SETTINGS", str(folder / "no-settings.toml"))
        count, problems, _notices = service.replace_region_master(path, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
        assert not problems and count == 3
        _checkpoint(path)
        yield path


@pytest.fixture
def regions_db(db: Path, _regions_template: Path) -> Path:
    """A database with the test region master (江城市, 山阳市 with counties; 白河 without)."""
    shutil.copyfile(_regions_template, db)
    return db


BASELINE_NAME = "江城市2026年10月台账.xlsx"


def baseline_ledger() -> bytes:
    """The valid October ledger of 江城市 that `baseline_db` holds."""
    rows = [ledger_row("JC-001"), ledger_row("JC-002", status="推进中"), ledger_row("JC-003", status="未启动")]
    return xlsx(ledger_sheet(rows))


@pytest.fixture(scope="session")
def _baseline_template(_regions_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("baseline") / "baseline.duckdb"
    shutil.copyfile(_regions_template, path)
    outcome = service.ingest_bytes(path, baseline_ledger(), BASELINE_NAME, actor=OPERATOR)
    assert outcome.status == service.STORED
    _checkpoint(path)
    return path


@pytest.fixture
def baseline_db(regions_db: Path, _baseline_template: Path) -> Path:
    """`regions_db` already holding a valid upload (江城市's October ledger, upload #1)."""
    shutil.copyfile(_baseline_template, regions_db)
    return regions_db


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Run `python -m rectlens ...` in a subprocess (the real entry point, with this test's environment)."""

    def run(*args: str | Path, timeout: float = 60) -> CliResult:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run(
            [sys.executable, "-m", "rectlens", *map(str, args)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def cli_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the CLI's `main` in-process (fast), capturing its output."""
    from rectlens.cli import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse refuses bad arguments this way
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(name="dump_database")
def _dump_database() -> Callable[[Path | str], dict[str, Any]]:
    return dump_database


@pytest.fixture
def query(regions_db: Path) -> Callable[[str], list[tuple[Any, ...]]]:
    """Rows of a query against the test database (with region master)."""
    return lambda text: table(regions_db, text)


@pytest.fixture
def store(regions_db: Path) -> Callable[..., service.IngestOutcome]:
    """Ingest bytes into the test database and insist that they were stored."""

    def run(data: bytes, name: str = "江城市整改台账.xlsx", month: dt.date | None = None) -> service.IngestOutcome:
        outcome = service.ingest_bytes(regions_db, data, name, month=month, actor=OPERATOR)
        assert outcome.status == service.STORED, "\n".join(p.text() for p in outcome.problems)
        return outcome

    return run


@dataclass
class Refusal:
    problems: list[Problem]
    stderr: str

    def at(self, row: int | None, column: str) -> Problem:
        found = [p for p in self.problems if p.row == row and p.column == column]
        assert len(found) == 1, f"expected one problem at row {row} column {column}: {[p.text() for p in self.problems]}"
        return found[0]


@pytest.fixture
def rejected(baseline_db: Path, tmp_path: Path, cli_main: Callable[..., CliResult]) -> Callable[..., Refusal]:
    """Feed bytes that must be refused to the command line (exit 2) and to the library.

    The database already holds a valid upload, so a refused file that wrongly
    replaced or added anything would change the full dump compared before and after.
    """
    regions_db = baseline_db

    def run(data: bytes, name: str = "江城市整改台账.xlsx", month: str | None = None) -> Refusal:
        path = tmp_path / name
        path.write_bytes(data)
        before = dump_database(regions_db)
        result = cli_main("ingest", path, "--db", regions_db, *(["--month", month] if month else []))
        assert result.code == 2, result.err
        assert "Traceback" not in result.err
        assert "未保存任何数据" in result.err
        option = dt.date.fromisoformat(month + "-01") if month else None
        outcome = service.ingest_bytes(regions_db, data, name, month=option, actor=OPERATOR)
        assert outcome.status == service.INVALID  # not DUPLICATE: the CLI stored nothing either
        assert dump_database(regions_db) == before
        # the command line prints every problem, fully located
        for problem in outcome.problems:
            assert problem.file == name
            assert problem.text() in result.err
        assert f"有 {len(outcome.problems)} 处错误" in result.err
        return Refusal(outcome.problems, result.err)

    return run
