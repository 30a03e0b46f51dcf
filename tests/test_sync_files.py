"""A chassis's outputs are synced together before the index that names them: every one of
them, several at once, and a file the disk refuses is the run's storage error."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import inspector.files as files
from inspector.files import StorageError, atomic_write, sync_files


def _outputs(folder: Path, count: int) -> list[Path]:
    paths = [folder / f"show_{n}.txt" for n in range(count)]
    for path in paths:
        atomic_write(path, b"output\n", sync=False)
    return paths


def test_every_file_is_synced_before_it_returns(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _outputs(tmp_path, 20)
    synced: list[int] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        real(fd)
        synced.append(os.fstat(fd).st_ino)

    monkeypatch.setattr(files.os, "fsync", fsync)
    sync_files(paths)
    assert sorted(synced) == sorted(os.stat(p).st_ino for p in paths)


def test_the_files_are_synced_several_at_once(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Each fsync waits for another to be under way: one by one, the first would wait alone.
    together = threading.Barrier(2, timeout=10)
    monkeypatch.setattr(files.os, "fsync", lambda fd: together.wait())
    sync_files(_outputs(tmp_path, 4))


def test_a_file_the_disk_refuses_is_a_storage_error(tmp_path: Path) -> None:
    paths = _outputs(tmp_path, 3)
    paths[1].unlink()
    with pytest.raises(StorageError, match="show_1.txt"):
        sync_files(paths)


def test_a_forked_child_syncs_with_threads_of_its_own(tmp_path: Path) -> None:
    sync_files(_outputs(tmp_path / "parent", 2))  # the parent's threads exist now
    child_outputs = _outputs(tmp_path / "child", 2)
    pid = os.fork()
    if pid == 0:  # the parent's fsync threads are not in here: waiting on them would hang
        code = 1
        try:
            sync_files(child_outputs)
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
