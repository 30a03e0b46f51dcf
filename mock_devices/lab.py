"""The lab: plan a set of mock chassis, serve them over SSH on 127.0.0.1, write their inventory.

specs = plan_lab(12)                               # what to serve (pure, deterministic)
with running_lab(specs, inventory_out=d) as lab:  # tests, demos: a background thread
    ...
serve_forever(specs, inventory_out=d)             # `inspector lab up`: until SIGINT/SIGTERM
render_output("cat9300", "show version", "psu_failed")   # one output, no SSH
expected_verdict("psu_failed")                    # what a correct inspector concludes
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncssh
import yaml

from .identity import TIME_STYLES
from .profiles import (
    HEALTHY,
    Profile,
    ProfileError,
    command_slug,
    get_profile,
    load_profiles,
    render,
)
from .server import (
    NO_LATENCY,
    Chassis,
    ChassisSSHServer,
    CommandLog,
    CommandRecord,
    Latency,
    serve_session,
)

LAB_HOST = "127.0.0.1"
LAB_USERNAME = "inspector"
LAB_PASSWORD = "lab-password"
LAB_SECRET = "lab-enable-secret"
LAB_SITE = "lab"

# The order chassis are dealt in: one of each platform before any repeats.
PROFILE_ORDER = ("cat9300", "isr4431", "cat2960x", "nexus9300", "asr9006", "asa5525")
# In a mix, the faults a small lab must show first; the rest follow in this kind order.
_FIRST_FAULTS = ("psu_failed", "fan_failed", "license_eval", "login_refused", "hang_after_login")
_KIND_ORDER = ("hardware", "license", "software", "connection", "fault")
# One chassis in this many carries a fault in a mix. When it is coprime with the number of
# profiles served (34 today), the faulty positions walk through every profile; when not, only
# 1 in 5 profiles would ever be faulty, so each round of the profiles starts one profile
# further on. Either way every (profile, fault) pair appears within 5 x profiles x mixed
# faults chassis.
_FAULT_EVERY = 5


@dataclass(kw_only=True)
class ChassisSpec:
    hostname: str
    profile: str
    scenario: str
    index: int  # position in the plan; every derived value (serials, uptime) hangs off it
    serial: str
    port: int = 0  # 0 until the lab has started and knows the port
    username: str = LAB_USERNAME
    password: str = LAB_PASSWORD
    secret: str = LAB_SECRET
    # A profile built from saved outputs (`lab serve`), in place of one under profiles/.
    capture: Profile | None = field(default=None, repr=False, compare=False)

    @property
    def definition(self) -> Profile:
        """The profile this chassis is served from."""
        return self.capture or get_profile(self.profile)

    @property
    def device_type(self) -> str:
        return self.definition.device_type

    @property
    def os(self) -> str:
        return self.definition.os

    def to_dict(self) -> dict[str, Any]:
        plain = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "capture"}
        return {**plain, "device_type": self.device_type, "os": self.os}


def _mix_faults(profiles: Sequence[str]) -> list[str]:
    """Every scenario some profile offers to the mix, hardware and license faults first."""
    scenarios = {
        sc.name: sc
        for p in profiles
        for sc in get_profile(p).scenarios.values()
        if sc.name != HEALTHY and sc.in_mix
    }
    first = [name for name in _FIRST_FAULTS if name in scenarios]
    rest = sorted(
        (sc for name, sc in scenarios.items() if name not in _FIRST_FAULTS),
        key=lambda sc: (_KIND_ORDER.index(sc.kind) if sc.kind in _KIND_ORDER else 99, sc.name),
    )
    return first + [sc.name for sc in rest]


def plan_lab(
    count: int,
    scenario: str = "mix",
    seed: int = 0,
    profiles: Sequence[str] | None = None,
) -> list[ChassisSpec]:
    """Decide which chassis the lab serves. Deterministic for a given (count, scenario, seed).

    `mix`: profiles dealt round-robin and every 5th chassis given a fault, cycling through the
    hardware and license faults first, then refused login and a hung session, so a lab of 15
    shows a failed PSU, a failed fan and an evaluation license, and 1000 chassis are 80%
    healthy. Scenarios marked `in_mix: false` (output quirks) are only served by name.
    `seed` rotates which fault comes first. `healthy` or any scenario name: every chassis in
    that scenario, over the profiles that define it. `profiles` restricts the platforms; by
    default every profile serves except those that await commands the inspector lacks.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    known = load_profiles()
    order = list(profiles) if profiles else [p for p in PROFILE_ORDER if p in known]
    if not profiles:
        # A profile without one of the first faults (a fanless switch has no fan to fail)
        # comes last, so a small mix still lands each first fault on a profile that has it.
        order += sorted((p for p in set(known) - set(order) if not known[p].awaits),
                        key=lambda p: (not set(_FIRST_FAULTS[:3]) <= set(known[p].scenarios), p))
    if count and not order:
        raise ValueError("plan_lab needs at least one profile")
    for name in order:
        get_profile(name)
    if scenario != "mix":
        order = [p for p in order if scenario in known[p].scenarios]
        if not order:
            raise ProfileError(f"no profile has scenario {scenario!r}")
    faults = _mix_faults(order) if scenario == "mix" else []
    width = max(3, len(str(count)))
    shift = 0 if math.gcd(len(order) or 1, _FAULT_EVERY) == 1 else 1
    specs: list[ChassisSpec] = []
    # Where each profile's walk through the faults began, and how far it has gone: each of its
    # faulty chassis takes the next fault on, so every profile meets every fault it offers
    # however the number of profiles, faults and the fault interval meet.
    began: dict[str, int] = {}
    walked: dict[str, int] = {}
    for i in range(count):
        profile = order[(i + shift * (i // len(order))) % len(order)]
        chosen = scenario
        if scenario == "mix":
            chosen = HEALTHY
            if faults and i % _FAULT_EVERY == _FAULT_EVERY - 1:
                nth = began.setdefault(profile, i // _FAULT_EVERY + seed) + walked.get(profile, 0)
                walked[profile] = walked.get(profile, 0) + 1
                offered = known[profile].scenarios
                # Walk the cycle to the next fault this profile offers.
                for step in range(len(faults)):
                    candidate = faults[(nth + step) % len(faults)]
                    if candidate in offered and offered[candidate].in_mix:
                        chosen = candidate
                        break
        specs.append(
            ChassisSpec(
                hostname=f"lab-{profile}-{i + 1:0{width}d}",
                profile=profile,
                scenario=chosen,
                index=i + 1,
                serial=get_profile(profile).serial(i + 1),
            )
        )
    return specs


@functools.cache
def _host_key() -> asyncssh.SSHKey:
    # One throwaway host key per lab process, shared by every chassis: nothing secret is written
    # to disk or the repo, and a client sees one stable key for as long as the process serves.
    return asyncssh.generate_private_key("ssh-ed25519")


def expected_verdict(scenario: str) -> str:
    """PASS, FAIL or ERROR: what a correct inspector concludes about a chassis in `scenario`."""
    verdicts = {
        p.scenarios[scenario].verdict for p in load_profiles().values() if scenario in p.scenarios
    }
    if not verdicts:
        raise ProfileError(f"no profile has scenario {scenario!r}")
    if len(verdicts) > 1:  # a scenario means the same thing on every platform
        raise ProfileError(f"scenario {scenario!r} expects different verdicts: {verdicts}")
    return verdicts.pop()


def render_output(
    profile: str,
    command: str,
    scenario: str = HEALTHY,
    *,
    index: int = 1,
    hostname: str | None = None,
    now: datetime | None = None,
) -> str:
    """What chassis number `index` of `profile` prints for `command`, without any SSH.

    The text is exactly what the server sends (IOS-XR's timestamp line included), so check
    tests see the same bytes a live inspection would. Raises KeyError for a command the
    profile does not answer in that scenario.
    """
    prof = get_profile(profile)
    templates = prof.effective_templates(scenario)
    slug = command_slug(command)
    if slug not in templates:
        raise KeyError(f"{profile}/{scenario} does not answer {command!r}")
    ident = prof.identity(index, hostname or f"lab-{profile}-{index:03d}")
    when = now or datetime.now(UTC)
    text = render(templates[slug], prof.values_for(ident, when))
    if prof.traits.timestamp_commands:
        text = TIME_STYLES["xrstamp"](when) + "\n" + text
    return text


class Lab:
    """A running lab: its chassis, their listeners, the command log. Built by `start`."""

    def __init__(self, specs: list[ChassisSpec], host: str, log: CommandLog) -> None:
        self.specs = specs
        self.host = host
        self.log = log
        self.chassis: dict[str, Chassis] = {}
        self._listeners: list[asyncssh.SSHAcceptor] = []
        self._reserved: list[socket.socket] = []
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop serving the chassis
        self.host_public_key = ""  # every chassis's SSH host key, OpenSSH format

    def commands(self, hostname: str) -> list[CommandRecord]:
        """The lines a chassis received at its prompt, in order (safe from any thread)."""
        return self.log.commands(hostname)

    def spec(self, hostname: str) -> ChassisSpec:
        return self.chassis[hostname].spec

    def set_scenario(self, hostname: str, scenario: str, timeout: float = 10.0) -> None:
        """Switch a served chassis to another scenario: "repair" a failed fan, or break one.

        Sessions opened afterwards see the new scenario; a session already open sees it from its
        next command. A chassis cannot move to or from `port_closed` (that is a listener, not a
        session, matter). Safe to call from any thread; returns once the switch is done. The
        inventory's `lab_scenario` keeps saying what the chassis was started as.
        """
        try:
            chassis = self.chassis[hostname]
        except KeyError:
            raise ProfileError(f"the lab serves no chassis {hostname!r}") from None
        target = chassis.profile.scenario(scenario).behaviour
        if target.port_closed != chassis.behaviour.port_closed:
            raise ProfileError(
                f"{hostname}: cannot switch between port_closed and a listening scenario "
                "in a running lab; plan the chassis with it instead"
            )
        switch = chassis.prepare_scenario(scenario)
        loop = self._loop
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if loop is None or on_loop or not loop.is_running():
            switch()
            return

        async def switch_on_loop() -> None:
            switch()

        asyncio.run_coroutine_threadsafe(switch_on_loop(), loop).result(timeout)

    async def _listen(self, chassis: Chassis, port: int, host_key: asyncssh.SSHKey) -> None:
        spec = chassis.spec
        if chassis.behaviour.port_closed:
            # Bound but not listening: the port is ours (nothing else can take it) and a
            # connection attempt is refused, as with a chassis whose SSH server is off.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((self.host, port))
            self._reserved.append(sock)
            spec.port = sock.getsockname()[1]
            return
        listener = await asyncssh.create_server(
            lambda: ChassisSSHServer(chassis, self._connections),
            self.host,
            port,
            server_host_keys=[host_key],
            process_factory=functools.partial(serve_session, chassis),
            line_editor=False,
            encoding=None,
            server_version="Cisco-1.25",
            # Keep a stalled client from holding a session forever in a long-lived lab.
            login_timeout=30,
        )
        self._listeners.append(listener)
        spec.port = listener.sockets[0].getsockname()[1]

    def close(self) -> None:
        """Stop listening and drop every session. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for listener in self._listeners:
            listener.close()
        for conn in list(self._connections):
            conn.close()
        for sock in self._reserved:
            sock.close()
        self.log.close()

    async def aclose(self) -> None:
        self.close()
        await asyncio.gather(
            *(listener.wait_closed() for listener in self._listeners), return_exceptions=True
        )


async def start(
    specs: Sequence[ChassisSpec],
    host: str = LAB_HOST,
    port_base: int | None = None,
    command_log: Path | None = None,
    latency: Latency = NO_LATENCY,
) -> Lab:
    """Start one listener per chassis and return once all are up; fills in each `spec.port`.

    `port_base` None lets the OS choose free ports; otherwise chassis i gets port_base + i.
    `latency` makes every chassis as slow to answer as a real one.
    """
    specs = list(specs)
    names = [s.hostname for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("hostnames in a lab must be unique")
    host_key = _host_key()
    lab = Lab(specs, host, CommandLog(command_log))
    lab.host_public_key = host_key.export_public_key("openssh").decode().strip()
    lab._loop = asyncio.get_running_loop()
    for spec in specs:
        lab.chassis[spec.hostname] = Chassis.from_spec(spec, lab.log, latency)
    try:
        await asyncio.gather(
            *(
                lab._listen(
                    lab.chassis[spec.hostname], 0 if port_base is None else port_base + i, host_key
                )
                for i, spec in enumerate(specs)
            )
        )
    except BaseException:
        await lab.aclose()
        raise
    return lab


@contextmanager
def running_lab(
    specs: Sequence[ChassisSpec],
    host: str = LAB_HOST,
    port_base: int | None = None,
    command_log: Path | None = None,
    inventory_out: Path | None = None,
    start_timeout: float = 60.0,
    latency: Latency = NO_LATENCY,
) -> Iterator[Lab]:
    """Serve the lab from a background thread for the duration of a `with` block.

    Returns once every listener is up (and the inventory, if asked for, is written).
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="mock-lab", daemon=True)
    thread.start()
    try:
        lab = asyncio.run_coroutine_threadsafe(
            start(specs, host, port_base, command_log, latency), loop
        ).result(start_timeout)
        try:
            if inventory_out is not None:
                write_inventory(lab.specs, inventory_out, host=host)
            yield lab
        finally:
            asyncio.run_coroutine_threadsafe(lab.aclose(), loop).result(30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


def serve_forever(
    specs: Sequence[ChassisSpec],
    host: str = LAB_HOST,
    port_base: int | None = None,
    command_log: Path | None = None,
    inventory_out: Path | None = None,
    on_ready: Callable[[Lab], None] | None = None,
    latency: Latency = NO_LATENCY,
) -> None:
    """Serve until SIGINT or SIGTERM (the `inspector lab up` command)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        lab = await start(specs, host, port_base, command_log, latency)
        try:
            if inventory_out is not None:
                write_inventory(lab.specs, inventory_out, host=host)
            if on_ready is not None:
                on_ready(lab)
            await stop.wait()
        finally:
            await lab.aclose()

    asyncio.run(main())


# --------------------------------------------------------------------------- inventory


def inventory_data(specs: Sequence[ChassisSpec], host: str = LAB_HOST) -> dict[str, dict[str, Any]]:
    """The three Nornir SimpleInventory documents for a lab, as data."""
    if any(s.port == 0 for s in specs):
        raise ValueError("start the lab before writing its inventory: some ports are unknown")
    hosts: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    for spec in specs:
        profile = spec.definition
        hosts[spec.hostname] = {
            "hostname": host,
            "port": spec.port,
            "platform": profile.device_type,
            "groups": [profile.os],
            "data": {"lab_profile": spec.profile, "lab_scenario": spec.scenario, "site": LAB_SITE},
        }
        groups.setdefault(profile.os, {"platform": profile.device_type, "data": {"os": profile.os}})
    secrets = {s.secret for s in specs}
    users = {(s.username, s.password) for s in specs}
    if len(secrets) > 1 or len(users) > 1:
        raise ValueError("the lab inventory keeps one set of credentials in defaults.yaml")
    username, password = users.pop() if users else (LAB_USERNAME, LAB_PASSWORD)
    defaults = {
        "username": username,
        "password": password,
        "connection_options": {
            "netmiko": {"extras": {"secret": secrets.pop() if secrets else LAB_SECRET}}
        },
        "data": {"site": LAB_SITE},
    }
    return {
        "hosts.yaml": hosts,
        "groups.yaml": dict(sorted(groups.items())),
        "defaults.yaml": defaults,
    }


def write_inventory(
    specs: Sequence[ChassisSpec], out_dir: Path, host: str = LAB_HOST
) -> dict[str, Path]:
    """Write hosts.yaml, groups.yaml and defaults.yaml, each atomically; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, data in inventory_data(specs, host).items():
        target = out_dir / name
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("---\n")
                yaml.safe_dump(data, fh, sort_keys=False, default_flow_style=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written[name] = target
    return written
