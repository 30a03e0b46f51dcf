"""Chassis behind one SSH bastion: each session's TCP stream is a `direct-tcpip` channel of
one SSH connection to the jump host, handed to netmiko as its socket (`sock`). The bastion's
host key is held to the run's host key policy, like a chassis's.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from inspector.manifest import key_fingerprint

# The host data key (per host or group) and the --jump-host value: user@host[:port].
DATA_KEY = "jump_host"
_SPEC = re.compile(r"(?P<user>[^@\s]+)@(?P<host>\[[0-9a-fA-F:.]+\]|[^:@\s\[\]]+)"
                   r"(?::(?P<port>\d{1,5}))?")


class JumpHostError(ValueError):
    """A jump host written so that no session could use it."""


class JumpRefused(Exception):
    """The bastion could not be reached, refused the login, or refused to forward."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class JumpHost:
    username: str
    host: str
    port: int
    # The bastion's password (None: SSH keys and the agent). Not part of which bastion it is,
    # and never shown.
    password: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, text: Any, where: str) -> JumpHost:
        if isinstance(text, str) and ":" in text.rpartition("@")[0]:
            # `user:password@host`, a URL's way: refused without a word of it, which would
            # otherwise be the user name, and so in run.json, records, reports and messages.
            raise JumpHostError(f"{where}: jump host must be user@host[:port], without a "
                                "password: give it in INSPECTOR_JUMP_PASSWORD or the "
                                "--credentials file's jump_password")
        match = _SPEC.fullmatch(text.strip()) if isinstance(text, str) else None
        port = int(match["port"]) if match and match["port"] else 22
        if match is None or not 1 <= port <= 65535:
            raise JumpHostError(f"{where}: jump host must be user@host[:port], not {text!r}")
        return cls(match["user"], match["host"].strip("[]"), port)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"


class Bastions:
    """One SSH connection per jump host for the whole run, opened on first use and shared by
    every session through it (paramiko multiplexes channels over one transport)."""

    def __init__(self, *, strict: bool, known_hosts: str, timeout: float) -> None:
        self._strict, self._known_hosts, self._timeout = strict, known_hosts, timeout
        self._clients: dict[JumpHost, Any] = {}
        # A bastion that refused the login or its host key is not asked again in this run:
        # every further chassis would cost its account one more refusal.
        self._refused: dict[JumpHost, JumpRefused] = {}
        self._lock = threading.Lock()

    def channel(self, jump: JumpHost, host: str, port: int) -> tuple[Any, str]:
        """A stream to `host:port` through `jump`, and how the session went (the bastion and
        its host key, for the record)."""
        import paramiko

        transport = self._transport(jump)
        try:
            channel = transport.open_channel("direct-tcpip", (host, port), ("127.0.0.1", 0),
                                             timeout=self._timeout)
        except paramiko.ChannelException as exc:
            raise JumpRefused(f"jump host {jump} refused to forward to {host}:{port} "
                              f"({exc.text})", transient=False) from None
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise JumpRefused(f"jump host {jump} lost while forwarding to {host}:{port}: "
                              f"{type(exc).__name__}", transient=True) from None
        key = transport.get_remote_server_key()
        return channel, f"{jump} ({key.get_name()} {key_fingerprint(key.asbytes())})"

    def _transport(self, jump: JumpHost) -> Any:
        with self._lock:
            if jump in self._refused:
                raise self._refused[jump]
            try:
                return self._connect(jump)
            except JumpRefused as refused:
                if not refused.transient:
                    self._refused[jump] = refused
                raise

    def _connect(self, jump: JumpHost) -> Any:
        """The bastion's transport, connected anew unless the one held is still up."""
        import paramiko

        client = self._clients.get(jump)
        transport = client.get_transport() if client else None
        if transport is not None and transport.is_active():
            return transport
        client = paramiko.SSHClient()
        if self._strict:
            try:
                client.load_host_keys(os.path.expanduser(self._known_hosts))
            except OSError as exc:
                raise JumpRefused(f"jump host {jump}: known_hosts {self._known_hosts} cannot "
                                  f"be read ({exc.strerror or exc})", transient=False) from None
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        else:
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            client.connect(jump.host, jump.port, username=jump.username,
                           password=jump.password, timeout=self._timeout,
                           auth_timeout=self._timeout, banner_timeout=self._timeout,
                           allow_agent=jump.password is None,
                           look_for_keys=jump.password is None)
        except paramiko.AuthenticationException:
            raise JumpRefused(f"jump host {jump}: authentication failed",
                              transient=False) from None
        except paramiko.BadHostKeyException:
            raise JumpRefused(f"jump host {jump}: host key does not match known_hosts",
                              transient=False) from None
        except paramiko.SSHException as exc:
            if "known_hosts" in str(exc):
                raise JumpRefused(f"jump host {jump}: host key not in known_hosts "
                                  "(strict host key policy)", transient=False) from None
            raise JumpRefused(f"jump host {jump}: {exc}", transient=True) from None
        except OSError as exc:
            raise JumpRefused(f"jump host {jump} not reached: {exc.strerror or exc}",
                              transient=True) from None
        self._clients[jump] = client
        transport = client.get_transport()
        assert transport is not None
        return transport

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
