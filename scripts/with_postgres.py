#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

    python scripts/with_postgres.py pytest ...

Creates a cluster with initdb in a temporary directory, starts it on a free port of
127.0.0.1, runs the command with DATABASE_URL pointing at it, then stops the server
and removes the directory, whatever the command's outcome. PostgreSQL refuses to run
as root, so under root the server runs as the `postgres` (or `nobody`) user.

The command also gets PARCOURS_PG_CTL, PARCOURS_PG_DATA, PARCOURS_PG_LOG, PARCOURS_PG_OPTIONS
and PARCOURS_PG_USER, so that it can stop and start the server itself (tests/faults).
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile


def find_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        sys.exit(
            f"{name} introuvable : installez les binaires du serveur PostgreSQL (paquet Debian « postgresql »)."
        )
    return candidates[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_user() -> str:
    """The user the server runs as: "" (the current one) unless root, who may not run it."""
    if os.geteuid() != 0:
        return ""
    for user in ("postgres", "nobody"):
        if _user_exists(user):
            return user
    sys.exit("Aucun utilisateur non privilégié pour lancer PostgreSQL.")


def as_server_user(cmd: list[str]) -> list[str]:
    user = server_user()
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    root = tempfile.mkdtemp(prefix="parcours-pg-")
    data, log = os.path.join(root, "data"), os.path.join(root, "server.log")
    if os.geteuid() == 0:
        shutil.chown(root, user=server_user())
        os.chmod(root, 0o755)  # noqa: S103 (the server user must reach its data dir)
    port = free_port()
    try:
        subprocess.run(
            as_server_user(
                [initdb, "-D", data, "-U", "parcours", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        options += " -c full_page_writes=off -c max_connections=50"
        # Server chatter goes to stderr so that the command's stdout (e.g. bench JSON) stays clean.
        subprocess.run(
            as_server_user([pg_ctl, "-D", data, "-l", log, "-o", options, "-w", "start"]),
            check=True,
            stdout=sys.stderr,
        )
        env = dict(
            os.environ,
            DATABASE_URL=f"postgres://parcours@127.0.0.1:{port}/postgres",
            # For tests that stop and restart the server (tests/faults): pg_ctl, its data
            # directory, log and start options, and the user to run it as ("" when not root).
            PARCOURS_PG_CTL=pg_ctl,
            PARCOURS_PG_DATA=data,
            PARCOURS_PG_LOG=log,
            PARCOURS_PG_OPTIONS=options,
            PARCOURS_PG_USER=server_user(),
        )
        return subprocess.call(sys.argv[1:], env=env)
    finally:
        subprocess.run(
            as_server_user([pg_ctl, "-D", data, "-m", "immediate", "stop"]), stdout=subprocess.DEVNULL
        )
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
