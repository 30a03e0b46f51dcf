"""A throwaway PostgreSQL server for the fleet store's tests: its own data folder, trust
authentication, listening on 127.0.0.1 and a unix socket in that folder only, stopped and
removed afterwards. Skips, saying why, where no server can be started (Debian package
`postgresql`; .ci/run installs it)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def _binary(name: str) -> str | None:
    # Debian keeps the server's programs out of PATH, under its version's folder.
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yields its URL (postgresql://inspector@127.0.0.1:PORT/postgres)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL is not installed (Debian package `postgresql`): the fleet "
                    "store was not tested against a PostgreSQL server")
    as_user: list[str] = []
    folder = tempfile.mkdtemp(prefix="inspector-pg-")
    if os.geteuid() == 0:  # the server refuses to run as root
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            pytest.skip("running as root and there is no `postgres` user to run the "
                        "PostgreSQL server as")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(folder, "data"), _free_port()
    try:
        made = subprocess.run([*as_user, initdb, "-D", data, "-A", "trust", "-U", "inspector",
                               "--no-sync"], capture_output=True, text=True, timeout=120)
        if made.returncode != 0:
            pytest.skip(f"initdb could not make a PostgreSQL cluster: {made.stderr[-500:]}")
        started = subprocess.run(
            [*as_user, pg_ctl, "-D", data, "-l", os.path.join(folder, "log"), "-w", "-t", "60",
             "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off",
             "start"], capture_output=True, text=True, timeout=120)
        if started.returncode != 0:
            pytest.skip(f"the PostgreSQL server did not start: {started.stderr[-500:]}")
        try:
            yield f"postgresql://inspector@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*as_user, pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
