"""The fleet store, through the CLI a user runs: signed lab runs added (once, whole, or refused
naming why), a chassis's history, what changed between two inspections, the fleet report,
and several inspectors adding at once, on SQLite and on a real PostgreSQL server where one can
be started here (skipped, saying why, where none can)."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.files import read_json, write_json
from inspector.manifest import FINISHED, OPEN, keygen, seal_run, sign_run
from mock_devices.lab import plan_lab, running_lab
from tests.browser import run_chromium
from tests.lab_run import inspector
from tests.postgres import postgres_server

pytestmark = pytest.mark.lab

IGNORE_MOVING = ("--ignore", "license/usage_reporting/*")  # the last report's time, each run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two signed lab runs of the same chassis: `before` all healthy but the mix's one fault,
    `after` with a supply of the first chassis failed in between."""
    base = tmp_path_factory.mktemp("fleet")
    specs = plan_lab(5, "mix")
    found = {}
    with running_lab(specs, inventory_out=base / "inventory") as lab:
        for name in ("before", "after"):
            if name == "after":
                lab.set_scenario(specs[0].hostname, "psu_failed")
            done = inspector("run", "--inventory", str(base / "inventory"), "--out",
                             str(base / "runs"), "--run-id", name, "--no-show-tech")
            assert done.returncode in (0, 1), done.stderr
            found[name] = base / "runs" / name
    return found


@pytest.fixture(scope="module")
def first(runs: dict[str, Path]) -> dict[str, Any]:
    """The record of the chassis whose supply failed between the runs, as first inspected."""
    return dict(read_json(runs["before"] / "records" / f"{plan_lab(5, 'mix')[0].hostname}.json"))


def _db(tmp_path: Path) -> str:
    return str(tmp_path / "fleet.sqlite")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return inspector(*args, timeout=300)


def _history(serial: str, db: str) -> list[dict[str, Any]]:
    done = _run("history", serial, "--db", db, "--json")
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout))


def test_added_once_history_newest_first_with_what_failed(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _db(tmp_path)
    added = _run("store", "add", str(runs["before"]), str(runs["after"]), "--db", db)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        f"added: before (5 chassis) from {runs['before']}",
        f"added: after (5 chassis) from {runs['after']}"]
    again = _run("store", "add", str(runs["after"]), "--db", db)
    assert again.returncode == 0
    assert again.stdout.startswith("unchanged: after (5 chassis)")

    serial = first["chassis"]["serial"]
    history = _history(serial, db)
    assert [h["run_id"] for h in history] == ["after", "before"]
    assert [h["verdict"] for h in history] == ["FAIL", "PASS"]
    assert "hw.psu.status" in history[0]["failed"] and history[1]["failed"] == []
    assert {h["site"] for h in history} == {first["site"]}
    assert history[1]["frus"] and all(" SN " in unit for unit in history[1]["frus"].values())
    text = _run("history", serial, "--db", db)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert len(lines) == 2 and " FAIL " in lines[0] and "hw.psu.status" in lines[0]
    assert _run("history", "NO-SUCH-SERIAL", "--db", db).returncode == 1


def test_diff_of_stored_inspections_names_the_check_that_changed(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _db(tmp_path)
    assert _run("store", "add", str(runs["before"]), str(runs["after"]), "--db", db
                ).returncode == 0
    serial = first["chassis"]["serial"]
    changed = _run("diff", serial, "before", "after", "--db", db, "--json", *IGNORE_MOVING)
    assert changed.returncode == 1, changed.stderr
    changes = json.loads(changed.stdout)["changes"]
    psu = next(c for c in changes if c["field"] == "check/hw.psu.status")
    assert (psu["kind"], psu["before"], psu["after"]) == ("check status", "PASS", "FAIL")
    # Only statuses moved: the FRUs, OS and licenses of the chassis are what they were.
    assert {c["kind"] for c in changes} == {"check status"}
    assert _run("diff", serial, "before", "before", "--db", db).returncode == 0
    quiet = _run("diff", serial, "before", "after", "--db", db, "--ignore", "check/*",
                 *IGNORE_MOVING)
    assert quiet.returncode == 0, quiet.stdout
    assert "ignored" in quiet.stdout and quiet.stdout.splitlines()[-1] == "nothing changed"
    unknown = _run("diff", serial, "before", "nowhere", "--db", db)
    assert unknown.returncode == 3 and "no inspection of serial" in unknown.stderr


def test_diff_of_record_files_finds_units_added_removed_and_reserialed(
        first: dict[str, Any], tmp_path: Path) -> None:
    later = copy.deepcopy(first)
    fru_check = next(c for c in later["checks"] if c["id"] == "hw.inventory.serials")
    assert fru_check["status"] == "PASS" and len(fru_check["evidence"]) >= 3
    removed, reserialed = fru_check["evidence"][-1], fru_check["evidence"][-2]
    fru_check["evidence"].remove(removed)
    pid = reserialed["actual"].split(" SN ")[0]
    reserialed["actual"] = f"{pid} SN XYZ0000NEW1"
    fru_check["evidence"].append({"path": "inventory/Slot 9", "actual": "C9300-NM-8X SN ABC1"})
    later["chassis"]["version"] = "17.12.1"
    write_json(tmp_path / "a.json", first)
    write_json(tmp_path / "b.json", later)
    done = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json")
    assert done.returncode == 1, done.stderr
    kinds = {c["field"]: c["kind"] for c in json.loads(done.stdout)["changes"]}
    assert kinds == {
        removed["path"].replace("inventory/", "fru/", 1): "FRU removed",
        reserialed["path"].replace("inventory/", "fru/", 1): "FRU re-serialed",
        "fru/Slot 9": "FRU added",
        "version": "chassis",
    }
    assert _run("diff", str(tmp_path / "a.json"), str(tmp_path / "a.json")).returncode == 0


def test_units_are_not_compared_when_the_unit_list_is_incomplete(
        first: dict[str, Any], tmp_path: Path) -> None:
    """A failing hw.inventory.serials lists only its faulty units: the others are not gone."""
    later = copy.deepcopy(first)
    fru_check = next(c for c in later["checks"] if c["id"] == "hw.inventory.serials")
    fru_check["status"], fru_check["evidence"] = "FAIL", fru_check["evidence"][:1]
    write_json(tmp_path / "a.json", first)
    write_json(tmp_path / "b.json", later)
    done = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json")
    found = json.loads(done.stdout)
    assert [c["field"] for c in found["changes"]] == ["check/hw.inventory.serials"]
    assert any("FRUs not compared" in note for note in found["notes"])


def _copy(run: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name / run.name
    shutil.copytree(run, target)
    return target


def test_altered_unfinished_and_unknown_signed_runs_are_refused_naming_why(
        runs: dict[str, Path], tmp_path: Path) -> None:
    db = _db(tmp_path)
    altered = _copy(runs["before"], tmp_path, "altered")
    record = sorted((altered / "records").glob("*.json"))[0]
    document = read_json(record)
    document["verdict"] = "PASS"
    document["checks"] = [{**c, "status": "PASS"} if c["status"] == "FAIL" else c
                          for c in document["checks"]]
    write_json(record, document)

    unfinished = _copy(runs["before"], tmp_path, "unfinished")
    seal_run(unfinished, state=OPEN)  # as a run still going, or killed, is signed

    other_key = keygen(tmp_path / "other" / "key.pem")
    foreign = _copy(runs["before"], tmp_path, "foreign")
    sign_run(foreign, other_key, state=FINISHED)

    done = _run("store", "add", str(altered), str(unfinished), str(foreign), "--db", db)
    assert done.returncode == 1 and done.stdout == ""
    refusals = done.stderr.splitlines()
    assert f"changed records/{record.name}" in done.stderr
    assert any(str(unfinished) in line and "open, not finished" in line for line in refusals)
    assert any(str(foreign) in line and "a key this inspector does not trust" in line
               for line in refusals)
    report = _run("fleet", "report", "--db", db, "--format", "csv", "--output",
                  str(tmp_path / "f.csv"))
    assert report.returncode == 0
    assert (tmp_path / "f.csv").read_text().splitlines() == [
        "site,month,tier,verdict,inspections"]  # nothing of any refused run was stored

    pinned = _run("store", "add", str(foreign), "--db", db, "--public-key",
                  str(other_key.with_suffix(".pub")))
    assert pinned.returncode == 0, pinned.stderr


def _signed_copy(run: Path, out: Path, run_id: str, serial_suffix: str) -> Path:
    """A run the test makes and signs: `run`'s records under a new run id, each chassis
    given its own serial, so that every copy adds inspections of its own."""
    target = out / run_id
    (target / "records").mkdir(parents=True)
    meta = read_json(run / "run.json")
    write_json(target / "run.json", {**meta, "run_id": run_id})
    for path in sorted((run / "records").glob("*.json")):
        record = read_json(path)
        record["run_id"] = run_id
        record["chassis"]["serial"] = f"{record['chassis']['serial']}{serial_suffix}"
        write_json(target / "records" / path.name, record)
    seal_run(target, state=FINISHED)
    return target


def _stored(db: str, folder: Path) -> int:
    """Inspections stored, read through the fleet report's CSV."""
    output = folder / "stored.csv"
    done = _run("fleet", "report", "--db", db, "--format", "csv", "--output", str(output))
    assert done.returncode == 0, done.stderr
    return sum(int(r["inspections"]) for r in csv.DictReader(io.StringIO(output.read_text())))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("concurrent") / "fleet.sqlite")
        return
    with postgres_server() as url:
        yield url


def test_inspectors_adding_at_once_lose_nothing(
        runs: dict[str, Path], database: str, tmp_path: Path) -> None:
    copies = [_signed_copy(runs["before"], tmp_path, f"site-{n}", f"-{n}") for n in range(6)]
    # Six inspectors with a run each, and three more all adding the same run.
    commands = [[sys.executable, "-m", "inspector", "store", "add", str(run), "--db", database]
                for run in copies + [runs["after"]] * 3]
    started = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for c in commands]
    outcomes = []
    for process in started:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outcomes.append(out.split(":")[0])
    assert outcomes[:6] == ["added"] * 6
    assert sorted(outcomes[6:]) == ["added", "unchanged", "unchanged"]
    assert _stored(database, tmp_path) == 5 * 7
    serial = read_json(sorted((copies[0] / "records").glob("*.json"))[0])["chassis"]["serial"]
    assert [h["run_id"] for h in _history(serial, database)] == ["site-0"]


def test_the_migrations_make_the_schema_the_code_queries(database: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from inspector.fleet.db import metadata, store

    with store(database) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, metadata) == []


def test_fleet_report_counts_sites_verdicts_and_disagreeing_chassis(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _db(tmp_path)
    assert _run("store", "add", str(runs["before"]), str(runs["after"]), "--db", db
                ).returncode == 0
    done = _run("fleet", "report", "--db", db, "--format", "csv", "--output",
                str(tmp_path / "fleet.csv"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "fleet.csv").read_text())))
    verdicts = [read_json(p)["verdict"] for run in runs.values()
                for p in (run / "records").glob("*.json")]
    for verdict in ("PASS", "FAIL", "ERROR"):
        assert sum(int(r["inspections"]) for r in rows if r["verdict"] == verdict) == \
            verdicts.count(verdict)
    assert {r["site"] for r in rows} == {first["site"]}

    from inspector.fleet.db import fleet_summary, store

    with store(db) as engine:
        summary = fleet_summary(engine)
    assert [d["serial"] for d in summary.disagreeing] == [first["chassis"]["serial"]]
    assert summary.failing_checks[0][0] == "hw.psu.status"
    assert summary.failing_checks[0][1] == 3  # the mix's faulty chassis twice, and ours


def test_fleet_report_html_in_a_browser_shows_counts_and_charts(
        runs: dict[str, Path], chromium: str, tmp_path: Path) -> None:
    from lxml import html as lxml_html

    db = _db(tmp_path)
    assert _run("store", "add", str(runs["before"]), str(runs["after"]), "--db", db
                ).returncode == 0
    page = tmp_path / "fleet.html"
    assert _run("fleet", "report", "--db", db, "--output", str(page)).returncode == 0
    dom = lxml_html.fromstring(run_chromium(chromium, page.as_uri(), "--dump-dom",
                                            profile=tmp_path / "profile").stdout)
    verdicts = [read_json(p)["verdict"] for run in runs.values()
                for p in (run / "records").glob("*.json")]

    def shown(name: str) -> str:
        return str(dom.xpath(f"//span[@data-count='{name}']")[0].text_content())

    assert shown("inspections") == str(len(verdicts)) and shown("runs") == "2"
    assert shown("FAIL") == str(verdicts.count("FAIL"))
    # Each chart's bars add up to every inspection, whichever way it is cut.
    for chart in ("chart-site", "chart-month", "chart-tier"):
        bars = dom.xpath(f"//*[@id='{chart}']//*[@class='bar']")
        assert sum(int(b.get("data-count")) for b in bars) == len(verdicts)
    assert dom.xpath("//table[@id='failing-checks']//td")[0].text_content() == "hw.psu.status"
    assert len(dom.xpath("//table[@id='disagreeing']/tbody/tr")) == 1
    assert not dom.xpath("//script") and not dom.xpath("//img")
    shot = tmp_path / "fleet.png"
    run_chromium(chromium, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,1600",
                 profile=tmp_path / "profile")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_run_signed_again_by_a_rerun_replaces_what_was_stored_of_it(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _db(tmp_path)
    run = _copy(runs["after"], tmp_path, "rerun")
    assert _run("store", "add", str(run), "--db", db).returncode == 0
    rerun = _run("rerun", str(run), "--host", first["chassis"]["hostname"], "--failed")
    assert rerun.returncode in (0, 1), rerun.stderr
    again = _run("store", "add", str(run), "--db", db)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("replaced: after (5 chassis)")
    assert _stored(db, tmp_path) == 5  # the run's chassis once each, not twice
    [stored] = _history(first["chassis"]["serial"], db)
    assert stored["verdict"] == read_json(
        run / "records" / f"{first['chassis']['hostname']}.json")["verdict"]


def test_diff_refuses_a_record_of_a_schema_it_cannot_read(
        first: dict[str, Any], tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", first)
    write_json(tmp_path / "b.json", {**first, "schema_version": 99})
    done = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert done.returncode == 3 and "schema_version 99" in done.stderr
