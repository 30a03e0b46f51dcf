"""The fleet store at scale: `store add` of a 1000-chassis run, and `history`, `diff` and the
fleet report's latency once the store holds 100,000 chassis and 1,000,000 inspections.

`python bench/store_bench.py [--chassis 100000] [--inspections 1000000] [--db URL|FILE]`
(`make bench-store`; figures in docs/scale.md)

The records are real: one small healthy-and-faulty lab run is inspected first, and its records
are the templates every generated chassis is copied from (its own hostname, serial, site,
time, and a verdict turned to FAIL for one inspection in ten). The 1000-chassis run is written
and signed as a run folder and added through `inspector store add` itself; the rest of the
store is filled through the same row-making code in large transactions, as many site
inspectors' runs would have filled it over years.

Prints one JSON object of figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from inspector.files import write_json
from inspector.fleet.db import _row, history, inspection, inspections, open_store, runs
from inspector.fleet.inspection import Inspection, diff
from inspector.manifest import FINISHED, seal_run

SITES = [f"site-{n:02d}" for n in range(20)]
RUN_SIZE = 1000


def lab_templates(folder: Path) -> list[dict[str, Any]]:
    """Records of a 12-chassis lab run (every platform, healthy and with the mix's faults)."""
    from mock_devices.lab import plan_lab, running_lab

    with running_lab(plan_lab(12, "mix"), inventory_out=folder / "inventory"):
        done = subprocess.run(
            [sys.executable, "-m", "inspector", "run", "--inventory", str(folder / "inventory"),
             "--out", str(folder / "runs"), "--run-id", "templates", "--no-show-tech"],
            capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1, 2):
        raise SystemExit(f"the lab run failed: {done.stderr[-2000:]}")
    return [json.loads(p.read_text())
            for p in sorted((folder / "runs" / "templates" / "records").glob("*.json"))]


def chassis_record(template: dict[str, Any], *, run_id: str, number: int, site: str,
                   day: str, failed: bool) -> dict[str, Any]:
    record = copy.deepcopy(template)
    record["run_id"], record["site"] = run_id, site
    record["chassis"]["hostname"] = f"chassis-{number:07d}"
    record["chassis"]["serial"] = f"BNC{number:08d}"
    record["started_at"] = record["finished_at"] = f"{day}T12:00:00Z"
    if failed:
        record["verdict"], record["verdict_reason"] = "FAIL", "failed: hw.fan.status"
        for check in record["checks"]:
            if check["id"] == "hw.fan.status":
                check["status"] = "FAIL"
    return record


def _day(n: int) -> str:
    return f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}"


def signed_run(folder: Path, templates: list[dict[str, Any]], run_id: str) -> Path:
    run_dir = folder / run_id
    (run_dir / "records").mkdir(parents=True)
    write_json(run_dir / "run.json", {"run_id": run_id, "started_at": "2026-12-01T12:00:00Z"})
    for n in range(RUN_SIZE):
        record = chassis_record(templates[n % len(templates)], run_id=run_id, number=n,
                                site=SITES[0], day="2026-12-01", failed=n % 10 == 0)
        write_json(run_dir / "records" / f"{record['chassis']['hostname']}.json", record)
    seal_run(run_dir, state=FINISHED)
    return run_dir


def fill(engine: Any, templates: list[dict[str, Any]], chassis: int, total: int) -> None:
    """`total` inspections of `chassis` chassis, in runs of 1000 chassis of one site each."""
    base = [Inspection.of(t) for t in templates]
    from dataclasses import replace

    run_count = total // RUN_SIZE
    for r in range(run_count):
        run_id = f"gen-{r:06d}"
        site, day = SITES[r % len(SITES)], _day(r)
        with engine.begin() as connection:
            key = connection.execute(runs.insert().values(
                run_id=run_id, signer="SHA256:bench", seal_sha256="0" * 64, started_at=day,
                chassis=RUN_SIZE, added_at=day).returning(runs.c.id)).scalar_one()
            rows = []
            for n in range(RUN_SIZE):
                number = (r * RUN_SIZE + n) % chassis
                template = base[number % len(base)]
                failed = (number + r) % 10 == 0
                checks = ({**template.checks, "hw.fan.status": "FAIL"} if failed
                          else template.checks)
                rows.append(_row(key, replace(
                    template, run_id=run_id, site=site, hostname=f"chassis-{number:07d}",
                    serial=f"BNC{number:08d}", inspected_at=f"{day}T12:00:00Z",
                    verdict="FAIL" if failed else template.verdict,
                    verdict_reason="failed: hw.fan.status" if failed else template.verdict_reason,
                    checks=checks)))
            connection.execute(inspections.insert(), rows)
        if r % 100 == 99:
            print(f"  {(r + 1) * RUN_SIZE} inspections stored", file=sys.stderr, flush=True)


def _latency(action: Any, samples: int) -> dict[str, float]:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chassis", type=int, default=100_000)
    parser.add_argument("--inspections", type=int, default=1_000_000)
    parser.add_argument("--db", help="database URL or SQLite file (default: a new SQLite file)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the store and runs made")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        measure(args, work)
    finally:
        if args.keep:
            print(f"kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure(args: argparse.Namespace, work: Path) -> None:
    db = args.db or str(work / "fleet.sqlite")
    figures: dict[str, Any] = {"chassis": args.chassis, "inspections": args.inspections}

    templates = lab_templates(work / "lab")
    run_dir = signed_run(work / "runs", templates, "site-run-1000")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "inspector", "store", "add", str(run_dir),
                           "--db", db], capture_output=True, text=True, check=False)
    figures["store_add_1000_chassis_s"] = round(time.perf_counter() - start, 2)
    if done.returncode != 0:
        raise SystemExit(f"store add failed: {done.stderr}")

    engine = open_store(db)
    start = time.perf_counter()
    fill(engine, templates, args.chassis, args.inspections)
    figures["fill_s"] = round(time.perf_counter() - start, 1)
    if db.endswith(".sqlite"):
        figures["db_bytes"] = Path(db).stat().st_size + sum(
            p.stat().st_size for p in Path(db).parent.glob("fleet.sqlite-*"))
    else:
        from sqlalchemy import text

        with engine.connect() as connection:
            figures["db_bytes"] = connection.execute(
                text("SELECT pg_database_size(current_database())")).scalar_one()

    rng = random.Random(1)
    figures["history_one_chassis"] = _latency(
        lambda: history(engine, f"BNC{rng.randrange(args.chassis):08d}"), args.samples)

    def one_diff() -> None:
        number = rng.randrange(args.chassis)
        found = [i.run_id for i in history(engine, f"BNC{number:08d}")]
        a, b = (inspection(engine, f"BNC{number:08d}", run_id) for run_id in found[:2])
        diff(a, b)

    figures["diff_serial_two_runs"] = _latency(one_diff, args.samples)
    from inspector.fleet.db import fleet_summary

    start = time.perf_counter()
    fleet_summary(engine)
    figures["fleet_summary_s"] = round(time.perf_counter() - start, 1)
    for attempt in ("history_cli_wall_s", "history_cli_again_wall_s"):
        start = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "inspector", "history", "BNC00000042",
                              "--db", db], capture_output=True, text=True, check=False)
        figures[attempt] = round(time.perf_counter() - start, 2)
        assert cli.returncode == 0, cli.stderr
    figures["db"] = "sqlite" if db.endswith(".sqlite") else db.split(":")[0]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
