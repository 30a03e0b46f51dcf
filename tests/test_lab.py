"""The mock-device lab: its outputs parse like real ones, its chassis behave like real ones.

Three groups of tests:
- outputs: every template of every profile and scenario renders completely and, where Genie has
  a parser for that command on that OS, parses with it offline (no device is ever contacted);
- sessions: one real netmiko session per profile over SSH on 127.0.0.1, plus the connection
  faults and the command log;
- planning and inventory: plan_lab is deterministic and spreads the faults; the inventory loads
  in Nornir.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paramiko
import pytest

from mock_devices import (
    HEALTHY,
    ChassisSpec,
    Lab,
    expected_verdict,
    get_profile,
    load_profiles,
    plan_lab,
    render_output,
    running_lab,
)
from mock_devices.profiles import PLACEHOLDER, command_slug

NOW = datetime(2025, 3, 14, 9, 26, 53, 123000, tzinfo=UTC)
PROFILES = sorted(load_profiles())

# What the brief asks each platform to answer; a profile may answer more.
REQUIRED_COMMANDS = {
    "cat9300": [
        "show version",
        "show inventory",
        "show environment all",
        "show license summary",
        "show license status",
        "show license udi",
        "show processes cpu sorted",
        "show memory statistics",
        "show logging",
        "dir crashinfo:",
        "show platform",
        "show redundancy",
        "show interfaces",
        "show interfaces status err-disabled",
        "show boot",
        "show install summary",
        "show post",
        "show interfaces transceiver",
    ],
    "isr4431": [
        "show version",
        "show inventory",
        "show environment all",
        "show license summary",
        "show license status",
        "show license udi",
        "show processes cpu sorted",
        "show memory statistics",
        "show logging",
        "dir bootflash:",
        "show platform",
        "show redundancy",
        "show interfaces",
        "show bootvar",
        "show install summary",
        "show platform diag",
        "show interfaces transceiver",
    ],
    "cat2960x": [
        "show version",
        "show inventory",
        "show environment all",
        "show license",
        "show license udi",
        "show processes cpu sorted",
        "show memory statistics",
        "show logging",
        "dir flash:",
        "show interfaces",
        "show interfaces status err-disabled",
        "show boot",
        "show post",
        "show interfaces transceiver",
    ],
    "nexus9300": [
        "show version",
        "show inventory",
        "show environment",
        "show license usage",
        "show license host-id",
        "show cores",
        "show module",
        "show system resources",
        "show logging logfile",
        "show interface",
        "show interface status err-disabled",
        "show redundancy status",
        "show diagnostic result module all",
        "show interface transceiver details",
        "show boot",
    ],
    "asr9006": [
        "show version",
        "show inventory",
        "show environment",
        "admin show environment",
        "show license summary",
        "show license status",
        "show platform",
        "show redundancy",
        "show processes cpu",
        "show memory summary",
        "show logging",
        "dir harddisk:/dumper",
        "show install active summary",
        "show interfaces",
    ],
    "asa5525": [
        "show version",
        "show inventory",
        "show environment",
        "show activation-key",
        "show cpu usage",
        "show memory",
        "show logging",
        "dir disk0:",
        "show failover",
        "show module",
        "show interface",
    ],
}
REQUIRED_SCENARIOS = {
    HEALTHY,
    "psu_failed",
    "fan_failed",
    "license_eval",
    "login_refused",
    "hang_after_login",
}

# Outputs that legitimately hold no rows, so Genie's parser returns nothing for them.
EXPECTED_EMPTY = {
    **{(name, "show interfaces status err-disabled"): "no port is err-disabled"
       for name in ("cat9300", "cat9200", "cat9400", "cat9500", "cat9600", "cat3850")},
    **{(name, "show cores"): "no process has dumped core"
       for name in ("nexus9300", "nexus7009", "nexus9508", "nexus3048", "nexus5596",
                    "mds9148s")},
}
# Outputs a real chassis leaves blank: only the prompt comes back.
PRINTS_NOTHING = {
    **{(name, "show interfaces transceiver"): "no SFP port, so no optic to report"
       for name in ("isr2911", "cisco2811", "isr1111")},
}
# Where Genie's own parser cannot read the real format (checked against the shared corpus too).
GENIE_CANNOT_PARSE = {
    ("isr4431", "show environment all"): (
        "Genie's iosxe ShowEnvironmentAll only knows the Catalyst layout; it returns nothing for "
        "the ISR/ASR 'Sensor List' table, as it does for the real ASR1k corpus output. The ISR "
        "also answers `show environment`, which Genie's ShowEnvironment does parse."
    ),
    **{(name, "show environment all"): "the ISR/ASR 'Sensor List' table, as for isr4431"
       for name in ("isr4331", "isr1111", "asr920", "asr1006", "asr1004", "asr1002x", "asr1001",
                     "c9800")},
    ("asr1001", "show license all"): (
        "the classic licensing layout of IOS-XE 3.x (`StoreIndex: N  Feature:`): Genie's iosxe "
        "ShowLicenseAll only knows the Smart Licensing one"),
    ("asr1001", "show license status"): (
        "classic licensing's `License Type Supported` list, no registration: Genie's iosxe "
        "ShowLicenseStatus only knows the Smart Licensing layout"),
    **{(name, "show environment all"): (
        "the Catalyst 9400 chassis layout: Genie returns nothing for the real 9400 corpus "
        "output either") for name in ("cat9400", "cat9500")},
    ("cat9600", "show environment all"): (
        "the Catalyst 9600 layout (sensors with thresholds, the `Fan Tray` table): Genie returns "
        "nothing for the real 9610 corpus output either"),
    ("nexus7009", "show environment"): (
        "the Nexus 7000 layout (per-module power table, Clock section): Genie's schema check "
        "fails on the real 7000 corpus output too"),
    ("mds9148s", "show environment"): (
        "the MDS layout (`Mod Model` power table, Clock section, no fan direction): Genie's "
        "nxos ShowEnvironment schema check fails on it"),
    ("mds9148s", "show environment temperature"): (
        "the MDS sensor names (`Outlet1  (s1)`), which Genie's table reading finds nothing in"),
    ("mds9148s", "show interface transceiver details"): (
        "the MDS fc port layout (`fc1/1 sfp is present`), which Genie's nxos parser raises on"),
    ("mds9148s", "show system resources"): (
        "an MDS prints no `Kernel vmalloc` / `Kernel buffers` lines, which Genie's nxos "
        "ShowSystemResources requires"),
    ("cat4500", "show module"): (
        "Genie's ios ShowModule misses the supervisor rows of the real 4507R+E corpus output "
        "too (missing card_type, ports, model)"),
    ("cat4500", "show environment"): "the Catalyst 4500 layout, which no Genie ios parser reads",
    **{(name, "show environment"): "the Catalyst 6500 / 7600 layout, which Genie ios reads not"
       for name in ("cisco7606", "cat6500")},
    ("cisco7606", "show inventory"): (
        "Genie's ios ShowInventory raises on the real 7606 corpus inventory too (slot_dict)"),
    ("cat2950", "show boot"): (
        "the 12.1 layout (`BOOT path-list:`, no padding before the colon), which Genie's "
        "ShowBoot does not take; the inspector's own reading does"),
    ("cat2950", "show logging"): (
        "the 12.1 layout (no `xml` nor `filtering` in the `Syslog logging:` line), which "
        "Genie's ShowLogging does not take; the inspector's own reading does"),
}

# -------------------------------------------------------------------------- Genie, offline


class _NoDevice:
    """Stands in for a device connection: any use means a parser tried to reach a device."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"Genie tried to use the device ({name}) while parsing offline")


_DEVICES: dict[str, Any] = {}


def genie_device(os_name: str) -> Any:
    if os_name not in _DEVICES:
        from genie.conf.base import Device

        device = Device(f"lab-{os_name}", os=os_name, custom={"abstraction": {"order": ["os"]}})
        device.cli = _NoDevice()
        _DEVICES[os_name] = device
    return _DEVICES[os_name]


def exact_parser(os_name: str, command: str) -> Any | None:
    """Genie's parser for exactly this command, or None.

    Genie's lookup is fuzzy: it happily maps `show interfaces status err-disabled` to
    `show interfaces {interface}` with interface='status err-disabled'. Accept a match only when
    a cli_command, filled with the arguments Genie extracted, is the command itself and no
    argument value contains a space (no interface or path does).
    """
    from genie.libs.parser.utils.common import ParserNotFound, get_parser

    try:
        parser, kwargs = get_parser(command, genie_device(os_name))
    except ParserNotFound:
        return None
    # `command` is the CLI string itself (NX-OS parsers receive it); anything else is a value.
    if any(" " in str(v) for k, v in kwargs.items() if k != "command"):
        return None
    templates = parser.cli_command if isinstance(parser.cli_command, list) else [parser.cli_command]
    for template in templates:
        try:
            if " ".join(template.format(**kwargs).split()) == " ".join(command.split()):
                return parser
        except KeyError:
            continue
    return None


def _profile_commands() -> list[tuple[str, str]]:
    pairs = []
    for name in PROFILES:
        profile = get_profile(name)
        slugs: set[str] = set()
        for scenario in profile.scenarios:
            slugs |= set(profile.effective_templates(scenario))
        pairs += [(name, profile.command_for(slug)) for slug in sorted(slugs)]
    return pairs


PROFILE_COMMANDS = _profile_commands()


@pytest.mark.parametrize(
    ("profile_name", "command"),
    PROFILE_COMMANDS,
    ids=[f"{p}-{command_slug(c)}" for p, c in PROFILE_COMMANDS],
)
def test_template_renders_and_parses(profile_name: str, command: str) -> None:
    from genie.metaparser.util.exceptions import SchemaEmptyParserError

    profile = get_profile(profile_name)
    slug = command_slug(command)
    parser = exact_parser(profile.os, command)
    seen: set[str] = set()
    for scenario in profile.scenarios:
        if slug not in profile.effective_templates(scenario):
            continue  # e.g. unsupported_command removes it
        text = render_output(profile_name, command, scenario, index=7, now=NOW)
        assert not PLACEHOLDER.search(text), f"{scenario}: unrendered {PLACEHOLDER.findall(text)}"
        key = (profile_name, command)
        assert text.strip() or key in PRINTS_NOTHING, f"{scenario}: empty output"
        if text in seen:
            continue
        seen.add(text)
        if parser is None or not text.strip():
            continue
        if key in GENIE_CANNOT_PARSE:
            with pytest.raises(Exception):  # noqa: B017 - empty output, missing keys or schema
                genie_device(profile.os).parse(command, output=text)
            continue
        try:
            parsed = genie_device(profile.os).parse(command, output=text)
        except SchemaEmptyParserError:
            assert key in EXPECTED_EMPTY, f"{scenario}: Genie {parser.__name__} found nothing"
            continue
        assert parsed, f"{scenario}: Genie {parser.__name__} returned nothing"


def test_every_profile_answers_the_required_commands_and_scenarios() -> None:
    # The first brief named six platforms and their commands; every family added since is
    # proven against the whole catalogue by tests/test_families.py.
    assert set(REQUIRED_COMMANDS) <= set(PROFILES)
    for name, commands in REQUIRED_COMMANDS.items():
        profile = get_profile(name)
        answered = set(profile.effective_templates())
        missing = [c for c in commands if command_slug(c) not in answered]
        assert not missing, f"{name} does not answer {missing}"
        assert REQUIRED_SCENARIOS <= set(profile.scenarios), name
    for name in PROFILES:
        kinds = {sc.kind for sc in get_profile(name).scenarios.values()}
        assert {"hardware", "software", "connection"} <= kinds, name


def _parsed(profile: str, command: str, scenario: str = HEALTHY, index: int = 7) -> Any:
    os_name = get_profile(profile).os
    return genie_device(os_name).parse(
        command, output=render_output(profile, command, scenario, index=index, now=NOW)
    )


def test_identity_agrees_across_commands() -> None:
    """The serial a chassis reports is the plan's, in every command that carries it."""
    serial = {name: get_profile(name).serial(7) for name in PROFILES}
    assert _parsed("cat9300", "show version")["version"]["chassis_sn"] == serial["cat9300"]
    assert _parsed("isr4431", "show version")["version"]["chassis_sn"] == serial["isr4431"]
    assert _parsed("cat2960x", "show version")["version"]["chassis_sn"] == serial["cat2960x"]
    nx = _parsed("nexus9300", "show version")["platform"]["hardware"]
    assert nx["processor_board_id"] == serial["nexus9300"]
    assert nx["device_name"] == "lab-nexus9300-007"
    assert _parsed("asa5525", "show inventory")["Chassis"]["sn"] == serial["asa5525"]
    assert _parsed("cat9300", "show license udi")["udi_details"]["sn"] == serial["cat9300"]
    for name in PROFILES:
        inventory = render_output(name, "show inventory", index=7, now=NOW)
        assert serial[name] in inventory, name
        assert re.fullmatch(r"[A-Z]{3}\d{4}[0-9A-Z]{4}", serial[name]), serial[name]


def test_fault_scenarios_change_what_the_chassis_prints() -> None:
    for name in PROFILES:
        profile = get_profile(name)
        healthy = profile.effective_templates(HEALTHY)
        for scenario in {"psu_failed", "fan_failed", "license_eval"} & set(profile.scenarios):
            changed = [
                slug
                for slug, text in profile.effective_templates(scenario).items()
                if healthy.get(slug) != text
            ]
            assert changed, f"{name}/{scenario} prints the same as a healthy chassis"
            assert expected_verdict(scenario) == "FAIL"


def test_every_scenario_is_described_and_does_something() -> None:
    from mock_devices.profiles import Behaviour

    for name in PROFILES:
        profile = get_profile(name)
        healthy = profile.effective_templates(HEALTHY)
        for scenario in profile.scenarios.values():
            if scenario.name == HEALTHY:
                continue
            assert scenario.description, f"{name}/{scenario.name} has no description"
            assert scenario.verdict in ("PASS", "FAIL", "ERROR")
            prints_differently = profile.effective_templates(scenario.name) != healthy
            behaves_differently = scenario.behaviour != Behaviour()
            assert prints_differently or behaves_differently, f"{name}/{scenario.name}"


def test_faults_are_visible_to_genie_where_it_parses() -> None:
    psu = _parsed("cat9300", "show environment all", "psu_failed")["switch"]["1"]["power_supply"]
    assert psu["2"]["status"] == "no input power"
    nx = _parsed("nexus9300", "show environment", "psu_failed")["power"]["power_supply"]
    assert nx["2"]["status"] == "Fail"
    nx_fans = _parsed("nexus9300", "show environment", "fan_failed")["fans"]
    assert nx_fans["Fan3(sys_fan3)"]["status"] == "Failure"
    isr = _parsed("isr4431", "show environment", "fan_failed")
    assert isr["slot"]["P2"]["sensor"]["RPM: fan2"]["state"] == "Critical"
    post = _parsed("cat9300", "show diagnostic post", "diag_failed")["switch"]["1"]["test"]
    assert post["phy_loopback"]["status"] == "Failed"
    assert (
        _parsed("nexus9300", "show system resources", "memory_low")["current_memory_status"]
        == "Critical"
    )
    assert (
        _parsed("isr4431", "show version", "confreg_2142")["version"]["curr_config_register"]
        == "0x2142"
    )
    # Genie's iosxr ShowPlatform keeps only RP and line-card rows, so fan and power trays are
    # visible in the raw text alone.
    xr = _parsed("asr9006", "show platform", "fan_failed")["slot"]
    assert "0/FT1" not in json.dumps(xr)
    assert re.search(
        r"^0/FT1\s+ASR-9006-FAN-V2\s+FAILED",
        render_output("asr9006", "show platform", "fan_failed"),
        re.MULTILINE,
    )


def test_iosxr_outputs_carry_the_command_timestamp() -> None:
    text = render_output("asr9006", "show platform", now=NOW)
    assert text.splitlines()[0] == "Fri Mar 14 09:26:53.123 UTC"
    assert not render_output("cat9300", "show platform", now=NOW).startswith("Fri")


def test_render_output_refuses_commands_the_profile_does_not_answer() -> None:
    with pytest.raises(KeyError):
        render_output("cat2960x", "show license summary")
    with pytest.raises(KeyError):
        render_output("cat9300", "show inventory", "unsupported_command")


# -------------------------------------------------------------------------- planning


def test_plan_is_deterministic_and_well_formed() -> None:
    specs = plan_lab(1000)
    assert [s.hostname for s in specs] == [s.hostname for s in plan_lab(1000)]
    assert len({s.hostname for s in specs}) == 1000
    assert len({s.serial for s in specs}) == 1000
    assert all(re.fullmatch(r"[A-Z]{3}\d{4}[0-9A-Z]{4}", s.serial) for s in specs)
    assert specs[0].hostname == "lab-cat9300-0001"
    healthy = sum(s.scenario == HEALTHY for s in specs)
    assert 700 <= healthy < 1000
    # The seed rotates which fault comes first, nothing else.
    seeded = plan_lab(15, seed=1)
    assert [s.scenario for s in seeded] != [s.scenario for s in plan_lab(15)]
    assert [s.hostname for s in seeded] == [s.hostname for s in plan_lab(15)]


def test_mix_shows_the_hardware_and_license_faults_early_and_covers_every_pair() -> None:
    first = {s.scenario for s in plan_lab(15)} - {HEALTHY}
    assert first == {"psu_failed", "fan_failed", "license_eval"}
    served = sorted({s.profile for s in plan_lab(len(PROFILES))})
    faults = REQUIRED_SCENARIOS - {HEALTHY}
    mixed = {sc.name for p in served for sc in get_profile(p).scenarios.values()
             if sc.in_mix and sc.name != HEALTHY}
    # one faulty chassis in five: every (profile, fault) pair within 5 x profiles x the faults
    # in the mix (each profile's faulty chassis walk the whole cycle of mixed faults)
    pairs = {(s.profile, s.scenario)
             for s in plan_lab(5 * len(served) * len(mixed)) if s.scenario != HEALTHY}
    for profile in served:
        for fault in faults & set(get_profile(profile).scenarios):
            assert (profile, fault) in pairs


@pytest.mark.parametrize("served", [24, 25])
def test_mix_faults_reach_every_profile_whatever_their_number(served: int) -> None:
    # 25 profiles share the factor 5 with the fault interval: without each round starting one
    # profile further on, only the profiles at positions 5, 10, ... would ever be faulty.
    names = sorted(PROFILES)[:served]
    specs = plan_lab(5 * served * 4, profiles=names)
    assert {s.profile for s in specs if s.scenario != HEALTHY} == set(names)
    assert sum(s.scenario != HEALTHY for s in specs) == len(specs) // 5
    assert [s.profile for s in specs[:served]] == names  # one of each before any repeats


def test_named_scenario_serves_every_chassis_in_it() -> None:
    specs = plan_lab(8, "fan_failed")
    assert {s.scenario for s in specs} == {"fan_failed"}
    assert [s.profile for s in specs[:6]] == [
        "cat9300",
        "isr4431",
        "cat2960x",
        "nexus9300",
        "asr9006",
        "asa5525",
    ]
    assert expected_verdict(HEALTHY) == "PASS"
    assert expected_verdict("login_refused") == "ERROR"


# -------------------------------------------------------------------------- live sessions

PROMPTS = {
    "cat9300": ("lab-cat9300-001>", "lab-cat9300-001#"),
    "isr4431": ("lab-isr4431-002>", "lab-isr4431-002#"),
    "cat2960x": ("lab-cat2960x-003>", "lab-cat2960x-003#"),
    "nexus9300": (None, "lab-nexus9300-004#"),
    "asr9006": (None, "RP/0/RSP0/CPU0:lab-asr9006-005#"),
    "asa5525": (None, "lab-asa5525-006#"),  # netmiko's ASA driver enables during login
}
VERSION_LINE = {
    "cat9300": "Cisco IOS XE Software, Version 17.09.04a",
    "isr4431": "Cisco IOS XE Software, Version 16.09.08",
    "cat2960x": (
        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, "
        "RELEASE SOFTWARE (fc3)"
    ),
    "nexus9300": " NXOS: version 9.3(12)",
    "asr9006": "Cisco IOS XR Software, Version 6.7.3",
    "asa5525": "Cisco Adaptive Security Appliance Software Version 9.14(4)14 ",
}
UNKNOWN_COMMAND_ERROR = {
    "cat9300": "% Invalid input detected at '^' marker.",
    "isr4431": "% Invalid input detected at '^' marker.",
    "cat2960x": "% Invalid input detected at '^' marker.",
    "nexus9300": "% Invalid command at '^' marker.",
    "asr9006": "% Invalid input detected at '^' marker.",
    "asa5525": "ERROR: % Invalid input detected at '^' marker.",
}


def _extra(profile: str, scenario: str, index: int) -> ChassisSpec:
    spec = plan_lab(1, scenario, profiles=[profile])[0]
    spec.index = index
    spec.hostname = f"lab-{profile}-{scenario.replace('_', '-')}"
    spec.serial = get_profile(profile).serial(index)
    return spec


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


@pytest.fixture(scope="module")
def lab(lab_dir: Path) -> Iterator[Lab]:
    specs = plan_lab(6, HEALTHY) + [
        _extra("cat9300", "login_refused", 101),
        _extra("nexus9300", "hang_after_login", 102),
        _extra("asa5525", "port_closed", 103),
        _extra("cat2960x", "psu_failed", 104),
    ]
    with running_lab(
        specs, command_log=lab_dir / "commands.jsonl", inventory_out=lab_dir / "inventory"
    ) as running:
        yield running


def _spec(lab: Lab, profile: str, scenario: str = HEALTHY) -> ChassisSpec:
    return next(s for s in lab.specs if s.profile == profile and s.scenario == scenario)


def _connect(spec: ChassisSpec, **extra: Any) -> Any:
    from netmiko import ConnectHandler

    return ConnectHandler(
        device_type=spec.device_type,
        host="127.0.0.1",
        port=spec.port,
        username=spec.username,
        password=spec.password,
        secret=spec.secret,
        conn_timeout=5,
        auth_timeout=5,
        banner_timeout=5,
        **extra,
    )


@pytest.mark.lab
@pytest.mark.parametrize("profile", list(PROMPTS))
def test_netmiko_session(lab: Lab, profile: str) -> None:
    spec = _spec(lab, profile)
    user_prompt, enabled_prompt = PROMPTS[profile]
    conn = _connect(spec)
    try:
        if user_prompt:
            assert conn.find_prompt() == user_prompt
            assert not conn.check_enable_mode()
        conn.enable()
        assert conn.find_prompt() == enabled_prompt
        # netmiko's IOS drivers keep 16 characters of the base prompt, its IOS-XR driver 31.
        keep = {"cat9300": 16, "isr4431": 16, "cat2960x": 16, "asr9006": 31}.get(profile)
        assert conn.base_prompt == enabled_prompt[:-1][:keep]
        version = conn.send_command("show version")
        assert VERSION_LINE[profile] in version.splitlines()
        bogus = conn.send_command("show chassis gremlins")
        assert bogus.splitlines()[-1] == UNKNOWN_COMMAND_ERROR[profile]
        caret = bogus.splitlines()[0]
        # The caret sits under the first unknown word of the echoed `<prompt>show chassis ...`;
        # NX-OS and ASA print a space after the prompt, which find_prompt() strips.
        printed = len(enabled_prompt) + (profile in ("nexus9300", "asa5525"))
        assert caret == " " * (printed + len("show ")) + "^"
    finally:
        conn.disconnect()
    received = [r.command for r in lab.commands(spec.hostname)]
    assert "show version" in received and "show chassis gremlins" in received
    if user_prompt:
        assert "enable" in received


@pytest.mark.lab
def test_command_log_records_exactly_what_was_received(lab: Lab, lab_dir: Path) -> None:
    spec = _spec(lab, "cat9300")
    conn = _connect(spec)
    try:
        conn.enable()
        uptime = conn.send_command("sh   ver  |  include uptime")
        conn.config_mode()  # what a read-only inspector must never do; the log must show it
        conn.exit_config_mode()
    finally:
        conn.disconnect()
    assert uptime.startswith("lab-cat9300-001 uptime is ")
    received = [r.command for r in lab.commands(spec.hostname)]
    assert received[:3] == ["terminal width 511", "terminal length 0", "enable"]
    # Verbatim, spacing and abbreviations included; the configuration attempt is on record.
    assert "sh   ver  |  include uptime" in received
    assert "configure terminal" in received and "end" in received
    assert spec.secret not in received  # typed at Password:, so not a command
    log_file = lab_dir / "commands.jsonl"
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert all(set(entry) == {"hostname", "port", "command", "time"} for entry in lines)
    from_file = [e["command"] for e in lines if e["hostname"] == spec.hostname]
    # netmiko's closing `exit` may land after we read the memory log; nothing else may differ.
    assert from_file[: len(received)] == received
    assert set(from_file[len(received) :]) <= {"exit"}
    assert {e["port"] for e in lines if e["hostname"] == spec.hostname} == {spec.port}


@pytest.mark.lab
def test_wrong_enable_secret_is_denied(lab: Lab) -> None:
    spec = _spec(lab, "isr4431")
    conn = _connect(spec)
    conn.secret = "not-the-secret"
    try:
        with pytest.raises(ValueError, match="Failed to enter enable mode"):
            conn.enable()
        assert conn.find_prompt() == "lab-isr4431-002>"
    finally:
        conn.disconnect()


@pytest.mark.lab
def test_login_refused_raises_netmiko_authentication_error(lab: Lab) -> None:
    from netmiko.exceptions import NetmikoAuthenticationException

    spec = _spec(lab, "cat9300", "login_refused")
    with pytest.raises(NetmikoAuthenticationException):
        _connect(spec)
    assert lab.commands(spec.hostname) == []


@pytest.mark.lab
def test_hang_after_login_authenticates_then_stays_silent(lab: Lab) -> None:
    spec = _spec(lab, "nexus9300", "hang_after_login")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1",
        port=spec.port,
        username=spec.username,
        password=spec.password,
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    try:
        shell = client.invoke_shell()
        shell.send(b"\n")
        time.sleep(0.5)
        assert not shell.recv_ready()
    finally:
        client.close()


@pytest.mark.lab
def test_port_closed_refuses_the_connection(lab: Lab) -> None:
    spec = _spec(lab, "asa5525", "port_closed")
    assert spec.port > 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", spec.port), timeout=2).close()


@pytest.mark.lab
def test_paging_stays_on_until_the_session_turns_it_off(lab: Lab) -> None:
    """Without `terminal length 0` a real IOS box pages at 24 lines; so does the lab."""
    spec = _spec(lab, "cat2960x", "psu_failed")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1",
        port=spec.port,
        username=spec.username,
        password=spec.password,
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    try:
        shell = client.invoke_shell()
        shell.send(b"show version\n")
        text = _read_until(shell, b"--More--")
        assert text.count(b"\r\n") < 30
        shell.send(b"q")
        shell.send(b"terminal length 0\nshow environment all\n")
        text = _read_until(shell, b"RPS Name")
        assert b"1   Built-in                                         Bad" in text
        assert b"--More--" not in text
    finally:
        client.close()


def _read_until(shell: Any, marker: bytes, timeout: float = 5.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        if shell.recv_ready():
            data += shell.recv(65536)
        else:
            time.sleep(0.02)
    assert marker in data, data[-400:]
    return data


@pytest.mark.lab
def test_inventory_loads_in_nornir(lab: Lab, lab_dir: Path) -> None:
    from nornir import InitNornir

    inventory = lab_dir / "inventory"
    nr = InitNornir(
        runner={"plugin": "serial"},
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(inventory / "hosts.yaml"),
                "group_file": str(inventory / "groups.yaml"),
                "defaults_file": str(inventory / "defaults.yaml"),
            },
        },
        logging={"enabled": False},
    )
    hosts = nr.inventory.hosts
    assert set(hosts) == {s.hostname for s in lab.specs}
    for spec in lab.specs:
        host = hosts[spec.hostname]
        assert (host.hostname, host.port, host.platform) == (
            "127.0.0.1",
            spec.port,
            spec.device_type,
        )
        assert [g.name for g in host.groups] == [get_profile(spec.profile).os]
        assert host["lab_profile"] == spec.profile and host["lab_scenario"] == spec.scenario
        assert host["site"] == "lab"
        # Hosts that refuse logins are listed with the same credentials: the device refuses.
        assert (host.username, host.password) == (spec.username, spec.password)
        extras = host.get_connection_parameters("netmiko").extras or {}
        assert extras["secret"] == spec.secret
    assert not list(inventory.glob(".*"))  # atomic writes leave no temporary files behind


def test_inventory_needs_started_lab() -> None:
    from mock_devices import write_inventory

    with pytest.raises(ValueError, match="start the lab"):
        write_inventory(plan_lab(2), Path("/nonexistent"))
