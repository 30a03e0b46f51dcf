"""A signed run, attacked as someone who wants a failed chassis to pass would attack it.

One finished lab run (a chassis with a failed power supply, a healthy one, one that refuses
login) is copied for each attack: tamper then resume, delete the manifest then rerun or
resume, re-sign with a foreign key then rerun and verify, two reruns at once, a report then
verify. Each must end with the inspector refusing (exit 3, naming what changed) or with a run
that `verify` still finds intact, never with the forgery signed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.manifest import INTERRUPTED, sign_run
from inspector.store import RunBusy, writing
from mock_devices import ChassisSpec, get_profile, running_lab
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab

PSU, OK, LOCKED = "lab-c9300-psu", "lab-c9300-ok", "lab-c9300-locked"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("attacks")
    specs = [ChassisSpec(hostname=name, profile="cat9300", scenario=scenario, index=i,
                         serial=get_profile("cat9300").serial(i))
             for i, (name, scenario) in enumerate(
                 ((PSU, "psu_failed"), (OK, "healthy"), (LOCKED, "login_refused")), start=1)]
    env = {"INSPECTOR_KEY": str(tmp / "keys" / "inspector.pem"), "COLUMNS": "250"}
    with running_lab(specs, inventory_out=tmp / "inventory"):
        done = inspector("run", "--inventory", str(tmp / "inventory"), "--out", str(tmp / "out"),
                         "--run-id", "base", "--no-show-tech", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    found = records(tmp / "out" / "base")
    assert {h: r["verdict"] for h, r in found.items()} == {
        PSU: "FAIL", OK: "PASS", LOCKED: "ERROR"}
    yield {"run_dir": tmp / "out" / "base", "env": env, "tmp": tmp,
           "public": Path(env["INSPECTOR_KEY"]).with_suffix(".pub")}


@pytest.fixture
def run(base: dict[str, Any], tmp_path: Path) -> Path:
    return Path(shutil.copytree(base["run_dir"], tmp_path / "run"))


def _healthy_ok() -> ChassisSpec:
    """The healthy chassis of the base run, to serve again on its own."""
    return ChassisSpec(hostname=OK, profile="cat9300", scenario="healthy", index=2,
                       serial=get_profile("cat9300").serial(2))


def _fresh_run(tmp_path: Path) -> tuple[Path, tuple[str, ...]]:
    """A new run's folder, and the command that makes it of the lab served in `tmp_path`."""
    return tmp_path / "out" / "fresh", (
        "run", "--inventory", str(tmp_path / "inventory"), "--out", str(tmp_path / "out"),
        "--run-id", "fresh", "--no-show-tech")


def _forge_psu_pass(run: Path) -> list[str]:
    """Turn the failed chassis's record and power output into a pass; the files changed."""
    record_path = run / "records" / f"{PSU}.json"
    record = json.loads(record_path.read_text())
    record["verdict"], record["verdict_reason"] = "PASS", "every check that applies passed"
    for check in record["checks"]:
        check["status"] = "PASS" if check["status"] == "FAIL" else check["status"]
    record_path.write_text(json.dumps(record, indent=2) + "\n")
    power = next((run / "evidence" / PSU).glob("show_env*"))
    power.write_text(power.read_text().replace("Bad", "Good").replace("fail", "ok"))
    return [record_path.relative_to(run).as_posix(), power.relative_to(run).as_posix()]


def _verify(run: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return inspector("verify", str(run), *extra, env=env)


def test_tamper_then_resume_is_refused_naming_every_file(base: dict[str, Any], run: Path) -> None:
    env = base["env"]
    untouched = inspector("run", "--resume", str(run), env=env)
    assert untouched.returncode == 3 and "is finished: nothing to resume" in untouched.stderr
    forged = _forge_psu_pass(run)
    done = inspector("run", "--resume", str(run), env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    for rel in forged:
        assert f"changed {rel}" in done.stderr, done.stderr
    assert "passed" not in done.stdout  # nothing was inspected or summarised
    check = _verify(run, env)
    assert check.returncode == 1 and all(f"changed: {rel}" in check.stdout for rel in forged)


def test_delete_the_manifest_then_rerun_or_resume_is_refused(
        base: dict[str, Any], run: Path) -> None:
    env = base["env"]
    _forge_psu_pass(run)
    (run / "manifest.json").unlink()
    (run / "manifest.sig").unlink()
    record_before = (run / "records" / f"{OK}.json").read_bytes()
    for command in (("rerun", str(run), "--all"), ("run", "--resume", str(run))):
        done = inspector(*command, env=env)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "no manifest.json" in done.stderr and "signed from the moment it starts" in (
            done.stderr)
    assert not (run / "manifest.json").exists()  # nothing re-signed the forgery
    assert (run / "records" / f"{OK}.json").read_bytes() == record_before
    assert json.loads((run / "records" / f"{PSU}.json").read_text())["verdict"] == "PASS"
    assert _verify(run, env).returncode == 1


def test_resign_with_a_foreign_key_then_rerun_and_verify_is_refused(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    env = base["env"]
    _forge_psu_pass(run)
    forger = tmp_path / "forger.pem"
    assert inspector("keygen", "--key", str(forger)).returncode == 0
    sign_run(run, forger)  # consistent files, a valid signature: only the key is wrong
    manifest = (run / "manifest.json").read_bytes()
    done = inspector("rerun", str(run), "--all", env=env)
    assert done.returncode == 3 and "not by the expected key" in done.stderr, done.stderr
    done = inspector("run", "--resume", str(run), env=env)
    assert done.returncode == 3 and "not by the expected key" in done.stderr, done.stderr
    assert (run / "manifest.json").read_bytes() == manifest  # never signed with our key
    check = _verify(run, env)
    assert check.returncode == 1 and "never seen" in check.stdout, check.stdout
    check = _verify(run, env, "--public-key", str(base["public"]))
    assert check.returncode == 1 and "not by the key in" in check.stdout
    # Pinning the forger's key is the user's explicit word: the rerun goes on, and the record
    # names the altered output by its own sha256, beside the one the chassis printed.
    done = inspector("rerun", str(run), "--host", PSU, "--check", "hw.psu.status",
                     "--public-key", str(forger.with_suffix(".pub")), env=env)
    assert done.returncode != 3, done.stdout + done.stderr
    check = next(c for c in records(run)[PSU]["checks"] if c["id"] == "hw.psu.status")
    original, again = check["attempts"]
    assert original["commands"] != again["commands"]


def test_a_temporary_file_put_in_a_finished_run_is_refused_by_rerun(
        base: dict[str, Any], run: Path) -> None:
    """A finished run has nothing being written: a file named as a write under way is one
    the signature does not cover, not one to look past. Both commands say what such a name
    usually is, and what to do, without calling it anything but added."""
    env = base["env"]
    planted = run / "evidence" / PSU / ".show_environment_all.txt.1-2.tmp"
    planted.write_text("PS1 ... OK\n")
    record_before = (run / "records" / f"{PSU}.json").read_bytes()
    done = inspector("rerun", str(run), "--host", PSU, "--check", "hw.psu.status", env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"added evidence/{PSU}/{planted.name} (named as the inspector's own temporary" \
        in done.stderr
    assert (run / "records" / f"{PSU}.json").read_bytes() == record_before
    check = _verify(run, env)
    assert check.returncode == 1, check.stdout
    assert f"added: evidence/{PSU}/{planted.name} (named as the inspector's own temporary" \
        in check.stdout and "delete it" in check.stdout
    planted.unlink()
    assert _verify(run, env).returncode == 0


def test_show_warns_of_a_record_not_as_signed(base: dict[str, Any], run: Path) -> None:
    """`show` and a report drawn beside the run are views, not proofs, but they gave a forged
    record as the inspector's."""
    env = base["env"]
    for args in ((), ("--host", PSU)):
        done = inspector("show", str(run), *args, env=env)
        assert done.returncode == 0 and done.stderr == "", done.stderr
    _forge_psu_pass(run)
    for args in (("show", str(run)), ("show", str(run), "--host", PSU),
                 ("report", str(run), "--format", "csv")):  # as a report drawn beside the run
        done = inspector(*args, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stderr == (f"inspector: warning: not as signed: changed records/{PSU}.json; "
                               "see `inspector verify`\n"), done.stderr
    (run / "manifest.sig").write_text("AAAA\n")
    done = inspector("show", str(run), "--host", OK, env=env)
    assert "does not match its signature" in done.stderr, done.stderr
    with writing(run):  # a command at work: its files are between two seals
        done = inspector("show", str(run), "--host", OK, env=env)
    assert done.returncode == 0 and done.stderr == (
        "inspector: warning: not checked against the run's signature: a command is writing "
        "the run\n"), done.stderr


def test_a_second_writer_is_refused_while_the_first_holds_the_run(
        base: dict[str, Any], run: Path) -> None:
    env = base["env"]
    with writing(run):
        for command in (("rerun", str(run), "--all"), ("run", "--resume", str(run)),
                        ("report", str(run), "--format", "csv", "--into-run"),
                        ("verify", str(run))):
            done = inspector(*command, env=env)
            assert done.returncode == 3, (command, done.stdout, done.stderr)
            assert "in use by another inspector command" in done.stderr
        with pytest.raises(RunBusy), writing(run):
            pass
    assert _verify(run, env).returncode == 0


def test_two_concurrent_reruns_lose_no_attempt_and_leave_a_verified_run(
        base: dict[str, Any], run: Path) -> None:
    import os

    env = {**os.environ, **base["env"]}
    command = [sys.executable, "-m", "inspector", "rerun", str(run), "--host", PSU,
               "--check", "hw.psu.status"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=env) for _ in range(2)]
    outcomes = [(p.wait(120), p.stderr.read() if p.stderr else "") for p in processes]
    for process in processes:
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
    done = [code for code, _ in outcomes if code == 1]  # the chassis still fails: exit 1
    refused = [err for code, err in outcomes if code == 3]
    assert len(done) + len(refused) == 2, outcomes
    assert all("in use by another inspector command" in err for err in refused), outcomes
    check = next(c for c in records(run)[PSU]["checks"] if c["id"] == "hw.psu.status")
    assert len(check["attempts"]) == 1 + len(done)  # the original, then one per rerun done
    assert not [p for p in run.rglob("*") if p.name.endswith(".tmp")]
    verified = _verify(run, base["env"])
    assert verified.returncode == 0, verified.stdout


def test_a_report_then_verify_stays_clean(base: dict[str, Any], run: Path,
                                          tmp_path: Path) -> None:
    env = base["env"]
    done = inspector("report", str(run), "--format", "csv", env=env)
    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip())
    assert written.is_file() and run not in written.parents, written
    assert _verify(run, env).returncode == 0
    # Into the run folder on request: the run is checked, then re-signed over the report.
    done = inspector("report", str(run), "--format", "md", "--into-run", env=env)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == run / "report.md"
    check = _verify(run, env)
    assert check.returncode == 0, check.stdout
    done = inspector("rerun", str(run), "--host", OK, "--check", "op.cpu.load", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _verify(run, env).returncode == 0
    # A forged record is not re-signed by a report into the run.
    _forge_psu_pass(run)
    done = inspector("report", str(run), "--format", "md", "--into-run", env=env)
    assert done.returncode == 3 and f"changed records/{PSU}.json" in done.stderr


def test_a_rerun_keeps_the_reason_a_chassis_was_not_inspected(
        base: dict[str, Any], run: Path) -> None:
    before = records(run)[LOCKED]
    assert before["verdict_reason"].startswith("not inspected: ")
    done = inspector("rerun", str(run), "--host", LOCKED, "--all", env=base["env"])
    assert done.returncode == 2, done.stdout + done.stderr
    after = records(run)[LOCKED]
    assert (after["verdict"], after["verdict_reason"]) == (
        before["verdict"], before["verdict_reason"])


def test_links_and_pipes_put_in_a_run_are_named_never_hashed_or_signed_over(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """A run holds plain files only. A record swapped for a symlink to a copy of itself (the
    same bytes: its hash through the link would match), a symlinked folder of planted
    evidence, a broken link and a pipe (which would hang a reader) are each named by
    `verify`; a rerun refuses them; a re-signing leaves them out, so they stay named."""
    env = base["env"]
    outside = tmp_path / "outside"
    outside.mkdir()
    record = run / "records" / f"{PSU}.json"
    copy = outside / record.name
    shutil.copyfile(record, copy)
    record.unlink()
    record.symlink_to(copy)
    (outside / "planted").mkdir()
    (outside / "planted" / "show_version.txt").write_text("Cisco IOS XE Software\n")
    (run / "evidence" / OK / "planted").symlink_to(outside / "planted")
    (run / "evidence" / "broken").symlink_to(outside / "nothing")
    os.mkfifo(run / "evidence" / OK / "pipe")
    named = [f"changed: records/{PSU}.json", f"added: evidence/{OK}/planted",
             "added: evidence/broken", f"added: evidence/{OK}/pipe"]
    check = _verify(run, env)
    assert check.returncode != 0 and all(line in check.stdout for line in named), check.stdout
    done = inspector("rerun", str(run), "--host", PSU, "--check", "op.cpu.load", env=env)
    assert done.returncode == 3 and f"changed records/{PSU}.json" in done.stderr, done.stderr
    sign_run(run, Path(env["INSPECTOR_KEY"]))  # as the run's own key would, at its end
    files = json.loads((run / "manifest.json").read_text())["files"]
    assert not [rel for rel in files if "planted" in rel or rel.endswith(("broken", "pipe"))]
    assert f"records/{PSU}.json" not in files
    check = _verify(run, env)
    assert check.returncode != 0 and f"added: records/{PSU}.json" in check.stdout, check.stdout
    assert all(line in check.stdout for line in named[1:]), check.stdout


def _meddled(file: Path, *args: str, env: dict[str, str],
             at: str = "inspector.store:draw_reports") -> subprocess.CompletedProcess[str]:
    """The command `args`, with `file` changed by someone else as it calls `at` (by default
    once it has written what it writes, as it draws the reports before it signs)."""
    return subprocess.run([sys.executable, "-m", "tests.meddler", *args], capture_output=True,
                          text=True, timeout=600,
                          env={**os.environ, **env, "MEDDLE_FILE": str(file), "MEDDLE_AT": at})


def _killed_after(name: str, *args: str, env: dict[str, str]) -> None:
    """The command `args`, killed outright the moment it puts the file `name` in place."""
    done = subprocess.run([sys.executable, "-m", "tests.meddler", *args], capture_output=True,
                          text=True, timeout=600,
                          env={**os.environ, **env, "MEDDLE_DIE_AFTER": name})
    assert done.returncode == 137, done.stdout + done.stderr


@pytest.mark.parametrize("killed_after", [f"records/{PSU}.json", "run.json",
                                          f"report-parts/{PSU}.json", "manifest.json",
                                          "manifest.sig"])
def test_a_rerun_killed_at_any_moment_leaves_a_run_the_next_command_puts_back(
        base: dict[str, Any], run: Path, killed_after: str) -> None:
    """A rerun killed outright after it rewrote a signed file and before its new signature
    was whole (after the record, run.json, a report, or the manifest and not yet its
    signature) left a run that could never be verified again. The signed files are kept
    until the new signature is in place: `verify` names what is out of place and why, and
    the next command puts the run back as signed, then does its work."""
    env = base["env"]
    rerun = ("rerun", str(run), "--host", PSU, "--check", "hw.psu.status")
    _killed_after(killed_after, *rerun, env=env)
    check = _verify(run, env)
    if killed_after != "manifest.sig":  # killed once it had signed: the run is as signed
        assert check.returncode == 1, check.stdout
        assert "kept while a command rewrote the run" in check.stdout, check.stdout
    done = inspector(*rerun, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    check = next(c for c in records(run)[PSU]["checks"] if c["id"] == "hw.psu.status")
    assert len(check["attempts"]) == (3 if killed_after == "manifest.sig" else 2)
    assert (_verify(run, env).returncode, list(run.glob(".signed*"))) == (0, [])


@pytest.mark.parametrize(("changed", "at"), [
    (f"records/{OK}.json", "inspector.store:draw_reports"),
    ("run.json", "inspector.rerun:finish_run"),
    (f"report-parts/{OK}.json", "inspector.store:write_json"),
])
def test_a_rerun_never_signs_over_a_file_changed_while_it_ran(
        base: dict[str, Any], run: Path, changed: str, at: str) -> None:
    """A rerun of one chassis hashed every file of `records/` anew, and run.json, which it
    reads and writes again, and signed another chassis's record (or the run's verdicts)
    changed meanwhile, with the reports drawn from it. The run's records, their pieces and
    run.json must be as the rerun wrote or checked them, before and once the reports are
    drawn: one changed ends it, and the run is put back as signed."""
    env = base["env"]
    done = _meddled(run / changed, "rerun", str(run), "--host", PSU, "--check",
                    "hw.psu.status", env=env, at=at)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "was changed while this command ran" in done.stderr, done.stderr
    assert f"  changed {changed}" in done.stderr, done.stderr
    assert "put back" not in done.stderr  # undone by the command itself, as it failed
    check = next(c for c in records(run)[PSU]["checks"] if c["id"] == "hw.psu.status")
    assert "attempts" not in check
    # Changed in place (a link to the file as signed sees it too): named, never signed over.
    check = _verify(run, env)
    assert check.stdout.splitlines() == [f"changed: {changed}"], check.stdout


def test_a_record_changed_after_the_rerun_wrote_it_is_never_signed_so(
        base: dict[str, Any], run: Path) -> None:
    """A file the rerun itself wrote, changed before it signed: hashed at signing, it was
    signed as changed. It is signed as the rerun knows it, so `verify` names it."""
    env = base["env"]
    done = _meddled(run / "records" / f"{PSU}.json", "rerun", str(run), "--host", PSU,
                    "--check", "hw.psu.status", env=env, at="inspector.store:seal_run")
    assert done.returncode == 1, done.stdout + done.stderr
    check = _verify(run, env)
    assert check.stdout.splitlines() == [f"changed: records/{PSU}.json"], check.stdout


def test_a_rerun_never_signs_what_was_put_in_place_of_a_report(
        base: dict[str, Any], run: Path) -> None:
    """A report a rerun draws again is never read, so never checked first: a folder put in
    its place is not drawn into, and its files are not signed."""
    env = base["env"]
    (run / "report.html").unlink()
    (run / "report.html").mkdir()
    (run / "report.html" / "planted.txt").write_text("every chassis passed\n")
    done = inspector("rerun", str(run), "--host", PSU, "--check", "hw.psu.status", env=env)
    assert "could not write the reports" in done.stdout, done.stdout + done.stderr
    check = _verify(run, env)
    assert "added: report.html/planted.txt" in check.stdout, check.stdout
    assert "removed: report.html" in check.stdout, check.stdout


def test_a_resume_never_signs_over_a_file_changed_while_it_ran(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """A resume signed every file of the run as it found it at its end, a record signed
    before it and changed while it ran included. Such a change now ends it (exit 3), and
    `verify` names it."""
    env = base["env"]
    for gone in (run / "records" / f"{LOCKED}.json", run / "report-parts" / f"{LOCKED}.json"):
        gone.unlink()
    shutil.rmtree(run / "evidence" / LOCKED)
    sign_run(run, Path(env["INSPECTOR_KEY"]), state=INTERRUPTED)  # as Ctrl-C leaves a run
    spec = ChassisSpec(hostname=LOCKED, profile="cat9300", scenario="login_refused", index=3,
                       serial=get_profile("cat9300").serial(3))
    signed_before = run / "records" / f"{OK}.json"
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = _meddled(signed_before, "run", "--resume", str(run),
                        "--inventory", str(tmp_path / "inventory"), env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"was changed while this command ran; see `inspector verify`:\n  changed " \
           f"records/{OK}.json" in done.stderr, done.stderr
    check = _verify(run, env)
    assert check.returncode == 1 and f"changed: records/{OK}.json" in check.stdout, check.stdout


def test_a_report_into_the_run_killed_before_it_signed_is_undone_and_set_aside(
        base: dict[str, Any], run: Path) -> None:
    """Put back as signed, the run still held the report the killed command had drawn into
    it, which the next command then refused as added."""
    env = base["env"]
    _killed_after("manifest.json", "report", str(run), "--format", "md", "--into-run", env=env)
    assert (run / "report.md").is_file()
    done = inspector("report", str(run), "--format", "csv", "--into-run", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is put back as it was last signed; what it had added is set aside in" in done.stderr
    [aside] = run.parent.glob(f"{run.name}.unsealed-*")
    assert (aside / "report.md").is_file() and not (run / "report.md").exists()
    assert _verify(run, env).returncode == 0


def test_a_rerun_killed_once_it_had_signed_keeps_its_work_whatever_else_changed(
        base: dict[str, Any], run: Path) -> None:
    """Killed after its new signature was whole, before it removed its copy of the run as
    signed before: the next command must keep the new signature's work, even where someone
    has since changed a file (it put back the older run, and its attempt was lost), and a
    copy half removed is no copy at all."""
    env = base["env"]
    rerun = ("rerun", str(run), "--host", PSU, "--check", "hw.psu.status")
    _killed_after("manifest.sig", *rerun, env=env)
    assert (run / ".signed").is_dir()
    (run / "report.html").write_text("edited\n")  # redrawn by the next rerun, never read
    done = inspector(*rerun, env=env)
    assert done.returncode == 1 and "put back" not in done.stderr, done.stderr
    check = next(c for c in records(run)[PSU]["checks"] if c["id"] == "hw.psu.status")
    assert len(check["attempts"]) == 3
    _killed_after("manifest.sig", *rerun, env=env)
    (run / ".signed").rename(run / ".signed.done")  # killed as it removed the copy
    (run / ".signed.done" / "manifest.json").unlink()
    done = inspector(*rerun, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (_verify(run, env).returncode, list(run.glob(".signed*"))) == (0, [])


@pytest.mark.parametrize("planted", ["a link", "a file"])
def test_a_copy_of_the_run_as_signed_that_is_not_ours_is_refused(
        base: dict[str, Any], run: Path, tmp_path: Path, planted: str) -> None:
    """`.signed` as a link (whose target the copy was made into, and removing it failed) or a
    file is named, never followed nor removed."""
    env = base["env"]
    outside = tmp_path / "outside"
    outside.mkdir()
    if planted == "a link":
        (run / ".signed").symlink_to(outside)
    else:
        (run / ".signed").write_text("planted\n")
    done = inspector("rerun", str(run), "--host", PSU, "--check", "hw.psu.status", env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"{run / '.signed'} is not a copy this inspector keeps" in done.stderr, done.stderr
    assert list(outside.iterdir()) == [] and os.path.lexists(run / ".signed")


def test_a_run_never_signs_a_record_changed_before_its_end(
        base: dict[str, Any], tmp_path: Path) -> None:
    """The run's end signed whatever its folder held: a record the judge worker wrote,
    changed before the end, was signed so. It ends the run now, still open; a resume sets
    the unsigned work aside and inspects the chassis again."""
    env = base["env"]
    spec = _healthy_ok()
    run, args = _fresh_run(tmp_path)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = _meddled(run / "records" / f"{OK}.json", *args, env=env,
                        at="inspector.run:finish_run")
        assert done.returncode == 3, done.stdout + done.stderr
        assert f"  changed records/{OK}.json" in done.stderr, done.stderr
        assert json.loads((run / "manifest.json").read_text())["state"] == "open"
        done = inspector("run", "--resume", str(run), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert records(run)[OK]["verdict"] == "PASS"
    assert _verify(run, env).returncode == 0


@pytest.mark.parametrize("killed_after", ["manifest.json", "manifest.sig"])
def test_a_resume_killed_as_it_signs_the_evidence_it_set_aside_resumes_again(
        base: dict[str, Any], run: Path, tmp_path: Path, killed_after: str) -> None:
    """A resume first moves the evidence of a chassis stopped mid-inspection aside and signs
    the move. Killed before that signature was whole, it left a run that never verified nor
    resumed again: the move is now undone, or kept once signed."""
    env = base["env"]
    for gone in (run / "records" / f"{LOCKED}.json", run / "report-parts" / f"{LOCKED}.json"):
        gone.unlink()
    sign_run(run, Path(env["INSPECTOR_KEY"]), state=INTERRUPTED)  # stopped in its session
    spec = ChassisSpec(hostname=LOCKED, profile="cat9300", scenario="login_refused", index=3,
                       serial=get_profile("cat9300").serial(3))
    resume = ("run", "--resume", str(run), "--inventory", str(tmp_path / "inventory"))
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        _killed_after(killed_after, *resume, env=env)
        done = inspector(*resume, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert set(records(run)) == {PSU, OK, LOCKED}
    assert len(list((run / "evidence").glob(f"{LOCKED}.interrupted-*"))) == 1
    assert (_verify(run, env).returncode, list(run.glob(".signed*"))) == (0, [])


@pytest.mark.parametrize(("removed", "named"), [
    (f"records/{OK}.json", f"records/{OK}.json"),
    (f"evidence/{OK}/show_version.txt", f"evidence/{OK}/show_version.txt"),
    (f"evidence/{OK}/index.json", f"evidence/{OK}/index.json"),
    (f"evidence/{OK}/context.json", f"1 of the files it wrote in evidence/{OK}/"),
])
def test_a_run_never_signs_without_a_file_it_wrote_that_was_removed_before_its_end(
        base: dict[str, Any], tmp_path: Path, removed: str, named: str) -> None:
    """A record or an output the run wrote, removed before its end, was left out of the
    signature, which `verify` then found whole: run.json gave the chassis a verdict with no
    record behind it, or its record was judged on an output the run no longer held. The run
    ends (exit 3) naming the file, still open; a resume inspects the chassis again."""
    env = base["env"]
    spec = _healthy_ok()
    run, args = _fresh_run(tmp_path)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = _meddled(run / removed, *args, env={**env, "MEDDLE_HOW": "remove"},
                        at="inspector.run:finish_run")
        assert done.returncode == 3, done.stdout + done.stderr
        assert done.stderr.splitlines()[-2:] == [
            f"inspector: {run} was changed while this command ran:", f"  removed {named}"], \
            done.stderr
        assert json.loads((run / "manifest.json").read_text())["state"] == "open"
        done = inspector("run", "--resume", str(run), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert records(run)[OK]["verdict"] == "PASS" and (run / removed).is_file()
    assert _verify(run, env).returncode == 0


def test_a_live_rerun_never_signs_without_an_output_of_its_attempt_removed_before_it_signed(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """The same of a live rerun's attempt: the rerun ends naming the output, the run is put
    back as it was signed, and the rest of the attempt is set aside beside it, as the next
    command does with what a rerun killed outright added."""
    env = base["env"]
    spec = _healthy_ok()
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = _meddled(run / "evidence" / OK / "attempts" / "*" / "show_version.txt",
                        "rerun", str(run), "--host", OK, "--check", "hw.chassis.identity",
                        "--live", "--inventory", str(tmp_path / "inventory"),
                        env={**env, "MEDDLE_HOW": "remove"}, at="inspector.rerun:finish_run")
    assert done.returncode == 3, done.stdout + done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("  removed ")]
    assert line.startswith(f"  removed evidence/{OK}/attempts/") and line.endswith(
        "/show_version.txt"), done.stderr
    check = next(c for c in records(run)[OK]["checks"] if c["id"] == "hw.chassis.identity")
    assert "attempts" not in check
    assert "what the command had added to" in done.stderr, done.stderr
    [aside] = run.parent.glob(f"{run.name}.unsealed-*")
    assert list(aside.glob(f"evidence/{OK}/attempts/*/show_inventory.txt"))
    assert _verify(run, env).returncode == 0


def test_a_file_of_ours_linked_under_another_name_is_never_signed_as_ours(
        base: dict[str, Any], tmp_path: Path) -> None:
    """A report piece the judge worker wrote, hard-linked into report-parts/ under another
    name before the run's end: the same file, its digest known, so the name someone else
    gave it was signed as the inspector's own. A file of ours has no other name: both are
    named and the run ends, still open, for a resume to inspect the chassis again."""
    env = base["env"]
    spec = _healthy_ok()
    run, args = _fresh_run(tmp_path)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = _meddled(run / "report-parts" / f"{OK}.json", *args,
                        env={**env, "MEDDLE_HOW": "link:planted.json"},
                        at="inspector.run:finish_run")
        assert done.returncode == 3, done.stdout + done.stderr
        assert done.stderr.splitlines()[-2:] == [
            f"  changed report-parts/{OK}.json", "  changed report-parts/planted.json"], \
            done.stderr
        done = inspector("run", "--resume", str(run), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert not (run / "report-parts" / "planted.json").exists()
    assert _verify(run, env).returncode == 0


@pytest.mark.parametrize("differs", ["serial", "host key"])
def test_a_live_rerun_that_reaches_another_device_judges_nothing_of_it(
        base: dict[str, Any], run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        differs: str) -> None:
    """The failed chassis's name pointed at another, healthy device (another --inventory, or
    the run's inventory edited): a live rerun judged that device's outputs under the failed
    chassis's serial, FAIL -> PASS, took its host key, and signed the run clean. The device
    reached must be the chassis inspected: its serial, and its SSH host key."""
    import asyncssh

    import mock_devices.lab

    env = base["env"]
    index = 7 if differs == "serial" else 1  # the failed chassis's own serial, or another's
    spec = ChassisSpec(hostname=PSU, profile="cat9300", scenario="healthy", index=index,
                       serial=get_profile("cat9300").serial(index))
    if differs == "host key":
        key = asyncssh.generate_private_key("ssh-ed25519")
        monkeypatch.setattr(mock_devices.lab, "_host_key", lambda: key)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = inspector("rerun", str(run), "--host", PSU, "--check", "hw.psu.status", "--live",
                         "--inventory", str(tmp_path / "inventory"), env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    said = f"its serial is {spec.serial}, not" if differs == "serial" else "its SSH host key is"
    assert f"the device reached as {PSU} is not the chassis this run inspected: {said}" in \
        done.stderr, done.stderr
    assert records(run)[PSU]["verdict"] == "FAIL"
    check = next(c for c in records(run)[PSU]["checks"] if c["id"] == "hw.psu.status")
    assert "attempts" not in check
    assert _verify(run, env).returncode == 0


@pytest.mark.parametrize("killed_after", ["run.json", "manifest.json", "manifest.sig"])
def test_a_run_killed_before_its_first_signature_is_in_place_can_be_run_again(
        base: dict[str, Any], tmp_path: Path, killed_after: str) -> None:
    """Killed after it made its folder and before its first signature was whole, a run left a
    folder without a signed manifest: altered to `verify`, refused by `--resume`, and in the
    way of the same run given again. The folder is made and signed under another name, and
    only then named as the run."""
    env = base["env"]
    spec = _healthy_ok()
    run, args = _fresh_run(tmp_path)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        _killed_after(killed_after, *args, env=env)
        assert not run.exists()
        done = inspector(*args, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert records(run)[OK]["verdict"] == "PASS"
    assert _verify(run, env).returncode == 0


def test_ctrl_c_once_every_chassis_is_done_leaves_a_finished_run(
        base: dict[str, Any], tmp_path: Path) -> None:
    """Ctrl-C after the last chassis had its record left the run `interrupted`, "0 chassis not
    inspected", exit 130, for a resume with nothing to do before it could be called finished."""
    env = base["env"]
    spec = _healthy_ok()
    run, args = _fresh_run(tmp_path)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = subprocess.run([sys.executable, "-m", "tests.meddler", *args],
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, **env, "MEDDLE_CTRL_C_AT_END": "1"})
    assert done.returncode == 0 and "interrupted" not in done.stdout, done.stdout + done.stderr
    assert json.loads((run / "manifest.json").read_text())["state"] == "finished"
    assert json.loads((run / "run.json").read_text())["interrupted"] is False
    assert _verify(run, env).returncode == 0


def test_a_run_whose_key_cannot_sign_leaves_no_folder(base: dict[str, Any],
                                                       tmp_path: Path) -> None:
    """A key that cannot sign (empty, as a keygen killed half-way once left it) ended the run
    after it had made its folder: a folder no command could then resume or verify, in the
    way of the same run given again once the key was mended."""
    key = tmp_path / "empty.pem"
    key.write_bytes(b"")
    run, args = _fresh_run(tmp_path)
    with running_lab([_healthy_ok()], inventory_out=tmp_path / "inventory"):
        done = inspector(*args, env={**base["env"], "INSPECTOR_KEY": str(key)})
        assert done.returncode == 3, done.stdout + done.stderr
        assert list((tmp_path / "out").iterdir()) == []
        assert inspector(*args, env=base["env"]).returncode == 0
    assert _verify(run, base["env"]).returncode == 0


def test_a_file_named_to_act_on_the_terminal_is_named_inert(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """Whoever can write to a run names the files `verify`, `rerun` and `store add` list. A
    name holding escape sequences and a carriage return cleared the terminal and printed
    over `verify`'s finding a line of the name's own choosing."""
    env = {**base["env"], "INSPECTOR_DB": str(tmp_path / "fleet.sqlite")}
    name = "x\x1b]0;owned\x07\x1b[2J\rok: every file matches.txt"
    (run / "records" / name).write_text("")
    spelled = "records/x\\x1b]0;owned\\x07\\x1b[2J\\x0dok: every file matches.txt"
    verified = _verify(run, env)
    rerun = inspector("rerun", str(run), "--host", PSU, "--check", "hw.psu.status", env=env)
    stored = inspector("store", "add", str(run), env=env)
    assert (verified.returncode, rerun.returncode, stored.returncode) == (1, 3, 1)
    for printed in (verified.stdout, rerun.stderr, stored.stderr):
        assert not set(printed) & {"\x1b", "\x07", "\r"}, printed
    assert f"added: {spelled}\n" in verified.stdout
    assert f"  added {spelled}\n" in rerun.stderr and f"added {spelled}" in stored.stderr


def test_a_file_among_the_records_that_is_none_is_named_by_show_and_report(
        base: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """`show` and `report` read a run before checking its seal: a file put among the records
    that is not a record ended them with a traceback (`[1]`), or with a JSON error naming no
    file (`garbage`)."""
    planted = run / "records" / "zz.json"
    for body, why in (("[1]", "not an inspection record: a JSON object is expected"),
                      ("garbage", "is not a record: not JSON (Expecting value")):
        planted.write_text(body)
        for command in (("show", str(run)), ("report", str(run), "--format", "csv",
                                             "--output", str(tmp_path / "r.csv"))):
            done = inspector(*command, env=base["env"])
            assert (done.returncode, done.stderr.count("\n")) == (3, 1), done.stderr
            assert done.stderr.startswith(f"inspector: {planted}") and why in done.stderr
    planted.unlink()  # not a record: the suite's check of every record written would refuse it
    assert not (tmp_path / "r.csv").exists()
