"""Where the data lives: a DuckDB file (the default) or a DuckLake over PostgreSQL.

`RECTLENS_STORE` (or `--store` on the command line) names the store:

- a DuckDB file path, as `RECTLENS_DB` / `--db` always did;
- `ducklake:postgres:<libpq connection string>`: a DuckLake whose catalog is
  kept in PostgreSQL and whose data are Parquet files under
  `RECTLENS_DATA_PATH` (a folder every instance can reach).

Both run the same SQL: the lake is attached under the name `lake` and made
the default catalog of every connection, so `queries/` is unchanged.

The DuckDB extensions the lake needs come from the `duckdb-extension-ducklake`
and `duckdb-extension-postgres` wheels and are loaded by path: nothing is
downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rectlens import sql
from rectlens.config import default_db_path

if TYPE_CHECKING:
    import duckdb

LAKE_PREFIX = "ducklake:"
POSTGRES_PREFIX = "ducklake:postgres:"
LAKE_ALIAS = "lake"
DATA_PATH_ENV = "RECTLENS_DATA_PATH"

# (wheel module, file in the wheel, the name DuckDB knows the extension by: it calls `<name>_duckdb_cpp_init`)
EXTENSIONS = (
    ("duckdb_extension_postgres", "postgres", "postgres_scanner"),
    ("duckdb_extension_ducklake", "ducklake", "ducklake"),
)

Target = Path | str


class StoreConfigError(ValueError):
    """RECTLENS_STORE / --store names something that is not a store."""


@dataclass(frozen=True)
class Lake:
    """A DuckLake: catalog in PostgreSQL, data files under `data_path`."""

    conninfo: str  # libpq connection string of the catalog database
    data_path: str | None  # None: the folder the lake was created with (the catalog remembers it)

    @property
    def spec(self) -> str:
        return POSTGRES_PREFIX + self.conninfo

    @property
    def label(self) -> str:
        """What messages name: the catalog without any password."""
        parts = [part for part in self.conninfo.split() if not part.lower().startswith("password=")]
        return "共享数据库（DuckLake，目录 PostgreSQL：" + " ".join(parts) + "）"


def is_lake(target: Target) -> bool:
    return isinstance(target, str) and target.startswith(LAKE_PREFIX)


def as_target(value: Target) -> Target:
    """A store as given on the command line or in the environment: a lake spec stays text, anything else is a path."""
    return value if is_lake(value) else Path(value)


def default_store() -> Target:
    """RECTLENS_STORE, else RECTLENS_DB, else data/rectlens.duckdb."""
    found = os.environ.get("RECTLENS_STORE")
    return as_target(found) if found else default_db_path()


def lake(target: Target, data_path: str | None = None) -> Lake:
    text = str(target)
    if not text.startswith(POSTGRES_PREFIX):
        raise StoreConfigError(f"不支持的存储 {text}：共享存储须写成 ducklake:postgres:<PostgreSQL 连接串>")
    conninfo = text[len(POSTGRES_PREFIX) :].strip()
    path = data_path or os.environ.get(DATA_PATH_ENV, "")
    if path and "://" not in path:
        path = str(Path(path).resolve())
    return Lake(conninfo, path.rstrip("/") + "/" if path else None)


def key(target: Target) -> str:
    """One text per store (a file by its resolved path)."""
    return str(target) if is_lake(target) else str(Path(target).resolve())


def label(target: Target) -> str:
    return lake(target).label if is_lake(target) else f"数据库文件 {target}"


# --- extensions from the wheels -----------------------------------------------

_extension_lock = threading.Lock()


def _wheel_file(module: str, stem: str) -> Path:
    import duckdb

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise StoreConfigError(f"缺少 Python 包 {module.replace('_', '-')}：请按 requirements.txt 安装")
    version = duckdb.__version__
    found = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{version}" / f"{stem}.duckdb_extension"
    if not found.is_file():
        raise StoreConfigError(f"{module.replace('_', '-')} 与 DuckDB {version} 版本不符：请按 requirements.txt 安装同一版本")
    return found


def extension_files() -> list[Path]:
    """The extension files, each under the name DuckDB expects (a link into the wheel where the names differ)."""
    import duckdb

    folder = Path(tempfile.gettempdir()) / f"rectlens-duckdb-extensions-{os.getuid()}" / f"v{duckdb.__version__}"
    files = []
    with _extension_lock:
        for module, stem, name in EXTENSIONS:
            source = _wheel_file(module, stem)
            if stem == name:
                files.append(source)
                continue
            link = folder / f"{name}.duckdb_extension"
            if not (link.is_symlink() and link.resolve() == source.resolve()):
                folder.mkdir(parents=True, exist_ok=True)
                staging = folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
                staging.unlink(missing_ok=True)
                staging.symlink_to(source)
                staging.replace(link)
            files.append(link)
    return files


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    for path in extension_files():
        con.execute(f"LOAD '{path}'")


# DuckDB may not fetch or install anything on its own.
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def attach_sql(found: Lake, alias: str = LAKE_ALIAS) -> str:
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    options = f" (DATA_PATH {quoted(found.data_path)})" if found.data_path else ""
    return f"ATTACH {quoted(found.spec)} AS {alias}{options}"


def open_lake(found: Lake) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with the lake attached as `lake` (the default catalog)."""
    import duckdb

    if found.data_path and "://" not in found.data_path:
        Path(found.data_path).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:", config=dict(OFFLINE))
    try:
        load_extensions(con)
        sql.execute(con, "lake_tuning")
        con.execute(attach_sql(found))
        con.execute(f"USE {LAKE_ALIAS}")
    except BaseException:
        con.close()
        raise
    return con
