"""The run folder: the one place that knows its layout and lifecycle (start, resume, rerun,
finish, seal, report), its lock, and the checks of its seal before anything is touched.

Layout: run.json (the run's hosts, checks, policy and its sha256, the versions that judged,
verdicts), records/<host>.json, evidence/<host>/ (evidence/<host>/attempts/<time>/ for live
reruns), report-parts/<host>.json, report.html, report.xml, manifest.json, manifest.sig.
Nothing else names these files: the engine asks the store for a path, the renderers are fed
records and paths by it.

Every command that writes into a run folder holds its lock (`writing`) for as long as it
writes; a second writer is refused at once with a clear message rather than interleaving its
records, attempts and temporary files with the first's. A command that only reads the run as
signed (`store add`) holds the same lock shared (`reading`): it is refused while a writer is
at work, whose half-rewritten files would look altered, and keeps writers out meanwhile.

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

import contextlib
import fcntl
import glob
import itertools
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from inspector.evidence import INDEX, indexed_outputs, utc_now
from inspector.files import (
    colliding_names,
    hostname_key,
    is_plain_name,
    link_into_place,
    looks_temporary,
    read_json,
    safe_name,
    vouch_for,
    write_json,
)
from inspector.manifest import (
    COPY_BEGUN,
    COPY_DONE,
    FINISHED,
    MANIFEST,
    OPEN,
    SIGNATURE,
    SIGNED_COPY,
    RunAltered,
    Seal,
    altered,
    default_key_path,
    own_public_key,
    plain_digest,
    read_public_key,
    seal_run,
    unknown_files,
)
from inspector.memory import give_back_freed_memory
from inspector.policy import Policy

if TYPE_CHECKING:  # the renderers load on use: most commands draw no report
    from reports import ShownVerdicts

RUN_META = "run.json"
RECORDS = "records"
EVIDENCE = "evidence"
ATTEMPTS = "attempts"
REPORT_PARTS = "report-parts"
REPORT_NAME = "report"  # report.<ext> inside the run folder
DEFAULT_FORMATS = ("html", "junit")


class RunBusy(ValueError):
    """Another inspector process is writing into the run folder."""


class RunRefused(ValueError):
    """The run cannot be used for what was asked (finished, cut short, no key to check)."""


@contextmanager
def writing(run_dir: Path) -> Iterator[None]:
    """Hold the run folder's exclusive lock. The lock is on the folder itself (flock on its
    descriptor), so it adds no file to the run and dies with the process that held it."""
    with _locked(run_dir, fcntl.LOCK_EX):
        yield


@contextmanager
def reading(run_dir: Path) -> Iterator[None]:
    """Hold the run folder's lock shared: no writer meanwhile, but readers do not keep each
    other out (several `store add` of one run at once)."""
    with _locked(run_dir, fcntl.LOCK_SH):
        yield


@contextmanager
def _locked(run_dir: Path, mode: int) -> Iterator[None]:
    try:
        fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        raise RunRefused(f"run folder not found: {run_dir}") from None
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunBusy(f"{run_dir} is in use by another inspector command (a run, resume, "
                          "rerun, report or store add); try again once it has finished"
                          ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def trusted_key(public_key: Path | None) -> str:
    """The key a run must be signed by: the one pinned, else this inspector's own."""
    if public_key is not None:
        return read_public_key(public_key)
    own = own_public_key()
    if own is None:
        raise RunRefused(f"this inspector has no key yet ({default_key_path()}), so it cannot "
                         "tell who signed the run: pass --public-key with the signer's key")
    return own


@contextmanager
def rewriting(run_dir: Path, seal: Seal) -> Iterator[None]:
    """Keep the run's own files and manifest as `seal` signed them (hard links: nothing is
    copied, and every file of a run is replaced by a rename, never written over) while a
    command rewrites them and signs the run again. A command that fails puts them back; one
    killed outright leaves them for the next command to put back (`read_seal`). Without
    them, a rerun killed after it rewrote a record and before it signed left a run that
    could never be verified again: the record as signed was gone. The copy is whole under
    its name or not there: made under another name, and renamed away before it is removed."""
    copy, begun = run_dir / SIGNED_COPY, run_dir / COPY_BEGUN
    _remove(begun)
    if os.path.lexists(copy):  # read_seal found none: put there while the command ran
        raise RunAltered(f"{copy} was put in the run while the command ran: see "
                         "`inspector verify`")
    for rel in [MANIFEST, SIGNATURE, *(r for r in seal.files if not r.startswith(EVIDENCE + "/"))]:
        (begun / rel).parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # gone, or not a file: nothing signed to keep
            os.link(run_dir / rel, begun / rel, follow_symlinks=False)
    os.rename(begun, copy)
    try:
        yield
    except BaseException:
        _put_back(run_dir, Seal(copy, seal.files, seal.state, seal.signer))
        # What it added (a live rerun's attempt, a report) is set aside, as the next command
        # sets aside what one killed outright added: left in the run, it would be named as
        # added by `verify`, and refused by the next rerun of the chassis.
        if aside := _set_aside_what_commands_added(run_dir, seal):
            print(f"inspector: what the command had added to {run_dir} is set aside in "
                  f"{aside}", file=sys.stderr)
        raise
    _remove(copy)


def _remove(path: Path) -> None:
    """Remove a copy of `rewriting`'s, or what stands in its place: renamed away first, so
    that a command killed as it removes it never leaves half a copy under its name. A link
    is removed, never followed."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        done = path.with_name(COPY_DONE)
        if path.name != COPY_DONE:
            _remove(done)
            os.rename(path, done)
        shutil.rmtree(done)


def read_seal(run_dir: Path, public_key: Path | None) -> Seal:
    """The run's seal, by a trusted key, once the work of a command killed as it rewrote the
    run is undone (see `rewriting`), which is said on stderr. Under the run's lock."""
    trusted = trusted_key(public_key)
    for leftover in (COPY_BEGUN, COPY_DONE):
        _remove(run_dir / leftover)
    copy = run_dir / SIGNED_COPY
    if not os.path.lexists(copy):
        return Seal.read(run_dir, trusted)
    if copy.is_symlink() or not copy.is_dir():
        raise RunAltered(f"{copy} is not a copy this inspector keeps: see `inspector verify`")
    before = Seal.read(copy, trusted)  # the run as signed before that command, by its key
    with contextlib.suppress(RunAltered, OSError):
        now = Seal.read(run_dir, trusted)
        if (run_dir / MANIFEST).read_bytes() != (copy / MANIFEST).read_bytes():
            _remove(copy)  # killed once its new signature was whole: its work stands
            return now
    _put_back(run_dir, before)
    aside = _set_aside_what_commands_added(run_dir, before)
    added = f"; what it had added is set aside in {aside}" if aside else ""
    print(f"inspector: a command was stopped as it rewrote {run_dir}, before signing it: the "
          f"run is put back as it was last signed{added}", file=sys.stderr)
    return Seal.read(run_dir, trusted)


def _put_back(run_dir: Path, before: Seal) -> None:
    """Every file of `before` (the copy `rewriting` keeps) that the run no longer holds as
    signed, the manifest, and the evidence a resume moved aside, put back; then the copy
    removed. Each file is linked then renamed into place, the copy staying whole until the
    end, so a command killed here too leaves the next one the same to do."""
    copy = before.run_dir
    kept = [(rel, digest) for rel, digest in before.files.items() if (copy / rel).is_file()]
    for rel in [*(r for r, digest in kept if plain_digest(run_dir / r) != digest
                  and plain_digest(copy / r) == digest), SIGNATURE, MANIFEST]:
        if (copy / rel).is_file():
            link_into_place(copy / rel, run_dir / rel)
    _undo_moves(run_dir, before)
    _remove(copy)


def _set_aside_what_commands_added(run_dir: Path, seal: Seal) -> Path | None:
    """Set aside what a command that rewrites a signed run adds to it (`_written_by_a_command`)
    and `seal` does not list; where it went, or None if there was nothing."""
    added = [rel for rel in Seal(run_dir, seal.files, seal.state, seal.signer).added()
             if _written_by_a_command(rel)]
    return _set_aside(run_dir, added) if added else None


def _written_by_a_command(rel: str) -> bool:
    """Whether `rel`, which the seal does not list, is what a command that rewrites a signed
    run adds to it: a report drawn into it, a live rerun's attempt, a write cut short."""
    parts = rel.split("/")
    if len(parts) == 1:
        return rel.startswith(f"{REPORT_NAME}.") or looks_temporary(rel)
    attempt = len(parts) >= 5 and parts[0] == EVIDENCE and parts[2] == ATTEMPTS
    return attempt or looks_temporary(rel)


def seal_for_rerun(run_dir: Path, hosts: list[str] | None, public_key: Path | None) -> Seal:
    """The run's seal, once it is signed by a trusted key, was not cut short, and every file
    the rerun reads (the run's own files but the reports it redraws whole, and the evidence
    of `hosts`, or all) is found as signed: a rerun from files changed by someone else,
    re-signed, would vouch for the change."""
    seal = read_seal(run_dir, public_key)
    if seal.state == OPEN:
        raise RunRefused(f"{run_dir} was cut short and never finished: finish it with "
                         f"`inspector run --resume {run_dir}` first")
    evidence = [f"{EVIDENCE}/{safe_name(h)}" for h in hosts] if hosts else [EVIDENCE]
    redrawn = redrawn_reports(run_dir)
    seal.require_unchanged([name for name in own_files(run_dir) if name not in redrawn]
                           + evidence)
    return seal


@dataclass(frozen=True, kw_only=True)
class Resumable:
    """What a resume takes from the run: its own hosts, checks, policy and inventory."""

    seal: Seal
    set_aside: Path | None  # where the unsigned work of a killed run went, if any
    hosts: list[str]
    check_ids: list[str]
    policy: Path | None
    source: dict[str, str] | None  # inspector.hosts.Source, as run.json keeps it
    credentials: Path | None  # the --credentials file of candidate sets, if one was given
    jump_host: str | None  # the --jump-host every chassis was reached through, if given


def seal_for_resume(run_dir: Path, public_key: Path | None) -> Resumable:
    """Check a run before resuming it (see the module's docstring): RunAltered names every
    file that differs from the manifest; the unsigned work of a killed run is set aside."""
    seal = read_seal(run_dir, public_key)
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
    set_aside = _set_aside(run_dir, unsigned) if unsigned else None
    seal = _keep_unfinished_evidence(run_dir, seal)
    meta = run_meta(run_dir)
    return Resumable(seal=seal, set_aside=set_aside, hosts=meta["hosts"],
                     check_ids=meta["checks"],
                     policy=Path(meta["policy"]) if meta.get("policy") else None,
                     source=run_source(meta), credentials=run_credentials(meta),
                     jump_host=meta.get("jump_host"))


def _written_after_signing(rel: str, sealed_folders: set[str], sealed: dict[str, str]) -> bool:
    """Whether `rel` is what a run writes for a chassis the manifest does not cover yet (or
    the reports it draws on finishing): the work of a run killed since its last signature."""
    parts = rel.split("/")
    if len(parts) == 1:
        return rel.startswith(f"{REPORT_NAME}.")
    if parts[0] in (RECORDS, REPORT_PARTS):
        return len(parts) == 2 and rel not in sealed
    if parts[0] == EVIDENCE:
        return len(parts) >= 3 and "/".join(parts[:2]) not in sealed_folders
    return False


def _keep_unfinished_evidence(run_dir: Path, seal: Seal) -> Seal:
    """Rename the signed evidence of chassis stopped mid-inspection (`<host>.interrupted-<time>`)
    so that their new inspection starts afresh, and sign the move at once: a resume killed
    right after it must leave a run that the next resume still finds as signed. Returns the
    run's seal after the move."""
    stamp = utc_now().replace(":", "")
    unfinished = [folder for folder in sorted(_signed_evidence_folders(seal))
                  if ".interrupted-" not in folder
                  and f"{RECORDS}/{folder}.json" not in seal.files]
    if not unfinished:
        return seal
    moved = []
    with rewriting(run_dir, seal):  # stopped before the move is signed, it is undone
        for folder in unfinished:
            old = run_dir / EVIDENCE / folder
            new = old.with_name(f"{folder}.interrupted-{stamp}")
            old.rename(new)
            moved += [old, new]
        after = Seal(run_dir, dict(seal.files_after(moved, seal.state)), seal.state,
                     seal.signer, sha256=seal.sha256, follows=seal.follows)
        seal_run(run_dir, state=after.state, previous=after)
    return after.signed_again()


def _signed_evidence_folders(seal: Seal) -> set[str]:
    return {rel.split("/")[1] for rel in seal.files
            if rel.startswith(f"{EVIDENCE}/") and rel.count("/") >= 2}


def _undo_moves(run_dir: Path, before: Seal) -> None:
    """Move back each signed evidence folder that a resume moved aside for its chassis to be
    inspected again (`_keep_unfinished_evidence`), and was stopped before it signed the
    move: the run is then as signed."""
    signed = _signed_evidence_folders(before)
    for folder in signed:
        if os.path.lexists(run_dir / EVIDENCE / folder):
            continue
        moved = list((run_dir / EVIDENCE).glob(f"{glob.escape(folder)}.interrupted-*"))
        unsigned = [m for m in moved if m.name not in signed]
        if len(unsigned) == 1 and unsigned[0].is_dir() and not unsigned[0].is_symlink():
            os.rename(unsigned[0], run_dir / EVIDENCE / folder)


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


# --------------------------------------------------------------------------- layout

def records_dir(run_dir: Path) -> Path:
    return run_dir / RECORDS


def named_host(run_dir: Path, typed: str) -> str:
    """The run's chassis that a user's `--host` names: the one of that name, else the one
    whose name reads as it (`hostname_key`: typed in another case, or a letter in another
    Unicode form), as `history --hostname` finds it; `typed` itself when none does, for the
    caller to say so. Its record file is named by its own name's bytes."""
    hosts = [h for h in run_meta(run_dir).get("hosts") or [] if isinstance(h, str)]
    if typed in hosts:
        return typed
    return next((h for h in hosts if hostname_key(h) == hostname_key(typed)), typed)


def record_path(run_dir: Path, hostname: str) -> Path:
    return records_dir(run_dir) / f"{safe_name(hostname)}.json"


def write_record(run_dir: Path, record: dict[str, Any]) -> Path:
    path = record_path(run_dir, record["chassis"]["hostname"])
    write_json(path, record)
    return path


def record_paths(run_dir: Path) -> list[Path]:
    """The run's record files, in the order every report lists the chassis."""
    folder = records_dir(run_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no records in {run_dir} (is it a run folder?)")
    return sorted(folder.glob("*.json"))


def read_records(run_dir: Path) -> Iterator[dict[str, Any]]:
    for path in record_paths(run_dir):
        yield read_record(path)


def read_record(path: Path) -> dict[str, Any]:
    """The record at `path`; RunRefused naming the file when it is not one this inspector
    reads. `show` and `report` read a run before checking its seal: a file put among the
    records (`[1]`, or not JSON) ended them with a traceback, or a JSON error naming no file."""
    from inspector.records import Record, RecordError

    try:
        record: dict[str, Any] = read_json(path)
        Record.from_dict(record)
    except RecordError as exc:
        raise RunRefused(f"{path}: {exc}") from None
    except ValueError as exc:  # not JSON, or not UTF-8
        raise RunRefused(f"{path} is not a record: not JSON ({exc})") from None
    return record


def evidence_dir(run_dir: Path, hostname: str) -> Path:
    return run_dir / EVIDENCE / safe_name(hostname)


def attempt_dir(run_dir: Path, hostname: str) -> Path:
    """A new folder for one live rerun's outputs: the original evidence is never touched."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return evidence_dir(run_dir, hostname) / ATTEMPTS / stamp


def report_path(run_dir: Path, fmt: str) -> Path:
    from reports import EXTENSIONS, renderer

    renderer(fmt)  # an unknown format is refused before any path is made of it
    return run_dir / f"{REPORT_NAME}.{EXTENSIONS[fmt]}"


def own_files(run_dir: Path) -> list[str]:
    """The run's own files and folders, which a rerun rewrites: records, reports, run.json.
    (The evidence folder only grows, one attempt folder per live rerun.)"""
    return sorted(p.name for p in run_dir.iterdir() if p.name not in {
        EVIDENCE, MANIFEST, SIGNATURE, SIGNED_COPY, COPY_BEGUN, COPY_DONE})


class RunDocuments:
    """What a run's documents say of each other, read by `inspector verify` as it hashes them
    (`manifest.Documents`): run.json's chassis and verdicts, each record's chassis, verdict and
    run, each record's verdict as its own checks give it, the sha256 of each output they
    judged as its evidence index gives it, the outputs each evidence index names, each with
    the sha256 the index gives it, and the verdict the default reports, and each record's
    pieces of them, show of each chassis. A run whose documents, as signed, disagree is not
    whole, however good its signature: only an older inspector, or someone re-signing with a
    stolen key, writes one. Only documents found as signed are read (any other is named as
    changed); files are judged by the manifest's list, so none removed is named twice."""

    def __init__(self, *, evidence: bool = True) -> None:
        # Whether the evidence indexes are read too, and the outputs the records judged
        # checked against them (`store add` reads run.json and the records alone).
        self._evidence = evidence
        self._meta: tuple[Any, list[str], dict[str, str]] | None = None  # run id, hosts, verdicts
        self._records: dict[str, tuple[str, str, Any]] = {}  # by file: chassis, verdict, run id
        # by evidence folder: each command's output its index names, its file and sha256
        self._indexes: dict[str, dict[str, tuple[str | None, str | None]]] = {}
        # by record file: each output its checks judged (evidence folder, command, sha256)
        self._judged: dict[str, set[tuple[str, str, str]]] = {}
        # by record file: how its verdict is not its checks', or its eligibility not the rule's
        self._misjudged: dict[str, list[str]] = {}
        # What the default reports, and each record's pieces of them, show (`ShownVerdicts`):
        # by report, and by piece with its stamp (the record it was drawn from).
        self._reports: dict[str, ShownVerdicts] = {}
        self._reading: dict[str, ShownVerdicts] = {}  # a report being read, until found as signed
        self._pieces: dict[str, tuple[dict[str, Any], ShownVerdicts]] = {}
        # The reports every run keeps, relative to the run, with their format.
        self._report_formats = {report_path(Path(), fmt).as_posix(): fmt
                                for fmt in DEFAULT_FORMATS}
        self._unreadable: list[str] = []

    def wants(self, rel: str) -> bool:
        return rel == RUN_META or rel.startswith((f"{RECORDS}/", f"{REPORT_PARTS}/")) or (
            self._evidence and rel.startswith(f"{EVIDENCE}/") and rel.endswith(f"/{INDEX}"))

    def reads_lines(self, rel: str) -> Callable[[bytes], None] | None:
        from reports import ShownVerdicts

        if (fmt := self._report_formats.get(rel)) is None:
            return None
        self._reading[rel] = shown = ShownVerdicts(fmt)
        return partial(shown.read, fmt=fmt)

    def took_lines(self, rel: str) -> None:
        self._reports[rel] = self._reading.pop(rel)

    def take(self, rel: str, data: bytes) -> None:
        if rel.startswith(f"{REPORT_PARTS}/"):
            self._take_pieces(rel, data)
            return
        try:
            document = json.loads(data)
        except ValueError:
            document = None
        self.take_document(rel, document)

    def take_document(self, rel: str, document: Any) -> None:
        """A file it wants, as signed, already read as JSON (None: not JSON)."""
        if rel == RUN_META:
            meta = document if isinstance(document, dict) else {}
            hosts, verdicts = meta.get("hosts"), meta.get("verdicts", {})  # none until it ends
            if _texts(hosts) and isinstance(verdicts, dict) and _texts(
                    [*verdicts, *verdicts.values()]):
                self._meta = (meta.get("run_id"), hosts, verdicts)
            else:
                self._unreadable.append(f"{rel}: not a run's summary (its hosts and verdicts)")
        elif rel.startswith(f"{RECORDS}/"):
            chassis = document.get("chassis") if isinstance(document, dict) else None
            hostname = chassis.get("hostname") if isinstance(chassis, dict) else None
            if isinstance(hostname, str) and isinstance(document.get("verdict"), str):
                self._records[rel] = (hostname, document["verdict"], document.get("run_id"))
                self._judge_again(rel, document)
            else:
                self._unreadable.append(f"{rel}: not an inspection record")
        else:
            folder = rel.rpartition("/")[0]
            try:
                self._indexes[folder] = indexed_outputs(document)
            except ValueError:
                self._unreadable.append(f"{rel}: not an evidence index")

    def _take_pieces(self, rel: str, data: bytes) -> None:
        """A record's pieces of the reports: what they show, and the record they name. Pieces
        that cannot be read are never shown (`reports._kept`: they are drawn again)."""
        from reports import ShownVerdicts, read_kept

        if (kept := read_kept(data)) is None:
            return
        stamp, pieces = kept
        shown = ShownVerdicts(*self._report_formats.values())
        try:
            for fmt, piece in pieces.items():
                for key, blob in piece.items():
                    if isinstance(blob, bytes):
                        shown.read(blob, fmt=fmt, piece=key)
            # What the HTML summary counts the chassis as, drawn from the piece's row.
            shown.counts[str(pieces["html"]["row"]["verdict"])] = 1
        except (KeyError, TypeError, AttributeError):
            return  # not of this inspector's pieces: none it would show
        self._pieces[rel] = (stamp, shown)

    def _judge_again(self, rel: str, document: dict[str, Any]) -> None:
        """The record's verdict judged again from its own checks, as the run judged it, and
        its eligibility for support held to the program's rule."""
        from inspector.records import (
            Record,
            RecordError,
            judged_outputs,
            misclaimed_support,
            misjudged,
        )

        try:
            record = Record.from_dict(document)
            wrong = [why for why in (misjudged(record), misclaimed_support(record)) if why]
            own = evidence_dir(Path(), record.chassis["hostname"]).as_posix()
            self._judged[rel] = judged_outputs(record, own)
        except (RecordError, KeyError, TypeError, AttributeError):  # checks of another shape
            self._unreadable.append(f"{rel}: not an inspection record")
            return
        if wrong:
            self._misjudged[rel] = wrong

    def disagreements(self, signed: Mapping[str, str], state: str) -> list[str]:
        return [*self._unreadable, *self._chassis(signed, state),
                *(f"{rel}: {why}" for rel, wrong in sorted(self._misjudged.items())
                  for why in wrong),
                *self._judged_outputs(signed), *self._outputs(signed), *self._shown(signed)]

    def _chassis(self, signed: Mapping[str, str], state: str) -> Iterator[str]:
        """Each chassis run.json gives a verdict (in a finished run, each it lists) without
        its record, or without listing it among the run's hosts (the chassis the run was
        started to inspect), and each record run.json does not name as it is."""
        if self._meta is None:  # run.json not as signed (named so), or not readable
            return
        run_id, hosts, verdicts = self._meta
        for hostname in sorted(set(verdicts) - set(hosts)):
            yield (f"{RUN_META}: gives chassis {hostname!r} a verdict, but does not list it "
                   "among the run's hosts")
        due = set(verdicts) | (set(hosts) if state == FINISHED else set())
        for hostname in sorted(due):
            if (rel := _record_name(hostname)) not in signed:
                yield (f"{RUN_META}: names chassis {hostname!r}, whose record {rel} is not in "
                       "the run")
        for rel, (hostname, verdict, of_run) in sorted(self._records.items()):
            if rel != _record_name(hostname):
                yield (f"{rel}: holds the record of chassis {hostname!r}, which is "
                       f"{_record_name(hostname)}")
            elif hostname not in verdicts:
                yield f"{rel}: a record of chassis {hostname!r}, which {RUN_META} does not name"
            elif verdicts[hostname] != verdict:
                yield f"{rel}: verdict {verdict}, where {RUN_META} says {verdicts[hostname]}"
            if of_run != run_id:
                yield f"{rel}: a record of run {of_run!r}, where {RUN_META} is of run {run_id!r}"

    def _judged_outputs(self, signed: Mapping[str, str]) -> Iterator[str]:
        """Each output a record's checks judged that the index of its evidence folder does
        not give with the same sha256, and each folder they judged that has no index: the
        record would stand on evidence the run does not hold. (An index not as signed, or
        not an index, is named so already.)"""
        if not self._evidence:
            return
        for rel, reads in sorted(self._judged.items()):
            for folder in sorted({folder for folder, _, _ in reads}):
                if folder not in self._indexes and f"{folder}/{INDEX}" not in signed:
                    yield f"{rel}: judged outputs in {folder}, which has no {INDEX}"
            for folder, command, sha256 in sorted(reads):
                outputs = self._indexes.get(folder)
                if outputs is None:
                    continue
                if command not in outputs:
                    yield (f"{rel}: judged an output of {command!r}, which {folder}/{INDEX} "
                           "does not name")
                elif (file := outputs[command][0] or "").endswith(".gz"):
                    # Only a support file is kept gzipped, and no check reads one; its
                    # sha256 is of its text, which `_outputs` does not compare with the file.
                    yield (f"{rel}: judged the output of {command!r}, which {folder}/{INDEX} "
                           f"names as kept gzipped ({file}): no check reads one")
                elif (given := outputs[command][1]) != sha256:
                    yield (f"{rel}: judged the output of {command!r} as sha256 {sha256}, where "
                           f"{folder}/{INDEX} gives {given or 'none'}")

    def _shown(self, signed: Mapping[str, str]) -> Iterator[str]:
        """Where the default reports, or a record's pieces of them that the next report drawn
        would show (`reports.serves`), do not show each chassis they draw, once in each place,
        with its record's verdict: a report may show nothing else of the records."""
        from reports import serves

        records = {Path(rel).stem: (rel, hostname, verdict)
                   for rel, (hostname, verdict, _) in self._records.items()}
        # Records not as signed, or not records, are named so already: not judged here.
        unread = {Path(rel).stem for rel in signed
                  if rel.startswith(f"{RECORDS}/") and rel not in self._records}
        for rel, shown in sorted(self._reports.items()):
            yield from _shown_otherwise(rel, shown, records, unread)
        for rel, (stamp, shown) in sorted(self._pieces.items()):
            anchor = Path(rel).stem
            if anchor in records and serves(stamp, signed[records[anchor][0]]):
                yield from _shown_otherwise(rel, shown, {anchor: records[anchor]}, set())

    def _outputs(self, signed: Mapping[str, str]) -> Iterator[str]:
        """Each output an evidence index names that is not in the run, or whose sha256 is not
        the one the index gives, and each file of an evidence folder (but its index and its
        context) that its index does not name."""
        from inspector.program import HostContext

        for folder, outputs in sorted(self._indexes.items()):
            for name, sha256 in sorted((name, sha256) for name, sha256 in outputs.values()
                                       if name is not None):
                if "/" in name or (digest := signed.get(f"{folder}/{name}")) is None:
                    yield f"{folder}/{INDEX}: names {name!r}, which is not in the run"
                # A gzipped output's sha256 is of its text, not of its file's bytes.
                elif digest != sha256 and not name.endswith(".gz"):
                    yield (f"{folder}/{name}: an output of sha256 {digest}, where "
                           f"{folder}/{INDEX} gives {sha256 or 'none'}")
        named = {folder: {file for file, _ in outputs.values()}
                 for folder, outputs in self._indexes.items()}
        for rel in signed:  # by folder then name, as the manifest lists them
            folder, _, name = rel.rpartition("/")
            if not rel.startswith(f"{EVIDENCE}/") or name in (INDEX, HostContext.FILE):
                continue
            if folder in named:
                if name not in named[folder]:
                    yield f"{rel}: an output {folder}/{INDEX} does not name"
            elif f"{folder}/{INDEX}" not in signed:
                yield f"{rel}: an output no index names ({folder} has no {INDEX})"


def _shown_otherwise(rel: str, shown: ShownVerdicts, records: dict[str, tuple[str, str, str]],
                     unread: set[str]) -> Iterator[str]:
    """Where a report, or a record's pieces (`rel`), does not show each of `records` (by
    anchor: record file, chassis, verdict) once in each of its places with its verdict, or
    counts them otherwise in its summary, or shows a chassis none of `records` is."""
    for anchor in sorted(shown.shown.keys() - records.keys() - unread):
        yield f"{rel}: shows chassis {anchor!r}, whose record it was not drawn from"
    for anchor, (record, hostname, verdict) in sorted(records.items()):
        at = shown.shown.get(anchor, {})
        for place in shown.places:
            times = at.get(place, [])
            if not times:
                yield f"{rel}: does not show chassis {hostname!r} in the {place} ({record})"
            elif len(times) > 1:
                yield f"{rel}: shows chassis {hostname!r} {len(times)} times in the {place}"
            elif times[0] != {verdict}:
                yield (f"{rel}: shows chassis {hostname!r} as {' and '.join(sorted(times[0]))} "
                       f"in the {place}, where {record} says {verdict}")
    if shown.counts and not unread:
        given = Counter(verdict for _, _, verdict in records.values())
        for verdict in sorted(shown.counts.keys() | given.keys()):
            if shown.counts.get(verdict, 0) != given[verdict]:
                yield (f"{rel}: counts {shown.counts.get(verdict, 0)} chassis {verdict}, where "
                       f"the records give {given[verdict]}")


def _texts(values: Any) -> TypeGuard[list[str]]:
    return isinstance(values, list) and all(isinstance(value, str) for value in values)


def _record_name(hostname: str) -> str:
    """The record file of chassis `hostname`, relative to its run."""
    return record_path(Path(), hostname).as_posix()


def redrawn_reports(run_dir: Path) -> list[str]:
    """The default reports: rewritten whole from the records by every rerun, never read."""
    return [report_path(run_dir, fmt).name for fmt in DEFAULT_FORMATS]


# --------------------------------------------------------------------------- lifecycle

def start_run(*, out: Path, run_id: str, hosts: list[str], check_ids: list[str],
              policy: Policy, source: dict[str, str] | None, show_tech: bool = False,
              judged_with: dict[str, Any] | None = None,
              credentials: Path | None = None, jump_host: str | None = None) -> Path:
    """Make the run folder, say what the run is in run.json, and sign it as `open`."""
    if not is_plain_name(run_id):
        raise RunRefused(f"--run-id {run_id!r} is not a plain name: letters, digits, `.`, `_` "
                         "and `-`, starting with a letter or digit, at most 100")
    clashes = colliding_names(hosts)
    if clashes:
        raise RunRefused("host names that read as one (in another case, or a letter typed "
                         "in another Unicode form): " + "; ".join(
            f"{a!r} and {b!r}" for a, b in clashes))
    run_dir = out / run_id
    if run_dir.exists():
        raise RunRefused(f"run folder {run_dir} already exists: choose another --run-id, "
                         "or --resume it")
    meta = {
        # started_at to the microsecond: with the run id and its signer, it tells this run
        # from another given the same id (the fleet store keeps both).
        "run_id": run_id, "started_at": utc_now(exact=True), "hosts": sorted(hosts),
        "checks": check_ids,
        "policy": str(Path(policy.source).resolve()) if policy.source != "defaults" else None,
        # Where a live rerun or a resume reconnects from; not copied, as it may hold secrets.
        "source": source,
        # Candidate credential sets: labels and where each secret comes from (a file may
        # also hold secrets as they are: it is named, never copied).
        "credentials": str(credentials.resolve()) if credentials else None,
        "jump_host": jump_host,
        "show_tech": show_tech,
        "judged_with": judged_with,
    }
    # Made and signed under another name, then renamed into place: a run killed before its
    # first signature left a folder that no command could resume, verify or run again.
    starting = out / f".{run_id}.{os.getpid()}.starting"
    shutil.rmtree(starting, ignore_errors=True)  # this process's own, of a start that failed
    starting.mkdir(parents=True)
    try:
        write_json(starting / RUN_META, meta)
        # Signed from its first moment: a run without a manifest is then one that was
        # altered, never one merely cut short.
        seal_run(starting, state=OPEN, name=run_id)
        os.rename(starting, run_dir)
    except BaseException as exc:  # a key that cannot sign, another command's run meanwhile
        shutil.rmtree(starting, ignore_errors=True)
        if isinstance(exc, OSError) and run_dir.exists():
            raise RunRefused(f"run folder {run_dir} already exists: choose another --run-id, "
                             "or --resume it") from None
        raise
    return run_dir


def run_meta(run_dir: Path) -> dict[str, Any]:
    path = run_dir / RUN_META
    if not path.is_file():
        raise RunRefused(f"{run_dir} is not a run folder (no {RUN_META})")
    meta: dict[str, Any] = read_json(path)
    return meta


def run_source(meta: dict[str, Any]) -> dict[str, str] | None:
    """Where the run's hosts came from; runs written before sources had kinds name only
    their inventory folder."""
    if meta.get("source"):
        return dict(meta["source"])
    return {"kind": "inventory", "path": meta["inventory"]} if meta.get("inventory") else None


def run_credentials(meta: dict[str, Any]) -> Path | None:
    return Path(meta["credentials"]) if meta.get("credentials") else None


def remove_half_written(run_dir: Path) -> None:
    """Remove the temporary files a killed writer left (a run, or a judge worker): their
    complete versions never existed, or were written again since. Only while no writer of the
    run is at work: under its lock, with its sessions and workers done."""
    for tmp in run_dir.rglob("*.tmp"):
        if tmp.is_symlink() or not tmp.is_dir():  # a folder so named is not a write of ours
            tmp.unlink()


def prepare_resume(run_dir: Path) -> set[str]:
    """Hosts already finished (those with a record), once a killed run's half-written files
    are removed."""
    remove_half_written(run_dir)
    return ({r["chassis"]["hostname"] for r in read_records(run_dir)}
            if records_dir(run_dir).is_dir() else set())


def verdicts_before(run_dir: Path) -> dict[str, str]:
    """Every chassis's verdict as the signed run.json says it."""
    verdicts: dict[str, str] = run_meta(run_dir).get("verdicts", {})
    return verdicts


def finish_run(run_dir: Path, verdicts: dict[str, str], *, state: str, previous: Seal,
               written: Iterable[Path] = (), **meta: Any) -> tuple[list[Path], Path]:
    """Once records were written or rerun: run.json says every verdict, the reports show them,
    and the manifest is signed anew in `state`, over `previous` (the run's seal as the command
    found it, all its files verified then) and only what the command wrote: `written` (each
    chassis's record, its pieces of the reports and its evidence folder) and what is written
    here. A file anyone else changed meanwhile keeps its signed hash, so `verify` names it; a
    report that could not be drawn is not signed anew either. Returns the reports and the key.

    run.json and the reports are drawn from the run's records: each of them, and run.json,
    must be as the command wrote or checked it, before and once they are drawn. One changed
    by anyone else while it ran ends the command (and `rewriting` puts the run back as
    signed)."""
    _require_known(run_dir, state, previous)
    write_json(run_dir / RUN_META, {**run_meta(run_dir), **meta,
                                    "verdicts": dict(sorted(verdicts.items()))})
    give_back_freed_memory()  # what the sessions freed, before the reports and the manifest
    try:
        reports = draw_reports(run_dir)
    except Exception as exc:  # the records are safe: a report problem is said, not fatal
        print(f"inspector: could not write the reports: {type(exc).__name__}: {exc}")
        reports = []
    for report in reports:
        vouch_for(report)  # known as drawn: signed so, whatever happens to it until then
    _require_known(run_dir, state, previous)
    _require_records(run_dir, verdicts)
    give_back_freed_memory()
    # The pieces are drawn again wherever they no longer serve (a record rewritten, a new
    # version of the reports): each is signed as known, written here or found as signed.
    key, _ = seal_run(run_dir, state=state, previous=previous, written=itertools.chain(
        written, [run_dir / RUN_META, run_dir / REPORT_PARTS], reports))
    return reports, key


def _require_known(run_dir: Path, state: str, previous: Seal) -> None:
    """Raise RunAltered naming run.json, each record and each report piece that is not as
    this command wrote or checked it (`previous`: the seal it began with)."""
    if changed := unknown_files(run_dir, [RUN_META, RECORDS, REPORT_PARTS], state,
                                previous.files):
        raise RunAltered.during(run_dir, (f"  changed {rel}" for rel in changed),
                                see_verify=True)


def _require_records(run_dir: Path, verdicts: dict[str, str]) -> None:
    """Raise RunAltered naming each chassis's record that run.json gives a verdict and that is
    no longer there: the run would be signed with the verdict and without its record."""
    if gone := [path.relative_to(run_dir).as_posix() for path in
                (record_path(run_dir, hostname) for hostname in sorted(verdicts))
                if not path.is_file()]:
        raise RunAltered.during(run_dir, (f"  removed {rel}" for rel in gone))


def chassis_written(run_dir: Path, hostname: str) -> list[Path]:
    """What inspecting a chassis writes: its record, its pieces of the reports (drawn again
    from a record rewritten) and its evidence folder."""
    return [*judged_files(run_dir, hostname), evidence_dir(run_dir, hostname)]


def judged_files(run_dir: Path, hostname: str) -> list[Path]:
    """The files judging a chassis writes: its record and its pieces of the reports."""
    record = record_path(run_dir, hostname)
    return [record, run_dir / REPORT_PARTS / record.name]


def keep_report_pieces(run_dir: Path, record_file: Path) -> None:
    """Draw one record's pieces of the run's reports now, beside the sessions still going, so
    the run's end only assembles them. A failure here costs nothing: the pieces are drawn at
    the end, where a problem is said."""
    from reports import keep_pieces

    with contextlib.suppress(Exception):
        keep_pieces(record_file, run_dir / REPORT_PARTS)


def draw_reports(run_dir: Path) -> list[Path]:
    """The HTML and JUnit reports every run keeps, and any other drawn into it on request."""
    from reports import EXTENSIONS, write_default_reports

    drawn = write_default_reports(
        record_paths(run_dir), run_dir / REPORT_PARTS,
        html_path=report_path(run_dir, "html"), junit_path=report_path(run_dir, "junit"))
    extra = [fmt for fmt in EXTENSIONS
             if fmt not in DEFAULT_FORMATS and report_path(run_dir, fmt).is_file()]
    return drawn + [write_report(run_dir, fmt, report_path(run_dir, fmt)) for fmt in extra]


def report_outside(run_dir: Path, fmt: str) -> Path:
    """Where `inspector report` writes by default: beside the run folder, never in it, so a
    report asked for after the run leaves its signed files as they were."""
    inside = report_path(run_dir.resolve(), fmt)
    return inside.parent.with_name(f"{inside.parent.name}-{inside.name}")


def write_report(run_dir: Path, fmt: str, output: Path) -> Path:
    from reports import render

    return render(read_records(run_dir), fmt, output)


def report_into_run(run_dir: Path, fmt: str, public_key: Path | None) -> Path:
    """Draw a report into the run folder and sign the run over it: the records it reads and
    every other file are first found as signed, so the new signature covers nothing else."""
    with writing(run_dir):
        seal = read_seal(run_dir, public_key)
        seal.require_unchanged(["."])
        with rewriting(run_dir, seal):
            path = write_report(run_dir, fmt, report_path(run_dir, fmt))
            vouch_for(path)  # known as drawn: signed so
            seal_run(run_dir, state=seal.state, previous=seal, written=[path])
    return path
