"""Operational state: how the chassis has been running, from what it says about itself.

Session, reload history, crash files, configuration register, CPU, memory, modules,
redundancy, the log buffer, interfaces and the software it boots next. Each fact reduces one
platform's output to one small shape; the checks judge those shapes against the
`operational` section of the policy. Where a platform prints nothing for a check the fact
has no source there and the engine reports the check as not applicable.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from itertools import pairwise
from typing import Any

from checks.common import banner_said_twice, in_vocabulary, is_absent, is_ok, norm_state
from inspector.catalogue import check
from inspector.evidence import Session
from inspector.facts import Fact, Genie, Own, Rows, SaidOnce, Source, TextFSM, Unreadable
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy

MAX_QUOTED = 20  # evidence lines quoted per finding; the message still counts them all


def _first(pattern: str, text: str, flags: int = re.MULTILINE) -> str | None:
    match = re.search(pattern, text, flags)
    return match.group(1).strip() if match else None


def _mentions(text: str, words: Iterable[str]) -> str | None:
    """The first word that starts a word in `text` (case-insensitive), if any."""
    for word in words:
        if re.search(rf"(?<![a-z0-9]){re.escape(word.lower())}", text.lower()):
            return word
    return None


# --- op.session.access ---------------------------------------------------------------------


@check(
    id="op.session.access",
    title="The inspector logged in and reached privileged mode",
    domain=Domain.OPERATIONAL,
    severity=Severity.CRITICAL,
    never_fails=True,
)
def session_access(policy: Policy, session: Session | None) -> Outcome:
    # Not getting in is our trouble, not the chassis's: ERROR, never FAIL.
    if session is None:
        return Outcome.skipped("offline capture: there was no session to judge")
    if not session.connected:
        return Outcome.error(f"could not log in: {session.error or 'not reached'}")
    if not session.privileged:
        return Outcome.error("logged in but privileged mode was not reached")
    evidence = [Evidence(path="session/prompt", actual=session.prompt)] if session.prompt else []
    return Outcome.passed("logged in, privileged mode reached", evidence)


# --- op.reload.reason ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReloadHistory:
    reasons: tuple[str, ...]  # every line the device gives about its last reload, as printed
    uptime: str | None


def _reload(reasons: Iterable[str | None], uptime: str | None) -> ReloadHistory:
    # IOS often gives one reason twice ("returned to ROM by" and "Last reload reason").
    found = tuple(dict.fromkeys(" ".join(r.split()) for r in reasons if r and r.strip()))
    if not found:
        raise Unreadable("no reload reason in the output")
    return ReloadHistory(reasons=found, uptime=uptime)


def parse_ios_reload(text: str) -> ReloadHistory:
    # Genie keeps one of these lines and, on a 7600, overwrites "Last reload reason: abort at
    # PC ..." with the "Last reset from s/w reset" line: all of them are read here instead.
    # IOS 11 says `System restarted by bus error at PC ...`; some captures indent every line.
    reasons = re.findall(
        r"^[ \t]*(?:System returned to ROM by|System restarted by|Last reload reason:"
        r"|Last reset from)\s*(.+?)\s*$",
        text,
        re.MULTILINE,
    )
    return _reload(reasons, _first(r"^[ \t]*\S+ uptime is (.+)$", text))


def _nxos_reload_genie(parsed: dict[str, Any]) -> ReloadHistory:
    platform = parsed["platform"]
    uptime = platform.get("kernel_uptime") or {}
    text = ", ".join(f"{uptime[k]} {k}" for k in ("days", "hours", "minutes") if k in uptime)
    return _reload([platform.get("reason")], text or None)


def parse_nxos_reload(text: str) -> ReloadHistory:
    return _reload([_first(r"^\s*Reason:\s*(.+)$", text)], _first(r"uptime is (.+)$", text))


def parse_xr_reload(text: str) -> ReloadHistory:
    # IOS-XR prints no reload reason in `show version`; `show redundancy` has one per RP:
    # `Active node reload "CARD_SHUTDOWN"` or, on older releases, `... reload  Cause: ...`.
    reasons = [
        f"{role.lower()} node: {cause}"
        for role, cause in re.findall(
            r'^\s*(Active|Standby) node reload\s*"?\s*(?:Cause:)?\s*(.*?)\s*"?\s*$',
            text,
            re.MULTILINE,
        )
        if cause.strip(" .")
    ]
    return _reload(reasons, _first(r"^\s*Active node booted .*?\d{4}:\s*(.+?)\s+ago\s*$", text))


# Printed once by one reply, as in the corpus's outputs of an ASR 9000 with two RPs: two
# replies saved as one would list each RP's reload twice, under the first one's uptime. Read
# too by op.redundancy.standby, whose reader takes the first reply's partner.
_XR_REDUNDANCY_HEADING_ONCE = SaidOnce(
    re.compile(r"^[ \t]*Redundancy information for node", re.MULTILINE), "the heading")

RELOAD = Fact(
    "reload_history",
    {
        "cisco_ios": Source("show version", Own(parse_ios_reload), whole=banner_said_twice),
        "cisco_xe": Source("show version", Own(parse_ios_reload), whole=banner_said_twice),
        "cisco_nxos": Source("show version", Genie(_nxos_reload_genie), Own(parse_nxos_reload),
                             whole=banner_said_twice),
        "cisco_xr": Source("show redundancy", Own(parse_xr_reload),
                           whole=_XR_REDUNDANCY_HEADING_ONCE),
    },
)


@check(
    id="op.reload.reason",
    title="The last reload was planned, not a crash",
    domain=Domain.OPERATIONAL,
    severity=Severity.CRITICAL,
    facts=[RELOAD],
)
def reload_reason(reload_history: ReloadHistory, policy: Policy) -> Outcome:
    evidence = [Evidence(path="reload/reason", actual=r) for r in reload_history.reasons]
    if reload_history.uptime:
        evidence.append(Evidence(path="reload/uptime", actual=reload_history.uptime))
    words = policy["operational.reload.crash_words"]
    crashes = [r for r in reload_history.reasons if _mentions(r, words)]
    if crashes:
        return Outcome.failed(
            "last reload was abnormal: " + "; ".join(crashes),
            [
                Evidence(path="reload/reason", expected="a planned reload", actual=r)
                for r in crashes
            ],
        )
    up = f", up {reload_history.uptime}" if reload_history.uptime else ""
    return Outcome.passed(f"last reload: {'; '.join(reload_history.reasons)}{up}", evidence)


# --- op.config.register --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConfigRegister:
    platform: str  # what is normal depends on the platform
    values: dict[str, str]  # "running", "next reload" or an IOS-XR node -> hex value
    none_because: str | None = None  # why a chassis without any register has none
    # Catalyst 9000 from 16.12.4 / 17.3.1 on: the ROM monitor variables that replaced the
    # register ("Active Switch MANUAL_BOOT" -> "no"), None where the register was read.
    rommon: dict[str, str] | None = None
    # What a whole output lacks that another command prints (a Catalyst 9000's show version
    # on a release without a register): read the next source in its place.
    lacks: str | None = None


_REGISTER = re.compile(
    r"^\s*Configuration register (?:on node (?P<node>\S+) )?is (?P<value>0x[0-9a-fA-F]+)"
    r"(?:\s*\(will be (?P<next>0x[0-9a-fA-F]+) at next reload\))?",
    re.MULTILINE,
)


def _genie_register(platform: str, parsed: dict[str, Any]) -> ConfigRegister:
    # IOS nests its fields under "version", IOS-XR does not.
    version = parsed["version"] if isinstance(parsed.get("version"), dict) else parsed
    current = version.get("curr_config_register") or version.get("config_register")
    if not current:
        raise Unreadable("no configuration register")
    values = {"running": current}
    if version.get("next_config_register"):
        values["next reload"] = version["next_config_register"]
    return ConfigRegister(platform=platform, values=values)


_HARDWARE = re.compile(r"^cisco \S+ .*processor.* bytes of memory", re.MULTILINE)


def parse_config_register(platform: str, text: str) -> ConfigRegister:
    values: dict[str, str] = {}
    for m in _REGISTER.finditer(text):
        where = f"node {m['node']}" if m["node"] else "running"
        values[where] = m["value"]
        if m["next"]:
            values[f"{where} at next reload" if m["node"] else "next reload"] = m["next"]
    if values:
        return ConfigRegister(platform=platform, values=values)
    # Some chassis have no ROM monitor and so no register; a cut-off output must not look so.
    if platform == "cisco_xr" and "Build Information:" in text:
        return ConfigRegister(platform=platform, values={}, none_because="64-bit IOS-XR")
    if platform == "cisco_asa" and (model := _first(r"^Hardware:\s*(ASAv|FPR\S*?),?\s", text)):
        return ConfigRegister(platform=platform, values={}, none_because=f"ASA on {model}")
    # A whole IOS-XE show version (banner, uptime and, below them, the hardware: an output
    # cut before the register still has the first two) or show bootvar (BOOT and CONFIG_FILE
    # variables) without the register: a release that prints it elsewhere, or not at all.
    if platform == "cisco_xe" and (
            re.search(r"IOS[ -]XE Software", text) and re.search(r" uptime is ", text)
            and _HARDWARE.search(text)
            or re.search(r"^\s*BOOT variable", text, re.MULTILINE)
            and re.search(r"^\s*CONFIG_FILE variable", text, re.MULTILINE)):
        return ConfigRegister(platform=platform, values={},
                              lacks="prints no configuration register")
    raise Unreadable("no configuration register")


def _register_source(platform: str, *, genie: bool = True) -> Source:
    own = Own(partial(parse_config_register, platform))
    if not genie:
        return Source("show version", own, whole=banner_said_twice)
    # As the identity's reading of IOS and IOS-XE `show version` (checks.identity.VERSION).
    schema_check = platform not in ("cisco_ios", "cisco_xe")
    return Source("show version", Genie(partial(_genie_register, platform),
                                        schema_check=schema_check), own,
                  whole=banner_said_twice)


# What the register's two findings are as ROM monitor variables, where those replace it.
ROMMON_FINDINGS = {
    ("MANUAL_BOOT", "yes"): "stay in ROM monitor at boot",
    ("SWITCH_IGNORE_STARTUP_CFG", "1"): "ignore startup configuration",
}


def parse_romvar(text: str) -> ConfigRegister:
    """`show romvar`: the variables that replace the register, per switch of a stack or
    StackWise Virtual pair. One not listed is not set: the ROM monitor's default applies."""
    units = re.split(r"^\s*ROMMON variables(?: for (.+?))?\s*:?\s*$", text, flags=re.MULTILINE)
    if len(units) < 3:
        raise Unreadable("no `ROMMON variables` header")
    rommon: dict[str, str] = {}
    for unit, body in zip(units[1::2], units[2::2], strict=True):
        where = f"{unit.strip()} " if unit else ""
        found = dict(re.findall(r"^\s*([A-Za-z0-9_]+)\s*=[ \t]*(\S*)", body, re.MULTILINE))
        if not found:  # a header cut from its variables: "not set" would be a guess
            raise Unreadable(f"no variable under the ROMMON variables of {unit or 'the switch'}")
        for name, _ in ROMMON_FINDINGS:
            rommon[f"{where}{name}"] = found.get(name) or "not set"
    return ConfigRegister(platform="cisco_xe", values={}, rommon=rommon)


# IOS-XE's `show bootvar` prints the active unit's BOOT variable once, and a standby's as
# `Standby BOOT variable`: so in every IOS-XE output of the corpus, an ASR 1000 and a
# Catalyst 9400 with two supervisors among them. Two replies saved as one were read as the
# last one's register. (Classic IOS's fallback to it has no such rule: the corpus holds one
# output of it, of a virtual router, which cannot tell a Catalyst 6500 VSS.)
_XE_BOOT_VARIABLE_ONCE = SaidOnce(re.compile(r"^[ \t]*BOOT variable\b", re.MULTILINE),
                                 "the line")


def _lacks(register: ConfigRegister) -> str | None:
    return register.lacks


CONFIG_REGISTER = Fact(
    "config_register",
    {
        "cisco_ios": _register_source("cisco_ios"),
        # Catalyst 9000 releases from 16.12.4 / 17.3.1 on print no register in `show version`:
        # it never worked there. ROM monitor variables took its place. `show bootvar`, which
        # op.software.boot reads anyway, prints the register where a release still has one.
        "cisco_xe": Source(
            "show version",
            *_register_source("cisco_xe").strategies,
            otherwise=Source("show bootvar", Own(partial(parse_config_register, "cisco_xe")),
                             otherwise=Source("show romvar", Own(parse_romvar)),
                             incomplete=_lacks, whole=_XE_BOOT_VARIABLE_ONCE),
            incomplete=_lacks,
            whole=banner_said_twice,
        ),
        "cisco_xr": _register_source("cisco_xr"),
        # Genie's ASA `show version` schema has no configuration register.
        "cisco_asa": _register_source("cisco_asa", genie=False),
    },
)


def register_meaning(value: int) -> str:
    """What a non-default register does, from the bits every Cisco OS shares."""
    if value & 0x40:  # 0x2142, 0x142 (IOS-XR), 0x41 (ASA): the password-recovery bit
        return "ignore startup configuration"
    if value & 0xF == 0:
        return "stay in ROM monitor at boot"
    return "not the factory default"


@check(
    id="op.config.register",
    title="The configuration register has its factory default",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[CONFIG_REGISTER],
)
def config_register(config_register: ConfigRegister, policy: Policy) -> Outcome:
    if config_register.rommon is not None:
        return _rommon_variables(config_register.rommon)
    if config_register.lacks:  # and no other command read it in its place
        return Outcome.error(f"the output {config_register.lacks}, and neither `show bootvar` "
                             "nor `show romvar` (the ROM monitor variables that replace it) "
                             "could be read in its place: the record's commands say why")
    if not config_register.values:
        return Outcome.skipped(f"{config_register.none_because} has no configuration register")
    normal = policy[f"operational.config_register.normal.{config_register.platform}"]
    normal_values = {int(v, 16) for v in normal}
    expected = " or ".join(normal)
    bad = {
        where: value
        for where, value in config_register.values.items()
        if int(value, 16) not in normal_values
    }
    if bad:
        return Outcome.failed(
            "configuration register "
            + ", ".join(f"{v} ({register_meaning(int(v, 16))}) {w}" for w, v in bad.items()),
            [
                Evidence(path=f"config_register/{w}", expected=expected, actual=v)
                for w, v in bad.items()
            ],
        )
    return Outcome.passed(
        "configuration register "
        + ", ".join(f"{v} {w}" for w, v in config_register.values.items()),
        [
            Evidence(path=f"config_register/{w}", actual=v)
            for w, v in config_register.values.items()
        ],
    )


def _rommon_variables(rommon: dict[str, str]) -> Outcome:
    bad = {
        name: f"{value} ({meaning})"
        for name, value in rommon.items()
        for (variable, when), meaning in ROMMON_FINDINGS.items()
        if name.endswith(variable) and value.lower() == when
    }
    evidence = [Evidence(path=f"rommon/{name}", actual=value) for name, value in rommon.items()]
    if bad:
        return Outcome.failed(
            "ROM monitor " + ", ".join(f"{n} {v}" for n, v in bad.items()),
            [Evidence(path=f"rommon/{n}", expected="its default", actual=v)
             for n, v in bad.items()],
        )
    return Outcome.passed(
        "no configuration register shown; ROM monitor "
        + ", ".join(f"{n} {v}" for n, v in rommon.items()),
        evidence,
    )


# --- op.crash.files ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CrashListing:
    # Files only, with their size where the listing gives one: a directory is never a crash
    # report, and neither is an empty file (Catalyst keeps an empty koops.dat in crashinfo:).
    files: dict[str, int | None]
    all_are_dumps: bool  # the listing holds nothing but dumps (NX-OS cores, IOS-XR dumper)


def _size(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _genie_dir(parsed: dict[str, Any], *, all_are_dumps: bool = False) -> CrashListing:
    listing = parsed["dir"]
    # IOS nests each directory under its name; IOS-XR does not. Only the totals line proves
    # the listing reached its end, so a listing without it is a fragment.
    folders = (
        [v for v in listing.values() if isinstance(v, dict)]
        if "dir_name" not in listing
        else [listing]
    )
    if not any("bytes_total" in f or "total_bytes" in f for f in folders):
        raise Unreadable("the listing has no totals line: cut short")
    if all_are_dumps and "dumper" not in str(listing.get("dir_name", "")).lower():
        raise Unreadable(f"a listing of {listing.get('dir_name')}, not of the dumper directory")
    files = {
        name: _size(entry.get("size"))
        for folder in folders
        for name, entry in folder.get("files", {}).items()
        if not str(entry.get("permissions") or entry.get("permission") or "-").startswith("d")
    }
    return CrashListing(files=files, all_are_dumps=all_are_dumps)


def _asa_dir_rows(rows: list[dict[str, Any]]) -> CrashListing:
    if not rows[-1].get("total_size"):
        raise Unreadable("the listing has no totals line: cut short")
    files = {
        r["name"]: _size(r.get("size"))
        for r in rows
        if r.get("name") and not r["permissions"].startswith("d")
    }
    return CrashListing(files=files, all_are_dumps=False)


def _nxos_cores_genie(parsed: dict[str, Any]) -> CrashListing:
    return CrashListing(
        files={
            f"module {core['module']} {core['process_name']} pid {pid} at {date}": None
            for date, by_pid in parsed["date"].items()
            for pid, core in by_pid["pid"].items()
        },
        all_are_dumps=True,
    )


def parse_nxos_cores(text: str) -> CrashListing:
    """Genie refuses the header-only table that means "no cores"; read the rows here."""
    if not re.search(r"^\s*VDC\s+Module\s+Instance\s+Process-name", text, re.MULTILINE):
        raise Unreadable("no `show cores` table")
    rows = re.findall(r"^\s*\d+\s+(\d+)\s+\d+\s+(\S+)\s+(\d+)\s+(\S+ \S+)\s*$", text, re.MULTILINE)
    return CrashListing(
        files={f"module {m} {proc} pid {pid} at {date}": None for m, proc, pid, date in rows},
        all_are_dumps=True,
    )


CRASH_FILES = Fact(
    "crash_listing",
    {
        # A Catalyst 4500 has no flash: and keeps crash reports in crashinfo:; a Catalyst 6500 /
        # 7600 route processor writes them to bootflash:. A family that answers `dir flash:`
        # but writes its crash reports elsewhere (a 2960 / 3750 `crashinfo` folder inside
        # flash:, shown as a directory) is not helped by a fallback, which is only sent on a
        # rejection: it needs its crash folder asked before flash:.
        "cisco_ios": Source("dir flash:", Genie(_genie_dir),
                            fallbacks=("dir crashinfo:", "dir bootflash:")),
        # Catalyst switches keep crash reports in crashinfo:; IOS-XE routers (ISR 4000,
        # ASR 1000) have no such file system and write crashinfo_* files to bootflash:.
        "cisco_xe": Source("dir crashinfo:", Genie(_genie_dir), fallbacks=("dir bootflash:",)),
        "cisco_nxos": Source("show cores", Genie(_nxos_cores_genie), Own(parse_nxos_cores)),
        "cisco_xr": Source("dir harddisk:/dumper", Genie(partial(_genie_dir, all_are_dumps=True))),
        "cisco_asa": Source("dir disk0:", TextFSM(_asa_dir_rows)),
    },
)


@check(
    id="op.crash.files",
    title="No crash reports or core dumps on the chassis",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[CRASH_FILES],
)
def crash_files(crash_listing: CrashListing, policy: Policy) -> Outcome:
    patterns = [p.lower() for p in policy["operational.crash_files.patterns"]]
    crashes = [
        name
        for name, size in crash_listing.files.items()
        if size != 0
        and (crash_listing.all_are_dumps or any(fnmatch.fnmatch(name.lower(), p) for p in patterns))
    ]
    if crashes:
        return Outcome.failed(
            f"{len(crashes)} crash file(s): " + ", ".join(crashes[:MAX_QUOTED]),
            [Evidence(path="crash_files", expected="none", actual=f) for f in crashes[:MAX_QUOTED]],
        )
    seen = f"no crash files among {len(crash_listing.files)} file(s)"
    if crash_listing.all_are_dumps:
        seen = "no dump listed"
    return Outcome.passed(seen, [Evidence(path="crash_files", actual=seen)])


# --- op.cpu.load ---------------------------------------------------------------------------

CpuLoad = dict[str, float]  # where ("system", "core 1", an IOS-XR node) -> busy percent


def _load(found: CpuLoad) -> CpuLoad:
    if not found:
        raise Unreadable("no five-minute CPU figure")
    return found


def _ios_cpu_genie(parsed: dict[str, Any]) -> CpuLoad:
    if "five_min_cpu" in parsed:
        return {"system": float(parsed["five_min_cpu"])}
    return _load({f"core {n}": float(c["five_min_cpu"]) for n, c in parsed.get("core", {}).items()})


def _xr_cpu_genie(parsed: dict[str, Any]) -> CpuLoad:
    # Genie names an unnamed node "CPU"; real node names read like node0_RP0_CPU0.
    return _load(
        {
            (node if "node" in node.lower() else "system"): float(c["five_min_cpu"])
            for node, c in parsed["location"].items()
        }
    )


def _nxos_cpu_genie(parsed: dict[str, Any]) -> CpuLoad:
    # NX-OS prints no five-minute average: the busy share now is the closest it gives.
    return {"system (now)": round(100.0 - float(parsed["cpu_state"]["cpu_state_idle"]), 2)}


# The indentation is taken whole (`\s*+`): given back, it could only be taken by the `\s*` after
# an empty `Core N:`, which brings the match to the same place. Split between the two every way,
# it cost the square of its width (0.2 s an output indented 1000 spaces); `tests/test_cpu_line.py`
# keeps the first form as the reference.
_CPU_UTILIZATION = re.compile(
    r"^\s*+((?:Core \d+:)?)\s*CPU utilization for .*?(?:five|5) minutes:\s*(\d+(?:\.\d+)?)%",
    re.MULTILINE,
)


def parse_cpu_utilization(text: str) -> CpuLoad:
    """`CPU utilization for ... five minutes: N%` (IOS, IOS-XE, IOS-XR) or `5 minutes: N%` (ASA)."""
    return _load({(where or "system").strip(": ").lower(): float(pct)
                  for where, pct in _CPU_UTILIZATION.findall(text)})


def parse_nxos_cpu(text: str) -> CpuLoad:
    idle = _first(r"^CPU states\s*:.*?([\d.]+)% idle", text)
    if idle is None:
        raise Unreadable("no CPU states line")
    return {"system (now)": round(100.0 - float(idle), 2)}


# One reply prints its utilization line once, and once per core where it lists cores
# (`Core 0: CPU utilization for ...`); so in every output of the shared corpus (IOS, IOS-XE,
# IOS-XR, ASA) and of the lab.
_CPU_LINE_ONCE = SaidOnce(
    re.compile(r"^[ \t]*(?:Core \d+:)?[ \t]*CPU utilization for", re.MULTILINE),
    "the CPU utilization line")
# NX-OS prints the whole system's lines once, and its cores' as `CPU0 states`.
_NXOS_RESOURCES_ONCE = SaidOnce(
    re.compile(r"^(?:Load average|CPU states|Memory usage|Current memory status)(?=[ \t]*:)",
               re.MULTILINE),
    "the system's line")

CPU = Fact(
    "cpu_load",
    {
        # IOS 12.1 and older (Catalyst 6500 hybrid, early ISR) reject the `sorted` keyword
        # and print the same utilization line under the plain command.
        # Without the metaparser's schema check, which costs eight times the parse (1.7 of
        # 1.9 ms): the extractor reads two numbers and checks them.
        "cisco_ios": Source(
            "show processes cpu sorted", Genie(_ios_cpu_genie, schema_check=False),
            Own(parse_cpu_utilization), fallbacks=("show processes cpu",), whole=_CPU_LINE_ONCE,
        ),
        "cisco_xe": Source(
            "show processes cpu sorted", Genie(_ios_cpu_genie, schema_check=False),
            Own(parse_cpu_utilization), whole=_CPU_LINE_ONCE,
        ),
        "cisco_nxos": Source("show system resources", Genie(_nxos_cpu_genie), Own(parse_nxos_cpu),
                             whole=_NXOS_RESOURCES_ONCE),
        "cisco_xr": Source("show processes cpu", Genie(_xr_cpu_genie), Own(parse_cpu_utilization),
                           whole=_CPU_LINE_ONCE),
        "cisco_asa": Source("show cpu usage", Own(parse_cpu_utilization), whole=_CPU_LINE_ONCE),
    },
)


@check(
    id="op.cpu.load",
    title="CPU load is below the policy threshold",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[CPU],
)
def cpu_load(cpu_load: CpuLoad, policy: Policy) -> Outcome:
    limit = float(policy["operational.cpu.max_percent"])
    evidence = [
        Evidence(path=f"cpu/{where}", expected=f"below {limit:g}%", actual=f"{pct:g}%")
        for where, pct in cpu_load.items()
    ]
    busy = {w: p for w, p in cpu_load.items() if p >= limit}
    listing = ", ".join(f"{w} {p:g}%" for w, p in (busy or cpu_load).items())
    if busy:
        return Outcome.failed(f"CPU above {limit:g}%: {listing}", evidence)
    return Outcome.passed(f"CPU {listing}", evidence)


# --- op.memory.free ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MemoryPool:
    name: str
    total: int
    free: int
    device_verdict: str | None = None  # NX-OS judges its own memory: "Current memory status: OK"

    @property
    def free_percent(self) -> float:
        return 100.0 * self.free / self.total


def _ios_memory_genie(parsed: dict[str, Any]) -> list[MemoryPool]:
    pool = parsed["name"]["processor"]
    return [MemoryPool(name="processor", total=int(pool["total"]), free=int(pool["free"]))]


def parse_ios_memory(text: str) -> list[MemoryPool]:
    m = re.search(r"^\s*Processor\s+\S+\s+(\d+)\s+\d+\s+(\d+)", text, re.MULTILINE)
    if not m:
        raise Unreadable("no Processor pool line")
    return [MemoryPool(name="processor", total=int(m[1]), free=int(m[2]))]


def _nxos_memory_genie(parsed: dict[str, Any]) -> list[MemoryPool]:
    usage = parsed["memory_usage"]
    return [
        MemoryPool(
            name="system",
            total=int(usage["memory_usage_total_kb"]),
            free=int(usage["memory_usage_free_kb"]),
            device_verdict=parsed.get("current_memory_status"),
        )
    ]


def parse_nxos_memory(text: str) -> list[MemoryPool]:
    m = re.search(r"^Memory usage:\s*(\d+)K total,\s*\d+K used,\s*(\d+)K free", text, re.MULTILINE)
    if not m:
        raise Unreadable("no Memory usage line")
    verdict = _first(r"^Current memory status:\s*(\S+)", text)
    return [MemoryPool(name="system", total=int(m[1]), free=int(m[2]), device_verdict=verdict)]


_UNIT = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_xr_memory(text: str) -> list[MemoryPool]:
    """`show memory summary`: one `Physical Memory` line per node (64-bit XR names the node)."""
    pools = []
    node = "system"  # 32-bit XR prints the one node it runs on without naming it
    for line in text.splitlines():
        if m := re.match(r"^\s*node:\s*(\S+)", line):
            node = m[1]
        elif m := re.match(
            r"^\s*Physical Memory:\s*(\d+)([KMG])\s+total\s+\((\d+)([KMG])\s+available\)", line
        ):
            pools.append(
                MemoryPool(name=node, total=int(m[1]) * _UNIT[m[2]], free=int(m[3]) * _UNIT[m[4]])
            )
    if not pools:
        raise Unreadable("no Physical Memory line")
    return pools


def parse_asa_memory(text: str) -> list[MemoryPool]:
    free = _first(r"^Free memory:\s*(\d+) bytes", text)
    total = _first(r"^Total memory:\s*(\d+) bytes", text)
    if free is None or total is None:
        raise Unreadable("no Free / Total memory lines")
    return [MemoryPool(name="system", total=int(total), free=int(free))]


# One reply prints the Processor pool's row once: so in every output of the corpus (IOS
# 15, IOS-XE 16 and 17) and of the lab. (IOS-XR's `show memory summary`, of which the
# corpus holds none, has no such rule: it prints a row per node.)
_PROCESSOR_POOL_ONCE = SaidOnce(
    re.compile(r"^[ \t]*Processor(?=[ \t]+[0-9A-Fa-f]+[ \t]+\d)", re.MULTILINE),
    "the memory pool row")

_ASA_MEMORY_ONCE = SaidOnce(re.compile(r"^(?:Free|Used|Total) memory:", re.MULTILINE),
                            "the memory line")

MEMORY = Fact(
    "memory_pools",
    {
        "cisco_ios": Source(
            "show memory statistics", Genie(_ios_memory_genie), Own(parse_ios_memory),
            whole=_PROCESSOR_POOL_ONCE,
        ),
        "cisco_xe": Source(
            "show memory statistics", Genie(_ios_memory_genie), Own(parse_ios_memory),
            whole=_PROCESSOR_POOL_ONCE,
        ),
        "cisco_nxos": Source(
            "show system resources", Genie(_nxos_memory_genie), Own(parse_nxos_memory),
            whole=_NXOS_RESOURCES_ONCE,
        ),
        "cisco_xr": Source("show memory summary", Own(parse_xr_memory)),  # no Genie parser
        # No Genie or TextFSM parser. An ASA, a failover unit or a context alike, prints its
        # Free / Used / Total block once: the reader took the first of two replies.
        "cisco_asa": Source("show memory", Own(parse_asa_memory), whole=_ASA_MEMORY_ONCE),
    },
)


@check(
    id="op.memory.free",
    title="Free memory is above the policy threshold",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[MEMORY],
)
def memory_free(memory_pools: list[MemoryPool], policy: Policy) -> Outcome:
    floor = float(policy["operational.memory.min_free_percent"])
    evidence = [
        Evidence(
            path=f"memory/{p.name}",
            expected=f"at least {floor:g}% free",
            actual=f"{p.free_percent:.1f}% free ({p.free} of {p.total})",
        )
        for p in memory_pools
    ]
    problems = [
        f"{p.name} {p.free_percent:.1f}% free" for p in memory_pools if p.free_percent < floor
    ]
    problems += [
        f"{p.name} status {p.device_verdict}"
        for p in memory_pools
        if p.device_verdict and p.device_verdict.upper() != "OK"
    ]
    if problems:
        return Outcome.failed(f"memory low (floor {floor:g}%): " + ", ".join(problems), evidence)
    return Outcome.passed(
        ", ".join(f"{p.name} {p.free_percent:.1f}% free" for p in memory_pools), evidence
    )


# --- op.modules.state ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Module:
    slot: str
    name: str
    state: str
    diag: str | None = None  # NX-OS online diagnostics


def _modules(found: list[Module]) -> list[Module]:
    if not found:
        raise Unreadable("no module with a state")
    return found


def _module_walk(node: Any, slot: str, key: str, found: list[Module], state_key: str) -> None:
    """Every mapping with a state is a module, named by the nearest `slot` (and `subslot`)."""
    if not isinstance(node, dict):
        return
    if isinstance(node.get("slot"), str):
        slot = node["slot"]
    if isinstance(node.get("subslot"), str):
        slot = f"{slot}/{node['subslot']}"
    if isinstance(node.get(state_key), str):
        found.append(
            Module(
                slot=slot,
                name=str(node.get("model") or node.get("name") or key),
                state=node[state_key],
                diag=node.get("online_diag_status"),
            )
        )
    for child_key, child in node.items():
        _module_walk(child, slot, str(child_key), found, state_key)


def _genie_modules(state_key: str, parsed: dict[str, Any]) -> list[Module]:
    found: list[Module] = []
    _module_walk(parsed.get("slot", {}), "", "", found, state_key)
    return _modules(found)


def _column_rows(lines: list[str], header: int, stop: re.Pattern[str]) -> list[dict[str, str]]:
    """The rows under a header, each cut into cells by the header's column positions, up to
    the first line `stop` does not match (blank and dashed lines between rows are skipped)."""
    columns = [
        (m.group().lower(), m.start())
        for m in re.finditer(r"Config [Ss]tate|Insert time(?: \(ago\))?|\S+", lines[header])
    ]
    rows = []
    for line in lines[header + 1 :]:
        if set(line.strip()) <= {"-", " "}:  # blank or dashed
            continue
        if not stop.match(line):
            break
        rows.append({
            name: line[start : columns[i + 1][1] if i + 1 < len(columns) else None].strip()
            for i, (name, start) in enumerate(columns)
        })
    return rows


def parse_xr_platform(text: str) -> list[Module]:
    # Genie's IOS-XR `show platform` drops rows (NPU slices, `0/FT0/SP` fan trays), and a
    # dropped row could be the failed one: read the table by its header's column positions.
    lines = text.splitlines()
    header = next((i for i, row in enumerate(lines) if re.match(r"^Node\s+Type\s+", row)), None)
    if header is None:
        raise Unreadable("no `show platform` table")
    rows = _column_rows(lines, header, re.compile(r"^\d+/"))
    if rows and "state" not in rows[0]:
        raise Unreadable("the `show platform` header has no State column")
    # A module bay (`0/0/0  A9K-MPA-2X40GE`) is listed under its line card (`0/0/CPU0`):
    # one without it is a table trimmed of the card, and of what else, who knows.
    nodes = [r["node"] for r in rows]
    for node in nodes:
        card = node.rsplit("/", 1)[0] + "/"
        if re.fullmatch(r"\d+/\d+/\d+", node) and not any(
                n.startswith(card) and not re.fullmatch(r"\d+/\d+/\d+", n) for n in nodes):
            raise Unreadable(f"`{node}` is listed without its line card: a trimmed table")
    return _modules(
        [Module(slot=r["node"], name=r["type"], state=r["state"]) for r in rows if r["state"]]
    )


_XR_PLATFORM_ROWS = re.compile(r"^\d+/\S+[ \t]+\S", re.MULTILINE)


def count_xr_platform_rows(text: str) -> int:
    """Every node row of IOS-XR `show platform` (`0/RSP0/CPU0  A9K-RSP440-SE  IOS XR RUN`)."""
    return len(_XR_PLATFORM_ROWS.findall(text))


# IOS-XE prints a slot table (`Slot  Type  State  Insert time (ago)`, routers and modular
# Catalysts) or a stack table (`Switch#  Role  Priority  State`), rows sometimes double-spaced.
_XE_PLATFORM_HEADER = re.compile(
    r"^(?:Slot[ \t]+Type[ \t]+State|(?:Switch|Chassis)#[ \t]+Role[ \t]+Priority[ \t]+State)\b"
)
_XE_SLOT = re.compile(r"^[ \t]*\*?[A-Z]{0,3}\d+(?:/\d+)*[ \t]")
_XE_PLATFORM_ROWS = re.compile(
    _XE_PLATFORM_HEADER.pattern + r".*\n(?:[ \t]*\n)*[ \t]*-[- \t]*\n"
    r"((?:[ \t]*\n|[ \t]*\*?[A-Z]{0,3}\d+(?:/\d+)*[ \t].*(?:\n|$))*)",
    re.MULTILINE,
)


def count_xe_platform_rows(text: str) -> int:
    return sum(
        1 for m in _XE_PLATFORM_ROWS.finditer(text) for line in m[1].splitlines() if line.strip()
    )


def _stated(modules: list[Module]) -> int:
    """The rows a reading holds with a state: a fixed switch's line, passed on stateless,
    is no row of the state tables."""
    return sum(1 for m in modules if m.state)


def count_xe_module_rows(text: str) -> int:
    """`show platform` rows, or those of `show module` read in its place."""
    return count_xe_platform_rows(text) + count_module_status_rows(text)


# A row of the `Switch  Ports  Model  Serial No.` table: the model.
SWITCH_ROW = re.compile(r"^[ \t]*\*?\d+[ \t]+\d+[ \t]+(\S+)[ \t]+\S+[ \t]+[0-9a-fA-F.]{14}\b",
                         re.MULTILINE)


def parse_xe_platform(text: str) -> list[Module]:
    """Both IOS-XE tables by their headers' column positions; Genie leaves out the `FT` fan
    tray rows of a Catalyst 9600 (`FT1  C9610-FAN  fan:1, fail`), this reads every row."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if not _XE_PLATFORM_HEADER.match(line):
            continue
        for row in _column_rows(lines, i, _XE_SLOT):
            if "slot" in row:
                found.append(Module(slot=row["slot"], name=row["type"], state=row["state"]))
            else:
                unit = row.get("switch#") or row.get("chassis#") or ""
                found.append(Module(slot=f"switch {unit.lstrip('*')}", name=row["role"],
                                    state=row["state"]))
    if not found and len(members := SWITCH_ROW.findall(text)) == 1:
        # A fixed switch (IE 3100, ESS 3300) prints its switch line and no state table:
        # passed on with no state, for the policy to tell such a model from a fragment.
        return [Module(slot="switch 1", name=members[0], state="")]
    return _modules(found)


def parse_xe_modules(text: str) -> list[Module]:
    """`show platform`, or `show module` where a Catalyst 4500-E answers that instead."""
    if _MODULE_TABLE.search(text):
        return parse_module_table(text)
    return parse_xe_platform(text)


# `show module` of Catalyst 4500 / 6500 / 7600 (IOS, IOS-XE 3.x) and Catalyst 9400 / 9600:
# a card table (`Mod Ports Card Type ...`), then the state of each card in the last column
# of the MAC address table, and on the 6500 / 7600 sub-module and online diagnostic tables.
# A C9400 / C9600 StackWise Virtual pair prints one set per `Switch Number`. Blank slot
# covers are in the card table only, with no state.
_MODULE_TABLE = re.compile(
    r"^[ \t]*(?:Mod|M)[ \t]+(Ports|MAC addresses|Sub-Module|Online Diag Status)\b.*\n"
    r"[ \t]*-[-+ \t]*\n((?:[ \t]*\d+[ \t].*(?:\n|$))*)",
    re.MULTILINE,
)
_SWITCH_NUMBER = re.compile(r"^\s*Switch Number:?\s*(\d+)", re.MULTILINE)


def count_module_status_rows(text: str) -> int:
    """Rows of the tables that print a state: cards, sub-modules (not the card table)."""
    return sum(len(m[2].splitlines()) for m in _MODULE_TABLE.finditer(text)
               if m[1] in ("MAC addresses", "Sub-Module"))


def parse_module_table(text: str) -> list[Module]:
    switches = [(m.start(), f"switch {m[1]} ") for m in _SWITCH_NUMBER.finditer(text)]
    names: dict[str, str] = {}
    found: dict[str, Module] = {}
    for table in _MODULE_TABLE.finditer(text):
        where = next((unit for at, unit in reversed(switches) if at < table.start()), "")
        for row in table[2].splitlines():
            mod, _, rest = row.strip().partition(" ")
            rest = rest.strip()
            slot = f"{where}{mod}"
            cells = rest.split()
            if not cells:
                continue
            if table[1] == "Ports":  # the card's name, up to its model column
                names[slot] = re.split(r"\s{2,}", re.sub(r"^\d*\s+", "", rest, count=1))[0]
            elif table[1] == "MAC addresses":
                found[slot] = Module(slot=slot, name=names.get(slot, ""), state=cells[-1])
            elif table[1] == "Sub-Module":
                sub = re.split(r"\s{2,}", rest)[0]
                found[f"{slot} {sub}"] = Module(slot=f"{slot} sub-module", name=sub,
                                                state=cells[-1])
            elif slot in found:  # online diagnostics of a card listed above
                found[slot] = replace(found[slot], diag=cells[-1])
    return _modules(list(found.values()))


def _asa_module_rows(rows: list[dict[str, Any]]) -> list[Module]:
    # A 5500-X lists its software-module slots (ips, cxsc) even with no image installed:
    # card type "Unknown", model "N/A". Those slots are empty, not failed.
    return _modules(
        [
            Module(slot=r["module"], name=r["model"] or r["cardtype"],
                   state="not installed" if (r["cardtype"], r["model"]) == ("Unknown", "N/A")
                   else r["status"])
            for r in rows
            if r.get("status")
        ]
    )


def _table_rows(header: str, row: str, then: tuple[str, str] | None = None) -> Rows:
    """Rows of the table under `header` (and its dashed line), each matching `row`. `then`
    names, and matches the header of, a table the OS always prints after it: a table without
    it is cut short, and the rows after the last one shown are unseen."""
    block = re.compile(rf"^{header}.*\n[ \t]*-[- \t]*\n((?:{row}.*(?:\n|$))*)", re.MULTILINE)
    after = re.compile(rf"^{then[1]}", re.MULTILINE) if then else None

    def count(text: str) -> int:
        tables = list(block.finditer(text))
        if then and after and tables and not after.search(text, tables[0].end()):
            raise Unreadable(f"no `{then[0]}` table after the module table: the output is "
                             "cut short")
        return sum(len(m[1].splitlines()) for m in tables)

    return Rows(count, what="module rows")


# IOS-XE prints the chassis type and the heading of its slot or switch table once, on a
# route processor pair and a stack alike: so in every output of the corpus and the lab. Two
# replies saved as one were read as one table, every module counted twice.
_XE_PLATFORM_HEADINGS_ONCE = SaidOnce(
    re.compile(r"^[ \t]*(?:Chassis type:|Slot[ \t]+Type[ \t]+State\b"
               r"|Switch[ \t]+Ports[ \t]+Model\b)", re.MULTILINE),
    "the heading")

MODULES = Fact(
    "modules",
    {
        "cisco_nxos": Source(
            "show module", Genie(partial(_genie_modules, "status")),
            # Every release prints the MAC address and serial table after it.
            rows=_table_rows(r"Mod[ \t]+Ports[ \t]+Module-Type", r"[ \t]*\d+[ \t]",
                             then=("MAC-Address(es)", r"Mod[ \t]+MAC-Address\(es\)")),
        ),
        # Catalyst 4500-E on IOS-XE 3.x has no `show platform` table of its cards.
        "cisco_xe": Source("show platform", Genie(partial(_genie_modules, "state")),
                           Own(parse_xe_modules),
                           fallbacks=("show module",),
                           rows=Rows(count_xe_module_rows, _stated, what="module rows",
                                     exact=True),
                           whole=_XE_PLATFORM_HEADINGS_ONCE),
        # Catalyst 4500 / 6500 / 7600; a router or a fixed switch has no such table.
        "cisco_ios": Source("show module", Own(parse_module_table), when_rejected="skip",
                            rows=Rows(count_module_status_rows, what="module rows")),
        "cisco_xr": Source("show platform", Own(parse_xr_platform),
                           rows=Rows(count_xr_platform_rows, what="module rows")),
        "cisco_asa": Source("show module", TextFSM(_asa_module_rows),  # no Genie parser
                            rows=_table_rows(r"Mod[ \t]+Card Type", r"[ \t]*\S+[ \t]+\S")),
    },
)


def _module_ok(state: str, policy: Policy) -> bool:
    extra = {norm_state(s) for s in policy["operational.modules.ok_states"]}
    parts = [p for p in (norm_state(s) for s in state.split(",")) if p]
    return bool(parts) and all(is_ok(p, policy) or p in extra for p in parts)


_FAN_BAY = re.compile(r"(?:^|/)F[TM]\d|\bfan\b|-FAN\b", re.IGNORECASE)


def _module_transitional(state: str, policy: Policy) -> bool:
    return any(
        in_vocabulary(part, policy["operational.modules.transitional_states"])
        for part in state.split(",")
    )


@check(
    id="op.modules.state",
    title="Every module and line card is up",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[MODULES],
)
def modules_state(modules: list[Module], policy: Policy) -> Outcome:
    if not any(m.state for m in modules):
        fixed = [m for m in modules if any(fnmatch.fnmatch(m.name.upper(), p.upper())
                                           for p in policy["operational.modules.fixed_pids"])]
        if len(modules) == 1 and fixed:
            return Outcome.skipped(f"a fixed switch ({fixed[0].name}): no module or stack "
                                   "state to judge")
        return Outcome.error("no module state printed: only the switch table ("
                             + ", ".join(m.name for m in modules) + ")")
    installed = [m for m in modules if not is_absent(m.state, policy)]
    if not installed:
        # A running chassis has at least the route processor or supervisor it runs on: a
        # table of empty slots alone is a fragment or a misread, nothing seen to be ok.
        return Outcome.error(
            f"every one of the {len(modules)} module(s) listed is an empty slot: "
            "no installed module was seen",
            [Evidence(path=f"modules/{m.slot}", actual=f"{m.name} {m.state}".strip())
             for m in modules])
    # A fan tray bay is fixed: unlike a line card slot, an empty one is a finding.
    missing_fans = [m for m in modules
                    if is_absent(m.state, policy) and _FAN_BAY.search(f"{m.slot} {m.name}")]
    coming_up = [m for m in installed if _module_transitional(m.state, policy)]
    # A card still powering on or booting while its peers are up has not come up where they
    # did: that is the chassis's state now, a FAIL. Only when every module is still coming
    # up (the chassis itself just booted) can the inspector not tell yet: ERROR.
    if installed and len(coming_up) == len(installed):
        return Outcome.error(
            f"every one of the {len(installed)} module(s) is still coming up "
            f"({', '.join(sorted({m.state for m in coming_up}))}): inspect once it has booted",
            [Evidence(path=f"modules/{m.slot}", actual=m.state) for m in coming_up],
        )
    bad = missing_fans + [
        m
        for m in installed
        if m in coming_up
        or not _module_ok(m.state, policy)
        or "fail" in (m.diag or "").lower()
    ]
    if bad:
        return Outcome.failed(
            "module(s) not ok: "
            + ", ".join(
                f"{m.slot} {m.name} {m.state}"
                + (" (still coming up while its peers are up)" if m in coming_up else "")
                + (" (a fan tray the chassis needs)" if m in missing_fans else "")
                + (f" (diag {m.diag})" if m.diag else "")
                for m in bad
            ),
            [
                Evidence(
                    path=f"modules/{m.slot}",
                    expected="ok",
                    actual=m.state if not m.diag else f"{m.state}, diag {m.diag}",
                )
                for m in bad
            ],
        )
    empty = len(modules) - len(installed)
    return Outcome.passed(
        f"{len(installed)} module(s) ok" + (f", {empty} empty slot(s)" if empty else ""),
        [Evidence(path=f"modules/{m.slot}", actual=f"{m.name} {m.state}".strip())
         for m in installed],
    )


# --- op.redundancy.standby -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Redundancy:
    subject: str | None  # the unit that must be ready; None when the chassis has no standby
    state: str | None
    detail: str  # why there is nothing to judge, or the redundancy mode


def _iosxe_redundancy(parsed: dict[str, Any]) -> Redundancy:
    info = parsed["red_sys_info"]
    mode = f"hardware mode {info['hw_mode']}, operating mode {info.get('oper_red_mode')}"
    if info["hw_mode"].lower() == "simplex":
        return Redundancy(subject=None, state=None, detail=f"single supervisor ({mode})")
    peers = {
        s: d["curr_sw_state"]
        for s, d in parsed.get("slot", {}).items()
        if d.get("curr_sw_state", "").upper() != "ACTIVE"
    }
    if not peers:
        return Redundancy(subject="peer supervisor", state="not listed", detail=mode)
    slot, state = next(iter(peers.items()))
    return Redundancy(subject=f"standby {slot}", state=state, detail=mode)


def _nxos_redundancy(parsed: dict[str, Any]) -> Redundancy:
    mode = f"operational mode {parsed['redundancy_mode']['operational']}"
    other = parsed["supervisor_2"]
    if other.get("redundancy_state", "").lower() == "not present":
        return Redundancy(subject=None, state=None, detail="single supervisor (sup-2 not present)")
    # A supervisor that is there prints its Supervisor state below its Redundancy state
    # (`Standby`, which alone says nothing of its readiness): without it, the output is cut.
    if not other.get("supervisor_state"):
        raise Unreadable("sup-2 has a redundancy state and no supervisor state: the output "
                         "is cut short")
    return Redundancy(subject="standby sup-2", state=other["supervisor_state"], detail=mode)


def parse_xr_redundancy(text: str) -> Redundancy:
    # Genie's IOS-XR parser keeps only the last "Standby node ... is ..." line, so "ready"
    # is overwritten by "NSR-ready" or "NSR-not-configured"; read the lines here.
    if re.search(r"^\s*Node \S+ has no valid partner", text, re.MULTILINE):
        return Redundancy(
            subject=None, state=None, detail="single route processor (no valid partner)"
        )
    partner = re.search(
        r"^\s*(?:Node Redundancy )?Partner(?: node)? \((\S+)\) is in (\S+) role",
        text,
        re.MULTILINE | re.IGNORECASE,
    )
    if partner is None:
        raise Unreadable("no partner line")
    node, role = partner.groups()
    readiness = re.search(
        rf"^\s*Standby node in {re.escape(node)} is ((?:not )?ready)\s*$", text,
        re.MULTILINE | re.IGNORECASE,
    )
    if role.upper() != "STANDBY":
        # A partner that is listed but not in the standby role cannot take over.
        return Redundancy(subject=f"standby {node}", state=f"{role} role, "
                          + (readiness.group(1) if readiness else "no readiness reported"),
                          detail="dual route processor")
    if readiness is None:
        raise Unreadable(f"no readiness line for standby {node}")
    return Redundancy(subject=f"standby {node}", state=readiness.group(1).lower(),
                      detail="dual route processor")


# An ASA failover pair is two chassis: each unit is inspected on its own, so only this unit's
# own failover state is judged. The mate's state is the mate's own record.
def _asa_failover_genie(parsed: dict[str, Any]) -> Redundancy:
    if not parsed["failover_enabled"]:
        return Redundancy(subject=None, state=None, detail="failover off: a standalone unit")
    return Redundancy(
        subject=f"this unit ({parsed['failover_unit']})",
        state=parsed["this_host"]["state"],
        detail="failover on",
    )


def _asa_failover_rows(rows: list[dict[str, Any]]) -> Redundancy:
    row = rows[0]
    if row["state"].lower() == "off":
        return Redundancy(subject=None, state=None, detail="failover off: a standalone unit")
    states = [s for s in row.get("service_state") or [] if s]
    if not states:
        raise Unreadable("no state for this unit")
    return Redundancy(
        subject=f"this unit ({row['role']})", state=", ".join(states), detail="failover on"
    )


_PEER_HEADING = re.compile(r"^[ \t]*Peer Processor Information[ \t]*:", re.MULTILINE)
_SOFTWARE_STATE = re.compile(r"^[ \t]*Current Software state[ \t]*=", re.MULTILINE)
_DUPLEX = re.compile(r"^[ \t]*Hardware Mode[ \t]*=[ \t]*Duplex\b", re.MULTILINE | re.IGNORECASE)
_PEER_NOT_AVAILABLE = re.compile(r"^[ \t]*Peer \(slot:[^)]*\) information is not available",
                                 re.MULTILINE)


def count_peer_states(text: str) -> int:
    """The peer supervisors whose state the text shows. A peer's heading with no state below
    it is cut short: its peer is neither ready nor missing. (A peer the chassis lost is
    printed as `Peer (slot: 6) information is not available because it is in 'DISABLED'
    state`, which Genie leaves out: its value is then `not listed`.) A duplex chassis prints
    one or the other: an output showing neither was cut before its peer, which is then not
    known to be missing."""
    shown = 0
    for heading in _PEER_HEADING.finditer(text):
        if not _SOFTWARE_STATE.search(text, heading.end()):
            raise Unreadable("`Peer Processor Information` is printed with no state below it: "
                             "the output is cut short")
        shown += 1
    if not shown and _DUPLEX.search(text) and not _PEER_NOT_AVAILABLE.search(text):
        raise Unreadable("a duplex chassis's output that shows neither its peer's state nor "
                         "that it is not available: the output is cut short")
    return shown


_PEER_STATES = Rows(
    count_peer_states,
    lambda r: 0 if r.subject is None or r.state == "not listed" else 1,
    what="peer supervisor states",
)

# The headings one reply prints once, whatever the chassis: so in every output of the
# corpus, a Catalyst 3850 stack, 4500, 6500, 7600, 9400 and 9500, an ASR 1000 with two route
# processors, a Nexus with two supervisors, ASAs in failover or alone (IOS-XR's above). A
# second capture beside the first would say one peer is not available and the other that it
# is ready, and the reader took either.
_REDUNDANCY_HEADING_ONCE = SaidOnce(
    re.compile(r"^[ \t]*Redundant System Information", re.MULTILINE), "the heading")
_NXOS_SUPERVISOR_HEADING_ONCE = SaidOnce(
    re.compile(r"^(?:Redundancy mode|This supervisor|Other supervisor)\b", re.MULTILINE),
    "the heading")
_FAILOVER_STATE_ONCE = SaidOnce(
    re.compile(r"^[ \t]*Failover (?:On|Off)\b", re.MULTILINE), "the failover line")

REDUNDANCY = Fact(
    "redundancy",
    {
        "cisco_xe": Source("show redundancy", Genie(_iosxe_redundancy), rows=_PEER_STATES,
                           whole=_REDUNDANCY_HEADING_ONCE),
        # Catalyst 6500 / 7600 print it as IOS-XE does; a switch without the command has
        # no second supervisor to judge.
        "cisco_ios": Source("show redundancy", Genie(_iosxe_redundancy), when_rejected="skip",
                            rows=_PEER_STATES, whole=_REDUNDANCY_HEADING_ONCE),
        "cisco_nxos": Source("show redundancy status", Genie(_nxos_redundancy),
                             whole=_NXOS_SUPERVISOR_HEADING_ONCE),
        "cisco_xr": Source("show redundancy", Own(parse_xr_redundancy),
                           whole=_XR_REDUNDANCY_HEADING_ONCE),
        "cisco_asa": Source(
            "show failover", Genie(_asa_failover_genie), TextFSM(_asa_failover_rows),
            whole=_FAILOVER_STATE_ONCE,
        ),
    },
)


@check(
    id="op.redundancy.standby",
    title="A dual-supervisor chassis has its standby ready to take over",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[REDUNDANCY],
)
def redundancy_standby(redundancy: Redundancy, policy: Policy) -> Outcome:
    if redundancy.subject is None:
        return Outcome.skipped(f"no standby to judge: {redundancy.detail}")
    ready = {norm_state(s) for s in policy["operational.redundancy.ready_states"]}
    states = [norm_state(s) for s in (redundancy.state or "").split(",")]
    evidence = [
        Evidence(path=f"redundancy/{redundancy.subject}", expected="ready", actual=redundancy.state)
    ]
    if not all(s in ready for s in states):
        return Outcome.failed(
            f"{redundancy.subject} is {redundancy.state} ({redundancy.detail})", evidence
        )
    return Outcome.passed(
        f"{redundancy.subject} is {redundancy.state} ({redundancy.detail})", evidence
    )


# --- op.logging.critical -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LogBuffer:
    lines: tuple[str, ...]
    # `Buffer logging: disabled`: whichever parser served, the fact says so, since an empty
    # buffer then tells nothing of the chassis's history.
    disabled: bool = False


def _refuse_filtered(text: str) -> None:
    # A capture made with `| include ...` hides exactly the lines this check looks for.
    first = next((line for line in text.splitlines() if line.strip()), "")
    if re.match(r"^\s*(?:\S+[#>])?\s*show\s.*\|", first):
        raise Unreadable(f"filtered output ({first.strip()}): not the whole log")


def _ios_logging_genie(parsed: dict[str, Any]) -> LogBuffer:
    disabled = parsed.get("logging", {}).get("buffer", {}).get("status") == "disabled"
    if "log_buffer_bytes" not in parsed and not disabled:
        raise Unreadable("no log buffer section")  # cut before it
    return LogBuffer(lines=tuple(parsed.get("logs", [])), disabled=disabled)


_BUFFER_DISABLED = re.compile(r"^\s*Buffer logging:\s*disabled", re.MULTILINE | re.IGNORECASE)


def parse_ios_logging(text: str) -> LogBuffer:
    _refuse_filtered(text)
    disabled = bool(_BUFFER_DISABLED.search(text))
    parts = re.split(r"^\s*Log Buffer \(\d+ bytes\):\s*$", text, maxsplit=1, flags=re.MULTILINE)
    if len(parts) < 2:
        if disabled:
            return LogBuffer(lines=(), disabled=True)
        raise Unreadable("no log buffer section")
    lines = tuple(line.strip() for line in parts[1].splitlines() if line.strip())
    return LogBuffer(lines=lines, disabled=disabled)


_TAG = re.compile(r"%(?P<tag>(?:[A-Za-z0-9_]+-)+?(?P<severity>[0-7])-[A-Za-z0-9_]+)")


def parse_nxos_logfile(text: str) -> LogBuffer:
    # The logfile has no header or footer: only a message line shows the capture holds a log.
    _refuse_filtered(text)
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not any(_TAG.search(line) for line in lines):
        raise Unreadable("no syslog message in the logfile")
    return LogBuffer(lines=lines)


def parse_asa_logging(text: str) -> LogBuffer:
    # TextFSM's rows cannot tell a whole buffer from a pasted fragment: the header says.
    _refuse_filtered(text)
    header = _first(r"^\s*Buffer logging:\s*(.+)$", text)
    if header is None:
        raise Unreadable("no Buffer logging line")
    return LogBuffer(lines=tuple(line.strip() for line in text.splitlines() if _TAG.search(line)),
                     disabled=header.lower().startswith("disabled"))


def _messages(lines: Iterable[str]) -> int:
    """How many syslog messages the lines hold: each tag, two on one line included."""
    return sum(len(_TAG.findall(line)) for line in lines)


# Every syslog message in the raw text: a parser that kept fewer lost some.
LOG_MESSAGES = Rows(lambda text: len(_TAG.findall(text)), lambda buffer: _messages(buffer.lines),
                    what="log messages")
# The header one reply prints once above its buffer, on IOS, IOS-XE, IOS-XR and ASA: so in
# every output of the corpus and the lab. Two captures saved as one listed each message of
# both, and the PASS counted them all.
_LOG_HEADER_ONCE = SaidOnce(re.compile(r"^[ \t]*(?:Syslog logging|Log Buffer)\b", re.MULTILINE),
                            "the header line")
_IOS_LOGGING = Source("show logging", Genie(_ios_logging_genie), Own(parse_ios_logging),
                      rows=LOG_MESSAGES, whole=_LOG_HEADER_ONCE)
LOGGING = Fact(
    "log_buffer",
    {
        "cisco_ios": _IOS_LOGGING,
        "cisco_xe": _IOS_LOGGING,
        # Genie's IOS-XR parser is pathologically slow (0.25 s on the lab's 2.6 kB log, 2.3 s
        # on the corpus's 16 kB one) and counts the `Logging to` header as a message; ours
        # reads the same messages, so it goes first and Genie stays as the fallback.
        "cisco_xr": Source("show logging", Own(parse_ios_logging), Genie(_ios_logging_genie),
                           rows=LOG_MESSAGES, whole=_LOG_HEADER_ONCE),
        # The logfile has no header: no rule tells two of it from one.
        "cisco_nxos": Source("show logging logfile", Own(parse_nxos_logfile), rows=LOG_MESSAGES),
        "cisco_asa": Source("show logging", Own(parse_asa_logging), rows=LOG_MESSAGES,
                            whole=_LOG_HEADER_ONCE),
    },
)


def serious_log_lines(lines: Iterable[str], policy: Policy) -> list[str]:
    """Lines at a critical severity, or of a hardware family at warning or worse."""
    max_severity = int(policy["operational.logging.max_severity"])
    family_max = int(policy["operational.logging.family_max_severity"])
    of_family, ignored = _log_patterns(
        tuple(f.upper() for f in policy["operational.logging.hardware_families"]),
        tuple(i.lower() for i in policy["operational.logging.ignore"]))
    found = []
    for line in lines:
        # Each message of the line: two logged at one moment can run together on one line
        # (`...: %LINK-3-UPDOWN: ... %SYS-2-MALLOCFAIL: ...`), and the second is no less said.
        tags = list(_TAG.finditer(line))
        for at, m in enumerate(tags):
            tag, severity = m["tag"].upper(), int(m["severity"])
            # "platform-2-ps_ok: power supply 1 ok", up to the next message of the line
            end = tags[at + 1].start() if at + 1 < len(tags) else None
            message = line[m.start() + 1 : end].rstrip().lower()
            if ignored is not None and ignored.match(message):
                continue
            if severity <= max_severity or (
                    severity <= family_max and of_family is not None and of_family.search(tag)):
                found.append(line)
                break
    return found


@lru_cache(maxsize=8)
def _log_patterns(families: tuple[str, ...], ignored: tuple[str, ...]
                  ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The policy's hardware families as one pattern (a family is a whole word of the tag),
    and its ignored messages' shell patterns as one (`fnmatch`'s own translation, each to the
    message's end): made once per policy, not once per line and pattern. None for an empty
    list, which matches nothing."""
    words = "|".join(map(re.escape, families))
    family = re.compile(rf"(?<![A-Z0-9])(?:{words})(?![A-Z0-9])") if families else None
    ignore = (re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in ignored))
              if ignored else None)
    return family, ignore


@check(
    id="op.logging.critical",
    title="No critical or hardware messages in the log buffer",
    domain=Domain.OPERATIONAL,
    severity=Severity.MAJOR,
    facts=[LOGGING],
)
def logging_critical(log_buffer: LogBuffer, policy: Policy) -> Outcome:
    serious = serious_log_lines(log_buffer.lines, policy)
    if serious:  # whatever else the buffer lacks, these were seen
        return Outcome.failed(
            f"{len(serious)} critical or hardware message(s) in the log, first: {serious[0]}",
            [
                Evidence(path="logging", expected="no critical or hardware messages", actual=line)
                for line in serious[:MAX_QUOTED]
            ],
        )
    # No log is no evidence: "no critical messages" needs messages to have been kept. A
    # line without a syslog tag (an AAA notice, an editor's `{output removed}`) is none, and
    # a buffer that is off now keeps only what was left from before it was turned off.
    messages = _messages(log_buffer.lines)
    unseen = None
    if log_buffer.disabled:
        unseen = ("buffer logging is disabled: the chassis keeps no log to read"
                  + (f" ({messages} message(s) left from before)" if messages else ""))
    elif not messages:
        unseen = ("the log buffer holds no message (cleared, cut, or nothing kept; a line "
                  "without a syslog tag is none): nothing to judge")
    if unseen:
        if policy["operational.logging.without_log"] == "skip":
            return Outcome.skipped(unseen)
        return Outcome.error(unseen)
    return Outcome.passed(
        f"{messages} log message(s), none critical or hardware",
        [Evidence(path="logging", actual=f"{messages} message(s) read")],
    )


# --- op.interfaces.errdisabled -------------------------------------------------------------

ErrDisabled = dict[str, str]  # port -> what the device says about it


def _xe_errdisabled_genie(parsed: dict[str, Any]) -> ErrDisabled:
    return {
        port: f"{i.get('status', '')} {i.get('reason', '')}".strip()
        for port, i in parsed["interfaces"].items()
    }


def _errdisabled_rows(rows: list[dict[str, Any]]) -> ErrDisabled:
    return {r["interface"]: f"{r['status']} {r.get('port_error', '')}".strip() for r in rows}


def parse_errdisabled(text: str) -> ErrDisabled:
    """The table lists only error-disabled ports, so no rows (even no output) means none."""
    found: ErrDisabled = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or set(stripped) <= {"-"} or re.match(r"^Port\s+Name\s+Status", stripped):
            continue
        # NX-OS prints reasons such as linkFlapErr; every row mentions "err" somewhere.
        m = re.match(r"^([A-Za-z][A-Za-z-]*\d+(?:[/:.]\d+)*)\s+(.*err.*)$", stripped, re.IGNORECASE)
        if m is None:
            raise Unreadable(f"not an err-disabled table row: {stripped[:80]!r}")
        found[m[1]] = " ".join(m[2].split())
    return found


_ERRDISABLED_HEADER = re.compile(r"^\s*Port\s+Name\s+Status", re.MULTILINE)


def count_nxos_errdisabled(text: str) -> int:
    """NX-OS prints the table's header even when it lists no port (IOS prints nothing at
    all): an output without it, empty or not, is not that table."""
    if not (header := _ERRDISABLED_HEADER.search(text)):
        raise Unreadable("no `Port Name Status Reason` header, which NX-OS prints even when "
                         "no port is error-disabled")
    rows = text[header.end():].split("\n")[1:]
    return sum(1 for line in rows if line.strip() and not set(line.strip()) <= {"-"})


ERRDISABLED = Fact(
    "errdisabled",
    {
        # Routers (ISR 4000 and ASR 1000 on IOS-XE; ISR G2, 7200 and 7600 on IOS) have no
        # switch ports and reject the command: nothing to err-disable there.
        "cisco_xe": Source(
            "show interfaces status err-disabled",
            Genie(_xe_errdisabled_genie),
            Own(parse_errdisabled),
            when_rejected="skip",
        ),
        # No Genie parser for these two; the TextFSM templates match nothing on an empty table.
        "cisco_ios": Source(
            "show interfaces status err-disabled",
            TextFSM(_errdisabled_rows),
            Own(parse_errdisabled),
            when_rejected="skip",
        ),
        "cisco_nxos": Source(
            "show interface status err-disabled",
            TextFSM(_errdisabled_rows),
            Own(parse_errdisabled),
            rows=Rows(count_nxos_errdisabled, what="err-disabled ports"),
        ),
    },
)


@check(
    id="op.interfaces.errdisabled",
    title="No port is error-disabled",
    domain=Domain.OPERATIONAL,
    severity=Severity.MINOR,
    facts=[ERRDISABLED],
)
def interfaces_errdisabled(errdisabled: ErrDisabled, policy: Policy) -> Outcome:
    if errdisabled:
        return Outcome.failed(
            f"{len(errdisabled)} port(s) error-disabled: "
            + ", ".join(f"{p} ({why})" for p, why in errdisabled.items()),
            [
                Evidence(path=f"interfaces/{p}", expected="not err-disabled", actual=why)
                for p, why in errdisabled.items()
            ],
        )
    # The device lists only error-disabled ports: its complete, empty table is what was seen.
    return Outcome.passed(
        "no port is error-disabled: the device's err-disabled table lists none",
        [Evidence(path="interfaces", actual="no err-disabled port listed")],
    )


# --- op.interfaces.errors ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ErrorCounters:
    input_errors: int
    crc: int
    # A Fibre Channel port (MDS `fc1/1`, a SAN port channel): it counts frames, not packets,
    # and prints no `input errors` line; its input `errors` and `CRC` are what is judged.
    fibre_channel: bool = False


InterfaceErrors = dict[str, ErrorCounters]


def _counted(found: InterfaceErrors) -> InterfaceErrors:
    if not found:
        raise Unreadable("no interface with error counters")
    return found


def _interfaces_genie(parsed: dict[str, Any]) -> InterfaceErrors:
    found: InterfaceErrors = {}
    for name, data in parsed.items():
        counters = (data.get("counters") or {}) if isinstance(data, dict) else {}
        if "in_errors" in counters:  # tunnels and loopbacks print no error counters
            found[name] = ErrorCounters(
                input_errors=int(counters["in_errors"]), crc=int(counters.get("in_crc_errors", 0))
            )
    return _counted(found)


# A Fibre Channel port's input counters, as MDS NX-OS prints them under `N frames input`:
#   `0 discards, 0 errors` / `0 CRC,  0 unknown class` (older releases), or
#   `0 discards,0 errors` / `0 invalid CRC/FCS,0 unknown class` (8.x and later).
_FC_INPUT = re.compile(
    r"\d+ frames input\b.*\n\s*\d+ discards,\s*(?P<errors>\d+) errors\b.*\n"
    r"\s*(?P<crc>\d+) (?:invalid )?CRC\b"
)


def _fc_counters(name: str, block: str) -> ErrorCounters:
    found = _FC_INPUT.search(block)
    if found is None:  # the port is listed and its counters are not where they belong
        raise Unreadable(f"{name} counts frames but its input errors and CRC lines are unread")
    return ErrorCounters(input_errors=int(found["errors"]), crc=int(found["crc"]),
                         fibre_channel=True)


# A block starts at an unindented `<name> is ...` line (ASA: `Interface <name> "nameif", is
# ...`). Looked for after line ends, not at every character: 1.2 -> 0.1 ms on 150 kB.
_NEXT_BLOCK = re.compile(r"\n(?=(?:Interface )?[A-Za-z][\w\-/.:]*\d\S*\s.*\bis\s)")
_BLOCK_NAME = re.compile(r"(?:Interface )?(\S+)")
# A counter's words, each read with the number written just before them (`12 input errors`).
# Searched from the words, not from every digit, which is 25 times faster on 48 ports.
_INPUT_ERRORS = re.compile(r" input errors?\b")
_CRC = re.compile(r" CRC\b")
_FRAMES_INPUT = re.compile(r" frames input\b")


def _numbers_before(words: re.Pattern[str], text: str) -> Iterator[int]:
    r"""The number just before each of `words` that has one, in order: what
    `(\d+)<words>` finds, one match after another."""
    for found in words.finditer(text):
        start = end = found.start()
        while start and text[start - 1].isdecimal():  # what `\d` matches
            start -= 1
        if start < end:
            yield int(text[start:end])


def parse_interface_counters(text: str) -> InterfaceErrors:
    """Blocks start at an unindented `<name> is ...` (ASA: `Interface <name> "nameif", is ...`);
    in each, the first `N input errors` and `N CRC` (or a Fibre Channel port's frames)."""
    found: InterfaceErrors = {}
    ends = [0, *(block.end() for block in _NEXT_BLOCK.finditer(text)), len(text)]
    for start, end in pairwise(ends):
        block = text[start:end]
        name = _BLOCK_NAME.match(block)
        if name is None:
            continue
        if next(_numbers_before(_FRAMES_INPUT, block), None) is not None:
            found[name[1]] = _fc_counters(name[1], block)
            continue
        errors = next(_numbers_before(_INPUT_ERRORS, block), None)
        if errors is not None:
            found[name[1]] = ErrorCounters(
                input_errors=errors, crc=next(_numbers_before(_CRC, block), 0))
    return _counted(found)


# One `N input errors` per interface that counts errors (tunnels and loopbacks print none).
# A Fibre Channel port prints none: one `N frames input` each, counted on their own, so that
# an MDS is never judged on its management port alone.
_ETHERNET, _FIBRE_CHANNEL = "interfaces with counters", "Fibre Channel ports"
# The rows are counted from the words alone, with no number nor space before them
# (`_INPUT_ERRORS` needs both): a row a reader could not read is still counted against it.
_INPUT_ERROR_WORDS = re.compile(r"input errors?\b")


def _interface_rows(text: str) -> dict[str, int]:
    return {_ETHERNET: len(_INPUT_ERROR_WORDS.findall(text)),
            _FIBRE_CHANNEL: sum(1 for _ in _numbers_before(_FRAMES_INPUT, text))}


def _interface_kinds(found: InterfaceErrors) -> dict[str, int]:
    fc = sum(c.fibre_channel for c in found.values())
    return {_ETHERNET: len(found) - fc, _FIBRE_CHANNEL: fc}


INTERFACE_ROWS = Rows(_interface_rows, _interface_kinds)

# The check reads two integers a port. Ours reads just those, from each block's own lines,
# in under a millisecond on 48 ports; Genie's parsers build some forty fields a port and take
# 8 to 15 ms (with their metaparser's schema check, 150 ms more: skipped, as the extractor
# takes two integers and rejects anything else). Genie reads what ours cannot.
_GENIE_INTERFACES = Genie(_interfaces_genie, schema_check=False)
_OWN_INTERFACES = Own(parse_interface_counters)
INTERFACE_ERRORS = Fact(
    "interface_errors",
    {
        "cisco_ios": Source("show interfaces", _OWN_INTERFACES, _GENIE_INTERFACES,
                            rows=INTERFACE_ROWS),
        "cisco_xe": Source("show interfaces", _OWN_INTERFACES, _GENIE_INTERFACES,
                           rows=INTERFACE_ROWS),
        "cisco_nxos": Source("show interface", _OWN_INTERFACES, _GENIE_INTERFACES,
                             rows=INTERFACE_ROWS),
        "cisco_xr": Source("show interfaces", _OWN_INTERFACES, _GENIE_INTERFACES,
                           rows=INTERFACE_ROWS),
        # No Genie parser; the TextFSM template does not capture the error counters.
        "cisco_asa": Source("show interface", _OWN_INTERFACES, rows=INTERFACE_ROWS),
    },
)


@check(
    id="op.interfaces.errors",
    title="No interface has input or CRC errors above the policy threshold",
    domain=Domain.OPERATIONAL,
    severity=Severity.MINOR,
    facts=[INTERFACE_ERRORS],
)
def interfaces_errors(interface_errors: InterfaceErrors, policy: Policy) -> Outcome:
    max_input = int(policy["operational.interfaces.max_input_errors"])
    max_crc = int(policy["operational.interfaces.max_crc_errors"])
    bad = {
        n: c for n, c in interface_errors.items() if c.input_errors > max_input or c.crc > max_crc
    }
    if bad:
        return Outcome.failed(
            f"{len(bad)} interface(s) with errors: "
            + ", ".join(f"{n} {c.input_errors} input errors, {c.crc} CRC" for n, c in bad.items()),
            [
                Evidence(
                    path=f"interfaces/{n}",
                    expected=f"at most {max_input} input errors, {max_crc} CRC",
                    actual=f"{c.input_errors} input errors, {c.crc} CRC",
                )
                for n, c in bad.items()
            ],
        )
    fc = sum(c.fibre_channel for c in interface_errors.values())
    read = f"{len(interface_errors)} interface(s)" + (f" ({fc} Fibre Channel)" if fc else "")
    return Outcome.passed(
        f"{read} within {max_input} input / {max_crc} CRC errors",
        [Evidence(path="interfaces", actual=f"{read} read")],
    )


# --- op.software.boot ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BootImages:
    units: dict[str, list[str]]  # "active", "standby", "switch 2", "sup-2" -> images, in order


@dataclass(frozen=True, kw_only=True)
class RunningSoftware:
    """What `show version` says the chassis runs: the image file it booted, or why it names
    none, and the release (IOS-XR checks its active packages against it)."""

    image: str | None
    release: str | None = None
    bootstrap: str | None = None  # a boot helper image runs (`IGS-BOOT-R`, prompt `(boot)`)
    default: bool = False  # `Running default software`: booted with no image named


_IMAGE_FILE = re.compile(r'^[ \t]*System image file is "([^"\n]*)"', re.MULTILINE)
# The running image's family on the banner line (not the `ROM:` or `BOOTLDR:` line).
_BOOT_HELPER = re.compile(r"^(?![ \t]*(?:ROM|BOOTLDR):).*\(([A-Za-z0-9_]+-BOOT-[A-Za-z0-9]*)\)",
                          re.MULTILINE)
_DEFAULT_SOFTWARE = re.compile(r"^[ \t]*Running default software[ \t]*$", re.MULTILINE)


def parse_ios_running(text: str) -> RunningSoftware:
    image = _IMAGE_FILE.search(text)
    helper = _BOOT_HELPER.search(text)
    default = bool(_DEFAULT_SOFTWARE.search(text))
    if not (image or helper or default):
        raise Unreadable("no `System image file is` line")
    return RunningSoftware(image=image[1] if image else None,
                           bootstrap=helper[1] if helper else None, default=default)


def parse_nxos_running(text: str) -> RunningSoftware:
    # Genie's parser raises on Nexus 5000 outputs (KeyError 'platform'); the line is plain.
    image = _first(r"^\s*(?:NXOS|system) image file is:\s*(\S+)", text)
    if image is None:
        raise Unreadable("no `NXOS image file is` / `system image file is` line")
    return RunningSoftware(image=image)


def _xr_running_genie(parsed: dict[str, Any]) -> RunningSoftware:
    return RunningSoftware(image=parsed.get("image"), release=str(parsed["software_version"]))


_IOS_RUNNING = Source("show version", Own(parse_ios_running), whole=banner_said_twice)
RUNNING = Fact(
    "running_software",
    {
        "cisco_ios": _IOS_RUNNING,
        "cisco_xe": _IOS_RUNNING,
        "cisco_nxos": Source("show version", Own(parse_nxos_running), whole=banner_said_twice),
        "cisco_xr": Source("show version", Genie(_xr_running_genie), whole=banner_said_twice),
    },
)


@dataclass(frozen=True, kw_only=True)
class ActivePackages:
    """IOS-XR boots packages, not a file: what runs is what is active."""

    packages: list[str]


def _boot_list(value: str) -> list[str]:
    """`bootflash:a.bin,12;bootflash:b.bin,12;` -> [bootflash:a.bin, bootflash:b.bin]."""
    return [re.sub(r",\d+$", "", p.strip()) for p in value.split(";") if p.strip()]


def _xe_bootvar_genie(parsed: dict[str, Any]) -> BootImages:
    # Genie leaves out an empty BOOT variable, which then looks like a cut-off output.
    active = parsed.get("active", {}).get("boot_variable")
    if active is None:
        raise Unreadable("no BOOT variable")
    units = {"active": _boot_list(active)}
    if parsed.get("standby", {}).get("boot_variable") is not None:
        units["standby"] = _boot_list(parsed["standby"]["boot_variable"])
    return BootImages(units=units)


def parse_xe_bootvar(text: str) -> BootImages:
    units: dict[str, list[str]] = {}
    for standby, value in re.findall(r"^\s*(Standby )?BOOT variable\s*=(.*)$", text, re.MULTILINE):
        units["standby" if standby else "active"] = _boot_list(value)
    if "active" not in units:
        raise Unreadable("no BOOT variable line")
    return BootImages(units=units)


_BOOTVAR_LINE = re.compile(r"^[ \t]*(Standby )?(BOOT|CONFIG_FILE) variable\b.*$", re.MULTILINE)


def count_bootvar_units(text: str) -> int:
    """The units whose `BOOT variable` line `show bootvar` prints (active, standby). Each is
    followed by its `CONFIG_FILE variable` line, on every release: a BOOT line without one
    after it is an output cut short (`BOOT variable = fl`), not the image it names."""
    lines = [(unit or "", kind, m[0]) for m in _BOOTVAR_LINE.finditer(text)
             for unit, kind in [m.groups()]]
    for at, (unit, kind, line) in enumerate(lines):
        if kind == "BOOT" and not any(u == unit and k == "CONFIG_FILE" for u, k, _ in lines[at:]):
            raise Unreadable(f"`{line.strip()}` has no {unit}CONFIG_FILE line after it: the "
                             "output is cut short")
    return sum(1 for _, kind, _ in lines if kind == "BOOT")


_BOOTVAR_UNITS = Rows(count_bootvar_units, lambda value: len(value.units), what="boot units")


def _ios_boot_genie(parsed: dict[str, Any]) -> BootImages:
    # A stack's first member is at the top level, the others under "switches".
    members = {"active": parsed} | {
        f"switch {n}": member for n, member in parsed.get("switches", {}).items()
    }
    if not all(m.get("boot_path_list") for m in members.values()):
        raise Unreadable("no BOOT path-list")  # empty or missing: the text decides
    return BootImages(units={u: _boot_list(m["boot_path_list"]) for u, m in members.items()})


def parse_ios_boot(text: str) -> BootImages:
    """Catalyst `show boot`; a stack prints one section per member, headed `Switch N`."""
    units: dict[str, list[str]] = {}
    unit = "active"
    for line in text.splitlines():
        if m := re.match(r"^\s*Switch\s+(\d+)\s*$", line):
            unit = "active" if not units else f"switch {m[1]}"
        elif m := re.match(r"^\s*BOOT path-list\s*:(.*)$", line):
            units[unit] = _boot_list(m[1])
    if not units:
        raise Unreadable("no BOOT path-list line")
    return BootImages(units=units)


def _nxos_system_image(value: str) -> list[str]:
    """An ACI-mode leaf joins its kickstart and system images: `a.bin|bootflash:/auto-s`;
    the system image is what `show version` names as running."""
    image = value.split("|")[-1].strip()
    return [image] if image else []


def _nxos_boot_genie(parsed: dict[str, Any]) -> BootImages:
    units: dict[str, list[str]] = {}
    for sup, variables in parsed["next_reload_boot_variable"]["sup_number"].items():
        units["active" if not units else sup] = _nxos_system_image(
            variables.get("system_variable") or "")
    return BootImages(units=units)


def parse_nxos_boot(text: str) -> BootImages:
    """`NXOS variable` (7.0 on) or `system variable` (older), per sup; next reload wins."""
    section = re.split(r"^Boot Variables on next reload:", text, maxsplit=1, flags=re.MULTILINE)[-1]
    units: dict[str, list[str]] = {}
    sup = "sup-1"
    for line in section.splitlines():
        if m := re.match(r"^\s*(sup-\d+)\s*$", line):
            sup = m[1]
        elif m := re.match(r"^\s*(?:NXOS|system) variable\s*=\s*(\S*)", line):
            units["active" if not units else sup] = _nxos_system_image(m[1])
    if not units:
        raise Unreadable("no NXOS or system boot variable")
    return BootImages(units=units)


_NXOS_SUP = re.compile(r"^[ \t]*(sup-\d+)[ \t]*$", re.MULTILINE)


def count_nxos_boot_sups(text: str) -> int:
    """The supervisors the next reload's boot variables are listed for. Each heading has its
    variable below it (or `Boot POAP`, or a line saying none is set): a heading with nothing
    below it is an output cut short, no supervisor without a boot image."""
    section = re.split(r"^Boot Variables on next reload:", text, maxsplit=1, flags=re.MULTILINE)[-1]
    sups = list(_NXOS_SUP.finditer(section))
    if sups and not section[sups[-1].end():].strip():
        raise Unreadable(f"`{sups[-1][1]}` has nothing below it in the boot variables: the "
                         "output is cut short")
    return len(sups)


def _xr_packages_genie(parsed: dict[str, Any]) -> ActivePackages:
    listed = parsed.get("active_packages")
    if isinstance(listed, list):
        if not listed:
            raise Unreadable("no active package listed")  # nothing counted is no evidence
        return ActivePackages(packages=listed)
    # 64-bit releases print a label and tables of package name -> version instead.
    packages = [
        f"{name} {version}"
        for key, table in parsed.items()
        if key.endswith("_packages") and isinstance(table, dict) and key != "active_packages"
        for name, version in table.items()
    ]
    if parsed.get("label"):
        packages.insert(0, f"label {parsed['label']}")
    if not packages:
        raise Unreadable("no active package")
    return ActivePackages(packages=packages)


# 64-bit IOS-XR 6.x declares how many packages it lists (`Active Packages: 9`): a listing
# holding fewer is cut short. (7.x's `XR: 201  All: 1532` counts packages its tables of
# optional ones never list, and 32-bit releases print no count.)
_DECLARED_PACKAGES = re.compile(r"^[ \t]*Active Packages:[ \t]*(\d+)[ \t]*$", re.MULTILINE)
_XR_PACKAGES = Rows(
    lambda text: sum(int(n) for n in _DECLARED_PACKAGES.findall(text)),
    lambda value: len(value.packages),
    what="active packages",
)


BOOT = Fact(
    "boot",
    {
        "cisco_xe": Source("show bootvar", Genie(_xe_bootvar_genie), Own(parse_xe_bootvar),
                           rows=_BOOTVAR_UNITS, whole=_XE_BOOT_VARIABLE_ONCE),
        # Not TextFSM: on a stack its template keeps only the last member's boot path.
        # Catalyst 6500 / 7600 and ISR G2 have no `show boot`: their `show bootvar` prints
        # the `BOOT variable` as IOS-XE does.
        "cisco_ios": Source("show boot", Genie(_ios_boot_genie), Own(parse_ios_boot),
                            Own(parse_xe_bootvar), fallbacks=("show bootvar",),
                            rows=_BOOTVAR_UNITS),
        "cisco_nxos": Source("show boot", Genie(_nxos_boot_genie), Own(parse_nxos_boot),
                             rows=Rows(count_nxos_boot_sups, lambda value: len(value.units),
                                       what="supervisors")),
        "cisco_xr": Source("show install active summary", Genie(_xr_packages_genie),
                           rows=_XR_PACKAGES),
    },
)


def same_image(a: str, b: str) -> bool:
    """`bootflash:///nxos.bin`, `bootflash:/nxos.bin`, `bootflash:nxos.bin` and, as NX-OS
    in ACI mode prints it, `/bootflash/nxos.bin` are one file."""

    def norm(path: str) -> str:
        path = re.sub(r"^/(\w+)/", r"\1:", path.strip().strip('"').lower())
        return re.sub(r":/+", ":", path)

    return norm(a) == norm(b)


def of_release(package: str, release: str) -> bool:
    """`asr9k-mini-px-6.1.4`, `xr-bgp 6.1.4v1.0.0-1`, `ncs5500-mpls-2.1.0.0-r614`: all 6.1.4."""
    dotted = rf"(?<![\d.]){re.escape(release)}(?!\d)"
    compact = rf"-r{release.replace('.', '')}(?![\d])"  # 64-bit 6.x optional packages
    return bool(re.search(dotted, package) or re.search(compact, package))


def _xr_release_check(version: str, packages: list[str]) -> Outcome:
    # A package of another release left active means an upgrade stopped half way.
    release = version.split()[0]
    strays = [p for p in packages if not of_release(p, release)]
    evidence = [Evidence(path="software/release", actual=version)]
    if strays:
        return Outcome.failed(
            f"active package(s) not of the running release {version}: "
            + ", ".join(strays[:MAX_QUOTED]),
            evidence
            + [
                Evidence(path="software/active_package", expected=version, actual=p)
                for p in strays[:MAX_QUOTED]
            ],
        )
    return Outcome.passed(
        f"all {len(packages)} active package(s) are of release {version}", evidence
    )


@check(
    id="op.software.boot",
    title="The chassis boots the image it is running",
    domain=Domain.OPERATIONAL,
    severity=Severity.MINOR,
    facts=[RUNNING, BOOT],
)
def software_boot(
    running_software: RunningSoftware, boot: BootImages | ActivePackages, policy: Policy
) -> Outcome:
    if isinstance(boot, ActivePackages):
        if not running_software.release:
            return Outcome.error("`show version` names no release")
        return _xr_release_check(running_software.release, boot.packages)
    if running_software.bootstrap:
        return Outcome.failed(
            f"runs its boot helper image {running_software.bootstrap}, not a system image",
            [Evidence(path="software/running", expected="a system image",
                      actual=running_software.bootstrap)])
    running = running_software.image
    if not running:
        return Outcome.error("`show version` names no running image"
                             + (" (`Running default software`)" if running_software.default
                                else ""))
    evidence = [Evidence(path="software/running", actual=running)]
    problems = []
    for unit, images in boot.units.items():
        evidence.append(
            Evidence(
                path=f"software/boot/{unit}",
                expected=running,
                actual=";".join(images) or "<not set>",
            )
        )
        if not images:
            problems.append(f"{unit} has no boot image set (the first image found would boot)")
        elif not same_image(images[0], running):
            problems.append(f"{unit} boots {images[0]}")
    if problems:
        return Outcome.failed(f"running {running} but " + "; ".join(problems), evidence)
    return Outcome.passed(f"boots the running image {running}", evidence)


# --- op.install.committed ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InstalledPackage:
    location: str
    state: str  # I inactive, U activated & uncommitted, C committed, D deactivated & uncommitted
    name: str


@dataclass(frozen=True, kw_only=True)
class InstallSummary:
    packages: list[InstalledPackage]
    rollback_timer: str | None  # an armed auto-abort timer rolls the install back by itself


def _install_genie(parsed: dict[str, Any]) -> InstallSummary:
    packages = [
        InstalledPackage(location=loc, state=p["state"], name=p["filename_version"])
        for loc, data in parsed["location"].items()
        for p in data.get("pkg_state", {}).values()
    ]
    if not packages:
        raise Unreadable("no installed package")
    timers = [d.get("auto_abort_timer", "") for d in parsed["location"].values()]
    armed = next((t for t in timers if t.startswith("active")), None)
    return InstallSummary(packages=packages, rollback_timer=armed)


def parse_install_summary(text: str) -> InstallSummary:
    packages = []
    location = "?"
    for line in text.splitlines():
        if m := re.match(r"^\s*\[\s*(.+?)\s*\]\s+Installed Package", line):
            location = m[1]
        elif m := re.match(r"^\s*(IMG|SMU|APSP|APDP|PKG|RMA)\s+([IUCD])\s+(\S+)", line):
            packages.append(InstalledPackage(location=location, state=m[2], name=m[3]))
    if not packages:
        raise Unreadable("no installed package")
    return InstallSummary(
        packages=packages, rollback_timer=_first(r"Auto abort timer:\s*(active.*)$", text)
    )


# One reply prints its auto abort timer once, and heads the packages of each group of units
# once (`[ Switch 1 2 ]`, then `[ Switch 3 ]` where a member runs another): so in every
# output of the corpus, stacks and two route processors among them. Two replies saved as one
# were read as one listing, every package counted twice.
_INSTALL_HEADINGS_ONCE = SaidOnce(
    re.compile(r"^[ \t]*(?:\[[^]\n]*\][ \t]*Installed Package\(s\) Information|Auto abort timer)",
               re.MULTILINE),
    "the line")

INSTALL = Fact(
    "install_summary",
    # IOS-XE 3.x has no install mode and no `show install` (packages are provisioned from
    # bundles there): nothing to commit.
    {"cisco_xe": Source("show install summary", Genie(_install_genie), Own(parse_install_summary),
                        when_rejected="skip", whole=_INSTALL_HEADINGS_ONCE)},
)


@check(
    id="op.install.committed",
    title="Installed software is committed (install mode)",
    domain=Domain.OPERATIONAL,
    severity=Severity.MINOR,
    facts=[RUNNING, INSTALL],
)
def install_committed(
    running_software: RunningSoftware, install_summary: InstallSummary, policy: Policy
) -> Outcome:
    image = running_software.image or ""
    if not image and running_software.default:
        # Install mode boots the packages.conf its boot variable names, and says so.
        return Outcome.skipped("`Running default software`, no image named: not install mode, "
                               "nothing to commit")
    if not image:
        return Outcome.error(
            "`show version` names no running image: cannot tell install from bundle mode"
        )
    if not image.lower().endswith(".conf"):
        return Outcome.skipped(f"bundle mode (boots {image}): nothing to commit")
    pending_states = {s.upper() for s in policy["operational.install.pending_states"]}
    pending = [p for p in install_summary.packages if p.state.upper() in pending_states]
    evidence = [
        Evidence(path=f"install/{p.location}/{p.name}", expected="C", actual=p.state)
        for p in install_summary.packages
    ]
    problems = [f"{p.name} state {p.state} on {p.location}" for p in pending]
    if install_summary.rollback_timer:
        problems.append(f"auto-abort timer {install_summary.rollback_timer}")
    if problems:
        return Outcome.failed("install not committed: " + "; ".join(problems), evidence)
    return Outcome.passed(f"{len(install_summary.packages)} package(s), none pending", evidence)
