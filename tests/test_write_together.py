"""Files written together (a chassis's outputs, the index that names them, its context) are all
synced, several at once, before the first is renamed into place, and in the order given: an
index never names an output that is not on disk. A file the disk refuses leaves none of them."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

import inspector.files as files
from inspector.files import StorageError, sha256_file, write_together


def _batch(folder: Path, count: int) -> list[tuple[Path, bytes]]:
    return [(folder / f"show_{n}.txt", f"output {n}\n".encode()) for n in range(count)] + [
        (folder / "index.json", b"{}\n")]


def test_every_file_is_synced_before_the_first_is_in_place_and_renamed_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _batch(tmp_path, 20)
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        real_fsync(fd)
        with lock:
            events.append(("synced", os.readlink(f"/proc/self/fd/{fd}")))

    def replace(src: str, dst: str | Path) -> None:
        real_replace(src, dst)
        events.append(("in place", str(dst)))

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    write_together(batch)

    synced = [name for what, name in events if what == "synced"]
    placed = [name for what, name in events if what == "in place"]
    assert events[:len(synced)] == [("synced", name) for name in synced]  # all before any rename
    assert len(synced) == len(batch) and all(name.endswith(".tmp") for name in synced)
    assert placed == [str(path) for path, _ in batch]  # the index last, as given
    for path, data in batch:
        assert path.read_bytes() == data
        assert sha256_file(path) == files.hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p, _ in batch)


def test_the_files_are_synced_several_at_once(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Each fsync waits for another to be under way: one by one, the first would wait alone.
    together = threading.Barrier(2, timeout=10)
    monkeypatch.setattr(files.os, "fsync", lambda fd: together.wait())
    write_together(_batch(tmp_path, 3))


@pytest.mark.parametrize("refused", ["write", "fsync"])
def test_a_file_the_disk_refuses_leaves_none_of_the_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    batch = _batch(tmp_path / "sw1", 3)
    real_write, real_fsync = os.write, os.fsync

    def full(fd: int) -> bool:
        return os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[1].startswith(".show_1.txt.")

    def write(fd: int, data: bytes) -> int:
        if refused == "write" and full(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        if refused == "fsync" and full(fd):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "write", write)
    monkeypatch.setattr(files.os, "fsync", fsync)
    with pytest.raises(StorageError, match=r"cannot write .*/sw1/show_1\.txt: "):
        write_together(batch)
    assert list((tmp_path / "sw1").iterdir()) == []  # no output, no index, no temporary file


def test_a_forked_child_syncs_with_threads_of_its_own(tmp_path: Path) -> None:
    write_together(_batch(tmp_path / "parent", 2))  # the parent's threads exist now
    child_batch = _batch(tmp_path / "child", 2)
    pid = os.fork()
    if pid == 0:  # the parent's fsync threads are not in here: waiting on them would hang
        code = 1
        try:
            write_together(child_batch)
            code = 0
        finally:
            os._exit(code)
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        threading.Event().wait(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the child's sync waited on threads it does not have")
    assert os.waitstatus_to_exitcode(status) == 0
    assert all(path.read_bytes() == data for path, data in child_batch)


def test_the_name_a_write_cut_short_leaves_is_known_as_one(tmp_path: Path) -> None:
    """`verify` and `rerun` point out a file so named; the test takes the name from the writer
    itself, so a change of naming cannot leave the two apart."""
    left = files._temporary(tmp_path / "records" / "sw-1.json")
    assert files.looks_temporary(left)
    assert files.looks_temporary(os.path.relpath(left, tmp_path))
    for name in ("records/x.tmp", "x.tmp", ".x.tmp", "records/sw-1.json", ".sw.json.12.tmp",
                 "records/.sw.json.1-2.tmp/inside"):
        assert not files.looks_temporary(name), name
