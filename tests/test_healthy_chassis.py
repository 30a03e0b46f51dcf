"""A healthy chassis can PASS, on every platform.

Each chassis here is composed from real outputs of the shared corpus and the lab's healthy
outputs (rendered as the lab serves them), one output per command, chosen so that the facts
two checks compare agree (the license UDI and the inventory, the running and the boot image,
the chassis model show version names and the inventory's).
Every check that applies must reach PASS, or SKIP with its reason, and the verdict is PASS.
The compositions hold the outputs that once kept such chassis at ERROR for good: an IOS
router's rejection of the err-disabled table, a Catalyst 9500 whose `show version` prints no
configuration register, a fanless IE 3300.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_chassis
from inspector.evidence import RawOutput, sha256_text
from inspector.models import Status, Verdict
from inspector.policy import load_policy
from inspector.records import chassis_verdict
from mock_devices.lab import render_output
from tests.corpus import corpus_file

REJECTED = "% Invalid input detected at '^' marker."


@dataclass(frozen=True)
class Composed:
    platform: str
    profile: str  # the lab profile whose healthy outputs answer every other command
    corpus: dict[str, str]  # command -> corpus file
    rejected: tuple[str, ...] = ()  # commands the chassis rejects
    edited: dict[str, tuple[str, str]] = field(default_factory=dict)  # lab text: pattern, by
    expected: dict[str, tuple[str, str]] = field(default_factory=dict)  # check: status, words


CHASSIS = {
    # IOS routers (ISR G2, 7200) have no switch ports and reject the err-disabled table; a
    # fixed switch or router has no card table nor second supervisor (`show module`,
    # `show redundancy`: Catalyst 4500 / 6500 / 7600) and rejects those too.
    "ios-rejects-errdisabled": Composed(
        "cisco_ios", "cat2960x",
        {
            "show processes cpu sorted": "ios/show_processes_cpu_sorted/"
                                         "genieparser--golden_output_1.txt",
            "show memory statistics": "ios/show_memory_statistics/genieparser--golden_output.txt",
            "show license": "ios/show_license/ntc-templates--cisco_ios_show_license.txt",
            "show logging": "ios/show_logging/genieparser--golden_output_1.txt",
        },
        rejected=("show interfaces status err-disabled", "show module", "show redundancy"),
        expected={"op.interfaces.errdisabled": ("SKIP", "does not support"),
                  "op.modules.state": ("SKIP", "does not support `show module`"),
                  "op.redundancy.standby": ("SKIP", "does not support `show redundancy`")},
    ),
    # Catalyst 9500 on 17.3.3: no `Configuration register` line; its ROM monitor variables.
    "xe-c9500-without-register": Composed(
        "cisco_xe", "cat9300",
        {
            "show version": "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_4.txt",
            "show bootvar": "iosxe/show_bootvar/genieparser--golden_output_cat9500.txt",
            "show platform": "iosxe/show_platform/genieparser--cat9k_c9500-golden_output_c9500.txt",
            "show processes cpu sorted": "iosxe/show_processes_cpu_sorted/"
                                         "genieparser--golden_output.txt",
            "show memory statistics": "iosxe/show_memory_statistics/"
                                      "genieparser--golden_output.txt",
        },
        # The lab's inventory and license UDI name the Catalyst 9500 the show version names:
        # the corpus holds no inventory of a C9500-48Y4C.
        edited={"show inventory": ("C9300-48P", "C9500-48Y4C"),
                "show license udi": ("C9300-48P", "C9500-48Y4C")},
        expected={"op.config.register": ("PASS", "no configuration register shown"),
                  "op.software.boot": ("PASS", "bootflash:packages.conf")},
    ),
    # An IE 3300 is cooled without fans; its license UDI names its own PID and serial.
    "xe-ie3300-fanless": Composed(
        "cisco_xe", "cat9300",
        {
            "show environment all": "iosxe/show_environment_all/"
                                    "genieparser--ie3k-golden_output.txt",
            "show inventory": "iosxe/show_inventory/genieparser--golden_output_ie3xxx.txt",
        },
        # The lab's show version names the IE 3300 the inventory lists (the corpus holds no
        # show version of one).
        edited={"show license udi": (r"PID:[^,\s]+,SN:\w+", "PID:IE-3300-8U2X,SN:FCW2449P5SK"),
                "show version": ("C9300-48P", "IE-3300-8U2X")},
        expected={"hw.fan.status": ("SKIP", "IE-3300-8U2X is a fanless model"),
                  "hw.psu.status": ("PASS", "2 power supplies ok")},
    ),
    "nxos": Composed(
        "cisco_nxos", "nexus9300",
        {
            "show environment": "nxos/show_environment/"
                                "ntc-templates--cisco_nxos_show_environment.txt",
            "show system resources": "nxos/show_system_resources/genieparser--golden_output.txt",
            "show module": "nxos/show_module/genieparser--golden_output.txt",
            "show redundancy status": "nxos/show_redundancy_status/genieparser--golden_output.txt",
        },
        # The corpus holds no `show environment temperature` of the chassis whose `show
        # environment` this is; the lab's would be another chassis's sensors.
        rejected=("show environment temperature",),
    ),
    "xr": Composed(
        "cisco_xr", "asr9006",
        {
            "show processes cpu": "iosxr/show_processes_cpu/genieparser--golden_output1.txt",
            "show platform": "iosxr/show_platform/genieparser--golden_output1.txt",
            "show redundancy": "iosxr/show_redundancy/genieparser--golden_output1.txt",
            "show logging": "iosxr/show_logging/genieparser--golden_output.txt",
        },
    ),
    "asa": Composed(
        "cisco_asa", "asa5525",
        {
            "show version": "asa/show_version/genieparser--golden_output4.txt",
            "show failover": "asa/show_failover/genieparser--golden_output1.txt",
            "show module": "asa/show_module/ntc-templates--cisco_asa_show_module_02.txt",
            "show logging": "asa/show_logging/ntc-templates--cisco_asa_show_logging_1.txt",
        },
        # The lab's inventory lists the ASA 5555-X the show version names (the corpus's one
        # inventory of a 5555 prints a masked serial).
        edited={"show inventory": ("5525", "5555")},
    ),
}


def _output(chassis: Composed, command: str) -> RawOutput:
    if command in chassis.rejected:
        return RawOutput(command=command, text=None, error=f"rejected by the device: {REJECTED}")
    if command in chassis.corpus:
        text = corpus_file(chassis.corpus[command]).read_text(encoding="utf-8",
                                                              errors="replace")
    else:
        try:
            text = render_output(chassis.profile, command)
        except KeyError:  # as the lab serves a command its profile does not answer
            return RawOutput(command=command, text=None,
                             error=f"rejected by the device: {REJECTED}")
        if command in chassis.edited:
            pattern, replacement = chassis.edited[command]
            text, count = re.subn(pattern, replacement, text)
            assert count, (command, pattern)
    return RawOutput(command=command, text=text, sha256=sha256_text(text))


def _judge(chassis: Composed) -> tuple[list[dict[str, Any]], Verdict, str]:
    policy = load_policy()
    results = evaluate_chassis(platform=chassis.platform,
                               outputs=lambda command: _output(chassis, command), session=None,
                               checks=load_catalogue().all(), policy=policy)
    verdict, reason = chassis_verdict(results, policy)
    return results, verdict, reason


@pytest.mark.parametrize("name", sorted(CHASSIS))
def test_a_healthy_chassis_passes(name: str) -> None:
    chassis = CHASSIS[name]
    results, verdict, reason = _judge(chassis)
    for result in results:
        assert result["status"] in (Status.PASS, Status.SKIP), (result["id"], result["message"])
        assert result["message"], result["id"]
    assert (verdict, reason) == (Verdict.PASS, "every check that applies passed")
    # Every corpus output was read and judged, not passed over.
    judged = {c["command"] for r in results if r["status"] == Status.PASS for c in r["commands"]}
    assert set(chassis.corpus) <= judged, set(chassis.corpus) - judged
    by_id = {r["id"]: r for r in results}
    for check_id, (status, words) in chassis.expected.items():
        assert by_id[check_id]["status"] == status, by_id[check_id]["message"]
        assert words in by_id[check_id]["message"], by_id[check_id]["message"]


def test_every_platform_has_a_healthy_chassis() -> None:
    from inspector.platforms import PLATFORMS

    assert {c.platform for c in CHASSIS.values()} == set(PLATFORMS)


@pytest.mark.parametrize(("minor_fails", "verdict", "reason"), [
    (False, Verdict.PASS, "every check that counts passed; reported, not failing the chassis: "
                          "op.install.committed (minor), prog.license.proof (info)"),
    (True, Verdict.FAIL, "failed: op.install.committed"),
])
def test_a_finding_that_does_not_fail_the_chassis_is_still_named(
        minor_fails: bool, verdict: Verdict, reason: str, tmp_path: Any) -> None:
    """A minor or info check that FAILed left a PASS chassis's reason at "every check that
    applies passed"."""
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(f"verdict:\n  minor_failures_fail_chassis: {str(minor_fails).lower()}\n")
    results = [
        {"id": "hw.psu.status", "status": Status.PASS, "severity": "critical"},
        {"id": "op.install.committed", "status": Status.FAIL, "severity": "minor"},
        {"id": "prog.license.proof", "status": Status.FAIL, "severity": "info"},
    ]
    assert chassis_verdict(results, load_policy(policy_file)) == (verdict, reason)
