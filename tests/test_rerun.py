"""`inspector rerun` and `inspector show` on a finished lab run, through the CLI.

An offline rerun re-judges saved evidence (under a changed policy, or with changed code); a
live rerun reconnects to one chassis after it was repaired. Either way every attempt stays in
the record, the verdict is recomputed, the original evidence is never touched and the run's
manifest verifies afterwards.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_devices import ChassisSpec, Lab, get_profile, running_lab
from mock_devices.profiles import ProfileError
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab

OK, CPU, FAN, ISR = "lab-c9300-ok", "lab-c9300-cpu", "lab-c9300-fan", "lab-isr4431-ok"
WIDE = {"COLUMNS": "250"}  # rich wraps at 80 columns when not on a terminal


def _spec(hostname: str, profile: str, scenario: str, index: int) -> ChassisSpec:
    return ChassisSpec(hostname=hostname, profile=profile, scenario=scenario, index=index,
                       serial=get_profile(profile).serial(index))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A finished run of four chassis; the lab keeps serving them for live reruns."""
    tmp = tmp_path_factory.mktemp("rerun")
    specs = [_spec(OK, "cat9300", "healthy", 1), _spec(CPU, "cat9300", "cpu_high", 2),
             _spec(FAN, "cat9300", "fan_failed", 3), _spec(ISR, "isr4431", "healthy", 4)]
    env = {"INSPECTOR_KEY": str(tmp / "key.pem"), **WIDE}
    with running_lab(specs, inventory_out=tmp / "inventory") as lab:
        done = inspector("run", "--inventory", str(tmp / "inventory"), "--out", str(tmp / "out"),
                         "--run-id", "base", "--no-show-tech", "--workers", "4", env=env)
        assert done.returncode == 1, done.stdout + done.stderr
        found = records(tmp / "out" / "base")
        assert {h: r["verdict"] for h, r in found.items()} == {
            OK: "PASS", CPU: "FAIL", FAN: "FAIL", ISR: "PASS"}
        yield {"run_dir": tmp / "out" / "base", "lab": lab, "env": env, "tmp": tmp}


@pytest.fixture
def run(base: dict[str, Any], tmp_path: Path) -> Path:
    """A copy of the base run for one test to change."""
    return Path(shutil.copytree(base["run_dir"], tmp_path / "run"))


def _policy(tmp_path: Path, max_cpu: int) -> Path:
    path = tmp_path / f"cpu-{max_cpu}.yaml"
    path.write_text(f"operational:\n  cpu:\n    max_percent: {max_cpu}\n")
    return path


def _hashes(folder: Path, skip: str | None = None) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not (skip and skip in p.relative_to(folder).parts)}


def _check(record: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in record["checks"] if c["id"] == check_id)


def _verify(run_dir: Path, env: dict[str, str]) -> None:
    done = inspector("verify", str(run_dir), env=env)
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------- offline


def test_a_policy_change_flips_a_verdict_offline_and_back(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    env = base["env"]
    evidence = _hashes(run / "evidence")
    before = records(run)

    done = inspector("rerun", str(run), "--check", "op.cpu.load", "--policy",
                     str(_policy(tmp_path, 1)), env=env)
    assert done.returncode == 1, done.stderr
    # Every chassis whose CPU was fine is now above 1%; the busy one failed already.
    assert "4 check(s) rerun, 3 changed status" in done.stdout
    # What judged the run and what judged the rerun differ, and the rerun says so.
    assert "judged differently from the run: the policy differs" in done.stdout
    for hostname in (OK, FAN, ISR):
        assert f"{hostname} op.cpu.load: PASS -> FAIL (offline)" in done.stdout
    after = records(run)
    cpu = _check(after[OK], "op.cpu.load")
    assert cpu["status"] == "FAIL" and cpu["message"].startswith("CPU above 1%")
    assert [(a["mode"], a["status"]) for a in cpu["attempts"]] == [
        ("original", "PASS"), ("offline", "FAIL")]
    original = cpu["attempts"][0]
    assert {k: original[k] for k in ("message", "evidence", "commands")} == {
        k: _check(before[OK], "op.cpu.load")[k] for k in ("message", "evidence", "commands")}
    assert cpu["attempts"][1]["commands"] == original["commands"]  # the same output, re-read
    assert after[OK]["verdict"] == "FAIL" and "op.cpu.load" in after[OK]["verdict_reason"]
    assert after[OK]["judged_with"]["policy_sha256"] != before[OK]["judged_with"]["policy_sha256"]
    assert after[OK]["judged_with"]["packages"] == before[OK]["judged_with"]["packages"]
    # Checks that were not rerun are as they were, without attempts.
    assert [c for c in after[OK]["checks"] if c["id"] != "op.cpu.load"] == [
        c for c in before[OK]["checks"] if c["id"] != "op.cpu.load"]
    assert _hashes(run / "evidence") == evidence  # offline: nothing collected, nothing changed
    _verify(run, env)

    done = inspector("rerun", str(run), "--check", "op.cpu.load", "--policy",
                     str(_policy(tmp_path, 99)), env=env)
    assert done.returncode == 1, done.stderr  # the failed fan still fails its chassis
    assert f"{CPU} op.cpu.load: FAIL -> PASS (offline)" in done.stdout
    assert f"{OK} op.cpu.load: FAIL -> PASS (offline)" in done.stdout
    again = records(run)
    assert [(a["mode"], a["status"]) for a in _check(again[CPU], "op.cpu.load")["attempts"]] == [
        ("original", "FAIL"), ("offline", "FAIL"), ("offline", "PASS")]
    assert again[CPU]["verdict"] == "PASS" and again[OK]["verdict"] == "PASS"
    assert again[FAN]["verdict"] == "FAIL"
    assert _hashes(run / "evidence") == evidence
    _verify(run, env)


def test_a_rerun_keeps_run_json_and_the_reports_in_step_with_the_records(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    done = inspector("rerun", str(run), "--check", "op.cpu.load", "--policy",
                     str(_policy(tmp_path, 99)), env=base["env"])
    assert done.returncode == 1, done.stderr
    verdicts = {h: r["verdict"] for h, r in records(run).items()}
    assert verdicts[CPU] == "PASS"
    # run.json and the reports the run left are what people and CI read first; a rerun that
    # changed a verdict must not leave them saying the old one (signed, at that).
    assert json.loads((run / "run.json").read_text())["verdicts"] == verdicts
    fresh = inspector("report", str(run), "--format", "junit", "--output",
                      str(tmp_path / "fresh.xml"))
    assert fresh.returncode == 0, fresh.stderr
    assert (run / "report.xml").read_text() == (tmp_path / "fresh.xml").read_text()


def test_a_rerun_of_one_chassis_redraws_its_report_pieces_only_and_the_reports_match_a_fresh_render(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    pieces = _hashes(run / "report-parts")
    assert len(pieces) == 4  # one per chassis, kept by the run
    done = inspector("rerun", str(run), "--host", CPU, "--check", "op.cpu.load", "--policy",
                     str(_policy(tmp_path, 99)), env=base["env"])
    assert done.returncode == 0, done.stdout + done.stderr
    after = _hashes(run / "report-parts")
    assert {name for name in pieces if after[name] != pieces[name]} == {f"{CPU}.json"}
    for fmt, name in (("html", "report.html"), ("junit", "report.xml")):
        fresh = inspector("report", str(run), "--format", fmt, "--output",
                          str(tmp_path / name))
        assert fresh.returncode == 0, fresh.stderr
        assert (run / name).read_bytes() == (tmp_path / name).read_bytes(), name
    assert json.loads((run / "run.json").read_text())["verdicts"] == {
        h: r["verdict"] for h, r in records(run).items()}
    _verify(run, base["env"])


def test_a_rerun_refuses_a_run_altered_since_it_was_signed_and_never_signs_over_a_change(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    env = base["env"]
    rerun = ("rerun", str(run), "--host", OK, "--check", "op.cpu.load")
    # What the rerun reads: its chassis's evidence, any record, the kept report pieces.
    for target in (next((run / "evidence" / OK).glob("show_proc*")),
                   run / "records" / f"{FAN}.json", run / "report-parts" / f"{ISR}.json"):
        original = target.read_bytes()
        target.write_bytes(original.replace(b"PASS", b"FAIL").replace(b"5%", b"1%") + b" ")
        done = inspector(*rerun, env=env)
        assert done.returncode == 3, done.stdout + done.stderr
        rel = target.relative_to(run).as_posix()
        assert f"changed {rel}" in done.stderr and "inspector verify" in done.stderr
        target.write_bytes(original)
    # Another chassis's evidence is not read: the rerun goes on, and the change stays visible
    # to verify rather than being signed over by the new manifest.
    other = next((run / "evidence" / FAN).glob("show_env*"))
    other.write_bytes(other.read_bytes() + b"tampered\n")
    done = inspector(*rerun, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    check = inspector("verify", str(run), env=env)
    assert check.returncode == 1 and other.relative_to(run).as_posix() in check.stdout, (
        check.stdout)
    # A manifest that does not match its signature is refused outright.
    (run / "manifest.sig").write_bytes(b"AAAA\n")
    done = inspector(*rerun, env=env)
    assert done.returncode == 3 and "does not match its signature" in done.stderr


def test_rejudging_unchanged_evidence_reproduces_every_result(
        base: dict[str, Any], run: Path) -> None:
    before = records(run)
    done = inspector("rerun", str(run), "--all", env=base["env"])
    assert done.returncode == 1, done.stderr
    total = sum(len(r["checks"]) for r in before.values())
    assert f"{total} check(s) rerun, 0 changed status" in done.stdout
    assert "judged differently" not in done.stdout  # same versions, same policy
    for hostname, record in records(run).items():
        assert record["verdict"] == before[hostname]["verdict"]
        assert record["verdict_reason"] == before[hostname]["verdict_reason"]
        assert record["judged_with"] == before[hostname]["judged_with"]
        for check in record["checks"]:
            original, again = check["attempts"]
            # Same evidence, same code, same policy: the same result, to the sha256 of every
            # output read, a command the device rejected included.
            assert {k: again[k] for k in ("status", "message", "evidence", "commands")} == {
                k: original[k] for k in ("status", "message", "evidence", "commands")}, (
                hostname, check["id"])


def test_a_rerun_judges_a_saved_refusal_as_live_and_evaluate_do(
        base: dict[str, Any], run: Path) -> None:
    """Evidence saved before refusals were known (index without an error, the file a TACACS+
    denial) is re-judged as the device's refusal, not as an output."""
    from inspector.catalogue import load_catalogue
    from inspector.policy import load_policy
    from inspector.provenance import judged_with
    from inspector.rerun import rerun_record

    (run / "evidence" / OK / "show_platform.txt").write_text("Command authorization failed.\n")
    record = records(run)[OK]
    assert _check(record, "op.modules.state")["status"] == "PASS"
    policy = load_policy(None)
    updated, changes = rerun_record(run, record, ["op.modules.state"],
                                    catalogue=load_catalogue(), policy=policy,
                                    judged_with=judged_with(policy))
    check = _check(updated, "op.modules.state")
    assert (check["status"], check["message"]) == (
        "ERROR", "`show platform` rejected by the device (not authorized): "
                 "Command authorization failed.; `show module` is not in the capture")
    assert [(c.before, c.after) for c in changes] == [("PASS", "ERROR")]


def test_failed_reruns_only_what_failed_and_all_reruns_everything(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    before = records(run)
    failing = {(h, c["id"]) for h, r in before.items() for c in r["checks"]
               if c["status"] in ("FAIL", "ERROR")}
    assert (CPU, "op.cpu.load") in failing and (FAN, "hw.fan.status") in failing
    done = inspector("rerun", str(run), "--failed", env=base["env"])
    assert done.returncode == 1, done.stderr
    assert f"{len(failing)} check(s) rerun, 0 changed status" in done.stdout
    rerun = {(h, c["id"]) for h, r in records(run).items() for c in r["checks"]
             if c.get("attempts")}
    assert rerun == failing

    done = inspector("rerun", str(run), "--all", "--policy", str(_policy(tmp_path, 99)),
                     env=base["env"])
    assert done.returncode == 1, done.stderr
    total = sum(len(r["checks"]) for r in before.values())
    assert f"{total} check(s) rerun, 1 changed status" in done.stdout
    assert f"{CPU} op.cpu.load: FAIL -> PASS (offline)" in done.stdout
    # The summary table follows: every chassis with its verdict now.
    assert re.search(rf"{CPU}.*PASS", done.stdout) and re.search(rf"{FAN}.*FAIL", done.stdout)
    after = records(run)
    assert all(c.get("attempts") for r in after.values() for c in r["checks"])
    assert len(_check(after[CPU], "op.cpu.load")["attempts"]) == 3  # original, --failed, --all


def test_all_reruns_every_check_but_one_the_catalogue_no_longer_has_and_names_it(
        base: dict[str, Any], run: Path) -> None:
    """A record judged by an inspector whose catalogue had a check since retired: `--all`
    refused the whole run ("unknown check"). The others are rerun; the retired one keeps
    the result the run gave it, and is named as not rerun."""
    from inspector.files import read_json, write_json
    from inspector.manifest import FINISHED, seal_run
    from inspector.policy import load_policy
    from inspector.records import Record
    from inspector.store import record_path

    path = record_path(run, FAN)
    record = read_json(path)
    retired = {**_check(record, "hw.fan.status"), "id": "hw.fan.retired"}
    record["checks"].append(retired)
    judged = Record.from_dict(record).judged(load_policy())  # as that inspector judged it
    record["verdict"], record["verdict_reason"] = judged.verdict, judged.verdict_reason
    write_json(path, record)
    seal_run(run, Path(base["env"]["INSPECTOR_KEY"]), state=FINISHED)
    _verify(run, base["env"])

    done = inspector("rerun", str(run), "--all", env=base["env"])
    assert done.returncode == 1, done.stdout + done.stderr
    total = sum(len(r["checks"]) for r in records(run).values())
    assert f"{total - 1} check(s) rerun, 0 changed status" in done.stdout
    assert (f"not rerun, as the catalogue no longer has the check (its result stands as the "
            f"run judged it): {FAN} hw.fan.retired") in done.stdout
    after = records(run)
    assert _check(after[FAN], "hw.fan.retired") == retired  # no attempt added
    assert all(c.get("attempts") for r in after.values() for c in r["checks"]
               if c["id"] != "hw.fan.retired")
    _verify(run, base["env"])


def test_rerun_refuses_an_unclear_request(base: dict[str, Any], run: Path) -> None:
    for args in ([], ["--check", "op.cpu.load", "--failed"], ["--all", "--live"]):
        done = inspector("rerun", str(run), *args)
        assert done.returncode == 3, (args, done.stdout, done.stderr)
        assert "choose one of" in done.stderr or "--all" in done.stderr
    done = inspector("rerun", str(run), "--host", "nowhere", "--failed", env=base["env"])
    assert done.returncode == 3 and "nowhere" in done.stderr
    done = inspector("rerun", str(run), "--host", OK, "--check", "no.such.check",
                     env=base["env"])
    assert done.returncode == 3 and "no.such.check" in done.stderr


# --------------------------------------------------------------------------- live


def test_a_live_rerun_after_the_chassis_is_repaired_passes_and_keeps_both_attempts(
        base: dict[str, Any], run: Path) -> None:
    lab: Lab = base["lab"]
    env = base["env"]
    original_evidence = _hashes(run / "evidence")
    sent_before = len(lab.commands(FAN))
    lab.set_scenario(FAN, "healthy")  # the fan tray is replaced
    try:
        done = inspector("rerun", str(run), "--host", FAN, "--check", "hw.fan.status", "--live",
                         env=env)
        assert done.returncode == 1, done.stdout + done.stderr  # other findings remain
        assert f"{FAN} hw.fan.status: FAIL -> PASS (live)" in done.stdout
        record = records(run)[FAN]
        fan = _check(record, "hw.fan.status")
        assert fan["status"] == "PASS"
        assert [(a["mode"], a["status"]) for a in fan["attempts"]] == [
            ("original", "FAIL"), ("live", "PASS")]
        assert fan["attempts"][0]["evidence_dir"] == f"evidence/{FAN}"
        folder = run / fan["attempts"][1]["evidence_dir"]
        assert folder.parent == run / "evidence" / FAN / "attempts" and folder.is_dir()
        saved = (folder / "show_environment_all.txt").read_bytes()
        inventory = (folder / "show_inventory.txt").read_bytes()
        # The check now cites the outputs of the new attempt, by their hash: the environment,
        # and the inventory whose chassis PID tells a fanless model.
        assert [(c["command"], c["sha256"]) for c in fan["commands"]] == [
            ("show environment all", hashlib.sha256(saved).hexdigest()),
            ("show inventory", hashlib.sha256(inventory).hexdigest())]
        assert fan["attempts"][1]["commands"] == fan["commands"]
        assert fan["attempts"][0]["commands"] != fan["commands"]
        # Only what the check needs was collected, and nothing of the original was touched.
        shows = [c.command for c in lab.commands(FAN)[sent_before:]
                 if c.command.startswith(("show", "dir"))]
        # (and `show version`, which says whether the chassis runs the declared OS)
        assert shows == ["show version", "show environment all", "show inventory"]
        assert _hashes(run / "evidence", skip="attempts") == original_evidence
        assert "hw.fan.status" not in record["verdict_reason"]
        # The report names the outputs the check read now, in the attempt's folder.
        html = (run / "report.html").read_text()
        shown = f"{fan['attempts'][1]['evidence_dir']}/show_environment_all.txt</span><br>sha256 "
        assert f"{shown}<span class=\"mono\">{hashlib.sha256(saved).hexdigest()}" in html
        _verify(run, env)

        done = inspector("rerun", str(run), "--host", FAN, "--failed", "--live", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        record = records(run)[FAN]
        assert record["verdict"] == "PASS", record["verdict_reason"]
        assert _hashes(run / "evidence", skip="attempts") == original_evidence
        _verify(run, env)
    finally:
        lab.set_scenario(FAN, "fan_failed")


def test_a_live_rerun_of_a_chassis_the_run_never_reached_says_what_it_found(
        base: dict[str, Any], tmp_path: Path) -> None:
    """A chassis that refused the run's login, rerun live once it let the inspector in: its
    record said PASS "not inspected", with no PID nor serial and so of unknown tier, and
    the session that had failed. It now holds what the live session read."""
    lab: Lab = base["lab"]
    env = base["env"]
    lab.set_scenario(OK, "login_refused")
    try:
        done = inspector("run", "--inventory", str(base["tmp"] / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "r", "--no-show-tech",
                         "--workers", "4", env=env)
        assert done.returncode == 1, done.stdout + done.stderr
    finally:
        lab.set_scenario(OK, "healthy")
    run = tmp_path / "out" / "r"
    before = records(run)[OK]
    assert before["verdict_reason"].startswith("not inspected: ")
    assert (before["chassis"]["pid"], before["program"]["tier"]) == (None, "unknown")
    done = inspector("rerun", str(run), "--host", OK, "--failed", "--live", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    after = records(run)[OK]
    assert after["verdict"] == "PASS", after["verdict_reason"]
    assert not after["verdict_reason"].startswith("not inspected"), after["verdict_reason"]
    assert after["chassis"]["pid"] == "C9300-48P" and after["chassis"]["serial"]
    assert after["session"]["connected"] is True and not after["session"].get("error")
    assert after["program"]["tier"] == "low"
    _verify(run, env)


def test_set_scenario_refuses_what_a_running_lab_cannot_do(base: dict[str, Any]) -> None:
    lab: Lab = base["lab"]
    with pytest.raises(ProfileError, match="no chassis"):
        lab.set_scenario("lab-nowhere", "healthy")
    with pytest.raises(ProfileError, match="no scenario"):
        lab.set_scenario(OK, "on_fire")
    with pytest.raises(ProfileError, match="port_closed"):
        lab.set_scenario(OK, "port_closed")
    assert lab.spec(OK).scenario == "healthy"


# --------------------------------------------------------------------------- show


def test_show_prints_the_run_and_one_chassis_with_evidence_and_attempts(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    done = inspector("show", str(run), env=WIDE)
    assert done.returncode == 0, done.stderr
    for hostname, verdict in ((OK, "PASS"), (CPU, "FAIL"), (FAN, "FAIL"), (ISR, "PASS")):
        assert re.search(rf"{hostname}\b.*\b{verdict}\b", done.stdout), (hostname, done.stdout)
    assert "4 chassis: 2 passed, 2 failed, 0 errored" in done.stdout

    record = records(run)[FAN]
    fan = _check(record, "hw.fan.status")
    done = inspector("show", str(run), "--host", FAN, env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "verdict: FAIL" in done.stdout
    assert re.search(r"hw\.fan\.status\s+FAIL", done.stdout)
    for item in fan["evidence"]:
        assert f"{item['path']}: {item['actual']}" in done.stdout
    assert f"read `show environment all` sha256 {fan['commands'][0]['sha256']}" in done.stdout
    assert "attempt" not in done.stdout

    inspector("rerun", str(run), "--host", CPU, "--check", "op.cpu.load", "--policy",
              str(_policy(tmp_path, 99)), env=base["env"])
    done = inspector("show", str(run), "--host", CPU, env=WIDE)
    assert re.search(r"attempt \S+ original: FAIL CPU above 80%", done.stdout), done.stdout
    assert re.search(r"attempt \S+ offline: PASS CPU", done.stdout), done.stdout

    done = inspector("show", str(run), "--host", "lab-nowhere")
    assert done.returncode == 3 and "no record for lab-nowhere" in done.stderr


def test_host_is_found_by_its_name_in_another_case_as_history_finds_it(
        base: dict[str, Any], run: Path) -> None:
    """`--host` was looked up as a record file's name, so a name typed in another case (or
    with a letter in another Unicode form: `inspector.files.hostname_key`) was "no record",
    where `history --hostname` finds it and a run refuses two such names side by side."""
    typed = FAN.upper()
    done = inspector("show", str(run), "--host", typed, env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "verdict: FAIL" in done.stdout and FAN in done.stdout
    done = inspector("rerun", str(run), "--host", typed, "--check", "hw.fan.status",
                     env=base["env"])
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 check(s) rerun, 0 changed status" in done.stdout
    assert len(_check(records(run)[FAN], "hw.fan.status")["attempts"]) == 2
    _verify(run, base["env"])
