"""Signed runs: `inspector keygen`, the manifest every run leaves, `inspector verify`.

A lab run is signed with a key made by `keygen`; verify passes on it untouched and fails,
naming each file, once a record is changed, a file added or an evidence file removed; it
fails for a manifest altered or unsigned, and under `--public-key` for a run signed by any
other key, a run re-signed by whoever altered it included.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from inspector.manifest import FINISHED, INTERRUPTED, OPEN, sign_run
from mock_devices import plan_lab, running_lab
from tests.lab_run import inspector

HOSTS = 2


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("signed")
    key = tmp / "keys" / "inspector.pem"
    made = inspector("keygen", "--key", str(key))
    assert made.returncode == 0, made.stderr
    fingerprint = re.search(r"\((SHA256:[A-Za-z0-9+/]+)\)", made.stdout)
    assert fingerprint, made.stdout
    specs = plan_lab(HOSTS, "healthy")
    with running_lab(specs, inventory_out=tmp / "inventory"):
        done = inspector("run", "--inventory", str(tmp / "inventory"), "--out", str(tmp / "out"),
                         "--run-id", "signed", "--no-show-tech", env={"INSPECTOR_KEY": str(key)})
    assert done.returncode == 0, done.stdout + done.stderr
    return {"run_dir": tmp / "out" / "signed", "key": key, "public": key.with_suffix(".pub"),
            "fingerprint": fingerprint.group(1), "hosts": [s.hostname for s in specs],
            "tmp": tmp}


@pytest.fixture
def run(signed: dict[str, Any], tmp_path: Path) -> Path:
    return Path(shutil.copytree(signed["run_dir"], tmp_path / "run"))


def _verify(run_dir: Path, *extra: str, key: Path | None = None) -> Any:
    """`inspector verify` as the inspector whose key is `key` (its own key, else none)."""
    return inspector("verify", str(run_dir), *extra,
                     env={"INSPECTOR_KEY": str(key or run_dir / "no-such-key.pem")})


@pytest.mark.lab
def test_keygen_makes_a_private_key_only_its_owner_reads_and_a_public_key(
        signed: dict[str, Any], tmp_path: Path) -> None:
    mode = stat.S_IMODE(os.stat(signed["key"]).st_mode)
    assert mode == 0o600
    assert signed["public"].read_text().startswith("ssh-ed25519 ")
    again = inspector("keygen", "--key", str(signed["key"]))
    assert again.returncode == 3 and "exists" in again.stderr  # never replaced by accident
    # INSPECTOR_KEY says where, when --key does not.
    made = inspector("keygen", env={"INSPECTOR_KEY": str(tmp_path / "env-key.pem")})
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "env-key.pem").is_file() and (tmp_path / "env-key.pub").is_file()


@pytest.mark.lab
def test_an_untouched_run_verifies_against_its_key(signed: dict[str, Any], run: Path) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["key_fingerprint"] == signed["fingerprint"]
    assert {f"records/{h}.json" for h in signed["hosts"]} <= set(manifest["files"])
    assert "run.json" in manifest["files"] and "report.html" in manifest["files"]
    done = _verify(run, key=signed["key"])
    assert done.returncode == 0, done.stdout
    assert f"signed by {signed['fingerprint']} (this inspector's own key)" in done.stdout
    assert "the run is finished" in done.stdout
    done = _verify(run, "--public-key", str(signed["public"]))
    assert done.returncode == 0, done.stdout
    assert "the key in" in done.stdout


@pytest.mark.lab
def test_a_changed_record_an_added_file_and_a_removed_evidence_file_are_each_named(
        signed: dict[str, Any], run: Path) -> None:
    host = signed["hosts"][0]
    record = run / "records" / f"{host}.json"
    record.write_text(record.read_text().replace('"verdict": "PASS"', '"verdict": "FAIL"'))
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1 and f"changed: records/{host}.json" in done.stdout, done.stdout

    (run / "evidence" / host / "show_extra.txt").write_text("planted\n")
    (run / "evidence" / signed["hosts"][1] / "show_version.txt").unlink()
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1
    named = set(done.stdout.splitlines())
    assert {f"changed: records/{host}.json", f"added: evidence/{host}/show_extra.txt",
            f"removed: evidence/{signed['hosts'][1]}/show_version.txt"} <= named, done.stdout
    assert "ok:" not in done.stdout


@pytest.mark.lab
def test_a_run_signed_by_another_key_fails_when_the_key_is_pinned(
        signed: dict[str, Any], run: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    assert inspector("keygen", "--key", str(other)).returncode == 0
    done = _verify(run, "--public-key", str(other.with_suffix(".pub")))
    assert done.returncode == 1
    assert f"signed by {signed['fingerprint']}, not by the key in" in done.stdout


@pytest.mark.lab
def test_a_tampered_or_unsigned_manifest_fails(signed: dict[str, Any], run: Path,
                                               tmp_path: Path) -> None:
    host = signed["hosts"][0]
    record = run / "records" / f"{host}.json"
    record.write_text(record.read_text().replace('"verdict": "PASS"', '"verdict": "FAIL"'))
    # The forger updates the record's hash in the manifest: the files agree, the signature not.
    manifest = json.loads((run / "manifest.json").read_text())
    import hashlib

    manifest["files"][f"records/{host}.json"] = hashlib.sha256(record.read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1 and "does not match its signature" in done.stdout, done.stdout

    # Re-signed with the forger's own key, the run is consistent again, but the key is not
    # this inspector's, nor the one pinned.
    forger = tmp_path / "forger.pem"
    assert inspector("keygen", "--key", str(forger)).returncode == 0
    sign_run(run, forger)
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1 and "a key this inspector has never seen" in done.stdout
    assert f"its own is {signed['fingerprint']}" in done.stdout, done.stdout
    done = _verify(run, "--public-key", str(signed["public"]))
    assert done.returncode == 1 and "not by the key in" in done.stdout
    # Told to trust the forger's key (here by an inspector of its own), verify accepts it and
    # remembers it; the key that signed is named either way.
    other_inspector = tmp_path / "other" / "key.pem"
    done = _verify(run, "--trust", key=other_inspector)
    assert done.returncode == 0 and "trusted from now on" in done.stdout, done.stdout
    done = _verify(run, key=other_inspector)
    assert done.returncode == 0 and "a key trusted in" in done.stdout, done.stdout

    (run / "manifest.sig").unlink()
    done = _verify(run, key=forger)
    assert done.returncode == 1 and "not signed" in done.stdout
    (run / "manifest.json").unlink()
    done = _verify(run, key=forger)
    assert done.returncode == 1 and "no manifest.json" in done.stdout


@pytest.mark.parametrize("changed", ["junk!\n", "  \n", "\x00", "AAAA\n", "no line end",
                                     "unused bits"])
def test_a_signature_with_anything_added_fails(signed: dict[str, Any], run: Path,
                                               changed: str) -> None:
    """The signature file holds the signature as written, and its line end: base64's
    lenient decoding let anything else be added to a valid one, its line end go, or the
    unused bits of its last digit change."""
    signature = run / "manifest.sig"
    written = signature.read_bytes()
    if changed == "no line end":
        signature.write_bytes(written.removesuffix(b"\n"))
    elif changed == "unused bits":  # 64 bytes: the digit before `==` has 4 unused bits
        last = written.index(b"=") - 1
        digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        at = digits.index(written[last:last + 1])
        signature.write_bytes(written[:last] + digits[at ^ 1:(at ^ 1) + 1] + written[last + 1:])
        assert base64.b64decode(signature.read_bytes()) == base64.b64decode(written)
    else:
        signature.write_bytes(written + changed.encode())
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1 and "does not match its signature" in done.stdout, done.stdout


def test_verify_of_a_folder_that_is_not_there_is_unusable(tmp_path: Path) -> None:
    done = _verify(tmp_path / "missing")
    assert done.returncode == 3 and "not found" in done.stderr


def test_the_manifest_lists_every_file_by_folder_then_name_as_plain_json(tmp_path: Path) -> None:
    """The manifest is written a line per file, not encoded from a dictionary: it must still
    be exactly the JSON it says, for names JSON must escape, and list each file once."""
    from inspector.files import sha256_file
    from inspector.manifest import keygen, verify_run

    run_dir = tmp_path / "run"
    names = ["run.json", "a-b/x.txt", "a/x.txt", 'quote"d.txt', "back\\slash.txt",
             "é.txt", "line\nbreak.txt", "evidence/.hidden.txt", "evidence/r.txt"]
    for name in names:
        (run_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / name).write_text(name)
    (run_dir / "evidence" / ".r.txt.123.tmp").write_text("a write in progress")
    (run_dir / "empty").mkdir()
    key = keygen(tmp_path / "k.pem")
    sign_run(run_dir, key, state=OPEN)  # a run under way: its files being written are not
    body = (run_dir / "manifest.json").read_bytes()
    manifest = json.loads(body)
    assert manifest["files"] == {name: sha256_file(run_dir / name) for name in names}
    assert list(manifest["files"]) == sorted(names, key=lambda name: name.split("/"))
    assert body == (json.dumps(manifest, indent=2) + "\n").encode()
    assert list(manifest) == sorted(manifest)
    assert verify_run(run_dir, key.with_suffix(".pub")).ok


def test_a_run_without_files_has_an_empty_manifest(tmp_path: Path) -> None:
    from inspector.manifest import keygen, verify_run

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    key = keygen(tmp_path / "k.pem")
    sign_run(run_dir, key)
    body = (run_dir / "manifest.json").read_bytes()
    assert json.loads(body)["files"] == {}
    assert body == (json.dumps(json.loads(body), indent=2) + "\n").encode()
    assert verify_run(run_dir, key.with_suffix(".pub")).ok


@pytest.mark.lab
def test_a_private_key_kept_without_its_public_key_is_still_this_inspectors_own(
        signed: dict[str, Any], run: Path, tmp_path: Path) -> None:
    alone = tmp_path / "moved" / "inspector.pem"  # copied alone to another machine, say
    alone.parent.mkdir()
    shutil.copy2(signed["key"], alone)
    done = _verify(run, key=alone)
    assert done.returncode == 0, done.stdout
    assert f"signed by {signed['fingerprint']} (this inspector's own key)" in done.stdout
    assert not alone.with_suffix(".pub").exists()  # read from the private key, nothing written


@pytest.mark.lab
def test_a_temporary_file_added_to_a_finished_run_is_named(signed: dict[str, Any],
                                                            run: Path) -> None:
    """A finished run has nothing being written: a `.tmp` file put in it afterwards is a file
    its signature does not cover, like any other, wherever it is and whatever it holds."""
    host = signed["hosts"][0]
    for rel, ours in ((f"evidence/{host}/.show_version.txt.1-2.tmp", True),
                      ("records/x.tmp", False), ("x.tmp", False)):
        (run / rel).write_text("Cisco IOS XE Software, Version 17.9.4a\n")
        done = _verify(run, key=signed["key"])
        assert done.returncode == 1 and f"added: {rel}" in done.stdout, (
            done.stdout, done.stderr)
        # Named as a write of ours cut short, it is said to look like one; no other is.
        assert ("own temporary files" in done.stdout) == ours, done.stdout
        (run / rel).unlink()
    assert _verify(run, key=signed["key"]).returncode == 0


@pytest.mark.parametrize("state", [OPEN, INTERRUPTED])
def test_a_write_cut_short_in_a_run_not_finished_is_not_an_alteration(
        tmp_path: Path, state: str) -> None:
    """In a run still open, or interrupted, a `.tmp` file is a write under way or cut short
    (a resume removes it): not signed, not named. Signed as finished, the same file is."""
    from inspector.manifest import keygen, verify_run

    run_dir = tmp_path / "run"
    (run_dir / "evidence" / "sw1").mkdir(parents=True)
    (run_dir / "evidence" / "sw1" / "index.json").write_text("{}")
    key = keygen(tmp_path / "k.pem")
    sign_run(run_dir, key, state=state)
    (run_dir / "evidence" / "sw1" / ".show_version.txt.1-2.tmp").write_text("half an outp")
    assert verify_run(run_dir, key.with_suffix(".pub")).ok

    sign_run(run_dir, key, state=FINISHED)
    assert "evidence/sw1/.show_version.txt.1-2.tmp" in json.loads(
        (run_dir / "manifest.json").read_text())["files"]
    assert verify_run(run_dir, key.with_suffix(".pub")).ok
    (run_dir / "evidence" / "sw1" / ".show_version.txt.1-2.tmp").unlink()
    assert verify_run(run_dir, key.with_suffix(".pub")).removed == [
        "evidence/sw1/.show_version.txt.1-2.tmp"]
