"""The run store on run folders made here, without a lab: the state a run is signed in, what
a resume sets aside, keeps or refuses, and the lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inspector.files import write_json
from inspector.manifest import INTERRUPTED, RunAltered, Seal, own_public_key, seal_run
from inspector.policy import load_policy
from inspector.records import build_record
from inspector.store import (
    RunBusy,
    RunRefused,
    evidence_dir,
    prepare_resume,
    reading,
    seal_for_resume,
    start_run,
    write_record,
    writing,
)

POLICY = load_policy()


@pytest.fixture
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key = tmp_path / "key" / "inspector.pem"
    monkeypatch.setenv("INSPECTOR_KEY", str(key))
    return key


def _start(tmp_path: Path) -> Path:
    return start_run(out=tmp_path / "out", run_id="r", hosts=["done", "cut"],
                     check_ids=["hw.psu.status"], policy=POLICY, source=None)


def _record(hostname: str) -> dict[str, Any]:
    return build_record(run_id="r", hostname=hostname, platform="cisco_xe", results=[],
                        session=None, policy=POLICY, started_at="2026-03-02T10:00:00Z",
                        finished_at="2026-03-02T10:00:00Z")


def _files(run_dir: Path) -> set[str]:
    return set(json.loads((run_dir / "manifest.json").read_text())["files"])


def test_a_run_is_signed_open_from_its_start(tmp_path: Path, own_key: Path) -> None:
    run_dir = _start(tmp_path)
    seal = Seal.read(run_dir, own_public_key() or "")
    assert seal.state == "open" and set(seal.files) == {"run.json"}
    with pytest.raises(RunRefused, match="already exists"):
        _start(tmp_path)


def test_two_runs_given_one_id_at_once_started_at_different_times(
        tmp_path: Path, own_key: Path) -> None:
    """The fleet store tells runs of the same id and signer apart by when they started."""
    started = {json.loads((start_run(out=tmp_path / out, run_id="same", hosts=["h"],
                                     check_ids=[], policy=POLICY, source=None)
                           / "run.json").read_text())["started_at"] for out in ("a", "b")}
    assert len(started) == 2


def test_a_killed_runs_unsigned_work_is_set_aside_and_anything_else_refused(
        tmp_path: Path, own_key: Path) -> None:
    run_dir = _start(tmp_path)
    write_record(run_dir, _record("done"))
    write_json(evidence_dir(run_dir, "done") / "index.json", {"hostname": "done"})
    resumable = seal_for_resume(run_dir, None)
    assert resumable.set_aside is not None and resumable.hosts == ["cut", "done"]
    assert (resumable.set_aside / "records" / "done.json").is_file()
    assert (resumable.set_aside / "evidence" / "done" / "index.json").is_file()
    assert not (run_dir / "records").exists() and not (run_dir / "evidence").exists()
    # A file the run never writes, or a signed one changed, is an alteration.
    (run_dir / "notes.txt").write_text("planted")
    with pytest.raises(RunAltered, match="added notes.txt"):
        seal_for_resume(run_dir, None)
    (run_dir / "notes.txt").unlink()
    meta = json.loads((run_dir / "run.json").read_text())
    (run_dir / "run.json").write_text(json.dumps({**meta, "hosts": ["done"]}))
    with pytest.raises(RunAltered, match="changed run.json"):
        seal_for_resume(run_dir, None)


def test_a_resume_killed_after_setting_aside_an_interrupted_chassis_can_resume_again(
        tmp_path: Path, own_key: Path) -> None:
    run_dir = _start(tmp_path)
    write_record(run_dir, _record("done"))
    write_json(evidence_dir(run_dir, "done") / "index.json", {"hostname": "done"})
    write_json(evidence_dir(run_dir, "cut") / "index.json", {"hostname": "cut"})
    seal_run(run_dir, state=INTERRUPTED)  # stopped by Ctrl-C while "cut" was in session
    seal_for_resume(run_dir, None)
    [kept] = (run_dir / "evidence").glob("cut.interrupted-*")
    assert (kept / "index.json").is_file() and not evidence_dir(run_dir, "cut").exists()
    assert f"evidence/{kept.name}/index.json" in _files(run_dir)  # the move is signed
    # Killed right there: the next resume finds the run as signed.
    again = seal_for_resume(run_dir, None)
    assert again.set_aside is None and list((run_dir / "evidence").glob("cut.*")) == [kept]


def test_a_folder_named_as_a_temporary_file_is_left_where_it_is(
        tmp_path: Path, own_key: Path) -> None:
    """Only files are writes cut short: a folder named `x.tmp` (which the seal does not see
    while it is empty) made the resume's clean-up fail with IsADirectoryError."""
    run_dir = _start(tmp_path)
    write_record(run_dir, _record("done"))
    seal_run(run_dir, state=INTERRUPTED)
    (run_dir / "records" / "x.tmp").mkdir()
    (run_dir / "records" / ".done.json.1-2.tmp").write_text("cut short")
    assert prepare_resume(run_dir) == {"done"}
    assert (run_dir / "records" / "x.tmp").is_dir()
    assert not (run_dir / "records" / ".done.json.1-2.tmp").exists()


def test_a_run_signed_by_another_key_is_not_resumed(tmp_path: Path, own_key: Path) -> None:
    run_dir = _start(tmp_path)
    seal_run(run_dir, tmp_path / "other.pem", state=INTERRUPTED)
    with pytest.raises(RunAltered, match="not by the expected key"):
        seal_for_resume(run_dir, None)
    resumable = seal_for_resume(run_dir, (tmp_path / "other.pub"))  # pinned by the user
    assert resumable.seal.state == INTERRUPTED


def test_the_lock_admits_one_writer_and_is_released(tmp_path: Path, own_key: Path) -> None:
    run_dir = _start(tmp_path)
    with writing(run_dir), pytest.raises(RunBusy, match="in use"), writing(run_dir):
        pass
    with writing(run_dir):  # released by the first holder
        pass
    with pytest.raises(RunRefused, match="not found"), writing(tmp_path / "missing"):
        pass


def test_readers_share_the_lock_and_keep_writers_out(tmp_path: Path, own_key: Path) -> None:
    run_dir = _start(tmp_path)
    with reading(run_dir), reading(run_dir):  # two `store add` of one run at once
        with pytest.raises(RunBusy, match="in use"), writing(run_dir):
            pass
    with writing(run_dir), pytest.raises(RunBusy, match="in use"), reading(run_dir):
        pass
    with pytest.raises(RunRefused, match="not found"), reading(run_dir / "run.json"):
        pass
