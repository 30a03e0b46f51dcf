"""Which OS a chassis runs, read from the banner of its `show version`.

The inventory declares a platform, and every fact is read with that platform's parsers and
judged against that platform's normal values. A chassis declared as the wrong platform (an
IOS-XR router declared IOS-XE, a Catalyst 3850 running IOS-XE declared IOS) would be judged
on another OS's grounds: 0x1922, the ASR 9000's factory register, fails as an IOS-XE value.
So the banner is read once per chassis, before any check, and a chassis whose `show version`
names another OS than the declared one is judged on nothing but that mismatch.

Classic IOS and IOS-XE share the command set and the `Cisco IOS Software` line; IOS-XE is
told apart by `Cisco IOS XE Software` (16.x on), `IOS-XE Software` in the 3.x banner,
`Cisco IOS-XE software, Copyright`, or the release name in brackets that 16.x and later
print (`Cisco IOS Software [Everest]`, even `[]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inspector.facts import Fact, Own, Source, Unreadable
from inspector.platforms import PLATFORMS

# In this order: an IOS-XE banner also holds `Cisco IOS Software`, so IOS is tried last.
_BANNERS = (
    ("cisco_xr", r"^\s*Cisco IOS XR Software"),
    ("cisco_nxos", r"^\s*Cisco Nexus Operating System \(NX-OS\) Software"
                   # A Nexus 5000 prints no banner, only its images' versions.
                   r"|^\s*(?:NXOS|kickstart|system):\s+version\s"),
    ("cisco_asa", r"^\s*Cisco Adaptive Security Appliance Software Version"),
    ("cisco_xe", r"^\s*Cisco IOS XE Software|IOS-XE Software|^\s*Cisco IOS Software \["),
    ("cisco_ios", r"^\s*(?:Cisco IOS Software|Cisco Internetwork Operating System Software"
                  r"|IOS \(tm\))"),
)
_BANNER = re.compile(
    "|".join(f"(?P<{platform}>{pattern})" for platform, pattern in _BANNERS),
    re.MULTILINE | re.IGNORECASE,
)
_ORDER = [platform for platform, _ in _BANNERS]


@dataclass(frozen=True, kw_only=True)
class RunningOs:
    platform: str  # the netmiko device type whose OS the banner names
    banner: str  # the line that names it, as printed

    @property
    def label(self) -> str:
        return PLATFORMS[self.platform].label


def running_os(text: str) -> RunningOs:
    """The OS the banner names; the most specific one where an output names several."""
    found: dict[str, str] = {}
    for match in _BANNER.finditer(text):
        platform = match.lastgroup
        assert platform is not None
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        found.setdefault(platform, text[line_start:line_end if line_end >= 0 else None].strip())
    if not found:
        raise Unreadable("no OS banner in `show version`")
    platform = min(found, key=_ORDER.index)
    return RunningOs(platform=platform, banner=found[platform])


RUNNING_OS = Fact("running_os", {p: Source("show version", Own(running_os)) for p in PLATFORMS})


def mismatch(declared: str, running: RunningOs) -> str | None:
    """What to say when the declared platform is not the one `show version` names."""
    if running.platform == declared:
        return None
    return (f"declared {declared} but show version names {running.label} ({running.banner}):"
            f" declare it {running.platform} to judge it")
