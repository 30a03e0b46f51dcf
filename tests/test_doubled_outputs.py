"""Attack: an output that holds its command's reply twice (a capture pasted twice into its
file, a terminal that printed the reply again, two captures a minute apart saved as one).

Every parser reads both copies: the inventory check counted 14 units on a Catalyst 9300 that
has 7, the module check 2 modules where the chassis has 1, and the identity check passed on
two `show version` banners. Such an output is ERROR (not judged), saying it holds its reply
twice; no real output of the shared corpus or the lab reads so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from inspector.facts import Source, Unreadable, said_twice
from mock_devices.lab import render_output
from mock_devices.profiles import load_profiles
from tests.corpus import companion_text, corpus_file, corpus_index, default_companions
from tests.test_check_cases import judge

_CHECKS = ("hw.chassis.identity", "hw.inventory.serials", "hw.psu.status", "hw.fan.status",
           "hw.temperature.status", "op.modules.state")
# What a terminal's `exec prompt timestamp` prints above each reply: two replies differ in it.
_STAMP = "Load for five secs: {}%/0%; one minute: 2%; five minutes: 2%\nTime source is NTP\n"


@cache
def _healthy(profile: str, command: str) -> str:
    return render_output(profile, command)


def _lab_case(profile: str, check: str, doubled: str | None = None,
              second: str | None = None) -> dict[str, Any]:
    """The case of a healthy lab chassis, with `doubled`'s output followed by `second` (by
    default, the same reply again). A command the chassis lacks is refused, as the lab does
    (a Catalyst 6500 has no `show environment all`)."""
    prof = load_profiles()[profile]
    outputs: dict[str, dict[str, str]] = {
        command: {"rejected": "% Invalid input detected at '^' marker."}
        for fact in load_catalogue().get(check).facts
        if (source := fact.source(prof.device_type)) is not None
        for group in source.command_groups for command in group}
    for slug in prof.effective_templates():
        command = prof.command_for(slug)
        text = _healthy(profile, command)
        if command == doubled:
            text = text + "\n" + (text if second is None else second)
        outputs[command] = {"text": text}
    return {"name": f"{profile}-{check}", "check": check, "platform": prof.device_type,
            "outputs": outputs, "status": "PASS"}


def _read_commands(profile: str, check: str) -> list[str]:
    """What the check reads to judge; not the inventory the fan check looks a fanless chassis
    up in, whose reading is optional to it."""
    result = judge(_lab_case(profile, check))
    return [] if result["status"] != "PASS" else [
        c["command"] for c in result["commands"]
        if not (check == "hw.fan.status" and c["command"] == "show inventory")]


LAB_READINGS = [(profile, check, command) for profile in sorted(load_profiles())
                for check in _CHECKS for command in _read_commands(profile, check)]


def test_every_lab_chassis_is_attacked() -> None:
    assert len({profile for profile, *_ in LAB_READINGS}) == len(load_profiles())


@pytest.mark.parametrize("reading", LAB_READINGS, ids="-".join)
def test_a_reply_said_twice_is_not_judged(reading: tuple[str, str, str]) -> None:
    profile, check, command = reading
    result = judge(_lab_case(profile, check, doubled=command))
    assert result["status"] == "ERROR", result["message"]
    assert "twice" in result["message"], result["message"]


def test_a_reply_said_twice_under_its_time_stamps_is_not_judged() -> None:
    """Each copy under its own time stamp, with the prompt and the echo between them."""
    text = render_output("isr4331", "show inventory")
    case = _lab_case("isr4331", "hw.inventory.serials")
    case["outputs"]["show inventory"] = {
        "text": _STAMP.format(1) + text + "isr4331#show inventory\n" + _STAMP.format(3) + text}
    result = judge(case)
    assert result["status"] == "ERROR" and "its reply twice" in result["message"], result


def test_two_show_versions_a_minute_apart_are_not_judged() -> None:
    """The copies differ in their uptime: no word-for-word double, two banners."""
    for profile in ("cat9300", "nexus9300", "asr9006", "asa5525", "cisco2811"):
        text = render_output(profile, "show version")
        later = re.sub(r"\b(\d+)( minutes?| mins?| hours?)",
                       lambda m: f"{int(m[1]) + 1}{m[2]}", text, count=1)
        assert later != text
        result = judge(_lab_case(profile, "hw.chassis.identity", "show version", later))
        assert result["status"] == "ERROR", (profile, result["message"])
        assert "its reply twice: `show version`'s banner line" in result["message"], (
            profile, result["message"])


def test_an_inventory_listed_again_without_an_optic_is_not_judged() -> None:
    """A real stack's listing, then the same listing taken again after an optic was pulled:
    every unit but one is listed twice, with its serial."""
    text = corpus_file("iosxe/show_inventory/genieparser--golden_output_c3850.txt").read_text()
    entries = text.rstrip().split("\n\n")
    again = "\n\n".join(entries[:5] + entries[6:]) + "\n"
    case = {"name": "c3850-twice", "check": "hw.inventory.serials", "platform": "cisco_xe",
            "outputs": {"show inventory": {"text": text}}}
    assert judge(case)["status"] == "PASS"
    case["outputs"]["show inventory"] = {"text": text + "\n" + again}
    result = judge(case)
    assert result["status"] == "ERROR", result["message"]
    assert "is listed twice" in result["message"], result["message"]


def _whole_rules() -> dict[tuple[str, str], set[Callable[[str], None]]]:
    """Each source's rule of a reply said once, by the OS and command it reads."""
    rules: dict[tuple[str, str], set[Callable[[str], None]]] = {}
    for check in load_catalogue().all():
        for fact in (*check.facts, *check.optional_facts):
            for platform, first in fact.sources.items():
                source: Source | None = first
                while source is not None:
                    for command in source.commands:
                        if source.whole is not None:
                            rules.setdefault((platform, command), set()).add(source.whole)
                    source = source.otherwise
    return rules


_GENIE_OS = {"cisco_ios": "ios", "cisco_xe": "iosxe", "cisco_nxos": "nxos", "cisco_xr": "iosxr",
             "cisco_asa": "asa"}


def test_no_real_output_reads_as_said_twice() -> None:
    """Stacks print a table per switch under one header, inventories list one PID under many
    serials and many entries without one, a dual supervisor prints its peer under its own
    heading: none of it is a reply said twice, by `said_twice` or by the rule each source
    names for its command (`Source.whole`), on the corpus's outputs and on the lab's."""
    rows = corpus_index()
    if not rows:
        corpus_file("index.tsv")  # skips, saying where the corpus was looked for
    rules = _whole_rules()
    readings: list[tuple[str, Callable[[str], None], str]] = []
    for row in rows:
        text = corpus_file(row["file"]).read_text(encoding="utf-8", errors="replace")
        readings += [(row["file"], rule, text) for rule in (said_twice, *(
            rule for (platform, command), named in rules.items() for rule in named
            if _GENIE_OS[platform] == row["os"] and command == row["command"]))]
    for profile, prof in sorted(load_profiles().items()):
        for (platform, command), named in rules.items():
            for scenario in ("healthy", *sorted(prof.scenarios)) * (platform == prof.device_type):
                try:
                    text = render_output(profile, command, scenario)
                except KeyError:  # a command this chassis does not answer
                    continue
                readings += [(f"lab {profile} {scenario} {command}", rule, text) for rule in named]
    refused = []
    for name, rule, text in readings:
        try:
            rule(text)
        except Unreadable as exc:
            refused.append(f"{name}: {exc}")
    assert len(rows) > 700
    assert not refused, refused


_FAULTS = {"fan_failed": "hw.fan.status", "psu_failed": "hw.psu.status",
           "temp_critical": "hw.temperature.status"}
FAULTED_THEN_HEALTHY = [(profile, fault) for profile, prof in sorted(load_profiles().items())
                        for fault in _FAULTS if fault in prof.scenarios]


@pytest.mark.parametrize("reading", FAULTED_THEN_HEALTHY, ids="-".join)
def test_a_table_taken_twice_hides_no_fault(reading: tuple[str, str]) -> None:
    """Two captures of the environment saved as one, the fault in the first and gone from the
    second (a fan that spun up again): the second reading of each unit replaced the first,
    and the chassis passed. Each copy under its own time stamp, so no word-for-word double."""
    profile, fault = reading
    check = _FAULTS[fault]
    case = _lab_case(profile, check)
    command = next(c["command"] for c in judge(case)["commands"]
                   if "environment" in c["command"] and c["parser"])  # the one read
    faulted = render_output(profile, command, fault)
    case["outputs"][command] = {"text": _STAMP.format(1) + faulted + "\n"
                                + _STAMP.format(3) + _healthy(profile, command)}
    result = judge(case)
    assert result["status"] == "ERROR", result["message"]
    assert "twice" in result["message"], result["message"]


# A real healthy output, and the fault made in it: (check, platform, command, corpus file,
# pattern, what it becomes). Saved as one output with the healthy reply, in either order,
# the fault was hidden: each parser reads one reply, the first or the last.
_HIDDEN_FAULTS = [
    ("op.cpu.load", "cisco_xe", "show processes cpu sorted",
     "iosxe/show_processes_cpu_sorted/genieparser--golden_output.txt",
     r"five minutes: *\d+%", "five minutes: 97%"),
    ("op.cpu.load", "cisco_xe", "show processes cpu sorted",  # a core per line
     "iosxe/show_processes_cpu_sorted/genieparser--golden_output_2.txt",
     r"five minutes: *\d+%", "five minutes: 97%"),
    ("op.cpu.load", "cisco_ios", "show processes cpu sorted",
     "ios/show_processes_cpu_sorted/genieparser--golden_output.txt",
     r"five minutes: *\d+%", "five minutes: 97%"),
    ("op.cpu.load", "cisco_xr", "show processes cpu",
     "iosxr/show_processes_cpu/genieparser--golden_output1.txt",
     r"five minutes: *\d+%", "five minutes: 97%"),
    ("op.cpu.load", "cisco_nxos", "show system resources",
     "nxos/show_system_resources/genieparser--golden_output.txt",
     r"^(CPU states .*?)86\.24% idle", r"\g<1>2.24% idle"),
    ("op.memory.free", "cisco_xe", "show memory statistics",
     "iosxe/show_memory_statistics/genieparser--golden_output.txt",
     r"^(Processor +\S+ +\d+ +\d+ +)\d+", r"\g<1>1425640"),
    ("op.memory.free", "cisco_ios", "show memory statistics",
     "ios/show_memory_statistics/napalm--test_get_environment-temp_cmd_fail.txt",
     r"^(Processor +\S+ +\d+ +\d+ +)\d+", r"\g<1>7384"),
    ("op.memory.free", "cisco_nxos", "show system resources",
     "nxos/show_system_resources/genieparser--golden_output.txt",
     r"1683520K free", "1520K free"),
    ("hw.diagnostics", "cisco_xe", "show post",  # a stack of three
     "iosxe/show_post/genieparser--cat9k_c9300-golden_output.txt",
     r"(CRYPTO Tests : End, Status) Passed", r"\g<1> Failed"),
    ("op.redundancy.standby", "cisco_xe", "show redundancy",  # two supervisors
     "iosxe/show_redundancy/genieparser--golden_output_c9400.txt",
     r"(?s)Peer Processor Information :.*",
     "Peer (slot: 6) information is not available because it is in 'DISABLED' state\n"),
    ("op.redundancy.standby", "cisco_ios", "show redundancy",
     "ios/show_redundancy/genieparser--cat7k_c7600-golden_output.txt",
     r"(?s)Peer Processor Information :.*",
     "Peer (slot: 5) information is not available because it is in 'DISABLED' state\n"),
    ("op.redundancy.standby", "cisco_nxos", "show redundancy status",
     "nxos/show_redundancy_status/genieparser--golden_output.txt",
     r"Supervisor state: +HA standby", "Supervisor state:   Cold standby"),
    ("op.redundancy.standby", "cisco_xr", "show redundancy",
     "iosxr/show_redundancy/genieparser--golden_output1.txt", r" is ready$", " is not ready"),
    ("op.reload.reason", "cisco_xr", "show redundancy",  # a crash listed beside a shutdown
     "iosxr/show_redundancy/genieparser--golden_output1.txt",
     r'Active node reload "CARD_SHUTDOWN"', 'Active node reload "Cause: CPU exception"'),
    ("op.redundancy.standby", "cisco_asa", "show failover",
     "asa/show_failover/ntc-templates--cisco_asa_show_failover1.txt",
     r"This host: Primary - Active", "This host: Primary - Failed"),
    ("lic.udi.match", "cisco_xe", "show license udi",  # registered to another chassis
     "iosxe/show_license_udi/genieparser--golden_output1.txt",
     r"NWG1512050G( +ASR1006:)NWG1512050G", r"FOX1204G6WN\1FOX1204G6WN"),
    ("lic.smart.registration", "cisco_xe", "show license status",
     "iosxe/show_license_status/genieparser--golden_output2.txt",
     r"Status: REGISTERED$", "Status: UNREGISTERED"),
    ("op.config.register", "cisco_xe", "show bootvar",  # show version prints none
     "iosxe/show_bootvar/genieparser--golden_output3.txt", r"0x2102", "0x2142"),
]
# The chassis a check compares the output with, where the corpus's companions are another.
_OTHER_OUTPUTS = {
    "lic.udi.match": {"show inventory": 'NAME: "Chassis", DESCR: "Cisco ASR1006 Chassis"\n'
                                        "PID: ASR1006  , VID: V01  , SN: NWG1512050G\n"},
}


def _corpus_case(check: str, platform: str, command: str, text: str) -> dict[str, Any]:
    """The check on `text` for `command`, its other commands answered by the corpus's
    companions for the platform, or by those named for the check."""
    read = load_catalogue().get(check).commands(platform)
    outputs = {other: {"text": companion_text(value)}
               for other, value in default_companions(platform, command, read).items()}
    outputs |= {other: {"text": value} for other, value in _OTHER_OUTPUTS.get(check, {}).items()}
    outputs[command] = {"text": text}
    return {"name": f"{check}-{command}", "check": check, "platform": platform,
            "outputs": outputs}


@pytest.mark.parametrize("hidden", _HIDDEN_FAULTS, ids=lambda h: f"{h[0]}-{h[1]}-{h[3]}")
def test_a_healthy_reply_beside_a_faulty_one_is_not_judged(hidden: tuple[str, ...]) -> None:
    """Two captures of one command saved as one that differ, so no word-for-word double:
    the fault in one of them and not in the other (a CPU busy a minute ago)."""
    check, platform, command, path, pattern, fault = hidden
    healthy = corpus_file(path).read_text(encoding="utf-8", errors="replace").rstrip("\n") + "\n"
    faulty = re.sub(pattern, fault, healthy, count=1, flags=re.MULTILINE)
    assert judge(_corpus_case(check, platform, command, healthy))["status"] == "PASS"
    assert judge(_corpus_case(check, platform, command, faulty))["status"] == "FAIL"
    _assert_not_judged(check, platform, command, faulty, healthy)


def _assert_not_judged(check: str, platform: str, command: str, first: str, second: str) -> None:
    for both in (first + second, second + first):
        result = judge(_corpus_case(check, platform, command, both))
        assert result["status"] == "ERROR", result["message"]
        # Where another command was read first, the record's note on it says why.
        why = [result["message"], *(c.get("note") or "" for c in result["commands"])]
        assert any("its reply twice" in said for said in why), why


# A real healthy output, and a change that keeps it healthy (a reading a minute later):
# saved as one output, the two were judged as one, and the PASS counted each thing twice.
_DOUBLED_COUNTS: list[tuple[str, ...]] = [
    ("op.logging.critical", "cisco_xe", "show logging",  # a message logged since
     "iosxe/show_logging/genieparser--golden_output_5.txt",
     r"\Z", "Jul 20 10:01:02.345: %SYS-5-CONFIG_I: Configured from console by admin\n"),
    ("op.logging.critical", "cisco_ios", "show logging",
     "ios/show_logging/genieparser--golden_output_1.txt",
     r"\Z", "Jul 20 10:01:02.345: %SYS-5-CONFIG_I: Configured from console by admin\n"),
    ("op.logging.critical", "cisco_xr", "show logging",
     "iosxr/show_logging/genieparser--golden_output.txt",
     r"\Z", "RP/0/RSP0/CPU0:Jul 20 10:01:02.345 : config[65711]: %MGBL-SYS-5-CONFIG_I : "
     "Configured from console by admin\n"),
    ("op.logging.critical", "cisco_asa", "show logging",
     "asa/show_logging/ntc-templates--cisco_asa_show_logging_1.txt",
     r"\Z", "Jul 20 2024 10:01:02: %ASA-5-111008: User 'admin' executed the 'write' command.\n"),
    ("lic.smart.usage", "cisco_xe", "show license summary",  # a stack, one member less
     "iosxe/show_license_summary/genieparser--golden_output4.txt",
     r"       2 IN USE", "       1 IN USE"),
    ("hw.transceivers", "cisco_xe", "show interfaces transceiver",
     "iosxe/show_interfaces_transceiver/genieparser--golden1.txt",
     r"^(\S+\d +)[\d.]+", r"\g<1>30.1"),
    ("hw.transceivers", "cisco_nxos", "show interface transceiver details",
     "nxos/show_interface_transceiver_details/genieparser--golden_output_3.txt",
     r"(Temperature +)[\d.]+", r"\g<1>30.11"),
    ("op.install.committed", "cisco_xe", "show install summary",  # another image added
     "iosxe/show_install_summary/genieparser--golden_output_2.txt",
     r"^(IMG +I +)\S+", r"\g<1>10.106.1.0.300"),
    ("op.modules.state", "cisco_xe", "show platform",  # taken a week later
     "iosxe/show_platform/genieparser--golden_output_2.txt", r"2y30w", "2y31w"),
]


@pytest.mark.parametrize("doubled", _DOUBLED_COUNTS, ids=lambda d: f"{d[0]}-{d[1]}-{d[3]}")
def test_two_healthy_replies_that_differ_are_not_counted_as_one(doubled: tuple[str, ...]) -> None:
    check, platform, command, path, pattern, later = doubled
    first = corpus_file(path).read_text(encoding="utf-8", errors="replace").rstrip("\n") + "\n"
    second = re.sub(pattern, later, first, count=1, flags=re.MULTILINE)
    assert second != first
    for alone in (first, second):
        assert judge(_corpus_case(check, platform, command, alone))["status"] == "PASS"
    _assert_not_judged(check, platform, command, first, second)


# Where the corpus holds no output of the command, the lab's chassis in a fault's scenario
# and healthy: (profile, scenario, check, command).
_HIDDEN_LAB_FAULTS = [
    ("asa5525", "cpu_high", "op.cpu.load", "show cpu usage"),
    ("asa5525", "memory_low", "op.memory.free", "show memory"),
]


@pytest.mark.parametrize("hidden", _HIDDEN_LAB_FAULTS, ids="-".join)
def test_a_healthy_lab_reply_beside_a_faulty_one_is_not_judged(hidden: tuple[str, ...]) -> None:
    profile, scenario, check, command = hidden
    case = _lab_case(profile, check)
    faulty = render_output(profile, command, scenario)
    assert judge(case)["status"] == "PASS"
    case["outputs"][command] = {"text": faulty}
    assert judge(case)["status"] == "FAIL"
    for both in (faulty + "\n" + _healthy(profile, command),
                 _healthy(profile, command) + "\n" + faulty):
        case["outputs"][command] = {"text": both}
        result = judge(case)
        assert result["status"] == "ERROR", result["message"]
        assert "its reply twice" in result["message"], result["message"]
