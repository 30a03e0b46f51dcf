"""Tamper evidence: a manifest of every file of a run with its sha256, signed with Ed25519.

The manifest embeds the signer's public key so any copy of a run can be checked on its own;
`verify --public-key` pins the key too, so a run re-signed by someone else is caught.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.evidence import utc_now
from inspector.files import atomic_write

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_SKIP = {MANIFEST, SIGNATURE}


def default_key_path() -> Path:
    configured = os.environ.get("INSPECTOR_KEY")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "inspector" / "inspector_ed25519.pem"


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
    blob = base64.b64decode(public_openssh.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(run_dir: Path) -> dict[str, str]:
    found = {}
    for path in sorted(run_dir.rglob("*")):
        rel = path.relative_to(run_dir).as_posix()
        if path.is_file() and rel not in _SKIP and not path.name.endswith(".tmp"):
            found[rel] = _sha256_file(path)
    return found


def sign_run(run_dir: Path, key_path: Path) -> Path:
    """Write manifest.json for every file of the run and manifest.sig over its bytes."""
    key = _load_private(key_path)
    public = _public_openssh(key.public_key())
    manifest = {
        "run": run_dir.name,
        "signed_at": utc_now(),
        "public_key": public,
        "key_fingerprint": fingerprint(public),
        "files": _files(run_dir),
    }
    body = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    atomic_write(run_dir / MANIFEST, body)
    atomic_write(run_dir / SIGNATURE, base64.b64encode(key.sign(body)) + b"\n")
    return run_dir / MANIFEST


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
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    result = Verification()
    manifest_path, signature_path = run_dir / MANIFEST, run_dir / SIGNATURE
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
                f"signed by {result.signer}, not by the key in {public_key} ({fingerprint(pinned)})")
    try:
        key = serialization.load_ssh_public_key(embedded.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the manifest's key is not an Ed25519 key")
        key.verify(base64.b64decode(signature_path.read_bytes()), body)
    except FileNotFoundError:
        result.problems.append(f"no {SIGNATURE}: the manifest is not signed")
    except (InvalidSignature, ValueError):
        result.problems.append(f"{MANIFEST} does not match its signature: it was altered")
    recorded: dict[str, str] = manifest.get("files", {})
    actual = _files(run_dir)
    result.changed = sorted(f for f in recorded if f in actual and actual[f] != recorded[f])
    result.removed = sorted(f for f in recorded if f not in actual)
    result.added = sorted(f for f in actual if f not in recorded)
    return result


def seal_run(run_dir: Path, key_path: Path | None = None) -> tuple[Path, bool]:
    """Sign the run with the inspector's key, making the key on first use.

    Returns the key used and whether it was just created, so the user can be told where.
    """
    key_path = key_path or default_key_path()
    created = not key_path.exists()
    if created:
        keygen(key_path)
    sign_run(run_dir, key_path)
    return key_path, created
