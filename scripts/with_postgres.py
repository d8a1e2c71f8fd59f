#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

    python scripts/with_postgres.py pytest ...

Creates a cluster with initdb in a temporary directory, starts it on a free port of
127.0.0.1, runs the command with DATABASE_URL pointing at it, then stops the server
and removes the directory, whatever the command's outcome. The cluster is the one of
`parcours restore-check` (`parcours.core.throwaway_cluster`): under root the server runs
as the `postgres` (or `nobody`) user, since PostgreSQL refuses to run as root.

The command also gets PARCOURS_PG_CTL, PARCOURS_PG_DATA, PARCOURS_PG_LOG, PARCOURS_PG_OPTIONS
and PARCOURS_PG_USER, so that it can stop and start the server itself (tests/faults).
"""

import os
import subprocess
import sys
from pathlib import Path

# The module needs no Django: importable from a checkout as well as from the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from parcours.core.throwaway_cluster import ClusterUnavailable, ThrowawayCluster  # noqa: E402


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    try:
        with ThrowawayCluster() as cluster:
            print(f"server started (port {cluster.port})", file=sys.stderr)
            env = dict(
                os.environ,
                DATABASE_URL=cluster.url,
                # For tests that stop and restart the server (tests/faults): pg_ctl, its data
                # directory, log and start options, and the user to run it as ("" when not root).
                PARCOURS_PG_CTL=cluster.pg_ctl,
                PARCOURS_PG_DATA=str(cluster.data),
                PARCOURS_PG_LOG=str(cluster.log),
                PARCOURS_PG_OPTIONS=cluster.options,
                PARCOURS_PG_USER=cluster.user,
            )
            return subprocess.call(sys.argv[1:], env=env)
    except ClusterUnavailable as error:
        sys.exit(str(error))


if __name__ == "__main__":
    sys.exit(main())
