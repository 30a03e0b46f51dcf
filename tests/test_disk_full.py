"""A disk that fills up mid-run ends the run with the reason and the way to resume it, never a
traceback per chassis; the resume on a disk with room finishes it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_devices import ChassisSpec, get_profile, running_lab
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab


def _mount(folder: Path, size: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((*options, f"size={size}")),
                           "tmpfs", str(folder)], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB file system of its own (tmpfs), where this machine lets the tests mount one."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = _mount(folder, "3m")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_full_disk_stops_the_run_with_the_resume_hint(small_disk: Path,
                                                        tmp_path: Path) -> None:
    specs = [ChassisSpec(hostname=f"lab-{i:02d}", profile="cat9300", scenario="healthy", index=i,
                         serial=get_profile("cat9300").serial(i)) for i in range(1, 13)]
    env = {"INSPECTOR_KEY": str(tmp_path / "key.pem")}
    run_dir = small_disk / "r"
    with running_lab(specs, inventory_out=tmp_path / "inventory"):
        # show tech is about 0.9 MB a chassis: the disk is full after a few.
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(small_disk), "--run-id", "r", "--workers", "4", env=env)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        message = done.stderr.strip().splitlines()
        assert len(message) == 1, done.stderr
        assert "No space left on device" in message[0], message
        assert f"inspector run --resume {run_dir}" in message[0], message
        kept = records(run_dir)  # what was written is whole
        assert len(kept) < len(specs)

        grown = _mount(small_disk, "256m", "remount")
        assert grown.returncode == 0, grown.stderr
        resumed = inspector("run", "--resume", str(run_dir), env=env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert sorted(records(run_dir)) == [s.hostname for s in specs]
    assert inspector("verify", str(run_dir), env=env).returncode == 0
