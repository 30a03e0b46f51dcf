"""Collection: the only part of the inspector that talks to a device.

One SSH session per chassis through Nornir's netmiko connection; every command passes the
read-only gate right before it is sent, and every output is on disk with its sha256 before
anything parses it. Transient trouble (timeouts, refused or dropped connections) is retried
with backoff, picking up at the first command not yet captured; a refused login is not
retried, so an account is never locked out by the inspector.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inspector.credentials import CredentialSet, Logins
from inspector.evidence import EvidenceWriter, Session
from inspector.files import StorageError
from inspector.jump import DATA_KEY as JUMP_KEY
from inspector.jump import Bastions, JumpRefused
from inspector.manifest import key_fingerprint
from inspector.platforms import platform_for
from inspector.readonly import NotReadOnly, require_read_only
from inspector.redact import redact_message

# A pager prompt at the end of an output: the device ignored `terminal length 0`.
_PAGER = re.compile(r"--More--\s*$")


@dataclass(frozen=True, kw_only=True)
class ShowTech:
    """The support file the program asks for: evidence only, streamed, stored compressed."""

    command: str
    timeout: float  # seconds for the whole output: a modular chassis prints megabytes
    max_bytes: int  # a device printing more is cut off: memory stays bounded
    on_progress: Callable[[int], None] | None = None  # bytes received so far


class OutputCapped(Exception):
    """A device sent more than the output may hold; the session is out of step after it."""


@dataclass(frozen=True, kw_only=True)
class Retry:
    attempts: int  # sessions tried at most, the first included
    delay: float  # seconds before the second try; doubled for each further one


def send_read_only(connection: Any, command: str, *, read_timeout: float,
                   prompt: str | None = None,
                   on_progress: Callable[[int], None] | None = None,
                   max_chars: int | None = None,
                   went_on: Callable[[], None] | None = None) -> str:
    """The single way a command reaches a device; `on_progress` hears how many characters
    have arrived (a show tech runs to megabytes); more than `max_chars` raises OutputCapped
    (the session is then out of step with the device: nothing more may be read from it);
    `went_on` hears of text besides prompts before the command's echo: the output read
    before it did not end where its read ended (see `_beyond_prompts`).

    Given the session's `prompt`, the output ends where the device has finished sending (see
    `_send_command`). Otherwise netmiko looks for the prompt anew before every command, which
    costs about 45 ms of fixed sleeps each (81 ms a command against the lab, 36 ms with the
    prompt known).
    """
    require_read_only(command)
    if prompt is None:
        text: str = connection.send_command(command, read_timeout=read_timeout)
        return text
    if _on_ssh_channel(connection):
        return _send_command(connection, command, prompt, read_timeout, on_progress, max_chars,
                             went_on)
    # Not an SSH channel one can wait on (telnet, serial): netmiko's own polling.
    end = rf"(?:(?:^|\n){re.escape(prompt)}|--More--)\s*$"
    text = connection.send_command(command, read_timeout=read_timeout, expect_string=end)
    return text


def _on_ssh_channel(connection: Any) -> bool:
    """Whether the session is an SSH channel one can wait on (not telnet, not serial)."""
    from paramiko import Channel

    return isinstance(getattr(connection, "remote_conn", None), Channel)


def load_netmiko() -> None:
    """netmiko for the sessions: imported without Genie, with the inspector's patches."""
    import_netmiko_without_genie()
    _enable_in_the_session()
    _check_macs_in_c()
    _read_ahead()
    _strip_escapes_only_from_text_with_them()
    _decode_as_the_evidence_is_read()


def import_netmiko_without_genie() -> None:
    """Import netmiko with Genie hidden from it, unless Genie is already loaded. netmiko
    imports Genie's `conf` as it loads (pyATS's topology, unicon whole: 0.7 s of a run's start
    or a rerun) for its `use_genie` option, which the inspector never uses: it parses the saved
    outputs itself."""
    if "netmiko" not in sys.modules and "genie" not in sys.modules:
        sys.modules["genie"] = None  # type: ignore[assignment]  # importing it fails at once
        try:
            import netmiko  # noqa: F401
        finally:
            del sys.modules["genie"]


def _strip_escapes_only_from_text_with_them() -> None:
    """netmiko strips terminal escape codes from every read of an NX-OS session, and from what
    clearing the channel reads on every platform: some forty pattern substitutions a call (15
    to 55 µs; 0.7 ms a chassis of the lab's, measured). Every code it strips begins with ESC, so
    a text without one comes back as it went in: it is now returned at once."""
    from netmiko.base_connection import BaseConnection

    strip = BaseConnection.strip_ansi_escape_codes
    if hasattr(strip, "__wrapped__"):
        return

    @functools.wraps(strip)
    def strip_ansi_escape_codes(self: Any, string_buffer: str) -> str:
        if "\x1b" not in string_buffer:
            return string_buffer
        return strip(self, string_buffer)

    BaseConnection.strip_ansi_escape_codes = strip_ansi_escape_codes  # type: ignore[method-assign]


def _decode_as_the_evidence_is_read() -> None:
    """netmiko decodes each read of an SSH channel on its own, dropping what is not UTF-8:
    a byte that is not text vanished without a trace (a fan's `O\\xffK` was saved and judged
    as `OK`), and a character whose bytes came in two reads was lost whole. The channel's bytes
    are now decoded as one stream, as a saved output is read back (`evidence.Capture`): a
    character split between reads is kept, and a byte that is not UTF-8 stands as U+FFFD."""
    import codecs

    from netmiko.channel import SSHChannel
    from netmiko.exceptions import ReadException
    from netmiko.netmiko_globals import MAX_BUFFER

    if getattr(SSHChannel, "decodes_as_one_stream", False):
        return

    def read_buffer(self: Any) -> str:
        if self.remote_conn is None:
            raise ReadException("Attempt to read, but there is no active channel.")
        if not self.remote_conn.recv_ready():
            return ""
        data = self.remote_conn.recv(MAX_BUFFER)
        if not data:
            raise ReadException("Channel stream closed by remote device.")
        if (decoder := self.__dict__.get("stream_decoder")) is None:
            decoder = self.stream_decoder = codecs.getincrementaldecoder(self.encoding)(
                errors="replace")
        return str(decoder.decode(data))

    SSHChannel.read_buffer = read_buffer  # type: ignore[method-assign]
    SSHChannel.decodes_as_one_stream = True  # type: ignore[attr-defined]


def _check_macs_in_c() -> None:
    """paramiko checks the MAC of every packet it receives with a byte-by-byte loop in Python
    (`util.constant_time_bytes_eq`, about 2 ms of a chassis's session); `hmac.compare_digest`
    is the same constant-time comparison, in C."""
    import hmac

    import paramiko.util

    paramiko.util.constant_time_bytes_eq = hmac.compare_digest


class _ReadAhead:
    """A socket whose reads take whatever has arrived, up to 64 kB, and serve it out as asked.

    paramiko reads each packet with two `recv` calls sized to its header and its rest; with a
    timeout set, CPython polls before each, and releases and takes back the GIL around both. An
    output comes as a burst of packets: read together, they cost one poll and one `recv`."""

    _SIZE = 65536

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        # One buffer for the session's life: a fresh 64 kB object per read, cut down to what
        # came, fragmented the heap of 50 sessions by about 20 MB (measured).
        self._buffer = bytearray(self._SIZE)
        self._view = memoryview(self._buffer)
        self._at = self._end = 0

    def recv(self, n: int) -> bytes:
        if self._at == self._end:
            if n >= self._SIZE:
                return self._sock.recv(n)  # type: ignore[no-any-return]
            self._at, self._end = 0, self._sock.recv_into(self._buffer)
        out = bytes(self._view[self._at:min(self._at + n, self._end)])
        self._at += len(out)
        return out

    def close(self) -> None:
        # A closed transport lives on until the garbage collector finds it: its buffer goes now.
        self._sock.close()
        self._view.release()
        self._buffer = bytearray()
        self._view = memoryview(self._buffer)
        self._at = self._end = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _read_ahead() -> None:
    """paramiko's transport reads its socket through `_ReadAhead`: one for each transport's
    own socket, knowing nothing of packets or keys, serving the socket's bytes in order. (A
    jump host's channel or a proxy command is read as it is: it has no poll to spare.)"""
    import socket

    import paramiko.transport

    base = paramiko.transport.Packetizer
    if getattr(base, "reads_ahead", False):
        return

    class Packetizer(base):  # type: ignore[misc, valid-type]
        reads_ahead = True

        def __init__(self, sock: Any) -> None:
            super().__init__(_ReadAhead(sock) if isinstance(sock, socket.socket) else sock)

    paramiko.transport.Packetizer = Packetizer


def _enable_in_the_session() -> None:
    """netmiko's ASA driver enters enable mode inside its session preparation. There a refused
    secret looks like a CLI that never offered a prompt: a transient trouble, retried, so the
    secret would be sent again on every try (a lockout risk on the seller's AAA). With this
    driver the inspector's own session step enters enable mode, once, and tells a refusal
    apart; paging is turned off again once privileged, where the ASA accepts it."""
    import importlib

    from netmiko.cisco.cisco_asa_ssh import CiscoAsaSSH

    # The module, not the function of the same name that netmiko's package exports.
    ssh_dispatcher = importlib.import_module("netmiko.ssh_dispatcher")

    if getattr(ssh_dispatcher.CLASS_MAPPER["cisco_asa"], "enables_in_session", False):
        return

    class AsaEnablingInSession(CiscoAsaSSH):
        enables_in_session = True
        _preparing = False

        def session_preparation(self) -> None:
            self._preparing = True
            try:
                super().session_preparation()
            finally:
                self._preparing = False

        def enable(self, *args: Any, **kwargs: Any) -> str:
            if self._preparing:
                return ""
            output: str = super().enable(*args, **kwargs)
            self.disable_paging(command="terminal pager 0")
            return output

    ssh_dispatcher.CLASS_MAPPER["cisco_asa"] = AsaEnablingInSession


@dataclass(frozen=True)
class _OutputEnd:
    """The end of an output: the prompt twice or more (an empty line typed again answered
    too), alone on the last lines received, at the start of a line or of the text; or a pager
    prompt, which ends the read at once instead of waiting out the timeout. And a lone prompt
    at the end, which may be either the end or a prompt-like line inside the output.

    The prompts' patterns begin with a literal, a line end or the text's start, rather than
    `(?:^|\n)`: `re` then looks for line ends alone instead of trying every character of a
    60 kB `show interfaces` (measured: 1.1 ms against 0.02 a search of one)."""

    twice: re.Pattern[str]
    twice_at_start: re.Pattern[str]
    lone: re.Pattern[str]

    def ended_at(self, text: str, start: int) -> int | None:
        """Where the output in `text` ends (before the two prompts and the line end before
        them; after a pager prompt), looking from `start`; None while it has not ended."""
        found = (self.twice_at_start.match(text) if start == 0 else None) \
            or self.twice.search(text, start)
        if found:
            return max(0, found.start("end") - 1)
        return len(text) if _PAGER.search(text, start) else None


@functools.lru_cache(maxsize=256)  # the prompts of the sessions at hand, not of every chassis
def _output_end(prompt: str) -> _OutputEnd:
    mark = re.escape(prompt)
    twice = rf"(?P<end>{mark}(?:[ \t]*\n\s*{mark})+)\s*$"
    return _OutputEnd(re.compile(rf"\n{twice}"), re.compile(rf"\A{twice}"),
                      re.compile(rf"(?:^|\n){mark}\s*$"))


# Seconds with a lone prompt at the end of what was received and nothing more before the
# empty line is typed again: a device that dropped the one typed ahead still ends the read.
_NUDGE_AFTER = 1.0


def _send_command(connection: Any, command: str, prompt: str, read_timeout: float,
                  on_progress: Callable[[int], None] | None = None,
                  max_chars: int | None = None,
                  went_on: Callable[[], None] | None = None) -> str:
    """netmiko's `send_command(command)`, reading as data arrives, ending at the real end.

    The command goes out with an empty line typed ahead. The device answers the command,
    prints its prompt, then answers the empty line with its prompt again: the output has ended
    where two prompts stand one after the other at the end of what was received. A line equal
    to the prompt inside an output (a log line quoting a prompt, a slow device pausing after
    one) is followed by more output, never at once by a second prompt, so it no longer ends
    the read. Typing ahead costs no round trip; a quiet window after each prompt would cost
    every command its length.

    The same steps as netmiko's reads otherwise (linefeeds normalized, escape codes stripped
    where the platform has them): send, wait for the echo (10 s at most), read to the end,
    strip the echo and the prompts. netmiko sleeps 10 to 25 ms between polls instead; waiting
    on the channel spares 100 sessions 4,000 wake-ups a second (measured: 120 ms of CPU per
    chassis against devices that take 0.2 s a command) and answers within a millisecond.
    """
    from netmiko.exceptions import ReadTimeout

    channel = connection.remote_conn
    # paramiko sets the event while received data waits to be read, or once the channel is
    # closed. (Not `select` on the channel: the OS pipe it makes for that races paramiko's
    # teardown, which then logs socket errors on the terminal.)
    arrived = threading.Event()
    channel.in_buffer.set_event(arrived)
    end = _output_end(prompt)
    sent = connection.normalize_cmd(command)
    echo = sent.strip()
    read_timeout = connection.read_timeout_override or read_timeout
    began = time.monotonic()
    connection.write_channel(sent + connection.RETURN)
    text, echoed, nudged = "", False, False
    while True:
        chunk = connection.read_channel()
        text += chunk
        if max_chars is not None and len(text) > max_chars:
            raise OutputCapped(f"cut at {max_chars / 1e6:g} MB (collection.show_tech_max_mb)")
        if not echoed and (at := text.find(echo)) >= 0:
            if went_on and _beyond_prompts(text[:at], prompt):
                went_on()
            text, echoed = text[at:], True  # what came before the echo is not this output
        if on_progress and chunk and echoed:
            on_progress(len(text))
        if echoed and (cut := end.ended_at(text, max(0, len(text) - len(chunk) - 512))) is not None:
            break
        remaining = began + (read_timeout if echoed else min(10.0, read_timeout)) - time.monotonic()
        if remaining <= 0 or channel.closed or channel.eof_received:
            waited = "the command echo" if not echoed else "the end of the output (its prompt)"
            raise ReadTimeout(f"{waited} did not come within {read_timeout:g} s")
        if not arrived.wait(min(remaining, _NUDGE_AFTER)) and not nudged and echoed \
                and end.lone.search(text, max(0, len(text) - 512)):
            connection.write_channel(connection.RETURN)
            nudged = True
    # The echo's line off, and nothing else: netmiko's `strip_command` also deletes every
    # backspace of the output (for a long command's echo, wrapped with them), which rewrote
    # what the device said. `text` starts at the echo.
    return str(text[:cut]).partition("\n")[2]


def _beyond_prompts(text: str, prompt: str) -> str:
    """`text` without its prompts and blank space: what a device sent between the end read
    for one output and the next command's echo. Nothing, unless that output held two lines
    equal to the prompt, then paused: they were taken for its end, and the rest of it came
    after them."""
    return text.replace(prompt, "").strip()


def _last_output_went_on(connection: Any, prompt: str, read_timeout: float) -> bool:
    """Whether the device sends more than prompts before its prompt answers one more empty
    line: the output read last has no next command's echo to show that it went on (see
    `_beyond_prompts`). One round trip a chassis; none off an SSH channel, where netmiko's
    own reads take the first prompt for the end anyway."""
    from netmiko.exceptions import ReadTimeout

    if not _on_ssh_channel(connection):
        return False
    channel = connection.remote_conn
    arrived = threading.Event()
    channel.in_buffer.set_event(arrived)
    lone = _output_end(prompt).lone
    began = time.monotonic()
    connection.write_channel(connection.RETURN)
    text = ""
    while not lone.search(text, max(0, len(text) - 512)):
        remaining = began + read_timeout - time.monotonic()
        if remaining <= 0 or channel.closed or channel.eof_received:
            raise ReadTimeout(f"the prompt did not come within {read_timeout:g} s")
        arrived.wait(remaining)
        text += connection.read_channel()
    return bool(_beyond_prompts(text, prompt))


def host_key_fingerprint(connection: Any) -> str | None:
    try:
        key = connection.remote_conn_pre.get_transport().get_remote_server_key()
    except Exception:
        return None
    return f"{key.get_name()} {key_fingerprint(key.asbytes())}"


Plan = list[tuple[str, ...]]  # per fact: a command, then fallbacks for a device that rejects it


@dataclass(kw_only=True)
class _Attempt:
    session: Session
    transient: bool  # worth another try
    remaining: Plan  # what is not yet captured


def collect(
    task: Any,
    *,
    writer: EvidenceWriter,
    commands: Plan,
    command_timeout: float,
    secrets: list[str],
    retry: Retry = Retry(attempts=1, delay=0.0),
    login_gate: contextlib.AbstractContextManager[Any] | None = None,
    show_tech: ShowTech | None = None,
    logins: Logins | None = None,
    bastions: Bastions | None = None,
) -> Session:
    """One chassis's outputs into `writer`, through as many sessions as `retry` allows;
    `logins` holds its candidate credential sets (None: the host's own login only),
    `bastions` the run's jump host connections (for a host whose data names one)."""
    load_netmiko()
    remaining = list(commands)
    logins = logins or Logins(sets=[], max_failures=1)
    for number in range(1, retry.attempts + 1):
        attempt = _session(task, writer, remaining, command_timeout, secrets, login_gate,
                           show_tech, logins, bastions)
        if not attempt.transient or number == retry.attempts:
            break
        time.sleep(retry.delay * 2 ** (number - 1))
        remaining = attempt.remaining
    session = attempt.session
    for group in attempt.remaining:
        if not writer.has(group[0]):
            writer.add_failure(group[0], f"not collected: {session.error}")
    if number > 1 and session.error:
        session = Session(**{**session.as_dict(),
                             "error": f"{session.error} (after {number} attempts)"})
    return session


def _session(
    task: Any,
    writer: EvidenceWriter,
    commands: Plan,
    command_timeout: float,
    secrets: list[str],
    login_gate: contextlib.AbstractContextManager[Any] | None,
    show_tech: ShowTech | None,
    logins: Logins,
    bastions: Bastions | None,
) -> _Attempt:
    from netmiko.exceptions import NetmikoTimeoutException, ReadTimeout
    from paramiko.ssh_exception import BadHostKeyException, SSHException

    host = task.host
    privileged = False
    prompt: str | None = None
    host_key: str | None = None
    route: dict[str, str] = {}  # the jump host's words once a stream through it is open

    def failed(error: str, *, transient: bool, connected: bool = True,
               remaining: Plan = commands) -> _Attempt:
        return _Attempt(
            session=Session(connected=connected, privileged=privileged,
                            error=redact_message(error, secrets), prompt=prompt, host_key=host_key,
                            via=route.get("via"), **_logins_seen(logins)),
            transient=transient, remaining=remaining,
        )

    try:
        connection = _log_in(task, logins, login_gate, bastions, route)
    except _NoLogin as refused:
        return failed(str(refused), transient=False, connected=False)
    except JumpRefused as refused:
        return failed(str(refused), transient=refused.transient, connected=False)
    except BadHostKeyException:
        return failed("host key does not match known_hosts", transient=False, connected=False)
    except (NetmikoTimeoutException, SSHException) as exc:
        # netmiko wraps paramiko's refusals (unknown host key, closed port) in its own
        # exceptions; the cause says which.
        if "known_hosts" in str(exc):
            return failed("host key not in known_hosts (strict host key policy)",
                          transient=False, connected=False)
        if _caused_by(exc, ConnectionRefusedError) or "NoValidConnectionsError" in _causes(exc):
            return failed(f"connection refused on port {host.port or 22}", transient=True,
                          connected=False)
        return failed(f"timed out connecting: {_first_line(exc)}", transient=True,
                      connected=False)
    except ReadTimeout:
        # Logged in, then the CLI never offered a prompt.
        return failed("timed out waiting for the CLI prompt after login", transient=True,
                      connected=False)
    except Exception as exc:  # reset, no route: not reached
        return failed(f"connection failed: {type(exc).__name__}: {_first_line(exc)}",
                      transient=True, connected=False)
    host_key = host_key_fingerprint(connection)
    if connection.global_cmd_verify is False:
        # netmiko's ASA driver stops checking each command's echo when it may not set the
        # terminal width (a configuration change we refuse). Without that check a busy session
        # can hand one command's output to the next. The inspector's commands are far shorter
        # than the default 80-column line, so their echo comes back whole: check it.
        connection.global_cmd_verify = None
    try:
        prompt = connection.find_prompt()
        # A privileged prompt ends in `#`: the prompt says the mode, so enable() need not read
        # it again before it sends `enable`, nor need a mode check follow the prompt read
        # after it (two round trips a chassis fewer). A login already privileged sends none.
        if platform_for(host.platform).needs_enable and not prompt.endswith("#"):
            enabled = _prompt_after_enable(connection, prompt)
            if not enabled.endswith("#"):
                # Never tried again: each try sends the secret once more.
                return failed("enable secret refused", transient=False)
            prompt = enabled
        privileged = True
        read_last: list[str] = []  # the command whose output was read last

        def went_on() -> None:
            if read_last:  # two lines equal to the prompt inside it were taken for its end
                writer.add_failure(read_last[-1], "not collected: the output went on after two "
                                   "lines equal to the prompt, taken for its end")

        for index, group in enumerate(commands):
            for command in group:
                try:
                    text = send_read_only(connection, command, read_timeout=command_timeout,
                                          prompt=prompt, went_on=went_on)
                except NotReadOnly as refused:
                    writer.add_failure(command, str(refused))  # never sent
                    break
                except ReadTimeout:
                    if not connection.is_alive():
                        error = f"connection lost during `{command}`"
                        writer.add_failure(command, error)
                        return failed(error, transient=True, remaining=commands[index:])
                    error = f"timed out after {command_timeout:g} s during `{command}`"
                    writer.add_failure(command, error)
                    # The session is now out of step with the device; start a fresh one.
                    return failed(error, transient=True, remaining=commands[index + 1:])
                except (OSError, EOFError) as exc:
                    writer.add_failure(
                        command, f"connection lost during `{command}`: {_first_line(exc)}")
                    return failed(f"connection lost during `{command}`", transient=True,
                                  remaining=commands[index:])
                read_last.append(command)
                if _PAGER.search(text):
                    # The device ignored `terminal length 0`: it waits at its pager and no
                    # further output will come in step. Another session would do the same.
                    error = f"output of `{command}` stopped at --More--: the device kept paging"
                    writer.add_failure(command, error)
                    return failed(error, transient=False, remaining=commands[index + 1:])
                if not writer.add(command, text).rejected:
                    break  # the fallbacks are only for a device that rejects this command
        if show_tech and not writer.has(show_tech.command):
            try:
                text = send_read_only(connection, show_tech.command,
                                      read_timeout=show_tech.timeout, prompt=prompt,
                                      on_progress=show_tech.on_progress,
                                      max_chars=show_tech.max_bytes, went_on=went_on)
                read_last.append(show_tech.command)
                if _PAGER.search(text):
                    writer.add_failure(show_tech.command,
                                       "not collected: stopped at --More--: the device kept paging")
                    read_last.clear()  # it waits at its pager: nothing more to read in step
                elif (tech := writer.add(show_tech.command, text, compress=True,
                                         read_by_checks=False)).rejected:
                    # A refusal (unknown command, AAA denial) is the device's reply, not the
                    # support file: recorded as not collected, the reply quoted, no file kept.
                    writer.add_failure(show_tech.command, f"not collected: {tech.error}")
            except (ReadTimeout, OutputCapped, OSError, EOFError) as exc:
                # Evidence the program asks for, not something a check reads: its loss is
                # recorded, and the inspection stands.
                writer.add_failure(show_tech.command, f"not collected: {_first_line(exc)}")
                # Out of step: nothing more can be read in this session. Its echo, once it
                # came, showed that the output before it had ended.
                read_last.clear()
        try:
            if read_last and _last_output_went_on(connection, prompt, command_timeout):
                went_on()
        except (ReadTimeout, OSError, EOFError) as exc:
            # Nothing shows that the last output had ended.
            writer.add_failure(read_last[-1], "not collected: no prompt answered after it to "
                               f"show that it had ended ({_first_line(exc)})")
        return _Attempt(
            session=Session(connected=True, privileged=True, prompt=prompt, host_key=host_key,
                            via=route.get("via"), **_logins_seen(logins)),
            transient=False, remaining=[],
        )
    except StorageError:
        raise  # the disk, not the session: the run stops (inspector.run)
    except Exception as exc:
        return failed(f"session failed: {type(exc).__name__}: {_first_line(exc)}",
                      transient=True)
    finally:
        with contextlib.suppress(Exception):  # the session is over either way
            host.close_connection("netmiko")


def _prompt_after_enable(connection: Any, user_prompt: str) -> str:
    """The prompt once `enable` is answered. netmiko gives up on a reply that does not end at
    the prompt it knows: a refused secret, but also a privileged prompt other than the user
    one (`Switch(priv)#` after `sw1>`), which was reported as a refused secret. The prompt read
    after it says which; one that cannot be read is taken for the user prompt."""
    try:
        connection.enable(check_state=False)
    except (OSError, EOFError):
        raise
    except Exception:
        pass  # netmiko gave up on the reply: the prompt read now says whether enable took
    try:
        return str(connection.find_prompt())
    except (OSError, EOFError):
        raise
    except Exception:
        return user_prompt


class _NoLogin(Exception):
    """Every candidate credential set refused, or the refusals allowed spent."""


def _log_in(task: Any, logins: Logins,
            login_gate: contextlib.AbstractContextManager[Any] | None,
            bastions: Bastions | None, route: dict[str, str]) -> Any:
    """The chassis's netmiko connection, logged in with the first candidate set it accepts.
    A refused set is never sent again to this chassis; the one that worked is used by every
    later session. Trouble other than a refusal (timeouts, resets) is raised as it is.

    A host whose data names a jump host is reached through a new stream of the bastion's
    connection for each login (`route["via"]` then says which)."""
    from netmiko.exceptions import NetmikoAuthenticationException

    host = task.host
    jump = host.get(JUMP_KEY)
    while True:
        chosen = logins.next()
        if logins.sets and chosen is None:
            raise _NoLogin(logins.refusal())
        if chosen is not None:
            _log_in_as(host, chosen)
        stream = None
        if jump is not None:
            if bastions is None:
                raise JumpRefused(f"jump host {jump}: no bastion connection for this run",
                                  transient=False)
            stream, route["via"] = bastions.channel(jump, host.hostname, host.port or 22)
            options = host.connection_options["netmiko"]
            options.extras = {**(options.extras or {}), "sock": stream}
        try:
            with login_gate or contextlib.nullcontext():
                connection = host.get_connection("netmiko", task.nornir.config)
        except NetmikoAuthenticationException:
            _close(stream)
            if chosen is None:
                raise _NoLogin("authentication failed") from None
            logins.worked = None
            logins.refused.append(chosen.label)
            continue
        except BaseException:
            _close(stream)
            raise
        logins.worked = chosen
        return connection


def _close(stream: Any) -> None:
    if stream is not None:
        with contextlib.suppress(Exception):
            stream.close()


def _log_in_as(host: Any, chosen: CredentialSet) -> None:
    # Connection options win over the host's own fields in Nornir: the set goes there.
    options = host.connection_options["netmiko"]
    options.username, options.password = chosen.username, chosen.password
    options.extras = {**(options.extras or {}), "secret": chosen.secret or chosen.password}


def _logins_seen(logins: Logins) -> dict[str, Any]:
    return {"login": logins.worked.label if logins.worked else None,
            "refused_logins": tuple(logins.refused)}


def _causes(exc: BaseException) -> str:
    """The type names along an exception's chain of causes."""
    names: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(names) < 10:
        names.append(type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return " ".join(names)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:200]
