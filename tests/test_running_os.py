"""The OS a `show version` names, and a chassis declared as another platform.

Every `show version` of the shared corpus is named here with the OS its text says it runs,
written by reading each file (the corpus's folders mix classic IOS and IOS-XE: a Catalyst
2960-X under iosxe/, a Catalyst 3850 under ios/). A chassis whose `show version` names
another OS than its declared platform is ERROR on every check that reads an output, naming
both, and never FAILs on the wrong OS's grounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_chassis
from inspector.evidence import RawOutput, command_slug, sha256_text
from inspector.facts import Unreadable
from inspector.models import Status, Verdict
from inspector.policy import load_policy
from inspector.records import chassis_verdict
from inspector.running_os import running_os
from tests.corpus import corpus_file

IOS, XE, NXOS, XR, ASA = "cisco_ios", "cisco_xe", "cisco_nxos", "cisco_xr", "cisco_asa"

NAMED = {
    "asa/show_version/genieparser--golden_output1.txt": ASA,
    "asa/show_version/genieparser--golden_output2.txt": ASA,
    "asa/show_version/genieparser--golden_output3.txt": ASA,
    "asa/show_version/genieparser--golden_output4.txt": ASA,
    "asa/show_version/ntc-templates--cisco_asa_show_version1.txt": ASA,
    "asa/show_version/ntc-templates--cisco_asa_show_version2.txt": ASA,
    "asa/show_version/ntc-templates--cisco_asa_show_version3.txt": ASA,
    # Catalyst 6500 12.2(18)SXF7: "Cisco Internetwork Operating System Software", "IOS (tm)"
    "ios/show_version/genieparser--cat6k-golden_output.txt": IOS,
    "ios/show_version/genieparser--cat6k-golden_output_1.txt": IOS,
    "ios/show_version/genieparser--cat7k_c7600-golden_output.txt": IOS,
    "ios/show_version/genieparser--cat7k_c7600-golden_output_c7600.txt": IOS,  # indented
    "ios/show_version/genieparser--device_output.txt": IOS,  # C3900 15.0(1)M7
    "ios/show_version/genieparser--golden_output_ios.txt": IOS,  # C3750E 12.2(55)SE8
    "ios/show_version/genieparser--golden_output_ios_1.txt": IOS,  # C3750E 15.2(2)E8
    "ios/show_version/genieparser--golden_output_ios_2.txt": IOS,  # Catalyst 4000 12.2(18)EW5
    "ios/show_version/genieparser--golden_output_ios_c1900.txt": IOS,
    "ios/show_version/genieparser--golden_output_ios_cat6k.txt": IOS,
    "ios/show_version/genieparser--golden_output_iosv.txt": IOS,
    "ios/show_version/napalm--test_get_facts-empty_show_hosts.txt": IOS,  # C2960 15.0(2)SE4
    "ios/show_version/napalm--test_get_facts-normal.txt": IOS,
    "ios/show_version/ntc-templates--cisco_ios_show_version.txt": IOS,  # Cat 4500 12.2(54)SG1
    # "Cisco IOS Software, IOS-XE Software, Catalyst L3 Switch Software (CAT3K_CAA...)"
    "ios/show_version/ntc-templates--cisco_ios_show_version1.txt": XE,
    "ios/show_version/ntc-templates--cisco_ios_show_version2.txt": XE,  # IOS-XE X86_64_LINUX
    "ios/show_version/ntc-templates--cisco_ios_show_version5.txt": XE,  # Cisco IOS XE 16.12.04
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output.txt": XE,
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500.txt": XE,
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_1.txt": XE,
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_2.txt": XE,
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_3.txt": XE,
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_4.txt": XE,
    "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_5.txt": XE,
    "iosxe/show_version/genieparser--golden_output_1.txt": XE,  # Cat 4500E IOS-XE 03.04.06.SG
    "iosxe/show_version/genieparser--golden_output_10.txt": XE,
    "iosxe/show_version/genieparser--golden_output_1783.txt": XE,
    "iosxe/show_version/genieparser--golden_output_2.txt": IOS,  # C2940 12.1(22)EA12
    "iosxe/show_version/genieparser--golden_output_3.txt": XE,  # Catalyst 3850 03.06.07E
    "iosxe/show_version/genieparser--golden_output_4.txt": IOS,  # C2960X 15.2(2)E7
    "iosxe/show_version/genieparser--golden_output_5.txt": XE,
    "iosxe/show_version/genieparser--golden_output_6.txt": XE,
    "iosxe/show_version/genieparser--golden_output_7.txt": XE,
    "iosxe/show_version/genieparser--golden_output_8.txt": XE,  # "Cisco IOS Software [], ..."
    "iosxe/show_version/genieparser--golden_output_9.txt": XE,  # Cat 4500 IOS-XE 03.06.06.E
    "iosxe/show_version/genieparser--golden_output_9500h_standalone.txt": XE,
    "iosxe/show_version/genieparser--golden_output_9500h_svl.txt": XE,
    "iosxe/show_version/genieparser--golden_output_IE_3105_18T2C.txt": XE,
    "iosxe/show_version/genieparser--golden_output_asr1k.txt": XE,  # [Denali]
    "iosxe/show_version/genieparser--golden_output_asr901.txt": IOS,  # ASR 901 15.6(2)SP4
    "iosxe/show_version/genieparser--golden_output_c3850.txt": XE,  # [Everest]
    "iosxe/show_version/genieparser--golden_output_c4507.txt": XE,  # IOS-XE 03.03.02.SG
    "iosxe/show_version/genieparser--golden_output_c8000v.txt": XE,
    "iosxe/show_version/genieparser--golden_output_c9300.txt": XE,
    "iosxe/show_version/genieparser--golden_output_c9800.txt": XE,
    "iosxe/show_version/genieparser--golden_output_ios_1.txt": IOS,  # 3000 bootstrap 11.0
    "iosxe/show_version/genieparser--golden_output_ios_2.txt": IOS,  # 2500 11.2(5)P
    "iosxe/show_version/genieparser--golden_output_ios_c2600.txt": IOS,  # only "IOS (tm)"
    "iosxe/show_version/genieparser--golden_output_ios_c2600_2.txt": IOS,
    "iosxe/show_version/genieparser--golden_output_isr4k.txt": XE,
    "iosxe/show_version/genieparser--golden_output_standby.txt": XE,
    "iosxr/show_version/genieparser--golden_output_1.txt": XR,
    "iosxr/show_version/genieparser--golden_output_2.txt": XR,
    "iosxr/show_version/genieparser--golden_output_3.txt": XR,
    "iosxr/show_version/genieparser--golden_output_4.txt": XR,
    "iosxr/show_version/ntc-templates--cisco_xr_show_version.txt": XR,
    "iosxr/show_version/ntc-templates--cisco_xr_show_version2.txt": XR,
    "iosxr/show_version/ntc-templates--cisco_xr_show_version_01.txt": XR,
    "iosxr/show_version/ntc-templates--cisco_xr_show_version_label.txt": XR,
    "nxos/show_version/genieparser--golden_output.txt": NXOS,
    "nxos/show_version/genieparser--golden_output_1.txt": NXOS,
    "nxos/show_version/genieparser--golden_output_2.txt": NXOS,
    "nxos/show_version/genieparser--golden_output_3.txt": NXOS,
    "nxos/show_version/genieparser--golden_output_4.txt": NXOS,
    "nxos/show_version/napalm--test_get_facts-7009_6_2_14.txt": NXOS,
    "nxos/show_version/napalm--test_get_facts-does_not_support_json.txt": NXOS,
    "nxos/show_version/napalm--test_get_facts-issue2151.txt": NXOS,
    "nxos/show_version/napalm--test_get_facts-missing_domain.txt": NXOS,
    "nxos/show_version/napalm--test_get_facts-normal.txt": NXOS,
    # A Nexus 5596 without the banner: "kickstart: version 7.1(4)N1(1)"
    "nxos/show_version/ntc-templates--cisco_nxos_show_version2.txt": NXOS,
    "nxos/show_version/ntc-templates--cisco_nxos_show_version4.txt": NXOS,
    "nxos/show_version/ntc-templates--cisco_nxos_show_version5.txt": NXOS,
    "nxos/show_version/ntc-templates--cisco_nxos_show_version7.txt": NXOS,
}


def _text(relative: str) -> str:
    return corpus_file(relative).read_text(encoding="utf-8", errors="replace")


def test_every_show_version_of_the_corpus_is_named() -> None:
    listed = {str(p.relative_to(corpus_file(next(iter(NAMED))).parents[2]))
              for p in corpus_file(next(iter(NAMED))).parents[2].glob("*/show_version/*.txt")}
    assert listed == set(NAMED)


@pytest.mark.parametrize("relative", sorted(NAMED))
def test_show_version_names_its_os(relative: str) -> None:
    assert running_os(_text(relative)).platform == NAMED[relative]


@pytest.mark.parametrize("text", ["", "% Invalid input detected at '^' marker.",
                                  "uptime is 3 weeks\nConfiguration register is 0x2102\n"])
def test_an_output_without_a_banner_names_no_os(text: str) -> None:
    with pytest.raises(Unreadable):
        running_os(text)


# An ASR 1000's `show logging` saved as its `show version`: its restart message quotes the
# banner at the start of a line, below the log's own opening.
SHOW_LOGGING = """Syslog logging: enabled (0 messages dropped, 2 messages rate-limited, 0 flushes)

Log Buffer (64000 bytes):

Aug 10 11:22:13.000: %SYS-5-RESTART: System restarted --
Cisco IOS Software [Fuji], ASR1000 Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.8
Technical Support: http://www.cisco.com/techsupport
Aug 10 11:22:13.000: %SSH-5-ENABLED: SSH 1.99 has been enabled
"""


def test_a_banner_quoted_below_the_opening_names_no_os() -> None:
    """The banner is read where the device prints it, the output's opening line: a log line
    quoting one named IOS-XE, and a chassis declared cisco_ios was judged on nothing but a
    mismatch its `show version` never showed."""
    with pytest.raises(Unreadable, match="it opens with 'Syslog logging"):
        running_os(SHOW_LOGGING)
    results, _, reason = _judge(IOS, {"show version": SHOW_LOGGING})
    assert not [r for r in results if r["message"].startswith("declared")]
    assert not reason.startswith("declared")


def _judge(platform: str, outputs: dict[str, str]) -> tuple[list[dict[str, Any]], Verdict, str]:
    def output(command: str) -> RawOutput:
        text = outputs.get(command)
        if text is None:
            return RawOutput(command=command, text=None, error="not captured")
        return RawOutput(command=command, text=text, sha256=sha256_text(text))

    policy = load_policy()
    results = evaluate_chassis(platform=platform, outputs=output, session=None,
                               checks=load_catalogue().all(), policy=policy)
    verdict, reason = chassis_verdict(results, policy)
    return results, verdict, reason


XR_SHOW_VERSION = "iosxr/show_version/genieparser--golden_output_1.txt"  # register 0x1922
C3850_SHOW_VERSION = "iosxe/show_version/genieparser--golden_output_c3850.txt"  # 0x102


@pytest.mark.parametrize(("relative", "declared", "named"), [
    (XR_SHOW_VERSION, XE, "IOS-XR"),
    (C3850_SHOW_VERSION, IOS, "IOS-XE"),
    ("nxos/show_version/genieparser--golden_output_1.txt", IOS, "NX-OS"),
    ("iosxe/show_version/genieparser--golden_output_4.txt", XE, "IOS"),  # a 2960-X
    ("asa/show_version/genieparser--golden_output2.txt", XR, "ASA"),
])
def test_a_chassis_declared_as_another_os_is_error_naming_both(
        relative: str, declared: str, named: str) -> None:
    results, verdict, reason = _judge(declared, {"show version": _text(relative)})
    judged = [r for r in results if r["id"] != "op.session.access" and r["status"] != "SKIP"]
    assert judged
    for result in judged:
        if result["domain"] == "program":
            continue  # judged on the inventory's declarations, not on the chassis's outputs
        assert result["status"] == Status.ERROR, result
        assert result["message"].startswith(f"declared {declared} but show version names {named}")
    assert not [r for r in results if r["status"] == Status.FAIL]
    assert verdict == Verdict.ERROR
    assert reason.startswith(f"declared {declared} but show version names {named} (")


def test_the_register_of_an_xr_chassis_declared_xe_is_not_judged_as_xe() -> None:
    # Before the platform was checked: op.config.register FAIL "0x1922 (not the factory default)".
    results, _, _ = _judge(XE, {"show version": _text(XR_SHOW_VERSION)})
    register = next(r for r in results if r["id"] == "op.config.register")
    assert register["status"] == Status.ERROR
    assert register["evidence"] == [
        {"path": "platform/declared", "expected": XE, "actual": "IOS-XR"}]
    assert register["commands"][0]["command"] == "show version"


def test_the_declared_os_stands_when_show_version_agrees() -> None:
    results, _, reason = _judge(XR, {"show version": _text(XR_SHOW_VERSION)})
    register = next(r for r in results if r["id"] == "op.config.register")
    assert register["status"] == Status.PASS, register["message"]
    assert not reason.startswith("declared")


@pytest.mark.lab
def test_a_served_xr_capture_declared_xe_is_error_naming_both(tmp_path: Path) -> None:
    from tests.lab_run import inspector, records
    from tests.test_lab_serve import NO_SHOW_TECH, serving

    capture = tmp_path / "xr-as-xe"
    capture.mkdir()
    for command, relative in {
        "show version": XR_SHOW_VERSION,
        "show inventory": "iosxr/show_inventory/genieparser--golden_output_1.txt",
        "show platform": "iosxr/show_platform/genieparser--golden_output1.txt",
    }.items():
        (capture / f"{command_slug(command)}.txt").write_text(
            _text(relative).replace("\r\n", "\n"), encoding="utf-8", newline="")
    with serving("--capture", str(capture), "--platform", XE, inventory=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "declared", NO_SHOW_TECH,
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 2, done.stdout + done.stderr
    record = records(tmp_path / "out" / "declared")["xr-as-xe"]
    assert record["verdict"] == "ERROR"
    assert record["verdict_reason"].startswith(
        "declared cisco_xe but show version names IOS-XR (Cisco IOS XR Software, Version 6.1.4"
    ), record["verdict_reason"]
    assert not [c for c in record["checks"] if c["status"] == "FAIL"]
    register = next(c for c in record["checks"] if c["id"] == "op.config.register")
    assert register["status"] == "ERROR"
    assert "names IOS-XR" in register["message"]
