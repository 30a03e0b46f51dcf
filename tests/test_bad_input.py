"""Files the inspector reads that are not what it writes (a capture's index.json, a record given
to `diff`): exit 3 and one clear line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lab_run import inspector

BAD_INDEXES = {
    "not json": "{commands: [",
    "a list": "[]",
    "commands not a list": json.dumps({"commands": {"show version": {}}}),
    "a command without its name": json.dumps({"commands": [{"file": "x.txt"}]}),
    "a file that is a number": json.dumps({"commands": [{"command": "show version",
                                                         "file": 5}]}),
    "a session of the wrong shape": json.dumps({"session": {"connected": "yes"}}),
    "a session with unknown fields": json.dumps(
        {"session": {"connected": True, "privileged": True, "password": "x"}}),
    "a hostname that is a list": json.dumps({"hostname": ["a"]}),
}


@pytest.mark.parametrize("case", sorted(BAD_INDEXES))
def test_a_bad_index_is_one_clear_error(case: str, tmp_path: Path) -> None:
    capture = tmp_path / "capture"
    capture.mkdir()
    (capture / "index.json").write_text(BAD_INDEXES[case])
    (capture / "show_version.txt").write_text("Cisco IOS XE Software, Version 17.09.04a\n")
    done = inspector("evaluate", "--capture", str(capture), "--platform", "cisco_xe")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "index.json" in lines[0], done.stderr


@pytest.mark.parametrize("document", ['[1]', '{"schema_version": 2, "chassis": 5}',
                                      '{"schema_version": 2, "run_id": "r", "checks": 5, '
                                      '"started_at": "x", "finished_at": "y", "chassis": {}}'])
def test_diff_of_files_that_are_not_records_is_one_clear_error(document: str,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "not-a-record.json"
    path.write_text(document)
    done = inspector("diff", str(path), str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("inspector: not an inspection record"), done.stderr


def test_the_index_check_knows_every_field_of_a_session() -> None:
    from dataclasses import fields

    from inspector.evidence import _SESSION_FIELDS, Session

    assert set(_SESSION_FIELDS) == {f.name for f in fields(Session)}
