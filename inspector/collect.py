"""Collection: the only part of the inspector that talks to a device.

One SSH session per chassis through Nornir's netmiko connection; every command passes the
read-only gate right before it is sent, and every output is on disk with its sha256 before
anything parses it.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable
from typing import Any

from inspector.evidence import EvidenceWriter, Session
from inspector.platforms import platform_for
from inspector.readonly import require_read_only

# What each OS prints when it does not know a command: the output is kept as evidence, but
# the command counts as not captured so its checks say ERROR with the device's words.
_REJECTED = re.compile(r"^\s*(?:ERROR:\s*)?%\s*(?:Invalid (?:input|command)|Incomplete command|"
                       r"Ambiguous command)", re.MULTILINE)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def send_read_only(connection: Any, command: str, *, read_timeout: float) -> str:
    """The single way a command reaches a device."""
    text: str = connection.send_command(require_read_only(command), read_timeout=read_timeout)
    return text


def collect(
    task: Any,
    *,
    writer: EvidenceWriter,
    commands: list[str],
    command_timeout: float,
    secrets: list[str],
) -> Session:
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadTimeout,
    )

    host = task.host
    try:
        connection = host.get_connection("netmiko", task.nornir.config)
    except NetmikoAuthenticationException:
        return Session(connected=False, privileged=False, error="authentication failed")
    except NetmikoTimeoutException as exc:
        return Session(connected=False, privileged=False,
                       error=redact(f"timed out connecting: {_first_line(exc)}", secrets))
    except Exception as exc:  # refused, reset, no route, SSH negotiation: all "not reached"
        return Session(connected=False, privileged=False,
                       error=redact(f"connection failed: {type(exc).__name__}: {_first_line(exc)}", secrets))
    try:
        prompt = connection.find_prompt()
        if platform_for(host.platform).needs_enable:
            try:
                connection.enable()
                privileged = bool(connection.check_enable_mode())
            except Exception:
                privileged = False
            if not privileged:
                return Session(connected=True, privileged=False, prompt=prompt,
                               error="could not enter privileged mode (enable refused)")
            prompt = connection.find_prompt()
        for index, command in enumerate(commands):
            try:
                text = send_read_only(connection, command, read_timeout=command_timeout)
            except ReadTimeout:
                writer.add_failure(command, f"timed out after {command_timeout:g} s during `{command}`")
                continue
            except (OSError, EOFError, socket.error) as exc:
                writer.add_failure(command, f"connection lost during `{command}`: {_first_line(exc)}")
                for rest in commands[index + 1 :]:
                    writer.add_failure(rest, "not sent: the connection was lost")
                return Session(connected=True, privileged=True, prompt=prompt,
                               error="connection lost")
            rejected = _REJECTED.search(text)
            writer.add(command, text, rejected=rejected.group().strip() if rejected else None)
        return Session(connected=True, privileged=True, prompt=prompt)
    except Exception as exc:
        return Session(connected=True, privileged=False,
                       error=redact(f"session failed: {type(exc).__name__}: {_first_line(exc)}", secrets))
    finally:
        try:
            host.close_connection("netmiko")
        except Exception:
            pass  # the session is over either way; a failed goodbye changes nothing


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:200]
