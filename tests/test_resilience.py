"""Faults and interruptions: a batch with every fault the lab can serve, kill -9 and Ctrl-C.

- A lab of 100 chassis mixing every scenario of mock_devices (wire faults: refused
  logins, closed ports, hangs, slow, dropped, paged, bannered, garbled, huge and unsupported
  outputs; hardware, license and software faults of every profile) ends with one record per
  chassis, the verdict the lab expects, and on each faulty chassis the precise reason an
  engineer on site can act on. Short timeouts come from a `--policy` file.
- A run killed with SIGKILL mid-batch, then `run --resume`, ends with exactly one valid record
  per chassis and no half-written file; Ctrl-C (SIGINT) stops cleanly with exit code 130,
  keeps what finished, and `--resume` does the rest. Ctrl-C reaches the run's judge worker
  too, which judges what is in session; killed outright, the run leaves no worker behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_devices import ChassisSpec, expected_verdict, get_profile, load_profiles, running_lab
from mock_devices.lab import PROFILE_ORDER
from mock_devices.profiles import HEALTHY, common_scenarios
from mock_devices.server import Latency
from tests.lab_run import CAUGHT_BY, inspector, process_running, records

pytestmark = pytest.mark.lab

# Seconds; a hung chassis still costs netmiko's own prompt wait.
FAST_POLICY = """\
collection:
  connect_timeout: 3
  auth_timeout: 3
  command_timeout: 8
  retries: 1
  retry_delay: 0.2
"""
# Which profiles serve each wire-level fault: different OSes fail differently on the wire.
WIRE_FAULTS = {
    "login_refused": ("isr4431", "nexus9300"),
    "port_closed": ("cat2960x", "asr9006"),
    "hang_after_login": ("cat9300", "asa5525"),
    "slow_output": ("nexus9300", "asa5525"),
    "drop_mid_output": ("cat9300", "asr9006"),
    "paging_on": ("isr4431", "cat2960x"),
    "banner_with_prompts": ("asr9006", "asa5525"),
    "garbage_output": ("nexus9300", "cat9300"),
    "huge_output": ("cat2960x",),
    "unsupported_command": ("isr4431", "nexus9300"),
    "prompt_mid_output": ("cat9300", "asr9006"),
}
# The reason a record must give, in the words its summary line shows (`verdict_reason`).
REASONS = {
    "login_refused": r"^not inspected: authentication failed$",
    # Nothing listens: the connection is refused at once, which is not a timeout.
    "port_closed": r"^not inspected: .*connection refused",
    # Logged in, then no prompt ever came.
    "hang_after_login": r"^not inspected: timed out\b.*\bprompt",
    # The chassis hung up halfway through an output.
    "drop_mid_output": r"connection lost during `[^`]+`",
    # The output stopped at a --More-- the session could not turn off.
    "paging_on": r"--More--|paging|pager",
    "garbage_output": r"^could not tell: ",
    "unsupported_command": r"^could not tell: .*hw\.chassis\.identity",
}
# Healthy chassis the inventory lists with a credential they refuse, and the reason to give.
MISLISTED = {
    "asa5525-wrong-password": ("password", "Pw-not-this-one",
                               r"^not inspected: authentication failed$"),
    "isr4431-wrong-enable": ("secret", "Sec-not-this-one", r"enable"),
}


BATCH = 100


def _plan() -> list[ChassisSpec]:
    """Every scenario of every profile at least once, the healthy chassis the inventory will
    list with a wrong credential, and healthy chassis of every profile up to BATCH."""
    profiles = load_profiles()
    wire = set(common_scenarios())
    assert set(WIRE_FAULTS) == wire, "a wire-level scenario was added: give it profiles here"
    wanted: list[tuple[str, str, str]] = [(p, HEALTHY, f"{p}-healthy") for p in PROFILE_ORDER]
    wanted += [(p, s, f"{p}-{s}") for s, serving in WIRE_FAULTS.items() for p in serving]
    faults = sorted({s for p in profiles.values() for s in p.scenarios} - wire - {HEALTHY})
    for n, scenario in enumerate(faults):
        # The six first profiles where they have the fault, else the profile that has it
        # (interface errors on the MDS's Fibre Channel ports).
        offering = [p for p in PROFILE_ORDER if scenario in profiles[p].scenarios] or sorted(
            p for p in profiles if scenario in profiles[p].scenarios)
        profile = offering[n % len(offering)]
        wanted.append((profile, scenario, f"{profile}-{scenario}"))
    wanted += [(hostname.split("-")[0], HEALTHY, hostname) for hostname in MISLISTED]
    # Healthy chassis up to a site of BATCH, so the faults are mixed into a realistic batch.
    wanted += [(PROFILE_ORDER[k % len(PROFILE_ORDER)], HEALTHY,
                f"{PROFILE_ORDER[k % len(PROFILE_ORDER)]}-healthy-{k}")
               for k in range(BATCH - len(wanted))]
    return [
        ChassisSpec(hostname=hostname.replace("_", "-"), profile=profile, scenario=scenario,
                    index=i, serial=get_profile(profile).serial(i))
        for i, (profile, scenario, hostname) in enumerate(wanted, start=1)
    ]


def _expected(spec: ChassisSpec) -> str:
    return "ERROR" if spec.hostname in MISLISTED else expected_verdict(spec.scenario)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("faults")
    specs = _plan()
    (tmp / "policy.yaml").write_text(FAST_POLICY)
    started = time.monotonic()
    with running_lab(specs, inventory_out=tmp / "inventory"):
        hosts = yaml.safe_load((tmp / "inventory" / "hosts.yaml").read_text())
        for hostname, (field, wrong, _) in MISLISTED.items():
            if field == "password":
                hosts[hostname]["password"] = wrong
            else:
                hosts[hostname]["connection_options"] = {"netmiko": {"extras": {field: wrong}}}
        (tmp / "inventory" / "hosts.yaml").write_text(yaml.safe_dump(hosts))
        done = inspector("run", "--inventory", str(tmp / "inventory"), "--out", str(tmp / "out"),
                         "--run-id", "faults", "--no-show-tech", "--workers", "50",
                         "--policy", str(tmp / "policy.yaml"),
                         env={"INSPECTOR_KEY": str(tmp / "key.pem")}, timeout=400)
    return {"specs": specs, "run": done, "run_dir": tmp / "out" / "faults",
            "seconds": time.monotonic() - started}


def test_the_lab_mixes_every_scenario_of_mock_devices(batch: dict[str, Any]) -> None:
    served = {s.scenario for s in batch["specs"]}
    every = {s for p in load_profiles().values() for s in p.scenarios}
    assert served == every
    assert len(batch["specs"]) == BATCH


def test_every_chassis_gets_one_record_with_the_verdict_the_lab_expects(
        batch: dict[str, Any]) -> None:
    assert batch["run"].returncode == 1, batch["run"].stderr  # faults were found
    found = records(batch["run_dir"])
    assert set(found) == {s.hostname for s in batch["specs"]}
    wrong = {s.hostname: (s.scenario, found[s.hostname]["verdict"],
                          found[s.hostname]["verdict_reason"])
             for s in batch["specs"] if found[s.hostname]["verdict"] != _expected(s)}
    assert not wrong
    # Short timeouts keep a batch of broken chassis short: everything is over in a minute or
    # two, hung sessions included.
    assert batch["seconds"] < 180


@pytest.mark.parametrize("scenario", sorted(REASONS))
def test_each_fault_on_the_wire_gets_its_precise_reason(
        batch: dict[str, Any], scenario: str) -> None:
    found = records(batch["run_dir"])
    for spec in (s for s in batch["specs"] if s.scenario == scenario):
        record = found[spec.hostname]
        assert re.search(REASONS[scenario], record["verdict_reason"]), (
            spec.hostname, record["verdict_reason"], (record["session"] or {}).get("error"))


@pytest.mark.parametrize("hostname", sorted(MISLISTED))
def test_a_credential_the_chassis_refuses_gets_its_precise_reason(
        batch: dict[str, Any], hostname: str) -> None:
    record = records(batch["run_dir"])[hostname]
    assert record["verdict"] == "ERROR"
    assert re.search(MISLISTED[hostname][2], record["verdict_reason"]), (
        record["verdict_reason"], record["session"])


@pytest.mark.parametrize("scenario", ["drop_mid_output", "paging_on"])
def test_checks_say_what_happened_to_their_output_after_a_good_login(
        batch: dict[str, Any], scenario: str) -> None:
    """These chassis logged in and entered privileged mode before their outputs broke off;
    each check must say what became of its command, not that the login fell short."""
    found = records(batch["run_dir"])
    for spec in (s for s in batch["specs"] if s.scenario == scenario):
        record = found[spec.hostname]
        for check in record["checks"]:
            if check["status"] != "ERROR" or check["id"] == "op.session.access":
                continue
            assert "privileged mode was not reached" not in check["message"], (
                spec.hostname, check["id"], check["message"])
            assert re.search(r"`[^`]+`", check["message"]), (spec.hostname, check["message"])


def test_garbage_is_never_judged_and_says_which_output_could_not_be_read(
        batch: dict[str, Any]) -> None:
    found = records(batch["run_dir"])
    for spec in (s for s in batch["specs"] if s.scenario == "garbage_output"):
        record = found[spec.hostname]
        assert record["session"]["error"] is None and record["session"]["privileged"]
        for check in record["checks"]:
            if check["id"] == "op.session.access" or check["status"] == "SKIP":
                continue
            assert check["status"] == "ERROR", (spec.hostname, check["id"], check["message"])
            assert check["message"].startswith("could not read `"), check["message"]


def test_an_unsupported_command_errors_only_the_checks_that_need_it(
        batch: dict[str, Any]) -> None:
    found = records(batch["run_dir"])
    for spec in (s for s in batch["specs"] if s.scenario == "unsupported_command"):
        record = found[spec.hostname]
        errored = {c["id"]: c["message"] for c in record["checks"] if c["status"] == "ERROR"}
        assert "hw.chassis.identity" in errored
        for message in errored.values():
            assert re.match(r"`show inventory` rejected by the device: .*Invalid", message), message
        assert any(c["status"] == "PASS" for c in record["checks"])


def test_each_device_fault_is_caught_by_its_check(batch: dict[str, Any]) -> None:
    found = records(batch["run_dir"])
    for spec in batch["specs"]:
        if expected_verdict(spec.scenario) != "FAIL":
            continue
        assert spec.scenario in CAUGHT_BY, f"say which check catches {spec.scenario}"
        meant = CAUGHT_BY[spec.scenario]
        meant = {meant} if isinstance(meant, str) else set(meant)
        failed = {c["id"] for c in found[spec.hostname]["checks"] if c["status"] == "FAIL"}
        assert failed & meant, (spec.hostname, failed)
        assert found[spec.hostname]["verdict_reason"].startswith("failed: ")


def test_chassis_that_tolerate_their_quirk_pass_cleanly(batch: dict[str, Any]) -> None:
    found = records(batch["run_dir"])
    for spec in batch["specs"]:
        if _expected(spec) == "PASS":
            record = found[spec.hostname]
            assert record["session"]["error"] is None, (spec.hostname, record["session"])
            # A minor fault (interface errors) FAILs its own check, and only it.
            meant = CAUGHT_BY.get(spec.scenario, set())
            meant = {meant} if isinstance(meant, str) else set(meant)
            assert not [c["id"] for c in record["checks"]
                        if c["status"] in ("FAIL", "ERROR") and c["id"] not in meant]


# --------------------------------------------------------------------------- interruptions

SLOW_BATCH = 10  # healthy chassis inspected two at a time: long enough to interrupt


@pytest.fixture
def slow_lab(tmp_path: Path) -> Iterator[dict[str, Any]]:
    specs = [ChassisSpec(hostname=f"lab-{profile}-{i:02d}", profile=profile, scenario=HEALTHY,
                         index=i, serial=get_profile(profile).serial(i))
             for i, profile in enumerate((PROFILE_ORDER * 2)[:SLOW_BATCH], start=1)]
    # Each command takes 50 ms, as on a real chassis: the chassis still to inspect once two
    # records are written take seconds, so a signal sent then always lands mid-run, however
    # busy the machine (without it the run could end before the signal was sent).
    with running_lab(specs, inventory_out=tmp_path / "inventory",
                     latency=Latency(command=0.05)):
        yield {"specs": specs, "inventory": tmp_path / "inventory",
               "run_dir": tmp_path / "out" / "cut",
               # wide: rich would wrap the summary lines at 80 columns
               "env": {"INSPECTOR_KEY": str(tmp_path / "k"), "COLUMNS": "250"}}


def _start(lab: dict[str, Any]) -> subprocess.Popen[str]:
    import os

    # A shell starts a background job with Ctrl-C ignored, and an ignored signal stays ignored
    # across exec: the run would never hear the SIGINT the tests send. A handled one is reset
    # to the default at exec, so with a handler here while the run starts, it hears Ctrl-C as
    # from a terminal, however the suite itself was started.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "inspector", "run", "--inventory", str(lab["inventory"]),
             "--out", str(lab["run_dir"].parent), "--run-id", lab["run_dir"].name,
             "--workers", "2", "--no-show-tech"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # Its own process group, as a terminal's foreground job: Ctrl-C reaches the whole
            # group, the run's judge workers included (`_ctrl_c`).
            process_group=0,
            env={**os.environ, **lab["env"]},
        )
    finally:
        signal.signal(signal.SIGINT, before)


def _ctrl_c(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGINT)


def _wait_for_records(process: subprocess.Popen[str], run_dir: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(list((run_dir / "records").glob("*.json"))) < count:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no progress within 120 s"
        time.sleep(0.05)


def _assert_complete(run_dir: Path, specs: list[ChassisSpec], env: dict[str, str]) -> None:
    paths = sorted((run_dir / "records").iterdir())
    assert [p.name for p in paths] == sorted(f"{s.hostname}.json" for s in specs)
    for path in paths:
        record = json.loads(path.read_text())  # every record parses
        assert record["verdict"] == "PASS", (path.name, record["verdict_reason"])
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".tmp")]
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["verdicts"] == {s.hostname: "PASS" for s in specs}
    done = inspector("verify", str(run_dir), env=env)
    assert done.returncode == 0, done.stdout


def test_a_run_killed_mid_batch_resumes_to_one_record_per_chassis(
        slow_lab: dict[str, Any]) -> None:
    run_dir = slow_lab["run_dir"]
    process = _start(slow_lab)
    _wait_for_records(process, run_dir, 3)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    kept = {p.name for p in (run_dir / "records").glob("*.json")}
    assert 3 <= len(kept) < SLOW_BATCH
    # Killed outright, the run was last signed as it started: the records written since are
    # vouched for by nothing, so one forged now must not be signed by the resume.
    forged = run_dir / "records" / sorted(kept)[0]
    forged.write_text(forged.read_text().replace("every check that applies passed", "forged"))
    done = inspector("run", "--resume", str(run_dir), env=slow_lab["env"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SLOW_BATCH} chassis" in done.stdout
    _assert_complete(run_dir, slow_lab["specs"], slow_lab["env"])
    assert "forged" not in forged.read_text()  # inspected again
    [aside] = run_dir.parent.glob(f"{run_dir.name}.unsealed-*")
    assert "set aside" in done.stdout and str(aside) in done.stdout.replace("\n", "")
    assert "forged" in (aside / "records" / forged.name).read_text()


@pytest.mark.parametrize("presses", [1, 2], ids=["once", "twice 0.1 s apart"])
def test_ctrl_c_stops_cleanly_keeps_finished_records_and_resume_completes(
        slow_lab: dict[str, Any], presses: int) -> None:
    run_dir = slow_lab["run_dir"]
    process = _start(slow_lab)
    _wait_for_records(process, run_dir, 2)
    for press in range(presses):
        if press:
            time.sleep(0.1)
        _ctrl_c(process)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr, stderr
    # Ctrl-C reached the judge worker too, which ignores it: it judged every chassis still in
    # session, rather than die and leave them to the run's threads.
    assert "judge worker died" not in stdout
    kept = sorted(p.name for p in (run_dir / "records").glob("*.json"))
    assert 2 <= len(kept) < SLOW_BATCH
    for path in (run_dir / "records").glob("*.json"):
        json.loads(path.read_text())
    missing = SLOW_BATCH - len(kept)
    # stderr too: a run once left with exit 130 and nothing on stdout (docs/performance.md,
    # "The session threads as batch work, measured and held back"), and what it said on
    # stderr was not kept.
    assert f"interrupted: {missing} chassis not inspected" in stdout, (stdout[-400:],
                                                                      stderr[-2000:])
    assert f"--resume {run_dir}" in stdout
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["interrupted"] is True

    done = inspector("run", "--resume", str(run_dir), env=slow_lab["env"])
    assert done.returncode == 0, done.stdout + done.stderr
    _assert_complete(run_dir, slow_lab["specs"], slow_lab["env"])
    # The chassis finished before Ctrl-C were not inspected again.
    assert all((run_dir / "records" / name).is_file() for name in kept)


def _children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def test_a_run_killed_outright_leaves_no_judge_worker_behind_and_resumes(
        slow_lab: dict[str, Any]) -> None:
    run_dir = slow_lab["run_dir"]
    process = _start(slow_lab)
    _wait_for_records(process, run_dir, 3)
    workers = _children(process.pid)
    assert workers  # the judge worker, and the pool's resource tracker
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    # No parent left to shut the pool down: each worker notices, and leaves instead of idling
    # on as an orphan (at once: test_judge_pool), and the pool's resource tracker after it.
    deadline = time.monotonic() + 15
    while [pid for pid in workers if process_running(pid)]:
        assert time.monotonic() < deadline, "a judge worker outlived its run"
        time.sleep(0.1)
    done = inspector("run", "--resume", str(run_dir), env=slow_lab["env"])
    assert done.returncode == 0, done.stdout + done.stderr
    _assert_complete(run_dir, slow_lab["specs"], slow_lab["env"])
