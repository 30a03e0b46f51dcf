"""A judge worker writes each chassis's evidence, record and report pieces, and hands the run
their sha256 with the summary row, keeping none itself: the run's end signs them without
reading them back, and a file changed after its digest was taken is still hashed anew."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from inspector.cli import join_worker_processes
from inspector.evidence import INDEX, EvidenceWriter, PendingEvidence, Session, utc_now
from inspector.files import adopt_digests, atomic_write, hand_over_digests, sha256_file
from inspector.manifest import keygen, sign_run
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
    run_dir = tmp_path / "run"
    with judge_pool(JUDGE_POOL_MIN_CHASSIS, []) as pool:
        assert pool is not None
        writer = EvidenceWriter(evidence_dir(run_dir, "sw1"), hostname="sw1",
                                platform="cisco_xe")
        writer.add("show version", "Cisco IOS XE Software, Version 17.9.4a\n")
        writer.add("show tech-support", "a support file\n" * 100, compress=True,
                   read_by_checks=False)
        evidence = writer.finish(Session(connected=True, privileged=True))
        row, digests = pool.pools[-1].submit(judge_in_worker, _judgement("sw1", evidence),
                                   run_dir).result()
    join_worker_processes()
    assert row["hostname"] == "sw1"
    folder = evidence_dir(run_dir, "sw1")
    written = [folder / "show_version.txt", folder / "show_tech_support.txt.gz",
               folder / INDEX, folder / HostContext.FILE, *judged_files(run_dir, "sw1")]
    assert all(path.is_file() for path in written)
    # The evidence folder's four files as one, the record and its pieces one each.
    assert sorted(len(packed) // 64 for _, packed in digests) == [1, 1, 4]
    on_disk = {path.relative_to(run_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
               for path in written}

    monkeypatch.setattr(hashlib, "file_digest", _never_read)
    with pytest.raises(AssertionError, match="read to hash"):
        sha256_file(written[0])  # this process never wrote nor hashed it
    adopt_digests(digests)
    assert [sha256_file(path) for path in written] == list(on_disk.values())
    # The run's seal walks the run as strings, not the worker's paths: still nothing read.
    manifest = json.loads(sign_run(run_dir, keygen(tmp_path / "key.pem")).read_bytes())
    assert manifest["files"] == on_disk

    # Changed in place after the worker wrote it: its size and mtime no longer match.
    changed = written[0].read_bytes() + b"\n"
    written[0].write_bytes(changed)
    monkeypatch.undo()
    assert sha256_file(written[0]) == hashlib.sha256(changed).hexdigest()


def test_digests_handed_over_leave_the_process_that_wrote_the_files(tmp_path: Path) -> None:
    written = tmp_path / "sw1.json"
    atomic_write(written, b'{"verdict": "PASS"}\n')
    handed = hand_over_digests([written, tmp_path / "never-written.json"])
    assert [(folder, packed[32:]) for folder, packed in handed] == [
        (str(tmp_path), hashlib.sha256(b'{"verdict": "PASS"}\n').digest())]
    assert hand_over_digests([written]) == []  # a worker keeps nothing of them


def test_a_files_key_seen_inside_another_files_digest_is_not_taken_for_it(
        tmp_path: Path) -> None:
    """A folder's digests are packed end to end, and a search for one file's inode can land
    inside another's record. Here file b's own key and stamp stand where a's digest would be,
    so taking that place for b's record would give b a digest made of the next record's
    bytes."""
    a, b, c = (tmp_path / name for name in "abc")
    for path in (a, b, c):
        path.write_bytes(path.name.encode())

    def key_and_stamp(path: Path) -> bytes:
        st = path.stat()
        return ((st.st_dev << 64 | st.st_ino).to_bytes(16, "little")
                + st.st_size.to_bytes(8, "little")
                + st.st_mtime_ns.to_bytes(8, "little", signed=True))

    unrelated = key_and_stamp(c) + bytes(32)
    adopt_digests([(str(tmp_path), key_and_stamp(a) + key_and_stamp(b) + unrelated)])
    assert sha256_file(b) == hashlib.sha256(b"b").hexdigest()  # b was never handed over


def test_a_handed_over_folder_costs_the_run_little_more_than_its_digests(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A judge worker hands over each chassis's evidence folder (24 files at a time): kept a
    dictionary entry a file, their digests were 40 MB of the run's process at 10,000 chassis."""
    import tracemalloc

    from inspector import files

    monkeypatch.setattr(files, "_handed", {})
    monkeypatch.setattr(files, "_digests", {})
    folders = [(f"/runs/r/evidence/sw{n}", os.urandom(64 * 24)) for n in range(1000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        adopt_digests(folders)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept / (1000 * 24) < 16  # bytes a file beyond the 64 handed over


def test_a_folder_handed_over_whole_is_counted_even_with_one_file(tmp_path: Path) -> None:
    """A chassis's evidence folder is handed over whole, so the run's end can tell that a
    file of it is gone: its files are counted, a lone one too (a chassis never reached
    leaves only its context), where a lone record stays one digest among the others."""
    from inspector import files

    evidence, records = tmp_path / "evidence" / "sw1", tmp_path / "shared"
    for path in (evidence / "context.json", records / "sw1.json"):
        atomic_write(path, b"{}\n")
    adopt_digests(hand_over_digests([evidence / "context.json", records / "sw1.json"]),
                  whole={str(evidence)})
    assert dict(files.whole_folders()).get(str(evidence)) == 1
    assert str(records) not in dict(files.whole_folders())
    found: Counter[str] = Counter()
    assert files.known_digest(str(evidence / "context.json"), found) is not None
    assert files.known_digest(str(records / "sw1.json"), found) is not None
    assert found == {str(evidence): 1}
    (evidence / "context.json").write_bytes(b"{} \n")  # changed: no longer found as handed
    found.clear()
    assert files.known_digest(str(evidence / "context.json"), found) is None and not found
