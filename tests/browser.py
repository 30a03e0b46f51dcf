"""Headless Chromium for the tests that look at a page as a person would: found, started offline
with a fresh profile and every background network feature off, and a fixture that skips,
saying why, where none is installed (Debian package `chromium`; .ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")


def find_chromium() -> str | None:
    """`INSPECTOR_CHROMIUM` if set, else the first Chromium or Chrome on PATH."""
    override = os.environ.get("INSPECTOR_CHROMIUM")
    if override:
        return override
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def run_chromium(binary: str, url: str, *extra: str, profile: Path,
                 timeout: float = 90) -> subprocess.CompletedProcess[str]:
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("headless Chromium is not installed (Debian package `chromium`, or set "
                    "INSPECTOR_CHROMIUM): the page was not checked in a browser")
    return binary
