"""A chassis's evidence is kept while its session runs and written whole by whoever judges it:
every output and the index that names them synced before any of them is under its name."""

from __future__ import annotations

import errno
import gzip
import json
import os
from pathlib import Path

import pytest

import inspector.files as files
from inspector.evidence import INDEX, EvidenceWriter, Session, open_capture
from inspector.files import StorageError


def _writer(folder: Path) -> EvidenceWriter:
    writer = EvidenceWriter(folder, hostname="sw1", platform="cisco_xe")
    writer.add("show version", "Cisco IOS XE Software, Version 17.9.4a\r\n")
    writer.add("show inventory", "% Invalid input detected at '^' marker.\n")
    writer.add("show tech-support", "a support file\n" * 50, compress=True,
               read_by_checks=False)
    writer.add_failure("show environment all", "not collected: timed out")
    return writer


def test_the_session_writes_nothing_and_the_folder_is_written_whole(tmp_path: Path) -> None:
    folder = tmp_path / "sw1"
    writer = _writer(folder)
    pending = writer.finish(Session(connected=True, privileged=True))
    assert not folder.exists()  # nothing on disk before the judging process writes it

    written = pending.write((folder / "context.json", b"{}\n"))  # a file kept with them
    assert [p.name for p in written] == ["show_version.txt", "show_inventory.txt",
                                         "show_tech_support.txt.gz", INDEX, "context.json"]
    assert (folder / "context.json").read_bytes() == b"{}\n"
    # The bytes as the device sent them (line ends too); the support file gzipped.
    assert (folder / "show_version.txt").read_bytes() == (
        b"Cisco IOS XE Software, Version 17.9.4a\r\n")
    assert gzip.decompress((folder / "show_tech_support.txt.gz").read_bytes()) == (
        b"a support file\n" * 50)
    index = json.loads((folder / INDEX).read_text())
    assert index["session"]["connected"] is True
    assert [e["command"] for e in index["commands"]] == [
        "show version", "show inventory", "show tech-support", "show environment all"]

    # Read back, it is what the session judged: the refusal stays a refusal.
    capture = open_capture(folder)
    for command in ("show version", "show inventory", "show tech-support"):
        live, again = writer.outputs[command], capture.output(command)
        assert (again.text, again.error, again.sha256) == (live.text, live.error, live.sha256)
    assert capture.output("show environment all").error == "not collected: timed out"


def test_a_refused_write_leaves_nothing_of_the_folder(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "sw1"
    pending = _writer(folder).finish(Session(connected=True, privileged=True))
    real = files._write_file

    def disk_full_at_the_support_file(tmp: str, data: bytes, **kwargs: bool) -> object:
        if Path(tmp).name.startswith(".show_tech"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(tmp, data, **kwargs)

    monkeypatch.setattr(files, "_write_file", disk_full_at_the_support_file)
    with pytest.raises(StorageError, match="show_tech_support.txt.gz: No space left"):
        pending.write()
    # No index names a file that is not there: nothing is in place, not even a temporary file.
    assert list(folder.iterdir()) == []


def test_an_output_given_up_leaves_no_file_its_index_does_not_name(tmp_path: Path) -> None:
    """A refused show tech is recorded as not collected, the reply quoted: the file its reply
    was first kept in is not written, which no index would name (`inspector verify` says
    so of any file of an evidence folder)."""
    folder = tmp_path / "sw1"
    writer = EvidenceWriter(folder, hostname="sw1", platform="cisco_xe")
    writer.add("show version", "Cisco IOS XE Software, Version 17.9.4a\n")
    refusal = "                 ^\n% Invalid input detected at '^' marker.\n"
    tech = writer.add("show tech-support", refusal, compress=True, read_by_checks=False)
    assert tech.rejected
    writer.add_failure("show tech-support", f"not collected: {tech.error}")
    writer.finish(Session(connected=True, privileged=True)).write()
    index = json.loads((folder / INDEX).read_text())
    named = {entry["file"] for entry in index["commands"] if "file" in entry}
    assert named == {"show_version.txt"}
    assert {path.name for path in folder.iterdir()} == named | {INDEX}
    assert index["commands"][-1]["error"] == (
        "not collected: rejected by the device: % Invalid input detected at '^' marker.")
