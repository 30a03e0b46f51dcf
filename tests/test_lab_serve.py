"""`inspector lab serve`: saved outputs served as lab chassis over SSH on 127.0.0.1.

The property that matters: a capture inspected live through the lab gives the same record as
`inspector evaluate` on the capture itself (same statuses, messages, evidence and sha256 of
every output), for a folder of real outputs from the shared corpus and for a run's evidence
folder of every platform. So any real capture becomes a lab device whose inspection can be
trusted to mean what an inspection of the real chassis meant.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_devices import HEALTHY, plan_lab, running_lab
from mock_devices.captures import CaptureError, capture_profile, plan_captures
from mock_devices.lab import LAB_PASSWORD, LAB_SECRET, LAB_USERNAME
from mock_devices.server import Chassis, CommandLog
from tests.corpus import CORPUS
from tests.lab_run import inspector, records

# Real outputs, one per command the capture holds. `show version` and the inventory are one
# Catalyst 3850 stack's (both print serial FCW1932D0LB): hw.chassis.identity compares the
# chassis model each names, and two devices' outputs are ERROR.
CORPUS_FILES = {
    "show version": "iosxe/show_version/genieparser--golden_output_c3850.txt",
    "show inventory": "iosxe/show_inventory/genieparser--golden_output_c3850.txt",
    "show environment all": (
        "iosxe/show_environment_all/genieparser--cat3k_c3850-golden_output_c3850.txt"
    ),
    "show license status": "iosxe/show_license_status/genieparser--golden_output1.txt",
}
# The checks that read nothing but those four commands on IOS-XE: the capture answers all
# they ask, so live and offline must agree on every word.
CAPTURED_CHECKS = (
    "hw.chassis.identity",
    "hw.fan.status",
    "hw.inventory.serials",
    "hw.psu.status",
    "hw.temperature.status",
    "lic.smart.registration",
    "op.config.register",
    "op.reload.reason",
)
# A saved output no check reads, full of what a template engine would eat.
DOLLARS = "enable secret 9 $9$abc$def\nbanner ${hostname} $$ $ {x} ${\n  $1$salt$hash\nend"
NO_SHOW_TECH = "--no-show-tech"


def _slug(command: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "_", command).strip("_")


@pytest.fixture(scope="module")
def corpus_capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set INSPECTOR_CORPUS)")
    folder = tmp_path_factory.mktemp("capture") / "corpus-c3850"
    folder.mkdir()
    for command, relative in CORPUS_FILES.items():
        text = (CORPUS / relative).read_text(encoding="utf-8")
        # netmiko turns every CRLF a device sends into LF, so a live capture never holds a
        # CR; the saved file is written as an inspector would have saved it.
        (folder / f"{_slug(command)}.txt").write_text(text.replace("\r\n", "\n"),
                                                      encoding="utf-8", newline="")
    (folder / "show_running_config.txt").write_text(DOLLARS, encoding="utf-8")
    return folder


@contextmanager
def serving(*args: str, inventory: Path) -> Iterator[subprocess.Popen[str]]:
    """`inspector lab serve ARGS --inventory-out INVENTORY` until the block ends (SIGINT)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "inspector", "lab", "serve", *args,
         "--inventory-out", str(inventory)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (inventory / "hosts.yaml").is_file():
            if process.poll() is not None:
                raise AssertionError(f"lab serve exited {process.returncode}: "
                                     f"{process.stderr.read() if process.stderr else ''}")
            if time.monotonic() > deadline:
                raise AssertionError("lab serve wrote no inventory within 60 s")
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


def _comparable(check: dict[str, Any], rejected: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What must agree between two judgements of the same outputs. `rejected`: commands the
    device refused, whose sha256 `evaluate` does not carry over from index.json (an engine
    gap that tests/test_rerun.py pins down), so it is left out of the comparison here."""
    found = {key: check[key] for key in ("id", "status", "severity", "message", "evidence")}
    found["commands"] = [{**c, "sha256": None} if c["command"] in rejected else c
                         for c in check["commands"]]
    return found


def _rejected_commands(evidence: Path) -> frozenset[str]:
    index = json.loads((evidence / "index.json").read_text())
    return frozenset(e["command"] for e in index["commands"]
                     if str(e.get("error", "")).startswith("rejected by the device"))


def _evaluate(capture: Path, platform: str, *checks: str) -> dict[str, Any]:
    done = inspector("evaluate", "--platform", platform, "--capture", str(capture), "--json",
                     *(arg for check in checks for arg in ("--check", check)))
    assert done.returncode in (0, 1, 2), done.stderr
    record: dict[str, Any] = json.loads(done.stdout)
    return record


# --------------------------------------------------------------------------- real outputs


@pytest.mark.lab
def test_a_served_corpus_capture_inspects_exactly_as_it_evaluates(
        corpus_capture: Path, tmp_path: Path) -> None:
    offline = _evaluate(corpus_capture, "cisco_xe", *CAPTURED_CHECKS)
    with serving("--capture", str(corpus_capture), "--platform", "cisco_xe",
                 inventory=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "served", NO_SHOW_TECH,
                         *(arg for check in CAPTURED_CHECKS for arg in ("--check", check)),
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode in (0, 1, 2), done.stderr
    live = records(tmp_path / "out" / "served")["corpus-c3850"]

    assert [_comparable(c) for c in live["checks"]] == [_comparable(c) for c in offline["checks"]]
    assert (live["verdict"], live["verdict_reason"]) == (offline["verdict"],
                                                        offline["verdict_reason"])
    assert {k: live["chassis"][k] for k in ("os", "version", "pid", "serial")} == {
        k: offline["chassis"][k] for k in ("os", "version", "pid", "serial")}
    # The corpus is read, not merely refused: the checks reached verdicts on it.
    assert {c["status"] for c in live["checks"]} <= {"PASS", "FAIL"}, live["checks"]
    assert live["chassis"]["pid"] and live["chassis"]["serial"]
    # Every output came back byte for byte: the evidence file is the saved file.
    evidence = tmp_path / "out" / "served" / "evidence" / "corpus-c3850"
    for command in CORPUS_FILES:
        saved = (corpus_capture / f"{_slug(command)}.txt").read_bytes()
        assert (evidence / f"{_slug(command)}.txt").read_bytes() == saved, command
        digests = {c["sha256"] for check in live["checks"] for c in check["commands"]
                   if c["command"] == command}
        assert digests == {hashlib.sha256(saved).hexdigest()}, command


@pytest.mark.lab
def test_a_served_capture_prompts_like_its_os_and_rejects_what_it_has_no_output_for(
        corpus_capture: Path, tmp_path: Path) -> None:
    from netmiko import ConnectHandler

    with serving("--capture", str(corpus_capture), "--platform", "cisco_xe",
                 "--command-log", str(tmp_path / "commands.jsonl"),
                 inventory=tmp_path / "inventory") as process:
        host = yaml.safe_load((tmp_path / "inventory" / "hosts.yaml").read_text())
        assert list(host) == ["corpus-c3850"] and host["corpus-c3850"]["platform"] == "cisco_xe"
        connection = ConnectHandler(
            device_type="cisco_xe", host="127.0.0.1", port=host["corpus-c3850"]["port"],
            username=LAB_USERNAME, password=LAB_PASSWORD, secret=LAB_SECRET, conn_timeout=5)
        try:
            assert connection.find_prompt() == "corpus-c3850>"
            connection.enable()
            assert connection.find_prompt() == "corpus-c3850#"
            # `$` and `${...}` are text in a real output, never placeholders.
            assert connection.send_command("show running-config") == DOLLARS
            for unknown in ("show license summary", "show tech-support", "show clock"):
                reply = connection.send_command(unknown)
                assert "% Invalid input detected at '^' marker." in reply, (unknown, reply)
            assert "Cisco IOS Software [Everest]" in connection.send_command("sh ver")
        finally:
            connection.disconnect()
        ready = process.stdout.readline() if process.stdout else ""
        assert ready.startswith("corpus-c3850 cisco_xe 127.0.0.1:"), ready
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    logged = [json.loads(line)["command"] for line in
              (tmp_path / "commands.jsonl").read_text().splitlines()]
    assert "show license summary" in logged and "show running-config" in logged


@pytest.mark.lab
def test_a_served_refusal_is_a_refusal_again_and_a_refused_show_tech_is_not_collected(
        corpus_capture: Path, tmp_path: Path) -> None:
    """A capture whose `show platform` is a TACACS+ denial, served back: live, the denial is
    the device's refusal quoted in the record, as `evaluate` judges the capture; the served
    chassis knows no `show tech-support`, and its refusal is recorded as not collected."""
    import shutil

    folder = tmp_path / "denied-c3850"
    shutil.copytree(corpus_capture, folder)
    (folder / "show_platform.txt").write_text("Command authorization failed.\n")
    # The capture rejects the fallback a Catalyst 4500-E answers in its place.
    (folder / "show_module.txt").write_text("                 ^\n"
                                            "% Invalid input detected at '^' marker.\n")
    checks = ("op.modules.state", "hw.chassis.identity")
    offline = _evaluate(folder, "cisco_xe", *checks)
    with serving("--capture", str(folder), "--platform", "cisco_xe",
                 inventory=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "denied", "--show-tech",
                         *(arg for check in checks for arg in ("--check", check)),
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 2, done.stdout + done.stderr
    live = records(tmp_path / "out" / "denied")["denied-c3850"]
    modules = next(c for c in live["checks"] if c["id"] == "op.modules.state")
    assert modules["status"] == "ERROR"
    assert modules["message"] == ("`show platform` rejected by the device (not authorized): "
                                  "Command authorization failed.; `show module` rejected by "
                                  "the device: % Invalid input detected at '^' marker.")
    assert [_comparable(c) for c in live["checks"]] == [_comparable(c) for c in offline["checks"]]
    tech = live["show_tech"]
    assert tech["error"] == ("not collected: rejected by the device: "
                             "% Invalid input detected at '^' marker."), tech
    assert "sha256" not in tech and "file" not in tech
    # Nor is its reply left in a file the evidence index does not name: the run is whole.
    verified = inspector("verify", str(tmp_path / "out" / "denied"),
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert verified.returncode == 0, verified.stdout


@pytest.mark.lab
def test_a_served_denial_sends_the_fallback_and_the_record_says_which_was_read(
        tmp_path: Path) -> None:
    """An ASA whose AAA server denies `show activation-key`: live, the fallback
    `show license all` is sent and read, and the record says why."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set INSPECTOR_CORPUS)")
    folder = tmp_path / "asa-denied"
    folder.mkdir()
    for command, relative in {
        "show version": "asa/show_version/genieparser--golden_output1.txt",
        "show license all": "asa/show_license_all/ntc-templates--cisco_asa_show_license_all.txt",
    }.items():
        text = (CORPUS / relative).read_text(encoding="utf-8")
        (folder / f"{_slug(command)}.txt").write_text(text, encoding="utf-8")
    (folder / "show_activation_key.txt").write_text("Command authorization failed\n")
    with serving("--capture", str(folder), "--platform", "cisco_asa",
                 "--command-log", str(tmp_path / "commands.jsonl"),
                 inventory=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "fallback", NO_SHOW_TECH,
                         "--check", "lic.asa.license",
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 0, done.stdout + done.stderr
    (check,) = records(tmp_path / "out" / "fallback")["asa-denied"]["checks"]
    assert check["status"] == "PASS", check
    (read,) = check["commands"]
    assert read["command"] == "show license all"
    assert read["note"] == ("`show activation-key` rejected by the device (not authorized): "
                            "Command authorization failed; read `show license all` in its place")
    logged = [json.loads(line)["command"] for line in
              (tmp_path / "commands.jsonl").read_text().splitlines()]
    assert logged.index("show activation-key") < logged.index("show license all")


# --------------------------------------------------------------------------- a run's evidence


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A run of one chassis of every platform (one with a failed fan), to serve back."""
    tmp = tmp_path_factory.mktemp("original")
    specs = plan_lab(6, HEALTHY)
    specs[0].scenario = "fan_failed"
    with running_lab(specs, inventory_out=tmp / "inventory"):
        done = inspector("run", "--inventory", str(tmp / "inventory"), "--out", str(tmp / "out"),
                         "--run-id", "original", NO_SHOW_TECH, "--workers", "6",
                         env={"INSPECTOR_KEY": str(tmp / "key.pem")})
    assert done.returncode == 1, done.stderr
    return {"specs": specs, "run_dir": tmp / "out" / "original", "tmp": tmp}


@pytest.mark.lab
def test_a_served_evidence_folder_inspects_as_the_original_run_and_as_evaluate(
        lab_run: dict[str, Any], tmp_path: Path) -> None:
    run_dir: Path = lab_run["run_dir"]
    original = records(run_dir)
    folders = [run_dir / "evidence" / spec.hostname for spec in lab_run["specs"]]
    # No --platform: each evidence folder's index.json says hostname and platform.
    with serving(*(arg for folder in folders for arg in ("--capture", str(folder))),
                 inventory=tmp_path / "inventory"):
        hosts = yaml.safe_load((tmp_path / "inventory" / "hosts.yaml").read_text())
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "served", NO_SHOW_TECH,
                         "--workers", "6", env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 1, done.stderr
    served = records(tmp_path / "out" / "served")
    assert set(served) == set(original) == set(hosts)
    for spec in lab_run["specs"]:
        live, before = served[spec.hostname], original[spec.hostname]
        assert hosts[spec.hostname]["platform"] == spec.device_type
        # Logged in and elevated at the prompt the original chassis showed.
        assert live["session"]["prompt"] == before["session"]["prompt"]
        assert live["session"]["privileged"]
        assert [_comparable(c) for c in live["checks"]] == [
            _comparable(c) for c in before["checks"]], spec.hostname
        assert (live["verdict"], live["verdict_reason"]) == (before["verdict"],
                                                            before["verdict_reason"])
        offline = _evaluate(run_dir / "evidence" / spec.hostname, spec.device_type)
        rejected = _rejected_commands(run_dir / "evidence" / spec.hostname)
        for mine, theirs in zip(live["checks"], offline["checks"], strict=True):
            if mine["id"].startswith("prog."):
                continue  # judged against the inventory, which `evaluate` does not have
            assert _comparable(mine, rejected) == _comparable(theirs, rejected), (
                spec.hostname, mine["id"])
    assert original[lab_run["specs"][0].hostname]["verdict"] == "FAIL"
    assert served[lab_run["specs"][0].hostname]["verdict"] == "FAIL"


# --------------------------------------------------------------------------- the folder rules


def test_a_plain_capture_needs_its_platform_and_a_clear_error_says_so(
        corpus_capture: Path, tmp_path: Path) -> None:
    done = inspector("lab", "serve", "--capture", str(corpus_capture), "--inventory-out",
                     str(tmp_path / "inventory"))
    assert done.returncode == 3
    assert "no index.json" in done.stderr and "--platform" in done.stderr
    assert not (tmp_path / "inventory").exists()
    done = inspector("lab", "serve", "--capture", str(corpus_capture), "--platform",
                     "juniper_junos", "--inventory-out", str(tmp_path / "inventory"))
    assert done.returncode == 3 and "juniper_junos" in done.stderr


def test_the_index_names_hostname_and_platform_and_wins_over_platform(tmp_path: Path) -> None:
    folder = tmp_path / "evidence" / "folder-name"
    folder.mkdir(parents=True)
    (folder / "show_version.txt").write_text("Cisco Nexus Operating System (NX-OS) Software")
    (folder / "dir_crashinfo.txt").write_text("% Invalid command at '^' marker.\n")
    (folder / "show_inventory.txt").write_text("not collected, not served")
    (folder / "index.json").write_text(json.dumps({
        "hostname": "dc1-leaf07", "platform": "cisco_nxos", "session": None,
        "commands": [
            {"command": "show version", "file": "show_version.txt"},
            {"command": "dir crashinfo:", "file": "dir_crashinfo.txt",
             "error": "rejected by the device: % Invalid command"},
        ],
    }))
    (folder / "context.json").write_text("{}")
    hostname, profile = capture_profile(folder, platform="cisco_xe")
    assert (hostname, profile.device_type, profile.os) == ("dc1-leaf07", "cisco_nxos", "nxos")
    assert profile.command_for("dir_crashinfo") == "dir crashinfo:"
    # Every saved output is served, the device's own rejection included; nothing else is.
    assert set(profile.templates) == {"show_version", "dir_crashinfo", "show_inventory"}


def test_capture_folders_must_exist_hold_outputs_and_name_distinct_chassis(
        tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="not found"):
        plan_captures([tmp_path / "missing"], platform="cisco_xe")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaptureError, match="no saved output"):
        plan_captures([tmp_path / "empty"], platform="cisco_xe")
    for site in ("a", "b"):
        (tmp_path / site / "R1").mkdir(parents=True)
        (tmp_path / site / "R1" / "show_version.txt").write_text("x")
    with pytest.raises(CaptureError, match="both chassis 'R1'"):
        plan_captures([tmp_path / "a" / "R1", tmp_path / "b" / "R1"], platform="cisco_ios")


def test_outputs_are_served_verbatim_never_rendered(tmp_path: Path) -> None:
    folder = tmp_path / "R1"
    folder.mkdir()
    saved = {"show_version": "\n\nversion ${version} $$ $x\r\nend\n\n", "show_logging": ""}
    for slug, text in saved.items():
        (folder / f"{slug}.txt").write_bytes(text.encode())
    (spec,) = plan_captures([folder], platform="cisco_ios")
    chassis = Chassis.from_spec(spec, CommandLog())
    for slug, text in saved.items():
        # One newline more than saved: the line break a CLI prints before its prompt, which
        # the client strips; see Chassis.output.
        assert chassis.output(slug) == text + "\n"
