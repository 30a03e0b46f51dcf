"""The chassis identity and the license UDI pass on what the outputs show, read where each
output prints it: a release read from the banner of `show version` (not from a restart
message another command quotes), a PID and a serial both read before a UDI matches, and the
two outputs of one chassis, not of two.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from checks.identity import same_product
from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_chassis, evaluate_check
from inspector.evidence import RawOutput, Session
from inspector.facts import FactResolver
from inspector.policy import load_policy
from inspector.program import HostContext
from inspector.records import build_record
from reports import render
from reports.terminal import print_record
from tests.conftest import record_validator
from tests.corpus import WRITTEN_VERSIONS, corpus_file

# A Nexus 9396PX's `show version` and another 9396PX's inventory: the corpus holds no pair of
# one Nexus, and this is the pair of one product.
NXOS_VERSION = "nxos/show_version/genieparser--golden_output_1.txt"
NXOS_INVENTORY = "nxos/show_inventory/ntc-templates--cisco_nxos_show_inventory.txt"
XE_VERSION = "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_1.txt"

# The inventory of a C9500-24Y4C as the version above names it (as the labelled corpus's
# companion of that output writes it).
XE_INVENTORY = """NAME: "Chassis", DESCR: "Cisco Catalyst 9500 Series Chassis"
PID: C9500-24Y4C       , VID: V01  , SN: CAT2136L3NG
"""

# An ASR 9006's inventory, as IOS-XR prints it (the lab's asr9006 profile).
XR_INVENTORY = """Sun Jun  1 00:00:00.000 UTC
NAME: "Rack 0", DESCR: "ASR 9006 4 Line Card Slot Chassis with V2 AC PEM"
PID: ASR-9006-AC-V2, VID: V01, SN: FOX2349LNRJ

NAME: "0/RSP0/CPU0", DESCR: "ASR9K Route Switch Processor with 880G/slot Fabric and 16GB"
PID: A9K-RSP880-SE, VID: V03, SN: FOC24174MTT
"""

# An ASR 1000's `show logging` saved as `show version`: its restart message quotes the banner.
XE_LOGGING = """Syslog logging: enabled (0 messages dropped, 2 messages rate-limited, 0 flushes, 0 overruns, xml disabled, filtering disabled)

    Console logging: disabled
    Buffer logging:  level informational, 38 messages logged, xml disabled,
                    filtering disabled

Log Buffer (64000 bytes):

Aug 10 11:22:06.000: %IOSXE-5-PLATFORM: R0/0: udev: bootflash: has been inserted
Aug 10 11:22:13.000: %SYS-5-RESTART: System restarted --
Cisco IOS Software [Fuji], ASR1000 Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.8, RELEASE SOFTWARE (fc2)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 04-Nov-21 05:50 by mcpre
Aug 10 11:22:13.000: %SSH-5-ENABLED: SSH 1.99 has been enabled
"""  # noqa: E501


def _corpus(relative: str) -> str:
    return corpus_file(relative).read_text(encoding="utf-8", errors="replace")


def judge(check_id: str, platform: str, outputs: dict[str, str]) -> dict[str, Any]:
    def output(command: str) -> RawOutput:
        if command not in outputs:
            return RawOutput(command=command, text=None, sha256=None, error="not captured")
        return RawOutput.from_text(command, outputs[command], platform=platform)

    return evaluate_check(load_catalogue().get(check_id), platform=platform,
                          resolver=FactResolver(platform, output),
                          session=Session(connected=True, privileged=True),
                          policy=load_policy())


def test_an_nxos_show_version_cut_before_its_release_is_no_identity() -> None:
    """Cut after `BIOS: version`, before `NXOS: version`: ntc-templates still returns a row,
    with an empty release, and the identity passed as `running NX-OS ` (the title promises
    the OS version read)."""
    whole = _corpus(NXOS_VERSION)
    cut = whole[:whole.index(" NXOS: version")]
    assert judge("hw.chassis.identity", "cisco_nxos",
                 {"show version": whole, "show inventory": _corpus(NXOS_INVENTORY)}
                 )["status"] == "PASS"
    result = judge("hw.chassis.identity", "cisco_nxos",
                   {"show version": cut, "show inventory": _corpus(NXOS_INVENTORY)})
    assert result["status"] == "ERROR", result["message"]
    assert "no release" in result["message"]


def test_a_show_logging_saved_as_show_version_gives_no_release() -> None:
    """Genie read `Version 16.9.8` from a restart message the log quotes: the release of a
    chassis is read from the banner its `show version` opens with, nothing else."""
    result = judge("hw.chassis.identity", "cisco_xe",
                   {"show version": XE_LOGGING, "show inventory": XE_INVENTORY})
    assert result["status"] == "ERROR", result["message"]
    assert "Syslog logging: enabled" in result["message"]
    assert "not the banner of `show version`" in result["message"]


def test_a_show_version_after_its_echo_and_exec_timestamps_still_reads() -> None:
    text = ("sw1#show version\nLoad for five secs: 2%/0%; one minute: 1%; five minutes: 1%\n"
            "Time source is NTP, 12:00:00.000 UTC Mon Jan 1 2024\n\n" + _corpus(XE_VERSION))
    result = judge("hw.chassis.identity", "cisco_xe",
                   {"show version": text, "show inventory": XE_INVENTORY})
    assert result["status"] == "PASS", result["message"]
    assert "C9500-24Y4C serial CAT2136L3NG running IOS-XE 17.3.1" in result["message"]


def test_an_inventory_of_another_chassis_is_no_identity() -> None:
    """`show version` names a Catalyst 9500 on IOS-XE, `show inventory` an ASR 9006 whose
    family runs IOS-XR: no chassis prints both, so these are two devices' outputs (a capture
    folder assembled from two, a session that reached another host). ERROR, not FAIL: a
    field engineer reads a FAIL as "this chassis does not meet the requirement" and would
    reject or bill a chassis on evidence that is not all its own; what is true is that we
    cannot tell which chassis this is, and the way on is to collect again. Both PIDs and
    serials are named so the mix-up can be seen."""
    result = judge("hw.chassis.identity", "cisco_xe",
                   {"show version": _corpus(XE_VERSION), "show inventory": XR_INVENTORY})
    assert result["status"] == "ERROR", result["message"]
    for named in ("C9500-24Y4C", "CAT2136L3NG", "ASR-9006-AC-V2", "FOX2349LNRJ",
                  "not of one chassis"):
        assert named in result["message"]


@pytest.mark.parametrize(("platform", "version", "inventory", "named"), [
    # A C9500-24Y4C's show version beside a C9300-48P stack's inventory: both IOS-XE.
    ("cisco_xe", XE_VERSION,
     "iosxe/show_inventory/genieparser--cat9k_c9300_rv1-golden_output_2.txt", "C9300-48P"),
    # `cisco Nexus9000 C9372PX chassis` beside a Nexus 9396PX's inventory.
    ("cisco_nxos", "nxos/show_version/ntc-templates--cisco_nxos_show_version4.txt",
     NXOS_INVENTORY, "N9K-C9396PX"),
    # An ASR 901's `Cisco A901-6CZ-FT-D` (DC) beside an A901-6CZ-FT-A's (AC) inventory.
    ("cisco_ios", "iosxe/show_version/genieparser--golden_output_asr901.txt",
     "ios/show_inventory/genieparser--asr900_asr901-golden_output.txt", "A901-6CZ-FT-A"),
])
def test_an_inventory_of_another_product_of_the_same_os_is_no_identity(
        platform: str, version: str, inventory: str, named: str) -> None:
    """Families of one OS were not told apart, and these pairs of two devices passed as one
    chassis: the chassis model show version names and the inventory's chassis PID are
    compared as products."""
    result = judge("hw.chassis.identity", platform,
                   {"show version": _corpus(version), "show inventory": _corpus(inventory)})
    assert result["status"] == "ERROR", result["message"]
    assert named in result["message"] and "not of one chassis" in result["message"]


@pytest.mark.parametrize(("platform", "version", "inventory"), [
    # One Catalyst 3850 stack (serial FCW1932D0LB in both): WS-C3850-24P beside WS-C3850-24P-E.
    ("cisco_xe", "iosxe/show_version/genieparser--golden_output_c3850.txt",
     "iosxe/show_inventory/genieparser--golden_output_c3850.txt"),
    # `cisco Nexus9000 C9396PX Chassis` beside `PID: N9K-C9396PX`.
    ("cisco_nxos", NXOS_VERSION, NXOS_INVENTORY),
    # `cisco ISR4451-X/K9 (2RU) processor` beside `PID: ISR4451-X/K9`.
    ("cisco_xe", "iosxe/show_version/genieparser--golden_output_isr4k.txt",
     "iosxe/show_inventory/genieparser--golden_output_1.txt"),
])
def test_one_product_written_two_ways_is_one_chassis(
        platform: str, version: str, inventory: str) -> None:
    result = judge("hw.chassis.identity", platform,
                   {"show version": _corpus(version), "show inventory": _corpus(inventory)})
    assert result["status"] == "PASS", result["message"]


@pytest.mark.parametrize(("named", "listed", "same"), [
    ("WS-C3850-24T", "WS-C3850-24T-S", True), ("C9300-24P", "C9300-24P-A", True),
    ("ISR4431/K9", "ISR4431", True), ("2821", "CISCO2821", True),
    ("C93180YC-EX", "N9K-C93180YC-EX", True), ("93180YC-EX", "N9K-C93180YC-EX", True),
    ("3048", "N3K-C3048TP-1GE", True), ("C7009", "N7K-C7009", True),
    ("9148S", "DS-C9148S-K9", True),
    ("C9500-24Y4C", "C9300-24T", False), ("C93180YC-EX", "N9K-C93180YC-FX", False),
    ("ASR1002", "ASR1002-X", False), ("C9300-24P", "C9300-24PD", False),
    ("3048", "N3K-C30481", False),
])
def test_products_are_compared_not_strings(named: str, listed: str, same: bool) -> None:
    assert same_product(named, listed) is same


def test_a_udi_matches_only_with_the_chassis_pid_read() -> None:
    """NX-OS's host ID names only a serial: the match passed on the serial alone while the
    inventory's chassis PID was blank (its lines wrapped in escape codes)."""
    inventory = _corpus(NXOS_INVENTORY)
    host_id = "License hostid: VDH=SAL1819S6LU\n"
    assert judge("lic.udi.match", "cisco_nxos", {"show license host-id": host_id,
                                                 "show inventory": inventory}
                 )["status"] == "PASS"
    blank = inventory.replace("N9K-C9396PX", " " * len("N9K-C9396PX"), 1)
    result = judge("lic.udi.match", "cisco_nxos",
                   {"show license host-id": host_id, "show inventory": blank})
    assert result["status"] == "ERROR", result["message"]
    assert "PID" in result["message"]


# A C9300-48P stack's inventory (serial FCW2124G09K) and the license UDI of the C9500 whose
# `show version` stands beside it (XE_VERSION: `cisco C9500-24Y4C`, board ID CAT2136L3NG).
STACK_INVENTORY = "iosxe/show_inventory/genieparser--cat9k_c9300_rv1-golden_output_2.txt"
C9500_UDI = "UDI: PID:C9500-24Y4C,SN:CAT2136L3NG\n"
# Every check that reads `show version` or `show inventory` on IOS-XE.
READERS_OF_THE_PAIR = {
    "hw.chassis.identity", "hw.inventory.serials", "hw.fan.status", "lic.udi.match",
    "prog.declared.identity", "prog.hold.list", "op.config.register", "op.reload.reason",
    "op.software.boot", "op.install.committed",
}


def judge_all(outputs: dict[str, str]) -> dict[str, dict[str, Any]]:
    def output(command: str) -> RawOutput:
        if command not in outputs:
            return RawOutput(command=command, text=None, sha256=None, error="not captured")
        return RawOutput.from_text(command, outputs[command], platform="cisco_xe")

    context = HostContext.from_data("sw1", {"declared_pid": "C9300-48P",
                                            "declared_serial": "FCW2124G09K",
                                            "condition": "working"}, ["FOC0000X1"])
    return {result["id"]: result for result in evaluate_chassis(
        platform="cisco_xe", outputs=output, session=Session(connected=True, privileged=True),
        checks=load_catalogue().all(), policy=load_policy(), context=context)}


def test_no_check_judges_an_output_of_another_chassis() -> None:
    """A C9500's `show version` beside a C9300 stack's inventory made only the identity
    ERROR: the serials check judged the stack's units as the C9500's, the UDI check failed the
    C9500's licence against the stack's chassis, and the checklist and hold list were held to
    the stack's PID and serials. Which of the two is this chassis's cannot be told, so every
    check that reads either output is ERROR, naming both chassis; one that reads neither (the
    supplies, from `show environment all`) is judged as before."""
    outputs = {"show version": _corpus(XE_VERSION), "show inventory": _corpus(STACK_INVENTORY),
               "show license udi": C9500_UDI}
    results = judge_all(outputs)
    read_the_pair = {check.id for check in load_catalogue().all()
                     if {"show version", "show inventory"} & set(check.commands("cisco_xe"))}
    assert read_the_pair == READERS_OF_THE_PAIR
    for check_id in READERS_OF_THE_PAIR:
        result = results[check_id]
        assert result["status"] == "ERROR", (check_id, result["message"])
        assert "not of one chassis" in result["message"], (check_id, result["message"])
        assert "C9500-24Y4C" in result["message"] and "C9300-48P" in result["message"]
        assert {c["command"] for c in result["commands"]} >= {"show version", "show inventory"}
    # With a `show version` that names no other chassis, each is judged on its own merits.
    outputs["show version"] = WRITTEN_VERSIONS["written: release only, IOS-XE"]
    one = judge_all(outputs)
    assert not any("not of one chassis" in one[c]["message"] for c in READERS_OF_THE_PAIR)
    assert one["prog.declared.identity"]["status"] == "PASS", one["prog.declared.identity"]
    assert one["hw.inventory.serials"]["status"] == "PASS", one["hw.inventory.serials"]


@pytest.mark.parametrize(("version", "inventory", "chassis", "members"), [
    # A Catalyst 3850 stack of five, both outputs of it: `Switch 02` .. `Switch 05` in show
    # version, `Switch 2` .. `Switch 5` in the inventory, under its `c38xx Stack` entry.
    ("iosxe/show_version/genieparser--golden_output_c3850.txt",
     "iosxe/show_inventory/genieparser--golden_output_c3850.txt",
     ("WS-C3850-24P-E", "FCW1932D0LB"),
     [("Switch 2", "WS-C3850-24P-E", "FOC1932X0K1"), ("Switch 3", "WS-C3850-24P-E", "FCW1932C0MA"),
      ("Switch 4", "WS-C3850-24P-E", "FCW1932D0L0"),
      ("Switch 5", "WS-C3850-24P-E", "FOC1932X0F9")]),
    # A Catalyst 9300 stack of two (the corpus holds no show version of it).
    ("written: release only, IOS-XE", STACK_INVENTORY, ("C9300-48P", "FCW2124G09K"),
     [("Switch 2", "C9300-48P", "FOC2723YDDJ")]),
])
def test_every_chassis_of_a_stack_is_in_the_record_and_every_report(
        tmp_path: Path, version: str, inventory: str, chassis: tuple[str, str],
        members: list[tuple[str, str, str]]) -> None:
    """A stack's switches beyond the first are chassis of their own to the program (its fee
    is per chassis, its licences registered to each serial), on site but on no line of the
    checklist, and nothing showed them: the record named the first switch alone. Every
    member is now in the record's `chassis.members` and in every report, as read."""
    version_text = (WRITTEN_VERSIONS[version] if version in WRITTEN_VERSIONS
                    else _corpus(version))
    result = judge("hw.chassis.identity", "cisco_xe",
                   {"show version": version_text, "show inventory": _corpus(inventory)})
    assert result["status"] == "PASS", result["message"]
    for name, pid, serial in members:
        assert f"{name} {pid} serial {serial}" in result["message"]
    record = build_record(run_id="site", hostname="stack1", platform="cisco_xe",
                          results=[result], session=Session(connected=True, privileged=True),
                          policy=load_policy(), started_at="2026-12-07T10:00:00Z",
                          finished_at="2026-12-07T10:00:05Z")
    record_validator()(record)  # type: ignore[operator]
    assert (record["chassis"]["pid"], record["chassis"]["serial"]) == chassis
    assert record["chassis"]["members"] == [{"name": name, "pid": pid, "serial": serial}
                                            for name, pid, serial in members]
    shown = {fmt: render([record], fmt, tmp_path / f"report.{fmt}").read_text()
             for fmt in ("html", "md", "csv", "junit")}
    console = Console(file=io.StringIO(), width=200)
    print_record(console, record)
    for name, pid, serial in members:
        for fmt, text in shown.items():  # where each report names the chassis itself
            assert f"{name}: {pid} serial {serial}" in text, (fmt, serial)
        assert f"other chassis on site: {name} {pid} serial {serial}" in console.file.getvalue()
