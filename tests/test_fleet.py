"""The fleet store, through the CLI a user runs: signed lab runs added (once, whole, or refused
naming why), a chassis's history, what changed between two inspections, the fleet report,
and several inspectors adding at once, on SQLite and on a real PostgreSQL server where one can
be started here (skipped, saying why, where none can)."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.files import read_json, write_json
from inspector.manifest import FINISHED, OPEN, keygen, seal_run, sign_run
from inspector.store import record_path
from mock_devices.lab import plan_lab, running_lab
from tests.browser import run_chromium
from tests.lab_run import inspector
from tests.postgres import postgres_server

pytestmark = pytest.mark.lab

SPECS = plan_lab(5, "mix")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Four signed lab runs of the same chassis: `before` all healthy but the mix's one
    fault; `again` the same, a little later (the time smart licensing last reported usage
    has moved on); `after` with a supply of the first chassis (a Catalyst 9300) failed;
    `swapped` with that chassis's supply B swapped for one without a serial and a stacking
    cable taken away (so hw.inventory.serials fails), and the second chassis answering no
    `show inventory` at all."""
    base = tmp_path_factory.mktemp("fleet")
    found = {}
    with running_lab(SPECS, inventory_out=base / "inventory") as lab:
        for name in ("before", "again", "after", "swapped"):
            if name == "again":
                time.sleep(1)  # the lab's clock, to the second, shows in what was read
            if name == "after":
                lab.set_scenario(SPECS[0].hostname, "psu_failed")
            if name == "swapped":
                lab.set_scenario(SPECS[0].hostname, "fru_unserialed")
                lab.set_scenario(SPECS[1].hostname, "unsupported_command")
            done = inspector("run", "--inventory", str(base / "inventory"), "--out",
                             str(base / "runs"), "--run-id", name, "--no-show-tech")
            assert done.returncode in (0, 1, 2), done.stderr
            found[name] = base / "runs" / name
    return found


@pytest.fixture(scope="module")
def first(runs: dict[str, Path]) -> dict[str, Any]:
    """The record of the chassis whose supply failed between the runs, as first inspected."""
    return dict(read_json(runs["before"] / "records" / f"{SPECS[0].hostname}.json"))


def _db(tmp_path: Path) -> str:
    return str(tmp_path / "fleet.sqlite")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return inspector(*args, timeout=300)


def _fleet_db(tmp_path: Path, *runs: Path) -> str:
    """A fleet database in `tmp_path` holding `runs`, added through the CLI."""
    db = _db(tmp_path)
    assert _run("store", "add", *map(str, runs), "--db", db).returncode == 0
    return db


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
    nothing = _run("history", "NO-SUCH-SERIAL", "--db", db)
    assert nothing.returncode == 1 and nothing.stdout == ""
    assert nothing.stderr.strip() == "no inspection of serial NO-SUCH-SERIAL in the store"


def test_diff_of_stored_inspections_names_the_check_that_changed(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _fleet_db(tmp_path, runs["before"], runs["after"])
    serial = first["chassis"]["serial"]
    changed = _run("diff", serial, "before", "after", "--db", db, "--json")
    assert changed.returncode == 1, changed.stderr
    changes = json.loads(changed.stdout)["changes"]
    psu = next(c for c in changes if c["field"] == "check/hw.psu.status")
    assert (psu["kind"], psu["before"], psu["after"]) == ("check status", "PASS", "FAIL")
    # Only statuses moved: the FRUs, OS and licenses of the chassis are what they were.
    assert {c["kind"] for c in changes} == {"check status"}
    assert _run("diff", serial, "before", "before", "--db", db).returncode == 0
    quiet = _run("diff", serial, "before", "after", "--db", db, "--ignore", "check/*")
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
    """A failing hw.inventory.serials of a record made before the check listed every unit,
    and their count, lists only its faulty units: the others are not gone."""
    later = copy.deepcopy(first)
    fru_check = next(c for c in later["checks"] if c["id"] == "hw.inventory.serials")
    assert fru_check["evidence"][0] == {"path": "inventory", "actual": len(
        fru_check["evidence"]) - 1}
    fru_check["status"], fru_check["evidence"] = "FAIL", fru_check["evidence"][1:2]
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
    return sum(int(r["inspections"]) for r in _csv_rows(output))


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """The fleet report's CSV table."""
    header, *rows = csv.reader(io.StringIO(path.read_text()))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def postgresql() -> Iterator[str]:
    """One PostgreSQL server for the module's tests, by URL."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("concurrent") / "fleet.sqlite")
        return
    yield request.getfixturevalue("postgresql")


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
        assert context.get_current_revision() == "0005"
        assert compare_metadata(context, metadata) == []


def test_a_store_made_before_keeps_its_runs_and_takes_another_of_the_same_id(
        tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from inspector.fleet.db import MIGRATIONS, store

    db = tmp_path / "made-at-0002.sqlite"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{db}")
    insert = text("INSERT INTO runs (run_id, signer, seal_sha256, started_at, chassis, added_at)"
                  " VALUES ('r', 'SHA256:k', 'aa', :started, 0, '2026-01-02T00:00:00Z')")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(insert, {"started": "2026-01-01T00:00:00Z"})
    engine.dispose()
    with store(str(db)) as engine, engine.begin() as connection:
        connection.execute(insert, {"started": "2026-01-01T00:00:01Z"})
        assert connection.execute(text(
            "SELECT started_at, signed_at FROM runs ORDER BY started_at")).all() == [
                ("2026-01-01T00:00:00Z", None), ("2026-01-01T00:00:01Z", None)]


def test_fleet_report_counts_sites_verdicts_and_disagreeing_chassis(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _fleet_db(tmp_path, runs["before"], runs["after"])
    done = _run("fleet", "report", "--db", db, "--format", "csv", "--output",
                str(tmp_path / "fleet.csv"))
    assert done.returncode == 0, done.stderr
    rows = _csv_rows(tmp_path / "fleet.csv")
    verdicts = [read_json(p)["verdict"] for run in (runs["before"], runs["after"])
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

    db = _fleet_db(tmp_path, runs["before"], runs["after"])
    page = tmp_path / "fleet.html"
    assert _run("fleet", "report", "--db", db, "--output", str(page)).returncode == 0
    dom = lxml_html.fromstring(run_chromium(chromium, page.as_uri(), "--dump-dom",
                                            profile=tmp_path / "profile").stdout)
    verdicts = [read_json(p)["verdict"] for run in (runs["before"], runs["after"])
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
    older = _copy(runs["after"], tmp_path, "taken-before-the-rerun")
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
    # A copy signed before the rerun does not take the store back to what the run said then.
    rolled_back = _run("store", "add", str(older), "--db", db)
    assert rolled_back.returncode == 1 and rolled_back.stdout == ""
    assert f"refused: {older}: signed at " in rolled_back.stderr
    assert "before the copy of this run already stored" in rolled_back.stderr
    assert _history(first["chassis"]["serial"], db) == [stored]
    assert _run("store", "add", str(run), "--db", db).stdout.startswith("unchanged: after")


def test_a_copy_from_before_a_rerun_signed_anew_never_replaces_the_stored_run(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    """A copy of the run taken before a rerun, put back and rerun itself (or given to
    `report --into-run`), was signed anew, later than the stored rerun: the store took it as
    the newest and went back to what the run said before. Each manifest names those of its
    run signed before it; the store takes only a signing that follows the stored one."""
    db = _db(tmp_path)
    run = _copy(runs["after"], tmp_path, "rerun")
    older = _copy(runs["after"], tmp_path, "put-back")
    hostname = first["chassis"]["hostname"]
    signed = hashlib.sha256((run / "manifest.json").read_bytes()).hexdigest()
    assert _run("rerun", str(run), "--host", hostname, "--failed").returncode in (0, 1)
    follows = read_json(run / "manifest.json")["follows"]
    assert len(follows) == 2 and follows[-1] == signed  # the run's open signing, then its end
    assert _run("store", "add", str(run), "--db", db).returncode == 0
    assert _run("report", str(older), "--format", "md", "--into-run").returncode == 0
    assert read_json(older / "manifest.json")["signed_at"] > read_json(
        run / "manifest.json")["signed_at"]
    put_back = _run("store", "add", str(older), "--db", db)
    assert put_back.returncode == 1 and put_back.stdout == "", put_back.stdout
    assert "signed over another state of this run than the copy already stored" in \
        put_back.stderr, put_back.stderr
    # The run itself, signed again, still follows what is stored.
    assert _run("rerun", str(run), "--host", hostname, "--failed").returncode in (0, 1)
    again = _run("store", "add", str(run), "--db", db)
    assert again.returncode == 0 and again.stdout.startswith("replaced: "), again.stderr


def test_a_run_being_written_is_not_stored_nor_called_altered(
        runs: dict[str, Path], tmp_path: Path) -> None:
    """`store add` takes the run's lock as every other command does: while a rerun holds it
    (here, the test), the run is busy, not altered; two adds of one run share it."""
    from inspector.store import reading, writing

    db = _db(tmp_path)
    with writing(runs["before"]):
        busy = _run("store", "add", str(runs["before"]), "--db", db)
    assert busy.returncode == 1 and busy.stdout == ""
    assert busy.stderr.startswith(f"refused: {runs['before']} is in use by another inspector "
                                  "command") and "try again" in busy.stderr
    assert "altered" not in busy.stderr
    assert _stored(db, tmp_path) == 0
    with reading(runs["before"]):
        shared = _run("store", "add", str(runs["before"]), "--db", db)
    assert shared.returncode == 0 and shared.stdout.startswith("added: before")


def test_two_runs_given_the_same_id_are_both_kept(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    """Another run named `before` (as `--run-id before` in another --out folder makes): it
    started at another time, so it is a run of its own, not a rerun of the first."""
    other = _signed_copy(runs["after"], tmp_path / "site-2", "before", "")
    assert read_json(other / "run.json")["started_at"] != read_json(
        runs["before"] / "run.json")["started_at"]
    db = _db(tmp_path)
    done = _run("store", "add", str(runs["before"]), str(other), "--db", db)
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["added", "added"]
    assert _stored(db, tmp_path) == 10
    serial = first["chassis"]["serial"]
    assert [(h["run_id"], h["verdict"]) for h in _history(serial, db)] == [
        ("before", "FAIL"), ("before", "PASS")]
    again = _run("store", "add", str(runs["before"]), str(other), "--db", db)
    assert [line.split(":")[0] for line in again.stdout.splitlines()] == ["unchanged"] * 2
    # Which of the two is meant cannot be told by the id alone: diff says so.
    ambiguous = _run("diff", serial, "before", "after", "--db", db)
    assert ambiguous.returncode == 3 and ambiguous.stderr == (
        f"inspector: serial {serial} has 2 inspections in run before: 2 stored runs are named "
        "before (several inspectors, or runs given one id): compare the record files of "
        "each\n")


def test_only_a_newer_signing_of_a_stored_run_replaces_it(tmp_path: Path) -> None:
    from inspector.fleet.db import StoreRefused, _require_newer

    stored = "2026-03-02T10:00:00.500000Z"
    _require_newer(tmp_path, "2026-03-02T10:00:00.500001Z", stored)
    _require_newer(tmp_path, "2026-03-02T10:00:00Z", None)  # stored before times were kept
    with pytest.raises(StoreRefused, match="before the copy of this run already stored"):
        _require_newer(tmp_path, "2026-03-02T10:00:00.499999Z", stored)
    # A manifest signed to the second, before signing times had microseconds, is compared
    # as a time: 10:00:00 is before 10:00:00.5, whatever the text sorts as.
    with pytest.raises(StoreRefused, match="before the copy"):
        _require_newer(tmp_path, "2026-03-02T10:00:00Z", stored)
    with pytest.raises(StoreRefused, match="which is newer cannot be told"):
        _require_newer(tmp_path, "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z")


def test_diff_refuses_a_record_of_a_schema_it_cannot_read(
        first: dict[str, Any], tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", first)
    write_json(tmp_path / "b.json", {**first, "schema_version": 99})
    done = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert done.returncode == 3 and "schema_version 99" in done.stderr


# --------------------------------------------------------------------------- FRUs kept

def test_units_are_kept_and_compared_when_the_serial_check_failed(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    """The swapped chassis fails hw.inventory.serials (a supply without a serial), and its
    record still lists every unit: the diff names the supply re-serialed and the stacking
    cable removed, and nothing else of the units."""
    db = _fleet_db(tmp_path, runs["before"], runs["swapped"])
    serial = first["chassis"]["serial"]
    latest, earlier = _history(serial, db)
    assert latest["run_id"] == "swapped" and "hw.inventory.serials" in latest["failed"]
    assert latest["frus"] is not None and earlier["frus"] is not None
    assert set(earlier["frus"]) - set(latest["frus"]) == {"StackPort1/2"}
    assert latest["frus"]["Switch 1 - Power Supply B"] == "PWR-C1-715WAC-P SN -"

    done = _run("diff", serial, "before", "swapped", "--db", db, "--json")
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)
    assert found["notes"] == []
    units = {c["field"]: (c["kind"], c["before"], c["after"]) for c in found["changes"]
             if c["field"].startswith("fru/")}
    supply_b = earlier["frus"]["Switch 1 - Power Supply B"]
    assert units == {
        "fru/StackPort1/2": ("FRU removed", earlier["frus"]["StackPort1/2"], None),
        "fru/Switch 1 - Power Supply B": ("FRU re-serialed", supply_b, "PWR-C1-715WAC-P SN -"),
    }
    assert {"field": "check/hw.inventory.serials", "kind": "check status", "before": "PASS",
            "after": "FAIL"} in [{k: c[k] for k in ("field", "kind", "before", "after")}
                                 for c in found["changes"]]
    text = _run("diff", serial, "before", "swapped", "--db", db).stdout
    assert "FRU re-serialed: fru/Switch 1 - Power Supply B: " in text
    assert "FRU removed: fru/StackPort1/2: " in text


def test_a_unit_list_not_read_is_said_so_not_taken_for_an_empty_one(
        runs: dict[str, Path], tmp_path: Path) -> None:
    """The second chassis answered no `show inventory` in the swapped run: its serial is not
    known either, so it is found by hostname, and compared as record files."""
    db = _fleet_db(tmp_path, runs["before"], runs["swapped"])
    hostname = SPECS[1].hostname
    record = read_json(runs["swapped"] / "records" / f"{hostname}.json")
    fru_check = next(c for c in record["checks"] if c["id"] == "hw.inventory.serials")
    assert fru_check["status"] == "ERROR" and fru_check["evidence"] == []
    done = _run("history", "--hostname", hostname, "--db", db, "--json")
    latest, earlier = json.loads(done.stdout)
    assert latest["run_id"] == "swapped" and latest["frus"] is None
    assert earlier["frus"]  # read, and not empty, the run before
    lines = _run("history", "--hostname", hostname, "--db", db).stdout.splitlines()
    assert "units: not read" in lines[0] and "units: not read" not in lines[1]
    done = _run("diff", str(runs["before"] / "records" / f"{hostname}.json"),
                str(runs["swapped"] / "records" / f"{hostname}.json"), "--json")
    found = json.loads(done.stdout)
    assert not [c for c in found["changes"] if c["field"].startswith("fru/")]
    assert found["notes"] == [
        "serial not read in run swapped: not known to be the same chassis",
        "FRUs not compared: the unit list was not read in run swapped "
        "(hw.inventory.serials did not list every unit)"]


# --------------------------------------------------------------------------- moving fields

def test_fields_that_always_move_are_left_out_unless_all_fields_are_asked(
        first: dict[str, Any], tmp_path: Path) -> None:
    a = first  # a Catalyst 9300 on smart licensing: it says when usage was last reported
    later = copy.deepcopy(a)
    later["finished_at"] = "2099-01-01T01:00:00Z"
    lic = next(c for c in later["checks"] if any(
        e["path"] == "license/usage_reporting/last_ack" for e in c["evidence"]))
    ack = next(e for e in lic["evidence"] if e["path"] == "license/usage_reporting/last_ack")
    ack["actual"] = f"{ack['actual']} (an hour later)"
    write_json(tmp_path / "a.json", a)
    write_json(tmp_path / "b.json", later)
    quiet = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert quiet.returncode == 0, quiet.stdout
    assert quiet.stdout.splitlines()[-2:] == [
        "1 change(s) of fields that always move left out (--all-fields shows them)",
        "nothing changed"]
    every = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--all-fields",
                 "--json")
    assert every.returncode == 1
    assert [c["field"] for c in json.loads(every.stdout)["changes"]] == [
        "license/usage_reporting/last_ack"]
    # A real change still counts.
    next(c for c in later["checks"] if c["status"] == "PASS")["status"] = "FAIL"
    write_json(tmp_path / "b.json", later)
    assert _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json")).returncode == 1
    from inspector.fleet import MOVING

    assert f"always moving ({', '.join(MOVING)})" in " ".join(
        _run("diff", "--help").stdout.split())


def test_two_inspections_of_an_unchanged_lab_chassis_diff_as_nothing_changed(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    db = _fleet_db(tmp_path, runs["before"], runs["again"])
    serial = first["chassis"]["serial"]
    done = _run("diff", serial, "before", "again", "--db", db, "--json")
    assert done.returncode == 0, done.stdout
    found = json.loads(done.stdout)
    assert found["changes"] == [] and found["notes"] == []
    assert found["moving_left_out"] == 1  # license/usage_reporting/last_ack, a second later
    every = _run("diff", serial, "before", "again", "--db", db, "--all-fields", "--json")
    assert every.returncode == 1
    assert [c["field"] for c in json.loads(every.stdout)["changes"]] == [
        "license/usage_reporting/last_ack"]


# --------------------------------------------------------------------------- report filters

def _elsewhere(run: Path, out: Path, run_id: str, site: str, month: str) -> Path:
    """`run`'s records signed again as another site's run of another month (the chassis given
    serials of their own)."""
    target = _signed_copy(run, out, run_id, "-X")
    for path in sorted((target / "records").glob("*.json")):
        record = read_json(path)
        record["site"] = site
        record["finished_at"] = month + record["finished_at"][7:]
        write_json(path, record)
    seal_run(target, state=FINISHED)
    return target


def test_fleet_report_filters_by_site_and_dates_and_says_so(
        runs: dict[str, Path], first: dict[str, Any], chromium: str, tmp_path: Path) -> None:
    from lxml import html as lxml_html

    old = _elsewhere(runs["before"], tmp_path, "old", "Depot North", "2025-01")
    db = _fleet_db(tmp_path, runs["before"], old)
    month = first["finished_at"][:7]

    def report(*filters: str) -> list[dict[str, str]]:
        output = tmp_path / "f.csv"
        done = _run("fleet", "report", "--db", db, "--format", "csv", "--output", str(output),
                    *filters)
        assert done.returncode == 0, done.stderr
        return _csv_rows(output)

    def counted(rows: list[dict[str, str]]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for r in rows:
            found[r["site"], r["month"]] = found.get((r["site"], r["month"]), 0) + \
                int(r["inspections"])
        return found

    assert counted(report()) == {(first["site"], month): 5, ("Depot North", "2025-01"): 5}
    assert counted(report("--site", first["site"])) == {(first["site"], month): 5}
    assert counted(report("--site", first["site"], "--site", "Depot North")) == \
        counted(report())
    assert counted(report("--since", month)) == {(first["site"], month): 5}
    assert counted(report("--until", "2025-01")) == {("Depot North", "2025-01"): 5}
    assert counted(report("--since", "2025-01-01", "--until", "2025-01-31")) == \
        {("Depot North", "2025-01"): 5}
    assert report("--until", "2024-12-31") == []
    assert (tmp_path / "f.csv").read_text().splitlines() == ["site,month,tier,verdict,inspections"]

    for bad, why in ((("--since", "2025-13"),
                      "--since '2025-13': give a date as YYYY-MM-DD or a month as YYYY-MM"),
                     (("--since", "2025-02", "--until", "2025-01"),
                      "--since 2025-02 is after --until 2025-01")):
        refused = _run("fleet", "report", "--db", db, "--output", str(tmp_path / "x.html"),
                       *bad)
        assert refused.returncode == 3 and refused.stderr.strip() == f"inspector: {why}"
        assert not (tmp_path / "x.html").exists()

    page = tmp_path / "fleet.html"
    assert _run("fleet", "report", "--db", db, "--output", str(page), "--site", "Depot North",
                "--until", "2025-01").returncode == 0
    dom = lxml_html.fromstring(run_chromium(chromium, page.as_uri(), "--dump-dom",
                                            profile=tmp_path / "profile").stdout)
    assert dom.xpath("//p[@id='filters']")[0].text_content() == (
        "Filters: site Depot North; inspected from the first to 2025-01 (UTC)")
    assert dom.xpath("//span[@data-count='inspections']")[0].text_content() == "5"
    assert dom.xpath("//span[@data-count='runs']")[0].text_content() == "1"
    bars = dom.xpath("//*[@id='chart-site']//*[@class='bar']")
    assert {b.get("data-label") for b in bars} == {"Depot North"}


# --------------------------------------------------------------------------- by hostname

def test_history_by_hostname_lists_every_serial_seen_under_it(
        runs: dict[str, Path], first: dict[str, Any], tmp_path: Path) -> None:
    # The same hostname later given to another chassis (the copy's serials differ).
    moved = _elsewhere(runs["after"], tmp_path, "moved", first["site"], "2099-01")
    db = _fleet_db(tmp_path, runs["before"], runs["after"], moved)
    hostname = first["chassis"]["hostname"]
    done = _run("history", "--hostname", hostname, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(h["run_id"], h["serial"]) for h in found] == [
        ("moved", first["chassis"]["serial"] + "-X"), ("after", first["chassis"]["serial"]),
        ("before", first["chassis"]["serial"])]
    lines = _run("history", "--hostname", hostname, "--db", db).stdout.splitlines()
    assert len(lines) == 3 and f"serial {first['chassis']['serial']}-X " in lines[0]

    nothing = _run("history", "--hostname", "no-such-host", "--db", db)
    assert nothing.returncode == 1 and nothing.stdout == ""
    assert nothing.stderr.strip() == "no inspection of hostname no-such-host in the store"
    both = _run("history", first["chassis"]["serial"], "--hostname", hostname, "--db", db)
    assert both.returncode == 3 and "a SERIAL or --hostname NAME, not both" in both.stderr
    assert _run("history", "--db", db).returncode == 3


def test_units_of_a_passing_check_made_before_the_count_are_still_compared(
        first: dict[str, Any], tmp_path: Path) -> None:
    """Records made before hw.inventory.serials opened its list with the count: a passing
    check listed every unit then too."""
    old = copy.deepcopy(first)
    fru_check = next(c for c in old["checks"] if c["id"] == "hw.inventory.serials")
    fru_check["evidence"] = [e for e in fru_check["evidence"] if e["path"] != "inventory"]
    later = copy.deepcopy(old)
    gone = next(c for c in later["checks"] if c["id"] == "hw.inventory.serials")["evidence"].pop()
    write_json(tmp_path / "a.json", old)
    write_json(tmp_path / "b.json", later)
    done = _run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json")
    assert done.returncode == 1
    assert [(c["kind"], c["field"]) for c in json.loads(done.stdout)["changes"]] == [
        ("FRU removed", gone["path"].replace("inventory/", "fru/", 1))]


def _fabricated_run(out: Path, run_id: str, records: list[dict[str, Any]]) -> Path:
    """A finished run this inspector signed, whole, of `records` (their run id made
    `run_id`)."""
    target = out / run_id
    (target / "records").mkdir(parents=True)
    hosts = [record["chassis"]["hostname"] for record in records]
    write_json(target / "run.json", {
        "run_id": run_id, "started_at": "2026-03-02T10:00:00Z", "hosts": hosts,
        "verdicts": {record["chassis"]["hostname"]: record["verdict"] for record in records}})
    for record in records:
        write_json(record_path(target, record["chassis"]["hostname"]),
                   {**record, "run_id": run_id})
    seal_run(target, state=FINISHED)
    return target


def test_what_a_record_says_of_a_chassis_is_stored_whatever_its_length(
        postgresql: str, tmp_path: Path) -> None:
    """A NetBox platform slug the inspector does not know is kept as the chassis's platform
    (up to 100 characters in NetBox), an inventory's host name may be 400 characters, and a
    device may print a serial over 100: PostgreSQL refused the whole run over any of them,
    with a traceback, where SQLite stored it."""
    from tests.test_reports import fabricate_records

    record = fabricate_records(1)[0]
    slug = "cisco-catalyst-9300-series-switches-ios-xe-17-release-train"  # 59 characters
    hostname, serial = "sw-" + "a" * 397, "FOC" + "9" * 147
    record["chassis"] = {**record["chassis"], "platform": slug, "hostname": hostname,
                         "serial": serial}
    run = _fabricated_run(tmp_path, "long", [record])
    added = _run("store", "add", str(run), "--db", postgresql)
    assert added.returncode == 0, added.stderr
    [stored] = _history(serial, postgresql)
    assert (stored["platform"], stored["hostname"]) == (slug, hostname)


def test_a_store_that_cannot_be_used_is_named_with_why_in_one_line(tmp_path: Path) -> None:
    """A store file that is not a database, or is damaged, ended every command of the store
    with a traceback."""
    not_a_database = tmp_path / "fleet.sqlite"
    not_a_database.write_bytes(b"site,serial\n" * 1000)
    for command in (["history", "FOC1"], ["store", "add", str(tmp_path)],
                    ["fleet", "report", "--output", str(tmp_path / "fleet.html")]):
        done = _run(*command, "--db", str(not_a_database))
        assert (done.returncode, done.stderr) == (3, (
            f"inspector: the fleet store {not_a_database} cannot be used: file is not a "
            "database\n")), command
    assert not (tmp_path / "fleet.html").exists()


def test_a_run_the_store_cannot_hold_is_refused_and_the_others_added(
        postgresql: str, tmp_path: Path) -> None:
    """PostgreSQL holds no NUL in text or JSON, which a record may quote from a device's
    output: the run went in nowhere and `store add` ended with a traceback, adding none of the
    runs given after it. It is refused, saying why, and the others are added."""
    from tests.test_reports import fabricate_records

    good, quoting = fabricate_records(2)
    quoting["chassis"]["version"] = "17.9.4\x00"
    held, refused = (_fabricated_run(tmp_path / name, name, [record])
                     for name, record in (("held", good), ("nul", quoting)))
    done = _run("store", "add", str(refused), str(held), "--db", postgresql)
    assert done.returncode == 1
    assert done.stderr == (f"refused: {refused}: this store cannot hold what its records say: "
                           "PostgreSQL text fields cannot contain NUL (0x00) bytes; nothing of "
                           "the run is stored\n")
    assert done.stdout == f"added: held (1 chassis) from {held}\n"
    assert [i["run_id"] for i in _history(good["chassis"]["serial"], postgresql)] == ["held"]
    assert _history(quoting["chassis"]["serial"], postgresql) == []


def test_a_serial_inspected_under_two_hostnames_in_one_run_is_named_so_by_diff(
        tmp_path: Path) -> None:
    """One run holds one serial under two hostnames (one chassis listed at two addresses, or
    two chassis printing one serial): diff said "runs named ... (several inspectors, or runs
    given one id)", which was not so. It names the hostnames, and the record files to compare."""
    from tests.test_reports import fabricate_records

    record = fabricate_records(1)[0]
    serial = record["chassis"]["serial"]
    twice = [{**record, "chassis": {**record["chassis"], "hostname": name}}
             for name in ("core-a", "core-b")]
    db = _fleet_db(tmp_path, _fabricated_run(tmp_path, "site", twice))
    done = _run("diff", serial, "site", "later", "--db", db)
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr == (
        f"inspector: serial {serial} has 2 inspections in run site: it was inspected under "
        "hostnames core-a and core-b (one chassis listed twice, or chassis that print one "
        "serial); compare their record files, records/core-a.json and records/core-b.json\n")


def test_history_by_hostname_finds_it_however_its_letters_are_typed(tmp_path: Path) -> None:
    """`é` typed as one character (NFC, most keyboards) or as `e` and a combining accent (NFD,
    as macOS names files) is one name to whoever reads it, and a hostname's case tells
    nothing (a run refuses two names that differ only in it): history found the name only in
    the bytes it was stored in."""
    import unicodedata

    from tests.test_reports import fabricate_records

    record = fabricate_records(1)[0]
    stored = unicodedata.normalize("NFC", "Café-core-1")
    record["chassis"] = {**record["chassis"], "hostname": stored}
    db = _fleet_db(tmp_path, _fabricated_run(tmp_path, "site", [record]))
    for typed in (stored, unicodedata.normalize("NFD", stored), "CAFÉ-CORE-1",
                  unicodedata.normalize("NFD", "café-core-1")):
        done = _run("history", "--hostname", typed, "--db", db, "--json")
        assert done.returncode == 0, (typed, done.stderr)
        assert [h["hostname"] for h in json.loads(done.stdout)] == [stored]
    other = _run("history", "--hostname", "Cafe-core-1", "--db", db)
    assert other.returncode == 1 and other.stdout == ""
