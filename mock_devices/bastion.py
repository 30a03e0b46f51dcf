"""The lab's jump host: one more SSH listener that forwards `direct-tcpip` streams to the lab's
chassis and nothing else (no shell, no other destination, no remote forwarding), logging every
forward it is asked for, so a test can prove each session went through it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import asyncssh

from .lab import LAB_HOST

BASTION_USERNAME = "jump"
BASTION_PASSWORD = "jump-password"


@dataclass(frozen=True)
class Forward:
    dest_host: str
    dest_port: int
    allowed: bool
    at: str


class Bastion:
    """What the running bastion knows: where it listens, where it may forward, what it did."""

    def __init__(self, allowed: Iterable[tuple[str, int]], log: Path | None) -> None:
        self.allowed = frozenset(allowed)
        self.host, self.port = LAB_HOST, 0
        self.public_key = ""
        self._forwards: list[Forward] = []
        self.logins: list[bool] = []  # every password login offered: accepted or not
        self._lock = threading.Lock()  # read by test threads while the loop appends
        self._file: IO[str] | None = log.open("a", encoding="utf-8") if log else None

    def record(self, host: str, port: int, allowed: bool) -> None:
        entry = Forward(host, port, allowed, datetime.now(UTC).isoformat())
        with self._lock:
            self._forwards.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(asdict(entry)) + "\n")
                self._file.flush()

    def forwards(self) -> list[Forward]:
        with self._lock:
            return list(self._forwards)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class _BastionServer(asyncssh.SSHServer):
    def __init__(self, bastion: Bastion) -> None:
        self._bastion = bastion

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        accepted = username == BASTION_USERNAME and password == BASTION_PASSWORD
        self._bastion.logins.append(accepted)
        return accepted

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        allowed = (dest_host, dest_port) in self._bastion.allowed
        self._bastion.record(dest_host, dest_port, allowed)
        if not allowed:
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                            "the lab bastion forwards to lab chassis only")
        return True  # asyncssh opens the stream to the chassis itself

    def session_requested(self) -> bool:
        return False  # no shell, no command: a bastion that only forwards

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False


@contextmanager
def running_bastion(allowed: Iterable[tuple[str, int]], log: Path | None = None,
                    start_timeout: float = 30.0) -> Iterator[Bastion]:
    """Serve the bastion on 127.0.0.1 from a background thread for a `with` block."""
    bastion = Bastion(allowed, log)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="lab-bastion", daemon=True)
    thread.start()

    async def start() -> asyncssh.SSHAcceptor:
        key = asyncssh.generate_private_key("ssh-ed25519")
        bastion.public_key = key.export_public_key("openssh").decode().strip()
        return await asyncssh.create_server(lambda: _BastionServer(bastion), bastion.host, 0,
                                            server_host_keys=[key], login_timeout=30)

    try:
        listener = asyncio.run_coroutine_threadsafe(start(), loop).result(start_timeout)
        bastion.port = listener.sockets[0].getsockname()[1]

        async def stop() -> None:
            listener.close()
            await listener.wait_closed()

        try:
            yield bastion
        finally:
            asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
        bastion.close()
