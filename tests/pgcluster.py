"""A throw-away PostgreSQL cluster for the lake tests: initdb into a temporary folder,
listen on 127.0.0.1 only (a free port), stop and remove it afterwards. No Docker.

As root, PostgreSQL refuses to run; the cluster then belongs to the `postgres`
system user (Debian's package creates it) and its commands run through runuser.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
USER = "rectlens"


def bin_dir() -> Path | None:
    for folder in BIN_DIRS:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(self, root: Path | None = None) -> None:
        found = bin_dir()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package postgresql); ./test.sh installs it")
        self.bin = found
        self.root = Path(root or tempfile.mkdtemp(prefix="rectlens-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def conninfo(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={USER} dbname={database}"

    def new_database(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of `template`); returns its connection string."""
        import psycopg

        name = f"lake_{os.getpid()}_{next(self._names)}"
        clause = f" TEMPLATE {template}" if template else ""
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.conninfo(), autocommit=True) as con:
                    con.execute(f"CREATE DATABASE {name}{clause}")
                break
            except psycopg.errors.ObjectInUse:  # the template's last connection is still closing
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        return self.conninfo(name)

    def sql(self, database: str, statement: str) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.conninfo(database), autocommit=True) as con:
            cursor = con.execute(statement)
            return list(cursor.fetchall()) if cursor.description else []
