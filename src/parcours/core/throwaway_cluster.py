"""A throwaway PostgreSQL cluster: created with initdb in a temporary directory, started on a free
port of 127.0.0.1, stopped and removed on exit whatever happened. `parcours restore-check`
restores into one; scripts/with_postgres.py runs a whole command (the suite, the bench) against one.

The server binaries are found on the PATH or under /usr/lib/postgresql/<version>/bin (the newest),
and since PostgreSQL refuses to run as root, under root the server runs as `postgres` (or `nobody`).
The server is tuned for throwaway data (no fsync), and its output is kept out of stdout.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class ClusterUnavailable(Exception):
    """The server binaries are missing, or the cluster would not start (message in French)."""


def find_binary(name: str) -> str:
    """The path of a PostgreSQL program (`initdb`, `pg_ctl`, `pg_dump`, `pg_restore`)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise ClusterUnavailable(
            f"{name} introuvable : installez les programmes de PostgreSQL (paquet Debian « postgresql »)."
        )
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_user() -> str:
    if os.geteuid() != 0:
        return ""
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return user
    raise ClusterUnavailable("Aucun utilisateur non privilégié pour lancer PostgreSQL (postgres, nobody).")


class ThrowawayCluster:
    """`with ThrowawayCluster() as cluster:` then `cluster.url` (database `postgres`, user `parcours`,
    no password) and `cluster.create_database(name)`. While it runs, `pg_ctl`, `data`, `log`,
    `options` and `user` ("" unless root) say how to stop and start it again (tests/faults)."""

    def __init__(self, prefix: str = "parcours-pg-") -> None:
        self.prefix = prefix
        self.root: Path | None = None
        self.port = 0
        self.url = ""
        self.pg_ctl = ""
        self.user = ""
        self.options = ""

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _as_server_user(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def __enter__(self) -> ThrowawayCluster:
        initdb, self.pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix=self.prefix))
        if self.user:
            shutil.chown(self.root, user=self.user)
            self.root.chmod(0o700)
        data = self.data
        self.port = _free_port()
        try:
            subprocess.run(
                self._as_server_user(
                    [
                        initdb,
                        "-D",
                        str(data),
                        "-U",
                        "parcours",
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
                check=True,
                capture_output=True,
            )
            self.options = options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_wal_size=2GB -c max_connections=50"
            )
            subprocess.run(
                self._as_server_user(
                    [
                        self.pg_ctl,
                        "-D",
                        str(data),
                        "-l",
                        str(self.log),
                        "-o",
                        options,
                        "-w",
                        "start",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        except subprocess.CalledProcessError as error:
            self.__exit__(None, None, None)
            detail = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
            raise ClusterUnavailable(
                f"Le serveur PostgreSQL jetable n'a pas démarré : {' '.join(detail) or error}"
            ) from error
        self.url = f"postgresql://parcours@127.0.0.1:{self.port}/postgres"
        return self

    def database_url(self, name: str) -> str:
        return f"postgresql://parcours@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create database `name` in the cluster; return its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.database_url(name)

    def __exit__(self, *exc_info) -> None:
        if self.root is None:
            return
        data = self.data
        if (data / "postmaster.pid").exists():
            subprocess.run(
                self._as_server_user([self.pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
