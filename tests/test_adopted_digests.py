"""A judge worker writes each chassis's evidence, record and report pieces, and hands the run
their sha256 with the summary row, keeping none itself: the run's end signs them without
reading them back, and a file changed after its digest was taken is still hashed anew."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from inspector.cli import join_worker_processes
from inspector.evidence import INDEX, EvidenceWriter, PendingEvidence, Session, utc_now
from inspector.files import adopt_digests, atomic_write, hand_over_digests, sha256_file
from inspector.policy import load_policy
from inspector.program import HostContext
from inspector.run import JUDGE_POOL_MIN_CHASSIS, Judgement, judge_in_worker, judge_pool
from inspector.store import evidence_dir, judged_files


def _judgement(hostname: str, evidence: PendingEvidence | None = None) -> Judgement:
    return Judgement(
        run_id="r", hostname=hostname, platform=None, check_ids=(), outputs={},
        evidence=evidence, session=None, policy=load_policy(None),
        context=HostContext(hostname=hostname, declaration=None, hold_list=None),
        started_at=utc_now(), site=None, address=None, redactions={}, show_tech=None,
        judged_with=None)


def _never_read(*args: Any) -> None:
    raise AssertionError("the file was read to hash it")


def test_a_workers_files_are_known_to_the_run_without_reading_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with judge_pool(JUDGE_POOL_MIN_CHASSIS, []) as pool:
        if pool is None:
            pytest.skip("one core: the run judges in its own threads")
        writer = EvidenceWriter(evidence_dir(tmp_path, "sw1"), hostname="sw1",
                                platform="cisco_xe")
        writer.add("show version", "Cisco IOS XE Software, Version 17.9.4a\n")
        writer.add("show tech-support", "a support file\n" * 100, compress=True,
                   read_by_checks=False)
        evidence = writer.finish(Session(connected=True, privileged=True))
        row, digests = pool.submit(judge_in_worker, _judgement("sw1", evidence),
                                   tmp_path).result()
    join_worker_processes()
    assert row["hostname"] == "sw1"
    folder = evidence_dir(tmp_path, "sw1")
    written = [folder / "show_version.txt", folder / "show_tech_support.txt.gz",
               folder / INDEX, folder / HostContext.FILE, *judged_files(tmp_path, "sw1")]
    assert all(path.is_file() for path in written)
    assert len(digests) == len(written)
    on_disk = [hashlib.sha256(path.read_bytes()).hexdigest() for path in written]

    monkeypatch.setattr(hashlib, "file_digest", _never_read)
    with pytest.raises(AssertionError, match="read to hash"):
        sha256_file(written[0])  # this process never wrote nor hashed it
    adopt_digests(digests)
    assert [sha256_file(path) for path in written] == on_disk

    # Changed in place after the worker wrote it: its size and mtime no longer match.
    changed = written[0].read_bytes() + b"\n"
    written[0].write_bytes(changed)
    monkeypatch.undo()
    assert sha256_file(written[0]) == hashlib.sha256(changed).hexdigest()


def test_digests_handed_over_leave_the_process_that_wrote_the_files(tmp_path: Path) -> None:
    written = tmp_path / "sw1.json"
    atomic_write(written, b'{"verdict": "PASS"}\n')
    handed = hand_over_digests([written, tmp_path / "never-written.json"])
    assert [digest[16:] for _, digest in handed] == [
        hashlib.sha256(b'{"verdict": "PASS"}\n').digest()]
    assert hand_over_digests([written]) == []  # a worker keeps nothing of them
