"""What makes one mock chassis different from the next: serials, MACs, uptime, clock, counters.

Every value is derived from (profile, chassis index, salt) with a stable hash, never from
`random`, so the same lab plan always produces the same chassis and a test can predict them.
Times are the exception: they are relative to a clock the caller passes in (the wall clock when
serving), because a check such as "license expires within 30 days" must see plausible dates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_ALNUM = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # Cisco serials avoid I and O in the tail
_TAIL_SPACE = len(_ALNUM) ** 4
# Multiplying by a number coprime with the space is a bijection: distinct indexes never collide,
# yet consecutive chassis do not get consecutive-looking serials.
_TAIL_STEP = 1_299_827


def stable_int(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def cisco_serial(prefix: str, index: int, salt: str = "") -> str:
    """An 11-character Cisco serial: 3-letter site code, year (offset from 1996), week, 4 alnum.

    Unique per (prefix, index) for a given salt, e.g. FOC2231X0KQ.
    """
    if not re.fullmatch(r"[A-Z]{3}", prefix):
        raise ValueError(f"serial prefix must be three capital letters, got {prefix!r}")
    h = stable_int("serial", prefix, salt)
    year = 18 + (stable_int("year", prefix, index, salt) % 9)  # built 2014..2022
    week = 1 + (stable_int("week", prefix, index, salt) % 52)
    n = (index * _TAIL_STEP + h) % _TAIL_SPACE
    tail = ""
    for _ in range(4):
        n, d = divmod(n, len(_ALNUM))
        tail = _ALNUM[d] + tail
    return f"{prefix}{year:02d}{week:02d}{tail}"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


@dataclass(frozen=True)
class Uptime:
    minutes: int
    seconds: int

    @property
    def delta(self) -> timedelta:
        return timedelta(minutes=self.minutes, seconds=self.seconds)

    def words(self) -> str:
        """IOS / IOS-XR style: '1 year, 12 weeks, 3 days, 4 hours, 5 minutes' (zeros omitted)."""
        years, rest = divmod(self.minutes, 365 * 24 * 60)
        weeks, rest = divmod(rest, 7 * 24 * 60)
        days, rest = divmod(rest, 24 * 60)
        hours, minutes = divmod(rest, 60)
        parts = [
            _plural(v, u)
            for v, u in ((years, "year"), (weeks, "week"), (days, "day"), (hours, "hour"))
            if v
        ]
        parts.append(_plural(minutes, "minute"))
        return ", ".join(parts)

    def components(self) -> tuple[int, int, int, int]:
        days, rest = divmod(self.minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        return days, hours, minutes, self.seconds

    def short(self) -> str:
        """IOS table style, as in 'Insert time (ago)': 01:02:03, 4d05h, 3w2d, 1y12w."""
        days, hours, minutes, seconds = self.components()
        if days >= 365:
            return f"{days // 365}y{(days % 365) // 7}w"
        if days >= 7:
            return f"{days // 7}w{days % 7}d"
        if days:
            return f"{days}d{hours:02d}h"
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}"

    def asa(self) -> str:
        """ASA style: '41 days 3 hours' (ASA prints days and hours only, or minutes if short)."""
        days, hours, minutes, _ = self.components()
        if days:
            return f"{_plural(days, 'day')} {_plural(hours, 'hour')}"
        return f"{_plural(hours, 'hour')} {_plural(minutes, 'min')}" if hours else f"{minutes} mins"


def uptime_for(profile: str, index: int) -> Uptime:
    # Used chassis have been up anywhere from a few days to about three years.
    minutes = 3 * 24 * 60 + stable_int("uptime", profile, index) % (3 * 365 * 24 * 60)
    return Uptime(minutes=minutes, seconds=stable_int("uptime-s", profile, index) % 60)


def mac_for(profile: str, index: int) -> int:
    # Cisco-assigned OUIs, so the addresses look like what an engineer sees on a label.
    ouis = (0x00B670, 0x70DB98, 0xA0F849, 0x2C3124, 0x6C710D, 0x00A3D1)
    oui = ouis[stable_int("oui", profile) % len(ouis)]
    # Leave the low 7 bits free: a chassis owns a block of addresses (one per port).
    nic = (stable_int("mac", profile, index) & 0xFFFF80) | 0x00
    return (oui << 24) | nic


def format_mac(value: int, style: str) -> str:
    raw = f"{value:012x}"
    if style == "dotted":
        return f"{raw[0:4]}.{raw[4:8]}.{raw[8:12]}"
    if style == "colon":
        return ":".join(raw[i : i + 2] for i in range(0, 12, 2))
    if style == "ucolon":
        return ":".join(raw[i : i + 2] for i in range(0, 12, 2)).upper()
    if style == "dash":
        return "-".join(raw[i : i + 2] for i in range(0, 12, 2))
    raise KeyError(f"unknown MAC style {style!r}")


def _day2(dt: datetime) -> str:
    return f"{dt.day:>2}"  # Cisco pads the day of month with a space: 'Mar  1'


def _ms(dt: datetime) -> str:
    return f"{dt.microsecond // 1000:03d}"


# Time styles a template may ask for, named after where the format is printed.
TIME_STYLES: dict[str, Callable[[datetime], str]] = {
    # *Mar 14 09:26:53.123  (IOS / IOS-XE / IOS-XR syslog)
    "log": lambda d: f"{d:%b} {_day2(d)} {d:%H:%M:%S}.{_ms(d)}",
    # 09:26:53.123 UTC Fri Mar 14 2025  (show clock)
    "clock": lambda d: f"{d:%H:%M:%S}.{_ms(d)} UTC {d:%a %b} {d.day} {d:%Y}",
    # 07:19:15 UTC Fri Feb 1 2019  (System restarted at ...)
    "restart": lambda d: f"{d:%H:%M:%S} UTC {d:%a %b} {d.day} {d:%Y}",
    # Mar 14 09:26:53 2025 UTC  (IOS-XE smart licensing)
    "lic": lambda d: f"{d:%b} {d.day:02d} {d:%H:%M:%S %Y} UTC",
    # Mar 14 2025 09:26:53 UTC  (IOS-XE smart licensing, newer releases)
    "lic2": lambda d: f"{d:%b} {d.day:02d} {d:%Y %H:%M:%S} UTC",
    # 2025 Mar 14 09:26:53  (NX-OS syslog)
    "nxlog": lambda d: f"{d:%Y %b} {d.day:02d} {d:%H:%M:%S}",
    # Fri Mar 14 09:26:53 2025  (NX-OS show version / cores)
    "ctime": lambda d: f"{d:%a %b} {_day2(d)} {d:%H:%M:%S %Y}",
    # Fri Mar 14 09:26:53.123 UTC  (IOS-XR command timestamp)
    "xrstamp": lambda d: f"{d:%a %b} {_day2(d)} {d:%H:%M:%S}.{_ms(d)} UTC",
    # Mar 14 2025 09:26:53  (ASA syslog)
    "asalog": lambda d: f"{d:%b} {d.day:02d} {d:%Y %H:%M:%S}",
    # 09:26:53 UTC Mar 14 2025  (ASA show version / failover)
    "asatime": lambda d: f"{d:%H:%M:%S} UTC {d:%b} {d.day} {d:%Y}",
    # Mar 14 2025 09:26:53 +00:00  (IOS-XE dir)
    "dir": lambda d: f"{d:%b} {d.day} {d:%Y %H:%M:%S} +00:00",
    # Mar 14 2025 09:26:53  (IOS dir, ASA dir uses 'asadir')
    "iosdir": lambda d: f"{d:%b} {d.day} {d:%Y %H:%M:%S} +00:00",
    "asadir": lambda d: f"{d:%H:%M:%S} {d:%b} {d.day:02d} {d:%Y}",
    # Mar 14 09:26:53 2025  (NX-OS dir)
    "nxdir": lambda d: f"{d:%b} {d.day:02d} {d:%H:%M:%S %Y}",
    # Mar 14 09:26 / Mar 14  2023  (IOS-XR dir: time this year, year otherwise, like ls -l)
    "xrdir": lambda d: f"{d:%b} {d.day:>2} {d:%H:%M}",
    "xrdiry": lambda d: f"{d:%b} {d.day:>2}  {d:%Y}",
    # 20250314-092653  (crash file names)
    "stamp": lambda d: f"{d:%Y%m%d-%H%M%S}",
    # 2025-03-14  and  2025-03-14 09:26:53
    "date": lambda d: f"{d:%Y-%m-%d}",
    "iso": lambda d: f"{d:%Y-%m-%d %H:%M:%S}",
    # Fri Mar 14 09:26:53 2025 (IOS-XR redundancy)
    "xrctime": lambda d: f"{d:%a %b} {d.day:>2} {d:%H:%M:%S %Y}",
    # 14-Mar-25  (NX-OS license expiry)
    "dmy": lambda d: f"{d.day:02d}-{d:%b-%Y}",
}

_OFFSET = re.compile(r"^(boot|now)?((?:[+-](?:\d+[ywdhms])+)*)$")
_TERM = re.compile(r"([+-])((?:\d+[ywdhms])+)")
_AMOUNT = re.compile(r"(\d+)([ywdhms])")
_UNIT = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def shifted(now: datetime, boot: datetime, offset: str) -> datetime:
    """`offset` is e.g. `now`, `-3d4h`, `boot+1m30s`, `+300d-2h`: an optional base, then terms."""
    m = _OFFSET.match(offset)
    if not m:
        raise KeyError(f"bad time offset {offset!r}")
    base = boot if m.group(1) == "boot" else now
    seconds = 0
    for sign, amounts in _TERM.findall(m.group(2)):
        term = sum(int(n) * _UNIT[unit] for n, unit in _AMOUNT.findall(amounts))
        seconds += term if sign == "+" else -term
    return base + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Identity:
    """The per-chassis facts templates draw on."""

    profile: str
    index: int
    hostname: str
    serial: str
    uptime: Uptime
    mac: int


class TemplateValues(Mapping[str, str]):
    """The mapping a template is rendered against.

    Plain names come from `fixed`; a few small functions are reachable as `name:arg:arg`:
      sn:FOC:psu1        a serial with site code FOC, stable for this chassis and salt `psu1`
      num:10:90:fan1     an integer in [10, 90], stable for this chassis and salt `fan1`
      time:-3d:log       the lab clock shifted by an offset, in a named style (TIME_STYLES)
      mac:3:dotted       the chassis base MAC plus 3, as 'xxxx.xxxx.xxxx' (or colon, dash)
    """

    def __init__(self, identity: Identity, fixed: Mapping[str, str], now: datetime) -> None:
        self._id = identity
        self._fixed = fixed
        self._now = now.astimezone(UTC)
        self._boot = self._now - identity.uptime.delta

    def __getitem__(self, key: str) -> str:
        if ":" not in key:
            return self._fixed[key]
        name, *args = key.split(":")
        if name == "sn" and len(args) == 2:
            return cisco_serial(args[0], self._id.index, f"{self._id.profile}/{args[1]}")
        if name == "num" and len(args) == 3:
            lo, hi = int(args[0]), int(args[1])
            spread = stable_int("num", self._id.profile, self._id.index, args[2]) % (hi - lo + 1)
            return str(lo + spread)
        if name == "time" and len(args) == 2:
            style = TIME_STYLES.get(args[1])
            if style is None:
                raise KeyError(key)
            return style(shifted(self._now, self._boot, args[0]))
        if name == "mac" and len(args) == 2:
            return format_mac(self._id.mac + int(args[0]), args[1])
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._fixed)

    def __len__(self) -> int:
        return len(self._fixed)
