"""Attack: an output that holds its command's reply twice (a capture pasted twice into its
file, a terminal that printed the reply again, two captures a minute apart saved as one).

Every parser reads both copies: the inventory check counted 14 units on a Catalyst 9300 that
has 7, the module check 2 modules where the chassis has 1, and the identity check passed on
two `show version` banners. Such an output is ERROR (not judged), saying it holds its reply
twice; no real output of the shared corpus or the lab reads so.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from mock_devices.lab import render_output
from mock_devices.profiles import load_profiles
from tests.corpus import corpus_file, corpus_index
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
        assert "`show version` twice" in result["message"], (profile, result["message"])


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


def test_no_real_output_reads_as_said_twice() -> None:
    """Stacks print a table per switch under one header, inventories list one PID under many
    serials and many entries without one: none of it is a reply said twice."""
    from checks.common import banner_said_twice
    from checks.identity import entry_listed_twice
    from inspector.facts import Unreadable, said_twice

    rows = corpus_index()
    if not rows:
        corpus_file("index.tsv")  # skips, saying where the corpus was looked for
    refused = []
    for row in rows:
        text = corpus_file(row["file"]).read_text(encoding="utf-8", errors="replace")
        rules = [said_twice]
        if "version" in row["command"]:
            rules.append(banner_said_twice)
        if "inventory" in row["command"]:
            rules.append(entry_listed_twice)
        for rule in rules:
            try:
                rule(text)
            except Unreadable as exc:
                refused.append(f"{row['file']}: {exc}")
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
