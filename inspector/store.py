"""The run folder: its lock, and the checks of its seal before anything in it is touched.

Every command that writes into a run folder holds its lock (`writing`) for as long as it
writes; a second writer is refused at once with a clear message rather than interleaving its
records, attempts and temporary files with the first's.

Before a run is resumed, rerun or reported into, its signed manifest is read and checked
against a key the user trusts (this inspector's own, or the one `--public-key` pins), never
merely the key the manifest carries, and every file the command reads is found as signed:
a command that signs the run afterwards then vouches only for files it verified or wrote.

How an interrupted run is told from an altered one: a run is signed the moment it starts
(state `open`, over run.json), again when it stops (`interrupted` or `finished`). A run
without a manifest was therefore altered, whatever its files say. A run killed outright
stays `open`: whatever it wrote since its last signature (records, evidence, report pieces
of chassis the manifest does not cover) is vouched for by nothing, so a resume moves those
files out of the run folder (`<run>.unsealed-<time>`, kept for the user to read) and
inspects their chassis again. Anything else that differs from the manifest refuses the resume.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from inspector.manifest import (
    EVIDENCE,
    FINISHED,
    OPEN,
    Seal,
    altered,
    default_key_path,
    own_public_key,
)

RUN_META = "run.json"
RECORDS = "records"
REPORT_PARTS = "report-parts"
DEFAULT_REPORTS = ("report.html", "report.xml")


class RunBusy(ValueError):
    """Another inspector process is writing into the run folder."""


class RunRefused(ValueError):
    """The run cannot be used for what was asked (finished, cut short, no key to check)."""


@contextmanager
def writing(run_dir: Path) -> Iterator[None]:
    """Hold the run folder's exclusive lock. The lock is on the folder itself (flock on its
    descriptor), so it adds no file to the run and dies with the process that held it."""
    try:
        fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        raise RunRefused(f"run folder not found: {run_dir}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunBusy(f"{run_dir} is in use by another inspector command (a run, resume, "
                          "rerun or report); try again once it has finished") from None
        yield
    finally:
        os.close(fd)  # releases the lock


def trusted_key(public_key: Path | None) -> str:
    """The key a run must be signed by: the one pinned, else this inspector's own."""
    if public_key is not None:
        return public_key.read_text().strip()
    own = own_public_key()
    if own is None:
        raise RunRefused(f"this inspector has no key yet ({default_key_path()}), so it cannot "
                         "tell who signed the run: pass --public-key with the signer's key")
    return own


def seal_for_rerun(run_dir: Path, read: list[str], public_key: Path | None) -> Seal:
    """The run's seal, once it is signed by a trusted key, was not cut short, and every file
    at or under `read` (relative paths) is found as signed."""
    seal = Seal.read(run_dir, trusted_key(public_key))
    if seal.state == OPEN:
        raise RunRefused(f"{run_dir} was cut short and never finished: finish it with "
                         f"`inspector run --resume {run_dir}` first")
    seal.require_unchanged(read)
    return seal


@dataclass(frozen=True, kw_only=True)
class Resumable:
    seal: Seal
    set_aside: Path | None  # where the unsigned work of a killed run went, if any


def seal_for_resume(run_dir: Path, public_key: Path | None) -> Resumable:
    """Check a run before resuming it (see the module's docstring): RunAltered names every
    file that differs from the manifest; the unsigned work of a killed run is set aside."""
    seal = Seal.read(run_dir, trusted_key(public_key))
    if seal.state == FINISHED:
        seal.require_unchanged(["."])  # an altered run is named as such, finished or not
        # A complete run has nothing left to inspect; re-signing it would only launder it.
        raise RunRefused(f"{run_dir} is finished: nothing to resume (`inspector rerun` "
                         "re-judges checks of a finished run)")
    sealed_folders = {"/".join(rel.split("/")[:2]) for rel in seal.files}
    unsigned, found = [], []
    for line in seal.differences(["."]):
        kind, rel = line.split(" ", 1)
        if kind == "added" and _written_after_signing(rel, sealed_folders, seal.files):
            unsigned.append(rel)
        else:
            found.append(line)
    altered(run_dir, found)
    return Resumable(seal=seal, set_aside=_set_aside(run_dir, unsigned) if unsigned else None)


def _written_after_signing(rel: str, sealed_folders: set[str], sealed: dict[str, str]) -> bool:
    """Whether `rel` is what a run writes for a chassis the manifest does not cover yet (or
    the reports it draws on finishing): the work of a run killed since its last signature."""
    parts = rel.split("/")
    if len(parts) == 1:
        return rel in DEFAULT_REPORTS
    if parts[0] in (RECORDS, REPORT_PARTS):
        return len(parts) == 2 and rel not in sealed
    if parts[0] == EVIDENCE:
        return len(parts) >= 3 and "/".join(parts[:2]) not in sealed_folders
    return False


def _set_aside(run_dir: Path, unsigned: list[str]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = run_dir.with_name(f"{run_dir.name}.unsealed-{stamp}")
    for rel in unsigned:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(run_dir / rel, target / rel)
    # The folders emptied by the move would otherwise look like chassis begun and abandoned.
    for folder in sorted({(run_dir / rel).parent for rel in unsigned}, key=lambda p: -len(p.parts)):
        while folder != run_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return target


def report_outside(run_dir: Path, fmt: str) -> Path:
    """Where `inspector report` writes by default: beside the run folder, never in it, so a
    report asked for after the run leaves its signed files as they were."""
    from reports import EXTENSIONS, renderer

    renderer(fmt)  # an unknown format is refused before any path is made of it
    return run_dir.resolve().with_name(f"{run_dir.resolve().name}-report.{EXTENSIONS[fmt]}")


def report_into_run(run_dir: Path, fmt: str, public_key: Path | None) -> Path:
    """Draw a report into the run folder and sign the run over it: the records it reads and
    every other file are first found as signed, so the new signature covers nothing else."""
    from inspector.manifest import seal_run
    from reports import default_output, render

    with writing(run_dir):
        seal = Seal.read(run_dir, trusted_key(public_key))
        seal.require_unchanged(["."])
        path = render(run_dir, fmt, default_output(run_dir, fmt))
        seal_run(run_dir, state=seal.state, previous=seal, written=[path])
    return path
