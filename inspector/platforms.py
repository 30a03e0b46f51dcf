"""Platform quirks as data: one row per netmiko device type the inspector can talk to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

# What Cisco OSes and AAA servers print instead of running a command, as the start of a line
# (case-insensitive). Gathered from the OSes' own replies and from the failure strings of
# scrapli, netmiko and Ansible's terminal plugins for these platforms.
# `refusals` say the OS has no such command (this image lacks the feature);
_COMMON_REFUSALS = (
    r"(?:ERROR:\s*)?%\s*Invalid (?:input|command|parameter)\b",  # ... detected at '^' marker.
    r"(?:ERROR:\s*)?%?\s*Unknown command",
    r"(?:ERROR:\s*)?%?\s*(?:This )?command (?:is )?not supported",  # ... on this platform
)
# these say the command is there but wants more words, or names more than one: they tell
# nothing of the feature (a VSS Catalyst answers `show interfaces transceiver` so), so they
# never mean "does not apply".
_INCOMPLETE = (
    r"(?:ERROR:\s*)?%\s*Incomplete command",
    r"(?:ERROR:\s*)?%\s*Ambiguous command",
    r"%\s*Type \"show \?\" for a list of subcommands",
)
# Refusals by an authorization (TACACS+, a role, a task group): the device may well have the
# feature, the account may not look. Never "does not apply", always "could not tell".
_DENIALS = (
    r"(?:ERROR:\s*)?%?\s*Command authorization failed",
    r"(?:ERROR:\s*)?%\s*Authorization failed",
    r"(?:ERROR:\s*)?%\s*Permission denied",  # NX-OS role, IOS-XR task group
    r"(?:ERROR:\s*)?%\s*(?:This )?command (?:is )?not authorized",
)
_IOS_REFUSALS = (
    r"%\s*Unknown command or computer name",
    r"%\s*Unrecognized command",
)
_NXOS_REFUSALS = (
    r"Cmd exec error\b",
    r"Syntax error while parsing\b",
    r"%\s*Feature not enabled",
    r"%\s*User not present",
)
_XR_REFUSALS = (
    r"%?\s*syntax error\b",  # `syntax error, expecting ...`
)
_ASA_REFUSALS = (
    r"ERROR:\s*%?\s*(?:Unrecognized|Unknown) command",
    r"Type help or '\?' for a list of available commands",
)

# A refusal is the whole reply, so it is short: this many lines of the device's words at most
# (the caret line and IOS-XR's time stamp aside). Outputs such as `show logging` that quote an
# old refusal in a log line are longer, or do not begin with it.
_REFUSAL_MAX_LINES = 4
_REFUSAL_MAX_CHARS = 2048  # beyond this, a reply that is nothing but a refusal is not plausible
_QUOTED_MAX = 400  # of a refusal, as the record quotes it
_CARET = re.compile(r"\s*\^\s*")
_VISIBLE = re.compile(r"\S")
# The time IOS-XR prints above every output while `exec prompt timestamp` is on.
_STAMP = re.compile(r"\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d+ [\d:.]+ \S+\s*")
# The lines a terminal's time stamps put above every reply: IOS-XR's, and the two of IOS and
# IOS-XE's `exec prompt timestamp`. Two replies differ in them, and only in them where nothing
# else changed.
STAMP_LINE = re.compile(rf"(?:{_STAMP.pattern})$|\s*Load for |\s*Time source is ")
# The echo of the command above the reply, as a terminal log saves it: the prompt, then the
# command as typed, perhaps abbreviated (`R1#sh plat` for `show platform`).
_ECHO = re.compile(r"(?:\S*[#>])?\s*(?P<typed>\S.*)")


def _echoes(line: str, command: str) -> bool:
    """Whether `line` is the echo of `command`: a prompt, then each of its words or a start of
    each, as IOS takes them."""
    if line.endswith(command.strip()):
        return True
    found = _ECHO.fullmatch(line)
    typed, words = (found["typed"].lower().split() if found else []), command.lower().split()
    return len(typed) == len(words) and all(
        w.startswith(t) for t, w in zip(typed, words, strict=True))


# What a terminal leaves in a saved session that the device's answer never holds. The inspector
# collects with paging off and reads the session's plain text, so an output with a pager prompt
# was captured paged (rows are lost, or run into the prompt and its erasing backspaces), and one
# with escape codes was saved with a terminal's colours or cursor moves: neither can be read as
# what the device said, and neither is repaired before it is judged. (netmiko strips the escape
# codes it knows from an NX-OS session as it reads: those never reach the evidence.)
_PAGER_PROMPT = re.compile(r"^[^\S\n]*(?:--More--|<--- More --->)", re.MULTILINE)  # IOS..., ASA
_ESCAPE_CODE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|.)?", re.DOTALL)
# What Python's `splitlines` (and so Genie's parsers) takes for a line end besides `\n` and
# `\r`, and our readers' `^` and `$` do not: a form feed standing for a line end had Genie
# read lines our row counters never saw (no real output holds one).
_OTHER_LINE_ENDS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Those, and every control character but the tab and the line ends: no device prints one in
# its text (a NUL, a bell, a backspace, C1's codes). Parsers and row counters read past a row
# starting with a NUL: a fan row `\x00 1 3 BAD` went unseen, and the chassis passed on its
# other fans. One search finds either kind.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def not_plain(text: str) -> str | None:
    """Why `text` is not a device's plain answer (a pager prompt, terminal escape codes, a line
    end only some readers take for one, a control character), naming the first line that shows
    it; None when it is."""
    def line_of(found: re.Match[str]) -> int:
        return text.count("\n", 0, found.start()) + 1

    # The plain searches first: the pattern tries every line of a 5 MB log (29 ms), they do not.
    if "More" in text and (found := _PAGER_PROMPT.search(text)):
        return (f"it holds a pager prompt (`{found[0].strip()}` on line {line_of(found)}): it "
                "was captured with paging on, and rows may be lost; capture it again after "
                "`terminal length 0`")
    if "\x1b" in text and (found := _ESCAPE_CODE.search(text)):
        code = found[0].encode("unicode_escape").decode("ascii")
        return (f"it holds terminal escape codes (`{code}` on line {line_of(found)}): it was "
                "saved with a terminal's colours or cursor moves; capture it again as plain "
                "text")
    if found := _NOT_TEXT.search(text):
        code = found[0].encode("unicode_escape").decode("ascii")
        if found[0] in _OTHER_LINE_ENDS:
            return (f"it holds a `{code}` (line {line_of(found)}), a line end to some readers "
                    "and not to others: capture it again as plain text")
        return (f"it holds the control character `{code}` (line {line_of(found)}), which no "
                "device's text holds: the output is garbled or not text; capture it again")
    return None


# What a refusal says of the feature behind the command.
UNKNOWN = "unknown"  # no such command: the image lacks it
INCOMPLETE = "incomplete"  # the command is there, asked incompletely or ambiguously
DENIED = "denied"  # by an authorization: the feature may well be there


class Refusal(NamedTuple):
    reply: str  # the device's words, in one line
    kind: str  # UNKNOWN, INCOMPLETE or DENIED


@dataclass(frozen=True, kw_only=True)
class Platform:
    device_type: str  # netmiko's name, used in inventories and on the command line
    genie_os: str  # the OS name Genie's parser abstraction expects
    label: str  # what an engineer calls it
    needs_enable: bool  # logs in unprivileged and must `enable` before most show commands
    # The support file the program asks for, printed on the terminal. IOS-XR's plain
    # `show tech-support` writes an archive to the chassis's disk, so `terminal` is asked for.
    show_tech: str = "show tech-support"
    # What the OS prints for a command it will not run (scrapli's "failed when contains"), as
    # regexes for the start of a line, what it prints for a command asked incompletely or
    # ambiguously, and what an authorization prints when it says no; see `refusal` for when a
    # reply is one.
    refusals: tuple[str, ...] = _COMMON_REFUSALS
    incompletes: tuple[str, ...] = _INCOMPLETE
    denials: tuple[str, ...] = _DENIALS

    @cached_property
    def _refusal(self) -> re.Pattern[str]:
        return re.compile(
            r"\s*(?:" + "|".join(self.refusals + self.incompletes + self.denials) + ")",
            re.IGNORECASE)

    @cached_property
    def _denial(self) -> re.Pattern[str]:
        return re.compile(r"\s*(?:" + "|".join(self.denials) + ")", re.IGNORECASE)

    @cached_property
    def _incomplete(self) -> re.Pattern[str]:
        return re.compile(r"\s*(?:" + "|".join(self.incompletes) + ")", re.IGNORECASE)

    def refusal(self, command: str, text: str) -> Refusal | None:
        """The device's reply, quoted in one line, when the whole of `text` is a refusal to run
        `command`; None when it is an output.

        A refusal is a short reply whose first line, after the caret line and IOS-XR's time
        stamp (and the echo of the command, where a capture kept it, abbreviated or not), is
        one of `refusals` or `denials`. An output that merely holds such a phrase further down
        (a log line quoting an earlier session's error, a show tech) is an output.
        """
        if len(text) > _REFUSAL_MAX_CHARS and _VISIBLE.search(text, _REFUSAL_MAX_CHARS):
            return None
        lines = [line.strip() for line in text[:_REFUSAL_MAX_CHARS].splitlines()
                 if line.strip() and not _CARET.fullmatch(line)]
        if lines and _STAMP.fullmatch(lines[0]):
            lines = lines[1:]
        if lines and _echoes(lines[0], command) and not self._refusal.match(lines[0]):
            lines = lines[1:]  # the echo, `host#show platform`, as a terminal log saves it
        if not lines or len(lines) > _REFUSAL_MAX_LINES or not self._refusal.match(lines[0]):
            return None
        quoted = " / ".join(lines)
        if len(quoted) > _QUOTED_MAX:
            quoted = quoted[: _QUOTED_MAX - 3] + "..."
        kind = (DENIED if self._denial.match(lines[0])
                else INCOMPLETE if self._incomplete.match(lines[0]) else UNKNOWN)
        return Refusal(reply=quoted, kind=kind)


PLATFORMS: dict[str, Platform] = {
    p.device_type: p
    for p in (
        Platform(device_type="cisco_ios", genie_os="ios", label="IOS", needs_enable=True,
                 refusals=_COMMON_REFUSALS + _IOS_REFUSALS),
        Platform(device_type="cisco_xe", genie_os="iosxe", label="IOS-XE", needs_enable=True,
                 refusals=_COMMON_REFUSALS + _IOS_REFUSALS),
        Platform(device_type="cisco_nxos", genie_os="nxos", label="NX-OS", needs_enable=False,
                 refusals=_COMMON_REFUSALS + _NXOS_REFUSALS),
        Platform(device_type="cisco_xr", genie_os="iosxr", label="IOS-XR", needs_enable=False,
                 show_tech="show tech-support terminal",
                 refusals=_COMMON_REFUSALS + _XR_REFUSALS),
        Platform(device_type="cisco_asa", genie_os="asa", label="ASA", needs_enable=True,
                 refusals=_COMMON_REFUSALS + _ASA_REFUSALS),
    )
}


class UnknownPlatform(ValueError):
    pass


def platform_for(device_type: str) -> Platform:
    try:
        return PLATFORMS[device_type]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise UnknownPlatform(
            f"unknown platform {device_type!r}: expected one of {known}"
        ) from None
