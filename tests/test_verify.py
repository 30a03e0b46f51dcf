"""Signed runs: `inspector keygen`, the manifest every run leaves, `inspector verify`.

A lab run is signed with a key made by `keygen`; verify passes on it untouched and fails,
naming each file, once a record is changed, a file added or an evidence file removed; it
fails for a manifest altered or unsigned, and under `--public-key` for a run signed by any
other key, a run re-signed by whoever altered it included. A run whose documents disagree
(run.json and its records, an evidence index and its outputs), re-signed with the run's own
key, fails too, each disagreement named.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from inspector.manifest import FINISHED, INTERRUPTED, OPEN, sign_run
from inspector.store import draw_reports
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

    def failed(document: dict[str, Any]) -> None:  # a check failed, and the verdict with it
        check = _first_check(document, "critical")
        check["status"] = "FAIL"
        document.update(verdict="FAIL", verdict_reason=f"failed: {check['id']}")

    _edit_json(record, failed)
    # The forger updates the record's hash in the manifest: the files agree, the signature not.
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["files"][f"records/{host}.json"] = hashlib.sha256(record.read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1 and "does not match its signature" in done.stdout, done.stdout

    # Re-signed with the forger's own key, run.json made to agree with the record and the
    # reports drawn again, the run is consistent again, but the key is not this inspector's,
    # nor the one pinned.
    _edit_json(run / "run.json", lambda meta: meta["verdicts"].update({host: "FAIL"}))
    draw_reports(run)
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


@pytest.mark.lab
def test_a_bad_signature_is_said_first_and_what_follows_as_vouched_for_by_no_key(
        signed: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """A run altered, not whole and signed by a key this inspector never saw: the key is the
    first thing said, and every line after it is said to compare the files with the manifest
    they came with, which no trusted key vouches for."""
    host = signed["hosts"][0]
    _edit_json(run / "run.json", lambda meta: meta["verdicts"].update({host: "FAIL"}))
    forger = tmp_path / "forger.pem"
    assert inspector("keygen", "--key", str(forger)).returncode == 0
    sign_run(run, forger)
    (run / "planted.txt").write_text("planted\n")
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1
    assert done.stdout.splitlines()[1:] == [
        "problem: no trusted signature vouches for what follows: it compares the run's files "
        "with the manifest they came with, and with each other",
        "added: planted.txt",
        f"not whole: records/{host}.json: verdict PASS, where run.json says FAIL"]
    assert done.stdout.startswith("problem: signed by SHA256:"), done.stdout
    assert "a key this inspector has never seen" in done.stdout.splitlines()[0]


@pytest.mark.lab
@pytest.mark.parametrize("case", ["signature altered", "not whole"])
def test_trust_is_given_only_to_a_key_whose_run_verifies(signed: dict[str, Any], run: Path,
                                                        tmp_path: Path, case: str) -> None:
    """`verify --trust` remembered the key the manifest carries before checking anything: a
    run whose manifest no longer matched its signature, or that its signer made not whole,
    left its key trusted from then on, by this and every later command."""
    forger = tmp_path / "forger.pem"
    assert inspector("keygen", "--key", str(forger)).returncode == 0
    if case == "not whole":
        host = signed["hosts"][0]
        _edit_json(run / "run.json", lambda meta: meta["verdicts"].update({host: "FAIL"}))
    sign_run(run, forger)
    if case == "signature altered":
        manifest = json.loads((run / "manifest.json").read_text())
        manifest["signed_at"] = "2020-01-01T00:00:00Z"
        (run / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    inspector_key = tmp_path / "other" / "key.pem"
    done = _verify(run, "--trust", key=inspector_key)
    assert done.returncode == 1
    assert done.stdout.startswith("problem: signed by SHA256:"), done.stdout
    assert "never seen: not trusted, as the run it signed does not verify" in done.stdout
    assert not (inspector_key.parent / "trusted_keys").exists()
    later = _verify(run, key=inspector_key)
    assert later.returncode == 1 and "a key this inspector has never seen" in later.stdout


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


# --------------------------------------------------------------------------- a run not whole
# Each run below is made inconsistent, then signed again with the run's own key: its signature
# and every digest are good, and only the cross-check of its documents can tell.


def _edit_json(path: Path, edit: Any) -> None:
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _whole(run_dir: Path, public: Path) -> list[str]:
    """What `verify` finds of the run: its disagreements, once every file is as signed."""
    from inspector.manifest import verify_run
    from inspector.store import RunDocuments

    result = verify_run(run_dir, public, documents=RunDocuments())
    assert not (result.changed or result.added or result.removed or result.problems), result
    assert result.ok == (not result.disagreements)
    return result.disagreements


def _without_verdict(host: str) -> Any:
    def edit(meta: dict[str, Any]) -> None:
        del meta["verdicts"][host]
    return edit


@pytest.mark.lab
def test_a_signed_run_whose_documents_disagree_is_named_by_verify_and_fails(
        signed: dict[str, Any], run: Path) -> None:
    host = signed["hosts"][0]
    (run / "records" / f"{host}.json").unlink()
    (run / "evidence" / host / "show_version.txt").unlink()
    draw_reports(run)  # the reports follow the records: only they disagree
    sign_run(run, signed["key"])
    done = _verify(run, key=signed["key"])
    assert done.returncode == 1, done.stdout
    assert done.stdout.splitlines() == [
        f"not whole: run.json: names chassis {host!r}, whose record records/{host}.json is "
        "not in the run",
        f"not whole: evidence/{host}/index.json: names 'show_version.txt', which is not in "
        "the run"], done.stdout


@pytest.mark.lab
def test_the_fleet_store_refuses_a_signed_run_whose_documents_disagree(
        signed: dict[str, Any], run: Path, tmp_path: Path) -> None:
    """`store add` checks what verify checks of run.json and the records: a chassis given a
    verdict without its record, re-signed with the run's key, was stored with one chassis
    fewer than the run says it judged."""
    host = signed["hosts"][0]
    (run / "records" / f"{host}.json").unlink()
    sign_run(run, signed["key"])
    db = str(tmp_path / "fleet.sqlite")
    done = inspector("store", "add", str(run), "--db", db, "--public-key", str(signed["public"]))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr == (f"refused: {run}: the run is not whole: run.json: names chassis "
                           f"{host!r}, whose record records/{host}.json is not in the run\n")
    whole = inspector("store", "add", str(signed["run_dir"]), "--db", db,
                      "--public-key", str(signed["public"]))
    assert whole.returncode == 0, whole.stdout + whole.stderr


@pytest.mark.lab
@pytest.mark.parametrize("case", ["record removed", "record and verdict removed",
                                  "verdict removed", "record under another name",
                                  "verdict changed", "record of another run", "not a record",
                                  "run.json not a summary", "host not listed"])
def test_run_json_and_the_records_must_agree(signed: dict[str, Any], run: Path,
                                             case: str) -> None:
    host, other = signed["hosts"]
    record, meta = run / "records" / f"{host}.json", run / "run.json"
    expected = {
        "record removed": f"run.json: names chassis {host!r}, whose record records/{host}.json "
                          "is not in the run",
        # A finished run has a record for every chassis it lists, verdict or none.
        "record and verdict removed": f"run.json: names chassis {host!r}, whose record "
                                      f"records/{host}.json is not in the run",
        "verdict removed": f"records/{host}.json: a record of chassis {host!r}, which run.json "
                           "does not name",
        "record under another name": f"records/{other}.json: holds the record of chassis "
                                     f"{host!r}, which is records/{host}.json",
        "verdict changed": f"records/{host}.json: verdict PASS, where run.json says FAIL",
        "record of another run": f"records/{host}.json: a record of run 'elsewhere', where "
                                 "run.json is of run 'signed'",
        "not a record": "records/notes.txt: not an inspection record",
        "run.json not a summary": "run.json: not a run's summary (its hosts and verdicts)",
        # A run judges only the chassis it was started to inspect.
        "host not listed": f"run.json: gives chassis {host!r} a verdict, but does not list it "
                           "among the run's hosts",
    }[case]
    assert _whole(run, signed["public"]) == []  # the run as the inspector signed it: whole
    if case in ("record removed", "record and verdict removed"):
        record.unlink()
    if case in ("record and verdict removed", "verdict removed"):
        _edit_json(meta, _without_verdict(host))
    if case == "record under another name":
        shutil.copyfile(record, run / "records" / f"{other}.json")
    if case == "verdict changed":
        _edit_json(meta, lambda m: m["verdicts"].update({host: "FAIL"}))
    if case == "record of another run":
        _edit_json(record, lambda r: r.update(run_id="elsewhere"))
    if case == "not a record":  # (not .json: the session's end holds records to the schema)
        (run / "records" / "notes.txt").write_text("planted\n")
    if case == "run.json not a summary":
        _edit_json(meta, lambda m: m.update(verdicts=[host, other]))
    if case == "host not listed":
        _edit_json(meta, lambda m: m["hosts"].remove(host))
    draw_reports(run)  # the reports follow the records: only they disagree
    sign_run(run, signed["key"])
    assert _whole(run, signed["public"]) == [expected]


@pytest.mark.lab
@pytest.mark.parametrize("case", ["output removed", "output added", "index removed",
                                  "index names a path", "not an index", "output rewritten"])
def test_each_evidence_index_and_its_outputs_must_agree(signed: dict[str, Any], run: Path,
                                                        case: str) -> None:
    host = signed["hosts"][0]
    folder = run / "evidence" / host
    index = folder / "index.json"
    named = [entry["file"] for entry in json.loads(index.read_text())["commands"]
             if "file" in entry]
    if case == "output removed":
        (folder / "show_version.txt").unlink()
        expected = [f"evidence/{host}/index.json: names 'show_version.txt', which is not in "
                    "the run"]
    if case == "output added":
        (folder / "show_extra.txt").write_text("planted\n")
        expected = [f"evidence/{host}/show_extra.txt: an output evidence/{host}/index.json "
                    "does not name"]
    if case == "index removed":
        index.unlink()
        expected = [f"records/{host}.json: judged outputs in evidence/{host}, which has no "
                    "index.json"] + [
            f"evidence/{host}/{name}: an output no index names (evidence/{host} has "
            "no index.json)" for name in sorted(named)]
    if case == "index names a path":  # another chassis's output, named from this index
        other = signed["hosts"][1]
        _edit_json(index, lambda i: i["commands"][0].update(
            file=f"../{other}/show_version.txt"))
        expected = [f"evidence/{host}/index.json: names '../{other}/show_version.txt', which "
                    "is not in the run",
                    f"evidence/{host}/show_version.txt: an output evidence/{host}/index.json "
                    "does not name"]
    if case == "not an index":
        index.write_text('{"commands": {}}\n')
        expected = [f"evidence/{host}/index.json: not an evidence index"]
    if case == "output rewritten":  # what the device said, made to say something else
        output = folder / "show_version.txt"
        given = hashlib.sha256(output.read_bytes()).hexdigest()
        output.write_text(output.read_text().replace("uptime", "up time"))
        now = hashlib.sha256(output.read_bytes()).hexdigest()
        expected = [f"evidence/{host}/show_version.txt: an output of sha256 {now}, where "
                    f"evidence/{host}/index.json gives {given}"]
    sign_run(run, signed["key"])
    assert _whole(run, signed["public"]) == expected


def _first_check(record: dict[str, Any], severity: str) -> dict[str, Any]:
    return next(c for c in record["checks"] if c["severity"] == severity and c["status"] == "PASS")


@pytest.mark.lab
@pytest.mark.parametrize("case", ["critical check failed", "verdict failed with run.json",
                                  "minor failure failing", "minor failure failing, own policy",
                                  "critical check failed, own policy"])
def test_a_records_verdict_must_be_what_its_own_checks_give(signed: dict[str, Any], run: Path,
                                                            case: str) -> None:
    """The verdict is judged again from the record's checks by the rule the run judged by,
    under the policy the record names: the defaults, or a policy not in the run, under which
    minor failures may fail the chassis or not, but a critical one always does."""
    host = signed["hosts"][0]
    record_file = run / "records" / f"{host}.json"
    record = json.loads(record_file.read_text())
    assert record["verdict"] == "PASS"
    critical, minor = _first_check(record, "critical"), _first_check(record, "minor")
    passed = "PASS (every check that applies passed)"
    if case.startswith("critical check failed"):  # the check's status, and nothing else
        critical["status"] = "FAIL"
        expected = [f"records/{host}.json: verdict {passed}, where its checks give FAIL "
                    f"(failed: {critical['id']})"]
    if case == "verdict failed with run.json":
        record.update(verdict="FAIL", verdict_reason=f"failed: {critical['id']}")
        _edit_json(run / "run.json", lambda m: m["verdicts"].update({host: "FAIL"}))
        expected = [f"records/{host}.json: verdict FAIL (failed: {critical['id']}), where its "
                    f"checks give {passed}"]
    if case.startswith("minor failure failing"):
        minor["status"] = "FAIL"
        record.update(verdict="FAIL", verdict_reason=f"failed: {minor['id']}")
        _edit_json(run / "run.json", lambda m: m["verdicts"].update({host: "FAIL"}))
        expected = [f"records/{host}.json: verdict FAIL (failed: {minor['id']}), where its "
                    "checks give PASS (every check that counts passed; reported, not failing "
                    f"the chassis: {minor['id']} (minor))"]
    if case.endswith("own policy"):
        record["judged_with"]["policy_sha256"] = "0" * 64  # one that sets minor failures to fail
        if case.startswith("minor"):
            expected = []
    record_file.write_text(json.dumps(record, indent=2) + "\n")
    draw_reports(run)  # the reports follow the records: only they disagree
    sign_run(run, signed["key"])
    assert _whole(run, signed["public"]) == expected


@pytest.mark.lab
@pytest.mark.parametrize("case", ["sha256 changed", "command not indexed", "attempt's folder",
                                  "output gzipped"])
def test_each_output_a_record_judged_must_be_the_one_its_evidence_index_gives(
        signed: dict[str, Any], run: Path, case: str) -> None:
    """The sha256 a record gives each output its checks read is the one the evidence index
    of the folder they read gives it: else the record stands on evidence the run does not
    hold, whatever its verdict."""
    host = signed["hosts"][0]
    record_file = run / "records" / f"{host}.json"
    record = json.loads(record_file.read_text())
    check = _first_check(record, "critical")
    read = check["commands"][0]
    index = f"evidence/{host}/index.json"
    if case == "sha256 changed":
        given, read["sha256"] = read["sha256"], "0" * 64
        expected = [f"records/{host}.json: judged the output of {read['command']!r} as sha256 "
                    f"{'0' * 64}, where {index} gives {given}"]
    if case == "command not indexed":
        read["command"] = "show planted"
        expected = [f"records/{host}.json: judged an output of 'show planted', which {index} "
                    "does not name"]
    if case == "attempt's folder":  # a rerun's, read from a folder the run does not hold
        check["attempts"] = [
            {"at": record["finished_at"], "mode": mode, "status": check["status"],
             "message": check["message"], "evidence": check["evidence"],
             "commands": check["commands"], "evidence_dir": folder}
            for mode, folder in [("original", f"evidence/{host}"),
                                 ("live", f"evidence/{host}/attempts/x")]]
        expected = [f"records/{host}.json: judged outputs in evidence/{host}/attempts/x, "
                    "which has no index.json"]
    if case == "output gzipped":
        # The output rewritten and kept gzipped, its index naming the file so, its sha256
        # left as judged: a gzipped output's digest is of its text, which is not hashed.
        entries = json.loads((run / index).read_text())
        entry = next(e for e in entries["commands"] if e["command"] == read["command"])
        text = run / "evidence" / host / entry["file"]
        entry["file"] += ".gz"
        text.with_name(entry["file"]).write_bytes(gzip.compress(b"planted\n"))
        text.unlink()
        (run / index).write_text(json.dumps(entries, indent=2) + "\n")
        expected = [f"records/{host}.json: judged the output of {read['command']!r}, which "
                    f"{index} names as kept gzipped ({entry['file']}): no check reads one"]
    record_file.write_text(json.dumps(record, indent=2) + "\n")
    sign_run(run, signed["key"])
    assert _whole(run, signed["public"]) == expected


@pytest.mark.lab
@pytest.mark.parametrize("case", ["record failed, reports left", "suite removed", "piece altered",
                                  "another chassis shown"])
def test_the_reports_and_their_pieces_must_show_each_chassis_as_its_record_says(
        signed: dict[str, Any], run: Path, case: str) -> None:
    """The default reports show every chassis of the run, once in each place, with its
    record's verdict, and count them so; so does each chassis's piece of them that the next
    report drawn would show (one drawn from its record as signed). A report is read for what
    it shows, never drawn again: an older inspector's markup is not a disagreement."""
    host = signed["hosts"][0]
    record = f"records/{host}.json"
    if case == "record failed, reports left":  # the record, its checks and run.json agree
        def failed(document: dict[str, Any]) -> None:
            check = _first_check(document, "critical")
            check["status"] = "FAIL"
            document.update(verdict="FAIL", verdict_reason=f"failed: {check['id']}")

        _edit_json(run / record, failed)
        _edit_json(run / "run.json", lambda m: m["verdicts"].update({host: "FAIL"}))
        expected = [f"report.html: shows chassis {host!r} as PASS in the {place}, where "
                    f"{record} says FAIL" for place in ("chassis table", "section")] + [
            "report.html: counts 0 chassis FAIL, where the records give 1",
            "report.html: counts 2 chassis PASS, where the records give 1",
            f"report.xml: shows chassis {host!r} as PASS in the testsuite, where {record} "
            "says FAIL"]
    if case == "suite removed":
        junit = run / "report.xml"
        text = junit.read_text()
        start = text.index(f'<testsuite name="{host}"')
        junit.write_text(text[:start] + text[text.index("</testsuite>\n", start) + 13:])
        expected = [f"report.xml: does not show chassis {host!r} in the testsuite ({record})"]
    if case == "piece altered":  # the same length: the piece is read whole
        piece = run / "report-parts" / f"{host}.json"
        piece.write_bytes(piece.read_bytes().replace(b'data-verdict="PASS"',
                                                     b'data-verdict="FAIL"'))
        expected = [f"report-parts/{host}.json: shows chassis {host!r} as FAIL and PASS in the "
                    f"{place}, where {record} says PASS"
                    for place in ("chassis table", "section")]
    if case == "another chassis shown":
        html = run / "report.html"
        text = html.read_text()
        row = re.search(f'<tr data-verdict="PASS"><td><a href="#c-{host}">.*\n', text)
        assert row
        html.write_text(text.replace(row[0], row[0] + row[0].replace(f"#c-{host}", "#c-ghost")))
        expected = ["report.html: shows chassis 'ghost', whose record it was not drawn from"]
    sign_run(run, signed["key"])
    assert _whole(run, signed["public"]) == expected


@pytest.mark.lab
def test_a_run_interrupted_or_open_needs_no_record_for_a_chassis_without_verdict(
        signed: dict[str, Any], run: Path) -> None:
    """A run stopped with chassis left lists them in run.json without a verdict, and has no
    record of them: whole, unless it is signed as finished."""
    host = signed["hosts"][0]
    (run / "records" / f"{host}.json").unlink()
    _edit_json(run / "run.json", _without_verdict(host))
    draw_reports(run)  # as the run drew them, without the chassis
    for state in (INTERRUPTED, OPEN):
        sign_run(run, signed["key"], state=state)
        assert _whole(run, signed["public"]) == []
    sign_run(run, signed["key"], state=FINISHED)
    assert _whole(run, signed["public"]) == [
        f"run.json: names chassis {host!r}, whose record records/{host}.json is not in the run"]


@pytest.mark.lab
def test_verify_reads_and_stats_each_file_of_the_run_once(
        signed: dict[str, Any], run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cross-check reads the documents that verify hashes, from the same bytes."""
    import builtins
    from collections import Counter

    import inspector.files
    from inspector.manifest import verify_run
    from inspector.store import RunDocuments

    opened: Counter[str] = Counter()
    stated: Counter[str] = Counter()
    real_open, real_lstat = builtins.open, os.lstat

    def counted_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened[os.fspath(path)] += 1
        return real_open(path, *args, **kwargs)

    def counted_lstat(path: Any, *args: Any, **kwargs: Any) -> Any:
        stated[os.fspath(path)] += 1
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(inspector.files, "open", counted_open, raising=False)
    monkeypatch.setattr(os, "lstat", counted_lstat)
    assert verify_run(run, signed["public"], documents=RunDocuments()).ok
    files = {str(path) for path in run.rglob("*") if path.is_file()} - {
        str(run / "manifest.json"), str(run / "manifest.sig")}
    assert set(opened) == files and set(opened.values()) == {1}
    assert set(stated) == files and set(stated.values()) == {1}


@pytest.mark.lab
@pytest.mark.parametrize("command", ["verify", "store add", "rerun", "report --into-run"])
@pytest.mark.parametrize("given", ["text", "an RSA key", "bytes", "a folder"])
def test_a_pinned_key_file_that_holds_no_signing_key_is_one_line_naming_it(
        signed: dict[str, Any], run: Path, tmp_path: Path, command: str, given: str) -> None:
    """`--public-key` read its file as the key whatever it held: a folder or bytes that are not
    text ended the command with a traceback, and text that is no key with a base64 error
    naming nothing."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pinned = tmp_path / "signer.pub"
    if given == "text":
        pinned.write_text("the signer's key\n")
    elif given == "an RSA key":
        pinned.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=1024)
                           .public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                      serialization.PublicFormat.OpenSSH))
    elif given == "bytes":
        pinned.write_bytes(b"ssh-ed25519 \xff\xfe\n")
    else:
        pinned.mkdir()
    before = _hashes(run)
    args = {"verify": ["verify", str(run)],
            "store add": ["store", "add", str(run), "--db", str(tmp_path / "fleet.sqlite")],
            "rerun": ["rerun", str(run), "--all"],
            "report --into-run": ["report", str(run), "--into-run"]}[command]
    done = inspector(*args, "--public-key", str(pinned),
                     env={"INSPECTOR_KEY": str(signed["key"])})
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.startswith(f"inspector: --public-key {pinned}: "), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert _hashes(run) == before  # nothing written


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.lab
@pytest.mark.parametrize("case", ["a failed chassis eligible", "eligible with its reasons"])
def test_a_record_is_eligible_for_support_only_as_its_program_s_rule_allows(
        signed: dict[str, Any], run: Path, case: str) -> None:
    """The program puts a chassis under support only when its inspection passed and no reason
    stands against it: a failed record, re-signed, claiming to be eligible was verified
    whole."""
    host = signed["hosts"][0]
    record_file = run / "records" / f"{host}.json"
    record = json.loads(record_file.read_text())
    program = record["program"]
    assert program["eligible_for_support"] is False and program["reasons"]
    if case == "a failed chassis eligible":
        critical = _first_check(record, "critical")
        critical["status"] = "FAIL"
        record.update(verdict="FAIL", verdict_reason=f"failed: {critical['id']}")
        _edit_json(run / "run.json", lambda m: m["verdicts"].update({host: "FAIL"}))
        program.update(eligible_for_support=True, reasons=[])
        why = "its verdict is FAIL"
    if case == "eligible with its reasons":
        program["eligible_for_support"] = True
        why = f"it names reasons against it: {program['reasons'][0]}"
    record_file.write_text(json.dumps(record, indent=2) + "\n")
    draw_reports(run)  # the reports follow the records: only the record disagrees
    sign_run(run, signed["key"])
    assert _whole(run, signed["public"]) == [
        f"records/{host}.json: eligible for support, where {why}"]
