"""Tamper evidence: a manifest of every file of a run with its sha256, signed with Ed25519.

The manifest embeds the signer's public key so any copy of a run can be checked on its own;
`verify --public-key` pins the key too, so a run re-signed by someone else is caught.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.evidence import utc_now
from inspector.files import atomic_write, sha256_file

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_SKIP = {MANIFEST, SIGNATURE}
EVIDENCE = "evidence"


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
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH)
    path.with_suffix(".pub").write_bytes(public + b"\n")
    return path


def _load_private(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _public_openssh(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    text: str = key.public_bytes(serialization.Encoding.OpenSSH,
                                 serialization.PublicFormat.OpenSSH).decode()
    return text


def fingerprint(public_openssh: str) -> str:
    return key_fingerprint(base64.b64decode(public_openssh.split()[1]))


def key_fingerprint(blob: bytes) -> str:
    """A public key's fingerprint as OpenSSH prints it (`ssh-keygen -l`): SHA256:base64."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _files(run_dir: Path) -> dict[str, str]:
    return {rel: sha256_file(run_dir / rel) for rel in _under(run_dir, ".") if rel not in _SKIP}


def sign_run(run_dir: Path, key_path: Path, files: dict[str, str] | None = None) -> Path:
    """Write manifest.json for the run's files (hashed now unless given) and manifest.sig
    over its bytes."""
    key = _load_private(key_path)
    public = _public_openssh(key.public_key())
    manifest = {
        "run": run_dir.name,
        "signed_at": utc_now(),
        "public_key": public,
        "key_fingerprint": fingerprint(public),
        "files": _files(run_dir) if files is None else dict(sorted(files.items())),
    }
    body = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    atomic_write(run_dir / MANIFEST, body)
    atomic_write(run_dir / SIGNATURE, base64.b64encode(key.sign(body)) + b"\n")
    return run_dir / MANIFEST


class RunAltered(ValueError):
    """The run's files are not what its signature covers."""


def _signature_problem(run_dir: Path, body: bytes, manifest: dict[str, Any]) -> str | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_ssh_public_key(manifest.get("public_key", "").encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the manifest's key is not an Ed25519 key")
        key.verify(base64.b64decode((run_dir / SIGNATURE).read_bytes()), body)
    except FileNotFoundError:
        return f"no {SIGNATURE}: the manifest is not signed"
    except (InvalidSignature, ValueError):
        return f"{MANIFEST} does not match its signature: it was altered"
    return None


class Seal:
    """The files of a signed run with their signed sha256, for re-signing it after a rerun.

    The files a rerun reads are first found as signed (`require_unchanged`). On re-signing,
    the files it wrote are hashed anew, and every other file keeps its signed hash: a change
    made by anyone else stays visible to `verify` instead of being signed over.
    """

    def __init__(self, run_dir: Path, files: dict[str, str]) -> None:
        self.run_dir = run_dir
        self.files = files

    @classmethod
    def read(cls, run_dir: Path) -> Seal | None:
        """The run's signed manifest, or None for a run never signed (one cut short).
        Raises RunAltered for a manifest that does not match its signature."""
        try:
            body = (run_dir / MANIFEST).read_bytes()
        except FileNotFoundError:
            return None
        try:
            manifest = json.loads(body)
        except ValueError:
            manifest = None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            raise RunAltered(f"{run_dir}: {MANIFEST} is not a manifest")
        problem = _signature_problem(run_dir, body, manifest)
        if problem:
            raise RunAltered(f"{run_dir}: {problem}")
        return cls(run_dir, manifest["files"])

    def require_unchanged(self, paths: list[str]) -> None:
        """Raise RunAltered naming every file at or under `paths` (relative: `records`,
        `run.json`) changed, added or removed since the run was signed."""
        def covered(rel: str) -> bool:
            return any(rel == p or rel.startswith(p + "/") for p in paths)

        listed = {rel: digest for rel, digest in self.files.items() if covered(rel)}
        present = {rel for top in paths for rel in _under(self.run_dir, top)}
        changed, added, removed = _differences(self.run_dir, listed, present)
        found = ([f"removed {rel}" for rel in removed] + [f"added {rel}" for rel in added]
                 + [f"changed {rel}" for rel in changed])
        if found:
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            raise RunAltered(f"{self.run_dir} was altered since it was signed "
                             f"({'; '.join(found[:5])}{more}): see `inspector verify`")

    def files_after(self, written: Iterable[Path]) -> dict[str, str]:
        """The manifest's files once those `written` (folders: all their files) changed."""
        files = dict(self.files)
        for top in written:
            for rel in _under(self.run_dir, top.relative_to(self.run_dir).as_posix()):
                files[rel] = sha256_file(self.run_dir / rel)
        return files


def _differences(run_dir: Path, recorded: dict[str, str],
                 present: set[str]) -> tuple[list[str], list[str], list[str]]:
    """The files changed, added and removed: those `present` (relative paths) against the
    sha256 `recorded` for them."""
    changed = sorted(rel for rel in recorded
                     if rel in present and sha256_file(run_dir / rel) != recorded[rel])
    return changed, sorted(present - recorded.keys()), sorted(recorded.keys() - present)


def _under(run_dir: Path, top: str) -> list[str]:
    """The files at or under `top` (relative to the run), as relative paths."""
    base = run_dir / top
    paths = [base] if base.is_file() else sorted(base.rglob("*")) if base.is_dir() else []
    return [p.relative_to(run_dir).as_posix() for p in paths
            if p.is_file() and not p.name.endswith(".tmp")]


def outside_evidence(run_dir: Path) -> list[str]:
    """The run's own files, which a rerun rewrites: records, reports, run.json. (The evidence
    folder only grows, one attempt folder per live rerun.)"""
    return sorted(p.name for p in run_dir.iterdir() if p.name not in {EVIDENCE, *_SKIP})


@dataclass(kw_only=True)
class Verification:
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # signature or key trouble
    signer: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed or self.problems)


def verify_run(run_dir: Path, public_key: Path | None = None) -> Verification:
    result = Verification()
    manifest_path = run_dir / MANIFEST
    if not manifest_path.is_file():
        result.problems.append(f"no {MANIFEST}: the run was never signed")
        return result
    body = manifest_path.read_bytes()
    manifest = json.loads(body)
    result.signer = manifest.get("key_fingerprint")
    embedded = manifest.get("public_key", "")
    if public_key is not None:
        pinned = public_key.read_text().strip()
        if " ".join(pinned.split()[:2]) != " ".join(embedded.split()[:2]):
            result.problems.append(
                f"signed by {result.signer}, not by the key in {public_key} "
                f"({fingerprint(pinned)})")
    problem = _signature_problem(run_dir, body, manifest)
    if problem:
        result.problems.append(problem)
    present = {rel for rel in _under(run_dir, ".") if rel not in _SKIP}
    result.changed, result.added, result.removed = _differences(
        run_dir, manifest.get("files", {}), present)
    return result


def seal_run(run_dir: Path, key_path: Path | None = None, *, previous: Seal | None = None,
             written: Iterable[Path] = ()) -> tuple[Path, bool]:
    """Sign the run with the inspector's key, making the key on first use: over every file,
    or given the run's `previous` seal, over it and the files just `written` (folders: all
    their files). Returns the key used and whether it was just created, so the user can be
    told where."""
    key_path = key_path or default_key_path()
    created = not key_path.exists()
    if created:
        keygen(key_path)
    sign_run(run_dir, key_path, None if previous is None else previous.files_after(written))
    return key_path, created
