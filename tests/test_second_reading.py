"""NAPALM's second reading of the evidence, on real outputs: NAPALM's own test fixtures and
Genie's in the shared corpus. Where two readings disagree the check is ERROR with both quoted."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pytest

from checks.environment import ENVIRONMENT, Environment, Reading
from checks.hardware import TRANSCEIVERS, parse_ios_transceivers
from checks.operational import (
    INTERFACE_ERRORS,
    INTERFACE_ROWS,
    ErrorCounters,
    parse_interface_counters,
)
from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_chassis, plan_commands
from inspector.evidence import RawOutput
from inspector.facts import Own, Source
from inspector.policy import load_policy
from inspector.readonly import require_read_only
from inspector.second_reading import (
    DRIVERS,
    READINGS,
    EvidenceConnection,
    NotInEvidence,
    _driver,
    _IosDriverRe,
    command_groups,
    compare,
    warm_up_napalm,
)
from tests.corpus import CORPUS, corpus_file

_LOW_RX = "ios/show_interfaces_transceiver/napalm--test_get_optics-low_rx_power.txt"
_NXOS_TEMPERATURE = "nxos/show_environment_temperature/napalm--test_get_environment-normal.txt"
_NXOS_RESOURCES = "nxos/show_system_resources/genieparser--golden_output.txt"
_IOS_VERSION = "ios/show_version/napalm--test_get_facts-normal.txt"

# Written here (the corpus holds no such pair for that chassis): what get_facts also sends.
_SHOW_HOSTS = "Default domain is not set\nName/address lookup uses domain service\n"
_IP_BRIEF = (
    "Interface              IP-Address      OK? Method Status                Protocol\n"
    "GigabitEthernet0/0     unassigned      YES unset  up                    up\n"
)


def _outputs(platform: str, texts: dict[str, str]) -> Callable[[str], RawOutput]:
    def output(command: str) -> RawOutput:
        if command in texts:
            return RawOutput.from_text(command, texts[command], platform=platform)
        return RawOutput(command=command, text=None, absent=True)

    return output


def _judge(platform: str, texts: dict[str, str], check_id: str) -> dict[str, Any]:
    check = load_catalogue().get(check_id)
    [result] = evaluate_chassis(platform=platform, outputs=_outputs(platform, texts),
                                session=None, checks=[check], policy=load_policy(None))
    return result


def _read(relative: str) -> str:
    return corpus_file(relative).read_text(encoding="utf-8")


def _nxos_environment() -> dict[str, str]:
    temperatures = _read(_NXOS_TEMPERATURE)
    # The corpus's `show environment temperature` is the Temperature section `show environment`
    # prints, on the same chassis: the catalogue's reading and NAPALM's read the same table.
    return {"show environment": temperatures, "show environment temperature": temperatures,
            "show system resources": _read(_NXOS_RESOURCES)}


# --- the offline device ------------------------------------------------------------------------


def test_the_evidence_answers_only_captured_outputs() -> None:
    connection = EvidenceConnection(_outputs("cisco_ios", {"show version": "Cisco IOS ...\n"}))
    assert connection.send_command("show version") == "Cisco IOS ...\n"
    with pytest.raises(NotInEvidence, match="show hosts"):
        connection.send_command("show hosts")
    with pytest.raises(NotInEvidence, match="send_config_set"):
        connection.send_config_set(["no logging console"])


def test_a_refusal_the_device_printed_is_not_an_output() -> None:
    refused = "            ^\n% Invalid input detected at '^' marker.\n"
    connection = EvidenceConnection(_outputs("cisco_ios", {"show hosts": refused}))
    with pytest.raises(NotInEvidence, match="Invalid input"):
        connection.send_command("show hosts")


# --- the plan --------------------------------------------------------------------------------


def test_commands_of_second_readings_pass_the_gate_and_join_the_plan_only_when_needed() -> None:
    for reading in READINGS:
        for commands in reading.commands.values():
            assert all(require_read_only(c) == c for c in commands)
    catalogue = load_catalogue()
    with_temperature = plan_commands("cisco_nxos", [catalogue.get("hw.temperature.status")])
    assert ("show environment temperature",) in with_temperature
    without = plan_commands("cisco_nxos", [catalogue.get("hw.psu.status")])
    assert ("show environment temperature",) not in without
    # Power supplies and fans: NAPALM's IOS and NX-OS getters only hold placeholders.
    for platform in ("cisco_ios", "cisco_xe", "cisco_nxos"):
        assert command_groups(platform, ["hw.psu.status", "hw.fan.status"]) == []
    # IOS-XR's driver speaks the XML agent, ASA has no driver: no second reading at all.
    every = [c.id for c in catalogue.all()]
    assert command_groups("cisco_xr", every) == command_groups("cisco_asa", every) == []


# --- agreement on real outputs ---------------------------------------------------------------


def test_optics_agree_on_napalms_own_fixture() -> None:
    result = _judge("cisco_ios", {"show interfaces transceiver": _read(_LOW_RX)},
                    "hw.transceivers")
    assert result["status"] == "FAIL"  # Rx -27.4 dBm at low alarm
    assert result["second_reading"] == {"parser": "napalm ios get_optics", "status": "agreed",
                                        "values": ["GigabitEthernet0/11"]}


def test_nxos_temperatures_and_memory_agree() -> None:
    texts = _nxos_environment()
    temperature = _judge("cisco_nxos", texts, "hw.temperature.status")
    assert temperature["status"] == "PASS"
    assert temperature["second_reading"]["status"] == "agreed"
    assert temperature["second_reading"]["values"] == [
        "module 1 cpu", "module 1 davos", "module 1 exhaust", "module 1 intake"]
    memory = _judge("cisco_nxos", texts, "op.memory.free")
    assert memory["status"] == "PASS"
    assert memory["second_reading"] == {"parser": "napalm nxos_ssh get_environment",
                                        "status": "agreed", "values": ["system free %"]}


def _inventory(serial: str) -> str:
    # Written here for the chassis of NAPALM's `show version` fixture (WS-C2960G-8TC-L).
    return ('NAME: "1", DESCR: "WS-C2960G-8TC-L"\n'
            f"PID: WS-C2960G-8TC-L  , VID: V01  , SN: {serial}\n")


def _identity_texts(serial: str) -> dict[str, str]:
    return {"show version": _read(_IOS_VERSION), "show hosts": _SHOW_HOSTS,
            "show ip interface brief": _IP_BRIEF, "show inventory": _inventory(serial)}


def test_ios_identity_agrees_on_napalms_own_fixture() -> None:
    result = _judge("cisco_ios", _identity_texts("FOC1308V5NB"), "hw.chassis.identity")
    assert result["status"] == "PASS"
    # The inventory's PID and serial are the device's other statement, not a second reading
    # of `show version`: only the OS version is read by both.
    assert result["second_reading"] == {"parser": "napalm ios get_facts", "status": "agreed",
                                        "values": ["version"]}


def test_a_misread_version_makes_the_identity_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from checks.identity import VERSION

    def misread(text: str) -> dict[str, Any]:
        # `BOOTLDR: ... Version 12.2(35r)SE2` taken for the running version.
        return {"os": "IOS", "version": "12.2(35r)SE2", "pid": None, "serial": None}

    monkeypatch.setitem(VERSION.sources, "cisco_ios", Source("show version", Own(misread)))
    result = _judge("cisco_ios", _identity_texts("FOC1308V5NB"), "hw.chassis.identity")
    assert result["status"] == "ERROR"
    assert result["second_reading"]["differences"] == [
        "version: ours '12.2(35r)SE2', napalm '15.0(2)SE4'"]
    assert "show version by own" in result["message"]
    assert "napalm ios get_facts" in result["message"]


def test_a_getter_missing_a_command_is_no_reading() -> None:
    texts = _nxos_environment()
    del texts["show environment temperature"]
    result = _judge("cisco_nxos", texts, "op.memory.free")
    assert result["status"] == "PASS"  # the check's own verdict stands
    assert result["second_reading"]["status"] == "no reading"
    assert "show environment temperature" in result["second_reading"]["reason"]


# --- disagreement: a dropped row, a misread state --------------------------------------------


def test_a_dropped_row_makes_the_check_error_with_both_readings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = _read(_LOW_RX)
    # Two optics, then a parser that loses the first of them, as Genie loses rows.
    two = text.rstrip("\n") + "\nGi0/12       25.0       3.21      -2.1      -3.0\n"
    monkeypatch.setitem(TRANSCEIVERS.sources, "cisco_ios", Source(
        "show interfaces transceiver", Own(lambda t: parse_ios_transceivers(t)[1:])))
    result = _judge("cisco_ios", {"show interfaces transceiver": two}, "hw.transceivers")
    assert result["status"] == "ERROR"
    second = result["second_reading"]
    assert second["status"] == "disagreed"
    assert second["differences"] == ["GigabitEthernet0/11: only napalm reads it ('listed')"]
    assert second["ours"]["parser"] == "show interfaces transceiver by own"
    assert second["theirs"]["parser"] == "napalm ios get_optics"
    assert "only napalm reads it" in result["message"]
    assert "napalm ios get_optics" in result["message"] and "by own" in result["message"]


def test_a_misread_reading_makes_the_check_error_with_both_readings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def misread(text: str) -> Environment:
        # The CPU sensor's 44 C read from the minor threshold column (90 C): a hot CPU that
        # would FAIL the chassis, where NAPALM reads 44 C.
        return Environment(temperatures={
            "module 1 Intake": Reading(state="Ok", celsius=28.0, critical=70.0),
            "module 1 Exhaust": Reading(state="Ok", celsius=33.0, critical=90.0),
            "module 1 CPU": Reading(state="Ok", celsius=90.0, critical=90.0),
            "module 1 Davos": Reading(state="Ok", celsius=49.0, critical=110.0)})

    monkeypatch.setitem(ENVIRONMENT.sources, "cisco_nxos",
                        Source("show environment", Own(misread)))
    result = _judge("cisco_nxos", _nxos_environment(), "hw.temperature.status")
    assert result["status"] == "ERROR"  # never the FAIL the misread alone would give
    second = result["second_reading"]
    assert second["differences"] == ["module 1 cpu: ours 90.0, napalm 44.0"]
    assert second["ours"]["values"]["module 1 cpu"] == 90.0
    assert second["theirs"]["values"]["module 1 cpu"] == 44.0
    assert "the FAIL it would have been" in result["message"]
    assert result["evidence"] == [{"path": "second_reading/module 1 cpu",
                                   "actual": "module 1 cpu: ours 90.0, napalm 44.0"}]


def _lab_texts(profile: str, *commands: str) -> dict[str, str]:
    from mock_devices.lab import render_output

    return {command: render_output(profile, command, "healthy", index=3) for command in commands}


def test_interface_input_errors_agree_and_a_misread_counter_makes_the_check_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _lab_texts("isr4431", "show interfaces", "show interface summary")
    # One port with 7 output errors and no input error: a parser that takes the output
    # errors' count for the input errors reads a fault the device does not report.
    port = texts["show interfaces"].split("\n\n")[0]
    assert "0 output errors" in port
    texts["show interfaces"] = texts["show interfaces"].replace(
        "0 output errors", "7 output errors", 1)
    agreed = _judge("cisco_xe", texts, "op.interfaces.errors")
    assert agreed["status"] == "PASS"
    assert agreed["second_reading"]["parser"] == "napalm ios get_interfaces_counters"
    assert agreed["second_reading"]["status"] == "agreed"
    assert "GigabitEthernet0/0/0" in agreed["second_reading"]["values"]

    def misread(text: str) -> dict[str, ErrorCounters]:
        found = parse_interface_counters(text)
        found["GigabitEthernet0/0/0"] = ErrorCounters(input_errors=7, crc=0)
        return found

    monkeypatch.setitem(INTERFACE_ERRORS.sources, "cisco_xe",
                        Source("show interfaces", Own(misread), rows=INTERFACE_ROWS))
    result = _judge("cisco_xe", texts, "op.interfaces.errors")
    assert result["status"] == "ERROR"  # not the FAIL the misread alone would give
    assert result["second_reading"]["differences"] == [
        "GigabitEthernet0/0/0: ours 7, napalm 0"]
    assert "napalm ios get_interfaces_counters" in result["message"]


def test_evidence_without_the_interface_summary_is_no_counters_reading() -> None:
    # A run collected before the summary joined the plan: the check's own reading stands.
    texts = _lab_texts("cat9300", "show interfaces")
    result = _judge("cisco_xe", texts, "op.interfaces.errors")
    assert result["status"] == "PASS"
    assert result["second_reading"]["status"] == "no reading"
    assert "show interface summary" in result["second_reading"]["reason"]


def _line_protocol_texts(seed: int) -> list[str]:
    """Lines of header words, counters and the pattern's own words, in every arrangement."""
    rng = random.Random(seed)
    words = ["GigabitEthernet1/0/1 is up,", " line protocol is ", "up (connected)", "is down",
             "  Hardware is", " line protocol is", "line protocol is ", " ", "\r", "x",
             "     0 input errors, 0 CRC", "Vlan1 is administratively down,", ""]
    return ["".join(rng.choice(words) + rng.choice(["", "", "\n", "\n\n", "\r\n"])
                    for _ in range(rng.randint(0, 40))) for _ in range(3000)]


def test_the_anchored_line_protocol_pattern_finds_napalms_matches() -> None:
    anchored = _IosDriverRe()
    pattern = anchored.UNANCHORED
    lab = [_lab_texts(profile, "show interfaces")["show interfaces"]
           for profile in ("cat9300", "cat2960x", "isr4431", "cisco2811", "cat6500")]
    for text in lab + _line_protocol_texts(seed=19):
        assert anchored.split(pattern, text, flags=re.M) == re.split(pattern, text, flags=re.M)
        assert anchored.findall(pattern, text, flags=re.M) == re.findall(pattern, text,
                                                                          flags=re.M)
    # Any other pattern, or without re.M, is re's own.
    assert anchored.findall(r"^\d", "1a\n2b", flags=re.M) == ["1", "2"]
    text = "a\nb line protocol is c"
    assert anchored.split(pattern, text) == re.split(pattern, text) == ["a\n", ""]


def _cleaned_texts(seed: int) -> list[str]:
    """Texts with and without the cleaned lines' words, at line starts and inside lines."""
    rng = random.Random(seed)
    words = ["Load for five secs: 5%/0%; one minute: 6%", "Time source is NTP, 10:01:02 UTC",
             "Load for five secs", "Time source is ", "Time source is", "load for five secs",
             " Time source is NTP", "Load for five", "x", "", "\r"]
    return ["".join(rng.choice(words) + rng.choice(["", "\n", "\n\n", "\r\n"])
                    for _ in range(rng.randint(0, 12))) for _ in range(3000)]


def test_the_cleaned_lines_are_removed_as_napalm_removes_them() -> None:
    driver_re = _IosDriverRe()
    lab = [_lab_texts(profile, command)[command]
           for profile in ("cat9300", "cat2960x", "isr4431", "asr1001")
           for command in ("show interfaces", "show version")]
    texts = lab + _cleaned_texts(seed=6)
    assert sum("Time source is " in t for t in texts) > 100  # both ways are well tried
    for pattern in driver_re.CLEANED:
        for text in texts:
            assert driver_re.sub(pattern, "", text, flags=re.M) == re.sub(pattern, "", text,
                                                                            flags=re.M)
    # Any other pattern, other flags, or bytes: re's own.
    assert driver_re.sub(r"^t", "T", "a\nt", flags=re.M) == "a\nT"
    assert driver_re.sub("^Time source is .*$", "", "time source is x",
                         flags=re.M | re.I) == ""
    assert driver_re.sub(b"^Time source is .*$", b"", b"Time source is x", flags=re.M) == b""
    assert driver_re.sub("^Time source is .*$", "", "Timesourceis x", flags=re.M | re.X) == ""


def test_napalms_ios_driver_reads_counters_through_the_anchored_pattern(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import inspect

    import napalm.ios.ios

    warm_up_napalm()
    assert isinstance(napalm.ios.ios.re, _IosDriverRe)
    # Still NAPALM's pattern: a release that changed it would leave the anchoring idle.
    source = inspect.getsource(napalm.ios.ios.IOSDriver.get_interfaces_counters)
    assert source.count(f'r"{_IosDriverRe.UNANCHORED}", output, flags=re.M') == 2
    cleaning = inspect.getsource(napalm.ios.ios.IOSDriver._send_command_postprocess)
    for pattern in _IosDriverRe.CLEANED:
        assert f're.sub(r"{pattern}", "", output, flags=re.M)' in cleaning
    for profile, platform in (("cat9300", "cisco_xe"), ("cat2960x", "cisco_ios"),
                              ("cisco2811", "cisco_ios"), ("asr1001", "cisco_xe")):
        texts = _lab_texts(profile, "show interfaces", "show interface summary")
        connection = EvidenceConnection(_outputs(platform, texts))
        anchored = _driver(platform, connection).get_interfaces_counters()
        with monkeypatch.context() as plain:
            plain.setattr(napalm.ios.ios, "re", re)
            assert _driver(platform, connection).get_interfaces_counters() == anchored
        assert len(anchored) >= 2


def test_compare_names_every_kind_of_difference() -> None:
    assert compare({"a": 1.0, "b": 2.0}, {"a": 1.2, "c": 3.0}, tolerance=0.5) == [
        "b: only ours reads it (2.0)", "c: only napalm reads it (3.0)"]
    assert compare({"a": "ok"}, {"a": "not present"}) == ["a: ours 'ok', napalm 'not present'"]


# --- the lab: every profile and scenario, rendered as the lab serves it -------------------------


def _lab_cases() -> list[tuple[str, str]]:
    from mock_devices.profiles import load_profiles

    return [(name, scenario) for name, profile in sorted(load_profiles().items())
            if profile.device_type in DRIVERS for scenario in sorted(profile.scenarios)]


@pytest.mark.parametrize(("profile_name", "scenario"), _lab_cases())
def test_every_second_reading_of_the_lab_agrees(profile_name: str, scenario: str) -> None:
    from mock_devices.lab import render_output
    from mock_devices.profiles import command_slug, get_profile

    profile = get_profile(profile_name)
    templates = profile.effective_templates(scenario)
    platform = profile.device_type

    def output(command: str) -> RawOutput:
        if command_slug(command) not in templates:
            return RawOutput(command=command, text=None, absent=True)
        text = render_output(profile_name, command, scenario, index=7)
        return RawOutput.from_text(command, text, platform=platform)

    checks = [c for c in load_catalogue().all()
              if command_groups(platform, [c.id]) and platform in c.platforms]
    results = evaluate_chassis(platform=platform, outputs=output, session=None, checks=checks,
                               policy=load_policy(None))
    readings = {r["id"]: r["second_reading"] for r in results if "second_reading" in r}
    assert not [r for r in readings.values() if r["status"] == "disagreed"], readings
    if scenario == "healthy":
        # The lab answers every command a second reading adds: each check that passed is read
        # twice (a SKIP, such as a router without optics, stands on nothing to read again),
        # and agrees, except where NAPALM's own parser cannot read the family's real layout.
        assert {r["id"] for r in results if r["status"] in ("PASS", "FAIL")} == set(readings), \
            readings
        unread = NAPALM_CANNOT_READ.get(profile_name, {})
        for check_id, reading in readings.items():
            if check_id in unread:
                assert reading["status"] == "no reading", reading
                assert unread[check_id] in reading["reason"], reading
            else:
                assert reading["status"] == "agreed", (check_id, reading)


# Lab families whose real layout NAPALM's parser cannot read: the reading is "no reading", the
# check keeps its own verdict. A Nexus 7000 and an MDS name their sensors with spaces
# (`Inlet  (s1)`, `Outlet1  (s1)`), which nxos_ssh's get_environment splits into more columns
# than it unpacks; an MDS's Fibre Channel optics (`fc1/1 sfp is present`) are no port its
# get_optics knows.
NAPALM_CANNOT_READ = {
    "nexus7009": {"hw.temperature.status": "too many values to unpack",
                  "op.memory.free": "too many values to unpack"},
    "mds9148s": {"hw.temperature.status": "too many values to unpack",
                 "op.memory.free": "too many values to unpack",
                 "hw.transceivers": "read none of what the check judges"},
}


_OPTICS = {"cisco_ios": ("ios/show_interfaces_transceiver", "show interfaces transceiver"),
           "cisco_xe": ("iosxe/show_interfaces_transceiver", "show interfaces transceiver"),
           "cisco_nxos": ("nxos/show_interface_transceiver_details",
                          "show interface transceiver details")}


@pytest.mark.parametrize("platform", sorted(_OPTICS))
def test_optics_of_the_corpus_never_disagree(platform: str) -> None:
    folder, command = _OPTICS[platform]
    corpus_file(_LOW_RX)  # skips where the corpus is absent
    readings = {}
    for path in sorted((CORPUS / folder).glob("*.txt")):
        result = _judge(platform, {command: path.read_text(encoding="utf-8")}, "hw.transceivers")
        readings[path.name] = (result["status"], result.get("second_reading", {}).get("status"))
    assert "disagreed" not in {status for _, status in readings.values()}, readings
    assert ("PASS", "agreed") in readings.values() or ("FAIL", "agreed") in readings.values()
    if platform == "cisco_ios":
        # NAPALM splits the table at a line of nine dashes; this Catalyst 6500 prints seven:
        # NAPALM reads nothing, which is no reading, not 3 optics dropped.
        assert readings["genieparser--golden1.txt"] == ("PASS", "no reading")
