"""Which OS a chassis runs, read from the banner of its `show version`.

The inventory declares a platform, and every fact is read with that platform's parsers and
judged against that platform's normal values. A chassis declared as the wrong platform (an
IOS-XR router declared IOS-XE, a Catalyst 3850 running IOS-XE declared IOS) would be judged
on another OS's grounds: 0x1922, the ASR 9000's factory register, fails as an IOS-XE value.
So the banner is read once per chassis, before any check, and a chassis whose `show version`
names another OS than the declared one is judged on nothing but that mismatch.

Classic IOS and IOS-XE share the command set and the `Cisco IOS Software` line; IOS-XE is
told apart by `Cisco IOS XE Software` (16.x on), `IOS-XE Software` in the 3.x banner, or the
release name in brackets that 16.x and later print (`Cisco IOS Software [Everest]`, even
`[]`), each in the banner line every IOS-XE output of the corpus opens with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inspector.facts import Fact, Own, Source, Unreadable
from inspector.platforms import PLATFORMS

# In this order: an IOS-XE banner also holds `Cisco IOS Software`, so IOS is tried last.
_BANNERS = (
    ("cisco_xr", r"\s*Cisco IOS XR Software"),
    ("cisco_nxos", r"\s*Cisco Nexus Operating System \(NX-OS\) Software"),
    ("cisco_asa", r"\s*Cisco Adaptive Security Appliance Software Version"),
    ("cisco_xe", r"\s*Cisco IOS XE Software|.*IOS-XE Software|\s*Cisco IOS Software \["),
    ("cisco_ios", r"\s*(?:Cisco IOS Software|Cisco Internetwork Operating System Software"
                  r"|IOS \(tm\))"),
)
_BANNER = {platform: re.compile(pattern, re.IGNORECASE) for platform, pattern in _BANNERS}

# What may stand above the banner: blank lines, the command's echo (`sw1#show version`,
# `show ver`), the two lines IOS's `exec prompt timestamp` prints (`Load for `, `Time source
# is `) and the date IOS-XR prints before every output (`Tue Sep 10 11:01:51.930 UTC`). The
# banner is the first line below them: the same words further down are another text quoting
# it (a `show logging` saved as `show version`, whose restart message quotes a banner).
_ABOVE_BANNER = re.compile(
    r"\s*$|\s*(?:\S+[#>]\s*)?sh\w*\s+ver\w*\s*$|\s*Load for |\s*Time source is "
    r"|\s*\w{3} \w{3} +\d+ \d\d:\d\d:\d\d(?:\.\d+)? \S+\s*$",
    re.IGNORECASE)

# A Nexus 5000 output may come without the banner: its images' versions, listed under the
# `Software` heading where `show version` prints them, name the OS.
_NXOS_SOFTWARE = re.compile(
    r"^Software[ \t]*\n(?:[ \t].*\n)*?[ \t]+(?:NXOS|kickstart|system):[ \t]+version[ \t]",
    re.MULTILINE)


def opening_line(text: str) -> str | None:
    """The first line of `show version` below what may stand above its banner."""
    return next((line for line in text.splitlines() if not _ABOVE_BANNER.match(line)), None)


@dataclass(frozen=True, kw_only=True)
class RunningOs:
    platform: str  # the netmiko device type whose OS the banner names
    banner: str  # the line that names it, as printed

    @property
    def label(self) -> str:
        return PLATFORMS[self.platform].label


def running_os(text: str) -> RunningOs:
    """The OS the banner names, read where the device prints it: the output's opening line
    (the most specific OS where that line names several), else a Nexus's image versions."""
    line = opening_line(text)
    if line is not None:
        for platform, banner in _BANNER.items():
            if banner.match(line):
                return RunningOs(platform=platform, banner=line.strip())
    if (software := _NXOS_SOFTWARE.search(text)) is not None:
        return RunningOs(platform="cisco_nxos", banner=software[0].splitlines()[-1].strip())
    opens = f"it opens with {line.strip()[:80]!r}" if line is not None else "it is blank"
    raise Unreadable(f"no OS banner in `show version` ({opens})")


RUNNING_OS = Fact("running_os", {p: Source("show version", Own(running_os)) for p in PLATFORMS})


def mismatch(declared: str, running: RunningOs) -> str | None:
    """What to say when the declared platform is not the one `show version` names."""
    if running.platform == declared:
        return None
    return (f"declared {declared} but show version names {running.label} ({running.banner}):"
            f" declare it {running.platform} to judge it")
