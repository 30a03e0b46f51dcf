"""The inspector against the plain Nornir approach, on the same lab: `make bench`.

`python bench/bench.py [--sizes 10,100,500,1000] [--workers N] [--no-latency | --latency-only]`

For each size N the lab serves N healthy chassis over SSH on 127.0.0.1 from a thread of this
process, and two subprocesses inspect it in turn with the same number of workers:

- inspector: `inspector run` with the whole catalogue (`--no-show-tech` where the CLI has it),
  which collects, saves evidence, parses, judges and writes a record per chassis;
- baseline: `bench/baseline.py`, nornir-netmiko's `netmiko_send_command(use_genie=True)`, one
  task per command, the same commands, nothing judged or written.

Each is measured from the outside: wall time, CPU seconds of the process and its worker
processes (os.wait4), and peak RSS summed over the process and its workers (sampled from /proc
every 0.1 s; the lab, in this process, is not counted). Then the same with the lab's realistic
latency (a delay at login and per command), where the ideal wall time is the per-chassis time
times ceil(N / workers): the per-chassis time is measured first, on 7 chassis inspected one at
a time, less a run of 1 (which cancels the process's start and finish). Last, the time of
`inspector --help` and of an offline rerun of one check of the largest run.

Prints the figures as Markdown tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere in the repo

from mock_devices import Latency, plan_lab, running_lab, write_inventory  # noqa: E402

# Of the order of real chassis: an SSH login with its banner and prompt takes about a second,
# a show command a fifth of one (more for long outputs, less for short ones).
REALISTIC = Latency(login=1.0, command=0.2)
RERUN_CHECK = "op.interfaces.errors"  # Genie-parsed: the rerun pays Genie's import too
TIMEOUT = 3600.0  # seconds for one run before it is stopped and reported as such


@dataclass(frozen=True, kw_only=True)
class Measured:
    wall: float
    cpu: float  # user + system, the process and the children it waited for
    peak_rss_mb: float  # summed over the process tree, sampled
    returncode: int | None  # None: stopped after TIMEOUT
    output: str


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    pids += _tree(int(child))
    except OSError:
        pass
    return pids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: Sequence[str], env: dict[str, str] | None = None,
            timeout: float = TIMEOUT) -> Measured:
    """Run `command`, returning its wall time, CPU time and peak RSS (with its children)."""
    with tempfile.TemporaryFile("w+") as out:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, **(env or {})}, cwd=ROOT)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.1):
                peak = max(peak, sum(_rss_kb(pid) for pid in _tree(process.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        killer.cancel()
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        timed_out = wall >= timeout
        out.seek(0)
        return Measured(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                        peak_rss_mb=max(peak, usage.ru_maxrss) / 1024,
                        returncode=None if timed_out else process.returncode, output=out.read())


def _inspector() -> list[str]:
    script = Path(sys.executable).with_name("inspector")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "inspector"]


def default_workers() -> int:
    from inspector.cli import run

    return int(next(p.default for p in run.params if p.name == "workers"))


class Sides:
    """How each side is started, and the scratch space its runs write to."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.env = {"INSPECTOR_KEY": str(scratch / "bench-key.pem"), "COLUMNS": "200"}
        usage = subprocess.run([*_inspector(), "run", "--help"], capture_output=True, text=True,
                               check=True).stdout
        self.extra = ["--no-show-tech"] if "--no-show-tech" in usage else []
        self.runs = 0

    def inspector(self, inventory: Path, workers: int, keep: bool = False) -> tuple[Measured, Path]:
        self.runs += 1
        out = self.scratch / "runs"
        run_id = f"run{self.runs}"
        measured = measure([*_inspector(), "run", "--inventory", str(inventory), "--out", str(out),
                            "--run-id", run_id, "--workers", str(workers), *self.extra],
                           env=self.env)
        if not keep:
            shutil.rmtree(out / run_id, ignore_errors=True)
        return measured, out / run_id

    def baseline(self, inventory: Path, workers: int) -> Measured:
        return measure([sys.executable, str(ROOT / "bench" / "baseline.py"), "--inventory",
                        str(inventory), "--workers", str(workers)])


def _ok(side: str, measured: Measured, n: int) -> str:
    if measured.returncode is None:
        return "timed out"
    if side == "inspector":
        line = next((ln for ln in measured.output.splitlines() if f"{n} chassis:" in ln), "")
        if not line:
            return f"exit {measured.returncode}"
        return line.split(":", 1)[1].strip().split(",")[0]  # "1000 passed"
    last = (measured.output.strip().splitlines() or [""])[-1]
    try:
        data = json.loads(last)
        return f"{data['ok']} ok" + (f", {data['chassis'] - data['ok']} failed"
                                     if data["ok"] != data["chassis"] else "")
    except (ValueError, KeyError):
        return f"exit {measured.returncode}"


def per_chassis_time(sides: Sides, scenario: str,
                     latency: Latency) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds one chassis takes on each side, alone: 7 chassis (every platform, one twice)
    one at a time, less 1 chassis alone, over 6; and the rest of the run of 1 chassis, the
    process's start and finish."""
    specs = plan_lab(7, scenario)
    times: dict[str, float] = {}
    fixed: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=sides.scratch) as tmp, \
            running_lab(specs, inventory_out=Path(tmp) / "all", latency=latency):
        write_inventory(specs[:1], Path(tmp) / "one")
        for side in ("inspector", "baseline"):
            walls = []
            for inventory in (Path(tmp) / "all", Path(tmp) / "one"):
                if side == "inspector":
                    walls.append(sides.inspector(inventory, 1)[0].wall)
                else:
                    walls.append(sides.baseline(inventory, 1).wall)
            times[side] = (walls[0] - walls[1]) / 6
            fixed[side] = walls[1] - times[side]
    return times, fixed


def row(n: int, side: str, m: Measured, ok: str, ratio: str, extra: Sequence[str] = ()) -> str:
    per_minute = n / m.wall * 60
    cells = [str(n), side, f"{m.wall:.1f}", f"{per_minute:.0f}", f"{m.cpu:.1f}",
             f"{m.peak_rss_mb:.0f}", ok, ratio, *extra]
    return "| " + " | ".join(cells) + " |"


def bench_sizes(sides: Sides, sizes: list[int], workers: int, scenario: str,
                latency: Latency | None, rerun_from: list[Path]) -> None:
    header = ["N", "side", "wall s", "chassis/min", "CPU s", "peak RSS MB", "chassis",
              "inspector ÷ baseline"]
    ideal: dict[str, float] = {}
    if latency is not None:
        ideal, fixed = per_chassis_time(sides, scenario, latency)
        print(f"\nPer-chassis time alone: inspector {ideal['inspector']:.2f} s, "
              f"baseline {ideal['baseline']:.2f} s; start and finish of a run (not in the "
              f"ideal): inspector {fixed['inspector']:.1f} s, baseline {fixed['baseline']:.1f} s",
              flush=True)
        header += ["ideal s", "wall ÷ ideal"]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)
    for n in sizes:
        specs = plan_lab(n, scenario)
        with tempfile.TemporaryDirectory(dir=sides.scratch) as tmp, \
                running_lab(specs, inventory_out=Path(tmp),
                            latency=latency or Latency()):
            keep = latency is None and n in (min(sizes), max(sizes))
            mine, run_dir = sides.inspector(Path(tmp), workers, keep=keep)
            if keep:
                rerun_from.append(run_dir)
            theirs = sides.baseline(Path(tmp), workers)
        ratio = f"{theirs.wall / mine.wall:.1f}x chassis/min"
        for side, m in (("inspector", mine), ("baseline", theirs)):
            extra: list[str] = []
            if latency is not None:
                target = ideal[side] * math.ceil(n / workers)
                extra = [f"{target:.1f}", f"{m.wall / target:.2f}"]
            print(row(n, side, m, _ok(side, m, n), ratio if side == "inspector" else "",
                      extra), flush=True)


def bench_commands(sides: Sides, run_dirs: list[Path]) -> None:
    helps = [measure([*_inspector(), "--help"]).wall for _ in range(5)]
    print(f"\n`inspector --help`: {statistics.median(helps):.2f} s (median of 5)")
    for run_dir in run_dirs:
        hosts = sorted(p.stem for p in (run_dir / "records").glob("*.json"))
        # A Catalyst 9300: its interface counters are read with Genie, import included.
        host = min(hosts, key=lambda h: ("cat9300" not in h, h))
        reruns = [measure([*_inspector(), "rerun", str(run_dir), "--host", host, "--check",
                           RERUN_CHECK], env=sides.env) for _ in range(3)]
        print(f"`inspector rerun RUN_DIR --host {host} --check {RERUN_CHECK}` on a run of "
              f"{len(hosts)} chassis: {statistics.median(m.wall for m in reruns):.2f} s "
              f"(median of 3), exit {reruns[-1].returncode}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,500,1000",
                        help="comma-separated chassis counts (default: %(default)s)")
    parser.add_argument("--workers", type=int, help="both sides (default: the inspector's)")
    parser.add_argument("--scenario", default="healthy", help="lab scenario (default: healthy)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-latency", action="store_true", help="skip the latency runs")
    which.add_argument("--latency-only", action="store_true", help="only the latency runs")
    parser.add_argument("--login-latency", type=float, default=REALISTIC.login)
    parser.add_argument("--command-latency", type=float, default=REALISTIC.command)
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    workers = args.workers or default_workers()
    latency = Latency(login=args.login_latency, command=args.command_latency)

    print(f"# bench: {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, lab in-process on 127.0.0.1, scenario {args.scenario}, "
          f"{workers} workers on both sides, sizes {sizes}", flush=True)
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as scratch:
        sides = Sides(Path(scratch))
        rerun_from: list[Path] = []
        if not args.latency_only:
            print("\n## Without latency")
            bench_sizes(sides, sizes, workers, args.scenario, None, rerun_from)
        if not args.no_latency:
            print(f"\n## With latency: {latency.login:g} s at login, {latency.command:g} s "
                  "per command")
            bench_sizes(sides, sizes, workers, args.scenario, latency, rerun_from)
        print("\n## Commands")
        bench_commands(sides, rerun_from)
    return 0


if __name__ == "__main__":
    sys.exit(main())
