"""Chassis identity: what the chassis is (PID, serial) and what it runs (OS, version).

The program registers licenses against the serial number, so identity is read from the
inventory (what the hardware's IDPROM says) rather than from free text in `show version`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from checks.common import (
    NO_CHASSIS,
    InventoryItem,
    banner_said_twice,
    count_inventory_entries,
    find_chassis,
    genie_inventory_items,
    names_a_chassis,
    parse_inventory_text,
)
from inspector.catalogue import check
from inspector.facts import (
    Fact,
    FactResolver,
    FactUnavailable,
    FactValue,
    Genie,
    Own,
    Rows,
    Source,
    TextFSM,
    Unreadable,
)
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy
from inspector.program import load_products
from inspector.running_os import opening_line


def _release(value: Any) -> str:
    """The release a parser read, where it read one: ntc-templates' NX-OS `show version` gives
    an empty release for an output cut after its `BIOS:` line, before `NXOS: version`."""
    if not readable(value):
        raise Unreadable(f"no release (it reads {value!r})")
    return str(value).strip()


def _ios_version(parsed: dict[str, Any]) -> dict[str, Any]:
    v = parsed["version"]
    return {
        "os": v.get("os") or "IOS",
        "version": _release(v["version"]),
        "uptime": v.get("uptime"),
        "reload_reason": v.get("last_reload_reason") or v.get("returned_to_rom_by"),
        "config_register": v.get("curr_config_register"),
        "next_config_register": v.get("next_config_register"),
        "system_image": v.get("system_image"),
        "pid": _model_number(v) or v.get("chassis"),
        "serial": v.get("chassis_sn"),
    }


def _model_number(v: dict[str, Any]) -> str | None:
    """A switch's `Model number` (WS-C3750X-24P-L), the PID its IDPROM and license UDI name,
    where the processor line names the base model only (WS-C3750X-24P): that of the switch
    whose serial is the chassis's."""
    return next((switch["model_num"] for switch in (v.get("switch_num") or {}).values()
                 if switch.get("model_num") and switch.get("system_sn") == v.get("chassis_sn")),
                None)


def _nxos_version(parsed: dict[str, Any]) -> dict[str, Any]:
    p = parsed["platform"]
    uptime = p.get("kernel_uptime") or {}
    return {
        "os": "NX-OS",
        "version": _release(p["software"]["system_version"]),
        "uptime": ", ".join(f"{uptime[k]} {k}" for k in ("days", "hours", "minutes") if k in uptime)
        or None,
        "reload_reason": p.get("reason"),
        "config_register": None,
        "next_config_register": None,
        "system_image": p["software"].get("system_image_file"),
        "pid": None,
        "serial": None,
    }


def _nxos_version_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """ntc-templates, where Genie's schema fails (Nexus 5596 on 7.1: KeyError 'platform')."""
    r = rows[0]
    image = r["boot_image"]
    return {
        "os": "NX-OS",
        "version": _release(r["os"]),
        "uptime": r.get("uptime") or None,
        "reload_reason": r.get("last_reboot_reason") or None,
        "config_register": None,
        "next_config_register": None,
        # Before 7.0(3) the template reads the kickstart image: not the system image.
        "system_image": None if "kickstart" in image else image or None,
        "pid": None,
        "serial": None,
    }


def _iosxr_version(parsed: dict[str, Any]) -> dict[str, Any]:
    return {
        "os": "IOS-XR",
        "version": _release(parsed["software_version"]),
        "uptime": parsed.get("uptime"),
        "reload_reason": None,
        "config_register": parsed.get("config_register"),
        "next_config_register": None,
        "system_image": parsed.get("image"),
        "pid": None,
        "serial": None,
    }


def _asa_version(parsed: dict[str, Any]) -> dict[str, Any]:
    v = parsed["version"]
    return {
        "os": "ASA",
        "version": _release(v["asa_version"]),
        "uptime": v.get("uptime"),
        "reload_reason": v.get("last_reload_reason"),
        "config_register": v.get("configuration_register"),
        "next_config_register": None,
        "system_image": v.get("system_image"),
        "pid": v.get("platform"),
        "serial": v.get("serial_number"),
    }


def _inventory_rows(rows: list[dict[str, Any]]) -> list[Any]:
    text = "\n".join(
        f'NAME: "{r.get("name", "")}", DESCR: "{r.get("descr", "")}"\n'
        f'PID: {r.get("pid", "")}, VID: {r.get("vid", "")}, SN: {r.get("sn", "")}'
        for r in rows
    )
    return parse_inventory_text(text)


_IOS_BANNER = re.compile(
    r"\s*(?:Cisco IOS|Cisco Internetwork Operating System Software|IOS \(tm\))", re.IGNORECASE)


def opens_with_ios_banner(text: str) -> None:
    """Real IOS and IOS-XE outputs open with the banner; one that opens otherwise is another
    command's output (a `show logging` whose restart message quotes a banner) or a fragment."""
    line = opening_line(text)
    if line is None:
        raise Unreadable("no `Cisco IOS` banner: the release is read from the banner alone")
    if not _IOS_BANNER.match(line):
        raise Unreadable(f"it opens with {line.strip()[:80]!r}, not the banner of "
                         "`show version`: the release is read from the banner alone")


VERSION = Fact(
    "version",
    {
        # The metaparser's schema check of IOS and IOS-XE `show version` costs three times
        # the parse itself (about 4 of 5 ms); the extractor checks every field it reads, and
        # the labelled corpus is judged the same without it. (Every fact reading this output
        # with Genie leaves it out alike, so they share one parse.)
        "cisco_ios": Source("show version", Genie(_ios_version, schema_check=False),
                            opening=opens_with_ios_banner, whole=banner_said_twice),
        "cisco_xe": Source("show version", Genie(_ios_version, schema_check=False),
                           opening=opens_with_ios_banner, whole=banner_said_twice),
        "cisco_nxos": Source("show version", Genie(_nxos_version), TextFSM(_nxos_version_rows),
                             whole=banner_said_twice),
        "cisco_xr": Source("show version", Genie(_iosxr_version), whole=banner_said_twice),
        "cisco_asa": Source("show version", Genie(_asa_version), whole=banner_said_twice),
    },
)

# Our own reader first: `show inventory` prints the same NAME/DESCR, PID/VID/SN pairs on every
# OS, and on real outputs Genie drops whole entries (IOS-XE `module 0/F0/R0`, the Nexus 7000
# power supplies and fan tray in slots 33-35, a Catalyst 9500X chassis and its supplies) or
# raises (ASA entries without a PID, ASR 901, Catalyst 7600), while TextFSM's IOS template
# truncates PIDs with spaces. A dropped entry would hide the very FRU whose serial is bad.
_INVENTORY_READERS = (Own(parse_inventory_text), Genie(genie_inventory_items),
                      TextFSM(_inventory_rows))
_INVENTORY_ROWS = Rows(count_inventory_entries, what="inventory entries")


def entry_listed_twice(text: str) -> None:
    """An entry listed again with its name, PID and serial: the listing twice over (a capture
    pasted twice, a terminal that printed it again), whose every unit would be counted twice.
    A chassis lists each unit once under its own name: a stack's members share PIDs, not
    serials, and a switch's serial that names both the chassis and `Switch 1` is two names.
    Entries without a serial (N/A, blank) may well repeat, and are not compared."""
    try:
        items = parse_inventory_text(text)
    except Unreadable:
        return  # no entry to compare: the readers say why
    seen: set[tuple[str, str, str]] = set()
    for item in items:
        entry = (item.name, item.pid, item.serial)
        if entry in seen:
            raise Unreadable(f"the entry {item.name!r} (PID {item.pid}, SN {item.serial}) is "
                             "listed twice: the output holds its listing twice")
        if readable(item.serial):
            seen.add(entry)


_INVENTORY_SOURCE = Source("show inventory", *_INVENTORY_READERS, rows=_INVENTORY_ROWS,
                           whole=entry_listed_twice)


def _lacks_chassis(items: list[InventoryItem]) -> str | None:
    if find_chassis(items) is not None:
        return None
    return f"{NO_CHASSIS} (it opens with {items[0].name!r})"


# Classic (32-bit) IOS-XR on CRS and ASR 9000 lists only the cards of its secure domain
# router in `show inventory`; the chassis (`Rack 0`), fans and power modules are in the admin
# plane's `admin show inventory`, which 64-bit IOS-XR prints without quotes or commas. The
# optics check reads `show inventory` through its own fact: the admin view is not its concern.
_XR_INVENTORY_SOURCE = Source(
    "show inventory",
    *_INVENTORY_READERS,
    rows=_INVENTORY_ROWS,
    whole=entry_listed_twice,
    incomplete=_lacks_chassis,
    otherwise=Source("admin show inventory", Own(parse_inventory_text), rows=_INVENTORY_ROWS,
                     whole=entry_listed_twice),
)

# The name of the one entry read from `show version`: a chassis seen, but no unit listing.
FROM_VERSION = "chassis (show version)"


def version_chassis(text: str) -> list[InventoryItem]:
    """IOS images older than `show inventory` (2500, 2600, AS2500) name the chassis only in
    `show version`: `cisco 2611XM (MPC860P) processor ...`, `Processor board ID FTX0951A011`."""
    pid = re.search(r"^cisco\s+(\S+)\s+\([^)]*\)\s+processor", text, re.MULTILINE)
    serial = re.search(r"^\s*Processor board ID\s+([^\s,]+)", text, re.MULTILINE)
    if pid is None or serial is None:
        raise Unreadable("`show version` names no chassis model and processor board ID")
    # A switch prints, for each member, its model number (WS-C3750X-24P-L: the PID its IDPROM
    # and its license UDI name) where the processor line has the base model only.
    serials, numbers = _SYSTEM_SERIAL.findall(text), _MODEL_NUMBER.findall(text)
    models = dict(zip(serials, numbers, strict=True)) if len(serials) == len(numbers) else {}
    return [InventoryItem(name=FROM_VERSION, descr=pid[0], pid=models.get(serial[1], pid[1]),
                          serial=serial[1])]


_MODEL_NUMBER = re.compile(r"^\s*Model number\s*:\s*(\S+)", re.MULTILINE | re.IGNORECASE)
_SYSTEM_SERIAL = re.compile(r"^\s*System serial number\s*:\s*(\S+)",
                            re.MULTILINE | re.IGNORECASE)


INVENTORY = Fact(
    "inventory",
    {
        **{p: _INVENTORY_SOURCE for p in ("cisco_xe", "cisco_nxos", "cisco_asa")},
        "cisco_ios": Source("show inventory", *_INVENTORY_READERS, rows=_INVENTORY_ROWS,
                            whole=entry_listed_twice,
                            otherwise=Source("show version", Own(version_chassis),
                                             whole=banner_said_twice)),
        "cisco_xr": _XR_INVENTORY_SOURCE,
    },
)

_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]")


def readable(value: str | None) -> bool:
    """Devices print N/A or nothing where an IDPROM could not be read, and a capture's owner
    may mask the serial (`******`): a value without a letter or digit is no reading."""
    return (bool(value) and _ALPHANUMERIC.search(str(value)) is not None
            and str(value).strip().upper() not in {"N/A", "NA", "NONE", "UNKNOWN", "0"})


# Where each OS's `show version` names the chassis model: IOS and IOS-XE in the processor
# line (`cisco C9500-24Y4C (X86) processor`, `Cisco 2821 (revision 53.51) with`) and in each
# switch's `Model Number` (every member of a stack); NX-OS in its chassis line (`cisco
# Nexus9000 C93180YC-EX Chassis`, `cisco Nexus 3048 Chassis`, `cisco MDS 9148S 16G 48 FC (1
# Slot) Chassis`, `cisco N9K-C93180YC-EX ("supervisor")`); ASA in `Hardware:   ASA5520, ...`.
# IOS-XR's processor line names a series or a marketing name (`ASR9K Series`, `CRS-16/S-B`
# for a CRS-16-LCC-B, `NCS-5500` for an NCS-5502-SE), not the PID: not read.
_PROCESSOR_LINE = re.compile(r"^\s*cisco\s+(\S+)\s+\([^)]*\)\s+(?:processor|with)\b",
                             re.MULTILINE | re.IGNORECASE)
_NEXUS_CHASSIS_LINE = re.compile(r"^\s*cisco\s+(.+?)(?:\s+\(\d+ Slot\))?\s+(?:chassis\b|\(\")",
                                 re.MULTILINE | re.IGNORECASE)
_NEXUS_SERIES = re.compile(r"Nexus\d*|MDS", re.IGNORECASE)  # the words before the model
_ASA_HARDWARE = re.compile(r"^Hardware:\s+([^,\s]+)", re.MULTILINE)


def _models_or_unreadable(models: list[str]) -> list[str]:
    if not models:
        raise Unreadable("`show version` names no chassis model")
    return list(dict.fromkeys(models))


def ios_models(text: str) -> list[str]:
    return _models_or_unreadable(_PROCESSOR_LINE.findall(text) + _MODEL_NUMBER.findall(text))


def nexus_models(text: str) -> list[str]:
    """The model word of the chassis line: the first with a digit after the series (none in
    `cisco NX-OSv Chassis`, a virtual machine)."""
    line = _NEXUS_CHASSIS_LINE.search(text)
    words = line[1].split() if line else []
    model = next((w for w in words if re.search(r"\d", w) and not _NEXUS_SERIES.fullmatch(w)),
                 None)
    return _models_or_unreadable([model] if model else [])


def asa_models(text: str) -> list[str]:
    return _models_or_unreadable(_ASA_HARDWARE.findall(text))


VERSION_MODELS = Fact(
    "version_models",
    {
        "cisco_ios": Source("show version", Own(ios_models)),
        "cisco_xe": Source("show version", Own(ios_models)),
        "cisco_nxos": Source("show version", Own(nexus_models)),
        "cisco_asa": Source("show version", Own(asa_models)),
    },
)

# The forms one model is written in across outputs: `CISCO2821` in the inventory and `2821`
# in show version, `N9K-C93180YC-EX` and `C93180YC-EX` / `93180YC-EX`, `DS-C9148S-K9` and
# `9148S`, `N7K-C7009` and `C7009`.
_MODEL_PREFIX = re.compile(r"^(?:CISCO|N\dK-|N77-|DS-)?C?(?=\d)")


def same_product(one: str, other: str) -> bool:
    """Equal, or one is the other plus an orderable suffix (ASA5525-K9 for ASA5525,
    C9300-48P-A for C9300-48P, ISR4431/K9 for ISR4431: outputs and checklists filled from the
    order write them so), in any of the forms a model is written in (`_MODEL_PREFIX`); a
    Nexus's show version may name its model number alone (`Nexus 3048` for N3K-C3048TP-1GE).
    Not where the program's lists tell the two apart: an ASR1002-X is no ASR1002 (one is of
    the fixed series, the other modular)."""
    a, b = (_MODEL_PREFIX.sub("", pid.strip().upper()) for pid in (one, other))
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if not (short and long.startswith(short)):
        return False
    follows = long[len(short)]
    if not (follows in "-/" or (short.isdigit() and not follows.isdigit())):
        return False
    products = load_products()
    families = {products.lookup(one).family, products.lookup(other).family}
    return None in families or len(families) == 1


def other_chassis(models: list[str] | None, chassis: InventoryItem,
                  version: dict[str, Any]) -> str | None:
    """What to say where `show version` and `show inventory`'s chassis name different
    products: outputs of two devices (a capture folder assembled from two, a session that
    reached another host), or a chassis whose own records disagree. Either way which chassis
    this is cannot be told, and nothing says it fails a requirement: ERROR, not FAIL (a FAIL
    keeps a chassis from support, and the program's fee is owed on it).

    Products are compared, not strings (`same_product`): a stack's show version names every
    member's model, and the inventory's chassis is one of them. The serials are named, never
    compared: the processor board ID is the motherboard's or a supervisor's on some
    platforms."""
    if not models or not readable(chassis.pid):
        return None
    if any(same_product(model, chassis.pid) for model in models):
        return None
    said_serial = f" serial {version['serial']}" if readable(version.get("serial")) else ""
    return (f"show version names {', '.join(models)}{said_serial}, show inventory's chassis "
            f"is {chassis.pid} serial {chassis.serial}: the two outputs are not of one chassis, "
            "so which chassis this is cannot be told")


@dataclass(frozen=True, kw_only=True)
class TwoChassis:
    """`show version` and the inventory proven of two chassis (`other_chassis`): why, the
    two outputs as read, and what each says the chassis is."""

    why: str
    outputs: tuple[FactValue, ...]
    evidence: tuple[Evidence, ...]


@cache
def _pair_commands(platform: str) -> frozenset[str]:
    """The commands `show version`'s models and the inventory are read from on `platform`."""
    return frozenset(command for fact in (VERSION_MODELS, INVENTORY)
                     if (source := fact.source(platform)) is not None
                     for group in source.command_groups for command in group)


def outputs_of_two_chassis(resolver: FactResolver, read: Iterable[str]) -> TwoChassis | None:
    """Whether `show version` and the inventory are of two chassis, for a check that reads
    the commands `read`. Which of the two is this chassis's own cannot be told, so a check
    that reads either is judged on nothing (the evaluator makes it ERROR): B's units, UDI and
    serials are not A's, nor is A's configuration register B's. Found once a chassis."""
    if _pair_commands(resolver.platform).isdisjoint(read):
        return None
    return resolver.concluded(_two_chassis)


def _two_chassis(resolver: FactResolver) -> TwoChassis | None:
    """The proof itself. Where either output is missing or names no chassis, nothing is
    proven and each check says what it lacks."""
    try:
        models, inventory = resolver.resolve(VERSION_MODELS), resolver.resolve(INVENTORY)
    except FactUnavailable:
        return None
    chassis = find_chassis(inventory.value)
    if chassis is None:
        return None
    try:
        version = resolver.resolve(VERSION).value
    except FactUnavailable:
        version = {}  # its serial is only named, never compared
    why = other_chassis(models.value, chassis, version)
    if why is None:
        return None
    return TwoChassis(why=why, outputs=(models, inventory), evidence=(
        Evidence(path="version/pid", actual=", ".join(models.value)),
        Evidence(path="version/serial", actual=version.get("serial")),
        Evidence(path="inventory/chassis/pid", actual=chassis.pid),
        Evidence(path="inventory/chassis/serial", actual=chassis.serial),
    ))


# How a stack names its switches: `Switch 2` (IOS-XE), or `2` on classic IOS, whose first
# member, the chassis found, is then named `1`; a Catalyst 6500 numbers its slots so.
_STACK_MEMBER = re.compile(r"switch\s*\d+", re.IGNORECASE)
_NUMBERED = re.compile(r"\d+")


def member_chassis(items: list[InventoryItem], chassis: InventoryItem) -> list[InventoryItem]:
    """The chassis of their own that the listing holds besides `chassis`: a stack's other
    switches, a StackWise Virtual or VSS pair's other chassis (`Switch 2 Chassis`), a
    Nexus's fabric extenders (`FEX 106 CHASSIS`). Each has its own PID and serial, to which
    the program charges its fee and registers licences; an entry that repeats the chassis's
    serial (`Switch 1` under a `c93xx Stack` entry) is the chassis itself."""
    numbered = _NUMBERED.fullmatch(chassis.name.strip()) is not None
    return [item for item in items
            if item is not chassis
            and not (readable(item.serial) and item.serial.strip() == chassis.serial.strip())
            and (_STACK_MEMBER.fullmatch(item.name.strip()) is not None
                 or (numbered and _NUMBERED.fullmatch(item.name.strip()) is not None)
                 or names_a_chassis(item))]


@check(
    id="hw.chassis.identity",
    title="Chassis PID, serial number and OS version can be read",
    domain=Domain.HARDWARE,
    severity=Severity.CRITICAL,
    facts=[VERSION, INVENTORY],
)
def chassis_identity(version: dict[str, Any], inventory: list[Any], policy: Policy) -> Outcome:
    chassis = find_chassis(inventory)
    if chassis is None:
        return Outcome.error(f"{NO_CHASSIS} (it opens with {inventory[0].name!r})")
    members = member_chassis(inventory, chassis)
    identity: dict[str, Any] = {
        "os": version["os"],
        "version": version["version"],
        "pid": chassis.pid or version.get("pid"),
        "serial": chassis.serial or version.get("serial"),
    }
    if members:
        identity["members"] = [{"name": m.name, "pid": m.pid or None, "serial": m.serial or None}
                               for m in members]
    evidence = [
        Evidence(path="inventory/chassis/name", actual=chassis.name),
        Evidence(path="inventory/chassis/pid", actual=identity["pid"]),
        Evidence(path="inventory/chassis/serial", actual=identity["serial"]),
        Evidence(path="version/os", actual=f'{identity["os"]} {identity["version"]}'),
        *(Evidence(path=f"inventory/members/{m.name}", actual=f"{m.pid} SN {m.serial or '-'}")
          for m in members),
    ]
    # Chassis on site besides the one inspected, each a chassis of its own for the program.
    besides = ("; besides it, " + ", ".join(f"{m.name} {m.pid} serial {m.serial or '-'}"
                                              for m in members)) if members else ""
    problems = []
    if not readable(identity["pid"]):
        problems.append(f"the chassis PID reads {identity['pid']!r}")
    if not readable(identity["serial"]):
        problems.append(f"the chassis serial number reads {identity['serial']!r}")
    if problems:
        return Outcome.failed("; ".join(problems) + besides, evidence, identity=identity)
    return Outcome.passed(
        f'{identity["pid"]} serial {identity["serial"]} running {identity["os"]} '
        f'{identity["version"]}{besides}',
        evidence,
        identity=identity,
    )
