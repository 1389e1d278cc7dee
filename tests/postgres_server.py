"""A throwaway PostgreSQL server for the tests: initdb in a temporary directory, started on a free
loopback port, stopped and deleted at the end of the test session.

PostgreSQL refuses to run as root, and CI runs as root: the server then runs as the ``postgres``
system user that Debian's package creates (``runuser``). Nothing here touches a cluster of the
machine's own. ``make test`` installs the server (apt-get) and sets ``ZOOMAUDIT_TEST_POSTGRES=require``,
so that a server that cannot start fails the run instead of skipping the PostgreSQL tests.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

REQUIRED = os.environ.get("ZOOMAUDIT_TEST_POSTGRES", "") == "require"


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("no PostgreSQL server is installed (initdb not found); `make test` installs it")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One server; ``url(name)`` gives a fresh empty database on it."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="zoomaudit-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self._databases = 0

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
        return done

    def start(self) -> PostgresServer:
        if self.user is not None:
            shutil.chown(self.root, self.user)
        self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        log = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "-t", "60", "start")
        return self

    def url(self, name: str | None = None) -> str:
        """A new, empty database (``name`` or the next ``t<N>``)."""
        import psycopg

        self._databases += 1
        database = name or f"t{self._databases}"
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
            connection.execute(f'CREATE DATABASE "{database}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        except (PostgresUnavailable, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
