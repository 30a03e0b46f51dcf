"""Tamper evidence: a manifest of every file of a run with its sha256, signed with Ed25519.

The manifest embeds the signer's public key so any copy of a run can be read on its own, but
a signature is only ever checked against a key the reader already trusts: this inspector's
own, one the user pins (`--public-key`), or one the user told `verify --trust` to trust. A
run re-signed with someone else's key is therefore never taken for ours.

The manifest also says the run's state: `open` (signed as the run starts, over run.json),
`interrupted` (stopped with chassis left) or `finished`. Deleting files cannot forge a state:
every run has a manifest from its first second, so a run without one is refused, and a
replayed older manifest only makes the files written since it look unsigned.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from inspector.evidence import INDEX, indexed_files, utc_now
from inspector.files import (
    atomic_write,
    known_digest,
    looks_temporary,
    read_hashed,
    read_hashed_lines,
    sha256_file,
    vouch_for,
    whole_folders,
)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
# The run as last signed, kept while a command rewrites it (`store.rewriting`): under its
# name, being made, and being removed.
SIGNED_COPY = ".signed"
COPY_BEGUN = f"{SIGNED_COPY}.partial"
COPY_DONE = f"{SIGNED_COPY}.done"
_SKIP = {MANIFEST, SIGNATURE}
OPEN, INTERRUPTED, FINISHED = "open", "interrupted", "finished"
STATES = (OPEN, INTERRUPTED, FINISHED)


def default_key_path() -> Path:
    configured = os.environ.get("INSPECTOR_KEY")
    if configured:
        return Path(configured)
    return (Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
            / "inspector" / "inspector_ed25519.pem")


def keygen(path: Path, *, overwrite: bool = False) -> Path:
    """Write a new private key (mode 0600) and its public key beside it (`.pub`)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; remove it first to make a new key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH)
    # Each whole or not there, the private key last: a keygen killed half-way left an empty
    # key, which nothing could then sign with nor `keygen` replace.
    atomic_write(path.with_suffix(".pub"), public + b"\n")
    atomic_write(path, pem)
    return path


def trusted_keys_path() -> Path:
    """Public keys of other inspectors this one was told to trust, one OpenSSH line each."""
    return default_key_path().parent / "trusted_keys"


def own_public_key(key_path: Path | None = None) -> str | None:
    """This inspector's public key (OpenSSH text), or None before its key exists. Read from
    the `.pub` beside the private key, or from the private key itself when only it was kept
    (copied alone to a new machine, say): the key that signs this inspector's runs is its own."""
    private = key_path or default_key_path()
    public = private.with_suffix(".pub")
    if public.is_file():
        return public.read_text().strip()
    if not private.is_file():
        return None
    return _public_openssh(_load_private(private).public_key())


def same_key(a: str, b: str) -> bool:
    """Two OpenSSH public key lines name the same key (comments aside)."""
    return a.split()[:2] == b.split()[:2]


def _load_private(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _public_openssh(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    text: str = key.public_bytes(serialization.Encoding.OpenSSH,
                                 serialization.PublicFormat.OpenSSH).decode()
    return text


def read_public_key(path: Path) -> str:
    """The Ed25519 public key, OpenSSH text, in the file a user pinned (`--public-key`); a
    file that holds none, or is no file, is one line naming it, not a traceback."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        text = path.read_text(encoding="utf-8").strip()
        if isinstance(serialization.load_ssh_public_key(text.encode()), Ed25519PublicKey):
            return text
        why = "a public key of another kind than Ed25519, which signs every run"
    except (OSError, UnicodeDecodeError) as exc:
        why = f"it cannot be read ({exc.strerror or type(exc).__name__})" if isinstance(
            exc, OSError) else "it is not text"
    except (ValueError, UnsupportedAlgorithm):
        why = "it holds no public key in OpenSSH form (`ssh-ed25519 AAAA...`)"
    raise ValueError(f"--public-key {path}: {why}; give the signer's .pub file, as "
                     "`inspector keygen` writes it")


def fingerprint(public_openssh: str) -> str:
    return key_fingerprint(base64.b64decode(public_openssh.split()[1]))


def key_fingerprint(blob: bytes) -> str:
    """A public key's fingerprint as OpenSSH prints it (`ssh-keygen -l`): SHA256:base64."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _files(run_dir: Path, state: str) -> Iterator[tuple[str, str]]:
    root = str(run_dir)
    for rel in _under(run_dir, ".", state):
        # Joined as strings: a `Path` for each of a run's files took a third of its signing.
        if rel not in _SKIP and (digest := plain_digest(os.path.join(root, rel))) is not None:
            yield rel, digest


def plain_digest(path: str | Path) -> str | None:
    """The sha256 of a plain file, as every file a run writes is; None for anything else
    found in a run (a symlink, a pipe), put there by someone else: it is never hashed
    (through a symlink the hash would be of a file outside the run; a pipe would hang the
    reader) nor signed, and `verify` names it. One `lstat`, which the hashing reuses."""
    st = _plain_stat(path)
    return sha256_file(path, st) if st is not None else None


def _plain_stat(path: str | Path) -> os.stat_result | None:
    """The `lstat` of a plain file; None for anything else, or nothing (see `plain_digest`)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def sign_run(run_dir: Path, key_path: Path, files: Iterable[tuple[str, str]] | None = None, *,
             state: str = FINISHED, follows: Sequence[str] = (), name: str | None = None) -> Path:
    """Write manifest.json for the run's files (every one hashed now, unless the files and
    their sha256 are given) and manifest.sig over its bytes. `follows`: the sha256 of each
    manifest of the run signed before, oldest first (`Seal.lineage`), so that a signing made
    over an earlier state of the run, put back, is told from one over its last. `name`: the
    run's, where its folder is not yet named so (`store.start_run`)."""
    if state not in STATES:
        raise ValueError(f"unknown run state {state!r}")
    key = _load_private(key_path)
    public = _public_openssh(key.public_key())
    # signed_at to the microsecond: the fleet store keeps the newest signing of a run, and a
    # rerun can sign it again within the second.
    about = {"run": name or run_dir.name, "state": state, "signed_at": utc_now(exact=True),
             "public_key": public, "key_fingerprint": fingerprint(public),
             "follows": list(follows)}
    body = _manifest_body(about, _files(run_dir, state) if files is None else files)
    atomic_write(run_dir / MANIFEST, body)
    atomic_write(run_dir / SIGNATURE, base64.b64encode(key.sign(body)) + b"\n")
    return run_dir / MANIFEST


def _manifest_body(about: dict[str, Any], files: Iterable[tuple[str, str]]) -> bytearray:
    """The manifest's bytes, as `json.dumps(..., indent=2)` lays them out: the keys sorted
    ("files" first), the files in the order given, each one line as it comes, never held as
    a dictionary. (A run of 10,000 chassis has 230,000 files: as a dictionary and its JSON
    encoding, they were the largest memory of the whole run, at its very end.)"""
    body = bytearray(b'{\n  "files": {')
    count = 0
    for count, (rel, digest) in enumerate(files, 1):
        body += b'%s\n    %s: "%s"' % (b"," if count > 1 else b"", json.dumps(rel).encode(),
                                        digest.encode())
    body += b"\n  }," if count else b"},"
    body += json.dumps(about, indent=2, sort_keys=True).encode()[1:] + b"\n"
    return body


class RunAltered(ValueError):
    """The run's files are not what its signature covers."""

    @classmethod
    def during(cls, run_dir: Path, lines: Iterable[str], *, see_verify: bool = False
               ) -> RunAltered:
        """Someone changed the run while a command wrote it: `lines` name each file so."""
        return cls(f"{run_dir} was changed while this command ran"
                   + ("; see `inspector verify`" if see_verify else "") + ":\n"
                   + "\n".join(lines))


def _signature_problem(run_dir: Path, body: bytes, public_key: str) -> str | None:
    """What is wrong with the run's signature of `body` under `public_key` (OpenSSH text,
    a key the caller trusts: never merely the one the manifest carries), or None."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_ssh_public_key(public_key.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the manifest's key is not an Ed25519 key")
        written = (run_dir / SIGNATURE).read_bytes()
        signature = base64.b64decode(written.removesuffix(b"\n"), validate=True)
        # Only the signature as this inspector writes it: base64 would pass over anything
        # else (added characters, the unused bits of its last digit).
        if base64.b64encode(signature) + b"\n" != written:
            raise ValueError("not the signature as written")
        key.verify(signature, body)
    except FileNotFoundError:
        return f"no {SIGNATURE}: the manifest is not signed"
    except (InvalidSignature, ValueError):
        return f"{MANIFEST} does not match its signature: it was altered"
    return None


def _read_manifest(run_dir: Path) -> tuple[bytes, dict[str, Any]]:
    """The manifest's bytes and content. Raises RunAltered when it is missing or not one."""
    try:
        body = (run_dir / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise RunAltered(
            f"{run_dir}: no {MANIFEST}: every run is signed from the moment it starts, so "
            "this one was altered (or is not a run of this inspector)") from None
    try:
        manifest = json.loads(body)
    except ValueError:
        manifest = None
    if (not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict)
            or manifest.get("state", FINISHED) not in STATES):
        raise RunAltered(f"{run_dir}: {MANIFEST} is not a manifest")
    return body, manifest


class Seal:
    """A run's signed manifest, checked against a key the caller trusts: the files with their
    signed sha256, and the run's state when it was signed.

    Files are found as signed (`require_unchanged`) before anything reads them. On re-signing,
    the files just written are hashed anew, and every other file keeps its signed hash: a change
    made by anyone else stays visible to `verify` instead of being signed over.
    """

    def __init__(self, run_dir: Path, files: dict[str, str], state: str, signer: str,
                 signed_at: str | None = None, *, sha256: str | None = None,
                 follows: tuple[str, ...] = ()) -> None:
        self.run_dir = run_dir
        self.files = files
        self.state = state
        self.signer = signer
        self.signed_at = signed_at
        self.sha256 = sha256  # of manifest.json as signed
        self.follows = follows  # the sha256 of each manifest of the run before it, oldest first

    @property
    def lineage(self) -> tuple[str, ...]:
        """What a manifest signed over this seal follows: this one and those it follows."""
        return (*self.follows, self.sha256) if self.sha256 else self.follows

    def signed_again(self) -> Seal:
        """This seal's files and state, as the manifest just signed over it (`seal_run` with
        this seal as `previous`) now has them, following this one."""
        body = (self.run_dir / MANIFEST).read_bytes()
        return Seal(self.run_dir, self.files, self.state, self.signer,
                    sha256=hashlib.sha256(body).hexdigest(), follows=self.lineage)

    @classmethod
    def read(cls, run_dir: Path, trusted: str) -> Seal:
        """The run's manifest, signed by the key `trusted` (OpenSSH text). Raises RunAltered
        for a run without a manifest, signed by another key, or whose signature fails."""
        body, manifest = _read_manifest(run_dir)
        signer = fingerprint(str(manifest.get("public_key", ""))) if manifest.get(
            "public_key") else "no key"
        if not same_key(str(manifest.get("public_key", "")), trusted):
            raise RunAltered(f"{run_dir}: signed by {signer}, not by the expected key "
                             f"{fingerprint(trusted)}")
        problem = _signature_problem(run_dir, body, trusted)
        if problem:
            raise RunAltered(f"{run_dir}: {problem}")
        follows = manifest.get("follows", [])  # none in a manifest signed before it was kept
        return cls(run_dir, manifest["files"], manifest.get("state", FINISHED), signer,
                   manifest.get("signed_at"), sha256=hashlib.sha256(body).hexdigest(),
                   follows=tuple(str(sha) for sha in follows) if isinstance(follows, list) else ())

    def differences(self, paths: list[str]) -> list[str]:
        """Every file at or under `paths` (relative: `records`, `run.json`) changed, added or
        removed since the run was signed, as `changed records/x.json` and the like."""
        def covered(rel: str) -> bool:
            return any(rel == p or rel.startswith(p + "/") or p == "." for p in paths)

        listed = {rel: digest for rel, digest in self.files.items() if covered(rel)}
        present = {rel for top in paths for rel in _under(self.run_dir, top, self.state)} - _SKIP
        changed, added, removed = _differences(self.run_dir, listed, present)
        return ([f"removed {rel}" for rel in removed]
                + [f"added {rel}{added_note(rel)}" for rel in added]
                + [f"changed {rel}" for rel in changed])

    def added(self) -> list[str]:
        """Every file of the run the seal does not list, found without reading any."""
        return sorted(rel for rel in _under(self.run_dir, ".", self.state)
                      if rel not in self.files and rel not in _SKIP)

    def require_unchanged(self, paths: list[str]) -> None:
        """Raise RunAltered naming every file at or under `paths` that is not as signed."""
        altered(self.run_dir, self.differences(paths))

    def files_after(self, written: Iterable[Path], state: str) -> Iterator[tuple[str, str]]:
        """The files to sign in `state` once the command wrote those `written` (folders: all
        their files; a folder moved away: none left), with their sha256: each file there with
        the digest the command knows it by (it wrote or checked it: `known_digest`), every
        other with its signed hash, whatever it holds now, and none that the seal does not
        list and the command did not write. A file someone else changed, added or removed
        while the command ran, even one it wrote, is therefore never signed over: `verify`
        names it. By folder then name, from one walk of the run: a run of 10,000 chassis has
        230,000 files, never held here as a dictionary of their own."""
        root = str(self.run_dir)
        bases = {top.relative_to(self.run_dir).as_posix() for top in written}
        kept = sum(1 for rel in self.files if not _within(rel, bases))
        seen = 0
        found_whole: Counter[str] = Counter()  # by folder written whole, its files found so
        unknown: Counter[str] = Counter()  # by folder, its files the command does not know
        for rel in _under(self.run_dir, ".", state):
            if _within(rel, bases):
                if rel in _SKIP:
                    continue
                path = os.path.join(root, rel)
                if digest := known_digest(path, found_whole, new=rel not in self.files):
                    yield rel, digest
                    continue
                unknown[os.path.dirname(path)] += 1
                if rel in self.files:  # changed since the command wrote or checked it
                    yield rel, self.files[rel]
            elif rel in self.files:
                seen += 1
                yield rel, self.files[rel]
        if seen < kept:  # signed files no longer there: listed still, so `verify` names them
            present = set(_under(self.run_dir, ".", state))
            yield from sorted((rel, digest) for rel, digest in self.files.items()
                              if rel not in present and not _within(rel, bases))
        # A file the command wrote and someone removed is not there to be left unsigned, and
        # `verify` could not name it: the run would be signed without it, its record still
        # judged on it. Files changed in place are named by `verify` as any others.
        gone = [(folder, written - found_whole[folder] - unknown[folder])
                for folder, written in whole_folders()
                if folder.startswith(f"{root}/") and _within(folder[len(root) + 1:], bases)
                and written > found_whole[folder] + unknown[folder]]
        if gone:
            raise RunAltered.during(self.run_dir, (
                line for folder, count in sorted(gone) for line in _removed(root, folder, count)))


def _removed(root: str, folder: str, count: int) -> list[str]:
    """Lines naming the `count` files removed from `folder`, an evidence folder written
    whole: the outputs its index lists that are gone, the index if outputs are left without
    it, and how many more."""
    rel = folder[len(root) + 1:]
    try:
        names = indexed_files(json.loads(Path(folder, INDEX).read_bytes()))
    except (OSError, ValueError):
        names = [INDEX] if any(name.endswith((".txt", ".txt.gz"))
                               for name in os.listdir(folder)) else []
    named = [f"  removed {rel}/{name}" for name in names
             if not os.path.lexists(os.path.join(folder, name))][:count]
    if len(named) < count:
        more = " more" if named else ""
        named.append(f"  removed {count - len(named)}{more} of the files it wrote in {rel}/")
    return named


def unknown_files(run_dir: Path, tops: list[str], state: str,
                  signed: Container[str] = ()) -> list[str]:
    """The files at or under `tops` (relative) that this process does not know as they are
    now (`known_digest`; `signed`: the paths the run's seal lists): changed, or put there,
    by someone else since it wrote or checked them."""
    root = str(run_dir)
    return [rel for top in tops for rel in _under(run_dir, top, state)
            if known_digest(os.path.join(root, rel), new=rel not in signed) is None]


def _within(rel: str, bases: set[str]) -> bool:
    """Whether `rel` is one of `bases` or under one of them."""
    at = len(rel)
    while at > 0:
        if rel[:at] in bases:
            return True
        at = rel.rfind("/", 0, at)
    return False


def added_note(rel: str) -> str:
    """What to say of a file added to a signed run, beside its name: one named as our own
    temporary files are is most likely a write killed outright (a rerun's record, say), and
    the user should hear how to put the run back as signed. It is still called added: the
    name proves nothing, as anyone can give a file any name."""
    if rel.split("/")[0] in (SIGNED_COPY, COPY_BEGUN, COPY_DONE):
        return (" (the run as last signed, kept while a command rewrote the run: that command "
                "was stopped before it signed; the next rerun, resume or report into the run "
                "puts the run back as signed)")
    if looks_temporary(rel):
        return (" (named as the inspector's own temporary files are, which a command killed "
                "as it wrote leaves behind: if that is what it is, delete it)")
    return ""


def altered(run_dir: Path, found: list[str]) -> None:
    """Raise RunAltered naming every one of `found` (as `Seal.differences` says them)."""
    if found:
        raise RunAltered(f"{run_dir} was altered since it was signed; see `inspector verify`:\n"
                         + "\n".join(f"  {line}" for line in found))


def _differences(run_dir: Path, recorded: dict[str, str], present: set[str],
                 documents: Documents | None = None) -> tuple[list[str], list[str], list[str]]:
    """The files changed, added and removed: those `present` (relative paths) against the
    sha256 `recorded` for them. Each file `documents` wants is read once, hashed from the
    bytes read, and given to it when found as signed; each it reads line by line is given to
    it a block of lines at a time as it is hashed, and said to be found as signed."""
    changed = []
    root = str(run_dir)
    for rel in recorded.keys() & present:
        path = os.path.join(root, rel)
        # Hashed as `plain_digest` does, and vouched for from the same `lstat`.
        if (st := _plain_stat(path)) is None:
            changed.append(rel)
            continue
        data = read = None
        if documents is not None and documents.wants(rel):
            data, digest = read_hashed(path, st)
        elif documents is not None and (read := documents.reads_lines(rel)) is not None:
            digest = read_hashed_lines(path, st, read)
        else:
            digest = sha256_file(path, st)
        if digest != recorded[rel]:
            changed.append(rel)
            continue
        vouch_for(path, st)  # as signed: this process's own, until it changes
        if data is not None and documents is not None:
            documents.take(rel, data)
        elif read is not None and documents is not None:
            documents.took_lines(rel)
    return sorted(changed), sorted(present - recorded.keys()), sorted(recorded.keys() - present)


def _under(run_dir: Path, top: str, state: str) -> Iterator[str]:
    """What is at or under `top` (relative to the run), as relative paths, by folder then
    name, in a run signed (or to be signed) in `state`: every entry but folders, and in a
    run not finished, files being written (`.tmp`: a write under way, or cut short, which a
    resume removes). A finished run has nothing being written: a `.tmp` file there is
    listed like any other, so one added afterwards is named by `verify`. A symlink is
    listed, never followed, whatever it points at. (Strings from `os.scandir`, not `Path`
    objects: a run of 10,000 chassis has 230,000 files, and their `Path`s alone took about
    100 MB.)"""
    temporaries = state == FINISHED
    if top in (".", ""):
        if run_dir.is_dir():
            yield from _walk(str(run_dir), "", temporaries)
        return
    base = run_dir / top
    if base.is_dir() and not base.is_symlink():
        yield from _walk(str(base), base.relative_to(run_dir).as_posix() + "/", temporaries)
    elif os.path.lexists(base) and (temporaries or not base.name.endswith(".tmp")):
        yield base.relative_to(run_dir).as_posix()


def _walk(folder: str, prefix: str, temporaries: bool) -> Iterator[str]:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{prefix}{entry.name}/", temporaries)
        elif temporaries or not entry.name.endswith(".tmp"):
            yield prefix + entry.name


class Documents(Protocol):
    """What a run's files say of each other, checked by `verify_run` beside their digests
    (the run's layout is `inspector.store`'s, not the seal's)."""

    def wants(self, rel: str) -> bool:
        """Whether the file `rel` (relative to the run) is read, not only hashed."""
        ...

    def take(self, rel: str, data: bytes) -> None:
        """A file it wants, with its bytes, found as signed."""
        ...

    def reads_lines(self, rel: str) -> Callable[[bytes], None] | None:
        """Where to give the file `rel`, a block of whole lines at a time as it is hashed,
        where it reads that file so (one too large to hold at once); else None."""
        ...

    def took_lines(self, rel: str) -> None:
        """The file `rel`, given to `reads_lines`, was found as signed."""
        ...

    def disagreements(self, signed: Mapping[str, str], state: str) -> list[str]:
        """Each disagreement between the files taken, and with the files `signed` (with
        their signed sha256), in a run signed in `state`: a line naming the file."""
        ...


@dataclass(kw_only=True)
class Verification:
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # signature or key trouble
    # Where the run's own documents, as signed, disagree (`Documents`): a run not whole.
    disagreements: list[str] = field(default_factory=list)
    signer: str | None = None
    # Why the signer is believed: "this inspector's own key", "the key in X.pub", ...
    trusted_as: str | None = None
    state: str | None = None

    @property
    def as_signed_and_whole(self) -> bool:
        """Every file as the manifest lists it, and the run's documents agreeing: all but
        whether a trusted key signed that manifest."""
        return not (self.changed or self.added or self.removed or self.disagreements)

    @property
    def ok(self) -> bool:
        return not self.problems and self.as_signed_and_whole


def _known_keys() -> list[tuple[str, str]]:
    """The keys `verify` accepts without being told: (key, why it is trusted)."""
    keys = []
    own = own_public_key()
    if own:
        keys.append((own, "this inspector's own key"))
    trusted = trusted_keys_path()
    if trusted.is_file():
        keys += [(line.strip(), f"a key trusted in {trusted}")
                 for line in trusted.read_text().splitlines() if line.strip()]
    return keys


def trust_key(public_key: str) -> Path:
    """Remember another inspector's public key as trusted by `verify`."""
    path = trusted_keys_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(" ".join(public_key.split()[:2]) + "\n")
    return path


def trusted_signer(run_dir: Path, pinned: Iterable[str] = ()) -> str:
    """The trusted key that signed the run: one of `pinned` (OpenSSH text), this inspector's
    own or one trusted before. Raises RunAltered naming the signer when it is none of them.
    Only picks the key: `Seal.read` then checks the signature with it."""
    _, manifest = _read_manifest(run_dir)
    embedded = str(manifest.get("public_key", ""))
    candidates = [*pinned, *(key for key, _ in _known_keys())]
    found = next((key for key in candidates if embedded and same_key(key, embedded)), None)
    if found is None:
        signer = fingerprint(embedded) if embedded else "no key"
        raise RunAltered(f"{run_dir}: signed by {signer}, a key this inspector does not trust: "
                         "pass it with --public-key, or trust it with `inspector verify --trust`")
    return found


def verify_run(run_dir: Path, public_key: Path | None = None, *, trust: bool = False,
               documents: Documents | None = None) -> Verification:
    """Every file of the run against its manifest, and the manifest's signature against a
    trusted key: the one in `public_key`, else this inspector's own or one trusted before,
    else (with `trust`) the key the manifest carries, remembered from then on once the run
    verifies: a key whose signature fails, or that signed a run altered since or not whole,
    is not. `documents`: what the run's files, as signed, must say of each other."""
    result = Verification()
    try:
        body, manifest = _read_manifest(run_dir)
    except RunAltered as exc:
        result.problems.append(str(exc).removeprefix(f"{run_dir}: "))
        return result
    embedded = str(manifest.get("public_key", ""))
    result.signer = fingerprint(embedded) if embedded else "no key"
    result.state = manifest.get("state", FINISHED)
    key: str | None = None
    if public_key is not None:
        key = read_public_key(public_key)
        if same_key(key, embedded):
            result.trusted_as = f"the key in {public_key}"
        else:
            result.problems.append(f"signed by {result.signer}, not by the key in {public_key} "
                                   f"({fingerprint(key)})")
    else:
        known = [(k, why) for k, why in _known_keys() if embedded and same_key(k, embedded)]
        if known:
            key, result.trusted_as = known[0]
        elif trust and embedded:
            key = embedded  # trusted once the run is found good, below
        else:
            own = own_public_key()
            result.problems.append(
                f"signed by {result.signer}, a key this inspector has never seen (its own is "
                f"{fingerprint(own) if own else 'not made yet'}): pin the expected key with "
                "--public-key, or trust this one with --trust")
    if key is not None:
        problem = _signature_problem(run_dir, body, key)
        if problem:
            result.problems.append(problem)
    present = {rel for rel in _under(run_dir, ".", result.state) if rel not in _SKIP}
    signed = manifest["files"]
    result.changed, result.added, result.removed = _differences(
        run_dir, signed, present, documents)
    if documents is not None:
        result.disagreements = documents.disagreements(signed, result.state)
    if key is not None and result.trusted_as is None:  # the key --trust was asked to trust
        if result.ok:
            result.trusted_as = f"trusted from now on in {trust_key(embedded)}"
        else:
            result.problems.insert(0, f"signed by {result.signer}, a key this inspector has "
                                      "never seen: not trusted, as the run it signed does not "
                                      "verify")
    return result


def seal_run(run_dir: Path, key_path: Path | None = None, *, state: str,
             previous: Seal | None = None, written: Iterable[Path] = (),
             name: str | None = None) -> tuple[Path, bool]:
    """Sign the run with the inspector's key, making the key on first use: over every file,
    or given the run's `previous` seal, over it and the files just `written` (folders: all
    their files). Returns the key used and whether it was just created, so the user can be
    told where."""
    key_path = key_path or default_key_path()
    created = not key_path.exists()
    if created:
        keygen(key_path)
    sign_run(run_dir, key_path,
             None if previous is None else previous.files_after(written, state), state=state,
             follows=() if previous is None else previous.lineage, name=name)
    return key_path, created
