"""The SSH side of a mock chassis: authentication, the CLI state machine, the command log.

One asyncio process serves every chassis; each chassis has its own listener. The CLI is driven
with asyncssh's line editor off: we echo each received line ourselves and start every prompt on a
fresh line. With the line editor on, netmiko occasionally read a doubled prompt after the silent
enable password and timed out (see the shared field notes), and real Cisco CLIs echo this way too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

import asyncssh

from .identity import TIME_STYLES, Identity, stable_int
from .platforms import OsTraits
from .profiles import Behaviour, Profile, render
from .showtech import COMMANDS as SHOW_TECH_COMMANDS
from .showtech import render_show_tech

if TYPE_CHECKING:
    from .lab import ChassisSpec

log = logging.getLogger(__name__)

# What a real IOS prints to erase ' --More-- ' once a key is pressed.
_MORE = " --More-- "
_MORE_ERASE = "\b" * len(_MORE) + " " * len(_MORE) + "\b" * len(_MORE)


@dataclass(frozen=True, kw_only=True)
class Latency:
    """How long the chassis of a lab take to answer, as real ones do: after login, before the
    first prompt, and after each command line is echoed, before its output."""

    login: float = 0.0  # seconds
    command: float = 0.0  # seconds, every non-empty line typed at the prompt


NO_LATENCY = Latency()


@dataclass(frozen=True)
class CommandRecord:
    hostname: str
    port: int
    command: str
    time: str  # ISO 8601, UTC

    def to_json(self) -> str:
        return json.dumps(
            {
                "hostname": self.hostname,
                "port": self.port,
                "command": self.command,
                "time": self.time,
            },
            ensure_ascii=False,
        )


class CommandLog:
    """Every line a chassis received at its CLI prompt, in memory and optionally as JSON lines.

    Passwords typed at a `Password:` prompt are not commands and are not logged; the `enable`
    or `login` that asked for them is. Empty lines (prompt probes) are not logged either.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._by_host: dict[str, list[CommandRecord]] = {}
        self._lock = threading.Lock()  # read from test threads while the loop thread appends
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8", buffering=1)

    def record(self, hostname: str, port: int, command: str) -> None:
        entry = CommandRecord(hostname, port, command, datetime.now(UTC).isoformat())
        with self._lock:
            self._by_host.setdefault(hostname, []).append(entry)
            if self._file is not None:
                self._file.write(entry.to_json() + "\n")

    def commands(self, hostname: str) -> list[CommandRecord]:
        with self._lock:
            return list(self._by_host.get(hostname, ()))

    def all(self) -> list[CommandRecord]:
        with self._lock:
            return [r for records in self._by_host.values() for r in records]

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


# --------------------------------------------------------------------------- command matching


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]
    key: str  # a template slug, or a built-in name starting with '@'
    takes_args: bool = False


@dataclass(frozen=True)
class Match:
    key: str | None  # None when the command is unknown / ambiguous / incomplete
    expanded: str = ""  # the command with abbreviations expanded
    error: str = ""  # invalid | ambiguous | incomplete
    error_at: int = 0  # character offset in the typed command for the caret


_WORD = re.compile(r"[A-Za-z0-9]+")


class CommandTable:
    """Matches typed commands like IOS does: keywords may be abbreviated while unambiguous.

    Words are compared the way command slugs are built (runs of alphanumerics), so
    `show interfaces status err-disabled` matches the template
    `show_interfaces_status_err_disabled`.
    """

    def __init__(self, entries: list[_Entry]) -> None:
        self._entries = entries

    def match(self, command: str) -> Match:
        spans = [(m.group(0).lower(), m.start()) for m in _WORD.finditer(command)]
        candidates = list(self._entries)
        expanded: list[str] = []
        # The longest entry matched so far that takes arguments: what the words after it belong
        # to when they match no keyword (`terminal length 0`, `terminal no monitor`).
        fallback: tuple[_Entry, int] | None = None
        for i, (word, offset) in enumerate(spans):
            fallback = next(
                ((c, i) for c in candidates if len(c.words) == i and c.takes_args), fallback
            )
            longer = [c for c in candidates if len(c.words) > i]
            exact = [c for c in longer if c.words[i] == word]
            starting = exact or [c for c in longer if c.words[i].startswith(word)]
            distinct = {c.words[i] for c in starting}
            if len(distinct) == 1:
                candidates = starting
                expanded.append(distinct.pop())
                continue
            if fallback is not None:
                entry, at = fallback
                rest = command[spans[at][1] :].strip()
                return Match(key=entry.key, expanded=" ".join([*expanded[:at], rest]))
            if len(distinct) > 1:
                return Match(key=None, error="ambiguous", error_at=offset)
            return Match(key=None, error="invalid", error_at=offset)
        complete = [c for c in candidates if len(c.words) == len(spans)]
        if complete:
            return Match(key=complete[0].key, expanded=" ".join(expanded))
        return Match(key=None, error="incomplete", error_at=len(command))


def _words(command: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(command))


def _builtin_entries(traits: OsTraits) -> list[_Entry]:
    entries = [_Entry(_words(c), "@exit") for c in traits.exit_commands]
    entries.append(_Entry(_words(traits.config_command), "@configure"))
    entries.append(_Entry(_words("show clock"), "@show_clock"))
    entries.append(_Entry(_words(SHOW_TECH_COMMANDS[traits.name]), "@show_tech"))
    if traits.has_enable:
        entries.append(_Entry(("enable",), "@enable"))
    if traits.disable_command:
        entries.append(_Entry(_words(traits.disable_command), "@disable"))
    if traits.name in ("ios", "iosxe"):
        entries.append(_Entry(_words("show privilege"), "@show_privilege"))
    if traits.name == "asa":
        entries.append(_Entry(_words("show curpriv"), "@show_curpriv"))
        entries.append(_Entry(("login",), "@login"))
    # The literal keywords each terminal command starts with, so `term len 0` works as on a
    # real box; what follows is checked against the full pattern once abbreviations are expanded.
    for pattern in traits.terminal_commands:
        literal = re.split(r"[(\\\[]", pattern, maxsplit=1)[0]
        entries.append(_Entry(_words(literal), "@terminal", takes_args=True))
    return entries


def build_table(
    traits: OsTraits, templates: dict[str, str], *, lab_outputs: bool = True
) -> CommandTable:
    """The commands a chassis answers: the session's own (enable, terminal, exit, configure),
    its templates, and, with `lab_outputs`, the outputs the lab makes up (`show clock`,
    `show tech-support`, ...) where no template prints them. A capture served verbatim has
    `lab_outputs` off: it answers what was saved and nothing the lab would invent."""
    outputs = [_Entry(tuple(w.lower() for w in slug.split("_") if w), slug) for slug in templates]
    printed = {entry.words for entry in outputs}
    builtins = [
        entry for entry in _builtin_entries(traits)
        if not (entry.key.startswith("@show") and (not lab_outputs or entry.words in printed))
    ]
    return CommandTable(builtins + outputs)


# --------------------------------------------------------------------------- one chassis


@dataclass
class Chassis:
    """A chassis being served: its plan, its profile and scenario resolved, its outputs."""

    spec: ChassisSpec
    profile: Profile
    behaviour: Behaviour
    identity: Identity
    templates: dict[str, str]
    table: CommandTable
    log: CommandLog
    sessions: int = 0
    latency: Latency = NO_LATENCY
    # Every password login offered, as (username, accepted): how a test counts the tries a
    # chassis saw (the password itself is never kept).
    logins: list[tuple[str, bool]] = field(default_factory=list)

    @classmethod
    def from_spec(cls, spec: ChassisSpec, log: CommandLog,
                  latency: Latency = NO_LATENCY) -> Chassis:
        profile = spec.definition
        templates = profile.effective_templates(spec.scenario)
        return cls(
            spec=spec,
            profile=profile,
            behaviour=profile.scenario(spec.scenario).behaviour,
            identity=profile.identity(spec.index, spec.hostname, spec.serial),
            templates=templates,
            table=build_table(profile.traits, templates, lab_outputs=not profile.verbatim),
            log=log,
            latency=latency,
        )

    def prepare_scenario(self, scenario: str) -> Callable[[], None]:
        """Resolve another scenario now (raising ProfileError if it does not apply) and return
        the switch to it, to be run on the lab's event loop so no session sees half of it."""
        behaviour = self.profile.scenario(scenario).behaviour
        templates = self.profile.effective_templates(scenario)
        table = build_table(self.profile.traits, templates, lab_outputs=not self.profile.verbatim)

        def switch() -> None:
            self.behaviour, self.templates, self.table = behaviour, templates, table
            self.spec.scenario = scenario

        return switch

    @property
    def stamps_outputs(self) -> bool:
        """Whether outputs start with the time line IOS-XR prints until told not to. A saved
        output already holds whatever line its device printed, so a capture gets no second one."""
        return self.profile.traits.timestamp_commands and not self.profile.verbatim

    def output(self, slug: str) -> str:
        if self.profile.verbatim:
            # The saved text is exactly what the device printed before its prompt; `emit`
            # takes a final newline as the end of the last line, so give it one of its own
            # and the client reads back the saved bytes, trailing newlines included.
            return self.templates[slug] + "\n"
        return render(self.templates[slug], self.profile.values_for(self.identity))


class ChassisSSHServer(asyncssh.SSHServer):
    """One SSH connection: the chassis's own credentials; registered so the lab can close it."""

    def __init__(self, chassis: Chassis, open_connections: set[asyncssh.SSHServerConnection]):
        self._chassis = chassis
        self._open = open_connections
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._open.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._open.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # always ask for a password, even for a wrong username

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        spec = self._chassis.spec
        accepted = (self._chassis.behaviour.login != "refuse"
                    and username == spec.username and password == spec.password)
        self._chassis.logins.append((username, accepted))
        return accepted


class _Input:
    """Bytes from the client, cut into lines on CR, LF or CRLF, or read key by key."""

    def __init__(self, reader: asyncssh.SSHReader[bytes]) -> None:
        self._reader = reader
        self._buf = bytearray()
        self._skip_lf = False  # a CR ended the last line; a following LF belongs to it
        self._eof = False

    async def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = await self._reader.read(4096)
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
            return True
        except (ConnectionError, asyncssh.Error):  # the client went away: same as end of input
            chunk = b""
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    async def line(self) -> str | None:
        while True:
            if self._skip_lf and self._buf[:1] == b"\n":
                del self._buf[:1]
            if self._buf:
                self._skip_lf = False
            for i, byte in enumerate(self._buf):
                if byte in (0x0D, 0x0A):
                    text = bytes(self._buf[:i]).decode("utf-8", "replace")
                    self._skip_lf = byte == 0x0D
                    del self._buf[: i + 1]
                    return text
            if not await self._fill():
                return None

    async def key(self) -> str | None:
        while True:
            if self._skip_lf and self._buf[:1] == b"\n":
                del self._buf[:1]
                self._skip_lf = False
            if self._buf:
                byte = self._buf[0]
                del self._buf[:1]
                self._skip_lf = byte == 0x0D
                return chr(byte)
            if not await self._fill():
                return None


class SessionClosed(Exception):
    pass


class CliSession:
    """One interactive SSH session on a chassis: the exec CLI as the OS presents it."""

    def __init__(self, chassis: Chassis, process: asyncssh.SSHServerProcess[bytes]) -> None:
        self.chassis = chassis
        self.traits = chassis.profile.traits
        self.process = process
        self.input = _Input(process.stdin)
        self.privileged = self.traits.starts_privileged
        self.config_mode = False
        self.page_length = self.traits.default_page_length
        self.timestamps = chassis.stamps_outputs

    # ---- output helpers

    @property
    def prompt(self) -> str:
        host = self.chassis.spec.hostname
        if self.config_mode:
            return self.traits.config_prompt.format(hostname=host)
        return self.traits.render_prompt(host, self.privileged)

    def write(self, text: str) -> None:
        try:
            self.process.stdout.write(text.encode("utf-8"))
        except (BrokenPipeError, ConnectionError, asyncssh.Error) as exc:
            raise SessionClosed from exc  # the client hung up mid-write, e.g. after `exit`

    async def flush(self) -> None:
        try:
            await self.process.stdout.drain()
        except (asyncssh.Error, ConnectionError) as exc:
            raise SessionClosed from exc

    def write_prompt(self) -> None:
        self.write(self.prompt)

    async def emit(self, text: str, *, drop_half: bool = False) -> bool:
        """Print command output the way the terminal would; False if the user quit the pager."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if drop_half:
            self.write("\r\n".join(lines[: max(1, len(lines) // 2)]))
            await self.flush()
            self.process.channel.get_connection().abort()
            raise SessionClosed
        total_delay = self.chassis.behaviour.output_delay
        page = self.page_length - 1 if self.page_length > 0 else 0
        # A slow chassis sends each output in about ten pieces, pausing between them.
        pieces = max(1, min(10, len(lines))) if total_delay else 1
        chunk = page or max(1, -(-len(lines) // pieces))
        for start in range(0, len(lines), chunk):
            block = lines[start : start + chunk]
            self.write("".join(line + "\r\n" for line in block))
            if total_delay:
                await self.flush()
                await asyncio.sleep(total_delay / pieces)
            if page and start + chunk < len(lines):
                self.write(_MORE)
                await self.flush()
                key = await self.input.key()
                if key is None:
                    raise SessionClosed
                self.write(_MORE_ERASE)
                if key not in (" ", "\r", "\n"):
                    return False
        await self.flush()
        return True

    def error(self, message: str, at: int) -> str:
        # Only the "at '^' marker" messages get a caret line, under the offending character of
        # the echoed line (hence the prompt's width); IOS ends its errors with a blank line.
        caret = " " * (len(self.prompt) + at) + "^\n" if "'^'" in message else ""
        blank = "\n" if self.traits.name in ("ios", "iosxe") else ""
        return f"{caret}{message}\n{blank}"

    # ---- the session

    async def run(self) -> None:
        behaviour = self.chassis.behaviour
        self.chassis.sessions += 1
        try:
            if behaviour.login == "hang":
                # Authenticated, then silence: swallow whatever arrives until the client quits.
                while await self.input.key() is not None:
                    pass
                return
            if self.chassis.latency.login:
                await asyncio.sleep(self.chassis.latency.login)
            banner = behaviour.banner or self.traits.motd
            if banner:
                self.write(banner.replace("\n", "\r\n"))
            self.write("\r\n")
            self.write_prompt()
            await self.flush()
            while True:
                line = await self.input.line()
                if line is None:
                    return
                if line.strip():  # log before anything can fail: the log is the evidence
                    spec = self.chassis.spec
                    self.chassis.log.record(spec.hostname, spec.port, line)
                self.write(line + "\r\n")  # echo, as the terminal would
                if self.chassis.latency.command and line.strip():
                    await self.flush()
                    await asyncio.sleep(self.chassis.latency.command)
                if not await self.handle(line):
                    return
                self.write_prompt()
                await self.flush()
        except SessionClosed:
            return
        finally:
            if not self.process.is_closing():
                try:
                    self.process.exit(0)
                except (ConnectionError, asyncssh.Error):
                    pass

    async def handle(self, line: str) -> bool:
        """Run one command line; False ends the session."""
        command = " ".join(line.split())
        if not command:
            return True
        if self.config_mode:
            # Anything typed in configuration mode is accepted and only logged: the log is how a
            # test proves the inspector never got here.
            if command in ("end", "exit") or command.startswith("end "):
                self.config_mode = False
            return True
        base, _, pipe = command.partition("|")
        base = base.strip()
        match = self.chassis.table.match(base)
        key = match.key
        if key == "@exit":
            return False
        if key == "@terminal" and self.traits.is_terminal_command(match.expanded):
            self.terminal(match.expanded)
            return True
        if key == "@terminal":  # `terminal` plus something this OS does not have
            key = None
            words = list(_WORD.finditer(base))
            match = Match(
                key=None,
                error="invalid",
                error_at=words[1].start() if len(words) > 1 else len(base),
            )
        if key == "@enable":
            return await self.enable()
        if key == "@login":
            return await self.asa_login()
        if key == "@disable":
            self.privileged = False
            return True
        if key == "@configure" and self.privileged:
            if self.traits.config_banner:
                self.write(self.traits.config_banner + "\r\n")
            self.config_mode = True
            return True
        if key is not None and (
            self.privileged or self.traits.allowed_unprivileged(match.expanded)
        ):
            return await self.show(key, pipe)
        error = match.error or "invalid"
        if error == "ambiguous":
            message = self.traits.ambiguous.format(command=base)
        elif error == "incomplete":
            message = self.traits.incomplete
        else:
            message = self.traits.invalid_input
        if match.key is None:
            at = match.error_at
        else:  # known, but not at this privilege level: IOS marks the first keyword after `show`
            words = list(_WORD.finditer(base))
            at = words[1].start() if len(words) > 1 else 0
        self.write(self.error(message, at).replace("\n", "\r\n"))
        return True

    def terminal(self, command: str) -> None:
        length = re.fullmatch(self.traits.page_length_command, command)
        if length and not self.chassis.behaviour.ignore_paging_off:
            self.page_length = int(length.group(1))
        if self.traits.timestamp_off_command and command == self.traits.timestamp_off_command:
            self.timestamps = False
        elif command.startswith("terminal exec prompt timestamp"):
            self.timestamps = self.chassis.stamps_outputs

    async def enable(self) -> bool:
        if self.privileged:
            return True
        secret = self.chassis.spec.secret
        self.write(self.traits.enable_password_prompt)
        await self.flush()
        for attempt in range(self.traits.enable_attempts):
            typed = await self.input.line()
            if typed is None:
                return False
            self.write("\r\n")
            if typed == secret:
                self.privileged = True
                return True
            if attempt + 1 < self.traits.enable_attempts:
                self.write(self.traits.enable_retry_message + "\r\n")
                self.write(self.traits.enable_password_prompt)
                await self.flush()
        self.write(self.traits.enable_denied_message + "\r\n\r\n")
        return True

    async def asa_login(self) -> bool:
        spec = self.chassis.spec
        self.write("Username: ")
        await self.flush()
        user = await self.input.line()
        if user is None:
            return False
        self.write(user + "\r\nPassword: ")
        await self.flush()
        password = await self.input.line()
        if password is None:
            return False
        self.write("*" * len(password) + "\r\n")
        if user == spec.username and password == spec.password:
            self.privileged = True
        else:
            self.write("Authentication failed\r\n")
        return True

    def builtin_output(self, key: str) -> str:
        now = datetime.now(UTC)
        if key == "@show_clock":
            if self.traits.name == "nxos":
                return (
                    f"{now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC {now:%a %b %d %Y}\n"
                    "Time source is NTP\n"
                )
            if self.traits.name == "asa":
                return f"{now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC {now:%a %b %d %Y}\n"
            return f"*{TIME_STYLES['clock'](now)}\n"
        if key == "@show_tech":
            return render_show_tech(self.chassis)
        if key == "@show_privilege":
            return f"Current privilege level is {15 if self.privileged else 1}\n"
        if key == "@show_curpriv":
            level = 15 if self.privileged else 1
            mode = "P_PRIV" if self.privileged else "P_UNPR"
            return (
                f"Username : enable_{level}\nCurrent privilege level : {level}\n"
                f"Current Mode/s : {mode}\n"
            )
        raise KeyError(key)

    async def show(self, key: str, pipe: str) -> bool:
        behaviour = self.chassis.behaviour
        if key.startswith("@"):
            text = self.builtin_output(key)
        elif behaviour.garbage_output:
            text = _garbage(self.chassis.identity, key)
        else:
            text = self.chassis.output(key)
            if behaviour.huge_output_lines and "logging" in key:
                text += "".join(_flood(self.chassis, behaviour.huge_output_lines))
        if pipe:
            text = _apply_pipe(text, pipe)
        if self.timestamps and not key.startswith("@"):
            text = TIME_STYLES["xrstamp"](datetime.now(UTC)) + "\n" + text
        if behaviour.prompt_mid_log and "logging" in key and not key.startswith("@"):
            lines = text.splitlines(keepends=True)
            half = len(lines) // 2
            await self.emit("".join(lines[:half]) + self.prompt + "\n")
            await asyncio.sleep(behaviour.prompt_mid_log)
            text = "".join(lines[half:]) + _malloc_fail(self.chassis) + "\n"
        # Dropping on the first show output of every session makes the fault persistent, so
        # a retrying inspector still ends in ERROR rather than passing by luck.
        await self.emit(text, drop_half=behaviour.drop_mid_output and not key.startswith("@"))
        return True


def _apply_pipe(text: str, pipe: str) -> str:
    """`| include`, `| exclude`, `| begin` and `| count` as IOS applies them (regex, per line)."""
    verb, _, pattern = pipe.strip().partition(" ")
    pattern = pattern.strip()
    lines = text.splitlines()
    try:
        rx = re.compile(pattern)
    except re.error:
        rx = re.compile(re.escape(pattern))
    if "include".startswith(verb) or verb == "grep":
        kept = [ln for ln in lines if rx.search(ln)]
    elif "exclude".startswith(verb):
        kept = [ln for ln in lines if not rx.search(ln)]
    elif "begin".startswith(verb):
        start = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
        kept = lines[start:]
    elif "count".startswith(verb):
        return f"Number of lines which match regexp = {sum(1 for ln in lines if rx.search(ln))}\n"
    else:
        kept = lines
    return "".join(ln + "\n" for ln in kept)


def _garbage(identity: Identity, key: str) -> str:
    seed = stable_int("garbage", identity.profile, identity.index, key)
    junk = []
    for i in range(40):
        n = stable_int(seed, i)
        width = 20 + n % 60
        row = "".join(chr(0x21 + (stable_int(n, j) % 0x5E)) for j in range(width))
        if i % 7 == 3:
            row = "\x1b[2J\x1b[0;31m" + row + "\x00\x07\x1b[0m"
        junk.append(row)
    return "\n".join(junk) + "\n"


# A flapping port, as each OS logs it; `{t}` is the message time in the style named after it.
_IOS_FLAP = "{t}: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/{p}, changed state to {s}"
_FLAP_LINE = {
    "ios": ("log", _IOS_FLAP),
    "iosxe": ("log", _IOS_FLAP),
    "nxos": (
        "nxlog",
        (
            "{t} {h} %$ VDC-1 %$ %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/{p} is down "
            "(Link failure)"
        ),
    ),
    "iosxr": (
        "log",
        (
            "LC/0/0/CPU0:{t} UTC: ifmgr[212]: %PKT_INFRA-LINK-3-UPDOWN : "
            "Interface TenGigE0/0/0/{p}, changed state to {s}"
        ),
    ),
    "asa": (
        "asalog",
        "{t}: %ASA-4-411002: Line protocol on Interface GigabitEthernet0/{p}, changed state to {s}",
    ),
}


def _malloc_fail(chassis: Chassis) -> str:
    """A memory allocation failure logged just now, in the time style of the chassis's OS."""
    style, _ = _FLAP_LINE[chassis.profile.os]
    when = TIME_STYLES[style](datetime.now(UTC))
    return (f"{when}: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed from "
            "0x7F3A2B1C, alignment 32")


def _flood(chassis: Chassis, count: int) -> Iterator[str]:
    """`count` link-flap messages from the last hour, oldest first, after the buffer's own."""
    style, line = _FLAP_LINE[chassis.profile.os]
    now = datetime.now(UTC)
    fmt = TIME_STYLES[style]
    for i in range(count):
        when = now - timedelta(seconds=3540 * (count - i) / count)
        state = "down" if i % 2 else "up"
        text = line.format(t=fmt(when), h=chassis.spec.hostname, p=1 + (i // 2) % 24, s=state)
        yield text + "\n"


async def serve_session(chassis: Chassis, process: asyncssh.SSHServerProcess[bytes]) -> None:
    try:
        await CliSession(chassis, process).run()
    except (ConnectionError, asyncssh.Error):
        pass  # the client hung up; nothing to report
    except Exception:  # one broken session must never take the lab down
        log.exception("session on %s failed", chassis.spec.hostname)
        if not process.is_closing():
            process.exit(1)
