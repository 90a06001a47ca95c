"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a server on a free
loopback port (trust login for one user), stopped and deleted at the end of the session."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "forecast"
SERVICE_ACCOUNT = "postgres"  # initdb refuses to run as root; the apt package creates this one


def find_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps it off the PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parents[1].name)
    except ValueError:
        return 0.0


def missing_reason() -> str | None:
    """Why a cluster cannot start here, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg absent: pip install -r requirements-postgres.txt"
    if find_binaries() is None:
        return "PostgreSQL server binaries absent: apt-get install -y postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVICE_ACCOUNT)
        except KeyError:
            return "running as root without a 'postgres' account to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as 'postgres'"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl in a temporary folder; `url(database)` gives a postgresql:// URL."""

    def __init__(self) -> None:
        self.binaries = find_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="forecast-lab-postgres-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVICE_ACCOUNT)
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.binaries / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVICE_ACCOUNT, "--", *command]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if completed.returncode != 0:
            raise RuntimeError(f"{program} failed: {completed.stderr.strip()[-2000:]}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder}"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh database; returns its URL (a bare postgresql://, as the README writes it)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
